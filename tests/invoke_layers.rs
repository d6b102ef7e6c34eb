//! Layers for local invoke, end to end through the binary: `layers` in lambda.toml are
//! fetched with GetLayerVersionByArn and the content location it returns — here from a
//! stand-in on 127.0.0.1 (`fixtures/invoke/layer_stand_in.py`, reached through
//! `AWS_ENDPOINT_URL_LAMBDA`, killed by pid) — once, into the cache, and put where Lambda
//! puts `/opt/python`, `/opt/bin` and `/opt/lib`. Each test has a lambda-ls cache of its own.

mod support;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use serde_json::Value;
use support::{binary, repo_root};

const PANDAS_LIKE: &str = "arn:aws:lambda:eu-west-1:123456789012:layer:fastcsv:4";
const TOOLS: &str = "arn:aws:lambda:eu-west-1:123456789012:layer:tools:1";

/// The stand-in, killed by pid when dropped.
struct StandIn {
    child: Child,
    port: u16,
    requests: PathBuf,
}

impl StandIn {
    fn start(layers: &Path, scratch: &Path) -> StandIn {
        let requests = scratch.join("requests.log");
        let mut child = Command::new("python3")
            .arg(repo_root().join("tests/fixtures/invoke/layer_stand_in.py"))
            .arg(layers)
            .arg(&requests)
            .arg("300")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line.trim().parse().expect("the stand-in prints its port");
        StandIn {
            child,
            port,
            requests,
        }
    }

    /// The requests so far, `METHOD path` each.
    fn requests(&self) -> Vec<String> {
        std::fs::read_to_string(&self.requests)
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect()
    }
}

impl Drop for StandIn {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A zip of `(name, text, unix mode)` written by Python's zipfile.
fn write_zip(path: &Path, entries: &[(&str, &str, u32)]) {
    let spec = serde_json::to_string(entries).unwrap();
    let status = Command::new("python3")
        .args([
            "-c",
            "import json, sys, zipfile\nwith zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED) as z:\n    for name, text, mode in json.loads(sys.argv[2]):\n        info = zipfile.ZipInfo(name)\n        info.external_attr = mode << 16\n        info.create_system = 3\n        info.compress_type = zipfile.ZIP_DEFLATED\n        z.writestr(info, text)\n",
        ])
        .arg(path)
        .arg(spec)
        .status()
        .unwrap();
    assert!(status.success());
}

struct Sandbox {
    temp: tempfile::TempDir,
}

impl Sandbox {
    fn new() -> Sandbox {
        let sandbox = Sandbox {
            temp: tempfile::tempdir().unwrap(),
        };
        std::fs::create_dir_all(sandbox.layers()).unwrap();
        sandbox
    }

    fn layers(&self) -> PathBuf {
        self.temp.path().join("layers")
    }

    fn function(&self, toml: &str, handler: &str) -> PathBuf {
        let dir = self.temp.path().join("fn");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("lambda.toml"), toml).unwrap();
        std::fs::write(dir.join("lambda_function.py"), handler).unwrap();
        dir
    }

    /// `lambda-ls invoke dir`, with emulator credentials and nothing from this machine's
    /// AWS setup, the Lambda endpoint at `endpoint`.
    fn invoke(&self, dir: &Path, endpoint: &str) -> Output {
        let none = self.temp.path().join("no-aws-config");
        Command::new(binary())
            .arg("invoke")
            .arg(dir)
            .env("LAMBDA_LS_CACHE_DIR", self.temp.path().join("cache"))
            .env("AWS_ENDPOINT_URL_LAMBDA", endpoint)
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_CONFIG_FILE", &none)
            .env("AWS_SHARED_CREDENTIALS_FILE", &none)
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env_remove("AWS_PROFILE")
            .env_remove("AWS_SESSION_TOKEN")
            .env_remove("AWS_ENDPOINT_URL")
            .stdin(Stdio::null())
            .output()
            .expect("lambda-ls starts")
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn a_layer_is_downloaded_once_cached_and_importable_where_lambda_puts_it() {
    let sandbox = Sandbox::new();
    write_zip(
        &sandbox.layers().join("fastcsv.zip"),
        &[
            (
                "python/lib/python3.12/site-packages/fastcsv.py",
                "WHERE = 'site-packages'\n",
                0o100_644,
            ),
            ("python/layer_helpers.py", "WHERE = 'python'\n", 0o100_644),
        ],
    );
    write_zip(
        &sandbox.layers().join("tools.zip"),
        &[
            ("bin/layer-tool", "#!/bin/sh\necho tool-ran\n", 0o100_755),
            ("lib/libtools.so", "not really a library", 0o100_644),
        ],
    );
    let stand_in = StandIn::start(&sandbox.layers(), sandbox.temp.path());
    let endpoint = format!("http://127.0.0.1:{}", stand_in.port);
    let handler = r#"import os, subprocess, sys
import fastcsv, layer_helpers

def lambda_handler(event, context):
    return {
        "fastcsv": [fastcsv.WHERE, fastcsv.__file__],
        "helpers": layer_helpers.WHERE,
        "tool": subprocess.run(["layer-tool"], capture_output=True, text=True).stdout.strip(),
        "ld": os.environ.get("LD_LIBRARY_PATH", ""),
        "path": sys.path,
    }
"#;
    let dir = sandbox.function(
        &format!("runtime = \"python3.12\"\nlayers = [\"{PANDAS_LIKE}\", \"{TOOLS}\"]\n"),
        handler,
    );

    let first = sandbox.invoke(&dir, &endpoint);
    let stderr = text(&first.stderr);
    assert!(first.status.success(), "{stderr}\n{}", text(&first.stdout));
    let answer: Value = serde_json::from_slice(&first.stdout).unwrap();
    assert_eq!(answer["fastcsv"][0], "site-packages");
    assert_eq!(answer["helpers"], "python");
    assert_eq!(answer["tool"], "tool-ran", "the layer's bin is on PATH");
    assert!(
        answer["ld"].as_str().unwrap().contains("/opt/lib"),
        "the layer's lib is on LD_LIBRARY_PATH: {answer}"
    );
    // Lambda's order: the function's folder, the layers, then the runtime's libraries.
    let path: Vec<&str> = answer["path"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    let position = |needle: &str| {
        path.iter()
            .position(|p| p.ends_with(needle))
            .unwrap_or_else(|| panic!("{needle} not on {path:?}"))
    };
    assert!(position("fn") < position("opt/python/lib/python3.12/site-packages"));
    assert!(position("opt/python/lib/python3.12/site-packages") < position("opt/python"));
    for arn in [PANDAS_LIKE, TOOLS] {
        assert_eq!(
            stderr.matches(&format!("downloading layer {arn}")).count(),
            1,
            "{stderr}"
        );
    }
    assert!(
        !stderr.contains("X-Amz-Signature"),
        "the content location's signature is never printed"
    );
    let requests = stand_in.requests();
    assert_eq!(
        requests,
        [
            "GET /2018-10-31/layers",
            "GET /content/fastcsv.zip",
            "GET /2018-10-31/layers",
            "GET /content/tools.zip",
        ]
    );

    // A second invoke (a new process, so a cold start) uses the cache: no request at all.
    let second = sandbox.invoke(&dir, &endpoint);
    assert!(second.status.success(), "{}", text(&second.stderr));
    assert_eq!(
        serde_json::from_slice::<Value>(&second.stdout).unwrap()["fastcsv"],
        answer["fastcsv"]
    );
    assert!(!text(&second.stderr).contains("downloading layer"));
    assert_eq!(stand_in.requests().len(), 4, "nothing downloaded again");
}

#[test]
fn a_layer_that_cannot_be_fetched_is_named_with_what_to_do() {
    let sandbox = Sandbox::new();
    let stand_in = StandIn::start(&sandbox.layers(), sandbox.temp.path());
    let dir = sandbox.function(
        &format!("layers = [\"{PANDAS_LIKE}\"]\n"),
        "def lambda_handler(event, context):\n    return 1\n",
    );
    // The stand-in has no such layer.
    let missing = sandbox.invoke(&dir, &format!("http://127.0.0.1:{}", stand_in.port));
    assert!(!missing.status.success());
    let stderr = text(&missing.stderr);
    assert!(
        stderr.contains(&format!("could not fetch layer {PANDAS_LIKE}"))
            && stderr.contains("ResourceNotFoundException")
            && stderr.contains("credentials"),
        "{stderr}"
    );
    assert!(missing.stdout.is_empty(), "no payload: nothing ran");

    // Nothing listening (offline, or a wrong endpoint).
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let offline = sandbox.invoke(&dir, &format!("http://127.0.0.1:{port}"));
    assert!(!offline.status.success());
    let stderr = text(&offline.stderr);
    assert!(
        stderr.contains(&format!("could not fetch layer {PANDAS_LIKE}"))
            && stderr.contains("network"),
        "{stderr}"
    );

    // An ARN that is not a layer version's is named before anything is fetched.
    let dir = sandbox.function(
        "layers = [\"arn:aws:lambda:eu-west-1:123456789012:layer:fastcsv\"]\n",
        "def lambda_handler(event, context):\n    return 1\n",
    );
    let bad = sandbox.invoke(&dir, &format!("http://127.0.0.1:{}", stand_in.port));
    let stderr = text(&bad.stderr);
    assert!(
        !bad.status.success()
            && stderr.contains("layer `arn:aws:lambda:eu-west-1:123456789012:layer:fastcsv`")
            && stderr.contains("add `:VERSION`"),
        "{stderr}"
    );
    assert!(stand_in
        .requests()
        .iter()
        .all(|r| !r.contains("fastcsv.zip")));
}
