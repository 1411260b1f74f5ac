//! View models of the site-wide pages: competency index (with static filter
//! pages), learning methods, fields of action, phases, glossary, and search.
//!
//! The A–Z lists (and the methods matrices) of the built-in theme are written
//! directly, part by part ([`AzList`]). `serve` keeps them as written
//! ([`KeptAz`]) and, after an edit of modules, writes again only the entries
//! and matrices the [`IndexChange`] names: lists of hundreds of thousands of
//! entries change in a few.

use super::views::{Data, Links};
use super::{escape_into, i18n};
use crate::compare::normalize::normalize;
use crate::model::{Curriculum, Dimension, Item, Module, Site};
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

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

#[cfg(test)]
fn letter(key: &str) -> String {
    slot_letter(letter_slot(key)).to_string()
}

/// How many initial letters the A–Z lists know: A to Z, then `#` for the rest.
pub const LETTER_SLOTS: usize = 27;

/// The slots in the order of the lists' sections: `#` first (it sorts before
/// the letters), then A to Z.
fn slots_in_order() -> impl Iterator<Item = usize> {
    std::iter::once(LETTER_SLOTS - 1).chain(0..LETTER_SLOTS - 1)
}

/// The initial letter of a sort key as an index: 0 to 25 for A to Z, 26 for
/// anything else (digits, other scripts, no letter at all). Computed once
/// with each key ([`ItemKey::letter`]): a large site has hundreds of
/// thousands, and a letter's page looks at all of them.
fn letter_slot(key: &str) -> usize {
    match key.chars().find(|c| c.is_alphanumeric()) {
        Some(c) if c.is_ascii_alphabetic() => usize::from(c.to_ascii_uppercase() as u8 - b'A'),
        _ => LETTER_SLOTS - 1,
    }
}

/// The letter of a [`letter_slot`].
pub fn slot_letter(slot: usize) -> char {
    u8::try_from(slot).ok().filter(|s| usize::from(*s) < LETTER_SLOTS - 1).map_or('#', |s| char::from(b'A' + s))
}

/// The id of a letter's section, and the folder of its page where the list is
/// split ([`splits_lists`]): `buchstabe-a`, `buchstabe-0` for `#`.
pub fn slot_id(slot: usize) -> String {
    let letter = slot_letter(slot).to_ascii_lowercase();
    format!("buchstabe-{}", if letter == '#' { '0' } else { letter })
}

/// The folder of the page of letter `slot` of the split list at `base`
/// (`kompetenzen/wissen/` → `kompetenzen/wissen/buchstabe-k/`).
pub fn letter_dir(base: &str, slot: usize) -> String {
    [base, &slot_id(slot), "/"].concat()
}

/// Beyond this many modules the site-wide A–Z lists are split by letter.
pub const SPLIT_MODULES: usize = 200;

/// Whether the site-wide A–Z lists (all items, each dimension's, the
/// methods') are split into a page per initial letter, with an overview of
/// the letters at their old address: beyond the header's limit of curricula
/// or [`SPLIT_MODULES`] modules. A list of all items is then megabytes (tens
/// of them on a site of 10 000 modules), more than a browser opens
/// comfortably, and an edit of one item rewrote all of it. Decided by the
/// site's structure, which an edit of modules leaves as it is.
pub fn splits_lists(site: &Site) -> bool {
    site.curricula.len() > super::views::NAV_LIMIT
        || site.curricula.iter().map(|c| c.modules.len()).sum::<usize>() > SPLIT_MODULES
}

/// How many items each A–Z list has by initial letter: by list (the four
/// dimensions, then the methods), then by [`letter_slot`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LetterCounts([[u32; LETTER_SLOTS]; 5]);

impl Default for LetterCounts {
    fn default() -> Self {
        LetterCounts([[0; LETTER_SLOTS]; 5])
    }
}

impl LetterCounts {
    pub fn of(keys: &CompetencyKeys) -> Self {
        let mut counts = LetterCounts::default();
        for k in keys.iter().flat_map(|k| k.iter()) {
            if let Some(list) = counts.0.get_mut(usize::from(k.dimension)) {
                list[usize::from(k.letter)] += 1;
            }
        }
        counts
    }

    /// The letters the `lists` have items of, with how many.
    pub fn letters(&self, lists: std::ops::Range<usize>) -> Vec<(usize, u32)> {
        let sum = |slot: usize| self.0.get(lists.clone()).unwrap_or_default().iter().map(|l| l[slot]).sum::<u32>();
        slots_in_order().map(|slot| (slot, sum(slot))).filter(|(_, n)| *n > 0).collect()
    }

    /// How many items the `lists` have.
    pub fn total(&self, lists: std::ops::Range<usize>) -> usize {
        self.0.get(lists).unwrap_or_default().iter().flatten().map(|n| *n as usize).sum()
    }

    /// Which letters have pages: an edit that changes this adds or removes
    /// pages and changes the letters' navigation on all of them.
    pub fn layout(&self) -> [[bool; LETTER_SLOTS]; 5] {
        self.0.map(|list| list.map(|n| n > 0))
    }

    /// The counts after `change`.
    pub fn after(&self, change: &IndexChange) -> Self {
        let mut next = *self;
        for (list, by) in next.0.iter_mut().zip(change.letters) {
            for (n, by) in list.iter_mut().zip(by) {
                *n = n.saturating_add_signed(by);
            }
        }
        next
    }
}

/// Where an item occurs, as places in the site: the index pages list
/// hundreds of thousands of these on large sites (16 bytes each, where four
/// references took 48). Its curriculum, module and labels are looked up
/// ([`Lists::get`]) as the list is written ([`write_az`]) or handed to the
/// template ([`SectionView`]).
#[derive(Clone, Copy)]
struct Occurrence {
    curriculum: u32,
    module: u32,
    item: u32,
    /// The index of the item's [`Dimension`], or [`METHODS`].
    list: u8,
}

/// [`Occurrence::list`] of a learning method.
const METHODS: u8 = 4;

impl Occurrence {
    fn new(curriculum: usize, module: usize, list: u8, item: usize) -> Self {
        Occurrence { curriculum: place(curriculum), module: place(module), item: place(item), list }
    }
}

/// An index into the model as the index pages keep it: the model's vectors
/// are far shorter than `u32::MAX` (files are bounded in size).
fn place(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

/// What [`Occurrence`]s point into: the site, and the label of each list.
#[derive(Clone, Copy)]
struct Lists<'a> {
    site: &'a Site,
    /// The dimensions' labels in [`Dimension::ALL`] order, then the methods'.
    labels: [&'a str; 5],
    /// Whether an occurrence shows its module's title ([`shows_module_titles`]).
    titles: bool,
}

/// Whether the site-wide index pages (and the competency pages of each
/// curriculum) show module titles beside module numbers. Beyond the header's
/// limit of curricula they do not: every title is then on no page but its
/// curriculum's own, so the index pages (tens of megabytes on a large site)
/// stay as they are when a module's title is edited (and are smaller).
pub fn shows_module_titles(site: &Site) -> bool {
    site.curricula.len() <= super::views::NAV_LIMIT
}

/// An [`Occurrence`] looked up.
struct Found<'a> {
    c: &'a Curriculum,
    m: &'a Module,
    anchor: &'a str,
    dimension: &'a str,
}

impl<'a> Lists<'a> {
    fn new(site: &'a Site) -> Self {
        let t = i18n::strings(site.config.language);
        let d = |k: usize| t[Dimension::ALL[k].key()];
        Lists { site, labels: [d(0), d(1), d(2), d(3), t["methods"]], titles: shows_module_titles(site) }
    }

    fn get(&self, o: &Occurrence) -> Found<'a> {
        let c = &self.site.curricula[o.curriculum as usize];
        let m = &c.modules[o.module as usize];
        Found { c, m, anchor: &Lists::item(m, o).anchor, dimension: self.labels[o.list as usize] }
    }

    /// The item of module `m` that `o` points to.
    fn item<'m>(m: &'m Module, o: &Occurrence) -> &'m Item {
        &m.item_lists()[usize::from(o.list)][o.item as usize]
    }
}

impl Found<'_> {
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

/// One text of the index with all its occurrences, or (`kept`) the bytes
/// they were written as by an earlier render ([`KeptAz`]).
struct Entry<'a> {
    key: &'a str,
    text: &'a str,
    occurrences: Vec<Occurrence>,
    kept: Option<KeptBytes<'a>>,
}

/// An entry's bytes in a kept text ([`KeptAz::texts`]).
#[derive(Clone)]
struct KeptBytes<'a> {
    text: &'a std::sync::Arc<String>,
    range: std::ops::Range<usize>,
}

impl KeptBytes<'_> {
    fn str(&self) -> &str {
        self.text.get(self.range.clone()).unwrap_or_default()
    }
}

/// The entries of one initial letter.
struct Section<'a> {
    letter: String,
    id: String,
    /// The letter's [`letter_slot`].
    slot: u8,
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
    #[serde(skip_serializing_if = "Option::is_none")]
    module_title: Option<&'a str>,
    dimension: &'a str,
    url: String,
}

/// The template's view of `sections`, for a page at `root` from the site's root.
fn section_views<'a>(sections: &'a [Section], lists: Lists<'a>, root: &str) -> Vec<SectionView<'a>> {
    let occurrence = |o: &Occurrence| {
        let o = lists.get(o);
        OccurrenceView {
            curriculum: &o.c.short_title,
            module: o.module(),
            module_title: lists.titles.then_some(o.m.title.as_str()),
            dimension: o.dimension,
            url: o.url(root),
        }
    };
    let entry = |e: &'a Entry| EntryView { text: e.text, occurrences: e.occurrences.iter().map(occurrence).collect() };
    sections
        .iter()
        .map(|s| SectionView { letter: &s.letter, id: &s.id, entries: s.entries.iter().map(entry).collect() })
        .collect()
}

/// Entries grouped by normalised text (their sort keys and letters, computed
/// once per curriculum: [`CurriculumKeys`]), sorted A–Z, split into letter sections.
fn grouped<'a>(entries: impl Iterator<Item = (&'a ItemKey, &'a str, Occurrence)>) -> Vec<Section<'a>> {
    let mut by_key: BTreeMap<&str, (u8, &str, Vec<Occurrence>)> = BTreeMap::new();
    for (key, text, occ) in entries {
        by_key.entry(&key.key).or_insert_with(|| (key.letter, text, Vec::new())).2.push(occ);
    }
    let entries = by_key
        .into_iter()
        .map(|(key, (letter, text, occurrences))| (letter, Entry { key, text, occurrences, kept: None }));
    sections(entries)
}

/// Entries with their letters ([`letter_slot`]), in sections by letter
/// (entries in key order).
fn sections<'a>(entries: impl Iterator<Item = (u8, Entry<'a>)>) -> Vec<Section<'a>> {
    let mut letters: Vec<Vec<Entry>> = (0..LETTER_SLOTS).map(|_| Vec::new()).collect();
    for (l, e) in entries {
        if let Some(section) = letters.get_mut(usize::from(l)) {
            section.push(e);
        }
    }
    slots_in_order()
        .filter_map(|slot| {
            let mut entries = std::mem::take(&mut letters[slot]);
            if entries.is_empty() {
                return None;
            }
            entries.sort_by(|a, b| a.key.cmp(b.key));
            Some(Section { id: slot_id(slot), letter: slot_letter(slot).to_string(), slot: slot as u8, entries })
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
fn az_html(sections: &[Section], lists: Lists, letters_label: &str, root: &str) -> String {
    let mut out = Vec::new();
    write_az(
        &mut AzParts::new(&mut |p, _| out.extend_from_slice(p), false, false),
        (sections, lists),
        Some(letters_label),
        root,
    );
    String::from_utf8(out).unwrap_or_default()
}

/// An A–Z list to be written into its page's bytes ([`AZ_PLACE`]).
pub struct AzList<'a> {
    sections: Vec<Section<'a>>,
    lists: Lists<'a>,
    label: &'a str,
    /// The way from the page to the site's root.
    root: String,
    /// Whether the methods page's matrices and the list's heading come
    /// first ([`write_matrices`]), and those to take over from the last
    /// render with the curricula whose matrices changed.
    matrices: Option<Option<(&'a KeptAz, BTreeSet<usize>)>>,
    /// Where the entries as written go for the next render, under the page's path.
    keep: Option<(String, &'a AzKeep<'a>)>,
    /// Whether the entries taken over are written into the list's own text
    /// ([`KEPT_TEXTS`]).
    compact: bool,
    /// Whether the list begins with links to its letters' sections (not
    /// where its page is one letter's of a split list: [`Split`]).
    nav: bool,
}

/// About how much of an A–Z list is written at a time: the list of all items
/// of a large site is tens of megabytes, which `build` writes to its file
/// part by part instead of holding it.
const AZ_PART: usize = 1 << 16;

impl AzList<'_> {
    /// About the size of `page` with the list in place of [`AZ_PLACE`].
    pub fn size(&self, page: &[u8]) -> usize {
        let matrices = if self.matrices.is_some() { matrices_estimate(self.lists.site) } else { 0 };
        page.len() + matrices + az_estimate(&self.sections, self.lists, &self.root, true)
    }

    /// `page` with the list in place of [`AZ_PLACE`], handed to `part` in
    /// parts of whole tags (each entry whole). A part's flag says that its
    /// links were made from the model, not read from the content (the
    /// entries' links to items: see [`crate::links::check_item_anchors`]).
    pub fn write_parts(&self, page: &[u8], part: &mut dyn FnMut(&[u8], bool)) {
        let Some(at) = memchr::memmem::find(page, AZ_PLACE.as_bytes()) else { return part(page, false) };
        part(&page[..at], false);
        let mut parts = AzParts::new(part, self.keep.is_some(), self.compact);
        if parts.keeping {
            // The entries written are held: room for them at once, not grown (and copied) step by step.
            parts.body.reserve(az_estimate(&self.sections, self.lists, &self.root, self.compact));
        }
        let mut matrices = Matrices::default();
        if let Some(reuse) = &self.matrices {
            let (head, part) = (&mut parts.head, &mut *parts.part);
            let mut hand = |h: &mut String| {
                part(h.as_bytes(), false);
                h.clear();
            };
            let reuse = reuse.as_ref().map(|(kept, changed)| (&kept.matrices, changed));
            matrices = write_matrices((head, &mut hand), (self.lists.site, &self.root), reuse, parts.keeping);
        }
        let label = self.nav.then_some(self.label);
        write_az(&mut parts, (&self.sections, self.lists), label, &self.root);
        let AzParts { part, body, mut entries, mut texts, .. } = parts;
        part(&page[at + AZ_PLACE.len()..], false);
        if let Some((path, keep)) = &self.keep {
            // The entries written go into a text of their own, after those taken over.
            let written = texts.len();
            texts.push(std::sync::Arc::new(body));
            entries.iter_mut().filter(|e| e.text == WRITTEN).for_each(|e| e.text = written);
            keep.note(path.clone(), KeptAz { texts, entries, matrices });
        }
    }
}

/// Where [`write_az`] writes: the list's own markup (`head`: navigation,
/// section headings, read by the link check) and the entries it writes
/// (`body`), each handed to `part` in turn, and the entries taken over
/// (`run`: consecutive ones of the same kept text are handed as one part).
/// While the entries are kept for the next render (`keeping`), `body` holds
/// all it wrote, `entries` where each entry is, and `texts` the kept texts
/// that entries were taken from.
struct AzParts<'p, 'k> {
    part: &'p mut dyn FnMut(&[u8], bool),
    head: String,
    body: String,
    /// The end of what of `body` went to `part`.
    handed: usize,
    run: Option<KeptBytes<'k>>,
    keeping: bool,
    /// Whether the entries taken over are copied into `body` too.
    compact: bool,
    entries: Vec<KeptEntry>,
    texts: Vec<std::sync::Arc<String>>,
    /// The index in `texts` of each kept text, by address.
    text_places: rustc_hash::FxHashMap<usize, usize>,
}

/// [`KeptEntry::text`] of the entries in the text being written.
const WRITTEN: usize = usize::MAX;

impl<'p, 'k> AzParts<'p, 'k> {
    fn new(part: &'p mut dyn FnMut(&[u8], bool), keeping: bool, compact: bool) -> Self {
        let body = String::with_capacity(AZ_PART + AZ_PART / 4);
        let (entries, texts, text_places) = Default::default();
        let head = String::new();
        AzParts { part, head, body, handed: 0, run: None, keeping, compact, entries, texts, text_places }
    }

    fn hand_run(&mut self) {
        if let Some(run) = self.run.take() {
            (self.part)(run.str().as_bytes(), true);
        }
    }

    /// Hands `kept` on after the entries before it, with the run it continues.
    fn take_over(&mut self, kept: &KeptBytes<'k>) -> usize {
        self.hand_body();
        match &mut self.run {
            Some(run) if std::ptr::eq(run.text, kept.text) && run.range.end == kept.range.start => {
                run.range.end = kept.range.end;
            }
            _ => {
                self.hand_run();
                self.run = Some(kept.clone());
            }
        }
        let next = self.texts.len();
        let place = *self.text_places.entry(std::sync::Arc::as_ptr(kept.text) as usize).or_insert(next);
        if place == next {
            self.texts.push(std::sync::Arc::clone(kept.text));
        }
        place
    }

    fn hand_head(&mut self) {
        if !self.head.is_empty() {
            (self.part)(self.head.as_bytes(), false);
            self.head.clear();
        }
    }

    fn hand_body(&mut self) {
        if self.body.len() > self.handed {
            self.hand_run();
            (self.part)(&self.body.as_bytes()[self.handed..], true);
            if self.keeping {
                self.handed = self.body.len();
            } else {
                self.body.clear();
            }
        }
    }

    /// Writes `e` (of the section of `letter`) into `body`, or takes it over.
    fn entry(&mut self, e: &Entry<'k>, letter: u8, lists: Lists, root: &str) {
        let (text, range) = match &e.kept {
            Some(kept) if !self.compact => (self.take_over(kept), kept.range.clone()),
            kept => {
                self.hand_run();
                let start = self.body.len();
                match kept {
                    Some(kept) => self.body.push_str(kept.str()),
                    None => write_entry(&mut self.body, e, lists, root),
                }
                (WRITTEN, start..self.body.len())
            }
        };
        if self.keeping {
            self.entries.push(KeptEntry { key: e.key.into(), letter, text, range });
        } else if self.body.len() >= AZ_PART {
            self.hand_body();
        }
    }

    /// Hands on what is left of the entries.
    fn hand_entries(&mut self) {
        self.hand_body();
        self.hand_run();
    }
}

/// The A–Z list of `sections` on a page whose way to the site's root is
/// `root`, written into `parts`; with links to its sections first (labelled
/// `letters_label`) if given.
fn write_az<'k>(
    parts: &mut AzParts<'_, 'k>,
    (sections, lists): (&[Section<'k>], Lists),
    letters_label: Option<&str>,
    root: &str,
) {
    let out = &mut parts.head;
    if let Some(label) = letters_label {
        out.push_str("\n<nav class=\"az\" aria-label=\"");
        escape_into(out, label);
        out.push_str("\"><ul>");
        for s in sections {
            out.push_str("<li><a href=\"#");
            escape_into(out, &s.id);
            out.push_str("\">");
            escape_into(out, &s.letter);
            out.push_str("</a></li>");
        }
        out.push_str("</ul></nav>");
    }
    out.push('\n');
    for s in sections {
        let out = &mut parts.head;
        out.push_str("\n<section aria-labelledby=\"");
        escape_into(out, &s.id);
        out.push_str("\">\n<h2 id=\"");
        escape_into(out, &s.id);
        out.push_str("\">");
        escape_into(out, &s.letter);
        out.push_str("</h2>\n<dl class=\"index\">\n");
        parts.hand_head();
        for e in &s.entries {
            parts.entry(e, s.slot, lists, root);
        }
        parts.hand_entries();
        parts.head.push_str("\n</dl>\n</section>\n");
    }
    parts.head.push('\n');
    parts.hand_head();
}

/// One entry of [`write_az`]'s list.
fn write_entry(out: &mut String, e: &Entry, lists: Lists, root: &str) {
    out.push_str("\n  <dt>");
    escape_into(out, e.text);
    out.push_str("</dt>\n  <dd><ul>");
    for o in &e.occurrences {
        let o = lists.get(o);
        out.push_str("<li><a href=\"");
        for part in o.url_parts(root) {
            escape_into(out, part);
        }
        out.push_str("\">");
        escape_into(out, &o.c.short_title);
        out.push_str(" M");
        out.push_str(&o.m.number.value.to_string());
        out.push_str("</a> <span class=\"aside\">");
        if lists.titles {
            escape_into(out, &o.m.title);
            out.push_str(" · ");
        }
        escape_into(out, o.dimension);
        out.push_str("</span></li>");
    }
    out.push_str("</ul></dd>\n");
}

/// The length of [`write_az`]'s list before escaping, with some room for it
/// (capacity never touched is not resident memory); without the entries
/// taken over unless `kept_too`.
fn az_estimate(sections: &[Section], lists: Lists, root: &str, kept_too: bool) -> usize {
    let occurrence = |o: &Occurrence| {
        let o = lists.get(o);
        90 + root.len()
            + o.c.id.len()
            + o.m.id.len()
            + o.anchor.len()
            + o.c.short_title.len()
            + if lists.titles { o.m.title.len() } else { 0 }
            + o.dimension.len()
    };
    let entry = |e: &Entry| match &e.kept {
        Some(kept) if kept_too => kept.range.len(),
        Some(_) => 0,
        None => 40 + e.text.len() + e.occurrences.iter().map(occurrence).sum::<usize>(),
    };
    let section = |s: &Section| 150 + 3 * (s.id.len() + s.letter.len()) + s.entries.iter().map(entry).sum::<usize>();
    let plain: usize = 100 + sections.iter().map(section).sum::<usize>();
    plain + plain / 8
}

/// The entries of an A–Z list as a render wrote them, kept by `serve` for the
/// next: an edit of a few items changes a few entries of lists of hundreds
/// of thousands, and writing those lists again whole (and hashing and
/// checking them) was most of the rebuild after such an edit on a large site.
///
/// The entries a render takes over stay where they are: a list refers to the
/// texts it took entries from and to one of the entries it wrote itself (so
/// an edit neither copies nor makes the kernel zero memory for tens of
/// megabytes). Lists taken over through more than [`KEPT_TEXTS`] texts are
/// written into one again.
#[derive(Debug)]
pub struct KeptAz {
    texts: Vec<std::sync::Arc<String>>,
    /// In the order written.
    entries: Vec<KeptEntry>,
    /// The methods page's matrices (none on the other pages).
    matrices: Matrices,
}

#[derive(Debug)]
struct KeptEntry {
    key: Box<str>,
    /// Its [`letter_slot`].
    letter: u8,
    /// Where its bytes are: an index into [`KeptAz::texts`], and the range.
    text: usize,
    range: std::ops::Range<usize>,
}

impl KeptAz {
    /// How many texts its entries are in.
    #[cfg(test)]
    pub(super) fn texts(&self) -> usize {
        self.texts.len()
    }
}

/// How many texts a kept list may refer to before its entries are written
/// into one text again (each edit adds one; memory holds the replaced entries
/// of each until then).
pub(super) const KEPT_TEXTS: usize = 16;

/// The [`KeptAz`] of each A–Z page by path: those of the last render, and
/// those a render makes (while it keeps them).
pub struct AzKeep<'a> {
    kept: &'a KeptAzs,
    made: Option<std::sync::Mutex<KeptAzs>>,
    /// What changed since the kept lists were written, if the render is
    /// scoped to an edit of modules ([`IndexChange`]); otherwise none is taken.
    change: Option<IndexChange>,
}

/// A kept list to take over ([`AzKeep::reusable`]).
struct Reused<'a, 'c> {
    kept: &'a KeptAz,
    changed: Changed<'c>,
    /// The curricula whose methods matrices are made again.
    curricula: &'c BTreeSet<usize>,
}

/// The keys of the entries an edit changed: a few, looked up for each of
/// hundreds of thousands of items (a comparison of lengths rules out most).
struct Changed<'k>(Vec<&'k str>);

impl Changed<'_> {
    fn contains(&self, key: &str) -> bool {
        self.0.contains(&key)
    }
}

/// [`KeptAz`] by page path.
pub type KeptAzs = std::collections::HashMap<String, std::sync::Arc<KeptAz>>;

impl<'a> AzKeep<'a> {
    pub fn new(kept: &'a KeptAzs, keeping: bool, change: Option<IndexChange>) -> Self {
        AzKeep { kept, made: keeping.then(Default::default), change }
    }

    fn note(&self, path: String, list: KeptAz) {
        if let Some(made) = &self.made {
            made.lock().unwrap_or_else(|e| e.into_inner()).insert(path, std::sync::Arc::new(list));
        }
    }

    /// The kept list of `path` and the keys of the entries to write again,
    /// for a page of the `lists` (indices into [`IndexChange::keys`]).
    fn reusable(&self, path: &str, lists: std::ops::Range<usize>) -> Option<Reused<'a, '_>> {
        let change = self.change.as_ref()?;
        let kept = self.kept.get(path)?;
        let keys: BTreeSet<&str> = change.keys.get(lists)?.iter().flatten().map(String::as_str).collect();
        Some(Reused { kept, changed: Changed(keys.into_iter().collect()), curricula: &change.curricula })
    }

    /// What the next render takes over: what a full render made, or what
    /// this one made over what was kept (the lists it did not write again
    /// are as they were); nothing when this render keeps nothing.
    pub fn into_next(self, all: bool) -> KeptAzs {
        let Some(made) = self.made else { return KeptAzs::new() };
        let made = made.into_inner().unwrap_or_else(|e| e.into_inner());
        if all {
            return made;
        }
        let mut next = self.kept.clone();
        next.extend(made);
        next
    }
}

/// What an edit of modules changes on the site-wide index pages, as far as
/// they show it: which entries of the competency lists, whether the methods
/// page and whether the modules' outlines (the fields and phases pages).
/// The home page shows counts of all of these.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IndexChange {
    /// By dimension, then of the methods: the sort keys of the entries whose
    /// occurrences changed.
    pub keys: [BTreeSet<String>; 5],
    pub outline: bool,
    /// The curricula of the changed modules (their methods matrices).
    pub curricula: BTreeSet<usize>,
    /// How many items more (or fewer) each list has by initial letter
    /// ([`LetterCounts`]): where the lists are split, a letter that comes or
    /// goes adds or removes a page.
    pub letters: [[i32; LETTER_SLOTS]; 5],
}

impl IndexChange {
    /// What changes from `before` to `after` (the same module of curriculum
    /// `curriculum`, its number and file unchanged) where the index pages
    /// show module titles or not.
    pub fn of_module(curriculum: usize, before: &Module, after: &Module, titles: bool) -> Self {
        let retitled = titles && before.title != after.title;
        let same = |x: Option<&Item>, y: Option<&Item>| {
            !retitled && matches!((x, y), (Some(x), Some(y)) if x.text == y.text && x.anchor == y.anchor)
        };
        let mut keys: [BTreeSet<String>; 5] = Default::default();
        let mut letters = [[0; LETTER_SLOTS]; 5];
        let lists = before.item_lists().into_iter().zip(after.item_lists());
        for ((a, b), (keys, letters)) in lists.zip(keys.iter_mut().zip(&mut letters)) {
            for i in 0..a.len().max(b.len()) {
                let (x, y) = (a.get(i), b.get(i));
                if same(x, y) {
                    continue;
                }
                for (item, by) in [(x, -1), (y, 1)] {
                    if let Some(item) = item {
                        let key = sort_key(&item.text);
                        letters[letter_slot(&key)] += by;
                        keys.insert(key);
                    }
                }
            }
        }
        let outline = |m: &Module| Module {
            preamble: String::new(),
            sections: Vec::new(),
            competencies: Default::default(),
            methods: Vec::new(),
            title: if titles { m.title.clone() } else { String::new() },
            ..m.clone()
        };
        let curricula = BTreeSet::from([curriculum]);
        IndexChange { keys, outline: outline(before) != outline(after), curricula, letters }
    }

    pub fn add(&mut self, other: IndexChange) {
        for (k, o) in self.keys.iter_mut().zip(other.keys) {
            k.extend(o);
        }
        self.outline |= other.outline;
        self.curricula.extend(other.curricula);
        for (list, other) in self.letters.iter_mut().zip(other.letters) {
            list.iter_mut().zip(other).for_each(|(n, o)| *n += o);
        }
    }

    /// Whether no index page changes (nor the home page).
    pub fn is_empty(&self) -> bool {
        !self.items() && !self.outline
    }

    /// Whether an entry of the competency or methods lists changes.
    pub fn items(&self) -> bool {
        self.keys.iter().any(|k| !k.is_empty())
    }

    /// Whether an entry of dimension `d`'s list changes.
    pub fn dimension(&self, d: usize) -> bool {
        self.keys[..METHODS as usize].get(d).is_some_and(|k| !k.is_empty())
    }

    /// Whether an entry of the competency lists changes.
    pub fn competencies(&self) -> bool {
        self.keys[..METHODS as usize].iter().any(|k| !k.is_empty())
    }

    /// Whether the methods page changes (an entry, and the curricula's matrices).
    pub fn methods(&self) -> bool {
        !self.keys[METHODS as usize].is_empty()
    }

    /// Whether an entry of the `lists` with the initial letter `slot` changes
    /// (the page of that letter, where the lists are split).
    pub fn letter(&self, lists: std::ops::Range<usize>, slot: usize) -> bool {
        self.keys.get(lists).unwrap_or_default().iter().flatten().any(|k| letter_slot(k) == slot)
    }
}

/// The sort keys of one curriculum's DQR items, in source order.
pub type CurriculumKeys = Vec<ItemKey>;

/// The sort key of one DQR item, with its place in its curriculum: 32 bytes
/// and a key of its own length, where three indices and a `String` took 48
/// and room to grow (a large site has hundreds of thousands, held while it
/// renders).
#[derive(Debug)]
pub struct ItemKey {
    module: u32,
    item: u32,
    /// The index of the item's [`Dimension`].
    dimension: u8,
    /// The [`letter_slot`] of its key.
    letter: u8,
    key: Box<str>,
}

/// The [`CurriculumKeys`] of every curriculum, by curriculum index: computed
/// once per build (the index pages only filter them), and by `serve` only for
/// the curricula an edit changed.
pub type CompetencyKeys = Vec<std::sync::Arc<CurriculumKeys>>;

fn curriculum_keys(c: &Curriculum) -> CurriculumKeys {
    let mut v = Vec::new();
    for (mi, m) in c.modules.iter().enumerate() {
        for (list, items) in m.item_lists().into_iter().enumerate() {
            for (ii, it) in items.iter().enumerate() {
                // `list` indexes the four dimensions and the methods.
                let (module, item, dimension) = (place(mi), place(ii), list as u8);
                let key = sort_key(&it.text);
                let letter = letter_slot(&key) as u8;
                v.push(ItemKey { module, item, dimension, letter, key: key.into() });
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
    #[serde(flatten)]
    split: Split,
}

/// Where the lists are split by letter ([`splits_lists`]): the letters'
/// pages, the letter of this page, or (`overview`) that the page lists the
/// letters instead of the entries.
#[derive(Serialize, Default)]
struct Split {
    letters: Vec<LetterLink>,
    #[serde(skip_serializing_if = "Option::is_none")]
    letter: Option<char>,
    overview: bool,
}

/// A link to the page of one initial letter.
#[derive(Serialize)]
struct LetterLink {
    letter: char,
    /// The id the letter's section had on the page before it was split.
    id: String,
    url: String,
    current: bool,
}

impl Split {
    /// The split of the page at `base` listing `lists`, showing `letter` (or
    /// the overview); nothing where the lists are not split.
    fn of(data: &Data, (base, lists): (&str, std::ops::Range<usize>), letter: Option<usize>, links: &Links) -> Self {
        let Some(counts) = &data.az_letters else { return Split::default() };
        let letters = counts.letters(lists).into_iter().map(|(slot, _)| {
            let url = links.to(&letter_dir(base, slot));
            LetterLink { letter: slot_letter(slot), id: slot_id(slot), url, current: letter == Some(slot) }
        });
        Split { letters: letters.collect(), letter: letter.map(slot_letter), overview: letter.is_none() }
    }
}

/// The folder of the page below `base` that lists `letter` (or all letters).
fn page_dir(base: &str, letter: Option<usize>) -> String {
    letter.map_or_else(|| base.to_string(), |slot| letter_dir(base, slot))
}

/// The sections as the template lists them, or (with the built-in templates)
/// none: they then go to `insert`, to be written directly where the template
/// puts `az` ([`AZ_PLACE`]), and kept under `path` if the render keeps lists.
/// The list's letters link to its sections unless the page `split`s it.
fn az_or_views<'s, 'a>(
    data: &'a Data,
    (sections, path, reuse): (&'s mut Vec<Section<'a>>, String, Option<&Reused>),
    (links, split): (&Links, &Split),
    insert: &mut Option<AzList<'a>>,
) -> (Vec<SectionView<'s>>, Option<&'static str>) {
    if data.fast_az {
        let label = i18n::strings(data.site.config.language)["letters"];
        let sections = std::mem::take(sections);
        let (lists, root) = (Lists::new(data.site), links.root.clone());
        let keep = data.az.made.is_some().then_some((path, &data.az));
        // Entries taken over from a list kept through many texts go into its own.
        let compact = reuse.is_some_and(|r| r.kept.texts.len() >= KEPT_TEXTS);
        let nav = split.letters.is_empty();
        *insert = Some(AzList { sections, lists, label, root, matrices: None, keep, compact, nav });
        (Vec::new(), Some(AZ_PLACE))
    } else {
        (section_views(sections, Lists::new(data.site), &links.root), None)
    }
}

/// The entries of an A–Z page listing the items of `lists` (indices into a
/// module's four dimensions and its methods) of the `curricula` (of one
/// initial letter, if given): all of them made again, or (where the page's
/// list was kept and only some entries changed: `reuse`) those made again and
/// the others as kept; and how many items the page lists.
fn az_sections<'a>(
    data: &'a Data,
    (curricula, lists, letter): (std::ops::Range<usize>, std::ops::Range<usize>, Option<usize>),
    reuse: Option<&Reused<'a, '_>>,
) -> (Vec<Section<'a>>, usize) {
    let site = data.site;
    let keys = curricula.filter_map(|ci| data.competency_keys.get(ci).map(|k| (ci, k)));
    let mut count = 0;
    let entries = keys
        .flat_map(|(ci, k)| k.iter().map(move |x| (ci, x)))
        .filter(|(_, k)| lists.contains(&usize::from(k.dimension)))
        .filter(|(_, k)| letter.is_none_or(|l| usize::from(k.letter) == l))
        .inspect(|_| count += 1)
        .filter(|(_, k)| reuse.is_none_or(|r| r.changed.contains(&k.key)))
        .map(|(ci, k)| {
            let (mi, ii) = (k.module as usize, k.item as usize);
            let o = Occurrence::new(ci, mi, k.dimension, ii);
            (k, Lists::item(&site.curricula[ci].modules[mi], &o).text.as_str(), o)
        });
    let fresh = grouped(entries);
    let Some(Reused { kept, changed, .. }) = reuse else { return (fresh, count) };
    let made = fresh.into_iter().flat_map(|s| s.entries.into_iter().map(move |e| (s.slot, e)));
    let taken = kept.entries.iter().filter(|e| !changed.contains(&e.key)).filter_map(|e| {
        let text = kept.texts.get(e.text)?;
        let kept = Some(KeptBytes { text, range: e.range.clone() });
        Some((e.letter, Entry { key: &e.key, text: "", occurrences: Vec::new(), kept }))
    });
    (sections(taken.chain(made)), count)
}

/// The body of a competency page: of a `filter`, whole or (where the lists
/// are split) of one initial `letter` or the overview of the letters. Its
/// A–Z list may go to `insert` ([`az_or_views`]).
pub fn competencies<'a>(
    data: &'a Data,
    (filter, letter): (Filter, Option<usize>),
    links: &Links,
    insert: &mut Option<AzList<'a>>,
) -> tera::Value {
    let site = data.site;
    let base = format!("kompetenzen/{}", filter.segment(site));
    // A curriculum's page reads only its own keys: each of its pages costs its
    // own items, not the site's.
    let (curricula, lists) = match filter {
        Filter::All => (0..data.competency_keys.len(), 0..METHODS as usize),
        Filter::Curriculum(c) => (c..c + 1, 0..METHODS as usize),
        Filter::Dimension(d) => (0..data.competency_keys.len(), d..d + 1),
    };
    let filters = filter_links(site, filter, letter.is_some(), links);
    let split = match filter {
        Filter::Curriculum(_) => Split::default(),
        _ => Split::of(data, (&base, lists.clone()), letter, links),
    };
    if split.overview {
        let count = data.az_letters.map_or(0, |counts| counts.total(lists));
        let page = CompetencyPage { sections: Vec::new(), az: None, filters, count, distinct: 0, split };
        return tera::Value::from_serializable(&page);
    }
    let path = page_dir(&base, letter);
    let reuse = if data.fast_az { data.az.reusable(&path, lists.clone()) } else { None };
    let (mut sections, count) = az_sections(data, (curricula, lists, letter), reuse.as_ref());
    let distinct: usize = sections.iter().map(|s| s.entries.len()).sum();
    let (sections, az) = az_or_views(data, (&mut sections, path, reuse.as_ref()), (links, &split), insert);
    tera::Value::from_serializable(&CompetencyPage { sections, az, filters, count, distinct, split })
}

/// The filters of the competency pages, as the page of `filter` links them
/// (or a page of one letter of its list: the filter's link is then not
/// the page's own, `aria-current="true"` instead of `"page"`).
fn filter_links(site: &Site, filter: Filter, letter: bool, links: &Links) -> Vec<Value> {
    let current = if letter { "true" } else { "page" };
    let t = i18n::strings(site.config.language);
    // Beyond the header's limit of curricula, only the page of all items
    // lists every curriculum's page; the others link to it, the dimensions
    // and their own curriculum (every page would otherwise grow with the site).
    let listed = |f: &Filter| {
        site.curricula.len() <= super::views::NAV_LIMIT
            || filter == Filter::All
            || !matches!(f, Filter::Curriculum(_))
            || *f == filter
    };
    Filter::all(site)
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
            json!({"label": label, "kind": kind, "url": links.to(&format!("kompetenzen/{}", f.segment(site))), "current": (f == filter).then_some(current)})
        })
        .collect()
}

/// The body of the methods page (whole, one initial `letter`'s or the
/// overview, as [`competencies`]); its A–Z list, with the matrices before it
/// (on the page of all letters or the overview), may go to `insert`
/// ([`az_or_views`]).
pub fn methods<'a>(data: &'a Data, letter: Option<usize>, links: &Links, insert: &mut Option<AzList<'a>>) -> Value {
    let site = data.site;
    let lists = METHODS as usize..METHODS as usize + 1;
    let split = Split::of(data, ("methoden/", lists.clone()), letter, links);
    let path = page_dir("methoden/", letter);
    let reuse = if data.fast_az { data.az.reusable(&path, lists.clone()) } else { None };
    let mut sections = match split.overview {
        true => Vec::new(),
        false => az_sections(data, (0..data.competency_keys.len(), lists, letter), reuse.as_ref()).0,
    };
    let (sections, az) = az_or_views(data, (&mut sections, path, reuse.as_ref()), (links, &split), insert);
    let body = |matrices: Vec<Value>| json!({"sections": sections, "az": az, "matrices": matrices, "letters": split.letters, "letter": split.letter, "overview": split.overview});
    if letter.is_some() || data.az_letters.is_some() {
        // A split list: each matrix has a page of its own, which the overview
        // links to under the matrix's old anchor.
        let mut v = body(Vec::new());
        if letter.is_none() {
            let pages = site
                .curricula
                .iter()
                .map(|c| json!({"short": c.short_title, "url": links.to(&format!("methoden/{}/", c.id))}));
            v["matrix_pages"] = json!(pages.collect::<Vec<_>>());
        }
        return v;
    }
    if let Some(list) = insert {
        list.matrices = Some(reuse.map(|r| (r.kept, r.curricula.clone())));
        return body(Vec::new());
    }
    let titles = shows_module_titles(site);
    body(site.curricula.iter().map(|c| matrix_view(c, links, titles)).collect())
}

/// The body of a curriculum's methods matrix page ([`super::views::Job::MethodsMatrix`]).
pub fn methods_matrix(data: &Data, c: &Curriculum, links: &Links) -> Value {
    json!({"matrices": [matrix_view(c, links, shows_module_titles(data.site))], "matrix_page": true})
}

fn matrix_view(c: &Curriculum, links: &Links, titles: bool) -> Value {
    json!({
        "short": c.short_title,
        "modules": matrix_modules(c, links, titles),
        "rows": method_rows(c).into_iter().map(|(text, cells)| json!({"text": text, "cells": cells, "count": cells.iter().filter(|x| **x).count()})).collect::<Vec<_>>(),
    })
}

/// The rows of a curriculum's methods matrix: each method A–Z (as first
/// written), and which modules use it.
fn method_rows(c: &Curriculum) -> Vec<(&str, Vec<bool>)> {
    let mut rows: BTreeMap<String, (&str, Vec<bool>)> = BTreeMap::new();
    for (mi, m) in c.modules.iter().enumerate() {
        for it in &m.methods {
            let row = rows.entry(sort_key(&it.text)).or_insert_with(|| (&it.text, vec![false; c.modules.len()]));
            row.1[mi] = true;
        }
    }
    rows.into_values().collect()
}

/// The matrices of the methods page and the heading of its A–Z list (only an
/// unsplit list has them on its page, [`methods`]), as `methods.html` writes them before the list, `out` handed to `flush` after
/// each matrix once it holds [`AZ_PART`] bytes (the matrices of a large site
/// are megabytes). The matrices of curricula not among the changed ones are
/// taken from `reuse` where given; with `keeping`, all of them are returned
/// as written.
fn write_matrices(
    (out, flush): (&mut String, &mut dyn FnMut(&mut String)),
    (site, root): (&Site, &str),
    reuse: Option<(&Matrices, &BTreeSet<usize>)>,
    keeping: bool,
) -> Matrices {
    let mut made = Matrices::default();
    for (i, c) in site.curricula.iter().enumerate() {
        let start = out.len();
        match reuse.filter(|(_, changed)| !changed.contains(&i)).and_then(|(kept, _)| kept.get(i)) {
            Some(bytes) => out.push_str(bytes),
            None => write_matrix(out, site, (i, c), root),
        }
        if keeping {
            let from = made.text.len();
            made.text.push_str(&out[start..]);
            made.ranges.push(from..made.text.len());
        }
        if out.len() >= AZ_PART {
            flush(out);
        }
    }
    let t = i18n::strings(site.config.language);
    out.push_str("\n<h2>");
    escape_into(out, t["occurrences"]);
    out.push_str("</h2>\n");
    made
}

/// The methods matrices of the methods page as written, by curriculum index
/// (a method edit changes one curriculum's of a thousand).
#[derive(Debug, Default)]
struct Matrices {
    text: String,
    ranges: Vec<std::ops::Range<usize>>,
}

impl Matrices {
    fn get(&self, i: usize) -> Option<&str> {
        self.text.get(self.ranges.get(i)?.clone())
    }
}

/// The methods matrix of curriculum `c` (at index `i`).
fn write_matrix(out: &mut String, site: &Site, (i, c): (usize, &Curriculum), root: &str) {
    let t = i18n::strings(site.config.language);
    let links = Links { root: root.to_string() };
    let titles = shows_module_titles(site);
    let n = (i + 1).to_string();
    for part in ["\n<section aria-labelledby=\"matrix-", &n, "\">\n<h2 id=\"matrix-", &n, "\">"] {
        out.push_str(part);
    }
    let title = |out: &mut String| {
        escape_into(out, t["matrix_methods"]);
        out.push_str(": ");
        escape_into(out, &c.short_title);
    };
    title(out);
    out.push_str("</h2>\n<div class=\"table-wrap\">\n<table class=\"matrix-check\">\n  <caption>");
    title(out);
    out.push_str("</caption>\n  <thead><tr><th scope=\"col\">");
    escape_into(out, t["methods_index"]);
    out.push_str("</th>");
    for m in &c.modules {
        out.push_str("<th scope=\"col\"><a href=\"");
        escape_into(out, &links.module(c, m));
        out.push_str("\">");
        if titles {
            out.push_str("<abbr title=\"");
            escape_into(out, &m.title);
            out.push_str("\">M");
            out.push_str(&m.number.value.to_string());
            out.push_str("</abbr>");
        } else {
            out.push('M');
            out.push_str(&m.number.value.to_string());
        }
        out.push_str("</a></th>");
    }
    out.push_str("<th scope=\"col\" class=\"num\">");
    escape_into(out, t["modules_count"]);
    out.push_str("</th></tr></thead>\n  <tbody>");
    for (text, cells) in method_rows(c) {
        write_matrix_row(out, text, &cells, (t["used"], t["not_used"]));
    }
    out.push_str("</tbody>\n</table>\n</div>\n</section>\n");
}

/// About the length of [`write_matrices`]' output: a row per method at most.
fn matrices_estimate(site: &Site) -> usize {
    let curriculum = |c: &Curriculum| {
        let rows: usize = c.modules.iter().map(|m| m.methods.len()).sum();
        500 + c.short_title.len() + 200 * c.modules.len() + rows * (120 + 75 * c.modules.len())
    };
    site.curricula.iter().map(curriculum).sum()
}

/// One row of a methods matrix ([`write_matrices`]).
fn write_matrix_row(out: &mut String, text: &str, cells: &[bool], (used, not_used): (&str, &str)) {
    out.push_str("<tr><th scope=\"row\">");
    escape_into(out, text);
    out.push_str("</th>");
    for &c in cells {
        out.push_str("<td class=\"check\">");
        if c {
            out.push_str("<span aria-hidden=\"true\">●</span><span class=\"vh\">");
            escape_into(out, used);
        } else {
            out.push_str("<span class=\"vh\">");
            escape_into(out, not_used);
        }
        out.push_str("</span></td>");
    }
    out.push_str("<td class=\"num\">");
    out.push_str(&cells.iter().filter(|x| **x).count().to_string());
    out.push_str("</td></tr>");
}

/// The column heads of a curriculum's matrix: each module's number, with
/// its title if `titles`.
fn matrix_modules(c: &Curriculum, links: &Links, titles: bool) -> Vec<Value> {
    c.modules
        .iter()
        .map(|m| {
            let title = titles.then_some(m.title.as_str());
            json!({"label": format!("M{}", m.number.value), "title": title, "url": links.module(c, m)})
        })
        .collect()
}

pub fn fields(data: &Data, links: &Links) -> Value {
    let titles = shows_module_titles(data.site);
    let curricula: Vec<Value> = data
        .site
        .curricula
        .iter()
        .map(|c| {
            let fields = super::views::fields_view(c, links, &format!("{}-", c.id), titles);
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
    let titles = shows_module_titles(site);
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
                "modules": matrix_modules(c, links, titles),
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
    fn an_index_change_names_what_the_index_pages_show_of_an_edit() {
        use crate::model::{Section as Prose, testutil};
        let mut m = testutil::module("m1", 1);
        m.competencies.wissen = vec![Item::new("Hilfeplanung"), Item::new("Netzwerk")];
        m.competencies.sozialkompetenz = vec![Item::new("Empathie")];
        m.methods = vec![Item::new("Vortrag")];
        crate::model::assign_anchors(&mut m);
        let change = |after: &Module, titles: bool| IndexChange::of_module(0, &m, after, titles);
        let keys = |c: &IndexChange, d: usize| c.keys[d].iter().cloned().collect::<Vec<_>>();
        let mut prose = m.clone();
        prose.preamble = "Vorab.".into();
        prose.sections =
            vec![Prose { title: "Berufliche Handlung".into(), known: None, markdown: "Text.".into(), line: 9 }];
        assert!(change(&prose, true).is_empty(), "Markdown is on no index page");
        let mut title = prose.clone();
        title.title.push('!');
        assert!(change(&title, false).is_empty(), "a large site's index pages show no titles");
        let retitled = change(&title, true);
        assert!(retitled.outline && retitled.methods() && keys(&retitled, 0) == ["hilfeplanung", "netzwerk"]);
        assert_eq!(keys(&retitled, 2), ["empathie"]);
        let mut item = m.clone();
        item.competencies.wissen[1].text = "Übergänge".into();
        crate::model::assign_anchors(&mut item);
        let c = change(&item, true);
        assert_eq!((keys(&c, 0), c.methods(), c.outline), (vec!["netzwerk".into(), "ubergange".into()], false, false));
        assert!(c.keys[1..].iter().all(BTreeSet::is_empty) && c.competencies());
        // An item put first moves every other: each of them is written again.
        let mut first = m.clone();
        first.competencies.wissen.insert(0, Item::new("Netzwerk"));
        crate::model::assign_anchors(&mut first);
        assert_eq!(keys(&change(&first, false), 0), ["hilfeplanung", "netzwerk"]);
        let mut method = m.clone();
        method.methods.push(Item::new("Planspiel"));
        let c = change(&method, false);
        assert!(c.methods() && !c.competencies() && !c.outline && keys(&c, 4) == ["planspiel"]);
        let mut phase = m.clone();
        phase.phases.push(crate::model::At::new("assessment".into(), None));
        let mut all = IndexChange::default();
        all.add(change(&phase, false));
        all.add(change(&item, false));
        assert!(all.outline && all.competencies() && !all.methods());
    }

    #[test]
    fn the_pages_of_a_split_list_together_list_what_the_whole_list_lists() {
        let dir = tempfile::tempdir().unwrap();
        crate::synth::write_site(dir.path(), 60, super::super::views::NAV_LIMIT + 1, 3).unwrap();
        let site = crate::load::load_site(dir.path()).site;
        let theme = super::super::Theme::load(dir.path(), "default").unwrap();
        let (reuse, sources) = (super::super::Reuse::default(), std::collections::BTreeMap::new());
        let data = super::super::prepare(&site, &theme, &sources, &super::super::Scope::all(), &reuse);
        assert!(data.az_letters.is_some() && splits_lists(&site));
        let n = site.curricula.len();
        let entries = |sections: Vec<Section>| -> Vec<(String, String, usize)> {
            let entry = |e: &Entry, l: &str| (l.to_string(), e.key.to_string(), e.occurrences.len());
            sections.iter().flat_map(|s| s.entries.iter().map(|e| entry(e, &s.letter))).collect()
        };
        for lists in [0..4, 1..2, 4..5] {
            let (whole, count) = az_sections(&data, (0..n, lists.clone(), None), None);
            let letters = data.az_letters.unwrap_or_default().letters(lists.clone());
            assert!(letters.len() > 3, "{letters:?}");
            let (mut parts, mut counted) = (Vec::new(), 0);
            for &(slot, items) in &letters {
                let (sections, count) = az_sections(&data, (0..n, lists.clone(), Some(slot)), None);
                assert_eq!((sections.len(), count), (1, items as usize), "{}", slot_letter(slot));
                assert_eq!(sections[0].letter, slot_letter(slot).to_string());
                assert_eq!(sections[0].id, slot_id(slot));
                assert!(sections[0].entries.iter().all(|e| letter_slot(e.key) == slot), "each key of its letter");
                parts.extend(entries(sections));
                counted += count;
            }
            assert_eq!((parts, counted), (entries(whole), count), "{lists:?}");
        }
        // A site within the limits keeps its lists whole.
        let bundled = crate::load::load_site(std::path::Path::new(env!("CARGO_MANIFEST_DIR"))).site;
        assert!(!splits_lists(&bundled));
    }

    #[test]
    fn letters_are_counted_as_the_lists_group_them() {
        for (key, expected) in
            [("apfel", 'A'), ("zebra", 'Z'), ("„zitat“", 'Z'), ("1. schritt", '#'), ("élan", '#'), ("", '#')]
        {
            assert_eq!(slot_letter(letter_slot(key)), expected, "{key}");
            assert_eq!(letter(key), expected.to_string());
        }
        assert_eq!(
            (slot_id(0), slot_id(25), slot_id(26)),
            ("buchstabe-a".into(), "buchstabe-z".into(), "buchstabe-0".into())
        );
        // `#` before the letters, as the lists always sorted it.
        assert_eq!(slots_in_order().map(slot_letter).take(3).collect::<String>(), "#AB");
        let mut change = IndexChange::default();
        change.keys[1].insert("netzwerk".into());
        assert!(
            change.letter(0..4, 13) && change.letter(1..2, 13) && !change.letter(2..5, 13) && !change.letter(0..4, 0)
        );
    }

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
        c.modules[m].competencies.wissen[0].anchor = "a&b\"".into();
        site.curricula[1].modules[1].methods[0].anchor = "x".into();
        let site = site;
        let mut lists = Lists::new(&site);
        lists.labels[0] = "Wissen & <mehr>";
        let entries = |t: &'static str| Entry {
            key: t,
            text: t,
            occurrences: vec![Occurrence::new(0, 0, 0, 0), Occurrence::new(1, 1, METHODS, 0)],
            kept: None,
        };
        let sections = vec![
            Section {
                letter: "A".into(),
                id: "buchstabe-a".into(),
                slot: 0,
                entries: vec![entries(texts[0]), entries(texts[1])],
            },
            Section { letter: "#".into(), id: "buchstabe-0".into(), slot: 26, entries: vec![entries(texts[2])] },
        ];
        let dir = tempfile::tempdir().unwrap();
        let theme = super::super::Theme::load(dir.path(), "default").unwrap();
        let template = |sections: &[Section], letters: &str, root: &str| {
            let ctx = super::super::views::PageContext {
                frame: json!({}),
                body: tera::Value::from_serializable(&json!({ "sections": section_views(sections, lists, root) })),
                t: tera::Value::from_serializable(&json!({ "letters": letters })),
                insert: None,
            };
            String::from_utf8(theme.render("az.html", ctx).unwrap()).unwrap()
        };
        let direct = az_html(&sections, lists, "Buchstaben & Zeichen", "../../");
        assert!(direct.contains("../../kit/m&amp;1/index.html#a&amp;b&quot;"), "{direct}");
        assert_eq!(direct, template(&sections, "Buchstaben & Zeichen", "../../"));
        assert!(direct.contains("Wissen &amp; &lt;mehr&gt;") && direct.contains("../../erwu/"), "{direct}");
        assert_eq!(az_html(&[], lists, "x", ""), template(&[], "x", ""));
    }

    /// The page of `job` as `build` writes it, and in how many parts.
    fn page_in_parts(theme: &super::super::Theme, data: &Data, job: &super::super::views::Job) -> (String, usize) {
        let (mut ctx, _) = super::super::views::context(data, job, Default::default());
        let insert = ctx.insert.take();
        let html = theme.render(job.template(), ctx).unwrap();
        let (mut bytes, mut parts) = (Vec::new(), 0);
        match insert {
            Some(list) => list.write_parts(&html, &mut |p, _| {
                bytes.extend_from_slice(p);
                parts += 1;
            }),
            None => bytes = html,
        }
        (String::from_utf8(bytes).unwrap(), parts)
    }

    /// The index pages to compare: all items', a dimension's, a curriculum's
    /// and the methods'; where the lists are split, also the letter pages
    /// of the largest letter of all items (the page whose list comes in the
    /// most parts: returned second), of module 1's first item (whose module
    /// title the list shows or not: returned third), of the dimension's and
    /// of the methods' largest letter.
    fn index_jobs(data: &Data) -> (Vec<super::super::views::Job>, super::super::views::Job, super::super::views::Job) {
        use super::super::views::Job;
        let mut jobs: Vec<Job> =
            [Filter::All, Filter::Dimension(2), Filter::Curriculum(0)].map(Job::Competencies).into();
        jobs.push(Job::Methods);
        let m = &data.site.curricula[0].modules[0];
        let first = letter_slot(&sort_key(&m.competencies.wissen[0].text));
        let counts = data.az_letters.unwrap_or_default();
        let largest = |lists| counts.letters(lists).into_iter().max_by_key(|(_, n)| *n).map(|(l, _)| l);
        let (mut many, mut all_items) = (Job::Competencies(Filter::All), Job::Competencies(Filter::All));
        if let (true, Some(most), Some(dimension), Some(method)) =
            (data.az_letters.is_some(), largest(0..4), largest(2..3), largest(4..5))
        {
            (many, all_items) = (Job::CompetencyLetter(Filter::All, most), Job::CompetencyLetter(Filter::All, first));
            jobs.extend([many.clone(), all_items.clone(), Job::CompetencyLetter(Filter::Dimension(2), dimension)]);
            jobs.push(Job::MethodsLetter(method));
        }
        (jobs, many, all_items)
    }

    /// The index pages with their A–Z lists (and the methods page's
    /// matrices) written directly, part by part, equal the pages the
    /// templates make: on the bundled site with text that needs escaping, and
    /// on a synthetic one whose lists come in many parts.
    #[test]
    fn index_pages_written_directly_equal_the_templates() {
        use super::super::views::Job;
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut bundled = crate::load::load_site(root).site;
        let (c, m) = (&mut bundled.curricula[0], 0);
        c.short_title = "K&T <1>".into();
        c.modules[m].title = "Titel & <b>\"'".into();
        c.modules[m].methods[0].text = "Rollenspiel \"<b>\" & 'Übung'".into();
        let dir = tempfile::tempdir().unwrap();
        // Beyond the header's limit of curricula: no module titles.
        crate::synth::write_site(dir.path(), 130, super::super::views::NAV_LIMIT + 1, 7).unwrap();
        let synthetic = crate::load::load_site(dir.path()).site;
        assert!(shows_module_titles(&bundled) && !shows_module_titles(&synthetic));
        let theme = super::super::Theme::load(dir.path(), "default").unwrap();
        let (reuse, sources) = (super::super::Reuse::default(), std::collections::BTreeMap::new());
        for (site, least_parts) in [(&bundled, 3), (&synthetic, 8)] {
            let mut data = super::super::prepare(site, &theme, &sources, &super::super::Scope::all(), &reuse);
            assert!(data.fast_az, "the built-in templates");
            let page = |data: &Data, job: &Job| page_in_parts(&theme, data, job);
            assert_eq!(
                data.az_letters.is_some(),
                least_parts > 3,
                "the synthetic site splits its lists, the bundled does not"
            );
            let (jobs, many, all_items) = index_jobs(&data);
            let m = &site.curricula[0].modules[0];
            for job in &jobs {
                let (fast, parts) = page(&data, job);
                data.fast_az = false;
                let (slow, none) = page(&data, job);
                data.fast_az = true;
                // The page's beginning and end, and the list in one part or
                // more; the overview of a split list has no list.
                let overview = data.az_letters.is_some()
                    && matches!(job, Job::Competencies(Filter::All | Filter::Dimension(_)) | Job::Methods);
                let least = match job {
                    _ if overview => 0,
                    _ if *job == many => least_parts,
                    _ => 3,
                };
                assert!(parts >= least && none == 0, "{job:?}: {parts} parts");
                assert!(fast.contains("</html>") && !fast.contains(AZ_PLACE));
                assert_eq!(fast.contains("<dl class=\"index\">"), !overview, "{job:?}");
                assert_eq!(fast, slow, "{job:?}");
            }
            // A split site shows each matrix on a page of its own.
            let (overview, _) = page(&data, &Job::Methods);
            let split = data.az_letters.is_some();
            assert_eq!(overview.contains("matrix-check"), !split);
            let (methods, _) = page(&data, if split { &Job::MethodsMatrix(0) } else { &Job::Methods });
            assert!(methods.contains("matrix-check"));
            // A module's title shows beside its occurrences and as the
            // matrix's column head only while the site shows titles.
            let (all, _) = page(&data, &all_items);
            let mut title = String::new();
            escape_into(&mut title, &m.title);
            let aside = format!("<span class=\"aside\">{title} · ");
            let head = format!("<abbr title=\"{title}\">M{}</abbr>", m.number.value);
            let shown = shows_module_titles(site);
            assert_eq!((all.contains(&aside), methods.contains(&head)), (shown, shown), "{title}");
            if least_parts == 3 {
                assert!(
                    methods.contains("<th scope=\"row\">Rollenspiel &quot;&lt;b&gt;&quot; &amp; &#39;Übung&#39;</th>")
                );
            }
        }
    }
}
