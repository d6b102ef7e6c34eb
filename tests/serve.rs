//! `lambda-ls serve` end to end: a real HTTP client against the local endpoint, proxy
//! events and responses, warm reuse and its invalidation, concurrency and errors.

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde_json::Value;
use support::{binary, copy_tree, repo_root, serve_address};

/// A running `lambda-ls serve`, killed by pid when dropped.
struct Server {
    child: Child,
    address: String,
    _temp: tempfile::TempDir,
    dir: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        // SIGTERM first: the server then stops its function processes itself.
        let _ = Command::new("kill")
            .arg(self.child.id().to_string())
            .status();
        for _ in 0..40 {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(from: &Path, extra: &[&str]) -> Server {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join(from.file_name().unwrap());
    copy_tree(from, &dir);
    let mut child = Command::new(binary())
        .arg("serve")
        .arg(&dir)
        .args(["--port", "0"])
        .args(extra)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("lambda-ls starts");
    let address = serve_address(&mut child);
    Server {
        child,
        address,
        _temp: temp,
        dir,
    }
}

struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Response {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
    fn header_values(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

fn request(address: &str, method: &str, target: &str, body: &str) -> Response {
    let mut stream = TcpStream::connect(address).unwrap();
    write!(
        stream,
        "{method} {target} HTTP/1.1\r\nHost: {address}\r\nUser-Agent: e2e\r\nCookie: session=abc\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    Response {
        status,
        headers,
        body: body.to_string(),
    }
}

fn get(server: &Server, target: &str) -> Response {
    request(&server.address, "GET", target, "")
}

#[test]
fn sum_example_answers_curl_style_requests() {
    let server = serve(&repo_root().join("examples/sum"), &[]);
    let response = get(&server, "/sum?a=1&b=2");
    assert_eq!(response.status, 200, "{}", response.body);
    assert_eq!(response.json(), serde_json::json!({"sum": 3}));
    assert_eq!(response.header_values("content-type"), ["application/json"]);
    let response = get(&server, "/sum?a=x&b=2");
    assert_eq!(response.status, 400);
}

fn write_handler(dir: &Path, body: &str) {
    std::fs::write(dir.join("lambda_function.py"), body).unwrap();
}

#[test]
fn http_api_events_and_proxy_responses() {
    let server = serve(&repo_root().join("examples/sum"), &[]);
    // Every path reaches the function through a greedy route.
    let config = server.dir.join("lambda.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, format!("{text}path = \"/{{proxy+}}\"\n")).unwrap();
    write_handler(
        &server.dir,
        r#"import base64, json
def lambda_handler(event, context):
    if event["rawPath"] == "/plain":
        return {"just": "json"}
    if event["rawPath"] == "/boom":
        raise ValueError("boom")
    return {
        "statusCode": 201,
        "headers": {"X-Echo": event["requestContext"]["http"]["method"]},
        "multiValueHeaders": {"X-Multi": ["a", "b"]},
        "cookies": ["one=1", "two=2"],
        "body": base64.b64encode(json.dumps({"event": event}).encode()).decode(),
        "isBase64Encoded": True,
    }
"#,
    );
    let response = request(&server.address, "POST", "/items?tag=a&tag=b", r#"{"x": 1}"#);
    assert_eq!(response.status, 201, "{}", response.body);
    assert_eq!(response.header_values("x-echo"), ["POST"]);
    assert_eq!(response.header_values("x-multi"), ["a", "b"]);
    assert_eq!(response.header_values("set-cookie"), ["one=1", "two=2"]);
    let event = &response.json()["event"];
    assert_eq!(event["version"], "2.0");
    assert_eq!(event["rawPath"], "/items");
    assert_eq!(event["rawQueryString"], "tag=a&tag=b");
    assert_eq!(event["queryStringParameters"]["tag"], "a,b");
    assert_eq!(event["cookies"], serde_json::json!(["session=abc"]));
    assert_eq!(event["headers"]["user-agent"], "e2e");
    assert_eq!(event["body"], r#"{"x": 1}"#);
    assert_eq!(event["isBase64Encoded"], false);
    // Non-proxy JSON → 200 with it as the body (payload 2.0); a function error → 502.
    let response = get(&server, "/plain");
    assert_eq!(
        (response.status, response.json()),
        (200, serde_json::json!({"just": "json"}))
    );
    let response = get(&server, "/boom");
    assert_eq!(response.status, 502);
    assert_eq!(response.body, r#"{"message":"Internal Server Error"}"#);
}

#[test]
fn rest_api_trigger_gets_payload_v1() {
    let server = serve(&repo_root().join("tests/fixtures/functions/rest-api"), &[]);
    let response = get(&server, "/orders/7?tag=a&tag=b");
    assert_eq!(response.status, 200, "{}", response.body);
    assert_eq!(
        response.json(),
        serde_json::json!({"method": "GET", "path": "/orders/7", "query": {"tag": ["a", "b"]}, "body": null})
    );
    assert_eq!(response.header_values("x-tag"), ["a", "b"]);
}

#[test]
fn only_the_configured_route_reaches_the_function() {
    // examples/sum: `http-api` without a path is `ANY /sum` (the function's name).
    let server = serve(&repo_root().join("examples/sum"), &[]);
    assert_eq!(get(&server, "/sum?a=1&b=2").status, 200);
    let response = get(&server, "/other");
    assert_eq!(
        (response.status, response.body.as_str()),
        (404, r#"{"message":"Not Found"}"#)
    );
    // A method and a path with a parameter.
    let config = server.dir.join("lambda.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        format!("{text}method = \"GET\"\npath = \"/sum/{{a}}\"\n"),
    )
    .unwrap();
    write_handler(
        &server.dir,
        "def lambda_handler(event, context):\n    return {\"route\": event[\"routeKey\"], \"a\": event[\"pathParameters\"][\"a\"]}\n",
    );
    let response = get(&server, "/sum/40");
    assert_eq!(
        (response.status, response.json()),
        (200, serde_json::json!({"route": "GET /sum/{a}", "a": "40"}))
    );
    assert_eq!(
        request(&server.address, "POST", "/sum/40", "{}").status,
        404
    );
    assert_eq!(get(&server, "/sum").status, 404);

    // A REST API answers an unknown route as API Gateway does.
    let server = serve(&repo_root().join("tests/fixtures/functions/rest-api"), &[]);
    let config = server.dir.join("lambda.toml");
    std::fs::write(
        &config,
        "[[trigger]]\ntype = \"api\"\nmethod = \"GET\"\npath = \"/orders/{id}\"\n",
    )
    .unwrap();
    assert_eq!(get(&server, "/orders/7").status, 200);
    let response = get(&server, "/");
    assert_eq!(
        (response.status, response.body.as_str()),
        (403, r#"{"message":"Missing Authentication Token"}"#)
    );
}

/// Send raw bytes on a new connection, end the sending side, read the whole answer.
fn raw_exchange(address: &str, raw: &[u8]) -> String {
    let mut stream = TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .unwrap();
    let _ = stream.write_all(raw);
    let _ = stream.shutdown(std::net::Shutdown::Write);
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).into_owned()
}

#[test]
fn malformed_framing_gets_a_4xx_and_serving_goes_on() {
    let server = serve(&repo_root().join("examples/sum"), &[]);
    // A chunk size beyond any integer (the hand-written parser overflowed on it).
    let answer = raw_exchange(
        &server.address,
        b"POST /sum HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFF\r\nabc\r\n0\r\n\r\n",
    );
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer:?}");
    // A header line over 64 KiB is refused whole, not split into bogus headers.
    let mut raw = b"GET /sum?a=1&b=2 HTTP/1.1\r\nHost: x\r\nX-Big: ".to_vec();
    raw.extend(std::iter::repeat_n(b'a', 70 * 1024));
    raw.extend(b"\r\n\r\n");
    let answer = raw_exchange(&server.address, &raw);
    assert!(
        answer.starts_with("HTTP/1.1 431"),
        "{}",
        &answer[..answer.len().min(200)]
    );
    // Too large a body: 413, as API Gateway words it.
    let answer = raw_exchange(
        &server.address,
        b"POST /sum HTTP/1.1\r\nHost: x\r\nContent-Length: 20000000\r\n\r\n{}",
    );
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer:?}");
    assert!(
        answer.ends_with(r#"{"message":"Request Entity Too Large"}"#),
        "{answer:?}"
    );
    let response = get(&server, "/sum?a=1&b=2");
    assert_eq!(
        (response.status, response.json()),
        (200, serde_json::json!({"sum": 3}))
    );
}

const COUNTER: &str = r#"import os
COUNT = 0
def lambda_handler(event, context):
    global COUNT
    COUNT += 1
    return {"count": COUNT, "pid": os.getpid()}
"#;

#[test]
fn warm_environment_is_reused_until_the_code_changes() {
    let server = serve(&repo_root().join("examples/sum"), &[]);
    write_handler(&server.dir, COUNTER);
    let first = get(&server, "/sum").json();
    let second = get(&server, "/sum").json();
    assert_eq!(first["count"], 1);
    assert_eq!(
        second["count"], 2,
        "module-level state survives between invokes"
    );
    assert_eq!(first["pid"], second["pid"]);
    // Any change to the function's files starts a fresh environment.
    write_handler(&server.dir, &format!("{COUNTER}\n# edited\n"));
    let third = get(&server, "/sum").json();
    assert_eq!(third["count"], 1);
    assert_ne!(third["pid"], first["pid"]);
    // So does a change to its configuration.
    let toml = std::fs::read_to_string(server.dir.join("lambda.toml")).unwrap();
    std::fs::write(
        server.dir.join("lambda.toml"),
        toml.replace("memory = 128", "memory = 256"),
    )
    .unwrap();
    assert_eq!(get(&server, "/sum").json()["count"], 1);
}

const SLOW: &str = r#"import os, time
def lambda_handler(event, context):
    time.sleep(0.4)
    return {"pid": os.getpid()}
"#;

fn concurrent_pids(server: &Server) -> Vec<Value> {
    let address = server.address.clone();
    let handles: Vec<_> = (0..2)
        .map(|_| {
            let address = address.clone();
            std::thread::spawn(move || request(&address, "GET", "/sum", "").json()["pid"].clone())
        })
        .collect();
    handles.into_iter().map(|h| h.join().unwrap()).collect()
}

#[test]
fn concurrent_requests_get_separate_environments_up_to_the_limit() {
    let server = serve(&repo_root().join("examples/sum"), &["--concurrency", "2"]);
    write_handler(&server.dir, SLOW);
    let pids = concurrent_pids(&server);
    assert_ne!(pids[0], pids[1], "two at once, two environments");
    // At the limit, requests queue and reuse the warm environment.
    let server = serve(&repo_root().join("examples/sum"), &["--concurrency", "1"]);
    write_handler(&server.dir, SLOW);
    let pids = concurrent_pids(&server);
    assert_eq!(pids[0], pids[1], "one at a time, one environment");
}

#[test]
fn serve_through_awslambdaric_gives_the_same_answer() {
    let available = Command::new("python3")
        .args(["-c", "import awslambdaric"])
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if !available {
        eprintln!("skipping: `python3 -c 'import awslambdaric'` fails (tests/setup/python.sh installs it)");
        return;
    }
    let server = serve(
        &repo_root().join("examples/sum"),
        &["--client", "awslambdaric"],
    );
    let response = get(&server, "/sum?a=40&b=2");
    assert_eq!(
        (response.status, response.json()),
        (200, serde_json::json!({"sum": 42}))
    );
}

#[test]
fn an_explicit_venv_is_the_interpreter_and_installs_start_afresh() {
    let server = serve(&repo_root().join("examples/sum"), &[]);
    let venv = server.dir.join(".venv");
    let created = Command::new("python3")
        .args(["-m", "venv", "--without-pip"])
        .arg(&venv)
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if !created {
        eprintln!("skipping: `python3 -m venv` is not available here");
        return;
    }
    write_handler(
        &server.dir,
        "import os, sys\ndef lambda_handler(event, context):\n    return {\"prefix\": sys.prefix, \"pid\": os.getpid()}\n",
    );
    // What runs is what ships: a `.venv` in the folder is not picked silently…
    let prefix = get(&server, "/sum").json()["prefix"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(!prefix.ends_with("/.venv"), "{prefix}");
    // …`python` in lambda.toml is the explicit way to run in it.
    let config = server.dir.join("lambda.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, format!("python = \".venv/bin/python\"\n{text}")).unwrap();
    let first = get(&server, "/sum").json();
    let prefix = first["prefix"].as_str().unwrap().to_string();
    assert!(prefix.ends_with("/.venv"), "{prefix}");
    assert_eq!(get(&server, "/sum").json()["pid"], first["pid"], "warm");
    // Installing a package (a new entry in site-packages) starts a new environment.
    let lib = std::fs::read_dir(venv.join("lib"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    std::fs::write(lib.join("site-packages").join("newdep.py"), "VALUE = 1\n").unwrap();
    assert_ne!(get(&server, "/sum").json()["pid"], first["pid"]);
}
