//! The one answer to "which function is this file, and with what configuration", for the
//! server and the CLI alike: the function folder is the nearest folder holding a
//! `lambda.toml` or the console's `lambda_function.py`, and each folder's function is loaded
//! once from a [`FileSource`] and kept until told that its files changed.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::source::FileSource;
use super::{load_from, Function, CONFIG_FILE, DEFAULT_MODULE_FILE};

/// Whether `dir` is a function folder in `source`: it holds a `lambda.toml`, or the
/// console's `lambda_function.py`.
pub fn is_function_dir_in(source: &dyn FileSource, dir: &Path) -> bool {
    source.is_file(&dir.join(CONFIG_FILE)) || source.is_file(&dir.join(DEFAULT_MODULE_FILE))
}

/// The function folder holding `path` (a file or folder; a folder may be one itself): the
/// nearest such ancestor in `source`.
pub fn function_dir_in<'p>(source: &dyn FileSource, path: &'p Path) -> Option<&'p Path> {
    let start = if source.is_file(path) || path.extension().is_some_and(|e| e == "py") {
        path.parent()?
    } else {
        path
    };
    start
        .ancestors()
        .find(|dir| is_function_dir_in(source, dir))
}

/// Loaded functions by folder.
#[derive(Debug, Default)]
pub struct Functions {
    loaded: HashMap<PathBuf, Arc<Function>>,
}

impl Functions {
    /// The function in `dir`, loaded from `source` on first use.
    pub fn get(&mut self, source: &dyn FileSource, dir: &Path) -> Arc<Function> {
        self.loaded
            .entry(dir.to_path_buf())
            .or_insert_with(|| Arc::new(load_from(source, dir)))
            .clone()
    }

    /// Keep a function loaded elsewhere (by `discover`), so that it is not read twice.
    pub fn adopt(&mut self, function: Function) -> Arc<Function> {
        let function = Arc::new(function);
        self.loaded.insert(function.dir.clone(), function.clone());
        function
    }

    /// The function a file or folder belongs to, if any.
    pub fn of(&mut self, source: &dyn FileSource, path: &Path) -> Option<Arc<Function>> {
        let dir = function_dir_in(source, path)?;
        Some(self.get(source, dir))
    }

    /// Drop the function in `dir`: its configuration or files changed.
    pub fn forget(&mut self, dir: &Path) {
        self.loaded.remove(dir);
    }

    /// Drop every function.
    pub fn clear(&mut self) {
        self.loaded.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::source::Disk;

    #[test]
    fn a_file_belongs_to_the_nearest_function_folder() {
        let temp = tempfile::tempdir().unwrap();
        let root = temp.path();
        std::fs::create_dir_all(root.join("fn/pkg")).unwrap();
        std::fs::write(root.join("fn/lambda.toml"), "memory = 256\n").unwrap();
        std::fs::write(root.join("fn/pkg/helpers.py"), "").unwrap();
        std::fs::create_dir_all(root.join("django")).unwrap();
        std::fs::write(root.join("django/settings.py"), "SECRET_KEY = 'x'\n").unwrap();

        assert_eq!(
            function_dir_in(&Disk, &root.join("fn/pkg/helpers.py")),
            Some(root.join("fn").as_path())
        );
        assert_eq!(
            function_dir_in(&Disk, &root.join("fn")),
            Some(root.join("fn").as_path())
        );
        // A file not yet saved still looks for its folder from its parent.
        assert_eq!(
            function_dir_in(&Disk, &root.join("fn/new.py")),
            Some(root.join("fn").as_path())
        );
        assert_eq!(
            function_dir_in(&Disk, &root.join("django/settings.py")),
            None
        );

        let mut functions = Functions::default();
        let first = functions
            .of(&Disk, &root.join("fn/pkg/helpers.py"))
            .unwrap();
        assert_eq!(first.config.memory.value, 256);
        // Kept until forgotten: the same load, not a new one.
        std::fs::write(root.join("fn/lambda.toml"), "memory = 512\n").unwrap();
        let again = functions.of(&Disk, &root.join("fn")).unwrap();
        assert!(Arc::ptr_eq(&first, &again));
        functions.forget(&root.join("fn"));
        assert_eq!(
            functions
                .of(&Disk, &root.join("fn"))
                .unwrap()
                .config
                .memory
                .value,
            512
        );
    }
}
