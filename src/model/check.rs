//! Validation of a loaded site: references that must resolve, numbers that must
//! be unique, and the warnings the content format promises (duplicate items,
//! missing known sections, declared totals that differ from the modules).
//!
//! Pure: takes the model, returns diagnostics. Syntax and type errors are found
//! earlier, while loading.

use super::ledger::{self, Ledger};
use super::{At, Curriculum, Dimension, Item, KnownSection, Site};
use crate::diag::{Diagnostic, Diagnostics};
use crate::text::{fmt_num, list_choices, nearest};
use std::collections::{HashMap, HashSet};

/// Runs every check on the site.
pub fn check_site(site: &Site) -> Diagnostics {
    check_site_keeping(site, &Findings::default(), |_| false).all()
}

/// What [`check_site`] finds: about each curriculum alone (in site order),
/// and about the site as a whole before and after those.
#[derive(Debug, Clone, Default)]
pub struct Findings {
    head: Diagnostics,
    curricula: Vec<Diagnostics>,
    tail: Diagnostics,
}

impl Findings {
    /// Everything found, in the order [`check_site`] reports it.
    pub fn all(&self) -> Diagnostics {
        let mut out = self.head.clone();
        out.extend(self.curricula.iter().flat_map(|d| d.iter().cloned()));
        out.extend(self.tail.iter().cloned());
        out
    }
}

/// [`check_site`], with the findings about each curriculum that `unchanged`
/// says is as it was when `kept` found them (by curriculum index) taken
/// over: serve checks the site after every edit of a module, and a large
/// site's curricula (hundreds of thousands of items) were most of that.
pub fn check_site_keeping(site: &Site, kept: &Findings, unchanged: impl Fn(usize) -> bool + Sync) -> Findings {
    let mut head = Diagnostics::new();
    let phase_ids: Vec<&str> = site.glossary.phases.iter().map(|p| p.id.as_str()).collect();
    check_unique("content/glossary.yaml", phase_ids.iter().copied(), "phase", &mut head);
    // Curricula and comparisons are checked side by side; their findings are
    // merged in site order.
    let each = |f: &(dyn Fn(usize, &mut Diagnostics) + Sync), n: usize| -> Vec<Diagnostics> {
        use rayon::prelude::*;
        (0..n)
            .into_par_iter()
            .map(|i| {
                let mut found = Diagnostics::new();
                f(i, &mut found);
                found
            })
            .collect()
    };
    let curricula = each(
        &|i, found| match kept.curricula.get(i).filter(|_| unchanged(i)) {
            Some(k) => found.extend(k.iter().cloned()),
            None => check_curriculum(&site.curricula[i], &phase_ids, found),
        },
        site.curricula.len(),
    );
    let mut tail = Diagnostics::new();
    check_order(site, &mut tail);
    // The first curriculum of an id, as `Site::curriculum` finds it.
    let mut by_id: HashMap<&str, &Curriculum> = HashMap::new();
    for c in site.curricula.iter().rev() {
        by_id.insert(c.id.as_str(), c);
    }
    let comparisons =
        each(&|i, found| check_comparison(site, &by_id, &site.comparisons[i], found), site.comparisons.len());
    tail.extend(comparisons.into_iter().flatten());
    for rs in &site.rules {
        check_rules(site, rs, &mut tail);
    }
    Findings { head, curricula, tail }
}

/// Every format and kind a rule names must exist in some curriculum, or the
/// figure it describes cannot be computed.
fn check_rules(site: &Site, rs: &super::RuleSet, out: &mut Diagnostics) {
    let ids = curriculum_ids(site);
    check_refs(&rs.file, &rs.applies_to, "curriculum", &ids, out);
    if !site.unloadable.is_empty() {
        // Formats and kinds may be defined by the curriculum that failed to load.
        return;
    }
    let mut formats: Vec<&str> = site.curricula.iter().flat_map(|c| c.formats.keys().map(String::as_str)).collect();
    let mut kinds: Vec<&str> = site.curricula.iter().flat_map(|c| c.kinds.keys().map(String::as_str)).collect();
    formats.sort_unstable();
    formats.dedup();
    kinds.sort_unstable();
    kinds.dedup();
    for r in &rs.requirements {
        check_refs(&rs.file, &r.formats, "format", &formats, out);
        check_refs(&rs.file, &r.exclude_formats, "format", &formats, out);
        check_refs(&rs.file, &r.kinds, "kind", &kinds, out);
    }
}

/// A dangling-reference error with the valid choices (and the nearest one) as hint.
fn unknown_ref(file: &str, r: &At<String>, what: &str, valid: &[&str]) -> Diagnostic {
    unknown_ref_in(file, r, what, "", valid)
}

/// `in_what` names the container for references into another file (" in `kit`").
fn unknown_ref_in(file: &str, r: &At<String>, what: &str, in_what: &str, valid: &[&str]) -> Diagnostic {
    let choices = list_choices(valid.iter().copied());
    let hint = match nearest(&r.value, valid.iter().copied()) {
        Some(n) => format!("did you mean `{n}`? Valid {what} ids{in_what}: {choices}"),
        None if valid.is_empty() => format!("no {what}s are defined{in_what}; define it first"),
        None => format!("valid {what} ids{in_what}: {choices}"),
    };
    Diagnostic::error(file, r.pos, format!("unknown {what} `{}`{in_what}", r.value)).with_hint(hint)
}

fn check_refs(file: &str, refs: &[At<String>], what: &str, valid: &[&str], out: &mut Diagnostics) {
    check_refs_in(file, refs, what, "", valid, out);
}

fn check_refs_in(file: &str, refs: &[At<String>], what: &str, in_what: &str, valid: &[&str], out: &mut Diagnostics) {
    for r in refs {
        if !valid.contains(&r.value.as_str()) {
            out.push(unknown_ref_in(file, r, what, in_what, valid));
        }
    }
}

/// Ids that must be unique within one list (fields of a curriculum, phases).
fn check_unique<'a>(file: &str, ids: impl IntoIterator<Item = &'a str>, what: &str, out: &mut Diagnostics) {
    let mut seen = HashSet::new();
    for id in ids {
        if !seen.insert(id) {
            out.push(
                Diagnostic::error(file, None, format!("{what} id `{id}` is defined more than once"))
                    .with_hint("give every entry its own id"),
            );
        }
    }
}

fn check_curriculum(c: &Curriculum, phase_ids: &[&str], out: &mut Diagnostics) {
    check_unique(&c.file, c.fields.iter().map(|f| f.id.as_str()), "field", out);
    let kinds: Vec<&str> = c.kinds.keys().map(String::as_str).collect();
    let fields: Vec<&str> = c.fields.iter().map(|f| f.id.as_str()).collect();
    let formats: Vec<&str> = c.formats.keys().map(String::as_str).collect();
    let units: Vec<&str> = c.units.keys().map(String::as_str).collect();

    for f in c.formats.values() {
        if let Some(k) = &f.kind {
            check_refs(&c.file, std::slice::from_ref(k), "kind", &kinds, out);
        }
    }
    let mut numbers: HashMap<i64, &str> = HashMap::new();
    for m in &c.modules {
        if let Some(first) = numbers.insert(m.number.value, &m.id) {
            out.push(
                Diagnostic::error(
                    &m.file,
                    m.number.pos,
                    format!("module number {} is also used by `{first}`", m.number.value),
                )
                .with_hint("give every module of a curriculum its own number"),
            );
        }
        if let Some(k) = &m.kind {
            check_refs(&m.file, std::slice::from_ref(k), "kind", &kinds, out);
        }
        check_refs(&m.file, &m.fields, "field", &fields, out);
        check_refs(&m.file, &m.phases, "phase", phase_ids, out);
        for w in &m.workload {
            check_refs(&m.file, &w.formats, "format", &formats, out);
            check_refs(&m.file, std::slice::from_ref(&w.unit), "unit", &units, out);
        }
        for d in Dimension::ALL {
            warn_duplicates(&m.file, d.key(), m.competencies.get(d), out);
        }
        warn_duplicates(&m.file, "methods", &m.methods, out);
        if m.section(KnownSection::Kompetenzbeschreibung).is_none()
            && m.section(KnownSection::BeruflicheHandlung).is_none()
        {
            out.push(
                Diagnostic::warning(&m.file, None, "module has neither a `## Kompetenzbeschreibung` nor a `## Berufliche Handlung` section")
                    .with_hint("add the sections as H2 headings in the Markdown body (English: `## Competence description`, `## Professional action`)"),
            );
        }
    }
    for (id, file) in c.modules.iter().map(|m| (&m.id, &m.file)).chain(c.pages.iter().map(|p| (&p.id, &p.file))) {
        if id == "print" {
            out.push(
                Diagnostic::error(
                    file,
                    None,
                    format!("`print` is reserved: /{}/print/ is the print view of the curriculum", c.id),
                )
                .with_hint("rename the file"),
            );
        }
    }
    for p in &c.pages {
        if c.module(&p.id).is_some() {
            out.push(
                Diagnostic::error(
                    &p.file,
                    None,
                    format!("page id `{}` is also a module id; both would be published at /{}/{}/", p.id, c.id, p.id),
                )
                .with_hint("rename the page file"),
            );
        }
    }
    if let Some(d) = c.declared.as_ref().filter(|_| !c.incomplete) {
        check_declared(c, d, &units, &formats, &kinds, out);
    }
}

fn warn_duplicates(file: &str, list: &str, items: &[Item], out: &mut Diagnostics) {
    let mut seen = rustc_hash::FxHashSet::default();
    for it in items {
        if !seen.insert(it.text.as_str()) {
            out.push(
                Diagnostic::warning(file, it.pos, format!("`{}` appears more than once in `{list}`", it.text))
                    .with_hint("kept as in the source; remove the repetition if it is a mistake"),
            );
        }
    }
}

/// Declared totals are stated in the unit of `declared.total` (or the ledger's).
fn check_declared(
    c: &Curriculum,
    d: &super::Declared,
    units: &[&str],
    formats: &[&str],
    kinds: &[&str],
    out: &mut Diagnostics,
) {
    let l = ledger::ledger(c);
    let t = &l.total;
    if let Some(total) = &d.total {
        if !c.units.contains_key(&total.value.unit.value) {
            out.push(unknown_ref(&c.file, &total.value.unit, "unit", units));
            return;
        }
        compare(c, &l, total.pos, "total", total.value.amount, t.total, out);
    }
    for entry in &d.by_format {
        let (k, v) = &entry.value;
        let present = c.formats.contains_key(k) || t.by_format.contains_key(k);
        if !present {
            out.push(unknown_ref(&c.file, &At::new(k.clone(), entry.pos), "format", formats));
            continue;
        }
        let computed = t.by_format.get(k).copied().unwrap_or(0.0);
        compare(c, &l, entry.pos, &format!("format {k}"), *v, computed, out);
    }
    for entry in &d.by_kind {
        let (k, v) = &entry.value;
        if !c.kinds.contains_key(k) {
            out.push(unknown_ref(&c.file, &At::new(k.clone(), entry.pos), "kind", kinds));
            continue;
        }
        let computed = t.by_kind.get(k).copied().unwrap_or(0.0);
        compare(c, &l, entry.pos, &format!("kind {k}"), *v, computed, out);
    }
    let ranges = [
        ("presence", &d.presence, (t.presence.min, t.presence.max)),
        ("online", &d.online, (t.online.min, t.online.max)),
    ];
    for (name, declared, (min, max)) in ranges {
        if let Some(r) = declared {
            compare(c, &l, r.pos, &format!("{name} minimum"), r.value.0, min, out);
            compare(c, &l, r.pos, &format!("{name} maximum"), r.value.1, max, out);
        }
    }
}

fn compare(
    c: &Curriculum,
    l: &Ledger,
    pos: Option<crate::diag::Pos>,
    what: &str,
    declared: f64,
    computed_minutes: f64,
    out: &mut Diagnostics,
) {
    let computed = l.in_unit(computed_minutes);
    if (computed - declared).abs() > 1e-6 {
        out.push(
            Diagnostic::warning(
                &c.file,
                pos,
                format!(
                    "declared {what} is {} {}, but the modules add up to {} {}",
                    fmt_num(declared),
                    l.unit,
                    fmt_num(computed),
                    l.unit
                ),
            )
            .with_hint("correct the module workloads or the declared figure"),
        );
    }
}

/// Curriculum ids that references may name: the loaded ones and those whose
/// loading failed (already reported).
fn curriculum_ids(site: &Site) -> Vec<&str> {
    site.curricula.iter().map(|c| c.id.as_str()).chain(site.unloadable.iter().map(String::as_str)).collect()
}

fn check_order(site: &Site, out: &mut Diagnostics) {
    let ids = curriculum_ids(site);
    check_refs("site.yaml", &site.config.order, "curriculum", &ids, out);
}

fn check_comparison(site: &Site, by_id: &HashMap<&str, &Curriculum>, cmp: &super::Comparison, out: &mut Diagnostics) {
    let left = by_id.get(cmp.left.value.as_str()).copied();
    let right = by_id.get(cmp.right.value.as_str()).copied();
    for (side, c) in [(&cmp.left, left), (&cmp.right, right)] {
        if c.is_none() && !site.unloadable.contains(&side.value) {
            out.push(unknown_ref(&cmp.file, side, "curriculum", &curriculum_ids(site)));
        }
    }
    let module_ids = |c: Option<&Curriculum>| -> Vec<String> {
        c.map(|c| c.modules.iter().map(|m| m.id.clone()).collect()).unwrap_or_default()
    };
    let (lm, rm) = (module_ids(left), module_ids(right));
    let lm: Vec<&str> = lm.iter().map(String::as_str).collect();
    let rm: Vec<&str> = rm.iter().map(String::as_str).collect();
    // A curriculum whose files failed to load cannot say what is missing.
    let complete = |c: Option<&Curriculum>| c.is_some_and(|c| !c.incomplete);
    for p in &cmp.pairs {
        if complete(left) {
            check_refs_in(&cmp.file, &p.left, "module", &format!(" in `{}`", cmp.left.value), &lm, out);
        }
        if complete(right) {
            check_refs_in(&cmp.file, &p.right, "module", &format!(" in `{}`", cmp.right.value), &rm, out);
        }
    }
    for m in &cmp.matches {
        for (r, c) in [(&m.left, left), (&m.right, right)] {
            if let Some(c) = c.filter(|c| !c.incomplete)
                && resolve_item_ref(c, &r.value).is_none()
            {
                out.push(
                    Diagnostic::error(&cmp.file, r.pos, format!("`{}` names no item of `{}`", r.value, c.id))
                        .with_hint(
                            "write `<module id>: <item text exactly as in the module>`, e.g. `m4: Dokumentation`",
                        ),
                );
            }
        }
    }
}

/// Resolves `"<module>: <item text>"` to the item it names, searching every DQR
/// list and the methods of that module.
pub fn resolve_item_ref<'a>(c: &'a Curriculum, r: &str) -> Option<(&'a super::Module, &'a Item)> {
    let (module, text) = r.split_once(':')?;
    let m = c.module(module.trim())?;
    let text = text.trim();
    Dimension::ALL
        .iter()
        .flat_map(|d| m.competencies.get(*d).iter())
        .chain(m.methods.iter())
        .find(|it| it.text == text)
        .map(|it| (m, it))
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{curriculum, module, workload};
    use super::super::*;
    use super::*;
    use crate::diag::{Pos, Severity};

    fn site_with(c: Curriculum) -> Site {
        Site { curricula: vec![c], ..Default::default() }
    }

    fn messages(d: &Diagnostics) -> Vec<String> {
        d.sorted().into_iter().map(|d| d.message).collect()
    }

    /// serve checks only the curricula of the modules it reloaded again: the
    /// findings of the others are taken over as they were.
    #[test]
    fn findings_of_unchanged_curricula_are_taken_over() {
        let twice = |c: &str| {
            let mut m = module("m1", 1);
            m.methods = vec![Item::new("Vortrag"), Item::new("Vortrag")];
            curriculum(c, vec![m])
        };
        let mut site = Site { curricula: vec![twice("a"), twice("b")], ..Default::default() };
        let first = check_site_keeping(&site, &Findings::default(), |_| false);
        let all = |d: &Diagnostics| d.iter().map(|x| x.location() + &x.message).collect::<Vec<_>>();
        let files = |d: &Diagnostics| all(d).into_iter().filter(|m| m.contains("more than once")).collect::<Vec<_>>();
        assert_eq!(all(&first.all()), all(&check_site(&site)));
        assert_eq!(files(&first.all()).len(), 2);
        // Both curricula lose their repetition; only `b` is checked again.
        for c in &mut site.curricula {
            c.modules[0].methods.pop();
        }
        let kept = check_site_keeping(&site, &first, |c| c == 0);
        assert_eq!(files(&kept.all()), files(&first.all())[..1]);
        assert!(files(&check_site_keeping(&site, &kept, |_| false).all()).is_empty());
    }

    #[test]
    fn dangling_references_are_errors_with_hints() {
        let mut m = module("m1", 1);
        m.fields = vec![At::new("hf99".into(), Some(Pos::new(4, 10)))];
        m.phases = vec![At::bare("asessment".into())];
        m.kind = Some(At::bare("basic".into()));
        m.workload = vec![workload(&["X"], 1.0, "Stunde")];
        let mut c = curriculum("c", vec![m]);
        c.kinds.insert("basis".into(), "Basismodul".into());
        let mut s = site_with(c);
        s.glossary.phases.push(Phase {
            id: "assessment".into(),
            title: "A".into(),
            aliases: vec![],
            description: None,
        });
        let d = check_site(&s);
        let msgs = messages(&d);
        for m in [
            "unknown field `hf99`",
            "unknown phase `asessment`",
            "unknown kind `basic`",
            "unknown format `X`",
            "unknown unit `Stunde`",
        ] {
            assert!(msgs.iter().any(|x| x == m), "{m} missing in {msgs:?}");
        }
        let phase = d.sorted().into_iter().find(|x| x.message.contains("phase")).unwrap();
        assert!(phase.hint.unwrap().contains("did you mean `assessment`"));
    }

    #[test]
    fn duplicate_numbers_and_page_ids_are_errors() {
        let mut c = curriculum("c", vec![module("m1", 1), module("m2", 1)]);
        c.pages.push(Page {
            id: "m1".into(),
            file: "p".into(),
            title: "t".into(),
            weight: 0,
            markdown: String::new(),
            body_line: 1,
        });
        let d = check_site(&site_with(c));
        assert_eq!(d.count(Severity::Error), 2, "{:?}", messages(&d));
    }

    #[test]
    fn duplicates_and_missing_sections_are_warnings() {
        let mut m = module("m1", 1);
        m.competencies.selbststaendigkeit = vec![Item::new("Nachhaltigkeit"), Item::new("Nachhaltigkeit")];
        let d = check_site(&site_with(curriculum("c", vec![m])));
        assert_eq!(d.count(Severity::Error), 0);
        assert_eq!(d.count(Severity::Warning), 2);
    }

    #[test]
    fn declared_totals_are_compared_and_both_values_shown() {
        let mut m = module("m1", 1);
        m.workload = vec![workload(&["P"], 8.0, "UE"), workload(&["P", "O"], 8.0, "UE")];
        let mut c = curriculum("c", vec![m]);
        c.declared = Some(Declared {
            total: Some(At::bare(Amount { amount: 16.0, unit: At::bare("UE".into()) })),
            presence: Some(At::bare((8.0, 10.0))),
            by_format: vec![At::bare(("P".into(), 8.0))],
            ..Default::default()
        });
        let d = check_site(&site_with(c));
        let declared: Vec<String> = messages(&d).into_iter().filter(|m| m.starts_with("declared")).collect();
        assert_eq!(declared, vec!["declared presence maximum is 10 UE, but the modules add up to 16 UE".to_string()]);
    }

    #[test]
    fn comparison_references_resolve() {
        let mut m = module("m1", 1);
        m.competencies.wissen = vec![Item::new("Dokumentation")];
        let c = curriculum("a", vec![m]);
        let mut s = site_with(c);
        s.comparisons.push(Comparison {
            id: "x".into(),
            file: "content/comparisons/x.yaml".into(),
            title: "x".into(),
            left: At::bare("a".into()),
            right: At::bare("b".into()),
            pairs: vec![Pair { left: vec![At::bare("m9".into())], right: vec![], note: None, pos: None }],
            synonyms: vec![],
            matches: vec![Match {
                left: At::bare("m1: Dokumentation".into()),
                right: At::bare("m1: X".into()),
                relation: Relation::Related,
            }],
            threshold: None,
        });
        let msgs = messages(&check_site(&s));
        assert!(msgs.contains(&"unknown curriculum `b`".to_string()), "{msgs:?}");
        assert!(msgs.contains(&"unknown module `m9` in `a`".to_string()), "{msgs:?}");
        assert_eq!(check_site(&s).count(Severity::Error), 2, "{msgs:?}");
    }
}
