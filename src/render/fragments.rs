//! The sections of the print views (a comparison's pairs, a curriculum's
//! modules), rendered one by one before their page: `serve` keeps each with
//! the value it was rendered from, so that an edit renders again only the
//! sections whose values changed. The print views were the two largest
//! templates of a rebuild, and an edit of one module changes one section.

use super::theme::Theme;
use super::views::{Data, Job, with_key};
use crate::diag::Diagnostic;

/// A section as rendered: the template and value it was made from, and its HTML.
#[derive(Debug)]
pub struct KeptFragment {
    template: &'static str,
    input: tera::Value,
    html: tera::Value,
}

/// Rendered sections by `<page path>#<index>`.
pub type KeptFragments = std::collections::HashMap<String, std::sync::Arc<KeptFragment>>;

/// How the sections of a print view are rendered: each element of the list
/// `list` in the page's body by `template`, given the variables `vars` makes
/// of it (as the page template's `include` had them). The HTML is set as the
/// element's `html`.
struct Sections {
    list: &'static str,
    template: &'static str,
    vars: fn(&tera::Value) -> Vec<(&'static str, tera::Value)>,
}

fn get(v: &tera::Value, path: &str) -> tera::Value {
    v.get_from_path(path).cloned().unwrap_or_else(tera::Value::none)
}

fn sections_of(job: &Job) -> Option<Sections> {
    match job {
        Job::ComparePrint(_) => Some(Sections {
            list: "pairs",
            template: "pair_body.html",
            vars: |p| vec![("pb", get(p, "body")), ("printing", true.into()), ("h", 3.into())],
        }),
        Job::CurriculumPrint(_) => Some(Sections {
            list: "modules",
            template: "module_body.html",
            vars: |m| {
                let levels = [("h1", 2), ("h2", 3), ("h3", 4), ("h4", 5)].map(|(h, n)| (h, tera::Value::from(n)));
                [("m", m.clone()), ("idp", get(m, "idp"))].into_iter().chain(levels).collect()
            },
        }),
        _ => None,
    }
}

/// `body` of the page at `path` made by `job`, with the HTML of each of its
/// sections if it is a print view: kept from the last render where the
/// section's variables are identical, else rendered (and kept).
pub(super) fn prerender(
    data: &Data,
    theme: &Theme,
    job: &Job,
    path: &str,
    body: tera::Value,
    t: &tera::Value,
) -> Result<tera::Value, Diagnostic> {
    use rayon::prelude::*;
    let Some(sections) = sections_of(job) else { return Ok(body) };
    let list = body.get_from_path(sections.list).and_then(|l| l.as_array().map(<[tera::Value]>::to_vec));
    let Some(list) = list else { return Ok(body) };
    let made = list
        .par_iter()
        .enumerate()
        .map(|(i, element)| {
            let slot = format!("{path}#{i}");
            let vars = (sections.vars)(element);
            let input = tera::Value::from(vars.iter().map(|(_, v)| v.clone()).collect::<Vec<_>>());
            let same = |k: &&std::sync::Arc<KeptFragment>| {
                k.template == sections.template && super::identical(&k.input, &input)
            };
            let fragment = match data.fragments.get(&slot).filter(same) {
                Some(kept) => kept.clone(),
                None => {
                    let html = theme.render_fragment(sections.template, vars, t.clone())?;
                    let html = tera::Value::from(html);
                    std::sync::Arc::new(KeptFragment { template: sections.template, input, html })
                }
            };
            let html = fragment.html.clone();
            data.fragments.note(slot, fragment);
            Ok(with_key(element, "html", html))
        })
        .collect::<Result<Vec<_>, Diagnostic>>()?;
    Ok(with_key(&body, sections.list, tera::Value::from(made)))
}
