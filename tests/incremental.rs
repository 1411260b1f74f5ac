//! serve's scoped rebuild after module edits equals a full build, byte for
//! byte and diagnostic for diagnostic, on the bundled curricula.

mod common;

use curricula::incremental::{Incremental, Mode, Rebuilt};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every file with its bytes, and every folder (ending in `/`, no bytes): a
/// folder left empty by a removed page differs from a full build too.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .min_depth(1)
        .into_iter()
        .flatten()
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap().to_string_lossy().into_owned();
            if e.file_type().is_dir() { (rel + "/", Vec::new()) } else { (rel, std::fs::read(e.path()).unwrap()) }
        })
        .collect()
}

/// The files a rebuild wrote ahead of the rest, as they were when it said so.
/// `touched` are the edited files, as serve's watcher names them.
fn rebuild_noting_early(
    inc: &mut Incremental,
    served: &Path,
    touched: &[&Path],
) -> (Rebuilt, BTreeMap<String, Vec<u8>>) {
    let mut early = BTreeMap::new();
    let touched: Vec<PathBuf> = touched.iter().map(|p| p.to_path_buf()).collect();
    let result = inc
        .rebuild_with(Some(&touched), &mut |paths| {
            for p in paths {
                early.insert(p.clone(), std::fs::read(served.join(p)).unwrap());
            }
        })
        .unwrap();
    (result, early)
}

/// Rebuilds incrementally, builds fully into a fresh folder, and compares both.
/// After a module edit, the module's own page is written ahead of the rest,
/// already as the full build makes it.
fn assert_same_as_full(inc: &mut Incremental, root: &Path, served: &Path, touched: &[&Path], expect: Mode, what: &str) {
    let (result, early) = rebuild_noting_early(inc, served, touched);
    let (mode, warnings) = match result {
        Rebuilt::Changed { mode, warnings, .. } => (mode, warnings),
        Rebuilt::Failed(d) => panic!("{what}: {d:#?}"),
    };
    assert_eq!(mode, expect, "{what}");
    if mode == Mode::Modules {
        assert!(early.keys().any(|p| p.ends_with("/index.html") && !p.contains("quelltext")), "{what}: {early:?}");
    } else {
        assert!(early.is_empty(), "{what}: nothing is written ahead of a {mode:?} rebuild");
    }
    let full = tempfile::tempdir().unwrap();
    let opts = curricula::build::BuildOptions {
        root: root.to_path_buf(),
        output: Some(full.path().join("out")),
        base_url: None,
    };
    let report = curricula::build::build(&opts).unwrap_or_else(|e| panic!("{what}: {e:?}"));
    let (a, b) = (tree(served), tree(&full.path().join("out")));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>(), "{what}: same files");
    for (path, bytes) in &a {
        assert!(bytes == &b[path], "{what}: {path} differs from a full build");
    }
    for (path, bytes) in &early {
        assert!(bytes == &b[path], "{what}: {path} was written ahead with other bytes than the full build's");
    }
    let messages = |d: &[curricula::diag::Diagnostic]| d.iter().map(|x| x.location() + &x.message).collect::<Vec<_>>();
    assert_eq!(messages(&warnings), messages(&report.diagnostics), "{what}: same diagnostics");
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{} has no `{from}`", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn module_edits_rebuild_only_dependents_and_equal_a_full_build() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("site");
    std::fs::create_dir_all(&root).unwrap();
    for part in ["site.yaml", "content"] {
        let from = common::repo_root().join(part);
        if from.is_dir() {
            common::copy_tree(&from, &root.join(part));
        } else {
            std::fs::copy(&from, root.join(part)).unwrap();
        }
    }
    let served = tmp.path().join("served");
    let mut inc = Incremental::new(&root, &served);
    assert_same_as_full(&mut inc, &root, &served, &[], Mode::Full, "first build");
    let kit3 = root.join("content/kit/modules/m3.md");
    let erwu2 = root.join("content/erwu/modules/m2.md");
    let text = std::fs::read_to_string(&kit3).unwrap();
    let title = text.lines().find(|l| l.starts_with("title:")).unwrap().to_string();
    edit(&kit3, &title, "title: \"Neuer Titel mit <b>Zeichen</b> & Umlauten äöü\"");
    assert_same_as_full(&mut inc, &root, &served, &[&kit3], Mode::Modules, "title (neighbours, indices, comparison)");
    edit(&kit3, "Neuer Titel", "Zweiter Titel");
    assert_same_as_full(&mut inc, &root, &served, &[&kit3], Mode::Modules, "title again (the comparison is kept)");
    let item = text.lines().find(|l| l.trim_start().starts_with("- \"")).unwrap().to_string();
    edit(&kit3, &item, "    - \"Ein ganz neuer Punkt mit Hilfeplan und Netzwerk\"");
    assert_same_as_full(&mut inc, &root, &served, &[&kit3], Mode::Modules, "item text (anchors, competency index)");
    edit(&kit3, "## Kompetenzbeschreibung\n", "## Kompetenzbeschreibung\n\nNeu: <span>roh</span> und DQR.\n");
    assert_same_as_full(&mut inc, &root, &served, &[&kit3], Mode::Modules, "prose with raw HTML (warning)");
    edit(&kit3, "Neu: <span>roh</span> und DQR.\n", "");
    assert_same_as_full(&mut inc, &root, &served, &[&kit3], Mode::Modules, "warning gone again");
    let amount = |path: &Path| {
        std::fs::read_to_string(path).unwrap().lines().find(|l| l.contains("amount:")).unwrap().to_string()
    };
    let first_amount = amount(&erwu2);
    edit(&erwu2, &first_amount, &first_amount.replace(|c: char| c.is_ascii_digit(), "7"));
    let what = "workload alone (the comparison is kept, its exports' ledgers and rule results change)";
    assert_same_as_full(&mut inc, &root, &served, &[&erwu2], Mode::Modules, what);
    let first_amount = amount(&erwu2);
    edit(&erwu2, &first_amount, &first_amount.replace(|c: char| c.is_ascii_digit(), "9"));
    edit(&kit3, "methods:\n", "methods:\n  - \"Fishbowl\"\n");
    assert_same_as_full(
        &mut inc,
        &root,
        &served,
        &[&erwu2, &kit3],
        Mode::Modules,
        "two curricula: workload and methods",
    );
    edit(&kit3, "methods:\n", "methods: [\n");
    assert!(matches!(inc.rebuild().unwrap(), Rebuilt::Failed(_)), "a broken module fails");
    // Only another file is named next; the broken one still counts.
    let erwu_text = std::fs::read_to_string(&erwu2).unwrap();
    std::fs::write(&erwu2, erwu_text.replacen("title: \"", "title: \"Neu ", 1)).unwrap();
    let (result, _) = rebuild_noting_early(&mut inc, &served, &[&erwu2]);
    assert!(matches!(result, Rebuilt::Failed(_)), "the broken module is still broken");
    edit(&kit3, "methods: [\n", "methods:\n  - \"Planspiel\"\n");
    assert_same_as_full(&mut inc, &root, &served, &[&kit3], Mode::Modules, "fixed, compared with the last good build");
    assert_same_as_full(&mut inc, &root, &served, &[], Mode::Unchanged, "nothing changed");
    let cy = root.join("content/kit/curriculum.yaml");
    edit(&cy, "title:", "title: Neu –");
    assert_same_as_full(&mut inc, &root, &served, &[&cy], Mode::Full, "curriculum.yaml is not a module edit");
    // A new file is more than its path tells: the tree is read again.
    let page = root.join("content/kit/pages/neu.md");
    std::fs::write(&page, "---\ntitle: \"Neu\"\n---\n\nText.\n").unwrap();
    assert_same_as_full(&mut inc, &root, &served, &[&page], Mode::Full, "a new page");
    std::fs::remove_file(&page).unwrap();
    assert_same_as_full(&mut inc, &root, &served, &[&page], Mode::Full, "a removed page, its folder too");
}

#[test]
fn a_failing_rebuild_puts_back_the_page_written_ahead() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("site");
    std::fs::create_dir_all(&root).unwrap();
    common::copy_tree(&common::repo_root().join("content"), &root.join("content"));
    std::fs::copy(common::repo_root().join("site.yaml"), root.join("site.yaml")).unwrap();
    // A chapter links to an item anchor of module 3.
    let chapter = root.join("content/kit/pages/abschluss.md");
    edit(&chapter, "## 4.1 ", "Siehe [Planung](../m3/#wissen-reha-teilhabeplanung).\n\n## 4.1 ");
    let served = tmp.path().join("served");
    let mut inc = Incremental::new(&root, &served);
    assert!(matches!(inc.rebuild().unwrap(), Rebuilt::Changed { .. }), "the link resolves at first");
    let before = tree(&served);
    // Renaming the item removes the anchor: the module page itself is fine and
    // is written ahead, but the chapter's link now breaks the build.
    edit(&root.join("content/kit/modules/m3.md"), "    - \"Reha-/Teilhabeplanung\"", "    - \"Reha-Planung\"");
    let m3 = root.join("content/kit/modules/m3.md");
    let (result, early) = rebuild_noting_early(&mut inc, &served, &[&m3]);
    assert!(early.contains_key("kit/m3/index.html"), "{early:?}");
    let Rebuilt::Failed(diags) = result else { panic!("the broken link fails the rebuild") };
    assert!(diags.iter().any(|d| d.message.contains("wissen-reha-teilhabeplanung")), "{diags:#?}");
    assert!(tree(&served) == before, "the last good site is back, the early page included");
    // The failed edit is taken back in the engine too: undone in the file, the
    // site is unchanged; a later edit elsewhere renders module 3 as it was.
    edit(&root.join("content/kit/modules/m3.md"), "    - \"Reha-Planung\"", "    - \"Reha-/Teilhabeplanung\"");
    assert_same_as_full(&mut inc, &root, &served, &[&m3], Mode::Unchanged, "edit taken back");
    let m1 = root.join("content/kit/modules/m1.md");
    let title = std::fs::read_to_string(&m1).unwrap().lines().find(|l| l.starts_with("title:")).unwrap().to_string();
    edit(&m1, &title, "title: \"Anderer Titel\"");
    assert_same_as_full(&mut inc, &root, &served, &[&m1], Mode::Modules, "another module after the failure");
    // A new link that leads nowhere, while no page loses an anchor: the links
    // of the pages rendered again are checked.
    edit(&m1, "## Kompetenzbeschreibung\n", "## Kompetenzbeschreibung\n\nSiehe [dort](../gibt-es-nicht/).\n");
    let (result, _) = rebuild_noting_early(&mut inc, &served, &[&m1]);
    let Rebuilt::Failed(diags) = result else { panic!("the new broken link fails the rebuild") };
    assert!(diags.iter().any(|d| d.message.contains("gibt-es-nicht")), "{diags:#?}");
}

#[test]
fn a_large_sites_title_edit_leaves_the_index_pages_and_equals_a_full_build() {
    // Beyond the header's limit of curricula the index pages show no module
    // titles, and a title edit does not render them again.
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("site");
    curricula::synth::write_site(&root, 39, 13, 3).unwrap();
    let served = tmp.path().join("served");
    let mut inc = Incremental::new(&root, &served);
    assert_same_as_full(&mut inc, &root, &served, &[], Mode::Full, "first build");
    let before = tree(&served);
    let module = root.join("content/c0/modules/m1.md");
    edit(&module, "title: \"", "title: \"Neuer <Titel> & ");
    assert_same_as_full(&mut inc, &root, &served, &[&module], Mode::Modules, "title on a large site");
    let after = tree(&served);
    let changed: Vec<&String> = after.keys().filter(|p| before.get(*p) != after.get(*p)).collect();
    assert!(changed.iter().any(|p| p.as_str() == "c0/m1/index.html"), "{changed:?}");
    for page in ["kompetenzen/index.html", "kompetenzen/c0/index.html", "methoden/index.html", "phasen/index.html"] {
        assert!(!changed.iter().any(|p| p.as_str() == page), "{page} changed: {changed:?}");
    }
    // Its site-wide A–Z lists are split by letter: an item edit changes the
    // pages of the item's old and new letter (here N, which the lists have).
    let first_item = std::fs::read_to_string(&module).unwrap().lines().find(|l| l.starts_with("    - \"")).unwrap()
        [7..8]
        .to_lowercase();
    assert!(after.contains_key("kompetenzen/buchstabe-n/index.html"), "{:?}", after.keys().collect::<Vec<_>>());
    edit(&module, "    - \"", "    - \"Neu: ");
    assert_same_as_full(&mut inc, &root, &served, &[&module], Mode::Modules, "an item on a large site");
    let changed: Vec<String> =
        tree(&served).into_iter().filter(|(p, b)| after.get(p) != Some(b)).map(|x| x.0).collect();
    let letters: BTreeSet<&str> =
        changed.iter().filter_map(|p| p.strip_prefix("kompetenzen/buchstabe-")?.strip_suffix("/index.html")).collect();
    assert_eq!(
        letters,
        BTreeSet::from(["n", first_item.as_str()]),
        "an item edit changes its letters' pages: {changed:?}"
    );
    assert!(!changed.iter().any(|p| p == "kompetenzen/index.html"), "the overview of the letters stays: {changed:?}");
    // The A–Z lists kept from each rebuild for the next: an item taken out,
    // one put first with the text of another module's, one renamed again.
    let text = std::fs::read_to_string(&module).unwrap();
    let items: Vec<&str> = text.lines().filter(|l| l.starts_with("    - \"")).collect();
    edit(&module, &format!("{}\n", items[2]), "");
    assert_same_as_full(&mut inc, &root, &served, &[&module], Mode::Modules, "an item taken out");
    let other = std::fs::read_to_string(root.join("content/c1/modules/m2.md")).unwrap();
    let borrowed = other.lines().find(|l| l.starts_with("    - \"")).unwrap();
    edit(&module, "  wissen:\n", &format!("  wissen:\n{borrowed}\n"));
    assert_same_as_full(&mut inc, &root, &served, &[&module], Mode::Modules, "another module's item put first");
    edit(&module, "Neu: ", "Noch neuer: ");
    assert_same_as_full(&mut inc, &root, &served, &[&module], Mode::Modules, "an item renamed again");
    // A method renamed within the letters the methods have (P).
    assert!(tree(&served).contains_key("methoden/buchstabe-p/index.html"));
    edit(&module, "methods:\n  - \"", "methods:\n  - \"Praxis: ");
    assert_same_as_full(&mut inc, &root, &served, &[&module], Mode::Modules, "a method renamed");
    // A letter no item had before adds a page to each list it is in (and a
    // link to it on every page of the list): the whole site is built again.
    assert!(!tree(&served).contains_key("kompetenzen/buchstabe-z/"));
    edit(&module, "Noch neuer: ", "Zuletzt ");
    assert_same_as_full(&mut inc, &root, &served, &[&module], Mode::Full, "a new letter");
    let lists = ["kompetenzen/buchstabe-z/index.html", "kompetenzen/wissen/buchstabe-z/index.html"];
    assert!(lists.iter().all(|p| tree(&served).contains_key(*p)), "the new letter's pages");
    edit(&module, "Zuletzt ", "Zuallerletzt ");
    assert_same_as_full(&mut inc, &root, &served, &[&module], Mode::Modules, "an item of the new letter renamed");
    // The letter gone again: its pages go too.
    edit(&module, "Zuallerletzt ", "Neu: ");
    assert_same_as_full(&mut inc, &root, &served, &[&module], Mode::Full, "a letter gone");
    assert!(!tree(&served).contains_key("kompetenzen/buchstabe-z/"));
}
