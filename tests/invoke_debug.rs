//! `lambda-ls invoke --debug-port`, end to end: a Debug Adapter Protocol client (written
//! here, speaking to debugpy as VS Code would) attaches, stops at breakpoints in the handler
//! and in a module it calls, reads `event` from the frame's locals, continues, and the
//! payload is printed; the function's timeout does not end a process a debugger holds.

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};
use support::binary;

/// A minimal DAP client over TCP (`Content-Length` framed JSON).
struct Dap {
    writer: TcpStream,
    reader: BufReader<TcpStream>,
    seq: u64,
    /// Everything received, for failure messages.
    seen: Vec<String>,
}

impl Dap {
    fn connect(address: &str) -> Dap {
        let stream = TcpStream::connect(address).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(120)))
            .unwrap();
        Dap {
            reader: BufReader::new(stream.try_clone().unwrap()),
            writer: stream,
            seq: 0,
            seen: Vec::new(),
        }
    }

    fn send(&mut self, command: &str, arguments: Value) {
        self.seq += 1;
        let body =
            json!({"seq": self.seq, "type": "request", "command": command, "arguments": arguments})
                .to_string();
        write!(self.writer, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
    }

    fn receive(&mut self) -> Value {
        let mut length = 0;
        loop {
            let mut line = String::new();
            let read = self.reader.read_line(&mut line).unwrap_or(0);
            assert!(
                read > 0,
                "debugpy closed the connection; seen: {:#?}",
                self.seen
            );
            let line = line.trim();
            if line.is_empty() {
                break;
            }
            if let Some(value) = line.strip_prefix("Content-Length:") {
                length = value.trim().parse().unwrap();
            }
        }
        let mut body = vec![0; length];
        if let Err(e) = self.reader.read_exact(&mut body) {
            panic!("reading from debugpy: {e}; seen: {:#?}", self.seen);
        }
        let message: Value = serde_json::from_slice(&body).unwrap();
        self.seen.push(format!(
            "{} {}",
            message["type"],
            message
                .get("event")
                .or(message.get("command"))
                .unwrap_or(&Value::Null)
        ));
        message
    }

    /// The next event named `event`.
    fn event(&mut self, event: &str) -> Value {
        loop {
            let message = self.receive();
            if message["type"] == "event" && message["event"] == event {
                return message;
            }
        }
    }

    /// Send a request and wait for its response.
    fn call(&mut self, command: &str, arguments: Value) -> Value {
        self.send(command, arguments);
        loop {
            let message = self.receive();
            if message["type"] == "response" && message["command"] == command {
                assert_eq!(message["success"], true, "{command}: {message}");
                return message;
            }
        }
    }

    /// Where the stopped thread is: (file, line, the top frame's local variables).
    fn stopped_at(&mut self) -> (String, u64, Vec<(String, String)>, u64) {
        let stopped = self.event("stopped");
        let thread = stopped["body"]["threadId"].as_u64().unwrap();
        let trace = self.call("stackTrace", json!({"threadId": thread}));
        let frame = &trace["body"]["stackFrames"][0];
        let file = frame["source"]["path"].as_str().unwrap().to_string();
        let line = frame["line"].as_u64().unwrap();
        let scopes = self.call("scopes", json!({"frameId": frame["id"]}));
        let locals = scopes["body"]["scopes"][0]["variablesReference"].clone();
        let variables = self.call("variables", json!({"variablesReference": locals}));
        let variables = variables["body"]["variables"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| {
                (
                    v["name"].as_str().unwrap().to_string(),
                    v["value"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        (file, line, variables, thread)
    }
}

const HANDLER: &str = r#"import pricing


def lambda_handler(event, context):
    quantity = event["quantity"]
    total = pricing.total(quantity)
    return {"quantity": quantity, "total": total}
"#;

const PRICING: &str = r#"UNIT = 2.5


def total(quantity):
    amount = quantity * UNIT
    return amount
"#;

fn write_function(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("lambda_function.py"), HANDLER).unwrap();
    std::fs::write(dir.join("pricing.py"), PRICING).unwrap();
    // One second: the debugger holds the process far longer, and that must not matter.
    std::fs::write(
        dir.join("lambda.toml"),
        "runtime = \"python3.12\"\ntimeout = 1\n",
    )
    .unwrap();
}

#[test]
fn a_debugger_attaches_stops_in_the_handler_and_its_module_then_the_payload_prints() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("orders");
    write_function(&dir);
    let mut child = Command::new(binary())
        .arg("invoke")
        .arg(&dir)
        .args(["--debug-port", "0", "--event", r#"{"quantity": 4}"#])
        .env("LAMBDA_LS_CACHE_DIR", temp.path().join("cache"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Port 0: debugpy picks one, and the line says which.
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut before = String::new();
    let address = loop {
        let mut line = String::new();
        if stderr.read_line(&mut line).unwrap() == 0 {
            let _ = child.kill();
            panic!("lambda-ls ended before listening:\n{before}");
        }
        before.push_str(&line);
        if let Some(rest) = line
            .trim()
            .strip_prefix("lambda-ls: waiting for a debugger on ")
        {
            break rest.to_string();
        }
    };
    assert!(address.starts_with("127.0.0.1:"), "{address}");
    let rest = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });

    let mut dap = Dap::connect(&address);
    dap.call(
        "initialize",
        json!({"adapterID": "lambda", "clientID": "lambda-ls-test", "linesStartAt1": true, "columnsStartAt1": true, "pathFormat": "path"}),
    );
    dap.send("attach", json!({"justMyCode": true}));
    dap.event("initialized");
    let handler_file = dir.join("lambda_function.py").canonicalize().unwrap();
    let pricing_file = dir.join("pricing.py").canonicalize().unwrap();
    let set = dap.call(
        "setBreakpoints",
        json!({"source": {"path": handler_file}, "breakpoints": [{"line": 6}]}),
    );
    assert_eq!(set["body"]["breakpoints"][0]["verified"], true, "{set}");
    dap.call(
        "setBreakpoints",
        json!({"source": {"path": pricing_file}, "breakpoints": [{"line": 6}]}),
    );
    dap.call("configurationDone", json!({}));

    let (file, line, locals, thread) = dap.stopped_at();
    assert_eq!(Path::new(&file), handler_file);
    assert_eq!(line, 6);
    let event = locals.iter().find(|(name, _)| name == "event");
    assert_eq!(
        event.map(|(_, value)| value.as_str()),
        Some("{'quantity': 4}"),
        "{locals:?}"
    );
    assert!(locals
        .iter()
        .any(|(name, value)| name == "quantity" && value == "4"));
    // Held longer than the function's one-second timeout.
    std::thread::sleep(Duration::from_millis(2500));
    dap.call("continue", json!({"threadId": thread}));

    let (file, line, locals, thread) = dap.stopped_at();
    assert_eq!(
        Path::new(&file),
        pricing_file,
        "a breakpoint in the handler's module"
    );
    assert_eq!(line, 6);
    assert!(
        locals
            .iter()
            .any(|(name, value)| name == "amount" && value == "10.0"),
        "{locals:?}"
    );
    // The invocation ends and its process with it: the answer may not come back.
    dap.send("continue", json!({"threadId": thread}));

    let output = child.wait_with_output().unwrap();
    let log = before + &rest.join().unwrap();
    assert_eq!(output.status.code(), Some(0), "{log}");
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        r#"{"quantity": 4, "total": 10.0}"#
    );
    assert!(!log.contains("Task timed out"), "{log}");
    assert!(log.contains("REPORT RequestId: "), "{log}");
}

#[test]
fn debug_port_is_refused_where_it_cannot_apply() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("orders");
    write_function(&dir);
    let run = |args: &[&str]| {
        Command::new(binary())
            .arg("invoke")
            .arg(&dir)
            .args(args)
            .env("LAMBDA_LS_CACHE_DIR", temp.path().join("cache"))
            .output()
            .unwrap()
    };
    let repeated = run(&["--debug-port", "0", "--repeat", "2"]);
    assert_eq!(repeated.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&repeated.stderr).contains("--debug-port debugs one invocation")
    );
    let remote = run(&["--debug-port", "0", "--remote"]);
    assert_eq!(remote.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&remote.stderr).contains("apply to a local invoke"));
}
