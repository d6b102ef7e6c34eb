//! `workspace/executeCommand`: what the editor's lenses and palette run on the server.
//! Arguments and results are JSON objects; the work itself is the same core the CLI uses.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::Deserialize;
use serde_json::{json, Value};

use crate::project::{self, Function};
use crate::runtime::{event_source, InvocationStatus, InvokeOptions, Invoker};

/// Commands the server carries out (listed in its capabilities).
pub const COMMANDS: &[&str] = &[
    INVOKE,
    NEW_TEST_EVENT,
    LIST_EVENTS,
    PACKAGE,
    DEPLOY,
    INVOKE_REMOTE,
];
/// Invoke a function locally: `{uri, event?, cold?}` → the invocation.
pub const INVOKE: &str = "lambda.invoke";
/// Write a test event from a template into the function's `events/`: `{uri, template, name?}`.
pub const NEW_TEST_EVENT: &str = "lambda.newTestEvent";
/// The event files and templates a function can be invoked with: `{uri}`.
pub const LIST_EVENTS: &str = "lambda.listEvents";
/// Build the function's deployment .zip: `{uri}` → the package report and a message.
pub const PACKAGE: &str = "lambda.package";
/// Deploy the function to AWS: `{uri, plan?}`; with `plan` only report what would change.
pub const DEPLOY: &str = "lambda.deploy";
/// Invoke the deployed function in AWS: `{uri, event?}` → the invocation, as `lambda.invoke`.
pub const INVOKE_REMOTE: &str = "lambda.invokeRemote";

/// Arguments common to the commands: a file or folder of the function, and what to use.
#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Target {
    pub uri: String,
    #[serde(default)]
    pub event: Option<String>,
    #[serde(default)]
    pub cold: bool,
    #[serde(default)]
    pub template: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    /// `lambda.deploy`: report the plan, change nothing.
    #[serde(default)]
    pub plan: bool,
}

/// State the commands keep: warm environments and each function's last event.
#[derive(Default)]
pub struct Commands {
    pub invoker: Invoker,
    last_event: Mutex<HashMap<PathBuf, String>>,
    /// The interpreter the editor chose, for functions that do not set one.
    pub python_path: Mutex<Option<String>>,
    /// Whether the user trusts the workspace (Restricted Mode refuses to run its code).
    pub trusted: Mutex<bool>,
}

/// A failure to report to the user, as one sentence.
pub type CommandError = String;

fn path_of(uri: &str) -> Result<PathBuf, CommandError> {
    let parsed: tower_lsp_server::ls_types::Uri = uri
        .parse()
        .map_err(|_| format!("{uri} is not a valid URI"))?;
    parsed
        .to_file_path()
        .map(|p| p.into_owned())
        .ok_or_else(|| format!("{uri} is not a file on this machine"))
}

/// The function a file or folder belongs to.
pub fn function_at(path: &Path) -> Result<Function, CommandError> {
    let dir = path
        .ancestors()
        .find(|dir| dir.is_dir() && project::is_function_dir(dir))
        .ok_or_else(|| {
            format!(
                "{} is not inside a Lambda function folder (one with lambda.toml or \
                 lambda_function.py)",
                path.display()
            )
        })?;
    project::load(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))
}

impl Commands {
    pub fn new(trusted: bool, python_path: Option<String>) -> Self {
        Commands {
            invoker: Invoker::default(),
            last_event: Mutex::new(HashMap::new()),
            python_path: Mutex::new(python_path),
            trusted: Mutex::new(trusted),
        }
    }

    fn require_trust(&self, what: &str) -> Result<(), CommandError> {
        if *self.trusted.lock().unwrap_or_else(|e| e.into_inner()) {
            Ok(())
        } else {
            Err(format!(
                "{what} runs this workspace's code, and the workspace is not trusted (Restricted \
                 Mode). Trust the folder to {what}; checks and completion work either way."
            ))
        }
    }

    /// `lambda.invoke`: run the handler locally with the chosen event (else the last one
    /// used for this function, else its trigger's template).
    pub async fn invoke(&self, target: Target) -> Result<Value, CommandError> {
        self.require_trust("Invoke")?;
        let mut function = function_at(&path_of(&target.uri)?)?;
        if function.config.python.is_none() {
            function.config.python = self
                .python_path
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clone();
        }
        let remembered = self
            .last_event
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&function.dir)
            .cloned();
        let (event, event_label) = match target.event.or(remembered) {
            Some(source) => {
                let bytes = event_source::load_event(&source, &function.dir)?;
                self.last_event
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(function.dir.clone(), source.clone());
                (bytes, source)
            }
            None => {
                let label = function
                    .config
                    .triggers
                    .first()
                    .map(|t| format!("{} template", t.kind()))
                    .unwrap_or_else(|| "{}".to_string());
                (event_source::default_event(&function), label)
            }
        };
        let options = InvokeOptions {
            cold: target.cold,
            ..Default::default()
        };
        let invocation = self
            .invoker
            .invoke(&function, event, &options)
            .await
            .map_err(|e| e.to_string())?;
        Ok(json!({
            "function": function.config.name.value,
            "event": event_label,
            "status": match invocation.status {
                InvocationStatus::Success => "Success",
                InvocationStatus::FunctionError => "FunctionError",
            },
            "errorType": invocation.error_type,
            "requestId": invocation.request_id,
            "payload": invocation.payload_text(),
            "log": invocation.log,
            "coldStart": invocation.cold_start,
            "report": {
                "durationMs": invocation.report.duration_ms,
                "billedDurationMs": invocation.report.billed_ms,
                "memorySizeMb": invocation.report.memory_mb,
                "maxMemoryUsedMb": invocation.report.max_memory_used_mb,
                "initDurationMs": invocation.report.init_duration_ms,
                "line": invocation.report.line(&invocation.request_id),
            },
        }))
    }

    /// `lambda.newTestEvent`: write a template into `events/<name>.json` (never over an
    /// existing file) and return its URI.
    pub fn new_test_event(&self, target: Target) -> Result<Value, CommandError> {
        let function = function_at(&path_of(&target.uri)?)?;
        let template_name = target
            .template
            .or_else(|| {
                function
                    .config
                    .triggers
                    .first()
                    .map(|t| t.kind().to_string())
            })
            .ok_or("choose a template (`lambda-ls events list` shows them)")?;
        let value =
            crate::catalog::render_template(&template_name, &[]).map_err(|e| e.to_string())?;
        let name = target.name.unwrap_or_else(|| template_name.clone());
        if name.contains('/') || name.contains('\\') || name.starts_with('.') {
            return Err(format!("{name:?} is not a plain file name"));
        }
        let dir = function.dir.join("events");
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let file = dir.join(format!("{}.json", name.trim_end_matches(".json")));
        let text = serde_json::to_string_pretty(&value).map_err(|e| e.to_string())? + "\n";
        let mut handle = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&file)
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::AlreadyExists => {
                    format!("{} already exists; choose another name", file.display())
                }
                _ => format!("cannot write {}: {e}", file.display()),
            })?;
        std::io::Write::write_all(&mut handle, text.as_bytes())
            .map_err(|e| format!("cannot write {}: {e}", file.display()))?;
        let uri = tower_lsp_server::ls_types::Uri::from_file_path(&file)
            .map(|u| u.as_str().to_string())
            .unwrap_or_default();
        Ok(json!({ "uri": uri, "path": file }))
    }

    /// `lambda.package`: the same build as `lambda-ls package`, off the async threads (it
    /// installs dependencies and compresses on every core). The zip appears atomically, so
    /// a cancelled request leaves either the old package or the new one, never half of one.
    pub async fn package(&self, target: Target) -> Result<Value, CommandError> {
        self.require_trust("Package")?;
        let function = function_at(&path_of(&target.uri)?)?;
        let report = tokio::task::spawn_blocking(move || {
            crate::package::build(&function, &crate::package::Options::default())
        })
        .await
        .map_err(|e| format!("packaging stopped unexpectedly: {e}"))?
        .map_err(|e| e.to_string())?;
        let mut message = format!(
            "{} packaged: {} zipped, {} unzipped, CodeSha256 {} → {}",
            report.function,
            crate::package::human(report.zipped_bytes),
            crate::package::human(report.unzipped_bytes),
            report.code_sha256,
            report.zip_path.display()
        );
        for warning in &report.warnings {
            message.push_str(&format!(". {warning}"));
        }
        let mut value = serde_json::to_value(&report).map_err(|e| e.to_string())?;
        value["message"] = json!(message);
        Ok(value)
    }

    /// `lambda.listEvents`: the function's event files and the built-in templates.
    pub fn list_events(&self, target: Target) -> Result<Value, CommandError> {
        let function = function_at(&path_of(&target.uri)?)?;
        let files: Vec<_> = event_source::event_files(&function.dir)
            .into_iter()
            .map(|p| json!({"name": p.file_name().map(|n| n.to_string_lossy().into_owned()), "path": p}))
            .collect();
        let templates: Vec<_> = crate::catalog::templates()
            .map(|t| json!({"name": t.name, "description": t.description, "trigger": t.trigger}))
            .collect();
        Ok(json!({ "files": files, "templates": templates }))
    }

    /// `lambda.deploy`: with `plan`, `{functionName, account, region, changes}` and nothing
    /// touched in AWS; else deploy and return `{arn, changes, message}`. Both need trust.
    pub async fn deploy(&self, target: Target) -> Result<Value, CommandError> {
        use crate::aws::deploy::{deploy, DeployOptions};
        // Even a plan packages the workspace (and may install its dependencies).
        self.require_trust("Deploy")?;
        let function = function_at(&path_of(&target.uri)?)?;
        let aws = crate::aws::Aws::connect(function.config.region.as_deref())
            .await
            .map_err(|e| e.to_string())?;
        let options = DeployOptions {
            dry_run: target.plan,
            process_env: std::env::vars().collect(),
            ..Default::default()
        };
        let report = deploy(&aws, &function, &options)
            .await
            .map_err(|e| e.to_string())?;
        let changes: Vec<String> = report.changes.iter().map(|c| c.to_string()).collect();
        if target.plan {
            return Ok(json!({
                "functionName": report.function_name,
                "account": report.account,
                "region": report.region,
                "changes": changes,
                "notes": report.notes,
            }));
        }
        let message = if changes.is_empty() {
            format!(
                "{} is up to date: code unchanged, nothing uploaded",
                report.function_name
            )
        } else {
            format!(
                "{} {}: {}",
                if report.created { "Created" } else { "Updated" },
                report.function_name,
                changes.join("; ")
            )
        };
        Ok(json!({
            "arn": report.arn,
            "changes": changes,
            "message": message,
            "functionUrl": report.function_url,
            "version": report.version,
            "uploadedBytes": report.uploaded_bytes,
        }))
    }

    /// `lambda.invokeRemote`: invoke the deployed function with the chosen event (else its
    /// trigger's template) and return the invocation in `lambda.invoke`'s shape.
    pub async fn invoke_remote(&self, target: Target) -> Result<Value, CommandError> {
        self.require_trust("Invoke")?;
        let function = function_at(&path_of(&target.uri)?)?;
        let (event, event_label) = match &target.event {
            Some(source) => (
                event_source::load_event(source, &function.dir)?,
                source.clone(),
            ),
            None => {
                let label = function
                    .config
                    .triggers
                    .first()
                    .map(|t| format!("{} template", t.kind()))
                    .unwrap_or_else(|| "{}".to_string());
                (event_source::default_event(&function), label)
            }
        };
        let aws = crate::aws::Aws::connect(function.config.region.as_deref())
            .await
            .map_err(|e| e.to_string())?;
        let invocation =
            crate::aws::remote_invoke::invoke(&aws, &function.config.name.value, event)
                .await
                .map_err(|e| e.to_string())?;
        let report = invocation.report.clone().unwrap_or_default();
        Ok(json!({
            "function": function.config.name.value,
            "event": event_label,
            "remote": true,
            "status": if invocation.function_error.is_some() { "FunctionError" } else { "Success" },
            "functionError": invocation.function_error,
            "errorType": invocation.error_type,
            "requestId": invocation.request_id,
            "payload": String::from_utf8_lossy(&invocation.payload),
            "log": invocation.log,
            "executedVersion": invocation.executed_version,
            "report": {
                "durationMs": report.duration_ms,
                "billedDurationMs": report.billed_ms,
                "memorySizeMb": report.memory_mb,
                "maxMemoryUsedMb": report.max_memory_used_mb,
                "initDurationMs": report.init_duration_ms,
                "line": invocation.report.as_ref().map(|r| r.line.clone()),
            },
        }))
    }
}
