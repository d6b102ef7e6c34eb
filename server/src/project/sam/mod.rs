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

use std::ops::Range;
use std::path::{Path, PathBuf};

use super::runtimes::Date;
use super::{discover::walk, is_function_dir, load as load_folder, Function};
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

impl Template {
    /// `template.yaml#LogicalId`: where a function of this template is defined.
    pub fn source_label(&self, logical_id: &str) -> String {
        let file = self
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| TEMPLATE_FILES[0].to_string());
        format!("{file}#{logical_id}")
    }
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
/// Python files through `read_file` (the editor's open documents, else the disk).
pub fn analyze(path: &Path, text: &str, read_file: &dyn Fn(&Path) -> Option<String>) -> Template {
    analyze_on(path, text, Date::today(), read_file)
}

/// [`analyze`] as of `today`.
pub fn analyze_on(
    path: &Path,
    text: &str,
    today: Date,
    read_file: &dyn Fn(&Path) -> Option<String>,
) -> Template {
    let mut template = template::read(path, text, today);
    checks::check(&mut template, text, read_file);
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

/// Where a listed function is defined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A folder: its `lambda.toml`, or the console's defaults when it has none.
    Folder,
    /// A SAM template's resource.
    Template { path: PathBuf, logical_id: String },
}

/// A function found under a path, whatever describes it.
#[derive(Debug, Clone)]
pub struct Found {
    pub function: Function,
    pub origin: Origin,
}

impl Found {
    /// `lambda.toml`, `defaults` (a console-style folder with no lambda.toml) or
    /// `template.yaml#LogicalId`.
    pub fn source_label(&self) -> String {
        match &self.origin {
            Origin::Folder if self.function.config_path.is_some() => super::CONFIG_FILE.into(),
            Origin::Folder => "defaults".into(),
            Origin::Template { path, logical_id } => {
                let file = path.file_name().unwrap_or_default().to_string_lossy();
                format!("{file}#{logical_id}")
            }
        }
    }
}

/// What [`functions_under`] found.
#[derive(Debug, Default)]
pub struct Listing {
    pub functions: Vec<Found>,
    /// Templates whose functions could not be read: (path, why).
    pub unreadable: Vec<(PathBuf, String)>,
}

/// Every function under `root`: function folders, the functions of the templates in and
/// under it, those of templates above it whose code is in or around `root`, and all those
/// of `extra_templates` (templates with other names). A folder with its own `lambda.toml`
/// keeps it (the template's entry for it is left out); a console-style folder that a
/// template describes is the template's function. Sorted by folder, then name.
pub fn functions_under(root: &Path, extra_templates: &[PathBuf]) -> Listing {
    let mut folders = Vec::new();
    let mut templates: Vec<(PathBuf, bool)> = extra_templates
        .iter()
        .map(|path| (path.clone(), true))
        .collect();
    walk(root, |dir| {
        if is_function_dir(dir) {
            folders.push(load_folder(dir));
        }
        if let Some(template) = find_template(dir) {
            templates.push((template, true));
        }
    });
    // Templates above `root` (it may be a code folder of a project): canonical paths,
    // so that `functions hello_world` finds `../template.yaml`.
    let canonical_root = canonical(root);
    for dir in canonical_root.ancestors().skip(1) {
        if let Some(template) = find_template(dir) {
            templates.push((template, false));
        }
    }
    let mut listing = Listing::default();
    let mut seen = std::collections::HashSet::new();
    for (path, inside) in templates {
        if !seen.insert(canonical(&path)) {
            continue;
        }
        let template = match load(&path) {
            Ok(template) => template,
            Err(e) => {
                listing
                    .unreadable
                    .push((path, format!("cannot be read: {e}")));
                continue;
            }
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
        for sam in template.functions {
            let dir = &sam.function.dir;
            let relevant = inside || {
                let dir = canonical(dir);
                dir.starts_with(&canonical_root) || canonical_root.starts_with(&dir)
            };
            if relevant && !dir.join(super::CONFIG_FILE).is_file() {
                listing.functions.push(Found {
                    function: sam.function,
                    origin: Origin::Template {
                        path: path.clone(),
                        logical_id: sam.logical_id,
                    },
                });
            }
        }
    }
    for function in folders {
        let dir = canonical(&function.dir);
        let described = function.config_path.is_none()
            && listing
                .functions
                .iter()
                .any(|f| canonical(&f.function.dir) == dir);
        if !described {
            listing.functions.push(Found {
                function,
                origin: Origin::Folder,
            });
        }
    }
    listing.functions.sort_by(|a, b| {
        (&a.function.dir, &a.function.config.name.value)
            .cmp(&(&b.function.dir, &b.function.config.name.value))
    });
    listing
}

/// The template function `dir` names for a command on one function (`deploy`, `invoke`):
/// the one whose code folder `dir` is, or, in the template's own folder, its only function;
/// `logical_id` picks one when several qualify, and is looked up in every template in or
/// above `dir`. `Ok(None)` when no template describes `dir`, or when its `lambda.toml`
/// takes it over (unless `logical_id` names the template's function). The error says which
/// functions there are to choose from.
pub fn template_function(
    dir: &Path,
    logical_id: Option<&str>,
) -> Result<Option<(Template, SamFunction)>, String> {
    let dir = canonical(dir);
    let mut templates = Vec::new();
    for folder in dir.ancestors() {
        if let Some(path) = find_template(folder) {
            match load(&path) {
                Ok(template) => templates.push(template),
                Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
            }
        }
    }
    if let Some(id) = logical_id {
        for template in &templates {
            if let Some(found) = template.functions.iter().find(|f| f.logical_id == id) {
                return Ok(Some((template.clone(), found.clone())));
            }
        }
        let known: Vec<String> = templates
            .iter()
            .flat_map(|t| t.functions.iter().map(|f| format!("`{}`", f.logical_id)))
            .collect();
        return Err(if known.is_empty() {
            format!(
                "no template.yaml in {} or above it describes a function `{id}`",
                dir.display()
            )
        } else {
            format!(
                "the template has no Python function `{id}`; its functions: {}",
                known.join(", ")
            )
        });
    }
    if dir.join(super::CONFIG_FILE).is_file() {
        return Ok(None);
    }
    for template in templates {
        let in_folder: Vec<&SamFunction> = template
            .functions
            .iter()
            .filter(|f| canonical(&f.function.dir) == dir)
            .collect();
        let template_folder = template.path.parent().map(canonical);
        let candidates = if in_folder.is_empty() && template_folder.as_deref() == Some(&*dir) {
            template.functions.iter().collect()
        } else {
            in_folder
        };
        match candidates.as_slice() {
            [] => continue,
            [only] => {
                let only = (*only).clone();
                return Ok(Some((template, only)));
            }
            several => {
                let ids: Vec<String> = several
                    .iter()
                    .map(|f| format!("`{}` ({})", f.logical_id, f.function.config.handler.value))
                    .collect();
                return Err(format!(
                    "{} holds several functions of {}: {}; pick one with --function <LogicalId>",
                    dir.display(),
                    template.path.display(),
                    ids.join(", ")
                ));
            }
        }
    }
    Ok(None)
}

fn canonical(path: &Path) -> PathBuf {
    path.canonicalize().unwrap_or_else(|_| path.to_path_buf())
}

#[cfg(test)]
mod tests;
