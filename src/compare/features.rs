//! Precomputed matching features of a text, built once and reused for every
//! comparison it takes part in: the normalised form, the synonym-applied key,
//! character bigrams for the fuzzy score, and token prefixes for the cheap
//! candidate filter.

use super::normalize::{Synonyms, normalize, tokens};

#[derive(Debug, Clone, Default)]
pub struct Features {
    /// [`normalize`]d text: equal means identical.
    pub norm: String,
    /// Tokens after synonyms, joined by spaces: equal means equivalent.
    pub key: String,
    /// Sorted, deduplicated hashes of the key's character bigrams.
    grams: Vec<u32>,
    /// Sorted, deduplicated hashes of the first five characters of every
    /// token of four or more characters: texts without a shared prefix cannot
    /// be similar enough to matter, so they are never scored.
    prefixes: Vec<u32>,
}

/// FNV-1a over the characters: fast, and stable across runs and versions.
fn hash_chars(chars: impl Iterator<Item = char>) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for c in chars {
        for b in (c as u32).to_le_bytes() {
            h ^= b as u32;
            h = h.wrapping_mul(0x0100_0193);
        }
    }
    h
}

impl Features {
    pub fn new(text: &str, syn: &Synonyms) -> Self {
        let norm = normalize(text);
        let key_tokens = syn.apply(&tokens(&norm));
        let key = key_tokens.join(" ");
        let chars: Vec<char> = key.chars().collect();
        let mut grams: Vec<u32> = chars.windows(2).map(|w| hash_chars(w.iter().copied())).collect();
        grams.sort_unstable();
        grams.dedup();
        let mut prefixes: Vec<u32> = key_tokens
            .iter()
            .filter(|t| t.starts_with('~') || t.chars().count() >= 4)
            .map(|t| hash_chars(t.chars().take(5)))
            .collect();
        prefixes.sort_unstable();
        prefixes.dedup();
        Features { norm, key, grams, prefixes }
    }

    /// Whether two texts share a content-word prefix (the candidate filter).
    pub fn may_match(&self, other: &Features) -> bool {
        intersect(&self.prefixes, &other.prefixes) > 0
    }

    /// Sørensen–Dice coefficient over character bigrams of the keys, 0..=1.
    pub fn score(&self, other: &Features) -> f64 {
        if self.key == other.key {
            return 1.0;
        }
        let total = self.grams.len() + other.grams.len();
        if total == 0 {
            return 0.0;
        }
        2.0 * intersect(&self.grams, &other.grams) as f64 / total as f64
    }

    /// The prefix hashes, for building an inverted index.
    pub fn prefix_keys(&self) -> &[u32] {
        &self.prefixes
    }
}

fn intersect(a: &[u32], b: &[u32]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_and_filter() {
        let syn = Synonyms::default();
        let a = Features::new("Rollenspiel", &syn);
        let b = Features::new("Rollenspiele", &syn);
        let c = Features::new("Vortrag", &syn);
        assert!(a.may_match(&b));
        assert!(!a.may_match(&c));
        assert!(a.score(&b) > 0.9, "{}", a.score(&b));
        assert!(a.score(&c) < 0.2);
        assert_eq!(a.score(&a), 1.0);
    }
}
