//! lambda-ls's own editor protocol: the commands the extension runs on the server
//! (`workspace/executeCommand`), the arguments of the code lenses, the custom requests and
//! the error codes, as Rust types. Everything the extension sends or reads beyond LSP itself
//! is declared here, once.
//!
//! `extension/src/protocol.ts` is generated from these types by the test at the end of this
//! file, which fails whenever the two differ. After changing a type here, run
//! `LAMBDA_LS_BLESS=1 cargo test -p lambda-ls protocol` to write the TypeScript anew; the
//! extension's type check then shows every place that must follow.

use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Declares the commands: their ids, progress titles, parameter and result types, in one
/// table, so that the enum, the id lookup and the TypeScript mirror cannot disagree.
macro_rules! commands {
    ($( $(#[$doc:meta])* $variant:ident = $id:literal, $title:literal, $params:ty => $result:ty; )*) => {
        /// A command the server carries out for the extension.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Command {
            $( $(#[$doc])* $variant, )*
        }

        impl Command {
            /// Every command, in the order the server announces them.
            pub const ALL: &'static [Command] = &[$(Command::$variant),*];

            /// The id sent in `workspace/executeCommand`.
            pub fn id(self) -> &'static str {
                match self { $(Command::$variant => $id,)* }
            }

            /// What the progress notification says while the command runs.
            pub fn title(self) -> &'static str {
                match self { $(Command::$variant => $title,)* }
            }
        }

        impl FromStr for Command {
            type Err = CommandError;

            fn from_str(id: &str) -> Result<Self, CommandError> {
                match id {
                    $($id => Ok(Command::$variant),)*
                    other => Err(CommandError::new(
                        ErrorKind::UnknownCommand,
                        format!(
                            "lambda-ls has no command `{other}`; it knows {}. Is the extension \
                             newer than the server? Restart the server or update lambda-ls.",
                            Command::ALL.iter().map(|c| format!("`{}`", c.id())).collect::<Vec<_>>().join(", ")
                        ),
                    )),
                }
            }
        }

        #[cfg(test)]
        fn command_table() -> Vec<(&'static str, &'static str, String, String)> {
            use ts_rs::TS;
            vec![$(($id, stringify!($variant), <$params>::name(), <$result>::name()),)*]
        }
    };
}

commands! {
    /// Run the handler locally.
    Invoke = "lambda.invoke", "Invoking the function locally", InvokeParams => InvokeResult;
    /// Invoke the deployed function in AWS.
    InvokeRemote = "lambda.invokeRemote", "Invoking the deployed function", InvokeParams => InvokeResult;
    /// Start a local invoke under debugpy; answers once it listens for the editor's debugger.
    DebugStart = "lambda.debugStart", "Starting the function under the debugger", InvokeParams => DebugSession;
    /// The result of a debugged invoke, once it has finished.
    DebugResult = "lambda.debugResult", "Debugging the function", DebugSessionParams => InvokeResult;
    /// Build the deployment .zip.
    Package = "lambda.package", "Packaging the function", FunctionParams => PackageResult;
    /// Say where a deploy would go and what it would change, changing nothing.
    DeployPlan = "lambda.deployPlan", "Reading what is deployed", FunctionParams => DeployPlan;
    /// Deploy the function to AWS.
    Deploy = "lambda.deploy", "Deploying the function", FunctionParams => DeployResult;
    /// Write a test event from a template into the function's `events/` folder.
    NewTestEvent = "lambda.newTestEvent", "Creating a test event", NewTestEventParams => NewTestEventResult;
    /// The event files and templates a function can be invoked with.
    ListEvents = "lambda.listEvents", "Listing test events", FunctionParams => ListEventsResult;
    /// Every function of the workspace folders (lambda.toml and SAM templates alike), for
    /// the explorer's "Lambda Functions" view.
    ListFunctions = "lambda.listFunctions", "Listing functions", ListFunctionsParams => ListFunctionsResult;
    /// The deployed function's CloudWatch log events; with a cursor, those that arrived since.
    Logs = "lambda.logs", "Reading the function's logs", LogsParams => LogsResult;
    /// The deployed function's metrics, as the console's Monitor tab shows them.
    Metrics = "lambda.metrics", "Reading the function's metrics", MetricsParams => MetricsResult;
}

impl Command {
    /// Commands that run workspace code or send it to AWS, refused in Restricted Mode.
    pub fn needs_trust(self) -> bool {
        !matches!(
            self,
            Command::NewTestEvent | Command::ListEvents | Command::ListFunctions
        )
    }

    /// Commands that may take seconds to minutes: run detached from the message loop,
    /// with progress, and counted against the limit of long commands.
    pub fn is_long(self) -> bool {
        self.needs_trust()
    }
}

/// Which function a command acts on: a file or folder of it, and, where a file holds
/// several handlers, which one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FunctionParams {
    /// A function folder, or a file inside one, as a URI.
    pub uri: String,
    /// Which of the folder's functions: its handler's function name (`lambda_handler`), or
    /// its id (a SAM template's logical id, else its name), as the lenses and the functions
    /// view send them. Absent: the folder's only function, or the only one whose handler is
    /// in the file.
    #[serde(default)]
    #[cfg_attr(test, ts(optional))]
    pub handler: Option<String>,
}

/// `lambda.invoke` and `lambda.invokeRemote`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InvokeParams {
    pub uri: String,
    #[serde(default)]
    #[cfg_attr(test, ts(optional))]
    pub handler: Option<String>,
    /// An event file's path, a file name in the function's `events/`, a template name, or
    /// JSON text. Absent: the last event used for this function, else its trigger's template.
    #[serde(default)]
    #[cfg_attr(test, ts(optional))]
    pub event: Option<String>,
    /// Start a fresh environment (local invoke only).
    #[serde(default)]
    #[cfg_attr(test, ts(optional))]
    pub cold: Option<bool>,
}

/// A debugged invoke waiting for the editor's debugger (`lambda.debugStart`): the editor
/// connects its debug adapter client to `host:port` (debugpy), then asks
/// `lambda.debugResult` for the outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct DebugSession {
    /// Names the invoke in `lambda.debugResult`.
    pub session: String,
    /// Always the loopback address: debugpy listens on nothing else.
    pub host: String,
    pub port: u16,
    /// The function's name.
    pub function: String,
    /// Which event was sent, in words.
    pub event: String,
}

/// `lambda.debugResult`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DebugSessionParams {
    pub session: String,
}

/// How an invocation ended, as Lambda's Invoke reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub enum InvokeStatus {
    /// The handler returned.
    Success,
    /// The handler raised, timed out or crashed: `errorType` says which.
    FunctionError,
}

/// The REPORT line's figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct InvokeReport {
    pub duration_ms: f64,
    #[cfg_attr(test, ts(type = "number"))]
    pub billed_duration_ms: u64,
    #[cfg_attr(test, ts(type = "number"))]
    pub memory_size_mb: u64,
    #[cfg_attr(test, ts(type = "number"))]
    pub max_memory_used_mb: u64,
    /// On a cold start only.
    pub init_duration_ms: Option<f64>,
    /// The line as CloudWatch shows it.
    pub line: String,
}

/// The outcome of `lambda.invoke` / `lambda.invokeRemote`, like the console's Test tab.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct InvokeResult {
    /// The function's name.
    pub function: String,
    /// Which event was sent, in words (`events/upload.json`, `s3 template`, `{}`).
    pub event: String,
    /// Whether the deployed function ran (`lambda.invokeRemote`).
    pub remote: bool,
    pub status: InvokeStatus,
    /// `errorType` of a function error (`ValueError`, `Sandbox.Timedout`, …).
    pub error_type: Option<String>,
    /// Lambda's `X-Amz-Function-Error` (`Unhandled`) on a remote function error.
    pub function_error: Option<String>,
    pub request_id: String,
    /// The response payload as text, exactly as the function returned it.
    pub payload: String,
    /// The end of the invocation's log: its last 4 KB, as the console's Test tab shows it
    /// (remote: Lambda's last 4 KB).
    pub log: String,
    /// A file holding the whole log, written as it came (local invokes; at most 64 MB).
    pub log_file: Option<String>,
    /// The size of the whole log in bytes; more than `log` holds when it was cut.
    #[cfg_attr(test, ts(type = "number"))]
    pub log_bytes: u64,
    /// Whether a new environment was started (always false remotely: Lambda does not say).
    pub cold_start: bool,
    /// Absent when the function did not finish (remote logs without a REPORT line).
    pub report: Option<InvokeReport>,
    /// The version that ran (remote).
    pub executed_version: Option<String>,
    /// What preparing a new local environment had to say, once: the interpreter standing in
    /// for the runtime's Python version, the host's architecture differing (also at the top
    /// of `log`). Empty remotely and on warm invokes.
    pub notes: Vec<String>,
}

/// One of the largest parts of a package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct PackagePart {
    /// A dependency (`pandas 2.2.3`) or a top-level file or folder of the code.
    pub name: String,
    pub dependency: bool,
    #[cfg_attr(test, ts(type = "number"))]
    pub unzipped_bytes: u64,
    #[cfg_attr(test, ts(type = "number"))]
    pub zipped_bytes: u64,
}

/// The outcome of `lambda.package`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct PackageResult {
    pub function: String,
    /// The .zip's path.
    pub zip_path: String,
    /// Base64 SHA-256 of the .zip, as Lambda's `CodeSha256`.
    pub code_sha256: String,
    #[cfg_attr(test, ts(type = "number"))]
    pub zipped_bytes: u64,
    #[cfg_attr(test, ts(type = "number"))]
    pub unzipped_bytes: u64,
    #[cfg_attr(test, ts(type = "number"))]
    pub files: u64,
    pub runtime: String,
    pub architecture: String,
    /// The ten largest parts, largest unzipped first.
    pub largest: Vec<PackagePart>,
    /// What was left out and why.
    pub notes: Vec<String>,
    /// What needs attention (over 50 MB zipped).
    pub warnings: Vec<String>,
    /// One sentence for a notification.
    pub message: String,
}

/// What `lambda.deployPlan` found: where the deploy goes, for the confirmation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct DeployPlan {
    pub function_name: String,
    /// The AWS account id.
    pub account: String,
    pub region: String,
    /// What a deploy would change, one line each (`code: …`, `memory: 128 → 256`).
    pub changes: Vec<String>,
    /// What the user should know that is not a change.
    pub notes: Vec<String>,
}

/// The outcome of `lambda.deploy`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct DeployResult {
    pub function_name: String,
    pub arn: String,
    pub region: String,
    pub created: bool,
    pub changes: Vec<String>,
    pub notes: Vec<String>,
    /// One sentence for a notification.
    pub message: String,
    pub function_url: Option<String>,
    /// The published version (lambda.toml or `--publish`).
    pub version: Option<String>,
    /// Bytes of code sent (0 when the code was unchanged).
    #[cfg_attr(test, ts(type = "number"))]
    pub uploaded_bytes: u64,
}

/// `lambda.newTestEvent`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewTestEventParams {
    pub uri: String,
    #[serde(default)]
    #[cfg_attr(test, ts(optional))]
    pub handler: Option<String>,
    /// The template (`lambda-ls events list`); absent: the function's first trigger's.
    #[serde(default)]
    #[cfg_attr(test, ts(optional))]
    pub template: Option<String>,
    /// The file name in `events/` (without `.json`); absent: the template's name.
    #[serde(default)]
    #[cfg_attr(test, ts(optional))]
    pub name: Option<String>,
}

/// The event file `lambda.newTestEvent` wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct NewTestEventResult {
    pub uri: String,
    pub path: String,
}

/// A file in the function's `events/` folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct EventFile {
    /// The file name (`upload.json`).
    pub name: String,
    pub path: String,
}

/// A built-in event template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct EventTemplate {
    pub name: String,
    pub description: String,
    /// The trigger type whose event it is (none for the console's `hello-world`).
    pub trigger: Option<String>,
}

/// The outcome of `lambda.listEvents`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ListEventsResult {
    pub files: Vec<EventFile>,
    pub templates: Vec<EventTemplate>,
}

/// `lambda.listFunctions`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ListFunctionsParams {
    /// Folders to list, as URIs; absent: the workspace folders.
    #[serde(default)]
    #[cfg_attr(test, ts(optional))]
    pub folders: Option<Vec<String>>,
}

/// One function, as the explorer's "Lambda Functions" view shows it. Its `uri` and
/// `handler` are a [`FunctionParams`] for the commands on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct FunctionSummary {
    /// The handler's file (the function folder when it has none yet), as a URI.
    pub uri: String,
    /// What picks this function among those of its folder: a template's logical id, else
    /// the function's name.
    pub handler: String,
    pub name: String,
    /// The function folder, as a URI.
    pub folder: String,
    /// `module.function`.
    pub handler_path: String,
    pub runtime: String,
    pub architecture: String,
    #[cfg_attr(test, ts(type = "number"))]
    pub memory: u64,
    #[cfg_attr(test, ts(type = "number"))]
    pub timeout: u64,
    /// Where it is configured: `lambda.toml`, `defaults`, `template.yaml#LogicalId`.
    pub source: String,
    /// The trigger types (`s3`, `http-api`, …).
    pub triggers: Vec<String>,
}

/// The outcome of `lambda.listFunctions`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ListFunctionsResult {
    /// Sorted by folder, then name.
    pub functions: Vec<FunctionSummary>,
    /// Templates whose functions could not be read, one sentence each.
    pub problems: Vec<String>,
}

/// `lambda.logs`: which function, how far back, and where the last answer ended.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LogsParams {
    pub uri: String,
    #[serde(default)]
    #[cfg_attr(test, ts(optional))]
    pub handler: Option<String>,
    /// How far back: a duration (`30s`, `10m`, `3h`, `2d`) or a time; absent: `10m`.
    /// Ignored when `cursor` is given.
    #[serde(default)]
    #[cfg_attr(test, ts(optional))]
    pub since: Option<String>,
    /// A CloudWatch filter pattern (`ERROR`, `"exact phrase"`, `{ $.level = "ERROR" }`).
    #[serde(default)]
    #[cfg_attr(test, ts(optional))]
    pub filter: Option<String>,
    /// The previous answer's cursor: only events not returned before (following).
    #[serde(default)]
    #[cfg_attr(test, ts(optional))]
    pub cursor: Option<LogCursor>,
}

/// Where a `lambda.logs` answer ended, to be sent back as is to get what came after: no
/// event is returned twice and none is skipped.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct LogCursor {
    /// The window's start (milliseconds since the epoch).
    #[cfg_attr(test, ts(type = "number"))]
    pub start_ms: i64,
    /// The newest event's time.
    #[cfg_attr(test, ts(type = "number"))]
    pub newest_ms: i64,
    /// The events already returned near the newest, with their times.
    #[cfg_attr(test, ts(type = "Array<[string, number]>"))]
    pub seen: Vec<(String, i64)>,
    /// The invocation running in each log stream: `[stream, request id]`.
    pub open: Vec<(String, String)>,
}

/// One log event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct LogLine {
    #[cfg_attr(test, ts(type = "number"))]
    pub timestamp_ms: i64,
    /// The time as CloudWatch shows it (`2026-05-01T12:00:00.123Z`).
    pub time: String,
    pub stream: String,
    /// The invocation it belongs to; absent outside invocations (INIT lines).
    pub request_id: Option<String>,
    /// The message; a JSON log line pretty-printed, a traceback on several lines.
    pub message: String,
    /// Whether it reports a failure.
    pub error: bool,
}

/// The answer to `lambda.logs`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct LogsResult {
    pub function: String,
    pub log_group: String,
    /// The log group does not exist yet: the function has never run (or cannot log).
    pub never_ran: bool,
    /// What the person should know (never ran, too many events).
    pub notes: Vec<String>,
    /// In time order.
    pub lines: Vec<LogLine>,
    pub cursor: LogCursor,
}

/// `lambda.metrics`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MetricsParams {
    pub uri: String,
    #[serde(default)]
    #[cfg_attr(test, ts(optional))]
    pub handler: Option<String>,
    /// How far back (`1h`, `3h`, `1d`); absent: `3h`.
    #[serde(default)]
    #[cfg_attr(test, ts(optional))]
    pub since: Option<String>,
    /// The period of each point (`1m`, `5m`, `1h`); absent: about 60 points over the window.
    #[serde(default)]
    #[cfg_attr(test, ts(optional))]
    pub period: Option<String>,
}

/// One line of a chart: `[time in ms, value]` per period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct MetricLine {
    /// `Sum`, `Average`, `Maximum`, `p99`.
    pub label: String,
    #[cfg_attr(test, ts(type = "Array<[number, number]>"))]
    pub points: Vec<(i64, f64)>,
}

/// One chart of the Monitor view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct MetricChart {
    /// The metric as CloudWatch names it (`Invocations`).
    pub metric: String,
    /// `count`, `ms` or `percent`.
    pub unit: String,
    /// The window's figures in words (`12 in total`, `avg 41 ms, max 230 ms, p99 –`).
    pub summary: String,
    pub lines: Vec<MetricLine>,
}

/// The answer to `lambda.metrics`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct MetricsResult {
    pub function: String,
    pub region: String,
    #[cfg_attr(test, ts(type = "number"))]
    pub start_ms: i64,
    #[cfg_attr(test, ts(type = "number"))]
    pub end_ms: i64,
    #[cfg_attr(test, ts(type = "number"))]
    pub period_s: i64,
    pub charts: Vec<MetricChart>,
    /// What the figures leave out, and why (no percentiles on this endpoint).
    pub notes: Vec<String>,
}

/// The commands a code lens runs. Server commands carry [`FunctionParams`]-shaped
/// arguments; `lambda.invokeWithEvent` is the extension's own (it asks for an event, then
/// runs `lambda.invoke`).
pub mod lens_commands {
    pub const INVOKE: &str = "lambda.invoke";
    pub const INVOKE_WITH_EVENT: &str = "lambda.invokeWithEvent";
    /// The extension's own: starts a `lambda` debug session (which runs `lambda.debugStart`).
    pub const DEBUG: &str = "lambda.debugFunction";
}

/// The argument of every code lens command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct LensArguments {
    /// The handler's file.
    pub uri: String,
    /// The handler's function name; where functions of a template share that handler, the
    /// function's logical id.
    pub handler: String,
}

/// `initializationOptions` of `initialize`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct InitializationOptions {
    /// Whether the user trusts the workspace (Restricted Mode refuses to run its code).
    /// Absent: trusted, as for any editor that knows nothing of trust.
    #[serde(default)]
    #[cfg_attr(test, ts(optional))]
    pub trusted: Option<bool>,
    /// The interpreter for functions that do not set `python` (`lambda.python.path`).
    #[serde(default)]
    #[cfg_attr(test, ts(optional))]
    pub python_path: Option<String>,
    /// SAM templates with other names than template.yaml / template.yml
    /// (`lambda.templates`): absolute, or relative to a workspace folder.
    #[serde(default)]
    #[cfg_attr(test, ts(optional))]
    pub templates: Option<Vec<String>>,
}

/// The settings in `workspace/didChangeConfiguration`: the extension's `lambda` section,
/// plus whether the workspace is trusted now.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ConfigurationSettings {
    #[serde(default)]
    #[cfg_attr(test, ts(optional))]
    pub lambda: Option<LambdaSettings>,
}

/// The `lambda` settings section.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct LambdaSettings {
    #[serde(default)]
    #[cfg_attr(test, ts(optional))]
    pub python: Option<PathSetting>,
    #[serde(default)]
    #[cfg_attr(test, ts(optional))]
    pub trusted: Option<bool>,
    /// `lambda.templates` (see [`InitializationOptions::templates`]).
    #[serde(default)]
    #[cfg_attr(test, ts(optional))]
    pub templates: Option<Vec<String>>,
}

/// A `{ "path": … }` setting; empty or null: unset.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct PathSetting {
    #[serde(default)]
    #[cfg_attr(test, ts(optional))]
    pub path: Option<String>,
}

/// `lambda/documentText`: the server's copy of an open document (for tests and bug
/// reports). Params: `{ uri }`; result: the text, or null when it is not open.
pub const DOCUMENT_TEXT: &str = "lambda/documentText";

/// What went wrong, for the extension to branch on (the message is for the person).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum ErrorKind {
    /// The arguments do not fit the command.
    InvalidParams,
    /// The server has no such command.
    UnknownCommand,
    /// Restricted Mode: the workspace is not trusted.
    Untrusted,
    /// The file or folder is not part of a Lambda function.
    NotAFunction,
    /// Too many long commands are running.
    Busy,
    /// The work itself failed (the function could not run, packaging or AWS failed).
    Failed,
    /// The user cancelled the request.
    Cancelled,
}

impl ErrorKind {
    /// Every kind, for the TypeScript mirror.
    pub const ALL: &'static [ErrorKind] = &[
        ErrorKind::InvalidParams,
        ErrorKind::UnknownCommand,
        ErrorKind::Untrusted,
        ErrorKind::NotAFunction,
        ErrorKind::Busy,
        ErrorKind::Failed,
        ErrorKind::Cancelled,
    ];

    /// The JSON-RPC error code: JSON-RPC's and LSP's own where they mean the same thing,
    /// else in the range JSON-RPC leaves to servers.
    pub fn code(self) -> i64 {
        match self {
            ErrorKind::InvalidParams => -32602,
            ErrorKind::UnknownCommand => -32601,
            ErrorKind::Untrusted => -32010,
            ErrorKind::NotAFunction => -32011,
            ErrorKind::Busy => -32012,
            ErrorKind::Failed => -32013,
            // LSP's RequestCancelled.
            ErrorKind::Cancelled => -32800,
        }
    }
}

/// The `data` of every error the server's commands return.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ErrorData {
    pub kind: ErrorKind,
}

/// A command's failure: its kind and one sentence for the person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandError {
    pub kind: ErrorKind,
    pub message: String,
}

impl CommandError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        CommandError {
            kind,
            message: message.into(),
        }
    }

    /// The work failed; `message` says why and what to do.
    pub fn failed(message: impl Into<String>) -> Self {
        CommandError::new(ErrorKind::Failed, message)
    }
}

impl std::fmt::Display for CommandError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<CommandError> for tower_lsp_server::jsonrpc::Error {
    fn from(error: CommandError) -> Self {
        tower_lsp_server::jsonrpc::Error {
            code: tower_lsp_server::jsonrpc::ErrorCode::from(error.kind.code()),
            message: error.message.into(),
            data: serde_json::to_value(ErrorData { kind: error.kind }).ok(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ts_rs::TS;

    /// Where the mirror lives, from the crate's folder.
    const MIRROR: &str = "../extension/src/protocol.ts";

    /// The TypeScript mirror of this module.
    fn typescript() -> String {
        let mut out = String::from(
            "// Generated from server/src/lsp/protocol.rs by its test; do not edit by hand.\n\
             // After changing the Rust types: LAMBDA_LS_BLESS=1 cargo test -p lambda-ls protocol\n\
             /* eslint-disable */\n\n",
        );
        out.push_str("/** Command ids, by name. */\nexport const COMMANDS = {\n");
        for (id, variant, _, _) in command_table() {
            let name = lower_first(variant);
            out.push_str(&format!("  {name}: \"{id}\",\n"));
        }
        out.push_str("} as const;\n\n");
        out.push_str(
            "/** Each command's parameters and result. */\nexport interface CommandTypes {\n",
        );
        for (id, _, params, result) in command_table() {
            out.push_str(&format!(
                "  \"{id}\": {{ params: {params}; result: {result} }};\n"
            ));
        }
        out.push_str("}\n\n");
        out.push_str("/** The commands code lenses run. */\nexport const LENS_COMMANDS = {\n");
        out.push_str(&format!(
            "  invoke: \"{}\",\n  invokeWithEvent: \"{}\",\n  debug: \"{}\",\n}} as const;\n\n",
            lens_commands::INVOKE,
            lens_commands::INVOKE_WITH_EVENT,
            lens_commands::DEBUG
        ));
        out.push_str(&format!(
            "/** Custom requests. */\nexport const DOCUMENT_TEXT = \"{DOCUMENT_TEXT}\";\n\n"
        ));
        out.push_str("/** JSON-RPC error codes of the server's commands, by kind. */\nexport const ERROR_CODES: Record<ErrorKind, number> = {\n");
        for kind in ErrorKind::ALL {
            let name = serde_json::to_value(kind).unwrap();
            out.push_str(&format!("  {}: {},\n", name.as_str().unwrap(), kind.code()));
        }
        out.push_str("};\n");
        let declarations = [
            FunctionParams::decl(),
            InvokeParams::decl(),
            InvokeStatus::decl(),
            InvokeReport::decl(),
            InvokeResult::decl(),
            DebugSession::decl(),
            DebugSessionParams::decl(),
            PackagePart::decl(),
            PackageResult::decl(),
            DeployPlan::decl(),
            DeployResult::decl(),
            NewTestEventParams::decl(),
            NewTestEventResult::decl(),
            EventFile::decl(),
            EventTemplate::decl(),
            ListEventsResult::decl(),
            ListFunctionsParams::decl(),
            FunctionSummary::decl(),
            ListFunctionsResult::decl(),
            LogsParams::decl(),
            LogCursor::decl(),
            LogLine::decl(),
            LogsResult::decl(),
            MetricsParams::decl(),
            MetricLine::decl(),
            MetricChart::decl(),
            MetricsResult::decl(),
            LensArguments::decl(),
            InitializationOptions::decl(),
            ConfigurationSettings::decl(),
            LambdaSettings::decl(),
            PathSetting::decl(),
            ErrorKind::decl(),
            ErrorData::decl(),
        ];
        for declaration in declarations {
            out.push_str(&format!("\nexport {}\n", pretty(&declaration)));
        }
        out
    }

    /// ts-rs writes an object type on one line with its doc comments inline; give each
    /// field a line of its own, so that the mirror reads like hand-written TypeScript.
    fn pretty(declaration: &str) -> String {
        let (Some(open), Some(close)) = (declaration.find("= {"), declaration.rfind('}')) else {
            return declaration.to_string();
        };
        let body = &declaration[open + 3..close];
        let mut out = format!("{}= {{\n", &declaration[..open]);
        let mut rest = body.trim_start();
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix("/**") {
                let end = after.find("*/").expect("doc comments are closed");
                let lines: Vec<&str> = after[..end]
                    .lines()
                    .map(|line| line.trim().trim_start_matches('*').trim())
                    .filter(|line| !line.is_empty())
                    .collect();
                match lines[..] {
                    [line] => out.push_str(&format!("  /** {line} */\n")),
                    _ => {
                        out.push_str("  /**\n");
                        for line in lines {
                            out.push_str(&format!("   * {line}\n"));
                        }
                        out.push_str("   */\n");
                    }
                }
                rest = after[end + 2..].trim_start();
                continue;
            }
            // A field runs to the next comma outside brackets.
            let mut depth = 0i32;
            let end = rest
                .char_indices()
                .find(|&(_, c)| {
                    match c {
                        '<' | '{' | '(' | '[' => depth += 1,
                        '>' | '}' | ')' | ']' => depth -= 1,
                        _ => {}
                    }
                    c == ',' && depth == 0
                })
                .map_or(rest.len(), |(i, _)| i);
            out.push_str(&format!("  {};\n", rest[..end].trim()));
            rest = rest[(end + 1).min(rest.len())..].trim_start();
        }
        out.push_str(&declaration[close..]);
        out
    }

    fn lower_first(s: &str) -> String {
        let mut chars = s.chars();
        chars
            .next()
            .map(|c| c.to_ascii_lowercase().to_string() + chars.as_str())
            .unwrap_or_default()
    }

    #[test]
    fn typescript_mirror_is_up_to_date() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(MIRROR);
        let expected = typescript();
        if std::env::var("LAMBDA_LS_BLESS").as_deref() == Ok("1") {
            std::fs::write(&path, &expected).unwrap();
            return;
        }
        let actual = std::fs::read_to_string(&path).unwrap_or_default();
        if actual != expected {
            let first_difference = actual
                .lines()
                .zip(expected.lines())
                .enumerate()
                .find(|(_, (a, e))| a != e)
                .map(|(n, (a, e))| format!("line {}:\n  file:      {a}\n  Rust says: {e}", n + 1))
                .unwrap_or_else(|| "the files differ in length".to_string());
            panic!(
                "extension/src/protocol.ts does not match the Rust protocol types ({first_difference}).\n\
                 If the Rust types are right, regenerate it: LAMBDA_LS_BLESS=1 cargo test -p lambda-ls protocol"
            );
        }
    }

    #[test]
    fn commands_parse_from_their_ids() {
        for command in Command::ALL {
            assert_eq!(command.id().parse::<Command>(), Ok(*command));
        }
        let unknown = "lambda.fly".parse::<Command>().unwrap_err();
        assert_eq!(unknown.kind, ErrorKind::UnknownCommand);
        assert!(unknown.message.contains("`lambda.invoke`"), "{unknown}");
    }

    #[test]
    fn unknown_arguments_are_refused() {
        let error = serde_json::from_value::<InvokeParams>(
            serde_json::json!({"uri": "file:///f", "evnt": "x"}),
        )
        .unwrap_err();
        assert!(error.to_string().contains("evnt"), "{error}");
        let params: InvokeParams = serde_json::from_value(
            serde_json::json!({"uri": "file:///f", "handler": "lambda_handler"}),
        )
        .unwrap();
        assert_eq!(params.handler.as_deref(), Some("lambda_handler"));
    }

    #[test]
    fn errors_carry_their_kind_and_code() {
        let error: tower_lsp_server::jsonrpc::Error =
            CommandError::new(ErrorKind::Untrusted, "trust the folder").into();
        assert_eq!(error.code.code(), -32010);
        assert_eq!(error.data, Some(serde_json::json!({"kind": "untrusted"})));
        // Every kind has its own code.
        let codes: std::collections::HashSet<_> = ErrorKind::ALL.iter().map(|k| k.code()).collect();
        assert_eq!(codes.len(), ErrorKind::ALL.len());
    }
}
