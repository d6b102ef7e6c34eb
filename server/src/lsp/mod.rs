//! The language server: LSP types in, editor-neutral answers from `analysis` out.
//!
//! Ordering: tower-lsp runs handlers concurrently, so every handler that changes state
//! does its work on the session synchronously, under one lock, before its first `.await`.
//! Diagnostics are computed by one checker task, in the order the changes arrived, after
//! the change itself: a completion or hover that follows a keystroke does not wait for the
//! checks, and a burst of keystrokes is checked once, at its latest text.

mod commands;
mod convert;
mod session;

use std::sync::{Arc, Mutex, MutexGuard};

use serde_json::{json, Value};
use tokio::sync::mpsc;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer, LspService, Server};

use session::Session;

/// Serve LSP over stdin/stdout until the client exits.
pub fn run_stdio() -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let (service, socket) = service();
        Server::new(tokio::io::stdin(), tokio::io::stdout(), socket)
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
        .custom_method("lambda/documentText", Backend::document_text)
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
}

fn lock(session: &Mutex<Session>) -> MutexGuard<'_, Session> {
    // A panic while holding the lock must not take every later request down with it.
    session.lock().unwrap_or_else(|e| e.into_inner())
}

/// Check documents as changes arrive and publish their diagnostics, in order.
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
        let mut publishes = Vec::new();
        {
            let mut session = lock(&session);
            let mut checked = std::collections::HashSet::new();
            for check in batch {
                match check {
                    Check::Document(uri) => {
                        if !checked.insert(uri.clone()) {
                            continue; // already checked at this same state
                        }
                        let diagnostics = session.diagnostics(&uri);
                        let Some(document) = session.documents.get(&uri) else {
                            continue; // closed meanwhile
                        };
                        let text = document.view(session.encoding);
                        let converted = diagnostics.iter().map(|d| text.diagnostic(d)).collect();
                        publishes.push((uri, Some(document.version), converted));
                    }
                    Check::Closed(uri) => {
                        checked.remove(&uri);
                        publishes.push((uri, None, Vec::new()));
                    }
                }
            }
        }
        for (uri, version, diagnostics) in publishes {
            client.publish_diagnostics(uri, diagnostics, version).await;
        }
    }
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

    /// The documents to re-check after `uri` changed: itself, and when it is a
    /// `lambda.toml`, every open file of that function.
    fn affected(session: &Session, uri: &Uri) -> Vec<Uri> {
        let mut uris = vec![uri.clone()];
        if let Some(path) = session.documents.get(uri).and_then(|d| d.path.clone()) {
            if path
                .file_name()
                .is_some_and(|n| n == crate::project::CONFIG_FILE)
            {
                if let Some(dir) = path.parent() {
                    uris.extend(session.documents_in(dir).into_iter().filter(|u| u != uri));
                }
            }
        }
        uris
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
        // The extension says whether the workspace is trusted and which Python to use.
        if let Some(options) = &params.initialization_options {
            if let Some(trusted) = options.get("trusted").and_then(Value::as_bool) {
                *self
                    .commands
                    .trusted
                    .lock()
                    .unwrap_or_else(|e| e.into_inner()) = trusted;
            }
            if let Some(python) = options.get("pythonPath").and_then(Value::as_str) {
                if !python.is_empty() {
                    *self
                        .commands
                        .python_path
                        .lock()
                        .unwrap_or_else(|e| e.into_inner()) = Some(python.to_string());
                }
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
                    commands: commands::COMMANDS.iter().map(|c| c.to_string()).collect(),
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
        // Re-check when a lambda.toml or a Python file changes on disk (created, deleted,
        // edited outside the editor). Clients that cannot register watchers refuse this;
        // open documents still re-check as they are edited.
        let watchers = ["**/lambda.toml", "**/*.py", "**/.env"]
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
        session.open(document.uri.clone(), document.version, document.text);
        let uris = Self::affected(&session, &document.uri);
        self.queue_diagnostics(&uris);
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
        session.changed(&uri);
        let uris = Self::affected(&session, &uri);
        self.queue_diagnostics(&uris);
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        let mut session = self.session();
        let affected = Self::affected(&session, &uri);
        session.close(&uri);
        // Closed files keep no diagnostics; files of its function may change with it.
        let _ = self.checks.send(Check::Closed(uri.clone()));
        let others: Vec<_> = affected.into_iter().filter(|u| *u != uri).collect();
        self.queue_diagnostics(&others);
    }

    async fn did_change_watched_files(&self, _: DidChangeWatchedFilesParams) {
        let mut session = self.session();
        session.files_changed();
        let uris: Vec<_> = session.documents.keys().cloned().collect();
        self.queue_diagnostics(&uris);
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
        let mut session = self.session();
        let uri = position.text_document.uri;
        let encoding = session.encoding;
        let Some(document) = session.documents.get(&uri) else {
            return Ok(None);
        };
        let offset = document.view(encoding).offset(position.position);
        let Some(hover) = session.hover(&uri, offset) else {
            return Ok(None);
        };
        let document = &session.documents[&uri];
        Ok(Some(document.view(encoding).hover(&hover)))
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        let position = params.text_document_position;
        let uri = position.text_document.uri;
        let mut session = self.session();
        let encoding = session.encoding;
        let Some(document) = session.documents.get(&uri) else {
            return Ok(None);
        };
        let offset = document.view(encoding).offset(position.position);
        let completions = session.completions(&uri, offset);
        let document = &session.documents[&uri];
        let text = document.view(encoding);
        let items: Vec<_> = completions.iter().map(|c| text.completion(c)).collect();
        Ok(Some(CompletionResponse::Array(items)))
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let mut session = self.session();
        let uri = params.text_document.uri;
        let encoding = session.encoding;
        let diagnostics = session.diagnostics(&uri);
        let Some(document) = session.documents.get(&uri) else {
            return Ok(None);
        };
        let text = document.view(encoding);
        let wanted = text.offsets(params.range);
        let mut actions = Vec::new();
        for diagnostic in &diagnostics {
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
        Ok(Some(actions))
    }

    async fn execute_command(&self, params: ExecuteCommandParams) -> Result<Option<Value>> {
        let argument = params.arguments.into_iter().next().unwrap_or(Value::Null);
        let target: commands::Target = serde_json::from_value(argument).map_err(|e| {
            tower_lsp_server::jsonrpc::Error::invalid_params(format!(
                "{} takes one argument {{\"uri\": …}}: {e}",
                params.command
            ))
        })?;
        let progress = match params.work_done_progress_params.work_done_token {
            Some(token) => {
                let title = match params.command.as_str() {
                    commands::INVOKE => "Invoking the function locally",
                    commands::DEPLOY => "Deploying the function",
                    commands::INVOKE_REMOTE => "Invoking the deployed function",
                    commands::PACKAGE => "Packaging the function",
                    _ => "lambda-ls",
                };
                Some(self.client.progress(token, title).begin().await)
            }
            None => None,
        };
        let result = match params.command.as_str() {
            commands::INVOKE => self.commands.invoke(target).await,
            commands::NEW_TEST_EVENT => self.commands.new_test_event(target),
            commands::LIST_EVENTS => self.commands.list_events(target),
            commands::DEPLOY => self.commands.deploy(target).await,
            commands::INVOKE_REMOTE => self.commands.invoke_remote(target).await,
            commands::PACKAGE => self.commands.package(target).await,
            other => Err(format!("unknown command {other}")),
        };
        if let Some(progress) = progress {
            progress.finish().await;
        }
        match result {
            Ok(value) => Ok(Some(value)),
            Err(message) => Err(tower_lsp_server::jsonrpc::Error {
                code: tower_lsp_server::jsonrpc::ErrorCode::ServerError(-32803),
                message: message.into(),
                data: None,
            }),
        }
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        // `{"lambda": {"python": {"path": …}}}` from the extension's settings.
        let python = params
            .settings
            .pointer("/lambda/python/path")
            .or_else(|| params.settings.pointer("/python/path"))
            .and_then(Value::as_str);
        if let Some(python) = python {
            *self
                .commands
                .python_path
                .lock()
                .unwrap_or_else(|e| e.into_inner()) =
                (!python.is_empty()).then(|| python.to_string());
        }
        if let Some(trusted) = params
            .settings
            .pointer("/lambda/trusted")
            .and_then(Value::as_bool)
        {
            *self
                .commands
                .trusted
                .lock()
                .unwrap_or_else(|e| e.into_inner()) = trusted;
        }
    }

    async fn code_lens(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        let mut session = self.session();
        let uri = params.text_document.uri;
        let encoding = session.encoding;
        let lenses = session.lenses(&uri);
        let Some(document) = session.documents.get(&uri) else {
            return Ok(None);
        };
        let text = document.view(encoding);
        // Lens arguments are objects; the server adds the document they belong to.
        let with_invoke: Vec<_> = lenses
            .into_iter()
            .map(|mut lens| {
                if let Some((_, arguments)) = &mut lens.command {
                    for argument in arguments.iter_mut() {
                        if let Some(object) = argument.as_object_mut() {
                            object.insert("uri".to_string(), json!(uri.as_str()));
                        }
                    }
                }
                lens
            })
            .collect();
        let lenses = with_invoke
            .into_iter()
            .map(|lens| CodeLens {
                range: text.range(&lens.range),
                command: Some(match lens.command {
                    Some((command, arguments)) => Command {
                        title: lens.title,
                        command,
                        arguments: Some(arguments),
                    },
                    // Informational lenses still need a command to be shown.
                    None => Command {
                        title: lens.title,
                        command: String::new(),
                        arguments: None::<Vec<Value>>,
                    },
                }),
                data: None,
            })
            .collect();
        Ok(Some(lenses))
    }
}
