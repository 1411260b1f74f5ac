//! Syntax highlighting (the one owner of syntect): code to HTML with CSS
//! classes, never inline styles, so one stylesheet serves every page and a
//! strict Content-Security-Policy holds.
//!
//! The syntax and theme sets are loaded on first use only (a site without code
//! never pays for them) and kept for the life of the process in `LazyLock`s,
//! which hold immutable data, not mutable state.

use std::sync::LazyLock;
#[cfg(test)]
use syntect::highlighting::ThemeSet;
#[cfg(test)]
use syntect::html::css_for_theme_with_class_style;
use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

static SYNTAXES: LazyLock<SyntaxSet> = LazyLock::new(SyntaxSet::load_defaults_newlines);

const STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

/// Highlights `code` as `lang` (a fence name or file extension: `yaml`, `md`,
/// `rust` …); `None` when the language is unknown, so the caller shows plain code.
pub fn highlight(code: &str, lang: &str) -> Option<String> {
    let ss = &*SYNTAXES;
    let syntax = ss.find_syntax_by_token(lang.trim()).or_else(|| ss.find_syntax_by_extension(lang.trim()))?;
    let mut generator = ClassedHTMLGenerator::new_with_class_style(syntax, ss, STYLE);
    for line in LinesWithEndings::from(code) {
        generator.parse_html_for_line_which_includes_newline(line).ok()?;
    }
    Some(generator.finalize())
}

/// The stylesheet for highlighted code: a light theme, and a dark one under
/// `prefers-color-scheme: dark`. It is the built-in theme's
/// `static/highlight.css` (a test keeps the file current), so that a build
/// need not load syntect's themes.
#[cfg(test)]
fn css() -> String {
    let themes = ThemeSet::load_defaults();
    let mut out = String::from("/* Code highlighting (generated from syntect themes) */\n");
    // Contrast is checked against the code background of style.css (--soft).
    if let Some(light) = themes.themes.get("InspiredGitHub")
        && let Ok(css) = css_for_theme_with_class_style(light, STYLE)
    {
        out.push_str(&with_contrast(&css, (0xf2 as f64 / 255.0, 0xf4 as f64 / 255.0, 0xf7 as f64 / 255.0)));
    }
    if let Some(dark) = themes.themes.get("base16-ocean.dark")
        && let Ok(css) = css_for_theme_with_class_style(dark, STYLE)
    {
        out.push_str("@media (prefers-color-scheme: dark) {\n");
        out.push_str(&with_contrast(&css, (0x1f as f64 / 255.0, 0x23 as f64 / 255.0, 0x29 as f64 / 255.0)));
        out.push_str("}\n");
    }
    // Our own classes for content files (see `content_file`).
    out.push_str(".hl-key{color:#0b4f8a}.hl-str{color:#7a3e00}.hl-comment{color:#4d5660;font-style:italic}.hl-punct{color:#4d5660}.hl-heading{color:#6b1f7a;font-weight:700}\n");
    out.push_str("@media (prefers-color-scheme: dark){.hl-key{color:#8cc2ff}.hl-str{color:#ffc78a}.hl-comment,.hl-punct{color:#b3b9c2}.hl-heading{color:#e3b3ff}}\n");
    out
}

/// Highlights a content file of our own format (YAML front matter, Markdown
/// body) line by line. The format is small and known, so a few rules do what a
/// general grammar does at a fraction of its cost (about 100x faster than
/// syntect's YAML and Markdown grammars, which matters with thousands of modules).
pub fn content_file(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    let mut in_front = false;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let bare = line.trim_end_matches('\n');
        if bare.trim_end() == "---" && (i == 0 || in_front) {
            in_front = i == 0;
            span(&mut out, "hl-punct", bare);
        } else if in_front {
            yaml_line(&mut out, bare);
        } else if bare.starts_with('#') {
            span(&mut out, "hl-heading", bare);
        } else if bare.starts_with("[//]: #") || bare.starts_with("[^") {
            span(&mut out, "hl-comment", bare);
        } else {
            out.push_str(&crate::render::escape(bare));
        }
        if line.ends_with('\n') {
            out.push('\n');
        }
    }
    out
}

fn span(out: &mut String, class: &str, text: &str) {
    if !text.is_empty() {
        out.push_str("<span class=\"");
        out.push_str(class);
        out.push_str("\">");
        crate::render::escape_into(out, text);
        out.push_str("</span>");
    }
}

/// One YAML line: indentation and list dashes, `key:`, quoted strings, comments.
fn yaml_line(out: &mut String, line: &str) {
    let indent = line.len() - line.trim_start().len();
    out.push_str(&line[..indent]);
    let mut rest = &line[indent..];
    if let Some(r) = rest.strip_prefix("- ") {
        span(out, "hl-punct", "- ");
        rest = r;
    }
    if rest.starts_with('#') {
        span(out, "hl-comment", rest);
        return;
    }
    let key_end = rest.find(": ").or_else(|| rest.strip_suffix(':').map(|k| k.len()));
    if let Some(k) = key_end.filter(|k| !rest[..*k].contains(['"', '{', '[', ' '])) {
        span(out, "hl-key", &rest[..k]);
        span(out, "hl-punct", ":");
        rest = &rest[k + 1..];
    }
    yaml_value(out, rest);
}

/// A YAML value: quoted strings as strings, ` #` comments as comments.
fn yaml_value(out: &mut String, value: &str) {
    let mut in_str: Option<char> = None;
    let mut start = 0;
    let chars: Vec<(usize, char)> = value.char_indices().collect();
    for (k, &(i, c)) in chars.iter().enumerate() {
        match in_str {
            Some(q) if c == q && !(q == '"' && k > 0 && chars[k - 1].1 == '\\') => {
                span(out, "hl-str", &value[start..i + c.len_utf8()]);
                start = i + c.len_utf8();
                in_str = None;
            }
            Some(_) => {}
            None if c == '"' || c == '\'' => {
                out.push_str(&crate::render::escape(&value[start..i]));
                start = i;
                in_str = Some(c);
            }
            None if c == '#' && (i == 0 || value[..i].ends_with(' ')) => {
                out.push_str(&crate::render::escape(&value[start..i]));
                span(out, "hl-comment", &value[i..]);
                return;
            }
            None => {}
        }
    }
    let tail = &value[start..];
    if in_str.is_some() { span(out, "hl-str", tail) } else { out.push_str(&crate::render::escape(tail)) }
}

/// Darkens (or, on a dark background, lightens) every `color:` of a
/// stylesheet until it reaches 4.5:1 contrast with `bg` (WCAG AA): syntect's
/// themes use pale colours.
#[cfg(test)]
fn with_contrast(css: &str, bg: (f64, f64, f64)) -> String {
    let lum = |(r, g, b): (f64, f64, f64)| {
        let f = |c: f64| if c <= 0.03928 { c / 12.92 } else { ((c + 0.055) / 1.055).powf(2.4) };
        0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b)
    };
    let ratio = |a: f64, b: f64| (a.max(b) + 0.05) / (a.min(b) + 0.05);
    let bg_l = lum(bg);
    let dark_bg = bg_l < 0.5;
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(i) = rest.find(" color: #") {
        let (head, tail) = rest.split_at(i + " color: #".len());
        out.push_str(head);
        let hex: String = tail.chars().take_while(|c| c.is_ascii_hexdigit()).collect();
        rest = &tail[hex.len()..];
        let parse = |k: usize| u8::from_str_radix(&hex[k..k + 2], 16).map(|v| v as f64 / 255.0).unwrap_or(0.0);
        if hex.len() < 6 {
            out.push_str(&hex);
            continue;
        }
        let mut c = (parse(0), parse(2), parse(4));
        for _ in 0..40 {
            if ratio(lum(c), bg_l) >= 4.6 {
                break;
            }
            let step = |x: f64| if dark_bg { x + (1.0 - x) * 0.08 } else { x * 0.92 };
            c = (step(c.0), step(c.1), step(c.2));
        }
        let to = |x: f64| (x * 255.0).round().clamp(0.0, 255.0) as u8;
        out.push_str(&format!("{:02x}{:02x}{:02x}", to(c.0), to(c.1), to(c.2)));
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn highlights_with_classes_only() {
        let html = highlight("title: Hallo # Kommentar\n", "yaml").unwrap();
        assert!(html.contains("class=\"hl-"), "{html}");
        assert!(!html.contains("style="));
        assert!(highlight("x", "no-such-language").is_none());
        let css = css();
        assert!(css.contains(".hl-"));
        assert!(css.contains("prefers-color-scheme: dark"));
    }

    #[test]
    fn content_files_highlight_keys_strings_comments_and_headings() {
        let html = content_file(
            "---\ntitle: \"A <b>\" # Titel\nitems:\n  - \"x\"\n---\n\n## Kompetenzbeschreibung\n\nText <i>\n",
        );
        assert!(html.contains("<span class=\"hl-key\">title</span>"), "{html}");
        assert!(html.contains("<span class=\"hl-str\">&quot;A &lt;b&gt;&quot;</span>"), "{html}");
        assert!(html.contains("<span class=\"hl-comment\"># Titel</span>"), "{html}");
        assert!(html.contains("<span class=\"hl-heading\">## Kompetenzbeschreibung</span>"), "{html}");
        assert!(html.contains("Text &lt;i&gt;"));
        assert_eq!(html.matches('\n').count(), 9, "lines are kept");
    }

    #[test]
    fn the_built_in_stylesheet_is_made_from_the_syntect_themes() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/static/highlight.css");
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            std::fs::write(&path, css()).unwrap();
        }
        let file = std::fs::read_to_string(&path).unwrap();
        assert!(file == css(), "{} is not what css() makes; run with UPDATE_GOLDEN=1", path.display());
    }

    #[test]
    fn pale_colours_are_darkened_to_aa_contrast() {
        let css = with_contrast(".a { color: #63a35c; }", (0.95, 0.96, 0.97));
        assert_ne!(css, ".a { color: #63a35c; }");
        let dark = with_contrast(".a { color: #1b1d21; }", (0.12, 0.14, 0.16));
        assert_ne!(dark, ".a { color: #1b1d21; }", "lightened on dark backgrounds");
    }
}
