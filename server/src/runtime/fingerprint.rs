//! When a warm environment is stale: a fingerprint of everything a running Python process
//! would have loaded differently — the function folder's files (paths, sizes, mtimes), its
//! configuration, its resolved environment and its installed dependencies.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::Path;
use std::time::UNIX_EPOCH;

/// Folders whose contents do not change what the function runs (`.venv` is fingerprinted
/// by its site-packages folders instead of file by file: installs add or remove entries).
const SKIPPED_DIRS: &[&str] = &[
    ".git",
    "__pycache__",
    "node_modules",
    ".venv",
    ".aws-sam",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
];

/// Hash of the function folder's tree and of `extra` (configuration, environment, interpreter).
pub fn fingerprint(dir: &Path, extra: &impl Hash) -> u64 {
    let mut hasher = DefaultHasher::new();
    extra.hash(&mut hasher);
    hash_tree(dir, &mut hasher, 0);
    let venv = dir.join(".venv");
    if venv.is_dir() {
        hash_site_packages(&venv, &mut hasher);
    }
    hasher.finish()
}

fn hash_entry(path: &Path, meta: &std::fs::Metadata, hasher: &mut DefaultHasher) {
    path.hash(hasher);
    meta.len().hash(hasher);
    if let Ok(modified) = meta.modified() {
        if let Ok(since) = modified.duration_since(UNIX_EPOCH) {
            since.as_nanos().hash(hasher);
        }
    }
}

fn hash_tree(dir: &Path, hasher: &mut DefaultHasher, depth: usize) {
    // Deep trees are someone's data folder, not code; stop descending.
    if depth > 16 {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let Ok(file_type) = entry.file_type() else {
            continue;
        };
        let path = entry.path();
        if file_type.is_dir() {
            let name = entry.file_name();
            if SKIPPED_DIRS.iter().any(|s| name == *s) {
                continue;
            }
            hash_tree(&path, hasher, depth + 1);
        } else if let Ok(meta) = std::fs::metadata(&path) {
            hash_entry(&path, &meta, hasher);
        }
    }
}

fn hash_site_packages(venv: &Path, hasher: &mut DefaultHasher) {
    for lib in ["lib", "lib64"] {
        let Ok(versions) = std::fs::read_dir(venv.join(lib)) else {
            continue;
        };
        for version in versions.flatten() {
            let site = version.path().join("site-packages");
            if let Ok(meta) = std::fs::metadata(&site) {
                hash_entry(&site, &meta, hasher);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_with_files_and_extra_but_not_with_pycache() {
        let dir = std::env::temp_dir().join(format!("lambda-ls-fp-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("__pycache__")).unwrap();
        std::fs::write(dir.join("a.py"), "x = 1\n").unwrap();
        let first = fingerprint(&dir, &"config");
        assert_eq!(first, fingerprint(&dir, &"config"));
        assert_ne!(first, fingerprint(&dir, &"other config"));
        std::fs::write(dir.join("__pycache__/a.pyc"), "junk").unwrap();
        assert_eq!(first, fingerprint(&dir, &"config"));
        std::fs::write(dir.join("a.py"), "x = 22\n").unwrap();
        assert_ne!(first, fingerprint(&dir, &"config"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
