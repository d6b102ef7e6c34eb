//! Finding function folders in a workspace.

use std::collections::HashSet;
use std::path::Path;

use super::{is_function_dir_in, load, Disk, Function};

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

/// Whether `dir` is a function folder on disk (see [`is_function_dir_in`]).
pub fn is_function_dir(dir: &Path) -> bool {
    is_function_dir_in(&Disk, dir)
}

/// Function folders under `root` (itself included), sorted by path: those with a
/// `lambda.toml`, and those with the console default `lambda_function.py`.
pub fn discover(root: &Path) -> Vec<Function> {
    let mut found = Vec::new();
    walk(root, |dir| {
        if is_function_dir(dir) {
            found.push(load(dir));
        }
    });
    found.sort_by(|a, b| a.dir.cmp(&b.dir));
    found
}

/// Visit every folder under `root` (itself included) where functions may live: hidden
/// folders and [`SKIPPED_DIRS`] are not entered; symbolic links to folders are followed
/// once (a folder reached twice, as through a link loop, is visited only the first time).
pub fn walk(root: &Path, mut visit: impl FnMut(&Path)) {
    let mut visited = HashSet::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(real) = dir.canonicalize() else {
            continue;
        };
        if !visited.insert(real) {
            continue;
        }
        visit(&dir);
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::codes;

    fn touch(root: &Path, rel: &str, contents: &[u8]) {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, contents).unwrap();
    }

    fn names(root: &Path) -> Vec<String> {
        discover(root)
            .iter()
            .map(|f| {
                f.dir
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect()
    }

    #[test]
    fn finds_functions_and_skips_tooling_folders() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        touch(root, "prices/lambda_function.py", b"");
        touch(root, "orders/lambda.toml", b"handler = \"app.handler\"\n");
        touch(root, "orders/app.py", b"");
        touch(root, "nested/deeper/fn/lambda_function.py", b"");
        touch(root, "not-a-function/readme.md", b"");
        for skipped in [
            ".git",
            ".venv",
            "venv",
            "node_modules",
            "__pycache__",
            "target",
            ".hidden",
            "prices/package/site-packages",
        ] {
            touch(root, &format!("{skipped}/x/lambda_function.py"), b"");
        }
        assert_eq!(names(root), ["nested/deeper/fn", "orders", "prices"]);
        let orders = discover(root)
            .into_iter()
            .find(|f| f.dir.ends_with("orders"))
            .unwrap();
        assert_eq!(orders.config.handler.value, "app.handler");
        assert!(
            orders.config_diagnostics.is_empty(),
            "{:?}",
            orders.config_diagnostics
        );
    }

    #[test]
    fn root_itself_can_be_a_function() {
        let dir = tempfile::tempdir().unwrap();
        touch(dir.path(), "lambda_function.py", b"");
        assert_eq!(names(dir.path()), [""]);
    }

    #[cfg(unix)]
    #[test]
    fn symlink_loops_end() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        touch(root, "a/lambda_function.py", b"");
        std::os::unix::fs::symlink(root, root.join("a/loop")).unwrap();
        std::os::unix::fs::symlink(root.join("a"), root.join("b")).unwrap();
        let found = names(root);
        assert_eq!(found.len(), 1, "{found:?}");
    }

    #[test]
    fn unreadable_config_is_a_diagnostic() {
        let dir = tempfile::tempdir().unwrap();
        touch(dir.path(), "bad/lambda.toml", b"name = \"\xff\xfe\"\n");
        let found = discover(dir.path());
        assert_eq!(found.len(), 1);
        let d = &found[0].config_diagnostics;
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].code, codes::UNREADABLE_CONFIG);
        assert!(d[0].message.contains("UTF-8"));
        assert_eq!(found[0].config.name.value, "bad");
    }

    #[test]
    fn load_includes_folder_checks() {
        let dir = tempfile::tempdir().unwrap();
        touch(
            dir.path(),
            "fn/lambda.toml",
            b"handler = \"missing.handler\"\n",
        );
        let function = load(&dir.path().join("fn"));
        let codes: Vec<_> = function.config_diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(codes, [crate::project::codes::HANDLER_FILE_MISSING]);
    }
}
