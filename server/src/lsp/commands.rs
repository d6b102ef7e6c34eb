//! The server's commands (`workspace/executeCommand`): what the editor's lenses and palette
//! run. Arguments and results are the types of [`super::protocol`]; the work itself is the
//! same core the CLI uses.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::Mutex;

use super::protocol::{
    CommandError, DeployPlan, DeployResult, ErrorKind, EventFile, EventTemplate, FunctionParams,
    InvokeParams, InvokeReport, InvokeResult, InvokeStatus, ListEventsResult, NewTestEventParams,
    NewTestEventResult, PackagePart, PackageResult,
};
use crate::project::{self, Function};
use crate::runtime::log::{self, LogFile};
use crate::runtime::{event_source, InvocationStatus, InvokeOptions, Invoker};

/// How much of a log an invoke result carries: the console's Test tab shows the last 4 KB.
const LOG_TAIL_BYTES: usize = 4 * 1024;

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

/// The function a file or folder belongs to; with `handler`, it must be that function's.
pub fn function_at(path: &Path, handler: Option<&str>) -> Result<Function, CommandError> {
    let dir = project::function_dir_in(&project::Disk, path).ok_or_else(|| {
        CommandError::new(
            ErrorKind::NotAFunction,
            format!(
                "{} is not inside a Lambda function folder (one with lambda.toml or \
                     lambda_function.py)",
                path.display()
            ),
        )
    })?;
    let function = project::load(dir);
    if let Some(wanted) = handler {
        let configured = function.config.handler_parts().map(|(_, name)| name);
        if configured != Some(wanted) {
            return Err(CommandError::new(
                ErrorKind::NotAFunction,
                format!(
                    "`{wanted}` is not the handler of the function in {}: its handler is `{}`",
                    dir.display(),
                    function.config.handler.value
                ),
            ));
        }
    }
    Ok(function)
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

    /// Refuse `what` in Restricted Mode.
    pub fn require_trust(&self, what: &str) -> Result<(), CommandError> {
        if *self.trusted.lock().unwrap_or_else(|e| e.into_inner()) {
            Ok(())
        } else {
            Err(CommandError::new(
                ErrorKind::Untrusted,
                format!(
                    "{what} runs this workspace's code, and the workspace is not trusted \
                     (Restricted Mode). Trust the folder to {what}; checks and completion work \
                     either way."
                ),
            ))
        }
    }

    /// `lambda.invoke`: run the handler locally with the chosen event (else the last one
    /// used for this function, else its trigger's template).
    pub async fn invoke(&self, params: InvokeParams) -> Result<InvokeResult, CommandError> {
        let mut function = function_at(&path_of(&params.uri)?, params.handler.as_deref())?;
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
        let (event, event_label) = match params.event.or(remembered) {
            Some(source) => {
                let bytes = event_source::load_event(&source, &function.dir)
                    .map_err(|e| CommandError::new(ErrorKind::InvalidParams, e))?;
                self.last_event
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(function.dir.clone(), source.clone());
                (bytes, source)
            }
            None => event_source::default_event(&function),
        };
        // The whole log goes to a file as it comes; the result carries its last 4 KB.
        let log_file = LogFile::create(
            &crate::package::deps::cache_root().join("logs"),
            &function.config.name.value,
        )
        .ok();
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
        let log_bytes = log_file
            .as_ref()
            .map_or(invocation.log.len() as u64, LogFile::finish);
        let report = &invocation.report;
        Ok(InvokeResult {
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
        })
    }

    /// `lambda.newTestEvent`: write a template into `events/<name>.json` (never over an
    /// existing file) and return where.
    pub fn new_test_event(
        &self,
        params: NewTestEventParams,
    ) -> Result<NewTestEventResult, CommandError> {
        let invalid = |message: String| CommandError::new(ErrorKind::InvalidParams, message);
        let function = function_at(&path_of(&params.uri)?, params.handler.as_deref())?;
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
        let dir = function.dir.join("events");
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
        let function = function_at(&path_of(&params.uri)?, params.handler.as_deref())?;
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
        let function = function_at(&path_of(&params.uri)?, params.handler.as_deref())?;
        let files = event_source::event_files(&function.dir)
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
        let function = function_at(&path_of(&params.uri)?, params.handler.as_deref())?;
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
        let function = function_at(&path_of(&params.uri)?, params.handler.as_deref())?;
        let (event, event_label) = match &params.event {
            Some(source) => (
                event_source::load_event(source, &function.dir)
                    .map_err(|e| CommandError::new(ErrorKind::InvalidParams, e))?,
                source.clone(),
            ),
            None => event_source::default_event(&function),
        };
        let aws = crate::aws::Aws::connect(function.config.region.as_deref())
            .await
            .map_err(failed)?;
        let invocation =
            crate::aws::remote_invoke::invoke(&aws, &function.config.name.value, event)
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
        })
    }
}
