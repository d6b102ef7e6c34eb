//! What runs when you invoke, end to end through the binary, each test on a fresh lambda-ls
//! cache (`LAMBDA_LS_CACHE_DIR`; uv's own download cache stays warm): the runtime's CPython,
//! the dependencies as `package` ships them, the runtime's boto3, nothing from the host's
//! site-packages, host wheels for another architecture, warm environments rebuilt when the
//! requirements change.
//!
//! Interpreters: this machine's image has CPython 3.11, 3.12 and 3.13 under pyenv
//! (`$(pyenv root)/versions/3.1X.Y`), which is where lambda-ls finds them here (no uv-managed
//! Python is installed); `tests/setup/python.sh` checks that they are there.

mod support;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;
use support::{binary, copy_tree, repo_root, serve_address};

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}): {}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }
}

/// A function folder and a lambda-ls cache of the test's own.
struct Sandbox {
    temp: tempfile::TempDir,
}

impl Sandbox {
    fn new() -> Sandbox {
        Sandbox {
            temp: tempfile::tempdir().unwrap(),
        }
    }

    fn cache(&self) -> PathBuf {
        self.temp.path().join("cache")
    }

    /// A function folder `name` with these files.
    fn function(&self, name: &str, files: &[(&str, &str)]) -> PathBuf {
        let dir = self.temp.path().join(name);
        std::fs::create_dir_all(&dir).unwrap();
        for (file, text) in files {
            std::fs::write(dir.join(file), text).unwrap();
        }
        dir
    }

    fn invoke(&self, dir: &Path, args: &[&str]) -> Run {
        self.invoke_with(dir, args, &[])
    }

    fn invoke_with(&self, dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
        let output = self
            .command(dir, args)
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .output()
            .expect("lambda-ls starts");
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    fn command(&self, dir: &Path, args: &[&str]) -> Command {
        let mut command = Command::new(binary());
        command
            .arg("invoke")
            .arg(dir)
            .args(args)
            .env("LAMBDA_LS_CACHE_DIR", self.cache());
        command
    }
}

/// Reports what the process runs on and imports from.
const INTROSPECT: &str = r#"import sys

def lambda_handler(event, context):
    found = {}
    for name in event.get("imports", []):
        try:
            module = __import__(name)
            found[name] = [getattr(module, "__version__", None), module.__file__]
        except ImportError as e:
            found[name] = str(e)
    return {"version": list(sys.version_info[:3]), "path": sys.path, "imports": found}
"#;

fn pyenv_root() -> PathBuf {
    std::env::var_os("PYENV_ROOT")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap()).join(".pyenv"))
}

/// The newest `3.X.Y` under pyenv, the one lambda-ls should pick.
fn pyenv_newest(minor: u32) -> Option<(PathBuf, String)> {
    let mut versions: Vec<(Vec<u32>, String)> = std::fs::read_dir(pyenv_root().join("versions"))
        .ok()?
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let parts: Vec<u32> = name
                .split('.')
                .map(|p| p.parse().ok())
                .collect::<Option<_>>()?;
            (parts.len() == 3 && parts[0] == 3 && parts[1] == minor).then_some((parts, name))
        })
        .collect();
    versions.sort();
    let (_, name) = versions.pop()?;
    let python = pyenv_root()
        .join("versions")
        .join(&name)
        .join("bin")
        .join(format!("python3.{minor}"));
    Some((python, name))
}

fn python_imports(python: &Path, module: &str) -> bool {
    Command::new(python)
        .args(["-c", &format!("import {module}")])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

#[test]
fn each_runtime_runs_on_its_own_minor_version() {
    let sandbox = Sandbox::new();
    for minor in [12, 13] {
        let (_, expected) = pyenv_newest(minor).unwrap_or_else(|| {
            panic!("no CPython 3.{minor} under {}/versions: this image should have one (tests/setup/python.sh)", pyenv_root().display())
        });
        let dir = sandbox.function(
            &format!("py3{minor}"),
            &[
                ("lambda_function.py", INTROSPECT),
                ("lambda.toml", &format!("runtime = \"python3.{minor}\"\n")),
            ],
        );
        let run = sandbox.invoke(&dir, &[]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let version: Vec<String> = run.json()["version"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.to_string())
            .collect();
        assert_eq!(version.join("."), expected, "python3.{minor}");
        assert!(!run.stderr.contains("running on Python"), "{}", run.stderr);
    }
}

#[test]
fn a_missing_runtime_runs_on_the_nearest_python_and_says_so_once() {
    let sandbox = Sandbox::new();
    let dir = sandbox.function(
        "future",
        &[
            ("lambda_function.py", INTROSPECT),
            ("lambda.toml", "runtime = \"python3.14\"\n"),
        ],
    );
    if pyenv_newest(14).is_some() {
        eprintln!("skipping: this machine has a CPython 3.14");
        return;
    }
    // uv's download of 3.14 goes to a closed loopback port: it fails at once, as offline.
    let offline = [
        ("UV_PYTHON_INSTALL_MIRROR", "http://127.0.0.1:9"),
        ("UV_HTTP_RETRIES", "0"),
    ];
    let run = sandbox.invoke_with(&dir, &["--repeat", "2"], &offline);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let (_, nearest) = pyenv_newest(13).expect("a CPython 3.13 under pyenv");
    let note = format!(
        "runtime python3.14, running on Python {nearest}: no 3.14 found — install one with uv python install 3.14"
    );
    assert_eq!(run.stderr.matches(&note).count(), 1, "{}", run.stderr);
    if Command::new("uv")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
    {
        assert!(
            run.stderr
                .contains("installing one with `uv python install 3.14`")
                && run.stderr.contains("uv python install 3.14 failed"),
            "{}",
            run.stderr
        );
    }
    // Not tried again on the next run (for a day).
    let again = sandbox.invoke_with(&dir, &[], &offline);
    assert!(
        !again
            .stderr
            .contains("installing one with `uv python install 3.14`"),
        "{}",
        again.stderr
    );
    assert!(again.stderr.contains(&note));
}

#[test]
fn csv_report_runs_with_pandas_and_requests_installed_as_package_ships_them() {
    let sandbox = Sandbox::new();
    let dir = sandbox.temp.path().join("csv-report");
    copy_tree(&repo_root().join("examples/csv-report"), &dir);
    let _ = std::fs::remove_dir_all(dir.join(".venv"));
    let first = sandbox.invoke(&dir, &["--event", "sample"]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let report = first.json();
    assert_eq!(report["rows"], 5);
    assert_eq!(report["requests_version"], "2.32.3");
    assert!(
        first.stderr.contains(
            "lambda-ls: installing the dependencies of csv-report for Python 3.12 on x86_64"
        ) || first.stderr.contains(
            "lambda-ls: installing the dependencies of csv-report for Python 3.12 on arm64"
        ),
        "the first preparation shows progress:\n{}",
        first.stderr
    );
    let second = sandbox.invoke(&dir, &["--event", "sample"]);
    assert_eq!(second.json(), report);
    assert!(
        !second.stderr.contains("installing"),
        "cached:\n{}",
        second.stderr
    );
    // The same install `package` uses: packaging now needs no installer.
    let package = Command::new(binary())
        .args(["package"])
        .arg(&dir)
        .env("LAMBDA_LS_CACHE_DIR", sandbox.cache())
        .output()
        .unwrap();
    assert!(
        package.status.success(),
        "{}",
        String::from_utf8_lossy(&package.stderr)
    );
    let text = String::from_utf8_lossy(&package.stdout).into_owned()
        + &String::from_utf8_lossy(&package.stderr);
    assert!(
        text.contains("dependencies: cached"),
        "package reuses invoke's install:\n{text}"
    );
}

#[test]
fn boto3_comes_from_the_runtime_unless_the_function_ships_its_own() {
    let sandbox = Sandbox::new();
    let (python, _) = pyenv_newest(12).expect("a CPython 3.12 under pyenv");
    assert!(
        !python_imports(&python, "boto3"),
        "{} has boto3 installed: the test needs an interpreter that lacks it",
        python.display()
    );
    let event = r#"{"imports": ["boto3", "botocore"]}"#;
    let dir = sandbox.function(
        "sdk",
        &[
            ("lambda_function.py", INTROSPECT),
            // Importing boto3 takes a while on a busy machine.
            ("lambda.toml", "runtime = \"python3.12\"\ntimeout = 30\n"),
        ],
    );
    let run = sandbox.invoke(&dir, &["--event", event]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let imports = &run.json()["imports"];
    assert_eq!(
        imports["boto3"][0], "1.34.42",
        "the runtime's table: {imports}"
    );
    assert_eq!(imports["botocore"][0], "1.34.42");

    // A bare `boto3` line is for local development: `package` leaves it out, so it is the
    // runtime's that runs.
    std::fs::write(dir.join("requirements.txt"), "boto3\n").unwrap();
    let run = sandbox.invoke(&dir, &["--event", event]);
    assert_eq!(
        run.json()["imports"]["boto3"][0],
        "1.34.42",
        "{}",
        run.stderr
    );

    // A pinned boto3 ships, and wins over the runtime's.
    std::fs::write(dir.join("requirements.txt"), "boto3==1.35.0\n").unwrap();
    let run = sandbox.invoke(&dir, &["--event", event]);
    let imports = &run.json()["imports"];
    assert_eq!(imports["boto3"][0], "1.35.0", "{}", run.stderr);
    let botocore = imports["botocore"][0].as_str().unwrap();
    assert!(
        botocore.starts_with("1.35."),
        "boto3 1.35.0's own botocore: {botocore}"
    );
}

#[test]
fn nothing_from_the_hosts_site_packages_is_importable() {
    let sandbox = Sandbox::new();
    let (python, _) = pyenv_newest(11).expect("a CPython 3.11 under pyenv");
    let dir = sandbox.function(
        "leaky",
        &[
            (
                "lambda_function.py",
                "import requests\n\ndef lambda_handler(event, context):\n    return requests.__version__\n",
            ),
            ("lambda.toml", "runtime = \"python3.11\"\n"),
        ],
    );
    if !python_imports(&python, "requests") {
        eprintln!(
            "note: {} lacks requests, so this only shows the error",
            python.display()
        );
    }
    let run = sandbox.invoke(&dir, &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let error = run.json();
    assert_eq!(error["errorType"], "Runtime.ImportModuleError");
    assert_eq!(
        error["errorMessage"],
        "Unable to import module 'lambda_function': No module named 'requests'"
    );
    // Named in the requirements, it is there.
    std::fs::write(dir.join("requirements.txt"), "requests==2.32.3\n").unwrap();
    let run = sandbox.invoke(&dir, &[]);
    assert_eq!(run.stdout, "\"2.32.3\"", "{}", run.stderr);
    // The path is Lambda's: function folder, dependencies, runtime libraries, stdlib.
    std::fs::write(dir.join("lambda_function.py"), INTROSPECT).unwrap();
    let run = sandbox.invoke(&dir, &[]);
    let path: Vec<String> = run.json()["path"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap().to_string())
        .collect();
    let cache = sandbox.cache().display().to_string();
    assert_eq!(path[0], dir.canonicalize().unwrap().display().to_string());
    assert!(
        path[1].starts_with(&cache) && path[2].starts_with(&cache),
        "{path:?}"
    );
    assert!(
        path[3..].iter().all(|p| !p.contains("site-packages")),
        "{path:?}"
    );
}

#[test]
fn an_arm64_function_runs_with_this_hosts_wheels_of_the_same_versions() {
    let sandbox = Sandbox::new();
    let (lambda, host) = if cfg!(target_arch = "aarch64") {
        ("x86_64", "arm64")
    } else {
        ("arm64", "x86_64")
    };
    let handler = "import markupsafe, markupsafe._speedups as speedups\n\ndef lambda_handler(event, context):\n    return [markupsafe.__version__, speedups.__file__]\n";
    let dir = sandbox.function(
        "cross",
        &[
            ("lambda_function.py", handler),
            ("requirements.txt", "markupsafe==2.1.5\n"),
            (
                "lambda.toml",
                &format!("runtime = \"python3.12\"\narchitecture = \"{lambda}\"\n"),
            ),
        ],
    );
    let run = sandbox.invoke(&dir, &["--repeat", "2"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let note = format!(
        "lambda-ls: {lambda} function running on this {host} machine with {host} wheels of the same versions (no emulation)"
    );
    assert_eq!(
        run.stderr.matches(&note).count(),
        1,
        "once:\n{}",
        run.stderr
    );
    let first_line = run.stdout.lines().next().unwrap();
    let answer: Value = serde_json::from_str(first_line).unwrap();
    assert_eq!(answer[0], "2.1.5");
    let machine = if host == "x86_64" {
        "x86_64"
    } else {
        "aarch64"
    };
    assert!(
        answer[1]
            .as_str()
            .unwrap()
            .contains(&format!("{machine}-linux-gnu")),
        "the host's native extension: {answer}"
    );
}

/// `lambda-ls serve` of `dir` on a free port, killed when dropped.
struct Served {
    child: std::process::Child,
    address: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn get(address: &str) -> Value {
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    write!(
        stream,
        "GET / HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    std::io::Read::read_to_string(&mut stream, &mut response).unwrap();
    let body = response.split("\r\n\r\n").nth(1).unwrap_or("");
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {response}"))
}

#[test]
fn a_warm_environment_is_rebuilt_when_the_requirements_change() {
    let sandbox = Sandbox::new();
    let handler = "import json, os, six\n\ndef lambda_handler(event, context):\n    return {\"statusCode\": 200, \"body\": json.dumps(\"%s %d\" % (six.__version__, os.getpid()))}\n";
    let dir = sandbox.function(
        "warm",
        &[
            ("lambda_function.py", handler),
            ("requirements.txt", "six==1.16.0\n"),
            (
                "lambda.toml",
                "runtime = \"python3.12\"\n[[trigger]]\ntype = \"function-url\"\n",
            ),
        ],
    );
    let mut child = Command::new(binary())
        .arg("serve")
        .arg(&dir)
        .args(["--port", "0"])
        .env("LAMBDA_LS_CACHE_DIR", sandbox.cache())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let served = Served {
        address: serve_address(&mut child),
        child,
    };
    let body = |v: Value| v.as_str().unwrap().to_string();
    let first = body(get(&served.address));
    assert!(first.starts_with("1.16.0 "), "{first}");
    assert_eq!(body(get(&served.address)), first, "warm: same process");
    std::fs::write(dir.join("requirements.txt"), "six==1.17.0\n").unwrap();
    let rebuilt = body(get(&served.address));
    assert!(rebuilt.starts_with("1.17.0 "), "{rebuilt}");
    assert_ne!(
        rebuilt.split(' ').nth(1),
        first.split(' ').nth(1),
        "a new process"
    );
}
