//! `lambda-ls check [PATH…]`: the editor's diagnostics for every function under the paths.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};
use serde_json::json;

use super::Format;
use crate::analysis::workspace::{self, FileReport};
use crate::ide::Severity;
use crate::line_index::{Encoding, LineIndex};
use crate::project::sam::functions_under;
use crate::project::{Disk, Functions};

/// Arguments of `lambda-ls check`.
#[derive(clap::Args)]
pub struct Args {
    /// Function folders, workspaces or files to check (default: the current folder).
    paths: Vec<PathBuf>,
    /// Output format: `text` (path:line:col: severity[CODE] message) or `json`.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// A SAM template with another name than template.yaml / template.yml.
    #[arg(long, value_name = "FILE")]
    template: Vec<PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths
    };
    for template in &args.template {
        if !template.is_file() {
            bail!("{} is not a file", template.display());
        }
    }
    let mut functions = Functions::with_templates(args.template.clone());
    let mut reports = Vec::new();
    for path in &paths {
        reports.extend(check_path(&mut functions, path)?);
    }

    let mut errors = 0;
    let mut warnings = 0;
    let mut json_items = Vec::new();
    for report in &reports {
        let index = LineIndex::new(&report.text);
        for diagnostic in &report.diagnostics {
            match diagnostic.severity {
                Severity::Error => errors += 1,
                Severity::Warning => warnings += 1,
                _ => {}
            }
            let (line, column) =
                index.position(&report.text, diagnostic.range.start, Encoding::Utf32);
            let (end_line, end_column) =
                index.position(&report.text, diagnostic.range.end, Encoding::Utf32);
            match args.format {
                Format::Text => println!(
                    "{}:{}:{}: {}[{}] {}",
                    report.path.display(),
                    line + 1,
                    column + 1,
                    diagnostic.severity.as_str(),
                    diagnostic.code,
                    diagnostic.message
                ),
                Format::Json => json_items.push(json!({
                    "path": report.path,
                    "line": line + 1,
                    "column": column + 1,
                    "end_line": end_line + 1,
                    "end_column": end_column + 1,
                    "severity": diagnostic.severity,
                    "code": diagnostic.code,
                    "message": diagnostic.message,
                    "fixes": diagnostic.fixes.iter().map(|f| &f.title).collect::<Vec<_>>(),
                })),
            }
        }
    }
    if let Format::Json = args.format {
        println!("{}", serde_json::to_string_pretty(&json_items)?);
    }
    eprintln!(
        "{} file{} checked: {errors} error{}, {warnings} warning{}",
        reports.len(),
        plural(reports.len()),
        plural(errors),
        plural(warnings)
    );
    Ok(if errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// Reports for one command-line path: a file, or every function under a folder (its
/// lambda.toml, its Python files) and the templates in it.
fn check_path(functions: &mut Functions, path: &Path) -> anyhow::Result<Vec<FileReport>> {
    if !path.exists() {
        bail!("{} does not exist", path.display());
    }
    if path.is_file() {
        // Templates above the current folder count: look up from the absolute path.
        let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        if !workspace::is_template(functions, path) && functions.dir_of(&Disk, &absolute).is_none()
        {
            eprintln!(
                "{}: not part of a Lambda function (no lambda.toml or lambda_function.py in \
                 its folder or above, and no template.yaml whose code folder holds it), so \
                 there is nothing to check",
                path.display()
            );
        }
        let mut report = workspace::check_file(functions, &absolute)
            .with_context(|| format!("cannot read {}", path.display()))?;
        report.path = path.to_path_buf();
        return Ok(vec![report]);
    }
    let listing = functions_under(functions, path);
    let inside = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    let templates: Vec<PathBuf> = listing
        .templates
        .into_iter()
        .filter(|t| t.canonicalize().is_ok_and(|t| t.starts_with(&inside)))
        .collect();
    if listing.functions.is_empty() && templates.is_empty() {
        bail!(
            "no Lambda function found under {}: a function folder holds a lambda.toml, or a \
             lambda_function.py (the console's default), or is the code folder of a Python \
             function in a template.yaml. Pass a function folder or file.",
            path.display()
        );
    }
    let mut reports = Vec::new();
    for template in &templates {
        let report = workspace::check_file(functions, template)
            .with_context(|| format!("cannot read {}", template.display()))?;
        reports.push(report);
    }
    let mut dirs: Vec<&Path> = Vec::new();
    for function in &listing.functions {
        if !dirs.contains(&function.dir.as_path()) {
            dirs.push(&function.dir);
        }
    }
    for dir in dirs {
        for file in workspace::function_files(functions, dir) {
            let report = workspace::check_file(functions, &file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            reports.push(report);
        }
    }
    Ok(reports)
}
