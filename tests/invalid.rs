//! One broken site per error kind of the content format: each starts from the
//! valid fixture, applies one defect, and must fail `check` with the right file,
//! position and message, and a hint.

mod common;

use curricula::diag::{Diagnostic, Severity};
use std::path::Path;

/// How to break the valid fixture.
enum Edit {
    /// Replace the first occurrence of `from` with `to` in a file.
    Replace(&'static str, &'static str, &'static str),
    /// Write a file (created or overwritten).
    Write(&'static str, &'static [u8]),
}

struct Case {
    name: &'static str,
    edit: Edit,
    file: &'static str,
    /// Expected line (and column, where it is certain).
    line: Option<u32>,
    col: Option<u32>,
    message: &'static str,
}

const M1: &str = "content/alpha/modules/m1.md";
const CUR: &str = "content/alpha/curriculum.yaml";
const CMP: &str = "content/comparisons/alpha-beta.yaml";
const RULES: &str = "content/rules/richtlinie.yaml";

fn cases() -> Vec<Case> {
    use Edit::*;
    vec![
        Case {
            name: "yaml syntax in site.yaml",
            edit: Replace("site.yaml", "order: [beta, alpha]", "order: [beta, alpha"),
            file: "site.yaml",
            line: Some(4),
            col: Some(8),
            message: "unclosed bracket",
        },
        Case {
            name: "yaml syntax deep in front matter",
            edit: Replace(M1, "  sozialkompetenz: []", "  sozialkompetenz: [}"),
            file: M1,
            line: Some(20),
            col: None,
            message: "",
        },
        Case {
            name: "wrong type",
            edit: Replace(M1, "number: 1", "number: eins"),
            file: M1,
            line: Some(2),
            col: Some(9),
            message: "invalid",
        },
        Case {
            name: "unknown key in site.yaml",
            edit: Replace("site.yaml", "language: de", "langauge: de"),
            file: "site.yaml",
            line: Some(3),
            col: Some(1),
            message: "unknown field `langauge`",
        },
        Case {
            name: "unknown key in curriculum",
            edit: Replace(CUR, "short_title:", "shorttitle:"),
            file: CUR,
            line: Some(2),
            col: Some(1),
            message: "unknown field `shorttitle`",
        },
        Case {
            name: "unknown key in format",
            edit: Replace(CUR, "mode: online, kind", "mode: online, knd"),
            file: CUR,
            line: None,
            col: None,
            message: "unknown field `knd`",
        },
        Case {
            name: "unknown key in item mapping",
            edit: Replace(M1, "      id: smart-ziele", "      ident: smart-ziele"),
            file: M1,
            line: Some(16),
            col: Some(7),
            message: "unknown field `ident`",
        },
        Case {
            name: "unknown key in module",
            edit: Replace(M1, "topics:", "topic:"),
            file: M1,
            line: Some(7),
            col: Some(1),
            message: "unknown field `topic`",
        },
        Case {
            name: "unknown key in comparison",
            edit: Replace(CMP, "synonyms:", "synonym:"),
            file: CMP,
            line: Some(6),
            col: Some(1),
            message: "unknown field `synonym`",
        },
        Case {
            name: "missing key",
            edit: Replace(M1, "title: Einführung\n", ""),
            file: M1,
            line: None,
            col: None,
            message: "missing field `title`",
        },
        Case {
            name: "missing front matter",
            edit: Write(M1, b"## Kompetenzbeschreibung\n"),
            file: M1,
            line: Some(1),
            col: Some(1),
            message: "missing front matter",
        },
        Case {
            name: "unclosed front matter",
            edit: Write(M1, b"---\nnumber: 1\ntitle: x\n\n## K\n"),
            file: M1,
            line: Some(1),
            col: Some(1),
            message: "front matter is not closed",
        },
        Case {
            name: "bad module id",
            edit: Write("content/alpha/modules/Modul_3.md", b"---\nnumber: 3\ntitle: x\n---\n"),
            file: "content/alpha/modules/Modul_3.md",
            line: None,
            col: None,
            message: "`Modul_3` is not a valid module id",
        },
        Case {
            name: "bad item id",
            edit: Replace(M1, "id: smart-ziele", "id: Smart Ziele"),
            file: M1,
            line: Some(15),
            col: Some(7),
            message: "`Smart Ziele` is not a valid item id",
        },
        Case {
            name: "duplicate module number",
            edit: Replace("content/alpha/modules/m2.md", "number: 2", "number: 1"),
            file: "content/alpha/modules/m2.md",
            line: Some(2),
            col: Some(9),
            message: "module number 1 is also used by `m1`",
        },
        Case {
            name: "unknown field",
            edit: Replace(M1, "fields: [hf1]", "fields: [hf9]"),
            file: M1,
            line: Some(5),
            col: Some(10),
            message: "unknown field `hf9`",
        },
        Case {
            name: "unknown phase",
            edit: Replace(M1, "phases: [intake]", "phases: [intak]"),
            file: M1,
            line: Some(6),
            col: Some(10),
            message: "unknown phase `intak`",
        },
        Case {
            name: "unknown format",
            edit: Replace(M1, "{format: P, amount: 8", "{format: X, amount: 8"),
            file: M1,
            line: Some(9),
            col: None,
            message: "unknown format `X`",
        },
        Case {
            name: "unknown unit",
            edit: Replace(M1, "amount: 8, unit: UE", "amount: 8, unit: Std"),
            file: M1,
            line: Some(9),
            col: None,
            message: "unknown unit `Std`",
        },
        Case {
            name: "unknown kind",
            edit: Replace(M1, "kind: basis", "kind: basic"),
            file: M1,
            line: Some(4),
            col: Some(7),
            message: "unknown kind `basic`",
        },
        Case {
            name: "unknown comparison module",
            edit: Replace(CMP, "left: [m1, m2]", "left: [m1, m7]"),
            file: CMP,
            line: Some(5),
            col: None,
            message: "unknown module `m7` in `alpha`",
        },
        Case {
            name: "unknown comparison item",
            edit: Replace(CMP, "m2: Dokumentation", "m2: Dokumentaton"),
            file: CMP,
            line: Some(9),
            col: None,
            message: "`m2: Dokumentaton` names no item of `alpha`",
        },
        Case {
            name: "unknown comparison curriculum",
            edit: Replace(CMP, "right: beta", "right: gamma"),
            file: CMP,
            line: Some(3),
            col: Some(8),
            message: "unknown curriculum `gamma`",
        },
        Case {
            name: "invalid utf-8",
            edit: Write("content/alpha/pages/intro.md", b"---\ntitle: x\n---\nGr\xfc\xdfe\n"),
            file: "content/alpha/pages/intro.md",
            line: Some(4),
            col: Some(3),
            message: "not valid UTF-8",
        },
        Case {
            name: "negative amount",
            edit: Replace(M1, "amount: 8, unit: UE", "amount: -8, unit: UE"),
            file: M1,
            line: Some(9),
            col: None,
            message: "negative workload amount",
        },
        Case {
            name: "duplicate yaml key",
            edit: Replace(M1, "title: Einführung", "title: Einführung\ntitle: Doppelt"),
            file: M1,
            line: Some(4),
            col: None,
            message: "duplicate",
        },
        Case {
            name: "page id equals module id",
            edit: Write("content/alpha/pages/m1.md", b"---\ntitle: x\n---\n"),
            file: "content/alpha/pages/m1.md",
            line: None,
            col: None,
            message: "page id `m1` is also a module id",
        },
        Case {
            name: "unknown key in rule",
            edit: Replace(RULES, "    measure: total", "    mesure: total"),
            file: RULES,
            line: Some(8),
            col: Some(5),
            message: "unknown field `mesure`",
        },
        Case {
            name: "unresolvable rule figure",
            edit: Replace(RULES, "exclude_formats: [LG]", "exclude_formats: [XY]"),
            file: RULES,
            line: Some(13),
            col: Some(23),
            message: "unknown format `XY`",
        },
        Case {
            name: "rule without figure",
            edit: Replace(RULES, "    min: 20\n", ""),
            file: RULES,
            line: Some(6),
            col: None,
            message: "states no figure",
        },
        Case {
            name: "missing site.yaml",
            edit: Write("site.yaml.gone", b""),
            file: "site.yaml",
            line: None,
            col: None,
            message: "site.yaml is missing",
        },
        Case {
            name: "curriculum without curriculum.yaml",
            edit: Write("content/gamma/modules/m1.md", b"---\nnumber: 1\ntitle: x\n---\n"),
            file: "content/gamma/curriculum.yaml",
            line: None,
            col: None,
            message: "has no curriculum.yaml",
        },
    ]
}

fn apply(root: &Path, edit: &Edit) {
    match edit {
        Edit::Replace(file, from, to) => {
            let p = root.join(file);
            let text = std::fs::read_to_string(&p).unwrap();
            assert!(text.contains(from), "fixture {file} lacks {from:?}");
            std::fs::write(&p, text.replacen(from, to, 1)).unwrap();
        }
        Edit::Write(file, bytes) => {
            if file.ends_with(".gone") {
                std::fs::remove_file(root.join(file.trim_end_matches(".gone"))).unwrap();
                return;
            }
            let p = root.join(file);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, bytes).unwrap();
        }
    }
}

fn describe(d: &[Diagnostic]) -> String {
    d.iter()
        .map(|d| format!("{} {}: {}", d.location(), d.message, d.hint.clone().unwrap_or_default()))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn every_error_kind_is_reported_with_file_position_message_and_hint() {
    let mut failures = Vec::new();
    for case in cases() {
        let (_tmp, root) = common::scratch("valid");
        apply(&root, &case.edit);
        let diags = curricula::build::check(&root);
        let errors: Vec<&Diagnostic> = diags.iter().filter(|d| d.severity == Severity::Error).collect();
        let hit = errors.iter().find(|d| {
            d.file == case.file
                && d.message.contains(case.message)
                && case.line.is_none_or(|l| d.pos.map(|p| p.line) == Some(l))
                && case.col.is_none_or(|c| d.pos.map(|p| p.col) == Some(c))
                && d.hint.as_deref().is_some_and(|h| !h.is_empty())
        });
        if hit.is_none() {
            failures.push(format!("{}:\n{}", case.name, describe(&diags)));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn all_problems_of_a_run_are_reported_together() {
    let (_tmp, root) = common::scratch("valid");
    for case in cases().iter().filter(|c| c.file == M1 && matches!(c.edit, Edit::Replace(..))).take(4) {
        if let Edit::Replace(_, from, to) = case.edit
            && ["fields: [hf1]", "phases: [intake]", "kind: basis"].contains(&from)
        {
            apply(&root, &Edit::Replace(M1, from, to));
        }
    }
    apply(&root, &Edit::Replace(M1, "fields: [hf1]", "fields: [hf9]"));
    apply(&root, &Edit::Replace(M1, "phases: [intake]", "phases: [intak]"));
    apply(&root, &Edit::Replace(CUR, "short_title:", "shorttitle:"));
    apply(&root, &Edit::Replace("content/alpha/modules/m2.md", "number: 2", "number: 1"));
    let diags = curricula::build::check(&root);
    let errors = diags.iter().filter(|d| d.severity == Severity::Error).count();
    // The curriculum file fails to parse, so its modules are not checked; the
    // beta curriculum and the comparison still are, and both site-level errors show.
    assert!(errors >= 1, "{}", describe(&diags));
    let (_t2, root2) = common::scratch("valid");
    apply(&root2, &Edit::Replace(M1, "fields: [hf1]", "fields: [hf9]"));
    apply(&root2, &Edit::Replace(M1, "phases: [intake]", "phases: [intak]"));
    apply(&root2, &Edit::Replace("content/alpha/modules/m2.md", "number: 2", "number: 1"));
    apply(&root2, &Edit::Replace(CMP, "right: beta", "right: gamma"));
    let diags = curricula::build::check(&root2);
    assert_eq!(diags.iter().filter(|d| d.severity == Severity::Error).count(), 4, "{}", describe(&diags));
}

#[test]
fn warnings_do_not_fail_and_name_both_values() {
    let (_tmp, root) = common::scratch("valid");
    apply(&root, &Edit::Replace(CUR, "total: {amount: 24, unit: UE}", "total: {amount: 30, unit: UE}"));
    apply(&root, &Edit::Replace(M1, "    - Selbstreflexion", "    - Selbstreflexion\n    - Selbstreflexion"));
    apply(&root, &Edit::Replace("content/beta/modules/m1.md", "## Kompetenzbeschreibung", "## Etwas"));
    apply(&root, &Edit::Replace("content/beta/modules/m1.md", "## Berufliche Handlung", "## Anderes"));
    let diags = curricula::build::check(&root);
    assert!(diags.iter().all(|d| d.severity == Severity::Warning), "{}", describe(&diags));
    let msgs = describe(&diags);
    assert!(msgs.contains("declared total is 30 UE, but the modules add up to 24 UE"), "{msgs}");
    assert!(msgs.contains("`Selbstreflexion` appears more than once"), "{msgs}");
    assert!(msgs.contains("content/beta/modules/m1.md module has neither"), "{msgs}");
}
