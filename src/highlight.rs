//! Syntax highlighting (the one owner of syntect): code to HTML with CSS
//! classes, never inline styles, so one stylesheet serves every page and a
//! strict Content-Security-Policy holds.
//!
//! The syntax and theme sets are loaded on first use only (a site without code
//! never pays for them) and kept for the life of the process in `LazyLock`s,
//! which hold immutable data, not mutable state.

use std::sync::LazyLock;
use syntect::highlighting::ThemeSet;
use syntect::html::{ClassStyle, ClassedHTMLGenerator, css_for_theme_with_class_style};
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
/// `prefers-color-scheme: dark`.
pub fn css() -> String {
    let themes = ThemeSet::load_defaults();
    let mut out = String::from("/* Code highlighting (generated from syntect themes) */\n");
    if let Some(light) = themes.themes.get("InspiredGitHub")
        && let Ok(css) = css_for_theme_with_class_style(light, STYLE)
    {
        out.push_str(&css);
    }
    if let Some(dark) = themes.themes.get("base16-ocean.dark")
        && let Ok(css) = css_for_theme_with_class_style(dark, STYLE)
    {
        out.push_str("@media (prefers-color-scheme: dark) {\n");
        out.push_str(&css);
        out.push_str("}\n");
    }
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
}
