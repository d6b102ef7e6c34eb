//! What goes in the package from a folder tree: a walk that applies the default excludes,
//! `lambda.toml`'s `exclude` globs and `.lambdaignore` (gitignore syntax, last match wins),
//! follows symlinks that stay inside the folder and refuses those that leave it.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use ignore::gitignore::{Gitignore, GitignoreBuilder};

use super::PackageError;

/// The ignore file of a function folder, in gitignore syntax.
pub const IGNORE_FILE: &str = ".lambdaignore";

/// Left out of every function's own files: version control, virtualenvs, caches, editor
/// folders, secrets and the project's development-only files. A `.lambdaignore` line
/// such as `!events/` brings one back.
pub const DEFAULT_EXCLUDES: &[&str] = &[
    ".git/",
    ".hg/",
    ".svn/",
    ".venv/",
    "venv/",
    "__pycache__/",
    "*.pyc",
    "*.pyo",
    ".env*",
    ".aws/",
    ".aws-sam/",
    "*.pem",
    "*.key",
    "id_rsa*",
    "id_dsa*",
    "id_ecdsa*",
    "id_ed25519*",
    ".vscode/",
    ".idea/",
    ".DS_Store",
    ".pytest_cache/",
    ".mypy_cache/",
    ".ruff_cache/",
    ".tox/",
    "node_modules/",
    "/events/",
    "/tests/",
    "/lambda.toml",
    "/.lambdaignore",
    "/.lambda-ls/",
];

/// A file to package.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// `/`-separated path inside the archive.
    pub archive_path: String,
    /// Where its bytes are (a symlink's target is read through the link).
    pub path: PathBuf,
    pub executable: bool,
    pub size: u64,
}

/// The matcher for a function folder: defaults, then `exclude` globs, then `.lambdaignore`.
pub fn function_matcher(dir: &Path, exclude: &[String]) -> Result<Gitignore, PackageError> {
    let mut builder = GitignoreBuilder::new(dir);
    for pattern in DEFAULT_EXCLUDES {
        builder
            .add_line(None, pattern)
            .expect("default excludes are valid globs");
    }
    add_excludes(&mut builder, exclude)?;
    let ignore_file = dir.join(IGNORE_FILE);
    if ignore_file.is_file() {
        if let Some(e) = builder.add(&ignore_file) {
            return Err(PackageError::BadExclude {
                pattern: String::new(),
                origin: ignore_file.display().to_string(),
                reason: e.to_string(),
            });
        }
    }
    builder.build().map_err(|e| PackageError::BadExclude {
        pattern: String::new(),
        origin: "excludes".into(),
        reason: e.to_string(),
    })
}

/// The matcher of lambda.toml's `exclude` globs alone, for the installed dependencies
/// (`numpy/` leaves out what a layer provides).
pub fn exclude_matcher(root: &Path, exclude: &[String]) -> Result<Gitignore, PackageError> {
    let mut builder = GitignoreBuilder::new(root);
    add_excludes(&mut builder, exclude)?;
    builder.build().map_err(|e| PackageError::BadExclude {
        pattern: String::new(),
        origin: "lambda.toml `exclude`".into(),
        reason: e.to_string(),
    })
}

fn add_excludes(builder: &mut GitignoreBuilder, exclude: &[String]) -> Result<(), PackageError> {
    for pattern in exclude {
        builder
            .add_line(None, pattern)
            .map_err(|e| PackageError::BadExclude {
                pattern: pattern.clone(),
                origin: "lambda.toml `exclude`".into(),
                reason: e.to_string(),
            })?;
    }
    Ok(())
}

/// Every file under `root` that `matcher` keeps and that is not one of `skip` (such as the
/// output zip), with archive paths relative to `root`, sorted.
pub fn collect(
    root: &Path,
    matcher: &Gitignore,
    skip: &[PathBuf],
) -> Result<Vec<SourceFile>, PackageError> {
    let canonical_root = root.canonicalize().map_err(|e| PackageError::Io {
        action: format!("read the folder {}", root.display()),
        source: e,
    })?;
    let skip: HashSet<PathBuf> = skip.iter().filter_map(|p| p.canonicalize().ok()).collect();
    let mut walk = Walk {
        canonical_root,
        matcher,
        skip,
        files: Vec::new(),
        on_path: Vec::new(),
    };
    walk.dir(root, "")?;
    let mut files = walk.files;
    files.sort_by(|a, b| a.archive_path.cmp(&b.archive_path));
    files.dedup_by(|a, b| a.archive_path == b.archive_path);
    Ok(files)
}

struct Walk<'a> {
    canonical_root: PathBuf,
    matcher: &'a Gitignore,
    skip: HashSet<PathBuf>,
    files: Vec<SourceFile>,
    /// Canonical folders being walked, to stop symlink cycles.
    on_path: Vec<PathBuf>,
}

impl Walk<'_> {
    fn dir(&mut self, dir: &Path, prefix: &str) -> Result<(), PackageError> {
        let io = |source, action: &str| PackageError::Io {
            action: format!("{action} {}", dir.display()),
            source,
        };
        let canonical = dir.canonicalize().map_err(|e| io(e, "read"))?;
        if self.on_path.contains(&canonical) {
            return Ok(());
        }
        self.on_path.push(canonical);
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .map_err(|e| io(e, "list"))?
            .collect::<Result<_, _>>()
            .map_err(|e| io(e, "list"))?;
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let path = entry.path();
            let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
                return Err(PackageError::NonUtf8Path { path });
            };
            let archive_path = format!("{prefix}{name}");
            let file_type = entry.file_type().map_err(|e| io(e, "read"))?;
            let (is_dir, metadata) = if file_type.is_symlink() {
                let target = path
                    .canonicalize()
                    .map_err(|_| PackageError::BrokenSymlink { link: path.clone() })?;
                if !target.starts_with(&self.canonical_root) {
                    // Only refused when the link would be packaged: a `.venv` full of
                    // links to the system Python is excluded before we get here.
                    if self.is_excluded(&archive_path, target.is_dir()) {
                        continue;
                    }
                    return Err(PackageError::SymlinkEscape { link: path, target });
                }
                let metadata = std::fs::metadata(&target).map_err(|e| io(e, "read"))?;
                (metadata.is_dir(), metadata)
            } else {
                let metadata = entry.metadata().map_err(|e| io(e, "read"))?;
                (file_type.is_dir(), metadata)
            };
            if self.is_excluded(&archive_path, is_dir) {
                continue;
            }
            if is_dir {
                self.dir(&path, &format!("{archive_path}/"))?;
            } else if metadata.is_file() {
                let skipped = !self.skip.is_empty()
                    && path.canonicalize().is_ok_and(|c| self.skip.contains(&c));
                if skipped {
                    continue;
                }
                use std::os::unix::fs::PermissionsExt;
                self.files.push(SourceFile {
                    archive_path,
                    path,
                    executable: metadata.permissions().mode() & 0o111 != 0,
                    size: metadata.len(),
                });
            }
            // Sockets, FIFOs and devices have no place in a package: skipped.
        }
        self.on_path.pop();
        Ok(())
    }

    fn is_excluded(&self, archive_path: &str, is_dir: bool) -> bool {
        self.matcher.matched(archive_path, is_dir).is_ignore()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(files: &[SourceFile]) -> Vec<&str> {
        files.iter().map(|f| f.archive_path.as_str()).collect()
    }

    #[test]
    fn defaults_config_globs_and_lambdaignore_all_apply() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for file in [
            "lambda_function.py",
            "lib/util.py",
            "lib/__pycache__/util.cpython-311.pyc",
            "lib/tests/test_util.py",
            ".env",
            ".env.production",
            "deploy.pem",
            ".git/config",
            "events/s3.json",
            "tests/test_handler.py",
            "lambda.toml",
            "notes/todo.md",
            "data/big.csv",
            "data/keep.csv",
            ".lambdaignore",
        ] {
            let path = root.join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, "x").unwrap();
        }
        std::fs::write(root.join(".lambdaignore"), "data/*.csv\n!data/keep.csv\n").unwrap();
        let matcher = function_matcher(root, &["notes/".to_string()]).unwrap();
        let files = collect(root, &matcher, &[]).unwrap();
        assert_eq!(
            names(&files),
            [
                "data/keep.csv",
                "lambda_function.py",
                "lib/tests/test_util.py",
                "lib/util.py"
            ]
        );
    }

    #[test]
    fn symlinks_inside_are_followed_and_outside_refused() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("fn");
        std::fs::create_dir_all(root.join("shared")).unwrap();
        std::fs::write(root.join("shared/a.py"), "a").unwrap();
        std::os::unix::fs::symlink(root.join("shared"), root.join("alias")).unwrap();
        let matcher = function_matcher(&root, &[]).unwrap();
        let files = collect(&root, &matcher, &[]).unwrap();
        assert_eq!(names(&files), ["alias/a.py", "shared/a.py"]);

        std::fs::write(dir.path().join("secret.txt"), "s").unwrap();
        std::os::unix::fs::symlink(dir.path().join("secret.txt"), root.join("leak.txt")).unwrap();
        let error = collect(&root, &matcher, &[]).unwrap_err();
        assert!(
            matches!(error, PackageError::SymlinkEscape { .. }),
            "{error}"
        );
    }
}
