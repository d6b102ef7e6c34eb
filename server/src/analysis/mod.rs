//! Editor answers computed from `python`, `project` (and, for events, `catalog`):
//! diagnostics, quick fixes, hovers and lenses in byte offsets. No LSP types here; the
//! CLI and the language server render the same values.

mod clients;
mod config;
mod environment;
pub mod events;
mod handler;
mod returns;
mod secrets;
mod summary;
pub mod workspace;

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::Path;

use rustc_hash::FxHasher;

use crate::ide::{Completion, Diagnostic, Hover, Lens, Severity};
use crate::project::Function;
use crate::python::Module;

pub use config::check_config;
pub use summary::{configuration_markdown, handler_hover, handler_lenses};

/// Stable diagnostic codes of the Python checks. `LT…` codes belong to `lambda.toml`.
pub mod codes {
    pub const SYNTAX_ERROR: &str = "LH000";
    pub const HANDLER_MISSING: &str = "LH001";
    pub const HANDLER_NOT_TOP_LEVEL: &str = "LH002";
    pub const HANDLER_ARITY: &str = "LH003";
    pub const ASYNC_HANDLER: &str = "LH004";
    pub const NOT_SERIALIZABLE: &str = "LH005";
    pub const CLIENT_IN_HANDLER: &str = "LH006";
    pub const HARDCODED_SECRET: &str = "LH007";
    pub const UNDEFINED_ENV_VAR: &str = "LH008";
    pub const UNKNOWN_EVENT_KEY: &str = "LH009";
    pub const UNKNOWN_CONTEXT_ATTRIBUTE: &str = "LH010";
}

/// What a Python file is to the function it belongs to.
#[derive(Debug, Clone, Copy)]
pub struct PythonFile<'a> {
    pub module: &'a Module,
    /// The function folder that holds the file, if any.
    pub function: Option<&'a Function>,
    /// The handler function's name when this file is the handler's module.
    pub handler: Option<&'a str>,
}

impl<'a> PythonFile<'a> {
    /// Describe `path` (holding `module`) relative to `function`, the function whose folder
    /// holds it (as `project::Functions` found it).
    pub fn new(module: &'a Module, path: &Path, function: Option<&'a Function>) -> Self {
        PythonFile {
            module,
            function,
            handler: function.and_then(|f| handler_in(f, path)),
        }
    }
}

/// The handler's function name when `path` is `function`'s handler module. The function's
/// folder is an ancestor of `path` as written, so comparing the paths as written is exact:
/// no file system call per question.
pub fn handler_in<'f>(function: &'f Function, path: &Path) -> Option<&'f str> {
    let (_, name) = function.config.handler_parts()?;
    (function.handler_file()? == path).then_some(name)
}

/// Per-statement results of the module-wide checks (secrets, environment reads), kept
/// between edits: after an edit only the top-level statements whose text changed are
/// walked again, which keeps a keystroke in a 5,000-line module well under a millisecond.
#[derive(Debug, Default)]
pub struct CheckCache {
    /// What the cached results depend on besides the statement text.
    environment_key: u64,
    /// Diagnostics by statement text hash, with ranges relative to the statement start.
    statements: HashMap<u64, Vec<Diagnostic>>,
}

/// Every diagnostic for a Python file, sorted by position.
pub fn check_python(file: PythonFile<'_>) -> Vec<Diagnostic> {
    check_python_cached(file, &mut CheckCache::default())
}

/// `check_python`, reusing what `cache` holds from the previous version of the file.
pub fn check_python_cached(file: PythonFile<'_>, cache: &mut CheckCache) -> Vec<Diagnostic> {
    let events = events::analyze(file);
    check_python_with(file, events.as_ref(), cache)
}

/// `check_python_cached` with the handler's event analysis already made (`events::analyze`),
/// so that checks, hovers and lenses of one version share it.
pub fn check_python_with(
    file: PythonFile<'_>,
    events: Option<&events::EventAnalysis>,
    cache: &mut CheckCache,
) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    for error in file.module.syntax_errors() {
        let message = match &error.missing {
            Some(token) => format!(
                "Syntax error: expected `{token}` here. Lambda cannot import a module with a \
                 syntax error (Runtime.UserCodeSyntaxError)."
            ),
            None => "Syntax error. Lambda cannot import a module with a syntax error \
                     (Runtime.UserCodeSyntaxError)."
                .to_string(),
        };
        diagnostics.push(Diagnostic::new(
            codes::SYNTAX_ERROR,
            Severity::Error,
            error.range,
            message,
        ));
    }
    if let Some(handler_name) = file.handler {
        handler::check(file.module, handler_name, &mut diagnostics);
        if let Some(def) = file.module.top_level_function(handler_name) {
            returns::check_handler(file.module, &def, &mut diagnostics);
            clients::check(file.module, &def, &mut diagnostics);
        }
        if let Some(analysis) = events {
            events::check(analysis, &mut diagnostics);
        }
    }
    statement_checks(file, cache, &mut diagnostics);
    secrets::add_os_import(file.module, &mut diagnostics);
    diagnostics.sort_by_key(|d| (d.range.start, d.range.end));
    diagnostics
}

/// The checks that look at every statement, one top-level statement at a time, cached.
fn statement_checks(file: PythonFile<'_>, cache: &mut CheckCache, out: &mut Vec<Diagnostic>) {
    let environment_key = {
        let mut hasher = FxHasher::default();
        if let Some(function) = file.function.filter(|f| f.config.has_environment_table) {
            true.hash(&mut hasher);
            for name in function.config.environment.keys() {
                name.hash(&mut hasher);
            }
        }
        hasher.finish()
    };
    if cache.environment_key != environment_key {
        cache.statements.clear();
        cache.environment_key = environment_key;
    }
    let mut previous = std::mem::take(&mut cache.statements);
    let root = file.module.root();
    let mut cursor = root.walk();
    for statement in root.children(&mut cursor) {
        let start = statement.start_byte();
        let text = file.module.node_text(statement);
        let mut hasher = FxHasher::default();
        text.hash(&mut hasher);
        let key = hasher.finish();
        let relative = match previous
            .remove(&key)
            .or_else(|| cache.statements.get(&key).cloned())
        {
            Some(found) => found,
            None => {
                let mut found = Vec::new();
                secrets::check(file.module, statement, &mut found);
                if let Some(function) = file.function {
                    environment::check(file.module, statement, function, &mut found);
                }
                shift(&mut found, start, false);
                found
            }
        };
        let mut absolute = relative.clone();
        shift(&mut absolute, start, true);
        out.extend(absolute);
        cache.statements.insert(key, relative);
    }
}

/// Move diagnostics (and their fixes) by `offset`: forward when `add`, else back.
fn shift(diagnostics: &mut [Diagnostic], offset: usize, add: bool) {
    let apply = |range: &mut std::ops::Range<usize>| {
        if add {
            *range = range.start + offset..range.end + offset;
        } else {
            *range = range.start - offset..range.end - offset;
        }
    };
    for diagnostic in diagnostics {
        apply(&mut diagnostic.range);
        for fix in &mut diagnostic.fixes {
            for edit in &mut fix.edits {
                apply(&mut edit.range);
            }
        }
    }
}

/// Hover for a Python file at `offset`, if any: an event key or context attribute, else
/// the handler's name.
pub fn hover_python(file: PythonFile<'_>, offset: usize) -> Option<Hover> {
    hover_python_with(file, events::analyze(file).as_ref(), offset)
}

/// `hover_python` with the handler's event analysis already made.
pub fn hover_python_with(
    file: PythonFile<'_>,
    analysis: Option<&events::EventAnalysis>,
    offset: usize,
) -> Option<Hover> {
    if let Some(hover) = analysis.and_then(|a| events::hover(a, offset)) {
        return Some(hover);
    }
    handler_hover(file, offset, analysis.map(|a| &a.events))
}

/// Code lenses for a Python file.
pub fn lenses_python(file: PythonFile<'_>) -> Vec<Lens> {
    lenses_python_with(file, events::analyze(file).as_ref())
}

/// `lenses_python` with the handler's event analysis already made.
pub fn lenses_python_with(
    file: PythonFile<'_>,
    analysis: Option<&events::EventAnalysis>,
) -> Vec<Lens> {
    handler_lenses(file, analysis.map(|a| &a.events))
}

/// Completions at `offset` of a Python file: event keys and context attributes.
pub fn complete_python(file: PythonFile<'_>, offset: usize) -> Vec<Completion> {
    complete_python_with(file, || std::sync::Arc::new(events::analyze(file)), offset)
}

/// `complete_python`; `unpatched` gives the event analysis of the file as it is, used when
/// the cursor's line parses (when it does not, a patched copy is analysed instead).
pub fn complete_python_with(
    file: PythonFile<'_>,
    unpatched: impl FnOnce() -> std::sync::Arc<Option<events::EventAnalysis>>,
    offset: usize,
) -> Vec<Completion> {
    if file.handler.is_none() {
        return Vec::new();
    }
    match events::patched_module(file.module, offset) {
        None => match unpatched().as_ref() {
            Some(analysis) => events::complete(analysis, file.module.text(), offset),
            None => Vec::new(),
        },
        Some(patched) => {
            let analysed = PythonFile {
                module: &patched,
                ..file
            };
            match events::analyze(analysed) {
                Some(mut analysis) => {
                    analysis.patched = true;
                    events::complete(&analysis, file.module.text(), offset)
                }
                None => Vec::new(),
            }
        }
    }
}

#[cfg(test)]
mod scaling_tests;

#[cfg(test)]
pub(crate) mod test_support {
    use super::*;
    use crate::project::FunctionConfig;

    /// Diagnostics of `src` as the console-default handler module of a function whose
    /// `lambda.toml` is `config` (empty: no file).
    pub fn diagnostics(src: &str, config: &str) -> Vec<(String, &'static str, String)> {
        let module = Module::parse(src);
        let dir = std::env::temp_dir();
        let function = function_with(config);
        let file = PythonFile {
            module: &module,
            function: Some(&function),
            handler: Some("lambda_handler"),
        };
        let _ = dir;
        check_python(file)
            .into_iter()
            .map(|d| (src[d.range.clone()].to_string(), d.code, d.message))
            .collect()
    }

    pub fn function_with(config: &str) -> Function {
        let (config, config_diagnostics) = if config.is_empty() {
            (FunctionConfig::defaults("fn"), Vec::new())
        } else {
            crate::project::parse_config("fn", config)
        };
        Function {
            dir: std::env::temp_dir(),
            config_path: None,
            config,
            config_diagnostics,
        }
    }

    /// Apply a fix's edits to `src` (edits must not overlap).
    pub fn apply(src: &str, fix: &crate::ide::Fix) -> String {
        let mut edits = fix.edits.clone();
        edits.sort_by_key(|e| std::cmp::Reverse(e.range.start));
        let mut text = src.to_string();
        for edit in edits {
            text.replace_range(edit.range, &edit.new_text);
        }
        text
    }

    /// The codes found in `src`.
    pub fn codes(src: &str, config: &str) -> Vec<&'static str> {
        diagnostics(src, config).into_iter().map(|d| d.1).collect()
    }
}
