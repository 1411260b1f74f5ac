//! `curricula serve`: a small local web server for the built site.
//!
//! Only GET and HEAD; request paths are decoded and resolved strictly inside
//! the output folder (no `..`, no symlinks out), so nothing else on the machine
//! can be read through it.

use std::io;
use std::path::{Component, Path, PathBuf};

/// Serves `dir` on `addr` until the process ends.
pub fn serve_dir(dir: &Path, addr: &str) -> io::Result<()> {
    let server = tiny_http::Server::http(addr).map_err(|e| io::Error::other(e.to_string()))?;
    for request in server.incoming_requests() {
        let response = respond(dir, request.method(), request.url());
        let _ = request.respond(response);
    }
    Ok(())
}

type Response = tiny_http::Response<io::Cursor<Vec<u8>>>;

fn respond(dir: &Path, method: &tiny_http::Method, url: &str) -> Response {
    use tiny_http::Method;
    if !matches!(method, Method::Get | Method::Head) {
        return text(405, "method not allowed").with_header(header("Allow", "GET, HEAD"));
    }
    let head = matches!(method, Method::Head);
    match resolve(dir, url) {
        Some(path) => match std::fs::read(&path) {
            Ok(bytes) => file_response(200, &path, bytes, head),
            Err(_) => not_found(dir, head),
        },
        None => not_found(dir, head),
    }
}

fn not_found(dir: &Path, head: bool) -> Response {
    let page = dir.join("404.html");
    match std::fs::read(&page) {
        Ok(bytes) => file_response(404, &page, bytes, head),
        Err(_) => text(404, "not found"),
    }
}

fn file_response(status: u16, path: &Path, bytes: Vec<u8>, head: bool) -> Response {
    let body = if head { Vec::new() } else { bytes };
    tiny_http::Response::from_data(body)
        .with_status_code(status)
        .with_header(header("Content-Type", content_type(path)))
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
