//! Prose reuse: sentences of the right curriculum aligned to their most similar
//! sentence anywhere in the left curriculum.
//!
//! Candidates come from an inverted index of token prefixes (see
//! [`Features::prefix_keys`]); only the best few candidates by shared prefixes
//! are scored, so alignment stays near-linear in the amount of text.

use super::features::Features;
// Keys are hashes, indices and short texts: FxHash, not SipHash (no input here is adversarial).
use rustc_hash::FxHashMap as HashMap;

/// Abbreviations after which a full stop does not end a sentence.
const ABBREVIATIONS: [&str; 30] = [
    "z.", "b.", "u.", "a.", "ggf.", "i.", "s.", "bzw.", "vgl.", "d.", "h.", "etc.", "ca.", "nr.", "abs.", "bspw.",
    "dt.", "inkl.", "evtl.", "sog.", "usw.", "o.", "ä.", "dr.", "prof.", "v.", "m.", "max.", "min.", "ggü.",
];

/// Plain text of a Markdown section: markup characters and footnotes removed.
pub fn plain_text(md: &str) -> String {
    let mut out = String::with_capacity(md.len());
    for t in md.lines().filter_map(line_text) {
        // A bullet `* ` (`*|` reads as one once borders are spaces).
        let t = match t.as_bytes() {
            [b'*', b' ' | b'|', ..] => &t[2..],
            _ => t,
        };
        push_plain(t, &mut out);
        out.push('\n');
    }
    drop_footnote_marks(&mut out);
    out
}

/// A line's text after block marks (`#`, `>`, `-`, `+`), or `None` for a line
/// without text: a footnote definition or a table's separator row.
fn line_text(line: &str) -> Option<&str> {
    let t = line.trim_start();
    let footnote = t.starts_with("[^") && t.contains("]:");
    let separator = t.starts_with('|') && t.chars().all(|c| matches!(c, '|' | '-' | ':' | ' '));
    (!footnote && !separator).then(|| t.trim_start_matches(['#', '>', '-', '+']).trim_start())
}

/// Removes footnote references (`[^…]`), also those that removing one forms.
fn drop_footnote_marks(s: &mut String) {
    while let Some(start) = s.find("[^") {
        let Some(len) = s[start..].find(']') else { break };
        s.replace_range(start..start + len + 1, "");
    }
}

/// Appends a line's text without emphasis marks: `*` and `_` dropped except
/// an escaped `\*`, `|` as a space (and U+0001, which [`plain_text`] once
/// used as a placeholder, as `*`). One pass: every section of every module
/// goes through here, for the search index and the comparison.
fn push_plain(line: &str, out: &mut String) {
    let special = |b: &u8| matches!(b, b'*' | b'_' | b'|' | b'\\' | 1);
    let mut rest = line;
    // Runs without a mark are copied whole (the marks are ASCII, so a run
    // ends at a character boundary).
    while let Some(at) = rest.as_bytes().iter().position(special) {
        out.push_str(&rest[..at]);
        let next = rest.as_bytes().get(at + 1).copied();
        let skip = match rest.as_bytes()[at] {
            b'\\' if next == Some(b'*') => {
                out.push('*');
                2
            }
            b'\\' => {
                out.push('\\');
                1
            }
            b'|' => {
                out.push(' ');
                1
            }
            1 => {
                out.push('*');
                1
            }
            _ => 1,
        };
        rest = &rest[at + skip..];
    }
    out.push_str(rest);
}

/// Splits text into sentences; German abbreviations ("z. B.", "u. a.", "ggf.",
/// "i. S.", "bzw." …), initials and numbers do not end a sentence.
pub fn sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for para in text.split("\n\n") {
        let para = para.split_whitespace().collect::<Vec<_>>().join(" ");
        let words: Vec<&str> = para.split(' ').filter(|w| !w.is_empty()).collect();
        let mut current: Vec<&str> = Vec::new();
        for (i, w) in words.iter().enumerate() {
            current.push(w);
            let next_starts_sentence = words
                .get(i + 1)
                .and_then(|n| n.trim_start_matches(['„', '"', '(']).chars().next())
                .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit());
            if ends_sentence(w) && next_starts_sentence {
                out.push(current.join(" "));
                current.clear();
            }
        }
        if !current.is_empty() {
            out.push(current.join(" "));
        }
    }
    out.retain(|s| s.chars().any(char::is_alphabetic));
    out
}

fn ends_sentence(word: &str) -> bool {
    let w = word.trim_end_matches(['"', '“', ')', '\'']);
    if w.ends_with('!') || w.ends_with('?') {
        return true;
    }
    if !w.ends_with('.') {
        return false;
    }
    let lower = w.to_lowercase();
    let last = lower.rsplit(['(', '„']).next().unwrap_or(&lower);
    if ABBREVIATIONS.contains(&last) {
        return false;
    }
    // Initials and dotted abbreviations: "i.V.m.", "u.a.", "S."
    let letters = last.trim_end_matches('.');
    if letters.chars().count() == 1 || letters.contains('.') {
        return false;
    }
    // Ordinals and numbered headings ("1.", "2.4.") do not end a sentence.
    !letters.chars().all(|c| c.is_ascii_digit() || c == '.')
}

/// The best source of one sentence: index into the left sentences, and score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Best {
    pub index: usize,
    pub score: f64,
}

/// An inverted index over the left curriculum's sentences.
pub struct Index<'a> {
    left: Vec<&'a Features>,
    /// Exact synonym-applied keys: identical and equivalent sources in O(1).
    exact: HashMap<&'a str, u32>,
    postings: HashMap<u32, Vec<u32>>,
}

/// How many candidates (by shared prefixes) are scored per sentence.
const CANDIDATES: usize = 24;

impl<'a> Index<'a> {
    pub fn new(left: impl IntoIterator<Item = &'a Features>) -> Self {
        let left: Vec<&'a Features> = left.into_iter().collect();
        let mut postings: HashMap<u32, Vec<u32>> = HashMap::default();
        let mut exact = HashMap::default();
        for (i, f) in left.iter().enumerate() {
            exact.entry(f.key.as_str()).or_insert(i as u32);
            for k in f.prefix_keys() {
                postings.entry(*k).or_default().push(i as u32);
            }
        }
        // Words that occur nearly everywhere say little about reuse and only cost time.
        let cap = (left.len() / 20).max(64);
        postings.retain(|_, v| v.len() <= cap);
        Index { left, exact, postings }
    }

    /// The most similar left sentence, if any shares a content word.
    pub fn best(&self, f: &Features) -> Option<Best> {
        if let Some(&i) = self.exact.get(f.key.as_str()) {
            return Some(Best { index: i as usize, score: 1.0 });
        }
        // Counts by left sentence in a dense table: far cheaper than hashing
        // every posting, and the touched entries are listed as they are found.
        let mut shared = vec![0u32; self.left.len()];
        let mut cands: Vec<u32> = Vec::new();
        for k in f.prefix_keys() {
            if let Some(list) = self.postings.get(k) {
                for &i in list {
                    let n = &mut shared[i as usize];
                    if *n == 0 {
                        cands.push(i);
                    }
                    *n += 1;
                }
            }
        }
        // Most shared prefixes first, then source order: the same total order
        // as a full sort, but only the first few are put in order.
        let order = |a: &u32, b: &u32| shared[*b as usize].cmp(&shared[*a as usize]).then(a.cmp(b));
        if cands.len() > CANDIDATES {
            cands.select_nth_unstable_by(CANDIDATES, order);
            cands.truncate(CANDIDATES);
        }
        cands.sort_unstable_by(order);
        // Scored in that order; a candidate that cannot reach the best so far
        // is dropped early (`score_at_least`), and on equal scores the earlier
        // source sentence wins.
        let mut best: Option<Best> = None;
        for i in cands {
            let least = best.map_or(0.0, |b| b.score);
            if let Some(score) = self.left[i as usize].score_at_least(f, least) {
                let better = best.is_none_or(|b| score > b.score || (score == b.score && (i as usize) < b.index));
                if better {
                    best = Some(Best { index: i as usize, score });
                }
            }
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::super::normalize::Synonyms;
    use super::*;

    #[test]
    fn german_abbreviations_do_not_split() {
        let s = sentences(
            "Dazu gehören z. B. Gespräche, u. a. mit Ärzten, ggf. auch i. S. des SGB IX. Danach folgt bzw. folgen weitere Schritte. Das ist i.V.m. § 3 geregelt. Ende!",
        );
        assert_eq!(s.len(), 4, "{s:#?}");
        assert!(s[0].ends_with("SGB IX."));
    }

    #[test]
    fn numbers_and_lowercase_continuations_do_not_split() {
        let s = sentences("Im Jahr 2016. wurde es anders. Die 1. Auflage erschien.");
        assert_eq!(s, vec!["Im Jahr 2016. wurde es anders.", "Die 1. Auflage erschien."]);
    }

    /// [`plain_text`] as it was written first, a pass per rule for the marks
    /// within lines (which lines have text is decided alike).
    fn plain_text_stepwise(md: &str) -> String {
        let mut out = String::with_capacity(md.len());
        for t in md.lines().filter_map(line_text) {
            let t = &t.replace('|', " ");
            let t = t.strip_prefix("* ").unwrap_or(t);
            out.push_str(t);
            out.push('\n');
        }
        let mut s = out.replace("\\*", "\u{1}").replace(['*', '_'], "").replace('\u{1}', "*");
        drop_footnote_marks(&mut s);
        s
    }

    proptest::proptest! {
        #[test]
        fn one_pass_plain_text_equals_stepwise(md in "[ab |*_\\\\\\[\\]^:#>+\\-\n\r\u{1}ä]{0,40}") {
            proptest::prop_assert_eq!(plain_text(&md), plain_text_stepwise(&md));
        }
    }

    #[test]
    fn plain_text_drops_markup_and_footnotes() {
        let p =
            plain_text("Die SMART-Kriterien[^2] und Fallmanager\\*innen sind *wichtig*.\n\n[^2]: SMART ist …\n- Punkt");
        assert!(p.contains("Die SMART-Kriterien und Fallmanager*innen sind wichtig."), "{p}");
        assert!(!p.contains("SMART ist"));
        assert!(p.contains("Punkt"));
    }

    /// What [`Index::best`] computed before its candidates were counted in a
    /// dense table and scored with an early exit: a full sort, then the
    /// highest score, the earlier sentence on equal scores.
    fn reference_best(idx: &Index, f: &Features) -> Option<Best> {
        if let Some(&i) = idx.exact.get(f.key.as_str()) {
            return Some(Best { index: i as usize, score: 1.0 });
        }
        let mut shared: HashMap<u32, u32> = HashMap::default();
        for k in f.prefix_keys() {
            for &i in idx.postings.get(k).map(Vec::as_slice).unwrap_or(&[]) {
                *shared.entry(i).or_insert(0) += 1;
            }
        }
        let mut cands: Vec<(u32, u32)> = shared.into_iter().collect();
        cands.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        cands
            .into_iter()
            .take(CANDIDATES)
            .map(|(i, _)| Best { index: i as usize, score: idx.left[i as usize].score(f) })
            .max_by(|a, b| a.score.total_cmp(&b.score).then(b.index.cmp(&a.index)))
    }

    #[test]
    fn best_agrees_with_the_full_sort() {
        let syn = Synonyms::default();
        let words = ["Beratung", "Netzwerk", "Planung", "Teilhabe", "Ziele", "Gespräch", "Dokumentation", "Fälle"];
        // Many sentences sharing words, so that there are more than CANDIDATES
        // candidates and many equal scores.
        let text = |seed: usize, n: usize| {
            (0..n).map(|k| words[(seed * 7 + k * (seed % 5 + 1)) % words.len()]).collect::<Vec<_>>().join(" ")
        };
        let left: Vec<Features> = (0..120).map(|i| Features::new(&text(i, 2 + i % 6), &syn)).collect();
        let idx = Index::new(&left);
        for i in 0..200 {
            let f = Features::new(&text(i * 3 + 1, 1 + i % 7), &syn);
            assert_eq!(idx.best(&f), reference_best(&idx, &f), "sentence {i}: {}", f.key);
        }
    }

    #[test]
    fn index_finds_the_reworded_source() {
        let syn = Synonyms::new(&[vec!["Versicherten".into(), "Klient:innen".into()]]);
        let left: Vec<Features> = ["Sie beraten die Versicherten auf Augenhöhe.", "Die Dokumentation ist wichtig."]
            .iter()
            .map(|t| Features::new(t, &syn))
            .collect();
        let idx = Index::new(&left);
        let best = idx.best(&Features::new("Sie beraten die Klient:innen auf Augenhöhe.", &syn)).unwrap();
        assert_eq!(best.index, 0);
        assert_eq!(best.score, 1.0);
        assert!(idx.best(&Features::new("Xylophon", &syn)).is_none());
    }
}
