//! A small LSP client that drives the real `lambda-ls lsp` over stdio, as an editor does.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// How long any single answer may take before the test fails (generous: shared machines).
const TIMEOUT: Duration = Duration::from_secs(30);

/// A running server and the messages it has sent that nobody has consumed yet.
pub struct LspClient {
    child: Child,
    stdin: Arc<Mutex<ChildStdin>>,
    incoming: Receiver<Value>,
    /// Notifications received while waiting for something else.
    pub notifications: Vec<Value>,
    next_id: i64,
    /// Requests the server sent to the client (answered with `null`).
    pub server_requests: Arc<Mutex<Vec<Value>>>,
}

fn write_message(stdin: &Mutex<ChildStdin>, message: &Value) -> std::io::Result<()> {
    let body = serde_json::to_vec(message).unwrap();
    let mut stdin = stdin.lock().unwrap();
    write!(stdin, "Content-Length: {}\r\n\r\n", body.len())?;
    stdin.write_all(&body)?;
    stdin.flush()
}

fn read_message(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(value) = line.strip_prefix("Content-Length: ") {
            length = value.parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

/// A `file://` URI for a path.
pub fn uri(path: &Path) -> String {
    let absolute = std::path::absolute(path).unwrap();
    let mut encoded = String::from("file://");
    for byte in absolute.to_string_lossy().bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => {
                encoded.push(byte as char)
            }
            _ => encoded.push_str(&format!("%{byte:02X}")),
        }
    }
    encoded
}

/// Answers a request the server sends to the client: given its method and params, the
/// result to send back, or `None` to answer `null` (the default for every request).
pub type RequestHandler = Box<dyn Fn(&str, &Value) -> Option<Value> + Send>;

/// How to start and initialize a server other than `lambda-ls lsp` (see `start_command`).
pub struct Launch {
    /// The server's command line; its stdin and stdout are replaced by pipes.
    pub command: Command,
    /// `initializationOptions` of the `initialize` request (`Value::Null` leaves it out).
    pub initialization_options: Value,
    /// Client capabilities merged over the defaults (objects merge key by key).
    pub capabilities: Value,
    /// Answers server-to-client requests such as `workspace/configuration`.
    pub answer: Option<RequestHandler>,
}

impl Launch {
    /// A launch of `command` with the default capabilities and every request answered `null`.
    pub fn new(command: Command) -> Self {
        Launch {
            command,
            initialization_options: Value::Null,
            capabilities: json!({}),
            answer: None,
        }
    }
}

/// Merge `overlay` into `base`: objects key by key, anything else replaced.
fn merge(base: &mut Value, overlay: &Value) {
    match (base, overlay) {
        (Value::Object(base), Value::Object(overlay)) => {
            for (key, value) in overlay {
                merge(base.entry(key.clone()).or_insert(Value::Null), value);
            }
        }
        (base, overlay) => *base = overlay.clone(),
    }
}

impl LspClient {
    /// Start the server and initialize it for `root`, offering `encodings`.
    pub fn start(root: &Path, encodings: &[&str]) -> (Self, Value) {
        Self::start_with_options(root, encodings, Value::Null)
    }

    /// `start`, with `initializationOptions` as the extension sends them.
    pub fn start_with_options(root: &Path, encodings: &[&str], options: Value) -> (Self, Value) {
        let mut command = Command::new(super::binary());
        command.arg("lsp");
        let mut launch = Launch::new(command);
        launch.initialization_options = options;
        Self::start_command(launch, root, encodings)
    }

    /// Start any language server over stdio (pyright, for comparisons) and initialize it
    /// for `root`, offering `encodings`.
    pub fn start_command(launch: Launch, root: &Path, encodings: &[&str]) -> (Self, Value) {
        let Launch {
            mut command,
            initialization_options,
            capabilities: extra_capabilities,
            answer,
        } = launch;
        let program = command.get_program().to_string_lossy().into_owned();
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|error| panic!("{program} starts: {error}"));
        let stdin = Arc::new(Mutex::new(child.stdin.take().unwrap()));
        let stdout = child.stdout.take().unwrap();
        let (sender, incoming) = mpsc::channel();
        let server_requests = Arc::new(Mutex::new(Vec::new()));
        {
            let stdin = stdin.clone();
            let server_requests = server_requests.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stdout);
                while let Some(message) = read_message(&mut reader) {
                    // Server-to-client requests (registerCapability, …) need an answer.
                    if message.get("method").is_some() && message.get("id").is_some() {
                        let method = message["method"].as_str().unwrap_or_default();
                        let result = answer
                            .as_ref()
                            .and_then(|answer| answer(method, &message["params"]))
                            .unwrap_or(Value::Null);
                        let reply =
                            json!({"jsonrpc": "2.0", "id": message["id"], "result": result});
                        let _ = write_message(&stdin, &reply);
                        server_requests.lock().unwrap().push(message);
                        continue;
                    }
                    if sender.send(message).is_err() {
                        break;
                    }
                }
            });
        }
        let mut client = LspClient {
            child,
            stdin,
            incoming,
            notifications: Vec::new(),
            next_id: 1,
            server_requests,
        };
        let mut capabilities = json!({
            "general": {"positionEncodings": encodings},
            "workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}},
            "textDocument": {"publishDiagnostics": {"versionSupport": true}},
        });
        merge(&mut capabilities, &extra_capabilities);
        let mut params = json!({
            "processId": std::process::id(),
            "rootUri": uri(root),
            "workspaceFolders": [{"uri": uri(root), "name": "root"}],
            "capabilities": capabilities,
        });
        if !initialization_options.is_null() {
            params["initializationOptions"] = initialization_options;
        }
        let result = client.request("initialize", params);
        client.notify("initialized", json!({}));
        (client, result)
    }

    /// The server's process id (for memory readings).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        write_message(
            &self.stdin,
            &json!({"jsonrpc": "2.0", "method": method, "params": params}),
        )
        .expect("the server reads its stdin");
    }

    /// Send a request without waiting; returns its id (see `response`).
    pub fn send_request(&mut self, method: &str, params: Value) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        write_message(
            &self.stdin,
            &json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}),
        )
        .expect("the server reads its stdin");
        id
    }

    /// Wait for the response to request `id` (or take it, if it came while waiting for
    /// something else).
    pub fn response(&mut self, id: i64, method: &str) -> Value {
        if let Some(position) = self
            .notifications
            .iter()
            .position(|m| m.get("id") == Some(&json!(id)) && m.get("method").is_none())
        {
            return self.notifications.remove(position);
        }
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let message = self.receive(deadline, method);
            if message.get("id") == Some(&json!(id)) {
                return message;
            }
            self.notifications.push(message);
        }
    }

    /// Send a request and wait for its response; returns the whole response message.
    pub fn request_raw(&mut self, method: &str, params: Value) -> Value {
        let id = self.send_request(method, params);
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let message = self.receive(deadline, method);
            if message.get("id") == Some(&json!(id)) {
                return message;
            }
            self.notifications.push(message);
        }
    }

    /// Send a request and return its result (panics on an error response).
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let response = self.request_raw(method, params);
        assert!(
            response.get("error").is_none(),
            "{method} failed: {response}"
        );
        response["result"].clone()
    }

    fn receive(&mut self, deadline: Instant, waiting_for: &str) -> Value {
        let left = deadline.saturating_duration_since(Instant::now());
        match self.incoming.recv_timeout(left) {
            Ok(message) => message,
            Err(RecvTimeoutError::Timeout) => {
                panic!("no answer to {waiting_for} within {TIMEOUT:?}")
            }
            Err(RecvTimeoutError::Disconnected) => {
                let status = self.child.try_wait();
                panic!(
                    "the server closed its output while we waited for {waiting_for} ({status:?})"
                )
            }
        }
    }

    /// Wait up to `timeout` for a notification that `matches` (already received or new) and
    /// take it out of `notifications`; `None` when none came in time.
    pub fn wait_for(
        &mut self,
        timeout: Duration,
        matches: impl Fn(&Value) -> bool,
    ) -> Option<Value> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(position) = self.notifications.iter().position(&matches) {
                return Some(self.notifications.remove(position));
            }
            let left = deadline.saturating_duration_since(Instant::now());
            match self.incoming.recv_timeout(left) {
                Ok(message) => self.notifications.push(message),
                Err(RecvTimeoutError::Timeout) => return None,
                Err(RecvTimeoutError::Disconnected) => {
                    let status = self.child.try_wait();
                    panic!("the server closed its output ({status:?})")
                }
            }
        }
    }

    /// Wait for the diagnostics of `uri` published for `version` (the latest one sent).
    pub fn diagnostics(&mut self, uri: &str, version: i64) -> Vec<Value> {
        let matches = |m: &Value| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri
                && m["params"]["version"] == json!(version)
        };
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(position) = self.notifications.iter().rposition(matches) {
                let found = self.notifications.remove(position);
                self.notifications.retain(|m| {
                    !(m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri)
                });
                return found["params"]["diagnostics"].as_array().unwrap().clone();
            }
            let message = self.receive(deadline, "publishDiagnostics");
            self.notifications.push(message);
        }
    }

    pub fn open(&mut self, uri: &str, text: &str, version: i64) {
        let language = if uri.ends_with(".toml") {
            "toml"
        } else {
            "python"
        };
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": language, "version": version, "text": text}}),
        );
    }

    pub fn change(&mut self, uri: &str, version: i64, changes: Value) {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": changes}),
        );
    }

    /// Shut down politely and check that the process exits.
    pub fn shutdown(mut self) {
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(status.success(), "server exited with {status}");
                return;
            }
            assert!(
                Instant::now() < deadline,
                "server did not exit after `exit`"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for LspClient {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Zero-based (line, UTF-16 column) of a byte offset.
pub fn utf16_position(text: &str, offset: usize) -> (u32, u32) {
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column: usize = text[line_start..offset].chars().map(char::len_utf16).sum();
    (line as u32, column as u32)
}

/// An LSP range (UTF-16) for a byte range.
pub fn range(text: &str, bytes: std::ops::Range<usize>) -> Value {
    let (l1, c1) = utf16_position(text, bytes.start);
    let (l2, c2) = utf16_position(text, bytes.end);
    json!({"start": {"line": l1, "character": c1}, "end": {"line": l2, "character": c2}})
}

/// Apply LSP text edits (UTF-16 ranges) to a text.
pub fn apply_edits(text: &str, edits: &[Value]) -> String {
    let mut resolved: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|e| {
            let start = offset_of(text, &e["range"]["start"]);
            let end = offset_of(text, &e["range"]["end"]);
            (start, end, e["newText"].as_str().unwrap().to_string())
        })
        .collect();
    resolved.sort_by_key(|e| std::cmp::Reverse(e.0));
    let mut text = text.to_string();
    for (start, end, new_text) in resolved {
        text.replace_range(start..end, &new_text);
    }
    text
}

/// Byte offset of an LSP position (UTF-16).
pub fn offset_of(text: &str, position: &Value) -> usize {
    let line = position["line"].as_u64().unwrap() as usize;
    let character = position["character"].as_u64().unwrap() as usize;
    let line_start = text
        .match_indices('\n')
        .nth(line.wrapping_sub(1))
        .map_or(0, |(i, _)| i + 1);
    let line_start = if line == 0 { 0 } else { line_start };
    let mut units = 0;
    for (i, ch) in text[line_start..].char_indices() {
        if units >= character || ch == '\n' {
            return line_start + i;
        }
        units += ch.len_utf16();
    }
    text.len()
}
