//! Rendering (the one owner of tera): turns the model into the files of the site.
//!
//! The built-in theme is compiled into the binary; a site's
//! `themes/<theme>/templates/*.html` and `themes/<theme>/static/**` override it
//! file by file. Templates are compiled once per run, pages are rendered in
//! parallel, and the result is a sorted list of files, so output is
//! byte-identical for the same input.

mod compare_views;
mod fragments;
mod i18n;
mod index_views;
pub mod svg;
mod theme;
mod views;

use crate::diag::{Diagnostic, Diagnostics};
use crate::model::Site;
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

pub use index_views::{IndexChange, shows_module_titles};
pub use theme::{Theme, generator_print};
pub use views::{MdText, markdown_texts, render_markdown_text};

/// The normalised text of every source file, by path relative to the root.
pub type Sources = std::collections::BTreeMap<String, String>;

/// Where the source views get a file's text: the texts as loaded, kept in
/// memory ([`Sources`]; serve renders again after every edit), or the files
/// read again when their view is made ([`crate::load::Reread`]: a build
/// need not hold every source through the whole render).
pub trait SourceText: Sync {
    /// The text of `file` (empty if it is unknown), and a warning if it is
    /// not the text the site was loaded from.
    fn text(&self, file: &str) -> (std::borrow::Cow<'_, str>, Option<Diagnostic>);
}

impl SourceText for Sources {
    fn text(&self, file: &str) -> (std::borrow::Cow<'_, str>, Option<Diagnostic>) {
        (self.get(file).map_or("", String::as_str).into(), None)
    }
}

impl SourceText for crate::load::Reread {
    fn text(&self, file: &str) -> (std::borrow::Cow<'_, str>, Option<Diagnostic>) {
        crate::load::Reread::text(self, file)
    }
}

/// One file of the output, path relative to the output root with `/`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct OutFile {
    pub path: String,
    pub bytes: Vec<u8>,
}

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    escape_into(&mut out, s);
    out
}

/// [`escape`], appended to `out`.
pub(crate) fn escape_into(out: &mut String, s: &str) {
    escaped(s).for_each(|piece| out.push_str(piece));
}

/// The pieces of `s` escaped for HTML (`& < > " '`, as tera escapes them):
/// runs of text and the entities between them, so that a writer takes the
/// text in one piece, not byte by byte.
fn escaped(s: &str) -> impl Iterator<Item = &str> {
    let (mut rest, mut entity) = (s, None);
    std::iter::from_fn(move || {
        if let Some(e) = entity.take() {
            return Some(e);
        }
        if rest.is_empty() {
            return None;
        }
        // A byte scan: the characters are ASCII, and a byte of a multi-byte
        // UTF-8 character is never ASCII. (`str::find` with a set of chars
        // decodes every character: a tenth of the work of the index pages.)
        let Some(i) = rest.bytes().position(|b| matches!(b, b'&' | b'<' | b'>' | b'"' | b'\'')) else {
            return Some(std::mem::take(&mut rest));
        };
        let (run, tail) = rest.split_at(i);
        entity = Some(match tail.as_bytes()[0] {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            _ => "&#39;",
        });
        rest = &tail[1..];
        Some(run)
    })
}

/// Renders every page of the site. On template errors returns diagnostics and
/// no files; content warnings found while rendering (escaped raw HTML) are
/// returned beside the files.
pub fn render_site(
    site: &Site,
    root: &Path,
    sources: &dyn SourceText,
) -> Result<(Vec<OutFile>, Diagnostics), Diagnostics> {
    let theme = Theme::load(root, &site.config.theme)?;
    render_with(site, &theme, sources)
}

/// What a render covers: the whole site, or only what depends on some changed
/// modules (serve's rebuild after an edit).
#[derive(Debug, Clone, Default)]
pub struct Scope {
    /// Curricula (by index) whose modules changed; `None` means everything.
    changed: Option<BTreeSet<usize>>,
    /// The changed modules (curriculum, module index): their source views.
    modules: BTreeSet<(usize, usize)>,
    /// Only the changed modules' own pages (module page and source view):
    /// serve writes these first.
    own_pages: bool,
    /// Data files (exports, search index) as empty files at their paths:
    /// `check` needs to know that links to them resolve, not their contents,
    /// which are a third of a build's work and cannot produce a diagnostic.
    data_paths_only: bool,
    /// Keep what the render computes for a later scoped render ([`Reuse`]):
    /// serve does, a build does not hold the search documents that long.
    reuse: bool,
    /// What of the site-wide index pages and the home page the changed
    /// modules change, if known (otherwise all of them are made again).
    index: Option<IndexChange>,
    /// Only the pages in these curricula's folders (modules, chapters, print
    /// views), nothing else: `check` compares their ids with a previous build's.
    curriculum_pages: Option<BTreeSet<usize>>,
}

impl Scope {
    pub fn all() -> Self {
        Scope::default()
    }

    /// Everything, for `check`: every page, the data files only by path.
    pub fn check() -> Self {
        Scope { data_paths_only: true, ..Scope::default() }
    }

    /// What depends on these modules, whose number and file are unchanged (a
    /// renumbered, added or removed module changes links everywhere).
    pub fn modules(changed: &[(usize, usize)]) -> Self {
        Scope {
            changed: Some(changed.iter().map(|(c, _)| *c).collect()),
            modules: changed.iter().copied().collect(),
            own_pages: false,
            data_paths_only: false,
            reuse: true,
            index: None,
            curriculum_pages: None,
        }
    }

    /// [`Self::modules`] where what the changed modules change of the index
    /// pages is known ([`crate::build::Undo::index_change`]): the index pages
    /// that show nothing of it are left as they are, and the A–Z lists kept
    /// from the last render are written again only where they changed.
    pub fn modules_changing(changed: &[(usize, usize)], index: IndexChange) -> Self {
        Scope { index: Some(index), ..Scope::modules(changed) }
    }

    /// Whether the index pages show what the changed modules change.
    fn indices_unchanged(&self) -> bool {
        self.index.as_ref().is_some_and(IndexChange::is_empty)
    }

    /// The pages in the folders of the curricula `of` (by index) whose ids a
    /// previous build's pages are compared with ([`crate::links::OldPages`]),
    /// and nothing else.
    pub fn curriculum_pages(of: BTreeSet<usize>) -> Self {
        // No curriculum counts as changed: nothing beyond those pages is made.
        Scope { changed: Some(BTreeSet::new()), curriculum_pages: Some(of), ..Scope::default() }
    }

    /// Whether only pages are made, no data files, and none that reads the
    /// sort keys of all items (the index pages).
    fn pages_only(&self) -> bool {
        self.own_pages || self.curriculum_pages.is_some()
    }

    /// Everything, keeping what later scoped renders reuse (serve's full rebuilds).
    pub fn all_for_reuse() -> Self {
        Scope { reuse: true, ..Scope::default() }
    }

    /// Only the own pages of these modules. Those do not show computed
    /// comparison results (only the declared pairs of the outlines).
    pub fn module_pages(changed: &[(usize, usize)]) -> Self {
        Scope { own_pages: true, ..Scope::modules(changed) }
    }

    pub fn is_all(&self) -> bool {
        self.changed.is_none()
    }

    fn curriculum(&self, ci: usize) -> bool {
        self.changed.as_ref().is_none_or(|c| c.contains(&ci))
    }

    /// A comparison depends on the modules of both its curricula.
    fn comparison(&self, site: &Site, left: &str, right: &str) -> bool {
        !self.own_pages
            && self.changed.as_ref().is_none_or(|changed| {
                changed.iter().any(|&ci| site.curricula.get(ci).is_some_and(|c| c.id == left || c.id == right))
            })
    }

    /// The edited modules (by index) of curriculum `c`.
    fn edited_modules(&self, c: usize) -> Vec<usize> {
        self.modules.iter().filter(|(ci, _)| *ci == c).map(|(_, m)| *m).collect()
    }

    /// Whether a page can differ after the change. Module pages of a changed
    /// curriculum all depend on it (neighbour titles, the course's total in
    /// JSON-LD); chapters, site pages and other curricula's pages do not show
    /// module content; the indices and the home page summarise everything
    /// (but for the competency pages of other curricula).
    fn job(&self, data: &views::Data, job: &views::Job) -> bool {
        use views::Job;
        if self.own_pages {
            return matches!(*job, Job::Module(c, m) | Job::Source(c, m) if self.modules.contains(&(c, m)));
        }
        if let Some(of) = &self.curriculum_pages {
            return matches!(*job, Job::Module(c, _) | Job::CurriculumPrint(c) | Job::Page(c, _) if of.contains(&c));
        }
        let shown = |what: fn(&IndexChange) -> bool| self.index.as_ref().is_none_or(what);
        match *job {
            // A curriculum's competency page shows only its own items.
            Job::Competencies(index_views::Filter::Curriculum(c)) => {
                self.curriculum(c) && shown(IndexChange::competencies)
            }
            Job::Competencies(index_views::Filter::Dimension(d)) => self.index.as_ref().is_none_or(|i| i.dimension(d)),
            Job::Competencies(index_views::Filter::All) => shown(IndexChange::competencies),
            Job::Methods => shown(IndexChange::methods),
            Job::CompetencyLetter(f, l) => {
                let lists = match f {
                    index_views::Filter::Dimension(d) => d..d + 1,
                    _ => 0..4,
                };
                self.index.as_ref().is_none_or(|i| i.letter(lists, l))
            }
            Job::MethodsLetter(l) => self.index.as_ref().is_none_or(|i| i.letter(4..5, l)),
            // As the methods page's matrix of the curriculum did.
            Job::MethodsMatrix(c) => self.curriculum(c) && shown(IndexChange::methods),
            Job::Fields | Job::Phases => shown(|i| i.outline),
            Job::Home => !self.indices_unchanged(),
            Job::Curriculum(c) | Job::CurriculumPrint(c) | Job::Module(c, _) => self.curriculum(c),
            Job::Source(c, m) => self.is_all() || self.modules.contains(&(c, m)),
            Job::Compare(k) | Job::ComparePrint(k) | Job::Pair(k, _) => {
                let r = &data.outlines[k];
                self.comparison(data.site, &r.left, &r.right)
            }
            Job::Page(..) | Job::SitePage(_) | Job::NotFound | Job::Search | Job::Glossary => self.is_all(),
        }
    }
}

/// The files a render made, its warnings, and what it computed (for the next
/// scoped render to reuse).
pub struct Output {
    pub files: Vec<OutFile>,
    pub warnings: Diagnostics,
    pub reuse: Reuse,
}

/// What a render computed that a later scoped render takes over where its
/// scope says nothing changed: the search documents and sort keys, and the
/// comparisons a scoped render computed and their exports (whose pages an
/// edit of one of their curricula renders again; a title edit changes nothing
/// they compare or export).
#[derive(Debug, Default, Clone)]
pub struct Reuse {
    pub search: crate::search::Parts,
    /// The competency index's sort keys, by curriculum id.
    competency_keys: std::collections::HashMap<String, std::sync::Arc<index_views::CurriculumKeys>>,
    /// By comparison id: the [`crate::compare::fingerprint`] of its inputs and
    /// the result. Only those of the last scoped render: a whole site's
    /// comparisons would hold far more memory than its content.
    comparisons: std::collections::HashMap<String, KeptComparison>,
    /// The Markdown a scoped render rendered (only that: a whole site's would
    /// hold about as much memory as its content).
    markdown: MarkdownCache,
    /// The comparison features of the texts a scoped render compared (only
    /// those, for the same reason).
    features: crate::compare::FeatureCache,
    /// The module, pair and comparison pages a scoped render made, with the
    /// values they were made from (see [`KeptPage`]).
    pages: KeptPages,
    /// The sections of the print views a scoped render made, with the values
    /// they were rendered from.
    fragments: fragments::KeptFragments,
    /// The module shares of the exports of the curricula a scoped render exported.
    exports: crate::export::KeptExports,
    /// The module bodies of the curricula a scoped render made them for.
    bodies: views::KeptBodies,
    /// The entries of the competency pages' A–Z lists as last written.
    az: index_views::KeptAzs,
    /// The items of the A–Z lists by initial letter, as last rendered,
    /// where they are split into a page per letter.
    az_letters: Option<index_views::LetterCounts>,
}

impl Reuse {
    /// Whether an edit of modules (`change`) adds or removes pages of the
    /// split A–Z lists (`serve` then builds the whole site: the sitemap and
    /// every page's links to the letters change).
    pub fn other_letter_pages(&self, change: &IndexChange) -> bool {
        self.az_letters.is_some_and(|now| now.after(change).layout() != now.layout())
    }
}

/// Pages by output path.
pub type KeptPages = std::collections::HashMap<String, std::sync::Arc<KeptPage>>;

/// A page with the values its template was given. A page whose values are
/// [`identical`] to these has these bytes: an edit of a module's title leaves
/// most module and pair pages of its curriculum as they were, and their
/// templates were a tenth of the bundled site's rebuild.
#[derive(Debug)]
pub struct KeptPage {
    template: &'static str,
    frame: serde_json::Value,
    body: tera::Value,
    bytes: Vec<u8>,
}

/// Whether two template values render alike: of the same kinds, with the same
/// strings (marked safe alike), numbers and map entries in the same order.
/// (tera's `==` takes `1` for `1.0`, a safe string for an unsafe one and maps
/// in any order for each other.)
fn identical(a: &tera::Value, b: &tera::Value) -> bool {
    use tera::value::ValueKind as K;
    match (a.kind(), b.kind()) {
        (ka, kb) if ka != kb => false,
        (K::String, _) => a.as_str() == b.as_str() && a.is_safe() == b.is_safe(),
        (K::F64, _) => a.as_f64().map(f64::to_bits) == b.as_f64().map(f64::to_bits),
        // Shared (kept) arrays and maps are identical without a look inside.
        (K::Array, _) => {
            let (x, y) = (a.as_array().unwrap_or_default(), b.as_array().unwrap_or_default());
            std::ptr::eq(x, y) || x.len() == y.len() && x.iter().zip(y).all(|(x, y)| identical(x, y))
        }
        (K::Map, _) => match (a.as_map(), b.as_map()) {
            (Some(x), Some(y)) => {
                std::ptr::eq(x, y)
                    || x.len() == y.len()
                        && x.iter().zip(y.iter()).all(|((kx, x), (ky, y))| kx == ky && identical(x, y))
            }
            _ => false,
        },
        _ => a == b,
    }
}

/// Rendered Markdown by [`views::md_key`].
pub type MarkdownCache = std::collections::HashMap<u64, std::sync::Arc<crate::markdown::Rendered>>;

/// Things of one kind that a scoped render takes over from the last one
/// (`kept`) and, when it keeps them for the next, what it makes or takes
/// over meanwhile (`made`).
pub struct Keep<'a, K, V> {
    kept: &'a std::collections::HashMap<K, V>,
    made: Option<std::sync::Mutex<std::collections::HashMap<K, V>>>,
}

impl<'a, K: Eq + std::hash::Hash + Clone, V: Clone> Keep<'a, K, V> {
    fn new(kept: &'a std::collections::HashMap<K, V>, keeping: bool) -> Self {
        Keep { kept, made: keeping.then(Default::default) }
    }

    /// Whether this render keeps things of this kind (and takes them over).
    pub fn keeping(&self) -> bool {
        self.made.is_some()
    }

    /// The thing kept under `key`, if this render takes things over.
    pub fn get(&self, key: &K) -> Option<&V> {
        self.made.as_ref().and_then(|_| self.kept.get(key))
    }

    /// Keeps `value` under `key` for the next render, if this one keeps things.
    pub fn note(&self, key: K, value: V) {
        if let Some(made) = &self.made {
            made.lock().unwrap_or_else(|e| e.into_inner()).insert(key, value);
        }
    }

    /// What the next render takes over: what this one kept, else `before`.
    fn into_next(self, before: &std::collections::HashMap<K, V>) -> std::collections::HashMap<K, V> {
        match self.made {
            Some(made) => made.into_inner().unwrap_or_else(|e| e.into_inner()),
            None => before.clone(),
        }
    }
}

/// A computed comparison, the fingerprint of what it was computed from and,
/// once made, its exports with the [`crate::export::comparison_files_key`]
/// they were made for: a title edit changes none of them, and they were
/// about a tenth of the bundled site's rebuild.
///
/// Its pair bodies and overview cores are kept with it too, each with the
/// key of what it reads besides the result: a title edit changes only the
/// bodies of the pairs the module is part of, and no overview core.
#[derive(Debug, Clone)]
pub struct KeptComparison {
    fingerprint: u64,
    result: std::sync::Arc<crate::compare::ComparisonResult>,
    exports: Option<(u64, std::sync::Arc<Vec<OutFile>>)>,
    pairs: KeptValues,
    overviews: KeptValues,
    /// The pairs' shares of its exports, by pair.
    pair_exports: std::sync::Arc<Vec<Option<std::sync::Arc<crate::export::PairExports>>>>,
}

/// Template values with the keys they were made for (none where a value
/// cannot be taken over).
type KeptValues = std::sync::Arc<Vec<Option<(u64, tera::Value)>>>;

/// A file group that is not a page: static files, the exports and search
/// script of one curriculum, the glossary's search script. (A comparison's
/// exports are made with its pages, from the result computed for them.)
enum DataTask {
    Static,
    Curriculum(usize),
    GlossarySearch,
}

/// The data tasks within `scope`.
fn data_tasks(site: &Site, scope: &Scope) -> Vec<DataTask> {
    if scope.pages_only() {
        return Vec::new();
    }
    // The glossary's documents change only with a full rebuild.
    let mut tasks = if scope.is_all() { vec![DataTask::GlossarySearch] } else { Vec::new() };
    tasks.extend((0..site.curricula.len()).filter(|&c| scope.curriculum(c)).map(DataTask::Curriculum));
    if scope.is_all() {
        tasks.push(DataTask::Static);
    }
    tasks
}

/// A data task's files without their contents (see [`Scope::check`]);
/// `None` for the theme's static files, which are cheap and made in full.
fn data_task_paths(task: &DataTask, data: &views::Data) -> Option<Vec<OutFile>> {
    let paths: Vec<String> = match *task {
        DataTask::Curriculum(c) => data
            .site
            .curricula
            .get(c)
            .map(|c| {
                let mut paths = crate::export::data_set_paths(&c.id).to_vec();
                paths.push(crate::search::script_path(&c.id));
                paths
            })
            .unwrap_or_default(),
        DataTask::GlossarySearch => vec![crate::search::script_path(crate::search::GLOSSARY)],
        DataTask::Static => return None,
    };
    Some(empty_files(paths))
}

/// Files at `paths` without contents (see [`Scope::check`]).
fn empty_files(paths: impl IntoIterator<Item = String>) -> Vec<OutFile> {
    paths.into_iter().map(|path| OutFile { path, bytes: Vec::new() }).collect()
}

fn run_data_task(task: &DataTask, data: &views::Data, theme: &Theme, scope: &Scope) -> Vec<OutFile> {
    let site = data.site;
    if scope.data_paths_only
        && let Some(files) = data_task_paths(task, data)
    {
        return files;
    }
    match *task {
        DataTask::Static => theme.static_files(),
        DataTask::Curriculum(ci) => {
            let Some(c) = site.curricula.get(ci) else { return Vec::new() };
            let kept = data.exports.get(&c.id).map_or(&[][..], Vec::as_slice);
            let shares = crate::export::module_exports(site, c, kept);
            let mut files = crate::export::curriculum_files(site, c, &shares);
            data.exports.note(c.id.clone(), shares);
            files.push(search_script(ci, c, data, scope));
            files
        }
        DataTask::GlossarySearch => {
            let labels = i18n::strings(site.config.language);
            let path = crate::search::script_path(crate::search::GLOSSARY);
            vec![OutFile { path, bytes: crate::search::glossary_js(site, labels) }]
        }
    }
}

/// The search script of curriculum `c` (index `ci`). A build keeps no
/// documents; serve keeps them and, after an edit of modules only, makes only
/// the edited modules' again (their documents read nothing else).
fn search_script(ci: usize, c: &crate::model::Curriculum, data: &views::Data, scope: &Scope) -> OutFile {
    let labels = i18n::strings(data.site.config.language);
    let bytes = if scope.reuse {
        let previous = if scope.is_all() { None } else { data.search.get(&c.id) };
        let part = crate::search::part(c, labels, previous, &scope.edited_modules(ci));
        let bytes = part.js();
        data.made_search.lock().unwrap_or_else(|e| e.into_inner()).insert(c.id.clone(), part);
        bytes
    } else {
        crate::search::curriculum_js(c, labels)
    };
    OutFile { path: crate::search::script_path(&c.id), bytes }
}

/// One unit of parallel work. Pages and data files are independent, so they
/// share one work list and both cores stay busy.
enum Task {
    Data(DataTask),
    Page(views::Job),
    /// A curriculum's module pages and print view, sharing its module bodies.
    Curriculum(usize, Vec<views::Job>),
    /// A comparison's pages and exports, made from the result computed for
    /// them (and dropped after: a build holds one comparison per thread).
    Comparison(usize, Vec<views::Job>),
}

/// The work of a render within `scope`, in the order it is taken up.
///
/// The order keeps the link index small: a link to a page already made is
/// checked at once and forgotten, one to a page not made yet waits (with its
/// href) until the end. So the pages most linked to come first: static files
/// and the site's own pages, then each curriculum's module pages, each
/// comparison as soon as both its curricula are taken up (its pair pages link
/// to their modules' items), then the index pages (they link to every item),
/// then the pages few others link to. The glossary's search script and the
/// curricula's exports (with their search scripts) come before the index pages: late
/// enough not to hold up a comparison (the longest task of a small site and of
/// serve's rebuild after an edit), early enough not to run alone at the end
/// (a curriculum's exports did, for 1.5 ms of the bundled site's rebuild).
fn tasks(data: &views::Data, scope: &Scope) -> Vec<Task> {
    use views::Job;
    let n = data.site.curricula.len();
    let mut modules: Vec<Vec<Job>> = vec![Vec::new(); n];
    let mut comparisons: BTreeMap<usize, Vec<Job>> = BTreeMap::new();
    let (mut first, mut indices, mut last) = (Vec::new(), Vec::new(), Vec::new());
    for job in views::jobs(data).into_iter().filter(|j| scope.job(data, j)) {
        match job {
            Job::Module(c, _) | Job::CurriculumPrint(c) => modules[c].push(job),
            Job::Compare(k) | Job::Pair(k, _) | Job::ComparePrint(k) => comparisons.entry(k).or_default().push(job),
            Job::Home | Job::NotFound | Job::Glossary | Job::Search | Job::SitePage(_) => first.push(Task::Page(job)),
            Job::Competencies(_)
            | Job::CompetencyLetter(..)
            | Job::Methods
            | Job::MethodsLetter(_)
            | Job::MethodsMatrix(_)
            | Job::Fields
            | Job::Phases => indices.push(Task::Page(job)),
            Job::Curriculum(_) | Job::Page(..) | Job::Source(..) => last.push(Task::Page(job)),
        }
    }
    // A comparison follows the later of its curricula (unknown ones: the end).
    let position = |id: &str| data.site.curricula.iter().position(|c| c.id == id);
    let mut after: Vec<Vec<Task>> = (0..=n).map(|_| Vec::new()).collect();
    for (k, jobs) in comparisons {
        let o = &data.outlines[k];
        let at = position(&o.left).zip(position(&o.right)).map_or(n, |(l, r)| l.max(r));
        after[at].push(Task::Comparison(k, jobs));
    }
    let (early, exports): (Vec<_>, Vec<_>) =
        data_tasks(data.site, scope).into_iter().partition(|t| !matches!(t, DataTask::Curriculum(_)));
    let (statics, search): (Vec<_>, Vec<_>) = early.into_iter().partition(|t| matches!(t, DataTask::Static));
    let mut out: Vec<Task> = statics.into_iter().map(Task::Data).collect();
    out.append(&mut first);
    for (c, (jobs, cmps)) in modules.into_iter().zip(after.iter_mut()).enumerate() {
        if !jobs.is_empty() {
            out.push(Task::Curriculum(c, jobs));
        }
        out.append(cmps);
    }
    out.append(&mut after[n]);
    out.extend(search.into_iter().map(Task::Data));
    out.extend(exports.into_iter().map(Task::Data));
    out.append(&mut indices);
    out.append(&mut last);
    out
}

/// Runs `run` on every task on the thread pool, taking the tasks up in list
/// order (one queue; rayon's halving of a list would start the second thread
/// in its middle), and returns the results in list order.
fn in_order<T: Sync, R: Send + Sync>(tasks: &[T], run: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let results: Vec<std::sync::OnceLock<R>> = tasks.iter().map(|_| std::sync::OnceLock::new()).collect();
    rayon::scope_fifo(|s| {
        for (task, result) in tasks.iter().zip(&results) {
            let run = &run;
            s.spawn_fifo(move |_| {
                let _ = result.set(run(task));
            });
        }
    });
    results.into_iter().filter_map(std::sync::OnceLock::into_inner).collect()
}

/// What makes a page part by part ([`Sink::parts`]): it hands each part to
/// its argument, with whether the part's links were made from the model
/// rather than read from the content (the A–Z lists' links to items, which
/// resolve where each item has its anchor on its module page:
/// [`crate::links::check_item_anchors`]); the link check need not read those.
pub type Parts<'m> = &'m mut dyn FnMut(&mut dyn FnMut(&[u8], bool));

/// Receives every file as soon as it is made: `build` writes it out, the
/// in-memory render keeps it. Memory then holds the content and one group's
/// bodies per thread, not the whole output. A closure taking an [`OutFile`]
/// is a sink.
pub trait Sink: Sync {
    fn file(&self, f: OutFile);

    /// A page made part by part, each part whole tags: `make` hands the parts
    /// to its argument in order. The A–Z list of all items of a large site is
    /// tens of megabytes, which `build` writes as they come instead of holding
    /// them. Here they are joined into one file of about `size` bytes.
    fn parts(&self, path: String, size: usize, make: Parts) {
        let mut bytes = Vec::with_capacity(size);
        make(&mut |part, _| bytes.extend_from_slice(part));
        self.file(OutFile { path, bytes });
    }
}

impl<F: Fn(OutFile) + Sync> Sink for F {
    fn file(&self, f: OutFile) {
        self(f)
    }
}

/// Renders `jobs` in parallel into `sink`: their warnings, or the template errors.
fn render_pages(
    jobs: &[views::Job],
    data: &views::Data,
    theme: &Theme,
    bodies: views::Bodies,
    sink: &dyn Sink,
) -> Result<Diagnostics, Diagnostics> {
    let results: Vec<Result<Diagnostics, Diagnostic>> = jobs
        .par_iter()
        .map(|job| {
            let (mut ctx, warnings) = views::context(data, job, bodies);
            let path = job.path(data);
            ctx.body = fragments::prerender(data, theme, job, &path, ctx.body, &ctx.t)?;
            let insert = ctx.insert.take();
            if !(data.pages.keeping() && insert.is_none() && kept_kind(job)) {
                let html = theme.render(job.template(), ctx)?;
                match insert {
                    Some(list) => sink.parts(path, list.size(&html), &mut |part| list.write_parts(&html, part)),
                    None => sink.file(OutFile { path, bytes: html }),
                }
                return Ok(warnings);
            }
            let same = |k: &&std::sync::Arc<KeptPage>| {
                k.template == job.template() && k.frame == ctx.frame && identical(&k.body, &ctx.body)
            };
            let page = match data.pages.get(&path).filter(same) {
                Some(kept) => kept.clone(),
                None => {
                    let (template, frame, body) = (job.template(), ctx.frame.clone(), ctx.body.clone());
                    let bytes = theme.render(template, ctx)?;
                    std::sync::Arc::new(KeptPage { template, frame, body, bytes })
                }
            };
            sink.file(OutFile { path: path.clone(), bytes: page.bytes.clone() });
            data.pages.note(path, page);
            Ok(warnings)
        })
        .collect();
    merge(results)
}

/// The pages serve keeps with their values: those a module edit often leaves
/// as they were, with values of a bounded size (not the index pages).
fn kept_kind(job: &views::Job) -> bool {
    matches!(job, views::Job::Module(..) | views::Job::Pair(..) | views::Job::Compare(_))
}

/// Warnings of all results, or the errors if any failed.
fn merge(results: Vec<Result<Diagnostics, Diagnostic>>) -> Result<Diagnostics, Diagnostics> {
    let (mut warnings, mut errors) = (Diagnostics::new(), Diagnostics::new());
    for r in results {
        match r {
            Ok(w) => warnings.extend(w),
            Err(e) => errors.push(e),
        }
    }
    if errors.has_errors() { Err(errors) } else { Ok(warnings) }
}

fn run_task(
    task: &Task,
    data: &views::Data,
    theme: &Theme,
    scope: &Scope,
    sink: &dyn Sink,
) -> Result<Diagnostics, Diagnostics> {
    match task {
        Task::Data(d) => {
            run_data_task(d, data, theme, scope).into_iter().for_each(|f| sink.file(f));
            Ok(Diagnostics::new())
        }
        Task::Page(job) => render_pages(std::slice::from_ref(job), data, theme, views::Bodies::default(), sink),
        Task::Curriculum(c, jobs) => {
            let (modules, mut warnings) = views::module_bodies(data, *c, &views::modules_shown(jobs));
            let bodies = views::Bodies { modules: &modules, ..Default::default() };
            warnings.extend(render_pages(jobs, data, theme, bodies, sink)?);
            Ok(warnings)
        }
        Task::Comparison(k, jobs) => comparison_task(*k, jobs, data, theme, scope, sink),
    }
}

/// Computes comparison `k` and makes its pages (`jobs`) and exports from it.
fn comparison_task(
    k: usize,
    jobs: &[views::Job],
    data: &views::Data,
    theme: &Theme,
    scope: &Scope,
    sink: &dyn Sink,
) -> Result<Diagnostics, Diagnostics> {
    let site = data.site;
    let id = &data.outlines[k].id;
    let Some(result) = site.comparisons.iter().find(|c| c.id == *id).and_then(|c| computed(data, scope, c)) else {
        return Ok(Diagnostics::new());
    };
    let (rendered, exports) = rayon::join(
        || {
            type Make<'m> = &'m (dyn Fn(&[Option<(u64, tera::Value)>]) -> Vec<(u64, tera::Value)> + Sync);
            let keep = |field, make: Make| kept_values(data, scope, &result, field, make);
            let (pairs, overviews) = rayon::join(
                || keep(|k| &mut k.pairs, &|kept| compare_views::pair_bodies(data, &result, kept)),
                || keep(|k| &mut k.overviews, &|kept| compare_views::overview_cores(data, &result, kept)),
            );
            let bodies =
                views::Bodies { pairs: &pairs, overviews: &overviews, comparison: Some(&result), ..Default::default() };
            render_pages(jobs, data, theme, bodies, sink)
        },
        || {
            if scope.data_paths_only {
                empty_files(crate::export::data_set_paths(id))
            } else {
                comparison_exports(data, scope, &result)
            }
        },
    );
    exports.into_iter().for_each(|f| sink.file(f));
    rendered
}

/// Values made from a computed comparison by `make`, given those a scoped
/// render kept with `result` in `field` (to take over where their key is
/// unchanged); a scoped render keeps them for the next.
fn kept_values(
    data: &views::Data,
    scope: &Scope,
    result: &std::sync::Arc<crate::compare::ComparisonResult>,
    field: fn(&mut KeptComparison) -> &mut KeptValues,
    make: impl FnOnce(&[Option<(u64, tera::Value)>]) -> Vec<(u64, tera::Value)>,
) -> Vec<tera::Value> {
    let keep = scope.reuse && !scope.is_all();
    let lock = || data.made_comparisons.lock().unwrap_or_else(|e| e.into_inner());
    let same = |k: &&mut KeptComparison| keep && std::sync::Arc::ptr_eq(&k.result, result);
    let kept = lock().get_mut(&result.id).filter(same).map(|k| field(k).clone());
    let made = make(kept.as_deref().map_or(&[], Vec::as_slice));
    let values = made.iter().map(|(_, v)| v.clone()).collect();
    if let Some(k) = lock().get_mut(&result.id).filter(same) {
        *field(k) = std::sync::Arc::new(made.into_iter().map(Some).collect());
    }
    values
}

/// The exports of a computed comparison: those a scoped render kept with
/// `result` if nothing else they read changed since, else made (and kept).
fn comparison_exports(
    data: &views::Data,
    scope: &Scope,
    result: &std::sync::Arc<crate::compare::ComparisonResult>,
) -> Vec<OutFile> {
    let make = || crate::export::comparison_files(data.site, std::slice::from_ref(&**result));
    if !scope.reuse || scope.is_all() {
        return make();
    }
    let key = crate::export::comparison_files_key(data.site, result);
    let made = &data.made_comparisons;
    let lock = || made.lock().unwrap_or_else(|e| e.into_inner());
    let same = |k: &KeptComparison| std::sync::Arc::ptr_eq(&k.result, result);
    let (kept, shares) = lock()
        .get(&result.id)
        .filter(|k| same(k))
        .map_or((None, Default::default()), |k| (k.exports.clone(), k.pair_exports.clone()));
    if let Some((k, files)) = kept
        && k == key
    {
        return files.to_vec();
    }
    let shares = crate::export::pair_exports_with(data.site, result, &shares);
    let files = std::sync::Arc::new(crate::export::comparison_files_from(data.site, result, &shares).to_vec());
    if let Some(k) = lock().get_mut(&result.id).filter(|k| same(k)) {
        k.exports = Some((key, files.clone()));
        k.pair_exports = std::sync::Arc::new(shares.into_iter().map(Some).collect());
    }
    files.to_vec()
}

/// The result of comparison `cmp`: the previous render's if nothing it reads
/// changed since, else computed. A scoped render keeps it for the next.
fn computed<'a>(
    data: &views::Data<'a>,
    scope: &Scope,
    cmp: &'a crate::model::Comparison,
) -> Option<std::sync::Arc<crate::compare::ComparisonResult>> {
    let fingerprint = crate::compare::fingerprint(data.site, cmp)?;
    let before = data.comparisons.get(&cmp.id);
    let kept = before.filter(|k| k.fingerprint == fingerprint);
    let result = match kept {
        Some(k) => k.result.clone(),
        None => {
            let previous = before.map(|k| &*k.result);
            let t = std::time::Instant::now();
            let result = crate::compare::compare_with(data.site, cmp, &data.preparations, previous);
            let nanos = u64::try_from(t.elapsed().as_nanos()).unwrap_or(u64::MAX);
            data.compare_nanos.fetch_add(nanos, std::sync::atomic::Ordering::Relaxed);
            std::sync::Arc::new(result?)
        }
    };
    if scope.reuse && !scope.is_all() {
        // The exports and the overview stay with the result they were made
        // from; a pair body and a pair's share of the exports also with a new
        // result whose pair is the same.
        let exports = kept.and_then(|k| k.exports.clone());
        let (pairs, overviews, pair_exports) = match (kept, before) {
            (Some(k), _) => (k.pairs.clone(), k.overviews.clone(), k.pair_exports.clone()),
            (None, Some(b)) => (
                same_pairs(&b.result, &result, &b.pairs),
                Default::default(),
                equal_pairs(&b.result, &result, &b.pair_exports),
            ),
            (None, None) => Default::default(),
        };
        let kept = KeptComparison { fingerprint, result: result.clone(), exports, pairs, overviews, pair_exports };
        data.made_comparisons.lock().unwrap_or_else(|e| e.into_inner()).insert(cmp.id.clone(), kept);
    }
    Some(result)
}

/// The pair bodies kept for result `before` that result `after` can take
/// over: those of pairs equal in both, where the comparison's titles and
/// the pairs' places and slugs (which a body shows of its neighbours) are
/// equal too. A prose edit changes the pairs of one module.
fn same_pairs(
    before: &crate::compare::ComparisonResult,
    after: &crate::compare::ComparisonResult,
    kept: &KeptValues,
) -> KeptValues {
    let place = |p: &crate::compare::PairResult| (p.slug.clone(), p.left.clone(), p.right.clone());
    let frame = |r: &crate::compare::ComparisonResult| {
        let ids = [&r.id, &r.title, &r.left, &r.right].map(String::clone);
        (ids, r.pairs.iter().map(place).collect::<Vec<_>>())
    };
    if frame(before) != frame(after) {
        return Default::default();
    }
    equal_pairs(before, after, kept)
}

/// `kept[p]` where pair `p` of `before` equals pair `p` of `after`.
fn equal_pairs<T: Clone>(
    before: &crate::compare::ComparisonResult,
    after: &crate::compare::ComparisonResult,
    kept: &std::sync::Arc<Vec<Option<T>>>,
) -> std::sync::Arc<Vec<Option<T>>> {
    let same = |(p, v): (usize, &Option<T>)| {
        v.clone().filter(|_| before.pairs.get(p).is_some_and(|b| after.pairs.get(p) == Some(b)))
    };
    std::sync::Arc::new(kept.iter().enumerate().map(same).collect())
}

/// Renders with an already loaded theme (serve reuses it between rebuilds).
pub fn render_with(
    site: &Site,
    theme: &Theme,
    sources: &dyn SourceText,
) -> Result<(Vec<OutFile>, Diagnostics), Diagnostics> {
    render_scoped(site, theme, sources, &Scope::all(), &Reuse::default()).map(|o| (o.files, o.warnings))
}

/// Renders the pages and files within `scope` into memory, sorted by path;
/// comparisons and search documents outside it are taken from `previous`
/// instead of being computed again.
pub fn render_scoped(
    site: &Site,
    theme: &Theme,
    sources: &dyn SourceText,
    scope: &Scope,
    previous: &Reuse,
) -> Result<Output, Diagnostics> {
    let files = std::sync::Mutex::new(Vec::new());
    let keep = |f: OutFile| files.lock().unwrap_or_else(|e| e.into_inner()).push(f);
    let summary = render_scoped_to(site, theme, sources, scope, previous, &keep)?;
    let mut files = files.into_inner().unwrap_or_else(|e| e.into_inner());
    files.sort();
    Ok(Output { files, warnings: summary.warnings, reuse: summary.reuse })
}

/// What a render reports besides its files.
pub struct Summary {
    pub warnings: Diagnostics,
    pub reuse: Reuse,
    /// The time spent computing comparisons, summed over the threads.
    pub compare: std::time::Duration,
}

/// What every page of a render within `scope` is made from.
fn prepare<'a>(
    site: &'a Site,
    theme: &Theme,
    sources: &'a dyn SourceText,
    scope: &Scope,
    reuse: &'a Reuse,
) -> views::Data<'a> {
    let outlines = crate::compare::outlines(site);
    // Only the index pages need the sort keys of all items.
    let competency_keys = if scope.pages_only() {
        Vec::new()
    } else {
        let same = scope.index.as_ref().is_some_and(|i| !i.items());
        index_views::competency_keys(site, &reuse.competency_keys, |c| !scope.curriculum(c) || same)
    };
    let terms = std::sync::Arc::new(views::glossary_terms(site));
    let t = tera::Value::from_serializable(i18n::strings(site.config.language));
    let fast_az = theme.built_in(&["az.html", "competencies.html", "methods.html"]);
    let fast_rows = theme.built_in(&["pair_body.html", "cmp_table.html", "cmp_row.html"]);
    let (search, made_search) = (&reuse.search, Default::default());
    let (comparisons, made_comparisons) = (&reuse.comparisons, Default::default());
    let scoped = scope.reuse && !scope.is_all();
    let keeping = scoped && !scope.own_pages;
    let markdown_salt = crate::text::fingerprint_parts([
        &terms.fingerprint().to_le_bytes()[..],
        &[u8::from(site.config.allow_raw_html)],
    ]);
    let preparations = crate::compare::Preparations::new(
        site,
        site.comparisons.iter().filter(|c| scope.comparison(site, &c.left.value, &c.right.value)),
    )
    .with_features(&reuse.features, keeping);
    let (curricula_by_id, comparisons_of) = views::curriculum_places(site, &outlines);
    // Counted only where they make pages: an unsplit site's letters change nothing.
    let az_letters = index_views::splits_lists(site).then(|| index_views::LetterCounts::of(&competency_keys));
    views::Data {
        site,
        nav: views::Nav::new(site, &outlines),
        curricula_by_id,
        comparisons_of,
        outlines,
        sources,
        t,
        terms,
        search,
        made_search,
        comparisons,
        made_comparisons,
        compare_nanos: Default::default(),
        markdown: Keep::new(&reuse.markdown, scoped),
        pages: Keep::new(&reuse.pages, keeping),
        fragments: Keep::new(&reuse.fragments, keeping),
        exports: Keep::new(&reuse.exports, keeping),
        bodies: Keep::new(&reuse.bodies, keeping),
        az: index_views::AzKeep::new(&reuse.az, scope.reuse && !scope.own_pages && fast_az, scope.index.clone()),
        ledgers: site.curricula.iter().map(|_| std::sync::OnceLock::new()).collect(),
        markdown_salt,
        preparations,
        az_letters,
        competency_keys,
        fast_az,
        fast_rows,
    }
}

/// A sink that notes the paths of the pages on the way: the sitemap lists them.
struct Noting<'s> {
    sink: &'s dyn Sink,
    pages: std::sync::Mutex<Vec<String>>,
}

impl Noting<'_> {
    fn note(&self, path: &str) {
        if path.ends_with(".html") {
            self.pages.lock().unwrap_or_else(|e| e.into_inner()).push(path.to_string());
        }
    }
}

impl Sink for Noting<'_> {
    fn file(&self, f: OutFile) {
        self.note(&f.path);
        self.sink.file(f);
    }

    fn parts(&self, path: String, size: usize, make: Parts) {
        self.note(&path);
        self.sink.parts(path, size, make);
    }
}

/// [`render_scoped`] with every file handed to `sink` as soon as it is made.
pub fn render_scoped_to(
    site: &Site,
    theme: &Theme,
    sources: &dyn SourceText,
    scope: &Scope,
    reuse: &Reuse,
    sink: &dyn Sink,
) -> Result<Summary, Diagnostics> {
    let data = prepare(site, theme, sources, scope, reuse);
    let note = Noting { sink, pages: Default::default() };
    let results = in_order(&tasks(&data, scope), |task| run_task(task, &data, theme, scope, &note));
    let (mut warnings, mut errors) = (Diagnostics::new(), Diagnostics::new());
    for r in results {
        match r {
            Ok(w) => warnings.extend(w),
            Err(e) => errors.extend(e),
        }
    }
    if errors.has_errors() {
        return Err(errors);
    }
    if scope.is_all() {
        let pages = note.pages.into_inner().unwrap_or_else(|e| e.into_inner());
        crate::export::site_files(site, &pages).into_iter().for_each(|f| sink.file(f));
    }
    let compare = std::time::Duration::from_nanos(data.compare_nanos.load(std::sync::atomic::Ordering::Relaxed));
    let reuse = next_reuse(site, scope, data, reuse);
    Ok(Summary { warnings, reuse, compare })
}

/// What a render leaves for the next scoped render: what it made or took
/// over, or, where it made nothing (serve's first pages compute no sort keys,
/// comparisons or search documents, and keep no Markdown), what `reuse` held.
fn next_reuse(site: &Site, scope: &Scope, data: views::Data, reuse: &Reuse) -> Reuse {
    fn taken<T>(made: std::sync::Mutex<T>) -> T {
        made.into_inner().unwrap_or_else(|e| e.into_inner())
    }
    fn or_kept<T: Clone>(made: Option<T>, kept: &T) -> T {
        made.unwrap_or_else(|| kept.clone())
    }
    let fresh = !scope.own_pages;
    let keys = fresh.then(|| site.curricula.iter().map(|c| c.id.clone()).zip(data.competency_keys).collect());
    Reuse {
        search: crate::search::Parts::next(&reuse.search, taken(data.made_search), scope.is_all()),
        competency_keys: or_kept(keys, &reuse.competency_keys),
        comparisons: or_kept(fresh.then(|| taken(data.made_comparisons)), &reuse.comparisons),
        markdown: if fresh { data.markdown.into_next(&reuse.markdown) } else { reuse.markdown.clone() },
        features: if fresh { data.preparations.into_next() } else { reuse.features.clone() },
        pages: data.pages.into_next(&reuse.pages),
        fragments: data.fragments.into_next(&reuse.fragments),
        exports: data.exports.into_next(&reuse.exports),
        bodies: data.bodies.into_next(&reuse.bodies),
        az: if fresh { data.az.into_next(scope.is_all()) } else { reuse.az.clone() },
        az_letters: if fresh { data.az_letters } else { reuse.az_letters },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bundled site rendered as serve's first build renders it, with what it keeps.
    fn bundled_with_kept_lists() -> (Theme, Site, Reuse) {
        let dir = tempfile::tempdir().unwrap();
        let theme = Theme::load(dir.path(), "default").unwrap();
        let site = crate::load::load_site(std::path::Path::new(env!("CARGO_MANIFEST_DIR"))).site;
        let sources = std::collections::BTreeMap::new();
        let reuse = render_scoped(&site, &theme, &sources, &Scope::all_for_reuse(), &Reuse::default()).unwrap().reuse;
        (theme, site, reuse)
    }

    /// Edits module `(c, m)` of `site`, renders what the edit changes on top of
    /// `reuse` as serve does, and holds the competency and methods pages it made
    /// to those of a full render.
    fn edit_as_serve(
        (theme, site, reuse): (&Theme, &mut Site, &Reuse),
        (c, m): (usize, usize),
        edit: impl FnOnce(&mut crate::model::Module),
    ) -> Output {
        let before = site.curricula[c].modules[m].clone();
        edit(&mut site.curricula[c].modules[m]);
        crate::model::assign_anchors(&mut site.curricula[c].modules[m]);
        let change = IndexChange::of_module(c, &before, &site.curricula[c].modules[m], shows_module_titles(site));
        let sources = std::collections::BTreeMap::new();
        let scoped = render_scoped(site, theme, &sources, &Scope::modules_changing(&[(c, m)], change), reuse).unwrap();
        let fresh = render_with(site, theme, &sources).unwrap().0;
        for f in scoped.files.iter().filter(|f| f.path.starts_with("kompetenzen/") || f.path.starts_with("methoden/")) {
            assert!(fresh.iter().any(|x| x.path == f.path && x.bytes == f.bytes), "{} as a full render", f.path);
        }
        scoped
    }

    /// A kept list refers to the texts its entries were taken from, one more
    /// with each edit, until they are written into one again; the pages stay
    /// those of a full render throughout.
    #[test]
    fn kept_a_to_z_lists_through_many_edits_equal_fresh_ones() {
        let (theme, mut site, mut reuse) = bundled_with_kept_lists();
        let mut most = 0;
        // Each edit renames another item: the entries of every earlier edit stay.
        let items: Vec<(usize, usize, usize)> = (0..site.curricula.len())
            .flat_map(|c| (0..site.curricula[c].modules.len()).map(move |m| (c, m)))
            .flat_map(|(c, m)| (0..site.curricula[c].modules[m].competencies.wissen.len()).map(move |i| (c, m, i)))
            .collect();
        for (i, &(c, m, item)) in items.iter().enumerate().take(index_views::KEPT_TEXTS + 3) {
            let edit =
                |module: &mut crate::model::Module| module.competencies.wissen[item].text = format!("Fassung {i}");
            let scoped = edit_as_serve((&theme, &mut site, &reuse), (c, m), edit);
            let texts = scoped.reuse.az.get("kompetenzen/").map(|k| k.texts()).unwrap_or_default();
            assert!((1..=index_views::KEPT_TEXTS).contains(&texts), "edit {i}: {texts} texts");
            most = most.max(texts);
            reuse = scoped.reuse;
        }
        assert_eq!(most, index_views::KEPT_TEXTS, "the texts grow with the edits, up to the limit");
    }

    /// serve's A–Z lists after an edit of items (the changed entries made
    /// again, the others as kept from the render before) equal those of a
    /// full render, edit after edit; the index pages that show nothing of an
    /// edit are not made again.
    #[test]
    fn kept_a_to_z_lists_with_the_changed_entries_made_again_equal_fresh_ones() {
        let (theme, mut site, mut reuse) = bundled_with_kept_lists();
        let elsewhere = site.curricula[1].modules[0].competencies.wissen[0].text.clone();
        type Edit = Box<dyn Fn(&mut crate::model::Module)>;
        let edits: [(Edit, &[&str]); 4] = [
            (Box::new(|m| m.competencies.wissen[0].text = "Zuletzt umbenannt".into()), &["index", "kit", "wissen"]),
            (Box::new(|m| drop(m.competencies.fertigkeiten.remove(0))), &["fertigkeiten", "index", "kit"]),
            (
                Box::new(move |m| m.competencies.sozialkompetenz.insert(0, crate::model::Item::new(elsewhere.clone()))),
                &["index", "kit", "sozialkompetenz"],
            ),
            (Box::new(|m| m.methods[0].text = "Aquarium".into()), &[]),
        ];
        for (edit, remade) in edits {
            let scoped = edit_as_serve((&theme, &mut site, &reuse), (0, 2), edit);
            let pages = scoped.files.iter().filter(|f| f.path.starts_with("kompetenzen/"));
            let names: Vec<&str> = pages.map(|f| f.path.split('/').nth(1).unwrap_or_default()).collect();
            assert_eq!(names, remade.iter().map(|n| n.replace("index", "index.html")).collect::<Vec<_>>());
            let methods = scoped.files.iter().any(|f| f.path.starts_with("methoden/"));
            assert_eq!(methods, remade.is_empty(), "the methods page is made again after a method edit only");
            assert!(!scoped.files.iter().any(|f| f.path.starts_with("phasen/")));
            reuse = scoped.reuse;
        }
        // The entries not named as changed are taken as kept, unread: an
        // edit left out of the change does not show.
        let m = &mut site.curricula[0].modules[2];
        m.competencies.selbststaendigkeit[0].text = "Nicht genannt".into();
        let mut change = IndexChange::default();
        change.keys[0].insert("zuletzt umbenannt".into());
        let sources = std::collections::BTreeMap::new();
        let scoped =
            render_scoped(&site, &theme, &sources, &Scope::modules_changing(&[(0, 2)], change), &reuse).unwrap();
        let all = scoped.files.iter().find(|f| f.path == "kompetenzen/index.html").unwrap();
        assert!(!String::from_utf8_lossy(&all.bytes).contains("Nicht genannt"));
    }

    #[test]
    fn values_are_identical_only_when_they_render_alike() {
        let v = |j: serde_json::Value| tera::Value::from_serializable(&j);
        let same = |a: &tera::Value, b: &tera::Value| identical(a, b) && identical(b, a);
        let page = v(serde_json::json!({"a": [1, "x", {"b": 2.5}], "c": null}));
        assert!(same(&page, &v(serde_json::json!({"a": [1, "x", {"b": 2.5}], "c": null}))));
        assert!(!same(&page, &v(serde_json::json!({"a": [1, "y", {"b": 2.5}], "c": null}))));
        // tera's `==` takes each of these pairs for equal; they render differently.
        let (one, one_f) = (v(serde_json::json!(1)), v(serde_json::json!(1.0)));
        assert!(one == one_f && !same(&one, &one_f));
        let (plain, safe) = (tera::Value::from("<b>"), tera::Value::safe_string("<b>"));
        assert!(plain == safe && !same(&plain, &safe));
        let mut ab = tera::value::Map::new();
        ab.insert("a".into(), tera::Value::from(1));
        ab.insert("b".into(), tera::Value::from(2));
        let mut ba = tera::value::Map::new();
        ba.insert("b".into(), tera::Value::from(2));
        ba.insert("a".into(), tera::Value::from(1));
        let (ab, ba) = (tera::Value::from(ab), tera::Value::from(ba));
        assert!(ab == ba && !same(&ab, &ba));
    }

    /// The order of the tasks keeps the link index small (see [`tasks`]).
    #[test]
    fn link_targets_are_taken_up_before_the_pages_linking_to_them() {
        let dir = tempfile::tempdir().unwrap();
        crate::synth::write_site(dir.path(), 40, 4, 1).unwrap();
        let checked = crate::build::load_checked(dir.path(), None).unwrap();
        let theme = Theme::load(dir.path(), "default").unwrap();
        let reuse = Reuse::default();
        let data = prepare(&checked.site, &theme, &checked.sources, &Scope::all(), &reuse);
        let order = tasks(&data, &Scope::all());
        let at = |f: &dyn Fn(&Task) -> bool| order.iter().position(f).unwrap();
        let curriculum = |c: usize| at(&|t| matches!(t, Task::Curriculum(x, _) if *x == c));
        let curricula: Vec<usize> = (0..4).map(curriculum).collect();
        assert!(matches!(order[0], Task::Data(DataTask::Static)));
        assert!(at(&|t| matches!(t, Task::Page(views::Job::Home))) < curricula[0]);
        assert_eq!(data.outlines.len(), 3);
        for (k, o) in data.outlines.iter().enumerate() {
            let cmp = at(&|t| matches!(t, Task::Comparison(x, _) if *x == k));
            let sides = [&o.left, &o.right].map(|id| checked.site.curricula.iter().position(|c| c.id == *id).unwrap());
            assert!(sides.iter().all(|&c| curricula[c] < cmp), "comparison {k} before its curricula");
            assert!(
                cmp < curricula
                    .iter()
                    .copied()
                    .filter(|&c| c > curricula[sides[0].max(sides[1])])
                    .min()
                    .unwrap_or(usize::MAX)
            );
        }
        let last_module_page = curricula.iter().max().copied().unwrap();
        let index = |t: &Task| matches!(t, Task::Page(views::Job::Methods | views::Job::Competencies(_)));
        assert!(at(&index) > last_module_page);
        // The search index after the comparisons, before the index pages.
        let search = at(&|t| matches!(t, Task::Data(DataTask::GlossarySearch)));
        let last_comparison = order.iter().rposition(|t| matches!(t, Task::Comparison(..))).unwrap();
        assert!(last_comparison < search && search < at(&index));
    }
}
