//! The server's commands (`workspace/executeCommand`): what the editor's lenses and palette
//! run. Arguments and results are the types of [`super::protocol`]; the work itself is the
//! same core the CLI uses.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use super::protocol::{
    CommandError, DebugSession, DebugSessionParams, DeployPlan, DeployResult, ErrorKind, EventFile,
    EventTemplate, FunctionParams, FunctionSummary, InvokeParams, InvokeReport, InvokeResult,
    InvokeStatus, ListEventsResult, ListFunctionsParams, ListFunctionsResult, LogCursor, LogLine,
    LogsParams, LogsResult, MetricChart, MetricLine, MetricsParams, MetricsResult,
    NewTestEventParams, NewTestEventResult, PackagePart, PackageResult,
};
use crate::project::{Disk, Function, Functions};
use crate::runtime::log::{self, LogFile};
use crate::runtime::{
    event_source, DebugOptions, Invocation, InvocationStatus, InvokeOptions, Invoker,
};

/// How much of a log an invoke result carries: the console's Test tab shows the last 4 KB.
const LOG_TAIL_BYTES: usize = 4 * 1024;

/// State the commands keep: warm environments and each function's last event.
#[derive(Default)]
pub struct Commands {
    pub invoker: Invoker,
    /// By function folder and id (several functions may share a folder).
    last_event: Mutex<HashMap<(PathBuf, String), String>>,
    /// The interpreter the editor chose, for functions that do not set one.
    pub python_path: Mutex<Option<String>>,
    /// Whether the user trusts the workspace (Restricted Mode refuses to run its code).
    pub trusted: Mutex<bool>,
    /// SAM templates with other names (`lambda.templates`), resolved.
    pub templates: Mutex<Vec<PathBuf>>,
    /// Debugged invokes by session, until their result is asked for.
    debug_sessions: Mutex<HashMap<String, DebugTask>>,
}

type DebugTask = tokio::task::JoinHandle<Result<InvokeResult, CommandError>>;

/// Aborts a task (which kills its environment) when dropped, unless emptied first.
struct AbortOnDrop(Option<tokio::task::AbortHandle>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        if let Some(handle) = self.0.take() {
            handle.abort();
        }
    }
}

fn failed(error: impl std::fmt::Display) -> CommandError {
    CommandError::failed(error.to_string())
}

fn path_of(uri: &str) -> Result<PathBuf, CommandError> {
    let invalid = |why: &str| CommandError::new(ErrorKind::InvalidParams, format!("{uri} {why}"));
    let parsed: tower_lsp_server::ls_types::Uri =
        uri.parse().map_err(|_| invalid("is not a valid URI"))?;
    parsed
        .to_file_path()
        .map(|p| p.into_owned())
        .ok_or_else(|| invalid("is not a file on this machine"))
}

/// The function a file or folder belongs to. `handler` picks one: a function's id (a
/// template's logical id) or its handler's function name, as the lenses and the functions
/// view send them; without it, the folder's only function or the only one whose handler is
/// in the file.
pub fn function_at(
    path: &Path,
    handler: Option<&str>,
    templates: &[PathBuf],
) -> Result<Function, CommandError> {
    let mut functions = Functions::with_templates(templates.to_vec());
    let folder = functions.of(&Disk, path).ok_or_else(|| {
        CommandError::new(
            ErrorKind::NotAFunction,
            format!(
                "{} is not inside a Lambda function folder (one with lambda.toml or \
                 lambda_function.py, or a template.yaml function's code folder)",
                path.display()
            ),
        )
    })?;
    let listed = |functions: &[Arc<Function>]| {
        functions
            .iter()
            .map(|f| format!("`{}` (handler `{}`)", f.id(), f.config.handler.value))
            .collect::<Vec<_>>()
            .join(", ")
    };
    folder
        .pick(Some(path), handler)
        .map(|f| Function::clone(&f))
        .map_err(|candidates| match (handler, candidates.is_empty()) {
            (Some(wanted), true) => CommandError::new(
                ErrorKind::NotAFunction,
                format!(
                    "`{wanted}` is not the handler of a function in {}: its functions are {}",
                    folder.dir.display(),
                    listed(&folder.functions)
                ),
            ),
            _ => CommandError::new(
                ErrorKind::InvalidParams,
                format!(
                    "{} belongs to several functions: {}; run the command from the lens above \
                     the handler, or from the Lambda Functions view",
                    path.display(),
                    listed(&candidates)
                ),
            ),
        })
}

/// `lambda.listFunctions` over `workspace_folders` (or the folders the params name): every
/// function under them, as `lambda-ls functions` lists them.
pub fn list_functions(
    params: ListFunctionsParams,
    workspace_folders: &[PathBuf],
    templates: &[PathBuf],
) -> Result<ListFunctionsResult, CommandError> {
    let folders = match params.folders {
        Some(uris) => uris
            .iter()
            .map(|u| path_of(u))
            .collect::<Result<Vec<_>, _>>()?,
        None => workspace_folders.to_vec(),
    };
    let mut functions = Functions::with_templates(templates.to_vec());
    let mut result = ListFunctionsResult {
        functions: Vec::new(),
        problems: Vec::new(),
    };
    let mut seen = std::collections::HashSet::new();
    for folder in folders {
        let listing = crate::project::sam::functions_under(&mut functions, &folder);
        for (template, why) in listing.unreadable {
            result
                .problems
                .push(format!("{}: {why}", template.display()));
        }
        for function in listing.functions {
            if !seen.insert((function.dir.clone(), function.id().to_string())) {
                continue;
            }
            let handler_file = function.handler_file().filter(|f| f.is_file());
            let c = &function.config;
            result.functions.push(FunctionSummary {
                uri: file_uri(handler_file.as_deref().unwrap_or(&function.dir)),
                handler: function.id().to_string(),
                name: c.name.value.clone(),
                folder: file_uri(&function.dir),
                handler_path: c.handler.value.clone(),
                runtime: c.runtime.value.clone(),
                architecture: c.architecture.value.as_str().to_string(),
                memory: c.memory.value.into(),
                timeout: c.timeout.value.into(),
                source: function.source_label(),
                triggers: c.triggers.iter().map(|t| t.kind().to_string()).collect(),
            });
        }
    }
    Ok(result)
}

/// The `lambda.templates` setting's paths that name files: absolute ones as they are,
/// relative ones in each workspace folder that has them.
pub fn resolve_templates(setting: &[String], workspace_folders: &[PathBuf]) -> Vec<PathBuf> {
    let mut resolved = Vec::new();
    for entry in setting.iter().filter(|e| !e.trim().is_empty()) {
        let path = Path::new(entry);
        if path.is_absolute() {
            resolved.push(path.to_path_buf());
            continue;
        }
        resolved.extend(
            workspace_folders
                .iter()
                .map(|folder| folder.join(path))
                .filter(|candidate| candidate.is_file()),
        );
    }
    resolved
}

/// A path as a `file://` URI.
fn file_uri(path: &Path) -> String {
    tower_lsp_server::ls_types::Uri::from_file_path(path)
        .map(|u| u.as_str().to_string())
        .unwrap_or_else(|| format!("file://{}", path.display()))
}

/// The editor's view of a local invocation.
/// Where a local invoke's whole log goes as it comes (the result carries its last 4 KB):
/// a file in lambda-ls's cache, or nowhere when it cannot be created.
fn new_log_file(function: &Function) -> Option<LogFile> {
    LogFile::create(
        &crate::package::deps::cache_root().join("logs"),
        &function.config.name.value,
    )
    .ok()
}

fn local_result(
    function: &Function,
    event_label: String,
    invocation: &Invocation,
    log_file: Option<LogFile>,
) -> InvokeResult {
    let log_bytes = log_file
        .as_ref()
        .map_or(invocation.log.len() as u64, LogFile::finish);
    let report = &invocation.report;
    InvokeResult {
        function: function.config.name.value.clone(),
        event: event_label,
        remote: false,
        status: match invocation.status {
            InvocationStatus::Success => InvokeStatus::Success,
            InvocationStatus::FunctionError => InvokeStatus::FunctionError,
        },
        error_type: invocation.error_type.clone(),
        function_error: None,
        request_id: invocation.request_id.clone(),
        payload: invocation.payload_text().into_owned(),
        log: log::last_bytes(&invocation.log, LOG_TAIL_BYTES).to_string(),
        log_file: log_file.map(|file| file.path.display().to_string()),
        log_bytes,
        cold_start: invocation.cold_start,
        report: Some(InvokeReport {
            duration_ms: report.duration_ms,
            billed_duration_ms: report.billed_ms,
            memory_size_mb: report.memory_mb.into(),
            max_memory_used_mb: report.max_memory_used_mb,
            init_duration_ms: report.init_duration_ms,
            line: report.line(&invocation.request_id),
        }),
        executed_version: None,
        notes: invocation.notes.clone(),
    }
}

impl Commands {
    pub fn new(trusted: bool, python_path: Option<String>) -> Self {
        Commands {
            invoker: Invoker::default(),
            last_event: Mutex::new(HashMap::new()),
            python_path: Mutex::new(python_path),
            trusted: Mutex::new(trusted),
            templates: Mutex::new(Vec::new()),
            debug_sessions: Mutex::new(HashMap::new()),
        }
    }

    /// The function a command's `uri` and `handler` name (see [`function_at`]).
    fn function(&self, uri: &str, handler: Option<&str>) -> Result<Function, CommandError> {
        let templates = self
            .templates
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        function_at(&path_of(uri)?, handler, &templates)
    }

    /// Refuse `what` in Restricted Mode.
    pub fn require_trust(&self, what: &str) -> Result<(), CommandError> {
        if *self.trusted.lock().unwrap_or_else(|e| e.into_inner()) {
            Ok(())
        } else {
            Err(CommandError::new(
                ErrorKind::Untrusted,
                format!(
                    "{what} runs this workspace's code or acts on AWS as its lambda.toml says, \
                     and the workspace is not trusted \
                     (Restricted Mode). Trust the folder to {what}; checks and completion work \
                     either way."
                ),
            ))
        }
    }

    /// The function a local invoke runs (with the editor's interpreter when it sets none),
    /// and its event: the one asked for (remembered), else the last one used for this
    /// function, else its trigger's template.
    fn local_invoke(
        &self,
        params: &InvokeParams,
    ) -> Result<(Function, Vec<u8>, String), CommandError> {
        let mut function = self.function(&params.uri, params.handler.as_deref())?;
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
            .get(&(function.dir.clone(), function.id().to_string()))
            .cloned();
        let (event, event_label) = match params.event.clone().or(remembered) {
            Some(source) => {
                let bytes = event_source::load_event(&source, &function.events_dirs())
                    .map_err(|e| CommandError::new(ErrorKind::InvalidParams, e))?;
                self.last_event
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(
                        (function.dir.clone(), function.id().to_string()),
                        source.clone(),
                    );
                (bytes, source)
            }
            None => event_source::default_event(&function),
        };
        Ok((function, event, event_label))
    }

    /// `lambda.invoke`: run the handler locally with the chosen event (else the last one
    /// used for this function, else its trigger's template).
    pub async fn invoke(&self, params: InvokeParams) -> Result<InvokeResult, CommandError> {
        let (function, event, event_label) = self.local_invoke(&params)?;
        let log_file = new_log_file(&function);
        let options = InvokeOptions {
            cold: params.cold.unwrap_or(false),
            log_sink: log_file.as_ref().map(LogFile::sink),
            ..Default::default()
        };
        let invocation = self
            .invoker
            .invoke(&function, event, &options)
            .await
            .map_err(failed)?;
        Ok(local_result(&function, event_label, &invocation, log_file))
    }

    /// `lambda.debugStart`: start the invoke under debugpy on a free loopback port and
    /// answer once it listens; the invoke goes on until the handler returns (or the
    /// debugger ends the process), and `lambda.debugResult` hands out its result.
    pub async fn debug_start(&self, params: InvokeParams) -> Result<DebugSession, CommandError> {
        let (function, event, event_label) = self.local_invoke(&params)?;
        let (listening, heard) = tokio::sync::oneshot::channel();
        let listening = Mutex::new(Some(listening));
        let log_file = new_log_file(&function);
        let options = InvokeOptions {
            log_sink: log_file.as_ref().map(LogFile::sink),
            debug: Some(DebugOptions {
                port: 0,
                on_listening: Some(Arc::new(move |address| {
                    if let Some(listening) =
                        listening.lock().unwrap_or_else(|e| e.into_inner()).take()
                    {
                        let _ = listening.send(address);
                    }
                })),
            }),
            ..Default::default()
        };
        let invoker = self.invoker.clone();
        let name = function.config.name.value.clone();
        let label = event_label.clone();
        let task = tokio::spawn(async move {
            let invocation = invoker
                .invoke(&function, event, &options)
                .await
                .map_err(failed)?;
            Ok(local_result(&function, label, &invocation, log_file))
        });
        // Cancelled before debugpy listens: the waiting environment is ended with it.
        let mut abort = AbortOnDrop(Some(task.abort_handle()));
        match heard.await {
            Ok(address) => {
                abort.0 = None;
                let session = crate::runtime::ids::random_hex(16);
                let mut sessions = self
                    .debug_sessions
                    .lock()
                    .unwrap_or_else(|e| e.into_inner());
                // Results nobody asked for are dropped when they are done.
                sessions.retain(|_, task| !task.is_finished());
                sessions.insert(session.clone(), task);
                Ok(DebugSession {
                    session,
                    host: address.ip().to_string(),
                    port: address.port(),
                    function: name,
                    event: event_label,
                })
            }
            // The environment ended before debugpy listened: the invoke's own error says why.
            Err(_) => match task.await {
                Ok(Err(error)) => Err(error),
                Ok(Ok(result)) => Err(failed(format!(
                    "the function ended before the debugger could attach: {} {}",
                    result.error_type.unwrap_or_default(),
                    result.payload
                ))),
                Err(error) => Err(failed(format!(
                    "the debugged invoke stopped unexpectedly: {error}"
                ))),
            },
        }
    }

    /// `lambda.debugResult`: wait for a debugged invoke to finish. Cancelling this request
    /// stops the function.
    pub async fn debug_result(
        &self,
        params: DebugSessionParams,
    ) -> Result<InvokeResult, CommandError> {
        let task = self
            .debug_sessions
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&params.session)
            .ok_or_else(|| {
                CommandError::new(
                    ErrorKind::InvalidParams,
                    format!(
                        "no debugged invoke `{}` is running: start one with lambda.debugStart (each result is handed out once)",
                        params.session
                    ),
                )
            })?;
        let _abort = AbortOnDrop(Some(task.abort_handle()));
        task.await.unwrap_or_else(|e| {
            Err(failed(format!(
                "the debugged invoke stopped unexpectedly: {e}"
            )))
        })
    }

    /// `lambda.newTestEvent`: write a template into `events/<name>.json` (never over an
    /// existing file) and return where.
    pub fn new_test_event(
        &self,
        params: NewTestEventParams,
    ) -> Result<NewTestEventResult, CommandError> {
        let invalid = |message: String| CommandError::new(ErrorKind::InvalidParams, message);
        let function = self.function(&params.uri, params.handler.as_deref())?;
        let template_name = params
            .template
            .or_else(|| {
                function
                    .config
                    .triggers
                    .first()
                    .map(|t| t.kind().to_string())
            })
            .ok_or_else(|| {
                invalid("choose a template (`lambda-ls events list` shows them)".to_string())
            })?;
        let value = crate::catalog::render_template(&template_name, &[])
            .map_err(|e| invalid(e.to_string()))?;
        let name = params.name.unwrap_or_else(|| template_name.clone());
        if name.contains('/') || name.contains('\\') || name.starts_with('.') {
            return Err(invalid(format!("{name:?} is not a plain file name")));
        }
        let dir = function.events_dirs().swap_remove(0);
        std::fs::create_dir_all(&dir)
            .map_err(|e| failed(format!("cannot create {}: {e}", dir.display())))?;
        let file = dir.join(format!("{}.json", name.trim_end_matches(".json")));
        let text = serde_json::to_string_pretty(&value).map_err(failed)? + "\n";
        let mut handle = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&file)
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::AlreadyExists => invalid(format!(
                    "{} already exists; choose another name",
                    file.display()
                )),
                _ => failed(format!("cannot write {}: {e}", file.display())),
            })?;
        std::io::Write::write_all(&mut handle, text.as_bytes())
            .map_err(|e| failed(format!("cannot write {}: {e}", file.display())))?;
        let uri = tower_lsp_server::ls_types::Uri::from_file_path(&file)
            .map(|u| u.as_str().to_string())
            .unwrap_or_default();
        Ok(NewTestEventResult {
            uri,
            path: file.display().to_string(),
        })
    }

    /// `lambda.package`: the same build as `lambda-ls package`, off the async threads (it
    /// installs dependencies and compresses on every core). The zip appears atomically, so
    /// a cancelled request leaves either the old package or the new one, never half of one.
    pub async fn package(&self, params: FunctionParams) -> Result<PackageResult, CommandError> {
        let function = self.function(&params.uri, params.handler.as_deref())?;
        let report = tokio::task::spawn_blocking(move || {
            crate::package::build(&function, &crate::package::Options::default())
        })
        .await
        .map_err(|e| failed(format!("packaging stopped unexpectedly: {e}")))?
        .map_err(failed)?;
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
        Ok(PackageResult {
            function: report.function,
            zip_path: report.zip_path.display().to_string(),
            code_sha256: report.code_sha256,
            zipped_bytes: report.zipped_bytes,
            unzipped_bytes: report.unzipped_bytes,
            files: report.files as u64,
            runtime: report.runtime,
            architecture: report.architecture,
            largest: report
                .largest
                .into_iter()
                .map(|part| PackagePart {
                    name: part.name,
                    dependency: part.kind == crate::package::ContributorKind::Dependency,
                    unzipped_bytes: part.unzipped_bytes,
                    zipped_bytes: part.zipped_bytes,
                })
                .collect(),
            notes: report.notes,
            warnings: report.warnings,
            message,
        })
    }

    /// `lambda.listEvents`: the function's event files and the built-in templates.
    pub fn list_events(&self, params: FunctionParams) -> Result<ListEventsResult, CommandError> {
        let function = self.function(&params.uri, params.handler.as_deref())?;
        let files = event_source::event_files(&function.events_dirs())
            .into_iter()
            .map(|path| EventFile {
                name: path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                path: path.display().to_string(),
            })
            .collect();
        let templates = crate::catalog::templates()
            .map(|t| EventTemplate {
                name: t.name.clone(),
                description: t.description.clone(),
                trigger: t.trigger.clone(),
            })
            .collect();
        Ok(ListEventsResult { files, templates })
    }

    /// Run the deploy of `params`' function; with `dry_run`, only read and report.
    async fn run_deploy(
        &self,
        params: &FunctionParams,
        dry_run: bool,
        cancel: Option<&AtomicBool>,
    ) -> Result<crate::aws::deploy::DeployReport, CommandError> {
        use crate::aws::deploy::{deploy, DeployError, DeployOptions};
        use crate::aws::stack_sync::{sync_code, Stack, SyncOptions};
        let function = self.function(&params.uri, params.handler.as_deref())?;
        if let Some(template) = &function.template {
            // Its stack owns it: only its code is synced (see `lambda-ls deploy`).
            let stack = Stack::of(template, None).map_err(failed)?;
            let aws = crate::aws::Aws::connect(stack.region.as_deref())
                .await
                .map_err(failed)?;
            let options = SyncOptions {
                dry_run,
                s3_bucket: stack.s3_bucket,
                progress: None,
            };
            return sync_code(&aws, &stack.name, &function, &options)
                .await
                .map_err(failed);
        }
        let aws = crate::aws::Aws::connect(function.config.region.as_deref())
            .await
            .map_err(failed)?;
        let options = DeployOptions {
            dry_run,
            process_env: std::env::vars().collect(),
            cancel,
            ..Default::default()
        };
        deploy(&aws, &function, &options)
            .await
            .map_err(|error| match error {
                DeployError::Cancelled { .. } => {
                    CommandError::new(ErrorKind::Cancelled, error.to_string())
                }
                other => failed(other),
            })
    }

    /// `lambda.deployPlan`: where the deploy goes and what it would change; nothing in AWS
    /// is touched (even so it packages the workspace, so it needs trust).
    pub async fn deploy_plan(&self, params: FunctionParams) -> Result<DeployPlan, CommandError> {
        let report = self.run_deploy(&params, true, None).await?;
        Ok(DeployPlan {
            function_name: report.function_name,
            account: report.account.ok_or_else(|| {
                failed(
                    "could not tell which AWS account the deploy goes to: check your \
                     credentials (aws sts get-caller-identity)",
                )
            })?,
            region: report.region,
            changes: report.changes.iter().map(|c| c.to_string()).collect(),
            notes: report.notes,
        })
    }

    /// `lambda.deploy`: deploy the function. `cancel` stops it between steps.
    pub async fn deploy(
        &self,
        params: FunctionParams,
        cancel: &AtomicBool,
    ) -> Result<DeployResult, CommandError> {
        let report = self.run_deploy(&params, false, Some(cancel)).await?;
        let changes: Vec<String> = report.changes.iter().map(|c| c.to_string()).collect();
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
        Ok(DeployResult {
            arn: report.arn.unwrap_or_default(),
            function_name: report.function_name,
            region: report.region,
            created: report.created,
            changes,
            notes: report.notes,
            message,
            function_url: report.function_url,
            version: report.version,
            uploaded_bytes: report.uploaded_bytes,
        })
    }

    /// `lambda.invokeRemote`: invoke the deployed function with the chosen event (else its
    /// trigger's template), in `lambda.invoke`'s shape.
    pub async fn invoke_remote(&self, params: InvokeParams) -> Result<InvokeResult, CommandError> {
        let function = self.function(&params.uri, params.handler.as_deref())?;
        let (event, event_label) = match &params.event {
            Some(source) => (
                event_source::load_event(source, &function.events_dirs())
                    .map_err(|e| CommandError::new(ErrorKind::InvalidParams, e))?,
                source.clone(),
            ),
            None => event_source::default_event(&function),
        };
        let (aws, name) = crate::aws::stack_sync::deployed(&function, None)
            .await
            .map_err(failed)?;
        let invocation = crate::aws::remote_invoke::invoke(&aws, &name, event)
            .await
            .map_err(failed)?;
        let report = invocation.report.as_ref().and_then(|r| {
            Some(InvokeReport {
                duration_ms: r.duration_ms?,
                billed_duration_ms: r.billed_ms?,
                memory_size_mb: r.memory_mb?,
                max_memory_used_mb: r.max_memory_used_mb?,
                init_duration_ms: r.init_duration_ms,
                line: r.line.clone(),
            })
        });
        Ok(InvokeResult {
            function: function.config.name.value.clone(),
            event: event_label,
            remote: true,
            status: if invocation.function_error.is_some() {
                InvokeStatus::FunctionError
            } else {
                InvokeStatus::Success
            },
            error_type: invocation.error_type,
            function_error: invocation.function_error,
            request_id: invocation.request_id.unwrap_or_default(),
            payload: String::from_utf8_lossy(&invocation.payload).into_owned(),
            log_bytes: invocation.log.len() as u64,
            log: invocation.log,
            log_file: None,
            cold_start: false,
            report,
            executed_version: invocation.executed_version,
            notes: Vec::new(),
        })
    }

    /// `lambda.logs`: the deployed function's log events since `since` (default 10 min),
    /// each placed in its invocation; with the cursor of a previous answer, only the events
    /// stored since, none twice and none skipped (the editor polls it to follow).
    pub async fn logs(&self, params: LogsParams) -> Result<LogsResult, CommandError> {
        use crate::aws::log_lines::{self, Placer};
        use crate::aws::logs::{self, Poller, Query};
        use crate::cli::since::{now_ms, parse_since};
        let invalid = |message: String| CommandError::new(ErrorKind::InvalidParams, message);
        let function = self.function(&params.uri, params.handler.as_deref())?;
        let name = function.config.name.value.clone();
        let start_ms = match &params.cursor {
            Some(cursor) => cursor.start_ms,
            None => {
                parse_since(params.since.as_deref().unwrap_or("10m"), now_ms()).map_err(invalid)?
            }
        };
        let query = Query {
            start_ms,
            end_ms: None,
            filter: params.filter.filter(|f| !f.trim().is_empty()),
            streams: Vec::new(),
        };
        let aws = crate::aws::Aws::connect(function.config.region.as_deref())
            .await
            .map_err(failed)?;
        let group = logs::log_group(&aws, &name).await.map_err(failed)?;
        let (mut poller, mut placer) = match params.cursor {
            Some(cursor) => (
                Poller::resume(
                    &group.name,
                    &query,
                    cursor.newest_ms,
                    cursor.seen.into_iter().collect(),
                ),
                Placer::with_open(cursor.open),
            ),
            None => (Poller::new(&group.name, &query), Placer::default()),
        };
        let events = poller.poll(&aws).await.map_err(failed)?;
        let mut notes = Vec::new();
        if !poller.group_exists {
            notes.push(logs::never_ran(&group));
        }
        let lines = events
            .iter()
            .map(|event| LogLine {
                timestamp_ms: event.timestamp_ms,
                time: crate::runtime::ids::format_timestamp(event.timestamp_ms.max(0) as u64),
                stream: event.stream.clone(),
                request_id: placer.place(event),
                message: log_lines::readable(&event.message),
                error: log_lines::is_error(&event.message),
            })
            .collect();
        let mut seen: Vec<(String, i64)> = poller
            .seen()
            .iter()
            .map(|(key, time)| (key.clone(), *time))
            .collect();
        seen.sort();
        let mut open: Vec<(String, String)> = placer
            .open()
            .map(|(stream, id)| (stream.clone(), id.clone()))
            .collect();
        open.sort();
        Ok(LogsResult {
            function: name,
            log_group: group.name.clone(),
            never_ran: !poller.group_exists,
            notes,
            lines,
            cursor: LogCursor {
                start_ms,
                newest_ms: poller.newest_ms(),
                seen,
                open,
            },
        })
    }

    /// `lambda.metrics`: the Monitor tab's metrics over `since` (default 3 h), in about
    /// 60 points unless `period` is given.
    pub async fn metrics(&self, params: MetricsParams) -> Result<MetricsResult, CommandError> {
        use crate::aws::metrics::{self, Point, Window};
        use crate::cli::since::{now_ms, parse_duration, parse_since};
        let invalid = |message: String| CommandError::new(ErrorKind::InvalidParams, message);
        let function = self.function(&params.uri, params.handler.as_deref())?;
        let name = function.config.name.value.clone();
        let now = now_ms();
        let start_ms =
            parse_since(params.since.as_deref().unwrap_or("3h"), now).map_err(invalid)?;
        let period_s = match &params.period {
            Some(period) => parse_duration(period).map_err(invalid)?,
            None => default_period_s(now - start_ms),
        };
        let window = Window::new(start_ms, now, period_s).map_err(invalid)?;
        let aws = crate::aws::Aws::connect(function.config.region.as_deref())
            .await
            .map_err(failed)?;
        let report = metrics::read(&aws, &name, window).await.map_err(failed)?;
        let m = &report.metrics;
        let line = |label: &str, points: &[Point]| MetricLine {
            label: label.to_string(),
            points: points.iter().map(|p| (p.time_ms, p.value)).collect(),
        };
        let figure = |value: Option<f64>| match value {
            Some(v) => format!("{} ms", (v * 100.0).round() / 100.0),
            None => "–".to_string(),
        };
        let success = match m.errors.success_rate {
            Some(rate) => format!(", {rate}% success"),
            None => String::new(),
        };
        let charts = vec![
            MetricChart {
                metric: "Invocations".into(),
                unit: "count".into(),
                summary: format!("{} in total", m.invocations.sum),
                lines: vec![line("Sum", &m.invocations.points)],
            },
            MetricChart {
                metric: "Errors".into(),
                unit: "count".into(),
                summary: format!("{} in total{success}", m.errors.sum),
                lines: vec![line("Sum", &m.errors.points)],
            },
            MetricChart {
                metric: "Duration".into(),
                unit: "ms".into(),
                summary: format!(
                    "avg {}, max {}, p99 {}",
                    figure(m.duration.avg),
                    figure(m.duration.max),
                    figure(m.duration.p99)
                ),
                lines: vec![
                    line("Average", &m.duration.points),
                    line("Maximum", &m.duration.max_points),
                    line("p99", &m.duration.p99_points),
                ],
            },
            MetricChart {
                metric: "Throttles".into(),
                unit: "count".into(),
                summary: format!("{} in total", m.throttles.sum),
                lines: vec![line("Sum", &m.throttles.points)],
            },
            MetricChart {
                metric: "ConcurrentExecutions".into(),
                unit: "count".into(),
                summary: match m.concurrent_executions.max {
                    Some(max) => format!("at most {max}"),
                    None => "–".to_string(),
                },
                lines: vec![line("Maximum", &m.concurrent_executions.points)],
            },
        ];
        Ok(MetricsResult {
            function: name,
            region: report.region.clone(),
            start_ms: window.start_ms,
            end_ms: window.end_ms,
            period_s: window.period_s,
            charts,
            notes: report.notes.clone(),
        })
    }
}

/// A period that gives about 60 points over a window of `window_ms`, in whole minutes
/// (Lambda's metrics are per minute), rounded up to one the console offers.
fn default_period_s(window_ms: i64) -> i64 {
    const PERIODS_S: [i64; 7] = [60, 300, 900, 3_600, 10_800, 21_600, 86_400];
    let wanted = window_ms / 1000 / 60;
    PERIODS_S
        .into_iter()
        .find(|&p| p >= wanted)
        .unwrap_or(86_400)
}

#[cfg(test)]
mod tests {
    use super::default_period_s;

    #[test]
    fn the_default_period_gives_about_sixty_points() {
        let hour = 3_600_000;
        assert_eq!(default_period_s(hour), 60);
        assert_eq!(default_period_s(3 * hour), 300);
        assert_eq!(default_period_s(24 * hour), 3_600);
        assert_eq!(default_period_s(7 * 24 * hour), 10_800);
    }
}
