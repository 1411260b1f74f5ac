//! Building the valid fixture site: pages, links, golden files, atomic output,
//! language, themes.

mod common;

use std::path::Path;

fn build(root: &Path, out: &Path) -> curricula::build::Report {
    let opts =
        curricula::build::BuildOptions { root: root.to_path_buf(), output: Some(out.to_path_buf()), base_url: None };
    curricula::build::build(&opts).unwrap_or_else(|e| panic!("{e:?}"))
}

fn read(out: &Path, p: &str) -> String {
    std::fs::read_to_string(out.join(p)).unwrap_or_else(|e| panic!("{p}: {e}"))
}

/// Compares with tests/golden/<name>; `UPDATE_GOLDEN=1` rewrites the file.
/// The fingerprint of a curriculum page's inputs is masked: it changes with
/// every template and version (`curricula::inputs` has its own tests).
fn golden(name: &str, actual: &str) {
    let actual = mask_inputs(actual);
    let path = common::repo_root().join("tests/golden").join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("missing {}; run with UPDATE_GOLDEN=1", path.display()));
    assert!(expected == actual, "{name} differs from the golden file; review the change and run with UPDATE_GOLDEN=1");
}

fn mask_inputs(html: &str) -> String {
    let tag = "<meta name=\"curricula-inputs\" content=\"";
    match html.find(tag) {
        Some(i) => {
            let value = &html[i + tag.len()..][..16];
            assert!(value.bytes().all(|b| b.is_ascii_hexdigit()), "{value}");
            html.replacen(value, "(fingerprint)   ", 1)
        }
        None => html.to_string(),
    }
}

#[test]
fn builds_every_page_and_matches_golden_files() {
    let (_tmp, root) = common::scratch("valid");
    let out = root.join("public");
    let report = build(&root, &out);
    for p in [
        "index.html",
        "404.html",
        "static/style.css",
        "alpha/index.html",
        "alpha/m1/index.html",
        "alpha/m2/index.html",
        "alpha/intro/index.html",
        "beta/index.html",
        "beta/m1/index.html",
    ] {
        assert!(out.join(p).is_file(), "{p} missing");
    }
    assert_eq!(report.pages, 28);
    golden("module.html", &read(&out, "alpha/m1/index.html"));
    golden("curriculum.html", &read(&out, "alpha/index.html"));
    golden("home.html", &read(&out, "index.html"));
    golden("page.html", &read(&out, "alpha/intro/index.html"));
}

#[test]
fn module_page_shows_everything_in_source_order() {
    let (_tmp, root) = common::scratch("valid");
    let out = root.join("public");
    build(&root, &out);
    let html = read(&out, "alpha/m1/index.html");
    let order = [
        "<h1 id=\"title\">Einführung</h1>",
        "id=\"kompetenzbeschreibung\"",
        "Definition, Überblick",
        "id=\"dqr\"",
        "id=\"methods\"",
        "id=\"work-package\"",
        "id=\"berufliche-handlung\"",
        ">Literatur</h2>",
        "id=\"workload\"",
    ];
    let mut last = 0;
    for needle in order {
        let at = html[last..].find(needle).unwrap_or_else(|| panic!("{needle} missing or out of order")) + last;
        last = at;
    }
    for anchor in [
        "wissen-definition-von-case-management",
        "smart-ziele",
        "fertigkeiten-praesentation-von-arbeitsergebnissen",
        "methode-uebung-simulation",
    ] {
        assert!(html.contains(&format!("id=\"{anchor}\"")), "{anchor}");
        assert!(html.contains(&format!("href=\"#{anchor}\"")), "{anchor} link");
    }
    assert!(html.contains("Präsentation von <em>Arbeitsergebnissen</em>"));
    assert!(html.contains("Fallmanager*innen-Rolle"));
    assert!(html.contains("<a rel=\"next\" href=\"../../alpha/m2/index.html\">"));
    assert!(html.contains("href=\"../../static/style.css\""));
    assert!(html.contains("<link rel=\"canonical\" href=\"/sub/path/alpha/m1/\">"));
    // No inline executable script (a strict CSP works): only external files and JSON-LD data.
    for tag in html.split("<script").skip(1) {
        let open = tag.split('>').next().unwrap();
        assert!(open.contains(" src=") || open.contains("application/ld+json"), "inline script: {open}");
    }
    assert!(!html.contains("livereload"), "no reload script in build output");
}

#[test]
fn curriculum_page_has_ledger_fields_and_chapters() {
    let (_tmp, root) = common::scratch("valid");
    let out = root.join("public");
    build(&root, &out);
    let html = read(&out, "alpha/index.html");
    assert!(html.contains("8–20"), "presence range");
    assert!(html.contains("1 UE = 45 Minuten"));
    assert!(
        html.contains("<a href=\"../alpha/intro/index.html\">Vorwort</a>")
            || html.contains("<a href=\"intro/index.html\">Vorwort</a>")
    );
    assert!(html.contains("HF 1: Geeignete Personen identifizieren"));
    let home = read(&out, "index.html");
    let beta = home.find("beta/index.html").unwrap();
    let alpha = home.find("alpha/index.html").unwrap();
    assert!(beta < alpha, "site.yaml order is respected");
}

#[test]
fn english_ui_when_configured() {
    let (_tmp, root) = common::scratch("valid");
    let site = std::fs::read_to_string(root.join("site.yaml")).unwrap().replace("language: de", "language: en");
    std::fs::write(root.join("site.yaml"), site).unwrap();
    let out = root.join("public");
    build(&root, &out);
    let html = read(&out, "alpha/m1/index.html");
    assert!(html.contains("<html lang=\"en\">"));
    assert!(html.contains("Knowledge"));
    assert!(html.contains("Skip to content"));
}

#[test]
fn failed_build_leaves_previous_output_untouched() {
    let (_tmp, root) = common::scratch("valid");
    let out = root.join("public");
    build(&root, &out);
    let snapshot = |d: &Path| -> Vec<(std::path::PathBuf, Vec<u8>)> {
        let mut v: Vec<_> = walkdir::WalkDir::new(d)
            .into_iter()
            .flatten()
            .filter(|e| e.file_type().is_file())
            .map(|e| (e.path().strip_prefix(d).unwrap().to_path_buf(), std::fs::read(e.path()).unwrap()))
            .collect();
        v.sort();
        v
    };
    let before = snapshot(&out);
    std::fs::write(root.join("content/alpha/modules/m1.md"), "kaputt").unwrap();
    let opts = curricula::build::BuildOptions { root: root.clone(), output: Some(out.clone()), base_url: None };
    assert!(matches!(curricula::build::build(&opts), Err(curricula::build::Failure::Content(_))));
    assert!(snapshot(&out) == before, "every file of the previous output is unchanged");
    let leftovers: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(".public"))
        .collect();
    assert!(leftovers.is_empty(), "no temporary folders left behind");
}

#[test]
fn theme_files_override_the_built_in_theme() {
    let (_tmp, root) = common::scratch("valid");
    let dir = root.join("themes/default/static");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("style.css"), "body{}").unwrap();
    std::fs::create_dir_all(root.join("themes/default/templates")).unwrap();
    std::fs::write(
        root.join("themes/default/templates/404.html"),
        "{% extends \"base.html\" %}{% block content %}<h1>Weg</h1>{% endblock content %}",
    )
    .unwrap();
    let out = root.join("public");
    build(&root, &out);
    assert_eq!(read(&out, "static/style.css"), "body{}");
    assert!(read(&out, "404.html").contains("<h1>Weg</h1>"));
}

#[test]
fn broken_theme_template_is_a_located_error() {
    let (_tmp, root) = common::scratch("valid");
    std::fs::create_dir_all(root.join("themes/default/templates")).unwrap();
    std::fs::write(root.join("themes/default/templates/page.html"), "{% if %}").unwrap();
    let diags = curricula::build::check(&root);
    assert!(
        diags.iter().any(|d| d.file == "themes/default/templates/page.html" || d.message.contains("page.html")),
        "{diags:#?}"
    );
}

#[test]
fn builds_are_byte_identical() {
    let (_tmp, root) = common::scratch("valid");
    let a = root.join("out-a");
    let b = root.join("out-b");
    build(&root, &a);
    build(&root, &b);
    for entry in walkdir::WalkDir::new(&a).sort_by_file_name() {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let rel = entry.path().strip_prefix(&a).unwrap();
            assert_eq!(std::fs::read(entry.path()).unwrap(), std::fs::read(b.join(rel)).unwrap(), "{}", rel.display());
        }
    }
}

/// Copies a tree creating the files in reverse order, so directory listings
/// come back in a different order on most file systems.
fn copy_reversed(from: &Path, to: &Path) {
    let mut entries: Vec<_> = walkdir::WalkDir::new(from).into_iter().flatten().collect();
    entries.reverse();
    for e in &entries {
        let target = to.join(e.path().strip_prefix(from).unwrap());
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

#[test]
fn output_does_not_depend_on_working_directory_or_file_order() {
    let tmp = tempfile::tempdir().unwrap();
    let a = tmp.path().join("a");
    let b = tmp.path().join("elsewhere/b");
    common::copy_tree(&common::repo_root().join("content"), &a.join("content"));
    std::fs::copy(common::repo_root().join("site.yaml"), a.join("site.yaml")).unwrap();
    copy_reversed(&a, &b);
    // One build from inside the site with a relative root, one from elsewhere with an absolute one.
    let (code, _, err) = common::run(&["build", "--root", ".", "--output", "out"], &a);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = common::run(&["build", "--root", b.to_str().unwrap()], tmp.path());
    assert_eq!(code, 0, "{err}");
    let (oa, ob) = (a.join("out"), b.join("public"));
    let list = |d: &Path| -> Vec<std::path::PathBuf> {
        let mut v: Vec<_> = walkdir::WalkDir::new(d)
            .into_iter()
            .flatten()
            .filter(|e| e.file_type().is_file())
            .map(|e| e.path().strip_prefix(d).unwrap().to_path_buf())
            .collect();
        v.sort();
        v
    };
    assert_eq!(list(&oa), list(&ob));
    for f in list(&oa) {
        assert!(std::fs::read(oa.join(&f)).unwrap() == std::fs::read(ob.join(&f)).unwrap(), "{} differs", f.display());
    }
}

#[test]
fn large_sites_keep_the_header_short_and_list_comparisons_on_the_home_page() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("site");
    // 14 curricula and 13 comparisons: more than the header lists.
    curricula::synth::write_site(&root, 140, 14, 7).unwrap();
    let out = tmp.path().join("out");
    build(&root, &out);
    let module = read(&out, "c3/m2/index.html");
    let header = &module[module.find("<ul class=\"nav\">").unwrap()..];
    let header = &header[..header.find("</ul>").unwrap()];
    assert_eq!(header.matches("<li>").count(), 2, "the page's curriculum and the way to all: {header}");
    assert!(header.contains("aria-current=\"true\""), "{header}");
    assert!(header.contains("Alle Curricula und Vergleiche"), "{header}");
    let home = read(&out, "index.html");
    assert!(home.contains("<h2 id=\"comparisons\">Vergleiche</h2>"), "comparisons listed on the home page");
    assert_eq!(home.matches("href=\"compare/").count(), 13, "every comparison once");
    // The competency pages: all curricula listed on the page of all items only.
    let filters = |page: &str| read(&out, page).matches("class=\"filter-curriculum\"").count();
    assert_eq!(filters("kompetenzen/index.html"), 14);
    assert_eq!(filters("kompetenzen/c3/index.html"), 1, "its own curriculum");
    assert_eq!(filters("kompetenzen/wissen/index.html"), 0);
    assert!(read(&out, "kompetenzen/c3/index.html").contains("aria-current=\"page\">C3</a>"));
}

/// `check` renders every page as `build` does, so its link check is the same,
/// but writes the data files (exports, search index) only as empty files at
/// their paths: links to them must still resolve.
#[test]
fn check_scope_renders_every_page_and_data_files_by_path() {
    use curricula::render::{OutFile, Scope, Theme, render_scoped_to};
    use std::collections::BTreeMap;
    let root = common::repo_root();
    let loaded = curricula::load::load_site(&root);
    let theme = Theme::load(&root, &loaded.site.config.theme).unwrap_or_else(|e| panic!("{e:?}"));
    let render = |scope: &Scope| {
        let files = std::sync::Mutex::new(BTreeMap::new());
        let keep = |f: OutFile| {
            files.lock().unwrap().insert(f.path, f.bytes);
        };
        render_scoped_to(&loaded.site, &theme, &loaded.sources, scope, &Default::default(), &keep)
            .unwrap_or_else(|e| panic!("{e:?}"));
        files.into_inner().unwrap()
    };
    let (full, check) = (render(&Scope::all()), render(&Scope::check()));
    assert_eq!(full.keys().collect::<Vec<_>>(), check.keys().collect::<Vec<_>>());
    let data: Vec<&String> = check.keys().filter(|p| p.starts_with("data/") || p.ends_with(".js")).collect();
    assert!(data.iter().any(|p| p.starts_with("data/case/")) && data.iter().any(|p| p.ends_with(".csv")), "{data:?}");
    for (path, bytes) in &check {
        if data.contains(&path) && !path.starts_with("static/") {
            assert!(bytes.is_empty() && !full[path].is_empty(), "{path}");
        } else {
            assert!(bytes == &full[path], "{path} differs");
        }
    }
}

#[test]
fn a_to_z_lists_written_directly_equal_the_template() {
    // With a theme that overrides `az.html` (here by the built-in one and a
    // comment) the index pages go through the template; otherwise their A–Z
    // lists are written directly. Both must give the same bytes.
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("site");
    common::copy_tree(&common::repo_root().join("content"), &root.join("content"));
    std::fs::copy(common::repo_root().join("site.yaml"), root.join("site.yaml")).unwrap();
    let build = |output: &Path| {
        let opts =
            curricula::build::BuildOptions { root: root.clone(), output: Some(output.to_path_buf()), base_url: None };
        curricula::build::build(&opts).unwrap();
    };
    build(&tmp.path().join("direct"));
    let templates = root.join("themes/default/templates");
    std::fs::create_dir_all(&templates).unwrap();
    // An identical copy would count as built-in: a comment makes it an override.
    let az = std::fs::read_to_string(common::repo_root().join("themes/default/templates/az.html")).unwrap();
    std::fs::write(templates.join("az.html"), format!("{{# override #}}{az}")).unwrap();
    build(&tmp.path().join("template"));
    let pages = [
        "kompetenzen/index.html",
        "kompetenzen/wissen/index.html",
        "kompetenzen/kit/index.html",
        "methoden/index.html",
    ];
    for page in pages {
        let direct = std::fs::read_to_string(tmp.path().join("direct").join(page)).unwrap();
        let template = std::fs::read_to_string(tmp.path().join("template").join(page)).unwrap();
        assert!(direct.contains("<dl class=\"index\">") && direct.contains("<dt>"), "{page} has an A–Z list");
        assert!(direct == template, "{page}: the A–Z list written directly differs from az.html's");
    }
}

/// Where the A–Z lists are split (more curricula than the header lists), each
/// curriculum's methods matrix has a page of its own, and the methods page
/// links to them under the anchors the matrices had there.
#[test]
fn a_large_sites_methods_matrices_have_pages_of_their_own() {
    let dir = tempfile::tempdir().unwrap();
    curricula::synth::write_site(dir.path(), 65, 13, 3).unwrap();
    let out = dir.path().join("public");
    build(dir.path(), &out);
    let overview = read(&out, "methoden/index.html");
    assert!(!overview.contains("<table"), "no matrix on the methods page");
    let site = curricula::load::load_site(dir.path()).site;
    assert_eq!(site.curricula.len(), 13);
    let sitemap = read(&out, "sitemap.xml");
    for (i, c) in site.curricula.iter().enumerate() {
        let link = format!(
            "<li id=\"matrix-{}\"><a href=\"../methoden/{}/index.html\">{}</a></li>",
            i + 1,
            c.id,
            c.short_title
        );
        assert!(overview.contains(&link), "{link}");
        assert!(sitemap.contains(&format!("/methoden/{}/</loc>", c.id)), "{}", c.id);
        let page = read(&out, &format!("methoden/{}/index.html", c.id));
        let title = format!("Lernmethoden je Modul: {}", c.short_title);
        assert!(page.contains(&format!("<h1>{title}</h1>")) && page.contains(&format!("<caption>{title}</caption>")));
        let methods: std::collections::BTreeSet<&str> =
            c.modules.iter().flat_map(|m| m.methods.iter().map(|x| x.text.as_str())).collect();
        assert!(methods.len() > 2);
        assert_eq!(page.matches("<th scope=\"row\">").count(), methods.len(), "a row per method");
        assert!(methods.iter().all(|m| page.contains(&format!("<th scope=\"row\">{m}</th>"))));
        assert_eq!(page.matches("<td class=\"check\">").count(), methods.len() * c.modules.len());
    }
}
