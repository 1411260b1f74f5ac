//! The phases of a run tied together: load → check → render → write.
//!
//! `check` is a build without the writing, so both report the same diagnostics.

use crate::diag::{Diagnostic, Diagnostics};
use crate::load::{self, Loaded};
use crate::model::{Site, check};
use crate::render::{self, OutFile};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// What a build is asked to do.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    pub root: PathBuf,
    /// Defaults to `<root>/public`.
    pub output: Option<PathBuf>,
    /// Overrides `base_url` of site.yaml.
    pub base_url: Option<String>,
}

/// Time spent per phase, for `--verbose` and benchmarks.
#[derive(Debug, Clone, Default)]
pub struct Timings {
    pub load: Duration,
    pub check: Duration,
    /// Computing the comparisons, summed over the threads: they are computed
    /// inside the render (each in the task that makes its pages), so this is
    /// a share of its CPU time, not a stretch of its wall time.
    pub compare: Duration,
    pub render: Duration,
    pub write: Duration,
}

/// The result of a successful build.
#[derive(Debug)]
pub struct Report {
    pub diagnostics: Vec<Diagnostic>,
    pub pages: usize,
    pub files: usize,
    pub output: PathBuf,
    pub timings: Timings,
}

/// Why a run failed: content errors (exit 1) or an I/O problem (exit 2).
#[derive(Debug)]
pub enum Failure {
    Content(Vec<Diagnostic>),
    Io(String),
}

/// A site loaded and checked without errors, ready to render (possibly again).
#[derive(Debug, Clone)]
pub struct Checked {
    pub site: Site,
    /// Everything found while loading and checking.
    pub diags: Diagnostics,
    /// What loading alone found (to replace a file's share when it is reloaded).
    pub load_diags: Diagnostics,
    /// What checking found, by curriculum (to check only the reloaded ones again).
    pub findings: check::Findings,
    pub sources: crate::render::Sources,
    /// The fingerprint of each file read, by path ([`load::Loaded::read`]).
    pub read: std::collections::BTreeMap<String, u64>,
    /// The shared part of the curricula's inputs ([`crate::inputs::stamp`]).
    pub shared_inputs: u64,
    pub timings: Timings,
}

/// Load and check; `Err` carries every diagnostic when there are errors.
pub fn load_checked(root: &Path, base_url: Option<&str>) -> Result<Checked, Vec<Diagnostic>> {
    let mut timings = Timings::default();
    let t = Instant::now();
    let Loaded { mut site, mut diags, sources, read } = load::load_site(root);
    let load_diags = diags.clone();
    timings.load = t.elapsed();
    if let Some(b) = base_url {
        site.config.base_url = if b.ends_with('/') { b.to_string() } else { format!("{b}/") };
    }
    let shared_inputs = crate::inputs::stamp(&mut site, &read, render::generator_print());
    let t = Instant::now();
    let findings = check::check_site_keeping(&site, &Default::default(), |_| false);
    diags.extend(findings.all());
    diags.attach_excerpts_from(&sources);
    timings.check = t.elapsed();
    if diags.has_errors() {
        return Err(diags.sorted());
    }
    Ok(Checked { site, diags, load_diags, findings, sources, read, shared_inputs, timings })
}

/// What [`reload_modules`] replaced in a [`Checked`], to put it back when the
/// rebuild fails after all (a broken link, a template error).
#[derive(Debug)]
pub struct Undo {
    modules: Vec<((usize, usize), crate::model::Module)>,
    /// Each reloaded file's text and fingerprint before.
    sources: Vec<(String, Option<String>, Option<u64>)>,
    /// The diagnostics before (all, those of loading, and the findings of checking).
    diags: Option<(Diagnostics, Diagnostics, check::Findings)>,
}

impl Undo {
    /// What the reloaded modules of `site` change on the site-wide index
    /// pages: nothing where they differ from before only in their Markdown
    /// and (where those pages show no titles) their titles
    /// ([`crate::render::IndexChange`], [`crate::render::shows_module_titles`]).
    pub fn index_change(&self, site: &Site) -> crate::render::IndexChange {
        let titles = crate::render::shows_module_titles(site);
        let mut change = crate::render::IndexChange::default();
        for ((ci, mi), before) in &self.modules {
            match site.curricula.get(*ci).and_then(|c| c.modules.get(*mi)) {
                Some(now) => change.add(crate::render::IndexChange::of_module(*ci, before, now, titles)),
                None => change.outline = true,
            }
        }
        change
    }

    pub fn apply(self, checked: &mut Checked) {
        let curricula: BTreeSet<usize> = self.modules.iter().map(|((ci, _), _)| *ci).collect();
        for ((ci, mi), module) in self.modules {
            checked.site.curricula[ci].modules[mi] = module;
        }
        for (file, text, hash) in self.sources {
            match text {
                Some(t) => checked.sources.insert(file.clone(), t),
                None => checked.sources.remove(&file),
            };
            match hash {
                Some(h) => checked.read.insert(file, h),
                None => checked.read.remove(&file),
            };
        }
        crate::inputs::restamp(&mut checked.site, &checked.read, checked.shared_inputs, curricula);
        if let Some((diags, load_diags, findings)) = self.diags {
            checked.diags = diags;
            checked.load_diags = load_diags;
            checked.findings = findings;
        }
    }
}

/// The (curriculum, module) indices of reloaded modules, and how to undo it.
pub type Reloaded = (Vec<(usize, usize)>, Undo);

/// Reads the module files `files` (relative to the root) again and checks
/// the site with them, in `checked` itself (a copy of a large site costs more
/// than the edit). Returns the (curriculum, module) indices of those modules
/// and how to undo the change. `None` when this is not a plain edit of known
/// modules that parse cleanly and keep their number (then only a full load
/// reports the right diagnostics); `None` and `Err` leave `checked` as it was.
pub fn reload_modules(
    root: &Path,
    checked: &mut Checked,
    files: &[String],
) -> Option<Result<Reloaded, Vec<Diagnostic>>> {
    let mut load_diags = Diagnostics::new();
    load_diags.extend(checked.load_diags.iter().filter(|d| !files.contains(&d.file)).cloned());
    let mut parsed = Vec::new();
    for file in files {
        let (ci, mi) = checked
            .site
            .curricula
            .iter()
            .enumerate()
            .find_map(|(ci, c)| c.modules.iter().position(|m| m.file == *file).map(|mi| (ci, mi)))?;
        let (text, hash) = load::read_source_hashed(&root.join(file), file).ok()?;
        let old = &checked.site.curricula[ci].modules[mi];
        let (module, diags) = load::parse_module(file, &old.id, &text);
        let module = module.filter(|m| m.number.value == old.number.value && !diags.has_errors())?;
        load_diags.extend(diags);
        parsed.push(((ci, mi), module, file.clone(), text, hash));
    }
    let mut undo = Undo { modules: Vec::new(), sources: Vec::new(), diags: None };
    let mut changed = Vec::new();
    for ((ci, mi), module, file, text, hash) in parsed {
        undo.modules.push(((ci, mi), std::mem::replace(&mut checked.site.curricula[ci].modules[mi], module)));
        let old_hash = checked.read.insert(file.clone(), hash);
        undo.sources.push((file.clone(), checked.sources.insert(file, text), old_hash));
        changed.push((ci, mi));
    }
    crate::inputs::restamp(&mut checked.site, &checked.read, checked.shared_inputs, changed.iter().map(|(ci, _)| *ci));
    let mut diags = load_diags.clone();
    let findings = check::check_site_keeping(&checked.site, &checked.findings, |c| !changed.iter().any(|x| x.0 == c));
    diags.extend(findings.all());
    diags.attach_excerpts_from(&checked.sources);
    if diags.has_errors() {
        undo.apply(checked);
        return Some(Err(diags.sorted()));
    }
    undo.diags = Some((
        std::mem::replace(&mut checked.diags, diags),
        std::mem::replace(&mut checked.load_diags, load_diags),
        std::mem::replace(&mut checked.findings, findings),
    ));
    Some(Ok((changed, undo)))
}

/// `curricula check`: every diagnostic a build would report, nothing written.
/// The pages are made (and nothing kept of them but the link index) only when
/// the content could make a page's links or anchors fail ([`check_unrendered`]).
pub fn check(root: &Path) -> Vec<Diagnostic> {
    match load_checked(root, None) {
        Ok(checked) => check_unrendered(root, &checked).unwrap_or_else(|| check_rendered(root, checked)),
        Err(d) => d,
    }
}

/// [`check`] with every page made, whatever the content (to compare both ways).
pub fn check_with_pages(root: &Path) -> Vec<Diagnostic> {
    match load_checked(root, None) {
        Ok(checked) => check_rendered(root, checked),
        Err(d) => d,
    }
}

/// [`check`] without making pages, `None` where that could miss something.
pub fn check_without_pages(root: &Path) -> Option<Vec<Diagnostic>> {
    match load_checked(root, None) {
        Ok(checked) => check_unrendered(root, &checked),
        Err(d) => Some(d),
    }
}

/// The diagnostics of a build found without making its pages, when nothing
/// but raw HTML in the content's Markdown could add any. That holds when the
/// theme is the built-in one (whose links and anchors the tests check on every
/// kind of page), "edit this file" links leave the site, and every mark of a
/// link in the content ([`crate::links::link_marks`]) is in a Markdown text
/// whose links, as rendered for the page where the link check judges them,
/// leave the site or stay inside the text ([`crate::links::self_contained`]:
/// external links, footnotes). A previous build's pages in `public/` are
/// compared with the new pages of the curricula's folders, made for that
/// alone ([`anchors_removed`]).
fn check_unrendered(root: &Path, checked: &Checked) -> Option<Vec<Diagnostic>> {
    use crate::links::{link_marks, self_contained};
    use rayon::prelude::*;
    let site = &checked.site;
    let raw_html = site.config.allow_raw_html;
    if site.config.repository.as_deref().is_some_and(|r| !crate::links::is_external(r)) {
        return None;
    }
    let marked: BTreeMap<&str, usize> = checked
        .sources
        .par_iter()
        .map(|(file, text)| (file.as_str(), link_marks(text, raw_html)))
        .filter(|(_, marks)| *marks > 0)
        .collect();
    let texts = render::markdown_texts(site);
    let judged: Vec<(&str, usize, bool, Vec<Diagnostic>)> = texts
        .par_iter()
        .filter_map(|t| {
            let marks = link_marks(t.text, raw_html);
            // Raw HTML starts with `<`.
            let raw = !raw_html && t.text.contains('<');
            (marks > 0 || raw).then(|| {
                let (html, warnings) = render::render_markdown_text(site, t);
                (t.file, marks, self_contained(&html), warnings)
            })
        })
        .collect();
    let mut in_texts: BTreeMap<&str, usize> = BTreeMap::new();
    let mut warnings = Diagnostics::new();
    for (file, marks, contained, found) in judged {
        if !contained {
            return None;
        }
        if marks > 0 {
            *in_texts.entry(file).or_default() += marks;
        }
        warnings.extend(found);
    }
    if in_texts != marked {
        return None;
    }
    // The theme last: the long way loads it again.
    let theme = render::Theme::load(root, &site.config.theme).ok().filter(render::Theme::is_built_in)?;
    let old = root.join("public");
    if crate::links::OldPages::exist(site, &old) {
        warnings.extend(anchors_removed(checked, &theme, &old)?);
    }
    Some(checked.diags.sorted_with(&warnings))
}

/// The warnings about the anchors and pages of a previous build in `old`
/// that the new build would remove, from the new pages of the curricula's
/// folders alone (the only pages compared: [`crate::links::OldPages`]);
/// `None` if those pages cannot be made. A curriculum whose previous page
/// was made from the same inputs ([`crate::inputs`]) has the same pages: its
/// pages are neither made nor read.
fn anchors_removed(checked: &Checked, theme: &render::Theme, old: &Path) -> Option<Diagnostics> {
    let site = &checked.site;
    let changed = changed_since(site, old);
    if changed.is_empty() {
        return Some(Diagnostics::new());
    }
    let index = crate::links::LinkIndex::new(&site.config.base_url);
    // A previous page with the same bytes has the same ids: its fingerprint
    // is compared instead of its ids collected.
    let made = std::sync::Mutex::new(rustc_hash::FxHashMap::default());
    let note = |f: OutFile| {
        index.add(&f.path, &f.bytes);
        let print = crate::text::fingerprint(&f.bytes);
        made.lock().unwrap_or_else(|e| e.into_inner()).insert(f.path, print);
    };
    let scope = render::Scope::curriculum_pages(changed.clone());
    render::render_scoped_to(site, theme, &checked.sources, &scope, &render::Reuse::default(), &note).ok()?;
    let made = made.into_inner().unwrap_or_else(|e| e.into_inner());
    let same = crate::links::Unchanged::Prints(&made);
    let old_pages = crate::links::OldPages::read_of(site, old, &|ci| changed.contains(&ci), &same);
    Some(old_pages.removed(site, &|p| index.ids_of(p)))
}

/// The curricula (by index) whose pages in the previous build `old` were not
/// made from the inputs of their pages now ([`crate::inputs`]; with the
/// built-in theme, whose templates those include).
fn changed_since(site: &Site, old: &Path) -> BTreeSet<usize> {
    use rayon::prelude::*;
    (0..site.curricula.len())
        .into_par_iter()
        .filter(|&ci| {
            let c = &site.curricula[ci];
            previous_inputs(&old.join(&c.id).join("index.html")) != Some(c.inputs)
        })
        .collect()
}

/// The inputs' fingerprint in the head of a previous build's curriculum page
/// `path`, read from its start (where the built-in theme puts it).
fn previous_inputs(path: &Path) -> Option<u64> {
    use std::io::Read;
    let mut start = Vec::with_capacity(8192);
    std::fs::File::open(path).ok()?.take(8192).read_to_end(&mut start).ok()?;
    let text = match std::str::from_utf8(&start) {
        Ok(t) => t,
        // Cut inside a character: what comes before it.
        Err(e) => std::str::from_utf8(&start[..e.valid_up_to()]).ok()?,
    };
    crate::inputs::of_page(text)
}

fn check_rendered(root: &Path, mut checked: Checked) -> Vec<Diagnostic> {
    let sources = load::Reread::new(root, std::mem::take(&mut checked.sources));
    let theme = match render::Theme::load(root, &checked.site.config.theme) {
        Ok(theme) => theme,
        Err(d) => return checked.diags.sorted_with(&d),
    };
    let old_pages = || {
        let (site, old) = (&checked.site, root.join("public"));
        let changed = if theme.is_built_in() { changed_since(site, &old) } else { (0..site.curricula.len()).collect() };
        crate::links::OldPages::read_of(site, &old, &|ci| changed.contains(&ci), &crate::links::Unchanged::None)
    };
    let (streamed, old_pages) =
        rayon::join(|| render_streamed(&checked, &theme, &sources, &render::Scope::check(), None), old_pages);
    match streamed {
        Ok(streamed) => {
            let mut found = streamed.found;
            let index = &streamed.index;
            found.extend(old_pages.removed(&checked.site, &|p| index.ids_of(p)));
            checked.diags.sorted_with(&found)
        }
        Err(d) => d,
    }
}

/// A render whose files went to a callback, with what was kept of them.
struct Streamed {
    /// Render warnings and link errors.
    found: Diagnostics,
    index: crate::links::LinkIndex,
    pages: usize,
    files: usize,
    compare: Duration,
}

/// Renders the whole checked site, writes every file into `staging` (if
/// given) and checks the links; `Err` carries every diagnostic when there
/// are errors.
fn render_streamed(
    checked: &Checked,
    theme: &render::Theme,
    sources: &dyn render::SourceText,
    scope: &render::Scope,
    staging: Option<&crate::output::Staging>,
) -> Result<Streamed, Vec<Diagnostic>> {
    let site = &checked.site;
    let index = crate::links::LinkIndex::new(&site.config.base_url);
    let sink = Streaming { index, staging, pages: Default::default(), files: Default::default() };
    let summary = render::render_scoped_to(site, theme, sources, scope, &render::Reuse::default(), &sink)
        .map_err(|d| checked.diags.sorted_with(&d))?;
    let mut found = summary.warnings;
    found.extend(sink.index.check(site));
    found.extend(crate::links::check_item_anchors(site, &site.module_places(), |p| sink.index.ids_of(p)));
    if found.has_errors() {
        return Err(checked.diags.sorted_with(&found));
    }
    let (pages, files) = (sink.pages.into_inner(), sink.files.into_inner());
    Ok(Streamed { found, index: sink.index, pages, files, compare: summary.compare })
}

/// Where a build's files go as they are made: their links and ids to the
/// link index, their bytes to the staging folder (none for `check`).
struct Streaming<'a> {
    index: crate::links::LinkIndex,
    staging: Option<&'a crate::output::Staging>,
    pages: std::sync::atomic::AtomicUsize,
    files: std::sync::atomic::AtomicUsize,
}

impl Streaming<'_> {
    fn count(&self, path: &str) {
        use std::sync::atomic::Ordering::Relaxed;
        self.files.fetch_add(1, Relaxed);
        if path.ends_with(".html") {
            self.pages.fetch_add(1, Relaxed);
        }
    }
}

impl render::Sink for Streaming<'_> {
    fn file(&self, f: OutFile) {
        self.index.add(&f.path, &f.bytes);
        if let Some(staging) = self.staging {
            staging.put(&f);
        }
        self.count(&f.path);
    }

    /// Each part goes to the link index and the file as it comes: the page
    /// of all items of a large site is never held whole.
    fn parts(&self, path: String, _size: usize, make: render::Parts) {
        let mut noted = self.index.parts(&path);
        match self.staging {
            Some(staging) => staging.write_with(&path, |out| {
                let mut written = Ok(());
                make(&mut |part, made| {
                    if !made {
                        noted.add(part);
                    }
                    if written.is_ok() {
                        written = out.write_all(part);
                    }
                });
                written
            }),
            None => make(&mut |part, made| {
                if !made {
                    noted.add(part)
                }
            }),
        }
        noted.finish();
        self.count(&path);
    }
}

/// `curricula build`: renders and atomically replaces the output folder.
///
/// Files go to a staging folder as they are made and only what the link check
/// needs is kept of them, so memory follows the content, not the output.
/// "render" in the timings includes those writes; "write" is the swap.
pub fn build(opts: &BuildOptions) -> Result<Report, Failure> {
    let output = opts.output.clone().unwrap_or_else(|| opts.root.join("public"));
    crate::output::check_output_dir(&opts.root, &output).map_err(Failure::Io)?;
    // The theme loads beside the content (loading keeps only one core busy
    // for much of its time), under the name site.yaml gives; again after it
    // if that name was not the one loaded.
    let (checked, early) = rayon::join(
        || load_checked(&opts.root, opts.base_url.as_deref()),
        || load::theme_name(&opts.root).map(|name| (render::Theme::load(&opts.root, &name), name)),
    );
    let mut checked = checked.map_err(Failure::Content)?;
    let theme = match early {
        Some((Ok(theme), name)) if name == checked.site.config.theme => theme,
        _ => render::Theme::load(&opts.root, &checked.site.config.theme)
            .map_err(|d| Failure::Content(checked.diags.sorted_with(&d)))?,
    };
    let mut timings = checked.timings.clone();
    // Each source is read again for its source view: a large site's sources
    // are not held through the render.
    let sources = load::Reread::new(&opts.root, std::mem::take(&mut checked.sources));
    let io = |e: std::io::Error| Failure::Io(format!("cannot write {}: {e}", output.display()));
    let staging = crate::output::Staging::new(&output).map_err(io)?;
    let t = Instant::now();
    let streamed =
        render_streamed(&checked, &theme, &sources, &render::Scope::all(), Some(&staging)).map_err(Failure::Content)?;
    timings.render = t.elapsed();
    timings.compare = streamed.compare;
    let mut found = streamed.found;
    let index = &streamed.index;
    // The previous build's pages, for the anchors it would lose; a page
    // linked from it is unchanged (most of them, in a rebuild).
    let linked = staging.linked();
    let old_pages = crate::links::OldPages::read(&checked.site, &output, &crate::links::Unchanged::Paths(&linked));
    found.extend(old_pages.removed(&checked.site, &|p| index.ids_of(p)));
    let t = Instant::now();
    staging.commit().map_err(io)?;
    timings.write = t.elapsed();
    Ok(Report {
        diagnostics: checked.diags.sorted_with(&found),
        pages: streamed.pages,
        files: streamed.files,
        output,
        timings,
    })
}
