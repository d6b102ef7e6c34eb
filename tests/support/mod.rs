//! Shared helpers of the end-to-end suites: where the binary and the repository are,
//! running the CLI, an LSP client, and projects written from a tree literal.
//!
//! Each suite includes this folder as its `support` module (`mod support;`); the suites
//! belong to the server's package so that Cargo builds the binary first and names it.
//! The benchmarks and the catalog cross-check use the same code as this crate's library.

// A suite uses some of these helpers, never all of them.
#![allow(dead_code)]

pub mod lsp;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The repository root (the workspace that holds `tests/`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

/// The `lambda-ls` binary under test: `LAMBDA_LS_BIN` (a release build, for benchmarks),
/// else the one Cargo built for this suite (`CARGO_BIN_EXE_lambda-ls`, always current),
/// else — for the benchmarks of the e2e crate, which Cargo cannot hand a binary of another
/// package — the debug build in the workspace's target folder.
pub fn binary() -> PathBuf {
    if let Some(path) = std::env::var_os("LAMBDA_LS_BIN") {
        return PathBuf::from(path);
    }
    if let Some(path) = option_env!("CARGO_BIN_EXE_lambda-ls") {
        return PathBuf::from(path);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("target"));
    let path = target.join("debug").join("lambda-ls");
    assert!(
        path.is_file(),
        "{} is missing: run `cargo build -p lambda-ls` first (tests/run does)",
        path.display()
    );
    path
}

/// Run `lambda-ls ARGS` in `dir` with no stdin and capture its output.
pub fn run_cli(dir: &Path, args: &[&str]) -> Output {
    Command::new(binary())
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .expect("lambda-ls starts")
}

/// Copy a folder tree (fixtures into a temporary folder the test may change).
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A temporary project written from a tree literal, deleted when dropped:
///
/// ```ignore
/// let project = Project::new(&[
///     ("fn/lambda_function.py", "def lambda_handler(event, context):\n    return 1\n"),
///     ("fn/lambda.toml", "runtime = \"python3.12\"\n"),
/// ]);
/// let output = project.cli(&["check", "fn"]);
/// let (mut client, _) = project.lsp();
/// ```
pub struct Project {
    dir: tempfile::TempDir,
}

impl Project {
    /// A project holding `files` (relative paths, parent folders created).
    pub fn new(files: &[(&str, &str)]) -> Self {
        let project = Project {
            dir: tempfile::tempdir().expect("a temporary folder"),
        };
        for (path, text) in files {
            project.write(path, text);
        }
        project
    }

    /// The project's root folder.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// A path inside the project.
    pub fn join(&self, relative: &str) -> PathBuf {
        self.path().join(relative)
    }

    /// The `file://` URI of a path inside the project.
    pub fn uri(&self, relative: &str) -> String {
        lsp::uri(&self.join(relative))
    }

    /// Write (or overwrite) a file, creating its folders.
    pub fn write(&self, relative: &str, text: &str) {
        let path = self.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    }

    /// A file's text.
    pub fn read(&self, relative: &str) -> String {
        let path = self.join(relative);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
    }

    /// `lambda-ls ARGS` run in the project's root.
    pub fn cli(&self, args: &[&str]) -> Output {
        run_cli(self.path(), args)
    }

    /// The language server, initialized with the project as its workspace folder (UTF-16
    /// positions, as VS Code), and the `initialize` result.
    pub fn lsp(&self) -> (lsp::LspClient, serde_json::Value) {
        lsp::LspClient::start(self.path(), &["utf-16"])
    }

    /// Open `relative` in `client` with its text on disk, version 1, and wait for its first
    /// diagnostics.
    pub fn open(&self, client: &mut lsp::LspClient, relative: &str) -> Vec<serde_json::Value> {
        let uri = self.uri(relative);
        client.open(&uri, &self.read(relative), 1);
        client.diagnostics(&uri, 1)
    }
}

/// Bytes of a process's output as text (lossy).
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The stdout of a command that must have succeeded; its exit code, stdout and stderr in
/// the failure message otherwise.
pub fn ok(output: &Output) -> String {
    assert!(
        output.status.success(),
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        output.status.code(),
        text(&output.stdout),
        text(&output.stderr)
    );
    text(&output.stdout)
}

/// The address a just-started `lambda-ls serve` (stdout piped) listens on: its first line of
/// stdout says `… on http://127.0.0.1:PORT`.
pub fn serve_address(child: &mut std::process::Child) -> String {
    use std::io::BufRead;
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().expect("stdout piped"))
        .read_line(&mut line)
        .unwrap();
    line.split("http://")
        .nth(1)
        .unwrap_or_else(|| panic!("no URL in {line:?}"))
        .trim()
        .to_string()
}
