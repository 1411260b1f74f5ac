//! Word-level diffs between two texts, for showing exactly what changed.
//!
//! Texts are cut into words (letter/digit runs, with `*`, `:` and `_` inside a
//! word kept so that `Fallmanager*innen` and `Fallmanager:innen` are one word
//! each), single spaces and single punctuation marks, and diffed with `similar`.

use serde::Serialize;
use similar::{ChangeTag, TextDiff};

/// One run of the diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Span {
    /// `equal`, `insert` (only in the right text) or `delete` (only in the left).
    pub op: &'static str,
    pub text: String,
}

/// Cuts a text into diff tokens.
pub fn tokenize(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = None;
    let is_word = |c: char| c.is_alphanumeric();
    let chars: Vec<(usize, char)> = s.char_indices().collect();
    for (k, &(i, c)) in chars.iter().enumerate() {
        let joins =
            matches!(c, '*' | ':' | '_') && start.is_some() && chars.get(k + 1).is_some_and(|&(_, n)| is_word(n));
        if is_word(c) || joins {
            if start.is_none() {
                start = Some(i);
            }
        } else {
            if let Some(st) = start.take() {
                out.push(&s[st..i]);
            }
            out.push(&s[i..i + c.len_utf8()]);
        }
    }
    if let Some(st) = start {
        out.push(&s[st..]);
    }
    out
}

/// The word diff from `left` to `right`, adjacent runs of one kind merged.
pub fn word_diff(left: &str, right: &str) -> Vec<Span> {
    let a = tokenize(left);
    let b = tokenize(right);
    let diff = TextDiff::from_slices(&a, &b);
    let mut out: Vec<Span> = Vec::new();
    for change in diff.iter_all_changes() {
        let op = match change.tag() {
            ChangeTag::Equal => "equal",
            ChangeTag::Insert => "insert",
            ChangeTag::Delete => "delete",
        };
        let text = change.value();
        match out.last_mut() {
            Some(last) if last.op == op => last.text.push_str(text),
            _ => out.push(Span { op, text: text.to_string() }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gender_words_stay_whole() {
        assert_eq!(tokenize("Fallmanager*innen, Klient:innen"), vec!["Fallmanager*innen", ",", " ", "Klient:innen"]);
    }

    #[test]
    fn diff_marks_changed_words_only() {
        let d = word_diff("Anpassung des Reha-/Teilhabeplans", "Anpassung des Hilfeplans");
        let ins: Vec<&str> = d.iter().filter(|s| s.op == "insert").map(|s| s.text.as_str()).collect();
        let del: Vec<&str> = d.iter().filter(|s| s.op == "delete").map(|s| s.text.as_str()).collect();
        assert_eq!(ins, vec!["Hilfeplans"]);
        assert_eq!(del, vec!["Reha-/Teilhabeplans"]);
        let rebuilt_right: String = d.iter().filter(|s| s.op != "delete").map(|s| s.text.as_str()).collect();
        assert_eq!(rebuilt_right, "Anpassung des Hilfeplans");
    }
}
