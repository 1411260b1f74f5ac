//! Prints a summary of every comparison of a site (a debugging aid):
//! `cargo run --example dump_compare -- [ROOT]`.

fn main() {
    let root = std::env::args().nth(1).unwrap_or_else(|| ".".into());
    let loaded = curricula::load::load_site(std::path::Path::new(&root));
    for cmp in &loaded.site.comparisons {
        let Some(r) = curricula::compare::compare(&loaded.site, cmp) else {
            continue;
        };
        println!("== {} ({} vs {})", r.title, r.left, r.right);
        for p in &r.pairs {
            println!("pair {}: reuse {:.0}%", p.slug, p.reuse_share * 100.0);
            for t in &p.tables {
                println!("  {:20} {:?}", t.group, t.counts);
            }
            for m in &p.prose {
                println!("  prose {} reuse {:.0}% from {:?}", m.module, m.reuse_share * 100.0, m.sources);
            }
        }
        println!("matrix (rows {:?}, cols {:?})", r.matrix.left, r.matrix.right);
        for (i, row) in r.matrix.cells.iter().enumerate() {
            println!(
                "  {:4} {}",
                r.matrix.left[i],
                row.iter().map(|x| format!("{x:.2}")).collect::<Vec<_>>().join(" ")
            );
        }
        for f in &r.flags {
            println!("flag {f:?}");
        }
        println!("overlap {:?}", r.overlap);
    }
    for c in &loaded.site.curricula {
        for res in curricula::compare::rules::evaluate_all(&loaded.site.rules, c) {
            println!(
                "rule {} {}: {:?} {}–{} {} {:?}",
                c.id, res.requirement, res.outcome, res.min, res.max, res.expected, res.conditions
            );
        }
    }
}
