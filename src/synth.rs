//! A deterministic synthetic site in the content format, for benchmarks: N
//! modules over C = max(2, N/10) curricula (or as asked), each module shaped like a
//! real one, neighbouring curricula compared. Same parameters, same files.

use std::fmt::Write as _;
use std::path::Path;

/// A small deterministic PRNG (xorshift64*), so output never depends on a crate's version.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick<'a>(&mut self, words: &[&'a str]) -> &'a str {
        words[self.below(words.len())]
    }
}

const NOUNS: &[&str] = &[
    "Fallmanagement",
    "Netzwerkarbeit",
    "Bedarfsermittlung",
    "Zielvereinbarung",
    "Hilfeplanung",
    "Dokumentation",
    "Evaluation",
    "Kooperation",
    "Gesprächsführung",
    "Teilhabe",
    "Beratung",
    "Versorgung",
    "Qualitätssicherung",
    "Ressourcenorientierung",
    "Fallkonferenz",
    "Reflexion",
    "Kommunikation",
    "Steuerung",
    "Unterstützung",
    "Leistungsträger",
    "Assessment",
    "Monitoring",
    "Sozialraum",
    "Empowerment",
    "Partizipation",
    "Rechtsgrundlage",
    "Schnittstelle",
    "Prozess",
    "Organisation",
    "Verantwortung",
    "Haltung",
    "Rolle",
    "Zielgruppe",
    "Methode",
];
const ADJ: &[&str] = &[
    "individuelle",
    "strukturierte",
    "fallbezogene",
    "fallunabhängige",
    "interdisziplinäre",
    "rechtliche",
    "systematische",
    "regionale",
    "professionelle",
    "partizipative",
    "nachhaltige",
    "transparente",
    "kollegiale",
    "personenzentrierte",
];
const VERBS: &[&str] = &[
    "gestalten",
    "planen",
    "dokumentieren",
    "reflektieren",
    "koordinieren",
    "bewerten",
    "steuern",
    "entwickeln",
    "vereinbaren",
    "überprüfen",
    "kennen",
    "nutzen",
    "beschreiben",
    "begleiten",
];
const METHODS: &[&str] = &[
    "Vortrag",
    "Diskussion",
    "Fallanalysen",
    "Rollenspiele",
    "Übung/Simulation",
    "Gruppenarbeit",
    "Leittexte",
    "Kollegiale Beratung",
    "Fallkonferenz",
    "Einzelarbeit",
    "Präsentation",
];

fn item(rng: &mut Rng) -> String {
    format!("{} {} und {}", rng.pick(ADJ), rng.pick(NOUNS), rng.pick(NOUNS))
}

fn sentence(rng: &mut Rng) -> String {
    format!(
        "Die Teilnehmenden {} die {} {} im Rahmen der {} und {} dabei {}.",
        rng.pick(VERBS),
        rng.pick(ADJ),
        rng.pick(NOUNS),
        rng.pick(NOUNS),
        rng.pick(VERBS),
        rng.pick(NOUNS)
    )
}

/// ~`words` words of prose in sentences.
fn prose(rng: &mut Rng, words: usize) -> String {
    let mut s = String::new();
    let mut n = 0;
    while n < words {
        let sen = sentence(rng);
        n += sen.split(' ').count();
        s.push_str(&sen);
        s.push(' ');
    }
    s.trim_end().to_string()
}

fn yaml_list(out: &mut String, indent: &str, items: &[String]) {
    for i in items {
        let _ = writeln!(out, "{indent}- \"{}\"", i.replace('"', "'"));
    }
}

fn module_file(rng: &mut Rng, number: usize) -> String {
    let mut s = String::from("---\n");
    let _ = writeln!(s, "number: {number}\ntitle: \"{} {}\"", rng.pick(ADJ), rng.pick(NOUNS));
    let _ = writeln!(s, "kind: {}", if rng.below(3) == 0 { "anwendung" } else { "basis" });
    let _ = writeln!(
        s,
        "phases: [{}]",
        ["intake", "assessment", "planning", "linking", "monitoring", "evaluation"][rng.below(6)]
    );
    s.push_str("workload:\n");
    for _ in 0..2 + rng.below(3) {
        let f = ["P", "O", "[P, O]", "LG", "SV"][rng.below(5)];
        let _ = writeln!(
            s,
            "  - {{format: {f}, amount: {}, unit: UE, topic: \"{}\"}}",
            4 * (1 + rng.below(4)),
            rng.pick(NOUNS)
        );
    }
    s.push_str("competencies:\n");
    for dim in ["wissen", "fertigkeiten", "sozialkompetenz", "selbststaendigkeit"] {
        let _ = writeln!(s, "  {dim}:");
        let items: Vec<String> = (0..5 + rng.below(11)).map(|_| item(rng)).collect();
        yaml_list(&mut s, "    ", &items);
    }
    s.push_str("methods:\n");
    let methods: Vec<String> =
        (0..5 + rng.below(4)).map(|k| METHODS[(number + k) % METHODS.len()].to_string()).collect();
    yaml_list(&mut s, "  ", &methods);
    let _ =
        writeln!(s, "work_package:\n  group: LG\n  title: \"Arbeitspaket {number}: {}\"\n  tasks:", rng.pick(NOUNS));
    let tasks: Vec<String> = (0..3).map(|_| sentence(rng)).collect();
    yaml_list(&mut s, "    ", &tasks);
    let _ = write!(
        s,
        "---\n\n## Kompetenzbeschreibung\n\n{}\n\n## Berufliche Handlung\n\n{}\n",
        prose(rng, 200),
        prose(rng, 200)
    );
    s
}

const CURRICULUM_YAML: &str = "units: {UE: 45}\nformats:\n  P: {label: Präsenz, mode: presence}\n  O: {label: Online, mode: online}\n  LG: {label: Lerngruppe, mode: online, kind: transfer}\n  SV: {label: Supervision, mode: either, kind: transfer}\nkinds: {basis: Basismodul, anwendung: Anwendungsmodul, transfer: Transfer}\ndqr_level: 6\n";

/// Writes a site with `modules` modules over `curricula` curricula into `root`.
pub fn write_site(root: &Path, modules: usize, curricula: usize, seed: u64) -> std::io::Result<()> {
    let mut rng = Rng(seed.max(1));
    std::fs::create_dir_all(root.join("content/comparisons"))?;
    std::fs::write(root.join("site.yaml"), "title: Synthetische Curricula\nbase_url: /\nlanguage: de\n")?;
    let mut glossary = String::from("phases:\n");
    for p in ["intake", "assessment", "planning", "linking", "monitoring", "evaluation"] {
        let _ = writeln!(glossary, "  - {{id: {p}, title: {p}}}");
    }
    glossary.push_str("terms:\n");
    for n in NOUNS.iter().take(12) {
        let _ = writeln!(glossary, "  - {{term: {n}, definition: \"{n} ist ein Begriff des Fallmanagements.\"}}");
    }
    std::fs::write(root.join("content/glossary.yaml"), glossary)?;
    let per = modules.div_ceil(curricula.max(1));
    for c in 0..curricula {
        let dir = root.join(format!("content/c{c}"));
        std::fs::create_dir_all(dir.join("modules"))?;
        std::fs::create_dir_all(dir.join("pages"))?;
        std::fs::write(
            dir.join("curriculum.yaml"),
            format!("title: \"Curriculum {c}\"\nshort_title: C{c}\n{CURRICULUM_YAML}"),
        )?;
        let count = per.min(modules.saturating_sub(c * per));
        for m in 1..=count {
            std::fs::write(dir.join(format!("modules/m{m}.md")), module_file(&mut rng, m))?;
        }
        for p in 0..2 {
            let body =
                format!("---\ntitle: \"Kapitel {p}\"\nweight: {p}\n---\n\n## Abschnitt\n\n{}\n", prose(&mut rng, 300));
            std::fs::write(dir.join(format!("pages/kapitel-{p}.md")), body)?;
        }
        if c + 1 < curricula {
            let next = (per.min(modules.saturating_sub((c + 1) * per))).min(count);
            let pairs = if next == 0 { "pairs: []" } else { "pairs:" };
            let mut y = format!("title: \"C{c} und C{}\"\nleft: c{c}\nright: c{}\n{pairs}\n", c + 1, c + 1);
            for m in 1..=next {
                let _ = writeln!(y, "  - {{left: [m{m}], right: [m{m}]}}");
            }
            y.push_str("synonyms:\n  - [Hilfeplanung, Teilhabeplanung]\n  - [Beratung, Unterstützung]\n");
            std::fs::write(root.join(format!("content/comparisons/c{c}-c{}.yaml", c + 1)), y)?;
        }
    }
    Ok(())
}

/// Writes the same modules as a Hugo site (one page per module, list pages per
/// curriculum, learning methods as a taxonomy) for a like-for-like comparison.
pub fn write_hugo_site(root: &Path, modules: usize, curricula: usize, seed: u64) -> std::io::Result<()> {
    let mut rng = Rng(seed.max(1));
    let layouts = root.join("layouts/_default");
    std::fs::create_dir_all(&layouts)?;
    std::fs::write(
        root.join("hugo.toml"),
        "baseURL = '/'\ntitle = 'Synthetische Curricula'\ndisableKinds = ['RSS', 'sitemap', 'robotsTXT']\n[taxonomies]\n  method = 'methods'\n",
    )?;
    let base = "<!DOCTYPE html><html lang=\"de\"><head><meta charset=\"utf-8\"><title>{{ .Title }}</title></head><body><nav>{{ range .Site.Sections }}<a href=\"{{ .RelPermalink }}\">{{ .Title }}</a> {{ end }}</nav><main>{{ block \"main\" . }}{{ end }}</main></body></html>";
    std::fs::write(layouts.join("baseof.html"), base)?;
    std::fs::write(
        layouts.join("single.html"),
        "{{ define \"main\" }}<h1>{{ .Title }}</h1>{{ .Content }}<ul>{{ range .Params.methods }}<li>{{ . }}</li>{{ end }}</ul>{{ end }}",
    )?;
    std::fs::write(
        layouts.join("list.html"),
        "{{ define \"main\" }}<h1>{{ .Title }}</h1><ul>{{ range .Pages }}<li><a href=\"{{ .RelPermalink }}\">{{ .Title }}</a></li>{{ end }}</ul>{{ end }}",
    )?;
    let per = modules.div_ceil(curricula.max(1));
    for c in 0..curricula {
        let dir = root.join(format!("content/c{c}"));
        std::fs::create_dir_all(&dir)?;
        std::fs::write(dir.join("_index.md"), format!("---\ntitle: \"Curriculum {c}\"\n---\n"))?;
        let count = per.min(modules.saturating_sub(c * per));
        for m in 1..=count {
            let ours = module_file(&mut rng, m);
            let (front, body) = ours.trim_start_matches("---\n").split_once("---\n").unwrap_or(("", ""));
            let title = front.lines().find_map(|l| l.strip_prefix("title: ")).unwrap_or("\"Modul\"");
            let methods: Vec<String> = front
                .split("methods:\n")
                .nth(1)
                .map(|rest| {
                    rest.lines()
                        .take_while(|l| l.starts_with("  - "))
                        .map(|l| l.trim_start_matches("  - ").to_string())
                        .collect()
                })
                .unwrap_or_default();
            let items: String = front
                .lines()
                .filter(|l| l.starts_with("    - "))
                .map(|l| format!("- {}\n", l.trim_start_matches("    - ").trim_matches('"')))
                .collect();
            let page = format!(
                "---\ntitle: {title}\nmethods: [{}]\n---\n{body}\n\n## Kompetenzen\n\n{items}",
                methods.join(", ")
            );
            std::fs::write(dir.join(format!("m{m}.md")), page)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_files_and_a_valid_site() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        write_site(a.path(), 20, 2, 7).unwrap();
        write_site(b.path(), 20, 2, 7).unwrap();
        let m = "content/c1/modules/m3.md";
        assert_eq!(std::fs::read(a.path().join(m)).unwrap(), std::fs::read(b.path().join(m)).unwrap());
        let diags = crate::build::check(a.path());
        assert!(diags.iter().all(|d| d.severity == crate::diag::Severity::Warning), "{diags:#?}");
    }
}
