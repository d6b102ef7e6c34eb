//! Checking files on disk, for `lambda-ls check`: the same answers the editor shows for
//! the same files (the same function lookup, [`Functions`]), over whole function folders.

use std::path::{Path, PathBuf};

use super::{check_config, check_python, PythonFile};
use crate::ide::Diagnostic;
use crate::project::{self, Disk, FileSource, Function, Functions, CONFIG_FILE};
use crate::python::Module;

/// The diagnostics of one file, with the text they point into.
pub struct FileReport {
    pub path: PathBuf,
    pub text: String,
    pub diagnostics: Vec<Diagnostic>,
}

/// Check one file (a Python module or a lambda.toml) of `functions`, read from the disk.
/// A file that belongs to no function gets no diagnostics: Lambda's rules do not apply to it.
pub fn check_file(functions: &mut Functions, path: &Path) -> std::io::Result<FileReport> {
    let bytes = std::fs::read(path)?;
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let function = functions.of(&Disk, path);
    let is_config = path.file_name().is_some_and(|n| n == CONFIG_FILE);
    let diagnostics = match (&function, is_config) {
        (None, _) => Vec::new(),
        (Some(function), true) => check_config(function, &text, &|p| Disk.read_lossy(p)),
        (Some(function), false) => {
            let module = Module::parse(text.as_str());
            check_python(PythonFile::new(&module, path, Some(function)))
        }
    };
    Ok(FileReport {
        path: path.to_path_buf(),
        text,
        diagnostics,
    })
}

/// The files of a function: its lambda.toml and its Python files, not descending into
/// skipped folders or into other functions' folders.
pub fn function_files(function: &Function) -> Vec<PathBuf> {
    let mut files = Vec::new();
    if let Some(config) = &function.config_path {
        files.push(config.clone());
    }
    let mut stack = vec![function.dir.clone()];
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
                let other_function = project::is_function_dir(&path);
                if !project::SKIPPED_DIRS.contains(&name.as_ref())
                    && !name.starts_with('.')
                    && !other_function
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
