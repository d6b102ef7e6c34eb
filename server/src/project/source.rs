//! Where the text of a workspace's files comes from: the disk (the CLI), or the editor's
//! open documents over the disk (the server). Everything that reads a function's files for
//! an answer (its `lambda.toml`, whether its handler module exists) reads through this, so
//! that the CLI and the editor give the same answers on the same text.

use std::path::Path;

/// A read-only view of a workspace's files.
pub trait FileSource {
    /// The bytes of the file at `path`.
    fn read(&self, path: &Path) -> std::io::Result<Vec<u8>>;

    /// Whether `path` is a file (an open document counts, saved or not).
    fn is_file(&self, path: &Path) -> bool;

    /// The text of `path`, invalid UTF-8 replaced rather than hiding the whole file.
    fn read_lossy(&self, path: &Path) -> Option<String> {
        self.read(path)
            .ok()
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
    }
}

/// The files as saved on disk.
#[derive(Debug, Clone, Copy, Default)]
pub struct Disk;

impl FileSource for Disk {
    fn read(&self, path: &Path) -> std::io::Result<Vec<u8>> {
        std::fs::read(path)
    }

    fn is_file(&self, path: &Path) -> bool {
        path.is_file()
    }
}
