//! `check` skips making the pages when nothing but raw HTML in Markdown could
//! add a diagnostic. These tests hold it to that: wherever it skips them, it
//! reports exactly what the check that makes every page reports, and content
//! that could break a link (or anything else it cannot judge without pages)
//! makes it take the long way, which then finds the broken link.

mod common;

use curricula::build::{check, check_with_pages, check_without_pages};
use curricula::diag::{Diagnostic, Severity};
use std::path::Path;

const M1: &str = "content/alpha/modules/m1.md";

fn replace(root: &Path, file: &str, from: &str, to: &str) {
    let path = root.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{file} has no `{from}`");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

/// A copy of the valid fixture (its module has a footnote: a link within the text).
fn plain_site() -> (tempfile::TempDir, std::path::PathBuf) {
    common::scratch("valid")
}

/// Checks `root` both ways and returns what the short way found.
fn same_both_ways(root: &Path) -> Vec<Diagnostic> {
    let short = check_without_pages(root).expect("check can leave the pages unmade");
    assert_eq!(short, check_with_pages(root), "the short check differs from the one that makes every page");
    assert_eq!(short, check(root));
    short
}

#[test]
fn a_plain_site_is_checked_without_pages_with_the_same_result() {
    let (_tmp, root) = plain_site();
    same_both_ways(&root);
}

#[test]
fn raw_html_in_every_kind_of_markdown_text_is_reported_without_pages() {
    let (_tmp, root) = plain_site();
    replace(&root, M1, "kennen den DQR", "kennen den <b>DQR</b>");
    replace(&root, M1, "binden das Konzept ein.", "binden das Konzept ein.\n\n<div>Kasten</div>");
    replace(&root, M1, "- Ein Buch.", "- Ein <i>Buch</i>.");
    replace(&root, "content/alpha/pages/intro.md", "Text.", "Text <span>mit</span> HTML.");
    std::fs::write(root.join("content/barrierefreiheit.md"), "---\ntitle: Barrierefreiheit\n---\n\nEin <u>Satz</u>.\n")
        .unwrap();
    let found = same_both_ways(&root);
    let raw: Vec<(&str, u32)> = found
        .iter()
        .filter(|d| d.message.starts_with("raw HTML"))
        .map(|d| (d.file.as_str(), d.pos.map_or(0, |p| p.line)))
        .collect();
    // An HTML block is one piece of raw HTML, inline HTML is one per tag.
    assert_eq!(raw.len(), 9, "{found:#?}");
    assert!(raw.iter().any(|(f, _)| *f == "content/barrierefreiheit.md"));
    assert!(raw.iter().any(|(f, _)| *f == "content/alpha/pages/intro.md"));
}

#[test]
fn the_synthetic_corpus_is_checked_without_pages_with_the_same_result() {
    let tmp = tempfile::tempdir().unwrap();
    curricula::synth::write_site(tmp.path(), 40, 4, 7).unwrap();
    same_both_ways(tmp.path());
}

#[test]
fn the_bundled_site_is_checked_without_pages_with_the_same_result() {
    let (_tmp, root) = (tempfile::tempdir().unwrap(), common::repo_root());
    if root.join("public").exists() {
        // A previous build is compared page by page; check a copy without it.
        let copy = _tmp.path().join("site");
        common::copy_tree(&root.join("content"), &copy.join("content"));
        std::fs::copy(root.join("site.yaml"), copy.join("site.yaml")).unwrap();
        same_both_ways(&copy);
    } else {
        same_both_ways(&root);
    }
}

#[test]
fn external_links_and_footnotes_in_markdown_keep_the_short_check() {
    let (_tmp, root) = plain_site();
    replace(
        &root,
        M1,
        "binden das Konzept ein.",
        "binden das [Konzept](https://example.org/konzept) ein.[^k]\n\n[^k]: Siehe ![Bild](https://example.org/b.png).",
    );
    replace(
        &root,
        "content/alpha/pages/intro.md",
        "Text.",
        "Text[^a], [mehr][m] und [oben](#1-1-ziel).\n\n[^a]: Eine Notiz.\n\n[m]: https://example.org/",
    );
    same_both_ways(&root);
}

/// Each of these could break a link (or add an anchor warning) that only the
/// pages show: `check` must make them, and so find the broken link.
#[test]
fn content_that_could_break_a_link_makes_check_make_the_pages() {
    let broken = |name: &str, edit: &dyn Fn(&Path)| {
        let (_tmp, root) = plain_site();
        edit(&root);
        assert_eq!(check_without_pages(&root), None, "{name}: the short check must not be used");
        let found = check(&root);
        assert!(
            found.iter().any(|d| d.severity == Severity::Error && d.message.starts_with("broken link")),
            "{name}: {found:#?}"
        );
    };
    broken("inline link", &|r| replace(r, M1, "kennen den DQR", "kennen den [DQR](../fehlt/)"));
    broken("image", &|r| replace(r, M1, "kennen den DQR", "kennen den ![DQR](bild.png)"));
    broken("link definition", &|r| {
        replace(r, M1, "binden das Konzept ein.", "binden das [Konzept][k] ein.\n\n[k]: ../fehlt/")
    });
    broken("footnote definition in a list item", &|r| {
        replace(r, M1, "- Überlegen Sie einen Fall.", "- \"[^f]: Überlegen Sie einen Fall.\"")
    });
    broken("link to an anchor the text does not have", &|r| {
        replace(r, M1, "binden das Konzept ein.", "binden das [Konzept](#kb-1-ziel) ein.\n\n### Ziel\n")
    });
    broken("footnote without reference", &|r| {
        replace(r, M1, "binden das Konzept ein.", "binden das Konzept ein.\n\n[^x]: Eine Notiz.")
    });
    broken("internal autolink", &|r| replace(r, M1, "kennen den DQR", "kennen den <urn:dqr>"));
    broken("link in a list item", &|r| {
        replace(r, M1, "- Überlegen Sie einen Fall.", "- Überlegen Sie [einen Fall](#fall).")
    });
    broken("link spelled with a YAML escape", &|r| {
        replace(r, M1, "- Überlegen Sie einen Fall.", "- \"Überlegen Sie [einen Fall\\x5D(#fall).\"")
    });
    broken("raw HTML link where raw HTML is allowed", &|r| {
        replace(r, "site.yaml", "language: de", "language: de\nallow_raw_html: true");
        replace(r, M1, "kennen den DQR", "kennen den <a href=\"../fehlt/\">DQR</a>");
    });
    broken("edit links into the site", &|r| {
        replace(r, "site.yaml", "language: de", "language: de\nrepository: quelle/");
    });
    broken("a theme of its own", &|r| {
        let dir = r.join("themes/default/templates");
        std::fs::create_dir_all(&dir).unwrap();
        let base = std::fs::read_to_string(common::repo_root().join("themes/default/templates/base.html")).unwrap();
        assert!(base.contains("<main"));
        std::fs::write(dir.join("base.html"), base.replacen("<main", "<a href=\"fehlt/\">x</a><main", 1)).unwrap();
    });
}

#[test]
fn external_links_and_a_copy_of_the_built_in_theme_keep_the_short_check() {
    let (_tmp, root) = plain_site();
    replace(&root, M1, "kennen den DQR", "kennen den DQR (<https://www.dqr.de/>, <mailto:info@dqr.de>)");
    common::copy_tree(&common::repo_root().join("themes"), &root.join("themes"));
    same_both_ways(&root);
}

/// With a previous build in `public/`, the short check makes only the pages
/// in the curricula's folders, whose anchors it compares with that build's,
/// and finds what the check that makes every page finds.
#[test]
fn a_previous_build_makes_check_compare_its_anchors() {
    let (_tmp, root) = plain_site();
    let (code, _, err) = common::run(&["build", "--root", root.to_str().unwrap()], &root);
    assert_eq!(code, 0, "{err}");
    let found = same_both_ways(&root);
    assert!(!found.iter().any(|d| d.message.contains("would disappear")), "{found:#?}");
    replace(&root, M1, "- Ein Buch.", "- Ein Buch.\n\n## Neu\n\nText.");
    replace(&root, M1, "## Literatur", "## Quellen");
    std::fs::remove_file(root.join("content/alpha/pages/intro.md")).unwrap();
    let found = same_both_ways(&root);
    let gone = |what: &str| found.iter().any(|d| d.message.contains(what) && d.message.contains("would disappear"));
    assert!(gone("anchors of alpha/m1/index.html"), "{found:#?}");
    assert!(gone("page alpha/intro/index.html"), "{found:#?}");
}

/// A curriculum page of a previous build carries the fingerprint of the
/// inputs its curriculum's pages were made from: where they are the same
/// now, the curriculum's pages are neither made nor compared. An anchor put
/// into a previous page by hand shows which are compared: only those of
/// curricula whose own files, or the files outside the curricula's folders,
/// changed since.
#[test]
fn a_previous_build_is_compared_only_where_the_inputs_changed() {
    let (_tmp, root) = plain_site();
    let (code, _, err) = common::run(&["build", "--root", root.to_str().unwrap()], &root);
    assert_eq!(code, 0, "{err}");
    for page in ["public/alpha/m1/index.html", "public/beta/m1/index.html"] {
        replace(&root, page, "<main id=\"main\"", "<span id=\"von-hand\"></span><main id=\"main\"");
    }
    let compared = |root: &Path| -> Vec<String> {
        let found = same_both_ways(root);
        let gone = found.iter().filter(|d| d.message.contains("#von-hand"));
        let mut pages: Vec<String> = gone.map(|d| d.message.split(' ').nth(2).unwrap_or("").to_string()).collect();
        pages.sort();
        pages
    };
    assert_eq!(compared(&root), Vec::<String>::new(), "nothing changed");
    replace(&root, "content/beta/modules/m1.md", "Beta.", "Beta, anders.");
    assert_eq!(compared(&root), ["beta/m1/index.html"], "a module of beta");
    replace(&root, "content/glossary.yaml", "Deutscher Qualifikationsrahmen.", "Der DQR.");
    assert_eq!(compared(&root), ["alpha/m1/index.html", "beta/m1/index.html"], "the glossary");
    // A previous build without the fingerprint (another theme, say) is compared whole.
    replace(&root, "content/glossary.yaml", "Der DQR.", "Deutscher Qualifikationsrahmen.");
    replace(&root, "content/beta/modules/m1.md", "Beta, anders.", "Beta.");
    assert_eq!(compared(&root), Vec::<String>::new(), "all as built");
    replace(&root, "public/alpha/index.html", "name=\"curricula-inputs\"", "name=\"x\"");
    assert_eq!(compared(&root), ["alpha/m1/index.html"], "no fingerprint");
}

/// The A–Z lists' links to items are made from the model, not read back
/// from the pages: a theme whose module pages leave out the items' anchors
/// is reported as such, at the item.
#[test]
fn a_theme_without_the_items_anchors_is_reported_at_the_item() {
    let (_tmp, root) = plain_site();
    let dir = root.join("themes/default/templates");
    std::fs::create_dir_all(&dir).unwrap();
    let body = std::fs::read_to_string(common::repo_root().join("themes/default/templates/module_body.html")).unwrap();
    let (li, own) = ("<li id=\"{{ idp }}{{ it.anchor }}\">", "href=\"#{{ idp }}{{ it.anchor }}\"");
    assert!(body.contains(li) && body.contains(own));
    let without = body.replace(li, "<li>").replace(own, "href=\"#{{ idp }}{{ it.anchor }}-text\"");
    std::fs::write(dir.join("module_body.html"), without).unwrap();
    let found = check(&root);
    let missing: Vec<&Diagnostic> = found.iter().filter(|d| d.message.contains("for the item")).collect();
    assert!(!missing.is_empty() && missing.iter().all(|d| d.severity == Severity::Error), "{found:#?}");
    assert!(missing.iter().any(|d| d.file == M1), "{missing:#?}");
    assert!(missing.iter().all(|d| d.file.contains("/modules/") && d.pos.is_some()), "{missing:#?}");
}
