//! What each curriculum's pages are made from, as one fingerprint.
//!
//! The output is a function of the generator and the files read (the
//! invariant of deterministic output), so a curriculum's pages can only differ
//! from a previous build's when the generator or one of the files they can
//! depend on differs: the curriculum's own files and every file outside the
//! curricula's folders (site.yaml, glossary, comparisons, …). The curriculum
//! page carries that fingerprint (`<meta name="curricula-inputs">`), and
//! `check` beside a previous build makes again only the pages of curricula
//! whose fingerprint changed. The generator counts by its version and its
//! built-in templates (`render::generator_print`): a change of its code that
//! moves anchors without a new version goes unseen by `check` (the tests of
//! the anchors guard that code). Pure: fingerprints in, fingerprints out.

use crate::model::Site;
use std::collections::BTreeMap;

/// The `name` of the curriculum page's meta element that carries the fingerprint.
pub const META: &str = "curricula-inputs";

/// Sets each curriculum's [`crate::model::Curriculum::inputs`] from the
/// fingerprints of the files read (`read`, by path from the site root) and of
/// the generator (`generator`: its version and built-in templates). Returns
/// the fingerprint of the shared part (the generator and the files outside the
/// curricula's folders), for [`restamp`].
pub fn stamp(site: &mut Site, read: &BTreeMap<String, u64>, generator: u64) -> u64 {
    let dirs: rustc_hash::FxHashSet<&str> = site.curricula.iter().map(|c| folder_of(&c.file)).collect();
    // The folder is a prefix ending in `/`; a file has only a few.
    let owned = |file: &str| file.match_indices('/').any(|(i, _)| dirs.contains(&file[..=i]));
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(&generator.to_le_bytes());
    // `read` is sorted by path, so each hash sees its files in one order.
    for (file, print) in read.iter().filter(|(f, _)| !owned(f)) {
        add(&mut h, file, *print);
    }
    let shared = h.digest();
    restamp(site, read, shared, 0..site.curricula.len());
    shared
}

/// Sets the fingerprint of the curricula `of` (by index) again after their
/// files changed, with the `shared` part that [`stamp`] returned.
pub fn restamp(site: &mut Site, read: &BTreeMap<String, u64>, shared: u64, of: impl IntoIterator<Item = usize>) {
    use std::ops::Bound;
    for ci in of {
        let Some(c) = site.curricula.get_mut(ci) else { continue };
        let folder = folder_of(&c.file);
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        // A folder's files are one range of the sorted paths.
        let files = read.range::<str, _>((Bound::Included(folder), Bound::Unbounded));
        for (file, print) in files.take_while(|(f, _)| f.starts_with(folder)) {
            add(&mut h, file, *print);
        }
        // Never 0, which means "unknown".
        c.inputs = crate::text::fingerprint_parts([&shared.to_le_bytes()[..], &h.digest().to_le_bytes()]).max(1);
    }
}

fn add(h: &mut xxhash_rust::xxh3::Xxh3, file: &str, print: u64) {
    h.update(&(file.len() as u64).to_le_bytes());
    h.update(file.as_bytes());
    h.update(&print.to_le_bytes());
}

/// `content/kit/curriculum.yaml` → `content/kit/`.
fn folder_of(file: &str) -> &str {
    file.rfind('/').map_or("", |i| &file[..=i])
}

/// The fingerprint as the meta element writes it.
pub fn hex(inputs: u64) -> String {
    format!("{inputs:016x}")
}

/// The fingerprint in a page's `<meta name="curricula-inputs">`, if it has one
/// (only the head is searched: up to `</head>`, or all of `html` when that is
/// the start of a page, cut off before it).
pub fn of_page(html: &str) -> Option<u64> {
    let head = html.find("</head>").map_or(html, |i| &html[..i]);
    let tag = format!("<meta name=\"{META}\" content=\"");
    let start = head.find(&tag)? + tag.len();
    let value = head[start..].get(..16)?;
    head[start + 16..].starts_with('"').then(|| u64::from_str_radix(value, 16).ok())?
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testutil::curriculum;

    fn site() -> Site {
        Site { curricula: vec![curriculum("kit", vec![]), curriculum("kit2", vec![])], ..Default::default() }
    }

    fn prints(read: &[(&str, u64)], generator: u64) -> Vec<u64> {
        let mut s = site();
        stamp(&mut s, &read.iter().map(|(f, p)| (f.to_string(), *p)).collect(), generator);
        s.curricula.iter().map(|c| c.inputs).collect()
    }

    #[test]
    fn a_curriculum_changes_with_its_own_files_and_the_shared_ones_only() {
        let base = [
            ("content/glossary.yaml", 1),
            ("content/kit/curriculum.yaml", 2),
            ("content/kit/modules/m1.md", 3),
            ("content/kit2/curriculum.yaml", 4),
            ("site.yaml", 5),
        ];
        let before = prints(&base, 9);
        assert_ne!(before[0], before[1]);
        assert!(before.iter().all(|p| *p != 0));
        let with = |i: usize, print: u64| {
            let mut r = base;
            r[i].1 = print;
            prints(&r, 9)
        };
        // A module of kit (not of kit2, although "content/kit" starts "content/kit2").
        let after = with(2, 30);
        assert_ne!(after[0], before[0]);
        assert_eq!(after[1], before[1]);
        let after = with(3, 40);
        assert_eq!(after[0], before[0]);
        assert_ne!(after[1], before[1]);
        for shared in [0, 4] {
            let after = with(shared, 50);
            assert!(after[0] != before[0] && after[1] != before[1]);
        }
        let generator = prints(&base, 10);
        assert!(generator[0] != before[0] && generator[1] != before[1]);
        // A new file counts as well as a changed one.
        let mut more = base.to_vec();
        more.push(("content/kit/pages/neu.md", 6));
        let after = prints(&more, 9);
        assert!(after[0] != before[0] && after[1] == before[1]);
    }

    #[test]
    fn restamping_one_curriculum_gives_what_stamping_all_gives() {
        let mut read: BTreeMap<String, u64> =
            [("content/kit/modules/m1.md", 3), ("content/kit2/curriculum.yaml", 4), ("site.yaml", 5)]
                .map(|(f, p)| (f.to_string(), p))
                .into();
        let mut s = site();
        let shared = stamp(&mut s, &read, 9);
        let before: Vec<u64> = s.curricula.iter().map(|c| c.inputs).collect();
        read.insert("content/kit/modules/m1.md".into(), 30);
        restamp(&mut s, &read, shared, [0]);
        let mut fresh = site();
        assert_eq!(stamp(&mut fresh, &read, 9), shared);
        let (restamped, stamped): (Vec<u64>, Vec<u64>) =
            s.curricula.iter().zip(&fresh.curricula).map(|(a, b)| (a.inputs, b.inputs)).unzip();
        assert_eq!(restamped, stamped);
        assert!(restamped[0] != before[0] && restamped[1] == before[1]);
    }

    #[test]
    fn the_print_is_read_back_from_the_head_of_a_page_only() {
        let page = |print: &str| {
            format!("<html><head><meta name=\"curricula-inputs\" content=\"{print}\"></head><body></body></html>")
        };
        assert_eq!(of_page(&page(&hex(0xab))), Some(0xab));
        assert_eq!(of_page(&page(&hex(u64::MAX))), Some(u64::MAX));
        for broken in ["ab", "00000000000000ab0", "zz000000000000ab", ""] {
            assert_eq!(of_page(&page(broken)), None, "{broken}");
        }
        let in_body = format!("<head></head><body>{}</body>", page(&hex(7)));
        assert_eq!(of_page(&in_body), None);
        // The start of a page, cut off inside its head.
        assert_eq!(of_page("<head><meta name=\"curricula-inputs\" content=\"0000000000000007\"><ti"), Some(7));
    }
}
