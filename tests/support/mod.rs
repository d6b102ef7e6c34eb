//! Shared helpers of the end-to-end suites: where the binary and the repository are, and
//! running the CLI, and an LSP client.

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

/// The `lambda-ls` binary under test: `LAMBDA_LS_BIN`, else the debug build in the
/// workspace's target folder (`tests/run` builds it before running the suites).
pub fn binary() -> PathBuf {
    if let Some(path) = std::env::var_os("LAMBDA_LS_BIN") {
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
