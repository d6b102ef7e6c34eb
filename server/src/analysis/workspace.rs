//! Checking files on disk, for `lambda-ls check`: the same answers the editor shows for
//! the same files (the same function lookup, [`Functions`]), over whole function folders.

use std::path::{Path, PathBuf};

use super::{analyze_events, check_config, check_python_all, python_files, CheckCache};
use crate::ide::Diagnostic;
use crate::project::{self, sam, Disk, FileSource, Functions, CONFIG_FILE};
use crate::python::Module;

/// The diagnostics of one file, with the text they point into.
pub struct FileReport {
    pub path: PathBuf,
    pub text: String,
    pub diagnostics: Vec<Diagnostic>,
}

/// Check one file (a Python module, a lambda.toml or a SAM template) of `functions`, read
/// from the disk. A file that belongs to no function gets no diagnostics: Lambda's rules do
/// not apply to it.
pub fn check_file(functions: &mut Functions, path: &Path) -> std::io::Result<FileReport> {
    let bytes = std::fs::read(path)?;
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let diagnostics = if is_template(functions, path) {
        sam::analyze(path, &text, &Disk).diagnostics
    } else {
        match functions.of(&Disk, path) {
            None => Vec::new(),
            Some(folder) if path.file_name().is_some_and(|n| n == CONFIG_FILE) => {
                check_config(&folder.functions[0], &text, &|p| Disk.read_lossy(p))
            }
            Some(folder) => {
                let module = Module::parse(text.as_str());
                let files = python_files(&module, path, &folder.functions);
                let events = analyze_events(&files);
                let events: Vec<_> = events.iter().map(Option::as_ref).collect();
                check_python_all(&files, &events, &mut CheckCache::default())
            }
        }
    };
    Ok(FileReport {
        path: path.to_path_buf(),
        text,
        diagnostics,
    })
}

/// Whether `path` is a SAM template: `template.yaml`, `template.yml`, or one named with
/// `--template`.
pub fn is_template(functions: &Functions, path: &Path) -> bool {
    path.file_name()
        .is_some_and(|n| sam::TEMPLATE_FILES.iter().any(|t| n == *t))
        || functions.extra_templates().iter().any(|t| t == path)
}

/// The files of the function folder `dir`: its lambda.toml and its Python files, not
/// descending into skipped folders or into other function folders.
pub fn function_files(functions: &mut Functions, dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let config = dir.join(CONFIG_FILE);
    if config.is_file() {
        files.push(config);
    }
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if kind.is_dir() {
                if !project::SKIPPED_DIRS.contains(&name.as_ref())
                    && !name.starts_with('.')
                    && functions.dir_of(&Disk, &path).as_deref() != Some(path.as_path())
                {
                    stack.push(path);
                }
            } else if kind.is_file() && name.ends_with(".py") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}
