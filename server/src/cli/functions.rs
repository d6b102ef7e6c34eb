//! `lambda-ls functions [PATH…] [--format text|json] [--template FILE]`: every function
//! found under the paths, from `lambda.toml` folders and SAM templates alike.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::bail;
use serde_json::{json, Value};

use super::Format;
use crate::project::sam::{functions_under, normalize as tidy};
use crate::project::{Function, Functions};

/// Arguments of `lambda-ls functions`.
#[derive(clap::Args)]
pub struct Args {
    /// Folders to look in (default: the current folder).
    paths: Vec<PathBuf>,
    /// Output format: `text` (one line per function) or `json`.
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
    for path in paths.iter().chain(&args.template) {
        if !path.exists() {
            bail!("{} does not exist", path.display());
        }
    }
    let mut functions = Functions::with_templates(args.template);
    let mut found: Vec<Arc<Function>> = Vec::new();
    let mut seen = HashSet::new();
    for path in &paths {
        let listing = functions_under(&mut functions, path);
        for (template, why) in listing.unreadable {
            eprintln!("lambda-ls: {}: {why}", template.display());
        }
        for function in listing.functions {
            // Overlapping paths list a function once.
            let key = (function.source_label(), function.dir.canonicalize().ok());
            if seen.insert(key) {
                found.push(function);
            }
        }
    }
    match args.format {
        Format::Json => {
            let items: Vec<Value> = found.iter().map(to_json).collect();
            println!("{}", serde_json::to_string_pretty(&items)?);
        }
        Format::Text => print_table(&found),
    }
    if found.is_empty() {
        eprintln!(
            "no Lambda function found: a function is a folder with a lambda.toml or a \
             lambda_function.py, or a Python AWS::Serverless::Function in a template.yaml"
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// One function as the JSON contract of `functions --format json`.
fn to_json(function: &Arc<Function>) -> Value {
    let c = &function.config;
    let triggers: Vec<Value> = c
        .triggers
        .iter()
        .map(|t| {
            let mut object = serde_json::Map::new();
            object.insert("type".into(), Value::from(t.kind()));
            object.extend(t.settings());
            Value::Object(object)
        })
        .collect();
    json!({
        "name": c.name.value,
        "dir": shown(&function.dir),
        "handler": c.handler.value,
        "runtime": c.runtime.value,
        "architecture": c.architecture.value.as_str(),
        "memory": c.memory.value,
        "timeout": c.timeout.value,
        "source": function.source_label(),
        "triggers": triggers,
    })
}

fn print_table(found: &[Arc<Function>]) {
    let rows: Vec<[String; 7]> = found
        .iter()
        .map(|f| {
            let c = &f.config;
            let triggers: Vec<&str> = c.triggers.iter().map(|t| t.kind()).collect();
            [
                c.name.value.clone(),
                shown(&f.dir).display().to_string(),
                c.handler.value.clone(),
                format!("{} {}", c.runtime.value, c.architecture.value.as_str()),
                format!("{} MB {} s", c.memory.value, c.timeout.value),
                if triggers.is_empty() {
                    "-".to_string()
                } else {
                    triggers.join(",")
                },
                f.source_label(),
            ]
        })
        .collect();
    let header = [
        "NAME", "DIR", "HANDLER", "RUNTIME", "MEMORY", "TRIGGERS", "SOURCE",
    ]
    .map(String::from);
    let mut widths = [0; 7];
    for row in std::iter::once(&header).chain(&rows) {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    for row in std::iter::once(&header).chain(&rows) {
        let cells: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(cell, width)| format!("{cell:width$}"))
            .collect();
        println!("{}", cells.join("  ").trim_end());
    }
}

/// A folder as the user would write it: relative to the current folder when inside it
/// (templates found above a path give absolute folders), without `./`.
fn shown(dir: &Path) -> PathBuf {
    let relative = std::env::current_dir()
        .ok()
        .and_then(|cwd| cwd.canonicalize().ok())
        .and_then(|cwd| dir.strip_prefix(&cwd).ok().map(Path::to_path_buf));
    tidy(&relative.unwrap_or_else(|| dir.to_path_buf()))
}
