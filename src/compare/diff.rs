//! Word-level diffs between two texts, for showing exactly what changed.
//!
//! Texts are cut into words (letter/digit runs, with `*`, `:` and `_` inside a
//! word kept so that `Fallmanager*innen` and `Fallmanager:innen` are one word
//! each), single spaces and single punctuation marks, and diffed with `similar`.

use serde::Serialize;
use similar::DiffTag;

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
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let joins = matches!(c, '*' | ':' | '_') && start.is_some() && chars.peek().is_some_and(|&(_, n)| is_word(n));
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
///
/// The tokens are diffed as numbers (equal numbers for equal tokens): the
/// same operations as diffing the strings, without comparing strings at
/// every step of the search.
pub fn word_diff(left: &str, right: &str) -> Vec<Span> {
    let (a, b) = (tokenize(left), tokenize(right));
    let mut ids: rustc_hash::FxHashMap<&str, u32> = Default::default();
    let (a_ids, b_ids) = (numbers(&mut ids, &a), numbers(&mut ids, &b));
    let mut out: Vec<Span> = Vec::new();
    let mut push = |op: &'static str, tokens: &[&str]| match out.last_mut() {
        _ if tokens.is_empty() => {}
        Some(last) if last.op == op => tokens.iter().for_each(|t| last.text.push_str(t)),
        _ => out.push(Span { op, text: tokens.concat() }),
    };
    for op in similar::capture_diff_slices(similar::Algorithm::Myers, &a_ids, &b_ids) {
        let (tag, old, new) = op.as_tag_tuple();
        match tag {
            DiffTag::Equal => push("equal", &a[old]),
            DiffTag::Delete => push("delete", &a[old]),
            DiffTag::Insert => push("insert", &b[new]),
            DiffTag::Replace => {
                push("delete", &a[old]);
                push("insert", &b[new]);
            }
        }
    }
    out
}

/// Each token's number in `ids`, new tokens numbered on.
fn numbers<'t>(ids: &mut rustc_hash::FxHashMap<&'t str, u32>, tokens: &[&'t str]) -> Vec<u32> {
    tokens
        .iter()
        .map(|t| {
            let next = ids.len() as u32;
            *ids.entry(t).or_insert(next)
        })
        .collect()
}

/// [`word_diff`] as `similar` diffs the token strings themselves.
#[cfg(test)]
fn word_diff_of_strings(left: &str, right: &str) -> Vec<Span> {
    let (a, b) = (tokenize(left), tokenize(right));
    let diff = similar::TextDiff::from_slices(&a, &b);
    let mut out: Vec<Span> = Vec::new();
    for change in diff.iter_all_changes() {
        let op = match change.tag() {
            similar::ChangeTag::Equal => "equal",
            similar::ChangeTag::Insert => "insert",
            similar::ChangeTag::Delete => "delete",
        };
        match out.last_mut() {
            Some(last) if last.op == op => last.text.push_str(change.value()),
            _ => out.push(Span { op, text: change.value().to_string() }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn diffing_numbers_equals_diffing_strings(
            left in "[abc ,.]{0,40}|(Wort |wort |Satz, |und |ein )*",
            right in "[abc ,.]{0,40}|(Wort |wort |Satz, |und |ein )*",
        ) {
            proptest::prop_assert_eq!(word_diff(&left, &right), word_diff_of_strings(&left, &right));
        }
    }

    #[test]
    fn long_texts_diff_as_strings_do() {
        // `similar` takes another way for texts of more than 100 tokens.
        let left = "Die Fallmanager*innen beraten die Versicherten und planen. ".repeat(12);
        let right = "Die Fallmanager:innen beraten die Betroffenen, sie planen. ".repeat(11);
        assert!(tokenize(&left).len() > 100);
        assert_eq!(word_diff(&left, &right), word_diff_of_strings(&left, &right));
    }

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
