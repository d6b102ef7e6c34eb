//! The server's state: open documents (text, syntax tree, line index, version), the
//! function each belongs to, and the negotiated position encoding. Everything here is
//! synchronous; the protocol layer locks it, changes it and computes answers in one go.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use tower_lsp_server::ls_types::Uri;

use crate::analysis::{self, CheckCache, PythonFile};
use crate::ide::{Completion, Diagnostic, Hover, Lens};
use crate::line_index::{Encoding, LineIndex};
use crate::project::{self, Function, CONFIG_FILE, DEFAULT_MODULE_FILE};
use crate::python::Module;

/// What an open document is.
pub enum Content {
    Python(Module),
    /// A function's `lambda.toml`.
    Config(String),
}

/// One open document.
pub struct Document {
    pub version: i32,
    pub path: Option<PathBuf>,
    pub content: Content,
    pub index: LineIndex,
    /// What the checks can reuse after the next edit.
    pub cache: CheckCache,
}

impl Document {
    pub fn text(&self) -> &str {
        match &self.content {
            Content::Python(module) => module.text(),
            Content::Config(text) => text,
        }
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
    pub fn edit(&mut self, range: std::ops::Range<usize>, new_text: &str) {
        match &mut self.content {
            Content::Python(module) => module.edit(range, new_text),
            Content::Config(text) => {
                let end = range.end.min(text.len());
                text.replace_range(range.start.min(end)..end, new_text)
            }
        }
        self.index = LineIndex::new(self.text());
    }

    pub fn replace(&mut self, text: String) {
        self.content = content_for(self.path.as_deref(), text);
        self.index = LineIndex::new(self.text());
    }
}

fn content_for(path: Option<&Path>, text: String) -> Content {
    let is_config = path
        .and_then(|p| p.file_name())
        .is_some_and(|name| name == CONFIG_FILE);
    if is_config {
        Content::Config(text)
    } else {
        Content::Python(Module::parse(text))
    }
}

/// All state of one server.
pub struct Session {
    pub encoding: Encoding,
    pub documents: HashMap<Uri, Document>,
    /// Loaded functions by folder; dropped when their `lambda.toml` changes.
    functions: HashMap<PathBuf, Function>,
    pub workspace_folders: Vec<PathBuf>,
}

impl Default for Session {
    fn default() -> Self {
        Session {
            encoding: Encoding::Utf16,
            documents: HashMap::new(),
            functions: HashMap::new(),
            workspace_folders: Vec::new(),
        }
    }
}

impl Session {
    pub fn open(&mut self, uri: Uri, version: i32, text: String) {
        let path = uri.to_file_path().map(|p| p.into_owned());
        if is_config_path(path.as_deref()) {
            self.forget_function_of(path.as_deref());
        }
        let content = content_for(path.as_deref(), text);
        let mut document = Document {
            version,
            path,
            content,
            index: LineIndex::new(""),
            cache: CheckCache::default(),
        };
        document.index = LineIndex::new(document.text());
        self.documents.insert(uri, document);
    }

    pub fn close(&mut self, uri: &Uri) {
        if let Some(document) = self.documents.remove(uri) {
            if is_config_path(document.path.as_deref()) {
                self.forget_function_of(document.path.as_deref());
            }
        }
    }

    /// A document changed; drop what depended on it.
    pub fn changed(&mut self, uri: &Uri) {
        let path = self.documents.get(uri).and_then(|d| d.path.clone());
        if is_config_path(path.as_deref()) {
            self.forget_function_of(path.as_deref());
        }
    }

    /// Files changed on disk (watched): configurations may have changed.
    pub fn files_changed(&mut self) {
        self.functions.clear();
    }

    fn forget_function_of(&mut self, config_path: Option<&Path>) {
        if let Some(dir) = config_path.and_then(Path::parent) {
            self.functions.remove(dir);
        }
    }

    /// The current text of a file: the open document's, else the disk's (lossily decoded:
    /// a stray non-UTF-8 byte must not hide the rest of the file).
    pub fn read(&self, path: &Path) -> Option<String> {
        let open = self
            .documents
            .values()
            .find(|d| d.path.as_deref() == Some(path));
        match open {
            Some(document) => Some(document.text().to_string()),
            None => std::fs::read(path)
                .ok()
                .map(|bytes| String::from_utf8_lossy(&bytes).into_owned()),
        }
    }

    fn exists(&self, path: &Path) -> bool {
        path.is_file()
            || self
                .documents
                .values()
                .any(|d| d.path.as_deref() == Some(path))
    }

    /// The function folder holding `path`: the nearest ancestor with a `lambda.toml`, or
    /// with the console's `lambda_function.py`.
    pub fn function_for(&mut self, path: &Path) -> Option<&Function> {
        let dir = path.ancestors().skip(1).find(|dir| {
            self.exists(&dir.join(CONFIG_FILE)) || self.exists(&dir.join(DEFAULT_MODULE_FILE))
        })?;
        let dir = dir.to_path_buf();
        if !self.functions.contains_key(&dir) {
            let function = self.load_function(&dir);
            self.functions.insert(dir.clone(), function);
        }
        self.functions.get(&dir)
    }

    fn load_function(&self, dir: &Path) -> Function {
        let config_path = dir.join(CONFIG_FILE);
        let folder_name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "function".to_string());
        match self.read(&config_path) {
            Some(text) => {
                let (config, config_diagnostics) = project::analyze(dir, &text);
                Function {
                    dir: dir.to_path_buf(),
                    config_path: Some(config_path),
                    config,
                    config_diagnostics,
                }
            }
            None => Function {
                dir: dir.to_path_buf(),
                config_path: None,
                config: project::FunctionConfig::defaults(&folder_name),
                config_diagnostics: Vec::new(),
            },
        }
    }

    /// Diagnostics of an open document.
    pub fn diagnostics(&mut self, uri: &Uri) -> Vec<Diagnostic> {
        let Some(path) = self.documents.get(uri).and_then(|d| d.path.clone()) else {
            return self.python_answers(uri, analysis::check_python);
        };
        if is_config_path(Some(&path)) {
            let Some(function) = self.function_for(&path).cloned() else {
                return Vec::new();
            };
            let text = self.documents[uri].text().to_string();
            return analysis::check_config(&function, &text, &|p| self.read(p));
        }
        let function = self.function_for(&path).cloned();
        let Some(document) = self.documents.get_mut(uri) else {
            return Vec::new();
        };
        let Content::Python(module) = &document.content else {
            return Vec::new();
        };
        let file = PythonFile::new(module, &path, function.as_ref());
        analysis::check_python_cached(file, &mut document.cache)
    }

    pub fn hover(&mut self, uri: &Uri, offset: usize) -> Option<Hover> {
        if let Content::Config(text) = &self.documents.get(uri)?.content {
            return project::hover(text, offset);
        }
        self.python_answers(uri, |file| analysis::hover_python(file, offset))
    }

    pub fn completions(&mut self, uri: &Uri, offset: usize) -> Vec<Completion> {
        if let Some(Content::Config(text)) = self.documents.get(uri).map(|d| &d.content) {
            return project::complete(text, offset);
        }
        self.python_answers(uri, |file| analysis::complete_python(file, offset))
    }

    pub fn lenses(&mut self, uri: &Uri) -> Vec<Lens> {
        self.python_answers(uri, analysis::lenses_python)
    }

    /// Run `answer` on an open Python document with its function, or return the default.
    fn python_answers<T: Default>(
        &mut self,
        uri: &Uri,
        answer: impl FnOnce(PythonFile<'_>) -> T,
    ) -> T {
        let Some(path) = self.documents.get(uri).map(|d| d.path.clone()) else {
            return T::default();
        };
        let function = path.as_deref().and_then(|p| self.function_for(p).cloned());
        let Some(document) = self.documents.get(uri) else {
            return T::default();
        };
        let Content::Python(module) = &document.content else {
            return T::default();
        };
        let file = match &path {
            Some(path) => PythonFile::new(module, path, function.as_ref()),
            None => PythonFile {
                module,
                function: None,
                handler: None,
            },
        };
        answer(file)
    }

    /// Open documents that belong to the function in `dir` (re-checked when it changes).
    pub fn documents_in(&self, dir: &Path) -> Vec<Uri> {
        self.documents
            .iter()
            .filter(|(_, d)| d.path.as_deref().is_some_and(|p| p.starts_with(dir)))
            .map(|(uri, _)| uri.clone())
            .collect()
    }
}

fn is_config_path(path: Option<&Path>) -> bool {
    path.and_then(|p| p.file_name())
        .is_some_and(|name| name == CONFIG_FILE)
}
