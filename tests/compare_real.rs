//! The comparison of the bundled KiT and ErwU content gets the real cases right.

mod common;

use curricula::compare::features::Features;
use curricula::compare::items::{Entry, match_entries};
use curricula::compare::{ComparisonResult, Relation, Row, compare};

fn result() -> ComparisonResult {
    let loaded = curricula::load::load_site(&common::repo_root());
    let cmp = loaded.site.comparisons.iter().find(|c| c.id == "kit-erwu").expect("kit-erwu comparison");
    compare(&loaded.site, cmp).expect("both curricula exist")
}

fn rows(r: &ComparisonResult) -> Vec<&Row> {
    r.pairs.iter().flat_map(|p| p.tables.iter().flat_map(|t| t.rows.iter())).collect()
}

fn find<'a>(r: &'a ComparisonResult, left: Option<&str>, right: Option<&str>) -> &'a Row {
    rows(r)
        .into_iter()
        .find(|row| {
            left.is_none_or(|l| row.left.as_ref().is_some_and(|s| s.text == l))
                && right.is_none_or(|x| row.right.as_ref().is_some_and(|s| s.text == x))
        })
        .unwrap_or_else(|| panic!("no row {left:?} | {right:?}"))
}

#[test]
fn named_cases() {
    let r = result();
    let row = find(
        &r,
        Some("Anpassung der Zielvereinbarung und des Reha-/Teilhabeplans"),
        Some("Anpassung der Zielvereinbarung und des Hilfeplans"),
    );
    assert_eq!(row.relation, Relation::Equivalent);
    let row = find(&r, Some("Übung/Simulation"), Some("Übung / Simulation"));
    assert_eq!(row.relation, Relation::Identical);
    // KiT M4 "Rollenspiele" and KiT M7 "Rollenspiel" compete for ErwU M3's
    // "Rollenspiele": the identical one wins, the other is dropped.
    let pair = r.pairs.iter().find(|p| p.right == ["m3"]).unwrap();
    let methods = pair.tables.iter().find(|t| t.group == "methods").unwrap();
    let kept = methods.rows.iter().find(|x| x.right.as_ref().is_some_and(|s| s.text == "Rollenspiele")).unwrap();
    assert_eq!((kept.relation, kept.left.as_ref().unwrap().module.as_str()), (Relation::Identical, "m4"));
    // On its own, the pair of texts is "similar", with a diff.
    let syn = curricula::compare::normalize::Synonyms::default();
    let (a, b) = (Features::new("Rollenspiel", &syn), Features::new("Rollenspiele", &syn));
    let rows = match_entries(
        &[Entry { text: "Rollenspiel", group: "methods", features: &a }],
        &[Entry { text: "Rollenspiele", group: "methods", features: &b }],
        &[],
        r.threshold,
    );
    assert_eq!(rows[0].relation, Relation::Similar);
    let row = find(&r, None, Some("Interkulturelle Kompetenz für die Arbeit in diversen Netzwerken"));
    assert_eq!(row.relation, Relation::OnlyRight);
    assert_eq!(row.right.as_ref().unwrap().module, "m4");
}

#[test]
fn erwu_m3_berufliche_handlung_draws_on_kit_m4_and_m7() {
    let r = result();
    let pair = r.pairs.iter().find(|p| p.right == ["m3"]).unwrap();
    let m3 = pair.prose.iter().find(|p| p.module == "m3").unwrap();
    let sources: std::collections::BTreeSet<&str> = m3
        .sentences
        .iter()
        .filter(|s| s.section == "berufliche_handlung")
        .filter_map(|s| s.source.as_ref().map(|x| x.module.as_str()))
        .collect();
    assert!(sources.contains("m4") && sources.contains("m7"), "{sources:?}");
    assert!(m3.reuse_share > 0.3, "{}", m3.reuse_share);
}

#[test]
fn every_item_appears_exactly_once_per_side() {
    let r = result();
    for p in &r.pairs {
        let mut seen_l = std::collections::HashSet::new();
        let mut seen_r = std::collections::HashSet::new();
        for t in &p.tables {
            for row in &t.rows {
                if let Some(l) = &row.left {
                    assert!(seen_l.insert((l.module.clone(), l.group, l.position)), "left twice: {l:?}");
                }
                if let Some(x) = &row.right {
                    assert!(seen_r.insert((x.module.clone(), x.group, x.position)), "right twice: {x:?}");
                }
            }
        }
    }
}

#[test]
fn declared_pairs_are_mostly_each_others_best_match() {
    let r = result();
    let weak: Vec<_> = r.flags.iter().filter(|f| f.kind == "weaker_than_other").collect();
    assert!(weak.len() <= 4, "{weak:#?}");
    assert!(!r.flags.iter().any(|f| f.kind.starts_with("unpaired")), "{:#?}", r.flags);
}

/// The pages outside a comparison are made from its outline while the
/// comparison is computed elsewhere: both must name the same pairs.
#[test]
fn outline_names_the_pairs_of_the_computed_comparison() {
    let mut site = curricula::load::load_site(&common::repo_root()).site;
    let cmp = site.comparisons.iter_mut().find(|c| c.id == "kit-erwu").expect("kit-erwu comparison");
    // An unknown module (reported by `check`) is left out of both alike.
    cmp.pairs[0].left.push(curricula::model::At::bare("m99".to_string()));
    let cmp = cmp.clone();
    site.comparisons.retain(|c| c.id == cmp.id);
    let outline = curricula::compare::outlines(&site).pop().expect("both curricula exist");
    let result = compare(&site, &cmp).expect("both curricula exist");
    assert_eq!(
        (&outline.id, &outline.title, &outline.left, &outline.right),
        (&result.id, &result.title, &result.left, &result.right)
    );
    let named: Vec<(&str, &[String], &[String])> =
        outline.pairs.iter().map(|p| (p.slug.as_str(), &p.left[..], &p.right[..])).collect();
    let computed: Vec<(&str, &[String], &[String])> =
        result.pairs.iter().map(|p| (p.slug.as_str(), &p.left[..], &p.right[..])).collect();
    assert_eq!(named, computed);
    assert!(!outline.pairs[0].slug.contains("m99"), "{}", outline.pairs[0].slug);
    assert_eq!(outline.pairs.len(), cmp.pairs.len());
}
