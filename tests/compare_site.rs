//! The comparison pages and exports of the bundled site.

mod common;

use std::collections::HashSet;
use std::path::Path;

fn build_bundled() -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    let opts = curricula::build::BuildOptions { root: common::repo_root(), output: Some(out.clone()), base_url: None };
    curricula::build::build(&opts).unwrap_or_else(|e| panic!("{e:?}"));
    (tmp, out)
}

fn read(out: &Path, p: &str) -> String {
    std::fs::read_to_string(out.join(p)).unwrap_or_else(|e| panic!("{p}: {e}"))
}

fn ids(html: &str) -> HashSet<String> {
    html.split(" id=\"").skip(1).filter_map(|s| s.split('"').next()).map(str::to_string).collect()
}

#[test]
fn overview_pair_and_print_pages_exist_with_charts() {
    let (_tmp, out) = build_bundled();
    let overview = read(&out, "compare/kit-erwu/index.html");
    for needle in [
        "<svg",
        "<title id=\"hm-t\">",
        "<desc id=\"hm-d\">",
        "<title id=\"al-t\">",
        "<title id=\"ov-t\">",
        "DGCC-Weiterbildungsrichtlinien",
        "bedingt erfüllt",
        "210 UE = 157.5 Stunden",
        "1 UE = 45 Minuten",
    ] {
        assert!(overview.contains(needle), "overview lacks {needle}");
    }
    // ErwU's presence rule is conditional on 28 of its 48 flexible UE.
    assert!(
        overview.contains("wenn mindestens 28 UE der flexiblen 48 UE in Präsenz stattfinden"),
        "conditional evidence"
    );
    for slug in ["m1_m1", "m2-m3_m2", "m4-m7_m3", "m5_m4", "m6_m5", "m8_m6", "m9_m7"] {
        let page = read(&out, &format!("compare/kit-erwu/{slug}/index.html"));
        assert!(page.contains("<table class=\"cmp stack\">"), "{slug}");
        assert!(page.matches("<h1>").count() == 1, "{slug}: one h1");
    }
    let print = read(&out, "compare/kit-erwu/print/index.html");
    assert!(print.contains("class=\"print-pair\""));
    assert_eq!(print.matches("<h1>").count(), 1);
}

#[test]
fn every_item_link_of_a_pair_page_resolves_to_an_anchor() {
    let (_tmp, out) = build_bundled();
    let page_dir = out.join("compare/kit-erwu/m4-m7_m3");
    let html = read(&page_dir, "index.html");
    let mut checked = 0;
    for href in html.split("class=\"item-ref\" href=\"").skip(1).filter_map(|s| s.split('"').next()) {
        let (path, frag) = href.split_once('#').unwrap();
        let target = std::fs::read_to_string(page_dir.join(path)).unwrap_or_else(|_| panic!("{href} does not resolve"));
        assert!(ids(&target).contains(frag), "{href}: no anchor {frag}");
        checked += 1;
    }
    assert!(checked > 50, "{checked}");
}

#[test]
fn module_pages_link_to_their_pairs() {
    let (_tmp, out) = build_bundled();
    let m7 = read(&out, "kit/m7/index.html");
    assert!(m7.contains("compare/kit-erwu/m4-m7_m3/index.html"));
    let m3 = read(&out, "erwu/m3/index.html");
    assert!(m3.contains("compare/kit-erwu/m4-m7_m3/index.html"));
}

#[test]
fn json_export_follows_its_schema() {
    let (_tmp, out) = build_bundled();
    let v: serde_json::Value = serde_json::from_str(&read(&out, "data/kit-erwu.json")).unwrap();
    assert_eq!(v["schema"], "curricula/comparison@1");
    assert_eq!(v["left"], "kit");
    assert_eq!(v["pairs"].as_array().unwrap().len(), 7);
    let row = &v["pairs"][2]["rows"][0];
    for key in ["relation", "score", "manual", "dimension_changed", "left", "right"] {
        assert!(row.get(key).is_some(), "row lacks {key}");
    }
    let side = v["pairs"][2]["rows"].as_array().unwrap().iter().find_map(|r| r["left"].as_object()).unwrap();
    for key in ["module", "dimension", "position", "text", "anchor", "url"] {
        assert!(side.contains_key(key), "side lacks {key}");
    }
    assert!(v["pairs"][2]["sentences"].as_array().unwrap().len() > 5);
    assert_eq!(v["ledger"]["right"]["total"]["total_minutes"], 9450.0);
    assert!(v["rules"].as_array().unwrap().iter().any(|r| r["outcome"] == "conditional" && r["curriculum"] == "erwu"));
    assert!(v["matrix"]["cells"].as_array().unwrap().len() == 9);
}

#[test]
fn csv_export_has_bom_header_and_one_line_per_row() {
    let (_tmp, out) = build_bundled();
    let csv = read(&out, "data/kit-erwu.csv");
    assert!(csv.starts_with("\u{feff}pair,dimension,relation,score"));
    let v: serde_json::Value = serde_json::from_str(&read(&out, "data/kit-erwu.json")).unwrap();
    let rows: usize = v["pairs"].as_array().unwrap().iter().map(|p| p["rows"].as_array().unwrap().len()).sum();
    assert_eq!(csv.lines().count(), rows + 1);
    assert!(csv.contains("Übung/Simulation"));
}
