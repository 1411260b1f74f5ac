//! View models of the site-wide pages: competency index (with static filter
//! pages), learning methods, fields of action, phases, glossary, and search.

use super::views::{Data, Links};
use super::{escape_into, i18n};
use crate::compare::normalize::normalize;
use crate::model::{Curriculum, Dimension, Item, Module, Site};
use serde::Serialize;
use serde_json::{Value, json};
use std::borrow::Cow;
use std::collections::BTreeMap;

/// A filter of the competency index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filter {
    All,
    Dimension(usize),
    Curriculum(usize),
}

impl Filter {
    /// The URL segment below `kompetenzen/`.
    pub fn segment(self, site: &Site) -> String {
        match self {
            Filter::All => String::new(),
            Filter::Dimension(d) => format!("{}/", Dimension::ALL[d].key()),
            Filter::Curriculum(c) => format!("{}/", site.curricula[c].id),
        }
    }

    pub fn all(site: &Site) -> Vec<Filter> {
        let mut v = vec![Filter::All];
        v.extend((0..4).map(Filter::Dimension));
        v.extend((0..site.curricula.len()).map(Filter::Curriculum));
        v
    }
}

/// Sort key for German A–Z (DIN 5007-1: ä = a, ß = ss).
fn sort_key(text: &str) -> String {
    normalize(text)
        .chars()
        .map(|c| match c {
            'ä' => 'a',
            'ö' => 'o',
            'ü' => 'u',
            c => c,
        })
        .collect::<String>()
        .replace('ß', "ss")
}

fn letter(key: &str) -> String {
    key.chars()
        .find(|c| c.is_alphanumeric())
        .map(|c| if c.is_ascii_alphabetic() { c.to_ascii_uppercase().to_string() } else { "#".into() })
        .unwrap_or_else(|| "#".into())
}

/// Where an item occurs. The index pages list hundreds of thousands of these
/// on large sites, so an occurrence only points into the model; its link and
/// labels are made as the list is written ([`write_az`]) or handed to the
/// template ([`SectionView`]).
struct Occurrence<'a> {
    c: &'a Curriculum,
    m: &'a Module,
    anchor: &'a str,
    dimension: &'a str,
}

impl Occurrence<'_> {
    /// The module's label, `M3`.
    fn module(&self) -> String {
        format!("M{}", self.m.number.value)
    }

    /// The parts of the link to the item from a page whose way to the root is
    /// `root` (as [`Links::module`] makes it), for [`Self::url`] and for
    /// [`write_az`], which escapes them one by one without joining them first.
    fn url_parts<'r>(&'r self, root: &'r str) -> [&'r str; 6] {
        [root, &self.c.id, "/", &self.m.id, "/index.html#", self.anchor]
    }

    fn url(&self, root: &str) -> String {
        self.url_parts(root).concat()
    }
}

/// One text of the index with all its occurrences.
struct Entry<'a> {
    text: &'a str,
    occurrences: Vec<Occurrence<'a>>,
}

/// The entries of one initial letter.
struct Section<'a> {
    letter: String,
    id: String,
    entries: Vec<Entry<'a>>,
}

/// A [`Section`] as the templates see it (`az.html`).
#[derive(Serialize)]
struct SectionView<'a> {
    letter: &'a str,
    id: &'a str,
    entries: Vec<EntryView<'a>>,
}

#[derive(Serialize)]
struct EntryView<'a> {
    text: &'a str,
    occurrences: Vec<OccurrenceView<'a>>,
}

#[derive(Serialize)]
struct OccurrenceView<'a> {
    curriculum: &'a str,
    module: String,
    module_title: &'a str,
    dimension: &'a str,
    url: String,
}

/// The template's view of `sections`, for a page at `root` from the site's root.
fn section_views<'a>(sections: &'a [Section], root: &str) -> Vec<SectionView<'a>> {
    let occurrence = |o: &'a Occurrence| OccurrenceView {
        curriculum: &o.c.short_title,
        module: o.module(),
        module_title: &o.m.title,
        dimension: o.dimension,
        url: o.url(root),
    };
    let entry = |e: &'a Entry| EntryView { text: e.text, occurrences: e.occurrences.iter().map(occurrence).collect() };
    sections
        .iter()
        .map(|s| SectionView { letter: &s.letter, id: &s.id, entries: s.entries.iter().map(entry).collect() })
        .collect()
}

fn occurrence<'a>(c: &'a Curriculum, m: &'a Module, it: &'a Item, dimension: &'a str) -> Occurrence<'a> {
    Occurrence { c, m, anchor: &it.anchor, dimension }
}

/// Entries grouped by normalised text, sorted A–Z, split into letter sections.
/// Keys are borrowed where they were computed once (competencies) and made
/// on the spot otherwise (methods).
fn grouped<'a>(entries: impl Iterator<Item = (Cow<'a, str>, &'a str, Occurrence<'a>)>) -> Vec<Section<'a>> {
    let mut by_key: BTreeMap<Cow<str>, (&str, Vec<Occurrence>)> = BTreeMap::new();
    for (key, text, occ) in entries {
        by_key.entry(key).or_insert_with(|| (text, Vec::new())).1.push(occ);
    }
    let mut letters: BTreeMap<String, Vec<Entry>> = BTreeMap::new();
    for (key, (text, occurrences)) in by_key {
        letters.entry(letter(&key)).or_default().push(Entry { text, occurrences });
    }
    letters
        .into_iter()
        .map(|(l, entries)| Section {
            id: format!("buchstabe-{}", l.to_lowercase().replace('#', "0")),
            letter: l,
            entries,
        })
        .collect()
}

/// The A–Z list of `sections` as the built-in `az.html` renders it, written
/// directly: on a large site the index pages have hundreds of thousands of
/// entries, and converting them into template values and rendering them took
/// most of a scoped rebuild. Used only while the theme overrides neither
/// `az.html` nor the pages that include it (`Data::fast_az`); a test renders
/// both ways and compares the bytes.
#[cfg(test)]
fn az_html(sections: &[Section], letters_label: &str, root: &str) -> String {
    let mut out = String::new();
    write_az(&mut out, sections, letters_label, root);
    out
}

/// An A–Z list to be written into its page's bytes ([`AZ_PLACE`]).
pub struct AzList<'a> {
    sections: Vec<Section<'a>>,
    label: &'a str,
    /// The way from the page to the site's root.
    root: String,
}

impl AzList<'_> {
    /// `page` with the list in place of [`AZ_PLACE`], written into one
    /// buffer sized ahead: the list of all items of a large site is tens of
    /// megabytes, and neither a copy of it nor a buffer growing by doubling
    /// is held beside the page.
    pub fn splice(&self, page: Vec<u8>) -> Vec<u8> {
        let Some(at) = memchr::memmem::find(&page, AZ_PLACE.as_bytes()) else { return page };
        let mut out = String::with_capacity(page.len() + az_estimate(&self.sections, &self.root));
        // A template's page is UTF-8 (see `Theme::render`): nothing is replaced.
        out.push_str(&String::from_utf8_lossy(&page[..at]));
        write_az(&mut out, &self.sections, self.label, &self.root);
        out.push_str(&String::from_utf8_lossy(&page[at + AZ_PLACE.len()..]));
        out.into_bytes()
    }
}

/// The A–Z list of `sections` on a page whose way to the site's root is `root`.
fn write_az(out: &mut String, sections: &[Section], letters_label: &str, root: &str) {
    out.push_str("\n<nav class=\"az\" aria-label=\"");
    escape_into(out, letters_label);
    out.push_str("\"><ul>");
    for s in sections {
        out.push_str("<li><a href=\"#");
        escape_into(out, &s.id);
        out.push_str("\">");
        escape_into(out, &s.letter);
        out.push_str("</a></li>");
    }
    out.push_str("</ul></nav>\n");
    for s in sections {
        out.push_str("\n<section aria-labelledby=\"");
        escape_into(out, &s.id);
        out.push_str("\">\n<h2 id=\"");
        escape_into(out, &s.id);
        out.push_str("\">");
        escape_into(out, &s.letter);
        out.push_str("</h2>\n<dl class=\"index\">\n");
        for e in &s.entries {
            out.push_str("\n  <dt>");
            escape_into(out, e.text);
            out.push_str("</dt>\n  <dd><ul>");
            for o in &e.occurrences {
                out.push_str("<li><a href=\"");
                for part in o.url_parts(root) {
                    escape_into(out, part);
                }
                out.push_str("\">");
                escape_into(out, &o.c.short_title);
                out.push_str(" M");
                out.push_str(&o.m.number.value.to_string());
                out.push_str("</a> <span class=\"aside\">");
                escape_into(out, &o.m.title);
                out.push_str(" · ");
                escape_into(out, o.dimension);
                out.push_str("</span></li>");
            }
            out.push_str("</ul></dd>\n");
        }
        out.push_str("\n</dl>\n</section>\n");
    }
    out.push('\n');
}

/// The length of [`write_az`]'s list before escaping, with some room for it
/// (capacity never touched is not resident memory).
fn az_estimate(sections: &[Section], root: &str) -> usize {
    let occurrence = |o: &Occurrence| {
        90 + root.len()
            + o.c.id.len()
            + o.m.id.len()
            + o.anchor.len()
            + o.c.short_title.len()
            + o.m.title.len()
            + o.dimension.len()
    };
    let entry = |e: &Entry| 40 + e.text.len() + e.occurrences.iter().map(occurrence).sum::<usize>();
    let section = |s: &Section| 150 + 3 * (s.id.len() + s.letter.len()) + s.entries.iter().map(entry).sum::<usize>();
    let plain: usize = 100 + sections.iter().map(section).sum::<usize>();
    plain + plain / 8
}

/// The sort keys of one curriculum's DQR items: (module, dimension, item, key),
/// in source order.
pub type CurriculumKeys = Vec<(usize, usize, usize, String)>;

/// The [`CurriculumKeys`] of every curriculum, by curriculum index: computed
/// once per build (the index pages only filter them), and by `serve` only for
/// the curricula an edit changed.
pub type CompetencyKeys = Vec<std::sync::Arc<CurriculumKeys>>;

fn curriculum_keys(c: &Curriculum) -> CurriculumKeys {
    let mut v = Vec::new();
    for (mi, m) in c.modules.iter().enumerate() {
        for (di, d) in Dimension::ALL.iter().enumerate() {
            for (ii, it) in m.competencies.get(*d).iter().enumerate() {
                v.push((mi, di, ii, sort_key(&it.text)));
            }
        }
    }
    v
}

/// The keys of every curriculum: those of `previous` (by curriculum id) where
/// `unchanged` says so (by index), the others computed again, in parallel.
pub fn competency_keys(
    site: &Site,
    previous: &std::collections::HashMap<String, std::sync::Arc<CurriculumKeys>>,
    unchanged: impl Fn(usize) -> bool + Sync,
) -> CompetencyKeys {
    use rayon::prelude::*;
    site.curricula
        .par_iter()
        .enumerate()
        .map(|(ci, c)| match previous.get(&c.id) {
            Some(k) if unchanged(ci) => std::sync::Arc::clone(k),
            _ => std::sync::Arc::new(curriculum_keys(c)),
        })
        .collect()
}

/// Where the A–Z list written directly goes: the templates insert
/// `body.az` there, and the page's bytes get the list in its place
/// ([`super::views::PageContext::insert`]). Escaped text cannot contain `<`,
/// so nothing else on the page reads like it.
pub const AZ_PLACE: &str = "<!--curricula:a-z-->";

/// The body of a competency page, ready for the template.
#[derive(Serialize)]
struct CompetencyPage<'a> {
    /// Empty when the list is written directly (`az` is then [`AZ_PLACE`]).
    sections: Vec<SectionView<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    az: Option<&'static str>,
    filters: Vec<Value>,
    count: usize,
    distinct: usize,
}

/// The sections as the template lists them, or (with the built-in templates)
/// none: they then go to `insert`, to be written directly where the template
/// puts `az` ([`AZ_PLACE`]).
fn az_or_views<'s, 'a>(
    data: &'a Data,
    sections: &'s mut Vec<Section<'a>>,
    links: &Links,
    insert: &mut Option<AzList<'a>>,
) -> (Vec<SectionView<'s>>, Option<&'static str>) {
    if data.fast_az {
        let label = i18n::strings(data.site.config.language)["letters"];
        *insert = Some(AzList { sections: std::mem::take(sections), label, root: links.root.clone() });
        (Vec::new(), Some(AZ_PLACE))
    } else {
        (section_views(sections, &links.root), None)
    }
}

/// The body of a competency page; its A–Z list may go to `insert` ([`az_or_views`]).
pub fn competencies<'a>(data: &'a Data, filter: Filter, links: &Links, insert: &mut Option<AzList<'a>>) -> tera::Value {
    let site = data.site;
    let t = i18n::strings(site.config.language);
    // A curriculum's page reads only its own keys: each of its pages costs its
    // own items, not the site's.
    let curricula = match filter {
        Filter::Curriculum(k) => k..k + 1,
        _ => 0..data.competency_keys.len(),
    };
    let keys = curricula.filter_map(|ci| data.competency_keys.get(ci).map(|k| (ci, k)));
    let mut count = 0;
    let entries = keys
        .flat_map(|(ci, k)| k.iter().map(move |x| (ci, x)))
        .filter(|(_, (_, di, _, _))| match filter {
            Filter::All | Filter::Curriculum(_) => true,
            Filter::Dimension(k) => k == *di,
        })
        .map(|(ci, (mi, di, ii, key))| {
            count += 1;
            let (c, d) = (&site.curricula[ci], Dimension::ALL[*di]);
            let m = &c.modules[*mi];
            let it = &m.competencies.get(d)[*ii];
            (Cow::Borrowed(key.as_str()), it.text.as_str(), occurrence(c, m, it, t[d.key()]))
        });
    let mut sections = grouped(entries);
    let distinct: usize = sections.iter().map(|s| s.entries.len()).sum();
    // Beyond the header's limit of curricula, only the page of all items
    // lists every curriculum's page; the others link to it, the dimensions
    // and their own curriculum (every page would otherwise grow with the site).
    let listed = |f: &Filter| {
        site.curricula.len() <= super::views::NAV_LIMIT
            || filter == Filter::All
            || !matches!(f, Filter::Curriculum(_))
            || *f == filter
    };
    let filters: Vec<Value> = Filter::all(site)
        .into_iter()
        .filter(listed)
        .map(|f| {
            let label = match f {
                Filter::All => t["all"].to_string(),
                Filter::Dimension(d) => t[Dimension::ALL[d].key()].to_string(),
                Filter::Curriculum(c) => site.curricula[c].short_title.clone(),
            };
            let kind = match f {
                Filter::All => "all",
                Filter::Dimension(_) => "dimension",
                Filter::Curriculum(_) => "curriculum",
            };
            json!({"label": label, "kind": kind, "url": links.to(&format!("kompetenzen/{}", f.segment(site))), "current": f == filter})
        })
        .collect();
    let (sections, az) = az_or_views(data, &mut sections, links, insert);
    tera::Value::from_serializable(&CompetencyPage { sections, az, filters, count, distinct })
}

/// The body of the methods page; its A–Z list may go to `insert` ([`az_or_views`]).
pub fn methods<'a>(data: &'a Data, links: &Links, insert: &mut Option<AzList<'a>>) -> Value {
    let site = data.site;
    let t = i18n::strings(site.config.language);
    let entries = site.curricula.iter().flat_map(|c| {
        c.modules.iter().flat_map(move |m| {
            m.methods
                .iter()
                .map(move |it| (Cow::Owned(sort_key(&it.text)), it.text.as_str(), occurrence(c, m, it, t["methods"])))
        })
    });
    let mut sections = grouped(entries);
    let matrices: Vec<Value> = site
        .curricula
        .iter()
        .map(|c| {
            let mut rows: BTreeMap<String, (String, Vec<bool>)> = BTreeMap::new();
            for (mi, m) in c.modules.iter().enumerate() {
                for it in &m.methods {
                    let row = rows.entry(sort_key(&it.text)).or_insert_with(|| (it.text.clone(), vec![false; c.modules.len()]));
                    row.1[mi] = true;
                }
            }
            json!({
                "short": c.short_title,
                "modules": c.modules.iter().map(|m| json!({"label": format!("M{}", m.number.value), "title": m.title, "url": links.module(c, m)})).collect::<Vec<_>>(),
                "rows": rows.into_values().map(|(text, cells)| json!({"text": text, "cells": cells, "count": cells.iter().filter(|x| **x).count()})).collect::<Vec<_>>(),
            })
        })
        .collect();
    let (sections, az) = az_or_views(data, &mut sections, links, insert);
    json!({"sections": sections, "az": az, "matrices": matrices})
}

pub fn fields(data: &Data, links: &Links) -> Value {
    let curricula: Vec<Value> = data
        .site
        .curricula
        .iter()
        .map(|c| {
            let fields = super::views::fields_view(c, links, &format!("{}-", c.id));
            json!({"short": c.short_title, "title": c.title, "url": links.curriculum(c), "fields": fields})
        })
        .collect();
    json!({"curricula": curricula})
}

pub fn phases(data: &Data, links: &Links) -> Value {
    let site = data.site;
    let phases: Vec<Value> = site
        .glossary
        .phases
        .iter()
        .map(|p| json!({"id": p.id, "title": p.title, "aliases": p.aliases.join(", "), "description": p.description}))
        .collect();
    let matrices: Vec<Value> = site
        .curricula
        .iter()
        .map(|c| {
            let rows: Vec<Value> = site
                .glossary
                .phases
                .iter()
                .map(|p| {
                    let cells: Vec<bool> = c.modules.iter().map(|m| m.phases.iter().any(|x| x.value == p.id)).collect();
                    json!({"id": p.id, "title": p.title, "cells": cells})
                })
                .collect();
            json!({
                "short": c.short_title,
                "modules": c.modules.iter().map(|m| json!({"label": format!("M{}", m.number.value), "title": m.title, "url": links.module(c, m)})).collect::<Vec<_>>(),
                "rows": rows,
            })
        })
        .collect();
    json!({"phases": phases, "matrices": matrices})
}

pub fn glossary(data: &Data) -> Value {
    let site = data.site;
    let mut terms: Vec<&crate::model::Term> = site.glossary.terms.iter().collect();
    terms.sort_by_key(|t| sort_key(&t.term));
    let terms: Vec<Value> = terms
        .iter()
        .map(|t| {
            json!({
                "id": crate::search::term_anchor(&t.term), "term": t.term, "aliases": t.aliases.join(", "),
                "definition": crate::markdown::render_inline(&t.definition, site.config.allow_raw_html),
            })
        })
        .collect();
    let phases: Vec<Value> = site
        .glossary
        .phases
        .iter()
        .map(|p| json!({"id": format!("phase-{}", p.id), "title": p.title, "aliases": p.aliases.join(", "), "description": p.description}))
        .collect();
    json!({"terms": terms, "phases": phases})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_a_to_z_list_written_directly_equals_az_html() {
        let texts = ["Äpfel & <Birnen>", "„Zitat“ mit \"Anführung\" und 'Apostroph'", "Ölzeug"];
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut site = crate::load::load_site(root).site;
        // Every part of an occurrence written with what needs escaping.
        let (c, m) = (&mut site.curricula[0], 0);
        c.short_title = "K&T <1>".into();
        c.modules[m].title = texts[1].into();
        c.modules[m].id = "m&1".into();
        let site = site;
        let (c, m) = (&site.curricula[0], &site.curricula[0].modules[0]);
        let (other, n) = (&site.curricula[1], &site.curricula[1].modules[1]);
        let entries = |t: &'static str| Entry {
            text: t,
            occurrences: vec![
                Occurrence { c, m, anchor: "a&b\"", dimension: "Wissen & <mehr>" },
                Occurrence { c: other, m: n, anchor: "x", dimension: "Methoden" },
            ],
        };
        let sections = vec![
            Section {
                letter: "A".into(),
                id: "buchstabe-a".into(),
                entries: vec![entries(texts[0]), entries(texts[1])],
            },
            Section { letter: "#".into(), id: "buchstabe-0".into(), entries: vec![entries(texts[2])] },
        ];
        let dir = tempfile::tempdir().unwrap();
        let theme = super::super::Theme::load(dir.path(), "default").unwrap();
        let template = |sections: &[Section], letters: &str, root: &str| {
            let ctx = super::super::views::PageContext {
                frame: json!({}),
                body: tera::Value::from_serializable(&json!({ "sections": section_views(sections, root) })),
                t: tera::Value::from_serializable(&json!({ "letters": letters })),
                insert: None,
            };
            String::from_utf8(theme.render("az.html", ctx).unwrap()).unwrap()
        };
        let direct = az_html(&sections, "Buchstaben & Zeichen", "../../");
        assert!(direct.contains("../../kit/m&amp;1/index.html#a&amp;b&quot;"), "{direct}");
        assert_eq!(direct, template(&sections, "Buchstaben & Zeichen", "../../"));
        assert_eq!(az_html(&[], "x", ""), template(&[], "x", ""));
    }
}
