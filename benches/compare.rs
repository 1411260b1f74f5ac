//! Benchmark: comparing a synthetic pair of curricula with 1 000 modules each.
//! Run with `cargo bench --bench compare`; prints timings, asserts nothing.

use std::time::Instant;

fn main() {
    let n: usize = std::env::var("MODULES").ok().and_then(|v| v.parse().ok()).unwrap_or(1000);
    let tmp = tempfile::tempdir().expect("temp dir");
    curricula::synth::write_site(tmp.path(), 2 * n, 2, 42).expect("write synthetic site");
    let t = Instant::now();
    let loaded = curricula::load::load_site(tmp.path());
    let load = t.elapsed();
    let cmp = &loaded.site.comparisons[0];
    let mut times = Vec::new();
    let mut rows = 0;
    for _ in 0..3 {
        let t = Instant::now();
        let r = curricula::compare::compare(&loaded.site, cmp).expect("comparison");
        times.push(t.elapsed());
        rows = r.pairs.iter().flat_map(|p| p.tables.iter()).map(|t| t.rows.len()).sum();
    }
    times.sort();
    println!(
        "compare: {n} + {n} modules, {rows} item rows; load {load:.2?}; compare median {:.2?} (min {:.2?}, max {:.2?})",
        times[1], times[0], times[2]
    );
}
