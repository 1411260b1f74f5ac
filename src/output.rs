//! Writing the site: atomically, and only where it is safe.
//!
//! The site is written into a fresh temporary folder beside the output folder
//! and swapped in with renames only when every file was written, so a failed or
//! interrupted build leaves the previous site untouched and a reader never sees
//! a half-written one.

use crate::render::OutFile;
use std::io;
use std::path::{Component, Path, PathBuf};

/// Why an output folder is refused. An output folder that is a link is
/// replaced where it points ([`Staging::new`]), so that place is checked too.
pub fn check_output_dir(root: &Path, out: &Path) -> Result<(), String> {
    check_output_place(&absolute(root), &absolute(out), out)?;
    if crate::load::is_symlink(out) {
        let resolve = |p: &Path| std::fs::canonicalize(p).map_err(|e| format!("cannot resolve {}: {e}", p.display()));
        check_output_place(&resolve(root)?, &resolve(out)?, out)?;
    }
    Ok(())
}

/// [`check_output_dir`] for one absolute place `out_abs` of the output folder `out`.
fn check_output_place(root_abs: &Path, out_abs: &Path, out: &Path) -> Result<(), String> {
    if out_abs == root_abs || root_abs.starts_with(out_abs) {
        return Err(format!("output folder {} would contain the site root; refusing to replace it", out.display()));
    }
    if out_abs.parent().is_none() {
        return Err("refusing to write into the file-system root".into());
    }
    for sources in ["content", "themes", ".git"] {
        if out_abs.starts_with(root_abs.join(sources)) {
            return Err(format!(
                "output folder {} is inside the site's `{sources}` folder; refusing to replace it",
                out.display()
            ));
        }
    }
    for protected in ["content", "themes", "site.yaml", ".git"] {
        if out_abs.join(protected).exists() {
            return Err(format!(
                "output folder {} contains `{protected}`; it looks like a source folder, refusing to replace it",
                out.display()
            ));
        }
    }
    Ok(())
}

/// An absolute, lexically normalised path (without touching the file system,
/// so it works for folders that do not exist yet).
pub fn absolute(p: &Path) -> PathBuf {
    let base = if p.is_absolute() { PathBuf::new() } else { std::env::current_dir().unwrap_or_default() };
    let mut out = PathBuf::new();
    for c in base.join(p).components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// A relative output path is safe if it has only normal components.
fn safe_rel(path: &str) -> bool {
    !path.is_empty() && Path::new(path).components().all(|c| matches!(c, Component::Normal(_)))
}

/// Makes the file at `path` hold `bytes`, reusing its storage: serve's rebuilds
/// write files that mostly exist already, and truncating a file first frees its
/// pages only for the write to allocate and zero them again (on tmpfs that was
/// three quarters of the time). Like `fs::write`, a reader may see the file
/// half-written; the old bytes past the new end are cut off.
pub fn overwrite(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = std::fs::OpenOptions::new().write(true).create(true).truncate(false).open(path)?;
    io::Write::write_all(&mut file, bytes)?;
    file.set_len(bytes.len() as u64)
}

/// Writes `files` as the new content of `out`, replacing what was there.
pub fn write_atomically(out: &Path, files: &[OutFile]) -> io::Result<()> {
    use rayon::prelude::*;
    let staging = Staging::new(out)?;
    files.par_iter().for_each(|f| staging.put(f));
    staging.commit()
}

/// A new output folder written beside the old one, file by file as the files
/// are made; [`Staging::commit`] swaps it in. Dropped without a commit, it
/// removes itself and the old output stays as it was.
pub struct Staging {
    out: PathBuf,
    tmp: PathBuf,
    old: PathBuf,
    /// The first write error; a staging with an error cannot be committed.
    error: std::sync::Mutex<Option<io::Error>>,
    /// The folders made so far: a page's folder is made once, not asked for
    /// again with every file written into it.
    made: std::sync::Mutex<std::collections::HashSet<PathBuf>>,
    /// Whether there is a previous output to link unchanged files from.
    previous: bool,
    /// The paths linked from the previous output, their bytes unchanged.
    linked: std::sync::Mutex<std::collections::HashSet<String>>,
    committed: bool,
}

impl Staging {
    pub fn new(out: &Path) -> io::Result<Staging> {
        // An output folder that is a link is replaced where it points, and the link kept.
        let resolved = if crate::load::is_symlink(out) { Some(std::fs::canonicalize(out)?) } else { None };
        let out = resolved.as_deref().unwrap_or(out);
        let parent = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent)?;
        let name = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "public".into());
        let pid = std::process::id();
        let tmp = parent.join(format!(".{name}.new-{pid}"));
        let old = parent.join(format!(".{name}.old-{pid}"));
        let _ = std::fs::remove_dir_all(&tmp);
        remove_abandoned(parent, &name);
        std::fs::create_dir_all(&tmp)?;
        Ok(Staging {
            out: out.to_path_buf(),
            tmp,
            old,
            error: Default::default(),
            made: Default::default(),
            previous: out.is_dir(),
            linked: Default::default(),
            committed: false,
        })
    }

    /// Writes one file (from any thread); an error is kept for `commit`.
    /// A file the previous output holds with the same bytes is linked, not
    /// written: a rebuild then neither allocates and fills its storage again
    /// nor frees the old one when the previous output is removed.
    pub fn put(&self, f: &OutFile) {
        self.keep(self.target(&f.path).and_then(|target| {
            let old = self.out.join(&f.path);
            if self.previous && holds(&old, &f.bytes) && std::fs::hard_link(&old, &target).is_ok() {
                self.linked.lock().unwrap_or_else(|e| e.into_inner()).insert(f.path.clone());
                return Ok(());
            }
            io::Write::write_all(&mut create_fresh(&target)?, &f.bytes)
        }));
    }

    /// The paths of the files so far linked from the previous output: they
    /// hold the same bytes there.
    pub fn linked(&self) -> std::collections::HashSet<String> {
        std::mem::take(&mut self.linked.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// Writes the file at `path` through `write` (a file too large to be
    /// made in memory first); an error is kept for `commit`.
    pub fn write_with(&self, path: &str, write: impl FnOnce(&mut dyn io::Write) -> io::Result<()>) {
        self.keep(self.target(path).and_then(|target| {
            let mut out = io::BufWriter::with_capacity(1 << 16, create_fresh(&target)?);
            write(&mut out)?;
            io::Write::flush(&mut out)
        }));
    }

    /// Where the file at `path` goes, its folder made.
    fn target(&self, path: &str) -> io::Result<PathBuf> {
        if !safe_rel(path) {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, format!("unsafe output path {path}")));
        }
        let target = self.tmp.join(path);
        if let Some(folder) = target.parent() {
            let made = || self.made.lock().unwrap_or_else(|e| e.into_inner());
            if !made().contains(folder) {
                std::fs::create_dir_all(folder)?;
                made().insert(folder.to_path_buf());
            }
        }
        Ok(target)
    }

    /// Keeps the first write error for `commit`.
    fn keep(&self, result: io::Result<()>) {
        if let Err(e) = result {
            let mut first = self.error.lock().unwrap_or_else(|e| e.into_inner());
            first.get_or_insert(e);
        }
    }

    /// Replaces the output with what was written, unless a write failed.
    pub fn commit(mut self) -> io::Result<()> {
        if let Some(e) = self.error.lock().unwrap_or_else(|e| e.into_inner()).take() {
            return Err(e);
        }
        self.committed = true;
        if self.out.exists() {
            std::fs::rename(&self.out, &self.old)?;
        }
        if let Err(e) = std::fs::rename(&self.tmp, &self.out) {
            // Put the previous site back rather than leave no site at all.
            let _ = std::fs::rename(&self.old, &self.out);
            let _ = std::fs::remove_dir_all(&self.tmp);
            return Err(e);
        }
        remove_tree(&self.old);
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            remove_tree(&self.tmp);
        }
    }
}

/// A new, empty file at `path`: one already there (a path written twice) is
/// removed first, not truncated, as it may be linked to the previous output.
fn create_fresh(path: &Path) -> io::Result<std::fs::File> {
    let create = || std::fs::OpenOptions::new().write(true).create_new(true).open(path);
    match create() {
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            std::fs::remove_file(path)?;
            create()
        }
        file => file,
    }
}

/// Whether `path` is a regular file (not a link to one) holding exactly
/// `bytes`. Its size is compared first; only a file of the same size is read
/// (into memory left uninitialised, not zeroed first).
fn holds(path: &Path, bytes: &[u8]) -> bool {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.is_file() && m.len() == bytes.len() as u64 => std::fs::read(path).is_ok_and(|old| old == bytes),
        _ => false,
    }
}

/// Removes staging folders of earlier runs that were killed before they could
/// clean up (`.<name>.new-<pid>` / `.old-<pid>` of a process that no longer
/// exists). Only where running processes can be seen in /proc.
fn remove_abandoned(parent: &Path, name: &str) {
    let proc_fs = Path::new("/proc/self");
    if !proc_fs.exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(parent) else { return };
    for entry in entries.flatten() {
        let file = entry.file_name().to_string_lossy().into_owned();
        let pid = [".new-", ".old-"].iter().find_map(|k| file.strip_prefix(&format!(".{name}{k}")));
        if let Some(pid) = pid.filter(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
            && !Path::new("/proc").join(pid).exists()
            && !crate::load::is_symlink(&entry.path())
        {
            remove_tree(&entry.path());
        }
    }
}

/// Removes a folder we created, each folder's files and subfolders in
/// parallel: on a slow disk the file system calls, not the CPU, are what a
/// build waits for. Every folder is listed once (a listing of the whole tree
/// and `remove_dir_all` after it listed each twice); links are removed, not
/// followed.
fn remove_tree(dir: &Path) {
    // An output folder that was a link to a folder elsewhere: the link goes,
    // what it points to stays.
    if crate::load::is_symlink(dir) {
        let _ = std::fs::remove_file(dir);
        return;
    }
    fn remove(dir: &Path) {
        use rayon::prelude::*;
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        let (folders, files): (Vec<_>, Vec<_>) =
            entries.flatten().partition(|e| e.file_type().is_ok_and(|t| t.is_dir()));
        rayon::join(
            || {
                files.par_iter().for_each(|f| {
                    let _ = std::fs::remove_file(f.path());
                })
            },
            || folders.par_iter().for_each(|d| remove(&d.path())),
        );
        let _ = std::fs::remove_dir(dir);
    }
    remove(dir);
    // Whatever could not be removed above (it is gone in all but odd cases).
    if std::fs::symlink_metadata(dir).is_ok() {
        let _ = std::fs::remove_dir_all(dir);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(p: &str, s: &str) -> OutFile {
        OutFile { path: p.into(), bytes: s.as_bytes().to_vec() }
    }

    #[test]
    fn overwrite_leaves_exactly_the_new_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.html");
        for text in ["a longer first text", "short", "", "longer again than before"] {
            overwrite(&path, text.as_bytes()).unwrap();
            assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
        }
    }

    #[test]
    fn replaces_previous_output_completely() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        write_atomically(&out, &[file("a/index.html", "1"), file("old.html", "x")]).unwrap();
        write_atomically(&out, &[file("a/index.html", "2")]).unwrap();
        assert_eq!(std::fs::read_to_string(out.join("a/index.html")).unwrap(), "2");
        assert!(!out.join("old.html").exists());
        let leftovers: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "temporary folders were left behind");
    }

    #[cfg(unix)]
    #[test]
    fn unchanged_files_are_linked_from_the_previous_output_and_changed_ones_written() {
        use std::os::unix::fs::MetadataExt;
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let outside = tmp.path().join("outside.html");
        std::fs::write(&outside, "same").unwrap();
        let before = [file("same.html", "same"), file("a/changed.html", "old"), file("longer.html", "abc")];
        write_atomically(&out, &before).unwrap();
        std::fs::remove_file(out.join("same.html")).unwrap();
        std::os::unix::fs::symlink(&outside, out.join("same.html")).unwrap();
        write_atomically(&out, &before).unwrap();
        let inode = |p: &str| std::fs::symlink_metadata(out.join(p)).unwrap().ino();
        let (same, changed) = (inode("same.html"), inode("a/changed.html"));
        let after = [file("same.html", "same"), file("a/changed.html", "new"), file("longer.html", "abcd")];
        let staging = Staging::new(&out).unwrap();
        after.iter().for_each(|f| staging.put(f));
        assert_eq!(staging.linked(), ["same.html".to_string()].into());
        staging.commit().unwrap();
        assert_eq!(inode("same.html"), same, "an unchanged file is the previous output's");
        assert_ne!(inode("a/changed.html"), changed);
        for f in &after {
            assert!(std::fs::symlink_metadata(out.join(&f.path)).unwrap().is_file(), "{} is a plain file", f.path);
            assert_eq!(std::fs::read(out.join(&f.path)).unwrap(), f.bytes);
        }
        assert!(!holds(&out.join("longer.html"), b"abcde") && !holds(&out.join("longer.html"), b"abcx"));
        // A path written again after it was linked leaves the previous output's file as it was.
        let staging = Staging::new(&out).unwrap();
        staging.put(&file("same.html", "same"));
        staging.put(&file("same.html", "other"));
        assert_eq!(std::fs::read_to_string(out.join("same.html")).unwrap(), "same");
        drop(staging);
        assert!(holds(&out.join("longer.html"), b"abcd"));
    }

    #[cfg(unix)]
    #[test]
    fn an_output_folder_that_is_a_link_is_replaced_where_it_points() {
        let tmp = tempfile::tempdir().unwrap();
        let (target, link) = (tmp.path().join("www"), tmp.path().join("public"));
        write_atomically(&target, &[file("old.html", "old")]).unwrap();
        std::os::unix::fs::symlink(&target, &link).unwrap();
        write_atomically(&link, &[file("index.html", "new")]).unwrap();
        assert!(crate::load::is_symlink(&link), "the link stays");
        assert_eq!(std::fs::read_to_string(target.join("index.html")).unwrap(), "new");
        assert!(!target.join("old.html").exists());
    }

    #[test]
    fn staging_folders_of_killed_runs_are_removed() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let abandoned = tmp.path().join(".public.new-4294967295");
        let other = tmp.path().join(".other.new-4294967295");
        for d in [&abandoned, &other] {
            std::fs::create_dir_all(d.join("x")).unwrap();
        }
        write_atomically(&out, &[file("index.html", "new")]).unwrap();
        if Path::new("/proc/self").exists() {
            assert!(!abandoned.exists(), "a dead process's staging folder is removed");
        }
        assert!(other.exists(), "only this output's folders are touched");
        assert!(out.join("index.html").exists());
    }

    #[test]
    fn unsafe_paths_abort_and_keep_the_old_site() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        write_atomically(&out, &[file("index.html", "old")]).unwrap();
        assert!(write_atomically(&out, &[file("../evil.html", "x")]).is_err());
        assert!(write_atomically(&out, &[file("/etc/x", "x")]).is_err());
        assert_eq!(std::fs::read_to_string(out.join("index.html")).unwrap(), "old");
        assert!(!tmp.path().join("evil.html").exists());
    }

    #[test]
    fn refuses_source_folders_as_output() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        std::fs::create_dir_all(root.join("content")).unwrap();
        assert!(check_output_dir(root, root).is_err());
        assert!(check_output_dir(&root.join("public"), root).is_err());
        assert!(check_output_dir(root, &root.join("public")).is_ok());
        for inside in ["content", "content/kit", "themes/default", ".git"] {
            assert!(check_output_dir(root, &root.join(inside)).is_err(), "{inside}");
        }
    }

    /// A link is replaced where it points: that place must not hold the site.
    #[cfg(unix)]
    #[test]
    fn refuses_a_link_to_a_folder_holding_the_site() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("site");
        std::fs::create_dir_all(root.join("content")).unwrap();
        let www = tmp.path().join("www");
        std::fs::create_dir_all(&www).unwrap();
        for (target, refused) in [(tmp.path(), true), (&root, true), (&root.join("content"), true), (&www, false)] {
            let link = root.join("public");
            let _ = std::fs::remove_file(&link);
            std::os::unix::fs::symlink(target, &link).unwrap();
            assert_eq!(check_output_dir(&root, &link).is_err(), refused, "{}", target.display());
        }
    }

    #[test]
    fn a_removed_tree_is_gone_and_its_links_are_not_followed() {
        let tmp = tempfile::tempdir().unwrap();
        let (tree, outside) = (tmp.path().join("tree"), tmp.path().join("outside"));
        std::fs::create_dir_all(&outside).unwrap();
        std::fs::write(outside.join("keep.html"), "kept").unwrap();
        for (i, folder) in ["", "a", "a/b", "a/b/c", "d", "e/f"].iter().enumerate() {
            std::fs::create_dir_all(tree.join(folder)).unwrap();
            std::fs::write(tree.join(folder).join(format!("{i}.html")), "x").unwrap();
        }
        std::fs::create_dir_all(tree.join("empty")).unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(&outside, tree.join("a/link")).unwrap();
        remove_tree(&tree);
        assert!(!tree.exists());
        assert_eq!(std::fs::read_to_string(outside.join("keep.html")).unwrap(), "kept");
        #[cfg(unix)]
        {
            let link = tmp.path().join("link");
            std::os::unix::fs::symlink(&outside, &link).unwrap();
            remove_tree(&link);
            assert!(std::fs::symlink_metadata(&link).is_err(), "the link is removed");
            assert_eq!(std::fs::read_to_string(outside.join("keep.html")).unwrap(), "kept", "not what it points to");
        }
    }

    #[test]
    fn files_of_one_folder_are_written_into_it_however_many() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let files: Vec<OutFile> =
            (0..40).map(|i| file(&format!("f{}/{}/index{i}.html", i % 3, i % 2), &i.to_string())).collect();
        write_atomically(&out, &files).unwrap();
        for f in &files {
            assert_eq!(std::fs::read(out.join(&f.path)).unwrap(), f.bytes);
        }
    }
}
