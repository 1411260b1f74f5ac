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
    },
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

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Build { root, output, base_url } => match run_build(&BuildOptions { root, output, base_url }) {
            Ok(_) => ExitCode::SUCCESS,
            Err(code) => code,
        },
        Command::Check { root } => {
            let diags = build::check(&root);
            print_diags(&diags);
            if diags.iter().any(|d| d.severity == Severity::Error) {
                ExitCode::from(1)
            } else {
                if diags.is_empty() {
                    eprintln!("no problems found");
                }
                ExitCode::SUCCESS
            }
        }
        Command::Serve { root, port, bind, output } => {
            let opts = BuildOptions { root, output, base_url: None };
            let report = match run_build(&opts) {
                Ok(r) => r,
                Err(code) => return code,
            };
            let addr = format!("{bind}:{port}");
            eprintln!("serving {} at http://{addr}/ (Ctrl+C to stop)", report.output.display());
            match curricula::serve::serve_dir(&report.output, &addr) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("error: cannot serve on {addr}: {e}");
                    ExitCode::from(2)
                }
            }
        }
    }
}
