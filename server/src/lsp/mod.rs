//! The language server: LSP types in, editor-neutral answers from `analysis` out.
//!
//! Ordering: tower-lsp runs handlers concurrently, so every handler that changes state
//! does its work on the session synchronously, under one lock, before its first `.await`.
//! Diagnostics are computed by one checker task, in the order the changes arrived, after
//! the change itself: a completion or hover that follows a keystroke does not wait for the
//! checks, and a burst of keystrokes is checked once, at its latest text.

mod commands;
mod convert;
pub mod protocol;
mod session;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use tokio::sync::{mpsc, Semaphore};
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer, LspService, Server};

use protocol::{Command as ServerCommand, CommandError, ErrorKind};
use session::Session;

/// Messages the server works on at once. tower-lsp's default is 4, and a handler holds its
/// slot until it answers: four running invokes would stop completions, and even the
/// processing of edits. Long commands are bounded separately (below), so this many minus
/// [`MAX_LONG_COMMANDS`] slots always remain for the editor's own requests.
const MAX_CONCURRENT_MESSAGES: usize = 64;
/// Invokes, packages and deploys running at once; one more is refused as busy.
const MAX_LONG_COMMANDS: usize = 16;

/// Serve LSP over stdin/stdout until the client exits.
pub fn run_stdio() -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let (service, socket) = service();
        Server::new(tokio::io::stdin(), tokio::io::stdout(), socket)
            .concurrency_level(MAX_CONCURRENT_MESSAGES)
            .serve(service)
            .await;
    });
    // Tokio's stdin reader is a blocking thread that never returns on its own: do not wait
    // for it once the client has said `exit`.
    runtime.shutdown_background();
    Ok(())
}

/// The LSP service with its custom methods, for stdio and for in-process tests.
pub fn service() -> (LspService<Backend>, tower_lsp_server::ClientSocket) {
    LspService::build(Backend::new)
        .custom_method(protocol::DOCUMENT_TEXT, Backend::document_text)
        .finish()
}

/// Work for the checker task, in arrival order.
enum Check {
    /// Compute and publish the diagnostics of an open document (its current text).
    Document(Uri),
    /// The document was closed: clear its diagnostics.
    Closed(Uri),
}

/// The protocol side: owns the session and the client handle.
pub struct Backend {
    client: Client,
    session: Arc<Mutex<Session>>,
    checks: mpsc::UnboundedSender<Check>,
    commands: Arc<commands::Commands>,
    /// Permits for long commands (see [`MAX_LONG_COMMANDS`]).
    long_commands: Arc<Semaphore>,
}

fn lock(session: &Mutex<Session>) -> MutexGuard<'_, Session> {
    // A panic while holding the lock must not take every later request down with it.
    session.lock().unwrap_or_else(|e| e.into_inner())
}

/// Check documents as changes arrive and publish their diagnostics, in order. The checks
/// run off the async threads on snapshots, so requests are never kept waiting by them.
async fn run_checker(
    client: Client,
    session: Arc<Mutex<Session>>,
    mut queue: mpsc::UnboundedReceiver<Check>,
) {
    while let Some(first) = queue.recv().await {
        // Let requests that arrived with the change (completion, hover) go first.
        tokio::task::yield_now().await;
        let mut batch = vec![first];
        while let Ok(next) = queue.try_recv() {
            batch.push(next);
        }
        let mut checked = std::collections::HashSet::new();
        for check in batch {
            match check {
                Check::Document(uri) => {
                    if !checked.insert(uri.clone()) {
                        continue; // already checked at this same state
                    }
                    let prepared = {
                        let mut session = lock(&session);
                        let cache = session.take_check_cache(&uri);
                        session.snapshot(&uri).map(|snapshot| (snapshot, cache))
                    };
                    let Some((snapshot, mut cache)) = prepared else {
                        continue; // closed meanwhile
                    };
                    let shared = session.clone();
                    let published = off_thread("the checks", move || {
                        let events = snapshot.events();
                        let diagnostics = Arc::new(snapshot.diagnostics(&mut cache, &events));
                        {
                            let mut session = lock(&shared);
                            session.return_check_cache(&snapshot.uri, cache);
                            session.remember_events(&snapshot, events);
                            session.remember_diagnostics(&snapshot, diagnostics.clone());
                        }
                        let text = snapshot.view();
                        let converted: Vec<_> =
                            diagnostics.iter().map(|d| text.diagnostic(d)).collect();
                        (converted, snapshot.version)
                    })
                    .await;
                    if let Ok((diagnostics, version)) = published {
                        client
                            .publish_diagnostics(uri, diagnostics, Some(version))
                            .await;
                    }
                }
                Check::Closed(uri) => {
                    checked.remove(&uri);
                    client.publish_diagnostics(uri, Vec::new(), None).await;
                }
            }
        }
    }
}

/// Run an analysis off the async threads. A panic in it (a bug) fails this one request,
/// is logged, and the server goes on serving.
async fn off_thread<T: Send + 'static>(
    what: &'static str,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(work).await.map_err(|error| {
        tracing::error!("{what} failed: {error}");
        tower_lsp_server::jsonrpc::Error {
            code: tower_lsp_server::jsonrpc::ErrorCode::InternalError,
            message: format!(
                "lambda-ls could not compute {what}: an internal error (a bug; the server's log \
                 has the details, please report it). The server keeps running."
            )
            .into(),
            data: None,
        }
    })
}

impl Backend {
    fn new(client: Client) -> Self {
        let (checks, queue) = mpsc::unbounded_channel::<Check>();
        let session = Arc::new(Mutex::new(Session::default()));
        tokio::spawn(run_checker(client.clone(), session.clone(), queue));
        Backend {
            client,
            session,
            checks,
            commands: Arc::new(commands::Commands::new(true, None)),
            long_commands: Arc::new(Semaphore::new(MAX_LONG_COMMANDS)),
        }
    }

    fn session(&self) -> MutexGuard<'_, Session> {
        lock(&self.session)
    }

    /// Queue checks of `uris` (their diagnostics follow, in order).
    fn queue_diagnostics(&self, uris: &[Uri]) {
        for uri in uris {
            let _ = self.checks.send(Check::Document(uri.clone()));
        }
    }

    /// A snapshot of an open document and the offset of `position` in it.
    fn snapshot_at(&self, uri: &Uri, position: Position) -> Option<(session::Snapshot, usize)> {
        let snapshot = self.session().snapshot(uri)?;
        let offset = snapshot.view().offset(position);
        Some((snapshot, offset))
    }

    /// `lambda/documentText`: the server's copy of a document, for tests and bug reports.
    async fn document_text(&self, params: TextDocumentIdentifier) -> Result<Option<String>> {
        let session = self.session();
        Ok(session
            .documents
            .get(&params.uri)
            .map(|d| d.text().to_string()))
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let (encoding, encoding_kind) = convert::negotiate_encoding(
            params
                .capabilities
                .general
                .as_ref()
                .and_then(|g| g.position_encodings.as_ref()),
        );
        // The extension says whether the workspace is trusted, which Python to use and which
        // templates have other names.
        let mut templates = Vec::new();
        if let Some(options) = params.initialization_options.clone() {
            match serde_json::from_value::<protocol::InitializationOptions>(options) {
                Ok(options) => {
                    if let Some(trusted) = options.trusted {
                        self.set_trusted(trusted);
                    }
                    templates = options.templates.unwrap_or_default();
                    self.set_python_path(options.python_path);
                }
                Err(error) => tracing::warn!("ignoring malformed initializationOptions: {error}"),
            }
        }
        {
            let mut session = self.session();
            session.encoding = encoding;
            let folders = params.workspace_folders.unwrap_or_default();
            session.workspace_folders = folders
                .iter()
                .filter_map(|f| f.uri.to_file_path().map(|p| p.into_owned()))
                .collect();
        }
        self.set_templates(&templates);
        Ok(InitializeResult {
            capabilities: ServerCapabilities {
                position_encoding: Some(encoding_kind),
                text_document_sync: Some(TextDocumentSyncCapability::Options(
                    TextDocumentSyncOptions {
                        open_close: Some(true),
                        change: Some(TextDocumentSyncKind::INCREMENTAL),
                        ..Default::default()
                    },
                )),
                hover_provider: Some(HoverProviderCapability::Simple(true)),
                completion_provider: Some(CompletionOptions {
                    // `.` for context attributes, quotes and `[` for event keys, `=` and
                    // space for lambda.toml values.
                    trigger_characters: Some(
                        [".", "\"", "'", "[", "=", " "].map(String::from).to_vec(),
                    ),
                    ..Default::default()
                }),
                code_action_provider: Some(CodeActionProviderCapability::Options(
                    CodeActionOptions {
                        code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
                        ..Default::default()
                    },
                )),
                code_lens_provider: Some(CodeLensOptions {
                    resolve_provider: Some(false),
                }),
                execute_command_provider: Some(ExecuteCommandOptions {
                    commands: ServerCommand::ALL
                        .iter()
                        .map(|c| c.id().to_string())
                        .collect(),
                    ..Default::default()
                }),
                workspace: Some(WorkspaceServerCapabilities {
                    workspace_folders: Some(WorkspaceFoldersServerCapabilities {
                        supported: Some(true),
                        change_notifications: Some(OneOf::Left(true)),
                    }),
                    file_operations: None,
                }),
                ..Default::default()
            },
            offset_encoding: None,
            server_info: Some(ServerInfo {
                name: "lambda-ls".to_string(),
                version: Some(env!("CARGO_PKG_VERSION").to_string()),
            }),
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        // Re-check when a lambda.toml, a SAM template or a Python file changes on disk
        // (created, deleted, edited outside the editor). Clients that cannot register watchers refuse this;
        // open documents still re-check as they are edited.
        // YAML of any name: the `lambda.templates` setting may name other templates.
        let watchers = [
            "**/lambda.toml",
            "**/*.yaml",
            "**/*.yml",
            "**/*.py",
            "**/.env",
        ]
        .iter()
        .map(|glob| FileSystemWatcher {
            glob_pattern: GlobPattern::String(glob.to_string()),
            kind: None,
        })
        .collect::<Vec<_>>();
        let options = DidChangeWatchedFilesRegistrationOptions { watchers };
        let registration = Registration {
            id: "lambda-ls-watch".to_string(),
            method: "workspace/didChangeWatchedFiles".to_string(),
            register_options: serde_json::to_value(options).ok(),
        };
        // In a task of its own: a handler still waiting for the client's answer when the
        // client says `exit` would keep the server from stopping.
        let client = self.client.clone();
        tokio::spawn(async move {
            if let Err(error) = client.register_capability(vec![registration]).await {
                tracing::info!("the client does not watch files for us: {error}");
            }
        });
    }

    async fn shutdown(&self) -> Result<()> {
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let mut session = self.session();
        let document = params.text_document;
        let affected = session.open(document.uri, document.version, document.text);
        self.queue_diagnostics(&affected);
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let mut session = self.session();
        let uri = params.text_document.uri;
        let encoding = session.encoding;
        let Some(document) = session.documents.get_mut(&uri) else {
            tracing::warn!("change for a document that is not open: {}", uri.as_str());
            return;
        };
        for change in params.content_changes {
            match change.range {
                Some(range) => {
                    let offsets = document.view(encoding).offsets(range);
                    document.edit(offsets, &change.text);
                }
                None => document.replace(change.text),
            }
        }
        document.version = params.text_document.version;
        let affected = session.changed(&uri);
        self.queue_diagnostics(&affected);
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        let mut session = self.session();
        let affected = session.close(&uri);
        // Closed files keep no diagnostics; files of its function may change with it.
        let _ = self.checks.send(Check::Closed(uri.clone()));
        let others: Vec<_> = affected.into_iter().filter(|u| *u != uri).collect();
        self.queue_diagnostics(&others);
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        let changes: Vec<_> = params
            .changes
            .iter()
            .filter_map(|change| {
                let path = change.uri.to_file_path()?.into_owned();
                Some((path, change.typ))
            })
            .collect();
        let mut session = self.session();
        let affected = session.files_changed(&changes);
        self.queue_diagnostics(&affected);
    }

    async fn did_change_workspace_folders(&self, params: DidChangeWorkspaceFoldersParams) {
        let mut session = self.session();
        let path = |f: &WorkspaceFolder| f.uri.to_file_path().map(|p| p.into_owned());
        let removed: Vec<_> = params.event.removed.iter().filter_map(path).collect();
        session.workspace_folders.retain(|f| !removed.contains(f));
        session
            .workspace_folders
            .extend(params.event.added.iter().filter_map(path));
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let position = params.text_document_position_params;
        let uri = position.text_document.uri;
        let Some((snapshot, offset)) = self.snapshot_at(&uri, position.position) else {
            return Ok(None);
        };
        let session = self.session.clone();
        off_thread("the hover", move || {
            let events = snapshot.events();
            lock(&session).remember_events(&snapshot, events.clone());
            let hover = snapshot.hover(offset, &events)?;
            Some(snapshot.view().hover(&hover))
        })
        .await
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        let position = params.text_document_position;
        let uri = position.text_document.uri;
        let Some((snapshot, offset)) = self.snapshot_at(&uri, position.position) else {
            return Ok(None);
        };
        off_thread("the completions", move || {
            let completions = snapshot.completions(offset);
            let text = snapshot.view();
            let items: Vec<_> = completions.iter().map(|c| text.completion(c)).collect();
            Some(CompletionResponse::Array(items))
        })
        .await
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let uri = params.text_document.uri;
        let Some(snapshot) = self.session().snapshot(&uri) else {
            return Ok(None);
        };
        off_thread("the code actions", move || {
            let diagnostics = snapshot.current_diagnostics();
            let text = snapshot.view();
            let wanted = text.offsets(params.range);
            let mut actions = Vec::new();
            for diagnostic in diagnostics.iter() {
                let touches =
                    diagnostic.range.start <= wanted.end && wanted.start <= diagnostic.range.end;
                if !touches {
                    continue;
                }
                for fix in &diagnostic.fixes {
                    let edits = fix.edits.iter().map(|e| text.text_edit(e)).collect();
                    let mut changes = std::collections::HashMap::new();
                    changes.insert(uri.clone(), edits);
                    actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                        title: fix.title.clone(),
                        kind: Some(CodeActionKind::QUICKFIX),
                        diagnostics: Some(vec![text.diagnostic(diagnostic)]),
                        edit: Some(WorkspaceEdit {
                            changes: Some(changes),
                            ..Default::default()
                        }),
                        is_preferred: Some(true),
                        ..Default::default()
                    }));
                }
            }
            Some(actions)
        })
        .await
    }

    async fn execute_command(&self, params: ExecuteCommandParams) -> Result<Option<Value>> {
        let command: ServerCommand = params.command.parse()?;
        let argument = params.arguments.into_iter().next().unwrap_or(Value::Null);
        let token = params.work_done_progress_params.work_done_token;
        let commands = self.commands.clone();
        match command {
            ServerCommand::Invoke => {
                let params = parse(command, argument)?;
                self.run_long(command, token, async move { commands.invoke(params).await })
                    .await
            }
            ServerCommand::DebugStart => {
                let params = parse(command, argument)?;
                self.run_long(
                    command,
                    token,
                    async move { commands.debug_start(params).await },
                )
                .await
            }
            ServerCommand::DebugResult => {
                let params = parse(command, argument)?;
                self.run_long(command, token, async move {
                    commands.debug_result(params).await
                })
                .await
            }
            ServerCommand::InvokeRemote => {
                let params = parse(command, argument)?;
                self.run_long(command, token, async move {
                    commands.invoke_remote(params).await
                })
                .await
            }
            ServerCommand::Package => {
                let params = parse(command, argument)?;
                self.run_long(
                    command,
                    token,
                    async move { commands.package(params).await },
                )
                .await
            }
            ServerCommand::DeployPlan => {
                let params = parse(command, argument)?;
                self.run_long(
                    command,
                    token,
                    async move { commands.deploy_plan(params).await },
                )
                .await
            }
            ServerCommand::Deploy => self.deploy(parse(command, argument)?, token).await,
            ServerCommand::NewTestEvent => {
                answer(commands.new_test_event(parse(command, argument)?))
            }
            ServerCommand::ListEvents => answer(commands.list_events(parse(command, argument)?)),
            ServerCommand::ListFunctions => {
                let params = parse(command, argument)?;
                let folders = self.session().workspace_folders.clone();
                let templates = commands
                    .templates
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .clone();
                // Reads the workspace's templates and lambda.toml files: off the async threads.
                answer(
                    off_thread("the functions", move || {
                        commands::list_functions(params, &folders, &templates)
                    })
                    .await?,
                )
            }
            ServerCommand::Logs => {
                let params = parse(command, argument)?;
                self.run_long(command, token, async move { commands.logs(params).await })
                    .await
            }
            ServerCommand::Metrics => {
                let params = parse(command, argument)?;
                self.run_long(
                    command,
                    token,
                    async move { commands.metrics(params).await },
                )
                .await
            }
        }
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        // `{"lambda": {"python": {"path": …}, "trusted": …}}` from the extension's settings.
        let settings: protocol::ConfigurationSettings =
            match serde_json::from_value(params.settings) {
                Ok(settings) => settings,
                Err(error) => {
                    tracing::warn!("ignoring malformed settings: {error}");
                    return;
                }
            };
        let Some(lambda) = settings.lambda else {
            return;
        };
        if let Some(python) = lambda.python {
            self.set_python_path(python.path);
        }
        if let Some(trusted) = lambda.trusted {
            self.set_trusted(trusted);
        }
        if let Some(templates) = lambda.templates {
            let affected = self.set_templates(&templates);
            self.queue_diagnostics(&affected);
        }
    }

    async fn code_lens(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        let uri = params.text_document.uri;
        let Some(snapshot) = self.session().snapshot(&uri) else {
            return Ok(None);
        };
        let session = self.session.clone();
        off_thread("the code lenses", move || {
            let events = snapshot.events();
            lock(&session).remember_events(&snapshot, events.clone());
            let text = snapshot.view();
            let lenses = snapshot.lenses(&events);
            Some(
                lenses
                    .iter()
                    .map(|lens| text.code_lens(lens, &uri))
                    .collect(),
            )
        })
        .await
    }
}

/// A command's argument object, typed; a mismatch is the caller's error, said in words.
fn parse<T: DeserializeOwned>(command: ServerCommand, argument: Value) -> Result<T> {
    serde_json::from_value(argument).map_err(|e| {
        CommandError::new(
            ErrorKind::InvalidParams,
            format!(
                "`{}` takes one argument object ({e}); see extension/src/protocol.ts",
                command.id()
            ),
        )
        .into()
    })
}

/// A command's answer as the JSON-RPC result.
fn answer<T: Serialize>(result: std::result::Result<T, CommandError>) -> Result<Option<Value>> {
    let value = result?;
    serde_json::to_value(value)
        .map(Some)
        .map_err(|e| CommandError::failed(format!("could not encode the answer: {e}")).into())
}

/// Sets a flag when dropped: tells a detached deploy that its request was cancelled.
struct CancelOnDrop(Arc<AtomicBool>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// Aborts a detached task when dropped: cancelling the request ends the work (and, for an
/// invoke, kills the function's processes).
struct AbortOnDrop(tokio::task::AbortHandle);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl Backend {
    fn set_trusted(&self, trusted: bool) {
        *self
            .commands
            .trusted
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = trusted;
    }

    /// `lambda.templates`: resolved against the workspace folders, for the documents'
    /// functions and for the commands. Returns the documents to check again.
    fn set_templates(&self, setting: &[String]) -> Vec<Uri> {
        let mut session = self.session();
        let resolved = commands::resolve_templates(setting, &session.workspace_folders);
        *self
            .commands
            .templates
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = resolved.clone();
        session.set_templates(resolved)
    }

    fn set_python_path(&self, python: Option<String>) {
        *self
            .commands
            .python_path
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = python.filter(|p| !p.is_empty());
    }

    /// Checks common to long commands: trust, then a free slot among the long commands.
    fn start_long(
        &self,
        command: ServerCommand,
    ) -> std::result::Result<tokio::sync::OwnedSemaphorePermit, CommandError> {
        if command.needs_trust() {
            let what = match command {
                ServerCommand::Package => "Package",
                ServerCommand::Deploy | ServerCommand::DeployPlan => "Deploy",
                ServerCommand::DebugStart | ServerCommand::DebugResult => "Debug",
                ServerCommand::Logs => "Show Logs",
                ServerCommand::Metrics => "Show Metrics",
                _ => "Invoke",
            };
            self.commands.require_trust(what)?;
        }
        self.long_commands.clone().try_acquire_owned().map_err(|_| {
            CommandError::new(
                ErrorKind::Busy,
                format!(
                    "{MAX_LONG_COMMANDS} invokes, packages and deploys are already running:                      wait for one to finish, or cancel one"
                ),
            )
        })
    }

    /// Run a long command detached from the message loop (on its own task, so that its
    /// work never delays other messages), with work-done progress when the client asked for
    /// it. Cancelling the request aborts the task.
    async fn run_long<T, F>(
        &self,
        command: ServerCommand,
        token: Option<ProgressToken>,
        work: F,
    ) -> Result<Option<Value>>
    where
        T: Serialize + Send + 'static,
        F: std::future::Future<Output = std::result::Result<T, CommandError>> + Send + 'static,
    {
        let permit = self.start_long(command)?;
        let task = tokio::spawn(async move {
            let _permit = permit;
            work.await
        });
        let _abort = AbortOnDrop(task.abort_handle());
        let progress = match token {
            Some(token) => Some(self.client.progress(token, command.title()).begin().await),
            None => None,
        };
        let result = task.await.unwrap_or_else(|e| {
            Err(CommandError::failed(format!(
                "{} stopped unexpectedly: {e}",
                command.id()
            )))
        });
        if let Some(progress) = progress {
            progress.finish().await;
        }
        answer(result)
    }

    /// `lambda.deploy`, detached like the other long commands, but never aborted mid-step:
    /// cancelling the request asks the deploy to stop at its next step boundary, and what
    /// it did before stopping is shown to the user (the request itself is already answered
    /// as cancelled by then).
    async fn deploy(
        &self,
        params: protocol::FunctionParams,
        token: Option<ProgressToken>,
    ) -> Result<Option<Value>> {
        let command = ServerCommand::Deploy;
        let permit = self.start_long(command)?;
        let cancel = Arc::new(AtomicBool::new(false));
        let commands = self.commands.clone();
        let client = self.client.clone();
        let flag = cancel.clone();
        let task = tokio::spawn(async move {
            let _permit = permit;
            let result = commands.deploy(params, &flag).await;
            if let Err(error) = &result {
                if error.kind == ErrorKind::Cancelled {
                    client
                        .show_message(MessageType::WARNING, format!("Lambda: {error}"))
                        .await;
                }
            }
            result
        });
        let _cancel = CancelOnDrop(cancel);
        let progress = match token {
            Some(token) => Some(self.client.progress(token, command.title()).begin().await),
            None => None,
        };
        let result = task.await.unwrap_or_else(|e| {
            Err(CommandError::failed(format!(
                "the deploy stopped unexpectedly: {e}"
            )))
        });
        if let Some(progress) = progress {
            progress.finish().await;
        }
        answer(result)
    }
}
