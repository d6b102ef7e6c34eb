//! The Lambda Runtime API (2018-06-01) for one execution environment, on 127.0.0.1 with a
//! random port. The environment's runtime client long-polls `/next`; the invoker hands
//! invocations in through a queue and gets what the client posts back as [`RuntimeEvent`]s.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::{mpsc, Mutex};
use tokio::task::JoinHandle;

use super::http::{self, Incoming, Response};

/// Lambda's synchronous payload limit, each way: 6 MB of request…
pub const MAX_REQUEST_BYTES: usize = 6_291_456;
/// …and of response (the service's own figure, as its error message prints it).
pub const MAX_RESPONSE_BYTES: usize = 6_291_556;

/// An invocation waiting for the runtime client's `/next`.
#[derive(Debug, Clone)]
pub struct NextInvocation {
    pub request_id: String,
    pub event: Vec<u8>,
    pub deadline_ms: u64,
    pub function_arn: String,
    pub trace_id: String,
    pub client_context: Option<String>,
    pub cognito_identity: Option<String>,
}

/// What the runtime client did.
#[derive(Debug)]
pub enum RuntimeEvent {
    /// It asked for its first event: initialisation is over.
    Ready,
    /// It posted a result.
    Response { request_id: String, body: Vec<u8> },
    /// It posted an invocation error.
    Error { request_id: String, body: Vec<u8> },
    /// It posted an initialisation error (it exits next).
    InitError { body: Vec<u8> },
    /// It posted a result larger than Lambda accepts.
    ResponseTooLarge {
        request_id: String,
        size: Option<usize>,
    },
    /// lambda-ls's launcher: debugpy listens here (see `debug`).
    DebuggerListening { address: SocketAddr },
    /// lambda-ls's launcher: a debugger attached and finished configuring.
    DebuggerAttached,
}

struct Shared {
    next: Mutex<mpsc::UnboundedReceiver<NextInvocation>>,
    events: mpsc::UnboundedSender<RuntimeEvent>,
    ready_sent: AtomicBool,
}

/// A running Runtime API server; stops when dropped.
pub struct RuntimeApi {
    pub address: SocketAddr,
    pub next: mpsc::UnboundedSender<NextInvocation>,
    pub events: mpsc::UnboundedReceiver<RuntimeEvent>,
    accept_task: JoinHandle<()>,
}

impl Drop for RuntimeApi {
    fn drop(&mut self) {
        self.accept_task.abort();
    }
}

impl RuntimeApi {
    /// Bind 127.0.0.1 on a random port and serve until dropped.
    pub async fn start() -> std::io::Result<RuntimeApi> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let address = listener.local_addr()?;
        let (next_tx, next_rx) = mpsc::unbounded_channel();
        let (events_tx, events_rx) = mpsc::unbounded_channel();
        let shared = Arc::new(Shared {
            next: Mutex::new(next_rx),
            events: events_tx,
            ready_sent: AtomicBool::new(false),
        });
        let handler = Arc::new(move |incoming| answer(incoming, shared.clone()));
        let limits = http::Limits {
            max_body: MAX_RESPONSE_BYTES,
            stall: http::STALL_TIMEOUT,
            idle: None,
        };
        let accept_task = tokio::spawn(async move {
            // Connection tasks are tied to this one: aborting it drops the set and them.
            let mut connections = tokio::task::JoinSet::new();
            loop {
                tokio::select! {
                    accepted = listener.accept() => {
                        let Ok((stream, _)) = accepted else { continue };
                        connections.spawn(http::serve_connection(stream, limits, handler.clone()));
                    }
                    Some(_) = connections.join_next(), if !connections.is_empty() => {}
                }
            }
        });
        Ok(RuntimeApi {
            address,
            next: next_tx,
            events: events_rx,
            accept_task,
        })
    }
}

/// The answer to one request; `None` closes the connection (the environment is going away).
async fn answer(incoming: Incoming, shared: Arc<Shared>) -> Option<Response> {
    match incoming {
        Incoming::Request(request) => route(request, &shared).await,
        Incoming::TooLarge { target, size } => {
            // Only posted results can be this large; the path says whose.
            let request_id = target
                .trim_start_matches("/2018-06-01/runtime/invocation/")
                .trim_end_matches("/response")
                .to_string();
            let _ = shared
                .events
                .send(RuntimeEvent::ResponseTooLarge { request_id, size });
            let body = br#"{"errorMessage":"Exceeded maximum allowed payload size (6291556 bytes).","errorType":"RequestEntityTooLarge"}"#;
            Some(Response::json(413, &body[..]))
        }
    }
}

async fn route(request: http::Request, shared: &Shared) -> Option<Response> {
    const PREFIX: &str = "/2018-06-01/runtime/";
    let accepted = || Some(Response::json(202, &br#"{"status":"OK"}"#[..]));
    let path = request.target.split('?').next().unwrap_or("");
    let Some(rest) = path.strip_prefix(PREFIX) else {
        return not_found(path);
    };
    match (request.method.as_str(), rest) {
        ("GET", "invocation/next") => {
            if !shared.ready_sent.swap(true, Ordering::SeqCst) {
                let _ = shared.events.send(RuntimeEvent::Ready);
            }
            let next = shared.next.lock().await.recv().await;
            let Some(next) = next else {
                // The environment is shutting down: close the connection.
                return None;
            };
            let mut headers = vec![
                ("Content-Type".to_string(), "application/json".to_string()),
                (
                    "Lambda-Runtime-Aws-Request-Id".to_string(),
                    next.request_id.clone(),
                ),
                (
                    "Lambda-Runtime-Deadline-Ms".to_string(),
                    next.deadline_ms.to_string(),
                ),
                (
                    "Lambda-Runtime-Invoked-Function-Arn".to_string(),
                    next.function_arn.clone(),
                ),
                ("Lambda-Runtime-Trace-Id".to_string(), next.trace_id.clone()),
            ];
            if let Some(value) = &next.client_context {
                headers.push(("Lambda-Runtime-Client-Context".to_string(), value.clone()));
            }
            if let Some(value) = &next.cognito_identity {
                headers.push(("Lambda-Runtime-Cognito-Identity".to_string(), value.clone()));
            }
            Some(Response {
                status: 200,
                headers,
                body: next.event,
            })
        }
        // Not Lambda's: lambda-ls's launcher reports a debugger's state.
        ("POST", "lambda-ls/debugger") => {
            let port = serde_json::from_slice::<serde_json::Value>(&request.body)
                .ok()
                .and_then(|v| v.get("port")?.as_u64())
                .and_then(|p| u16::try_from(p).ok());
            let Some(port) = port else {
                return bad_request("expected {\"port\": N}");
            };
            let address = SocketAddr::from(([127, 0, 0, 1], port));
            let _ = shared
                .events
                .send(RuntimeEvent::DebuggerListening { address });
            accepted()
        }
        ("POST", "lambda-ls/debugger-attached") => {
            let _ = shared.events.send(RuntimeEvent::DebuggerAttached);
            accepted()
        }
        ("POST", "init/error") => {
            let _ = shared
                .events
                .send(RuntimeEvent::InitError { body: request.body });
            accepted()
        }
        ("POST", rest) if rest.starts_with("invocation/") => {
            let tail = &rest["invocation/".len()..];
            let event = if let Some(id) = tail.strip_suffix("/response") {
                RuntimeEvent::Response {
                    request_id: id.to_string(),
                    body: request.body,
                }
            } else if let Some(id) = tail.strip_suffix("/error") {
                RuntimeEvent::Error {
                    request_id: id.to_string(),
                    body: request.body,
                }
            } else {
                return not_found(path);
            };
            let _ = shared.events.send(event);
            accepted()
        }
        _ => not_found(path),
    }
}

fn bad_request(message: &str) -> Option<Response> {
    let body = serde_json::json!({"errorMessage": message, "errorType": "InvalidRequest"});
    Some(Response::json(400, body.to_string()))
}

fn not_found(path: &str) -> Option<Response> {
    let body = serde_json::json!({
        "errorMessage": format!("Unknown Runtime API path {path}"),
        "errorType": "InvalidRequest",
    });
    Some(Response::json(404, body.to_string()))
}
