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
    /// Write a file of this many bytes (for size limits).
    Big(&'static str, usize),
    /// Make a folder (where a file is expected).
    Dir(&'static str),
    /// Make a symbolic link at the first path pointing to the second.
    Link(&'static str, &'static str),
    /// Write text produced at run time (bombs, deep nesting).
    Generated(&'static str, fn() -> String),
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
        Edit::Big(file, size) => {
            let mut text = b"---\nnumber: 9\ntitle: x\n---\n".to_vec();
            text.resize(*size, b'a');
            std::fs::write(root.join(file), text).unwrap();
        }
        Edit::Dir(path) => std::fs::create_dir_all(root.join(path)).unwrap(),
        Edit::Link(at, to) => {
            #[cfg(unix)]
            std::os::unix::fs::symlink(to, root.join(at)).unwrap();
            #[cfg(not(unix))]
            let _ = (at, to);
        }
        Edit::Generated(file, f) => std::fs::write(root.join(file), f()).unwrap(),
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
    let all: Vec<Case> = cases().into_iter().chain(more_cases()).collect();
    assert!(all.len() >= 40, "{} broken sites", all.len());
    for case in all {
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

fn billion_laughs() -> String {
    let mut y =
        String::from("a: &a [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n");
    let mut prev = "a".to_string();
    for i in 0..9 {
        let refs = vec![format!("*{prev}"); 9].join(", ");
        y.push_str(&format!("l{i}: &l{i} [{refs}]\n"));
        prev = format!("l{i}");
    }
    y.push_str("title: x\n");
    y
}

fn deep_nesting() -> String {
    format!("title: x\nlanguage: {}{}\n", "[".repeat(50_000), "]".repeat(50_000))
}

/// The second half of the corpus: resource limits, file-system oddities, and
/// the remaining keys and references.
fn more_cases() -> Vec<Case> {
    use Edit::*;
    let c = |name, edit, file, line, col, message| Case { name, edit, file, line, col, message };
    vec![
        c(
            "yaml syntax in a nested mapping",
            Replace(CUR, "  P: {label: Präsenz, mode: presence}", "  P: {label: Präsenz, mode: presence"),
            CUR,
            Some(11),
            None,
            "",
        ),
        c("amount is text", Replace(M1, "amount: 8, unit: UE", "amount: acht, unit: UE"), M1, Some(9), None, ""),
        c("units is a list", Replace(CUR, "units:\n  UE: 45\n  Tag: 360", "units: [UE, Tag]"), CUR, Some(7), None, ""),
        c(
            "competencies is text",
            Replace(
                "content/alpha/modules/m2.md",
                "competencies:\n  wissen: [Dokumentation]",
                "competencies: Dokumentation",
            ),
            "content/alpha/modules/m2.md",
            Some(4),
            None,
            "",
        ),
        c(
            "unknown key in glossary",
            Replace("content/glossary.yaml", "    aliases: [Case Finding]", "    alias: [Case Finding]"),
            "content/glossary.yaml",
            Some(4),
            Some(5),
            "unknown field `alias`",
        ),
        c(
            "unknown key in work package",
            Replace(M1, "  group: LG", "  gruppe: LG"),
            M1,
            Some(25),
            Some(3),
            "unknown field `gruppe`",
        ),
        c(
            "unknown key in declared",
            Replace(CUR, "  by_format: {LG: 4}", "  by_formats: {LG: 4}"),
            CUR,
            Some(24),
            Some(3),
            "unknown field `by_formats`",
        ),
        c(
            "unknown key in a pair",
            Replace(CMP, "note: Beta fasst zusammen", "notiz: Beta fasst zusammen"),
            CMP,
            Some(5),
            None,
            "unknown field `notiz`",
        ),
        c(
            "unknown key in a field",
            Replace(CUR, "    level: Fallebene", "    ebene: Fallebene"),
            CUR,
            Some(21),
            Some(5),
            "unknown field `ebene`",
        ),
        c(
            "unknown key in a page",
            Replace("content/alpha/pages/intro.md", "weight: 10", "gewicht: 10"),
            "content/alpha/pages/intro.md",
            Some(3),
            Some(1),
            "unknown field `gewicht`",
        ),
        c(
            "missing curriculum title",
            Replace("content/beta/curriculum.yaml", "title: Beta\n", ""),
            "content/beta/curriculum.yaml",
            None,
            None,
            "missing field `title`",
        ),
        c("missing comparison side", Replace(CMP, "left: alpha\n", ""), CMP, None, None, "missing field `left`"),
        c(
            "unknown curriculum in order",
            Replace("site.yaml", "order: [beta, alpha]", "order: [beta, alfa]"),
            "site.yaml",
            Some(4),
            Some(15),
            "unknown curriculum `alfa`",
        ),
        c(
            "unknown kind of a format",
            Replace(CUR, "kind: transfer}", "kind: transfr}"),
            CUR,
            Some(13),
            None,
            "unknown kind `transfr`",
        ),
        c(
            "unknown curriculum a rule applies to",
            Replace(RULES, "unit: {name: UE, minutes: 45}", "unit: {name: UE, minutes: 45}\napplies_to: [gamma]"),
            RULES,
            Some(5),
            Some(14),
            "unknown curriculum `gamma`",
        ),
        c(
            "bad curriculum folder name",
            Write("content/Gamma_1/curriculum.yaml", b"title: x\n"),
            "content/Gamma_1",
            None,
            None,
            "`Gamma_1` is not a valid curriculum id",
        ),
        c(
            "bad comparison file name",
            Write("content/comparisons/A_B.yaml", b"title: x\nleft: alpha\nright: beta\n"),
            "content/comparisons/A_B.yaml",
            None,
            None,
            "is not a valid comparison id",
        ),
        c(
            "bad phase id",
            Replace("content/glossary.yaml", "  - id: intake", "  - id: Intake"),
            "content/glossary.yaml",
            Some(2),
            Some(9),
            "`Intake` is not a valid phase id",
        ),
        c(
            "duplicate field id",
            Replace(
                CUR,
                "    level: Fallebene",
                "    level: Fallebene\n  - id: hf1\n    label: HF 1b\n    title: Doppelt",
            ),
            CUR,
            None,
            None,
            "field id `hf1` is defined more than once",
        ),
        c(
            "reserved curriculum id",
            Write("content/compare/curriculum.yaml", b"title: x\n"),
            "content/compare",
            None,
            None,
            "`compare` is reserved",
        ),
        // Its competency page would be a dimension's, or a letter's of the split lists.
        c(
            "curriculum id of a dimension",
            Write("content/wissen/curriculum.yaml", b"title: x\n"),
            "content/wissen",
            None,
            None,
            "`wissen` is reserved",
        ),
        c(
            "curriculum id of a letter",
            Write("content/buchstabe-k/curriculum.yaml", b"title: x\n"),
            "content/buchstabe-k",
            None,
            None,
            "`buchstabe-k` is reserved",
        ),
        c(
            "empty module file",
            Write("content/alpha/modules/m3.md", b""),
            "content/alpha/modules/m3.md",
            Some(1),
            Some(1),
            "missing front matter",
        ),
        c(
            "binary module file",
            Write("content/alpha/modules/m3.md", b"\x00\x01\x02\xff\xfe\x00"),
            "content/alpha/modules/m3.md",
            Some(1),
            None,
            "not valid UTF-8",
        ),
        c(
            "folder where a module file is expected",
            Dir("content/alpha/modules/m3.md"),
            "content/alpha/modules/m3.md",
            None,
            None,
            "a folder where a module file is expected",
        ),
        c(
            "a 50 MB file",
            Big("content/alpha/modules/m3.md", 50 * 1024 * 1024),
            "content/alpha/modules/m3.md",
            None,
            None,
            "the limit is",
        ),
        c("billion laughs", Generated("site.yaml", billion_laughs), "site.yaml", None, None, ""),
        c("deep nesting", Generated("site.yaml", deep_nesting), "site.yaml", None, None, ""),
        c("symlink loop", Link("content/loop", "."), "content/loop", None, None, "symbolic link"),
        c(
            "symlink out of the root",
            Link("content/alpha/modules/m3.md", "/etc/hostname"),
            "content/alpha/modules/m3.md",
            None,
            None,
            "symbolic link",
        ),
    ]
}

/// The real binary on every broken site: exit code 1 (not a crash, not a
/// hang), the file named in its JSON output.
#[test]
fn the_cli_fails_cleanly_and_quickly_on_every_broken_site() {
    for case in cases().into_iter().chain(more_cases()) {
        let (tmp, root) = common::scratch("valid");
        apply(&root, &case.edit);
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_curricula"))
            .args(["check", "--format", "json", "--root", root.to_str().unwrap()])
            .current_dir(tmp.path())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        let status = loop {
            if let Some(s) = child.try_wait().unwrap() {
                break s;
            }
            if std::time::Instant::now() > deadline {
                let _ = child.kill();
                panic!("{}: no answer within 30 s", case.name);
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        };
        assert_eq!(status.code(), Some(1), "{}: exit code", case.name);
        let mut out = String::new();
        std::io::Read::read_to_string(child.stdout.as_mut().unwrap(), &mut out).unwrap();
        let v: serde_json::Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{}: {e}", case.name));
        assert!(
            v["diagnostics"].as_array().unwrap().iter().any(|d| d["file"] == case.file && d["severity"] == "error"),
            "{}: {out}",
            case.name
        );
    }
}
