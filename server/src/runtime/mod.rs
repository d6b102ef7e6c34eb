//! Local invoke: runs a function's handler as Lambda would. Each execution environment is a
//! Python process running a runtime client (the embedded stdlib-only one, or AWS's
//! `awslambdaric`) against its own Lambda Runtime API server on 127.0.0.1. Environments
//! stay warm between invokes of an unchanged function; timeouts and crashes end them; the
//! log is framed with CloudWatch's START / END / REPORT lines.
//!
//! The CLI (`invoke`, `serve`) and the editor's commands share one [`Invoker`]:
//!
//! ```no_run
//! # async fn example() -> Result<(), lambda_ls::runtime::InvokeError> {
//! use lambda_ls::runtime::{InvokeOptions, Invoker};
//! let invoker = Invoker::default(); // keep one; clones share the warm environments
//! let function = lambda_ls::project::load(std::path::Path::new("examples/hello-world"));
//! let invocation = invoker.invoke(&function, b"{}".to_vec(), &InvokeOptions::default()).await?;
//! println!("{}\n{}", invocation.log, invocation.payload_text());
//! # Ok(()) }
//! ```

mod api;
pub mod debug;
mod environment;
pub mod environment_variables;
pub mod event_source;
mod fingerprint;
pub mod gateway;
pub mod http;
pub mod ids;
pub mod interpreter;
pub mod layers;
pub mod log;
pub mod provided;
pub mod site;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;

use crate::package;
use crate::project::Function;

use self::log::BoundedLog;
pub use api::{MAX_REQUEST_BYTES, MAX_RESPONSE_BYTES};
pub use debug::DebugOptions;
use environment::{Environment, Launch, Outcome};

/// Which runtime client runs inside the environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ClientKind {
    /// lambda-ls's own stdlib-only client (fast start, nothing to install).
    #[default]
    Embedded,
    /// AWS's runtime interface client (`pip install awslambdaric`), run unchanged.
    Awslambdaric,
}

/// Receives the log of an invocation as it is written (function output in the chunks it
/// arrives in, framing lines whole), for live display; the [`Invocation`]'s `log` holds
/// the same text.
pub type LogSink = Arc<dyn Fn(&[u8]) + Send + Sync>;

/// Hears about the slow steps of preparing an environment (installing dependencies, an
/// interpreter, a tool), one sentence each.
pub type ProgressSink = Arc<dyn Fn(&str) + Send + Sync>;

/// Per-invocation choices.
#[derive(Clone, Default)]
pub struct InvokeOptions {
    /// Start a fresh environment even when a warm one is available.
    pub cold: bool,
    /// Overrides the function's configured timeout.
    pub timeout: Option<Duration>,
    pub client: ClientKind,
    /// Pass the developer's AWS credential variables (they stand in for the execution role).
    pub pass_aws_credentials: bool,
    /// `Lambda-Runtime-Client-Context` (JSON), as a mobile SDK would send it.
    pub client_context: Option<String>,
    /// `Lambda-Runtime-Cognito-Identity` (JSON).
    pub cognito_identity: Option<String>,
    /// Live log output.
    pub log_sink: Option<LogSink>,
    /// Progress of a first preparation.
    pub progress: Option<ProgressSink>,
    /// Run under a debugger (always in a new environment, not kept afterwards).
    pub debug: Option<DebugOptions>,
}

impl std::fmt::Debug for InvokeOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InvokeOptions")
            .field("cold", &self.cold)
            .field("timeout", &self.timeout)
            .field("client", &self.client)
            .field("pass_aws_credentials", &self.pass_aws_credentials)
            .field("client_context", &self.client_context)
            .field("cognito_identity", &self.cognito_identity)
            .field("log_sink", &self.log_sink.is_some())
            .field("progress", &self.progress.is_some())
            .field("debug", &self.debug)
            .finish()
    }
}

/// Whether the handler succeeded (Lambda's `X-Amz-Function-Error` absent or `Unhandled`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvocationStatus {
    Success,
    FunctionError,
}

/// The figures of the REPORT line.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub duration_ms: f64,
    pub billed_ms: u64,
    pub memory_mb: u32,
    pub max_memory_used_mb: u64,
    /// Present on a cold start only.
    pub init_duration_ms: Option<f64>,
    /// `timeout` or `error` when the environment ended abnormally (newer REPORT lines say so).
    pub status: Option<String>,
    pub error_type: Option<String>,
}

impl Report {
    /// The REPORT line as CloudWatch shows it.
    pub fn line(&self, request_id: &str) -> String {
        let mut line = format!(
            "REPORT RequestId: {request_id}\tDuration: {:.2} ms\tBilled Duration: {} ms\tMemory Size: {} MB\tMax Memory Used: {} MB",
            self.duration_ms, self.billed_ms, self.memory_mb, self.max_memory_used_mb
        );
        if let Some(init) = self.init_duration_ms {
            line.push_str(&format!("\tInit Duration: {init:.2} ms"));
        }
        if let Some(status) = &self.status {
            line.push_str(&format!("\tStatus: {status}"));
        }
        if let Some(error_type) = &self.error_type {
            line.push_str(&format!("\tError Type: {error_type}"));
        }
        line
    }
}

/// One completed invocation.
#[derive(Debug, Clone)]
pub struct Invocation {
    pub request_id: String,
    pub status: InvocationStatus,
    /// The response payload exactly as Lambda's Invoke returns it (the error JSON on a
    /// function error). Usually UTF-8 JSON; a handler returning `bytes` gets them verbatim.
    pub payload: Vec<u8>,
    /// `errorType` of a function error.
    pub error_type: Option<String>,
    /// The invocation's log: init output on a cold start, then START, the function's
    /// output, END and REPORT lines; of a huge log, its beginning and end (see `log`).
    pub log: String,
    pub report: Report,
    /// Whether this invocation started a new environment.
    pub cold_start: bool,
    /// What preparing a new environment had to say (the interpreter stands in for the
    /// runtime's version, the host's architecture differs); also at the top of the log.
    pub notes: Vec<String>,
}

impl Invocation {
    /// The payload as text (lossy for non-UTF-8 bytes).
    pub fn payload_text(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.payload)
    }
}

/// Why an invocation could not run at all (the handler's own failures are
/// [`InvocationStatus::FunctionError`], not this).
#[derive(Debug, thiserror::Error)]
pub enum InvokeError {
    /// A `from_env` value of `[environment]` could not be resolved.
    #[error(transparent)]
    Environment(#[from] crate::project::EnvError),
    #[error("the event is {size} bytes; Lambda accepts at most {MAX_REQUEST_BYTES} bytes for a synchronous invoke (RequestEntityTooLargeException)")]
    RequestTooLarge { size: usize },
    /// The environment could not be prepared (interpreter, dependencies, tools).
    #[error(transparent)]
    Prepare(#[from] site::PrepareError),
    /// A layer could not be fetched or unpacked.
    #[error(transparent)]
    Layer(layers::LayerError),
    #[error("could not start `{}` for the function: {source}; check `python` in lambda.toml, or install the runtime's Python", interpreter.display())]
    Spawn {
        interpreter: PathBuf,
        source: std::io::Error,
    },
    #[error("could not start the local Runtime API server: {0}")]
    Server(std::io::Error),
}

/// Invoker settings.
#[derive(Debug, Clone)]
pub struct InvokerSettings {
    /// Invocations running at once across all functions; more wait in line.
    pub max_concurrency: usize,
}

impl Default for InvokerSettings {
    fn default() -> Self {
        InvokerSettings { max_concurrency: 8 }
    }
}

/// Owns the warm execution environments; cheap to clone and share between tasks.
/// Dropping the last clone kills every environment.
#[derive(Clone)]
pub struct Invoker {
    inner: Arc<Inner>,
}

struct Inner {
    /// Idle environments by function folder.
    idle: std::sync::Mutex<HashMap<PathBuf, Vec<Environment>>>,
    permits: Arc<Semaphore>,
}

impl Default for Invoker {
    fn default() -> Self {
        Invoker::new(InvokerSettings::default())
    }
}

impl Invoker {
    /// An invoker with no environments yet.
    pub fn new(settings: InvokerSettings) -> Self {
        Invoker {
            inner: Arc::new(Inner {
                idle: std::sync::Mutex::new(HashMap::new()),
                permits: Arc::new(Semaphore::new(settings.max_concurrency.max(1))),
            }),
        }
    }

    /// Kill every idle environment (running invocations finish first).
    pub fn shutdown(&self) {
        let drained: Vec<Environment> = {
            let mut idle = self.inner.idle.lock().unwrap_or_else(|e| e.into_inner());
            idle.drain().flat_map(|(_, envs)| envs).collect()
        };
        drop(drained);
    }

    /// Number of idle warm environments (all functions).
    pub fn idle_environments(&self) -> usize {
        let idle = self.inner.idle.lock().unwrap_or_else(|e| e.into_inner());
        idle.values().map(Vec::len).sum()
    }

    /// Invoke `function` with `event` (the raw request payload, normally JSON), in a warm
    /// environment when an unchanged one is idle, else in a new one. Dropping the returned
    /// future kills the environment it was using.
    pub async fn invoke(
        &self,
        function: &Function,
        event: Vec<u8>,
        options: &InvokeOptions,
    ) -> Result<Invocation, InvokeError> {
        if event.len() > MAX_REQUEST_BYTES {
            return Err(InvokeError::RequestTooLarge { size: event.len() });
        }
        let user_variables = function.resolve_environment(&std::env::vars().collect())?;
        // Walking the folder is blocking work: off the async threads.
        let (key, fingerprint) = {
            let function = function.clone();
            let user_variables = user_variables.clone();
            let (client, pass_aws_credentials) = (options.client, options.pass_aws_credentials);
            let walk = tokio::task::spawn_blocking(move || {
                let key = function
                    .dir
                    .canonicalize()
                    .unwrap_or_else(|_| function.dir.clone());
                // The folder's files cover its own requirements file; the lines themselves
                // cover files it includes from elsewhere. (The interpreter and the layers
                // follow from the configuration.)
                let requirements = package::deps::find_requirements(&function)
                    .and_then(|r| r.map(|r| package::deps::requirement_lines(&r)).transpose())
                    .map_err(|e| e.to_string());
                let fingerprint = fingerprint::fingerprint(
                    &function.dir,
                    &(
                        format!("{:?}", function.config),
                        &user_variables,
                        client,
                        pass_aws_credentials,
                        requirements,
                    ),
                );
                (key, fingerprint)
            });
            match walk.await {
                Ok(found) => found,
                Err(error) => std::panic::resume_unwind(error.into_panic()),
            }
        };
        let _permit = self
            .inner
            .permits
            .clone()
            .acquire_owned()
            .await
            .expect("the semaphore is never closed");

        // A debugged environment is always new, and ends with its invocation.
        let warm = match options.debug {
            Some(_) => None,
            None => self.take_idle(&key, fingerprint, options.cold),
        };
        let (mut environment, cold_start) = match warm {
            Some(environment) => (environment, false),
            None => {
                let prepared = prepare(function, options).await?;
                let log_stream_name = ids::log_stream_name();
                let api = api::RuntimeApi::start()
                    .await
                    .map_err(InvokeError::Server)?;
                let spec = environment_variables::EnvironmentSpec {
                    function,
                    user_variables: &user_variables,
                    runtime_api: &api.address.to_string(),
                    log_stream_name: &log_stream_name,
                    handler: &function.config.handler.value,
                    pass_aws_credentials: options.pass_aws_credentials,
                };
                let interpreter = prepared.interpreter.path.clone();
                let mut variables = environment_variables::process_environment(&spec);
                environment_variables::append_dirs(&mut variables, "PATH", &prepared.bin);
                environment_variables::append_dirs(
                    &mut variables,
                    "LD_LIBRARY_PATH",
                    &prepared.lib,
                );
                let launch = Launch {
                    prepared,
                    client: options.client,
                    handler: function.config.handler.value.clone(),
                    task_root: key.clone(),
                    variables,
                    debug: options.debug.clone(),
                };
                let environment =
                    Environment::start(launch, fingerprint, api)
                        .await
                        .map_err(|source| InvokeError::Spawn {
                            interpreter,
                            source,
                        })?;
                (environment, true)
            }
        };

        let invocation =
            run_invocation(&mut environment, function, event, options, cold_start).await;
        if invocation.1 && !environment.debugged() {
            let mut idle = self.inner.idle.lock().unwrap_or_else(|e| e.into_inner());
            idle.entry(key).or_default().push(environment);
        }
        Ok(invocation.0)
    }

    /// An idle, live environment of this function with this fingerprint; stale ones are
    /// dropped (killed) on the way.
    fn take_idle(&self, key: &Path, fingerprint: u64, cold: bool) -> Option<Environment> {
        let (found, stale) = {
            let mut idle = self.inner.idle.lock().unwrap_or_else(|e| e.into_inner());
            let envs = idle.get_mut(key)?;
            let mut found = None;
            let mut stale = Vec::new();
            let mut keep = Vec::new();
            for mut env in envs.drain(..) {
                if cold || env.fingerprint != fingerprint || !env.is_alive() {
                    stale.push(env);
                } else if found.is_none() {
                    found = Some(env);
                } else {
                    keep.push(env);
                }
            }
            *envs = keep;
            (found, stale)
        };
        drop(stale);
        found
    }
}

/// Prepare a new environment of `function` (installs run off the async threads).
async fn prepare(
    function: &Function,
    options: &InvokeOptions,
) -> Result<site::Prepared, InvokeError> {
    let say = |message: &str| {
        if let Some(progress) = &options.progress {
            progress(message);
        }
    };
    let layers = layers::fetch(
        function.config.layers.as_deref().unwrap_or_default(),
        &package::deps::cache_root(),
        &say,
    )
    .await
    .map_err(InvokeError::Layer)?;
    let function = function.clone();
    let needs = site::Needs {
        client: options.client,
        debug: options.debug.is_some(),
        layers,
    };
    let progress = options.progress.clone();
    let prepared = tokio::task::spawn_blocking(move || {
        let say = |message: &str| {
            if let Some(progress) = &progress {
                progress(message);
            }
        };
        site::prepare(&function, &needs, &say)
    })
    .await
    .expect("preparing an environment does not panic")?;
    Ok(prepared)
}

fn function_arn(function: &Function) -> String {
    format!(
        "arn:aws:lambda:{}:123456789012:function:{}",
        environment_variables::region(function),
        function.config.name.value
    )
}

/// Run one invocation in `environment`; returns it and whether the environment stays warm.
async fn run_invocation(
    environment: &mut Environment,
    function: &Function,
    event: Vec<u8>,
    options: &InvokeOptions,
    cold_start: bool,
) -> (Invocation, bool) {
    let request_id = ids::request_id();
    let timeout = options
        .timeout
        .unwrap_or_else(|| Duration::from_secs(u64::from(function.config.timeout.value.max(1))));
    // Bounded whatever the function prints; the live sink sees all of it.
    let mut log = BoundedLog::default();
    let sink = options.log_sink.clone();
    // Framing lines go to the live sink here; function output goes there from the pipe.
    let emit = |log: &mut BoundedLog, text: &str| {
        log.push_str(text);
        if let Some(sink) = &sink {
            sink(text.as_bytes());
        }
    };
    // Said once, before anything the function prints.
    let notes = if cold_start {
        environment.notes.clone()
    } else {
        Vec::new()
    };
    for note in &notes {
        emit(&mut log, &format!("lambda-ls: {note}\n"));
    }
    environment.set_log_sink(sink.clone());

    let ready = environment.wait_ready().await;
    let init_duration_ms = if cold_start {
        environment.init_duration.map(|d| d.as_secs_f64() * 1000.0)
    } else {
        None
    };
    // Init output (module-level prints) comes before START, as in CloudWatch.
    log.push_str(&environment.take_log().text());
    if !log.is_empty() && !log.ends_with_newline() {
        emit(&mut log, "\n");
    }
    // A failed initialisation gets CloudWatch's INIT_REPORT line before the invocation.
    let init_failure = match &ready {
        Err(Outcome::InitError(body)) => Some(("error", error_type_of(body))),
        Err(Outcome::Timeout) => Some(("timeout", None)),
        Err(Outcome::Exited(_)) => Some(("error", Some("Runtime.ExitError".to_string()))),
        _ => None,
    };
    if let (Some((status, error_type)), Some(init)) = (init_failure, init_duration_ms) {
        let mut line =
            format!("INIT_REPORT Init Duration: {init:.2} ms\tPhase: init\tStatus: {status}");
        if let Some(error_type) = error_type {
            line.push_str(&format!("\tError Type: {error_type}"));
        }
        emit(&mut log, &format!("{line}\n"));
    }
    emit(
        &mut log,
        &format!("START RequestId: {request_id} Version: $LATEST\n"),
    );

    let started = Instant::now();
    let (outcome, failed_in_init) = match ready {
        Err(outcome) => (outcome, true),
        Ok(()) => {
            let next = api::NextInvocation {
                request_id: request_id.clone(),
                event,
                deadline_ms: ids::epoch_millis() + timeout.as_millis() as u64,
                function_arn: function_arn(function),
                trace_id: ids::trace_id(),
                client_context: options.client_context.clone(),
                cognito_identity: options.cognito_identity.clone(),
            };
            (environment.run(next, started + timeout).await, false)
        }
    };
    let elapsed = started.elapsed();
    log.push_str(&environment.take_log().text());
    environment.set_log_sink(None);
    if !log.ends_with_newline() {
        emit(&mut log, "\n");
    }

    let mut report_status = None;
    let mut report_error_type = None;
    let (status, payload, error_type, keep) = match outcome {
        Outcome::Response(body) if body.len() > MAX_RESPONSE_BYTES => {
            let (payload, kind) = response_too_large(Some(body.len()));
            (InvocationStatus::FunctionError, payload, Some(kind), true)
        }
        Outcome::Response(body) => (InvocationStatus::Success, body, None, true),
        Outcome::Error(body) => {
            let kind = error_type_of(&body);
            (InvocationStatus::FunctionError, body, kind, true)
        }
        Outcome::InitError(body) => {
            let kind = error_type_of(&body);
            report_status = Some("error".to_string());
            report_error_type = kind.clone();
            (InvocationStatus::FunctionError, body, kind, false)
        }
        Outcome::ResponseTooLarge(size) => {
            // awslambdaric exits when its post is refused: start afresh next time.
            let (payload, kind) = response_too_large(size);
            (InvocationStatus::FunctionError, payload, Some(kind), false)
        }
        Outcome::Timeout => {
            let limit = if failed_in_init {
                environment::INIT_LIMIT
            } else {
                timeout
            };
            let message = format!("Task timed out after {:.2} seconds", limit.as_secs_f64());
            emit(
                &mut log,
                &format!("{} {request_id} {message}\n", ids::timestamp()),
            );
            report_status = Some("timeout".to_string());
            let payload = service_error(
                "Sandbox.Timedout",
                &format!("RequestId: {request_id} Error: {message}"),
            );
            (
                InvocationStatus::FunctionError,
                payload,
                Some("Sandbox.Timedout".to_string()),
                false,
            )
        }
        Outcome::Exited(reason) => {
            let message = format!("RequestId: {request_id} Error: {reason}");
            emit(&mut log, &format!("{message}\nRuntime.ExitError\n"));
            report_status = Some("error".to_string());
            report_error_type = Some("Runtime.ExitError".to_string());
            let payload = service_error("Runtime.ExitError", &message);
            (
                InvocationStatus::FunctionError,
                payload,
                Some("Runtime.ExitError".to_string()),
                false,
            )
        }
    };
    let keep = keep && environment.is_alive();
    let duration_ms = elapsed.as_secs_f64() * 1000.0;
    let report = Report {
        duration_ms,
        billed_ms: duration_ms.ceil().max(1.0) as u64,
        memory_mb: function.config.memory.value,
        max_memory_used_mb: environment.max_memory_used_mb(),
        init_duration_ms,
        status: report_status,
        error_type: report_error_type,
    };
    emit(&mut log, &format!("END RequestId: {request_id}\n"));
    emit(&mut log, &format!("{}\n", report.line(&request_id)));
    (
        Invocation {
            request_id,
            status,
            payload,
            error_type,
            log: log.text(),
            report,
            cold_start,
            notes,
        },
        keep,
    )
}

/// The body Lambda returns for errors the service itself reports.
fn service_error(error_type: &str, message: &str) -> Vec<u8> {
    // Key order as the service writes it: errorType first.
    format!(
        "{{\"errorType\":{},\"errorMessage\":{}}}",
        serde_json::Value::from(error_type),
        serde_json::Value::from(message)
    )
    .into_bytes()
}

fn response_too_large(size: Option<usize>) -> (Vec<u8>, String) {
    let message = match size {
        Some(size) => format!("Response payload size ({size} bytes) exceeded maximum allowed payload size ({MAX_RESPONSE_BYTES} bytes)."),
        None => format!("Response payload size exceeded maximum allowed payload size ({MAX_RESPONSE_BYTES} bytes)."),
    };
    let kind = "Function.ResponseSizeTooLarge".to_string();
    (service_error(&kind, &message), kind)
}

fn error_type_of(body: &[u8]) -> Option<String> {
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()?
        .get("errorType")?
        .as_str()
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn function_with(source: &str) -> (PathBuf, Function) {
        let dir = std::env::temp_dir().join(format!("lambda-ls-runtime-{}", ids::random_hex(12)));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("lambda_function.py"), source).unwrap();
        let function = crate::project::load(&dir);
        (dir, function)
    }

    fn gone(pid: i32) -> bool {
        match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
            Ok(stat) => stat
                .rsplit(')')
                .next()
                .unwrap_or("")
                .trim_start()
                .starts_with('Z'),
            Err(_) => true,
        }
    }

    async fn wait_gone(pid: i32) -> bool {
        for _ in 0..50 {
            if gone(pid) {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        false
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn dropping_an_invocation_kills_its_environment() {
        let (dir, function) = function_with(
            "import os, time\n\ndef lambda_handler(event, context):\n    open('pid', 'w').write(str(os.getpid()))\n    time.sleep(30)\n",
        );
        let invoker = Invoker::default();
        let options = InvokeOptions::default();
        let mut pending = Box::pin(invoker.invoke(&function, b"{}".to_vec(), &options));
        // Wait (on a busy machine, a while) until the handler runs, then drop the invoke.
        let started = Instant::now();
        let pid: i32 = loop {
            tokio::select! {
                _ = &mut pending => panic!("the handler sleeps; the invoke must still be running"),
                _ = tokio::time::sleep(Duration::from_millis(50)) => {}
            }
            let written = std::fs::read_to_string(dir.join("pid")).unwrap_or_default();
            if let Ok(pid) = written.parse() {
                break pid;
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "the handler never ran"
            );
        };
        drop(pending);
        assert!(
            wait_gone(pid).await,
            "process {pid} outlived its cancelled invocation"
        );
        assert_eq!(invoker.idle_environments(), 0);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn warm_environments_end_with_the_invoker() {
        let (dir, function) = function_with(
            "import os\n\ndef lambda_handler(event, context):\n    return os.getpid()\n",
        );
        let invoker = Invoker::default();
        let options = InvokeOptions::default();
        let first = invoker
            .invoke(&function, b"{}".to_vec(), &options)
            .await
            .unwrap();
        assert!(first.cold_start);
        let second = invoker
            .invoke(&function, b"{}".to_vec(), &options)
            .await
            .unwrap();
        assert!(!second.cold_start);
        assert_eq!(first.payload, second.payload, "same process");
        assert_eq!(invoker.idle_environments(), 1);
        let pid: i32 = first.payload_text().parse().unwrap();
        drop(invoker);
        assert!(wait_gone(pid).await, "process {pid} outlived the invoker");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_live_log_sink_sees_the_whole_log() {
        let (dir, function) = function_with(
            "print('loading')\n\ndef lambda_handler(event, context):\n    print('one')\n    print('two')\n    return 1\n",
        );
        let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
        let sink: LogSink = {
            let seen = seen.clone();
            Arc::new(move |bytes: &[u8]| seen.lock().unwrap().extend_from_slice(bytes))
        };
        let options = InvokeOptions {
            log_sink: Some(sink),
            ..InvokeOptions::default()
        };
        let invoker = Invoker::default();
        for _ in 0..2 {
            seen.lock().unwrap().clear();
            let invocation = invoker
                .invoke(&function, b"{}".to_vec(), &options)
                .await
                .unwrap();
            assert_eq!(
                String::from_utf8_lossy(&seen.lock().unwrap()),
                invocation.log
            );
            assert!(
                invocation.log.contains("\none\ntwo\nEND RequestId: "),
                "{}",
                invocation.log
            );
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// The editor spawns invocations on its runtime: the future must be `Send`.
    #[test]
    fn invoke_futures_can_be_spawned() {
        fn assert_send<T: Send>(_: &T) {}
        let (dir, function) = function_with("def lambda_handler(event, context):\n    return 1\n");
        let invoker = Invoker::default();
        let options = InvokeOptions::default();
        let future = invoker.invoke(&function, Vec::new(), &options);
        assert_send(&future);
        drop(future);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[tokio::test]
    async fn oversized_events_are_refused_before_starting_anything() {
        let (dir, function) = function_with("def lambda_handler(event, context):\n    return 1\n");
        let invoker = Invoker::default();
        let event = vec![b' '; MAX_REQUEST_BYTES + 1];
        let error = invoker
            .invoke(&function, event, &InvokeOptions::default())
            .await
            .unwrap_err();
        assert!(
            matches!(error, InvokeError::RequestTooLarge { .. }),
            "{error}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
