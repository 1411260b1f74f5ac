//! Markdown (the one owner of pulldown-cmark): section splitting for module
//! bodies and HTML rendering with the format's safety rules.
//!
//! Rendering adds what pulldown-cmark leaves out: heading ids (German-aware
//! slugs, unique per document, with a prefix so several documents can share a
//! page), footnote ids with the same prefix, raw HTML shown as text unless the
//! site trusts its authors, and no `javascript:`/`data:` links.

use crate::model::{KnownSection, Section};
use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd, html};
use std::collections::HashMap;

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// Splits a body at its H2 headings. Returns the Markdown before the first H2
/// and the sections in source order, each with the file line its body starts on.
pub fn split_sections(body: &str, body_line: u32) -> (String, Vec<Section>) {
    let mut starts: Vec<(usize, usize, String)> = Vec::new(); // (heading start, body start, title)
    let mut current: Option<(usize, usize, String)> = None;
    for (ev, range) in Parser::new_ext(body, options()).into_offset_iter() {
        match ev {
            Event::Start(Tag::Heading { level: HeadingLevel::H2, .. }) => {
                current = Some((range.start, range.end, String::new()))
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some(c) = current.as_mut() {
                    c.2.push_str(&t);
                }
            }
            Event::End(TagEnd::Heading(HeadingLevel::H2)) => {
                if let Some(c) = current.take() {
                    starts.push(c);
                }
            }
            _ => {}
        }
    }
    let preamble_end = starts.first().map_or(body.len(), |s| s.0);
    let preamble = body[..preamble_end].trim().to_string();
    let sections = starts
        .iter()
        .enumerate()
        .map(|(i, (_, body_start, title))| {
            let end = starts.get(i + 1).map_or(body.len(), |n| n.0);
            let line = body_line + body[..*body_start].matches('\n').count() as u32;
            Section {
                title: title.trim().to_string(),
                known: KnownSection::from_heading(title),
                markdown: body[*body_start..end].trim().to_string(),
                line,
            }
        })
        .collect();
    (preamble, sections)
}

/// How to render one document.
#[derive(Debug, Clone, Default)]
pub struct RenderOptions {
    /// Prefix for heading and footnote ids, unique per document on a page.
    pub id_prefix: String,
    pub allow_raw_html: bool,
    /// Headings are shifted so that `#` becomes this level (1 = unchanged).
    pub top_level: u8,
    /// Glossary terms (and aliases) with the link to their entry; the first
    /// occurrence of each in the document is linked.
    pub glossary: Option<std::sync::Arc<Terms>>,
    /// Prefix of the glossary links: the way from the page to the site root.
    pub glossary_root: String,
}

/// A heading found while rendering, for tables of contents.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Heading {
    pub level: u8,
    pub id: String,
    pub text: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rendered {
    pub html: String,
    pub headings: Vec<Heading>,
    /// Raw HTML that was escaped (for a `check` warning).
    pub raw_html: Vec<String>,
}

/// Renders a Markdown document to HTML.
pub fn render(md: &str, opts: &RenderOptions) -> Rendered {
    let (events, headings, raw_html) = parse(md, opts);
    let events = match &opts.glossary {
        Some(terms) if !terms.is_empty() => link_terms(events, terms, &opts.glossary_root),
        _ => events,
    };
    let events = highlight_code(events);
    // The last two passes change events one by one: they run as the HTML is
    // written, not as two more lists of every event.
    let footnotes = footnote_numbers(&events);
    let prefix = opts.id_prefix.as_str();
    let mut out = String::with_capacity(md.len() * 3 / 2);
    let events = events.into_iter().flat_map(wrap_table).map(|ev| prefix_footnote(ev, prefix, &footnotes));
    html::push_html(&mut out, events);
    Rendered { html: out, headings, raw_html }
}

/// The events of `md` with raw HTML escaped (unless allowed) and ids on its
/// headings; its headings; the raw HTML that was escaped.
fn parse<'a>(md: &'a str, opts: &RenderOptions) -> (Vec<Event<'a>>, Vec<Heading>, Vec<String>) {
    let mut raw_html = Vec::new();
    let events: Vec<Event> =
        Parser::new_ext(md, options()).filter_map(|ev| sanitize(ev, opts.allow_raw_html, &mut raw_html)).collect();
    let (events, headings) = add_heading_ids(events, opts);
    (events, headings, raw_html)
}

/// The headings of a Markdown document with the ids [`render`] gives them,
/// without rendering it (the search index needs only the ids).
pub fn headings(md: &str, opts: &RenderOptions) -> Vec<Heading> {
    parse(md, opts).1
}

/// Renders one line of inline Markdown (a list item) without the `<p>` wrapper.
pub fn render_inline(text: &str, allow_raw_html: bool) -> String {
    if is_plain(text) {
        return text.to_string();
    }
    render_inline_parsed(text, allow_raw_html)
}

/// Whether `text` renders as itself: one line starting with a letter, of
/// letters, digits, spaces and punctuation that neither starts a block nor
/// marks anything inline nor needs escaping. Most list items are such, and
/// parsing them was most of the making of a module's values.
fn is_plain(text: &str) -> bool {
    let punctuation = |c: char| matches!(c, ' ' | ',' | '.' | ';' | ':' | '(' | ')' | '/' | '-' | '?' | '%' | '+');
    text.chars().next().is_some_and(char::is_alphabetic)
        && !text.ends_with(' ')
        && text.chars().all(|c| c.is_alphanumeric() || punctuation(c) || matches!(c, '–' | '„' | '“' | '”' | '…'))
}

fn render_inline_parsed(text: &str, allow_raw_html: bool) -> String {
    let r = render(text, &RenderOptions { allow_raw_html, top_level: 1, ..Default::default() });
    let h = r.html.trim_end();
    match h.strip_prefix("<p>").and_then(|s| s.strip_suffix("</p>")) {
        Some(inner) if !inner.contains("<p>") => inner.to_string(),
        _ => h.to_string(),
    }
}

fn is_unsafe_url(url: &str) -> bool {
    let lower: String =
        url.trim().chars().filter(|c| !c.is_whitespace() && !c.is_control()).collect::<String>().to_ascii_lowercase();
    ["javascript:", "data:", "vbscript:"].iter().any(|s| lower.starts_with(s))
}

/// Escapes raw HTML (unless trusted) and drops unsafe link targets, keeping their text.
fn sanitize<'a>(ev: Event<'a>, allow_raw: bool, raw: &mut Vec<String>) -> Option<Event<'a>> {
    match ev {
        Event::Html(h) | Event::InlineHtml(h) if !allow_raw => {
            raw.push(h.trim().to_string());
            Some(Event::Text(h))
        }
        Event::Start(Tag::Link { ref dest_url, .. }) | Event::Start(Tag::Image { ref dest_url, .. })
            if is_unsafe_url(dest_url) =>
        {
            Some(Event::Start(match ev {
                Event::Start(Tag::Image { link_type, title, id, .. }) => {
                    Tag::Image { link_type, dest_url: CowStr::Borrowed("#"), title, id }
                }
                Event::Start(Tag::Link { link_type, title, id, .. }) => {
                    Tag::Link { link_type, dest_url: CowStr::Borrowed("#"), title, id }
                }
                _ => return None,
            }))
        }
        Event::Start(Tag::Link { link_type, dest_url, title, id }) if is_local_dir(&dest_url) => {
            // `../m3/` opens a folder listing from disk; `../m3/index.html` works everywhere.
            let (path, frag) = dest_url.split_once('#').map_or((dest_url.as_ref(), None), |(p, f)| (p, Some(f)));
            let dest = match frag {
                Some(f) => format!("{path}index.html#{f}"),
                None => format!("{path}index.html"),
            };
            Some(Event::Start(Tag::Link { link_type, dest_url: CowStr::from(dest), title, id }))
        }
        other => Some(other),
    }
}

/// A relative link to a folder (`../m3/`, `grundlagen/#x`).
fn is_local_dir(url: &str) -> bool {
    let path = url.split('#').next().unwrap_or("");
    !url.contains(':') && !path.starts_with('/') && path.ends_with('/')
}

/// Puts every table in a scrolling wrapper, so a wide table never widens the
/// page: the event, with the wrapper's start before a table's start or its
/// end after a table's end.
fn wrap_table(ev: Event<'_>) -> impl Iterator<Item = Event<'_>> {
    let (before, after) = match ev {
        Event::Start(Tag::Table(_)) => (Some(Event::Html(CowStr::Borrowed("<div class=\"table-wrap\">"))), None),
        Event::End(TagEnd::Table) => (None, Some(Event::Html(CowStr::Borrowed("</div>\n")))),
        _ => (None, None),
    };
    before.into_iter().chain(std::iter::once(ev)).chain(after)
}

/// Replaces fenced code blocks of a known language with highlighted HTML.
fn highlight_code(events: Vec<Event<'_>>) -> Vec<Event<'_>> {
    if !events.iter().any(|e| matches!(e, Event::Start(Tag::CodeBlock(pulldown_cmark::CodeBlockKind::Fenced(_))))) {
        return events;
    }
    let mut out = Vec::with_capacity(events.len());
    let mut lang: Option<String> = None;
    let mut code = String::new();
    for ev in events {
        match ev {
            Event::Start(Tag::CodeBlock(pulldown_cmark::CodeBlockKind::Fenced(l))) if !l.trim().is_empty() => {
                lang = Some(l.split_whitespace().next().unwrap_or("").to_string());
                code.clear();
            }
            Event::Text(t) if lang.is_some() => code.push_str(&t),
            Event::End(TagEnd::CodeBlock) if lang.is_some() => {
                let l = lang.take().unwrap_or_default();
                let body = crate::highlight::highlight(&code, &l).unwrap_or_else(|| crate::render::escape(&code));
                out.push(Event::Html(CowStr::from(format!(
                    "<pre class=\"code\"><code class=\"language-{}\">{body}</code></pre>\n",
                    crate::render::escape(&l)
                ))));
            }
            other => out.push(other),
        }
    }
    out
}

/// Glossary terms and aliases compiled once per site: every term with the
/// link target it shares with its aliases, indexed by first character so that
/// a text is scanned once instead of once per term.
#[derive(Debug, Clone, Default)]
pub struct Terms {
    /// (term, target index), longest first, then alphabetical.
    terms: Vec<(String, usize)>,
    /// The link of each target, relative to the site root.
    targets: Vec<String>,
    /// Indices into `terms` by the term's first character, in `terms` order.
    by_first: rustc_hash::FxHashMap<char, Vec<usize>>,
}

impl Terms {
    /// `entries` are (term, link relative to the site root); entries with the
    /// same link are one target (a term and its aliases are linked once).
    pub fn new(entries: Vec<(String, String)>) -> Self {
        let mut entries: Vec<(String, String)> = entries.into_iter().filter(|(t, _)| !t.is_empty()).collect();
        entries.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
        let mut targets: Vec<String> = entries.iter().map(|(_, h)| h.clone()).collect();
        targets.sort();
        targets.dedup();
        let terms: Vec<(String, usize)> = entries
            .into_iter()
            .map(|(t, h)| {
                let k = targets.binary_search(&h).unwrap_or_default();
                (t, k)
            })
            .collect();
        let mut by_first: rustc_hash::FxHashMap<char, Vec<usize>> = Default::default();
        for (i, (t, _)) in terms.iter().enumerate() {
            if let Some(c) = t.chars().next() {
                by_first.entry(c).or_default().push(i);
            }
        }
        Terms { terms, targets, by_first }
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// A fingerprint of the terms and their links: equal for equal glossaries.
    pub fn fingerprint(&self) -> u64 {
        let count = (self.targets.len() as u64).to_le_bytes();
        let indices: Vec<[u8; 8]> = self.terms.iter().map(|(_, k)| (*k as u64).to_le_bytes()).collect();
        let terms = self.terms.iter().zip(&indices).flat_map(|((t, _), k)| [t.as_bytes(), k.as_slice()]);
        let targets = self.targets.iter().map(|t| t.as_bytes());
        crate::text::fingerprint_parts(std::iter::once(count.as_slice()).chain(targets).chain(terms))
    }

    /// The earliest term at word boundaries whose target is not yet linked,
    /// the longest at that position: (start, len, target).
    fn first(&self, text: &str, done: &[bool]) -> Option<(usize, usize, usize)> {
        let mut prev: Option<char> = None;
        for (start, c) in text.char_indices() {
            let at_boundary = prev.is_none_or(|p| !is_word_char(p));
            prev = Some(c);
            // Only a word's first character is looked up (a lookup for every
            // character was half of rendering Markdown).
            if !at_boundary {
                continue;
            }
            let Some(candidates) = self.by_first.get(&c) else { continue };
            for &i in candidates {
                let (term, target) = (&self.terms[i].0, self.terms[i].1);
                if done[target] || !text[start..].starts_with(term.as_str()) {
                    continue;
                }
                if text[start + term.len()..].chars().next().is_none_or(|c| !is_word_char(c)) {
                    return Some((start, term.len(), target));
                }
            }
        }
        None
    }
}

/// Links the first occurrence of every glossary term in running text; never
/// inside headings, links, images, code or raw HTML.
fn link_terms<'a>(events: Vec<Event<'a>>, terms: &Terms, root: &str) -> Vec<Event<'a>> {
    let mut done = vec![false; terms.targets.len()];
    let mut blocked = 0usize;
    let mut out = Vec::with_capacity(events.len());
    for ev in events {
        match &ev {
            Event::Start(Tag::Heading { .. } | Tag::Link { .. } | Tag::Image { .. } | Tag::CodeBlock(_)) => {
                blocked += 1
            }
            Event::End(TagEnd::Heading(_) | TagEnd::Link | TagEnd::Image | TagEnd::CodeBlock) => {
                blocked = blocked.saturating_sub(1)
            }
            _ => {}
        }
        match ev {
            Event::Text(t) if blocked == 0 => split_terms(&t, terms, root, &mut done, &mut out),
            other => out.push(other),
        }
    }
    out
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '-'
}

fn split_terms<'a>(text: &str, terms: &Terms, root: &str, done: &mut [bool], out: &mut Vec<Event<'a>>) {
    let mut rest = text;
    while let Some((start, len, k)) = terms.first(rest, done) {
        if start > 0 {
            out.push(Event::Text(CowStr::from(rest[..start].to_string())));
        }
        done[k] = true;
        out.push(Event::Html(CowStr::from(format!(
            "<a class=\"term\" href=\"{}{}\">{}</a>",
            crate::render::escape(root),
            crate::render::escape(&terms.targets[k]),
            crate::render::escape(&rest[start..start + len])
        ))));
        rest = &rest[start + len..];
    }
    if !rest.is_empty() {
        out.push(Event::Text(CowStr::from(rest.to_string())));
    }
}

fn shift(level: HeadingLevel, top: u8) -> HeadingLevel {
    let n = (level as u8).saturating_add(top.max(1) - 1).min(6);
    HeadingLevel::try_from(n as usize).unwrap_or(HeadingLevel::H6)
}

/// Gives every heading an id (explicit `{#id}` kept) and shifts levels.
fn add_heading_ids<'a>(mut events: Vec<Event<'a>>, opts: &RenderOptions) -> (Vec<Event<'a>>, Vec<Heading>) {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut headings = Vec::new();
    let mut i = 0;
    while i < events.len() {
        if let Event::Start(Tag::Heading { level, id, .. }) = &events[i] {
            let level = *level;
            let explicit = id.as_ref().map(|s| s.to_string());
            let mut text = String::new();
            let mut j = i + 1;
            while j < events.len() && !matches!(events[j], Event::End(TagEnd::Heading(_))) {
                if let Event::Text(t) | Event::Code(t) = &events[j] {
                    text.push_str(t);
                }
                j += 1;
            }
            let base = explicit.unwrap_or_else(|| {
                let s = crate::text::slugify(&text, 60);
                if s.is_empty() { "abschnitt".into() } else { s }
            });
            let n = seen.entry(base.clone()).or_insert(0);
            *n += 1;
            let id = format!("{}{}", opts.id_prefix, if *n == 1 { base } else { format!("{base}-{n}") });
            let new_level = shift(level, opts.top_level);
            headings.push(Heading { level: new_level as u8, id: id.clone(), text: text.trim().to_string() });
            if let Event::Start(Tag::Heading { level: l, id: hid, .. }) = &mut events[i] {
                *l = new_level;
                *hid = Some(CowStr::from(id));
            }
            if let Some(Event::End(TagEnd::Heading(l))) = events.get_mut(j) {
                *l = new_level;
            }
            i = j;
        }
        i += 1;
    }
    (events, headings)
}

/// The number of each footnote: footnote markup is replaced with prefixed ids
/// so documents on one page never collide ([`prefix_footnote`]), and footnotes
/// are numbered in order of first reference.
fn footnote_numbers(events: &[Event<'_>]) -> HashMap<String, usize> {
    let mut numbers: HashMap<String, usize> = HashMap::new();
    for ev in events {
        if let Event::FootnoteReference(name) = ev {
            let next = numbers.len() + 1;
            numbers.entry(name.to_string()).or_insert(next);
        }
    }
    numbers
}

/// A footnote reference or definition as HTML with ids under `prefix`,
/// numbered by `numbers` ([`footnote_numbers`]); any other event as it is.
fn prefix_footnote<'a>(ev: Event<'a>, prefix: &str, numbers: &HashMap<String, usize>) -> Event<'a> {
    let esc = |s: &str| crate::text::slugify(s, 40);
    match ev {
        Event::FootnoteReference(name) => {
            let n = numbers.get(name.as_ref()).copied().unwrap_or(0);
            let id = esc(&name);
            Event::Html(CowStr::from(format!(
                "<sup class=\"footnote-ref\"><a href=\"#{prefix}fn-{id}\" id=\"{prefix}fnref-{id}\">{n}</a></sup>"
            )))
        }
        Event::Start(Tag::FootnoteDefinition(name)) => {
            let id = esc(&name);
            let label = numbers.get(name.as_ref()).map_or_else(|| crate::render::escape(&name), |n| n.to_string());
            Event::Html(CowStr::from(format!(
                "<div class=\"footnote\" id=\"{prefix}fn-{id}\"><span class=\"footnote-label\"><a href=\"#{prefix}fnref-{id}\">{label}</a></span>"
            )))
        }
        Event::End(TagEnd::FootnoteDefinition) => Event::Html(CowStr::Borrowed("</div>\n")),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn plain_lines_render_as_parsed(s in "[a-zA-ZäöüßÄ][a-zA-Z0-9äöüß ,.;:()/?%+–„“”…-]{0,40}", raw: bool) {
            if is_plain(&s) {
                proptest::prop_assert_eq!(render_inline(&s, raw), render_inline_parsed(&s, raw));
            }
        }
    }

    #[test]
    fn only_plain_lines_skip_the_parser() {
        let marks = (0x21u8..0x7f).map(char::from).filter(|c| !c.is_ascii_alphanumeric()).chain(['–', '„', '…', '\t']);
        for c in marks {
            for s in [
                format!("a{c}b{c}"),
                format!("a {c}b{c} c"),
                format!("a{c}{c}b{c}{c}"),
                format!("a{c}"),
                format!("a {c} b"),
            ] {
                if is_plain(&s) {
                    assert_eq!(render_inline(&s, false), render_inline_parsed(&s, false), "{s:?}");
                }
            }
        }
    }

    #[test]
    fn what_may_start_or_mark_markdown_is_not_plain() {
        for s in
            ["1. Liste", "- Punkt", "# Titel", "a *b*", "a_b_", "a <b>", "a & b", "[x](y)", "a ", "", "a\nb", "a\"b\""]
        {
            assert!(!is_plain(s), "{s:?}");
        }
        assert!(is_plain("Phasen im Case Management (Intake, Assessment) – 100 % Reha-/Teilhabeplanung"));
    }

    #[test]
    fn glossaries_with_other_terms_or_links_have_other_fingerprints() {
        let terms = |t: &[(&str, &str)]| Terms::new(t.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect());
        let base = terms(&[("Hilfeplan", "g#hilfeplan"), ("Case", "g#case")]);
        assert_eq!(base.fingerprint(), terms(&[("Case", "g#case"), ("Hilfeplan", "g#hilfeplan")]).fingerprint());
        assert_ne!(base.fingerprint(), terms(&[("Hilfeplan", "g#hilfeplan"), ("Case", "g#fall")]).fingerprint());
        assert_ne!(base.fingerprint(), terms(&[("Hilfeplan", "g#case"), ("Case", "g#hilfeplan")]).fingerprint());
        assert_ne!(base.fingerprint(), terms(&[("Hilfeplan", "g#hilfeplan")]).fingerprint());
    }

    #[test]
    fn sections_split_at_h2_with_lines() {
        let body = "\nIntro\n\n## Kompetenzbeschreibung\n\nText A\n\n### Sub\n\nmore\n\n## Berufliche Handlung\n\nText B\n\n## Extra\nX\n";
        let (pre, s) = split_sections(body, 10);
        assert_eq!(pre, "Intro");
        assert_eq!(s.len(), 3);
        assert_eq!(s[0].known, Some(KnownSection::Kompetenzbeschreibung));
        assert_eq!(s[0].markdown, "Text A\n\n### Sub\n\nmore");
        assert_eq!(s[0].line, 14);
        assert_eq!(s[1].known, Some(KnownSection::BeruflicheHandlung));
        assert_eq!(s[2].title, "Extra");
        assert_eq!(s[2].known, None);
    }

    #[test]
    fn raw_html_is_escaped_unless_allowed() {
        let r = render("Hallo <script>alert(1)</script>\n\n<div onclick=x>y</div>\n", &RenderOptions::default());
        assert!(!r.html.contains("<script>"), "{}", r.html);
        assert!(r.html.contains("&lt;script&gt;"));
        assert_eq!(r.raw_html.len(), 3, "{:?}", r.raw_html);
        let trusted = render("<b>x</b>", &RenderOptions { allow_raw_html: true, ..Default::default() });
        assert!(trusted.html.contains("<b>x</b>"));
    }

    #[test]
    fn unsafe_links_are_neutralised() {
        for md in ["[x](javascript:alert(1))", "[x]( JavaScript:alert(1))", "![i](data:text/html,hi)"] {
            let h = render(md, &RenderOptions::default()).html;
            assert!(!h.to_lowercase().contains("javascript:") && !h.contains("data:"), "{h}");
        }
        assert!(render("[x](https://a.de)", &RenderOptions::default()).html.contains("href=\"https://a.de\""));
        assert!(render("[x](../m3/#a)", &RenderOptions::default()).html.contains("href=\"../m3/index.html#a\""));
    }

    #[test]
    fn headings_alone_are_those_of_the_rendered_document() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
        let mut texts: Vec<String> = walkdir::WalkDir::new(root)
            .into_iter()
            .flatten()
            .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
            .filter_map(|e| std::fs::read_to_string(e.path()).ok())
            .collect();
        texts.push("# A <b>fett</b>\n\n## A <b>fett</b>\n\n## `Code` {#eigen}\n\n### Ä\n\n## \n".into());
        assert!(texts.len() > 20);
        for allow_raw_html in [false, true] {
            let opts = RenderOptions { allow_raw_html, id_prefix: "p-".into(), top_level: 2, ..Default::default() };
            for t in &texts {
                assert_eq!(headings(t, &opts), render(t, &opts).headings, "{t:.60}");
            }
        }
    }

    #[test]
    fn headings_get_unique_prefixed_ids_and_shift() {
        let r = render(
            "# Über uns\n\n## Ziele\n\n## Ziele\n\n## Eigen {#mein-id}\n",
            &RenderOptions { id_prefix: "p-".into(), top_level: 2, ..Default::default() },
        );
        assert!(r.html.contains("<h2 id=\"p-ueber-uns\">"), "{}", r.html);
        assert!(r.html.contains("<h3 id=\"p-ziele\">"));
        assert!(r.html.contains("<h3 id=\"p-ziele-2\">"));
        assert!(r.html.contains("<h3 id=\"p-mein-id\">"));
        assert_eq!(r.headings.len(), 4);
    }

    #[test]
    fn glossary_terms_link_once_and_never_in_headings_links_or_code() {
        let opts = RenderOptions {
            glossary: Some(std::sync::Arc::new(Terms::new(vec![
                ("DQR".into(), "g#dqr".into()),
                ("Deutscher Qualifikationsrahmen".into(), "g#dqr".into()),
                ("CM".into(), "g#cm".into()),
                ("CM-Team".into(), "g#cmt".into()),
            ]))),
            glossary_root: "../".into(),
            ..Default::default()
        };
        let r = render("## DQR\n\nDer DQR und der DQR. Siehe [DQR](x) und `DQR`. CMS ist kein CM.\n", &opts);
        assert_eq!(r.html.matches("class=\"term\"").count(), 2, "{}", r.html);
        assert!(r.html.contains("Der <a class=\"term\" href=\"../g#dqr\">DQR</a> und der DQR."), "{}", r.html);
        assert!(r.html.contains("<h2 id=\"dqr\">DQR</h2>"));
        assert!(r.html.contains("kein <a class=\"term\" href=\"../g#cm\">CM</a>."), "{}", r.html);
        let longest = render("Das CM-Team und das CM.", &opts);
        assert!(longest.html.contains(">CM-Team</a> und das <a"), "the longest term wins: {}", longest.html);
        let alias = render("Der Deutscher Qualifikationsrahmen, dann DQR.", &opts);
        assert_eq!(alias.html.matches("class=\"term\"").count(), 1, "aliases share one link: {}", alias.html);
    }

    #[test]
    fn fenced_code_is_highlighted_with_classes() {
        let r = render("```yaml\ntitle: x\n```\n\n```\nplain <b>\n```\n", &RenderOptions::default());
        assert!(r.html.contains("<pre class=\"code\"><code class=\"language-yaml\">"), "{}", r.html);
        assert!(r.html.contains("hl-"));
        assert!(r.html.contains("plain &lt;b&gt;"));
    }

    #[test]
    fn footnotes_are_prefixed() {
        let r = render("Text[^7]\n\n[^7]: Note\n", &RenderOptions { id_prefix: "kb-".into(), ..Default::default() });
        assert!(r.html.contains("id=\"kb-fnref-7\">1</a>"), "{}", r.html);
        assert!(r.html.contains("id=\"kb-fn-7\""));
        assert!(r.html.contains("href=\"#kb-fnref-7\">1</a>"), "label follows reference order: {}", r.html);
    }

    #[test]
    fn inline_rendering_strips_paragraph_and_keeps_escaped_stars() {
        assert_eq!(render_inline("Fallmanager\\*innen und *Kolleg*", false), "Fallmanager*innen und <em>Kolleg</em>");
        assert_eq!(render_inline("a < b & c", false), "a &lt; b &amp; c");
    }
}
