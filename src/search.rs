//! The offline search index: every module, item, method, chapter section and
//! glossary term as a document, with a sorted token dictionary, written as a
//! JavaScript file so that search works from disk and under any sub-path.
//!
//! Tokens are folded the way `static/site.js` folds queries: lower case,
//! ä → ae, ö → oe, ü → ue, ß → ss, other accents dropped, split at anything that
//! is not a letter or digit. Queries match by prefix, so "Netzwerk" finds
//! "Netzwerkarbeit" and "Netzwerke".

use crate::markdown;
use crate::model::{Dimension, KnownSection, Site};
use serde::Serialize;
use std::collections::BTreeMap;

/// Folds text into search tokens: the words of [`crate::text::slugify`], made
/// in one pass without building the slug (this runs over every text of the site).
pub fn fold_tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut token = String::new();
    let mut push = |ascii: &str, token: &mut String| {
        for b in ascii.bytes() {
            if b.is_ascii_alphanumeric() {
                token.push(b.to_ascii_lowercase() as char);
            } else if !token.is_empty() {
                out.push(std::mem::take(token));
            }
        }
    };
    for c in text.chars() {
        let mut buf = [0u8; 4];
        let ascii: &str = match c {
            'ä' | 'Ä' => "ae",
            'ö' | 'Ö' => "oe",
            'ü' | 'Ü' => "ue",
            'ß' => "ss",
            c if c.is_ascii() => c.encode_utf8(&mut buf),
            c => deunicode::deunicode_char(c).unwrap_or("[?]"),
        };
        push(ascii, &mut token);
    }
    push(" ", &mut token);
    out
}

/// The reference definition of [`fold_tokens`].
#[cfg(test)]
fn fold_tokens_by_slug(text: &str) -> Vec<String> {
    let slug = crate::text::slugify(text, usize::MAX);
    slug.split('-').filter(|t| !t.is_empty()).map(str::to_string).collect()
}

/// One searchable thing.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Doc {
    /// What the result shows as its title.
    pub title: String,
    /// Path below the site root, with fragment.
    pub url: String,
    /// Group: curriculum short title, or the glossary's name.
    pub group: String,
    /// Context: module label and dimension, or chapter title.
    pub context: String,
    /// A snippet of the text.
    pub text: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Index {
    pub docs: Vec<Doc>,
    /// Sorted by token; each with the ids of the documents containing it.
    pub tokens: Vec<(String, Vec<u32>)>,
}

fn snippet(s: &str) -> String {
    let plain = crate::compare::prose::plain_text(s).split_whitespace().collect::<Vec<_>>().join(" ");
    if plain.chars().count() > 220 {
        let cut: String = plain.chars().take(220).collect();
        format!("{}…", cut.rsplit_once(' ').map_or(cut.as_str(), |x| x.0))
    } else {
        plain
    }
}

/// Builds the index; `labels` gives the UI names of dimensions and sections.
/// Curricula and documents are folded in parallel; the dictionary is one sort
/// of (token, document) pairs, which gives the same order as inserting them
/// into a sorted map one by one.
pub fn build(site: &Site, labels: &BTreeMap<&str, &str>) -> Index {
    use rayon::prelude::*;
    let per_curriculum: Vec<Vec<(Doc, String)>> = site
        .curricula
        .par_iter()
        .map(|c| {
            let mut docs = Vec::new();
            for m in &c.modules {
                module_docs(c, m, labels, &mut docs);
            }
            for p in &c.pages {
                page_docs(c, p, labels, &mut docs);
            }
            docs
        })
        .collect();
    let mut docs: Vec<(Doc, String)> = per_curriculum.into_iter().flatten().collect();
    for term in &site.glossary.terms {
        let url = format!("glossar/#{}", term_anchor(&term.term));
        let doc = Doc {
            title: term.term.clone(),
            url,
            group: labels["glossary"].to_string(),
            context: term.aliases.join(", "),
            text: snippet(&term.definition),
        };
        docs.push((doc, format!("{} {} {}", term.term, term.aliases.join(" "), term.definition)));
    }
    let doc_tokens: Vec<Vec<String>> = docs
        .par_iter()
        .map(|(doc, text)| {
            let mut toks = fold_tokens(text);
            toks.extend(fold_tokens(&doc.title));
            toks.sort_unstable();
            toks.dedup();
            toks
        })
        .collect();
    // Postings gathered by token in document order (so each list is sorted),
    // then only the distinct tokens sorted: far fewer than (token, document)
    // pairs, and no token copied per document.
    let mut postings: rustc_hash::FxHashMap<&str, Vec<u32>> = Default::default();
    for (i, toks) in doc_tokens.iter().enumerate() {
        for t in toks {
            postings.entry(t.as_str()).or_default().push(i as u32);
        }
    }
    let mut tokens: Vec<(String, Vec<u32>)> = postings.into_iter().map(|(t, ids)| (t.to_string(), ids)).collect();
    tokens.par_sort_unstable_by(|a, b| a.0.cmp(&b.0));
    Index { docs: docs.into_iter().map(|(d, _)| d).collect(), tokens }
}

/// Documents of one module: the module, its two known sections, every item and method.
fn module_docs(
    c: &crate::model::Curriculum,
    m: &crate::model::Module,
    labels: &BTreeMap<&str, &str>,
    docs: &mut Vec<(Doc, String)>,
) {
    let base = format!("{}/{}/", c.id, m.id);
    let label = format!("{} {}", labels["module"], m.number.value);
    let body: String = m.sections.iter().map(|s| s.markdown.as_str()).collect::<Vec<_>>().join("\n\n");
    let full =
        format!("{} {} {}", m.title, m.topics.clone().unwrap_or_default(), crate::compare::prose::plain_text(&body));
    let doc = Doc {
        title: m.title.clone(),
        url: base.clone(),
        group: c.short_title.clone(),
        context: label.clone(),
        text: snippet(m.topics.as_deref().unwrap_or(&body)),
    };
    docs.push((doc, full));
    for k in [KnownSection::Kompetenzbeschreibung, KnownSection::BeruflicheHandlung] {
        if let Some(s) = m.section(k) {
            let (key, anchor) = match k {
                KnownSection::Kompetenzbeschreibung => ("kompetenzbeschreibung", "kompetenzbeschreibung"),
                KnownSection::BeruflicheHandlung => ("berufliche_handlung", "berufliche-handlung"),
            };
            let doc = Doc {
                title: labels[key].to_string(),
                url: format!("{base}#{anchor}"),
                group: c.short_title.clone(),
                context: format!("{label}: {}", m.title),
                text: snippet(&s.markdown),
            };
            docs.push((doc, crate::compare::prose::plain_text(&s.markdown)));
        }
    }
    for d in Dimension::ALL {
        for it in m.competencies.get(d) {
            let doc = Doc {
                title: it.text.clone(),
                url: format!("{base}#{}", it.anchor),
                group: c.short_title.clone(),
                context: format!("{label} · {}", labels[d.key()]),
                text: String::new(),
            };
            docs.push((doc, it.text.clone()));
        }
    }
    for it in &m.methods {
        let doc = Doc {
            title: it.text.clone(),
            url: format!("{base}#{}", it.anchor),
            group: c.short_title.clone(),
            context: format!("{label} · {}", labels["methods"]),
            text: String::new(),
        };
        docs.push((doc, it.text.clone()));
    }
}

/// Documents of one chapter: the chapter and each of its H2 sections.
fn page_docs(
    c: &crate::model::Curriculum,
    p: &crate::model::Page,
    labels: &BTreeMap<&str, &str>,
    docs: &mut Vec<(Doc, String)>,
) {
    let rendered = markdown::render(&p.markdown, &markdown::RenderOptions::default());
    let (pre, sections) = markdown::split_sections(&p.markdown, 1);
    let url = format!("{}/{}/", c.id, p.id);
    docs.push((
        Doc {
            title: p.title.clone(),
            url: url.clone(),
            group: c.short_title.clone(),
            context: labels["chapters"].to_string(),
            text: snippet(&pre),
        },
        format!("{} {}", p.title, crate::compare::prose::plain_text(&pre)),
    ));
    let h2: Vec<&markdown::Heading> = rendered.headings.iter().filter(|h| h.level == 2).collect();
    for (s, h) in sections.iter().zip(h2) {
        let doc = Doc {
            title: s.title.clone(),
            url: format!("{url}#{}", h.id),
            group: c.short_title.clone(),
            context: p.title.clone(),
            text: snippet(&s.markdown),
        };
        docs.push((doc, format!("{} {}", s.title, crate::compare::prose::plain_text(&s.markdown))));
    }
}

/// The anchor of a glossary term on the glossary page.
pub fn term_anchor(term: &str) -> String {
    format!("term-{}", crate::text::slugify(term, 50))
}

/// The index as a script that sets `window.CURRICULA_SEARCH`.
pub fn to_js(index: &Index) -> String {
    let json = serde_json::to_string(index).unwrap_or_else(|_| "{}".into()).replace('<', "\\u003c");
    format!("window.CURRICULA_SEARCH={json};\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_matches_the_javascript_side() {
        assert_eq!(fold_tokens("Netzwerkarbeit, Übung/Simulation"), vec!["netzwerkarbeit", "uebung", "simulation"]);
        assert_eq!(fold_tokens("Größe Café"), vec!["groesse", "cafe"]);
    }

    #[test]
    fn one_pass_folding_equals_folding_the_slug() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
        let mut texts =
            vec!["", "--", "ÄÖÜ äöü ß", "Œuvre – naïve façade ½ № 5", "日本語 テキスト", "a\u{301}b", "x[?]y"];
        let files: Vec<String> = walkdir::WalkDir::new(root)
            .into_iter()
            .flatten()
            .filter(|e| e.file_type().is_file())
            .filter_map(|e| std::fs::read_to_string(e.path()).ok())
            .collect();
        texts.extend(files.iter().map(String::as_str));
        assert!(texts.len() > 20, "the bundled content is there");
        for t in texts {
            // deunicode drops line breaks of a whole text, gluing the words around
            // them ("Kompetenzbeschreibung\n\nDie"); per character they separate.
            let spaced = t.replace(['\n', '\r', '\t'], " ");
            assert_eq!(fold_tokens(t), fold_tokens_by_slug(&spaced), "{t:.60}");
        }
    }
}
