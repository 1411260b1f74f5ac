//! HTML safety: a site with script payloads in every text field renders them
//! as text. No payload becomes a tag, an event handler or a `javascript:` URL.

mod common;

use std::path::Path;

/// The real tags of an HTML text (text content has its `<` escaped), as
/// (name, whole tag) pairs.
fn tags(html: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        let after = &rest[i + 1..];
        let end = after.find('>').unwrap_or(after.len());
        let tag = &after[..end];
        let name: String = tag.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '!' || *c == '/').collect();
        out.push((name.to_ascii_lowercase(), tag.to_string()));
        rest = &after[end.min(after.len())..];
    }
    out
}

/// The attributes of a tag: (lower-case name, value).
fn attributes(tag: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let chars: Vec<char> = tag.chars().collect();
    let mut i = chars.iter().position(|c| c.is_whitespace()).unwrap_or(chars.len());
    while i < chars.len() {
        while i < chars.len() && (chars[i].is_whitespace() || chars[i] == '/') {
            i += 1;
        }
        let start = i;
        while i < chars.len() && !chars[i].is_whitespace() && chars[i] != '=' {
            i += 1;
        }
        let name: String = chars[start..i].iter().collect::<String>().to_ascii_lowercase();
        let mut value = String::new();
        if i < chars.len() && chars[i] == '=' {
            i += 1;
            if i < chars.len() && (chars[i] == '"' || chars[i] == '\'') {
                let q = chars[i];
                i += 1;
                while i < chars.len() && chars[i] != q {
                    value.push(chars[i]);
                    i += 1;
                }
                i += 1;
            } else {
                while i < chars.len() && !chars[i].is_whitespace() {
                    value.push(chars[i]);
                    i += 1;
                }
            }
        }
        if !name.is_empty() {
            out.push((name, value));
        }
    }
    out
}

fn build_hostile() -> (tempfile::TempDir, std::path::PathBuf, Vec<curricula::diag::Diagnostic>) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    let opts =
        curricula::build::BuildOptions { root: common::fixture("hostile"), output: Some(out.clone()), base_url: None };
    let report = curricula::build::build(&opts).unwrap_or_else(|e| panic!("{e:?}"));
    (tmp, out, report.diagnostics)
}

fn html_files(out: &Path) -> Vec<std::path::PathBuf> {
    walkdir::WalkDir::new(out)
        .into_iter()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "html"))
        .map(|e| e.into_path())
        .collect()
}

#[test]
fn payloads_in_every_field_stay_text() {
    let (_tmp, out, diags) = build_hostile();
    let files = html_files(&out);
    assert!(files.len() > 20, "{}", files.len());
    for f in &files {
        let html = std::fs::read_to_string(f).unwrap();
        let name = f.strip_prefix(&out).unwrap().display().to_string();
        for (tag, whole) in tags(&html) {
            let lower = whole.to_ascii_lowercase();
            match tag.as_str() {
                "script" => assert!(
                    lower.contains("src=\"") && (lower.contains("static/site.js") || lower.contains("data/search/"))
                        || lower.contains("type=\"application/ld+json\""),
                    "{name}: script tag <{whole}>"
                ),
                "img" | "iframe" | "object" | "embed" => panic!("{name}: <{whole}>"),
                "svg" => assert!(lower.contains("class=\"chart\""), "{name}: <{whole}>"),
                _ => {}
            }
            for (attr, value) in attributes(&whole) {
                assert!(!attr.starts_with("on"), "{name}: event handler in <{whole}>");
                if ["href", "src", "action", "formaction", "xlink:href"].contains(&attr.as_str()) {
                    let v = value.replace(|c: char| c.is_whitespace() || c.is_control(), "").to_ascii_lowercase();
                    assert!(
                        !v.starts_with("javascript:") && !v.starts_with("data:") && !v.starts_with("vbscript:"),
                        "{name}: {attr}={value}"
                    );
                }
            }
        }
        assert!(!html.contains(">49<") && !html.contains(" 49 "), "{name}: template syntax in content was evaluated");
    }
    let module = std::fs::read_to_string(out.join("evil/m1/index.html")).unwrap();
    assert!(
        module.contains("&lt;script&gt;alert(&#39;module&#39;)&lt;/script&gt;")
            || module.contains("&lt;script&gt;alert('module')&lt;/script&gt;")
    );
    assert!(module.contains("{{ 7*7 }}"), "shown literally");
    // The JSON-LD data block cannot be closed or commented from the content.
    let jsonld = module.split("application/ld+json\">").nth(1).unwrap().split("</script>").next().unwrap();
    assert!(!jsonld.contains('<'), "{jsonld}");
    assert!(diags.iter().any(|d| d.message.starts_with("raw HTML") && d.file == "content/evil/modules/m1.md"));
}

#[test]
fn raw_html_passes_only_when_the_site_trusts_its_authors() {
    let (_tmp, root) = common::scratch("hostile");
    let site = std::fs::read_to_string(root.join("site.yaml")).unwrap() + "allow_raw_html: true\n";
    std::fs::write(root.join("site.yaml"), site).unwrap();
    let loaded = curricula::load::load_site(&root);
    let (files, _) = curricula::render::render_site(&loaded.site, &root, &loaded.sources).unwrap();
    let page = files.iter().find(|f| f.path == "evil/kapitel/index.html").unwrap();
    let html = String::from_utf8_lossy(&page.bytes);
    assert!(html.contains("<script>alert('pagebody')</script>"), "trusted raw HTML passes");
    // Even then no javascript: link is emitted.
    assert!(!html.to_ascii_lowercase().contains("href=\"javascript:"));
}
