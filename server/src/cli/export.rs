//! `lambda-ls export sam [DIR…] [-o template.yaml]`: the lambda.toml functions under the
//! folders as a SAM template, on stdout or into a file; what the template could not carry
//! goes to stderr as notes.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};

use crate::ide::Severity;
use crate::project::sam::{export::export, functions_under};
use crate::project::{Function, Functions};

/// Arguments of `lambda-ls export`.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    format: Format,
}

#[derive(clap::Subcommand)]
enum Format {
    /// An AWS SAM template (`sam deploy`, CloudFormation) from lambda.toml functions.
    Sam(SamArgs),
}

#[derive(clap::Args)]
struct SamArgs {
    /// Folders holding the functions (default: the current folder).
    dirs: Vec<PathBuf>,
    /// Write the template to this file (code paths relative to its folder) instead of
    /// stdout (code paths relative to the current folder).
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Replace the output file if it exists.
    #[arg(long)]
    force: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let Format::Sam(args) = args.format;
    let dirs = if args.dirs.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.dirs
    };
    let mut functions: Vec<Function> = Vec::new();
    let mut facade = Functions::default();
    for dir in &dirs {
        if !dir.is_dir() {
            bail!("{} is not a folder", dir.display());
        }
        for found in functions_under(&mut facade, dir).functions {
            // Functions a template describes already have one.
            if found.template.is_none()
                && !functions.iter().any(|f| same_folder(&f.dir, &found.dir))
            {
                functions.push(Function::clone(&found));
            }
        }
    }
    if functions.is_empty() {
        bail!(
            "no lambda.toml function under {}: a function is a folder with a lambda.toml (or the \
             console's lambda_function.py)",
            dirs.iter()
                .map(|d| d.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    for function in &functions {
        let errors: Vec<_> = function
            .config_diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .collect();
        if let Some(first) = errors.first() {
            bail!(
                "{} has {} error(s), so no template was written; the first: {} (`lambda-ls check` lists them all)",
                function.config_path.as_deref().unwrap_or(&function.dir).display(),
                errors.len(),
                first.message
            );
        }
    }

    let template_dir = match &args.output {
        Some(file) => file
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf(),
        None => PathBuf::from("."),
    };
    let exported = export(&functions, &template_dir);
    for note in &exported.notes {
        eprintln!("note: {note}");
    }
    match &args.output {
        None => print!("{}", exported.text),
        Some(file) => {
            if file.exists() && !args.force {
                bail!(
                    "{} exists: pass --force to replace it, or -o another file",
                    file.display()
                );
            }
            write_atomically(file, &exported.text)?;
            eprintln!(
                "wrote {}: {} function{}",
                file.display(),
                functions.len(),
                if functions.len() == 1 { "" } else { "s" }
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Write through a temporary file in the same folder, so that a failure leaves the old
/// file (or none) rather than half a template.
fn write_atomically(file: &Path, text: &str) -> anyhow::Result<()> {
    let dir = file
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "template.yaml".into());
    let temporary = dir.join(format!(".{name}.lambda-ls-{}", std::process::id()));
    let result = std::fs::File::create(&temporary)
        .and_then(|mut f| f.write_all(text.as_bytes()).and_then(|()| f.sync_all()))
        .and_then(|()| std::fs::rename(&temporary, file));
    if result.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    result.with_context(|| format!("cannot write {}", file.display()))
}

/// Whether two paths name one folder (overlapping arguments list a function once).
fn same_folder(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}
