//! The command line as a user meets it: exit codes, messages, help.

mod common;

#[test]
fn check_and_build_exit_codes() {
    let (tmp, root) = common::scratch("valid");
    let r = root.to_str().unwrap();
    let (code, _, err) = common::run(&["check", "--root", r], tmp.path());
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = common::run(&["build", "--root", r], tmp.path());
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("built 28 pages"), "{err}");
    assert!(root.join("public/index.html").is_file());

    std::fs::write(root.join("content/alpha/modules/m2.md"), "---\nnumber: 2\ntitel: x\n---\n").unwrap();
    let (code, _, err) = common::run(&["check", "--root", r], tmp.path());
    assert_eq!(code, 1);
    assert!(err.contains("error: unknown field `titel`"), "{err}");
    assert!(err.contains("--> content/alpha/modules/m2.md:3:1"), "{err}");
    assert!(err.contains("3 | titel: x"), "{err}");
    assert!(err.contains("hint: did you mean `title`?"), "{err}");
    assert!(!err.contains("\x1b["), "no colour when piped / NO_COLOR");
    let (code, _, _) = common::run(&["build", "--root", r], tmp.path());
    assert_eq!(code, 1);
}

#[test]
fn usage_and_io_errors_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, _, _) = common::run(&["frobnicate"], tmp.path());
    assert_eq!(code, 2);
    let (code, _, err) = common::run(&["build", "--root", ".", "--output", "."], tmp.path());
    assert_eq!(code, 2, "{err}");
    let (code, out, _) = common::run(&["--version"], tmp.path());
    assert_eq!(code, 0);
    assert!(out.starts_with("curricula "));
    let (code, out, _) = common::run(&["--help"], tmp.path());
    assert_eq!(code, 0);
    for cmd in ["build", "check", "serve"] {
        assert!(out.contains(cmd));
    }
}

#[test]
fn missing_site_is_a_content_error_not_a_crash() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, _, err) = common::run(&["check"], tmp.path());
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("site.yaml is missing"));
}

#[test]
fn check_formats_and_deny_warnings() {
    let (tmp, root) = common::scratch("valid");
    let r = root.to_str().unwrap();
    let m1 = root.join("content/alpha/modules/m1.md");
    let text = std::fs::read_to_string(&m1)
        .unwrap()
        .replace("    - Selbstreflexion\n", "    - Selbstreflexion\n    - Selbstreflexion\n");
    std::fs::write(&m1, text).unwrap();
    let (code, out, _) = common::run(&["check", "--root", r, "--format", "json"], tmp.path());
    assert_eq!(code, 0, "warnings alone pass");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["schema"], "curricula/diagnostics@1");
    assert_eq!(v["warnings"], 1);
    assert_eq!(v["diagnostics"][0]["file"], "content/alpha/modules/m1.md");
    let (code, out, _) = common::run(&["check", "--root", r, "--format", "github", "--deny-warnings"], tmp.path());
    assert_eq!(code, 1, "--deny-warnings fails on warnings");
    assert!(out.starts_with("::warning file=content/alpha/modules/m1.md,line="), "{out}");
}

#[test]
fn init_and_new_create_sites_that_pass_check() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, _, err) = common::run(&["init", "seite"], tmp.path());
    assert_eq!(code, 0, "{err}");
    let site = tmp.path().join("seite");
    let (code, _, err) =
        common::run(&["new", "module", "beispiel", "m2", "--root", site.to_str().unwrap()], tmp.path());
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = common::run(&["new", "curriculum", "zweites", "--root", site.to_str().unwrap()], tmp.path());
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = common::run(&["check", "--root", site.to_str().unwrap(), "--deny-warnings"], tmp.path());
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = common::run(&["init", "seite"], tmp.path());
    assert_eq!(code, 2, "refuses a non-empty folder");
    assert!(err.contains("not empty"));
}
