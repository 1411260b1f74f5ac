//! File watching (the one owner of notify): tells `serve` that sources changed.
//!
//! Events are debounced, limited to create/modify/remove/rename (access events
//! would loop rebuilds), and filtered: editor swap and temp files and the output
//! folder never trigger a rebuild. Event paths are only used for filtering;
//! `serve` rescans the whole tree on every signal, because editors save by
//! rename and files created inside a new folder can be missed.

use notify::{EventKind, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, new_debouncer_opt};
use std::path::{Path, PathBuf};
use std::sync::mpsc::Sender;
use std::time::Duration;

/// Keeps the watcher alive; dropping it stops watching.
pub struct Watch {
    _inner: Box<dyn std::any::Any + Send>,
}

/// Whether a changed path is worth a rebuild.
pub fn relevant(path: &Path, output: &Path) -> bool {
    if path.starts_with(output) {
        return false;
    }
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    !(crate::load::ignored_name(&name) || name.ends_with(".swx") || name == "4913" || name.ends_with(".bak"))
}

fn handler(output: PathBuf, tx: Sender<()>) -> impl FnMut(DebounceEventResult) + Send + 'static {
    move |result: DebounceEventResult| {
        let Ok(events) = result else {
            // Errors (e.g. a watched folder vanished) still mean "look again".
            let _ = tx.send(());
            return;
        };
        let changed = events.iter().any(|e| {
            matches!(e.event.kind, EventKind::Create(_) | EventKind::Modify(_) | EventKind::Remove(_))
                && e.event.paths.iter().any(|p| relevant(p, &output))
        });
        if changed {
            let _ = tx.send(());
        }
    }
}

/// Watches `site.yaml`, `content/` and `themes/` under `root`; sends `()` on changes.
pub fn watch(root: &Path, output: &Path, poll: bool, tx: Sender<()>) -> Result<Watch, String> {
    let output = crate::output::absolute(output);
    let timeout = Duration::from_millis(if poll { 200 } else { 5 });
    let targets: Vec<(PathBuf, RecursiveMode)> = [
        (root.join("site.yaml"), RecursiveMode::NonRecursive),
        (root.join("content"), RecursiveMode::Recursive),
        (root.join("themes"), RecursiveMode::Recursive),
    ]
    .into_iter()
    .filter(|(p, _)| p.exists())
    .collect();
    macro_rules! start {
        ($watcher:ty, $cache:expr, $config:expr) => {{
            let mut d =
                new_debouncer_opt::<_, $watcher, _>(timeout, None, handler(output.clone(), tx), $cache, $config)
                    .map_err(|e| format!("cannot watch files: {e}"))?;
            for (p, mode) in &targets {
                d.watch(p, *mode).map_err(|e| format!("cannot watch {}: {e}", p.display()))?;
            }
            Ok(Watch { _inner: Box::new(d) })
        }};
    }
    if poll {
        let config =
            notify::Config::default().with_poll_interval(Duration::from_millis(300)).with_compare_contents(true);
        start!(notify::PollWatcher, notify_debouncer_full::NoCache, config)
    } else {
        start!(notify::RecommendedWatcher, notify_debouncer_full::RecommendedCache::new(), notify::Config::default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swap_files_and_output_are_not_relevant() {
        let out = Path::new("/site/public");
        assert!(relevant(Path::new("/site/content/kit/modules/m1.md"), out));
        assert!(!relevant(Path::new("/site/content/kit/modules/.m1.md.swp"), out));
        assert!(!relevant(Path::new("/site/content/kit/modules/m1.md~"), out));
        assert!(!relevant(Path::new("/site/content/kit/modules/4913"), out));
        assert!(!relevant(Path::new("/site/public/index.html"), out));
    }

    #[test]
    fn a_saved_file_is_noticed() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(tmp.path().join("content")).unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let _w = watch(tmp.path(), &tmp.path().join("public"), false, tx).unwrap();
        std::thread::sleep(Duration::from_millis(50));
        std::fs::write(tmp.path().join("content/x.md"), "x").unwrap();
        assert!(rx.recv_timeout(Duration::from_secs(5)).is_ok());
    }
}
