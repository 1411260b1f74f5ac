//! Times the phases of a build of a site (a profiling aid):
//! `cargo run --release --example profile -- [ROOT] [REPEAT]`.
//! With REPEAT > 1 the render phase runs that many times over the loaded site,
//! so `perf record` sees rendering rather than process start-up.

use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let root = std::path::PathBuf::from(args.next().unwrap_or_else(|| ".".into()));
    let repeat: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(1);
    let t = Instant::now();
    let loaded = curricula::load::load_site(&root);
    println!("load        {:?}", t.elapsed());
    let site = loaded.site;
    let t = Instant::now();
    let _ = curricula::model::check::check_site(&site);
    println!("check       {:?}", t.elapsed());
    let mut cmps = Vec::new();
    for _ in 0..(if std::env::var_os("PROFILE_COMPARE").is_some() { repeat } else { 1 }) {
        let t = Instant::now();
        cmps = site.comparisons.iter().filter_map(|c| curricula::compare::compare(&site, c)).collect();
        println!("compare     {:?}", t.elapsed());
    }
    let t = Instant::now();
    let _ = curricula::export::comparison_files(&site, &cmps);
    println!("cmp exports {:?}", t.elapsed());
    let t = Instant::now();
    let all: Vec<usize> = (0..site.curricula.len()).collect();
    for &ci in &all {
        let c = &site.curricula[ci];
        let _ = curricula::export::curriculum_files(&site, c, &curricula::export::module_exports(&site, c, &[]));
    }
    println!("cur exports {:?}", t.elapsed());
    let t = Instant::now();
    let theme = curricula::render::Theme::load(&root, &site.config.theme).expect("theme");
    println!("theme       {:?}", t.elapsed());
    let mut files = Vec::new();
    for _ in 0..repeat {
        let t = Instant::now();
        files = curricula::render::render_with(&site, &theme, &loaded.sources).map(|r| r.0).unwrap_or_default();
        println!("render all  {:?} ({} files)", t.elapsed(), files.len());
    }
    let t = Instant::now();
    let _ = curricula::links::check(&site, &files);
    println!("links       {:?}", t.elapsed());
}

#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;
