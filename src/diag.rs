//! Diagnostics: every problem found in a run, with where it is and how to fix it.
//!
//! Loading and validation never stop at the first problem; they push into a
//! [`Diagnostics`] collector so an author sees all of them at once. Printing lives
//! here too, so `build`, `check` and `serve` report identically.

use std::fmt::Write as _;
use std::path::Path;

/// How bad a problem is: errors stop `build`, warnings are only reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// A position in a source file, 1-based, as editors show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, serde::Serialize)]
pub struct Pos {
    pub line: u32,
    pub col: u32,
}

impl Pos {
    pub fn new(line: u32, col: u32) -> Self {
        Pos { line, col }
    }
}

/// One problem, ready to be shown to an author.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Path relative to the site root, with `/` separators.
    pub file: String,
    /// Where in the file; `None` for problems of the whole file.
    pub pos: Option<Pos>,
    pub message: String,
    /// What to do about it.
    pub hint: Option<String>,
    /// The offending source line, for context in the terminal.
    #[serde(skip)]
    pub excerpt: Option<String>,
}

impl Diagnostic {
    pub fn error(file: impl Into<String>, pos: Option<Pos>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            file: file.into(),
            pos,
            message: message.into(),
            hint: None,
            excerpt: None,
        }
    }

    pub fn warning(file: impl Into<String>, pos: Option<Pos>, message: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Warning, ..Diagnostic::error(file, pos, message) }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// `file:line:col`, the form editors and terminals turn into links.
    pub fn location(&self) -> String {
        match self.pos {
            Some(p) => format!("{}:{}:{}", self.file, p.line, p.col),
            None => self.file.clone(),
        }
    }
}

/// The collector every phase of a run writes into.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, d: Diagnostic) {
        self.items.push(d);
    }

    pub fn extend(&mut self, other: impl IntoIterator<Item = Diagnostic>) {
        self.items.extend(other);
    }

    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }

    pub fn count(&self, severity: Severity) -> usize {
        self.items.iter().filter(|d| d.severity == severity).count()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Sorted by file, position, then severity, so output does not depend on the
    /// order in which parallel work finished.
    pub fn sorted(&self) -> Vec<Diagnostic> {
        let mut v = self.items.clone();
        v.sort_by(|a, b| (&a.file, a.pos, a.severity, &a.message).cmp(&(&b.file, b.pos, b.severity, &b.message)));
        v.dedup();
        v
    }

    /// These and `more` together, sorted (see [`Diagnostics::sorted`]).
    pub fn sorted_with(&self, more: &Diagnostics) -> Vec<Diagnostic> {
        let mut all = self.clone();
        all.extend(more.items.iter().cloned());
        all.sorted()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }

    /// Fills in the excerpt of every positioned diagnostic from its file's
    /// text (looked up per diagnostic: there are far fewer than files).
    pub fn attach_excerpts_from(&mut self, sources: &std::collections::BTreeMap<String, String>) {
        for d in self.items.iter_mut().filter(|d| d.pos.is_some() && d.excerpt.is_none()) {
            if let (Some(p), Some(text)) = (d.pos, sources.get(&d.file)) {
                d.excerpt = text.lines().nth(p.line.saturating_sub(1) as usize).map(|l| l.to_string());
            }
        }
    }

    pub fn into_vec(self) -> Vec<Diagnostic> {
        self.items
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

/// Renders diagnostics the way a person reads them in a terminal.
pub fn render_human(diags: &[Diagnostic], color: bool) -> String {
    let paint = |code: &str, s: &str| {
        if color { format!("\x1b[{code}m{s}\x1b[0m") } else { s.to_string() }
    };
    let mut out = String::new();
    for d in diags {
        let (label, code) = match d.severity {
            Severity::Error => ("error", "1;31"),
            Severity::Warning => ("warning", "1;33"),
        };
        let _ = writeln!(out, "{}: {}", paint(code, label), paint("1", &d.message));
        let _ = writeln!(out, "  --> {}", d.location());
        if let (Some(line), Some(p)) = (&d.excerpt, d.pos) {
            let num = p.line.to_string();
            let pad = " ".repeat(num.len());
            let caret_pad: String = line
                .chars()
                .take(p.col.saturating_sub(1) as usize)
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            let _ = writeln!(out, "   {pad} |");
            let _ = writeln!(out, "   {num} | {line}");
            let _ = writeln!(out, "   {pad} | {caret_pad}{}", paint(code, "^"));
        }
        if let Some(h) = &d.hint {
            let _ = writeln!(out, "  = {}: {h}", paint("1;36", "hint"));
        }
        out.push('\n');
    }
    let errors = diags.iter().filter(|d| d.severity == Severity::Error).count();
    let warnings = diags.len() - errors;
    let _ = writeln!(out, "{errors} error(s), {warnings} warning(s)");
    out
}

/// The schema identifier of `check --format json`.
pub const JSON_SCHEMA: &str = "curricula/diagnostics@1";

/// Diagnostics as a stable JSON document (see docs/format.md).
pub fn render_json(diags: &[Diagnostic]) -> String {
    let errors = diags.iter().filter(|d| d.severity == Severity::Error).count();
    let list: Vec<serde_json::Value> = diags
        .iter()
        .map(|d| {
            serde_json::json!({
                "severity": d.severity, "file": d.file,
                "line": d.pos.map(|p| p.line), "column": d.pos.map(|p| p.col),
                "message": d.message, "hint": d.hint,
            })
        })
        .collect();
    let doc = serde_json::json!({
        "schema": JSON_SCHEMA, "errors": errors, "warnings": diags.len() - errors, "diagnostics": list,
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}

/// Diagnostics as GitHub Actions workflow commands (annotations on the files).
pub fn render_github(diags: &[Diagnostic]) -> String {
    let data = |s: &str| s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A");
    let prop = |s: &str| data(s).replace(':', "%3A").replace(',', "%2C");
    let mut out = String::new();
    for d in diags {
        let level = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut props = format!("file={}", prop(&d.file));
        if let Some(p) = d.pos {
            props.push_str(&format!(",line={},col={}", p.line, p.col));
        }
        let text = match &d.hint {
            Some(h) => format!("{} (hint: {h})", d.message),
            None => d.message.clone(),
        };
        let _ = writeln!(out, "::{level} {props},title=curricula::{}", data(&text));
    }
    out
}

/// Renders a path relative to `root` with forward slashes, for diagnostics.
pub fn rel_path(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect::<Vec<_>>().join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_output_names_file_line_col_and_hint() {
        let mut ds = Diagnostics::new();
        ds.push(
            Diagnostic::error("content/kit/curriculum.yaml", Some(Pos::new(3, 5)), "unknown key `titel`")
                .with_hint("did you mean `title`?"),
        );
        let sources = [("content/kit/curriculum.yaml".to_string(), "a: 1\nb: 2\n    titel: x\n".to_string())];
        ds.attach_excerpts_from(&sources.into_iter().collect());
        let out = render_human(&ds.sorted(), false);
        assert!(out.contains("error: unknown key `titel`"));
        assert!(out.contains("--> content/kit/curriculum.yaml:3:5"));
        assert!(out.contains("3 |     titel: x"));
        assert!(out.contains("hint: did you mean `title`?"));
        assert!(out.contains("1 error(s), 0 warning(s)"));
    }

    #[test]
    fn json_and_github_formats() {
        let d = vec![
            Diagnostic::error("content/a,b.md", Some(Pos::new(3, 5)), "100% falsch\nzweite Zeile").with_hint("so"),
            Diagnostic::warning("site.yaml", None, "w"),
        ];
        let v: serde_json::Value = serde_json::from_str(&render_json(&d)).unwrap();
        assert_eq!(v["schema"], JSON_SCHEMA);
        assert_eq!((v["errors"].as_u64(), v["warnings"].as_u64()), (Some(1), Some(1)));
        assert_eq!(v["diagnostics"][0]["line"], 3);
        assert_eq!(v["diagnostics"][1]["line"], serde_json::Value::Null);
        let gh = render_github(&d);
        assert_eq!(
            gh.lines().next().unwrap(),
            "::error file=content/a%2Cb.md,line=3,col=5,title=curricula::100%25 falsch%0Azweite Zeile (hint: so)"
        );
        assert_eq!(gh.lines().nth(1).unwrap(), "::warning file=site.yaml,title=curricula::w");
    }

    #[test]
    fn sorted_is_stable_and_deduplicated() {
        let mut ds = Diagnostics::new();
        ds.push(Diagnostic::warning("b", None, "x"));
        ds.push(Diagnostic::error("a", Some(Pos::new(2, 1)), "y"));
        ds.push(Diagnostic::error("a", Some(Pos::new(1, 1)), "z"));
        ds.push(Diagnostic::error("a", Some(Pos::new(1, 1)), "z"));
        let v = ds.sorted();
        assert_eq!(v.len(), 3);
        assert_eq!(v[0].message, "z");
        assert_eq!(v[2].file, "b");
    }
}
