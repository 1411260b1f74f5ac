//! The example site in the German authoring guide (docs/anleitung.md) must be
//! valid: every fenced block whose info string names a file (```` ```yaml
//! datei=site.yaml ````) is written into a fresh folder, and `check` must find
//! nothing at all there, neither errors nor warnings. Authors copy this example;
//! if it drifts from the content format, this test says where.

use curricula::diag::Diagnostic;
use std::collections::BTreeMap;
use std::path::{Component, Path};

const GUIDE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/anleitung.md");

/// The files of the guide's example: path → content, in the order of the guide.
fn extract(markdown: &str) -> Vec<(String, String)> {
    let mut files = Vec::new();
    let mut lines = markdown.lines();
    while let Some(line) = lines.next() {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        let fence_char = match trimmed.chars().next() {
            Some(c @ ('`' | '~')) if indent <= 3 => c,
            _ => continue,
        };
        let fence_len = trimmed.chars().take_while(|&c| c == fence_char).count();
        if fence_len < 3 {
            continue;
        }
        let info = &trimmed[fence_len..];
        let path = info.split_whitespace().find_map(|w| w.strip_prefix("datei=")).map(str::to_string);
        // The body runs to a closing fence of the same character, at least as long.
        let mut body = String::new();
        for l in lines.by_ref() {
            let t = l.trim();
            if t.len() >= fence_len && t.chars().all(|c| c == fence_char) {
                break;
            }
            body.push_str(l);
            body.push('\n');
        }
        if let Some(p) = path {
            files.push((p, body));
        }
    }
    files
}

fn read_guide() -> String {
    std::fs::read_to_string(GUIDE).unwrap_or_else(|e| panic!("cannot read {GUIDE}: {e}"))
}

/// Writes the files under `root`; paths must be relative and stay inside it.
fn write_site(root: &Path, files: &[(String, String)]) {
    for (path, text) in files {
        let rel = Path::new(path);
        assert!(
            rel.components().all(|c| matches!(c, Component::Normal(_))),
            "datei={path}: the path must be relative and must not leave the site folder"
        );
        let target = root.join(rel);
        std::fs::create_dir_all(target.parent().expect("a file path has a parent")).unwrap();
        std::fs::write(&target, text).unwrap();
    }
}

fn describe(diags: &[Diagnostic]) -> String {
    diags
        .iter()
        .map(|d| {
            let hint = d.hint.as_deref().map(|h| format!("\n    hint: {h}")).unwrap_or_default();
            format!("  {:?}: {} at {}{hint}", d.severity, d.message, d.location())
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_guide_example_passes_check_without_any_diagnostic() {
    let files = extract(&read_guide());
    let names: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).collect();

    let mut seen = BTreeMap::new();
    for name in &names {
        *seen.entry(*name).or_insert(0) += 1;
    }
    let twice: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).map(|(p, _)| *p).collect();
    assert!(twice.is_empty(), "the guide gives these files more than once: {twice:?}");

    assert!(files.len() >= 10, "expected at least 10 example files in the guide, found {}: {names:?}", files.len());
    let has = |pred: &dyn Fn(&str) -> bool| names.iter().any(|n| pred(n));
    assert!(has(&|n| n == "site.yaml"), "no site.yaml among {names:?}");
    assert!(
        has(&|n| n.starts_with("content/") && n.contains("/modules/") && n.ends_with(".md")),
        "no module file among {names:?}"
    );
    assert!(
        has(&|n| n.starts_with("content/comparisons/") && n.ends_with(".yaml")),
        "no comparison file among {names:?}"
    );
    assert!(has(&|n| n.starts_with("content/rules/") && n.ends_with(".yaml")), "no rule file among {names:?}");
    for required in [
        "site.yaml",
        "content/glossary.yaml",
        "content/beispiel/curriculum.yaml",
        "content/beispiel/modules/m1.md",
        "content/beispiel/pages/vorwort.md",
        "content/zweites/curriculum.yaml",
        "content/zweites/modules/m1.md",
        "content/comparisons/beispiel-zweites.yaml",
        "content/rules/richtlinie.yaml",
    ] {
        assert!(names.contains(&required), "the guide's example lacks {required}; it has {names:?}");
    }

    let dir = tempfile::tempdir().unwrap();
    write_site(dir.path(), &files);
    let diags = curricula::build::check(dir.path());
    assert!(
        diags.is_empty(),
        "the guide's example site (docs/anleitung.md) must pass `curricula check` without any \
         diagnostic, but it has {}:\n{}",
        diags.len(),
        describe(&diags)
    );
}

/// Guards the guard: the same example with one misspelt key must fail, so the
/// test above really checks what the guide says.
#[test]
fn a_misspelt_key_in_the_guide_example_would_be_caught() {
    let mut files = extract(&read_guide());
    let module = files
        .iter_mut()
        .find(|(p, _)| p == "content/beispiel/modules/m1.md")
        .expect("the guide has content/beispiel/modules/m1.md");
    assert!(module.1.contains("\ntitle:"), "the example module has a `title:` line");
    module.1 = module.1.replacen("\ntitle:", "\ntitel:", 1);

    let dir = tempfile::tempdir().unwrap();
    write_site(dir.path(), &files);
    let diags = curricula::build::check(dir.path());
    assert!(
        diags.iter().any(|d| d.message.contains("unknown field `titel`")
            && d.file == "content/beispiel/modules/m1.md"
            && d.hint.as_deref().is_some_and(|h| h.contains("did you mean `title`?"))),
        "a misspelt key must be reported; got:\n{}",
        describe(&diags)
    );
}

#[test]
fn extraction_follows_fences() {
    let md = "Text\n\n```yaml datei=a.yaml\nx: 1\n```\n\n````markdown datei=b/c.md\n```\ninner\n```\n````\n\n```sh\nno file\n```\n";
    let files = extract(md);
    assert_eq!(
        files,
        vec![("a.yaml".to_string(), "x: 1\n".to_string()), ("b/c.md".to_string(), "```\ninner\n```\n".to_string())]
    );
}
