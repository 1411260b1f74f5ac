//! View models of the comparison pages: overview (alignment, overlap, heat map,
//! ledger, rules, pairs), one page per module pair, and the print view.

use super::i18n;
use super::svg;
use super::views::{Data, Links, amount, ledger_view, module_label, obj, tv, with_key};
use crate::compare::diff::Span;
use crate::compare::rules::Outcome;
use crate::compare::{ComparisonResult, GROUPS, ItemSide, ModuleProse, Relation, Row, Sentence, SourceRef};
use crate::model::ledger::ledger;
use crate::model::{Curriculum, Site};
use serde_json::{Value, json};
use std::collections::BTreeMap;

fn t(site: &Site) -> &'static BTreeMap<&'static str, &'static str> {
    i18n::strings(site.config.language)
}

/// Percent, rounded down so that only what is complete shows as 100.
fn pct(x: f64) -> String {
    format!("{:.0}", (x * 100.0 + 1e-9).floor())
}

fn sides<'a>(data: &'a Data, left: &str, right: &str) -> (&'a Curriculum, &'a Curriculum) {
    // Outlines and results exist only for comparisons whose curricula exist.
    match (data.curriculum(left), data.curriculum(right)) {
        (Some(a), Some(b)) => (a, b),
        _ => unreachable!("comparison results exist only for existing curricula"),
    }
}

/// "KiT M2 + M3 ↔ ErwU M2": the pair of modules `left` and `right` of the
/// curricula `curricula` (ids).
fn pair_title(data: &Data, curricula: (&str, &str), left: &[String], right: &[String]) -> String {
    let (l, rc) = sides(data, curricula.0, curricula.1);
    let names = |c: &Curriculum, ids: &[String]| {
        ids.iter()
            .map(|id| c.module(id).map_or(id.clone(), |m| format!("M{}", m.number.value)))
            .collect::<Vec<_>>()
            .join(" + ")
    };
    format!("{} {} ↔ {} {}", l.short_title, names(l, left), rc.short_title, names(rc, right))
}

fn relation_label(site: &Site, rel: Relation, left: &str, right: &str) -> String {
    let t = t(site);
    match rel {
        Relation::OnlyLeft => format!("{} {left}", t["only_in"]),
        Relation::OnlyRight => format!("{} {right}", t["only_in"]),
        other => t[other.key()].to_string(),
    }
}

fn symbol(rel: Relation) -> &'static str {
    match rel {
        Relation::Identical => "=",
        Relation::Equivalent => "≡",
        Relation::Similar => "≈",
        Relation::Related => "↔",
        Relation::Different => "≠",
        Relation::OnlyLeft => "−",
        Relation::OnlyRight => "+",
    }
}

/// A diff as HTML with `del`/`ins` and hidden text labels for screen readers.
pub(super) fn diff_html(site: &Site, spans: &[Span]) -> String {
    let t = t(site);
    let mut out = String::with_capacity(spans.iter().map(|s| s.text.len() + 40).sum());
    for s in spans {
        let tag = match s.op {
            "insert" => Some(("ins", t["inserted"])),
            "delete" => Some(("del", t["deleted"])),
            _ => None,
        };
        if let Some((tag, label)) = tag {
            out.extend(["<", tag, "><span class=\"vh\">", label, ": </span>"]);
        }
        super::escape_into(&mut out, &s.text);
        if let Some((tag, _)) = tag {
            out.extend(["</", tag, ">"]);
        }
    }
    out
}

/// The label of a group of items (a DQR dimension or the methods).
fn group_label(site: &Site, group: &str) -> &'static str {
    t(site)[if group == "methods" { "methods" } else { group }]
}

/// An item's module label ("M3") and link to the item.
fn side_link(c: &Curriculum, s: &ItemSide, links: &Links) -> (String, Option<String>) {
    let m = c.module(&s.module);
    (
        m.map_or(s.module.clone(), |m| format!("M{}", m.number.value)),
        m.map(|m| [&links.module(c, m), "#", &s.anchor].concat()),
    )
}

/// A reused sentence's source module label ("KiT M3") and link to its section.
fn source_link(l: &Curriculum, src: &SourceRef, links: &Links) -> (String, Option<String>) {
    let m = l.module(&src.module);
    (
        m.map_or(src.module.clone(), |m| format!("{} M{}", l.short_title, m.number.value)),
        m.map(|m| format!("{}#{}", links.module(l, m), src.section.replace('_', "-"))),
    )
}

/// A sentence's relation as its badge says it.
fn sentence_label(site: &Site, s: &Sentence, l: &Curriculum, rc: &Curriculum) -> String {
    if s.relation == Relation::OnlyRight {
        t(site)["new_text"].to_string()
    } else {
        relation_label(site, s.relation, &l.short_title, &rc.short_title)
    }
}

/// A diff as HTML, if there is one to show (an empty one shows the text).
fn shown_diff(site: &Site, diff: &Option<Vec<Span>>) -> Option<String> {
    diff.as_ref().map(|d| diff_html(site, d)).filter(|d| !d.is_empty())
}

fn side_view(data: &Data, c: &Curriculum, s: &Option<ItemSide>, links: &Links) -> Value {
    let Some(s) = s else { return Value::Null };
    let (label, url) = side_link(c, s, links);
    json!({
        "html": crate::markdown::render_inline(&s.text, data.site.config.allow_raw_html),
        "module": label, "url": url, "position": s.position,
        "group": group_label(data.site, s.group),
    })
}

fn row_view(data: &Data, r: &ComparisonResult, row: &Row, links: &Links) -> Value {
    let (l, rc) = sides(data, &r.left, &r.right);
    obj!({
        "relation": row.relation.key(),
        "symbol": symbol(row.relation),
        "label": relation_label(data.site, row.relation, &l.short_title, &rc.short_title),
        "score": (row.relation == Relation::Similar).then(|| pct(row.score)),
        "manual": row.manual,
        "dimension_changed": row.dimension_changed,
        "from_group": row.left.as_ref().map(|x| group_label(data.site, x.group)),
        "left": side_view(data, l, &row.left, links),
        "right": side_view(data, rc, &row.right, links),
        "diff": row.diff.as_ref().map(|d| diff_html(data.site, d)),
    })
}

/// The prose comparison of one right module, with its `sentences` (a list
/// of views, or their rows' HTML).
fn prose_view(data: &Data, r: &ComparisonResult, mp: &ModuleProse, sentences: Value, links: &Links) -> Value {
    let (l, rc) = sides(data, &r.left, &r.right);
    let m = rc.module(&mp.module);
    obj!({
        "module": m.map_or(mp.module.clone(), |m| module_label(data.site, m)),
        "title": m.map(|m| m.title.clone()),
        "url": m.map(|m| links.module(rc, m)),
        "reuse": pct(mp.reuse_share),
        "sources": mp.sources.iter().map(|(id, share)| json!({"module": l.module(id).map_or(id.clone(), |m| format!("{} M{}", l.short_title, m.number.value)), "share": pct(*share)})).collect::<Vec<_>>(),
        "sentences": sentences,
    })
}

/// The rows of a module's prose table as the loop over `mp.sentences` in
/// `pair_body.html` renders them, byte for byte (a test compares both).
fn sentences_html(data: &Data, r: &ComparisonResult, mp: &ModuleProse, links: &Links) -> String {
    let (l, rc) = sides(data, &r.left, &r.right);
    let tt = t(data.site);
    let mut out = String::with_capacity(mp.sentences.len() * 500);
    let push = |out: &mut String, s: &str| super::escape_into(out, s);
    for s in &mp.sentences {
        let key = s.relation.key();
        out.push_str("\n    <tr class=\"rel-");
        push(&mut out, key);
        out.push_str("\">\n      <td data-label=\"");
        push(&mut out, &rc.short_title);
        out.push_str("\"><span class=\"section-label\">");
        push(&mut out, tt[s.section]);
        out.push_str("</span> ");
        match shown_diff(data.site, &s.diff) {
            Some(diff) => out.push_str(&diff),
            None => push(&mut out, &s.text),
        }
        out.push_str("</td>\n      <td data-label=\"");
        badge_html(&mut out, data.site, s.relation, &sentence_label(data.site, s, l, rc), s.score);
        out.push_str("</span></td>\n      <td data-label=\"");
        push(&mut out, &l.short_title);
        out.push_str("\">");
        if let Some(src) = &s.source {
            let (label, url) = source_link(l, src, links);
            out.push_str("<a href=\"");
            push(&mut out, url.as_deref().unwrap_or(""));
            out.push_str("\">");
            push(&mut out, &label);
            out.push_str("</a>: ");
            push(&mut out, &src.text);
        }
        out.push_str("</td>\n    </tr>\n  ");
    }
    out
}

/// The rows of a pair's table as `cmp_row.html` renders them from
/// [`row_view`], byte for byte (a test compares both): with the built-in
/// theme the tables, most of a comparison's pages, are written here once
/// instead of twice through the template engine (pair page and print view).
fn rows_html(data: &Data, r: &ComparisonResult, rows: &[&Row], links: &Links) -> String {
    let (l, rc) = sides(data, &r.left, &r.right);
    let tt = t(data.site);
    let mut out = String::with_capacity(rows.len() * 600);
    let push = |out: &mut String, s: &str| super::escape_into(out, s);
    for row in rows {
        let key = row.relation.key();
        out.push_str("<tr class=\"rel-");
        push(&mut out, key);
        out.push_str("\">\n  <td data-label=\"");
        push(&mut out, &l.short_title);
        out.push_str("\">");
        if let Some(side) = &row.left {
            side_html(&mut out, data, l, side, links);
            out.push_str(&crate::markdown::render_inline(&side.text, data.site.config.allow_raw_html));
        }
        out.push_str("</td>\n  <td data-label=\"");
        let label = relation_label(data.site, row.relation, &l.short_title, &rc.short_title);
        badge_html(&mut out, data.site, row.relation, &label, row.score);
        out.push_str("</span>");
        if row.manual {
            out.push_str(" <span class=\"aside\">(");
            push(&mut out, tt["manual"]);
            out.push_str(")</span>");
        }
        if row.dimension_changed {
            out.push_str(" <span class=\"flag\">");
            push(&mut out, tt["dimension_changed"]);
            out.push_str(": ");
            if let Some(x) = &row.left {
                push(&mut out, group_label(data.site, x.group));
            }
            out.push_str("</span>");
        }
        out.push_str("</td>\n  <td data-label=\"");
        push(&mut out, &rc.short_title);
        out.push_str("\">");
        if let Some(side) = &row.right {
            side_html(&mut out, data, rc, side, links);
            match shown_diff(data.site, &row.diff) {
                Some(diff) => {
                    out.push_str("<span class=\"diff\">");
                    out.push_str(&diff);
                    out.push_str("</span>");
                }
                None => out.push_str(&crate::markdown::render_inline(&side.text, data.site.config.allow_raw_html)),
            }
        }
        out.push_str("</td>\n</tr>\n");
    }
    out
}

/// The relation cell's label and opening, as both tables write it: the
/// column's name, then the badge with symbol, label and (for similar text)
/// the score; the badge's `</span>` is the caller's.
fn badge_html(out: &mut String, site: &Site, rel: Relation, label: &str, score: f64) {
    super::escape_into(out, t(site)["relation"]);
    out.push_str("\"><span class=\"badge rel-");
    super::escape_into(out, rel.key());
    out.push_str("\"><span aria-hidden=\"true\">");
    super::escape_into(out, symbol(rel));
    out.push_str("</span> ");
    super::escape_into(out, label);
    if rel == Relation::Similar {
        out.push(' ');
        super::escape_into(out, &pct(score));
        out.push_str(" %");
    }
}

/// An item's reference link and the space after it, as in `cmp_row.html`.
fn side_html(out: &mut String, data: &Data, c: &Curriculum, s: &ItemSide, links: &Links) {
    let (label, url) = side_link(c, s, links);
    out.push_str("<a class=\"item-ref\" href=\"");
    super::escape_into(out, url.as_deref().unwrap_or(""));
    out.push_str("\">");
    super::escape_into(out, &label);
    out.push_str(" · ");
    super::escape_into(out, group_label(data.site, s.group));
    out.push(' ');
    out.push_str(&s.position.to_string());
    out.push_str("</a> ");
}

const RELATIONS: [Relation; 7] = [
    Relation::Identical,
    Relation::Equivalent,
    Relation::Similar,
    Relation::Related,
    Relation::Different,
    Relation::OnlyLeft,
    Relation::OnlyRight,
];

fn counts_view(site: &Site, counts: &BTreeMap<&'static str, usize>, l: &str, r: &str) -> Vec<Value> {
    counts_filtered(site, counts, l, r, &RELATIONS)
}

fn counts_filtered(
    site: &Site,
    counts: &BTreeMap<&'static str, usize>,
    l: &str,
    r: &str,
    rels: &[Relation],
) -> Vec<Value> {
    rels.iter()
        .map(|rel| json!({"relation": rel.key(), "label": relation_label(site, *rel, l, r), "n": counts.get(rel.key()).copied().unwrap_or(0)}))
        .collect()
}

/// The body of a pair page (also embedded in the print view).
pub fn pair(data: &Data, r: &ComparisonResult, p: usize, links: &Links) -> Value {
    let pr = &r.pairs[p];
    let (l, rc) = sides(data, &r.left, &r.right);
    let tt = t(data.site);
    let tables: Vec<Value> = pr
        .tables
        .iter()
        .map(|tab| {
            let (same, changed): (Vec<&Row>, Vec<&Row>) =
                tab.rows.iter().partition(|x| x.relation == Relation::Identical);
            let rows = |rows: &[&Row]| -> Value {
                if data.fast_rows {
                    Value::String(rows_html(data, r, rows, links))
                } else {
                    Value::Array(rows.iter().map(|x| row_view(data, r, x, links)).collect())
                }
            };
            obj!({
                "group": tab.group, "label": tt[tab.group],
                "rows": rows(&changed), "identical": rows(&same), "identical_n": same.len(),
                "counts": counts_view(data.site, &tab.counts, &l.short_title, &rc.short_title),
            })
        })
        .collect();
    let prose: Vec<Value> = pr
        .prose
        .iter()
        .map(|mp| {
            if data.fast_rows {
                return prose_view(data, r, mp, Value::String(sentences_html(data, r, mp, links)), links);
            }
            let sentences: Vec<Value> = mp
                .sentences
                .iter()
                .map(|s| {
                    let src = s.source.as_ref().map(|src| {
                        let (label, url) = source_link(l, src, links);
                        obj!({ "module": label, "url": url, "text": src.text.as_str() })
                    });
                    obj!({
                        "section": tt[s.section], "relation": s.relation.key(), "symbol": symbol(s.relation),
                        "label": sentence_label(data.site, s, l, rc),
                        "score": pct(s.score), "text": s.text.as_str(), "source": src,
                        "diff": s.diff.as_ref().map(|d| diff_html(data.site, d)),
                    })
                })
                .collect();
            prose_view(data, r, mp, Value::Array(sentences), links)
        })
        .collect();
    let mods = |c: &Curriculum, ids: &[String]| -> Vec<Value> {
        ids.iter()
            .filter_map(|id| c.module(id))
            .map(|m| json!({"label": format!("{} M{}", c.short_title, m.number.value), "title": m.title, "url": links.module(c, m)}))
            .collect()
    };
    let nav = |i: usize| {
        r.pairs.get(i).map(
            |x| json!({"title": pair_title(data, (&r.left, &r.right), &x.left, &x.right), "url": links.to(&format!("compare/{}/{}/", r.id, x.slug))}),
        )
    };
    obj!({
        "title": pair_title(data, (&r.left, &r.right), &pr.left, &pr.right),
        "id": pr.slug.as_str(),
        "comparison": obj!({"title": r.title.as_str(), "url": links.to(&format!("compare/{}/", r.id))}),
        "left": obj!({"short": l.short_title.as_str()}), "right": obj!({"short": rc.short_title.as_str()}),
        "left_modules": mods(l, &pr.left), "right_modules": mods(rc, &pr.right),
        "note": pr.note.as_deref(), "reuse": pct(pr.reuse_share),
        "tables": tables, "prose": prose,
        "prev": p.checked_sub(1).and_then(nav), "next": nav(p + 1),
    })
}

/// The pair bodies of result `r`, each with its [`pair_key`], made in
/// parallel with links from a page at `compare/<id>/<pair>/`. A body in
/// `kept` (made from `r` itself) with the same key is taken over.
pub fn pair_bodies(data: &Data, r: &ComparisonResult, kept: &[Option<(u64, tera::Value)>]) -> Vec<(u64, tera::Value)> {
    use rayon::prelude::*;
    (0..r.pairs.len())
        .into_par_iter()
        .map(|p| {
            let key = pair_key(data, r, p);
            match kept.get(p).and_then(Option::as_ref).filter(|(k, _)| *k == key) {
                Some(made) => made.clone(),
                None => (key, tv(&pair(data, r, p, &Links::new(&format!("compare/{}/{}/", r.id, r.pairs[p].slug))))),
            }
        })
        .collect()
}

/// What the views of a comparison read besides the result, apart from
/// module titles and workloads: the settings (language, raw HTML, the row
/// templates' shortcut) and both curricula's ids, titles, short titles and
/// module ids and numbers.
fn sides_key(data: &Data, r: &ComparisonResult) -> Vec<Vec<u8>> {
    let (l, rc) = sides(data, &r.left, &r.right);
    let config = &data.site.config;
    let mut parts = vec![
        config.language.code().as_bytes().to_vec(),
        vec![u8::from(config.allow_raw_html), u8::from(data.fast_rows)],
    ];
    for c in [l, rc] {
        let numbers = c.modules.iter().flat_map(|m| m.number.value.to_le_bytes());
        parts.push((c.modules.len() as u64).to_le_bytes().into_iter().chain(numbers).collect());
        parts.extend([&c.id, &c.title, &c.short_title].map(|s| s.as_bytes().to_vec()));
        parts.extend(c.modules.iter().map(|m| m.id.as_bytes().to_vec()));
    }
    parts
}

/// A fingerprint of what [`pair`] reads besides the result: [`sides_key`]
/// and the titles of the pair's own modules (the only titles it shows). A
/// title edit thus changes only the bodies of the pairs the module is part of.
pub fn pair_key(data: &Data, r: &ComparisonResult, p: usize) -> u64 {
    fn title<'c>(c: &'c Curriculum, id: &str) -> &'c [u8] {
        c.module(id).map_or(b"", |m| m.title.as_bytes())
    }
    let (l, rc) = sides(data, &r.left, &r.right);
    let sides = sides_key(data, r);
    let pr = &r.pairs[p];
    let left = pr.left.iter().map(|id| title(l, id));
    let right = pr.right.iter().chain(pr.prose.iter().map(|mp| &mp.module)).map(|id| title(rc, id));
    crate::text::fingerprint_parts(sides.iter().map(Vec::as_slice).chain(left).chain(right))
}

/// Links from a module page to the pairs it takes part in.
pub fn pairs_of_module(data: &Data, c: &Curriculum, module: &str, links: &Links) -> Vec<Value> {
    let mut out = Vec::new();
    let taking_part = data.curricula_by_id.get(c.id.as_str()).map_or(&[][..], |&ci| &data.comparisons_of[ci]);
    for r in taking_part.iter().map(|&k| &data.outlines[k]) {
        for p in &r.pairs {
            let on_left = r.left == c.id && p.left.iter().any(|m| m == module);
            let on_right = r.right == c.id && p.right.iter().any(|m| m == module);
            if on_left || on_right {
                out.push(json!({"title": pair_title(data, (&r.left, &r.right), &p.left, &p.right), "comparison": r.title, "url": links.to(&format!("compare/{}/{}/", r.id, p.slug))}));
            }
        }
    }
    out
}

fn flags_view(data: &Data, r: &ComparisonResult) -> Vec<Value> {
    let (l, rc) = sides(data, &r.left, &r.right);
    let tt = t(data.site);
    let name = |side: &str, id: &str| {
        let c = if side == "left" { l } else { rc };
        c.module(id).map_or(id.to_string(), |m| format!("{} M{}", c.short_title, m.number.value))
    };
    r.flags
        .iter()
        .map(|f| {
            let other = if f.side == "left" { "right" } else { "left" };
            let text = match f.kind {
                "weaker_than_other" => format!(
                    "{}: {} {} ({} %) {} ({} %)",
                    name(f.side, &f.module),
                    tt["flag_weaker"],
                    f.best.as_deref().map_or(String::new(), |b| name(other, b)),
                    pct(f.best_score),
                    tt["flag_than_pair"],
                    pct(f.score)
                ),
                _ => format!("{}: {}", name(f.side, &f.module), tt["flag_unpaired"]),
            };
            json!({"kind": f.kind, "text": text})
        })
        .collect()
}

/// Above this many cells the heat map is left out of the page.
const MAX_MATRIX_CELLS: usize = 2500;

/// (left, right) module indices of every declared pair link, in matrix order
/// (which is module order).
fn pair_cells(r: &ComparisonResult) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for p in &r.pairs {
        for a in &p.left {
            for b in &p.right {
                let i = r.matrix.left.iter().position(|x| x == a);
                let j = r.matrix.right.iter().position(|x| x == b);
                if let (Some(i), Some(j)) = (i, j) {
                    out.push((i, j));
                }
            }
        }
    }
    out
}

fn matrix_view(data: &Data, r: &ComparisonResult, print: bool) -> Value {
    let (l, rc) = sides(data, &r.left, &r.right);
    let tt = t(data.site);
    let label = |c: &Curriculum, id: &String| {
        c.module(id).map_or(id.clone(), |m| format!("{} M{}", c.short_title, m.number.value))
    };
    let rows: Vec<String> = r.matrix.left.iter().map(|id| label(l, id)).collect();
    let cols: Vec<String> = r.matrix.right.iter().map(|id| label(rc, id)).collect();
    let marked = pair_cells(r);
    if rows.len() * cols.len() > MAX_MATRIX_CELLS {
        // A chart of thousands of cells helps nobody; the JSON export has the matrix.
        return json!({"svg": "", "cols": [], "rows": [], "too_large": true});
    }
    let id = if print { "hm-print" } else { "hm" };
    let svg = svg::heatmap(id, tt["heatmap"], tt["heatmap_desc"], &rows, &cols, &r.matrix.cells, &marked);
    let table_rows: Vec<Value> = rows
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let cells: Vec<Value> = r.matrix.cells[i]
                .iter()
                .enumerate()
                .map(|(j, v)| json!({"value": pct(*v), "declared": marked.contains(&(i, j))}))
                .collect();
            json!({"label": name, "cells": cells})
        })
        .collect();
    json!({"svg": svg, "cols": cols, "rows": table_rows, "too_large": false})
}

fn overlap_view(data: &Data, r: &ComparisonResult, print: bool) -> Value {
    let (l, rc) = sides(data, &r.left, &r.right);
    let tt = t(data.site);
    let empty = BTreeMap::new();
    let rows: Vec<Value> = GROUPS
        .iter()
        .map(|g| {
            let counts = r.overlap.get(g).unwrap_or(&empty);
            json!({"label": tt[g], "counts": counts_view(data.site, counts, &l.short_title, &rc.short_title)})
        })
        .collect();
    let bars: Vec<svg::Bar> = GROUPS
        .iter()
        .map(|g| {
            let counts = r.overlap.get(g).unwrap_or(&empty);
            let segs = [
                Relation::Identical,
                Relation::Equivalent,
                Relation::Similar,
                Relation::Related,
                Relation::OnlyLeft,
                Relation::OnlyRight,
            ]
            .iter()
            .map(|rel| {
                (
                    relation_label(data.site, *rel, &l.short_title, &rc.short_title),
                    counts.get(rel.key()).copied().unwrap_or(0),
                    rel.key(),
                )
            })
            .collect();
            (tt[g].to_string(), segs)
        })
        .collect();
    let id = if print { "ov-print" } else { "ov" };
    json!({"rows": rows, "svg": svg::stacked_bars(id, tt["overlap"], tt["overlap_desc"], &bars)})
}

fn alignment_svg(data: &Data, r: &ComparisonResult, print: bool) -> String {
    let (l, rc) = sides(data, &r.left, &r.right);
    let tt = t(data.site);
    let label = |c: &Curriculum, i: usize| format!("{} M{}", c.short_title, c.modules[i].number.value);
    let left: Vec<String> = (0..l.modules.len()).map(|i| label(l, i)).collect();
    let right: Vec<String> = (0..rc.modules.len()).map(|i| label(rc, i)).collect();
    let links = pair_cells(r);
    let id = if print { "al-print" } else { "al" };
    svg::alignment(id, tt["alignment"], tt["alignment_desc"], &left, &right, &links)
}

fn ledger_side(data: &Data, c: &Curriculum, links: &Links) -> Value {
    // `c` is one of the site's curricula (see `sides`), whose ledger the render makes once.
    let made;
    let l = match data.site.curricula.iter().position(|x| std::ptr::eq(x, c)) {
        Some(ci) => data.ledger(ci),
        None => {
            made = ledger(c);
            &made
        }
    };
    let modules: Vec<Value> = c
        .modules
        .iter()
        .zip(&l.modules)
        .map(|(m, (_, f))| json!({"label": format!("M{}", m.number.value), "title": m.title, "url": links.module(c, m), "total": amount(l, f.total), "presence": [amount(l, f.presence.min), amount(l, f.presence.max)], "online": [amount(l, f.online.min), amount(l, f.online.max)]}))
        .collect();
    json!({"short": c.short_title, "ledger": ledger_view(data.site, c, l), "modules": modules})
}

fn rules_view(data: &Data, r: &ComparisonResult) -> Vec<Value> {
    let tt = t(data.site);
    let results = crate::export::rule_results(data.site, r);
    data.site
        .rules
        .iter()
        .map(|rs| {
            let reqs: Vec<Value> = rs
                .requirements
                .iter()
                .map(|req| {
                    let res: Vec<Value> = results
                        .iter()
                        .filter(|x| x.rule == rs.id && x.requirement == req.id)
                        .map(|x| {
                            let c = data.curriculum(&x.curriculum);
                            let n = crate::text::fmt_num;
                            let figure = if (x.max - x.min).abs() < 1e-9 { n(x.min) } else { format!("{}–{}", n(x.min), n(x.max)) };
                            let mode = match x.measure {
                                crate::model::Measure::Presence => tt["in_presence"],
                                crate::model::Measure::Online => tt["online_delivered"],
                                crate::model::Measure::Total => tt["accordingly"],
                            };
                            let conditions: Vec<String> = x
                                .conditions
                                .iter()
                                .map(|cnd| format!("{} {} {} {} {} {} {}", tt[cnd.bound], n(cnd.need), x.unit, tt["of_flexible"], n(cnd.flexible), x.unit, mode))
                                .collect();
                            let contributions: Vec<String> = x
                                .contributions
                                .iter()
                                .map(|ct| {
                                    let name = c.and_then(|c| c.module(&ct.module)).map_or(ct.module.clone(), |m| format!("M{}", m.number.value));
                                    if (ct.max - ct.min).abs() < 1e-9 { format!("{name}: {}", n(ct.min)) } else { format!("{name}: {}–{}", n(ct.min), n(ct.max)) }
                                })
                                .collect();
                            json!({
                                "curriculum": c.map_or(x.curriculum.clone(), |c| c.short_title.clone()),
                                "outcome": match x.outcome { Outcome::Pass => "pass", Outcome::Fail => "fail", Outcome::Conditional => "conditional" },
                                "label": tt[match x.outcome { Outcome::Pass => "pass", Outcome::Fail => "fail", Outcome::Conditional => "conditional" }],
                                "figure": figure, "unit": x.unit, "hours": n(x.max * rs.unit_minutes / 60.0), "hours_min": n(x.min * rs.unit_minutes / 60.0),
                                "conditions": conditions, "contributions": contributions.join("; "),
                            })
                        })
                        .collect();
                    json!({"id": req.id, "text": req.text, "expected": format!("{} {}", results.iter().find(|x| x.requirement == req.id).map_or(String::new(), |x| x.expected.clone()), rs.unit), "results": res})
                })
                .collect();
            json!({"title": rs.title, "source": rs.source, "version": rs.version, "unit": rs.unit, "unit_minutes": crate::text::fmt_num(rs.unit_minutes), "requirements": reqs})
        })
        .collect()
}

/// The comparison-derived part of the overview (or of its print view): all
/// but the workload ledgers and rule checks, which [`overview`] adds. It reads
/// the result and what [`sides_key`] covers, so serve keeps it over a title
/// or workload edit.
pub fn overview_core(data: &Data, r: &ComparisonResult, print: bool) -> tera::Value {
    let links = Links::new(&format!("compare/{}/{}", r.id, if print { "print/" } else { "" }));
    let (l, rc) = sides(data, &r.left, &r.right);
    // Manual relations get a column only where the comparison uses them.
    let used: Vec<Relation> = RELATIONS
        .iter()
        .copied()
        .filter(|rel| {
            !matches!(rel, Relation::Related | Relation::Different)
                || r.overlap.values().any(|c| c.get(rel.key()).is_some_and(|n| *n > 0))
        })
        .collect();
    let pairs: Vec<Value> = r
        .pairs
        .iter()
        .map(|p| {
            let mut counts: BTreeMap<&'static str, usize> = BTreeMap::new();
            for tab in &p.tables {
                for (key, n) in &tab.counts {
                    *counts.entry(key).or_insert(0) += n;
                }
            }
            json!({
                "title": pair_title(data, (&r.left, &r.right), &p.left, &p.right), "url": links.to(&format!("compare/{}/{}/", r.id, p.slug)),
                "reuse": pct(p.reuse_share), "note": p.note,
                "counts": counts_filtered(data.site, &counts, &l.short_title, &rc.short_title, &used),
            })
        })
        .collect();
    tv(&json!({
        "id": r.id, "title": r.title, "print": print,
        "print_url": links.to(&format!("compare/{}/print/", r.id)),
        "left": {"short": l.short_title, "title": l.title, "url": links.curriculum(l)},
        "right": {"short": rc.short_title, "title": rc.title, "url": links.curriculum(rc)},
        "threshold": pct(r.threshold),
        "alignment_svg": alignment_svg(data, r, print),
        "overlap": overlap_view(data, r, print),
        "matrix": matrix_view(data, r, print),
        "flags": flags_view(data, r),
        "ledgers": null,
        "rules": null,
        "pairs": pairs,
        "json_url": format!("{}data/{}.json", links.root, r.id),
        "csv_url": format!("{}data/{}.csv", links.root, r.id),
        "case_url": format!("{}data/case/{}.json", links.root, r.id),
    }))
}

/// The overview (or print view) of result `r`: its [`overview_core`] with
/// the workload ledgers and rule checks, and in the print view every pair's
/// body (shared with the pair pages).
pub fn overview(
    data: &Data,
    r: &ComparisonResult,
    links: &Links,
    core: &tera::Value,
    print_bodies: Option<&[tera::Value]>,
) -> tera::Value {
    let (l, rc) = sides(data, &r.left, &r.right);
    let ledgers = tv(&json!([ledger_side(data, l, links), ledger_side(data, rc, links)]));
    let v = with_key(&with_key(core, "ledgers", ledgers), "rules", tv(&Value::from(rules_view(data, r))));
    let Some(bodies) = print_bodies else { return v };
    let pairs: Vec<tera::Value> = v
        .get_from_path("pairs")
        .and_then(|p| p.as_array())
        .unwrap_or_default()
        .iter()
        .zip(bodies)
        .map(|(p, body)| with_key(p, "body", body.clone()))
        .collect();
    with_key(&v, "pairs", tera::Value::from(pairs))
}

/// The overview cores (plain, print) of result `r`, each with the key of what
/// it reads besides the result; those in `kept` (made from `r` itself) with
/// the same key are taken over.
pub fn overview_cores(
    data: &Data,
    r: &ComparisonResult,
    kept: &[Option<(u64, tera::Value)>],
) -> Vec<(u64, tera::Value)> {
    let key = crate::text::fingerprint_parts(sides_key(data, r).iter().map(Vec::as_slice));
    [false, true]
        .into_iter()
        .enumerate()
        .map(|(i, print)| match kept.get(i).and_then(Option::as_ref).filter(|(k, _)| *k == key) {
            Some(made) => made.clone(),
            None => (key, overview_core(data, r, print)),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_written_directly_equal_cmp_row_html() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut site = crate::load::load_site(root).site;
        site.curricula[0].short_title = "K&T <1>".into();
        site.curricula[1].short_title = "\"E'U\"".into();
        let cmp = site.comparisons[0].clone();
        let mut r = crate::compare::compare(&site, &cmp).unwrap();
        // Every branch of a row: flags, a side missing, a diff, text to escape.
        let mut rows: Vec<Row> = r.pairs.iter().flat_map(|p| p.tables.iter().flat_map(|t| t.rows.clone())).collect();
        let mut extra = rows.clone();
        for (i, row) in extra.iter_mut().enumerate() {
            row.manual = i % 2 == 0;
            row.dimension_changed = i % 3 == 0 && row.left.is_some();
            if let Some(side) = row.right.as_mut().filter(|_| i % 5 == 0) {
                side.text = "Neu: <b>fett</b> & \"zitiert\"".into();
            }
        }
        rows.extend(extra);
        for (rel, missing) in [(Relation::OnlyLeft, false), (Relation::OnlyRight, true)] {
            assert!(rows.iter().any(|x| x.relation == rel && (x.left.is_none() == missing)), "{rel:?}");
        }
        assert!(rows.iter().any(|x| x.diff.is_some()) && rows.iter().any(|x| x.relation == Relation::Similar));
        r.pairs.truncate(1);
        let site = site;
        let dir = tempfile::tempdir().unwrap();
        let theme = super::super::Theme::load(dir.path(), "default").unwrap();
        let reuse = super::super::Reuse::default();
        let sources = std::collections::BTreeMap::new();
        let data = super::super::prepare(&site, &theme, &sources, &super::super::Scope::all(), &reuse);
        let links = Links::new(&format!("compare/{}/{}/", r.id, r.pairs[0].slug));
        let (l, rc) = sides(&data, &r.left, &r.right);
        let pb = json!({"left": {"short": l.short_title}, "right": {"short": rc.short_title}});
        let templated: String = rows
            .iter()
            .map(|row| {
                let ctx = super::super::views::PageContext {
                    frame: json!({ "row": row_view(&data, &r, row, &links), "pb": pb }),
                    body: tera::Value::from(""),
                    t: data.t.clone(),
                    insert: None,
                };
                String::from_utf8(theme.render("cmp_row.html", ctx).unwrap()).unwrap()
            })
            .collect();
        let refs: Vec<&Row> = rows.iter().collect();
        let direct = rows_html(&data, &r, &refs, &links);
        assert!(direct.contains("K&amp;T &lt;1&gt;") && direct.contains("fett"), "{direct}");
        assert_eq!(direct, templated);
    }

    #[test]
    fn pair_bodies_with_rows_written_directly_equal_the_templates() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut site = crate::load::load_site(root).site;
        site.curricula[0].short_title = "K&T <1>".into();
        let cmp = site.comparisons[0].clone();
        let mut r = crate::compare::compare(&site, &cmp).unwrap();
        for (i, s) in
            r.pairs.iter_mut().flat_map(|p| p.prose.iter_mut().flat_map(|m| m.sentences.iter_mut())).enumerate()
        {
            if i % 4 == 0 {
                s.text.push_str(" <b>&\"'");
                if let Some(src) = s.source.as_mut() {
                    src.text.push_str(" <i>&");
                }
            }
        }
        let sentences = r.pairs.iter().flat_map(|p| p.prose.iter().flat_map(|m| m.sentences.iter()));
        let relations: std::collections::BTreeSet<&str> = sentences.clone().map(|s| s.relation.key()).collect();
        assert!(relations.len() >= 3 && sentences.clone().any(|s| s.diff.is_some() && s.source.is_some()));
        let dir = tempfile::tempdir().unwrap();
        let theme = super::super::Theme::load(dir.path(), "default").unwrap();
        let reuse = super::super::Reuse::default();
        let sources = std::collections::BTreeMap::new();
        let mut data = super::super::prepare(&site, &theme, &sources, &super::super::Scope::all(), &reuse);
        assert!(data.fast_rows, "the built-in templates");
        let body = |data: &Data, p: usize, printing: bool| {
            let links = Links::new(&format!("compare/{}/{}/", r.id, r.pairs[p].slug));
            let ctx = super::super::views::PageContext {
                frame: json!({ "pb": pair(data, &r, p, &links), "h": 3, "printing": printing }),
                body: tera::Value::from(""),
                t: data.t.clone(),
                insert: None,
            };
            String::from_utf8(theme.render("pair_body.html", ctx).unwrap()).unwrap()
        };
        let fast: Vec<String> =
            (0..r.pairs.len()).flat_map(|p| [body(&data, p, false), body(&data, p, true)]).collect();
        data.fast_rows = false;
        let slow: Vec<String> =
            (0..r.pairs.len()).flat_map(|p| [body(&data, p, false), body(&data, p, true)]).collect();
        assert!(fast.iter().any(|b| b.contains("&lt;b&gt;&amp;") && b.contains("&lt;i&gt;&amp;")), "escaped");
        assert_eq!(fast, slow);
    }
}
