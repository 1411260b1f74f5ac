//! The workload ledger: what the modules add up to, per format, per kind, and as
//! presence/online ranges.
//!
//! Amounts are summed in minutes so that units never mix; the ledger is then
//! expressed in one display unit (the unit of the declared total, else the first
//! unit used) and in hours. A workload line with several formats ("P oder O") is
//! *flexible*: it counts towards the lower end of a range only when every one of
//! its formats certainly belongs there, and towards the upper end when any may.

use super::{Curriculum, Mode, Module, Workload};
use indexmap::IndexMap;
use serde::Serialize;

/// A range of minutes: what is certain and what is possible.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Range {
    pub min: f64,
    pub max: f64,
}

/// The figures of one module or of a whole curriculum, in minutes.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Figures {
    pub total: f64,
    /// Keyed by format id; a flexible line is keyed by its ids joined with `/`.
    pub by_format: IndexMap<String, f64>,
    pub by_kind: IndexMap<String, f64>,
    pub presence: Range,
    pub online: Range,
}

impl Figures {
    fn add(&mut self, other: &Figures) {
        self.total += other.total;
        for (k, v) in &other.by_format {
            *self.by_format.entry(k.clone()).or_insert(0.0) += v;
        }
        for (k, v) in &other.by_kind {
            *self.by_kind.entry(k.clone()).or_insert(0.0) += v;
        }
        self.presence.min += other.presence.min;
        self.presence.max += other.presence.max;
        self.online.min += other.online.min;
        self.online.max += other.online.max;
    }
}

/// The ledger of a curriculum: per-module figures, their sum, and the unit to
/// show them in.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ledger {
    pub unit: String,
    pub unit_minutes: f64,
    pub modules: Vec<(String, Figures)>,
    pub total: Figures,
}

impl Ledger {
    /// Minutes expressed in the ledger's display unit.
    pub fn in_unit(&self, minutes: f64) -> f64 {
        minutes / self.unit_minutes
    }
}

/// Minutes of one workload line, or `None` when its unit is unknown (reported by
/// `check`, counted as nothing here).
pub fn minutes(c: &Curriculum, w: &Workload) -> Option<f64> {
    c.units.get(&w.unit.value).map(|per| per * w.amount)
}

/// The key under which a workload line is filed in `by_format`.
pub fn format_key(w: &Workload) -> String {
    w.formats.iter().map(|f| f.value.as_str()).collect::<Vec<_>>().join("/")
}

fn mode_of(c: &Curriculum, format: &str) -> Mode {
    c.formats.get(format).map(|f| f.mode).unwrap_or(Mode::Either)
}

/// The figures of one module.
pub fn module_figures(c: &Curriculum, m: &Module) -> Figures {
    let mut f = Figures::default();
    for w in &m.workload {
        let Some(min) = minutes(c, w) else { continue };
        f.total += min;
        *f.by_format.entry(format_key(w)).or_insert(0.0) += min;
        let kind = kind_of_line(c, m, w);
        if let Some(k) = kind {
            *f.by_kind.entry(k).or_insert(0.0) += min;
        }
        let modes: Vec<Mode> = w.formats.iter().map(|x| mode_of(c, &x.value)).collect();
        let all = |m: Mode| !modes.is_empty() && modes.iter().all(|x| *x == m);
        let any = |m: Mode| modes.iter().any(|x| *x == m || *x == Mode::Either);
        if all(Mode::Presence) {
            f.presence.min += min;
        }
        if any(Mode::Presence) {
            f.presence.max += min;
        }
        if all(Mode::Online) {
            f.online.min += min;
        }
        if any(Mode::Online) {
            f.online.max += min;
        }
    }
    f
}

/// A line counts towards its format's kind if the format declares one (all of a
/// flexible line's formats must agree), else towards the module's kind.
fn kind_of_line(c: &Curriculum, m: &Module, w: &Workload) -> Option<String> {
    let format_kinds: Vec<Option<&str>> = w
        .formats
        .iter()
        .map(|x| c.formats.get(&x.value).and_then(|f| f.kind.as_ref()).map(|k| k.value.as_str()))
        .collect();
    match format_kinds.first() {
        Some(Some(k)) if format_kinds.iter().all(|x| *x == Some(*k)) => Some(k.to_string()),
        _ => m.kind.as_ref().map(|k| k.value.clone()),
    }
}

/// The unit the ledger is shown in: the declared total's, else the first unit a
/// workload line uses, else the first unit defined, else hours.
fn display_unit(c: &Curriculum) -> (String, f64) {
    let declared = c.declared.as_ref().and_then(|d| d.total.as_ref()).map(|t| t.value.unit.value.clone());
    let used = c
        .modules
        .iter()
        .flat_map(|m| m.workload.iter())
        .map(|w| w.unit.value.clone())
        .find(|u| c.units.contains_key(u));
    let first = c.units.keys().next().cloned();
    declared
        .or(used)
        .or(first)
        .and_then(|u| c.units.get(&u).map(|m| (u, *m)))
        .unwrap_or_else(|| ("h".to_string(), 60.0))
}

/// Computes the ledger of a curriculum from its modules.
pub fn ledger(c: &Curriculum) -> Ledger {
    let (unit, unit_minutes) = display_unit(c);
    let mut total = Figures::default();
    let modules = c
        .modules
        .iter()
        .map(|m| {
            let f = module_figures(c, m);
            total.add(&f);
            (m.id.clone(), f)
        })
        .collect();
    Ledger { unit, unit_minutes, modules, total }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{curriculum, module, workload};
    use super::super::{At, Format};
    use super::*;

    /// ErwU's Tabelle 1 in miniature: the published figures must come out.
    fn erwu_like() -> Curriculum {
        let mk = |id: &str, n: i64, kind: &str, lines: Vec<Workload>| {
            let mut m = module(id, n);
            m.kind = Some(At::bare(kind.into()));
            m.workload = lines;
            m
        };
        let p = |a| workload(&["P"], a, "UE");
        let o = |a| workload(&["O"], a, "UE");
        let po = |a| workload(&["P", "O"], a, "UE");
        let lg = |a| workload(&["LG"], a, "UE");
        let sv = |a| workload(&["SV"], a, "UE");
        let mut c = curriculum(
            "erwu",
            vec![
                mk("m1", 1, "basis", vec![p(16.0), o(8.0), lg(4.0)]),
                mk("m2", 2, "basis", vec![p(8.0), p(8.0), p(8.0), lg(8.0), sv(8.0)]),
                mk("m3", 3, "basis", vec![p(8.0), p(8.0), po(8.0), lg(8.0)]),
                mk("m4", 4, "basis", vec![p(8.0), p(8.0), o(4.0), o(4.0), lg(8.0), sv(8.0)]),
                mk("m5", 5, "anwendung", vec![po(8.0), po(8.0), lg(6.0), sv(8.0)]),
                mk("m6", 6, "anwendung", vec![p(8.0), p(8.0), p(8.0), lg(8.0)]),
                mk("m7", 7, "anwendung", vec![p(8.0)]),
            ],
        );
        for f in ["LG", "SV"] {
            c.formats.get_mut(f).unwrap().kind = Some(At::bare("transfer".into()));
        }
        c
    }

    #[test]
    fn erwu_figures_match_its_table() {
        let c = erwu_like();
        let l = ledger(&c);
        assert_eq!(l.unit, "UE");
        let ue = |m: f64| l.in_unit(m);
        assert_eq!(ue(l.total.total), 210.0);
        assert_eq!(ue(l.total.by_kind["basis"]), 96.0);
        assert_eq!(ue(l.total.by_kind["anwendung"]), 48.0);
        assert_eq!(ue(l.total.by_kind["transfer"]), 66.0);
        assert_eq!(ue(l.total.by_format["LG"]), 42.0);
        assert_eq!(ue(l.total.by_format["SV"]), 24.0);
        assert_eq!(ue(l.total.by_format["P/O"]), 24.0);
        assert_eq!((ue(l.total.presence.min), ue(l.total.presence.max)), (104.0, 152.0));
        assert_eq!((ue(l.total.online.min), ue(l.total.online.max)), (58.0, 106.0));
        assert_eq!(l.total.total / 60.0, 157.5);
    }

    #[test]
    fn unknown_units_and_formats_do_not_panic() {
        let mut c = curriculum("x", vec![module("m1", 1)]);
        c.modules[0].workload = vec![workload(&["Q"], 3.0, "Jahr"), workload(&["P"], 2.0, "UE")];
        c.formats.insert("Z".into(), Format { label: "Z".into(), mode: Mode::Online, kind: None });
        let l = ledger(&c);
        assert_eq!(l.in_unit(l.total.total), 2.0);
        assert_eq!(l.total.presence.min, 90.0);
    }

    #[test]
    fn empty_curriculum_has_zero_ledger_in_hours_fallback() {
        let mut c = curriculum("x", vec![]);
        c.units.clear();
        let l = ledger(&c);
        assert_eq!(l.unit, "h");
        assert_eq!(l.total.total, 0.0);
    }
}
