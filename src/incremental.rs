//! Rebuilding after an edit (the engine of `serve`, also timed by `bench`).
//!
//! The first rebuild loads, renders and writes everything. After that, every
//! rebuild compares fingerprints of the content and theme files with the last
//! good build (only files whose stamp changed, or those a watcher names, are
//! read again):
//! - only module files changed (same files, same module numbers, theme
//!   untouched): those modules are parsed again into the kept site, the site is
//!   checked again, the modules' own pages are written first, and then only the
//!   pages and data files that depend on them are rendered (see
//!   [`crate::render::Scope`]); what was computed for untouched curricula
//!   (search documents, sort keys: [`crate::render::Reuse`]) is reused;
//! - only templates or theme files changed: the content already loaded is
//!   rendered again without loading it;
//! - anything else (site.yaml, glossary, curriculum.yaml, comparisons, added or
//!   removed files): a full load and render.
//!
//! In every case the links of the resulting site are checked (after a module
//! edit only those that can have changed, see `render_modules`), and only
//! files whose bytes differ are written, so the output equals a full build
//! byte for byte (tested in tests/incremental.rs). A failed rebuild changes
//! nothing (pages written ahead are put back, the kept site is undone): the
//! next one is compared with the last good build again.
//!
//! The fingerprints kept for the last good build are those of the bytes its
//! load read, not those of the walk before it: files change while a site
//! loads, and the watcher's later reports of them are compared with these.

use crate::build::Checked;
use crate::diag::{Diagnostic, Diagnostics};
use crate::render::{OutFile, Scope, Theme};
use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Told which files a rebuild wrote ahead of the others (serve reloads them at once).
pub type Early<'a> = &'a mut (dyn FnMut(&[String]) + Send);

/// The outcome of one rebuild.
pub enum Rebuilt {
    /// The build succeeded; these output paths were written or removed.
    Changed { paths: Vec<String>, warnings: Vec<Diagnostic>, mode: Mode },
    /// The build has errors; nothing was written.
    Failed(Vec<Diagnostic>),
}

/// How much a rebuild did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Loaded and rendered everything.
    Full,
    /// Rendered everything from the content already loaded (templates changed).
    Theme,
    /// Parsed the changed modules again and rendered what depends on them.
    Modules,
    /// Nothing changed since the last good build.
    Unchanged,
}

/// Path and content hash of every input file, sorted by path.
type Fingerprint = Vec<(PathBuf, u64)>;

/// What the file system says of a file: enough to tell that it did not change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    len: u64,
    modified: Option<std::time::SystemTime>,
}

/// The stamp and content hash of each input file seen by the last rebuild.
type Stamps = std::collections::HashMap<PathBuf, (Stamp, u64)>;

/// The input files a build was made from.
#[derive(Clone)]
struct Inputs {
    /// site.yaml and content/.
    content: Fingerprint,
    /// themes/.
    theme: Fingerprint,
}

impl Inputs {
    /// Takes the fingerprints of the files a load `read` (paths relative to
    /// `root`) as what the build was made from. A file can change between the
    /// walk that made these inputs and the load, or appear and go again
    /// meanwhile; the watcher's reports of it are compared with these
    /// afterwards, so they must say what the site holds.
    fn take_read<'a>(&mut self, root: &Path, read: impl Iterator<Item = (&'a String, &'a u64)>) {
        for (rel, &h) in read {
            let path = root.join(rel);
            let list = if rel.starts_with("themes/") { &mut self.theme } else { &mut self.content };
            match list.binary_search_by(|(p, _)| p.as_path().cmp(&path)) {
                Ok(i) => list[i].1 = h,
                Err(i) => list.insert(i, (path, h)),
            }
        }
    }
}

/// The last good build.
struct State {
    inputs: Inputs,
    checked: Checked,
    theme: std::sync::Arc<Theme>,
    /// Search documents and sort keys, for the next scoped render.
    reuse: crate::render::Reuse,
    /// Warnings found while rendering (they are not part of `checked`).
    render_warnings: Diagnostics,
    /// What is kept of each file of the output folder, by path.
    files: BTreeMap<String, Kept>,
}

/// What is kept of a written file: enough to tell whether it changed and to
/// check links, not its bytes (memory follows the content, not the output).
#[derive(Clone)]
struct Kept {
    hash: u64,
    links: Arc<crate::links::PageLinks>,
}

/// The files of one render: what is kept of each, and the bytes of those that
/// are new or changed (to be written once the links are checked).
struct Made {
    kept: BTreeMap<String, Kept>,
    changed: BTreeMap<String, Vec<u8>>,
}

fn hash(bytes: &[u8]) -> u64 {
    crate::text::fingerprint(bytes)
}

/// Rebuilds a site in memory and writes only the files that changed.
pub struct Incremental {
    root: PathBuf,
    output: PathBuf,
    state: Option<State>,
    /// Of the content files and of the theme files.
    stamps: [Stamps; 2],
    /// The inputs as the last rebuild saw them (good or not): touched paths
    /// are compared with these, a walk of the tree with the last good build.
    seen: Option<Inputs>,
}

impl Incremental {
    pub fn new(root: &Path, output: &Path) -> Self {
        Incremental {
            root: root.to_path_buf(),
            output: output.to_path_buf(),
            state: None,
            stamps: Default::default(),
            seen: None,
        }
    }

    /// One rebuild. The first writes the whole site atomically; later ones write
    /// the files that differ and delete the ones that are gone.
    pub fn rebuild(&mut self) -> io::Result<Rebuilt> {
        self.rebuild_with(None, &mut |_| {})
    }

    /// [`Self::rebuild`], telling `early` which files were written ahead of
    /// the rest: after a module edit, its own pages (module page, source view)
    /// are rendered and written first, so the page an author is looking at
    /// changes before the indices and comparisons are redone. Those paths are
    /// not repeated in the result; if the rest fails, they are restored.
    ///
    /// `touched` are the paths a file watcher reported since the last rebuild
    /// (as it was given them under the root): when they are all known files,
    /// only those are read, instead of the whole tree. `None` reads the tree.
    pub fn rebuild_with(&mut self, touched: Option<&[PathBuf]>, early: Early) -> io::Result<Rebuilt> {
        let inputs = self.inputs(touched);
        self.rebuild_from(inputs, early)
    }

    /// A rebuild from `inputs` as [`Self::inputs`] found them (the files can
    /// have changed since).
    fn rebuild_from(&mut self, inputs: Inputs, early: Early) -> io::Result<Rebuilt> {
        let (attempt, mode) = match self.plan(&inputs) {
            Plan::Unchanged => {
                let warnings = self.state.as_ref().map(|s| s.checked.diags.sorted_with(&s.render_warnings));
                return Ok(Rebuilt::Changed {
                    paths: Vec::new(),
                    warnings: warnings.unwrap_or_default(),
                    mode: Mode::Unchanged,
                });
            }
            Plan::Modules(files) => match self.rebuild_modules(inputs, &files, early)? {
                Ok(rebuilt) => return Ok(rebuilt),
                Err(inputs) => (self.render_all(inputs, None), Mode::Full),
            },
            Plan::Theme => (self.render_all(inputs, self.state.as_ref().map(|s| s.checked.clone())), Mode::Theme),
            Plan::Full => (self.render_all(inputs, None), Mode::Full),
        };
        match attempt {
            Ok(next) => {
                let (state, paths) = self.write(next)?;
                let warnings = state.checked.diags.sorted_with(&state.render_warnings);
                self.seen = Some(state.inputs.clone());
                self.state = Some(state);
                Ok(Rebuilt::Changed { paths, warnings, mode })
            }
            Err(diags) => Ok(Rebuilt::Failed(diags)),
        }
    }

    /// The input files now: the last seen ones with the `touched` files read
    /// again, or (when a touched path is new, gone or a folder) a walk.
    fn inputs(&mut self, touched: Option<&[PathBuf]>) -> Inputs {
        if let (Some(touched), Some(seen)) = (touched, self.seen.as_mut())
            && refresh(seen, &mut self.stamps, touched)
        {
            return seen.clone();
        }
        let inputs = Inputs {
            content: fingerprint(&mut self.stamps[0], &[self.root.join("site.yaml"), self.root.join("content")]),
            theme: fingerprint(&mut self.stamps[1], &[self.root.join("themes")]),
        };
        self.seen = Some(inputs.clone());
        inputs
    }

    /// After an edit of module files only: reads them again into the last good
    /// build's site (no copy of it), then [`Self::update`]s the output. If
    /// that fails, the site is put back as it was. `Err(inputs)` when the edit
    /// needs a full rebuild after all.
    fn rebuild_modules(
        &mut self,
        inputs: Inputs,
        files: &[String],
        early: Early,
    ) -> io::Result<Result<Rebuilt, Inputs>> {
        let Some(mut state) = self.state.take() else { return Ok(Err(inputs)) };
        let (modules, undo) = match crate::build::reload_modules(&self.root, &mut state.checked, files) {
            Some(Ok(reloaded)) => reloaded,
            other => {
                self.state = Some(state);
                return Ok(match other {
                    Some(Err(diags)) => Ok(Rebuilt::Failed(diags)),
                    _ => Err(inputs),
                });
            }
        };
        let change = undo.index_change(&state.checked.site);
        if state.reuse.other_letter_pages(&change) {
            undo.apply(&mut state.checked);
            self.state = Some(state);
            return Ok(Err(inputs));
        }
        let scope = Scope::modules_changing(&modules, change);
        let result = self.update(&mut state, inputs, files, &modules, &scope, early);
        if matches!(result, Ok(Rebuilt::Changed { .. })) {
            self.seen = Some(state.inputs.clone());
        } else {
            undo.apply(&mut state.checked);
        }
        self.state = Some(state);
        result.map(Ok)
    }

    /// Writes the edited modules' own pages, then renders and writes what
    /// else depends on them. On failure the pages written ahead are put back
    /// and `state` is unchanged but for its (reloaded) site.
    fn update(
        &self,
        state: &mut State,
        mut inputs: Inputs,
        files: &[String],
        modules: &[(usize, usize)],
        scope: &Scope,
        early: Early,
    ) -> io::Result<Rebuilt> {
        // The rest renders meanwhile: the own pages keep one thread busy for
        // only part of their time, and nothing of the rest is written before both end.
        let (ahead, update) = rayon::join(
            || {
                let ahead = self.write_own_pages(state, modules);
                if let Ok(a) = &ahead
                    && !a.written.is_empty()
                {
                    early(&a.written.keys().cloned().collect::<Vec<_>>());
                }
                ahead
            },
            || self.render_modules(state, modules, scope),
        );
        let ahead = ahead?;
        let update = match update {
            Ok(u) => u,
            Err(diags) => {
                ahead.restore();
                return Ok(Rebuilt::Failed(diags));
            }
        };
        let paths = self.write_changed(&update.changed, &ahead).inspect_err(|_| ahead.restore())?;
        state.files.extend(update.kept);
        state.reuse = update.reuse;
        state.render_warnings = update.render_warnings;
        inputs.take_read(&self.root, state.checked.read.iter().filter(|(f, _)| files.contains(f)));
        state.inputs = inputs;
        let warnings = state.checked.diags.sorted_with(&state.render_warnings);
        Ok(Rebuilt::Changed { paths, warnings, mode: Mode::Modules })
    }

    /// Renders the own pages of the edited `modules` and writes those that
    /// changed, if all their links lead to pages and anchors of the last good
    /// build (or of each other); otherwise nothing (the full rebuild reports).
    fn write_own_pages(&self, state: &State, modules: &[(usize, usize)]) -> io::Result<Ahead> {
        let checked = &state.checked;
        let files = Mutex::new(Vec::new());
        let keep = |f: OutFile| files.lock().unwrap_or_else(|e| e.into_inner()).push(f);
        let scope = Scope::module_pages(modules);
        let rendered =
            crate::render::render_scoped_to(&checked.site, &state.theme, &checked.sources, &scope, &state.reuse, &keep);
        let files = files.into_inner().unwrap_or_else(|e| e.into_inner());
        if rendered.is_err() {
            return Ok(Ahead::default());
        }
        let base_url = &checked.site.config.base_url;
        let made: Vec<(OutFile, crate::links::PageLinks)> = files
            .into_iter()
            .map(|f| {
                let links = crate::links::summarize(&f.path, &f.bytes, base_url);
                (f, links)
            })
            .collect();
        let find = |p: &str| {
            made.iter().find(|(f, _)| f.path == p).map(|(_, l)| l).or_else(|| state.files.get(p).map(|k| &*k.links))
        };
        if !made.iter().all(|(_, l)| l.resolves(find)) {
            return Ok(Ahead::default());
        }
        let mut ahead = Ahead::default();
        for (f, _) in &made {
            let h = hash(&f.bytes);
            if state.files.get(&f.path).is_some_and(|k| k.hash == h) {
                continue;
            }
            let target = self.output.join(&f.path);
            ahead.previous.push((target.clone(), std::fs::read(&target).ok()));
            if let Err(e) = crate::output::overwrite(&target, &f.bytes) {
                ahead.restore();
                return Err(e);
            }
            ahead.written.insert(f.path.clone(), h);
        }
        Ok(ahead)
    }

    /// What this rebuild has to do, from what changed since the last good build.
    fn plan(&self, inputs: &Inputs) -> Plan {
        let Some(state) = &self.state else { return Plan::Full };
        let same_theme = state.inputs.theme == inputs.theme;
        match changed_files(&state.inputs.content, &inputs.content) {
            Some(files) if files.is_empty() && same_theme => Plan::Unchanged,
            Some(files) if files.is_empty() => Plan::Theme,
            Some(files) if same_theme => {
                Plan::Modules(files.iter().map(|p| crate::diag::rel_path(&self.root, p)).collect())
            }
            _ => Plan::Full,
        }
    }

    /// Renders `scope` of `checked` and keeps what is needed of each file and
    /// the bytes of those that differ from `old`; the first build streams the
    /// files into `staging` instead of keeping them.
    fn make(
        &self,
        checked: &Checked,
        theme: &Theme,
        scope: &Scope,
        previous: &crate::render::Reuse,
        old: Option<&BTreeMap<String, Kept>>,
        staging: Option<&crate::output::Staging>,
    ) -> Result<(Made, crate::render::Summary), Vec<Diagnostic>> {
        let made = Mutex::new(Made { kept: BTreeMap::new(), changed: BTreeMap::new() });
        let sink = Collect { base_url: &checked.site.config.base_url, old, staging, made: &made };
        let summary = crate::render::render_scoped_to(&checked.site, theme, &checked.sources, scope, previous, &sink)
            .map_err(|d| checked.diags.sorted_with(&d))?;
        Ok((made.into_inner().unwrap_or_else(|e| e.into_inner()), summary))
    }

    /// Loads (unless `checked` is given) and renders the whole site.
    fn render_all(&self, inputs: Inputs, checked: Option<Checked>) -> Result<Next, Vec<Diagnostic>> {
        let checked = match checked {
            Some(c) => c,
            None => crate::build::load_checked(&self.root, None)?,
        };
        let theme = Theme::load(&self.root, &checked.site.config.theme).map_err(|d| checked.diags.sorted_with(&d))?;
        let staging = match &self.state {
            None => Some(crate::output::Staging::new(&self.output).map_err(|e| vec![io_error(&self.output, e)])?),
            Some(_) => None,
        };
        let old = self.state.as_ref().map(|s| &s.files);
        let (made, summary) =
            self.make(&checked, &theme, &Scope::all_for_reuse(), &Default::default(), old, staging.as_ref())?;
        let mut render_warnings = summary.warnings;
        render_warnings.extend(check_links(&checked, &made.kept));
        if render_warnings.has_errors() {
            return Err(checked.diags.sorted_with(&render_warnings));
        }
        let mut inputs = inputs;
        inputs.take_read(&self.root, checked.read.iter().chain(theme.read()));
        let state =
            State { inputs, checked, theme: Arc::new(theme), reuse: summary.reuse, render_warnings, files: made.kept };
        Ok(Next { state, changed: made.changed, staging })
    }

    /// Renders what depends on the changed `modules` (already reloaded into
    /// `state`'s site) and checks the links of the whole site with them.
    fn render_modules(
        &self,
        state: &State,
        modules: &[(usize, usize)],
        scope: &Scope,
    ) -> Result<Update, Vec<Diagnostic>> {
        let checked = &state.checked;
        let (made, summary) = self.make(checked, &state.theme, scope, &state.reuse, Some(&state.files), None)?;
        // Render warnings of the edited files are found again; the others stay.
        let edited: Vec<&str> =
            modules.iter().map(|&(c, m)| checked.site.curricula[c].modules[m].file.as_str()).collect();
        let mut render_warnings = Diagnostics::new();
        render_warnings.extend(state.render_warnings.iter().filter(|d| !edited.contains(&d.file.as_str())).cloned());
        render_warnings.extend(summary.warnings);
        // The whole site as it will be.
        let merged = state.files.iter().map(|(p, k)| (p, made.kept.get(p).unwrap_or(k)));
        let added = made.kept.iter().filter(|(p, _)| !state.files.contains_key(*p));
        let pages: Vec<(&str, &crate::links::PageLinks)> =
            merged.chain(added).map(|(p, k)| (p.as_str(), &*k.links)).collect();
        // Every link of the last good build resolved, and a page not rendered
        // again has the same links: they can only break where they lead to a
        // page rendered again that lost an anchor, or where a page rendered
        // again has other links than before (a title edit changes no links of
        // the index pages, whose links to items are made, not read).
        let lost: Vec<&str> = made
            .kept
            .iter()
            .filter(|(p, k)| state.files.get(*p).is_some_and(|o| o.links.loses_targets_in(&k.links)))
            .map(|(p, _)| p.as_str())
            .collect();
        let other_links = |p: &str| {
            made.kept.get(p).is_some_and(|k| state.files.get(p).is_none_or(|o| !o.links.same_links(&k.links)))
        };
        render_warnings.extend(crate::links::check_summaries_of(&checked.site, &pages, other_links, &lost));
        // The module pages rendered again are those of the edited curricula
        // (`item_anchors` passes over modules whose pages were not).
        let edited: BTreeSet<usize> = modules.iter().map(|(c, _)| *c).collect();
        let remade: Vec<(usize, usize)> =
            checked.site.module_places().into_iter().filter(|(c, _)| edited.contains(c)).collect();
        render_warnings.extend(item_anchors(checked, &remade, &made.kept));
        if render_warnings.has_errors() {
            return Err(checked.diags.sorted_with(&render_warnings));
        }
        Ok(Update { kept: made.kept, changed: made.changed, reuse: summary.reuse, render_warnings })
    }

    /// Writes the new build: the first by swapping in its staging folder,
    /// later ones by writing the files that changed and removing those gone.
    fn write(&self, next: Next) -> io::Result<(State, Vec<String>)> {
        let Next { state, changed, staging } = next;
        if let Some(staging) = staging {
            staging.commit()?;
            let all = state.files.keys().cloned().collect();
            return Ok((state, all));
        }
        let mut paths = self.write_changed(&changed, &Ahead::default())?;
        if let Some(old) = &self.state {
            for path in old.files.keys().filter(|p| !state.files.contains_key(*p)) {
                let _ = std::fs::remove_file(self.output.join(path));
                remove_empty_folders(&self.output, Path::new(path));
                paths.push(path.clone());
            }
        }
        paths.sort();
        Ok((state, paths))
    }

    /// Writes `changed` files but those `ahead` already wrote with the same
    /// bytes, in parallel; returns the paths written.
    fn write_changed(&self, changed: &BTreeMap<String, Vec<u8>>, ahead: &Ahead) -> io::Result<Vec<String>> {
        use rayon::prelude::*;
        let todo: Vec<(&String, &Vec<u8>)> =
            changed.iter().filter(|(path, bytes)| ahead.written.get(*path).is_none_or(|h| *h != hash(bytes))).collect();
        todo.par_iter().try_for_each(|(path, bytes)| {
            let target = self.output.join(path);
            if let Some(p) = target.parent() {
                std::fs::create_dir_all(p)?;
            }
            crate::output::overwrite(&target, bytes)
        })?;
        Ok(todo.into_iter().map(|(path, _)| path.clone()).collect())
    }
}

/// Where [`Incremental::make`] takes the files of a render: what is kept of
/// each (its hash, and its links unless it is as it was) and, without a
/// staging folder, the bytes of the new and changed ones.
struct Collect<'a> {
    base_url: &'a str,
    old: Option<&'a BTreeMap<String, Kept>>,
    staging: Option<&'a crate::output::Staging>,
    made: &'a Mutex<Made>,
}

impl Collect<'_> {
    /// Takes the file `f`, whose links are those of `read` (all of it if none).
    fn take(&self, f: OutFile, read: Option<&[u8]>) {
        let hash = hash(&f.bytes);
        let before = self.old.and_then(|o| o.get(&f.path)).filter(|k| k.hash == hash);
        let same = before.is_some();
        // A file as it was has the links it had (most files an edit renders again).
        let links = before.map_or_else(
            || Arc::new(crate::links::summarize(&f.path, read.unwrap_or(&f.bytes), self.base_url)),
            |k| Arc::clone(&k.links),
        );
        let kept = Kept { hash, links };
        if let Some(s) = self.staging {
            s.put(&f);
        }
        let mut m = self.made.lock().unwrap_or_else(|e| e.into_inner());
        if self.staging.is_none() && !same {
            m.changed.insert(f.path.clone(), f.bytes);
        }
        m.kept.insert(f.path, kept);
    }
}

impl crate::render::Sink for Collect<'_> {
    fn file(&self, f: OutFile) {
        self.take(f, None);
    }

    /// The parts whose links were made from the model are not read
    /// ([`crate::render::Parts`]).
    fn parts(&self, path: String, size: usize, make: crate::render::Parts) {
        let (mut bytes, mut read) = (Vec::with_capacity(size), Vec::new());
        make(&mut |part, made| {
            bytes.extend_from_slice(part);
            if !made {
                read.extend_from_slice(part);
            }
        });
        self.take(OutFile { path, bytes }, Some(&read));
    }
}

/// What a scoped render changes in the last good build.
struct Update {
    kept: BTreeMap<String, Kept>,
    changed: BTreeMap<String, Vec<u8>>,
    reuse: crate::render::Reuse,
    render_warnings: Diagnostics,
}

/// Files written ahead of a rebuild's other files, and what they replaced.
#[derive(Default)]
struct Ahead {
    /// Output path → hash of the bytes written.
    written: BTreeMap<String, u64>,
    /// Each file's previous bytes (`None`: it did not exist).
    previous: Vec<(PathBuf, Option<Vec<u8>>)>,
}

impl Ahead {
    /// Puts back what was there before (the rest of the rebuild failed).
    fn restore(&self) {
        for (target, bytes) in &self.previous {
            let _ = match bytes {
                Some(b) => crate::output::overwrite(target, b),
                None => std::fs::remove_file(target),
            };
        }
    }
}

/// A rendered build not yet written.
struct Next {
    state: State,
    /// New or changed files (none for a first build, which is staged instead).
    changed: BTreeMap<String, Vec<u8>>,
    staging: Option<crate::output::Staging>,
}

fn io_error(output: &Path, e: io::Error) -> Diagnostic {
    Diagnostic::error(output.display().to_string(), None, format!("cannot write the output: {e}"))
        .with_hint("check that the output folder is writable")
}

enum Plan {
    Unchanged,
    Full,
    /// Only templates or theme files changed.
    Theme,
    /// Only these files (relative to the root) changed, which may all be modules.
    Modules(Vec<String>),
}

/// Removes the folders of a removed file that are now empty, up to (not
/// including) the output folder, as a full build would not make them.
fn remove_empty_folders(output: &Path, removed: &Path) {
    // `remove_dir` refuses a folder that is not empty, which ends the walk.
    for dir in removed.ancestors().skip(1).take_while(|d| !d.as_os_str().is_empty()) {
        if std::fs::remove_dir(output.join(dir)).is_err() {
            break;
        }
    }
}

fn check_links(checked: &Checked, files: &BTreeMap<String, Kept>) -> Diagnostics {
    let pages: Vec<(&str, &crate::links::PageLinks)> = files.iter().map(|(p, k)| (p.as_str(), &*k.links)).collect();
    let mut found = crate::links::check_summaries(&checked.site, &pages);
    found.extend(item_anchors(checked, &checked.site.module_places(), files));
    found
}

/// [`crate::links::check_item_anchors`] of `modules` with their pages among `files`.
fn item_anchors(checked: &Checked, modules: &[(usize, usize)], files: &BTreeMap<String, Kept>) -> Diagnostics {
    crate::links::check_item_anchors(&checked.site, modules, |p| files.get(p).map(|k| k.links.ids().clone()))
}

/// The files whose content differs, if both fingerprints have the same files
/// (`None` when a file was added or removed).
fn changed_files(old: &Fingerprint, new: &Fingerprint) -> Option<Vec<PathBuf>> {
    if old.len() != new.len() || old.iter().zip(new).any(|(a, b)| a.0 != b.0) {
        return None;
    }
    Some(old.iter().zip(new).filter(|(a, b)| a.1 != b.1).map(|(_, b)| b.0.clone()).collect())
}

/// Hashes of every file under `paths` (files or folders), sorted by path. A
/// file is read again only if its size or modification time differs from
/// what `stamps` say, or it was modified in the last seconds: file systems
/// with coarse time stamps would hide a second edit within the same tick
/// (git's "racily clean" entries). `stamps` are replaced by what was seen.
fn fingerprint(stamps: &mut Stamps, paths: &[PathBuf]) -> Fingerprint {
    let settled_before = std::time::SystemTime::now() - std::time::Duration::from_secs(3);
    let old = std::mem::take(stamps);
    let mut v = Vec::new();
    for entry in paths.iter().flat_map(|p| walkdir::WalkDir::new(p).follow_links(false).into_iter().flatten()) {
        let stamp = entry.metadata().ok().map(|m| Stamp { len: m.len(), modified: m.modified().ok() });
        let path = entry.into_path();
        let known = old.get(&path).filter(|(s, _)| Some(*s) == stamp && s.modified.is_some_and(|t| t < settled_before));
        let h = match known {
            Some((_, h)) => *h,
            None => hash_file(&path),
        };
        if let Some(s) = stamp {
            stamps.insert(path.clone(), (s, h));
        }
        v.push((path, h));
    }
    v.sort();
    v
}

/// Reads the `touched` files again into `seen` (content, theme) and their
/// `stamps`; `false` if that does not tell the whole change: a touched path
/// is not a known file (new, removed, or a folder). A path that is neither
/// known nor there (a temporary file that came and went) changes nothing.
fn refresh(seen: &mut Inputs, stamps: &mut [Stamps; 2], touched: &[PathBuf]) -> bool {
    for path in touched {
        let meta = std::fs::symlink_metadata(path);
        let found = [&seen.content, &seen.theme]
            .iter()
            .enumerate()
            .find_map(|(k, f)| f.binary_search_by(|(p, _)| p.as_path().cmp(path)).ok().map(|i| (k, i)));
        match (found, meta) {
            (Some((k, i)), Ok(m)) if m.is_file() => {
                let h = hash_file(path);
                let list = if k == 0 { &mut seen.content } else { &mut seen.theme };
                list[i].1 = h;
                stamps[k].insert(path.clone(), (Stamp { len: m.len(), modified: m.modified().ok() }, h));
            }
            (None, Err(e)) if e.kind() == io::ErrorKind::NotFound => {}
            _ => return false,
        }
    }
    true
}

/// The hash of a file's bytes (of its size if it cannot be read, e.g. a folder).
/// The same fingerprint as the load's ([`crate::load::Loaded::read`]).
fn hash_file(path: &Path) -> u64 {
    match std::fs::read(path) {
        Ok(bytes) => hash(&bytes),
        Err(_) => hash(&std::fs::symlink_metadata(path).map(|m| m.len()).unwrap_or(0).to_le_bytes()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_read_again_when_their_stamp_changed_or_is_recent() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a.md"), dir.path().join("b.md"));
        let long_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
        let write = |p: &Path, text: &str, old: bool| {
            std::fs::write(p, text).unwrap();
            if old {
                std::fs::File::options().write(true).open(p).unwrap().set_modified(long_ago).unwrap();
            }
        };
        write(&a, "eins", true);
        write(&b, "zwei", false);
        let mut stamps = Stamps::new();
        let first = fingerprint(&mut stamps, &[dir.path().to_path_buf()]);
        // Same size and time long ago: taken as unchanged without reading it
        // (the stale hash shows that it was not read).
        write(&a, "EINS", true);
        // Same size, but modified just now: read again.
        write(&b, "ZWEI", false);
        let second = fingerprint(&mut stamps, &[dir.path().to_path_buf()]);
        let of = |f: &Fingerprint, p: &Path| f.iter().find(|(q, _)| q == p).map(|(_, h)| *h);
        assert_eq!(of(&first, &a), of(&second, &a));
        assert_ne!(of(&first, &b), of(&second, &b));
        // Another size: read again, however old.
        write(&a, "einsundzwanzig", true);
        let third = fingerprint(&mut stamps, &[dir.path().to_path_buf()]);
        assert_ne!(of(&second, &a), of(&third, &a));
        assert_eq!(of(&third, &a), Some(hash_file(&a)));
    }

    /// A copy of the valid fixture site, built once: the folder, the site's
    /// root and output, and the rebuilder.
    fn fixture() -> (tempfile::TempDir, PathBuf, PathBuf, Incremental) {
        let dir = tempfile::tempdir().unwrap();
        let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/valid");
        for entry in walkdir::WalkDir::new(&from).into_iter().flatten() {
            let to = dir.path().join("site").join(entry.path().strip_prefix(&from).unwrap());
            if entry.file_type().is_dir() {
                std::fs::create_dir_all(&to).unwrap();
            } else {
                std::fs::copy(entry.path(), &to).unwrap();
            }
        }
        let (root, out) = (dir.path().join("site"), dir.path().join("out"));
        let mut inc = Incremental::new(&root, &out);
        assert!(matches!(inc.rebuild().unwrap(), Rebuilt::Changed { .. }));
        (dir, root, out, inc)
    }

    fn page(out: &Path, path: &str) -> Option<String> {
        std::fs::read_to_string(out.join(path)).ok()
    }

    #[test]
    fn a_file_that_comes_and_goes_during_a_load_is_not_left_behind() {
        let (_dir, root, out, mut inc) = fixture();
        // site.yaml is saved (a full rebuild); a new module appears after the
        // walk that found that, but before the load reads the tree.
        let config = root.join("site.yaml");
        std::fs::write(&config, std::fs::read_to_string(&config).unwrap() + "# gespeichert\n").unwrap();
        let m2 = std::fs::read_to_string(root.join("content/alpha/modules/m2.md")).unwrap();
        let m9 = root.join("content/alpha/modules/m9.md");
        let walked = inc.inputs(None);
        std::fs::write(&m9, m2.replace("number: 2", "number: 9")).unwrap();
        assert!(matches!(inc.rebuild_from(walked, &mut |_| {}).unwrap(), Rebuilt::Changed { .. }));
        assert!(page(&out, "alpha/m9/index.html").is_some());
        // It goes again; the watcher names it.
        std::fs::remove_file(&m9).unwrap();
        assert!(matches!(inc.rebuild_with(Some(&[m9]), &mut |_| {}).unwrap(), Rebuilt::Changed { .. }));
        assert!(page(&out, "alpha/m9/index.html").is_none(), "the page of a removed module is removed");
    }

    #[test]
    fn a_module_saved_again_while_it_is_reloaded_is_shown_as_last_saved() {
        let (_dir, root, out, mut inc) = fixture();
        let m1 = root.join("content/alpha/modules/m1.md");
        let text = std::fs::read_to_string(&m1).unwrap();
        let save = |title: &str| std::fs::write(&m1, text.replace("title: Einführung", title)).unwrap();
        // Saved as A; before the rebuild reads it, saved as B.
        save("title: Erste Fassung");
        let seen = inc.inputs(Some(std::slice::from_ref(&m1)));
        save("title: Zweite Fassung");
        assert!(matches!(inc.rebuild_from(seen, &mut |_| {}).unwrap(), Rebuilt::Changed { .. }));
        assert!(page(&out, "alpha/m1/index.html").unwrap().contains("Zweite Fassung"));
        // Then saved as A again.
        save("title: Erste Fassung");
        assert!(matches!(inc.rebuild_with(Some(&[m1]), &mut |_| {}).unwrap(), Rebuilt::Changed { .. }));
        assert!(page(&out, "alpha/m1/index.html").unwrap().contains("Erste Fassung"));
    }

    #[test]
    fn added_or_removed_files_are_not_a_module_change() {
        let a = vec![(PathBuf::from("a"), 1), (PathBuf::from("b"), 2)];
        let b = vec![(PathBuf::from("a"), 1), (PathBuf::from("b"), 3)];
        assert_eq!(changed_files(&a, &b), Some(vec![PathBuf::from("b")]));
        assert_eq!(changed_files(&a, &a), Some(vec![]));
        assert_eq!(changed_files(&a, &b[..1].to_vec()), None);
        let renamed = vec![(PathBuf::from("a"), 1), (PathBuf::from("c"), 2)];
        assert_eq!(changed_files(&a, &renamed), None);
    }
}
