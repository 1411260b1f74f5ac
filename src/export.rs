//! Machine-readable exports: `data/<comparison>.json` and `.csv`.
//!
//! The JSON schema is documented in docs/exports.md and versioned by its
//! `schema` field; the CSV has one row per item row and starts with a BOM so
//! that spreadsheet programs read umlauts correctly.

use crate::compare::rules::{RuleResult, evaluate_all};
use crate::compare::{ComparisonResult, ItemSide};
use crate::model::Site;
use crate::model::ledger::ledger;
use crate::render::OutFile;
use serde_json::{Value, json};

/// The schema identifier of comparison JSON files.
pub const COMPARISON_SCHEMA: &str = "curricula/comparison@1";

/// The absolute URL of an item anchor (base_url + module page + fragment).
fn item_url(site: &Site, curriculum: &str, s: &ItemSide) -> String {
    format!("{}{}/{}/#{}", site.config.base_url, curriculum, s.module, s.anchor)
}

fn side_json(site: &Site, curriculum: &str, s: &Option<ItemSide>) -> Value {
    match s {
        Some(s) => json!({
            "module": s.module, "dimension": s.group, "position": s.position,
            "text": s.text, "anchor": s.anchor, "url": item_url(site, curriculum, s),
        }),
        None => Value::Null,
    }
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

/// The JSON export of one comparison.
pub fn comparison_json(site: &Site, r: &ComparisonResult) -> Value {
    let pairs: Vec<Value> = r
        .pairs
        .iter()
        .map(|p| {
            let rows: Vec<Value> = p
                .tables
                .iter()
                .flat_map(|t| t.rows.iter())
                .map(|row| {
                    json!({
                        "relation": row.relation, "score": row.score, "manual": row.manual,
                        "dimension_changed": row.dimension_changed,
                        "left": side_json(site, &r.left, &row.left), "right": side_json(site, &r.right, &row.right),
                    })
                })
                .collect();
            let sentences: Vec<Value> = p
                .prose
                .iter()
                .flat_map(|m| {
                    m.sentences.iter().map(move |s| {
                        json!({
                            "module": m.module, "section": s.section, "text": s.text, "relation": s.relation,
                            "score": s.score, "source": s.source,
                        })
                    })
                })
                .collect();
            json!({
                "id": p.slug, "left": p.left, "right": p.right, "note": p.note,
                "reuse_share": (p.reuse_share * 1000.0).round() / 1000.0,
                "rows": rows, "sentences": sentences,
            })
        })
        .collect();
    json!({
        "schema": COMPARISON_SCHEMA,
        "id": r.id, "title": r.title, "left": r.left, "right": r.right, "threshold": r.threshold,
        "pairs": pairs,
        "matrix": r.matrix, "flags": r.flags, "overlap": r.overlap,
        "ledger": {"left": ledger_json(site, &r.left), "right": ledger_json(site, &r.right)},
        "rules": rule_results(site, r),
    })
}

/// Quotes a CSV field when needed (RFC 4180).
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
}

/// The CSV export of one comparison: one line per item row.
pub fn comparison_csv(site: &Site, r: &ComparisonResult) -> String {
    let mut out = String::from("\u{feff}");
    out.push_str("pair,dimension,relation,score,dimension_changed,manual,left_module,left_dimension,left_position,left_text,left_url,right_module,right_dimension,right_position,right_text,right_url\r\n");
    for p in &r.pairs {
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
    }
    out
}

/// The three data files of one curriculum or comparison: `data/<id>.json`,
/// `data/<id>.csv` and `data/case/<id>.json`.
/// The paths of a curriculum's or comparison's data files: JSON, CSV, CASE.
pub fn data_set_paths(id: &str) -> [String; 3] {
    [format!("data/{id}.json"), format!("data/{id}.csv"), format!("data/case/{id}.json")]
}

fn data_set(id: &str, json: &Value, csv: String, case: Vec<u8>) -> [OutFile; 3] {
    let compact = |v: &Value| serde_json::to_string(v).unwrap_or_else(|_| "{}".into()).into_bytes();
    let [json_path, csv_path, case_path] = data_set_paths(id);
    [
        OutFile { path: json_path, bytes: compact(json) },
        OutFile { path: csv_path, bytes: csv.into_bytes() },
        OutFile { path: case_path, bytes: case },
    ]
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
            data_set(
                &r.id,
                &comparison_json(site, r),
                comparison_csv(site, r),
                crate::case::comparison_package_json(site, r),
            )
        })
        .collect()
}

/// The schema identifier of curriculum JSON files.
pub const CURRICULUM_SCHEMA: &str = "curricula/curriculum@1";

fn items_json(
    site: &Site,
    c: &crate::model::Curriculum,
    m: &crate::model::Module,
    items: &[crate::model::Item],
) -> Value {
    items
        .iter()
        .enumerate()
        .map(|(i, it)| {
            json!({
                "position": i + 1, "text": it.text, "id": it.id, "note": it.note, "anchor": it.anchor,
                "url": format!("{}{}/{}/#{}", site.config.base_url, c.id, m.id, it.anchor),
            })
        })
        .collect()
}

/// The JSON export of one curriculum: the full model and its computed ledger.
pub fn curriculum_json(site: &Site, c: &crate::model::Curriculum) -> Value {
    use crate::model::Dimension;
    let modules: Vec<Value> = c
        .modules
        .iter()
        .map(|m| {
            let mut comps = serde_json::Map::new();
            for d in Dimension::ALL {
                comps.insert(d.key().into(), items_json(site, c, m, m.competencies.get(d)));
            }
            let sections: Vec<Value> = m.sections.iter().map(|s| json!({"title": s.title, "known": s.known, "markdown": s.markdown})).collect();
            json!({
                "id": m.id, "number": m.number.value, "title": m.title, "url": format!("{}{}/{}/", site.config.base_url, c.id, m.id),
                "kind": m.kind.as_ref().map(|k| &k.value),
                "fields": m.fields.iter().map(|x| &x.value).collect::<Vec<_>>(),
                "phases": m.phases.iter().map(|x| &x.value).collect::<Vec<_>>(),
                "topics": m.topics,
                "workload": m.workload.iter().map(|w| json!({
                    "formats": w.formats.iter().map(|f| &f.value).collect::<Vec<_>>(),
                    "amount": w.amount, "unit": w.unit.value, "topic": w.topic,
                })).collect::<Vec<_>>(),
                "competencies": comps,
                "methods": items_json(site, c, m, &m.methods),
                "work_package": m.work_package,
                "sections": sections,
            })
        })
        .collect();
    json!({
        "schema": CURRICULUM_SCHEMA,
        "id": c.id, "title": c.title, "short_title": c.short_title, "issuer": c.issuer, "edition": c.edition,
        "dqr_level": c.dqr_level, "dqr_level_note": "classification by the issuer", "source": c.source,
        "url": format!("{}{}/", site.config.base_url, c.id),
        "units": c.units, "formats": c.formats.iter().map(|(k, f)| json!({"id": k, "label": f.label, "mode": f.mode, "kind": f.kind.as_ref().map(|x| &x.value)})).collect::<Vec<_>>(),
        "kinds": c.kinds, "fields": c.fields,
        "modules": modules,
        "pages": c.pages.iter().map(|p| json!({"id": p.id, "title": p.title, "weight": p.weight, "markdown": p.markdown})).collect::<Vec<_>>(),
        "ledger": ledger_json(site, &c.id),
        "rules": evaluate_all(&site.rules, c),
    })
}

/// The CSV export of one curriculum: one line per item.
pub fn curriculum_csv(site: &Site, c: &crate::model::Curriculum) -> String {
    use crate::model::Dimension;
    let mut out = String::from("\u{feff}module,module_number,module_title,dimension,position,text,anchor,url\r\n");
    for m in &c.modules {
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
    }
    out
}

/// `data/<curriculum>.json` and `.csv`, and the CASE packages, for the curricula `which` (indices).
pub fn curriculum_files(site: &Site, which: &[usize]) -> Vec<OutFile> {
    use rayon::prelude::*;
    which
        .par_iter()
        .filter_map(|&ci| site.curricula.get(ci))
        .flat_map_iter(|c| {
            data_set(
                &c.id,
                &curriculum_json(site, c),
                curriculum_csv(site, c),
                crate::case::curriculum_package_json(site, c),
            )
        })
        .collect()
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
}
