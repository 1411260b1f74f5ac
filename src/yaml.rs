//! YAML parsing (the one owner of serde-saphyr): strict, located errors.
//!
//! serde-saphyr replaces the archived serde_yaml: it rejects duplicate keys, has a
//! budget against alias bombs, and reports line and column for every error,
//! which we turn into [`Diagnostic`]s with a hint (the nearest valid key for an
//! unknown one).

use crate::diag::{Diagnostic, Pos};
use crate::text::{list_choices, nearest};
use serde::de::DeserializeOwned;

pub use serde_saphyr::Spanned;

/// Parses `text` (a whole file, or front matter starting at file line
/// `line_offset + 1`) into `T`.
pub fn parse<T: DeserializeOwned>(text: &str, file: &str, line_offset: u32) -> Result<T, Diagnostic> {
    let mut options = serde_saphyr::Options::default();
    options.with_snippet = false;
    serde_saphyr::from_str_with_options::<T>(text, options).map_err(|e| to_diagnostic(&e, file, line_offset))
}

/// Position of a spanned value, shifted into file coordinates.
pub fn pos_of<T>(s: &Spanned<T>, line_offset: u32) -> Option<Pos> {
    let l = s.referenced;
    (l.line() > 0).then(|| Pos::new(l.line() as u32 + line_offset, l.column() as u32))
}

fn to_diagnostic(e: &serde_saphyr::Error, file: &str, line_offset: u32) -> Diagnostic {
    let pos = e
        .location()
        .filter(|l| l.line() > 0)
        .map(|l| Pos::new(l.line() as u32 + line_offset, l.column().max(1) as u32));
    let raw = e.without_snippet().to_string();
    let message = clean_message(&raw);
    let hint = hint_for(&message);
    let d = Diagnostic::error(file, pos, message);
    match hint {
        Some(h) => d.with_hint(h),
        None => d,
    }
}

/// Drops the location suffix serde-saphyr appends (we print our own).
fn clean_message(raw: &str) -> String {
    let first = raw.lines().next().unwrap_or(raw).trim();
    let cut = first.find(" at line ").unwrap_or(first.len());
    first[..cut].trim_end_matches(',').trim().to_string()
}

/// Turns serde's "unknown field `x`, expected one of `a`, `b`" into a
/// "did you mean" hint, and explains other common mistakes.
fn hint_for(message: &str) -> Option<String> {
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let (key, rest) = rest.split_once('`')?;
        let expected = backticked(rest);
        return Some(match nearest(key, expected.iter().copied()) {
            Some(n) => format!("did you mean `{n}`? Valid keys here: {}", list_choices(expected)),
            None => format!("valid keys here: {}", list_choices(expected)),
        });
    }
    if let Some(rest) = message.strip_prefix("missing field `") {
        let key = rest.split('`').next()?;
        return Some(format!("add the required key `{key}:`"));
    }
    let m = message.to_lowercase();
    if m.contains("duplicate") {
        return Some("a key may appear only once in a mapping; remove or rename one of them".into());
    }
    if m.contains("invalid type") {
        return Some("check the value's type; quote text that YAML would read as a number, list or mapping".into());
    }
    if m.contains("budget") || m.contains("alias") {
        return Some("the file expands to too much data; do not nest anchors and aliases".into());
    }
    Some("check the YAML syntax near this position: indentation, `:` after keys, and quotes around text with `: ` or `#`".into())
}

/// The key names after "expected one of" / "expected", with or without backticks.
fn backticked(s: &str) -> Vec<&str> {
    let s = s.trim_start_matches([',', ' ']);
    let s = s.strip_prefix("expected one of ").or_else(|| s.strip_prefix("expected ")).unwrap_or("");
    s.split([',', ' ']).map(|k| k.trim_matches('`')).filter(|k| !k.is_empty() && *k != "or").collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Doc {
        title: String,
        #[serde(default)]
        order: Vec<Spanned<String>>,
    }

    #[test]
    fn unknown_key_names_position_and_nearest_key() {
        let e = parse::<Doc>("title: x\ntitel: y\n", "site.yaml", 0).unwrap_err();
        assert_eq!(e.file, "site.yaml");
        assert_eq!(e.pos, Some(Pos::new(2, 1)), "{e:?}");
        assert!(e.message.contains("unknown field `titel`"), "{}", e.message);
        assert!(e.hint.unwrap().starts_with("did you mean `title`?"));
    }

    #[test]
    fn line_offset_shifts_into_the_file() {
        let e = parse::<Doc>("title: [\n", "m.md", 1).unwrap_err();
        assert!(e.pos.unwrap().line >= 2, "{e:?}");
    }

    #[test]
    fn duplicate_keys_and_missing_keys_are_errors() {
        let e = parse::<Doc>("title: a\ntitle: b\n", "f", 0).unwrap_err();
        assert!(e.message.to_lowercase().contains("duplicate"), "{}", e.message);
        let e = parse::<Doc>("order: []\n", "f", 0).unwrap_err();
        assert!(e.message.contains("missing field `title`"), "{}", e.message);
        assert_eq!(e.hint.as_deref(), Some("add the required key `title:`"));
    }

    #[test]
    fn spans_point_at_values() {
        let d: Doc = parse("title: x\norder: [kit, erwu]\n", "f", 3).unwrap();
        assert_eq!(pos_of(&d.order[1], 3), Some(Pos::new(5, 14)));
    }

    #[test]
    fn alias_bombs_are_refused() {
        let mut y = String::from("a: &a [x, x, x, x, x, x, x, x, x]\n");
        for i in 0..12 {
            let prev = if i == 0 { "a".to_string() } else { format!("l{}", i - 1) };
            y.push_str(&format!(
                "l{i}: &l{i} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
            ));
        }
        y.push_str("title: x\n");
        let r = parse::<serde_json::Value>(&y, "f", 0);
        assert!(r.is_err());
    }
}
