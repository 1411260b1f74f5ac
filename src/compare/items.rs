//! Item matching within a module pair: every item is matched at most once, by
//! a greedy best-first assignment.
//!
//! All candidate pairs are ranked by relation (identical > equivalent >
//! similar), then score, then whether the dimension stays the same, then
//! source order; walking that list, a pair is taken when both items are still
//! free. Greedy is not optimal in total score, but it is deterministic,
//! explainable ("the best remaining match") and never trades a perfect match
//! for two mediocre ones. Manual decisions are applied first and always win.

use super::diff::{Span, word_diff};
use super::features::Features;
use serde::Serialize;

/// How a row of a comparison table relates its two sides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    Identical,
    Equivalent,
    Similar,
    Related,
    Different,
    OnlyLeft,
    OnlyRight,
}

impl Relation {
    pub fn key(self) -> &'static str {
        match self {
            Relation::Identical => "identical",
            Relation::Equivalent => "equivalent",
            Relation::Similar => "similar",
            Relation::Related => "related",
            Relation::Different => "different",
            Relation::OnlyLeft => "only_left",
            Relation::OnlyRight => "only_right",
        }
    }

    /// Whether the right side kept the left item (possibly reworded).
    pub fn is_match(self) -> bool {
        matches!(self, Relation::Identical | Relation::Equivalent | Relation::Similar | Relation::Related)
    }
}

/// An item taking part in matching.
#[derive(Debug, Clone)]
pub struct Entry<'a> {
    pub text: &'a str,
    /// Dimension key (`wissen` …) or `methods`.
    pub group: &'static str,
    pub features: &'a Features,
}

/// A manual decision between left item `l` and right item `r`.
#[derive(Debug, Clone, Copy)]
pub struct Decision {
    pub l: usize,
    pub r: usize,
    pub relation: Relation,
}

/// A matched or unmatched row, by indices into the two entry lists.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RowIdx {
    pub relation: Relation,
    pub score: f64,
    pub left: Option<usize>,
    pub right: Option<usize>,
    pub manual: bool,
}

/// Matches `left` against `right`; `threshold` is the least score of a "similar" row.
pub fn match_entries(left: &[Entry], right: &[Entry], decisions: &[Decision], threshold: f64) -> Vec<RowIdx> {
    let mut used_l = vec![false; left.len()];
    let mut used_r = vec![false; right.len()];
    let mut rows = Vec::new();
    let mut forbidden = std::collections::HashSet::new();
    for d in decisions {
        if d.relation == Relation::Different {
            forbidden.insert((d.l, d.r));
            continue;
        }
        if d.l < left.len() && d.r < right.len() && !used_l[d.l] && !used_r[d.r] {
            used_l[d.l] = true;
            used_r[d.r] = true;
            let score = left[d.l].features.score(right[d.r].features);
            rows.push(RowIdx { relation: d.relation, score, left: Some(d.l), right: Some(d.r), manual: true });
        }
    }
    let mut candidates: Vec<(Relation, f64, bool, usize, usize)> = Vec::new();
    for (i, l) in left.iter().enumerate().filter(|(i, _)| !used_l[*i]) {
        for (j, r) in right.iter().enumerate().filter(|(j, _)| !used_r[*j]) {
            if forbidden.contains(&(i, j)) {
                continue;
            }
            let (lf, rf) = (l.features, r.features);
            let (relation, score) = if lf.same_norm(rf) {
                (Relation::Identical, lf.score(rf))
            } else if lf.same_key(rf) {
                (Relation::Equivalent, lf.score(rf))
            } else if lf.may_match(rf)
                && let Some(score) = lf.score_at_least(rf, threshold)
            {
                (Relation::Similar, score)
            } else {
                continue;
            };
            candidates.push((relation, score, l.group != r.group, i, j));
        }
    }
    candidates.sort_by(|a, b| {
        a.0.cmp(&b.0)
            .then_with(|| b.1.total_cmp(&a.1))
            .then_with(|| a.2.cmp(&b.2))
            .then_with(|| (a.3, a.4).cmp(&(b.3, b.4)))
    });
    for (relation, score, _, i, j) in candidates {
        if !used_l[i] && !used_r[j] {
            used_l[i] = true;
            used_r[j] = true;
            rows.push(RowIdx { relation, score, left: Some(i), right: Some(j), manual: false });
        }
    }
    rows.extend((0..right.len()).filter(|j| !used_r[*j]).map(|j| RowIdx {
        relation: Relation::OnlyRight,
        score: 0.0,
        left: None,
        right: Some(j),
        manual: false,
    }));
    rows.extend((0..left.len()).filter(|i| !used_l[*i]).map(|i| RowIdx {
        relation: Relation::OnlyLeft,
        score: 0.0,
        left: Some(i),
        right: None,
        manual: false,
    }));
    // Rows in the right curriculum's order; what it dropped follows in left order.
    rows.sort_by_key(|r| (r.right.is_none(), r.right.unwrap_or(0), r.left.unwrap_or(0)));
    rows
}

/// The word diff of a matched row, when the texts differ.
pub fn row_diff(left: &str, right: &str, relation: Relation) -> Option<Vec<Span>> {
    shows_diff(left, right, relation).then(|| word_diff(left, right))
}

/// Whether a row of `relation` between `left` and `right` shows their word diff.
pub fn shows_diff(left: &str, right: &str, relation: Relation) -> bool {
    relation.is_match() && relation != Relation::Identical || (relation == Relation::Identical && left != right)
}

#[cfg(test)]
mod tests {
    use super::super::normalize::Synonyms;
    use super::*;

    fn feats(texts: &[&str], syn: &Synonyms) -> Vec<Features> {
        texts.iter().map(|t| Features::new(t, syn)).collect()
    }

    fn entries<'a>(texts: &'a [&'a str], f: &'a [Features], group: &'static str) -> Vec<Entry<'a>> {
        texts.iter().zip(f).map(|(t, f)| Entry { text: t, group, features: f }).collect()
    }

    fn relation_of(rows: &[RowIdx], l: usize) -> Relation {
        rows.iter().find(|r| r.left == Some(l)).unwrap().relation
    }

    #[test]
    fn each_relation_is_found() {
        let syn = Synonyms::new(&[vec!["Reha-/Teilhabeplan".into(), "Hilfeplan".into()]]);
        let l = ["Übung/Simulation", "Anpassung des Reha-/Teilhabeplans", "Rollenspiel", "Vortrag"];
        let r = ["Übung / Simulation", "Anpassung des Hilfeplans", "Rollenspiele", "Interkulturelle Kompetenz"];
        let (lf, rf) = (feats(&l, &syn), feats(&r, &syn));
        let rows = match_entries(&entries(&l, &lf, "methods"), &entries(&r, &rf, "methods"), &[], 0.75);
        assert_eq!(relation_of(&rows, 0), Relation::Identical);
        assert_eq!(relation_of(&rows, 1), Relation::Equivalent);
        assert_eq!(relation_of(&rows, 2), Relation::Similar);
        assert_eq!(relation_of(&rows, 3), Relation::OnlyLeft);
        assert!(rows.iter().any(|x| x.relation == Relation::OnlyRight && x.right == Some(3)));
        assert_eq!(rows.len(), 5);
    }

    #[test]
    fn each_item_is_matched_once_and_best_first() {
        let syn = Synonyms::default();
        let l = ["Empathie", "Empathie"];
        let r = ["Empathie"];
        let (lf, rf) = (feats(&l, &syn), feats(&r, &syn));
        let rows = match_entries(&entries(&l, &lf, "x"), &entries(&r, &rf, "x"), &[], 0.75);
        assert_eq!(rows.iter().filter(|x| x.relation == Relation::Identical).count(), 1);
        assert_eq!(rows.iter().filter(|x| x.relation == Relation::OnlyLeft).count(), 1);
        assert_eq!(rows[0].left, Some(0), "ties go to source order");
    }

    #[test]
    fn same_dimension_wins_ties_and_changes_are_visible() {
        let syn = Synonyms::default();
        let f1 = feats(&["Flexibilität"], &syn);
        let f2 = feats(&["Flexibilität"], &syn);
        let f3 = feats(&["Flexibilität"], &syn);
        let l = vec![Entry { text: "Flexibilität", group: "wissen", features: &f1[0] }];
        let r = vec![
            Entry { text: "Flexibilität", group: "sozialkompetenz", features: &f2[0] },
            Entry { text: "Flexibilität", group: "wissen", features: &f3[0] },
        ];
        let rows = match_entries(&l, &r, &[], 0.75);
        let m = rows.iter().find(|x| x.left == Some(0)).unwrap();
        assert_eq!(m.right, Some(1));
    }

    #[test]
    fn manual_decisions_win() {
        let syn = Synonyms::default();
        let l = ["Dokumentation", "Gesprächsführung"];
        let r = ["Dokumentation", "Kommunikation"];
        let (lf, rf) = (feats(&l, &syn), feats(&r, &syn));
        let decisions = [
            Decision { l: 0, r: 0, relation: Relation::Different },
            Decision { l: 1, r: 1, relation: Relation::Related },
        ];
        let rows = match_entries(&entries(&l, &lf, "x"), &entries(&r, &rf, "x"), &decisions, 0.75);
        assert_eq!(relation_of(&rows, 0), Relation::OnlyLeft);
        let related = rows.iter().find(|x| x.left == Some(1)).unwrap();
        assert_eq!((related.relation, related.manual), (Relation::Related, true));
    }
}
