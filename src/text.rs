//! Text helpers shared by loading, model and rendering: normalisation on load,
//! the id rule, slugs for anchors, "did you mean" suggestions, and the 64-bit
//! fingerprint of texts.

use unicode_normalization::UnicodeNormalization;

/// A 64-bit hash of `bytes` (XXH3): the same within a run, which is all its
/// users (file fingerprints, page ids, reread sources) need. Serve hashes every
/// file a rebuild makes; SipHash spent about 3 % of a bundled rebuild on that.
pub fn fingerprint(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(bytes)
}

/// A fingerprint of several byte strings together, each preceded by its
/// length so that parts cannot run into each other.
pub fn fingerprint_parts<'a>(parts: impl IntoIterator<Item = &'a [u8]>) -> u64 {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    for p in parts {
        h.update(&(p.len() as u64).to_le_bytes());
        h.update(p);
    }
    h.digest()
}

/// Normalises file text as the content format promises: a leading BOM is dropped,
/// CRLF and lone CR become LF, and everything is Unicode NFC, so an `ä` typed on a
/// Mac equals one typed elsewhere.
pub fn normalize_source(raw: &str) -> String {
    normalize_source_owned(raw.to_string())
}

/// [`normalize_source`] of a text read into `s`, which is returned as it is
/// when nothing changes (nearly always: no copy of every file read).
pub fn normalize_source_owned(mut s: String) -> String {
    if s.starts_with('\u{feff}') {
        s.drain(..'\u{feff}'.len_utf8());
    }
    if s.contains('\r') {
        s = s.replace("\r\n", "\n").replace('\r', "\n");
    }
    nfc_owned(s)
}

/// NFC of a string; cheap when it is already NFC, which is nearly always.
pub fn nfc(s: &str) -> String {
    nfc_owned(s.to_string())
}

/// [`nfc`] of `s`, returned as it is when it is already NFC.
fn nfc_owned(s: String) -> String {
    if is_nfc(&s) { s } else { s.nfc().collect() }
}

/// Whether `s` is in NFC by the quick check (`false` where it cannot tell).
pub fn is_nfc(s: &str) -> bool {
    // Characters below U+0300 (no byte of theirs is 0xCC or above) are in NFC
    // whatever follows them: most of a German text.
    s.bytes().all(|b| b < 0xCC)
        || unicode_normalization::is_nfc_quick(s.chars()) == unicode_normalization::IsNormalized::Yes
}

/// The id rule of the content format: lower-case ASCII letters, digits and `-`,
/// not empty, and neither starting nor ending with `-` (so it is safe as a path
/// segment and a URL part).
pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && !id.starts_with('-')
        && !id.ends_with('-')
        && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// A valid id close to `raw`, offered as the fix when `raw` breaks the id rule.
pub fn suggest_id(raw: &str) -> String {
    let s = slugify(raw, 64);
    if s.is_empty() { "id".to_string() } else { s }
}

/// A URL-fragment-safe slug: German umlauts are spelled out (ä → ae, ß → ss), other
/// letters transliterated, everything else collapses to single `-`. Long texts are
/// cut at a word boundary near `max` characters so anchors stay readable.
pub fn slugify(text: &str, max: usize) -> String {
    let mut out = slug_german(text).unwrap_or_else(|| slug_general(text));
    while out.ends_with('-') {
        out.pop();
    }
    if out.len() > max {
        let cut = out[..max].rfind('-').filter(|&i| i >= max / 2).unwrap_or(max);
        out.truncate(cut);
        while out.ends_with('-') {
            out.pop();
        }
    }
    out
}

/// The slug of a text of ASCII and German letters in one pass (an item's
/// anchor is made from its text: slugs were a twentieth of loading), `None`
/// for any other character.
fn slug_german(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        let spelled = match c {
            'ä' | 'Ä' => "ae",
            'ö' | 'Ö' => "oe",
            'ü' | 'Ü' => "ue",
            'ß' => "ss",
            c if c.is_ascii_alphanumeric() => {
                out.push(c.to_ascii_lowercase());
                continue;
            }
            c if c.is_ascii() => {
                if !out.is_empty() && !out.ends_with('-') {
                    out.push('-');
                }
                continue;
            }
            _ => return None,
        };
        out.push_str(spelled);
    }
    Some(out)
}

/// The slug of any text, before trimming and shortening.
fn slug_general(text: &str) -> String {
    let mut spelled = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            'ä' => spelled.push_str("ae"),
            'ö' => spelled.push_str("oe"),
            'ü' => spelled.push_str("ue"),
            'Ä' => spelled.push_str("Ae"),
            'Ö' => spelled.push_str("Oe"),
            'Ü' => spelled.push_str("Ue"),
            'ß' => spelled.push_str("ss"),
            _ => spelled.push(c),
        }
    }
    let ascii = deunicode::deunicode(&spelled).to_ascii_lowercase();
    let mut out = String::with_capacity(ascii.len());
    for c in ascii.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out
}

/// The candidate most similar to `input`, if it is similar enough to be a
/// plausible typo.
pub fn nearest<'a>(input: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lower = input.to_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(&lower, &c.to_lowercase()), c))
        .filter(|(score, _)| *score >= 0.7)
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
        .map(|(_, c)| c)
}

/// Formats a list of choices for a hint: `` `a`, `b`, `c` ``.
pub fn list_choices<'a>(choices: impl IntoIterator<Item = &'a str>) -> String {
    choices.into_iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", ")
}

/// Formats a number without a trailing `.0` and with at most two decimals, as
/// workload figures are printed (`157.5`, `210`).
pub fn fmt_num(x: f64) -> String {
    let r = (x * 100.0).round() / 100.0;
    if r == r.trunc() {
        format!("{}", r as i64)
    } else {
        let s = format!("{r:.2}");
        s.trim_end_matches('0').to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn german_slugs_are_the_general_ones(s in "[a-zA-Z0-9äöüÄÖÜß \t\n,.;:()/?%+*_#<>&'\"\\[\\]-]{0,80}") {
            proptest::prop_assert_eq!(slug_german(&s), Some(slug_general(&s)));
        }
    }

    #[test]
    fn slugs_of_other_letters_take_the_general_way() {
        assert_eq!(slug_german("Café"), None);
        assert_eq!(slugify("Café – Übung „Fall“", 60), "cafe-uebung-fall");
        assert_eq!(slugify("Große Ärzte: Öl", 60), "grosse-aerzte-oel");
    }

    #[test]
    fn parts_do_not_run_into_each_other() {
        let f = |parts: [&str; 2]| fingerprint_parts(parts.map(str::as_bytes));
        assert_ne!(f(["ab", "c"]), f(["a", "bc"]));
        assert_eq!(f(["ab", "c"]), f(["ab", "c"]));
    }

    #[test]
    fn normalizes_bom_crlf_and_nfc() {
        let composed = "\u{feff}a\r\nb\rc\u{0061}\u{0308}";
        assert_eq!(normalize_source(composed), "a\nb\nc\u{e4}");
    }

    #[test]
    fn id_rule() {
        for ok in ["kit", "m3", "kit-erwu", "a1-b2"] {
            assert!(is_valid_id(ok), "{ok}");
        }
        for bad in ["", "Kit", "m_3", "-a", "a-", "ä", "a b", "../x", "a.b"] {
            assert!(!is_valid_id(bad), "{bad}");
        }
        assert_eq!(suggest_id("Modul_3"), "modul-3");
    }

    #[test]
    fn slugs_spell_out_umlauts_and_cut_at_words() {
        assert_eq!(slugify("Übung/Simulation", 60), "uebung-simulation");
        assert_eq!(slugify("Größe & Maß", 60), "groesse-mass");
        assert_eq!(slugify("  --  ", 60), "");
        let long = slugify("eins zwei drei vier fuenf sechs sieben acht neun", 20);
        assert!(long.len() <= 20 && !long.ends_with('-'), "{long}");
        assert_eq!(long, "eins-zwei-drei-vier");
    }

    #[test]
    fn nearest_finds_typos_only() {
        let keys = ["title", "short_title", "issuer", "edition"];
        assert_eq!(nearest("titel", keys), Some("title"));
        assert_eq!(nearest("isuer", keys), Some("issuer"));
        assert_eq!(nearest("zzzzqqq", keys), None);
    }

    #[test]
    fn numbers_print_compactly() {
        assert_eq!(fmt_num(210.0), "210");
        assert_eq!(fmt_num(157.5), "157.5");
        assert_eq!(fmt_num(1.0 / 3.0), "0.33");
    }
}
