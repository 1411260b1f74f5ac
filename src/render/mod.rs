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

/// A rendered page with the warnings found while making it, or a template error.
type PageResult = Result<(OutFile, Diagnostics), Diagnostic>;

/// Everything that is not a page: static files, exports, the search index.
fn data_files(site: &Site, theme: &Theme, comparisons: &[crate::compare::ComparisonResult]) -> Vec<OutFile> {
    let mut files = theme.static_files();
    if !files.iter().any(|f| f.path == "static/highlight.css") {
        files.push(OutFile { path: "static/highlight.css".into(), bytes: crate::highlight::css().into_bytes() });
    }
    let (cmp, cur) =
        rayon::join(|| crate::export::comparison_files(site, comparisons), || crate::export::curriculum_files(site));
    files.extend(cmp);
    files.extend(cur);
    let index = crate::search::build(site, i18n::strings(site.config.language));
    files.push(OutFile { path: "search-index.js".into(), bytes: crate::search::to_js(&index).into_bytes() });
    files
}

/// Renders with an already loaded theme (serve reuses it between rebuilds).
pub fn render_with(site: &Site, theme: &Theme, sources: &Sources) -> Result<(Vec<OutFile>, Diagnostics), Diagnostics> {
    let comparisons = site.comparisons.par_iter().filter_map(|c| crate::compare::compare(site, c)).collect();
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
    let (bodies, module_warnings) = views::all_module_bodies(&data);
    data.module_bodies = bodies;
    data.pair_bodies = compare_views::all_pair_bodies(&data);
    let jobs = views::jobs(&data);
    // Pages and data files are independent: make them side by side.
    let (results, mut files): (Vec<PageResult>, Vec<OutFile>) = rayon::join(
        || {
            jobs.par_iter()
                .map(|job| {
                    let (ctx, warnings) = views::context(&data, job);
                    let path = job.path(&data);
                    theme.render(job.template(), ctx).map(|html| (OutFile { path, bytes: html.into_bytes() }, warnings))
                })
                .collect()
        },
        || data_files(site, theme, &data.comparisons),
    );
    let mut errors = Diagnostics::new();
    let mut warnings = module_warnings;
    for r in results {
        match r {
            Ok((f, w)) => {
                files.push(f);
                warnings.extend(w);
            }
            Err(d) => errors.push(d),
        }
    }
    if errors.has_errors() {
        return Err(errors);
    }
    let extra = crate::export::site_files(site, &files);
    files.extend(extra);
    files.sort();
    Ok((files, warnings))
}
