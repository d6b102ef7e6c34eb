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

use std::hash::{Hash, Hasher};
use std::path::Path;
use std::sync::Arc;

use rustc_hash::FxHasher;

use crate::ide::{Completion, Diagnostic, Hover, Lens, LensAction, Severity};
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

/// A Python file as each function of its folder sees it: one [`PythonFile`] per function
/// whose handler module it is (several when a template's functions share a code folder,
/// even this file), else one per function without a handler (a helper module, which every
/// function of the folder may import).
pub fn python_files<'a>(
    module: &'a Module,
    path: &Path,
    functions: &'a [Arc<Function>],
) -> Vec<PythonFile<'a>> {
    let handlers: Vec<PythonFile<'a>> = functions
        .iter()
        .filter_map(|f| {
            Some(PythonFile {
                module,
                function: Some(f),
                handler: Some(handler_in(f, path)?),
            })
        })
        .collect();
    if !handlers.is_empty() {
        return handlers;
    }
    functions
        .iter()
        .map(|f| PythonFile {
            module,
            function: Some(f),
            handler: None,
        })
        .collect()
}

/// The event analysis of each of `files`' handlers, in their order (`None` for a file
/// without one).
pub fn analyze_events(files: &[PythonFile<'_>]) -> Vec<Option<events::EventAnalysis>> {
    files.iter().map(|file| events::analyze(*file)).collect()
}

/// Per-statement results of the module-wide checks (secrets, environment reads), kept
/// between edits: after an edit only the top-level statements whose text changed are
/// walked again, which keeps a keystroke in a 5,000-line module well under a millisecond.
#[derive(Debug, Default)]
pub struct CheckCache {
    /// What the cached results depend on besides the statement text.
    environment_key: u64,
    /// Diagnostics by statement text hash, with ranges relative to the statement start.
    statements: rustc_hash::FxHashMap<u64, Vec<Diagnostic>>,
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
    check_python_all(&[file], &[events], cache)
}

/// Every diagnostic of one module read by several functions (`files`, one per function,
/// as [`python_files`] gives them; `events` in the same order): each handler's checks, and
/// the module-wide checks once, against every function that loads the module.
pub fn check_python_all(
    files: &[PythonFile<'_>],
    events: &[Option<&events::EventAnalysis>],
    cache: &mut CheckCache,
) -> Vec<Diagnostic> {
    let Some(module) = files.first().map(|f| f.module) else {
        return Vec::new();
    };
    let mut diagnostics = Vec::new();
    for error in module.syntax_errors() {
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
    // Each handler once, however many functions share it.
    let mut handlers: Vec<&str> = Vec::new();
    for name in files.iter().filter_map(|f| f.handler) {
        if !handlers.contains(&name) {
            handlers.push(name);
        }
    }
    for handler_name in handlers {
        let sharing: Vec<&Function> = files
            .iter()
            .filter(|f| f.handler == Some(handler_name))
            .filter_map(|f| f.function)
            .collect();
        handler::check(module, handler_name, &set_in(&sharing), &mut diagnostics);
        if let Some(def) = module.top_level_function(handler_name) {
            returns::check_handler(module, &def, &mut diagnostics);
            clients::check(module, &def, &mut diagnostics);
        }
    }
    // The event checks per function: functions that share a handler may differ in events.
    for analysis in events.iter().flatten() {
        events::check(analysis, &mut diagnostics);
    }
    let functions: Vec<&Function> = files.iter().filter_map(|f| f.function).collect();
    statement_checks(module, &functions, cache, &mut diagnostics);
    secrets::add_os_import(module, &mut diagnostics);
    diagnostics.sort_by_key(|d| (d.range.start, d.range.end));
    // Two functions with one handler find its problems twice.
    diagnostics.dedup_by(|a, b| a.range == b.range && a.code == b.code && a.message == b.message);
    diagnostics
}

/// Where the handler of `functions` (which share it) is configured, for the fix a message
/// proposes: `` `handler` in lambda.toml ``, `` `Handler` of `A`, `B` in template.yaml ``.
fn set_in(functions: &[&Function]) -> String {
    let templates: Vec<&crate::project::TemplateRef> = functions
        .iter()
        .filter_map(|f| f.template.as_ref())
        .collect();
    let Some(first) = templates.first() else {
        return "`handler` in lambda.toml".to_string();
    };
    let ids: Vec<String> = templates
        .iter()
        .map(|t| format!("`{}`", t.logical_id))
        .collect();
    format!(
        "`Handler` of {} in {}",
        ids.join(", "),
        first.path.file_name().unwrap_or_default().to_string_lossy()
    )
}

/// The checks that look at every statement, one top-level statement at a time, cached.
/// `functions` are those that load the module (their variables decide the env-var check).
fn statement_checks(
    module: &Module,
    functions: &[&Function],
    cache: &mut CheckCache,
    out: &mut Vec<Diagnostic>,
) {
    let environment_key = {
        let mut hasher = FxHasher::default();
        for function in functions {
            function.config.has_environment_table.hash(&mut hasher);
            function.template.hash(&mut hasher);
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
    cache.statements.reserve(previous.len());
    for statement in module.statements() {
        let start = statement.start_byte();
        let text = module.node_text(statement);
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
                secrets::check(module, statement, &mut found);
                environment::check(module, statement, functions, &mut found);
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
    hover_python_all(&[file], &[analysis], offset)
}

/// Hover in a module read by several functions (see [`check_python_all`]): an event key or
/// context attribute as the first handler that reads it sees it, else a handler's name with
/// the configuration of every function it is the handler of.
pub fn hover_python_all(
    files: &[PythonFile<'_>],
    events: &[Option<&events::EventAnalysis>],
    offset: usize,
) -> Option<Hover> {
    if let Some(hover) = events
        .iter()
        .flatten()
        .find_map(|a| events::hover(a, offset))
    {
        return Some(hover);
    }
    let hovers: Vec<Hover> = files
        .iter()
        .zip(events)
        .filter_map(|(file, analysis)| handler_hover(*file, offset, analysis.map(|a| &a.events)))
        .collect();
    let first = hovers.first()?;
    Some(Hover {
        range: first.range.clone(),
        markdown: hovers
            .iter()
            .map(|h| h.markdown.as_str())
            .collect::<Vec<_>>()
            .join("\n\n---\n\n"),
    })
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
    lenses_python_all(&[file], &[analysis])
}

/// The lenses of every handler in a module read by several functions. A lens names its
/// handler's function (`lambda_handler`), or, where functions share that handler, the
/// function's id (its logical id), so that the command runs the function it stands above.
pub fn lenses_python_all(
    files: &[PythonFile<'_>],
    events: &[Option<&events::EventAnalysis>],
) -> Vec<Lens> {
    let mut lenses = Vec::new();
    for (file, analysis) in files.iter().zip(events) {
        let shared = files
            .iter()
            .filter(|other| other.handler.is_some() && other.handler == file.handler)
            .count()
            > 1;
        let mut found = handler_lenses(*file, analysis.map(|a| &a.events));
        if let (true, Some(function)) = (shared, file.function) {
            for lens in &mut found {
                match &mut lens.action {
                    Some(
                        LensAction::Invoke { handler }
                        | LensAction::InvokeWithEvent { handler }
                        | LensAction::Debug { handler },
                    ) => {
                        *handler = function.id().to_string();
                    }
                    None => {}
                }
            }
        }
        lenses.extend(found);
    }
    // Above each handler in turn (a stable sort keeps each function's lenses together).
    lenses.sort_by_key(|lens| lens.range.start);
    lenses
}

/// Completions at `offset` of a Python file: event keys and context attributes.
pub fn complete_python(file: PythonFile<'_>, offset: usize) -> Vec<Completion> {
    complete_python_all(&[file], || Arc::new(vec![events::analyze(file)]), offset)
}

/// Completions in a module read by several functions (see [`check_python_all`]), those of
/// every handler, once each. `unpatched` gives the event analyses of the file as it is
/// (one per file), used when the cursor's line parses; when it does not, a patched copy is
/// analysed instead.
pub fn complete_python_all(
    files: &[PythonFile<'_>],
    unpatched: impl FnOnce() -> Arc<Vec<Option<events::EventAnalysis>>>,
    offset: usize,
) -> Vec<Completion> {
    let Some(module) = files.first().map(|f| f.module) else {
        return Vec::new();
    };
    if files.iter().all(|f| f.handler.is_none()) {
        return Vec::new();
    }
    let mut completions: Vec<Completion> = Vec::new();
    let mut add = |found: Vec<Completion>| {
        for completion in found {
            if !completions.iter().any(|c| c.label == completion.label) {
                completions.push(completion);
            }
        }
    };
    match events::patched_module(module, offset) {
        None => {
            for analysis in unpatched().iter().flatten() {
                add(events::complete(analysis, module.text(), offset));
            }
        }
        Some(patched) => {
            for file in files.iter().filter(|f| f.handler.is_some()) {
                let analysed = PythonFile {
                    module: &patched,
                    ..*file
                };
                if let Some(mut analysis) = events::analyze(analysed) {
                    analysis.patched = true;
                    add(events::complete(&analysis, module.text(), offset));
                }
            }
        }
    }
    completions
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
            template: None,
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
