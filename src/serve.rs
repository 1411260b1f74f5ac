//! `curricula serve`: builds, serves the site locally, and rebuilds on every
//! change with live reload in the browser.
//!
//! Only GET and HEAD; request paths are decoded and resolved strictly inside
//! the output folder (no `..`, no symlinks out), so nothing else on the machine
//! can be read through it. The reload script is injected into pages as they are
//! served, never written into the output. A rebuild with errors keeps the last
//! good site and shows the diagnostics as an overlay in the browser; fixing the
//! file removes it.

use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex, mpsc};

/// What `serve` is asked to do.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub root: PathBuf,
    pub output: PathBuf,
    pub addr: String,
    pub poll: bool,
    pub open: bool,
}

const RELOAD_JS: &str = include_str!("../themes/default/serve/livereload.js");
const RELOAD_TAG: &str = "<script src=\"/__curricula/livereload.js\"></script>";

/// Live state shared by the HTTP thread and the rebuild loop.
#[derive(Default)]
struct Shared {
    /// Open event streams of browsers showing the site.
    clients: Mutex<Vec<Box<dyn Write + Send>>>,
    /// The diagnostics of the last failed rebuild, as JSON, while it is not fixed.
    failing: Mutex<Option<String>>,
}

impl Shared {
    /// Sends an event to every browser; streams that fail are dropped.
    fn broadcast(&self, event: &str, data: &str) {
        if let Ok(mut clients) = self.clients.lock() {
            send_all(&mut clients, event, data);
        }
    }

    /// Records whether the site is failing and tells every browser. Holding
    /// the list of streams meanwhile orders this against [`Self::connect`]: a
    /// browser connecting now either sees the new state or gets this event.
    fn set_failing(&self, json: Option<String>) {
        let Ok(mut clients) = self.clients.lock() else { return };
        match &json {
            Some(j) => send_all(&mut clients, "diagnostics", j),
            None => send_all(&mut clients, "ok", "{}"),
        }
        if let Ok(mut f) = self.failing.lock() {
            *f = json;
        }
    }

    /// Adds a browser's event stream; a failing site's diagnostics go to it
    /// (and only to it) at once.
    fn connect(&self, mut writer: Box<dyn Write + Send>) {
        let Ok(mut clients) = self.clients.lock() else { return };
        let failing = self.failing.lock().ok().and_then(|f| f.clone());
        if let Some(json) = failing
            && writer.write_all(event_message("diagnostics", &json).as_bytes()).and_then(|_| writer.flush()).is_err()
        {
            return;
        }
        clients.push(writer);
    }
}

fn event_message(event: &str, data: &str) -> String {
    format!("event: {event}\ndata: {}\n\n", data.replace('\n', "\ndata: "))
}

/// Sends an event to `clients`; streams that fail are dropped.
fn send_all(clients: &mut Vec<Box<dyn Write + Send>>, event: &str, data: &str) {
    let msg = event_message(event, data);
    clients.retain_mut(|w| w.write_all(msg.as_bytes()).and_then(|_| w.flush()).is_ok());
}

/// Builds, serves and rebuilds on every change until the process ends.
pub fn run(opts: &ServeOptions) -> Result<(), String> {
    crate::output::check_output_dir(&opts.root, &opts.output)?;
    let shared = Arc::new(Shared::default());
    // One spelling of the root for the watcher's paths and the rebuild's walk.
    let root = crate::output::absolute(&opts.root);
    let mut inc = Incremental::new(&root, &opts.output);
    // Watching starts first: an edit made while the first build runs (or
    // right after `serving`, before a large tree is watched) is not lost.
    let (tx, rx) = mpsc::channel();
    let _watch = crate::watch::watch(&root, &opts.output, opts.poll, tx)?;
    let first = rebuild(&mut inc, &shared, true, None);
    if first.is_err() && !opts.output.join("index.html").is_file() {
        return Err("the site has errors and there is no previous build to serve; fix the errors above".into());
    }
    let server = listen(&opts.addr).map_err(|e| format!("cannot serve on {}: {e}", opts.addr))?;
    let url = local_url(&opts.addr);
    if url.contains(opts.addr.as_str()) {
        eprintln!("serving {} at {url} (Ctrl+C to stop)", opts.output.display());
    } else {
        eprintln!("serving {} at {url}, on every interface ({}) (Ctrl+C to stop)", opts.output.display(), opts.addr);
    }
    let dir = opts.output.clone();
    let http_shared = Arc::clone(&shared);
    std::thread::spawn(move || serve_requests(&server, &dir, &http_shared));
    if opts.open {
        open_browser(&url);
    }
    while let Ok(mut touched) = rx.recv() {
        // Everything reported meanwhile goes into this one rebuild.
        while let Ok(more) = rx.try_recv() {
            touched = match (touched, more) {
                (Some(mut a), Some(b)) => {
                    a.extend(b);
                    Some(a)
                }
                _ => None,
            };
        }
        let _ = rebuild(&mut inc, &shared, false, touched.as_deref());
    }
    Ok(())
}

/// The URL to open for `addr`: a server bound to every interface
/// (`0.0.0.0`, `[::]`) is reached on this machine through the loopback address.
fn local_url(addr: &str) -> String {
    match addr.parse::<std::net::SocketAddr>() {
        Ok(sa) if sa.ip().is_unspecified() => {
            let local = if sa.is_ipv4() { "127.0.0.1".to_string() } else { "[::1]".to_string() };
            format!("http://{local}:{}/", sa.port())
        }
        _ => format!("http://{addr}/"),
    }
}

fn open_browser(url: &str) {
    // Windows opens URLs through `start` (a shell built-in; the empty
    // argument is the window title).
    let commands: &[(&str, &[&str])] =
        if cfg!(windows) { &[("cmd", &["/C", "start", ""])] } else { &[("xdg-open", &[]), ("open", &[])] };
    for (cmd, args) in commands {
        if std::process::Command::new(cmd).args(*args).arg(url).spawn().is_ok() {
            return;
        }
    }
    eprintln!("open {url} in your browser");
}

/// URL path of an output file: `kit/m3/index.html` → `/kit/m3/`.
fn url_of(path: &str) -> String {
    format!("/{}", path.strip_suffix("index.html").unwrap_or(path))
}

pub use crate::incremental::{Incremental, Rebuilt};

/// One rebuild for `serve`: tell the terminal and the browsers. On errors the
/// last good site stays and the browsers show the diagnostics.
fn rebuild(
    inc: &mut Incremental,
    shared: &Shared,
    first: bool,
    touched: Option<&[PathBuf]>,
) -> Result<Vec<String>, ()> {
    let started = std::time::Instant::now();
    // The edited module's own pages come first; browsers showing them reload at once.
    // They are written only when the edited files load and check cleanly, so
    // an error shown until now is fixed: a reloading page must not get it again.
    let mut ahead = |paths: &[String]| {
        shared.set_failing(None);
        announce(shared, paths);
        eprintln!("rebuilt the edited module's page in {:.0?}", started.elapsed());
    };
    match inc.rebuild_with(touched, &mut ahead) {
        Err(e) => {
            eprintln!("error: cannot write the site: {e}");
            Err(())
        }
        Ok(Rebuilt::Failed(diags)) => {
            eprint!("{}", crate::diag::render_human(&diags, false));
            shared.set_failing(Some(crate::diag::render_json(&diags)));
            Err(())
        }
        Ok(Rebuilt::Changed { paths, warnings, mode }) => {
            if !warnings.is_empty() && first {
                eprint!("{}", crate::diag::render_human(&warnings, false));
            }
            shared.set_failing(None);
            announce(shared, &paths);
            if !first {
                let how = match mode {
                    crate::incremental::Mode::Full => "everything",
                    crate::incremental::Mode::Theme => "with the theme",
                    crate::incremental::Mode::Modules => "what depends on the changed modules",
                    crate::incremental::Mode::Unchanged => "nothing (no change since the last good build)",
                };
                eprintln!("rebuilt {how} in {:.0?}: {} file(s) changed", started.elapsed(), paths.len());
            }
            Ok(paths)
        }
    }
}

/// Tells the browsers which of their pages changed; a changed stylesheet or
/// script concerns all of them.
fn announce(shared: &Shared, paths: &[String]) {
    if paths.is_empty() {
        return;
    }
    let pages: Vec<String> = if paths.iter().any(|p| p.starts_with("static/")) {
        vec!["*".into()]
    } else {
        paths.iter().map(|p| url_of(p)).collect()
    };
    shared.broadcast("reload", &serde_json::to_string(&pages).unwrap_or_default());
}

/// The HTTP server at `addr`. Its sockets send without delay (TCP_NODELAY,
/// inherited from the listening socket): with Nagle's algorithm a page written
/// in several pieces waited 40 ms for the browser's delayed ACK.
fn listen(addr: &str) -> Result<tiny_http::Server, Box<dyn std::error::Error + Send + Sync>> {
    use std::net::ToSocketAddrs;
    let sa = addr.to_socket_addrs()?.next().ok_or("no address")?;
    let socket = socket2::Socket::new(socket2::Domain::for_address(sa), socket2::Type::STREAM, None)?;
    socket.set_reuse_address(true)?;
    socket.set_tcp_nodelay(true)?;
    socket.bind(&sa.into())?;
    socket.listen(128)?;
    tiny_http::Server::from_listener(std::net::TcpListener::from(socket), None)
}

fn serve_requests(server: &tiny_http::Server, dir: &Path, shared: &Shared) {
    for request in server.incoming_requests() {
        let url = request.url().to_string();
        if url.starts_with("/__curricula/events") && *request.method() == tiny_http::Method::Get {
            let mut writer = request.into_writer();
            let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nConnection: keep-alive\r\n\r\n";
            if writer.write_all(head.as_bytes()).and_then(|_| writer.flush()).is_err() {
                continue;
            }
            shared.connect(writer);
            continue;
        }
        let response = if url.starts_with("/__curricula/livereload.js") {
            tiny_http::Response::from_data(RELOAD_JS.as_bytes().to_vec())
                .with_header(header("Content-Type", "text/javascript; charset=utf-8"))
                .with_header(header("Cache-Control", "no-cache"))
        } else {
            respond(dir, request.method(), &url)
        };
        let _ = request.respond(response);
    }
}

type Response = tiny_http::Response<io::Cursor<Vec<u8>>>;

fn respond(dir: &Path, method: &tiny_http::Method, url: &str) -> Response {
    use tiny_http::Method;
    if !matches!(method, Method::Get | Method::Head) {
        return text(405, "method not allowed").with_header(header("Allow", "GET, HEAD"));
    }
    // Also for HEAD the whole response: tiny_http sends its headers (with the
    // body's length) and leaves out the body.
    match resolve(dir, url) {
        Some(path) => match std::fs::read(&path) {
            Ok(bytes) => file_response(200, &path, bytes),
            Err(_) => not_found(dir),
        },
        None => not_found(dir),
    }
}

fn not_found(dir: &Path) -> Response {
    let page = dir.join("404.html");
    match std::fs::read(&page) {
        Ok(bytes) => file_response(404, &page, bytes),
        Err(_) => text(404, "not found"),
    }
}

/// Adds the live-reload script to an HTML page (only `serve` does this).
fn inject(bytes: Vec<u8>) -> Vec<u8> {
    let html = String::from_utf8_lossy(&bytes);
    match html.rfind("</body>") {
        Some(i) => format!("{}{RELOAD_TAG}{}", &html[..i], &html[i..]).into_bytes(),
        None => bytes,
    }
}

fn file_response(status: u16, path: &Path, bytes: Vec<u8>) -> Response {
    let ctype = content_type(path);
    let bytes = if ctype.starts_with("text/html") { inject(bytes) } else { bytes };
    tiny_http::Response::from_data(bytes)
        .with_status_code(status)
        .with_header(header("Content-Type", ctype))
        .with_header(header("Cache-Control", "no-cache"))
        .with_header(header("X-Content-Type-Options", "nosniff"))
}

fn text(status: u16, s: &str) -> Response {
    tiny_http::Response::from_data(s.as_bytes().to_vec())
        .with_status_code(status)
        .with_header(header("Content-Type", "text/plain; charset=utf-8"))
}

fn header(k: &str, v: &str) -> tiny_http::Header {
    // Both parts are ASCII constants of this module, which tiny_http accepts.
    tiny_http::Header::from_bytes(k.as_bytes(), v.as_bytes()).unwrap_or_else(|_| {
        tiny_http::Header::from_bytes(&b"X-Invalid"[..], &b"1"[..]).expect("constant header is valid")
    })
}

/// Maps a request URL to a file inside `dir`, or `None` when it would leave it.
pub fn resolve(dir: &Path, url: &str) -> Option<PathBuf> {
    let path = url.split(['?', '#']).next().unwrap_or("/");
    let decoded = percent_decode(path)?;
    if decoded.contains('\0') || decoded.contains('\\') {
        return None;
    }
    let mut out = dir.to_path_buf();
    for c in Path::new(decoded.trim_start_matches('/')).components() {
        match c {
            Component::Normal(s) => out.push(s),
            Component::CurDir => {}
            _ => return None,
        }
    }
    if out.is_dir() {
        out.push("index.html");
    }
    let real = out.canonicalize().ok()?;
    let base = dir.canonicalize().ok()?;
    (real.starts_with(&base) && real.is_file()).then_some(real)
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn content_type(p: &Path) -> &'static str {
    match p.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" | "jsonld" => "application/json",
        "csv" => "text/csv; charset=utf-8",
        "svg" => "image/svg+xml",
        "xml" => "application/xml",
        "txt" => "text/plain; charset=utf-8",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_server_on_every_interface_is_opened_through_loopback() {
        assert_eq!(local_url("0.0.0.0:1111"), "http://127.0.0.1:1111/");
        assert_eq!(local_url("[::]:8080"), "http://[::1]:8080/");
        assert_eq!(local_url("127.0.0.1:1111"), "http://127.0.0.1:1111/");
        assert_eq!(local_url("localhost:1111"), "http://localhost:1111/");
    }

    #[test]
    fn traversal_is_refused_in_every_spelling() {
        let tmp = tempfile::tempdir().unwrap();
        let site = tmp.path().join("public");
        std::fs::create_dir_all(site.join("kit")).unwrap();
        std::fs::write(site.join("index.html"), "home").unwrap();
        std::fs::write(site.join("kit/index.html"), "kit").unwrap();
        std::fs::write(tmp.path().join("secret.txt"), "no").unwrap();
        assert!(resolve(&site, "/").unwrap().ends_with("index.html"));
        assert!(resolve(&site, "/kit/").unwrap().ends_with("kit/index.html"));
        assert!(resolve(&site, "/kit/index.html?x=1").is_some());
        for bad in [
            "/../secret.txt",
            "/%2e%2e/secret.txt",
            "/..%2fsecret.txt",
            "/kit/../../secret.txt",
            "/%2e%2e%2fsecret.txt",
            "/..\\secret.txt",
            "/%00",
            "/%zz",
        ] {
            assert!(resolve(&site, bad).is_none(), "{bad}");
        }
    }
}
