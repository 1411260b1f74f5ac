//! The file formats as serde sees them: one struct per YAML document, every
//! mapping `deny_unknown_fields`, references wrapped in [`Spanned`] so that
//! validation can point at them. Converted into `crate::model` by the loader.

use crate::yaml::Spanned;
use indexmap::IndexMap;
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use std::fmt;

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct SiteFile {
    pub title: String,
    #[serde(default)]
    pub base_url: Option<String>,
    #[serde(default)]
    pub language: Option<LangRaw>,
    #[serde(default)]
    pub theme: Option<String>,
    #[serde(default)]
    pub order: Vec<Spanned<String>>,
    #[serde(default)]
    pub allow_raw_html: bool,
    /// Prefix of "edit this file" links, e.g. `https://github.com/org/repo/edit/main/`.
    #[serde(default)]
    pub repository: Option<String>,
}

#[derive(Deserialize, Debug, Clone, Copy)]
#[serde(rename_all = "lowercase")]
pub enum LangRaw {
    De,
    En,
}

#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
pub struct GlossaryFile {
    #[serde(default)]
    pub phases: Vec<PhaseRaw>,
    #[serde(default)]
    pub terms: Vec<TermRaw>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct PhaseRaw {
    pub id: Spanned<String>,
    pub title: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub description: Option<String>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct TermRaw {
    pub term: String,
    pub definition: String,
    #[serde(default)]
    pub aliases: Vec<String>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct CurriculumFile {
    pub title: String,
    #[serde(default)]
    pub short_title: Option<String>,
    #[serde(default)]
    pub issuer: Option<String>,
    #[serde(default)]
    pub edition: Option<String>,
    #[serde(default)]
    pub dqr_level: Option<u8>,
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub units: IndexMap<String, Spanned<f64>>,
    #[serde(default)]
    pub formats: IndexMap<String, FormatRaw>,
    #[serde(default)]
    pub kinds: IndexMap<String, String>,
    #[serde(default)]
    pub fields: Vec<FieldRaw>,
    #[serde(default)]
    pub declared: Option<DeclaredRaw>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct FormatRaw {
    pub label: String,
    pub mode: ModeRaw,
    #[serde(default)]
    pub kind: Option<Spanned<String>>,
}

#[derive(Deserialize, Debug, Clone, Copy)]
#[serde(rename_all = "lowercase")]
pub enum ModeRaw {
    Presence,
    Online,
    Either,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct FieldRaw {
    pub id: Spanned<String>,
    pub label: String,
    pub title: String,
    #[serde(default)]
    pub level: Option<String>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct DeclaredRaw {
    #[serde(default)]
    pub total: Option<Spanned<AmountRaw>>,
    #[serde(default)]
    pub by_format: IndexMap<String, Spanned<f64>>,
    #[serde(default)]
    pub by_kind: IndexMap<String, Spanned<f64>>,
    #[serde(default)]
    pub presence: Option<Spanned<[f64; 2]>>,
    #[serde(default)]
    pub online: Option<Spanned<[f64; 2]>>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct AmountRaw {
    pub amount: f64,
    pub unit: Spanned<String>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct ModuleFile {
    pub number: Spanned<i64>,
    pub title: String,
    #[serde(default)]
    pub kind: Option<Spanned<String>>,
    #[serde(default)]
    pub fields: Vec<Spanned<String>>,
    #[serde(default)]
    pub phases: Vec<Spanned<String>>,
    #[serde(default)]
    pub topics: Option<String>,
    #[serde(default)]
    pub workload: Vec<Spanned<WorkloadRaw>>,
    #[serde(default)]
    pub competencies: Option<CompetenciesRaw>,
    #[serde(default)]
    pub methods: Vec<Spanned<ItemRaw>>,
    #[serde(default)]
    pub work_package: Option<WorkPackageRaw>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct WorkloadRaw {
    pub format: Spanned<OneOrMany>,
    pub amount: f64,
    pub unit: Spanned<String>,
    #[serde(default)]
    pub topic: Option<String>,
}

/// `format: P` or `format: [P, O]`.
#[derive(Deserialize, Debug)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
pub struct CompetenciesRaw {
    #[serde(default)]
    pub wissen: Vec<Spanned<ItemRaw>>,
    #[serde(default)]
    pub fertigkeiten: Vec<Spanned<ItemRaw>>,
    #[serde(default)]
    pub sozialkompetenz: Vec<Spanned<ItemRaw>>,
    #[serde(default)]
    pub selbststaendigkeit: Vec<Spanned<ItemRaw>>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct WorkPackageRaw {
    #[serde(default)]
    pub group: Option<String>,
    #[serde(default)]
    pub intro: Option<String>,
    pub title: String,
    #[serde(default)]
    pub tasks: Vec<String>,
}

/// A list item: a plain string, or `{text, id?, note?}`.
#[derive(Debug)]
pub struct ItemRaw {
    pub text: String,
    pub id: Option<String>,
    pub note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ItemMap {
    text: String,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    note: Option<String>,
}

impl<'de> Deserialize<'de> for ItemRaw {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ItemRaw;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a text, or a mapping with `text` and optional `id` and `note`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ItemRaw, E> {
                Ok(ItemRaw { text: v.to_string(), id: None, note: None })
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<ItemRaw, A::Error> {
                let m = ItemMap::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(ItemRaw { text: m.text, id: m.id, note: m.note })
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct PageFile {
    pub title: String,
    #[serde(default)]
    pub weight: i64,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct ComparisonFile {
    pub title: String,
    pub left: Spanned<String>,
    pub right: Spanned<String>,
    #[serde(default)]
    pub pairs: Vec<Spanned<PairRaw>>,
    #[serde(default)]
    pub synonyms: Vec<Vec<String>>,
    #[serde(default)]
    pub matches: Vec<MatchRaw>,
    #[serde(default)]
    pub threshold: Option<f64>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct PairRaw {
    pub left: Vec<Spanned<String>>,
    pub right: Vec<Spanned<String>>,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct MatchRaw {
    pub left: Spanned<String>,
    pub right: Spanned<String>,
    pub relation: RelationRaw,
}

#[derive(Deserialize, Debug, Clone, Copy)]
#[serde(rename_all = "lowercase")]
pub enum RelationRaw {
    Equivalent,
    Related,
    Different,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct RuleFile {
    pub title: String,
    pub source: String,
    pub version: String,
    pub unit: RuleUnitRaw,
    #[serde(default)]
    pub applies_to: Vec<Spanned<String>>,
    pub requirements: Vec<Spanned<RequirementRaw>>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct RuleUnitRaw {
    pub name: String,
    pub minutes: Spanned<f64>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct RequirementRaw {
    pub id: Spanned<String>,
    pub text: String,
    pub measure: MeasureRaw,
    #[serde(default)]
    pub formats: Vec<Spanned<String>>,
    #[serde(default)]
    pub exclude_formats: Vec<Spanned<String>>,
    #[serde(default)]
    pub kinds: Vec<Spanned<String>>,
    #[serde(default)]
    pub min: Option<f64>,
    #[serde(default)]
    pub max: Option<f64>,
    #[serde(default)]
    pub equals: Option<f64>,
}

#[derive(Deserialize, Debug, Clone, Copy)]
#[serde(rename_all = "lowercase")]
pub enum MeasureRaw {
    Total,
    Presence,
    Online,
}
