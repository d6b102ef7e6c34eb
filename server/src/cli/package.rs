//! `lambda-ls package [DIR] [-o FILE]`: build the function's deployment .zip and explain
//! its size.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;

use super::Format;
use crate::package::{self, human, Installer, PackageReport, Progress};

/// Arguments of `lambda-ls package`.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    target: super::target::Target,
    /// Where to write the .zip (default: DIR/.lambda-ls/NAME.zip, which is never packaged).
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// The dependency installer (default: uv when on PATH, else pip).
    #[arg(long, value_enum)]
    installer: Option<InstallerArg>,
    /// Reinstall dependencies instead of using the cache.
    #[arg(long)]
    refresh: bool,
    /// Compression threads (default: one per CPU).
    #[arg(long)]
    threads: Option<usize>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum InstallerArg {
    Uv,
    Pip,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let function = args.target.load()?;
    let progress = |stage: Progress| match stage {
        Progress::InstallingDependencies { installer } => eprintln!(
            "installing dependencies with {} for {} {}…",
            installer.as_str(),
            function.config.runtime.value,
            function.config.architecture.value.as_str()
        ),
        Progress::CachedDependencies => eprintln!("dependencies: cached"),
        Progress::CollectingFiles => {}
        Progress::Writing {
            files,
            unzipped_bytes,
        } => eprintln!("compressing {files} files ({})…", human(unzipped_bytes)),
    };
    let options = package::Options {
        output: args.output,
        installer: args.installer.map(|i| match i {
            InstallerArg::Uv => Installer::Uv,
            InstallerArg::Pip => Installer::Pip,
        }),
        refresh_dependencies: args.refresh,
        threads: args.threads,
        recompress_dependencies: false,
        progress: Some(&progress),
    };
    let report = package::build(&function, &options)
        .with_context(|| format!("could not package {}", function.config.name.value))?;
    match args.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&report)?),
        Format::Text => print!("{}", render(&report)),
    }
    Ok(ExitCode::SUCCESS)
}

fn percent(part: u64, whole: u64) -> u64 {
    part * 100 / whole.max(1)
}

/// The human report: where the package is, its sizes against the limits, what is biggest.
fn render(report: &PackageReport) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "packaged {} ({} {}) → {}",
        report.function,
        report.runtime,
        report.architecture,
        report.zip_path.display()
    );
    if let Some(deps) = &report.dependencies {
        let _ = writeln!(
            out,
            "  dependencies  {} packages from {} ({})",
            deps.count,
            deps.requirements.display(),
            deps.installer.map_or("cached", Installer::as_str)
        );
    }
    let _ = writeln!(
        out,
        "  zipped        {:>10}  {:>3}% of the {} direct-upload limit",
        human(report.zipped_bytes),
        percent(report.zipped_bytes, package::DIRECT_UPLOAD_LIMIT),
        human(package::DIRECT_UPLOAD_LIMIT)
    );
    let _ = writeln!(
        out,
        "  unzipped      {:>10}  {:>3}% of the {} limit  ({} files)",
        human(report.unzipped_bytes),
        percent(report.unzipped_bytes, package::UNZIPPED_LIMIT),
        human(package::UNZIPPED_LIMIT),
        report.files
    );
    let _ = writeln!(out, "  largest (unzipped / zipped):");
    for c in &report.largest {
        let kind = match c.kind {
            package::ContributorKind::Code => "code",
            package::ContributorKind::Dependency => "dependency",
        };
        let _ = writeln!(
            out,
            "    {:<36} {:>10} {:>10}  {kind}",
            c.name,
            human(c.unzipped_bytes),
            human(c.zipped_bytes)
        );
    }
    for note in &report.notes {
        let _ = writeln!(out, "  note: {note}");
    }
    for warning in &report.warnings {
        let _ = writeln!(out, "  warning: {warning}");
    }
    let _ = writeln!(out, "CodeSha256 {}", report.code_sha256);
    out
}
