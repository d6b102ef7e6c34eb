//! The deploy suites' harness: a moto server of each test's own (started on 127.0.0.1,
//! killed by pid when dropped), the CLI run with emulator credentials and nothing from this
//! machine's AWS setup, an independent boto3 client, and moto's request recording.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::support::{binary, copy_tree, repo_root};
use serde_json::{json, Value};

pub const REGION: &str = "eu-west-1";
pub const ROLE: &str = "arn:aws:iam::123456789012:role/lambda-basic";
pub const SECRET: &str = "s3cr3t-never-printed";

pub fn fixture(name: &str) -> PathBuf {
    repo_root().join("tests/fixtures/deploy").join(name)
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A moto server of this test's own, killed by pid when dropped.
pub struct Moto {
    child: Child,
    pub port: u16,
    /// Scratch space: the request recording, empty AWS config files, a HOME.
    pub dir: tempfile::TempDir,
}

impl Moto {
    pub fn start() -> Moto {
        Moto::start_with(&[])
    }

    /// `start`, with moto settings in its environment.
    pub fn start_with(settings: &[(&str, &str)]) -> Moto {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        // moto's server, with a bridge for CloudWatch's CBOR protocol (see the script).
        let child = Command::new("python3")
            .arg(repo_root().join("tests/aws_emulator/moto_server.py"))
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .envs(settings.iter().copied())
            .env("MOTO_ENABLE_RECORDING", "true")
            .env("MOTO_RECORDER_FILEPATH", dir.path().join("recording.jsonl"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("moto server starts (tests/setup/aws.sh installs moto[server] and cbor2)");
        let moto = Moto { child, port, dir };
        let started = Instant::now();
        while http(port, "GET", "/moto-api/", "").is_none() {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "moto did not answer on port {port}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        // Invoke answers without Docker.
        let (status, _) = http(
            port,
            "POST",
            "/moto-api/config",
            r#"{"lambda": {"use_docker": false}}"#,
        )
        .unwrap();
        assert!(status == 200 || status == 201, "moto config: {status}");
        std::fs::write(moto.dir.path().join("empty"), "").unwrap();
        moto.call("iam", "create_role", json!({
            "RoleName": "lambda-basic",
            "AssumeRolePolicyDocument": r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#,
        }));
        moto
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// One AWS API call with boto3, its result as JSON (`{"Error": …}` on an AWS error).
    pub fn call(&self, service: &str, operation: &str, params: Value) -> Value {
        let output = Command::new("python3")
            .arg(fixture("aws_call.py"))
            .args([&self.endpoint(), REGION, service, operation])
            .arg(params.to_string())
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{service}.{operation}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice(&output.stdout).unwrap()
    }

    /// `lambda-ls ARGS` in `dir` with emulator credentials and nothing from this machine's
    /// own AWS setup.
    pub fn cli(&self, dir: &Path, args: &[&str]) -> Output {
        self.command(dir, args).output().unwrap()
    }

    /// The command `cli` runs, to start it in the background.
    pub fn command(&self, dir: &Path, args: &[&str]) -> Command {
        let mut command = self.isolated_command(dir, args);
        command
            .env("AWS_ENDPOINT_URL", self.endpoint())
            .env("AWS_ACCESS_KEY_ID", "AKIAEMULATOR")
            .env("AWS_SECRET_ACCESS_KEY", "emulator-secret");
        command
    }

    /// `lambda-ls ARGS` signed with an access key moto does not know (start moto with
    /// `INITIAL_NO_AUTH_ACTION_COUNT` so that it checks).
    pub fn cli_with_unknown_key(&self, dir: &Path, args: &[&str]) -> Output {
        let mut command = self.isolated_command(dir, args);
        command
            .env("AWS_ENDPOINT_URL", self.endpoint())
            .env("AWS_ACCESS_KEY_ID", "AKIAUNKNOWNKEY")
            .env("AWS_SECRET_ACCESS_KEY", "emulator-secret");
        command.output().unwrap()
    }

    /// `lambda-ls ARGS` with emulator credentials, against `endpoint` instead of moto.
    pub fn cli_at(&self, endpoint: &str, dir: &Path, args: &[&str]) -> Output {
        let mut command = self.isolated_command(dir, args);
        command
            .env("AWS_ENDPOINT_URL", endpoint)
            .env("AWS_ACCESS_KEY_ID", "AKIAEMULATOR")
            .env("AWS_SECRET_ACCESS_KEY", "emulator-secret");
        command.output().unwrap()
    }

    /// The environment `cli` gives the binary, for tests that call the library in process.
    pub fn environment(&self) -> Vec<(String, String)> {
        let command = self.isolated_command(Path::new("."), &[]);
        let mut variables: Vec<(String, String)> = command
            .get_envs()
            .filter_map(|(k, v)| Some((k.to_str()?.to_string(), v?.to_str()?.to_string())))
            .collect();
        variables.extend([
            ("AWS_ENDPOINT_URL".to_string(), self.endpoint()),
            ("AWS_ACCESS_KEY_ID".to_string(), "AKIAEMULATOR".to_string()),
            (
                "AWS_SECRET_ACCESS_KEY".to_string(),
                "emulator-secret".to_string(),
            ),
        ]);
        variables
    }

    /// The binary with every AWS setting of this machine removed.
    pub fn isolated_command(&self, dir: &Path, args: &[&str]) -> Command {
        let mut command = Command::new(binary());
        command.args(args).current_dir(dir).stdin(Stdio::null());
        for (name, _) in std::env::vars() {
            if name.starts_with("AWS_") {
                command.env_remove(name);
            }
        }
        command
            .env("HOME", self.dir.path())
            .env("AWS_CONFIG_FILE", self.dir.path().join("empty"))
            .env("AWS_SHARED_CREDENTIALS_FILE", self.dir.path().join("empty"))
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("HELLO_API_KEY", SECRET);
        command
    }

    /// Requests moto received so far (method, path, headers, body), in order.
    pub fn recorded(&self) -> Vec<Value> {
        let path = self.dir.path().join("recording.jsonl");
        let text = std::fs::read_to_string(path).unwrap_or_default();
        text.lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect()
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A plain HTTP/1.1 request to 127.0.0.1:port: (status, body), or None when nothing listens.
pub fn http(port: u16, method: &str, path: &str, body: &str) -> Option<(u16, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let status = response.split_whitespace().nth(1)?.parse().ok()?;
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    Some((status, body))
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

pub fn assert_ok(output: &Output) -> String {
    let stdout = text(&output.stdout);
    assert!(
        output.status.success(),
        "exit {:?}\nstdout:\n{stdout}\nstderr:\n{}",
        output.status.code(),
        text(&output.stderr)
    );
    assert_no_secret(output);
    stdout
}

/// Neither the credentials nor a `from_env` value ever reach the output.
pub fn assert_no_secret(output: &Output) {
    let all = format!("{}{}", text(&output.stdout), text(&output.stderr));
    for secret in [SECRET, "emulator-secret", "imds-secret"] {
        assert!(!all.contains(secret), "{secret} was printed:\n{all}");
    }
}

pub fn assert_fails_with(output: &Output, needles: &[&str]) -> String {
    let stderr = text(&output.stderr);
    assert_eq!(
        output.status.code(),
        Some(2),
        "expected exit 2\nstdout:\n{}\nstderr:\n{stderr}",
        text(&output.stdout)
    );
    for needle in needles {
        assert!(stderr.contains(needle), "missing {needle:?} in:\n{stderr}");
    }
    assert_no_secret(output);
    stderr
}

/// Requests that could change something: anything but reads. EventBridge and STS send
/// reads as POST too, so those are told apart by their operation.
pub fn changing_requests(requests: &[Value]) -> Vec<String> {
    requests
        .iter()
        .filter_map(|r| {
            let method = r["method"].as_str().unwrap_or("");
            let url = r["url"].as_str().unwrap_or("");
            let target = r["headers"]
                .as_object()
                .and_then(|h| {
                    h.iter()
                        .find(|(k, _)| k.eq_ignore_ascii_case("x-amz-target"))
                        .and_then(|(_, v)| v.as_str())
                })
                .unwrap_or("");
            let body = body_bytes(r);
            let read = method == "GET"
                || method == "HEAD"
                || target.starts_with("AWSEvents.Describe")
                || target.starts_with("AWSEvents.List")
                || String::from_utf8_lossy(&body).contains("Action=GetCallerIdentity");
            (!read).then(|| format!("{method} {url} {target}"))
        })
        .collect()
}

pub fn body_bytes(request: &Value) -> Vec<u8> {
    use base64::Engine;
    let body = request["body"].as_str().unwrap_or("");
    if request["body_encoded"].as_bool() == Some(true) {
        base64::engine::general_purpose::STANDARD
            .decode(body)
            .unwrap_or_default()
    } else {
        body.as_bytes().to_vec()
    }
}

pub fn function(moto: &Moto, name: &str) -> Value {
    moto.call("lambda", "get_function", json!({"FunctionName": name}))
}

pub fn work_copy(name: &str) -> (tempfile::TempDir, PathBuf) {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join(name);
    copy_tree(&fixture(name), &dir);
    (temp, dir)
}
