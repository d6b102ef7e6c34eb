//! The server's state: open documents (text, syntax tree, line index, version, and the
//! function folder each belongs to), the loaded functions (and the SAM templates they come
//! from), and the negotiated position encoding.
//!
//! The protocol layer holds the lock only to change documents or to take a [`Snapshot`];
//! analyses run on snapshots outside the lock, so that no request waits on another
//! document's analysis. What a document's analyses have in common (the handler's event
//! analysis, its diagnostics) is memoized per document version and function.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tower_lsp_server::ls_types::{FileChangeType, Uri};

use crate::analysis::events::EventAnalysis;
use crate::analysis::{self, CheckCache, PythonFile};
use crate::ide::{Completion, Diagnostic, Hover, Lens};
use crate::line_index::{Encoding, LineIndex};
use crate::project::sam::{self, TEMPLATE_FILES};
use crate::project::{FileSource, Folder, Functions, CONFIG_FILE, DEFAULT_MODULE_FILE};
use crate::python::Module;

/// What an open document is.
#[derive(Clone)]
pub enum Content {
    Python(Arc<Module>),
    /// A function's `lambda.toml`.
    Config(Arc<String>),
    /// A SAM template.
    Template(Arc<String>),
}

impl Content {
    fn text(&self) -> &str {
        match self {
            Content::Python(module) => module.text(),
            Content::Config(text) | Content::Template(text) => text,
        }
    }
}

/// The event analyses of the handlers in a module (one per function whose handler it
/// holds, in the folder's order), shared by checks, hovers, lenses and completion.
pub type SharedEvents = Arc<Vec<Option<EventAnalysis>>>;

/// Answers computed for one version of a document with one load of its functions.
#[derive(Default, Clone)]
struct Memo {
    version: i32,
    folder: Option<Arc<Folder>>,
    events: Option<SharedEvents>,
    diagnostics: Option<Arc<Vec<Diagnostic>>>,
}

impl Memo {
    fn is_for(&self, version: i32, folder: &Option<Arc<Folder>>) -> bool {
        self.version == version && same_folder(&self.folder, folder)
    }
}

fn same_folder(a: &Option<Arc<Folder>>, b: &Option<Arc<Folder>>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => Arc::ptr_eq(a, b),
        (None, None) => true,
        _ => false,
    }
}

/// One open document.
pub struct Document {
    pub version: i32,
    pub path: Option<PathBuf>,
    pub content: Content,
    pub index: Arc<LineIndex>,
    /// The function folder the file belongs to; resolved when it is opened and when files
    /// that decide it change, not per request.
    function_dir: Option<PathBuf>,
    /// What the module-wide checks can reuse after the next edit.
    cache: CheckCache,
    memo: Memo,
}

impl Document {
    pub fn text(&self) -> &str {
        self.content.text()
    }

    /// The text with its line index, for position conversions.
    pub fn view(&self, encoding: Encoding) -> super::convert::Text<'_> {
        super::convert::Text {
            text: self.text(),
            index: &self.index,
            encoding,
        }
    }

    /// Replace `range` with `new_text` (incremental sync), keeping tree and index in step.
    /// A snapshot still holding the old module keeps it; the document gets its own copy.
    pub fn edit(&mut self, range: std::ops::Range<usize>, new_text: &str) {
        match &mut self.content {
            Content::Python(module) => Arc::make_mut(module).edit(range, new_text),
            Content::Config(text) | Content::Template(text) => {
                let text = Arc::make_mut(text);
                let end = range.end.min(text.len());
                text.replace_range(range.start.min(end)..end, new_text)
            }
        }
        self.index = Arc::new(LineIndex::new(self.text()));
    }

    pub fn replace(&mut self, text: String) {
        let template = matches!(self.content, Content::Template(_));
        self.content = content_for(self.path.as_deref(), template, text);
        self.index = Arc::new(LineIndex::new(self.text()));
    }
}

/// The content of a document at `path`; `template`: a SAM template.
fn content_for(path: Option<&Path>, template: bool, text: String) -> Content {
    if is_config_path(path) {
        Content::Config(Arc::new(text))
    } else if template {
        Content::Template(Arc::new(text))
    } else {
        Content::Python(Arc::new(Module::parse(text)))
    }
}

/// A document as it was when a request came, with what its answers need: analyses run on
/// it without the session's lock.
pub struct Snapshot {
    pub uri: Uri,
    pub version: i32,
    pub path: Option<PathBuf>,
    pub content: Content,
    pub index: Arc<LineIndex>,
    pub encoding: Encoding,
    /// The functions of the folder the file belongs to; `None`: no Lambda answers for it.
    pub folder: Option<Arc<Folder>>,
    events: Option<SharedEvents>,
    diagnostics: Option<Arc<Vec<Diagnostic>>>,
    /// For a `lambda.toml`: the current text of its handler module (for LH001).
    handler_source: Option<String>,
    /// For a template: the open documents, whose text its checks read over the disk's.
    open_files: Option<OpenFiles>,
}

/// The text of the open documents when a snapshot was taken, over the disk.
pub struct OpenFiles(HashMap<PathBuf, Content>);

impl FileSource for OpenFiles {
    fn read(&self, path: &Path) -> std::io::Result<Vec<u8>> {
        match self.0.get(path) {
            Some(content) => Ok(content.text().as_bytes().to_vec()),
            None => std::fs::read(path),
        }
    }

    fn is_file(&self, path: &Path) -> bool {
        self.0.contains_key(path) || path.is_file()
    }
}

impl Snapshot {
    /// The text with its line index, for position conversions.
    pub fn view(&self) -> super::convert::Text<'_> {
        super::convert::Text {
            text: self.content.text(),
            index: &self.index,
            encoding: self.encoding,
        }
    }

    /// The module as each function of its folder sees it (see [`analysis::python_files`]).
    fn python_files(&self) -> Vec<PythonFile<'_>> {
        match (&self.content, &self.folder, &self.path) {
            (Content::Python(module), Some(folder), Some(path)) => {
                analysis::python_files(module, path, &folder.functions)
            }
            _ => Vec::new(),
        }
    }

    /// The handlers' event analyses: the memoized ones, else computed now.
    pub fn events(&self) -> SharedEvents {
        if let Some(events) = &self.events {
            return events.clone();
        }
        Arc::new(analysis::analyze_events(&self.python_files()))
    }

    /// Every diagnostic of the document. `cache` carries per-statement results between
    /// versions (the checker's); requests without one get the memo or a full check.
    pub fn diagnostics(&self, cache: &mut CheckCache, events: &SharedEvents) -> Vec<Diagnostic> {
        match &self.content {
            Content::Template(text) => {
                let (Some(path), Some(open_files)) = (&self.path, &self.open_files) else {
                    return Vec::new();
                };
                sam::analyze(path, text, open_files).diagnostics
            }
            Content::Config(text) => {
                let Some(function) = self.folder.as_ref().map(|f| &f.functions[0]) else {
                    return Vec::new();
                };
                let handler_file = function.handler_file();
                let source = self.handler_source.clone();
                analysis::check_config(function, text, &|path| {
                    (Some(path) == handler_file.as_deref())
                        .then(|| source.clone())
                        .flatten()
                })
            }
            Content::Python(_) => {
                let events: Vec<_> = events.iter().map(Option::as_ref).collect();
                analysis::check_python_all(&self.python_files(), &events, cache)
            }
        }
    }

    /// The memoized diagnostics, else computed now (without a per-statement cache).
    pub fn current_diagnostics(&self) -> Arc<Vec<Diagnostic>> {
        match &self.diagnostics {
            Some(diagnostics) => diagnostics.clone(),
            None => Arc::new(self.diagnostics(&mut CheckCache::default(), &self.events())),
        }
    }

    pub fn hover(&self, offset: usize, events: &SharedEvents) -> Option<Hover> {
        planted_panic(self.content.text());
        match &self.content {
            Content::Config(text) => self
                .folder
                .as_ref()
                .and(crate::project::hover(text, offset)),
            Content::Template(_) => None,
            Content::Python(_) => {
                let events: Vec<_> = events.iter().map(Option::as_ref).collect();
                analysis::hover_python_all(&self.python_files(), &events, offset)
            }
        }
    }

    pub fn completions(&self, offset: usize) -> Vec<Completion> {
        match &self.content {
            Content::Config(text) => match &self.folder {
                Some(_) => crate::project::complete(text, offset),
                None => Vec::new(),
            },
            Content::Template(_) => Vec::new(),
            Content::Python(_) => {
                analysis::complete_python_all(&self.python_files(), || self.events(), offset)
            }
        }
    }

    pub fn lenses(&self, events: &SharedEvents) -> Vec<Lens> {
        let events: Vec<_> = events.iter().map(Option::as_ref).collect();
        analysis::lenses_python_all(&self.python_files(), &events)
    }
}

/// All state of one server.
pub struct Session {
    pub encoding: Encoding,
    pub documents: HashMap<Uri, Document>,
    /// Open documents by path, for reading files through the editor's copies.
    paths: HashMap<PathBuf, Uri>,
    functions: Functions,
    pub workspace_folders: Vec<PathBuf>,
}

impl Default for Session {
    fn default() -> Self {
        Session {
            encoding: Encoding::Utf16,
            documents: HashMap::new(),
            paths: HashMap::new(),
            functions: Functions::default(),
            workspace_folders: Vec::new(),
        }
    }
}

/// The files as the editor has them: open documents over the disk.
struct Overlay<'a> {
    documents: &'a HashMap<Uri, Document>,
    paths: &'a HashMap<PathBuf, Uri>,
}

impl Overlay<'_> {
    fn open(&self, path: &Path) -> Option<&Document> {
        self.documents.get(self.paths.get(path)?)
    }
}

impl FileSource for Overlay<'_> {
    fn read(&self, path: &Path) -> std::io::Result<Vec<u8>> {
        match self.open(path) {
            Some(document) => Ok(document.text().as_bytes().to_vec()),
            None => std::fs::read(path),
        }
    }

    fn is_file(&self, path: &Path) -> bool {
        self.open(path).is_some() || path.is_file()
    }
}

impl Session {
    /// Whether `path` is a SAM template: `template.yaml`, `template.yml`, or one the
    /// `lambda.templates` setting names.
    fn is_template(&self, path: &Path) -> bool {
        is_template_path(path) || self.functions.extra_templates().iter().any(|t| t == path)
    }

    /// Files whose presence (or, for a template, text) decides which folders are function
    /// folders.
    fn decides_function_dirs(&self, path: &Path) -> bool {
        self.is_template(path)
            || path
                .file_name()
                .is_some_and(|name| name == CONFIG_FILE || name == DEFAULT_MODULE_FILE)
    }

    /// Read functions also from `templates` (files with other names); returns the open
    /// documents, whose functions may all have changed.
    pub fn set_templates(&mut self, templates: Vec<PathBuf>) -> Vec<Uri> {
        if self.functions.extra_templates() == templates.as_slice() {
            return Vec::new();
        }
        self.functions = Functions::with_templates(templates);
        let uris: Vec<(Uri, Option<PathBuf>)> = self
            .documents
            .iter()
            .map(|(uri, d)| (uri.clone(), d.path.clone()))
            .collect();
        for (uri, path) in &uris {
            let dir = path.as_deref().and_then(|p| self.dir_of(p));
            if let Some(document) = self.documents.get_mut(uri) {
                document.function_dir = dir;
            }
        }
        uris.into_iter().map(|(uri, _)| uri).collect()
    }

    fn overlay(&self) -> Overlay<'_> {
        Overlay {
            documents: &self.documents,
            paths: &self.paths,
        }
    }

    /// The function folder holding `path`, as the editor's files have it.
    fn dir_of(&mut self, path: &Path) -> Option<PathBuf> {
        let overlay = Overlay {
            documents: &self.documents,
            paths: &self.paths,
        };
        self.functions.dir_of(&overlay, path)
    }

    /// Open a document; returns the documents whose answers may have changed with it.
    pub fn open(&mut self, uri: Uri, version: i32, text: String) -> Vec<Uri> {
        let path = uri.to_file_path().map(|p| p.into_owned());
        let document = Document {
            version,
            content: content_for(
                path.as_deref(),
                path.as_deref().is_some_and(|p| self.is_template(p)),
                text,
            ),
            index: Arc::new(LineIndex::new("")),
            path: path.clone(),
            function_dir: None,
            cache: CheckCache::default(),
            memo: Memo::default(),
        };
        let index = Arc::new(LineIndex::new(document.text()));
        self.documents
            .insert(uri.clone(), Document { index, ..document });
        if let Some(path) = &path {
            self.paths.insert(path.clone(), uri.clone());
        }
        let mut affected = vec![uri.clone()];
        match path.as_deref() {
            // An unsaved lambda.toml, lambda_function.py or template can make function
            // folders.
            Some(path) if self.decides_function_dirs(path) => {
                affected.extend(self.files_changed_at(path, true));
            }
            Some(path) => {
                let dir = self.dir_of(path);
                if let Some(document) = self.documents.get_mut(&uri) {
                    document.function_dir = dir;
                }
            }
            None => {}
        }
        dedup(affected)
    }

    /// Close a document; returns the other documents whose answers may have changed.
    pub fn close(&mut self, uri: &Uri) -> Vec<Uri> {
        let Some(document) = self.documents.remove(uri) else {
            return Vec::new();
        };
        let Some(path) = document.path else {
            return Vec::new();
        };
        self.paths.remove(&path);
        if self.decides_function_dirs(&path) {
            // Back to the saved file (or none).
            self.files_changed_at(&path, true)
        } else {
            Vec::new()
        }
    }

    /// A document's text changed; returns the documents to check again.
    pub fn changed(&mut self, uri: &Uri) -> Vec<Uri> {
        let path = self.documents.get(uri).and_then(|d| d.path.clone());
        let mut affected = vec![uri.clone()];
        if let Some(path) = path {
            if is_config_path(Some(&path)) {
                affected.extend(self.files_changed_at(&path, false));
            } else if self.is_template(&path) {
                // Its `CodeUri`s decide which folders are functions.
                affected.extend(self.files_changed_at(&path, true));
            }
        }
        dedup(affected)
    }

    /// Files changed on disk (the editor's watchers); returns the open documents to check
    /// again. Only what the change can affect is dropped: a saved `.py` file changes no
    /// other file's answers except its function's open `lambda.toml` and the open templates
    /// above it (which check that the handler exists); a created or deleted file can change
    /// which files make a function, and a template any function below it.
    pub fn files_changed(&mut self, changes: &[(PathBuf, FileChangeType)]) -> Vec<Uri> {
        let mut affected = Vec::new();
        for (path, kind) in changes {
            let structural = *kind != FileChangeType::CHANGED || self.is_template(path);
            if is_config_path(Some(path)) || structural {
                affected.extend(self.files_changed_at(path, structural));
            } else {
                if let Some(dir) = self.dir_of(path) {
                    affected.extend(self.paths.get(&dir.join(CONFIG_FILE)).cloned());
                }
                affected.extend(self.templates_above(path));
            }
        }
        dedup(affected)
    }

    /// The open templates in the folders above `path`, and those of `lambda.templates`.
    fn templates_above(&self, path: &Path) -> Vec<Uri> {
        let named = path
            .ancestors()
            .skip(1)
            .flat_map(|dir| TEMPLATE_FILES.iter().map(move |name| dir.join(name)));
        let extra = self.functions.extra_templates().iter().cloned();
        named
            .chain(extra)
            .filter_map(|template| self.paths.get(&template).cloned())
            .collect()
    }

    /// `path` changed (its text, or whether it exists when `structural`): forget the
    /// functions it belongs to (every function, for a template) and, when it decides which
    /// folders are functions, find the function folder of each open document below its
    /// folder again.
    fn files_changed_at(&mut self, path: &Path, structural: bool) -> Vec<Uri> {
        let mut affected = Vec::new();
        let Some(folder) = path.parent() else {
            return affected;
        };
        let template = self.is_template(path);
        if template {
            self.functions.forget_template(path);
        }
        let owner = self.dir_of(path);
        for dir in owner.iter().chain(std::iter::once(&folder.to_path_buf())) {
            self.functions.forget(dir);
        }
        if structural && self.decides_function_dirs(path) {
            // A template named in `lambda.templates` may describe code anywhere.
            let anywhere = template && !is_template_path(path);
            let below: Vec<(Uri, PathBuf)> = self
                .documents
                .iter()
                .filter_map(|(uri, d)| {
                    let p = d.path.as_ref()?;
                    (anywhere || p.starts_with(folder)).then(|| (uri.clone(), p.clone()))
                })
                .collect();
            for (uri, document_path) in below {
                let dir = self.dir_of(&document_path);
                if let Some(document) = self.documents.get_mut(&uri) {
                    // A template may change the functions of a folder without changing
                    // which folder it is.
                    if document.function_dir != dir || template {
                        document.function_dir = dir;
                        affected.push(uri);
                    }
                }
            }
        }
        for dir in owner.iter().chain(std::iter::once(&folder.to_path_buf())) {
            affected.extend(self.documents_of(dir));
        }
        affected.extend(self.templates_above(path));
        affected
    }

    /// The open documents of the functions in `dir`.
    pub fn documents_of(&self, dir: &Path) -> Vec<Uri> {
        self.documents
            .iter()
            .filter(|(_, d)| d.function_dir.as_deref() == Some(dir))
            .map(|(uri, _)| uri.clone())
            .collect()
    }

    /// A snapshot of `uri` for a request (`None` when it is not open). The functions are
    /// loaded here when needed (a small read, once per change of their files).
    pub fn snapshot(&mut self, uri: &Uri) -> Option<Snapshot> {
        let document = self.documents.get(uri)?;
        let dir = document.function_dir.clone();
        let folder = dir.map(|dir| {
            let overlay = Overlay {
                documents: &self.documents,
                paths: &self.paths,
            };
            self.functions.get(&overlay, &dir)
        });
        let document = &self.documents[uri];
        let memo = document
            .memo
            .is_for(document.version, &folder)
            .then(|| document.memo.clone());
        let handler_source = match (&document.content, &folder) {
            (Content::Config(_), Some(folder)) => folder.functions[0]
                .handler_file()
                .and_then(|path| self.overlay().read_lossy(&path)),
            _ => None,
        };
        // A template reads its code folders; the open documents' text wins over the disk.
        let open_files = matches!(document.content, Content::Template(_)).then(|| {
            OpenFiles(
                self.documents
                    .values()
                    .filter_map(|d| Some((d.path.clone()?, d.content.clone())))
                    .collect(),
            )
        });
        Some(Snapshot {
            uri: uri.clone(),
            version: document.version,
            path: document.path.clone(),
            content: document.content.clone(),
            index: document.index.clone(),
            encoding: self.encoding,
            folder,
            events: memo.as_ref().and_then(|m| m.events.clone()),
            diagnostics: memo.and_then(|m| m.diagnostics),
            handler_source,
            open_files,
        })
    }

    /// Keep `events` for the snapshot's version, if the document is still at it.
    pub fn remember_events(&mut self, snapshot: &Snapshot, events: SharedEvents) {
        if let Some(memo) = self.memo_for(snapshot) {
            memo.events = Some(events);
        }
    }

    /// Keep the diagnostics of the snapshot's version, if the document is still at it.
    pub fn remember_diagnostics(&mut self, snapshot: &Snapshot, diagnostics: Arc<Vec<Diagnostic>>) {
        if let Some(memo) = self.memo_for(snapshot) {
            memo.diagnostics = Some(diagnostics);
        }
    }

    fn memo_for(&mut self, snapshot: &Snapshot) -> Option<&mut Memo> {
        let document = self.documents.get_mut(&snapshot.uri)?;
        if document.version != snapshot.version {
            return None;
        }
        if !document.memo.is_for(snapshot.version, &snapshot.folder) {
            document.memo = Memo {
                version: snapshot.version,
                folder: snapshot.folder.clone(),
                events: None,
                diagnostics: None,
            };
        }
        Some(&mut document.memo)
    }

    /// The checker's per-statement cache of `uri`, taken out while it checks.
    pub fn take_check_cache(&mut self, uri: &Uri) -> CheckCache {
        self.documents
            .get_mut(uri)
            .map(|d| std::mem::take(&mut d.cache))
            .unwrap_or_default()
    }

    /// Give the cache back (it is keyed by statement text, so any version may reuse it).
    pub fn return_check_cache(&mut self, uri: &Uri, cache: CheckCache) {
        if let Some(document) = self.documents.get_mut(uri) {
            document.cache = cache;
        }
    }
}

/// A fault planted for the test that a panic fails one request only: debug builds, with
/// `LAMBDA_LS_TEST_PANIC` set, panic on a hover in a document holding the marker.
fn planted_panic(text: &str) {
    #[cfg(debug_assertions)]
    if std::env::var_os("LAMBDA_LS_TEST_PANIC").is_some() && text.contains("lambda-ls: panic here")
    {
        panic!("the panic planted for tests (LAMBDA_LS_TEST_PANIC)");
    }
    #[cfg(not(debug_assertions))]
    let _ = text;
}

fn dedup(mut uris: Vec<Uri>) -> Vec<Uri> {
    let mut seen = std::collections::HashSet::new();
    uris.retain(|u| seen.insert(u.clone()));
    uris
}

fn is_config_path(path: Option<&Path>) -> bool {
    path.and_then(|p| p.file_name())
        .is_some_and(|name| name == CONFIG_FILE)
}

/// Whether `path` is a SAM template (`template.yaml`, `template.yml`).
fn is_template_path(path: &Path) -> bool {
    path.file_name()
        .is_some_and(|name| TEMPLATE_FILES.iter().any(|t| name == *t))
}
