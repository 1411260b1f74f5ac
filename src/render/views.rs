//! View models: what each page shows, computed from the model as JSON values
//! for the templates. All links are relative to the page (and end in
//! `index.html`), so the same output works under any sub-path and from disk.

use super::i18n;
use crate::diag::{Diagnostic, Diagnostics};
use crate::markdown::{self, RenderOptions};
use crate::model::ledger::{self, Figures, Ledger};
use crate::model::{Curriculum, Dimension, Item, KnownSection, Module, Site};
use crate::text::fmt_num;
use serde_json::{Value, json};

/// An object like `json!`'s, its values moved in (`Value::from`) instead of
/// serialized again: `json!` serializes every value it is given, so nested
/// views (a pair's tables of rows, a prose table's sentences) were copied
/// once more at every level.
macro_rules! obj {
    ({ $($key:literal : $value:expr),* $(,)? }) => {{
        let mut map = serde_json::Map::new();
        $( map.insert($key.to_string(), serde_json::Value::from($value)); )*
        serde_json::Value::Object(map)
    }};
}
pub(super) use obj;

/// One output page to render.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Job {
    Home,
    Curriculum(usize),
    Module(usize, usize),
    Page(usize, usize),
    NotFound,
    /// Comparison overview, by index into `Data::outlines`.
    Compare(usize),
    /// One module pair of a comparison.
    Pair(usize, usize),
    /// The whole comparison on one page, for printing.
    ComparePrint(usize),
    Competencies(super::index_views::Filter),
    /// The page of one initial letter (a [`super::index_views::letter_slot`])
    /// of a competency list split by letter ([`super::index_views::splits_lists`]).
    CompetencyLetter(super::index_views::Filter, usize),
    Methods,
    /// The page of one initial letter of the methods' list, split as the competencies'.
    MethodsLetter(usize),
    /// A curriculum's methods matrix on a page of its own, where the lists are
    /// split ([`super::index_views::splits_lists`]; otherwise the methods page shows it).
    MethodsMatrix(usize),
    Fields,
    Phases,
    Glossary,
    Search,
    /// A module's source file, highlighted.
    Source(usize, usize),
    /// A site-wide page (Leichte Sprache, accessibility statement).
    SitePage(usize),
    /// A whole curriculum on one page, for printing.
    CurriculumPrint(usize),
}

/// Everything the pages are made from: the site and what is computed from it once.
pub struct Data<'a> {
    /// The UI strings, converted for the templates once.
    pub t: tera::Value,
    /// Sort keys of all DQR items, for the competency index pages.
    pub competency_keys: super::index_views::CompetencyKeys,
    /// Glossary terms to link in prose.
    pub terms: std::sync::Arc<markdown::Terms>,
    pub site: &'a Site,
    pub sources: &'a dyn super::SourceText,
    /// The comparisons as declared; each is computed in its own task.
    pub outlines: Vec<crate::compare::Outline>,
    /// The search index's documents by curriculum from the last render
    /// (taken over for unchanged curricula), and those the search task made
    /// when they are to be kept (`Scope::reuse`).
    pub search: &'a crate::search::Parts,
    pub made_search: std::sync::Mutex<crate::search::Parts>,
    /// The comparisons the last scoped render computed, and those this one
    /// computes or takes over when they are to be kept.
    pub comparisons: &'a std::collections::HashMap<String, super::KeptComparison>,
    pub made_comparisons: std::sync::Mutex<std::collections::HashMap<String, super::KeptComparison>>,
    /// Nanoseconds spent computing comparisons, summed over the threads (for
    /// the benchmark: the comparisons are computed inside the render's tasks).
    pub compare_nanos: std::sync::atomic::AtomicU64,
    /// Markdown the last scoped render rendered, by [`md_key`] (serve's
    /// rebuilds after an edit render a curriculum's prose again, mostly unchanged).
    pub markdown: super::Keep<'a, u64, std::sync::Arc<markdown::Rendered>>,
    /// Each curriculum's workload ledger, made when first needed: a module's
    /// page and body both show figures of the whole curriculum.
    pub ledgers: Vec<std::sync::OnceLock<Ledger>>,
    /// The module, pair and comparison pages with their values.
    pub pages: super::Keep<'a, String, std::sync::Arc<super::KeptPage>>,
    /// The sections of the print views.
    pub fragments: super::Keep<'a, String, std::sync::Arc<super::fragments::KeptFragment>>,
    /// The module bodies.
    pub bodies: super::Keep<'a, String, std::sync::Arc<KeptBody>>,
    /// The module shares of the curricula's exports.
    pub exports: super::Keep<'a, String, Vec<std::sync::Arc<crate::export::ModuleExports>>>,
    /// Everything besides its text and place that Markdown renders from: the
    /// glossary's terms and the raw HTML setting.
    pub markdown_salt: u64,
    /// The curricula the comparisons computed in this render prepare, shared.
    pub preparations: crate::compare::Preparations<'a>,
    /// Whether the A–Z lists may be written directly instead of through
    /// `az.html` (the theme overrides none of the templates involved).
    pub fast_az: bool,
    /// The A–Z lists kept from the last render, and those this one keeps.
    pub az: super::index_views::AzKeep<'a>,
    /// The items of the site-wide A–Z lists by initial letter, where those
    /// lists are split into a page per letter ([`super::index_views::splits_lists`]).
    pub az_letters: Option<super::index_views::LetterCounts>,
    /// Whether the rows of the comparison tables may be written directly
    /// instead of through `cmp_row.html` (none of the templates involved is
    /// overridden).
    pub fast_rows: bool,
    /// The curricula and comparisons of the header.
    pub nav: Nav,
    /// Each curriculum's place by its id, and the places of the comparisons
    /// (outlines) it takes part in, in their order: a large site's pages
    /// look up curricula and pairs by the thousand, and trying each one
    /// made the build grow with the square of the site.
    pub curricula_by_id: rustc_hash::FxHashMap<&'a str, usize>,
    pub comparisons_of: Vec<Vec<usize>>,
}

impl<'a> Data<'a> {
    /// The workload ledger of curriculum `ci`.
    pub fn ledger(&self, ci: usize) -> &Ledger {
        self.ledgers[ci].get_or_init(|| ledger::ledger(&self.site.curricula[ci]))
    }

    /// The curriculum with id `id`.
    pub fn curriculum(&self, id: &str) -> Option<&'a Curriculum> {
        self.curricula_by_id.get(id).map(|&ci| &self.site.curricula[ci])
    }
}

/// [`Data::curricula_by_id`] and [`Data::comparisons_of`] of `site`.
pub fn curriculum_places<'a>(
    site: &'a Site,
    outlines: &[crate::compare::Outline],
) -> (rustc_hash::FxHashMap<&'a str, usize>, Vec<Vec<usize>>) {
    let mut by_id = rustc_hash::FxHashMap::default();
    for (ci, c) in site.curricula.iter().enumerate() {
        by_id.entry(c.id.as_str()).or_insert(ci);
    }
    let mut of = vec![Vec::new(); site.curricula.len()];
    for (k, o) in outlines.iter().enumerate() {
        for ci in [by_id.get(o.left.as_str()), by_id.get(o.right.as_str())].into_iter().flatten() {
            if of[*ci].last() != Some(&k) {
                of[*ci].push(k);
            }
        }
    }
    (by_id, of)
}

impl Job {
    pub fn template(&self) -> &'static str {
        match self {
            Job::Home => "home.html",
            Job::Curriculum(_) => "curriculum.html",
            Job::Module(..) => "module.html",
            Job::Page(..) => "page.html",
            Job::NotFound => "404.html",
            Job::Compare(_) => "compare.html",
            Job::Pair(..) => "pair.html",
            Job::ComparePrint(_) => "compare_print.html",
            Job::Competencies(_) | Job::CompetencyLetter(..) => "competencies.html",
            Job::Methods | Job::MethodsLetter(_) | Job::MethodsMatrix(_) => "methods.html",
            Job::Fields => "fields.html",
            Job::Phases => "phases.html",
            Job::Glossary => "glossary.html",
            Job::Search => "search.html",
            Job::Source(..) => "source.html",
            Job::SitePage(_) => "page.html",
            Job::CurriculumPrint(_) => "curriculum_print.html",
        }
    }

    /// The URL path of the page below the site root, without `index.html`.
    fn dir(&self, data: &Data) -> String {
        let site = data.site;
        match *self {
            Job::Home | Job::NotFound => String::new(),
            Job::Compare(k) => format!("compare/{}/", data.outlines[k].id),
            Job::Pair(k, p) => format!("compare/{}/{}/", data.outlines[k].id, data.outlines[k].pairs[p].slug),
            Job::ComparePrint(k) => format!("compare/{}/print/", data.outlines[k].id),
            Job::Competencies(f) => format!("kompetenzen/{}", f.segment(site)),
            Job::CompetencyLetter(f, l) => {
                super::index_views::letter_dir(&format!("kompetenzen/{}", f.segment(site)), l)
            }
            Job::Methods => "methoden/".into(),
            Job::MethodsLetter(l) => super::index_views::letter_dir("methoden/", l),
            Job::MethodsMatrix(c) => format!("methoden/{}/", site.curricula[c].id),
            Job::Fields => "handlungsfelder/".into(),
            Job::Phases => "phasen/".into(),
            Job::Glossary => "glossar/".into(),
            Job::Search => "suche/".into(),
            Job::SitePage(p) => format!("{}/", site.site_pages[p].id),
            Job::CurriculumPrint(c) => format!("{}/print/", site.curricula[c].id),
            Job::Source(c, m) => format!("{}/{}/quelltext/", site.curricula[c].id, site.curricula[c].modules[m].id),
            Job::Curriculum(c) => format!("{}/", site.curricula[c].id),
            Job::Module(c, m) => format!("{}/{}/", site.curricula[c].id, site.curricula[c].modules[m].id),
            Job::Page(c, p) => format!("{}/{}/", site.curricula[c].id, site.curricula[c].pages[p].id),
        }
    }

    pub fn path(&self, data: &Data) -> String {
        match self {
            Job::NotFound => "404.html".into(),
            _ => format!("{}index.html", self.dir(data)),
        }
    }
}

/// Every page of the site.
pub fn jobs(data: &Data) -> Vec<Job> {
    let mut v = vec![Job::Home, Job::NotFound];
    for (ci, c) in data.site.curricula.iter().enumerate() {
        v.push(Job::Curriculum(ci));
        v.push(Job::CurriculumPrint(ci));
        v.extend((0..c.modules.len()).map(|mi| Job::Module(ci, mi)));
        v.extend((0..c.modules.len()).map(|mi| Job::Source(ci, mi)));
        v.extend((0..c.pages.len()).map(|pi| Job::Page(ci, pi)));
    }
    v.extend(super::index_views::Filter::all(data.site).into_iter().map(Job::Competencies));
    v.push(Job::Methods);
    if let Some(counts) = &data.az_letters {
        use super::index_views::Filter;
        let letters = |lists: std::ops::Range<usize>| counts.letters(lists).into_iter().map(|(l, _)| l);
        for (f, lists) in [(Filter::All, 0..4)].into_iter().chain((0..4).map(|d| (Filter::Dimension(d), d..d + 1))) {
            v.extend(letters(lists).map(|l| Job::CompetencyLetter(f, l)));
        }
        v.extend(letters(4..5).map(Job::MethodsLetter));
        v.extend((0..data.site.curricula.len()).map(Job::MethodsMatrix));
    }
    v.extend([Job::Fields, Job::Phases, Job::Glossary, Job::Search]);
    v.extend((0..data.site.site_pages.len()).map(Job::SitePage));
    for (k, r) in data.outlines.iter().enumerate() {
        v.push(Job::Compare(k));
        v.push(Job::ComparePrint(k));
        v.extend((0..r.pairs.len()).map(|p| Job::Pair(k, p)));
    }
    v
}

/// Links from a page at `from_dir` (e.g. `kit/m1/`) to site paths.
pub(super) struct Links {
    pub root: String,
}

impl Links {
    pub fn new(from_dir: &str) -> Self {
        Links { root: "../".repeat(from_dir.matches('/').count()) }
    }
    pub fn to(&self, dir: &str) -> String {
        [&self.root, dir, "index.html"].concat()
    }
    pub fn curriculum(&self, c: &Curriculum) -> String {
        [&self.root, &c.id, "/index.html"].concat()
    }
    pub fn module(&self, c: &Curriculum, m: &Module) -> String {
        [&self.root, &c.id, "/", &m.id, "/index.html"].concat()
    }
}

/// Converts a view to the template engine's value.
pub(super) fn tv(v: &Value) -> tera::Value {
    tera::Value::from_serializable(v)
}

/// Map `v` with `key` set; the other entries are shared, not copied.
pub(super) fn with_key(v: &tera::Value, key: &str, val: tera::Value) -> tera::Value {
    let mut map = v.as_map().cloned().unwrap_or_default();
    map.insert(tera::value::Key::from(key.to_string()), val);
    tera::Value::from(map)
}

/// Bodies shared by the pages of one group, made once for the group and
/// dropped after it, so memory holds one group's bodies rather than the site's:
/// a curriculum's module bodies (its module pages and print view), or a
/// comparison's pair bodies (its pair pages and print view). Both kinds of
/// page sit at the same depth as the view that reuses them.
#[derive(Default, Clone, Copy)]
pub struct Bodies<'b> {
    pub modules: &'b [tera::Value],
    pub pairs: &'b [tera::Value],
    /// The comparison's overview cores: plain and print.
    pub overviews: &'b [tera::Value],
    /// The computed comparison, for its own pages.
    pub comparison: Option<&'b crate::compare::ComparisonResult>,
}

/// The template context of a page: the page frame (title, navigation) as
/// JSON, the body and the UI strings as ready template values.
pub struct PageContext<'a> {
    pub frame: Value,
    pub body: tera::Value,
    pub t: tera::Value,
    /// HTML written outside the templates, for the page's bytes in place of
    /// the body's [`super::index_views::AZ_PLACE`] (huge lists would otherwise
    /// be copied into a template value and again into the output).
    pub insert: Option<super::index_views::AzList<'a>>,
}

/// Builds the template context of a page, and warnings found on the way.
pub fn context<'a>(data: &'a Data, job: &Job, bodies: Bodies) -> (PageContext<'a>, Diagnostics) {
    let site = data.site;
    let dir = job.dir(data);
    let links = Links::new(&dir);
    let (mut warnings, mut insert) = (Diagnostics::new(), None);
    let (title, crumbs, body) = page_parts(data, job, &links, bodies, (&mut warnings, &mut insert));
    let nav = main_nav(data, &links, &dir);
    // The 404 page is served at arbitrary depths, so it links absolutely.
    let root = if matches!(job, Job::NotFound) { site.config.base_url.clone() } else { links.root.clone() };
    let ctx = json!({
        "site": {"title": site.config.title, "lang": site.config.language.code(), "base_url": site.config.base_url},
        "root": root,
        "home_url": format!("{root}index.html"),
        "footer_pages": site.site_pages.iter().map(|p| {
            let url = if matches!(job, Job::NotFound) { format!("{root}{}/index.html", p.id) } else { links.to(&format!("{}/", p.id)) };
            json!({"title": p.title, "url": url})
        }).collect::<Vec<_>>(),
        "site_nav": site_nav(site, &links, &dir, matches!(job, Job::NotFound).then_some(root.as_str())),
        "page_title": title,
        "canonical": format!("{}{}", site.config.base_url, dir),
        "breadcrumbs": crumbs,
        "jsonld": jsonld(data, job),
        "inputs": match *job {
            Job::Curriculum(c) if site.curricula[c].inputs != 0 => Some(crate::inputs::hex(site.curricula[c].inputs)),
            _ => None,
        },
        "nav": nav,
    });
    (PageContext { frame: ctx, body, t: data.t.clone(), insert }, warnings)
}

/// At most this many curricula and comparisons are listed in the header of
/// every page; a site with more lists them on the home page instead (otherwise
/// every page would grow with the site, and the build with its square).
pub(super) const NAV_LIMIT: usize = 12;

/// The header navigation: every curriculum and comparison, or, beyond
/// [`NAV_LIMIT`], the one the page belongs to and the way to all of them.
fn main_nav(data: &Data, links: &Links, dir: &str) -> Vec<Value> {
    let site = data.site;
    let entry = |(title, d): (&str, &str)| json!({"title": title, "url": links.to(d), "current": dir.starts_with(d)});
    let entries = &data.nav.entries;
    if entries.len() <= NAV_LIMIT {
        return entries.iter().map(|(t, d)| entry((t, d))).collect();
    }
    let mut nav: Vec<Value> = data.nav.owners(dir).into_iter().map(|i| entry((&entries[i].0, &entries[i].1))).collect();
    nav.push(json!({"title": t_str(site, "all_curricula"), "url": links.to(""), "current": dir.is_empty()}));
    nav
}

/// The header's entries: every curriculum, then every comparison, each with
/// its folder (`kit/`, `compare/kit-erwu/`), and their places by folder.
pub struct Nav {
    entries: Vec<(String, String)>,
    by_folder: rustc_hash::FxHashMap<String, usize>,
}

impl Nav {
    pub fn new(site: &Site, outlines: &[crate::compare::Outline]) -> Nav {
        let curricula = site.curricula.iter().map(|c| (c.short_title.clone(), format!("{}/", c.id)));
        let comparisons = outlines.iter().map(|r| (r.title.clone(), format!("compare/{}/", r.id)));
        let entries: Vec<(String, String)> = curricula.chain(comparisons).collect();
        let mut by_folder = rustc_hash::FxHashMap::default();
        for (i, (_, d)) in entries.iter().enumerate() {
            by_folder.entry(d.clone()).or_insert(i);
        }
        Nav { entries, by_folder }
    }

    /// The places of the entries whose folder holds the page at `dir`, in
    /// their order: the folders `dir` starts with, looked up instead of
    /// tried one by one (a large site has thousands of entries, and every
    /// page would try them all). An id has no `/`, so only the first
    /// segment, or the first two under `compare/`, can be one.
    fn owners(&self, dir: &str) -> Vec<usize> {
        let mut segments = dir.split_inclusive('/');
        let first = segments.next().filter(|s| s.ends_with('/')).unwrap_or_default();
        let second = segments.next().filter(|s| s.ends_with('/')).unwrap_or_default();
        let mut found: Vec<usize> = self.by_folder.get(first).copied().into_iter().collect();
        if first == "compare/" && !second.is_empty() {
            found.extend(self.by_folder.get(&format!("{first}{second}")));
        }
        found.sort_unstable();
        found
    }
}

/// schema.org JSON-LD for curriculum and module pages, as a string safe inside `<script>`.
fn jsonld(data: &Data, job: &Job) -> Option<String> {
    let site = data.site;
    let url = |p: &str| format!("{}{p}", site.config.base_url);
    let course = |ci: usize| {
        let (c, l) = (&site.curricula[ci], data.ledger(ci));
        json!({
            "@type": "Course", "@id": url(&format!("{}/", c.id)), "url": url(&format!("{}/", c.id)),
            "name": c.title, "alternateName": c.short_title,
            "provider": c.issuer.as_ref().map(|i| json!({"@type": "Organization", "name": i})),
            "inLanguage": site.config.language.code(),
            "educationalLevel": c.dqr_level.map(|d| json!({"@type": "DefinedTerm", "name": format!("DQR {d}"), "inDefinedTermSet": "Deutscher Qualifikationsrahmen", "description": "Einstufung durch den Herausgeber"})),
            "timeRequired": format!("PT{}M", l.total.total.round() as i64),
        })
    };
    let value = match *job {
        Job::Curriculum(ci) => {
            let c = &site.curricula[ci];
            let mut v = course(ci);
            v["hasPart"] = json!(c.modules.iter().map(|m| json!({"@type": "Course", "@id": url(&format!("{}/{}/", c.id, m.id)), "name": m.title, "courseCode": format!("M{}", m.number.value)})).collect::<Vec<_>>());
            v
        }
        Job::Module(ci, mi) => {
            let c = &site.curricula[ci];
            let m = &c.modules[mi];
            let l = data.ledger(ci);
            let teaches: Vec<Value> = Dimension::ALL
                .iter()
                .flat_map(|d| m.competencies.get(*d).iter().map(move |it| (d, it)))
                .map(|(d, it)| {
                    let id = [&site.config.base_url, &c.id, "/", &m.id, "/#", &it.anchor].concat();
                    obj!({"@type": "DefinedTerm", "@id": id, "name": it.text.as_str(), "inDefinedTermSet": d.key()})
                })
                .collect();
            json!({
                "@type": "Course", "@id": url(&format!("{}/{}/", c.id, m.id)), "url": url(&format!("{}/{}/", c.id, m.id)),
                "name": m.title, "courseCode": format!("M{}", m.number.value), "isPartOf": course(ci),
                "teaches": teaches, "timeRequired": format!("PT{}M", l.modules[mi].1.total.round() as i64),
                "inLanguage": site.config.language.code(),
            })
        }
        _ => return None,
    };
    let mut v = value;
    v["@context"] = json!("https://schema.org");
    // `<` as \u003c: nothing in the data can end the script element or open a comment.
    Some(serde_json::to_string(&v).unwrap_or_default().replace('<', "\\u003c"))
}

/// Links to the site-wide pages, for the header and footer.
fn site_nav(site: &Site, links: &Links, dir: &str, absolute: Option<&str>) -> Vec<Value> {
    let pages = [
        ("kompetenzen/", "competency_index"),
        ("methoden/", "methods_index"),
        ("handlungsfelder/", "fields"),
        ("phasen/", "phases"),
        ("glossar/", "glossary"),
        ("suche/", "search"),
    ];
    pages
        .iter()
        .map(|(d, key)| {
            let url = match absolute {
                Some(root) => format!("{root}{d}index.html"),
                None => links.to(d),
            };
            json!({"title": t_str(site, key), "url": url, "current": dir.starts_with(d)})
        })
        .collect()
}

pub(super) fn t_str(site: &Site, key: &str) -> String {
    i18n::strings(site.config.language).get(key).copied().unwrap_or(key).to_string()
}

/// Title, breadcrumbs and body of a page.
fn page_parts<'a>(
    data: &'a Data,
    job: &Job,
    links: &Links,
    bodies: Bodies,
    (warnings, insert): (&mut Diagnostics, &mut Option<super::index_views::AzList<'a>>),
) -> (String, Vec<Value>, tera::Value) {
    let site = data.site;
    match *job {
        Job::Home => (site.config.title.clone(), vec![], tv(&home(data, links))),
        Job::NotFound => (i18n::strings(site.config.language)["not_found_title"].to_string(), vec![], tv(&json!({}))),
        Job::Curriculum(c) => {
            let cur = &site.curricula[c];
            (cur.title.clone(), vec![crumb(&cur.short_title, None)], tv(&curriculum(site, cur, links)))
        }
        Job::Module(c, m) => {
            let cur = &site.curricula[c];
            let module = &cur.modules[m];
            let crumbs =
                vec![crumb(&cur.short_title, Some(links.curriculum(cur))), crumb(&module_label(site, module), None)];
            let body = bodies.modules.get(m).cloned().unwrap_or_else(tera::Value::none);
            (module.title.clone(), crumbs, body)
        }
        Job::Page(c, p) => {
            let cur = &site.curricula[c];
            let page = &cur.pages[p];
            let crumbs = vec![crumb(&cur.short_title, Some(links.curriculum(cur))), crumb(&page.title, None)];
            (page.title.clone(), crumbs, tv(&page_view(data, cur, p, links, warnings)))
        }
        Job::Compare(k) | Job::ComparePrint(k) => {
            let r = &data.outlines[k];
            let print = matches!(job, Job::ComparePrint(_));
            let crumbs = if print {
                vec![
                    crumb(&r.title, Some(links.to(&format!("compare/{}/", r.id)))),
                    crumb(&t_str(site, "print_view"), None),
                ]
            } else {
                vec![crumb(&r.title, None)]
            };
            let core = bodies.overviews.get(usize::from(print));
            let body = bodies.comparison.zip(core).map_or_else(tera::Value::none, |(result, core)| {
                super::compare_views::overview(data, result, links, core, print.then_some(bodies.pairs))
            });
            (r.title.clone(), crumbs, body)
        }
        Job::Competencies(_)
        | Job::CompetencyLetter(..)
        | Job::Methods
        | Job::MethodsLetter(_)
        | Job::MethodsMatrix(_)
        | Job::Fields
        | Job::Phases
        | Job::Glossary
        | Job::Search => index_page_parts(data, job, links, insert),
        Job::CurriculumPrint(c) => {
            let cur = &site.curricula[c];
            let print = t_str(site, "print_view");
            let crumbs = vec![crumb(&cur.short_title, Some(links.curriculum(cur))), crumb(&print, None)];
            (format!("{} – {print}", cur.title), crumbs, curriculum_print(data, c, links, bodies.modules, warnings))
        }
        Job::SitePage(p) => {
            let page = &site.site_pages[p];
            (page.title.clone(), vec![crumb(&page.title, None)], tv(&markdown_page(data, page, links, warnings)))
        }
        Job::Source(c, m) => {
            let cur = &site.curricula[c];
            let module = &cur.modules[m];
            let title = format!("{}: {}", t_str(site, "source_view"), module.file);
            let crumbs = vec![
                crumb(&cur.short_title, Some(links.curriculum(cur))),
                crumb(&module_label(site, module), Some(links.module(cur, module))),
                crumb(&t_str(site, "source_view"), None),
            ];
            (title, crumbs, tv(&source_view(data, cur, module, links, warnings)))
        }
        Job::Pair(k, p) => {
            let r = &data.outlines[k];
            let body = bodies.pairs.get(p).cloned().unwrap_or_else(tera::Value::none);
            let title = body.get_from_path("title").and_then(|t| t.as_str()).unwrap_or_default().to_string();
            let crumbs = vec![crumb(&r.title, Some(links.to(&format!("compare/{}/", r.id)))), crumb(&title, None)];
            (title, crumbs, body)
        }
    }
}

/// Title, breadcrumbs and body of a site-wide index page (and of the search
/// page); an A–Z list may go to `insert`.
fn index_page_parts<'a>(
    data: &'a Data,
    job: &Job,
    links: &Links,
    insert: &mut Option<super::index_views::AzList<'a>>,
) -> (String, Vec<Value>, tera::Value) {
    let site = data.site;
    match *job {
        Job::Competencies(f) => {
            let title = t_str(site, "competency_index");
            let body = super::index_views::competencies(data, (f, None), links, insert);
            (title.clone(), vec![crumb(&title, None)], body)
        }
        Job::CompetencyLetter(f, l) => {
            let body = super::index_views::competencies(data, (f, Some(l)), links, insert);
            let of = match f {
                super::index_views::Filter::Dimension(d) => Some(t_str(site, crate::model::Dimension::ALL[d].key())),
                _ => None,
            };
            letter_page(
                data,
                ("competency_index", of),
                (l, links.to(&format!("kompetenzen/{}", f.segment(site)))),
                body,
            )
        }
        Job::Methods => simple(site, "methods_index", super::index_views::methods(data, None, links, insert)),
        Job::MethodsLetter(l) => {
            let body = tv(&super::index_views::methods(data, Some(l), links, insert));
            letter_page(data, ("methods_index", None), (l, links.to("methoden/")), body)
        }
        Job::MethodsMatrix(c) => {
            let cur = &site.curricula[c];
            let title = format!("{}: {}", t_str(site, "matrix_methods"), cur.short_title);
            let crumbs =
                vec![crumb(&t_str(site, "methods_index"), Some(links.to("methoden/"))), crumb(&cur.short_title, None)];
            (title, crumbs, tv(&super::index_views::methods_matrix(data, cur, links)))
        }
        Job::Fields => simple(site, "fields", super::index_views::fields(data, links)),
        Job::Phases => simple(site, "phases", super::index_views::phases(data, links)),
        Job::Glossary => simple(site, "glossary", super::index_views::glossary(data)),
        // The search page, the only other job handed here: a script per
        // curriculum and one for the glossary (see crate::search).
        _ => simple(site, "search", json!({"scripts": crate::search::script_paths(site)})),
    }
}

/// Title, breadcrumbs and body of the page of one initial letter (`slot`) of
/// a split A–Z list: the list's title (the UI string `key`, and the
/// dimension it is of), then the letter; the crumb to the list's overview at `up`.
fn letter_page(
    data: &Data,
    (key, of): (&str, Option<String>),
    (slot, up): (usize, String),
    body: tera::Value,
) -> (String, Vec<Value>, tera::Value) {
    let list = t_str(data.site, key);
    let letter = super::index_views::slot_letter(slot).to_string();
    let title = match &of {
        Some(of) => format!("{list}: {of} – {letter}"),
        None => format!("{list} – {letter}"),
    };
    let label = of.map_or_else(|| list.clone(), |of| format!("{list}: {of}"));
    (title, vec![crumb(&label, Some(up)), crumb(&letter, None)], body)
}

/// Title, breadcrumbs and body of a site-wide page titled by a UI string.
fn simple(site: &Site, key: &str, body: Value) -> (String, Vec<Value>, tera::Value) {
    let title = t_str(site, key);
    (title.clone(), vec![crumb(&title, None)], tv(&body))
}

fn crumb(label: &str, url: Option<String>) -> Value {
    json!({"label": label, "url": url})
}

pub(super) fn module_label(site: &Site, m: &Module) -> String {
    format!("{} {}", i18n::strings(site.config.language)["module"], m.number.value)
}

/// `8 UE` / `2 Tag`, and the same in hours.
pub(super) fn amount(l: &Ledger, minutes: f64) -> Value {
    json!({"value": fmt_num(l.in_unit(minutes)), "unit": l.unit, "hours": fmt_num(minutes / 60.0)})
}

fn range(l: &Ledger, min: f64, max: f64) -> Value {
    json!({"min": amount(l, min), "max": amount(l, max), "fixed": (min - max).abs() < 1e-9})
}

fn format_label(c: &Curriculum, key: &str, or: &str) -> String {
    key.split('/')
        .map(|k| c.formats.get(k).map_or(k.to_string(), |f| format!("{} ({k})", f.label)))
        .collect::<Vec<_>>()
        .join(&format!(" {or} "))
}

fn home(data: &Data, links: &Links) -> Value {
    let site = data.site;
    let t = i18n::strings(site.config.language);
    let cards: Vec<Value> = site
        .curricula
        .iter()
        .map(|c| {
            let l = ledger::ledger(c);
            let dims: Vec<Value> =
                Dimension::ALL.iter().map(|d| json!({"label": t[d.key()], "count": c.item_count(*d)})).collect();
            json!({
                "id": c.id, "title": c.title, "short_title": c.short_title, "url": links.curriculum(c),
                "issuer": c.issuer, "edition": c.edition, "dqr_level": c.dqr_level,
                "modules": c.modules.len(), "dims": dims,
                "items_total": Dimension::ALL.iter().map(|d| c.item_count(*d)).sum::<usize>(),
                "total": amount(&l, l.total.total),
                "methods": c.modules.iter().map(|m| m.methods.len()).sum::<usize>(),
            })
        })
        .collect();
    // Beyond the header's limit, the comparisons are listed here instead.
    let comparisons: Vec<Value> = if site.curricula.len() + data.outlines.len() > NAV_LIMIT {
        data.outlines
            .iter()
            .map(|r| json!({"title": r.title, "url": links.to(&format!("compare/{}/", r.id))}))
            .collect()
    } else {
        Vec::new()
    };
    json!({"curricula": cards, "comparisons": comparisons})
}

fn figures_by(l: &Ledger, map: &indexmap::IndexMap<String, f64>, label: impl Fn(&str) -> String) -> Vec<Value> {
    map.iter().map(|(k, v)| json!({"key": k, "label": label(k), "amount": amount(l, *v)})).collect()
}

pub(super) fn ledger_view(site: &Site, c: &Curriculum, l: &Ledger) -> Value {
    let t = i18n::strings(site.config.language);
    let total: &Figures = &l.total;
    let mut by_format: Vec<(&String, &f64)> = total.by_format.iter().collect();
    let order = |k: &str| c.formats.get_index_of(k).unwrap_or(usize::MAX);
    by_format.sort_by_key(|(k, _)| (k.contains('/'), order(k)));
    let by_format: indexmap::IndexMap<String, f64> = by_format.into_iter().map(|(k, v)| (k.clone(), *v)).collect();
    json!({
        "unit": l.unit,
        "units": c.units.iter().map(|(u, m)| json!({"unit": u, "minutes": fmt_num(*m), "hours": fmt_num(m / 60.0)})).collect::<Vec<_>>(),
        "total": amount(l, total.total),
        "by_format": figures_by(l, &by_format, |k| format_label(c, k, t["either"])),
        "by_kind": figures_by(l, &total.by_kind, |k| c.kinds.get(k).cloned().unwrap_or_else(|| k.to_string())),
        "presence": range(l, total.presence.min, total.presence.max),
        "online": range(l, total.online.min, total.online.max),
    })
}

fn curriculum(site: &Site, c: &Curriculum, links: &Links) -> Value {
    let l = ledger::ledger(c);
    let t = i18n::strings(site.config.language);
    let columns: Vec<String> = ledger_view_columns(c, &l);
    let rows: Vec<Value> = c
        .modules
        .iter()
        .zip(&l.modules)
        .map(|(m, (_, f))| {
            let cells: Vec<Value> =
                columns.iter().map(|k| f.by_format.get(k).map_or(Value::Null, |v| amount(&l, *v))).collect();
            json!({
                "number": m.number.value, "title": m.title, "url": links.module(c, m),
                "fields": m.fields.iter().map(|f| field_label(c, &f.value)).collect::<Vec<_>>(),
                "kind": m.kind.as_ref().map(|k| c.kinds.get(&k.value).cloned().unwrap_or_else(|| k.value.clone())),
                "cells": cells, "total": amount(&l, f.total),
            })
        })
        .collect();
    let fields = fields_view(c, links, "", true);
    json!({
        "id": c.id, "title": c.title, "short_title": c.short_title, "issuer": c.issuer, "edition": c.edition,
        "dqr_level": c.dqr_level, "source": c.source, "source_is_url": c.source.as_deref().is_some_and(|s| s.starts_with("https://") || s.starts_with("http://")),
        "description": c.description.as_deref().map(|d| markdown::render(d, &md_opts(site, "desc-")).html),
        "columns": columns.iter().map(|k| json!({"key": k, "short": k.replace('/', &format!(" {} ", t["either"])), "label": format_label(c, k, t["either"])})).collect::<Vec<_>>(),
        "modules": rows,
        "ledger": ledger_view(site, c, &l),
        "chapters": c.pages.iter().map(|p| json!({"title": p.title, "url": links.to(&format!("{}/{}/", c.id, p.id))})).collect::<Vec<_>>(),
        "fields": fields,
        "downloads": {
            "json": format!("{}data/{}.json", links.root, c.id),
            "csv": format!("{}data/{}.csv", links.root, c.id),
            "case": format!("{}data/case/{}.json", links.root, c.id),
        },
        "has_kinds": c.modules.iter().any(|m| m.kind.is_some()),
        "has_fields": c.modules.iter().any(|m| !m.fields.is_empty()),
    })
}

/// The fields of action of a curriculum with their modules (with their
/// titles if `titles`); `id_prefix` keeps ids unique on pages that list
/// several curricula.
pub(super) fn fields_view(c: &Curriculum, links: &Links, id_prefix: &str, titles: bool) -> Vec<Value> {
    c.fields
        .iter()
        .map(|f| {
            let mods: Vec<Value> = c
                .modules
                .iter()
                .filter(|m| m.fields.iter().any(|x| x.value == f.id))
                .map(|m| {
                    let title = titles.then_some(m.title.as_str());
                    json!({"number": m.number.value, "label": format!("M{}", m.number.value), "title": title, "url": links.module(c, m)})
                })
                .collect();
            json!({"id": format!("{id_prefix}{}", f.id), "label": f.label, "title": f.title, "level": f.level, "modules": mods})
        })
        .collect()
}

/// Format columns of the module table: declared formats first, flexible combinations after.
fn ledger_view_columns(c: &Curriculum, l: &Ledger) -> Vec<String> {
    let mut keys: Vec<String> = l.total.by_format.keys().cloned().collect();
    let order = |k: &str| c.formats.get_index_of(k).unwrap_or(usize::MAX);
    keys.sort_by(|a, b| (a.contains('/'), order(a), a).cmp(&(b.contains('/'), order(b), b)));
    keys
}

fn field_label(c: &Curriculum, id: &str) -> Value {
    match c.fields.iter().find(|f| f.id == id) {
        Some(f) => json!({"label": f.label, "title": f.title}),
        None => json!({"label": id, "title": id}),
    }
}

fn md_opts(site: &Site, prefix: &str) -> RenderOptions {
    RenderOptions {
        id_prefix: prefix.into(),
        allow_raw_html: site.config.allow_raw_html,
        top_level: 1,
        glossary: None,
        glossary_root: String::new(),
    }
}

/// Glossary terms and aliases with their link from the site root, compiled once per render.
pub(super) fn glossary_terms(site: &Site) -> markdown::Terms {
    markdown::Terms::new(
        site.glossary
            .terms
            .iter()
            .flat_map(|t| {
                let href = format!("glossar/index.html#{}", crate::search::term_anchor(&t.term));
                std::iter::once(t.term.clone()).chain(t.aliases.iter().cloned()).map(move |x| (x, href.clone()))
            })
            .collect(),
    )
}

/// Renders Markdown (glossary terms linked) and turns escaped raw HTML into
/// warnings for `file`.
fn md(
    data: &Data,
    root: &str,
    text: &str,
    prefix: &str,
    file: &str,
    line: u32,
    warnings: &mut Diagnostics,
) -> std::sync::Arc<markdown::Rendered> {
    let render = || {
        let opts = RenderOptions {
            glossary: Some(data.terms.clone()),
            glossary_root: root.to_string(),
            ..md_opts(data.site, prefix)
        };
        std::sync::Arc::new(markdown::render(text, &opts))
    };
    let r = if data.markdown.keeping() {
        let key = md_key(data.markdown_salt, root, prefix, text);
        let r = data.markdown.get(&key).cloned().unwrap_or_else(render);
        data.markdown.note(key, r.clone());
        r
    } else {
        render()
    };
    for h in &r.raw_html {
        warnings.push(raw_html_warning(file, line, h));
    }
    r
}

fn raw_html_warning(file: &str, line: u32, html: &str) -> Diagnostic {
    Diagnostic::warning(file, Some(crate::diag::Pos::new(line, 1)), format!("raw HTML `{html}` is shown as text"))
        .with_hint("write Markdown instead, or set `allow_raw_html: true` in site.yaml if you trust every author")
}

/// The known sections a module page shows as text, with their ids' prefix
/// (shared by `module_view` and [`markdown_texts`], which must agree).
const SHOWN_SECTIONS: [(KnownSection, &str); 2] =
    [(KnownSection::Kompetenzbeschreibung, "kb-"), (KnownSection::BeruflicheHandlung, "bh-")];
const PREAMBLE_PREFIX: &str = "pre-";

/// The ids' prefix of the `i`th section of a module, one of no known kind.
fn other_section_prefix(i: usize) -> String {
    format!("s{i}-")
}

/// A Markdown text that [`md`] renders on the pages, where it comes from, and
/// its id prefix on the page whose links the link check judges (see
/// `module_view` and `markdown_page`; the print views, which repeat those
/// pages, are not judged).
pub struct MdText<'a> {
    pub text: &'a str,
    pub file: &'a str,
    pub line: u32,
    pub prefix: String,
}

/// Every text [`md`] renders when the pages are made, each once (for `check`,
/// which may not make the pages).
pub fn markdown_texts(site: &Site) -> Vec<MdText<'_>> {
    let mut texts: Vec<MdText<'_>> = Vec::new();
    let mut add = |text, file, line, prefix| texts.push(MdText { text, file, line, prefix });
    for c in &site.curricula {
        for m in &c.modules {
            // As `module_view`: the first of each known section shown as text, every other section.
            for (k, prefix) in SHOWN_SECTIONS {
                if let Some(s) = m.section(k) {
                    add(&s.markdown, &m.file, s.line, prefix.to_string());
                }
            }
            for (i, s) in m.sections.iter().enumerate().filter(|(_, s)| s.known.is_none()) {
                add(&s.markdown, &m.file, s.line, other_section_prefix(i));
            }
            if !m.preamble.is_empty() {
                add(&m.preamble, &m.file, 1, PREAMBLE_PREFIX.to_string());
            }
        }
        for p in &c.pages {
            add(&p.markdown, &p.file, p.body_line, String::new());
        }
    }
    for p in &site.site_pages {
        add(&p.markdown, &p.file, p.body_line, String::new());
    }
    texts
}

/// The HTML [`md`] makes of `text` on its judged page, without glossary links
/// (which only ever link to the glossary), and the warnings it gives.
pub fn render_markdown_text(site: &Site, text: &MdText<'_>) -> (String, Vec<Diagnostic>) {
    let r = markdown::render(text.text, &md_opts(site, &text.prefix));
    let warnings = r.raw_html.iter().map(|h| raw_html_warning(text.file, text.line, h)).collect();
    (r.html, warnings)
}

/// The key of Markdown `text` rendered with links from `root` and ids
/// prefixed with `prefix`, given the [`Data::markdown_salt`].
pub(super) fn md_key(salt: u64, root: &str, prefix: &str, text: &str) -> u64 {
    crate::text::fingerprint_parts([&salt.to_le_bytes()[..], root.as_bytes(), prefix.as_bytes(), text.as_bytes()])
}

/// `cite`, then the position label and the 1-based number of item `i`.
fn cite_of(cite: &str, pos: &str, i: usize) -> String {
    [cite, ", ", pos, " ", itoa::Buffer::new().format(i + 1)].concat()
}

/// Items with their HTML and citation line (`cite` is the citation without the position).
fn items_view(site: &Site, items: &[Item], cite: &str) -> Vec<Value> {
    let pos = t_str(site, "position");
    items
        .iter()
        .enumerate()
        .map(|(i, it)| {
            json!({
                "anchor": it.anchor,
                "cite": cite_of(cite, &pos, i),
                "html": markdown::render_inline(&it.text, site.config.allow_raw_html),
                "note": it.note.as_deref().map(|n| markdown::render_inline(n, site.config.allow_raw_html)),
            })
        })
        .collect()
}

fn module_view(data: &Data, ci: usize, mi: usize, links: &Links, warnings: &mut Diagnostics) -> Value {
    let site = data.site;
    let t = i18n::strings(site.config.language);
    let c = &site.curricula[ci];
    let m = &c.modules[mi];
    let l = data.ledger(ci);
    let section = |known: KnownSection, prefix: &str, warnings: &mut Diagnostics| {
        m.section(known).map(|s| md(data, &links.root, &s.markdown, prefix, &m.file, s.line, warnings).html.clone())
    };
    let [(kb_section, kb_prefix), (bh_section, bh_prefix)] = SHOWN_SECTIONS;
    let kb = section(kb_section, kb_prefix, warnings);
    let bh = section(bh_section, bh_prefix, warnings);
    let others: Vec<Value> = m
        .sections
        .iter()
        .enumerate()
        .filter(|(_, s)| s.known.is_none())
        .map(|(i, s)| {
            let id = format!("abschnitt-{}", crate::text::slugify(&s.title, 40));
            obj!({"title": s.title.as_str(), "id": id, "html": md(data, &links.root, &s.markdown, &other_section_prefix(i), &m.file, s.line, warnings).html.as_str()})
        })
        .collect();
    let cite_base = [Some(c.short_title.clone()), c.edition.clone(), Some(module_label(site, m))]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(", ");
    let dims: Vec<Value> = Dimension::ALL
        .iter()
        .map(|d| {
            let cite = format!("{cite_base}, {}", t[d.key()]);
            obj!({"key": d.key(), "label": t[d.key()], "items": items_view(site, m.competencies.get(*d), &cite)})
        })
        .collect();
    let workload: Vec<Value> = m
        .workload
        .iter()
        .map(|w| {
            let key = ledger::format_key(w);
            let min = ledger::minutes(c, w).unwrap_or(0.0);
            json!({"format": format_label(c, &key, t["either"]), "amount": fmt_num(w.amount), "unit": w.unit.value, "hours": fmt_num(min / 60.0), "topic": w.topic})
        })
        .collect();
    let neighbour =
        |m: Option<&Module>| m.map(|m| json!({"number": m.number.value, "title": m.title, "url": links.module(c, m)}));
    let phases: Vec<Value> = m
        .phases
        .iter()
        .map(|p| {
            let title =
                site.glossary.phases.iter().find(|x| x.id == p.value).map_or(p.value.clone(), |x| x.title.clone());
            json!({"id": p.value, "title": title, "url": format!("{}#phase-{}", links.to("phasen/"), p.value)})
        })
        .collect();
    obj!({
        "curriculum": obj!({"id": c.id.as_str(), "title": c.title.as_str(), "short_title": c.short_title.as_str(), "url": links.curriculum(c)}),
        "number": m.number.value, "title": m.title.as_str(), "topics": m.topics.as_deref(),
        "kind": m.kind.as_ref().map(|k| c.kinds.get(&k.value).cloned().unwrap_or_else(|| k.value.clone())),
        "fields": m.fields.iter().map(|f| {
            let mut v = field_label(c, &f.value);
            v["url"] = json!(format!("{}#{}", links.curriculum(c), f.value));
            v
        }).collect::<Vec<_>>(),
        "phases": phases,
        "referenced_by": referrers(c, m, links),
        "source_url": links.to(&format!("{}/{}/quelltext/", c.id, m.id)),
        "edit_url": edit_url(site, &m.file),
        "preamble": (!m.preamble.is_empty()).then(|| md(data, &links.root, &m.preamble, PREAMBLE_PREFIX, &m.file, 1, warnings).html.clone()),
        "kompetenzbeschreibung": kb, "berufliche_handlung": bh, "other_sections": others,
        "dims": dims, "methods": items_view(site, &m.methods, &format!("{cite_base}, {}", t["methods"])),
        "work_package": m.work_package.as_ref().map(|w| json!({
            "group": w.group, "intro": w.intro.as_deref().map(|x| markdown::render_inline(x, site.config.allow_raw_html)),
            "title": markdown::render_inline(&w.title, site.config.allow_raw_html),
            "tasks": w.tasks.iter().map(|x| markdown::render_inline(x, site.config.allow_raw_html)).collect::<Vec<_>>(),
        })),
        "workload": workload,
        "workload_total": amount(l, l.modules[mi].1.total),
        "comparisons": super::compare_views::pairs_of_module(data, c, &m.id, links),
        "prev": neighbour(mi.checked_sub(1).and_then(|i| c.modules.get(i))),
        "next": neighbour(c.modules.get(mi + 1)),
    })
}

/// The whole curriculum for printing: overview, every module, every chapter.
/// Ids are prefixed per module and chapter so they stay unique on the page.
fn curriculum_print(
    data: &Data,
    ci: usize,
    links: &Links,
    bodies: &[tera::Value],
    warnings: &mut Diagnostics,
) -> tera::Value {
    let site = data.site;
    let c = &site.curricula[ci];
    let modules: Vec<tera::Value> = c
        .modules
        .iter()
        .zip(bodies)
        .map(|(m, body)| with_key(body, "idp", tera::Value::from(format!("{}-", m.id))))
        .collect();
    let chapters: Vec<Value> = c
        .pages
        .iter()
        .map(|p| {
            let r = md(data, &links.root, &p.markdown, &format!("{}-", p.id), &p.file, p.body_line, warnings);
            json!({"id": p.id, "title": p.title, "html": r.html.as_str()})
        })
        .collect();
    let body = tv(&json!({"curriculum": curriculum(site, c, links), "chapters": chapters}));
    with_key(&body, "modules", tera::Value::from(modules))
}

/// The module bodies of curriculum `ci`, made in parallel with links from a
/// page at `<curriculum>/<module>/`, and the warnings found on the way.
pub fn module_bodies(data: &Data, ci: usize, shown: &Shown) -> (Vec<tera::Value>, Diagnostics) {
    use rayon::prelude::*;
    let c = &data.site.curricula[ci];
    let base = data.bodies.keeping().then(|| curriculum_key(data, ci));
    let made: Vec<(tera::Value, Diagnostics)> = (0..c.modules.len())
        .into_par_iter()
        .map(|mi| {
            if !shown.includes(mi) {
                return (tera::Value::none(), Diagnostics::new());
            }
            let m = &c.modules[mi];
            let links = Links::new(&format!("{}/{}/", c.id, m.id));
            let Some(base) = base else {
                let mut w = Diagnostics::new();
                return (tv(&module_view(data, ci, mi, &links, &mut w)), w);
            };
            let slot = format!("{}/{}", c.id, m.id);
            let key = body_key(data, ci, mi, base, &links);
            let body = match data.bodies.get(&slot).filter(|k| k.key == key && k.module == *m) {
                Some(kept) => kept.clone(),
                None => {
                    let mut warnings = Diagnostics::new();
                    let body = tv(&module_view(data, ci, mi, &links, &mut warnings));
                    std::sync::Arc::new(KeptBody { key, module: m.clone(), body, warnings })
                }
            };
            data.bodies.note(slot, body.clone());
            (body.body.clone(), body.warnings.clone())
        })
        .collect();
    let mut warnings = Diagnostics::new();
    let bodies = made
        .into_iter()
        .map(|(v, w)| {
            warnings.extend(w);
            v
        })
        .collect();
    (bodies, warnings)
}

/// A module body with what it was made from besides its module (the key of
/// [`body_key`]), the module, and the warnings found making it.
#[derive(Debug)]
pub struct KeptBody {
    key: u64,
    module: Module,
    body: tera::Value,
    warnings: Diagnostics,
}

/// Module bodies by `<curriculum>/<module>`.
pub type KeptBodies = std::collections::HashMap<String, std::sync::Arc<KeptBody>>;

/// What every module body of curriculum `ci` reads besides its module: the
/// settings, the glossary's phases and terms, the curriculum's own fields,
/// its chapters (which may name the module) and its ledger's display unit.
fn curriculum_key(data: &Data, ci: usize) -> u64 {
    let (site, c, l) = (data.site, &data.site.curricula[ci], data.ledger(ci));
    let own = (&c.id, &c.title, &c.short_title, &c.edition, &c.kinds, &c.fields, &c.formats, &c.units);
    let text =
        format!("{:?}", (&site.config, &site.glossary.phases, data.markdown_salt, own, (&l.unit, l.unit_minutes)));
    let chapters = c.pages.iter().flat_map(|p| [p.id.as_bytes(), p.title.as_bytes(), p.markdown.as_bytes()]);
    crate::text::fingerprint_parts(std::iter::once(text.as_bytes()).chain(chapters))
}

/// What module `mi`'s body reads besides the module and [`curriculum_key`]
/// (`base`): its place, its neighbours' ids, numbers and titles, its ledger
/// figures and the comparison pairs it takes part in.
fn body_key(data: &Data, ci: usize, mi: usize, base: u64, links: &Links) -> u64 {
    let (c, l) = (&data.site.curricula[ci], data.ledger(ci));
    let neighbour = |i: Option<usize>| i.and_then(|i| c.modules.get(i)).map(|m| (&m.id, m.number.value, &m.title));
    let pairs = Value::from(super::compare_views::pairs_of_module(data, c, &c.modules[mi].id, links));
    let around = (neighbour(mi.checked_sub(1)), neighbour(Some(mi + 1)), l.modules.get(mi));
    crate::text::fingerprint(format!("{base} {mi} {around:?} {pairs}").as_bytes())
}

/// Which of a curriculum's modules a group of jobs shows.
pub enum Shown {
    All,
    Some(std::collections::BTreeSet<usize>),
}

impl Shown {
    fn includes(&self, mi: usize) -> bool {
        match self {
            Shown::All => true,
            Shown::Some(set) => set.contains(&mi),
        }
    }
}

/// The modules shown by a curriculum's `jobs`: the print view shows all.
pub fn modules_shown(jobs: &[Job]) -> Shown {
    if jobs.iter().any(|j| matches!(j, Job::CurriculumPrint(_))) {
        return Shown::All;
    }
    Shown::Some(jobs.iter().filter_map(|j| if let Job::Module(_, m) = j { Some(*m) } else { None }).collect())
}

fn edit_url(site: &Site, file: &str) -> Option<String> {
    site.config.repository.as_ref().map(|r| format!("{r}{file}"))
}

fn source_view(data: &Data, c: &Curriculum, m: &Module, links: &Links, warnings: &mut Diagnostics) -> Value {
    let (text, changed) = data.sources.text(&m.file);
    warnings.extend(changed);
    let html = crate::highlight::content_file(&text);
    json!({"file": m.file, "html": html, "module_url": links.module(c, m), "edit_url": edit_url(data.site, &m.file), "lines": text.lines().count()})
}

/// Chapters of the curriculum that mention the module ("Modul 3", "M3").
fn referrers(c: &Curriculum, m: &Module, links: &Links) -> Vec<Value> {
    let n = m.number.value;
    let mentions = |text: &str| {
        [format!("Modul {n}"), format!("M{n}")].iter().any(|needle| {
            text.match_indices(needle.as_str()).any(|(i, _)| {
                let before = text[..i].chars().next_back().is_none_or(|ch| !ch.is_alphanumeric());
                let after = text[i + needle.len()..].chars().next().is_none_or(|ch| !ch.is_ascii_digit());
                before && after
            })
        })
    };
    c.pages
        .iter()
        .filter(|p| mentions(&p.markdown))
        .map(|p| json!({"title": p.title, "url": links.to(&format!("{}/{}/", c.id, p.id))}))
        .collect()
}

fn page_view(data: &Data, c: &Curriculum, pi: usize, links: &Links, warnings: &mut Diagnostics) -> Value {
    markdown_page(data, &c.pages[pi], links, warnings)
}

/// A Markdown page with its table of contents.
fn markdown_page(data: &Data, p: &crate::model::Page, links: &Links, warnings: &mut Diagnostics) -> Value {
    let r = md(data, &links.root, &p.markdown, "", &p.file, p.body_line, warnings);
    let toc: Vec<Value> =
        r.headings.iter().filter(|h| h.level == 2).map(|h| json!({"id": h.id, "text": h.text})).collect();
    json!({"title": p.title, "html": r.html.as_str(), "toc": toc})
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    #[test]
    fn obj_makes_what_json_makes() {
        let (rows, none): (Vec<Value>, Option<&str>) = (vec![json!({"a": 1}), json!("x")], None);
        let made = obj!({"title": "T & U", "n": 3, "rows": rows.clone(), "note": none, "in": obj!({"b": true})});
        assert_eq!(made, json!({"title": "T & U", "n": 3, "rows": rows, "note": null, "in": {"b": true}}));
    }

    #[test]
    fn a_page_finds_the_entries_whose_folder_holds_it() {
        use super::Nav;
        let mut entries: Vec<(String, String)> =
            ["kit", "erwu", "c10", "c1"].iter().map(|id| (id.to_uppercase(), format!("{id}/"))).collect();
        entries.extend(["kit-erwu", "c1-c10", "c1"].iter().map(|id| (id.to_string(), format!("compare/{id}/"))));
        let by_folder = entries.iter().enumerate().map(|(i, (_, d))| (d.clone(), i)).collect();
        let nav = Nav { entries: entries.clone(), by_folder };
        let dirs = [
            "",
            "kit/",
            "kit/m1/",
            "kit/m1/quelltext/",
            "c1/print/",
            "c10/",
            "compare/",
            "compare/c1/",
            "compare/c1/m1_m1/",
            "compare/c1-c10/print/",
            "compare/kit-erwu/m2-m3_m2/",
            "kompetenzen/kit/",
            "kitx/",
            "ki/",
            "glossar/",
        ];
        for dir in dirs {
            let tried: Vec<usize> = (0..entries.len()).filter(|&i| dir.starts_with(entries[i].1.as_str())).collect();
            assert_eq!(nav.owners(dir), tried, "{dir}");
        }
    }

    #[test]
    fn curricula_are_found_by_id_with_the_comparisons_they_take_part_in() {
        use crate::compare::Outline;
        use crate::model::{Site, testutil::curriculum};
        let site =
            Site { curricula: ["a", "b", "c"].iter().map(|id| curriculum(id, vec![])).collect(), ..Default::default() };
        let outline = |l: &str, r: &str| Outline {
            id: format!("{l}-{r}"),
            title: String::new(),
            left: l.into(),
            right: r.into(),
            pairs: vec![],
        };
        let outlines = [outline("a", "b"), outline("b", "c"), outline("c", "c"), outline("a", "c")];
        let (by_id, of) = super::curriculum_places(&site, &outlines);
        assert_eq!([by_id.get("a"), by_id.get("c"), by_id.get("x")], [Some(&0), Some(&2), None]);
        // In the comparisons' order; one of a curriculum with itself once.
        let tried = |id: &str| -> Vec<usize> {
            (0..outlines.len()).filter(|&k| outlines[k].left == id || outlines[k].right == id).collect()
        };
        assert_eq!(of, [tried("a"), tried("b"), tried("c")]);
        assert_eq!(of[2], [1, 2, 3]);
    }
}
