//! `curricula init` and `curricula new`: files that pass `check` from the start,
//! with German guidance for authors.

use crate::text::{is_valid_id, suggest_id};
use std::path::{Path, PathBuf};

const SITE: &str = "# Einstellungen der Seite\ntitle: Meine Curricula        # Titel der Seite\nbase_url: /                  # Adresse, unter der die Seite veröffentlicht wird\nlanguage: de                 # Sprache der Oberfläche: de oder en\ntheme: default\n";

const GLOSSARY: &str = "# Gemeinsame Begriffe aller Curricula\nphases:\n  - {id: intake, title: Intake / Klärungsphase}\n  - {id: assessment, title: Assessment / Bedarfsermittlung}\n  - {id: planning, title: Planning / Hilfeplanung}\n  - {id: linking, title: Linking / Umsetzung}\n  - {id: monitoring, title: Monitoring / Begleitende Überwachung}\n  - {id: evaluation, title: Evaluation}\nterms:\n  - term: DQR\n    definition: Deutscher Qualifikationsrahmen für lebenslanges Lernen.\n    aliases: [Deutscher Qualifikationsrahmen]\n";

fn curriculum_yaml(id: &str) -> String {
    format!(
        "# Angaben zum Curriculum `{id}`\ntitle: \"Titel des Curriculums\"\nshort_title: \"{}\"        # Kurzname für Tabellen und Vergleiche\nissuer: \"Herausgeber\"\nedition: \"1. Auflage\"\ndqr_level: 6\nunits:                       # Einheiten in Minuten\n  UE: 45\nformats:                     # Veranstaltungsformate\n  P: {{label: Präsenz, mode: presence}}\n  O: {{label: Online, mode: online}}\n",
        id.to_uppercase()
    )
}

/// A module file; the workload line uses the curriculum's first format and unit.
fn module_md(number: i64, format_unit: Option<(&str, &str)>) -> String {
    let workload = match format_unit {
        Some((f, u)) => format!("workload:\n  - {{format: {f}, amount: 1, unit: {u}, topic: \"Thema\"}}\n"),
        None => "workload: []\n".to_string(),
    };
    format!(
        "---\nnumber: {number}\ntitle: \"Titel des Moduls\"\n# fields: [hf1]            # Handlungsfelder aus curriculum.yaml\n# phases: [assessment]     # Phasen aus content/glossary.yaml\ntopics: \"Themen des Moduls in einer Zeile\"\n{workload}competencies:\n  wissen:\n    - \"Was die Teilnehmenden wissen\"\n  fertigkeiten:\n    - \"Was die Teilnehmenden können\"\n  sozialkompetenz: []\n  selbststaendigkeit: []\nmethods: [Vortrag, Diskussion]\n---\n\n## Kompetenzbeschreibung\n\n[//]: # (Beschreiben Sie in ganzen Sätzen, was die Teilnehmenden nach dem Modul können.)\n\nDie Teilnehmenden …\n\n## Berufliche Handlung\n\n[//]: # (Beschreiben Sie, wie sich das Gelernte im beruflichen Alltag zeigt.)\n\nDie Fallmanager\\*innen …\n"
    )
}

const PAGE: &str =
    "---\ntitle: Vorwort\nweight: 10\n---\n\nHier steht das Vorwort. Kapitel sind Markdown-Dateien in `pages/`.\n";

const AUTHOR_README: &str = "# Curricula bearbeiten\n\n- `curricula serve` zeigt die Seite unter http://127.0.0.1:1111/ und lädt sie bei jeder Änderung neu.\n- `curricula check` prüft alle Dateien und nennt zu jedem Fehler Datei, Zeile und die Lösung.\n- `curricula new module beispiel m2` legt ein neues Modul an.\n- `curricula build` schreibt die fertige Seite nach `public/`.\n\nDie Anleitung mit allen Schlüsseln und Meldungen steht in der Dokumentation von curricula (docs/anleitung.md).\n";

const COMPARISON: &str = "# Vergleich zweier Curricula. Ersetzen Sie `right:` durch das Kürzel eines zweiten Curriculums.\ntitle: \"Beispiel im Vergleich\"\nleft: beispiel\nright: beispiel\npairs:\n  - {left: [m1], right: [m1]}\nsynonyms:\n  - [Versicherte, Betroffene]\n";

fn write_new(path: &Path, text: &str, created: &mut Vec<PathBuf>) -> Result<(), String> {
    if path.exists() {
        return Err(format!("{} exists already; nothing was changed", path.display()));
    }
    if let Some(p) = path.parent() {
        std::fs::create_dir_all(p).map_err(|e| format!("cannot create {}: {e}", p.display()))?;
    }
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    created.push(path.to_path_buf());
    Ok(())
}

fn check_id(id: &str, what: &str) -> Result<(), String> {
    if is_valid_id(id) {
        Ok(())
    } else {
        Err(format!(
            "`{id}` is not a valid {what} id: use lower-case ASCII letters, digits and `-`, e.g. `{}`",
            suggest_id(id)
        ))
    }
}

/// Creates a new site in `dir`, which must not exist or be empty.
pub fn init(dir: &Path) -> Result<Vec<PathBuf>, String> {
    if dir.exists() {
        let mut entries = std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
        if entries.next().is_some() {
            return Err(format!("{} is not empty; `init` only writes into a new or empty folder", dir.display()));
        }
    }
    let mut created = Vec::new();
    write_new(&dir.join("site.yaml"), SITE, &mut created)?;
    write_new(&dir.join("README.md"), AUTHOR_README, &mut created)?;
    write_new(&dir.join(".gitignore"), "/public\n", &mut created)?;
    write_new(&dir.join("content/glossary.yaml"), GLOSSARY, &mut created)?;
    write_new(&dir.join("content/beispiel/curriculum.yaml"), &curriculum_yaml("beispiel"), &mut created)?;
    write_new(&dir.join("content/beispiel/modules/m1.md"), &module_md(1, Some(("P", "UE"))), &mut created)?;
    write_new(&dir.join("content/beispiel/pages/vorwort.md"), PAGE, &mut created)?;
    write_new(&dir.join("content/comparisons/beispiel-vergleich.yaml"), COMPARISON, &mut created)?;
    Ok(created)
}

/// `new curriculum ID`.
pub fn new_curriculum(root: &Path, id: &str) -> Result<Vec<PathBuf>, String> {
    check_id(id, "curriculum")?;
    if crate::load::reserved(id) {
        return Err(format!("`{id}` is reserved; choose another id"));
    }
    let dir = root.join("content").join(id);
    if dir.exists() {
        return Err(format!("{} exists already; nothing was changed", dir.display()));
    }
    let mut created = Vec::new();
    write_new(&dir.join("curriculum.yaml"), &curriculum_yaml(id), &mut created)?;
    write_new(&dir.join("modules/m1.md"), &module_md(1, Some(("P", "UE"))), &mut created)?;
    Ok(created)
}

/// `new module CURRICULUM ID`: the next free module number.
pub fn new_module(root: &Path, curriculum: &str, id: &str) -> Result<Vec<PathBuf>, String> {
    check_id(id, "module")?;
    let dir = root.join("content").join(curriculum);
    if !dir.join("curriculum.yaml").is_file() {
        return Err(format!("there is no curriculum `{curriculum}` (no {}/curriculum.yaml)", dir.display()));
    }
    let loaded = crate::load::load_site(root);
    let c = loaded.site.curriculum(curriculum);
    let next = c.and_then(|c| c.modules.iter().map(|m| m.number.value).max()).unwrap_or(0) + 1;
    let format_unit = c.and_then(|c| Some((c.formats.keys().next()?.as_str(), c.units.keys().next()?.as_str())));
    let mut created = Vec::new();
    write_new(&dir.join("modules").join(format!("{id}.md")), &module_md(next, format_unit), &mut created)?;
    Ok(created)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Severity;

    #[test]
    fn init_creates_a_site_that_passes_check_and_refuses_non_empty_folders() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("seite");
        let files = init(&dir).unwrap();
        assert!(files.len() >= 7);
        let diags = crate::build::check(&dir);
        assert!(diags.is_empty(), "{diags:#?}");
        assert!(init(&dir).unwrap_err().contains("not empty"));
    }

    #[test]
    fn new_curriculum_and_module_pass_check_with_next_number() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("seite");
        init(&dir).unwrap();
        new_curriculum(&dir, "zweites").unwrap();
        new_module(&dir, "beispiel", "m2").unwrap();
        let m2 = std::fs::read_to_string(dir.join("content/beispiel/modules/m2.md")).unwrap();
        assert!(m2.starts_with("---\nnumber: 2\n"));
        let diags = crate::build::check(&dir);
        assert!(diags.iter().all(|d| d.severity != Severity::Error) && diags.is_empty(), "{diags:#?}");
        assert!(new_module(&dir, "beispiel", "m2").unwrap_err().contains("exists"));
        assert!(new_module(&dir, "fehlt", "m1").is_err());
        assert!(new_curriculum(&dir, "Kein_Id").unwrap_err().contains("not a valid"));
        for reserved in ["compare", "wissen", "buchstabe-a"] {
            assert!(new_curriculum(&dir, reserved).unwrap_err().contains("reserved"), "{reserved}");
        }
        new_curriculum(&dir, "buchstaben").unwrap();
    }

    #[test]
    fn new_module_uses_the_curriculums_own_format_and_unit() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let tmp = tempfile::tempdir().unwrap();
        let site = tmp.path().join("site");
        for entry in walkdir::WalkDir::new(root.join("content")).into_iter().flatten() {
            let rel = entry.path().strip_prefix(root).unwrap();
            if entry.file_type().is_dir() {
                std::fs::create_dir_all(site.join(rel)).unwrap();
            } else {
                std::fs::copy(entry.path(), site.join(rel)).unwrap();
            }
        }
        std::fs::copy(root.join("site.yaml"), site.join("site.yaml")).unwrap();
        new_module(&site, "kit", "m10").unwrap();
        let text = std::fs::read_to_string(site.join("content/kit/modules/m10.md")).unwrap();
        assert!(text.contains("number: 10") && text.contains("format: P, amount: 1, unit: Tag"), "{text}");
        let errors: Vec<_> = crate::build::check(&site).into_iter().filter(|d| d.severity == Severity::Error).collect();
        assert!(errors.is_empty(), "{errors:#?}");
    }
}
