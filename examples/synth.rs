//! Writes the benchmark's synthetic site (`curricula::synth`) into a folder,
//! for trying large sites by hand and for the browser tests of their pages:
//! `cargo run --example synth -- DIR [MODULES] [CURRICULA] [SEED]`
//! (default 130 modules over 13 curricula: beyond the header's limit of
//! curricula, so the site-wide A–Z lists are split by letter).

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(dir) = args.first() else {
        eprintln!("usage: synth DIR [MODULES] [CURRICULA] [SEED]");
        std::process::exit(2);
    };
    let number = |i: usize, default: usize| args.get(i).and_then(|a| a.parse().ok()).unwrap_or(default);
    let (modules, curricula, seed) = (number(1, 130), number(2, 13), number(3, 7) as u64);
    if let Err(e) = curricula::synth::write_site(std::path::Path::new(dir), modules, curricula, seed) {
        eprintln!("error: cannot write the site into {dir}: {e}");
        std::process::exit(1);
    }
}
