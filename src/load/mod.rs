//! Loading: reads the content tree from disk into the [`crate::model`].
//!
//! Every file is read as bytes, checked for UTF-8, normalised (BOM, CRLF, NFC) and
//! parsed; every problem becomes a diagnostic and loading goes on, so one run
//! reports all of them. Module and page files are parsed in parallel and merged in
//! sorted order, so the result does not depend on scheduling or on the order the
//! file system lists directories in.

mod convert;
pub mod raw;

use crate::diag::{Diagnostic, Diagnostics, Pos, rel_path};
use crate::model::{Curriculum, Glossary, Site, SiteConfig};
use crate::text::{is_valid_id, normalize_source, suggest_id};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Files larger than this are refused: no curriculum file is anywhere near it, and
/// reading one would only exhaust memory.
pub const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;

/// Folder names under `content/` that are not curricula, or that a
/// curriculum's id cannot be because its competency page
/// (`kompetenzen/<id>/`) would be at the address of another page: a
/// dimension's, or (with [`RESERVED_PREFIX`]) an initial letter's.
pub const RESERVED: [&str; 18] = [
    "comparisons",
    "rules",
    "compare",
    "data",
    "static",
    "search",
    "suche",
    "kompetenzen",
    "methoden",
    "handlungsfelder",
    "phasen",
    "glossar",
    "leichte-sprache",
    "barrierefreiheit",
    "wissen",
    "fertigkeiten",
    "sozialkompetenz",
    "selbststaendigkeit",
];

/// The beginning of the pages of the A–Z lists' letters (`buchstabe-k`), which
/// no curriculum id may have.
pub const RESERVED_PREFIX: &str = "buchstabe-";

/// Whether `id` cannot be a curriculum's ([`RESERVED`], [`RESERVED_PREFIX`]).
pub fn reserved(id: &str) -> bool {
    RESERVED.contains(&id) || id.starts_with(RESERVED_PREFIX)
}

/// The outcome of loading: the site as far as it could be read, every
/// diagnostic, and the normalised text of every file read (for excerpts and the
/// source view).
#[derive(Debug, Default)]
pub struct Loaded {
    pub site: Site,
    pub diags: Diagnostics,
    pub sources: BTreeMap<String, String>,
    /// The fingerprint ([`crate::text::fingerprint`]) of the bytes of every
    /// file read, by path: what the site was made from, to be compared with
    /// the files later (a file can change while the site loads).
    pub read: BTreeMap<String, u64>,
}

/// Loads and normalises the site under `root`; never panics on content.
pub fn load_site(root: &Path) -> Loaded {
    let mut ctx = Ctx::new(root.to_path_buf());
    let config = ctx.load_site_config();
    let content = root.join("content");
    let glossary = ctx.load_glossary(&content.join("glossary.yaml"));
    let (curriculum_dirs, comparison_files) = ctx.scan_content(&content);
    let mut curricula = Vec::new();
    let mut unloadable = Vec::new();
    // Curricula load side by side, each into its own context, merged in order.
    let loaded: Vec<(Option<Curriculum>, Ctx)> = curriculum_dirs
        .par_iter()
        .map(|d| {
            let mut own = Ctx::new(ctx.root.clone());
            (own.load_curriculum(d), own)
        })
        .collect();
    for ((c, own), d) in loaded.into_iter().zip(&curriculum_dirs) {
        ctx.diags.extend(own.diags);
        ctx.sources.extend(own.sources);
        ctx.read.extend(own.read);
        match c {
            Some(c) => curricula.push(c),
            None => unloadable.push(file_name(d)),
        }
    }
    order_curricula(&mut curricula, &config);
    let comparisons = comparison_files.iter().filter_map(|f| ctx.load_comparison(f)).collect();
    let site_page_files: Vec<PathBuf> =
        crate::model::SITE_PAGES.iter().map(|p| content.join(format!("{p}.md"))).filter(|p| p.is_file()).collect();
    let site_pages = ctx.load_parallel(&site_page_files, convert::page);
    let rule_files = ctx.files_with_ext(&content.join("rules"), "yaml", "rule");
    let rules = rule_files.iter().filter_map(|f| ctx.load_rules(f)).collect();
    let site = Site { config, glossary, curricula, comparisons, rules, site_pages, unloadable };
    let mut diags = ctx.diags;
    diags.attach_excerpts_from(&ctx.sources);
    Loaded { site, diags, sources: ctx.sources, read: ctx.read }
}

/// `order` first, the rest by id.
fn order_curricula(curricula: &mut [Curriculum], config: &SiteConfig) {
    let rank = |id: &str| config.order.iter().position(|o| o.value == id).unwrap_or(usize::MAX);
    curricula.sort_by(|a, b| (rank(&a.id), &a.id).cmp(&(rank(&b.id), &b.id)));
}

pub(crate) struct Ctx {
    root: PathBuf,
    diags: Diagnostics,
    sources: BTreeMap<String, String>,
    read: BTreeMap<String, u64>,
}

/// The result of reading one file: its path for diagnostics, and its text.
pub(crate) struct Source {
    pub rel: String,
    pub text: String,
    /// The fingerprint of the file's bytes.
    pub hash: u64,
}

impl Ctx {
    fn new(root: PathBuf) -> Ctx {
        Ctx { root, diags: Diagnostics::new(), sources: BTreeMap::new(), read: BTreeMap::new() }
    }

    fn rel(&self, p: &Path) -> String {
        rel_path(&self.root, p)
    }

    fn error(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    fn read(&mut self, path: &Path) -> Option<Source> {
        let rel = self.rel(path);
        match read_source_hashed(path, &rel) {
            Ok((text, hash)) => {
                self.sources.insert(rel.clone(), text.clone());
                self.read.insert(rel.clone(), hash);
                Some(Source { rel, text, hash })
            }
            Err(d) => {
                self.error(d);
                None
            }
        }
    }

    fn load_site_config(&mut self) -> SiteConfig {
        let path = self.root.join("site.yaml");
        if !path.exists() {
            self.error(
                Diagnostic::error("site.yaml", None, "site.yaml is missing")
                    .with_hint("create site.yaml with at least `title: …` in the site root, or pass --root DIR"),
            );
            return SiteConfig::default();
        }
        let Some(src) = self.read(&path) else {
            return SiteConfig::default();
        };
        match crate::yaml::parse::<raw::SiteFile>(&src.text, &src.rel, 0) {
            Ok(f) => convert::site_config(f),
            Err(d) => {
                self.error(d);
                SiteConfig::default()
            }
        }
    }

    fn load_glossary(&mut self, path: &Path) -> Glossary {
        if !path.exists() {
            return Glossary::default();
        }
        let Some(src) = self.read(path) else {
            return Glossary::default();
        };
        match crate::yaml::parse::<raw::GlossaryFile>(&src.text, &src.rel, 0) {
            Ok(f) => convert::glossary(f, &src.rel, &mut self.diags),
            Err(d) => {
                self.error(d);
                Glossary::default()
            }
        }
    }

    /// Lists curriculum folders and comparison files, sorted by name.
    fn scan_content(&mut self, content: &Path) -> (Vec<PathBuf>, Vec<PathBuf>) {
        let mut dirs = Vec::new();
        let entries = match list_dir(content) {
            Ok(e) => e,
            Err(msg) => {
                self.error(
                    Diagnostic::error("content", None, msg)
                        .with_hint("create a content/ folder with one folder per curriculum"),
                );
                return (dirs, Vec::new());
            }
        };
        for path in entries {
            let name = file_name(&path);
            let site_page = crate::model::SITE_PAGES.iter().any(|p| name == format!("{p}.md"));
            if ignored_name(&name) || name == "glossary.yaml" || site_page {
                continue;
            }
            if is_symlink(&path) {
                let rel = self.rel(&path);
                self.error(symlink_error(&rel));
                continue;
            }
            if !path.is_dir() {
                self.error(
                    Diagnostic::warning(self.rel(&path), None, "unexpected file in content/; it is ignored")
                        .with_hint("content/ holds glossary.yaml, comparisons/ and one folder per curriculum"),
                );
                continue;
            }
            if name == "comparisons" || name == "rules" {
                continue;
            }
            if reserved(&name) {
                self.error(
                    Diagnostic::error(
                        self.rel(&path),
                        None,
                        format!("`{name}` is reserved and cannot be a curriculum id"),
                    )
                    .with_hint(format!(
                        "reserved names: {}, and any beginning with `{RESERVED_PREFIX}`",
                        crate::text::list_choices(RESERVED)
                    )),
                );
                continue;
            }
            if self.check_id(&name, &path, "curriculum") {
                dirs.push(path);
            }
        }
        let comparisons = self.files_with_ext(&content.join("comparisons"), "yaml", "comparison");
        (dirs, comparisons)
    }

    /// Checks a file or folder name against the id rule; reports and returns false if broken.
    fn check_id(&mut self, id: &str, path: &Path, what: &str) -> bool {
        if is_valid_id(id) {
            return true;
        }
        let d = Diagnostic::error(self.rel(path), None, format!("`{id}` is not a valid {what} id")).with_hint(format!(
            "ids are lower-case ASCII letters, digits and `-` (e.g. `{}`); rename it",
            suggest_id(id)
        ));
        self.error(d);
        false
    }

    /// The `*.ext` files of a folder whose stem is a valid id, sorted; others are reported.
    fn files_with_ext(&mut self, dir: &Path, ext: &str, what: &str) -> Vec<PathBuf> {
        let Ok(entries) = list_dir(dir) else { return Vec::new() };
        let mut out = Vec::new();
        for path in entries {
            let name = file_name(&path);
            if ignored_name(&name) {
                continue;
            }
            let Some(stem) = name.strip_suffix(&format!(".{ext}")) else {
                self.error(
                    Diagnostic::warning(self.rel(&path), None, format!("not a .{ext} file; it is ignored"))
                        .with_hint(format!("{what} files end in .{ext}")),
                );
                continue;
            };
            if path.is_dir() {
                self.error(
                    Diagnostic::error(self.rel(&path), None, format!("a folder where a {what} file is expected"))
                        .with_hint("remove the folder or rename it"),
                );
                continue;
            }
            if self.check_id(stem, &path, what) {
                out.push(path);
            }
        }
        out
    }

    fn load_curriculum(&mut self, dir: &Path) -> Option<Curriculum> {
        let id = file_name(dir);
        let file = dir.join("curriculum.yaml");
        if !file.is_file() {
            self.error(
                Diagnostic::error(self.rel(&file), None, format!("curriculum `{id}` has no curriculum.yaml"))
                    .with_hint(
                        "every folder in content/ is a curriculum and needs a curriculum.yaml with at least `title:`",
                    ),
            );
            return None;
        }
        let src = self.read(&file)?;
        let parsed = crate::yaml::parse::<raw::CurriculumFile>(&src.text, &src.rel, 0);
        let mut c = match parsed {
            Ok(f) => convert::curriculum(f, &id, &src.rel, &mut self.diags),
            Err(d) => {
                self.error(d);
                return None;
            }
        };
        let module_files = self.files_with_ext(&dir.join("modules"), "md", "module");
        let page_files = self.files_with_ext(&dir.join("pages"), "md", "page");
        let errors_before = self.diags.count(crate::diag::Severity::Error);
        c.modules = self.load_parallel(&module_files, convert::module);
        c.modules.sort_by(|a, b| (a.number.value, &a.id).cmp(&(b.number.value, &b.id)));
        c.pages = self.load_parallel(&page_files, convert::page);
        c.pages.sort_by(|a, b| (a.weight, &a.id).cmp(&(b.weight, &b.id)));
        c.incomplete = self.diags.count(crate::diag::Severity::Error) > errors_before;
        Some(c)
    }

    /// Reads and converts Markdown files in parallel; merges results in path order.
    fn load_parallel<T: Send>(
        &mut self,
        files: &[PathBuf],
        conv: fn(&Source, &str, &mut Diagnostics) -> Option<T>,
    ) -> Vec<T> {
        let root = self.root.clone();
        let results: Vec<(Option<Source>, Option<T>, Diagnostics)> = files
            .par_iter()
            .map(|path| {
                let rel = rel_path(&root, path);
                let mut diags = Diagnostics::new();
                match read_source_hashed(path, &rel) {
                    Ok((text, hash)) => {
                        let src = Source { rel, text, hash };
                        let value = conv(&src, &file_stem(path), &mut diags);
                        (Some(src), value, diags)
                    }
                    Err(d) => {
                        diags.push(d);
                        (None, None, diags)
                    }
                }
            })
            .collect();
        let mut out = Vec::with_capacity(results.len());
        for (src, value, diags) in results {
            self.diags.extend(diags);
            if let Some(s) = src {
                self.read.insert(s.rel.clone(), s.hash);
                self.sources.insert(s.rel, s.text);
            }
            out.extend(value);
        }
        out
    }

    fn load_comparison(&mut self, path: &Path) -> Option<crate::model::Comparison> {
        let src = self.read(path)?;
        match crate::yaml::parse::<raw::ComparisonFile>(&src.text, &src.rel, 0) {
            Ok(f) => Some(convert::comparison(f, &file_stem(path), &src.rel)),
            Err(d) => {
                self.error(d);
                None
            }
        }
    }
}

impl Ctx {
    fn load_rules(&mut self, path: &Path) -> Option<crate::model::RuleSet> {
        let src = self.read(path)?;
        match crate::yaml::parse::<raw::RuleFile>(&src.text, &src.rel, 0) {
            Ok(f) => Some(convert::rules(f, &file_stem(path), &src.rel, &mut self.diags)),
            Err(d) => {
                self.error(d);
                None
            }
        }
    }
}

/// Parses the text of a module file as the loader does (for tests and fuzzing).
pub fn parse_module(rel: &str, id: &str, text: &str) -> (Option<crate::model::Module>, Diagnostics) {
    let mut diags = Diagnostics::new();
    let src =
        Source { rel: rel.to_string(), text: normalize_source(text), hash: crate::text::fingerprint(text.as_bytes()) };
    let m = convert::module(&src, id, &mut diags);
    (m, diags)
}

/// Reads a file as normalised UTF-8 text, or explains why it cannot be read.
/// The source files read again when their source view is made (a build
/// renders for a while and need not hold every source meanwhile), with the
/// hash of each text as loaded, so that a file changed since is noticed.
pub struct Reread {
    root: PathBuf,
    hashes: BTreeMap<String, u64>,
}

fn text_hash(text: &str) -> u64 {
    crate::text::fingerprint(text.as_bytes())
}

impl Reread {
    /// Takes the place of the loaded `sources` (dropping their texts).
    pub fn new(root: &Path, sources: BTreeMap<String, String>) -> Reread {
        let hashes = sources.into_iter().map(|(file, text)| (file, text_hash(&text))).collect();
        Reread { root: root.to_path_buf(), hashes }
    }

    /// The text of `file` as it is now (empty if it is not a loaded source),
    /// and a warning if it is not the text the site was loaded from.
    pub fn text(&self, file: &str) -> (std::borrow::Cow<'_, str>, Option<Diagnostic>) {
        let Some(&loaded) = self.hashes.get(file) else { return ("".into(), None) };
        let text = read_source(&self.root.join(file), file).unwrap_or_default();
        let changed = (text_hash(&text) != loaded).then(|| {
            Diagnostic::warning(
                file,
                None,
                "the file changed while the site was built: its source view shows the new text",
            )
            .with_hint("build again to bring the other pages in line with it")
        });
        (text.into(), changed)
    }
}

pub fn read_source(path: &Path, rel: &str) -> Result<String, Diagnostic> {
    read_source_hashed(path, rel).map(|(text, _)| text)
}

/// The theme `site.yaml` names (`default` if none), read on its own so that
/// a build can load the theme while it loads the content; `None` when the
/// file does not read or parse (loading the site reports why).
pub fn theme_name(root: &Path) -> Option<String> {
    let (text, _) = read_source_hashed(&root.join("site.yaml"), "site.yaml").ok()?;
    let file = crate::yaml::parse::<raw::SiteFile>(&text, "site.yaml", 0).ok()?;
    Some(convert::site_config(file).theme)
}

/// [`read_source`], and the fingerprint of the bytes read.
pub fn read_source_hashed(path: &Path, rel: &str) -> Result<(String, u64), Diagnostic> {
    if is_symlink(path) {
        return Err(symlink_error(rel));
    }
    let meta = std::fs::metadata(path).map_err(|e| {
        Diagnostic::error(rel, None, format!("cannot read file: {e}"))
            .with_hint("check that the file exists and is readable")
    })?;
    if meta.is_dir() {
        return Err(
            Diagnostic::error(rel, None, "a folder where a file is expected").with_hint("remove or rename the folder")
        );
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(Diagnostic::error(
            rel,
            None,
            format!("file is {} bytes; the limit is {MAX_FILE_BYTES}", meta.len()),
        )
        .with_hint("content files are small text files; split the file or remove what does not belong"));
    }
    let bytes = std::fs::read(path)
        .map_err(|e| Diagnostic::error(rel, None, format!("cannot read file: {e}")).with_hint("check permissions"))?;
    let hash = crate::text::fingerprint(&bytes);
    match String::from_utf8(bytes) {
        Ok(s) => Ok((crate::text::normalize_source_owned(s), hash)),
        Err(e) => {
            let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
            let prefix = String::from_utf8_lossy(valid);
            let line = prefix.matches('\n').count() as u32 + 1;
            let col = prefix.rsplit('\n').next().map_or(0, |l| l.chars().count()) as u32 + 1;
            Err(Diagnostic::error(rel, Some(Pos::new(line, col)), "file is not valid UTF-8")
                .with_hint("save the file as UTF-8 (most editors: \"Save with encoding\" → UTF-8)"))
        }
    }
}

/// Splits `---\n<yaml>\n---\n<body>`; returns the YAML, the body and the body's first line.
pub fn split_front_matter(text: &str) -> Result<(&str, &str, u32), (Pos, &'static str, &'static str)> {
    let first = text.lines().next().unwrap_or("");
    if first.trim_end() != "---" {
        return Err((
            Pos::new(1, 1),
            "missing front matter",
            "start the file with a line `---`, the YAML keys, and another line `---`",
        ));
    }
    let after = &text[text.find('\n').map_or(text.len(), |i| i + 1)..];
    let mut offset = 0;
    for (i, line) in after.split_inclusive('\n').enumerate() {
        let t = line.trim_end();
        if t == "---" || t == "..." {
            let yaml = &after[..offset];
            let body = &after[offset + line.len()..];
            return Ok((yaml, body, i as u32 + 3));
        }
        offset += line.len();
    }
    Err((Pos::new(1, 1), "front matter is not closed", "add a line `---` after the last YAML key of the front matter"))
}

fn list_dir(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut v: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .min_depth(1)
        .max_depth(1)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .map(|e| e.map(|e| e.into_path()).map_err(|e| format!("cannot list {}: {e}", dir.display())))
        .collect::<Result<_, _>>()?;
    v.sort();
    Ok(v)
}

/// Symbolic links are never followed: they could lead out of the site root or
/// into a loop.
pub fn is_symlink(p: &Path) -> bool {
    std::fs::symlink_metadata(p).map(|m| m.file_type().is_symlink()).unwrap_or(false)
}

fn symlink_error(rel: &str) -> Diagnostic {
    Diagnostic::error(rel, None, "symbolic link: links are not followed")
        .with_hint("replace the link with the real file or folder; content must lie inside the site root")
}

fn file_name(p: &Path) -> String {
    p.file_name().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default()
}

fn file_stem(p: &Path) -> String {
    p.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default()
}

/// Hidden files and editor leftovers (`.m1.md.swp`, `m1.md~`, `#m1.md#`) are not content.
pub fn ignored_name(name: &str) -> bool {
    name.starts_with('.')
        || name.ends_with('~')
        || name.starts_with('#')
        || name.ends_with(".swp")
        || name.ends_with(".tmp")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_splits_and_reports_defects() {
        let (y, b, line) = split_front_matter("---\na: 1\n---\n\n## X\n").unwrap();
        assert_eq!((y, b, line), ("a: 1\n", "\n## X\n", 4));
        assert_eq!(split_front_matter("a: 1\n").unwrap_err().1, "missing front matter");
        assert_eq!(split_front_matter("---\na: 1\n").unwrap_err().1, "front matter is not closed");
        assert_eq!(split_front_matter("---\n---\n").unwrap().0, "");
    }

    #[test]
    fn sources_read_again_are_the_loaded_texts_or_warned_about() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.md"), "eins\r\nzwei\n").unwrap();
        std::fs::write(dir.path().join("b.md"), "alt\n").unwrap();
        let loaded = |f: &str| read_source(&dir.path().join(f), f).unwrap();
        let sources: BTreeMap<String, String> = ["a.md", "b.md"].map(|f| (f.to_string(), loaded(f))).into();
        let reread = Reread::new(dir.path(), sources.clone());
        std::fs::write(dir.path().join("b.md"), "neu\n").unwrap();
        let (a, warning) = reread.text("a.md");
        assert_eq!((a.as_ref(), warning.is_none()), (sources["a.md"].as_str(), true));
        let (b, warning) = reread.text("b.md");
        assert_eq!(b, "neu\n");
        assert!(warning.is_some_and(|w| w.file == "b.md" && w.message.contains("changed while the site was built")));
        assert_eq!(reread.text("c.md").0, "");
    }

    #[test]
    fn editor_leftovers_are_ignored() {
        for n in [".m1.md.swp", "m1.md~", "#m1.md#", ".DS_Store"] {
            assert!(ignored_name(n), "{n}");
        }
        assert!(!ignored_name("m1.md"));
    }
}
