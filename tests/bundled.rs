//! The bundled content (KiT and ErwU) is complete: it builds without errors, has
//! exactly the item counts of the sources, and its modules add up to the
//! figures the sources declare.

mod common;

use curricula::diag::Severity;
use curricula::model::ledger::ledger;
use curricula::model::{Dimension, Site};

fn site() -> Site {
    let loaded = curricula::load::load_site(&common::repo_root());
    let errors: Vec<String> = loaded
        .diags
        .sorted()
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| format!("{}: {}", d.location(), d.message))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    loaded.site
}

fn counts(site: &Site, id: &str) -> Vec<[usize; 4]> {
    let c = site.curriculum(id).unwrap();
    c.modules.iter().map(|m| Dimension::ALL.map(|d| m.competencies.get(d).len())).collect()
}

#[test]
fn kit_has_exactly_the_source_item_counts() {
    let s = site();
    let expected = vec![
        [10, 4, 6, 4],
        [6, 7, 6, 5],
        [6, 8, 11, 9],
        [7, 10, 7, 6],
        [4, 6, 6, 4],
        [5, 10, 6, 5],
        [4, 7, 5, 5],
        [6, 4, 4, 2],
        [6, 7, 7, 3],
    ];
    assert_eq!(counts(&s, "kit"), expected);
    let total: usize = expected.iter().flatten().sum();
    assert_eq!(total, 218);
}

#[test]
fn erwu_has_exactly_the_source_item_counts() {
    let s = site();
    let expected =
        vec![[12, 4, 8, 5], [12, 15, 11, 12], [10, 16, 9, 11], [5, 6, 8, 6], [4, 7, 6, 5], [12, 6, 9, 6], [6, 7, 8, 3]];
    assert_eq!(counts(&s, "erwu"), expected);
    assert_eq!(expected.iter().flatten().sum::<usize>(), 229);
}

#[test]
fn erwu_workload_adds_up_to_its_table() {
    let s = site();
    let l = ledger(s.curriculum("erwu").unwrap());
    let ue = |m: f64| l.in_unit(m);
    assert_eq!(l.unit, "UE");
    assert_eq!(ue(l.total.total), 210.0);
    assert_eq!(ue(l.total.by_kind["basis"]), 96.0);
    assert_eq!(ue(l.total.by_kind["anwendung"]), 48.0);
    assert_eq!(ue(l.total.by_format["LG"]), 42.0);
    assert_eq!(ue(l.total.by_format["SV"]), 24.0);
    assert_eq!((ue(l.total.presence.min), ue(l.total.presence.max)), (104.0, 152.0));
    assert_eq!((ue(l.total.online.min), ue(l.total.online.max)), (58.0, 106.0));
    assert_eq!(l.total.total / 60.0, 157.5);
}

#[test]
fn kit_workload_is_27_days_of_216_hours() {
    let s = site();
    let l = ledger(s.curriculum("kit").unwrap());
    assert_eq!(l.unit, "Tag");
    assert_eq!(l.in_unit(l.total.total), 27.0);
    assert_eq!(l.total.total / 60.0, 216.0);
}

#[test]
fn kit_fields_have_their_levels_and_modules() {
    let s = site();
    let kit = s.curriculum("kit").unwrap();
    let levels: Vec<&str> = kit.fields.iter().map(|f| f.level.as_deref().unwrap()).collect();
    assert_eq!(levels, [vec!["Fallebene"; 6], vec!["Systemebene"], vec!["Netzwerkebene"; 3]].concat());
    for f in &kit.fields {
        assert!(kit.modules.iter().any(|m| m.fields.iter().any(|x| x.value == f.id)), "{} has no module", f.id);
    }
}

#[test]
fn check_reports_no_errors_and_no_declared_mismatch() {
    let diags = curricula::build::check(&common::repo_root());
    assert!(diags.iter().all(|d| d.severity == Severity::Warning), "{diags:#?}");
    assert!(!diags.iter().any(|d| d.message.starts_with("declared")), "{diags:#?}");
    // The sources' own duplicates are kept and reported.
    assert!(diags.iter().any(|d| d.message.contains("appears more than once")));
}

#[test]
fn every_module_has_both_known_sections_and_a_topic_or_body() {
    let s = site();
    for c in &s.curricula {
        for m in &c.modules {
            for k in [
                curricula::model::KnownSection::Kompetenzbeschreibung,
                curricula::model::KnownSection::BeruflicheHandlung,
            ] {
                let sec = m.section(k).unwrap_or_else(|| panic!("{} lacks {k:?}", m.file));
                assert!(!sec.markdown.trim().is_empty(), "{} has an empty {k:?}", m.file);
            }
            assert!(!m.methods.is_empty(), "{} has no methods", m.file);
        }
    }
}
