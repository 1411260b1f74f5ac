//! Times `serve`'s rebuild of a site after one module changes (a measuring aid):
//! `cargo run --release --example incremental -- ROOT MODULE_FILE`. The edit
//! changes the module's title, with `EDIT=prose` a sentence of its
//! Kompetenzbeschreibung, with `EDIT=item` the text of its first listed item,
//! with `EDIT=method` the text of its first learning method (after its first
//! letter: on a site whose lists are split by letter, an edit that adds a
//! letter rebuilds the whole site).
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let root = std::path::PathBuf::from(args.next().unwrap_or_else(|| ".".into()));
    let module = root.join(args.next().unwrap_or_else(|| "content/kit/modules/m3.md".into()));
    let out = std::env::temp_dir().join("curricula-incremental");
    let mut inc = curricula::incremental::Incremental::new(&root, &out);
    let _ = inc.rebuild();
    let original = std::fs::read_to_string(&module).unwrap_or_default();
    let method = first_method(&original);
    let (from, to) = match std::env::var("EDIT").as_deref() {
        Ok("prose") => ("## Kompetenzbeschreibung\n", "## Kompetenzbeschreibung\n\nEin neuer Satz.\n"),
        Ok("item") => ("    - \"", "    - \"Neu: "),
        Ok("method") => (method.0.as_str(), method.1.as_str()),
        _ => ("title: \"", "title: \"Neu "),
    };
    let (mut times, mut firsts) = (Vec::new(), Vec::new());
    for i in 0..(std::env::var("REPEAT").ok().and_then(|v| v.parse().ok()).unwrap_or(9)) {
        let text = if i % 2 == 0 { original.replacen(from, to, 1) } else { original.clone() };
        let _ = std::fs::write(&module, text);
        let t = Instant::now();
        let _ = inc.rebuild_with(Some(std::slice::from_ref(&module)), &mut |_| firsts.push(t.elapsed()));
        times.push(t.elapsed());
    }
    let _ = std::fs::write(&module, original);
    report("edited module's page written", &mut firsts);
    report("incremental rebuild", &mut times);
}

/// The start of the first learning method, up to its first letter, and the
/// same with an `n` after that letter.
fn first_method(text: &str) -> (String, String) {
    let head = "methods:\n  - \"";
    let letter = text.find(head).and_then(|i| text[i + head.len()..].chars().next());
    let from = format!("{head}{}", letter.unwrap_or('"'));
    let to = format!("{from}n");
    (from, to)
}

fn report(what: &str, times: &mut [std::time::Duration]) {
    times.sort();
    let n = times.len();
    if n > 0 {
        println!("{what}: median {:?} (min {:?}, max {:?}, n = {n})", times[n / 2], times[0], times[n - 1]);
    }
}

// The allocator of the binary, so that the figures match `curricula serve`.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;
