//! Rendering (the one owner of tera): turns the model into the files of the site.
//!
//! The built-in theme is compiled into the binary; a site's
//! `themes/<theme>/templates/*.html` and `themes/<theme>/static/**` override it
//! file by file. Templates are compiled once per run, pages are rendered in
//! parallel, and the result is a sorted list of files, so output is
//! byte-identical for the same input.

mod compare_views;
mod i18n;
mod index_views;
pub mod svg;
mod theme;
mod views;

use crate::diag::{Diagnostic, Diagnostics};
use crate::model::Site;
use rayon::prelude::*;
use std::collections::BTreeSet;
use std::path::Path;

pub use theme::Theme;

/// The normalised text of every source file, by path relative to the root.
pub type Sources = std::collections::BTreeMap<String, String>;

/// One file of the output, path relative to the output root with `/`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct OutFile {
    pub path: String,
    pub bytes: Vec<u8>,
}

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Renders every page of the site. On template errors returns diagnostics and
/// no files; content warnings found while rendering (escaped raw HTML) are
/// returned beside the files.
pub fn render_site(site: &Site, root: &Path, sources: &Sources) -> Result<(Vec<OutFile>, Diagnostics), Diagnostics> {
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
}

impl Scope {
    pub fn all() -> Self {
        Scope::default()
    }

    /// What depends on these modules, whose number and file are unchanged (a
    /// renumbered, added or removed module changes links everywhere).
    pub fn modules(changed: &[(usize, usize)]) -> Self {
        Scope { changed: Some(changed.iter().map(|(c, _)| *c).collect()), modules: changed.iter().copied().collect() }
    }

    pub fn is_all(&self) -> bool {
        self.changed.is_none()
    }

    fn curriculum(&self, ci: usize) -> bool {
        self.changed.as_ref().is_none_or(|c| c.contains(&ci))
    }

    /// A comparison depends on the modules of both its curricula.
    fn comparison(&self, site: &Site, left: &str, right: &str) -> bool {
        self.changed.as_ref().is_none_or(|changed| {
            changed.iter().any(|&ci| site.curricula.get(ci).is_some_and(|c| c.id == left || c.id == right))
        })
    }

    /// Whether a page can differ after the change. Module pages of a changed
    /// curriculum all depend on it (neighbour titles, the course's total in
    /// JSON-LD); chapters, site pages and other curricula's pages do not show
    /// module content; the indices and the home page summarise everything.
    fn job(&self, data: &views::Data, job: &views::Job) -> bool {
        use views::Job;
        match *job {
            Job::Home | Job::Competencies(_) | Job::Methods | Job::Fields | Job::Phases => true,
            Job::Curriculum(c) | Job::CurriculumPrint(c) | Job::Module(c, _) => self.curriculum(c),
            Job::Source(c, m) => self.is_all() || self.modules.contains(&(c, m)),
            Job::Compare(k) | Job::ComparePrint(k) | Job::Pair(k, _) => {
                let r = &data.comparisons[k];
                self.comparison(data.site, &r.left, &r.right)
            }
            Job::Page(..) | Job::SitePage(_) | Job::NotFound | Job::Search | Job::Glossary => self.is_all(),
        }
    }
}

/// The files a render made, its warnings, and the comparisons it used (for
/// the next scoped render to reuse).
pub struct Output {
    pub files: Vec<OutFile>,
    pub warnings: Diagnostics,
    pub comparisons: Vec<crate::compare::ComparisonResult>,
}

/// A file group that is not a page: static files, the exports of one
/// comparison or curriculum, the search index.
enum DataTask {
    Static,
    Comparison(usize),
    Curriculum(usize),
    Search,
}

/// The data tasks within `scope`.
fn data_tasks(site: &Site, comparisons: &[crate::compare::ComparisonResult], scope: &Scope) -> Vec<DataTask> {
    let mut tasks = vec![DataTask::Search];
    tasks.extend(
        comparisons
            .iter()
            .enumerate()
            .filter(|(_, r)| scope.comparison(site, &r.left, &r.right))
            .map(|(k, _)| DataTask::Comparison(k)),
    );
    tasks.extend((0..site.curricula.len()).filter(|&c| scope.curriculum(c)).map(DataTask::Curriculum));
    if scope.is_all() {
        tasks.push(DataTask::Static);
    }
    tasks
}

fn run_data_task(task: &DataTask, data: &views::Data, theme: &Theme) -> Vec<OutFile> {
    let site = data.site;
    match *task {
        DataTask::Static => {
            let mut files = theme.static_files();
            if !files.iter().any(|f| f.path == "static/highlight.css") {
                files
                    .push(OutFile { path: "static/highlight.css".into(), bytes: crate::highlight::css().into_bytes() });
            }
            files
        }
        DataTask::Comparison(k) => crate::export::comparison_files(site, std::slice::from_ref(&data.comparisons[k])),
        DataTask::Curriculum(c) => crate::export::curriculum_files(site, &[c]),
        DataTask::Search => {
            let index = crate::search::build(site, i18n::strings(site.config.language));
            vec![OutFile { path: "search-index.js".into(), bytes: crate::search::to_js(&index).into_bytes() }]
        }
    }
}

/// One unit of parallel work: a page or a group of data files. Pages and data
/// files are independent, so they share one work list and both cores stay busy.
enum Task {
    Data(DataTask),
    Page(views::Job),
}

/// Renders with an already loaded theme (serve reuses it between rebuilds).
pub fn render_with(site: &Site, theme: &Theme, sources: &Sources) -> Result<(Vec<OutFile>, Diagnostics), Diagnostics> {
    render_scoped(site, theme, sources, &Scope::all(), &[]).map(|o| (o.files, o.warnings))
}

/// Renders the pages and files within `scope`; comparisons outside it are
/// taken from `previous` (by id) instead of being computed again.
pub fn render_scoped(
    site: &Site,
    theme: &Theme,
    sources: &Sources,
    scope: &Scope,
    previous: &[crate::compare::ComparisonResult],
) -> Result<Output, Diagnostics> {
    let comparisons = site
        .comparisons
        .par_iter()
        .filter_map(|c| match previous.iter().find(|r| r.id == c.id) {
            Some(r) if !scope.comparison(site, &c.left.value, &c.right.value) => Some(r.clone()),
            _ => crate::compare::compare(site, c),
        })
        .collect();
    let competency_keys = index_views::competency_keys(site);
    let terms = std::sync::Arc::new(views::glossary_terms(site));
    let t = tera::Value::from_serializable(i18n::strings(site.config.language));
    let mut data = views::Data {
        site,
        comparisons,
        sources,
        pair_bodies: Vec::new(),
        module_bodies: Vec::new(),
        t,
        competency_keys,
        terms,
    };
    let (bodies, module_warnings) = views::all_module_bodies(&data, &|c| scope.curriculum(c));
    data.module_bodies = bodies;
    data.pair_bodies = compare_views::all_pair_bodies(&data, &|r| scope.comparison(site, &r.left, &r.right));
    // Data tasks first: they are the largest, and should not be left for last.
    let tasks: Vec<Task> = data_tasks(site, &data.comparisons, scope)
        .into_iter()
        .map(Task::Data)
        .chain(views::jobs(&data).into_iter().filter(|j| scope.job(&data, j)).map(Task::Page))
        .collect();
    let results: Vec<Result<(Vec<OutFile>, Diagnostics), Diagnostic>> = tasks
        .par_iter()
        .with_max_len(1)
        .map(|task| match task {
            Task::Data(d) => Ok((run_data_task(d, &data, theme), Diagnostics::new())),
            Task::Page(job) => {
                let (ctx, warnings) = views::context(&data, job);
                let path = job.path(&data);
                theme
                    .render(job.template(), ctx)
                    .map(|html| (vec![OutFile { path, bytes: html.into_bytes() }], warnings))
            }
        })
        .collect();
    let mut files = Vec::new();
    let mut errors = Diagnostics::new();
    let mut warnings = module_warnings;
    for r in results {
        match r {
            Ok((f, w)) => {
                files.extend(f);
                warnings.extend(w);
            }
            Err(d) => errors.push(d),
        }
    }
    if errors.has_errors() {
        return Err(errors);
    }
    if scope.is_all() {
        let extra = crate::export::site_files(site, &files);
        files.extend(extra);
    }
    files.sort();
    Ok(Output { files, warnings, comparisons: data.comparisons })
}
