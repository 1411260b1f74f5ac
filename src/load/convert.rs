//! Converts parsed files ([`super::raw`]) into the model, checking what serde
//! cannot: the id rule, non-negative amounts, positive unit sizes.

use super::raw::{self, ItemRaw, OneOrMany};
use super::{Source, split_front_matter};
use crate::diag::{Diagnostic, Diagnostics, Pos};
use crate::model::*;
use crate::text::{is_valid_id, suggest_id};
use crate::yaml::{Spanned, pos_of};

fn at<T: Clone>(s: &Spanned<T>, offset: u32) -> At<T> {
    At::new(s.value.clone(), pos_of(s, offset))
}

fn id_error(file: &str, pos: Option<Pos>, id: &str, what: &str) -> Diagnostic {
    Diagnostic::error(file, pos, format!("`{id}` is not a valid {what} id"))
        .with_hint(format!("ids are lower-case ASCII letters, digits and `-`; e.g. `{}`", suggest_id(id)))
}

pub fn site_config(f: raw::SiteFile) -> SiteConfig {
    let mut base = f.base_url.unwrap_or_else(|| "/".into());
    if !base.ends_with('/') {
        base.push('/');
    }
    SiteConfig {
        title: f.title,
        base_url: base,
        language: match f.language {
            Some(raw::LangRaw::En) => Lang::En,
            _ => Lang::De,
        },
        theme: f.theme.unwrap_or_else(|| "default".into()),
        order: f.order.iter().map(|o| at(o, 0)).collect(),
        allow_raw_html: f.allow_raw_html,
        repository: f.repository,
    }
}

pub fn glossary(f: raw::GlossaryFile, file: &str, diags: &mut Diagnostics) -> Glossary {
    let mut phases = Vec::new();
    for p in f.phases {
        if !is_valid_id(&p.id.value) {
            diags.push(id_error(file, pos_of(&p.id, 0), &p.id.value, "phase"));
            continue;
        }
        phases.push(Phase { id: p.id.value, title: p.title, aliases: p.aliases, description: p.description });
    }
    let terms =
        f.terms.into_iter().map(|t| Term { term: t.term, definition: t.definition, aliases: t.aliases }).collect();
    Glossary { phases, terms }
}

pub fn curriculum(f: raw::CurriculumFile, id: &str, file: &str, diags: &mut Diagnostics) -> Curriculum {
    let mut units = indexmap::IndexMap::new();
    for (k, v) in f.units {
        if v.value <= 0.0 || !v.value.is_finite() {
            diags.push(
                Diagnostic::error(file, pos_of(&v, 0), format!("unit `{k}` must be a positive number of minutes"))
                    .with_hint("e.g. `UE: 45` or `Tag: 480`"),
            );
            continue;
        }
        units.insert(k, v.value);
    }
    let formats = f
        .formats
        .into_iter()
        .map(|(k, v)| {
            let mode = match v.mode {
                raw::ModeRaw::Presence => Mode::Presence,
                raw::ModeRaw::Online => Mode::Online,
                raw::ModeRaw::Either => Mode::Either,
            };
            (k, Format { label: v.label, mode, kind: v.kind.as_ref().map(|k| at(k, 0)) })
        })
        .collect();
    let mut fields = Vec::new();
    for fr in f.fields {
        if !is_valid_id(&fr.id.value) {
            diags.push(id_error(file, pos_of(&fr.id, 0), &fr.id.value, "field"));
            continue;
        }
        fields.push(Field { id: fr.id.value, label: fr.label, title: fr.title, level: fr.level });
    }
    let declared = f.declared.map(|d| declared(d, file, diags));
    Curriculum {
        id: id.to_string(),
        file: file.to_string(),
        short_title: f.short_title.unwrap_or_else(|| f.title.clone()),
        title: f.title,
        issuer: f.issuer,
        edition: f.edition,
        dqr_level: f.dqr_level,
        source: f.source,
        description: f.description,
        units,
        formats,
        kinds: f.kinds,
        fields,
        declared,
        modules: Vec::new(),
        pages: Vec::new(),
        incomplete: false,
        inputs: 0,
    }
}

fn declared(d: raw::DeclaredRaw, file: &str, diags: &mut Diagnostics) -> Declared {
    let mut nonneg = |v: f64, pos: Option<Pos>, what: &str| {
        if v < 0.0 || !v.is_finite() {
            diags.push(
                Diagnostic::error(file, pos, format!("declared {what} must not be negative"))
                    .with_hint("write the figure as the source states it"),
            );
        }
    };
    let map = |m: indexmap::IndexMap<String, Spanned<f64>>, nonneg: &mut dyn FnMut(f64, Option<Pos>, &str)| {
        m.into_iter()
            .map(|(k, v)| {
                nonneg(v.value, pos_of(&v, 0), &k);
                At::new((k, v.value), pos_of(&v, 0))
            })
            .collect::<Vec<_>>()
    };
    let by_format = map(d.by_format, &mut nonneg);
    let by_kind = map(d.by_kind, &mut nonneg);
    let range = |r: &Option<Spanned<[f64; 2]>>| r.as_ref().map(|r| At::new((r.value[0], r.value[1]), pos_of(r, 0)));
    Declared {
        total: d.total.as_ref().map(|t| {
            nonneg(t.value.amount, pos_of(t, 0), "total");
            At::new(Amount { amount: t.value.amount, unit: at(&t.value.unit, 0) }, pos_of(t, 0))
        }),
        by_format,
        by_kind,
        presence: range(&d.presence),
        online: range(&d.online),
    }
}

/// Parses front matter into `T`, reporting front-matter defects; returns the
/// value, the body and the body's first line.
fn front_matter<'a, T: serde::de::DeserializeOwned>(
    src: &'a Source,
    diags: &mut Diagnostics,
) -> Option<(T, &'a str, u32)> {
    let (yaml, body, body_line) = match split_front_matter(&src.text) {
        Ok(x) => x,
        Err((pos, msg, hint)) => {
            diags.push(Diagnostic::error(&src.rel, Some(pos), msg).with_hint(hint));
            return None;
        }
    };
    match crate::yaml::parse::<T>(yaml, &src.rel, 1) {
        Ok(v) => Some((v, body, body_line)),
        Err(d) => {
            diags.push(d);
            None
        }
    }
}

pub fn module(src: &Source, id: &str, diags: &mut Diagnostics) -> Option<Module> {
    let (f, body, body_line) = front_matter::<raw::ModuleFile>(src, diags)?;
    let file = src.rel.as_str();
    let c = f.competencies.unwrap_or_default();
    let mut competencies = Competencies::default();
    for (d, list) in [
        (Dimension::Wissen, &c.wissen),
        (Dimension::Fertigkeiten, &c.fertigkeiten),
        (Dimension::Sozialkompetenz, &c.sozialkompetenz),
        (Dimension::Selbststaendigkeit, &c.selbststaendigkeit),
    ] {
        *competencies.get_mut(d) = items(list, file, diags);
    }
    let workload = f.workload.iter().filter_map(|w| workload(w, file, diags)).collect();
    let (preamble, sections) = crate::markdown::split_sections(body, body_line);
    let mut m = Module {
        id: id.to_string(),
        file: file.to_string(),
        number: at(&f.number, 1),
        title: f.title,
        kind: f.kind.as_ref().map(|k| at(k, 1)),
        fields: f.fields.iter().map(|x| at(x, 1)).collect(),
        phases: f.phases.iter().map(|x| at(x, 1)).collect(),
        topics: f.topics,
        workload,
        competencies,
        methods: items(&f.methods, file, diags),
        work_package: f.work_package.map(|w| WorkPackage {
            group: w.group,
            intro: w.intro,
            title: w.title,
            tasks: w.tasks,
        }),
        preamble,
        sections,
    };
    if m.number.value < 0 {
        diags.push(
            Diagnostic::error(file, m.number.pos, "module number must not be negative")
                .with_hint("number modules 1, 2, 3 …"),
        );
    }
    assign_anchors(&mut m);
    Some(m)
}

fn items(list: &[Spanned<ItemRaw>], file: &str, diags: &mut Diagnostics) -> Vec<Item> {
    list.iter()
        .map(|s| {
            let pos = pos_of(s, 1);
            let r = &s.value;
            if let Some(id) = &r.id
                && !is_valid_id(id)
            {
                diags.push(id_error(file, pos, id, "item"));
            }
            if r.text.trim().is_empty() {
                diags.push(
                    Diagnostic::error(file, pos, "empty list item")
                        .with_hint("write the item's text or remove the line"),
                );
            }
            Item {
                text: r.text.trim().to_string(),
                id: r.id.clone().filter(|i| is_valid_id(i)),
                note: r.note.clone(),
                anchor: String::new(),
                pos,
            }
        })
        .collect()
}

fn workload(w: &Spanned<raw::WorkloadRaw>, file: &str, diags: &mut Diagnostics) -> Option<Workload> {
    let pos = pos_of(w, 1);
    let v = &w.value;
    let fpos = pos_of(&v.format, 1);
    let formats: Vec<At<String>> = match &v.format.value {
        OneOrMany::One(s) => vec![At::new(s.clone(), fpos)],
        OneOrMany::Many(list) => list.iter().map(|s| At::new(s.clone(), fpos)).collect(),
    };
    if formats.is_empty() {
        diags.push(
            Diagnostic::error(file, fpos, "workload line without a format")
                .with_hint("e.g. `format: P` or `format: [P, O]`"),
        );
        return None;
    }
    if v.amount < 0.0 || !v.amount.is_finite() {
        diags.push(
            Diagnostic::error(file, pos, format!("negative workload amount {}", v.amount))
                .with_hint("amounts are the time spent, zero or more"),
        );
        return None;
    }
    Some(Workload { formats, amount: v.amount, unit: at(&v.unit, 1), topic: v.topic.clone(), pos })
}

pub fn page(src: &Source, id: &str, diags: &mut Diagnostics) -> Option<Page> {
    let (f, body, body_line) = front_matter::<raw::PageFile>(src, diags)?;
    Some(Page {
        id: id.to_string(),
        file: src.rel.clone(),
        title: f.title,
        weight: f.weight,
        markdown: body.to_string(),
        body_line,
    })
}

pub fn comparison(f: raw::ComparisonFile, id: &str, file: &str) -> Comparison {
    Comparison {
        id: id.to_string(),
        file: file.to_string(),
        title: f.title,
        left: at(&f.left, 0),
        right: at(&f.right, 0),
        pairs: f
            .pairs
            .iter()
            .map(|p| Pair {
                left: p.value.left.iter().map(|x| at(x, 0)).collect(),
                right: p.value.right.iter().map(|x| at(x, 0)).collect(),
                note: p.value.note.clone(),
                pos: pos_of(p, 0),
            })
            .collect(),
        synonyms: f.synonyms,
        matches: f
            .matches
            .iter()
            .map(|m| Match {
                left: at(&m.left, 0),
                right: at(&m.right, 0),
                relation: match m.relation {
                    raw::RelationRaw::Equivalent => Relation::Equivalent,
                    raw::RelationRaw::Related => Relation::Related,
                    raw::RelationRaw::Different => Relation::Different,
                },
            })
            .collect(),
        threshold: f.threshold,
    }
}

pub fn rules(f: raw::RuleFile, id: &str, file: &str, diags: &mut Diagnostics) -> RuleSet {
    if f.unit.minutes.value <= 0.0 || !f.unit.minutes.value.is_finite() {
        diags.push(
            Diagnostic::error(file, pos_of(&f.unit.minutes, 0), "unit minutes must be a positive number")
                .with_hint("e.g. `unit: {name: UE, minutes: 45}`"),
        );
    }
    let mut requirements = Vec::new();
    for r in &f.requirements {
        let pos = pos_of(r, 0);
        let v = &r.value;
        if !is_valid_id(&v.id.value) {
            diags.push(id_error(file, pos_of(&v.id, 0), &v.id.value, "requirement"));
        }
        if v.min.is_none() && v.max.is_none() && v.equals.is_none() {
            diags.push(
                Diagnostic::error(file, pos, format!("requirement `{}` states no figure", v.id.value))
                    .with_hint("add `min:`, `max:` or `equals:` in the rule's unit"),
            );
        }
        for x in [v.min, v.max, v.equals].into_iter().flatten() {
            if x < 0.0 || !x.is_finite() {
                diags.push(
                    Diagnostic::error(file, pos, "requirement figures must not be negative")
                        .with_hint("state the figure as the source does"),
                );
            }
        }
        requirements.push(Requirement {
            id: v.id.value.clone(),
            text: v.text.clone(),
            measure: match v.measure {
                raw::MeasureRaw::Total => Measure::Total,
                raw::MeasureRaw::Presence => Measure::Presence,
                raw::MeasureRaw::Online => Measure::Online,
            },
            formats: v.formats.iter().map(|x| at(x, 0)).collect(),
            exclude_formats: v.exclude_formats.iter().map(|x| at(x, 0)).collect(),
            kinds: v.kinds.iter().map(|x| at(x, 0)).collect(),
            min: v.min,
            max: v.max,
            equals: v.equals,
            pos,
        });
    }
    RuleSet {
        id: id.to_string(),
        file: file.to_string(),
        title: f.title,
        source: f.source,
        version: f.version,
        unit: f.unit.name,
        unit_minutes: f.unit.minutes.value,
        applies_to: f.applies_to.iter().map(|x| at(x, 0)).collect(),
        requirements,
    }
}
