//! The extension in a real VS Code in a real browser: runs `tests/editor/run.mjs`, which
//! builds the VSIX with the server under test inside, installs it into code-server, and
//! drives Debian's chromium through each feature (diagnostics, completion, the ▶ Invoke
//! lens and its result view, a SAM project's functions in the Lambda Functions view, the
//! Debug lens stopping at a breakpoint, Deploy with its confirmation, Invoke Remote, Show
//! Logs and Show Metrics against a moto server of its own, Restricted Mode), saving
//! screenshots under tests/artifacts/editor/.
//!
//! Needs node, code-server, chromium and playwright-core (`tests/setup/editor.sh`) and moto
//! (`tests/setup/aws.sh`); this test runs both (they return at once when all is installed).
//! `LAMBDA_LS_SKIP_EDITOR=1` skips this test, saying so.

mod support;

use std::process::Command;

use support::{binary, repo_root};

#[test]
fn extension_in_code_server() {
    if std::env::var("LAMBDA_LS_SKIP_EDITOR").as_deref() == Ok("1") {
        println!(
            "skipped: LAMBDA_LS_SKIP_EDITOR=1 (the editor test needs code-server and chromium)"
        );
        return;
    }
    let root = repo_root();
    let server = binary();

    // The editor, and moto for the AWS steps (deploy, remote invoke, logs, metrics).
    for script in ["tests/setup/editor.sh", "tests/setup/aws.sh"] {
        let setup = Command::new("bash")
            .arg(root.join(script))
            .current_dir(&root)
            .status()
            .unwrap_or_else(|e| panic!("bash runs {script}: {e}"));
        assert!(setup.success(), "{script} failed ({setup})");
    }

    let status = Command::new("node")
        .arg(root.join("tests/editor/run.mjs"))
        .current_dir(&root)
        .env("LAMBDA_LS_BIN", &server)
        .status()
        .expect("node runs tests/editor/run.mjs (is node installed?)");
    assert!(
        status.success(),
        "the editor test failed ({status}); its steps, screenshots and the code-server log \
         are listed above (tests/artifacts/editor/)"
    );
}

/// The extension's own unit tests (server lookup, result formatting, command targets), run
/// with node's test runner, so `cargo nextest` covers the TypeScript too.
#[test]
fn extension_unit_tests() {
    let extension = repo_root().join("extension");
    if !extension.join("node_modules").is_dir() {
        let install = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(&extension)
            .status()
            .expect("npm runs (is node installed?)");
        assert!(install.success(), "npm ci in extension/ failed ({install})");
    }
    let output = Command::new("npm")
        .args(["test", "--silent"])
        .current_dir(&extension)
        .output()
        .expect("npm runs (is node installed?)");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the extension's unit tests failed ({}):\n{stdout}\n{stderr}",
        output.status
    );
    // node's test runner ends with "# pass N" / "# fail 0": make sure tests really ran.
    assert!(
        stdout.lines().any(|line| line
            .strip_prefix("# pass ")
            .and_then(|n| n.trim().parse::<u32>().ok())
            .is_some_and(|n| n > 0)),
        "no unit test ran:\n{stdout}"
    );
}
