//! The cross-linked site: indices, glossary links, anchors, search, exports,
//! and links that never break.

mod common;

use curricula::diag::Severity;
use std::path::Path;

fn build(root: &Path, out: &Path) -> Result<curricula::build::Report, curricula::build::Failure> {
    let opts =
        curricula::build::BuildOptions { root: root.to_path_buf(), output: Some(out.to_path_buf()), base_url: None };
    curricula::build::build(&opts)
}

fn read(out: &Path, p: &str) -> String {
    std::fs::read_to_string(out.join(p)).unwrap_or_else(|e| panic!("{p}: {e}"))
}

fn bundled() -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    build(&common::repo_root(), &out).unwrap_or_else(|e| panic!("{e:?}"));
    (tmp, out)
}

#[test]
fn index_pages_exist_and_link_to_item_anchors() {
    let (_tmp, out) = bundled();
    for p in [
        "kompetenzen/index.html",
        "kompetenzen/wissen/index.html",
        "kompetenzen/kit/index.html",
        "methoden/index.html",
        "handlungsfelder/index.html",
        "phasen/index.html",
        "glossar/index.html",
        "suche/index.html",
        "sitemap.xml",
        "robots.txt",
        "static/favicon.svg",
        "static/site.js",
        "data/search/kit.js",
        "data/search/erwu.js",
        "data/search/glossar.js",
        "data/kit.json",
        "data/erwu.csv",
    ] {
        assert!(out.join(p).is_file(), "{p}");
    }
    let all = read(&out, "kompetenzen/index.html");
    let wissen = read(&out, "kompetenzen/wissen/index.html");
    assert!(all.len() > wissen.len());
    // "Übung/Simulation" and "Übung / Simulation" are one entry with occurrences in both curricula.
    assert!(all.contains("../kit/m1/index.html#wissen-definition-von-case-management-fallmanagement"));
    let methods = read(&out, "methoden/index.html");
    assert_eq!(
        methods.matches("<dt>Übung/Simulation</dt>").count() + methods.matches("<dt>Übung / Simulation</dt>").count(),
        1
    );
    assert!(methods.contains("<table class=\"matrix-check\">"));
    let phases = read(&out, "phasen/index.html");
    assert!(phases.contains("id=\"phase-assessment\""));
}

#[test]
fn module_pages_link_fields_phases_glossary_and_backlinks() {
    let (_tmp, out) = bundled();
    let m3 = read(&out, "kit/m3/index.html");
    assert!(m3.contains("href=\"../../kit/index.html#hf2\""), "field link");
    assert!(m3.contains("phasen/index.html#phase-assessment"), "phase link");
    assert!(m3.contains("class=\"term\""), "glossary terms linked in prose");
    assert!(m3.contains("Verweise auf dieses Modul"), "backlinks from chapters");
    assert!(m3.contains("class=\"cite\""));
    let jsonld = m3.split("<script type=\"application/ld+json\">").nth(1).unwrap().split("</script>").next().unwrap();
    let v: serde_json::Value = serde_json::from_str(jsonld).unwrap();
    assert_eq!(v["@type"], "Course");
    assert_eq!(v["teaches"].as_array().unwrap().len(), 6 + 8 + 11 + 9);
    assert_eq!(v["isPartOf"]["educationalLevel"]["name"], "DQR 6");
}

#[test]
fn search_index_finds_compounds_by_prefix_and_stays_small() {
    let site = curricula::load::load_site(&common::repo_root()).site;
    let labels: std::collections::BTreeMap<&str, &str> = [
        ("module", "Modul"),
        ("chapters", "Kapitel"),
        ("methods", "Lernmethoden"),
        ("glossary", "Glossar"),
        ("kompetenzbeschreibung", "Kompetenzbeschreibung"),
        ("berufliche_handlung", "Berufliche Handlung"),
        ("wissen", "Wissen"),
        ("fertigkeiten", "Fertigkeiten"),
        ("sozialkompetenz", "Sozialkompetenz"),
        ("selbststaendigkeit", "Selbstständigkeit"),
    ]
    .into_iter()
    .collect();
    let scripts = curricula::search::build(&site, &labels);
    let kit = &scripts.iter().find(|(stem, _)| stem == "kit").unwrap().1;
    let hits: Vec<&str> =
        kit.tokens.iter().filter(|(t, _)| t.starts_with("netzwerk")).map(|(t, _)| t.as_str()).collect();
    assert!(hits.contains(&"netzwerkarbeit") && hits.contains(&"netzwerke"), "{hits:?}");
    for (stem, index) in &scripts {
        assert!(index.tokens.windows(2).all(|w| w[0].0 < w[1].0), "{stem}: tokens sorted for binary search");
    }
    let uebung = kit.tokens.iter().find(|(t, _)| t == "uebung").unwrap();
    assert!(!uebung.1.is_empty(), "umlauts fold to ae/oe/ue");
    let bytes: usize = scripts.iter().map(|(_, index)| curricula::search::to_js(index).len()).sum();
    assert!(bytes < 400_000, "the scripts are {bytes} bytes");
}

#[test]
fn broken_markdown_links_are_errors_naming_page_and_source() {
    let (_tmp, root) = common::scratch("valid");
    let page = root.join("content/alpha/pages/intro.md");
    let text = std::fs::read_to_string(&page).unwrap();
    std::fs::write(
        &page,
        format!("{text}\n[fehlt](../nirgends/) und [Anker](../m1/#gibt-es-nicht) und [gut](../m1/#smart-ziele)\n"),
    )
    .unwrap();
    let diags = curricula::build::check(&root);
    let errors: Vec<_> = diags.iter().filter(|d| d.severity == Severity::Error).collect();
    assert_eq!(errors.len(), 2, "{diags:#?}");
    assert!(errors.iter().all(|d| d.file == "content/alpha/pages/intro.md"));
    assert!(
        errors
            .iter()
            .any(|d| d.message.contains("../nirgends/index.html") && d.message.contains("alpha/intro/index.html"))
    );
    assert!(errors.iter().any(|d| d.message.contains("no anchor `#gibt-es-nicht`")));
    let out = root.join("public");
    assert!(build(&root, &out).is_err());
    assert!(!out.exists(), "nothing written");
}

/// The valid fixture built into its `public/`, then an item renamed (its
/// anchor `#selbststaendigkeit-selbstreflexion` goes away): (guard, root, output).
fn built_then_item_renamed() -> (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf) {
    let (tmp, root) = common::scratch("valid");
    let out = root.join("public");
    build(&root, &out).unwrap();
    let m1 = root.join("content/alpha/modules/m1.md");
    let text =
        std::fs::read_to_string(&m1).unwrap().replace("    - Selbstreflexion\n", "    - Selbstreflexion im Team\n");
    std::fs::write(&m1, text).unwrap();
    (tmp, root, out)
}

#[test]
fn removed_anchors_of_the_previous_build_are_warned_about() {
    let (_tmp, root, _) = built_then_item_renamed();
    let diags = curricula::build::check(&root);
    assert!(
        diags.iter().any(|d| d.severity == Severity::Warning
            && d.message.contains("#selbststaendigkeit-selbstreflexion")
            && d.file == "content/alpha/modules/m1.md"),
        "{diags:#?}"
    );
}

#[test]
fn a_build_warns_about_the_anchors_and_pages_it_removes() {
    let (_tmp, root, out) = built_then_item_renamed();
    std::fs::remove_file(root.join("content/alpha/pages/intro.md")).unwrap();
    let report = build(&root, &out).unwrap();
    let warned = |what: &str, file: &str| {
        report.diagnostics.iter().any(|d| d.severity == Severity::Warning && d.message.contains(what) && d.file == file)
    };
    assert!(warned("#selbststaendigkeit-selbstreflexion", "content/alpha/modules/m1.md"), "{:#?}", report.diagnostics);
    assert!(
        warned("page alpha/intro/index.html", "(previous build) alpha/intro/index.html"),
        "{:#?}",
        report.diagnostics
    );
    assert!(!out.join("alpha/intro").exists());
}

/// A rebuild takes the files whose bytes did not change over from the
/// previous output (the same file, its modification time kept for `rsync`)
/// and writes the others; the result equals a build into an empty folder.
#[cfg(unix)]
#[test]
fn a_rebuild_keeps_unchanged_files_and_replaces_changed_ones() {
    use std::os::unix::fs::MetadataExt;
    let (_tmp, root, out) = built_then_item_renamed();
    let stamp = |p: &str| {
        let m = std::fs::metadata(out.join(p)).unwrap();
        (m.ino(), m.mtime_nsec(), m.mtime())
    };
    let (unchanged, changed) = ("alpha/intro/index.html", "alpha/m1/index.html");
    let before = (stamp(unchanged), stamp(changed));
    build(&root, &out).unwrap();
    assert_eq!(stamp(unchanged), before.0, "an unchanged page is the previous build's file");
    assert_ne!(stamp(changed).0, before.1.0, "a changed page is written anew");
    assert!(read(&out, changed).contains("Selbstreflexion im Team"));
    let fresh = root.join("fresh");
    build(&root, &fresh).unwrap();
    let files = |dir: &Path| {
        let mut v: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(dir)
            .into_iter()
            .flatten()
            .filter(|e| e.file_type().is_file())
            .map(|e| (e.path().strip_prefix(dir).unwrap().display().to_string(), std::fs::read(e.path()).unwrap()))
            .collect();
        v.sort();
        v
    };
    assert!(files(&out) == files(&fresh), "a rebuild equals a build into an empty folder");
}

#[test]
fn curriculum_exports_and_sitemap() {
    let (_tmp, out) = bundled();
    let v: serde_json::Value = serde_json::from_str(&read(&out, "data/kit.json")).unwrap();
    assert_eq!(v["schema"], "curricula/curriculum@1");
    assert_eq!(v["modules"].as_array().unwrap().len(), 9);
    assert_eq!(v["ledger"]["total"]["total_minutes"], 27.0 * 480.0);
    let csv = read(&out, "data/kit.csv");
    assert!(csv.starts_with("\u{feff}module,module_number"));
    let items =
        218 + v["modules"].as_array().unwrap().iter().map(|m| m["methods"].as_array().unwrap().len()).sum::<usize>();
    assert_eq!(csv.lines().count(), items + 1);
    let sitemap = read(&out, "sitemap.xml");
    assert!(sitemap.contains("<loc>/kit/m3/</loc>"));
    assert!(read(&out, "robots.txt").contains("Sitemap: /sitemap.xml"));
}

#[test]
fn case_packages_are_written_and_valid() {
    let (_tmp, out) = bundled();
    for p in ["data/case/kit.json", "data/case/erwu.json", "data/case/kit-erwu.json"] {
        let v: serde_json::Value = serde_json::from_str(&read(&out, p)).unwrap();
        let problems = curricula::case::validate_package(&v);
        assert!(problems.is_empty(), "{p}: {problems:#?}");
    }
}
