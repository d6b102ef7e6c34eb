//! Finding function folders in a workspace.

use std::collections::HashSet;
use std::path::Path;

use super::{load, Function, CONFIG_FILE, DEFAULT_MODULE_FILE};

/// Folders never searched for functions: tooling, environments, caches, build output and
/// installed packages (which may well contain a `lambda_function.py` of their own).
pub const SKIPPED_DIRS: &[&str] = &[
    ".git",
    ".venv",
    "venv",
    "node_modules",
    "__pycache__",
    "target",
    "site-packages",
];

/// Function folders under `root` (itself included), sorted by path: those with a
/// `lambda.toml`, and those with the console default `lambda_function.py`. Hidden folders
/// and [`SKIPPED_DIRS`] are not entered; symbolic links to folders are followed once
/// (a folder reached twice, as through a link loop, is visited only the first time).
pub fn discover(root: &Path) -> Vec<Function> {
    let mut found = Vec::new();
    let mut visited = HashSet::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(real) = dir.canonicalize() else {
            continue;
        };
        if !visited.insert(real) {
            continue;
        }
        let is_function =
            dir.join(CONFIG_FILE).is_file() || dir.join(DEFAULT_MODULE_FILE).is_file();
        if is_function {
            if let Ok(function) = load(&dir) {
                found.push(function);
            }
        }
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with('.') || SKIPPED_DIRS.contains(&name.as_ref()) {
                continue;
            }
            // `Path::is_dir` follows links; loops end at the `visited` check.
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            }
        }
    }
    found.sort_by(|a, b| a.dir.cmp(&b.dir));
    found
}
