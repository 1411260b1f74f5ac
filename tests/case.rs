//! The CASE 1.1 packages of the bundled content are valid, complete and link up.

use curricula::case::{comparison_package, curriculum_package, validate_package};
use curricula::compare::compare;
use curricula::model::Site;
use serde_json::Value;
use std::collections::HashSet;

fn site() -> Site {
    curricula::load::load_site(std::path::Path::new(env!("CARGO_MANIFEST_DIR"))).site
}

fn items(p: &Value) -> &[Value] {
    p["CFItems"].as_array().expect("CFItems")
}

fn count(p: &Value, kinds: &[&str]) -> usize {
    items(p).iter().filter(|i| kinds.iter().any(|k| i["CFItemType"] == *k)).count()
}

#[test]
fn curriculum_packages_are_valid() {
    let site = site();
    assert!(!site.curricula.is_empty());
    for c in &site.curricula {
        let p = curriculum_package(&site, c);
        assert_eq!(validate_package(&p), Vec::<String>::new(), "{}", c.id);
        assert_eq!(p, curriculum_package(&site, c), "{} is deterministic", c.id);
        // Every item has a parent, and every module is a child of the document.
        assert_eq!(p["CFAssociations"].as_array().unwrap().len(), items(&p).len());
    }
}

#[test]
fn kit_package_has_every_module_and_competency() {
    let site = site();
    let kit = site.curriculum("kit").expect("kit");
    let p = curriculum_package(&site, kit);
    assert!(p["CFDocument"].is_object(), "one document");
    assert_eq!(p["CFDocument"]["title"], kit.title.as_str());
    assert_eq!(count(&p, &["Module"]), 9);
    let dimensions = ["Wissen", "Fertigkeiten", "Sozialkompetenz", "Selbstständigkeit"];
    assert_eq!(count(&p, &dimensions), 218);
    let methods: usize = kit.modules.iter().map(|m| m.methods.len()).sum();
    assert_eq!(count(&p, &["Lernmethode"]), methods);
    assert_eq!(items(&p).len(), 9 + 218 + methods);
}

#[test]
fn comparison_packages_are_valid_and_link_to_curriculum_items() {
    let site = site();
    assert!(!site.comparisons.is_empty());
    for cmp in &site.comparisons {
        let r = compare(&site, cmp).expect("both curricula exist");
        let p = comparison_package(&site, &r);
        assert_eq!(validate_package(&p), Vec::<String>::new(), "{}", cmp.id);
        assert_eq!(p, comparison_package(&site, &r), "{} is deterministic", cmp.id);

        let ids = |id: &str| -> HashSet<String> {
            let c = site.curriculum(id).unwrap();
            items(&curriculum_package(&site, c)).iter().map(|i| i["identifier"].as_str().unwrap().to_string()).collect()
        };
        let (left, right) = (ids(&r.left), ids(&r.right));
        let assocs = p["CFAssociations"].as_array().unwrap();
        assert!(!assocs.is_empty(), "{} has matches", cmp.id);
        for a in assocs {
            let end = |k: &str| a[k]["identifier"].as_str().unwrap().to_string();
            assert!(right.contains(&end("originNodeURI")), "{a}");
            assert!(left.contains(&end("destinationNodeURI")), "{a}");
        }
        let kinds: HashSet<&str> = assocs.iter().map(|a| a["associationType"].as_str().unwrap()).collect();
        assert!(kinds.contains("exactMatchOf"), "{kinds:?}");
    }
}
