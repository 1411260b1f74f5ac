//! File watching (the one owner of notify): tells `serve` that sources changed.
//!
//! Events are debounced, limited to create/modify/remove/rename (access events
//! would loop rebuilds), and filtered: editor swap and temp files and the output
//! folder never trigger a rebuild. The relevant paths are passed on, so that
//! a rebuild reads only those files; when that cannot tell the whole change
//! (an error, a rescan the system asks for, a new file or folder) the
//! rebuild walks the whole tree.

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

/// What changed: these paths, or `None` when only a walk of the tree can tell.
pub type Touched = Option<Vec<PathBuf>>;

fn handler(output: PathBuf, tx: Sender<Touched>) -> impl FnMut(DebounceEventResult) + Send + 'static {
    move |result: DebounceEventResult| {
        let Ok(events) = result else {
            // Errors (e.g. a watched folder vanished) still mean "look again".
            let _ = tx.send(None);
            return;
        };
        if events.iter().any(|e| e.event.need_rescan()) {
            let _ = tx.send(None);
            return;
        }
        let mut paths: Vec<PathBuf> = events
            .iter()
            .filter(|e| matches!(e.event.kind, EventKind::Create(_) | EventKind::Modify(_) | EventKind::Remove(_)))
            // A folder is "modified" whenever a file in it comes or goes (the
            // polling watcher reports that); the file's own event follows, and
            // a swap file must not turn into a rebuild of the whole tree.
            .filter(|e| !(matches!(e.event.kind, EventKind::Modify(_)) && e.event.paths.iter().all(|p| p.is_dir())))
            .flat_map(|e| e.event.paths.iter())
            .filter(|p| relevant(p, &output))
            .cloned()
            .collect();
        paths.sort();
        paths.dedup();
        if !paths.is_empty() {
            let _ = tx.send(Some(paths));
        }
    }
}

/// Watches `site.yaml`, `content/` and `themes/` under `root`; sends what changed.
pub fn watch(root: &Path, output: &Path, poll: bool, tx: Sender<Touched>) -> Result<Watch, String> {
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
        let touched = rx.recv_timeout(Duration::from_secs(5)).unwrap();
        // Named as the watched folder was given (the rebuild looks it up so).
        assert_eq!(touched, Some(vec![tmp.path().join("content/x.md")]));
    }

    #[test]
    fn polling_ignores_swap_files_and_the_folders_they_change() {
        let tmp = tempfile::tempdir().unwrap();
        let modules = tmp.path().join("content/kit/modules");
        std::fs::create_dir_all(&modules).unwrap();
        std::fs::write(modules.join("m1.md"), "a").unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let _w = watch(tmp.path(), &tmp.path().join("public"), true, tx).unwrap();
        std::thread::sleep(Duration::from_millis(700));
        // An editor's swap file changes the folder's modification time too.
        std::fs::write(modules.join(".m1.md.swp"), "x").unwrap();
        std::thread::sleep(Duration::from_millis(1200));
        std::fs::write(modules.join("m1.md"), "b").unwrap();
        let touched = rx.recv_timeout(Duration::from_secs(5)).unwrap();
        assert_eq!(touched, Some(vec![modules.join("m1.md")]), "only the module, not its folder");
    }
}
