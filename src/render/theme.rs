//! The theme: built-in templates and static files, with a site's overrides.

use super::OutFile;
use crate::diag::{Diagnostic, Diagnostics, rel_path};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The built-in theme, compiled in so an installed binary works anywhere.
const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../themes/default/templates/base.html")),
    ("home.html", include_str!("../../themes/default/templates/home.html")),
    ("curriculum.html", include_str!("../../themes/default/templates/curriculum.html")),
    ("module.html", include_str!("../../themes/default/templates/module.html")),
    ("page.html", include_str!("../../themes/default/templates/page.html")),
    ("404.html", include_str!("../../themes/default/templates/404.html")),
    ("compare.html", include_str!("../../themes/default/templates/compare.html")),
    ("compare_body.html", include_str!("../../themes/default/templates/compare_body.html")),
    ("compare_print.html", include_str!("../../themes/default/templates/compare_print.html")),
    ("pair.html", include_str!("../../themes/default/templates/pair.html")),
    ("pair_body.html", include_str!("../../themes/default/templates/pair_body.html")),
    ("cmp_row.html", include_str!("../../themes/default/templates/cmp_row.html")),
    ("cmp_table.html", include_str!("../../themes/default/templates/cmp_table.html")),
    ("competencies.html", include_str!("../../themes/default/templates/competencies.html")),
    ("az.html", include_str!("../../themes/default/templates/az.html")),
    ("az_pages.html", include_str!("../../themes/default/templates/az_pages.html")),
    ("methods.html", include_str!("../../themes/default/templates/methods.html")),
    ("fields.html", include_str!("../../themes/default/templates/fields.html")),
    ("phases.html", include_str!("../../themes/default/templates/phases.html")),
    ("glossary.html", include_str!("../../themes/default/templates/glossary.html")),
    ("search.html", include_str!("../../themes/default/templates/search.html")),
    ("source.html", include_str!("../../themes/default/templates/source.html")),
    ("module_body.html", include_str!("../../themes/default/templates/module_body.html")),
    ("curriculum_meta.html", include_str!("../../themes/default/templates/curriculum_meta.html")),
    ("ledger_table.html", include_str!("../../themes/default/templates/ledger_table.html")),
    ("curriculum_print.html", include_str!("../../themes/default/templates/curriculum_print.html")),
];

const STATIC: &[(&str, &str)] = &[
    ("static/style.css", include_str!("../../themes/default/static/style.css")),
    ("static/site.js", include_str!("../../themes/default/static/site.js")),
    ("static/favicon.svg", include_str!("../../themes/default/static/favicon.svg")),
    ("static/highlight.css", include_str!("../../themes/default/static/highlight.css")),
];

/// A fingerprint of what makes the pages besides the content: the
/// generator's version and its built-in templates ([`crate::inputs`]).
pub fn generator_print() -> u64 {
    let version = [env!("CARGO_PKG_VERSION").as_bytes()];
    let templates = TEMPLATES.iter().flat_map(|(name, text)| [name.as_bytes(), text.as_bytes()]);
    crate::text::fingerprint_parts(version.into_iter().chain(templates))
}

/// Compiled templates plus the static files to copy.
pub struct Theme {
    tera: tera::Tera,
    statics: BTreeMap<String, Vec<u8>>,
    /// Where each template came from, for error messages.
    origins: BTreeMap<String, String>,
    /// Templates whose text differs from the built-in one (or that have none).
    custom: std::collections::BTreeSet<String>,
    /// The fingerprint of each theme file read, by path under the root.
    read: BTreeMap<String, u64>,
    /// The largest page each template has made so far: the next one starts
    /// in a buffer of that size (grown by doubling, every page was copied
    /// two or three times on the way).
    sizes: std::collections::HashMap<String, AtomicUsize>,
}

/// The least buffer a page starts in.
const LEAST_PAGE: usize = 16 << 10;

impl Theme {
    /// Loads the built-in theme and the overrides in `<root>/themes/<name>/`.
    pub fn load(root: &Path, name: &str) -> Result<Theme, Diagnostics> {
        let mut diags = Diagnostics::new();
        let mut sources: BTreeMap<String, (String, String)> = TEMPLATES
            .iter()
            .map(|(n, s)| (n.to_string(), (s.to_string(), format!("(built-in theme) templates/{n}"))))
            .collect();
        let mut statics: BTreeMap<String, Vec<u8>> =
            STATIC.iter().map(|(n, s)| (n.to_string(), s.as_bytes().to_vec())).collect();
        let dir = root.join("themes").join(name);
        let mut read = BTreeMap::new();
        if dir.is_dir() {
            read = read_overrides(root, &dir, &mut sources, &mut statics, &mut diags);
        } else if name != "default" {
            diags.push(
                Diagnostic::error("site.yaml", None, format!("theme `{name}` not found at themes/{name}/"))
                    .with_hint("create the folder or set `theme: default`"),
            );
        }
        if diags.has_errors() {
            return Err(diags);
        }
        let mut tera = tera::Tera::default();
        tera.autoescape_on(vec![".html"]);
        tera.set_escape_fn(escape_html);
        tera.register_filter("safe", safe);
        let origins: BTreeMap<String, String> = sources.iter().map(|(n, (_, o))| (n.clone(), o.clone())).collect();
        // A copy of a built-in template (as in this repository's own themes/default/) is no override.
        let custom: std::collections::BTreeSet<String> = sources
            .iter()
            .filter(|(n, (text, _))| TEMPLATES.iter().find(|(b, _)| b == n).is_none_or(|(_, built)| built != text))
            .map(|(n, _)| n.clone())
            .collect();
        let list: Vec<(String, String)> = sources.into_iter().map(|(n, (s, _))| (n, s)).collect();
        if let Err(e) = tera.add_raw_templates(list) {
            diags.push(template_error(&e, &origins, None));
            return Err(diags);
        }
        let sizes = origins.keys().map(|n| (n.clone(), AtomicUsize::new(LEAST_PAGE))).collect();
        Ok(Theme { tera, statics, origins, custom, read, sizes })
    }

    /// The fingerprint of each file read from the site's theme folder, by
    /// path under the root: what the theme was made from.
    pub fn read(&self) -> &BTreeMap<String, u64> {
        &self.read
    }

    /// Whether the theme is the built-in one: every template and static file
    /// as built in (a folder of copies, like this repository's, counts).
    pub fn is_built_in(&self) -> bool {
        self.custom.is_empty()
            && self.statics.len() == STATIC.len()
            && STATIC.iter().all(|(n, s)| self.statics.get(*n).is_some_and(|b| b == s.as_bytes()))
    }

    /// Whether all of `templates` are the built-in ones (not overridden, or
    /// overridden by the same text).
    pub fn built_in(&self, templates: &[&str]) -> bool {
        templates.iter().all(|t| self.origins.contains_key(*t) && !self.custom.contains(*t))
    }

    /// The page's bytes. Templates write only what they are given, all of it
    /// text, so the bytes are UTF-8 without checking them again.
    pub fn render(&self, template: &str, ctx: super::views::PageContext<'_>) -> Result<Vec<u8>, Diagnostic> {
        let error = |e: tera::Error| template_error(&e, &self.origins, Some(template));
        let mut context = tera::Context::from_serialize(&ctx.frame).map_err(error)?;
        context.insert_value("body", ctx.body);
        context.insert_value("t", ctx.t);
        let size = self.sizes.get(template);
        let mut out = Vec::with_capacity(size.map_or(LEAST_PAGE, |s| s.load(Ordering::Relaxed)));
        self.tera.render_to(template, &context, &mut out).map_err(error)?;
        if let Some(s) = size {
            s.fetch_max(out.len(), Ordering::Relaxed);
        }
        Ok(out)
    }

    /// Renders `template` on its own, given `vars` and the UI strings (a
    /// section of a page, see [`super::fragments`]).
    pub fn render_fragment(
        &self,
        template: &str,
        vars: Vec<(&'static str, tera::Value)>,
        t: tera::Value,
    ) -> Result<String, Diagnostic> {
        let mut context = tera::Context::new();
        for (name, value) in vars {
            context.insert_value(name, value);
        }
        context.insert_value("t", t);
        self.tera.render(template, &context).map_err(|e| template_error(&e, &self.origins, Some(template)))
    }

    pub fn static_files(&self) -> Vec<OutFile> {
        self.statics.iter().map(|(p, b)| OutFile { path: p.clone(), bytes: b.clone() }).collect()
    }
}

/// tera's `safe` without its copy: a string is marked safe as it is (a long
/// one is shared, not copied; the print views pass whole module and pair
/// bodies through `safe`), anything else is written as text, as tera's does.
fn safe(value: tera::Value, _: tera::Kwargs, _: &tera::State) -> tera::Value {
    if value.is_string() { value.mark_safe() } else { tera::Value::safe_string(&value.to_string()) }
}

/// Escapes like tera's own `escape_html` (the same characters and entities),
/// but writes the text between them in one piece instead of byte by byte:
/// escaping was 5 % of a build.
fn escape_html(input: &str, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    super::escaped(input).try_for_each(|piece| out.write_all(piece.as_bytes()))
}

fn read_overrides(
    root: &Path,
    dir: &Path,
    sources: &mut BTreeMap<String, (String, String)>,
    statics: &mut BTreeMap<String, Vec<u8>>,
    diags: &mut Diagnostics,
) -> BTreeMap<String, u64> {
    let mut read = BTreeMap::new();
    for entry in walkdir::WalkDir::new(dir).follow_links(false).sort_by_file_name() {
        let Ok(entry) = entry else { continue };
        if !entry.file_type().is_file() {
            continue;
        }
        let path = entry.path();
        let rel_in_theme = rel_path(dir, path);
        let rel = rel_path(root, path);
        if let Some(name) = rel_in_theme.strip_prefix("templates/") {
            match crate::load::read_source_hashed(path, &rel) {
                Ok((text, hash)) => {
                    read.insert(rel.clone(), hash);
                    sources.insert(name.to_string(), (text, rel));
                }
                Err(d) => diags.push(d),
            }
        } else if rel_in_theme.starts_with("static/") {
            match std::fs::read(path) {
                Ok(bytes) => {
                    read.insert(rel, crate::text::fingerprint(&bytes));
                    statics.insert(rel_in_theme, bytes);
                }
                Err(e) => diags.push(Diagnostic::error(rel, None, format!("cannot read file: {e}"))),
            }
        }
    }
    read
}

fn template_error(e: &tera::Error, origins: &BTreeMap<String, String>, template: Option<&str>) -> Diagnostic {
    let mut msg = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        src = s.source();
    }
    let file = template.and_then(|t| origins.get(t).cloned()).unwrap_or_else(|| "themes".to_string());
    Diagnostic::error(file, None, format!("template error: {msg}"))
        .with_hint("fix the template; a theme override must provide every variable the page uses")
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_as_tera_does() {
        for text in
            ["", "plain", "<a href=\"x\">Tom & Jerry's</a>", "&&", "ä<ß>é'\"", "end&", "日本<語>", "€&€\"€", "<"]
        {
            let (mut ours, mut teras) = (Vec::new(), Vec::new());
            super::escape_html(text, &mut ours).unwrap();
            tera::escape_html(text, &mut teras).unwrap();
            assert_eq!(String::from_utf8(ours).unwrap(), String::from_utf8(teras).unwrap(), "{text}");
        }
    }
}
