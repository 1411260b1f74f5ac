//! Renders a site in memory and prints one output file (a debugging aid):
//! `cargo run --example dump_page -- ROOT PATH`.
fn main() {
    let mut args = std::env::args().skip(1);
    let root = std::path::PathBuf::from(args.next().unwrap_or_else(|| ".".into()));
    let path = args.next().unwrap_or_else(|| "index.html".into());
    let loaded = curricula::load::load_site(&root);
    let (files, _) = curricula::render::render_site(&loaded.site, &root, &loaded.sources).unwrap_or_default();
    for f in files.iter().filter(|f| f.path == path) {
        println!("{}", String::from_utf8_lossy(&f.bytes));
    }
}
