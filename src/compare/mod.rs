//! Comparison of two curricula: what the right one kept, changed, added and
//! dropped from the left one.
//!
//! Pure functions over the model: [`compare`] matches the items of every
//! declared module pair ([`items`]), aligns every right sentence to its best
//! left source ([`prose`]), computes the module × module similarity matrix and
//! flags pairs that the content does not support. Nothing here assumes
//! particular curricula, module counts or pairing shapes.

pub mod diff;
pub mod features;
pub mod items;
pub mod normalize;
pub mod prose;
pub mod rules;

use crate::model::{At, Comparison, Curriculum, Dimension, KnownSection, Module, Site, check::resolve_item_ref};
use diff::Span;
use features::Features;
pub use items::Relation;
use items::{Decision, Entry, RowIdx, match_entries, shows_diff};
use normalize::Synonyms;
use serde::Serialize;
use std::collections::BTreeMap;
// Keys are hashes, indices and short texts: FxHash, not SipHash (no input here is adversarial).
use rustc_hash::FxHashMap as HashMap;
use std::sync::Arc;

/// Least fuzzy score of a "similar" item row unless the comparison sets `threshold`.
pub const DEFAULT_THRESHOLD: f64 = 0.75;
/// Least score for a sentence to count as reused (reworded) text.
pub const PROSE_THRESHOLD: f64 = 0.6;

/// The groups a module's items are compared in: the four DQR dimensions, then methods.
pub const GROUPS: [&str; 5] = ["wissen", "fertigkeiten", "sozialkompetenz", "selbststaendigkeit", "methods"];

/// One side of a row: which item of which module.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemSide {
    pub module: String,
    pub group: &'static str,
    /// 1-based position in its list.
    pub position: usize,
    pub text: String,
    pub anchor: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    pub relation: Relation,
    pub score: f64,
    pub manual: bool,
    /// Matched across DQR dimensions (e.g. Wissen ↔ Fertigkeiten).
    pub dimension_changed: bool,
    pub left: Option<ItemSide>,
    pub right: Option<ItemSide>,
    pub diff: Option<Vec<Span>>,
}

/// The rows of one group (dimension or methods) of a pair; a cross-dimension
/// row is filed under the right item's dimension.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Table {
    pub group: &'static str,
    pub rows: Vec<Row>,
    pub counts: BTreeMap<&'static str, usize>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceRef {
    pub module: String,
    pub section: &'static str,
    pub text: String,
}

/// A right sentence and where it came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sentence {
    pub section: &'static str,
    pub text: String,
    /// identical, equivalent, similar (reused), or only_right (new text).
    pub relation: Relation,
    pub score: f64,
    pub source: Option<SourceRef>,
    pub diff: Option<Vec<Span>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModuleProse {
    pub module: String,
    pub sentences: Vec<Sentence>,
    /// Share of the module's prose (by characters) that reuses left text.
    pub reuse_share: f64,
    /// Left modules the reused sentences come from, with their character share.
    pub sources: Vec<(String, f64)>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairResult {
    /// Stable URL segment: left ids, `_`, right ids (`m2-m3_m2`).
    pub slug: String,
    pub left: Vec<String>,
    pub right: Vec<String>,
    pub note: Option<String>,
    pub tables: Vec<Table>,
    pub prose: Vec<ModuleProse>,
    pub reuse_share: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Matrix {
    pub left: Vec<String>,
    pub right: Vec<String>,
    /// `cells[i][j]`: similarity of left module i and right module j, 0..=1.
    pub cells: Vec<Vec<f64>>,
}

/// A finding about the declared module alignment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Flag {
    /// `weaker_than_other`, `unpaired_left` or `unpaired_right`.
    pub kind: &'static str,
    pub side: &'static str,
    pub module: String,
    /// The module it matches best, where that is outside its pair.
    pub best: Option<String>,
    pub score: f64,
    pub best_score: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComparisonResult {
    pub id: String,
    pub title: String,
    pub left: String,
    pub right: String,
    pub threshold: f64,
    pub pairs: Vec<PairResult>,
    pub matrix: Matrix,
    pub flags: Vec<Flag>,
    /// Per group: relation → number of rows over all pairs.
    pub overlap: BTreeMap<&'static str, BTreeMap<&'static str, usize>>,
}

/// Matching features of every item and sentence of a curriculum, computed once.
pub struct Prepared<'a> {
    c: &'a Curriculum,
    /// Per module: (group, index in list, item) with features.
    items: Vec<Vec<PreparedItem<'a>>>,
    /// All sentences.
    sentences: Vec<PreparedSentence>,
}

/// An item with its group (dimension key or `methods`) and index in its list.
type PreparedItem<'a> = (&'static str, usize, &'a crate::model::Item, Arc<Features>);

/// A sentence of a module's prose: module index, section, text.
type PreparedSentence = (usize, &'static str, String, Arc<Features>);

fn section_key(k: KnownSection) -> &'static str {
    match k {
        KnownSection::Kompetenzbeschreibung => "kompetenzbeschreibung",
        KnownSection::BeruflicheHandlung => "berufliche_handlung",
    }
}

fn prepare<'a>(c: &'a Curriculum, syn: &Synonyms, features: &FeatureSource) -> Prepared<'a> {
    use rayon::prelude::*;
    let items = c
        .modules
        .par_iter()
        .map(|m| {
            let mut v = Vec::new();
            for d in Dimension::ALL {
                for (i, it) in m.competencies.get(d).iter().enumerate() {
                    v.push((d.key(), i, it, features.of(&it.text, syn)));
                }
            }
            for (i, it) in m.methods.iter().enumerate() {
                v.push(("methods", i, it, features.of(&it.text, syn)));
            }
            v
        })
        .collect();
    let per_module: Vec<Vec<PreparedSentence>> = c
        .modules
        .par_iter()
        .enumerate()
        .map(|(mi, m)| {
            let mut v = Vec::new();
            for k in [KnownSection::Kompetenzbeschreibung, KnownSection::BeruflicheHandlung] {
                if let Some(s) = m.section(k) {
                    for text in features.sentences(&s.markdown) {
                        let f = features.of(&text, syn);
                        v.push((mi, section_key(k), text, f));
                    }
                }
            }
            v
        })
        .collect();
    Prepared { c, items, sentences: per_module.into_iter().flatten().collect() }
}

/// What `serve` keeps of the comparisons a rebuild computed, so that an edit
/// of one module's prose prepares that module's texts again, not its
/// curricula: features by [`FeatureSource::key`] of their text and synonyms,
/// and the sentences of a section by the fingerprint of its Markdown
/// (splitting prose into sentences does not depend on the synonyms).
#[derive(Debug, Clone, Default)]
pub struct FeatureCache {
    features: HashMap<u64, Arc<Features>>,
    sentences: HashMap<u64, Arc<[String]>>,
}

impl FeatureCache {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn is_empty(&self) -> bool {
        self.features.is_empty() && self.sentences.is_empty()
    }
}

/// Where a render's comparisons take their features from: those an earlier
/// render kept, or made; and, when this render keeps them, the ones it used.
struct FeatureSource<'k> {
    kept: &'k FeatureCache,
    /// The synonyms' share of the key.
    synonyms: u64,
    used: Option<&'k std::sync::Mutex<FeatureCache>>,
}

impl FeatureSource<'_> {
    fn of(&self, text: &str, syn: &Synonyms) -> Arc<Features> {
        let key = self.key(text);
        let f = self.kept.features.get(&key).cloned().unwrap_or_else(|| Arc::new(Features::new(text, syn)));
        if let Some(used) = self.used {
            used.lock().unwrap_or_else(|e| e.into_inner()).features.insert(key, f.clone());
        }
        f
    }

    /// The sentences of a section's Markdown.
    fn sentences(&self, markdown: &str) -> Vec<String> {
        let make = || prose::sentences(&prose::plain_text(markdown));
        if !self.keeps() {
            return make();
        }
        let key = crate::text::fingerprint(markdown.as_bytes());
        let s = self.kept.sentences.get(&key).cloned().unwrap_or_else(|| make().into());
        if let Some(used) = self.used {
            used.lock().unwrap_or_else(|e| e.into_inner()).sentences.insert(key, s.clone());
        }
        s.to_vec()
    }

    /// Whether anything is kept or taken over (else no key is needed).
    fn keeps(&self) -> bool {
        !self.kept.is_empty() || self.used.is_some()
    }

    /// The key of `text` (none needed where nothing is kept or taken over).
    fn key(&self, text: &str) -> u64 {
        if !self.keeps() {
            return 0;
        }
        crate::text::fingerprint_parts([&self.synonyms.to_le_bytes()[..], text.as_bytes()])
    }
}

/// A curriculum and the synonyms it is prepared with.
type PreparedKey<'a> = (&'a str, &'a [Vec<String>]);

/// The curricula a render's comparisons prepare: one that takes part in
/// several comparisons with the same synonyms (a curriculum compared with its
/// predecessor and its successor) is prepared once and held until the last
/// of them took it. The features do not depend on anything else of a
/// comparison.
#[derive(Default)]
pub struct Preparations<'a> {
    /// How many comparisons prepare each curriculum with each synonyms.
    uses: HashMap<PreparedKey<'a>, usize>,
    /// Those prepared and still to be taken: how many times more.
    held: std::sync::Mutex<HashMap<PreparedKey<'a>, (Arc<Prepared<'a>>, usize)>>,
    /// Features an earlier render kept, to take over.
    kept: Option<&'a FeatureCache>,
    /// When this render keeps features: those its comparisons used.
    used: Option<std::sync::Mutex<FeatureCache>>,
}

impl<'a> Preparations<'a> {
    /// For `comparisons` of `site` (counting one that is then not computed
    /// only holds its curricula until the render ends).
    pub fn new(site: &'a Site, comparisons: impl Iterator<Item = &'a Comparison>) -> Self {
        let mut uses: HashMap<PreparedKey<'a>, usize> = HashMap::default();
        for cmp in comparisons {
            for side in [&cmp.left.value, &cmp.right.value] {
                if let Some(c) = site.curriculum(side) {
                    *uses.entry((c.id.as_str(), cmp.synonyms.as_slice())).or_default() += 1;
                }
            }
        }
        uses.retain(|_, n| *n > 1);
        Preparations { uses, ..Default::default() }
    }

    /// Takes over the features of `kept` and, if `keeping`, keeps those
    /// the comparisons use for the next render ([`Self::into_next`]).
    pub fn with_features(self, kept: &'a FeatureCache, keeping: bool) -> Self {
        Preparations { kept: Some(kept), used: keeping.then(Default::default), ..self }
    }

    /// The features the next render takes over: those this one used if it
    /// keeps them and computed a comparison, else those it was given (a
    /// title edit computes none, and the next prose edit needs them).
    pub fn into_next(self) -> FeatureCache {
        let used = self.used.map(|u| u.into_inner().unwrap_or_else(|e| e.into_inner())).filter(|u| !u.is_empty());
        used.unwrap_or_else(|| self.kept.cloned().unwrap_or_default())
    }

    /// `c` prepared with `synonyms`, its features taken over where kept.
    fn prepared(&self, c: &'a Curriculum, synonyms: &'a [Vec<String>], syn: &Synonyms) -> Arc<Prepared<'a>> {
        self.take(c, synonyms, || {
            let empty = FeatureCache::new();
            let source = FeatureSource {
                kept: self.kept.unwrap_or(&empty),
                synonyms: crate::text::fingerprint(format!("{synonyms:?}").as_bytes()),
                used: self.used.as_ref(),
            };
            prepare(c, syn, &source)
        })
    }

    /// `c` prepared with `synonyms`: held from an earlier comparison, or made.
    /// Two comparisons that need it at the same time both make it: waiting
    /// could block a thread whose own work the waited-for one depends on.
    fn take(
        &self,
        c: &'a Curriculum,
        synonyms: &'a [Vec<String>],
        make: impl FnOnce() -> Prepared<'a>,
    ) -> Arc<Prepared<'a>> {
        let key = (c.id.as_str(), synonyms);
        let Some(&uses) = self.uses.get(&key) else { return Arc::new(make()) };
        let take_held = |held: &mut HashMap<PreparedKey<'a>, (Arc<Prepared<'a>>, usize)>| {
            let (prepared, left) = held.get_mut(&key)?;
            let prepared = prepared.clone();
            *left -= 1;
            if *left == 0 {
                held.remove(&key);
            }
            Some(prepared)
        };
        if let Some(p) = take_held(&mut self.held.lock().unwrap_or_else(|e| e.into_inner())) {
            return p;
        }
        let made = Arc::new(make());
        let mut held = self.held.lock().unwrap_or_else(|e| e.into_inner());
        held.entry(key).or_insert_with(|| (made.clone(), uses));
        take_held(&mut held);
        made
    }
}

/// What a comparison is before it is computed: its curricula and declared
/// pairs. The pages outside the comparison (navigation, module pages, the
/// home page) show only this, so they need not wait for the comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct Outline {
    pub id: String,
    pub title: String,
    pub left: String,
    pub right: String,
    pub pairs: Vec<PairOutline>,
}

/// A declared module pair, with the module ids that exist.
#[derive(Debug, Clone, PartialEq)]
pub struct PairOutline {
    /// Stable URL segment: left ids, `_`, right ids (`m2-m3_m2`).
    pub slug: String,
    pub left: Vec<String>,
    pub right: Vec<String>,
}

/// The outlines of all comparisons whose curricula exist (those [`compare`]
/// computes), in their order. A large site has a thousand comparisons, each
/// looking up two curricula: they are looked up in a table.
pub fn outlines(site: &Site) -> Vec<Outline> {
    use rayon::prelude::*;
    let by_id: rustc_hash::FxHashMap<&str, &Curriculum> = site.curricula.iter().map(|c| (c.id.as_str(), c)).collect();
    let find = |id: &At<String>| by_id.get(id.value.as_str()).copied();
    site.comparisons.par_iter().filter_map(|c| Some(outline_of(c, find(&c.left)?, find(&c.right)?))).collect()
}

fn outline_of(cmp: &Comparison, left: &Curriculum, right: &Curriculum) -> Outline {
    let known = |c: &Curriculum, ids: &[At<String>]| -> Vec<String> {
        ids.iter().filter_map(|id| module_index(c, &id.value)).map(|i| c.modules[i].id.clone()).collect()
    };
    let pairs = cmp
        .pairs
        .iter()
        .map(|p| {
            let (l, r) = (known(left, &p.left), known(right, &p.right));
            PairOutline { slug: format!("{}_{}", l.join("-"), r.join("-")), left: l, right: r }
        })
        .collect();
    Outline { id: cmp.id.clone(), title: cmp.title.clone(), left: left.id.clone(), right: right.id.clone(), pairs }
}

/// A fingerprint of everything [`compare`] reads: the comparison as declared
/// and, of both curricula, every module's id, items (text and anchor) and the
/// two prose sections it aligns. Equal fingerprints give equal results, so
/// `serve` keeps a comparison over an edit that does not touch it (a title, a
/// workload, another section). `None` when [`compare`] gives `None`.
pub fn fingerprint(site: &Site, cmp: &Comparison) -> Option<u64> {
    use std::hash::{Hash, Hasher};
    let mut h = std::hash::DefaultHasher::new();
    // The declaration is small; its Debug form covers every field (and the
    // threshold, a float, which has no Hash).
    format!("{cmp:?}").hash(&mut h);
    for c in [site.curriculum(&cmp.left.value)?, site.curriculum(&cmp.right.value)?] {
        c.id.hash(&mut h);
        c.modules.len().hash(&mut h);
        for m in &c.modules {
            m.id.hash(&mut h);
            for list in Dimension::ALL.iter().map(|d| m.competencies.get(*d)).chain([m.methods.as_slice()]) {
                list.len().hash(&mut h);
                for it in list {
                    (&it.text, &it.anchor).hash(&mut h);
                }
            }
            for k in [KnownSection::Kompetenzbeschreibung, KnownSection::BeruflicheHandlung] {
                m.section(k).map(|s| &s.markdown).hash(&mut h);
            }
        }
    }
    Some(h.finish())
}

/// Compares the two curricula of `cmp`. Returns `None` when either side is missing
/// (`check` reports that). Whatever it reads is in [`fingerprint`].
pub fn compare(site: &Site, cmp: &Comparison) -> Option<ComparisonResult> {
    compare_with(site, cmp, &Preparations::default(), None)
}

/// [`compare`], taking the prepared curricula from (and leaving them in)
/// `preparations`, which a render shares between its comparisons, and the
/// word diffs of texts it compared before from `previous`, the result of an
/// earlier version of the comparison (`serve`, after an edit).
pub fn compare_with<'a>(
    site: &'a Site,
    cmp: &'a Comparison,
    preparations: &Preparations<'a>,
    previous: Option<&ComparisonResult>,
) -> Option<ComparisonResult> {
    let left = site.curriculum(&cmp.left.value)?;
    let right = site.curriculum(&cmp.right.value)?;
    let outline = outline_of(cmp, left, right);
    let syn = Synonyms::new(&cmp.synonyms);
    let threshold = cmp.threshold.unwrap_or(DEFAULT_THRESHOLD);
    let prepared = |c| preparations.prepared(c, &cmp.synonyms, &syn);
    let (lp, rp) = rayon::join(|| prepared(left), || prepared(right));
    let alignment = align_prose(&lp, &rp);
    let diffs = Diffs::of(previous);
    use rayon::prelude::*;
    let (pairs, matrix) = rayon::join(
        || -> Vec<PairResult> {
            cmp.pairs
                .par_iter()
                .zip(outline.pairs)
                .map(|(p, o)| {
                    let mut pr = pair_result(cmp, (&lp, &rp), o, threshold, (&alignment, &diffs));
                    pr.note = p.note.clone();
                    pr
                })
                .collect()
        },
        || matrix(&lp, &rp, threshold, &alignment),
    );
    let flags = flags(cmp, &matrix);
    let mut overlap: BTreeMap<&'static str, BTreeMap<&'static str, usize>> = BTreeMap::new();
    for p in &pairs {
        for t in &p.tables {
            let e = overlap.entry(t.group).or_default();
            for (k, v) in &t.counts {
                *e.entry(k).or_insert(0) += v;
            }
        }
    }
    Some(ComparisonResult {
        id: cmp.id.clone(),
        title: cmp.title.clone(),
        left: left.id.clone(),
        right: right.id.clone(),
        threshold,
        pairs,
        matrix,
        flags,
        overlap,
    })
}

/// The word diffs an earlier result of a comparison holds, by their two
/// texts: a diff depends on nothing else, and after an edit of one module
/// most of them are the same (Myers' search was half of a comparison).
struct Diffs<'p> {
    previous: HashMap<(&'p str, &'p str), &'p [Span]>,
}

impl<'p> Diffs<'p> {
    fn of(previous: Option<&'p ComparisonResult>) -> Self {
        let mut found = HashMap::default();
        for p in previous.iter().flat_map(|r| &r.pairs) {
            for row in p.tables.iter().flat_map(|t| &t.rows) {
                if let (Some(l), Some(r), Some(d)) = (&row.left, &row.right, &row.diff) {
                    found.insert((l.text.as_str(), r.text.as_str()), d.as_slice());
                }
            }
            for s in p.prose.iter().flat_map(|m| &m.sentences) {
                if let (Some(src), Some(d)) = (&s.source, &s.diff) {
                    found.insert((src.text.as_str(), s.text.as_str()), d.as_slice());
                }
            }
        }
        Diffs { previous: found }
    }

    /// [`row_diff`], taken from the earlier result where it has one.
    fn row_diff(&self, left: &str, right: &str, relation: Relation) -> Option<Vec<Span>> {
        let kept = || self.previous.get(&(left, right)).map(|d| d.to_vec());
        shows_diff(left, right, relation).then(|| kept().unwrap_or_else(|| diff::word_diff(left, right)))
    }
}

fn module_index(c: &Curriculum, id: &str) -> Option<usize> {
    c.modules.iter().position(|m| m.id == id)
}

/// For every right sentence: its best left sentence and score.
fn align_prose(lp: &Prepared, rp: &Prepared) -> Vec<Option<prose::Best>> {
    let index = prose::Index::new(lp.sentences.iter().map(|s| &*s.3));
    use rayon::prelude::*;
    rp.sentences.par_iter().map(|s| index.best(&s.3)).collect()
}

fn side(m: &Module, group: &'static str, index: usize, item: &crate::model::Item) -> ItemSide {
    ItemSide { module: m.id.clone(), group, position: index + 1, text: item.text.clone(), anchor: item.anchor.clone() }
}

/// Item entries of some modules, with a back-reference to (module, slot).
type Flat<'a> = Vec<(usize, usize, Entry<'a>)>;

fn flatten<'a>(p: &'a Prepared, modules: &[usize], methods: bool) -> Flat<'a> {
    let mut v = Vec::new();
    for &mi in modules {
        for (slot, (group, _, item, f)) in p.items[mi].iter().enumerate() {
            if (*group == "methods") == methods {
                v.push((mi, slot, Entry { text: &item.text, group, features: f }));
            }
        }
    }
    v
}

fn decisions(cmp: &Comparison, lp: &Prepared, rp: &Prepared, l: &Flat, r: &Flat) -> Vec<Decision> {
    let find = |p: &Prepared, flat: &Flat, reference: &str| -> Option<usize> {
        let (m, item) = resolve_item_ref(p.c, reference)?;
        flat.iter().position(|(mi, slot, _)| p.c.modules[*mi].id == m.id && std::ptr::eq(p.items[*mi][*slot].2, item))
    };
    cmp.matches
        .iter()
        .filter_map(|m| {
            let relation = match m.relation {
                crate::model::Relation::Equivalent => Relation::Equivalent,
                crate::model::Relation::Related => Relation::Related,
                crate::model::Relation::Different => Relation::Different,
            };
            Some(Decision { l: find(lp, l, &m.left.value)?, r: find(rp, r, &m.right.value)?, relation })
        })
        .collect()
}

fn to_row(lp: &Prepared, rp: &Prepared, l: &Flat, r: &Flat, idx: &RowIdx, diffs: &Diffs) -> Row {
    let get = |p: &Prepared, flat: &Flat, i: Option<usize>| {
        i.map(|i| {
            let (mi, slot, _) = flat[i];
            let (group, index, item, _) = &p.items[mi][slot];
            side(&p.c.modules[mi], group, *index, item)
        })
    };
    let left = get(lp, l, idx.left);
    let right = get(rp, r, idx.right);
    let diff = match (&left, &right) {
        (Some(a), Some(b)) => diffs.row_diff(&a.text, &b.text, idx.relation),
        _ => None,
    };
    Row {
        relation: idx.relation,
        score: (idx.score * 1000.0).round() / 1000.0,
        manual: idx.manual,
        dimension_changed: matches!((&left, &right), (Some(a), Some(b)) if a.group != b.group),
        left,
        right,
        diff,
    }
}

fn pair_result(
    cmp: &Comparison,
    (lp, rp): (&Prepared, &Prepared),
    outline: PairOutline,
    threshold: f64,
    (alignment, diffs): (&[Option<prose::Best>], &Diffs),
) -> PairResult {
    let indices =
        |p: &Prepared, ids: &[String]| -> Vec<usize> { ids.iter().filter_map(|id| module_index(p.c, id)).collect() };
    let (lm, rm) = (&indices(lp, &outline.left)[..], &indices(rp, &outline.right)[..]);
    let mut rows: Vec<Row> = Vec::new();
    for methods in [false, true] {
        let (l, r) = (flatten(lp, lm, methods), flatten(rp, rm, methods));
        let le: Vec<Entry> = l.iter().map(|x| x.2.clone()).collect();
        let re: Vec<Entry> = r.iter().map(|x| x.2.clone()).collect();
        let d = decisions(cmp, lp, rp, &l, &r);
        rows.extend(match_entries(&le, &re, &d, threshold).iter().map(|idx| to_row(lp, rp, &l, &r, idx, diffs)));
    }
    let tables = GROUPS
        .iter()
        .map(|g| {
            let rows: Vec<Row> = rows
                .iter()
                .filter(|row| row.right.as_ref().or(row.left.as_ref()).is_some_and(|s| s.group == *g))
                .cloned()
                .collect();
            let mut counts = BTreeMap::new();
            for row in &rows {
                *counts.entry(row.relation.key()).or_insert(0) += 1;
            }
            Table { group: g, rows, counts }
        })
        .collect();
    let prose: Vec<ModuleProse> = rm.iter().map(|&mi| module_prose(lp, rp, mi, alignment, diffs)).collect();
    let total: f64 = prose.iter().map(|p| p.sentences.iter().map(|s| s.text.len()).sum::<usize>() as f64).sum();
    let reused: f64 = prose
        .iter()
        .flat_map(|p| p.sentences.iter())
        .filter(|s| s.relation.is_match())
        .map(|s| s.text.len() as f64)
        .sum();
    PairResult {
        slug: outline.slug,
        left: outline.left,
        right: outline.right,
        note: None,
        tables,
        prose,
        reuse_share: if total > 0.0 { reused / total } else { 0.0 },
    }
}

fn sentence_relation(l: &Features, r: &Features, score: f64) -> Relation {
    if l.same_norm(r) {
        Relation::Identical
    } else if l.same_key(r) {
        Relation::Equivalent
    } else if score >= PROSE_THRESHOLD {
        Relation::Similar
    } else {
        Relation::OnlyRight
    }
}

fn module_prose(
    lp: &Prepared,
    rp: &Prepared,
    mi: usize,
    alignment: &[Option<prose::Best>],
    diffs: &Diffs,
) -> ModuleProse {
    let mut sentences = Vec::new();
    let mut by_source: BTreeMap<usize, usize> = BTreeMap::new();
    for (si, (m, section, text, f)) in rp.sentences.iter().enumerate() {
        if *m != mi {
            continue;
        }
        let best = alignment[si].map(|b| (b, &lp.sentences[b.index]));
        let relation = best.map_or(Relation::OnlyRight, |(b, l)| sentence_relation(&l.3, f, b.score));
        let source = best.filter(|_| relation.is_match()).map(|(_, l)| {
            *by_source.entry(l.0).or_insert(0) += text.len();
            SourceRef { module: lp.c.modules[l.0].id.clone(), section: l.1, text: l.2.clone() }
        });
        let diff = source.as_ref().and_then(|s| diffs.row_diff(&s.text, text, relation));
        let score = best.map_or(0.0, |(b, _)| (b.score * 1000.0).round() / 1000.0);
        sentences.push(Sentence { section, text: text.clone(), relation, score, source, diff });
    }
    let total: usize = sentences.iter().map(|s| s.text.len()).sum();
    let share = |n: usize| if total > 0 { n as f64 / total as f64 } else { 0.0 };
    ModuleProse {
        module: rp.c.modules[mi].id.clone(),
        reuse_share: share(by_source.values().sum()),
        sources: by_source.into_iter().map(|(m, n)| (lp.c.modules[m].id.clone(), share(n))).collect(),
        sentences,
    }
}

/// Module × module similarity: the mean of item overlap (Dice over matched items)
/// and prose reuse (share of the right module's text drawn from the left module).
fn matrix(lp: &Prepared, rp: &Prepared, threshold: f64, alignment: &[Option<prose::Best>]) -> Matrix {
    let mut reuse = vec![vec![0usize; rp.c.modules.len()]; lp.c.modules.len()];
    let mut right_chars = vec![0usize; rp.c.modules.len()];
    for (si, (rm, _, text, f)) in rp.sentences.iter().enumerate() {
        right_chars[*rm] += text.len();
        if let Some(b) = alignment[si] {
            let l = &lp.sentences[b.index];
            if sentence_relation(&l.3, f, b.score).is_match() {
                reuse[l.0][*rm] += text.len();
            }
        }
    }
    let (nl, nr) = (lp.c.modules.len(), rp.c.modules.len());
    let has_items = |p: &Prepared, m: usize| !p.items[m].is_empty();
    let postings = module_postings(lp);
    let (l_entries, r_entries) = (module_entries(lp), module_entries(rp));
    use rayon::prelude::*;
    let columns: Vec<Vec<f64>> = (0..nr)
        .into_par_iter()
        .map(|j| {
            let candidates = matrix_candidates(lp, rp, j, &reuse, &postings);
            (0..nl)
                .map(|i| {
                    let items = if candidates.contains(&i) {
                        item_overlap(&l_entries[i], &r_entries[j], threshold)
                    } else {
                        (has_items(lp, i) || has_items(rp, j)).then_some(0.0)
                    };
                    let prose = (right_chars[j] > 0).then(|| reuse[i][j] as f64 / right_chars[j] as f64);
                    let v = match (items, prose) {
                        (Some(a), Some(b)) => (a + b) / 2.0,
                        (Some(a), None) | (None, Some(a)) => a,
                        (None, None) => 0.0,
                    };
                    (v * 1000.0).round() / 1000.0
                })
                .collect()
        })
        .collect();
    let cells = (0..nl).map(|i| columns.iter().map(|col| col[i]).collect()).collect();
    Matrix {
        left: lp.c.modules.iter().map(|m| m.id.clone()).collect(),
        right: rp.c.modules.iter().map(|m| m.id.clone()).collect(),
        cells,
    }
}

/// How many left modules per right module get the full item matching in the
/// matrix; the rest share too few content words to matter.
const MATRIX_CANDIDATES: usize = 16;

/// The left modules worth matching against right module `j`: those sharing
/// most content-word prefixes with its items, and those its prose draws on.
/// Items without a shared prefix cannot match, so a site with up to
/// [`MATRIX_CANDIDATES`] modules per side gets the exact matrix.
fn matrix_candidates(
    lp: &Prepared,
    rp: &Prepared,
    j: usize,
    reuse: &[Vec<usize>],
    postings: &std::collections::HashMap<u32, Vec<u32>>,
) -> std::collections::BTreeSet<usize> {
    let mut shared = vec![0u32; lp.c.modules.len()];
    let mut keys: Vec<u32> = rp.items[j].iter().flat_map(|x| x.3.prefix_keys().iter().copied()).collect();
    keys.sort_unstable();
    keys.dedup();
    for k in keys {
        for &i in postings.get(&k).map(Vec::as_slice).unwrap_or(&[]) {
            shared[i as usize] += 1;
        }
    }
    let mut ranked: Vec<(usize, u32)> = shared.into_iter().enumerate().filter(|x| x.1 > 0).collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut out: std::collections::BTreeSet<usize> = ranked.into_iter().take(MATRIX_CANDIDATES).map(|x| x.0).collect();
    out.extend((0..lp.c.modules.len()).filter(|i| reuse[*i][j] > 0));
    out
}

/// Content-word prefix → the left modules whose items have it.
fn module_postings(lp: &Prepared) -> std::collections::HashMap<u32, Vec<u32>> {
    let mut postings: std::collections::HashMap<u32, Vec<u32>> = Default::default();
    for (i, items) in lp.items.iter().enumerate() {
        let mut keys: Vec<u32> = items.iter().flat_map(|x| x.3.prefix_keys().iter().copied()).collect();
        keys.sort_unstable();
        keys.dedup();
        for k in keys {
            postings.entry(k).or_default().push(i as u32);
        }
    }
    postings
}

/// Per module: its competency entries and its method entries. The matrix
/// matches every module with many others, so they are listed once.
fn module_entries<'a>(p: &'a Prepared) -> Vec<[Vec<Entry<'a>>; 2]> {
    let list = |mi: usize, methods: bool| flatten(p, &[mi], methods).into_iter().map(|x| x.2).collect();
    (0..p.items.len()).map(|mi| [list(mi, false), list(mi, true)]).collect()
}

fn item_overlap(l: &[Vec<Entry>; 2], r: &[Vec<Entry>; 2], threshold: f64) -> Option<f64> {
    let mut matched = 0.0;
    let mut total = 0usize;
    for (le, re) in l.iter().zip(r) {
        total += le.len() + re.len();
        for row in match_entries(le, re, &[], threshold) {
            if row.relation.is_match() {
                matched += if row.relation == Relation::Similar { row.score } else { 1.0 };
            }
        }
    }
    (total > 0).then(|| 2.0 * matched / total as f64)
}

/// Flags declared pairs whose modules match better elsewhere, and unpaired modules.
fn flags(cmp: &Comparison, m: &Matrix) -> Vec<Flag> {
    let mut out = Vec::new();
    let pair_of = |side_ids: &dyn Fn(&crate::model::Pair) -> Vec<String>, id: &str| {
        cmp.pairs.iter().find(|p| side_ids(p).iter().any(|x| x == id))
    };
    let lefts = |p: &crate::model::Pair| p.left.iter().map(|x| x.value.clone()).collect::<Vec<_>>();
    let rights = |p: &crate::model::Pair| p.right.iter().map(|x| x.value.clone()).collect::<Vec<_>>();
    for (i, lid) in m.left.iter().enumerate() {
        let row: Vec<f64> = m.cells[i].clone();
        out.extend(flag_for("left", lid, &row, &m.right, pair_of(&lefts, lid).map(rights)));
    }
    for (j, rid) in m.right.iter().enumerate() {
        let col: Vec<f64> = m.cells.iter().map(|r| r[j]).collect();
        out.extend(flag_for("right", rid, &col, &m.left, pair_of(&rights, rid).map(lefts)));
    }
    out
}

fn flag_for(
    side: &'static str,
    id: &str,
    scores: &[f64],
    others: &[String],
    partners: Option<Vec<String>>,
) -> Option<Flag> {
    let best = scores
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(&a.0)))
        .map(|(k, s)| (others[k].clone(), *s));
    let Some(partners) = partners else {
        let kind = if side == "left" { "unpaired_left" } else { "unpaired_right" };
        let (b, s) = best.unzip();
        return Some(Flag { kind, side, module: id.to_string(), best: b, score: 0.0, best_score: s.unwrap_or(0.0) });
    };
    let (best_id, best_score) = best?;
    let own = partners.iter().filter_map(|p| others.iter().position(|o| o == p).map(|k| scores[k])).fold(0.0, f64::max);
    (!partners.contains(&best_id) && best_score > own).then(|| Flag {
        kind: "weaker_than_other",
        side,
        module: id.to_string(),
        best: Some(best_id),
        score: own,
        best_score,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testutil::{curriculum, module, workload};
    use crate::model::{Item, Pair, Section};

    fn item(text: &str) -> Item {
        Item { text: text.into(), id: None, note: None, anchor: format!("w-{}", text.len()), pos: None }
    }

    fn section(known: KnownSection, markdown: &str) -> Section {
        Section { title: "Abschnitt".into(), known: Some(known), markdown: markdown.into(), line: 1 }
    }

    /// A change to a site and its comparison.
    type Edit = dyn Fn(&mut Site, &mut Comparison);

    /// Two curricula of one module each, compared as a pair.
    fn site() -> (Site, Comparison) {
        let side = |id: &str, text: &str| {
            let mut m = module("m1", 1);
            m.competencies.wissen = vec![item(text), item("Grundlagen der Beratung")];
            m.methods = vec![item("Fallarbeit")];
            m.sections = vec![
                section(KnownSection::Kompetenzbeschreibung, "Die Teilnehmenden kennen den Ablauf."),
                section(KnownSection::BeruflicheHandlung, "Sie planen die Hilfe."),
            ];
            curriculum(id, vec![m])
        };
        let site = Site {
            curricula: vec![side("a", "Rechte der Versicherten"), side("b", "Rechte der Betroffenen")],
            ..Default::default()
        };
        let pair =
            Pair { left: vec![At::bare("m1".into())], right: vec![At::bare("m1".into())], note: None, pos: None };
        let cmp = Comparison {
            id: "a-b".into(),
            file: "content/comparisons/a-b.yaml".into(),
            title: "A und B".into(),
            left: At::bare("a".into()),
            right: At::bare("b".into()),
            pairs: vec![pair],
            synonyms: vec![vec!["Versicherte".into(), "Betroffene".into()]],
            matches: vec![],
            threshold: None,
        };
        (site, cmp)
    }

    #[test]
    fn the_fingerprint_follows_what_is_compared_and_nothing_else() {
        let (site, cmp) = site();
        let base = fingerprint(&site, &cmp).unwrap();
        let after = |edit: &Edit| {
            let (mut s, mut c) = (site.clone(), cmp.clone());
            edit(&mut s, &mut c);
            (fingerprint(&s, &c).unwrap(), compare(&s, &c).unwrap())
        };
        let unchanged = compare(&site, &cmp).unwrap();
        let not_compared: [&Edit; 3] = [
            &|s, _| s.curricula[0].modules[0].title = "Neuer Titel".into(),
            &|s, _| s.curricula[1].modules[0].workload.push(workload(&["P"], 8.0, "UE")),
            &|s, _| s.curricula[1].modules[0].competencies.wissen[0].note = Some("Anmerkung".into()),
        ];
        for edit in not_compared {
            let (fp, result) = after(edit);
            assert_eq!(fp, base);
            assert_eq!(result, unchanged, "an equal fingerprint must mean an equal result");
        }
        let compared: [&Edit; 8] = [
            &|s, _| s.curricula[0].modules[0].competencies.wissen[0].text = "Pflichten".into(),
            &|s, _| s.curricula[1].modules[0].competencies.wissen[1].anchor = "anders".into(),
            &|s, _| s.curricula[1].modules[0].methods.push(item("Rollenspiel")),
            &|s, _| s.curricula[0].modules[0].sections[0].markdown.push_str(" Neu."),
            &|s, _| s.curricula[1].modules[0].sections[1].markdown = "Sie planen.".into(),
            &|s, _| s.curricula[1].modules[0].id = "m2".into(),
            &|_, c| c.synonyms.clear(),
            &|_, c| c.threshold = Some(0.5),
        ];
        for (i, edit) in compared.into_iter().enumerate() {
            assert_ne!(after(edit).0, base, "edit {i}");
        }
    }

    /// A curriculum compared with two others under the same synonyms is
    /// prepared once, and each comparison's result is what it is alone.
    #[test]
    fn a_curriculum_in_two_comparisons_with_the_same_synonyms_is_prepared_once() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let (mut site, ab) = site();
        let mut c = site.curricula[0].clone();
        c.id = "c".into();
        site.curricula.push(c);
        let bc = Comparison { id: "b-c".into(), left: At::bare("b".into()), right: At::bare("c".into()), ..ab.clone() };
        let other = Comparison { id: "b-a".into(), synonyms: vec![], ..ab.clone() };
        site.comparisons = vec![ab, bc, other];
        let preparations = Preparations::new(&site, site.comparisons.iter());
        let made = AtomicUsize::new(0);
        let b = site.curriculum("b").unwrap();
        let prepared = |cmp: &Comparison| {
            let cmp = site.comparisons.iter().find(|c| c.id == cmp.id).unwrap();
            preparations.take(b, &cmp.synonyms, || {
                made.fetch_add(1, Ordering::Relaxed);
                let none = FeatureCache::new();
                prepare(b, &Synonyms::new(&cmp.synonyms), &FeatureSource { kept: &none, synonyms: 0, used: None })
            })
        };
        let first = prepared(&site.comparisons[0]);
        let second = prepared(&site.comparisons[1]);
        assert!(Arc::ptr_eq(&first, &second));
        assert_eq!(made.load(Ordering::Relaxed), 1);
        assert!(preparations.held.lock().unwrap().is_empty(), "held until its last comparison took it");
        // Other synonyms: prepared again, and not held (no other comparison uses them).
        prepared(&site.comparisons[2]);
        assert_eq!(made.load(Ordering::Relaxed), 2);
        assert!(preparations.held.lock().unwrap().is_empty());
        let shared = Preparations::new(&site, site.comparisons.iter());
        for cmp in &site.comparisons {
            assert_eq!(compare_with(&site, cmp, &shared, None), compare(&site, cmp), "{}", cmp.id);
        }
        assert!(shared.held.lock().unwrap().is_empty());
    }

    /// Features kept from one render are taken over only for the same text
    /// and synonyms: every result is what it is without them.
    #[test]
    fn kept_features_give_the_results_made_without_them() {
        let (site, ab) = site();
        let unlike = Comparison { id: "a-b-2".into(), synonyms: vec![], ..ab.clone() };
        assert_ne!(compare(&site, &unlike).map(|r| r.pairs), compare(&site, &ab).map(|r| r.pairs));
        let none = FeatureCache::new();
        let first = Preparations::new(&site, std::iter::once(&ab)).with_features(&none, true);
        assert!(compare_with(&site, &ab, &first, None).is_some());
        let kept = first.into_next();
        assert!(!kept.is_empty());
        let mut edited = site.clone();
        edited.curricula[0].modules[0].sections[0].markdown.push_str(" Sie planen mit den Versicherten.");
        // The right side's sentences are the rows of a pair's prose.
        let mut right = site.clone();
        right.curricula[1].modules[0].sections[0].markdown.push_str(" Sie beraten die Betroffenen.");
        assert_ne!(compare(&right, &ab), compare(&site, &ab));
        for (s, cmp) in [(&site, &ab), (&edited, &ab), (&right, &ab), (&site, &unlike)] {
            let with = Preparations::new(s, std::iter::once(cmp)).with_features(&kept, true);
            assert_eq!(compare_with(s, cmp, &with, None), compare(s, cmp), "{}", cmp.id);
            assert!(!with.into_next().is_empty());
        }
    }

    /// The word diffs of an earlier result are taken over only for the same
    /// two texts: after an edit of either side, every result is what it is
    /// without them.
    #[test]
    fn earlier_diffs_give_the_results_made_without_them() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let site = crate::load::load_site(root).site;
        let cmp = &site.comparisons[0];
        let before = compare(&site, cmp).unwrap();
        let diffs = |r: &ComparisonResult| -> usize {
            let rows = r.pairs.iter().flat_map(|p| p.tables.iter().flat_map(|t| &t.rows));
            let sentences = r.pairs.iter().flat_map(|p| p.prose.iter().flat_map(|m| &m.sentences));
            rows.filter(|x| x.diff.is_some()).count() + sentences.filter(|x| x.diff.is_some()).count()
        };
        assert!(diffs(&before) > 50, "{}", diffs(&before));
        // The same right texts with other left ones: a diff kept by one text
        // alone would be the old one.
        let mut edited = site.clone();
        for (side, word) in [(&cmp.left.value, "Fallmanagement"), (&cmp.right.value, "Betroffene")] {
            let c = edited.curricula.iter_mut().find(|c| &c.id == side).unwrap();
            for m in &mut c.modules {
                m.sections.iter_mut().for_each(|s| s.markdown = s.markdown.replacen(word, "Casemanagement", 1));
                for d in Dimension::ALL {
                    for it in m.competencies.get_mut(d).iter_mut().step_by(3) {
                        it.text = it.text.replacen(' ', " neu ", 1);
                    }
                }
            }
            let fresh = compare(&edited, cmp).unwrap();
            assert_ne!(fresh, before);
            let with_earlier = compare_with(&edited, cmp, &Preparations::default(), Some(&before)).unwrap();
            assert_eq!(with_earlier, fresh);
        }
    }
}
