//! Property tests: whatever an author types, loading and rendering never panic.
//! (For longer runs, see fuzz/README.md.)

mod common;

use proptest::prelude::*;

/// Strings that look a bit like module files, so the parser gets deep.
fn module_like() -> impl Strategy<Value = String> {
    let pieces = prop::collection::vec(
        prop_oneof![
            Just("---\n".to_string()),
            Just("number: 1\n".to_string()),
            Just("title: x\n".to_string()),
            Just("competencies:\n  wissen:\n".to_string()),
            Just("    - ".to_string()),
            Just("workload:\n  - {format: P, amount: ".to_string()),
            Just("## Kompetenzbeschreibung\n".to_string()),
            Just("&a [*a]\n".to_string()),
            Just("[^1]: <script>\n".to_string()),
            "[ -~äöü\n\t{}\\[\\]:*#&!|>-]{0,40}",
        ],
        0..24,
    );
    pieces.prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_as_a_module_never_panics(text in module_like()) {
        let _ = curricula::load::parse_module("content/x/modules/m1.md", "m1", &text);
    }

    #[test]
    fn arbitrary_bytes_as_a_module_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let text = String::from_utf8_lossy(&bytes);
        let _ = curricula::load::parse_module("content/x/modules/m1.md", "m1", &text);
    }

    #[test]
    fn arbitrary_markdown_renders(md in "[ -~äöü\n\t]{0,300}") {
        let opts = curricula::markdown::RenderOptions {
            glossary: Some(std::sync::Arc::new(curricula::markdown::Terms::new(vec![
                ("DQR".into(), "g#dqr".into()),
                ("DQR-Stufe".into(), "g#stufe".into()),
                ("ü".into(), "g#u".into()),
            ]))),
            ..Default::default()
        };
        let r = curricula::markdown::render(&md, &opts);
        prop_assert!(!r.html.contains("<script"));
        let _ = curricula::markdown::split_sections(&md, 1);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Through the real loader, checker and renderer, from disk.
    #[test]
    fn arbitrary_bytes_in_a_site_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let (_tmp, root) = common::scratch("valid");
        std::fs::write(root.join("content/alpha/modules/m2.md"), &bytes).unwrap();
        let _ = curricula::build::check(&root);
    }
}
