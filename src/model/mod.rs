//! The content model: what a site *is*, independent of files and HTML.
//!
//! Everything here is pure data plus pure computations over it (the workload
//! ledger in [`ledger`], validation in [`check`]). Loading fills these types from
//! files (see `crate::load`); rendering reads them. Keeping I/O and templates out
//! is what lets most behaviour be unit-tested on small hand-built values.

pub mod check;
pub mod ledger;

use crate::diag::Pos;
use indexmap::IndexMap;
use serde::Serialize;

/// A value together with where the author wrote it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct At<T> {
    pub value: T,
    #[serde(skip)]
    pub pos: Option<Pos>,
}

impl<T> At<T> {
    pub fn new(value: T, pos: Option<Pos>) -> Self {
        At { value, pos }
    }
    pub fn bare(value: T) -> Self {
        At { value, pos: None }
    }
}

/// UI language of the built-in theme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    De,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::De => "de",
            Lang::En => "en",
        }
    }
}

/// Settings from `site.yaml`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SiteConfig {
    pub title: String,
    /// Always ends with `/`; used for absolute URLs (canonical links, sitemap).
    pub base_url: String,
    pub language: Lang,
    pub theme: String,
    pub order: Vec<At<String>>,
    pub allow_raw_html: bool,
    /// Prefix of "edit this file" links (the file's path is appended).
    pub repository: Option<String>,
}

impl Default for SiteConfig {
    fn default() -> Self {
        SiteConfig {
            title: "Curricula".into(),
            base_url: "/".into(),
            language: Lang::De,
            theme: "default".into(),
            order: Vec::new(),
            allow_raw_html: false,
            repository: None,
        }
    }
}

/// A phase of the case-management process, shared by all curricula.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Phase {
    pub id: String,
    pub title: String,
    pub aliases: Vec<String>,
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Term {
    pub term: String,
    pub definition: String,
    pub aliases: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Glossary {
    pub phases: Vec<Phase>,
    pub terms: Vec<Term>,
}

/// Whether a delivery format takes place in presence, online, or either way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Presence,
    Online,
    Either,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Format {
    pub label: String,
    pub mode: Mode,
    /// Workload in this format counts towards this kind whatever the module's
    /// kind is (ErwU: LG and SV form the "Transfer" part of every module).
    pub kind: Option<At<String>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Field {
    pub id: String,
    pub label: String,
    pub title: String,
    pub level: Option<String>,
}

/// An amount of workload in a named unit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Amount {
    pub amount: f64,
    pub unit: At<String>,
}

/// Totals the source document states, to be checked against the modules.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Declared {
    pub total: Option<At<Amount>>,
    pub by_format: Vec<At<(String, f64)>>,
    pub by_kind: Vec<At<(String, f64)>>,
    pub presence: Option<At<(f64, f64)>>,
    pub online: Option<At<(f64, f64)>>,
}

/// The four DQR dimensions, in the order the sources list them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Dimension {
    Wissen,
    Fertigkeiten,
    Sozialkompetenz,
    Selbststaendigkeit,
}

impl Dimension {
    pub const ALL: [Dimension; 4] =
        [Dimension::Wissen, Dimension::Fertigkeiten, Dimension::Sozialkompetenz, Dimension::Selbststaendigkeit];

    /// The key used in front matter and in anchors.
    pub fn key(self) -> &'static str {
        match self {
            Dimension::Wissen => "wissen",
            Dimension::Fertigkeiten => "fertigkeiten",
            Dimension::Sozialkompetenz => "sozialkompetenz",
            Dimension::Selbststaendigkeit => "selbststaendigkeit",
        }
    }
}

/// One entry of a DQR list or of the learning methods.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Item {
    pub text: String,
    /// The author's explicit anchor, if any.
    pub id: Option<String>,
    pub note: Option<String>,
    /// The anchor on the module page; unique within the page (see [`assign_anchors`]).
    pub anchor: String,
    #[serde(skip)]
    pub pos: Option<Pos>,
}

impl Item {
    pub fn new(text: impl Into<String>) -> Self {
        Item { text: text.into(), id: None, note: None, anchor: String::new(), pos: None }
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Competencies {
    pub wissen: Vec<Item>,
    pub fertigkeiten: Vec<Item>,
    pub sozialkompetenz: Vec<Item>,
    pub selbststaendigkeit: Vec<Item>,
}

impl Competencies {
    pub fn get(&self, d: Dimension) -> &[Item] {
        match d {
            Dimension::Wissen => &self.wissen,
            Dimension::Fertigkeiten => &self.fertigkeiten,
            Dimension::Sozialkompetenz => &self.sozialkompetenz,
            Dimension::Selbststaendigkeit => &self.selbststaendigkeit,
        }
    }

    pub fn get_mut(&mut self, d: Dimension) -> &mut Vec<Item> {
        match d {
            Dimension::Wissen => &mut self.wissen,
            Dimension::Fertigkeiten => &mut self.fertigkeiten,
            Dimension::Sozialkompetenz => &mut self.sozialkompetenz,
            Dimension::Selbststaendigkeit => &mut self.selbststaendigkeit,
        }
    }

    pub fn total(&self) -> usize {
        Dimension::ALL.iter().map(|d| self.get(*d).len()).sum()
    }
}

/// One line of a module's workload: an amount in one format, or in one of
/// several ("P oder O").
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Workload {
    pub formats: Vec<At<String>>,
    pub amount: f64,
    pub unit: At<String>,
    pub topic: Option<String>,
    #[serde(skip)]
    pub pos: Option<Pos>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct WorkPackage {
    pub group: Option<String>,
    pub intro: Option<String>,
    pub title: String,
    pub tasks: Vec<String>,
}

/// The sections of a module body that the format knows by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KnownSection {
    Kompetenzbeschreibung,
    BeruflicheHandlung,
}

impl KnownSection {
    /// Recognises the German heading and its English alias.
    pub fn from_heading(h: &str) -> Option<Self> {
        match h.trim().to_lowercase().as_str() {
            "kompetenzbeschreibung" | "competence description" => Some(KnownSection::Kompetenzbeschreibung),
            "berufliche handlung" | "professional action" => Some(KnownSection::BeruflicheHandlung),
            _ => None,
        }
    }
}

/// An H2 section of a module or page body, as Markdown source.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Section {
    pub title: String,
    pub known: Option<KnownSection>,
    pub markdown: String,
    /// 1-based line in the file where the section's body starts.
    pub line: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Module {
    pub id: String,
    pub file: String,
    pub number: At<i64>,
    pub title: String,
    pub kind: Option<At<String>>,
    pub fields: Vec<At<String>>,
    pub phases: Vec<At<String>>,
    pub topics: Option<String>,
    pub workload: Vec<Workload>,
    pub competencies: Competencies,
    pub methods: Vec<Item>,
    pub work_package: Option<WorkPackage>,
    /// Markdown before the first H2, if any.
    pub preamble: String,
    pub sections: Vec<Section>,
}

impl Module {
    pub fn section(&self, known: KnownSection) -> Option<&Section> {
        self.sections.iter().find(|s| s.known == Some(known))
    }

    /// Its items by list: the four dimensions in [`Dimension::ALL`] order,
    /// then the learning methods.
    pub fn item_lists(&self) -> [&[Item]; 5] {
        let [a, b, c, d] = Dimension::ALL.map(|d| self.competencies.get(d));
        [a, b, c, d, &self.methods]
    }
}

/// A chapter that is not a module (foreword, foundations, certification …).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Page {
    pub id: String,
    pub file: String,
    pub title: String,
    pub weight: i64,
    pub markdown: String,
    /// 1-based line where the Markdown body starts.
    pub body_line: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Curriculum {
    pub id: String,
    pub file: String,
    pub title: String,
    pub short_title: String,
    pub issuer: Option<String>,
    pub edition: Option<String>,
    pub dqr_level: Option<u8>,
    pub source: Option<String>,
    pub description: Option<String>,
    /// Minutes per unit, in the author's order.
    pub units: IndexMap<String, f64>,
    pub formats: IndexMap<String, Format>,
    pub kinds: IndexMap<String, String>,
    pub fields: Vec<Field>,
    pub declared: Option<Declared>,
    /// Sorted by module number.
    pub modules: Vec<Module>,
    /// Sorted by weight, then id.
    pub pages: Vec<Page>,
    /// Some of its files failed to load: totals and references into it are not
    /// checked, since they would only repeat the load errors.
    pub incomplete: bool,
    /// The fingerprint of everything its pages are made from, set after
    /// loading ([`crate::inputs::stamp`]); 0 where not known.
    #[serde(skip)]
    pub inputs: u64,
}

impl Curriculum {
    pub fn module(&self, id: &str) -> Option<&Module> {
        self.modules.iter().find(|m| m.id == id)
    }

    pub fn item_count(&self, d: Dimension) -> usize {
        self.modules.iter().map(|m| m.competencies.get(d).len()).sum()
    }
}

/// How the authors judge a pair of items, overriding automatic matching.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Relation {
    Equivalent,
    Related,
    Different,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pair {
    pub left: Vec<At<String>>,
    pub right: Vec<At<String>>,
    pub note: Option<String>,
    #[serde(skip)]
    pub pos: Option<Pos>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Match {
    /// `"<module>: <item text>"`.
    pub left: At<String>,
    pub right: At<String>,
    pub relation: Relation,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    pub id: String,
    pub file: String,
    pub title: String,
    pub left: At<String>,
    pub right: At<String>,
    pub pairs: Vec<Pair>,
    pub synonyms: Vec<Vec<String>>,
    pub matches: Vec<Match>,
    /// Fuzzy-match threshold in 0..1 for "similar" rows.
    pub threshold: Option<f64>,
}

/// What a requirement measures: the exact sum, or the presence/online range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Measure {
    Total,
    Presence,
    Online,
}

/// One requirement on workload figures, e.g. "at least 96 UE of the
/// foundations in presence".
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Requirement {
    pub id: String,
    pub text: String,
    pub measure: Measure,
    /// Only workload lines all of whose formats are listed (any id, in any curriculum).
    pub formats: Vec<At<String>>,
    /// Lines with any of these formats are left out.
    pub exclude_formats: Vec<At<String>>,
    /// Only lines that count towards one of these kinds.
    pub kinds: Vec<At<String>>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub equals: Option<f64>,
    #[serde(skip)]
    pub pos: Option<Pos>,
}

/// A set of rules from `content/rules/<id>.yaml`, e.g. a guideline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleSet {
    pub id: String,
    pub file: String,
    pub title: String,
    pub source: String,
    pub version: String,
    /// The unit the figures are stated in, and its length in minutes.
    pub unit: String,
    pub unit_minutes: f64,
    /// Curricula the rules are evaluated for; empty means all.
    pub applies_to: Vec<At<String>>,
    pub requirements: Vec<Requirement>,
}

/// Everything a site consists of, loaded and normalised.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Site {
    pub config: SiteConfig,
    pub glossary: Glossary,
    /// In `order`, then by id.
    pub curricula: Vec<Curriculum>,
    pub comparisons: Vec<Comparison>,
    pub rules: Vec<RuleSet>,
    /// Site-wide pages with a fixed place: Leichte Sprache and the accessibility
    /// statement (`content/<id>.md`), in [`SITE_PAGES`] order.
    pub site_pages: Vec<Page>,
    /// Curricula whose folder exists but whose curriculum.yaml could not be
    /// loaded: references to them are not reported again.
    pub unloadable: Vec<String>,
}

/// The ids of the site-wide pages the content format knows, in footer order.
pub const SITE_PAGES: [&str; 2] = ["leichte-sprache", "barrierefreiheit"];

impl Site {
    pub fn curriculum(&self, id: &str) -> Option<&Curriculum> {
        self.curricula.iter().find(|c| c.id == id)
    }

    /// Every module as (curriculum index, module index).
    pub fn module_places(&self) -> Vec<(usize, usize)> {
        self.curricula.iter().enumerate().flat_map(|(ci, c)| (0..c.modules.len()).map(move |mi| (ci, mi))).collect()
    }
}

/// Gives every item of a module a page-unique anchor: the explicit id, else
/// `<dimension>-<slug of text>`; a repeated anchor gets `-2`, `-3` … in source order.
/// Derived from the item alone, an anchor survives reordering and edits elsewhere.
pub fn assign_anchors(module: &mut Module) {
    let mut seen: rustc_hash::FxHashMap<String, usize> = Default::default();
    let mut unique = |base: String| -> String {
        let n = seen.entry(base.clone()).or_insert(0);
        *n += 1;
        if *n == 1 { base } else { format!("{base}-{n}") }
    };
    for d in Dimension::ALL {
        for item in module.competencies.get_mut(d) {
            item.anchor = unique(anchor_base(d.key(), item));
        }
    }
    for item in &mut module.methods {
        item.anchor = unique(anchor_base("methode", item));
    }
}

fn anchor_base(prefix: &str, item: &Item) -> String {
    match &item.id {
        Some(id) => id.clone(),
        None => {
            let slug = crate::text::slugify(&item.text, 60);
            if slug.is_empty() { prefix.to_string() } else { format!("{prefix}-{slug}") }
        }
    }
}

#[cfg(test)]
pub(crate) mod testutil {
    use super::*;

    /// A minimal module for tests: number, workload lines and items.
    pub fn module(id: &str, number: i64) -> Module {
        Module {
            id: id.into(),
            file: format!("content/c/modules/{id}.md"),
            number: At::bare(number),
            title: format!("Modul {number}"),
            kind: None,
            fields: vec![],
            phases: vec![],
            topics: None,
            workload: vec![],
            competencies: Competencies::default(),
            methods: vec![],
            work_package: None,
            preamble: String::new(),
            sections: vec![],
        }
    }

    pub fn workload(formats: &[&str], amount: f64, unit: &str) -> Workload {
        Workload {
            formats: formats.iter().map(|f| At::bare(f.to_string())).collect(),
            amount,
            unit: At::bare(unit.into()),
            topic: None,
            pos: None,
        }
    }

    pub fn curriculum(id: &str, modules: Vec<Module>) -> Curriculum {
        let mut units = IndexMap::new();
        units.insert("UE".to_string(), 45.0);
        let mut formats = IndexMap::new();
        for (k, mode) in [("P", Mode::Presence), ("O", Mode::Online), ("LG", Mode::Online), ("SV", Mode::Either)] {
            formats.insert(k.to_string(), Format { label: k.into(), mode, kind: None });
        }
        Curriculum {
            id: id.into(),
            file: format!("content/{id}/curriculum.yaml"),
            title: id.to_uppercase(),
            short_title: id.to_uppercase(),
            issuer: None,
            edition: None,
            dqr_level: None,
            source: None,
            description: None,
            units,
            formats,
            kinds: IndexMap::new(),
            fields: vec![],
            declared: None,
            modules,
            pages: vec![],
            incomplete: false,
            inputs: 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_are_derived_unique_and_order_independent() {
        let mut m = testutil::module("m1", 1);
        m.competencies.wissen = vec![Item::new("Übung/Simulation"), Item::new("Übung / Simulation")];
        m.competencies.fertigkeiten = vec![Item::new("Präsentation")];
        let mut explicit = Item::new("Haupt- und Handlungsziele");
        explicit.id = Some("smart-ziele".into());
        m.competencies.sozialkompetenz = vec![explicit];
        m.methods = vec![Item::new("Vortrag")];
        assign_anchors(&mut m);
        assert_eq!(m.competencies.wissen[0].anchor, "wissen-uebung-simulation");
        assert_eq!(m.competencies.wissen[1].anchor, "wissen-uebung-simulation-2");
        assert_eq!(m.competencies.fertigkeiten[0].anchor, "fertigkeiten-praesentation");
        assert_eq!(m.competencies.sozialkompetenz[0].anchor, "smart-ziele");
        assert_eq!(m.methods[0].anchor, "methode-vortrag");

        // Reordering a list does not change the anchor of a distinct item.
        let mut r = m.clone();
        r.competencies.fertigkeiten.insert(0, Item::new("Neu"));
        assign_anchors(&mut r);
        assert_eq!(r.competencies.fertigkeiten[1].anchor, "fertigkeiten-praesentation");
    }

    #[test]
    fn known_sections_accept_english_aliases() {
        assert_eq!(KnownSection::from_heading("Kompetenzbeschreibung"), Some(KnownSection::Kompetenzbeschreibung));
        assert_eq!(KnownSection::from_heading("Professional action"), Some(KnownSection::BeruflicheHandlung));
        assert_eq!(KnownSection::from_heading("Literatur"), None);
    }
}
