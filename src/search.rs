//! The offline search index: every module, item, method, chapter section and
//! glossary term as a document, with a sorted token dictionary, written as
//! JavaScript files (one per curriculum, one for the glossary) so that search
//! works from disk and under any sub-path.
//!
//! Tokens are folded the way `static/site.js` folds queries: lower case,
//! ä → ae, ö → oe, ü → ue, ß → ss, other accents dropped, split at anything that
//! is not a letter or digit. Queries match by prefix, so "Netzwerk" finds
//! "Netzwerkarbeit" and "Netzwerke".

use crate::markdown;
use crate::model::{Dimension, KnownSection, Site};
use serde::Serialize;
use std::collections::BTreeMap;

/// Folds text into search tokens: the words of [`crate::text::slugify`], made
/// in one pass without building the slug (this runs over every text of the site).
pub fn fold_tokens(text: &str) -> Vec<String> {
    let mut folded = String::new();
    fold_into(text, &mut folded);
    folded.split(' ').filter(|t| !t.is_empty()).map(str::to_string).collect()
}

/// Appends the tokens of `text` to `out`, each followed by a space.
fn fold_into(text: &str, out: &mut String) {
    // Tokens are ASCII, built as bytes; most of a German text is ASCII, whose
    // runs are taken a byte at a time through a table, without decoding.
    let mut bytes = std::mem::take(out).into_bytes();
    let mut in_token = false;
    let mut push = |ascii: &[u8], bytes: &mut Vec<u8>| {
        for &b in ascii {
            match FOLDED[usize::from(b)] {
                0 if in_token => {
                    bytes.push(b' ');
                    in_token = false;
                }
                0 => {}
                f => {
                    bytes.push(f);
                    in_token = true;
                }
            }
        }
    };
    let mut rest = text;
    while !rest.is_empty() {
        let ascii = rest.bytes().position(|b| !b.is_ascii()).unwrap_or(rest.len());
        push(&rest.as_bytes()[..ascii], &mut bytes);
        rest = &rest[ascii..];
        let Some(c) = rest.chars().next() else { break };
        let folded: &str = match c {
            'ä' | 'Ä' => "ae",
            'ö' | 'Ö' => "oe",
            'ü' | 'Ü' => "ue",
            'ß' => "ss",
            c => deunicode::deunicode_char(c).unwrap_or("[?]"),
        };
        push(folded.as_bytes(), &mut bytes);
        rest = &rest[c.len_utf8()..];
    }
    push(b" ", &mut bytes);
    // Only ASCII was added to what was a `String`: this cannot fail.
    *out = String::from_utf8(bytes).unwrap_or_default();
}

/// Each ASCII letter or digit folded (lower case), zero for every other byte.
const FOLDED: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        if c.is_ascii_alphanumeric() {
            table[b] = c.to_ascii_lowercase();
        }
        b += 1;
    }
    table
};

/// The reference definition of [`fold_tokens`].
#[cfg(test)]
fn fold_tokens_by_slug(text: &str) -> Vec<String> {
    let slug = crate::text::slugify(text, usize::MAX);
    slug.split('-').filter(|t| !t.is_empty()).map(str::to_string).collect()
}

/// One searchable thing.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Doc {
    /// What the result shows as its title.
    pub title: String,
    /// Path below the site root, with fragment.
    pub url: String,
    /// Group: curriculum short title, or the glossary's name.
    pub group: String,
    /// Context: module label and dimension, or chapter title.
    pub context: String,
    /// A snippet of the text.
    pub text: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Index {
    pub docs: Vec<Doc>,
    /// Sorted by token; each with the ids of the documents containing it.
    pub tokens: Vec<(String, Vec<u32>)>,
}

fn snippet(s: &str) -> String {
    snippet_of_plain(&crate::compare::prose::plain_text(s))
}

/// The snippet of a text already plain: its words joined by single spaces,
/// cut after the last whole word within 220 characters (with `…`) when longer.
/// The words are joined only until the cut is known (a module's text is
/// thousands of characters).
fn snippet_of_plain(plain: &str) -> String {
    let mut joined = String::new();
    let mut chars = 0;
    for word in plain.split_whitespace() {
        if !joined.is_empty() {
            joined.push(' ');
            chars += 1;
        }
        joined.push_str(word);
        chars += word.chars().count();
        if chars > 220 {
            let cut: String = joined.chars().take(220).collect();
            return format!("{}…", cut.rsplit_once(' ').map_or(cut.as_str(), |x| x.0));
        }
    }
    joined
}

/// Documents, each with its folded tokens (distinct, in the order they first occur).
pub type Part = Vec<(Doc, Vec<String>)>;

/// The folder of the search scripts, below the site root: one script per
/// curriculum and one for the glossary, so that an edit of one curriculum
/// writes its own script again, not the index of the whole site.
pub const SCRIPTS: &str = "data/search";

/// The stem of the glossary's script: a reserved name, never a curriculum id.
pub const GLOSSARY: &str = "glossar";

/// The path of the script named `stem` (a curriculum id or [`GLOSSARY`]).
pub fn script_path(stem: &str) -> String {
    format!("{SCRIPTS}/{stem}.js")
}

/// The paths of every search script, in the order the search page loads
/// them: the curricula in site order, then the glossary. Results are ranked
/// in that order where their scores tie.
pub fn script_paths(site: &Site) -> Vec<String> {
    site.curricula.iter().map(|c| c.id.as_str()).chain([GLOSSARY]).map(script_path).collect()
}

/// A module's documents (or a curriculum's chapters'), as their share of the
/// script: `serve` keeps them, so a rebuild serializes only the edited
/// modules' documents again.
#[derive(Debug, Default)]
pub struct Docs {
    segment: Segment,
}

impl Docs {
    fn new(docs: Vec<(Doc, String)>) -> std::sync::Arc<Docs> {
        std::sync::Arc::new(Docs { segment: Segment::of_texts(&docs) })
    }
}

/// The documents of one curriculum: each module's (by module id) and its
/// chapters', in the order of the index.
#[derive(Debug, Default)]
pub struct CurriculumPart {
    modules: Vec<(String, std::sync::Arc<Docs>)>,
    pages: std::sync::Arc<Docs>,
}

impl CurriculumPart {
    /// The shares of the script of its modules and chapters, in order.
    fn segments(&self) -> impl Iterator<Item = &Segment> {
        self.modules.iter().map(|(_, d)| &d.segment).chain(std::iter::once(&self.pages.segment))
    }

    /// The curriculum's script: the same bytes as [`curriculum_js`].
    pub fn js(&self) -> Vec<u8> {
        script_of(self.segments())
    }
}

/// The documents of every curriculum, by curriculum id: `serve` keeps them
/// between rebuilds, so that an edit folds only its own modules' texts again.
#[derive(Debug, Default, Clone)]
pub struct Parts(std::collections::HashMap<String, std::sync::Arc<CurriculumPart>>);

impl Parts {
    /// The part of the curriculum `id`, if kept.
    pub fn get(&self, id: &str) -> Option<&CurriculumPart> {
        self.0.get(id).map(|p| &**p)
    }

    /// What a render leaves for the next one: the parts it `made`, and
    /// (unless it made every curriculum's) those of `before` it did not make.
    pub fn next(before: &Parts, made: Parts, made_all: bool) -> Parts {
        if made_all {
            return made;
        }
        let mut next = before.clone();
        next.0.extend(made.0);
        next
    }

    /// Keeps the part of curriculum `id`.
    pub fn insert(&mut self, id: String, part: std::sync::Arc<CurriculumPart>) {
        self.0.insert(id, part);
    }
}

/// Each document with its distinct tokens (of its text and title): the
/// reference [`build`] takes, and [`Segment::of_texts`] must equal.
fn with_tokens(docs: Vec<(Doc, String)>) -> Part {
    let mut folded = String::new();
    docs.into_iter()
        .map(|(doc, text)| {
            folded.clear();
            fold_into(&text, &mut folded);
            fold_into(&doc.title, &mut folded);
            // Distinct by a hash set, not by sorting: a module's text has
            // hundreds of tokens, and the index sorts them once in the end.
            let mut seen: rustc_hash::FxHashSet<&str> = Default::default();
            let toks = folded.split(' ').filter(|t| !t.is_empty() && seen.insert(t)).map(str::to_string).collect();
            (doc, toks)
        })
        .collect()
}

/// The documents of curriculum `c`, taking over from `previous` (its part
/// before an edit of the modules `edited`, by index) the chapters' and those
/// of every other module still under the same id at the same place.
pub fn part(
    c: &crate::model::Curriculum,
    labels: &BTreeMap<&str, &str>,
    previous: Option<&CurriculumPart>,
    edited: &[usize],
) -> std::sync::Arc<CurriculumPart> {
    let kept = |mi: usize, id: &str| {
        let (was, docs) = previous?.modules.get(mi)?;
        (was == id && !edited.contains(&mi)).then(|| docs.clone())
    };
    let modules = c
        .modules
        .iter()
        .enumerate()
        .map(|(mi, m)| {
            let docs = kept(mi, &m.id).unwrap_or_else(|| {
                let mut docs = Vec::new();
                module_docs(c, m, labels, &mut docs);
                Docs::new(docs)
            });
            (m.id.clone(), docs)
        })
        .collect();
    let pages = previous.map_or_else(|| Docs::new(chapter_docs(c, labels)), |p| p.pages.clone());
    std::sync::Arc::new(CurriculumPart { modules, pages })
}

/// The documents of the chapters of `c`, with their texts.
fn chapter_docs(c: &crate::model::Curriculum, labels: &BTreeMap<&str, &str>) -> Vec<(Doc, String)> {
    let mut docs = Vec::new();
    for p in &c.pages {
        page_docs(c, p, labels, &mut docs);
    }
    docs
}

/// The documents of `c` (its modules', then its chapters'), with their texts.
fn curriculum_docs(c: &crate::model::Curriculum, labels: &BTreeMap<&str, &str>) -> Vec<(Doc, String)> {
    let mut docs = Vec::new();
    for m in &c.modules {
        module_docs(c, m, labels, &mut docs);
    }
    docs.extend(chapter_docs(c, labels));
    docs
}

fn glossary_docs(site: &Site, labels: &BTreeMap<&str, &str>) -> Vec<(Doc, String)> {
    site.glossary
        .terms
        .iter()
        .map(|term| {
            let doc = Doc {
                title: term.term.clone(),
                url: format!("glossar/#{}", term_anchor(&term.term)),
                group: labels["glossary"].to_string(),
                context: term.aliases.join(", "),
                text: snippet(&term.definition),
            };
            (doc, format!("{} {} {}", term.term, term.aliases.join(" "), term.definition))
        })
        .collect()
}

/// The index over the documents of `part`: the reference for [`script_of`].
fn index_of(part: Part) -> Index {
    // Postings by token in document order, then only the distinct tokens sorted.
    let mut postings: rustc_hash::FxHashMap<String, Vec<u32>> = Default::default();
    let mut docs = Vec::with_capacity(part.len());
    for (i, (doc, toks)) in part.into_iter().enumerate() {
        for t in toks {
            postings.entry(t).or_default().push(i as u32);
        }
        docs.push(doc);
    }
    let mut tokens: Vec<(String, Vec<u32>)> = postings.into_iter().collect();
    tokens.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    Index { docs, tokens }
}

/// Builds the search index of the whole site, script by script (see
/// [`script_paths`]): every curriculum's documents, then the glossary's, each
/// with its tokens. The reference for the scripts that [`curriculum_js`],
/// [`CurriculumPart::js`] and [`glossary_js`] write.
pub fn build(site: &Site, labels: &BTreeMap<&str, &str>) -> Vec<(String, Index)> {
    let curricula = site.curricula.iter().map(|c| (c.id.clone(), curriculum_docs(c, labels)));
    curricula
        .chain([(GLOSSARY.to_string(), glossary_docs(site, labels))])
        .map(|(stem, docs)| (stem, index_of(with_tokens(docs))))
        .collect()
}

/// One part's share of the index script: its documents as JSON (joined by
/// commas, `<` escaped) and each token with the part's documents containing it.
#[derive(Debug, Default)]
struct Segment {
    json: Vec<u8>,
    docs: u32,
    postings: rustc_hash::FxHashMap<String, Vec<u32>>,
}

impl Segment {
    /// The segment of `docs`, each with the text whose tokens it is found by
    /// (beside those of its title). A document's tokens go straight into the
    /// postings: it is the last one of a token's list once it has it, so a
    /// token seen again in the same document is found there and not added.
    fn of_texts(docs: &[(Doc, String)]) -> Segment {
        let mut seg = Segment { json: Vec::new(), docs: 0, postings: Default::default() };
        let mut folded = String::new();
        for (doc, text) in docs {
            if seg.docs > 0 {
                seg.json.push(b',');
            }
            // A `Doc` has only strings: serializing it cannot fail.
            let _ = serde_json::to_writer(&mut seg.json, doc);
            folded.clear();
            fold_into(text, &mut folded);
            fold_into(&doc.title, &mut folded);
            for t in folded.split(' ').filter(|t| !t.is_empty()) {
                match seg.postings.get_mut(t) {
                    Some(ids) if ids.last() == Some(&seg.docs) => {}
                    Some(ids) => ids.push(seg.docs),
                    None => {
                        seg.postings.insert(t.to_string(), vec![seg.docs]);
                    }
                }
            }
            seg.docs += 1;
        }
        seg.json = escape_lt(seg.json);
        seg
    }
}

/// `<` as `\u003c`, so that no `</script>` can end the script early (a byte
/// of a multi-byte UTF-8 character is never `<`).
fn escape_lt(json: Vec<u8>) -> Vec<u8> {
    if memchr::memchr(b'<', &json).is_none() {
        return json;
    }
    let mut out = Vec::with_capacity(json.len() + 64);
    for b in json {
        if b == b'<' { out.extend_from_slice(b"\\u003c") } else { out.push(b) }
    }
    out
}

/// What every script starts with: it appends its index to the list the
/// search page reads (deferred scripts run in the order of the page).
const SCRIPT_START: &[u8] = b"(window.CURRICULA_SEARCH=window.CURRICULA_SEARCH||[]).push(";

/// The script of the index over `segments` (in document order): the same
/// bytes as [`to_js`] of the [`build`] of their documents. Their postings
/// are merged by reference (no token is copied): the merge was most of a
/// `serve` rebuild's index.
fn script_of<'a>(segments: impl Iterator<Item = &'a Segment>) -> Vec<u8> {
    let mut out = SCRIPT_START.to_vec();
    out.extend_from_slice(b"{\"docs\":[");
    // Each token with the postings of every segment containing it, shifted
    // by the number of documents before that segment.
    let mut postings: rustc_hash::FxHashMap<&str, Vec<(u32, &[u32])>> = Default::default();
    let mut base = 0;
    for seg in segments.filter(|s| s.docs > 0) {
        if base > 0 {
            out.push(b',');
        }
        out.extend_from_slice(&seg.json);
        for (t, ids) in &seg.postings {
            postings.entry(t.as_str()).or_default().push((base, ids.as_slice()));
        }
        base += seg.docs;
    }
    // Sorted by their first eight bytes as a number, then by the rest: the
    // same order, with most comparisons of one number instead of two strings.
    let mut tokens: Vec<_> = postings.into_iter().map(|(t, lists)| (prefix(t), t, lists)).collect();
    tokens.sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)));
    out.extend_from_slice(b"],\"tokens\":[");
    for (i, (_, t, lists)) in tokens.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_entry(&mut out, t, lists.iter().flat_map(|(base, ids)| ids.iter().map(move |i| i + base)));
    }
    out.extend_from_slice(b"]});\n");
    out
}

/// The first eight bytes of `token` as a big-endian number (zero-padded): a
/// token that is smaller by the number is smaller as a string (tokens hold
/// letters and digits, never a zero byte that padding could be taken for).
fn prefix(token: &str) -> u64 {
    let mut b = [0u8; 8];
    let n = token.len().min(8);
    b[..n].copy_from_slice(&token.as_bytes()[..n]);
    u64::from_be_bytes(b)
}

/// One entry of the token list, `["token",[ids]]`, as `serde_json` writes it.
/// Tokens are folded to ASCII letters and digits, so nothing in them needs
/// escaping (not even `<`).
fn write_entry(out: &mut Vec<u8>, token: &str, ids: impl Iterator<Item = u32>) {
    debug_assert!(token.bytes().all(|b| b.is_ascii_alphanumeric()));
    out.extend_from_slice(b"[\"");
    out.extend_from_slice(token.as_bytes());
    out.extend_from_slice(b"\",[");
    let mut buf = itoa::Buffer::new();
    for (i, id) in ids.enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(buf.format(id).as_bytes());
    }
    out.extend_from_slice(b"]]");
}

/// The search script of curriculum `c` (a build keeps no documents).
pub fn curriculum_js(c: &crate::model::Curriculum, labels: &BTreeMap<&str, &str>) -> Vec<u8> {
    script_of(std::iter::once(&Segment::of_texts(&curriculum_docs(c, labels))))
}

/// The search script of the glossary.
pub fn glossary_js(site: &Site, labels: &BTreeMap<&str, &str>) -> Vec<u8> {
    script_of(std::iter::once(&Segment::of_texts(&glossary_docs(site, labels))))
}

/// Documents of one module: the module, its two known sections, every item and method.
fn module_docs(
    c: &crate::model::Curriculum,
    m: &crate::model::Module,
    labels: &BTreeMap<&str, &str>,
    docs: &mut Vec<(Doc, String)>,
) {
    let base = format!("{}/{}/", c.id, m.id);
    let label = format!("{} {}", labels["module"], m.number.value);
    let body: String = m.sections.iter().map(|s| s.markdown.as_str()).collect::<Vec<_>>().join("\n\n");
    let plain_body = crate::compare::prose::plain_text(&body);
    let full = format!("{} {} {}", m.title, m.topics.clone().unwrap_or_default(), plain_body);
    let doc = Doc {
        title: m.title.clone(),
        url: base.clone(),
        group: c.short_title.clone(),
        context: label.clone(),
        text: m.topics.as_deref().map_or_else(|| snippet_of_plain(&plain_body), snippet),
    };
    docs.push((doc, full));
    for k in [KnownSection::Kompetenzbeschreibung, KnownSection::BeruflicheHandlung] {
        if let Some(s) = m.section(k) {
            let (key, anchor) = match k {
                KnownSection::Kompetenzbeschreibung => ("kompetenzbeschreibung", "kompetenzbeschreibung"),
                KnownSection::BeruflicheHandlung => ("berufliche_handlung", "berufliche-handlung"),
            };
            let plain = crate::compare::prose::plain_text(&s.markdown);
            let doc = Doc {
                title: labels[key].to_string(),
                url: format!("{base}#{anchor}"),
                group: c.short_title.clone(),
                context: format!("{label}: {}", m.title),
                text: snippet_of_plain(&plain),
            };
            docs.push((doc, plain));
        }
    }
    for d in Dimension::ALL {
        for it in m.competencies.get(d) {
            let doc = Doc {
                title: it.text.clone(),
                url: format!("{base}#{}", it.anchor),
                group: c.short_title.clone(),
                context: format!("{label} · {}", labels[d.key()]),
                text: String::new(),
            };
            docs.push((doc, it.text.clone()));
        }
    }
    for it in &m.methods {
        let doc = Doc {
            title: it.text.clone(),
            url: format!("{base}#{}", it.anchor),
            group: c.short_title.clone(),
            context: format!("{label} · {}", labels["methods"]),
            text: String::new(),
        };
        docs.push((doc, it.text.clone()));
    }
}

/// Documents of one chapter: the chapter and each of its H2 sections.
fn page_docs(
    c: &crate::model::Curriculum,
    p: &crate::model::Page,
    labels: &BTreeMap<&str, &str>,
    docs: &mut Vec<(Doc, String)>,
) {
    let headings = markdown::headings(&p.markdown, &markdown::RenderOptions::default());
    let (pre, sections) = markdown::split_sections(&p.markdown, 1);
    let url = format!("{}/{}/", c.id, p.id);
    docs.push((
        Doc {
            title: p.title.clone(),
            url: url.clone(),
            group: c.short_title.clone(),
            context: labels["chapters"].to_string(),
            text: snippet(&pre),
        },
        format!("{} {}", p.title, crate::compare::prose::plain_text(&pre)),
    ));
    let h2: Vec<&markdown::Heading> = headings.iter().filter(|h| h.level == 2).collect();
    for (s, h) in sections.iter().zip(h2) {
        let doc = Doc {
            title: s.title.clone(),
            url: format!("{url}#{}", h.id),
            group: c.short_title.clone(),
            context: p.title.clone(),
            text: snippet(&s.markdown),
        };
        docs.push((doc, format!("{} {}", s.title, crate::compare::prose::plain_text(&s.markdown))));
    }
}

/// The anchor of a glossary term on the glossary page.
pub fn term_anchor(term: &str) -> String {
    format!("term-{}", crate::text::slugify(term, 50))
}

/// The index as a script that appends it to `window.CURRICULA_SEARCH`;
/// `<` escaped so that no `</script>` can end it early.
pub fn to_js(index: &Index) -> String {
    let json = serde_json::to_string(index).unwrap_or_else(|_| "{}".into());
    let json = if json.contains('<') { json.replace('<', "\\u003c") } else { json };
    format!("{}{json});\n", String::from_utf8_lossy(SCRIPT_START))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels() -> BTreeMap<&'static str, &'static str> {
        let keys = ["module", "methods", "chapters", "glossary", "kompetenzbeschreibung", "berufliche_handlung"];
        let dims = ["wissen", "fertigkeiten", "sozialkompetenz", "selbststaendigkeit"];
        keys.into_iter().chain(dims).map(|k| (k, k)).collect()
    }

    #[test]
    fn every_script_equals_the_script_of_its_reference_index() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut site = crate::load::load_site(root).site;
        // `<` must be escaped in documents of every part, the glossary's too.
        site.curricula[1].modules[0].title.push_str(" </script> <b>");
        site.glossary.terms[0].term.push_str(" <i>");
        // An empty curriculum has a script without documents.
        let mut empty = site.curricula[0].clone();
        (empty.id, empty.modules, empty.pages) = ("leer".into(), Vec::new(), Vec::new());
        site.curricula.insert(1, empty);
        let labels = labels();
        let reference = build(&site, &labels);
        let stems: Vec<&str> = reference.iter().map(|(s, _)| s.as_str()).collect();
        assert_eq!(stems, ["kit", "leer", "erwu", GLOSSARY]);
        let paths: Vec<String> = stems.iter().map(|s| script_path(s)).collect();
        assert_eq!(script_paths(&site), paths);
        for (c, (_, index)) in site.curricula.iter().zip(&reference) {
            let js = to_js(index);
            assert_eq!(String::from_utf8_lossy(&curriculum_js(c, &labels)), js, "{}", c.id);
            let part = part(c, &labels, None, &[]);
            assert_eq!(String::from_utf8_lossy(&part.js()), js, "{}", c.id);
        }
        let (_, glossary) = reference.last().unwrap();
        let js = to_js(glossary);
        assert!(js.contains("\\u003ci>") && !js.contains('<'));
        assert_eq!(String::from_utf8_lossy(&glossary_js(&site, &labels)), js);
        assert!(to_js(&reference[2].1).contains("\\u003c/script>"));
        assert!(to_js(&reference[1].1).contains(r#"{"docs":[],"tokens":[]}"#));
    }

    /// [`snippet_of_plain`] as first written: all words joined, then cut.
    fn snippet_joining_all(plain: &str) -> String {
        let plain = plain.split_whitespace().collect::<Vec<_>>().join(" ");
        if plain.chars().count() > 220 {
            let cut: String = plain.chars().take(220).collect();
            format!("{}…", cut.rsplit_once(' ').map_or(cut.as_str(), |x| x.0))
        } else {
            plain
        }
    }

    proptest::proptest! {
        #[test]
        fn snippets_join_only_what_they_show(plain in "([a-zäöü]{0,30}[ \n]{1,2}){0,30}") {
            proptest::prop_assert_eq!(snippet_of_plain(&plain), snippet_joining_all(&plain));
        }
    }

    #[test]
    fn folding_matches_the_javascript_side() {
        assert_eq!(fold_tokens("Netzwerkarbeit, Übung/Simulation"), vec!["netzwerkarbeit", "uebung", "simulation"]);
        assert_eq!(fold_tokens("Größe Café"), vec!["groesse", "cafe"]);
    }

    #[test]
    fn a_document_has_the_distinct_tokens_of_its_text_and_title() {
        let doc = Doc {
            title: "Netzwerk-Übung".into(),
            url: "kit/m1/".into(),
            group: "KiT".into(),
            context: "Modul 1".into(),
            text: String::new(),
        };
        let part = with_tokens(vec![(doc, "Übung: Netzwerk, netzwerk  und Hilfeplan.".into())]);
        assert_eq!(part[0].1, ["uebung", "netzwerk", "und", "hilfeplan"]);
    }

    #[test]
    fn one_pass_folding_equals_folding_the_slug() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
        let mut texts =
            vec!["", "--", "ÄÖÜ äöü ß", "Œuvre – naïve façade ½ № 5", "日本語 テキスト", "a\u{301}b", "x[?]y"];
        let files: Vec<String> = walkdir::WalkDir::new(root)
            .into_iter()
            .flatten()
            .filter(|e| e.file_type().is_file())
            .filter_map(|e| std::fs::read_to_string(e.path()).ok())
            .collect();
        texts.extend(files.iter().map(String::as_str));
        assert!(texts.len() > 20, "the bundled content is there");
        for t in texts {
            // deunicode drops line breaks of a whole text, gluing the words around
            // them ("Kompetenzbeschreibung\n\nDie"); per character they separate.
            let spaced = t.replace(['\n', '\r', '\t'], " ");
            assert_eq!(fold_tokens(t), fold_tokens_by_slug(&spaced), "{t:.60}");
        }
    }

    #[test]
    fn only_the_edited_modules_documents_are_made_again() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut site = crate::load::load_site(root).site;
        let labels = labels();
        let before = part(&site.curricula[0], &labels, None, &[]);
        let first = before.js();
        site.curricula[0].modules[2].title.push_str(" neu");
        let c = &site.curricula[0];
        let after = part(c, &labels, Some(&before), &[2]);
        assert_eq!(after.js(), curriculum_js(c, &labels));
        assert_ne!(after.js(), first, "the edited module's share is made again");
        assert!(
            std::sync::Arc::ptr_eq(&before.modules[1].1, &after.modules[1].1),
            "an unedited module's are taken over"
        );
        assert!(std::sync::Arc::ptr_eq(&before.pages, &after.pages));
        assert!(!std::sync::Arc::ptr_eq(&before.modules[2].1, &after.modules[2].1));
        // Nothing taken over: every share made again.
        let fresh = part(c, &labels, None, &[]);
        assert!(!std::sync::Arc::ptr_eq(&before.pages, &fresh.pages));
        // A module at another place is made again, whatever the caller says.
        site.curricula[0].modules.swap(0, 1);
        let c = &site.curricula[0];
        let swapped = part(c, &labels, Some(&after), &[]);
        assert_eq!(swapped.js(), curriculum_js(c, &labels));
    }

    #[test]
    fn the_next_parts_are_those_made_and_those_kept() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let site = crate::load::load_site(root).site;
        let labels = labels();
        let made = |c: usize| part(&site.curricula[c], &labels, None, &[]);
        let mut before = Parts::default();
        before.insert("kit".into(), made(0));
        before.insert("alt".into(), made(1));
        let mut now = Parts::default();
        now.insert("erwu".into(), made(1));
        let scoped = Parts::next(&before, now.clone(), false);
        assert!(scoped.get("kit").is_some() && scoped.get("alt").is_some() && scoped.get("erwu").is_some());
        let all = Parts::next(&before, now, true);
        assert!(all.get("kit").is_none() && all.get("alt").is_none() && all.get("erwu").is_some());
    }
}
