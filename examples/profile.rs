//! Times the phases of a build of a site (a profiling aid):
//! `cargo run --release --example profile -- [ROOT]`.

use std::time::Instant;

fn main() {
    let root = std::path::PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| ".".into()));
    let t = Instant::now();
    let loaded = curricula::load::load_site(&root);
    println!("load        {:?}", t.elapsed());
    let site = loaded.site;
    let t = Instant::now();
    let _ = curricula::model::check::check_site(&site);
    println!("check       {:?}", t.elapsed());
    let t = Instant::now();
    let cmps: Vec<_> = site.comparisons.iter().filter_map(|c| curricula::compare::compare(&site, c)).collect();
    println!("compare     {:?}", t.elapsed());
    let t = Instant::now();
    let _ = curricula::export::comparison_files(&site, &cmps);
    let _ = curricula::export::curriculum_files(&site);
    println!("exports     {:?}", t.elapsed());
    let t = Instant::now();
    let _ = curricula::highlight::highlight("a: b\n", "yaml");
    println!("syntect     {:?}", t.elapsed());
    let t = Instant::now();
    for c in &site.curricula {
        for m in &c.modules {
            let text = &loaded.sources[&m.file];
            let _ = curricula::highlight::highlight(text, "md");
        }
    }
    println!("highlight sources {:?}", t.elapsed());
    let t = Instant::now();
    let (files, _) = curricula::render::render_site(&site, &root, &loaded.sources).unwrap_or_default();
    println!("render all  {:?} ({} files)", t.elapsed(), files.len());
    let t = Instant::now();
    let _ = curricula::links::check(&site, &files);
    println!("links       {:?}", t.elapsed());
}

#[allow(dead_code)]
fn unused() {}
