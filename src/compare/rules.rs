//! Rules as code: requirements on workload figures (from `content/rules/`)
//! evaluated for a curriculum.
//!
//! A requirement selects workload lines (by formats, excluded formats, kinds),
//! measures them (exact total, or the presence/online range) and compares with
//! `min`/`max`/`equals` in the rule's own unit. Where flexible lines ("P oder O")
//! decide the answer, the result is *conditional*, with how much of the flexible
//! workload would have to go which way.

use crate::model::ledger::minutes;
use crate::model::{Curriculum, Measure, Mode, Requirement, RuleSet};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Pass,
    Fail,
    Conditional,
}

/// A module's contribution to a figure, in the rule's unit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Contribution {
    pub module: String,
    pub min: f64,
    pub max: f64,
}

/// What a conditional result depends on: `need` of the `flexible` amount must
/// (for `min`; for `max` may at most, for `equals` must exactly) be delivered in
/// the measured mode.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Condition {
    pub bound: &'static str,
    pub need: f64,
    pub flexible: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleResult {
    pub rule: String,
    pub requirement: String,
    pub text: String,
    pub curriculum: String,
    pub outcome: Outcome,
    /// The measured figure in the rule's unit: certain minimum and possible maximum.
    pub min: f64,
    pub max: f64,
    pub unit: String,
    /// What the requirement asks, in words (`≥ 96`, `≤ 10`, `= 210`).
    pub expected: String,
    /// For a conditional result: what has to hold.
    pub conditions: Vec<Condition>,
    /// `total`, `presence` or `online`.
    pub measure: Measure,
    pub contributions: Vec<Contribution>,
}

fn selected(c: &Curriculum, m: &crate::model::Module, w: &crate::model::Workload, r: &Requirement) -> bool {
    let ids: Vec<&str> = w.formats.iter().map(|f| f.value.as_str()).collect();
    if !r.formats.is_empty() && !ids.iter().all(|f| r.formats.iter().any(|x| x.value == *f)) {
        return false;
    }
    if ids.iter().any(|f| r.exclude_formats.iter().any(|x| x.value == *f)) {
        return false;
    }
    if r.kinds.is_empty() {
        return true;
    }
    let format_kind =
        ids.first().and_then(|f| c.formats.get(*f)).and_then(|f| f.kind.as_ref()).map(|k| k.value.as_str());
    let kind = format_kind.or(m.kind.as_ref().map(|k| k.value.as_str()));
    kind.is_some_and(|k| r.kinds.iter().any(|x| x.value == k))
}

/// (certain, possible) minutes of one line for a measure.
fn measured(c: &Curriculum, w: &crate::model::Workload, measure: Measure, min: f64) -> (f64, f64) {
    let target = match measure {
        Measure::Total => return (min, min),
        Measure::Presence => Mode::Presence,
        Measure::Online => Mode::Online,
    };
    let modes: Vec<Mode> = w.formats.iter().map(|f| c.formats.get(&f.value).map_or(Mode::Either, |x| x.mode)).collect();
    let all = modes.iter().all(|m| *m == target);
    let any = modes.iter().any(|m| *m == target || *m == Mode::Either);
    (if all { min } else { 0.0 }, if any { min } else { 0.0 })
}

/// Evaluates one requirement for one curriculum.
pub fn evaluate(rules: &RuleSet, r: &Requirement, c: &Curriculum) -> RuleResult {
    let per = rules.unit_minutes;
    let mut contributions = Vec::new();
    let (mut lo, mut hi) = (0.0, 0.0);
    for m in &c.modules {
        let (mut mlo, mut mhi) = (0.0, 0.0);
        for w in m.workload.iter().filter(|w| selected(c, m, w, r)) {
            let Some(min) = minutes(c, w) else { continue };
            let (a, b) = measured(c, w, r.measure, min);
            mlo += a;
            mhi += b;
        }
        if mhi > 0.0 {
            contributions.push(Contribution { module: m.id.clone(), min: round(mlo / per), max: round(mhi / per) });
        }
        lo += mlo;
        hi += mhi;
    }
    let (lo, hi) = (round(lo / per), round(hi / per));
    let (outcome, conditions) = judge(r, lo, hi);
    let mut expected = Vec::new();
    if let Some(x) = r.min {
        expected.push(format!("≥ {}", crate::text::fmt_num(x)));
    }
    if let Some(x) = r.max {
        expected.push(format!("≤ {}", crate::text::fmt_num(x)));
    }
    if let Some(x) = r.equals {
        expected.push(format!("= {}", crate::text::fmt_num(x)));
    }
    RuleResult {
        rule: rules.id.clone(),
        requirement: r.id.clone(),
        text: r.text.clone(),
        curriculum: c.id.clone(),
        outcome,
        min: lo,
        max: hi,
        unit: rules.unit.clone(),
        expected: expected.join(", "),
        conditions,
        measure: r.measure,
        contributions,
    }
}

fn round(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Compares the measured range [lo, hi] with the requirement's bounds.
fn judge(r: &Requirement, lo: f64, hi: f64) -> (Outcome, Vec<Condition>) {
    let eps = 1e-9;
    let mut outcome = Outcome::Pass;
    let mut conditions = Vec::new();
    let checks = [
        ("min", r.min, lo + eps >= r.min.unwrap_or(0.0), hi + eps < r.min.unwrap_or(0.0)),
        ("max", r.max, hi <= r.max.unwrap_or(0.0) + eps, lo > r.max.unwrap_or(0.0) + eps),
        (
            "equals",
            r.equals,
            r.equals.is_some_and(|e| (lo - e).abs() < eps && (hi - e).abs() < eps),
            r.equals.is_some_and(|e| e + eps < lo || e > hi + eps),
        ),
    ];
    for (bound, value, holds, fails) in checks {
        let Some(v) = value else { continue };
        if holds {
            continue;
        }
        if fails {
            outcome = Outcome::Fail;
        } else {
            if outcome == Outcome::Pass {
                outcome = Outcome::Conditional;
            }
            conditions.push(Condition { bound, need: round(v - lo), flexible: round(hi - lo) });
        }
    }
    (outcome, conditions)
}

/// Evaluates every applicable requirement of every rule set for a curriculum.
pub fn evaluate_all(rules: &[RuleSet], c: &Curriculum) -> Vec<RuleResult> {
    rules
        .iter()
        .filter(|rs| rs.applies_to.is_empty() || rs.applies_to.iter().any(|a| a.value == c.id))
        .flat_map(|rs| rs.requirements.iter().map(move |r| evaluate(rs, r, c)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testutil::{curriculum, module, workload};
    use crate::model::{At, Format};

    fn rules(reqs: Vec<Requirement>) -> RuleSet {
        RuleSet {
            id: "dgcc".into(),
            file: "content/rules/dgcc.yaml".into(),
            title: "DGCC".into(),
            source: "s".into(),
            version: "1".into(),
            unit: "UE".into(),
            unit_minutes: 45.0,
            applies_to: vec![],
            requirements: reqs,
        }
    }

    fn req(measure: Measure, formats: &[&str], min: Option<f64>) -> Requirement {
        Requirement {
            id: "r".into(),
            text: "t".into(),
            measure,
            formats: formats.iter().map(|f| At::bare(f.to_string())).collect(),
            exclude_formats: vec![],
            kinds: vec![],
            min,
            max: None,
            equals: None,
            pos: None,
        }
    }

    fn erwu_like() -> Curriculum {
        let mut m1 = module("m1", 1);
        m1.workload = vec![
            workload(&["P"], 104.0, "UE"),
            workload(&["P", "O"], 24.0, "UE"),
            workload(&["SV"], 24.0, "UE"),
            workload(&["LG"], 42.0, "UE"),
            workload(&["O"], 16.0, "UE"),
        ];
        curriculum("erwu", vec![m1])
    }

    #[test]
    fn presence_at_least_132_is_conditional_on_28_flexible_ue() {
        let c = erwu_like();
        let rs = rules(vec![req(Measure::Presence, &[], Some(132.0))]);
        let r = evaluate(&rs, &rs.requirements[0], &c);
        assert_eq!((r.min, r.max), (104.0, 152.0));
        assert_eq!(r.outcome, Outcome::Conditional);
        assert_eq!(r.conditions, vec![Condition { bound: "min", need: 28.0, flexible: 48.0 }]);
        assert_eq!(r.contributions.len(), 1);
    }

    #[test]
    fn pass_and_fail() {
        let c = erwu_like();
        let rs =
            rules(vec![req(Measure::Total, &["LG", "SOAG"], Some(42.0)), req(Measure::Presence, &["LG"], Some(12.0))]);
        assert_eq!(evaluate(&rs, &rs.requirements[0], &c).outcome, Outcome::Pass);
        assert_eq!(evaluate(&rs, &rs.requirements[1], &c).outcome, Outcome::Fail, "LG is online only");
    }

    #[test]
    fn units_convert_through_minutes() {
        let mut c = curriculum("kit", vec![module("m1", 1)]);
        c.units.insert("Tag".into(), 480.0);
        c.modules[0].workload = vec![workload(&["SV"], 3.0, "Tag")];
        let mut rq = req(Measure::Total, &["SV"], None);
        rq.equals = Some(32.0);
        let rs = rules(vec![rq]);
        let r = evaluate(&rs, &rs.requirements[0], &c);
        assert_eq!((r.min, r.outcome), (32.0, Outcome::Pass));
        c.formats.insert("X".into(), Format { label: "x".into(), mode: Mode::Online, kind: None });
        let mut max = req(Measure::Online, &[], None);
        max.max = Some(10.0);
        let rs = rules(vec![max]);
        assert_eq!(evaluate(&rs, &rs.requirements[0], &c).outcome, Outcome::Conditional, "SV may be online");
    }
}
