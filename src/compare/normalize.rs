//! Text normalisation for matching: two texts that differ only in spelling
//! conventions compare equal.
//!
//! `normalize` folds case, Unicode form, white space (also around `/`), dash
//! variants, soft hyphens, gender markers (`*innen`, `:innen`, `_innen`,
//! `Innen`, `/-innen` are one form) and trailing punctuation. [`Synonyms`] then
//! maps word groups of a comparison onto one canonical token, also in inflected
//! forms ("Reha-/Teilhabeplans" ~ "Hilfeplans").

use crate::text::{is_nfc, nfc};

/// The normalised form of a text; equal forms are "identical" items.
pub fn normalize(text: &str) -> String {
    use std::borrow::Cow;
    // Most texts are in NFC already and need no copy.
    let mut text = if is_nfc(text) { Cow::Borrowed(text) } else { Cow::Owned(nfc(text)) };
    if text.contains('\u{ad}') {
        text = Cow::Owned(text.replace('\u{ad}', ""));
    }
    let gendered = unify_gender(&text);
    // One pass: characters folded, white space collapsed to single spaces and
    // dropped next to `/`. Every text of a comparison goes through here.
    let mut out = String::with_capacity(gendered.len());
    let mut space = false;
    for c in gendered.chars() {
        let c = match c {
            '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2212}' => '-',
            '\u{201e}' | '\u{201c}' | '\u{201d}' | '\u{00ab}' | '\u{00bb}' => '"',
            '\u{2018}' | '\u{2019}' | '\u{201a}' => '\'',
            c if c.is_whitespace() => {
                space = !out.is_empty();
                continue;
            }
            c => c,
        };
        if space && c != '/' && !out.ends_with('/') {
            out.push(' ');
        }
        space = false;
        // Most characters are ASCII, whose lower case is one character.
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
        } else {
            out.extend(c.to_lowercase());
        }
    }
    let kept =
        out.trim_end_matches(|c: char| matches!(c, '.' | ',' | ';' | ':' | '!' | '?') || c.is_whitespace()).len();
    out.truncate(kept);
    out
}

/// Rewrites every gender form to `*innen` / `*in` before case folding (so that
/// the capital-I form `KollegInnen` can still be recognised).
fn unify_gender(s: &str) -> std::borrow::Cow<'_, str> {
    // Every gender form starts with one of these; most texts have none.
    if !s.contains([':', '_', '*', '/']) && !s.contains("Innen") {
        return std::borrow::Cow::Borrowed(s);
    }
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    let rest_is = |i: usize, pat: &str| pat.chars().enumerate().all(|(k, p)| chars.get(i + k) == Some(&p));
    let ends_word = |i: usize| chars.get(i).is_none_or(|c| !c.is_alphanumeric());
    let prev_lower = |i: usize| i > 0 && chars[i - 1].is_lowercase();
    while i < chars.len() {
        if !matches!(chars[i], ':' | '_' | '*' | '/' | 'I') {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let mut matched = false;
        for (pat, skip) in [
            ("/-innen", 7),
            ("/-in", 4),
            (":innen", 6),
            ("_innen", 6),
            ("*innen", 6),
            (":in", 3),
            ("_in", 3),
            ("*in", 3),
        ] {
            if prev_lower(i) && rest_is(i, pat) && ends_word(i + skip) {
                out.push_str(if pat.ends_with("innen") { "*innen" } else { "*in" });
                i += skip;
                matched = true;
                break;
            }
        }
        if !matched && prev_lower(i) && rest_is(i, "Innen") && ends_word(i + 5) {
            out.push_str("*innen");
            i += 5;
            matched = true;
        }
        if !matched {
            out.push(chars[i]);
            i += 1;
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Word tokens of a normalised text: runs of letters, digits, `*` (gender star)
/// and `-`/`/` inside a compound are split into their parts.
pub fn tokens(normalized: &str) -> Vec<String> {
    token_slices(normalized).map(str::to_string).collect()
}

/// [`tokens`] as parts of the text.
pub fn token_slices(normalized: &str) -> impl Iterator<Item = &str> {
    normalized.split(|c: char| !(c.is_alphanumeric() || c == '*')).filter(|t| !t.is_empty())
}

/// Endings a synonym may carry and still match (German inflection).
const SUFFIXES: [&str; 7] = ["", "s", "es", "n", "en", "e", "er"];

/// Compiled synonym groups: each member as a token sequence, mapped to a
/// canonical token `~<group>`.
#[derive(Debug, Clone, Default)]
pub struct Synonyms {
    /// (tokens of a member, group index), longest members first.
    members: Vec<(Vec<String>, usize)>,
    /// The members by each form their first token takes (itself, and one
    /// word long with each inflection ending), in `members` order: a token is
    /// tried only against members that can start with it, found with one
    /// lookup (trying every member at every token was a third of preparing
    /// texts for comparison, and a lookup per ending a sixth).
    by_form: rustc_hash::FxHashMap<String, Vec<usize>>,
}

impl Synonyms {
    pub fn new(groups: &[Vec<String>]) -> Self {
        let mut members: Vec<(Vec<String>, usize)> = groups
            .iter()
            .enumerate()
            .flat_map(|(g, words)| words.iter().map(move |w| (tokens(&normalize(w)), g)))
            .filter(|(t, _)| !t.is_empty())
            .collect();
        members.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
        let mut by_form: rustc_hash::FxHashMap<String, Vec<usize>> = Default::default();
        for (i, (member, _)) in members.iter().enumerate() {
            let endings: &[&str] = if member.len() == 1 { &SUFFIXES } else { &[""] };
            for ending in endings {
                by_form.entry(format!("{}{ending}", member[0])).or_default().push(i);
            }
        }
        Synonyms { members, by_form }
    }

    /// Tokens with every synonym occurrence replaced by its group token
    /// (the others borrowed: a text's tokens are not copied).
    pub fn apply<'t>(&self, toks: &[&'t str]) -> Vec<std::borrow::Cow<'t, str>> {
        let mut out = Vec::with_capacity(toks.len());
        let mut i = 0;
        while i < toks.len() {
            // The first member in order that matches here wins.
            let candidates = self.by_form.get(toks[i]).map_or(&[][..], Vec::as_slice);
            match candidates.iter().map(|&c| &self.members[c]).find(|(member, _)| matches_at(toks, i, member)) {
                Some((member, g)) => {
                    out.push(std::borrow::Cow::Owned(format!("~{g}")));
                    i += member.len();
                }
                None => {
                    out.push(std::borrow::Cow::Borrowed(toks[i]));
                    i += 1;
                }
            }
        }
        out
    }
}

/// Does `member` occur at `toks[i..]`, its last token allowing an inflection ending?
fn matches_at(toks: &[&str], i: usize, member: &[String]) -> bool {
    if i + member.len() > toks.len() {
        return false;
    }
    let last = member.len() - 1;
    member.iter().enumerate().all(|(k, m)| {
        let t = toks[i + k];
        if k < last { t == m.as_str() } else { t.strip_prefix(m.as_str()).is_some_and(|rest| SUFFIXES.contains(&rest)) }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every member tried at every token, in order: what [`Synonyms::apply`] must equal.
    fn apply_trying_all(syn: &Synonyms, toks: &[&str]) -> Vec<String> {
        let mut out = Vec::new();
        let mut i = 0;
        'outer: while i < toks.len() {
            for (member, g) in &syn.members {
                if matches_at(toks, i, member) {
                    out.push(format!("~{g}"));
                    i += member.len();
                    continue 'outer;
                }
            }
            out.push(toks[i].to_string());
            i += 1;
        }
        out
    }

    /// [`Synonyms::apply`] of a text, as owned tokens.
    fn applied(syn: &Synonyms, text: &str) -> Vec<String> {
        let norm = normalize(text);
        let toks: Vec<&str> = token_slices(&norm).collect();
        syn.apply(&toks).into_iter().map(|t| t.into_owned()).collect()
    }

    proptest::proptest! {
        #[test]
        fn synonyms_found_by_first_token_are_those_found_by_trying_all(
            words in proptest::collection::vec("(plan|hilfe|hilfeplan|teil|teilhabe|teilhabeplan|reha)(e|en|er|es|s|n)?", 0..30),
        ) {
            let groups = vec![
                vec!["Hilfeplan".to_string(), "Teilhabeplan".to_string(), "Reha Teilhabe Plan".to_string()],
                vec!["Plan".to_string(), "Teilhabe".to_string()],
                vec!["Hilfe Plan".to_string(), "Reha".to_string()],
            ];
            let syn = Synonyms::new(&groups);
            let words: Vec<&str> = words.iter().map(String::as_str).collect();
            let applied: Vec<String> = syn.apply(&words).into_iter().map(|t| t.into_owned()).collect();
            proptest::prop_assert_eq!(applied, apply_trying_all(&syn, &words));
        }
    }

    /// The straightforward form of [`normalize`] (one step per rule) that the
    /// one-pass version replaced; both must agree on every text.
    fn stepwise(text: &str) -> String {
        let text = nfc(text).replace('\u{ad}', "");
        let gendered = unify_gender(&text);
        let mut out = String::new();
        for c in gendered.chars() {
            let c = match c {
                '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2212}' => '-',
                '\u{201e}' | '\u{201c}' | '\u{201d}' | '\u{00ab}' | '\u{00bb}' => '"',
                '\u{2018}' | '\u{2019}' | '\u{201a}' => '\'',
                c if c.is_whitespace() => ' ',
                c => c,
            };
            out.extend(c.to_lowercase());
        }
        let collapsed = out.split_whitespace().collect::<Vec<_>>().join(" ");
        let slashes = collapsed.replace(" /", "/").replace("/ ", "/");
        slashes
            .trim_end_matches(|c: char| matches!(c, '.' | ',' | ';' | ':' | '!' | '?') || c.is_whitespace())
            .to_string()
    }

    proptest::proptest! {
        #[test]
        fn one_pass_equals_stepwise(text in "[a-cA-CIßäÄ /:_*.,;!?\\-\u{ad}\u{2013}\u{201e}\u{2019}\u{308}\t\n\r\u{b}\u{c}\u{1f}\u{85}\u{a0}]{0,24}|[a-z]{1,6}(/ ?|: ?| /|I|\\*|:|_)(innen|in|Innen|-innen)[ .]{0,3}") {
            proptest::prop_assert_eq!(normalize(&text), stepwise(&text));
        }
    }

    #[test]
    fn case_space_slash_dash_and_punctuation() {
        assert_eq!(normalize("Übung/Simulation"), normalize("Übung / Simulation"));
        assert_eq!(normalize("  Aktives  Zuhören. "), normalize("aktives Zuhören"));
        assert_eq!(normalize("Resilienz – Unterstützung"), normalize("Resilienz - Unterstützung"));
        assert_eq!(normalize("Fall\u{ad}analyse"), normalize("Fallanalyse"));
        assert_eq!(normalize("a\u{0308}"), normalize("ä"));
        assert_ne!(normalize("Rollenspiel"), normalize("Rollenspiele"));
    }

    #[test]
    fn gender_forms_are_one_form() {
        let forms =
            ["Fallmanager*innen", "Fallmanager:innen", "Fallmanager_innen", "FallmanagerInnen", "Fallmanager/-innen"];
        for f in forms {
            assert_eq!(normalize(f), "fallmanager*innen", "{f}");
        }
        assert_eq!(normalize("Klient:in"), normalize("Klient*in"));
        // Words that merely contain "in" are untouched.
        assert_eq!(normalize("Beginn: in Kürze"), "beginn: in kürze");
        assert_eq!(normalize("Innen und Außen"), "innen und außen");
    }

    #[test]
    fn synonyms_match_inflected_forms_and_phrases() {
        let syn = Synonyms::new(&[
            vec!["Reha-/Teilhabeplan".into(), "Hilfeplan".into()],
            vec!["Versicherte".into(), "Betroffene".into(), "Klient:innen".into()],
        ]);
        let a = applied(&syn, "Anpassung der Zielvereinbarung und des Reha-/Teilhabeplans");
        let b = applied(&syn, "Anpassung der Zielvereinbarung und des Hilfeplans");
        assert_eq!(a, b);
        let c = applied(&syn, "mit den Versicherten");
        let d = applied(&syn, "mit den Klient*innen");
        assert_eq!(c, d);
        // A longer word that merely starts with a member is not a synonym.
        let e = applied(&syn, "Hilfeplanung");
        assert_eq!(e, vec!["hilfeplanung".to_string()]);
    }
}
