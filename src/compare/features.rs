//! Precomputed matching features of a text, built once per synonyms and
//! reused for every comparison with those synonyms it takes part in
//! (`compare::Preparations`): the normalised form, the synonym-applied key,
//! character bigrams for the fuzzy score, and token prefixes for the cheap
//! candidate filter.

use super::normalize::{Synonyms, normalize, token_slices};

#[derive(Debug, Clone)]
pub struct Features {
    /// [`normalize`]d text: equal means identical.
    pub norm: String,
    /// Tokens after synonyms, joined by spaces: equal means equivalent.
    pub key: String,
    /// 64-bit hashes of `norm` and `key`: two texts of a comparison are
    /// compared for both thousands of times (every candidate pair of items
    /// and each module pair of the matrix), and most pairs differ in them.
    norm_hash: u64,
    key_hash: u64,
    /// Sorted, deduplicated hashes of the key's character bigrams.
    grams: Vec<u32>,
    /// Sorted, deduplicated hashes of the first five characters of every
    /// token of four or more characters: texts without a shared prefix cannot
    /// be similar enough to matter, so they are never scored.
    prefixes: Vec<u32>,
    /// One bit per prefix hash (mod 128): disjoint sets of bits mean no shared
    /// prefix, found without merging the lists (most pairs of items).
    prefix_bits: u128,
    /// How many bigram hashes fall into each of 64 buckets. Two texts share
    /// at most the smaller count of every bucket, which bounds the score in a
    /// few vector instructions, before any merge; `None` if a count does not
    /// fit a byte (texts of thousands of words), which are merged right away.
    gram_buckets: Option<[u8; GRAM_BUCKETS]>,
}

const GRAM_BUCKETS: usize = 64;

fn gram_buckets(grams: &[u32]) -> Option<[u8; GRAM_BUCKETS]> {
    let mut b = [0u8; GRAM_BUCKETS];
    for g in grams {
        let slot = &mut b[(*g >> 26) as usize];
        *slot = slot.checked_add(1)?;
    }
    Some(b)
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

/// [`hash_chars`] of two characters, unrolled (every bigram of every text
/// of a comparison is hashed).
fn hash_pair(a: char, b: char) -> u32 {
    let bytes = (u64::from(a) | u64::from(b) << 32).to_le_bytes();
    let mut h: u32 = 0x811c_9dc5;
    for b in bytes {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

impl Features {
    pub fn new(text: &str, syn: &Synonyms) -> Self {
        let norm = normalize(text);
        let toks: Vec<&str> = token_slices(&norm).collect();
        let key_tokens = syn.apply(&toks);
        let key = key_tokens.join(" ");
        let mut grams: Vec<u32> = Vec::with_capacity(key.len());
        let mut chars = key.chars();
        if let Some(mut prev) = chars.next() {
            for c in chars {
                grams.push(hash_pair(prev, c));
                prev = c;
            }
        }
        grams.sort_unstable();
        grams.dedup();
        let mut prefixes: Vec<u32> = key_tokens
            .iter()
            .filter(|t| t.starts_with('~') || t.chars().count() >= 4)
            .map(|t| hash_chars(t.chars().take(5)))
            .collect();
        prefixes.sort_unstable();
        prefixes.dedup();
        let prefix_bits = prefixes.iter().fold(0u128, |bits, h| bits | 1 << (h % 128));
        let gram_buckets = gram_buckets(&grams);
        let (norm_hash, key_hash) =
            (crate::text::fingerprint(norm.as_bytes()), crate::text::fingerprint(key.as_bytes()));
        Features { norm, key, norm_hash, key_hash, grams, prefixes, prefix_bits, gram_buckets }
    }

    /// Whether the two texts are identical once normalised (`norm` equal).
    pub fn same_norm(&self, other: &Features) -> bool {
        self.norm_hash == other.norm_hash && self.norm == other.norm
    }

    /// Whether the two texts are equivalent (`key` equal).
    pub fn same_key(&self, other: &Features) -> bool {
        self.key_hash == other.key_hash && self.key == other.key
    }

    /// Whether two texts share a content-word prefix (the candidate filter).
    pub fn may_match(&self, other: &Features) -> bool {
        self.prefix_bits & other.prefix_bits != 0 && shares_any(&self.prefixes, &other.prefixes)
    }

    /// Whether [`Self::score`] can reach `least` at all: the bigrams two texts
    /// share are at most those of the shorter, which bounds the coefficient.
    pub fn may_score(&self, other: &Features, least: f64) -> bool {
        let (a, b) = (self.grams.len(), other.grams.len());
        a + b == 0 || 2.0 * a.min(b) as f64 / (a + b) as f64 >= least
    }

    /// Sørensen–Dice coefficient over character bigrams of the keys, 0..=1.
    pub fn score(&self, other: &Features) -> f64 {
        if self.same_key(other) {
            return 1.0;
        }
        let total = self.grams.len() + other.grams.len();
        if total == 0 {
            return 0.0;
        }
        2.0 * intersect(&self.grams, &other.grams) as f64 / total as f64
    }

    /// [`Self::score`] if it reaches `least`, else `None`. The merge of the
    /// bigram lists stops as soon as the rest of them cannot make up the
    /// difference: most candidate pairs of a comparison fail, and usually
    /// early.
    pub fn score_at_least(&self, other: &Features, least: f64) -> Option<f64> {
        if self.same_key(other) {
            return (1.0 >= least).then_some(1.0);
        }
        let (a, b) = (&self.grams, &other.grams);
        let total = a.len() + b.len();
        if total == 0 {
            return (0.0 >= least).then_some(0.0);
        }
        let reaches = |shared: usize| 2.0 * shared as f64 / total as f64 >= least;
        if !self.may_score(other, least) || self.bucket_bound(other).is_some_and(|n| !reaches(n)) {
            return None;
        }
        let (mut i, mut j, mut n) = (0, 0, 0);
        while i < a.len() && j < b.len() {
            if !reaches(n + (a.len() - i).min(b.len() - j)) {
                return None;
            }
            // A branch-free stretch between the checks (see `intersect`).
            for _ in 0..16 {
                if i >= a.len() || j >= b.len() {
                    break;
                }
                let (x, y) = (a[i], b[j]);
                n += usize::from(x == y);
                i += usize::from(x <= y);
                j += usize::from(y <= x);
            }
        }
        let score = 2.0 * n as f64 / total as f64;
        (score >= least).then_some(score)
    }

    /// At least as many as the bigrams the two texts share: per bucket, the
    /// smaller count (never more than the shorter text has, so it is at least
    /// as tight as [`Self::may_score`]'s bound). Written as a plain sum over the
    /// bytes so that it compiles to vector instructions (it runs for every
    /// candidate pair); `None` when a text has no bucket counts.
    fn bucket_bound(&self, other: &Features) -> Option<usize> {
        let (a, b) = (self.gram_buckets.as_ref()?, other.gram_buckets.as_ref()?);
        let n: u16 = a.iter().zip(b).map(|(x, y)| u16::from(*x.min(y))).sum();
        Some(usize::from(n))
    }

    /// The prefix hashes, for building an inverted index.
    pub fn prefix_keys(&self) -> &[u32] {
        &self.prefixes
    }
}

/// How many values two sorted, deduplicated lists share. Branch-free: which
/// side advances is unpredictable, and mispredicted branches were most of the
/// time of a comparison.
fn intersect(a: &[u32], b: &[u32]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        let (x, y) = (a[i], b[j]);
        n += usize::from(x == y);
        i += usize::from(x <= y);
        j += usize::from(y <= x);
    }
    n
}

/// Whether two sorted, deduplicated lists share a value: [`intersect`] that
/// stops at the first (the candidate filter asks only that, for every pair
/// of items of two modules).
fn shares_any(a: &[u32], b: &[u32]) -> bool {
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        let (x, y) = (a[i], b[j]);
        if x == y {
            return true;
        }
        i += usize::from(x < y);
        j += usize::from(y < x);
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pair_hashes_as_its_two_characters() {
        for (a, b) in [('a', 'b'), ('ä', 'ß'), (' ', '*'), ('\u{1F600}', 'x')] {
            assert_eq!(hash_pair(a, b), hash_chars([a, b].into_iter()));
        }
    }

    proptest::proptest! {
        /// The bounds only ever skip pairs that cannot reach `least`: long
        /// texts (many bigrams per bucket) and near-duplicates included.
        #[test]
        fn score_at_least_is_the_score_when_it_reaches(
            a in "[a-e ]{0,40}|[a-zäöü ]{200,400}",
            edit in "[a-e]{0,6}",
            least in 0.0f64..=1.0,
        ) {
            let syn = Synonyms::default();
            let (fa, fb) = (Features::new(&a, &syn), Features::new(&format!("{a}{edit}"), &syn));
            for (x, y) in [(&fa, &fb), (&fb, &fa), (&fa, &fa)] {
                let s = x.score(y);
                proptest::prop_assert_eq!(x.score_at_least(y, least), (s >= least).then_some(s));
            }
        }
    }

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

    #[test]
    fn the_quick_filters_never_drop_a_match() {
        let syn = Synonyms::default();
        let texts = [
            "Rollenspiel",
            "Rollenspiele in Gruppen",
            "Vortrag",
            "Kenntnisse über Netzwerke der Rehabilitation",
            "Netzwerkarbeit",
            "Fallbesprechung und kollegiale Beratung",
            "Beratung",
            "",
        ];
        let f: Vec<Features> = texts.iter().map(|t| Features::new(t, &syn)).collect();
        for a in &f {
            for b in &f {
                assert_eq!(a.may_match(b), intersect(&a.prefixes, &b.prefixes) > 0);
                for least in [0.0, 0.3, 0.75, 1.0] {
                    assert!(a.score(b) < least || a.may_score(b, least), "{} / {} at {least}", a.key, b.key);
                }
            }
        }
        for a in &f {
            for b in &f {
                for least in [0.0, 0.3, 0.5, 0.75, 0.9, 1.0] {
                    let s = a.score(b);
                    assert_eq!(a.score_at_least(b, least), (s >= least).then_some(s), "{} / {}", a.key, b.key);
                }
            }
        }
        assert!(!f[2].may_score(&f[3], 0.75), "a short and a long text cannot be similar");
        assert_eq!(intersect(&[1, 3, 5, 9], &[0, 3, 4, 5, 10]), 2);
        assert_eq!(intersect(&[], &[1]), 0);
        for (a, b) in
            [(&[1, 3, 5, 9][..], &[0, 3, 4][..]), (&[1, 3], &[0, 2, 4]), (&[], &[1]), (&[7], &[7]), (&[2, 9], &[9])]
        {
            assert_eq!(shares_any(a, b), intersect(a, b) > 0, "{a:?} {b:?}");
        }
    }
}
