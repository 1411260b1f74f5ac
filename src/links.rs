//! Link integrity of the rendered site: every internal `href`/`src` and every
//! fragment must resolve, and anchors published by a previous build should not
//! silently disappear.

use crate::diag::{Diagnostic, Diagnostics};
use crate::model::Site;
use crate::render::OutFile;
use rustc_hash::{FxHashMap, FxHashSet};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::Path;

/// The link targets (`href`, `src`) and the ids of an HTML page, in page
/// order. Only inside tags: text content has its `<` escaped, so an attribute
/// spelled out in text is never taken for one.
#[derive(Debug, Default)]
struct Attrs<'a> {
    links: Vec<&'a str>,
    ids: Vec<&'a str>,
}

/// The links and ids of a page ([`attribute`]).
fn scan(html: &[u8]) -> Attrs<'_> {
    Attrs { links: scan_links(html), ids: scan_ids(html) }
}

/// What the link check takes of the page at `path`: [`scan`], but only the
/// ids of a print view. Print views repeat pages checked on their own
/// (checking their links again would only report every broken link twice),
/// and are a third of a small site's HTML.
fn scan_for<'h>(path: &str, html: &'h [u8]) -> Attrs<'h> {
    if path.ends_with("/print/index.html") { Attrs { links: Vec::new(), ids: scan_ids(html) } } else { scan(html) }
}

/// The values of one attribute (` href="` and the like) inside tags, with
/// where they are. A vectorised search for the pattern (sparse in a page),
/// kept where the nearest `<` or `>` before it is a `<`: twice as fast as
/// visiting every tag (a page has a tag every few dozen bytes), with the same
/// result (a value ends at its quote, and a `>` before it ends the tag).
fn attribute<'h>(html: &'h [u8], pattern: &'static [u8]) -> impl Iterator<Item = (usize, &'h str)> {
    use memchr::memmem::find_iter;
    let inside_tag = move |at: usize| memchr::memrchr2(b'<', b'>', &html[..at]).is_some_and(|i| html[i] == b'<');
    let value = move |start: usize| {
        let rest = &html[start..];
        let end = memchr::memchr2(b'"', b'>', rest).filter(|&q| rest[q] == b'"')?;
        std::str::from_utf8(&rest[..end]).ok()
    };
    find_iter(html, pattern)
        .filter(move |&at| inside_tag(at))
        .filter_map(move |at| value(at + pattern.len()).map(|v| (at, v)))
}

/// The link targets of a page, in page order.
fn scan_links(html: &[u8]) -> Vec<&str> {
    let mut links: Vec<(usize, &str)> = attribute(html, b" href=\"").collect();
    let srcs: Vec<(usize, &str)> = attribute(html, b" src=\"").collect();
    if !srcs.is_empty() {
        links.extend(srcs);
        links.sort_unstable_by_key(|x| x.0);
    }
    links.into_iter().map(|x| x.1).collect()
}

/// The ids of a page, in page order.
fn scan_ids(html: &[u8]) -> Vec<&str> {
    attribute(html, b" id=\"").map(|x| x.1).collect()
}

/// The ids of an HTML page.
pub fn ids(html: &str) -> BTreeSet<String> {
    scan_ids(html.as_bytes()).into_iter().map(|i| unescape(i).into_owned()).collect()
}

fn unescape(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains('&') {
        return std::borrow::Cow::Borrowed(s);
    }
    std::borrow::Cow::Owned(
        s.replace("&amp;", "&").replace("&quot;", "\"").replace("&#39;", "'").replace("&lt;", "<").replace("&gt;", ">"),
    )
}

/// Whether the link check leaves `href` alone (another site, mail, phone, inline data).
pub fn is_external(href: &str) -> bool {
    href.contains("://") || href.starts_with("mailto:") || href.starts_with("tel:") || href.starts_with("data:")
}

/// How many marks of a link `text` (a content file as loaded, or a part of
/// one) has: inline links and images (`](`), link and footnote definitions
/// (`]:`), autolinks that do not leave the site, with raw HTML allowed `href=`
/// and `src=`, and YAML escapes and line continuations that could spell any
/// of these. Markdown without a mark has no link of its own, so every link of
/// a page without such Markdown comes from the theme and the site's structure.
/// A superset: a mark need not be a link.
pub fn link_marks(text: &str, raw_html: bool) -> usize {
    let count = |pattern: &str| memchr::memmem::find_iter(text.as_bytes(), pattern.as_bytes()).count();
    let escapes: usize = ["\\x", "\\u", "\\U", "\\\n"].iter().map(|e| count(e)).sum();
    let raw = if raw_html { count("href=") + count("src=") } else { 0 };
    count("](") + count("]:") + escapes + raw + internal_autolinks(text)
}

/// Whether every link of an HTML fragment leaves the site or names an id of
/// the fragment itself (as footnotes do): such links hold on any page that
/// shows the fragment.
pub fn self_contained(html: &str) -> bool {
    let attrs = scan(html.as_bytes());
    let ids: FxHashSet<std::borrow::Cow<'_, str>> = attrs.ids.iter().map(|i| unescape(i)).collect();
    attrs.links.iter().all(|l| {
        let href = unescape(l);
        is_external(&href) || href.strip_prefix('#').is_some_and(|f| f.is_empty() || ids.contains(f))
    })
}

/// How often `text` has `<…:…>` (no space inside) that is not an external link.
fn internal_autolinks(text: &str) -> usize {
    memchr::memchr_iter(b'<', text.as_bytes())
        .filter(|&at| {
            let rest = &text[at + 1..];
            let end = rest.find(|c: char| c == '>' || c.is_whitespace() || c == '<').unwrap_or(rest.len());
            let inner = &rest[..end];
            rest[end..].starts_with('>') && inner.contains(':') && !is_external(inner)
        })
        .count()
}

/// Resolves `href` from the page at `page` (a path like `kit/m1/index.html`)
/// to an output path and fragment; `None` for external links.
#[cfg(test)]
fn resolve(page: &str, href: &str, base_url: &str) -> Option<Target> {
    Resolver::new(page, base_url).resolve(href)
}

/// Resolves the links of one page. A page links to few distinct paths with
/// many fragments (the page of all items: hundreds of thousands of links to a
/// few thousand module pages), so each path is made absolute once.
struct Resolver<'a> {
    page: &'a str,
    base_url: &'a str,
    /// Path part of an href (before `#`, query included) → output path.
    paths: FxHashMap<String, std::sync::Arc<str>>,
}

impl<'a> Resolver<'a> {
    fn new(page: &'a str, base_url: &'a str) -> Self {
        Resolver { page, base_url, paths: FxHashMap::default() }
    }

    /// `href`'s output path and fragment; `None` for external links.
    fn resolve(&mut self, href: &str) -> Option<Target> {
        let href = unescape(href);
        if is_external(&href) {
            return None;
        }
        let (path, frag) = match href.split_once('#') {
            Some((p, f)) => (p, Some(f.to_string())),
            None => (&*href, None),
        };
        if let Some(target) = self.paths.get(path) {
            return Some((target.clone(), frag));
        }
        let target: std::sync::Arc<str> = self.target(path).into();
        self.paths.insert(path.to_string(), target.clone());
        Some((target, frag))
    }

    /// The output path of an internal href's path part.
    fn target(&self, path: &str) -> String {
        let path = path.split('?').next().unwrap_or("");
        if path.is_empty() {
            return self.page.to_string();
        }
        if let Some(abs) = path.strip_prefix('/') {
            // Absolute links (the 404 page) are relative to base_url's path.
            let base_url = self.base_url;
            let base = base_url.split("://").nth(1).map_or(base_url, |r| r.find('/').map_or("/", |i| &r[i..]));
            let rest = abs.strip_prefix(base.trim_start_matches('/')).unwrap_or(abs);
            return normalize(&[], rest);
        }
        let mut parts: Vec<&str> = self.page.split('/').collect();
        parts.pop();
        normalize(&parts, path)
    }
}

fn normalize(base: &[&str], rel: &str) -> String {
    let mut parts: Vec<&str> = base.to_vec();
    for seg in rel.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    let mut p = parts.join("/");
    if rel.ends_with('/') || p.is_empty() {
        if !p.is_empty() {
            p.push('/');
        }
        p.push_str("index.html");
    }
    p
}

/// The source file a page was made from, for diagnostics.
pub fn source_of(site: &Site, page: &str) -> String {
    let segs: Vec<&str> = page.split('/').collect();
    if let [c, x, "quelltext", "index.html"] = segs.as_slice()
        && let Some(m) = site.curriculum(c).and_then(|cur| cur.module(x))
    {
        return m.file.clone();
    }
    if let [c, x, "index.html"] = segs.as_slice()
        && let Some(cur) = site.curriculum(c)
    {
        if let Some(m) = cur.module(x) {
            return m.file.clone();
        }
        if let Some(p) = cur.pages.iter().find(|p| p.id == *x) {
            return p.file.clone();
        }
    }
    if let [id, "index.html"] = segs.as_slice()
        && let Some(p) = site.site_pages.iter().find(|p| p.id == *id)
    {
        return p.file.clone();
    }
    if let ["compare", id, ..] = segs.as_slice()
        && let Some(cmp) = site.comparisons.iter().find(|c| c.id == *id)
    {
        return cmp.file.clone();
    }
    format!("(generated page) {page}")
}

/// Every broken internal link or fragment of the rendered files, as errors.
pub fn check(site: &Site, files: &[OutFile]) -> Diagnostics {
    use rayon::prelude::*;
    let index = LinkIndex::new(&site.config.base_url);
    files.par_iter().for_each(|f| index.add(&f.path, &f.bytes));
    index.check(site)
}

/// The ids of a page, each as a 64-bit hash ([`crate::text::fingerprint`]), sorted.
/// A large site has millions of ids; the link check only asks whether a page
/// has a given one, and two ids of one page (or a fragment and an id) agreeing
/// in all 64 bits is too unlikely to matter (about 1 in 10^13 for the largest
/// page of N = 10 000).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ids(Vec<u64>);

fn id_hash(id: &str) -> u64 {
    crate::text::fingerprint(id.as_bytes())
}

impl Ids {
    fn new<'a>(ids: impl IntoIterator<Item = &'a str>) -> Self {
        Ids::from_hashes(ids.into_iter().map(|i| id_hash(&unescape(i))).collect())
    }

    fn from_hashes(mut v: Vec<u64>) -> Self {
        v.sort_unstable();
        v.dedup();
        Ids(v)
    }

    pub fn contains(&self, id: &str) -> bool {
        self.has(id_hash(id))
    }

    fn has(&self, hash: u64) -> bool {
        self.0.binary_search(&hash).is_ok()
    }

    /// Whether every id of `self` is among `other`'s.
    fn within(&self, other: &Ids) -> bool {
        self.0.iter().all(|h| other.has(*h))
    }
}

/// What the link check needs of one file: its ids and its internal links
/// (href as written, resolved target).
#[derive(Debug, Clone, Default)]
pub struct PageLinks {
    html: bool,
    ids: Ids,
    links: Vec<(String, Target)>,
    /// The pages it links to ([`Reach`]).
    reach: Reach,
}

/// The pages a page links to, as a set of 256 bits (a bit per target's hash):
/// after an edit, the links that can break are those to the few pages that
/// lost anchors, and comparing every link of a large site with those (about
/// a fifth of an item edit's rebuild at N = 10 000) is skipped for the pages
/// whose bits rule them out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reach([u64; 4]);

impl Reach {
    fn of<'a>(targets: impl IntoIterator<Item = &'a str>) -> Self {
        let mut bits = [0; 4];
        for t in targets {
            let (word, bit) = Reach::place(t);
            bits[word] |= bit;
        }
        Reach(bits)
    }

    fn place(target: &str) -> (usize, u64) {
        let h = crate::text::fingerprint(target.as_bytes());
        (usize::from((h >> 62) as u8), 1 << ((h >> 56) & 63))
    }

    /// Whether some page of `other` may be among these.
    fn meets(&self, other: &Reach) -> bool {
        self.0.iter().zip(other.0).any(|(a, b)| a & b != 0)
    }
}

/// The [`PageLinks`] of a file of the site at `path`.
pub fn summarize(path: &str, bytes: &[u8], base_url: &str) -> PageLinks {
    if !path.ends_with(".html") {
        return PageLinks::default();
    }
    let attrs = scan_for(path, bytes);
    let ids = Ids::new(attrs.ids.iter().copied());
    // A page repeats many links (navigation, module links in every row);
    // problems are reported once per page and href, so each is resolved once.
    // (A print view's links are not taken: see `scan_for`.)
    let mut seen = FxHashSet::default();
    let mut resolver = Resolver::new(path, base_url);
    let links = attrs
        .links
        .iter()
        .filter(|h| seen.insert(**h))
        .filter_map(|h| resolver.resolve(h).map(|t| (h.to_string(), t)))
        .collect();
    let reach = Reach::of(resolver.paths.values().map(|t| &**t));
    PageLinks { html: true, ids, links, reach }
}

impl PageLinks {
    pub fn ids(&self) -> &Ids {
        &self.ids
    }

    /// Whether this page has the same links as `other` (hrefs, in order).
    pub fn same_links(&self, other: &PageLinks) -> bool {
        self.links == other.links
    }

    /// Whether a link to this page that resolved before may not resolve to
    /// `new`: it is no longer HTML, or lost an id.
    pub fn loses_targets_in(&self, new: &PageLinks) -> bool {
        self.html != new.html || !self.ids.within(&new.ids)
    }

    /// Whether every link of this page leads to a file that `find` knows, and
    /// to an anchor that file has.
    pub fn resolves<'a>(&self, find: impl Fn(&str) -> Option<&'a PageLinks>) -> bool {
        self.links.iter().all(|(_, (target, frag))| unresolved(target, frag.as_deref(), &find).is_none())
    }
}

/// Why a link to `target#frag` leads nowhere among the files `find` knows
/// (a fragment needs an id on an HTML page); `None` when it resolves.
fn unresolved<'a>(target: &str, frag: Option<&str>, find: impl Fn(&str) -> Option<&'a PageLinks>) -> Option<String> {
    match find(target) {
        None => Some("the target page does not exist".to_string()),
        Some(t) => match frag.filter(|f| !f.is_empty()) {
            Some(f) if t.html && !t.ids.contains(f) => Some(no_anchor(target, f)),
            _ => None,
        },
    }
}

fn no_anchor(target: &str, frag: &str) -> String {
    format!("`{target}` has no anchor `#{frag}`")
}

/// What the link check needs of a site, gathered page by page as the pages are
/// made, so that the pages themselves need not be kept: every path, the ids of
/// every page, and the links that could not be judged yet, with page paths and
/// hrefs stored once.
#[derive(Debug, Default)]
pub struct LinkIndex {
    base_url: String,
    inner: std::sync::Mutex<Index>,
}

/// How many links of a page [`LinkIndex::add`] resolves before it notes them.
const RESOLVED_AT_ONCE: usize = 4096;

/// A link target: output path (shared by the links of a page to the same
/// path) and fragment.
type Target = (std::sync::Arc<str>, Option<String>);

/// What is known of a path so far.
#[derive(Debug)]
enum Noted {
    /// Only linked to.
    Not,
    /// A file other than HTML (no anchors to check).
    File,
    Html(Ids),
}

/// A link whose target page was not noted yet when its own page was.
#[derive(Debug)]
struct Pending {
    target: u32,
    /// The hash of the fragment, if it is not empty.
    frag: Option<u64>,
    page: u32,
    href: u32,
}

/// Strings kept once each and numbered in the order they came.
#[derive(Debug, Default)]
struct Numbered {
    all: Vec<std::sync::Arc<str>>,
    number: FxHashMap<std::sync::Arc<str>, u32>,
}

impl Numbered {
    /// The number of `s`, and whether it is new.
    fn number(&mut self, s: &str) -> (u32, bool) {
        if let Some(&n) = self.number.get(s) {
            return (n, false);
        }
        let n = self.all.len() as u32;
        let s: std::sync::Arc<str> = s.into();
        self.all.push(std::sync::Arc::clone(&s));
        self.number.insert(s, n);
        (n, true)
    }

    fn find(&self, s: &str) -> Option<u32> {
        self.number.get(s).copied()
    }
}

impl std::ops::Index<u32> for Numbered {
    type Output = str;
    fn index(&self, n: u32) -> &str {
        &self.all[n as usize]
    }
}

#[derive(Debug, Default)]
struct Index {
    /// Every path noted or linked to, and what is known of it, by number.
    paths: Numbered,
    noted: Vec<Noted>,
    /// The hrefs kept below.
    hrefs: Numbered,
    /// A link to a page already noted is checked at once and kept only if it
    /// is broken, so few links wait here: the pages are made in an order that
    /// puts most targets before the pages linking to them.
    pending: Vec<Pending>,
    /// Links found broken when their page was noted: (page, href, problem).
    broken: Vec<(u32, u32, String)>,
}

impl Index {
    fn href(&mut self, href: &str) -> u32 {
        self.hrefs.number(href).0
    }

    /// The number of `path`, given on first sight.
    fn number(&mut self, path: &str) -> u32 {
        let (n, new) = self.paths.number(path);
        if new {
            self.noted.push(Noted::Not);
        }
        n
    }

    /// Whether a link to page `target` with fragment hash `frag` is broken,
    /// judged by the pages noted so far: `None` if it resolves,
    /// `Some(false)` for a missing page, `Some(true)` for a missing anchor.
    fn missing(&self, target: u32, frag: Option<u64>) -> Option<bool> {
        match (&self.noted[target as usize], frag) {
            (Noted::Not, _) => Some(false),
            (Noted::Html(ids), Some(f)) if !ids.has(f) => Some(true),
            _ => None,
        }
    }

    /// Checks the link `href` of `page` to `target#frag` if the target was
    /// noted already, and otherwise keeps it for the end.
    fn link(&mut self, page: u32, href: &str, target: &str, frag: Option<&str>) {
        let target = self.number(target);
        let frag = frag.filter(|f| !f.is_empty()).map(id_hash);
        if matches!(self.noted[target as usize], Noted::Not) {
            let href = self.href(href);
            self.pending.push(Pending { target, frag, page, href });
        } else if let Some(anchor) = self.missing(target, frag) {
            let problem = self.problem(target, href, anchor);
            let href = self.href(href);
            self.broken.push((page, href, problem));
        }
    }

    /// The problem `missing` found, in words; the fragment is read from the
    /// href as written (`resolve` takes it from there too).
    fn problem(&self, target: u32, href: &str, anchor: bool) -> String {
        let target = &self.paths[target];
        if !anchor {
            return "the target page does not exist".to_string();
        }
        let href = unescape(href);
        no_anchor(target, href.split_once('#').map_or("", |(_, f)| f))
    }
}

impl LinkIndex {
    pub fn new(base_url: &str) -> Self {
        LinkIndex { base_url: base_url.to_string(), inner: Default::default() }
    }

    /// Takes note of one file of the site.
    pub fn add(&self, path: &str, bytes: &[u8]) {
        if !path.ends_with(".html") {
            self.note(path, Noted::File);
            return;
        }
        let attrs = scan_for(path, bytes);
        let page = self.note(path, Noted::Html(Ids::new(attrs.ids.iter().copied())));
        self.links(page, &mut Resolver::new(path, &self.base_url), attrs.links);
    }

    /// Takes note of the page at `path` part by part, as it is written (a
    /// page too large to be held whole): each part must be whole tags. Its
    /// ids count once the last part is noted ([`PageParts::finish`]); links
    /// to them wait until then.
    pub fn parts<'a>(&'a self, path: &'a str) -> PageParts<'a> {
        let page = self.inner.lock().unwrap_or_else(|e| e.into_inner()).number(path);
        PageParts { index: self, path, page, ids: Vec::new(), resolver: Resolver::new(path, &self.base_url) }
    }

    /// Checks or keeps the links `hrefs` of `page`, each once.
    fn links(&self, page: u32, resolver: &mut Resolver, hrefs: Vec<&str>) {
        let mut seen = FxHashSet::default();
        let hrefs: Vec<&str> = hrefs.into_iter().filter(|h| seen.insert(*h)).collect();
        // Resolved a few thousand at a time: the page of all items of a large
        // site has hundreds of thousands of links, whose resolved targets
        // would otherwise all be held at once.
        for chunk in hrefs.chunks(RESOLVED_AT_ONCE) {
            let resolved: Vec<(&str, Target)> =
                chunk.iter().filter_map(|h| resolver.resolve(h).map(|t| (*h, t))).collect();
            let mut ix = self.inner.lock().unwrap_or_else(|e| e.into_inner());
            for (href, (target, frag)) in resolved {
                ix.link(page, href, &target, frag.as_deref());
            }
        }
    }

    /// Notes the file at `path`: its number.
    fn note(&self, path: &str, noted: Noted) -> u32 {
        let mut ix = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let page = ix.number(path);
        ix.noted[page as usize] = noted;
        page
    }

    /// The ids of a page noted so far.
    pub fn ids_of(&self, path: &str) -> Option<Ids> {
        let ix = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        match &ix.noted[ix.paths.find(path)? as usize] {
            Noted::Html(ids) => Some(ids.clone()),
            Noted::File | Noted::Not => None,
        }
    }

    /// Every link whose target page or anchor does not exist, once per page and href.
    pub fn check(&self, site: &Site) -> Diagnostics {
        let ix = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let mut found: BTreeSet<(u32, u32, String)> = ix.broken.iter().cloned().collect();
        for p in &ix.pending {
            if let Some(anchor) = ix.missing(p.target, p.frag) {
                found.insert((p.page, p.href, ix.problem(p.target, &ix.hrefs[p.href], anchor)));
            }
        }
        let mut out = Diagnostics::new();
        let mut seen = HashSet::new();
        for (page, href, problem) in found {
            if seen.insert((page, href)) {
                out.push(broken(site, &ix.paths[page], &ix.hrefs[href], &problem));
            }
        }
        out
    }
}

/// A page of a [`LinkIndex`] noted part by part ([`LinkIndex::parts`]).
pub struct PageParts<'a> {
    index: &'a LinkIndex,
    path: &'a str,
    page: u32,
    /// The ids of the parts so far, hashed.
    ids: Vec<u64>,
    resolver: Resolver<'a>,
}

impl PageParts<'_> {
    /// Notes the links and ids of the next part of the page. A link found in
    /// several parts is noted once per part; the check reports it once.
    pub fn add(&mut self, part: &[u8]) {
        if !self.path.ends_with(".html") {
            return;
        }
        let attrs = scan_for(self.path, part);
        self.ids.extend(attrs.ids.iter().map(|i| id_hash(&unescape(i))));
        self.index.links(self.page, &mut self.resolver, attrs.links);
    }

    /// Notes the page itself with its ids, after its last part.
    pub fn finish(self) {
        let noted = if self.path.ends_with(".html") { Noted::Html(Ids::from_hashes(self.ids)) } else { Noted::File };
        self.index.note(self.path, noted);
    }
}

/// [`LinkIndex::check`] over pages already summarised (serve keeps their
/// summaries between rebuilds): each page's links are looked up directly, in
/// parallel, instead of first collecting every link of the site by target.
/// The same diagnostics, once per page and href.
pub fn check_summaries(site: &Site, pages: &[(&str, &PageLinks)]) -> Diagnostics {
    check_summaries_of(site, pages, |_| true, &[])
}

/// [`check_summaries`] for the links of the pages `which` selects, and of
/// the other pages those links only that lead to one of the pages `lost`
/// (looked up among all `pages`): where the last check found every link
/// resolved, only those can break after the pages `which` selects changed
/// and the pages `lost` lost anchors.
pub fn check_summaries_of(
    site: &Site,
    pages: &[(&str, &PageLinks)],
    which: impl Fn(&str) -> bool + Sync,
    lost: &[&str],
) -> Diagnostics {
    use rayon::prelude::*;
    let by_path: HashMap<&str, &PageLinks> = pages.iter().copied().collect();
    let reach = Reach::of(lost.iter().copied());
    let found: Vec<Diagnostic> = pages
        .par_iter()
        .filter_map(|&(path, summary)| match which(path) {
            true => Some((path, summary, None)),
            false if !summary.reach.meets(&reach) => None,
            false => Some((path, summary, Some(lost))),
        })
        .flat_map_iter(|(path, summary, only)| {
            // Grouped by target: each page linked to is looked up once, and the
            // searches in its ids follow each other. (The index pages of a large
            // site link all over it; checked in page order, their links were
            // bound by cache misses: 1.6 s at N = 10 000.) Hrefs are distinct
            // per page (see `summarize`), so each problem is reported once.
            let mut by_target: FxHashMap<&str, Vec<(&str, Option<&str>)>> = FxHashMap::default();
            let links = summary.links.iter().filter(|(_, (t, _))| only.is_none_or(|lost| lost.contains(&&**t)));
            for (href, (target, frag)) in links {
                by_target.entry(&**target).or_default().push((href.as_str(), frag.as_deref()));
            }
            let mut problems = Vec::new();
            for (target, links) in by_target {
                let found = by_path.get(target).copied();
                for (href, frag) in links {
                    if let Some(problem) = unresolved(target, frag, |_| found) {
                        problems.push(broken(site, path, href, &problem));
                    }
                }
            }
            problems
        })
        .collect();
    let mut out = Diagnostics::new();
    out.extend(found);
    out
}

/// Whether every DQR item and learning method of the `modules` (curriculum,
/// module) has its anchor on its module page, as `ids` gives the page's ids
/// by path: the A–Z lists link there without the link check reading those
/// links ([`crate::render::Parts`]), so a theme's `module.html` that leaves
/// out the anchors is reported here, once per module.
pub fn check_item_anchors(
    site: &Site,
    modules: &[(usize, usize)],
    ids: impl Fn(&str) -> Option<Ids> + Sync,
) -> Diagnostics {
    use rayon::prelude::*;
    let found: Vec<Diagnostic> = modules
        .par_iter()
        .filter_map(|&(ci, mi)| {
            let c = site.curricula.get(ci)?;
            let m = c.modules.get(mi)?;
            let path = format!("{}/{}/index.html", c.id, m.id);
            let ids = ids(&path)?;
            let item = m.item_lists().into_iter().flatten().find(|it| !ids.contains(&it.anchor))?;
            let message = format!(
                "the module page {path} has no anchor `{}` for the item „{}“: the index pages link to it",
                item.anchor, item.text
            );
            Some(Diagnostic::error(&m.file, item.pos, message).with_hint(
                "a theme's module.html must give each item and method its anchor, e.g. `id=\"{{ item.anchor }}\"`, as the built-in one does",
            ))
        })
        .collect();
    let mut out = Diagnostics::new();
    out.extend(found);
    out
}

fn broken(site: &Site, page: &str, href: &str, why: &str) -> Diagnostic {
    Diagnostic::error(source_of(site, page), None, format!("broken link `{href}` on page {page}: {why}")).with_hint(
        "fix the link in the source; links between pages are relative, e.g. `../m3/` or `../grundlagen/#abschnitt`",
    )
}

/// The curriculum pages of a previous build with their ids, read before the
/// new build replaces them.
pub struct OldPages(Vec<(String, BTreeSet<String>)>);

/// The pages of a previous build that the new one leaves as they were: their
/// ids are the same, so [`OldPages::read`] does not collect them.
pub enum Unchanged<'a> {
    /// None known.
    None,
    /// These paths (linked into the new build, not read at all).
    Paths(&'a std::collections::HashSet<String>),
    /// The pages whose bytes have these fingerprints, by path (each page is
    /// read once, to compare).
    Prints(&'a FxHashMap<String, u64>),
}

impl OldPages {
    /// Reads the pages of every curriculum's folder in `old` in parallel
    /// (a folder entry without a readable page is left out), but those that
    /// `same` says the new build leaves as they were.
    pub fn read(site: &Site, old: &Path, same: &Unchanged) -> OldPages {
        OldPages::read_of(site, old, &|_| true, same)
    }

    /// [`OldPages::read`] for the curricula (by index) that `of` takes alone.
    pub fn read_of(site: &Site, old: &Path, of: &(dyn Fn(usize) -> bool + Sync), same: &Unchanged) -> OldPages {
        use rayon::prelude::*;
        let curricula = site.curricula.iter().enumerate().filter(|(ci, _)| of(*ci));
        let pages = curricula.flat_map(|(_, c)| {
            let entries = std::fs::read_dir(old.join(&c.id)).into_iter().flatten().flatten();
            let mut pages: Vec<String> =
                entries.map(|e| format!("{}/{}/index.html", c.id, e.file_name().to_string_lossy())).collect();
            pages.sort();
            pages
        });
        OldPages(
            pages
                .collect::<Vec<_>>()
                .into_par_iter()
                .filter(|page| !matches!(same, Unchanged::Paths(paths) if paths.contains(page)))
                .filter_map(|page| {
                    let bytes = std::fs::read(old.join(&page)).ok()?;
                    if let Unchanged::Prints(prints) = same
                        && prints.get(&page) == Some(&crate::text::fingerprint(&bytes))
                    {
                        return None;
                    }
                    Some((page, ids(std::str::from_utf8(&bytes).ok()?)))
                })
                .collect(),
        )
    }

    /// Whether `old` holds a page [`OldPages::read`] would read (without reading it).
    pub fn exist(site: &Site, old: &Path) -> bool {
        site.curricula.iter().any(|c| {
            let entries = std::fs::read_dir(old.join(&c.id)).into_iter().flatten().flatten();
            entries.into_iter().any(|e| e.path().join("index.html").is_file())
        })
    }

    /// Warnings for the anchors and pages of these that the new build would
    /// remove (`new_ids`: the ids of a new page, `None` if it is gone):
    /// published links to them would break.
    pub fn removed(&self, site: &Site, new_ids: &dyn Fn(&str) -> Option<Ids>) -> Diagnostics {
        let mut out = Diagnostics::new();
        for (page, old_ids) in &self.0 {
            let Some(new_ids) = new_ids(page) else {
                out.push(
                    Diagnostic::warning(
                        format!("(previous build) {page}"),
                        None,
                        format!("page {page} of the previous build would disappear"),
                    )
                    .with_hint("links to it will break; keep the id or tell readers where it moved"),
                );
                continue;
            };
            let gone: Vec<&str> = old_ids.iter().filter(|i| !new_ids.contains(i)).map(String::as_str).collect();
            if !gone.is_empty() {
                out.push(
                    Diagnostic::warning(source_of(site, page), None, format!("anchors of {page} in the previous build would disappear: #{}", gone.join(", #")))
                        .with_hint("citations of these anchors will break; give the item an explicit `id:` with the old anchor to keep it"),
                );
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(path: &str, html: &str) -> OutFile {
        OutFile { path: path.into(), bytes: html.as_bytes().to_vec() }
    }

    #[test]
    fn marks_of_links_are_found_and_plain_text_is_not_taken_for_one() {
        for text in [
            "[a](b)",
            "![a](b.png)",
            "[a]: ../b/",
            "[^1]: Notiz",
            "<urn:isbn:1>",
            "x: \"\\x5D(\"",
            "a \\\n b",
            "<javascript:alert(1)>",
        ] {
            assert!(link_marks(text, false) > 0, "{text}");
        }
        for text in [
            "Kinder < 6 Jahre, [Hinweis] (siehe unten)",
            "<https://a.de/> und <mailto:a@b.de> und <a@b.de>",
            "phases: [assessment, planning]",
            "<b>fett</b> und <a href=\"x\">",
            "a < b: c > d",
        ] {
            assert_eq!(link_marks(text, false), 0, "{text}");
        }
        assert_eq!(link_marks("<a href=\"x\"> <img src=x> [a](b) [c]: d", true), 4);
    }

    #[test]
    fn fragments_whose_links_stay_inside_are_told_apart() {
        assert!(self_contained("<a href=\"#fn-1\" id=\"r\">1</a><div id=\"fn-1\"><a href=\"#r\">r</a></div>"));
        assert!(self_contained(
            "<a href=\"https://a.de/#x\">a</a> <img src=\"https://a.de/b.png\"> <a href=\"#\">j</a>"
        ));
        assert!(!self_contained("<div id=\"fn-y\"><a href=\"#fnref-y\">y</a></div>"));
        assert!(!self_contained("<a href=\"../m3/index.html\">m3</a>"));
        assert!(!self_contained("<a href=\"\">here</a>"));
        assert!(!self_contained("<a href=\"?q#a\" id=\"a\">q</a>"));
    }

    /// After an edit, a page not rendered again is checked only for its links
    /// to the pages that lost anchors, and skipped when its [`Reach`] rules
    /// them all out.
    #[test]
    fn links_to_pages_that_lost_anchors_are_found_on_the_pages_not_rendered_again() {
        let site = Site::default();
        let page = |path: &str, html: &str| summarize(path, html.as_bytes(), "/");
        let old_m1 = page("kit/m1/index.html", "<h2 id=\"a\">A</h2><h2 id=\"b\">B</h2>");
        let new_m1 = page("kit/m1/index.html", "<h2 id=\"b\">B</h2>");
        assert!(old_m1.loses_targets_in(&new_m1) && !new_m1.loses_targets_in(&old_m1));
        let citing = page("kit/m2/index.html", "<a href=\"../m1/index.html#a\">a</a> <a href=\"../m3/\">m3</a>");
        let other = page("kit/m3/index.html", "<a href=\"../m2/index.html\">m2</a> <a href=\"../../index.html\">h</a>");
        let lost = ["kit/m1/index.html"];
        assert!(citing.reach.meets(&Reach::of(lost)) && !other.reach.meets(&Reach::of(lost)));
        assert!(!Reach::default().meets(&Reach::of(lost)) && !citing.reach.meets(&Reach::default()));
        let pages = [("kit/m1/index.html", &new_m1), ("kit/m2/index.html", &citing), ("kit/m3/index.html", &other)];
        let found = check_summaries_of(&site, &pages, |p| p == "kit/m1/index.html", &lost);
        let messages: Vec<&str> = found.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(messages.len(), 1, "{messages:?}");
        assert!(messages[0].contains("../m1/index.html#a") && messages[0].contains("kit/m2/index.html"));
        assert!(check_summaries_of(&site, &pages, |_| false, &[]).is_empty(), "nothing lost, nothing rendered");
    }

    #[test]
    fn resolves_relative_absolute_and_fragment_links() {
        assert_eq!(
            resolve("kit/m1/index.html", "../m2/index.html#a", "/"),
            Some(("kit/m2/index.html".into(), Some("a".into())))
        );
        assert_eq!(resolve("kit/m1/index.html", "../../index.html", "/"), Some(("index.html".into(), None)));
        assert_eq!(resolve("kit/m1/index.html", "#x", "/"), Some(("kit/m1/index.html".into(), Some("x".into()))));
        assert_eq!(
            resolve("404.html", "/sub/kit/index.html", "https://a.de/sub/"),
            Some(("kit/index.html".into(), None))
        );
        assert_eq!(resolve("a/index.html", "../b/", "/"), Some(("b/index.html".into(), None)));
        assert_eq!(resolve("a/index.html", "https://x.de/", "/"), None);
    }

    #[test]
    fn a_resolver_answers_as_a_fresh_one_for_every_href_of_a_page() {
        let hrefs = [
            "../m2/index.html#a",
            "../m2/index.html#b",
            "../m2/index.html",
            "#x",
            "",
            "?q#y",
            "?q",
            "/sub/kit/index.html#z",
            "../m2/index.html?v=1#c",
            "a&amp;b/#c",
            "https://x.de/#a",
        ];
        let mut shared = Resolver::new("kit/m1/index.html", "https://a.de/sub/");
        for h in hrefs {
            let fresh = Resolver::new("kit/m1/index.html", "https://a.de/sub/").resolve(h);
            assert_eq!(shared.resolve(h), fresh, "{h}");
        }
        assert_eq!(shared.resolve("../m2/index.html#b"), Some(("kit/m2/index.html".into(), Some("b".into()))));
    }

    #[test]
    fn scans_links_and_ids_only_inside_tags() {
        let a = scan(
            b"<p id=\"x\" class=\"a b\">say href=\"no\" &lt;a href=\"no\"&gt;</p><img src=\"i.svg\" alt=\"\"><a href=\"y/#z\">y</a>",
        );
        assert_eq!(a.links, ["i.svg", "y/#z"]);
        assert_eq!(a.ids, ["x"]);
        // A `>` ends the tag, in a value too; other attributes ending in `id` are not ids.
        let b =
            scan(b"<a title=\"a>b\" href=\"no\"><a href=\"x>y\" id=\"no\"><p data-id=\"no\" id=\"m\"><img src=\"s\">");
        assert!(b.links == ["s"] && b.ids == ["m"], "{b:?}");
        assert_eq!(ids("<h2 id=\"a&amp;b\">").into_iter().collect::<Vec<_>>(), ["a&b"]);
    }

    /// [`check_summaries`] over the summaries of `files`.
    fn checked_summaries(site: &Site, files: &[OutFile]) -> Diagnostics {
        let summaries: Vec<(String, PageLinks)> =
            files.iter().map(|f| (f.path.clone(), summarize(&f.path, &f.bytes, "/"))).collect();
        let pages: Vec<(&str, &PageLinks)> = summaries.iter().map(|(p, l)| (p.as_str(), l)).collect();
        check_summaries(site, &pages)
    }

    fn messages(d: Diagnostics) -> Vec<String> {
        d.sorted().iter().map(|x| x.message.clone()).collect()
    }

    #[test]
    fn checking_summaries_finds_what_the_index_finds() {
        let site = Site::default();
        let files = vec![
            f(
                "index.html",
                "<a href=\"a/index.html#ok\">x</a><a href=\"a/index.html#nope\">y</a><a href=\"b/index.html\">z</a><a href=\"b/index.html\">z</a><a href=\"data/x.json#frag\">j</a><a href=\"a/#\">e</a><a href=\"#top\">t</a>",
            ),
            f("a/index.html", "<p id=\"ok\">x</p><a href=\"../index.html#gone\">back</a><a href=\"../c/\">c</a>"),
            f(
                "a/print/index.html",
                "<a href=\"../../nowhere/\">skipped in print views</a><h2 id=\"p\">p</h2><a href=\"#p\">p</a>",
            ),
            // A print view's ids count, though its links are skipped.
            f("b/index.html", "<a href=\"../a/print/index.html#p\">p</a><a href=\"../a/print/#q\">q</a>"),
            OutFile { path: "data/x.json".into(), bytes: b"{}".to_vec() },
        ];
        let expected = messages(check(&site, &files));
        assert_eq!(expected.len(), 5, "{expected:#?}");
        assert_eq!(expected.iter().filter(|m| m.contains("print")).count(), 1, "{expected:#?}");
        assert_eq!(messages(checked_summaries(&site, &files)), expected);
    }

    /// Links to pages noted earlier are checked at once, the others at the
    /// end: the order in which pages arrive must not matter.
    #[test]
    fn the_index_finds_the_same_in_any_order_of_pages() {
        let site = Site::default();
        let files = [
            f("index.html", "<a href=\"a/index.html#ok\">x</a><a href=\"a/index.html#nope\">y</a><a href=\"b/\">z</a>"),
            f(
                "a/index.html",
                "<p id=\"ok\"><a href=\"#ok\">self</a><a href=\"#self-nope\">s</a><a href=\"../c/index.html#x\">c</a></p>",
            ),
            f(
                "c/index.html",
                "<h2 id=\"x\">x</h2><a href=\"../a/index.html#nope\">again</a><a href=\"../index.html#top\">t</a>",
            ),
            OutFile { path: "data/x.json".into(), bytes: b"{}".to_vec() },
        ];
        let expected = messages(checked_summaries(&site, &files));
        assert_eq!(expected.len(), 5, "{expected:#?}");
        for order in [vec![0, 1, 2, 3], vec![3, 2, 1, 0], vec![1, 0, 3, 2], vec![2, 0, 1, 3]] {
            let index = LinkIndex::new("/");
            order.iter().for_each(|&i| index.add(&files[i].path, &files[i].bytes));
            assert_eq!(messages(index.check(&site)), expected, "order {order:?}");
        }
    }

    /// A page handed over in parts (split before every tag here) is checked
    /// as if it came whole, links to its own ids in later parts included.
    #[test]
    fn a_page_noted_in_parts_finds_what_it_finds_whole() {
        let site = Site::default();
        let files = [
            f("index.html", "<a href=\"a/index.html#ok\">x</a><a href=\"a/index.html#nope\">y</a><a href=\"b/\">z</a>"),
            f(
                "a/index.html",
                "<a href=\"#later\">l</a><a href=\"#never\">n</a><p id=\"ok\"><a href=\"#ok\">self</a><a href=\"../c/index.html#x\">c</a></p><h2 id=\"later\">l</h2><a href=\"../c/index.html#x\">again</a>",
            ),
            f("c/index.html", "<h2 id=\"x\">x</h2><a href=\"../a/index.html#later\">a</a><a href=\"../a/#gone\">g</a>"),
            OutFile { path: "data/x.json".into(), bytes: b"{}".to_vec() },
        ];
        let whole = LinkIndex::new("/");
        files.iter().for_each(|f| whole.add(&f.path, &f.bytes));
        let expected = messages(whole.check(&site));
        assert_eq!(expected.len(), 4, "{expected:#?}");
        for order in [vec![0, 1, 2, 3], vec![3, 2, 1, 0], vec![1, 2, 0, 3]] {
            let index = LinkIndex::new("/");
            for &i in &order {
                let mut parts = index.parts(&files[i].path);
                let bytes = &files[i].bytes;
                let starts: Vec<usize> = (0..bytes.len()).filter(|&k| bytes[k] == b'<').chain([bytes.len()]).collect();
                parts.add(&bytes[..starts[0]]);
                starts.windows(2).for_each(|w| parts.add(&bytes[w[0]..w[1]]));
                parts.finish();
            }
            assert_eq!(messages(index.check(&site)), expected, "order {order:?}");
        }
    }

    /// A page with more links than are resolved at once (the index pages of
    /// a large site): every one of them is checked.
    #[test]
    fn every_link_of_a_long_page_is_checked() {
        let n = RESOLVED_AT_ONCE + 2;
        let links: String = (0..n).map(|i| format!("<a href=\"p{i}/\">{i}</a>")).collect();
        let index = LinkIndex::new("/");
        index.add("index.html", format!("<a href=\"index.html#top\">t</a>{links}").as_bytes());
        index.add("p0/index.html", b"<p id=\"x\">x</p>");
        let found = messages(index.check(&Site::default()));
        assert_eq!(found.len(), n, "{:?}", &found[..3]);
        assert!(found.iter().any(|m| m.contains(&format!("`p{}/`", n - 1))));
    }

    #[test]
    fn reports_missing_pages_and_anchors_once_each() {
        let site = Site::default();
        let files = vec![
            f(
                "index.html",
                "<a href=\"a/index.html#ok\">x</a><a href=\"a/index.html#nope\">y</a><a href=\"b/index.html\">z</a><a href=\"b/index.html\">z</a>",
            ),
            f("a/index.html", "<p id=\"ok\">x</p>"),
        ];
        let d = check(&site, &files).sorted();
        assert_eq!(d.len(), 2, "{d:#?}");
        assert!(d[0].message.contains("has no anchor `#nope`") || d[1].message.contains("has no anchor `#nope`"));
    }
}
