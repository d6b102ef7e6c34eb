//! SAM projects: functions described in a `template.yaml` (AWS SAM, or plain CloudFormation
//! with local code) become the same [`Function`]s as `lambda.toml` folders, with every value
//! saying where it came from; and the template gets its own Lambda diagnostics.
//!
//! Diagnostic codes on the template (stable):
//!
//! | code  | name                     | severity | what |
//! |-------|--------------------------|----------|------|
//! | LS001 | yaml-syntax              | error    | the template is not valid YAML |
//! | LS002 | handler-module-missing   | error    | the handler's module is not in the code folder |
//! | LS003 | handler-function-missing | error    | the module defines no such function at module level |
//! | LS004 | malformed-handler        | error    | not `module.function`, or not importable |
//! | LS005 | unknown-runtime          | error    | not a Lambda Python runtime |
//! | LS006 | deprecated-runtime       | warning  | past its deprecation date |
//! | LS007 | blocked-runtime          | error    | past its block-create date: deploys fail |
//! | LS008 | out-of-range             | error    | `MemorySize` or `Timeout` outside Lambda's limits |
//! | LS009 | invalid-value            | error    | a value Lambda does not accept (architecture, non-number) |
//! | LS010 | missing-property         | error    | `Handler`, `Runtime` or an event's `Type` missing |
//! | LS011 | code-folder-missing      | error    | `CodeUri` names no folder |
//! | LS012 | unknown-event-type       | hint     | an event type lambda-ls has no event shape for |
//! | LS013 | lambda-toml-wins         | info     | the code folder has its own lambda.toml, which lambda-ls uses |

mod checks;
pub mod events;
pub mod export;
pub mod intrinsics;
pub mod samconfig;
mod template;
pub mod yaml;

use std::collections::HashSet;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::runtimes::Date;
use super::{discover::walk, is_function_dir, Disk, FileSource, Function, Functions};
use crate::ide::Diagnostic;
use intrinsics::Resolved;
pub use template::normalize;

/// The template file names looked for, in this order.
pub const TEMPLATE_FILES: &[&str] = &["template.yaml", "template.yml"];

/// The stable diagnostic codes of templates (see the module documentation).
pub mod codes {
    pub const YAML_SYNTAX: &str = "LS001";
    pub const HANDLER_MODULE_MISSING: &str = "LS002";
    pub const HANDLER_FUNCTION_MISSING: &str = "LS003";
    pub const MALFORMED_HANDLER: &str = "LS004";
    pub const UNKNOWN_RUNTIME: &str = "LS005";
    pub const DEPRECATED_RUNTIME: &str = "LS006";
    pub const BLOCKED_RUNTIME: &str = "LS007";
    pub const OUT_OF_RANGE: &str = "LS008";
    pub const INVALID_VALUE: &str = "LS009";
    pub const MISSING_PROPERTY: &str = "LS010";
    pub const CODE_FOLDER_MISSING: &str = "LS011";
    pub const UNKNOWN_EVENT_TYPE: &str = "LS012";
    pub const LAMBDA_TOML_WINS: &str = "LS013";
}

/// A template's Lambda functions and its problems (byte ranges into its text).
#[derive(Debug, Clone)]
pub struct Template {
    pub path: PathBuf,
    /// The text the ranges point into.
    pub text: String,
    pub functions: Vec<SamFunction>,
    pub diagnostics: Vec<Diagnostic>,
}

/// One function of a template.
#[derive(Debug, Clone)]
pub struct SamFunction {
    /// The resource's logical id (`HelloWorldFunction`).
    pub logical_id: String,
    /// The function as lambda-ls models every function: `dir` is the code folder.
    pub function: Function,
    /// The `Events` (and `FunctionUrlConfig`) as triggers, with their names and what only
    /// deploy knows; `function.config.triggers` holds the same triggers.
    pub triggers: Vec<events::EventTrigger>,
    /// `Layers`, Globals' first.
    pub layers: Vec<Resolved>,
    /// Settings CloudFormation sets at deploy: (setting, expression as written).
    pub at_deploy: Vec<(String, String)>,
    /// Where things are written in the template.
    pub ranges: TemplateRanges,
}

/// Ranges of a function's properties in the template text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateRanges {
    /// The resource's logical id (its key).
    pub resource: Range<usize>,
    /// The `Handler` value (on the resource or in Globals), when well-formed.
    pub handler: Option<Range<usize>>,
    /// The `CodeUri` (or `Code`) value, when written.
    pub code: Option<Range<usize>>,
}

/// Read a template's functions and the problems the template alone shows.
pub fn read(path: &Path, text: &str) -> Template {
    template::read(path, text, Date::today())
}

/// [`read`] as of `today`.
pub fn read_on(path: &Path, text: &str, today: Date) -> Template {
    template::read(path, text, today)
}

/// Everything about a template: [`read`] plus the checks of the code folders, reading
/// them from `source` (the editor's open documents over the disk, or the disk).
pub fn analyze(path: &Path, text: &str, source: &dyn FileSource) -> Template {
    analyze_on(path, text, Date::today(), source)
}

/// [`analyze`] as of `today`.
pub fn analyze_on(path: &Path, text: &str, today: Date, source: &dyn FileSource) -> Template {
    let mut template = template::read(path, text, today);
    checks::check(&mut template, text, source);
    template.diagnostics.sort_by_key(|d| d.range.start);
    template
}

/// Read the template at `path` from disk ([`read`]; invalid UTF-8 is replaced, and then
/// reported by the YAML parser only if it matters to the syntax).
pub fn load(path: &Path) -> std::io::Result<Template> {
    let bytes = std::fs::read(path)?;
    Ok(read(path, &String::from_utf8_lossy(&bytes)))
}

/// The template file in `dir`, if any.
pub fn find_template(dir: &Path) -> Option<PathBuf> {
    TEMPLATE_FILES
        .iter()
        .map(|name| dir.join(name))
        .find(|path| path.is_file())
}

/// What [`functions_under`] found.
#[derive(Debug, Default)]
pub struct Listing {
    /// Sorted by folder, then name.
    pub functions: Vec<Arc<Function>>,
    /// The templates read: in and under the root, and those above it that describe code in
    /// or around it.
    pub templates: Vec<PathBuf>,
    /// Templates whose functions could not be read: (path, why).
    pub unreadable: Vec<(PathBuf, String)>,
}

/// Every function under `root`, as `functions` (the facade every command uses) has them:
/// function folders, the functions of the templates in and under `root`, those of templates
/// above it whose code is in or around `root` (canonical paths: `functions hello_world`
/// finds `../template.yaml`), and all those of `functions`' extra templates. A folder with
/// its own `lambda.toml` keeps it; a console-style folder a template describes is the
/// template's function.
pub fn functions_under(functions: &mut Functions, root: &Path) -> Listing {
    let mut dirs = Vec::new();
    let mut templates: Vec<(PathBuf, bool)> = functions
        .extra_templates()
        .iter()
        .map(|path| (path.clone(), true))
        .collect();
    walk(root, |dir| {
        if is_function_dir(dir) {
            dirs.push(dir.to_path_buf());
        }
        if let Some(template) = find_template(dir) {
            templates.push((template, true));
        }
    });
    let canonical_root = canonical(root);
    for dir in canonical_root.ancestors().skip(1) {
        if let Some(template) = find_template(dir) {
            templates.push((template, false));
        }
    }
    let mut listing = Listing::default();
    let mut seen = HashSet::new();
    for (path, inside) in templates {
        if !seen.insert(canonical(&path)) {
            continue;
        }
        let Some(template) = functions.template(&Disk, &path) else {
            let why = match std::fs::read(&path) {
                Err(e) => format!("cannot be read: {e}"),
                Ok(_) => "cannot be read".to_string(),
            };
            listing.unreadable.push((path, why));
            continue;
        };
        if let Some(syntax) = template
            .diagnostics
            .iter()
            .find(|d| d.code == codes::YAML_SYNTAX)
        {
            let index = crate::line_index::LineIndex::new(&template.text);
            let (line, column) = index.position(
                &template.text,
                syntax.range.start,
                crate::line_index::Encoding::Utf32,
            );
            listing.unreadable.push((
                path.clone(),
                format!(
                    "line {}, column {}: {}",
                    line + 1,
                    column + 1,
                    syntax.message
                ),
            ));
        }
        for sam in &template.functions {
            let dir = &sam.function.dir;
            let relevant = inside || {
                let dir = canonical(dir);
                dir.starts_with(&canonical_root) || canonical_root.starts_with(&dir)
            };
            if relevant {
                dirs.push(dir.clone());
            }
        }
        listing.templates.push(path);
    }
    let mut folders = HashSet::new();
    for dir in dirs {
        if !folders.insert(canonical(&dir)) {
            continue;
        }
        let console = is_function_dir(&dir);
        let folder = functions.get(&Disk, &dir);
        // A template's code folder that its template does not reach (`CodeUri: ../x`
        // without --template) is no function of its own.
        listing.functions.extend(
            folder
                .functions
                .iter()
                .filter(|f| console || f.template.is_some())
                .cloned(),
        );
    }
    listing
        .functions
        .sort_by(|a, b| (&a.dir, &a.config.name.value).cmp(&(&b.dir, &b.config.name.value)));
    listing
}

fn canonical(path: &Path) -> PathBuf {
    path.canonicalize().unwrap_or_else(|_| path.to_path_buf())
}

#[cfg(test)]
mod tests;
