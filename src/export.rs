//! Machine-readable exports: `data/<comparison>.json` and `.csv`.
//!
//! The JSON schema is documented in docs/exports.md and versioned by its
//! `schema` field; the CSV has one row per item row and starts with a BOM so
//! that spreadsheet programs read umlauts correctly.

use crate::compare::Relation;
use crate::compare::rules::{RuleResult, evaluate_all};
use crate::compare::{ComparisonResult, ItemSide};
use crate::model::Site;
use crate::model::ledger::ledger;
use crate::render::OutFile;
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// The schema identifier of comparison JSON files.
pub const COMPARISON_SCHEMA: &str = "curricula/comparison@1";

/// The absolute URL of an item anchor (base_url + module page + fragment).
fn item_url(site: &Site, curriculum: &str, s: &ItemSide) -> String {
    format!("{}{}/{}/#{}", site.config.base_url, curriculum, s.module, s.anchor)
}

// The exports are typed views serialized in one pass (a large site has
// hundreds of thousands of rows). Their fields are in the order of the keys'
// bytes, the order in which maps of JSON values wrote them before, so the
// files stay the same byte for byte; parts without many entries, and nested
// model types whose own field order is not sorted, still go through
// `serde_json::Value`. `typed_exports_write_the_keys_in_sorted_order` checks it.

/// One side of an item row.
#[derive(Serialize)]
struct SideJson<'a> {
    anchor: &'a str,
    dimension: &'a str,
    module: &'a str,
    position: usize,
    text: &'a str,
    url: String,
}

fn side_json<'a>(site: &Site, curriculum: &str, s: &'a Option<ItemSide>) -> Option<SideJson<'a>> {
    s.as_ref().map(|s| SideJson {
        anchor: &s.anchor,
        dimension: s.group,
        module: &s.module,
        position: s.position,
        text: &s.text,
        url: item_url(site, curriculum, s),
    })
}

fn ledger_json(site: &Site, id: &str) -> Value {
    let Some(c) = site.curriculum(id) else {
        return Value::Null;
    };
    let l = ledger(c);
    let fig = |f: &crate::model::ledger::Figures| {
        json!({
            "total_minutes": f.total,
            "by_format_minutes": f.by_format,
            "by_kind_minutes": f.by_kind,
            "presence_minutes": [f.presence.min, f.presence.max],
            "online_minutes": [f.online.min, f.online.max],
        })
    };
    json!({
        "curriculum": id,
        "unit": l.unit, "unit_minutes": l.unit_minutes, "units": c.units,
        "total": fig(&l.total),
        "modules": l.modules.iter().map(|(m, f)| json!({"module": m, "figures": fig(f)})).collect::<Vec<_>>(),
    })
}

/// Rule results for the two curricula of a comparison.
pub fn rule_results(site: &Site, r: &ComparisonResult) -> Vec<RuleResult> {
    [&r.left, &r.right].iter().filter_map(|id| site.curriculum(id)).flat_map(|c| evaluate_all(&site.rules, c)).collect()
}

#[derive(Serialize)]
struct RowJson<'a> {
    dimension_changed: bool,
    left: Option<SideJson<'a>>,
    manual: bool,
    relation: Relation,
    right: Option<SideJson<'a>>,
    score: f64,
}

#[derive(Serialize)]
struct SentenceJson<'a> {
    module: &'a str,
    relation: Relation,
    score: f64,
    section: &'a str,
    source: &'a Option<crate::compare::SourceRef>,
    text: &'a str,
}

#[derive(Serialize)]
struct PairJson<'a> {
    id: &'a str,
    left: &'a [String],
    note: &'a Option<String>,
    reuse_share: f64,
    right: &'a [String],
    rows: Vec<RowJson<'a>>,
    sentences: Vec<SentenceJson<'a>>,
}

#[derive(Serialize)]
struct ComparisonJson<'a> {
    flags: Value,
    id: &'a str,
    ledger: Value,
    left: &'a str,
    matrix: Value,
    overlap: Value,
    pairs: Vec<&'a serde_json::value::RawValue>,
    right: &'a str,
    rules: Value,
    schema: &'static str,
    threshold: f64,
    title: &'a str,
}

fn pair_json<'a>(site: &Site, r: &'a ComparisonResult, p: &'a crate::compare::PairResult) -> PairJson<'a> {
    let rows = p
        .tables
        .iter()
        .flat_map(|t| t.rows.iter())
        .map(|row| RowJson {
            dimension_changed: row.dimension_changed,
            left: side_json(site, &r.left, &row.left),
            manual: row.manual,
            relation: row.relation,
            right: side_json(site, &r.right, &row.right),
            score: row.score,
        })
        .collect();
    let sentences = p
        .prose
        .iter()
        .flat_map(|m| {
            m.sentences.iter().map(move |s| SentenceJson {
                module: &m.module,
                relation: s.relation,
                score: s.score,
                section: s.section,
                source: &s.source,
                text: &s.text,
            })
        })
        .collect();
    PairJson {
        id: &p.slug,
        left: &p.left,
        note: &p.note,
        reuse_share: (p.reuse_share * 1000.0).round() / 1000.0,
        right: &p.right,
        rows,
        sentences,
    }
}

/// A part as a JSON value, whose maps (also of nested types) write their keys sorted.
fn value(v: &impl Serialize) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

fn to_bytes(v: &impl Serialize) -> Vec<u8> {
    serde_json::to_vec(v).unwrap_or_else(|_| b"{}".to_vec())
}

/// The JSON export of one comparison, from its pairs' shares.
fn comparison_json_from(site: &Site, r: &ComparisonResult, shares: &[&PairExports]) -> Vec<u8> {
    to_bytes(&ComparisonJson {
        flags: value(&r.flags),
        id: &r.id,
        ledger: json!({"left": ledger_json(site, &r.left), "right": ledger_json(site, &r.right)}),
        left: &r.left,
        matrix: value(&r.matrix),
        overlap: value(&r.overlap),
        pairs: shares.iter().map(|s| &*s.json).collect(),
        right: &r.right,
        rules: value(&rule_results(site, r)),
        schema: COMPARISON_SCHEMA,
        threshold: r.threshold,
        title: &r.title,
    })
}

/// The JSON export of one comparison.
pub fn comparison_json(site: &Site, r: &ComparisonResult) -> Vec<u8> {
    let shares = pair_shares(site, r);
    comparison_json_from(site, r, &shares.iter().collect::<Vec<_>>())
}

/// Quotes a CSV field when needed (RFC 4180).
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
}

/// The header of a comparison's CSV export (after the byte order mark).
const COMPARISON_CSV_HEADER: &str = "pair,dimension,relation,score,dimension_changed,manual,left_module,left_dimension,left_position,left_text,left_url,right_module,right_dimension,right_position,right_text,right_url\r\n";

/// The CSV lines of pair `p` of comparison `r`: one per item row.
fn pair_csv(site: &Site, r: &ComparisonResult, p: &crate::compare::PairResult) -> String {
    let mut out = String::new();
    for t in &p.tables {
        for row in &t.rows {
            let side = |s: &Option<ItemSide>, cur: &str| -> Vec<String> {
                match s {
                    Some(s) => vec![
                        s.module.clone(),
                        s.group.to_string(),
                        s.position.to_string(),
                        s.text.clone(),
                        item_url(site, cur, s),
                    ],
                    None => vec![String::new(); 5],
                }
            };
            let mut fields = vec![
                p.slug.clone(),
                t.group.to_string(),
                row.relation.key().to_string(),
                format!("{}", row.score),
                row.dimension_changed.to_string(),
                row.manual.to_string(),
            ];
            fields.extend(side(&row.left, &r.left));
            fields.extend(side(&row.right, &r.right));
            out.push_str(&fields.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(","));
            out.push_str("\r\n");
        }
    }
    out
}

/// The CSV export of one comparison, from its pairs' shares: one line per item row.
fn comparison_csv_from(shares: &[&PairExports]) -> String {
    let mut out = String::with_capacity(shares.iter().map(|s| s.csv.len()).sum::<usize>() + 256);
    out.push('\u{feff}');
    out.push_str(COMPARISON_CSV_HEADER);
    shares.iter().for_each(|s| out.push_str(&s.csv));
    out
}

/// The CSV export of one comparison: one line per item row.
pub fn comparison_csv(site: &Site, r: &ComparisonResult) -> String {
    comparison_csv_from(&pair_shares(site, r).iter().collect::<Vec<_>>())
}

/// A pair's share of its comparison's exports: its object in the JSON, its
/// lines in the CSV and its associations in the CASE package. A rebuild
/// after an edit makes them again only for the pairs whose result changed
/// (a prose edit changes the pairs of one module).
#[derive(Debug)]
pub struct PairExports {
    /// [`pair_exports_key`] of the comparison it was made for.
    key: u64,
    json: Box<serde_json::value::RawValue>,
    csv: String,
    case: crate::case::PairShare,
}

/// A fingerprint of what a pair's share reads besides the pair's result:
/// the comparison's id, title and curricula, and the site's base URL.
pub fn pair_exports_key(site: &Site, r: &ComparisonResult) -> u64 {
    let parts = [site.config.base_url.as_str(), &r.id, &r.title, &r.left, &r.right];
    crate::text::fingerprint(parts.join("\u{0}").as_bytes())
}

/// Pair `p`'s share of comparison `r`'s exports.
fn pair_exports(site: &Site, r: &ComparisonResult, p: &crate::compare::PairResult, key: u64) -> PairExports {
    let json = serde_json::value::to_raw_value(&pair_json(site, r, p)).unwrap_or_default();
    PairExports { key, json, csv: pair_csv(site, r, p), case: crate::case::pair_share(site, r, p) }
}

/// Every pair's share of comparison `r`'s exports.
fn pair_shares(site: &Site, r: &ComparisonResult) -> Vec<PairExports> {
    let key = pair_exports_key(site, r);
    r.pairs.iter().map(|p| pair_exports(site, r, p, key)).collect()
}

/// The pairs' shares of comparison `r`'s exports: `kept[i]` for pair `i`
/// where it was made for the same [`pair_exports_key`] (the caller keeps
/// only shares of pairs whose result is unchanged), else made.
pub fn pair_exports_with(
    site: &Site,
    r: &ComparisonResult,
    kept: &[Option<std::sync::Arc<PairExports>>],
) -> Vec<std::sync::Arc<PairExports>> {
    use rayon::prelude::*;
    let key = pair_exports_key(site, r);
    let kept = |i: usize| kept.get(i).and_then(Option::as_ref).filter(|s| s.key == key).cloned();
    r.pairs
        .par_iter()
        .enumerate()
        .map(|(i, p)| kept(i).unwrap_or_else(|| std::sync::Arc::new(pair_exports(site, r, p, key))))
        .collect()
}

/// The paths of a curriculum's or comparison's data files: JSON, CSV, CASE.
pub fn data_set_paths(id: &str) -> [String; 3] {
    [format!("data/{id}.json"), format!("data/{id}.csv"), format!("data/case/{id}.json")]
}

/// The three data files of one curriculum or comparison: `data/<id>.json`,
/// `data/<id>.csv` and `data/case/<id>.json`, made side by side (a rebuild
/// after an edit can end with one curriculum's, which the other thread then shares).
fn data_set(
    id: &str,
    json: impl FnOnce() -> Vec<u8> + Send,
    csv: impl FnOnce() -> String + Send,
    case: impl FnOnce() -> Vec<u8> + Send,
) -> [OutFile; 3] {
    let ((json, csv), case) = rayon::join(|| rayon::join(json, csv), case);
    let [json_path, csv_path, case_path] = data_set_paths(id);
    [
        OutFile { path: json_path, bytes: json },
        OutFile { path: csv_path, bytes: csv.into_bytes() },
        OutFile { path: case_path, bytes: case },
    ]
}

/// The three export files of comparison `r`, from its pairs' shares.
pub fn comparison_files_from(
    site: &Site,
    r: &ComparisonResult,
    shares: &[std::sync::Arc<PairExports>],
) -> [OutFile; 3] {
    let shares: Vec<&PairExports> = shares.iter().map(|s| &**s).collect();
    let case: Vec<&crate::case::PairShare> = shares.iter().map(|s| &s.case).collect();
    data_set(
        &r.id,
        || comparison_json_from(site, r, &shares),
        || comparison_csv_from(&shares),
        || crate::case::comparison_package_from(site, r, &case),
    )
}

/// The export files of every comparison.
pub fn comparison_files<R: std::borrow::Borrow<ComparisonResult> + Sync>(
    site: &Site,
    comparisons: &[R],
) -> Vec<OutFile> {
    use rayon::prelude::*;
    comparisons
        .par_iter()
        .flat_map_iter(|r| {
            let r = r.borrow();
            comparison_files_from(site, r, &pair_exports_with(site, r, &[]))
        })
        .collect()
}

/// A fingerprint of everything [`comparison_files`] reads of the site besides
/// the comparison's result: the two curricula's titles, ledgers and rule
/// results, and the settings the files name. Serve keeps a comparison's files
/// while this and the result stay the same.
pub fn comparison_files_key(site: &Site, r: &ComparisonResult) -> u64 {
    let title = |id: &str| site.curriculum(id).map(|c| c.title.as_str());
    let inputs = json!({
        "ledgers": [ledger_json(site, &r.left), ledger_json(site, &r.right)],
        "rules": value(&rule_results(site, r)),
        "titles": [title(&r.left), title(&r.right)],
        "base_url": site.config.base_url, "site_title": site.config.title,
        "language": site.config.language.code(),
    });
    crate::text::fingerprint(inputs.to_string().as_bytes())
}

/// The schema identifier of curriculum JSON files.
pub const CURRICULUM_SCHEMA: &str = "curricula/curriculum@1";

#[derive(Serialize)]
struct ItemJson<'a> {
    anchor: &'a str,
    id: &'a Option<String>,
    note: &'a Option<String>,
    position: usize,
    text: &'a str,
    url: String,
}

fn items_json<'a>(
    site: &Site,
    c: &crate::model::Curriculum,
    m: &crate::model::Module,
    items: &'a [crate::model::Item],
) -> Vec<ItemJson<'a>> {
    items
        .iter()
        .enumerate()
        .map(|(i, it)| ItemJson {
            anchor: &it.anchor,
            id: &it.id,
            note: &it.note,
            position: i + 1,
            text: &it.text,
            url: format!("{}{}/{}/#{}", site.config.base_url, c.id, m.id, it.anchor),
        })
        .collect()
}

#[derive(Serialize)]
struct WorkloadJson<'a> {
    amount: f64,
    formats: Vec<&'a str>,
    topic: &'a Option<String>,
    unit: &'a str,
}

#[derive(Serialize)]
struct SectionJson<'a> {
    known: Option<crate::model::KnownSection>,
    markdown: &'a str,
    title: &'a str,
}

#[derive(Serialize)]
struct ModuleJson<'a> {
    /// By dimension key (a sorted map, as the keys are written).
    competencies: BTreeMap<&'static str, Vec<ItemJson<'a>>>,
    fields: Vec<&'a str>,
    id: &'a str,
    kind: Option<&'a str>,
    methods: Vec<ItemJson<'a>>,
    number: i64,
    phases: Vec<&'a str>,
    sections: Vec<SectionJson<'a>>,
    title: &'a str,
    topics: &'a Option<String>,
    url: String,
    work_package: Value,
    workload: Vec<WorkloadJson<'a>>,
}

#[derive(Serialize)]
struct CurriculumJson<'a> {
    dqr_level: Value,
    dqr_level_note: &'static str,
    edition: &'a Option<String>,
    fields: Value,
    formats: Value,
    id: &'a str,
    issuer: &'a Option<String>,
    kinds: Value,
    ledger: Value,
    modules: Vec<&'a serde_json::value::RawValue>,
    pages: Value,
    rules: Value,
    schema: &'static str,
    short_title: &'a str,
    source: &'a Option<String>,
    title: &'a str,
    units: Value,
    url: String,
}

fn module_json<'a>(site: &Site, c: &crate::model::Curriculum, m: &'a crate::model::Module) -> ModuleJson<'a> {
    use crate::model::Dimension;
    let values = |v: &'a [crate::model::At<String>]| v.iter().map(|x| x.value.as_str()).collect::<Vec<_>>();
    ModuleJson {
        competencies: Dimension::ALL
            .iter()
            .map(|d| (d.key(), items_json(site, c, m, m.competencies.get(*d))))
            .collect(),
        fields: values(&m.fields),
        id: &m.id,
        kind: m.kind.as_ref().map(|k| k.value.as_str()),
        methods: items_json(site, c, m, &m.methods),
        number: m.number.value,
        phases: values(&m.phases),
        sections: m
            .sections
            .iter()
            .map(|s| SectionJson { known: s.known, markdown: &s.markdown, title: &s.title })
            .collect(),
        title: &m.title,
        topics: &m.topics,
        url: format!("{}{}/{}/", site.config.base_url, c.id, m.id),
        work_package: value(&m.work_package),
        workload: m
            .workload
            .iter()
            .map(|w| WorkloadJson {
                amount: w.amount,
                formats: values(&w.formats),
                topic: &w.topic,
                unit: &w.unit.value,
            })
            .collect(),
    }
}

/// A module's share of its curriculum's exports (JSON, CSV, CASE), with the
/// key of what it was made from besides the module itself (see [`module_exports`]).
#[derive(Debug)]
pub struct ModuleExports {
    key: u64,
    module: crate::model::Module,
    json: Box<serde_json::value::RawValue>,
    csv: String,
    case: crate::case::ModuleShare,
}

/// Module shares of the curricula a scoped render exported, by curriculum id.
pub type KeptExports = std::collections::HashMap<String, Vec<std::sync::Arc<ModuleExports>>>;

/// The module shares of curriculum `c`'s exports: those in `kept` made from
/// an equal module at the same place with the same key, the others made.
/// A share reads the module, its place, the curriculum's id and title, the
/// base URL and the language.
pub fn module_exports(
    site: &Site,
    c: &crate::model::Curriculum,
    kept: &[std::sync::Arc<ModuleExports>],
) -> Vec<std::sync::Arc<ModuleExports>> {
    use rayon::prelude::*;
    let config = &site.config;
    c.modules
        .par_iter()
        .enumerate()
        .map(|(mi, m)| {
            let parts =
                [config.base_url.as_bytes(), config.language.code().as_bytes(), c.id.as_bytes(), c.title.as_bytes()];
            let key = crate::text::fingerprint_parts(parts.into_iter().chain([&(mi as u64).to_le_bytes()[..]]));
            if let Some(made) = kept.get(mi).filter(|k| k.key == key && k.module == *m) {
                return made.clone();
            }
            std::sync::Arc::new(ModuleExports {
                key,
                module: m.clone(),
                json: serde_json::value::to_raw_value(&module_json(site, c, m)).unwrap_or_default(),
                csv: module_csv(site, c, m),
                case: crate::case::module_share(site, c, mi),
            })
        })
        .collect()
}

/// The JSON export of one curriculum: the full model and its computed ledger.
pub fn curriculum_json(site: &Site, c: &crate::model::Curriculum, shares: &[std::sync::Arc<ModuleExports>]) -> Vec<u8> {
    let formats: Vec<Value> = c
        .formats
        .iter()
        .map(|(k, f)| json!({"id": k, "label": f.label, "mode": f.mode, "kind": f.kind.as_ref().map(|x| &x.value)}))
        .collect();
    let pages: Vec<Value> = c
        .pages
        .iter()
        .map(|p| json!({"id": p.id, "title": p.title, "weight": p.weight, "markdown": p.markdown}))
        .collect();
    to_bytes(&CurriculumJson {
        dqr_level: value(&c.dqr_level),
        dqr_level_note: "classification by the issuer",
        edition: &c.edition,
        fields: value(&c.fields),
        formats: Value::Array(formats),
        id: &c.id,
        issuer: &c.issuer,
        kinds: value(&c.kinds),
        ledger: ledger_json(site, &c.id),
        modules: shares.iter().map(|s| &*s.json).collect(),
        pages: Value::Array(pages),
        rules: value(&evaluate_all(&site.rules, c)),
        schema: CURRICULUM_SCHEMA,
        short_title: &c.short_title,
        source: &c.source,
        title: &c.title,
        units: value(&c.units),
        url: format!("{}{}/", site.config.base_url, c.id),
    })
}

/// The CSV export of one curriculum: one line per item.
pub fn curriculum_csv(shares: &[std::sync::Arc<ModuleExports>]) -> String {
    let mut out = String::from("\u{feff}module,module_number,module_title,dimension,position,text,anchor,url\r\n");
    shares.iter().for_each(|s| out.push_str(&s.csv));
    out
}

/// A module's lines of the CSV export.
fn module_csv(site: &Site, c: &crate::model::Curriculum, m: &crate::model::Module) -> String {
    use crate::model::Dimension;
    let mut out = String::new();
    let groups = Dimension::ALL
        .iter()
        .map(|d| (d.key(), m.competencies.get(*d)))
        .chain(std::iter::once(("methods", m.methods.as_slice())));
    for (group, items) in groups {
        for (i, it) in items.iter().enumerate() {
            let url = format!("{}{}/{}/#{}", site.config.base_url, c.id, m.id, it.anchor);
            let fields = [
                m.id.clone(),
                m.number.value.to_string(),
                m.title.clone(),
                group.to_string(),
                (i + 1).to_string(),
                it.text.clone(),
                it.anchor.clone(),
                url,
            ];
            out.push_str(&fields.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(","));
            out.push_str("\r\n");
        }
    }
    out
}

/// `data/<curriculum>.json` and `.csv`, and the CASE package, of curriculum
/// `c` from its module shares (see [`module_exports`]).
pub fn curriculum_files(
    site: &Site,
    c: &crate::model::Curriculum,
    shares: &[std::sync::Arc<ModuleExports>],
) -> Vec<OutFile> {
    let case: Vec<&crate::case::ModuleShare> = shares.iter().map(|s| &s.case).collect();
    data_set(
        &c.id,
        || curriculum_json(site, c, shares),
        || curriculum_csv(shares),
        || crate::case::curriculum_package_json(site, c, &case),
    )
    .into()
}

fn xml_escape(s: &str) -> String {
    crate::render::escape(s)
}

/// sitemap.xml and robots.txt, from the paths of the pages rendered.
pub fn site_files(site: &Site, pages: &[String]) -> Vec<OutFile> {
    let mut pages: Vec<&str> =
        pages.iter().map(String::as_str).filter(|p| p.ends_with("index.html") && !p.contains("/print/")).collect();
    pages.sort_unstable();
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for p in pages {
        let dir = p.trim_end_matches("index.html");
        xml.push_str(&format!("  <url><loc>{}</loc></url>\n", xml_escape(&format!("{}{dir}", site.config.base_url))));
    }
    xml.push_str("</urlset>\n");
    let robots = format!("User-agent: *\nAllow: /\nSitemap: {}sitemap.xml\n", site.config.base_url);
    vec![
        OutFile { path: "sitemap.xml".into(), bytes: xml.into_bytes() },
        OutFile { path: "robots.txt".into(), bytes: robots.into_bytes() },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_what_needs_quoting() {
        assert_eq!(csv_field("a"), "a");
        assert_eq!(csv_field("a, b"), "\"a, b\"");
        assert_eq!(csv_field("sag \"ja\""), "\"sag \"\"ja\"\"\"");
    }

    #[test]
    fn typed_exports_write_the_keys_in_sorted_order() {
        // Written again from a JSON value (whose maps keep their keys sorted),
        // an export gives the same bytes only if it wrote them sorted too.
        let site = crate::load::load_site(std::path::Path::new(env!("CARGO_MANIFEST_DIR"))).site;
        let json = |c| curriculum_json(&site, c, &module_exports(&site, c, &[]));
        let mut files: Vec<Vec<u8>> = site.curricula.iter().map(json).collect();
        for cmp in &site.comparisons {
            files.push(comparison_json(&site, &crate::compare::compare(&site, cmp).unwrap()));
        }
        assert!(files.len() >= 3);
        for bytes in files {
            let text = String::from_utf8(bytes).unwrap();
            let value: Value = serde_json::from_str(&text).unwrap();
            assert_eq!(serde_json::to_string(&value).unwrap(), text);
            let keys: &[&str] = if text.contains("\"pairs\"") {
                &["\"sentences\":[{", "\"source\":{", "\"left\":{\"anchor\""]
            } else {
                &["\"work_package\":{", "\"competencies\":{", "\"workload\":[{", "\"note\":"]
            };
            for key in keys {
                assert!(text.contains(key), "the content covers {key}");
            }
        }
    }

    #[test]
    fn pair_shares_made_elsewhere_are_made_again_and_equal_ones_are_taken() {
        let mut site = crate::load::load_site(std::path::Path::new(env!("CARGO_MANIFEST_DIR"))).site;
        let r = crate::compare::compare(&site, &site.comparisons[0]).unwrap();
        let whole = |site: &Site| comparison_files_from(site, &r, &pair_exports_with(site, &r, &[])).to_vec();
        let kept: Vec<_> = pair_exports_with(&site, &r, &[]).into_iter().map(Some).collect();
        let taken = pair_exports_with(&site, &r, &kept);
        assert!(taken.iter().zip(&kept).all(|(t, k)| std::sync::Arc::ptr_eq(t, k.as_ref().unwrap())));
        let as_whole = comparison_files_from(&site, &r, &taken).to_vec();
        assert!(as_whole.iter().zip(whole(&site)).all(|(a, b)| a.bytes == b.bytes));
        // Under another base URL every share names other addresses.
        site.config.base_url = "https://anders.example/kurse/".into();
        let moved = comparison_files_from(&site, &r, &pair_exports_with(&site, &r, &kept)).to_vec();
        assert!(moved.iter().zip(whole(&site)).all(|(a, b)| a.bytes == b.bytes));
        assert!(moved.iter().zip(&as_whole).all(|(a, b)| a.bytes != b.bytes));
    }
}
