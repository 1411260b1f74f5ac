//! Rebuilding after an edit (the engine of `serve`, also timed by `bench`).
//!
//! The first rebuild loads, renders and writes everything. After that, every
//! rebuild compares fingerprints of the content and theme files with the last
//! good build:
//! - only module files changed (same files, same module numbers, theme
//!   untouched): those modules are parsed again, the site is checked again, and
//!   only the pages and data files that depend on them are rendered (see
//!   [`crate::render::Scope`]); comparisons of untouched curricula are reused;
//! - only templates or theme files changed: the content already loaded is
//!   rendered again without loading it;
//! - anything else (site.yaml, glossary, curriculum.yaml, comparisons, added or
//!   removed files): a full load and render.
//!
//! In every case the links of the whole resulting site are checked, and only
//! files whose bytes differ are written, so the output equals a full build
//! byte for byte (tested in tests/serve.rs). A failed rebuild changes nothing:
//! the next one is compared with the last good build again.

use crate::build::Checked;
use crate::diag::{Diagnostic, Diagnostics};
use crate::render::{OutFile, Scope, Theme};
use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

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

/// The input files a build was made from.
struct Inputs {
    /// site.yaml and content/.
    content: Fingerprint,
    /// themes/.
    theme: Fingerprint,
}

/// The last good build.
struct State {
    inputs: Inputs,
    checked: Checked,
    theme: std::sync::Arc<Theme>,
    comparisons: crate::render::Comparisons,
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
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut h);
    h.finish()
}

/// Rebuilds a site in memory and writes only the files that changed.
pub struct Incremental {
    root: PathBuf,
    output: PathBuf,
    state: Option<State>,
}

impl Incremental {
    pub fn new(root: &Path, output: &Path) -> Self {
        Incremental { root: root.to_path_buf(), output: output.to_path_buf(), state: None }
    }

    /// One rebuild. The first writes the whole site atomically; later ones write
    /// the files that differ and delete the ones that are gone.
    pub fn rebuild(&mut self) -> io::Result<Rebuilt> {
        self.rebuild_with(&mut |_| {})
    }

    /// [`Self::rebuild`], telling `early` which files were written ahead of
    /// the rest: after a module edit, its own pages (module page, source view)
    /// are rendered and written first, so the page an author is looking at
    /// changes before the indices and comparisons are redone. Those paths are
    /// not repeated in the result; if the rest fails, they are restored.
    pub fn rebuild_with(&mut self, early: &mut dyn FnMut(&[String])) -> io::Result<Rebuilt> {
        let inputs = Inputs {
            content: fingerprint(&[self.root.join("site.yaml"), self.root.join("content")]),
            theme: fingerprint(&[self.root.join("themes")]),
        };
        let mut ahead = Ahead::default();
        let (attempt, mode) = match self.plan(&inputs) {
            Plan::Unchanged => {
                let warnings = self.state.as_ref().map(|s| s.checked.diags.sorted_with(&s.render_warnings));
                return Ok(Rebuilt::Changed {
                    paths: Vec::new(),
                    warnings: warnings.unwrap_or_default(),
                    mode: Mode::Unchanged,
                });
            }
            Plan::Modules(checked, modules) => {
                ahead = self.write_own_pages(&checked, &modules)?;
                if !ahead.written.is_empty() {
                    early(&ahead.written.keys().cloned().collect::<Vec<_>>());
                }
                (self.render_modules(inputs, checked, &modules), Mode::Modules)
            }
            Plan::Theme => (self.render_all(inputs, self.state.as_ref().map(|s| s.checked.clone())), Mode::Theme),
            Plan::Full => (self.render_all(inputs, None), Mode::Full),
            Plan::Failed(d) => (Err(d), Mode::Modules),
        };
        match attempt {
            Ok(next) => {
                let (state, paths) = self.write(next, &ahead).inspect_err(|_| ahead.restore())?;
                let warnings = state.checked.diags.sorted_with(&state.render_warnings);
                self.state = Some(state);
                Ok(Rebuilt::Changed { paths, warnings, mode })
            }
            Err(diags) => {
                ahead.restore();
                Ok(Rebuilt::Failed(diags))
            }
        }
    }

    /// Renders the own pages of the edited `modules` and writes those that
    /// changed, if all their links lead to pages and anchors of the last good
    /// build (or of each other); otherwise nothing (the full rebuild reports).
    fn write_own_pages(&self, checked: &Checked, modules: &[(usize, usize)]) -> io::Result<Ahead> {
        let Some(state) = &self.state else { return Ok(Ahead::default()) };
        let files = Mutex::new(Vec::new());
        let keep = |f: OutFile| files.lock().unwrap_or_else(|e| e.into_inner()).push(f);
        let scope = Scope::module_pages(modules);
        let rendered = crate::render::render_scoped_to(
            &checked.site,
            &state.theme,
            &checked.sources,
            &scope,
            &state.comparisons,
            &keep,
        );
        let files = files.into_inner().unwrap_or_else(|e| e.into_inner());
        if rendered.is_err() {
            return Ok(Ahead::default());
        }
        let base_url = &checked.site.config.base_url;
        let made: Vec<(OutFile, crate::links::PageLinks)> = files
            .into_iter()
            .map(|f| (crate::links::summarize(&f.path, &f.bytes, base_url), f))
            .map(|(l, f)| (f, l))
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
            if let Err(e) = std::fs::write(&target, &f.bytes) {
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
                let rel: Vec<String> = files.iter().map(|p| crate::diag::rel_path(&self.root, p)).collect();
                match crate::build::reload_modules(&self.root, &state.checked, &rel) {
                    Some(Ok((checked, modules))) => Plan::Modules(Box::new(checked), modules),
                    Some(Err(d)) => Plan::Failed(d),
                    None => Plan::Full,
                }
            }
            _ => Plan::Full,
        }
    }

    /// Renders `scope` of `checked` and keeps what is needed of each file; the
    /// first build streams the files into `staging` instead of keeping them.
    fn make(
        &self,
        checked: &Checked,
        theme: &Theme,
        scope: &Scope,
        previous: &[Arc<crate::compare::ComparisonResult>],
        staging: Option<&crate::output::Staging>,
    ) -> Result<(Made, crate::render::Summary), Vec<Diagnostic>> {
        let base_url = &checked.site.config.base_url;
        let old = self.state.as_ref().map(|s| &s.files);
        let made = Mutex::new(Made { kept: BTreeMap::new(), changed: BTreeMap::new() });
        let sink = |f: OutFile| {
            let kept =
                Kept { hash: hash(&f.bytes), links: Arc::new(crate::links::summarize(&f.path, &f.bytes, base_url)) };
            let same = old.and_then(|o| o.get(&f.path)).is_some_and(|k| k.hash == kept.hash);
            if let Some(s) = staging {
                s.put(&f);
            }
            let mut m = made.lock().unwrap_or_else(|e| e.into_inner());
            if staging.is_none() && !same {
                m.changed.insert(f.path.clone(), f.bytes);
            }
            m.kept.insert(f.path, kept);
        };
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
        let (made, summary) = self.make(&checked, &theme, &Scope::all(), &[], staging.as_ref())?;
        let mut render_warnings = summary.warnings;
        render_warnings.extend(check_links(&checked, &made.kept));
        if render_warnings.has_errors() {
            return Err(checked.diags.sorted_with(&render_warnings));
        }
        let state = State {
            inputs,
            checked,
            theme: Arc::new(theme),
            comparisons: summary.comparisons,
            render_warnings,
            files: made.kept,
        };
        Ok(Next { state, changed: made.changed, staging })
    }

    /// Renders what depends on the changed `modules` over the last good build.
    fn render_modules(
        &self,
        inputs: Inputs,
        checked: Box<Checked>,
        modules: &[(usize, usize)],
    ) -> Result<Next, Vec<Diagnostic>> {
        let Some(state) = &self.state else { return self.render_all(inputs, Some(*checked)) };
        let scope = Scope::modules(modules);
        let (made, summary) = self.make(&checked, &state.theme, &scope, &state.comparisons, None)?;
        let mut files = state.files.clone();
        files.extend(made.kept);
        // Render warnings of the edited files are found again; the others stay.
        let edited: Vec<&str> =
            modules.iter().map(|&(c, m)| checked.site.curricula[c].modules[m].file.as_str()).collect();
        let mut render_warnings = Diagnostics::new();
        render_warnings.extend(state.render_warnings.iter().filter(|d| !edited.contains(&d.file.as_str())).cloned());
        render_warnings.extend(summary.warnings);
        render_warnings.extend(check_links(&checked, &files));
        if render_warnings.has_errors() {
            return Err(checked.diags.sorted_with(&render_warnings));
        }
        let state = State {
            inputs,
            checked: *checked,
            theme: Arc::clone(&state.theme),
            comparisons: summary.comparisons,
            render_warnings,
            files,
        };
        Ok(Next { state, changed: made.changed, staging: None })
    }

    /// Writes the new build: the first by swapping in its staging folder,
    /// later ones by writing the files that changed and removing those gone.
    fn write(&self, next: Next, ahead: &Ahead) -> io::Result<(State, Vec<String>)> {
        let Next { state, changed, staging } = next;
        if let Some(staging) = staging {
            staging.commit()?;
            let all = state.files.keys().cloned().collect();
            return Ok((state, all));
        }
        let mut paths = Vec::new();
        for (path, bytes) in &changed {
            if ahead.written.get(path).is_some_and(|h| state.files.get(path).is_some_and(|k| k.hash == *h)) {
                continue;
            }
            let target = self.output.join(path);
            if let Some(p) = target.parent() {
                std::fs::create_dir_all(p)?;
            }
            std::fs::write(&target, bytes)?;
            paths.push(path.clone());
        }
        if let Some(old) = &self.state {
            for path in old.files.keys().filter(|p| !state.files.contains_key(*p)) {
                let _ = std::fs::remove_file(self.output.join(path));
                paths.push(path.clone());
            }
        }
        paths.sort();
        Ok((state, paths))
    }
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
                Some(b) => std::fs::write(target, b),
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
    /// Only these modules changed; the site with them parsed again.
    Modules(Box<Checked>, Vec<(usize, usize)>),
    Failed(Vec<Diagnostic>),
}

fn check_links(checked: &Checked, files: &BTreeMap<String, Kept>) -> Diagnostics {
    let index = crate::links::LinkIndex::new(&checked.site.config.base_url);
    for (path, kept) in files {
        index.add_summary(path, &kept.links);
    }
    index.check(&checked.site)
}

/// The files whose content differs, if both fingerprints have the same files
/// (`None` when a file was added or removed).
fn changed_files(old: &Fingerprint, new: &Fingerprint) -> Option<Vec<PathBuf>> {
    if old.len() != new.len() || old.iter().zip(new).any(|(a, b)| a.0 != b.0) {
        return None;
    }
    Some(old.iter().zip(new).filter(|(a, b)| a.1 != b.1).map(|(_, b)| b.0.clone()).collect())
}

/// Hashes of every file under `paths` (files or folders), sorted by path.
fn fingerprint(paths: &[PathBuf]) -> Fingerprint {
    use std::hash::{Hash, Hasher};
    let mut v: Vec<_> = paths
        .iter()
        .flat_map(|p| walkdir::WalkDir::new(p).follow_links(false).into_iter().flatten().map(|e| e.into_path()))
        .filter_map(|p| {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            match std::fs::read(&p) {
                Ok(bytes) => bytes.hash(&mut h),
                Err(_) => std::fs::symlink_metadata(&p).ok()?.len().hash(&mut h),
            }
            Some((p, h.finish()))
        })
        .collect();
    v.sort();
    v
}

#[cfg(test)]
mod tests {
    use super::*;

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
