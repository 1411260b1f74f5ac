//! `curricula serve` as an author meets it: live reload, error overlay events,
//! incremental output equal to a full build, safe request handling.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Server {
    child: Child,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(root: &Path) -> Server {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = Command::new(env!("CARGO_BIN_EXE_curricula"))
        .args(["serve", "--root", root.to_str().unwrap(), "--port", &port.to_string()])
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "serve did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    Server { child, port }
}

/// A raw HTTP/1.0 request; returns status code and body.
fn request(port: u16, method: &str, path: &str) -> (u16, String) {
    let (status, text) = raw(port, method, path);
    let body = text.split_once("\r\n\r\n").map(|x| x.1.to_string()).unwrap_or_default();
    (status, body)
}

/// A raw HTTP/1.0 request; returns status code and the whole response.
fn raw(port: u16, method: &str, path: &str) -> (u16, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(s, "{method} {path} HTTP/1.0\r\nHost: localhost\r\n\r\n").unwrap();
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    let text = String::from_utf8_lossy(&buf).into_owned();
    let status = text.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    (status, text)
}

/// A connected event stream of the reload script, and what came after its
/// response head (the first event can come with it).
fn events_stream(port: u16) -> (TcpStream, String) {
    let mut events = TcpStream::connect(("127.0.0.1", port)).unwrap();
    events.set_read_timeout(Some(Duration::from_millis(100))).unwrap();
    write!(events, "GET /__curricula/events HTTP/1.1\r\nHost: localhost\r\n\r\n").unwrap();
    let mut head = String::new();
    assert!(wait_for(&mut events, &mut head, "\r\n\r\n"));
    assert!(head.contains("text/event-stream"), "{head}");
    let rest = head.split_once("\r\n\r\n").map(|x| x.1.to_string()).unwrap_or_default();
    (events, rest)
}

/// Reads from an event stream until `needle` appears after what was already
/// seen at the call (or the time is up).
fn wait_for(stream: &mut TcpStream, seen: &mut String, needle: &str) -> bool {
    wait_for_ms(stream, seen, needle, 15_000)
}

fn wait_for_ms(stream: &mut TcpStream, seen: &mut String, needle: &str, ms: u64) -> bool {
    let from = seen.len();
    let deadline = Instant::now() + Duration::from_millis(ms);
    let mut buf = [0u8; 4096];
    while !seen[from..].contains(needle) && Instant::now() < deadline {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => seen.push_str(&String::from_utf8_lossy(&buf[..n])),
            Err(_) => {}
        }
    }
    seen[from..].contains(needle)
}

fn wait_until(mut f: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + Duration::from_secs(15);
    while Instant::now() < deadline {
        if f() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

#[test]
fn live_reload_overlay_and_incremental_output() {
    let (tmp, root) = common::scratch("valid");
    let server = start(&root);
    let (status, page) = request(server.port, "GET", "/alpha/m1/");
    assert_eq!(status, 200);
    assert!(page.contains("/__curricula/livereload.js"), "script injected when served");
    let on_disk = std::fs::read_to_string(root.join("public/alpha/m1/index.html")).unwrap();
    assert!(!on_disk.contains("livereload"), "never in the output");

    let (mut events, mut seen) = events_stream(server.port);

    let m1 = root.join("content/alpha/modules/m1.md");
    let text = std::fs::read_to_string(&m1).unwrap();
    std::fs::write(&m1, text.replace("title: Einführung", "title: Einstieg")).unwrap();
    assert!(wait_for(&mut events, &mut seen, "\"/alpha/m1/\""), "reload of the changed page: {seen}");
    assert!(request(server.port, "GET", "/alpha/m1/").1.contains("id=\"title\">Einstieg</h1>"));

    std::fs::write(&m1, text.replace("number: 1", "numbr: 1")).unwrap();
    assert!(wait_for(&mut events, &mut seen, "unknown field `numbr`"), "{seen}");
    assert!(seen.contains("event: diagnostics"));
    assert!(
        request(server.port, "GET", "/alpha/m1/").1.contains("id=\"title\">Einstieg</h1>"),
        "last good site served"
    );

    // A browser that connects now gets the diagnostics at once; the others
    // are not told again.
    let (mut late, mut late_seen) = events_stream(server.port);
    assert!(
        late_seen.contains("unknown field `numbr`") || wait_for(&mut late, &mut late_seen, "unknown field `numbr`"),
        "{late_seen}"
    );
    let before = seen.len();
    assert!(!wait_for_ms(&mut events, &mut seen, "event:", 300), "{}", &seen[before..]);

    // The fixed page is written ahead of the rest of the rebuild, and the
    // error is cleared before it reloads: the reloaded page shows no overlay.
    std::fs::write(&m1, text.replace("title: Einführung", "title: Wieder da")).unwrap();
    let from = seen.len();
    assert!(wait_for(&mut events, &mut seen, "\"/alpha/m1/\""), "{seen}");
    let ok = seen[from..].find("event: ok");
    assert!(ok.is_some_and(|i| i < seen[from..].find("\"/alpha/m1/\"").unwrap()), "{}", &seen[from..]);
    assert!(wait_until(|| request(server.port, "GET", "/alpha/m1/").1.contains("id=\"title\">Wieder da</h1>")));

    // A deleted module: what refers to it is reported; once fixed, it is gone.
    std::fs::remove_file(root.join("content/alpha/modules/m2.md")).unwrap();
    assert!(wait_for(&mut events, &mut seen, "unknown module `m2` in `alpha`"), "{seen}");
    let cmp = root.join("content/comparisons/alpha-beta.yaml");
    let fixed = std::fs::read_to_string(&cmp)
        .unwrap()
        .replace("left: [m1, m2]", "left: [m1]")
        .replace("m2: Dokumentation", "m1: Selbstreflexion");
    std::fs::write(&cmp, fixed).unwrap();
    assert!(wait_until(|| request(server.port, "GET", "/alpha/m2/").0 == 404));

    // Incremental output equals a full build, byte for byte.
    let full = tmp.path().join("full");
    let opts = curricula::build::BuildOptions { root: root.clone(), output: Some(full.clone()), base_url: None };
    curricula::build::build(&opts).unwrap_or_else(|e| panic!("{e:?}"));
    let served = root.join("public");
    let list = |d: &Path| -> Vec<String> {
        let mut v: Vec<String> = walkdir::WalkDir::new(d)
            .into_iter()
            .flatten()
            .filter(|e| e.file_type().is_file())
            .map(|e| e.path().strip_prefix(d).unwrap().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    assert!(wait_until(|| list(&served) == list(&full)), "same files");
    for f in list(&full) {
        assert_eq!(
            std::fs::read(served.join(&f)).unwrap(),
            std::fs::read(full.join(&f)).unwrap(),
            "{f} differs from a full build"
        );
    }
}

#[test]
fn requests_outside_the_site_and_other_methods_are_refused() {
    let (_tmp, root) = common::scratch("valid");
    std::fs::write(root.join("secret.txt"), "geheim").unwrap();
    let server = start(&root);
    for bad in
        ["/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt", "/%2e%2e%2fsite.yaml", "/alpha/../../secret.txt"]
    {
        let (status, body) = request(server.port, "GET", bad);
        assert_eq!(status, 404, "{bad}");
        assert!(!body.contains("geheim"));
    }
    assert_eq!(request(server.port, "POST", "/").0, 405);
    assert_eq!(request(server.port, "DELETE", "/index.html").0, 405);
    let (status, head) = raw(server.port, "HEAD", "/");
    assert_eq!(status, 200);
    let (headers, body) = head.split_once("\r\n\r\n").unwrap();
    assert!(body.is_empty(), "HEAD sends no body");
    let length =
        headers.lines().find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length: ").map(str::to_string));
    assert_eq!(length, Some(request(server.port, "GET", "/").1.len().to_string()), "HEAD tells GET's length");
}

fn rss_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status.lines().find(|l| l.starts_with("VmRSS:"))?.split_whitespace().nth(1)?.parse().ok()
}

#[test]
fn two_hundred_rapid_edits_never_crash_and_end_in_the_final_state() {
    let (_tmp, root) = common::scratch("valid");
    let mut server = start(&root);
    let port = server.port;
    let m2 = root.join("content/alpha/modules/m2.md");
    let moved = root.join("content/alpha/modules/m9.md");
    let good = std::fs::read_to_string(&m2).unwrap();
    let cmp = root.join("content/comparisons/alpha-beta.yaml");
    // m2 is named by the comparison; take it out so deleting m2 is a valid state too.
    let cmp_text = std::fs::read_to_string(&cmp)
        .unwrap()
        .replace("left: [m1, m2]", "left: [m1]")
        .replace("m2: Dokumentation", "m1: Selbstreflexion");
    std::fs::write(&cmp, cmp_text).unwrap();
    std::thread::sleep(Duration::from_millis(500));
    let pid = server.child.id();
    let rss_start = rss_kb(pid);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let reader = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let mut ok = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let (status, _) = request(port, "GET", "/alpha/m1/");
                if status == 200 {
                    ok += 1;
                }
            }
            ok
        })
    };
    for i in 0..200 {
        match i % 5 {
            0 => std::fs::write(&m2, good.replace("Zweites Modul", &format!("Zweites Modul {i}"))).unwrap(),
            1 => std::fs::write(&m2, "---\nnumber: [kaputt\n").unwrap(),
            2 => {
                let _ = std::fs::remove_file(&m2);
            }
            3 => std::fs::write(&moved, good.replace("number: 2", "number: 9")).unwrap(),
            _ => {
                let _ = std::fs::remove_file(&moved);
                std::fs::write(&m2, &good).unwrap();
            }
        }
        std::thread::sleep(Duration::from_millis(7));
    }
    std::fs::write(&m2, good.replace("Zweites Modul", "Endstand")).unwrap();
    // A rebuild writes its files one after the other and removes the files
    // gone last: the state is final once both are seen.
    let last = || request(port, "GET", "/alpha/m2/").1.contains("Endstand");
    assert!(wait_until(|| last() && request(port, "GET", "/alpha/m9/").0 == 404), "ends in the final state");
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let served = reader.join().unwrap();
    assert!(served > 0);
    assert!(server.child.try_wait().unwrap().is_none(), "serve is still running");
    if let (Some(a), Some(b)) = (rss_start, rss_kb(pid)) {
        assert!(b < a + 64 * 1024, "memory grew from {a} kB to {b} kB");
    }
    let _ = &mut server;
}

#[test]
fn a_template_change_rerenders_with_the_loaded_content() {
    use curricula::serve::{Incremental, Rebuilt};
    let (tmp, root) = common::scratch("valid");
    let out = tmp.path().join("served");
    let mut inc = Incremental::new(&root, &out);
    assert!(matches!(inc.rebuild().unwrap(), Rebuilt::Changed { .. }));
    let dir = root.join("themes/default/templates");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("404.html"),
        "{% extends \"base.html\" %}{% block content %}<h1>Neu</h1>{% endblock content %}",
    )
    .unwrap();
    match inc.rebuild().unwrap() {
        Rebuilt::Changed { paths, .. } => assert_eq!(paths, vec!["404.html".to_string()]),
        Rebuilt::Failed(d) => panic!("{d:?}"),
    }
    assert!(std::fs::read_to_string(out.join("404.html")).unwrap().contains("<h1>Neu</h1>"));
    // A content change after it is still seen.
    let m1 = root.join("content/alpha/modules/m1.md");
    std::fs::write(&m1, std::fs::read_to_string(&m1).unwrap().replace("title: Einführung", "title: Danach")).unwrap();
    assert!(matches!(inc.rebuild().unwrap(), Rebuilt::Changed { .. }));
    assert!(std::fs::read_to_string(out.join("alpha/m1/index.html")).unwrap().contains("Danach"));
}
