//! Built-in test events, generated from the catalog's example values: the event's shape
//! gives the base event, and each template only says what differs (`set`, `with`,
//! `without`), so the shape data stays the single source.

use std::sync::OnceLock;

use serde::Deserialize;
use serde_json::{Map, Value};

use super::path::{parse_path, remove_path, set_path, PathError};
use super::shape::{did_you_mean, Lookup, Shape};
use super::{all_events, event, value_for_path};

/// A ready-to-use test event.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    /// Template name (`s3-put`, `api`, …), unique across the catalog.
    pub name: String,
    /// One line for `events list`.
    pub description: String,
    /// The name of the Lambda console's event template for the same event
    /// (`apigateway-aws-proxy` for `api`), which finds this template too.
    pub console_name: Option<String>,
    /// The trigger type whose event this is; `None` for a direct invocation's plain JSON
    /// (the console's `hello-world`).
    pub trigger: Option<String>,
    /// The event.
    pub value: Value,
}

/// Why a template could not be produced.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("there is no event template named `{name}`{}; `lambda-ls events list` shows them all", hint(.suggestions))]
    Unknown {
        name: String,
        suggestions: Vec<String>,
    },
    #[error(
        "`--set {assignment}` is not `PATH=VALUE` (e.g. `Records[0].s3.bucket.name=my-bucket`)"
    )]
    BadAssignment { assignment: String },
    #[error(transparent)]
    Path(#[from] PathError),
}

fn hint(suggestions: &[String]) -> String {
    match suggestions {
        [] => String::new(),
        [one] => format!(" (did you mean `{one}`?)"),
        many => format!(
            " (did you mean {}?)",
            many.iter()
                .map(|s| format!("`{s}`"))
                .collect::<Vec<_>>()
                .join(" or ")
        ),
    }
}

/// Every template: the console's default (`hello-world`) first, then each trigger's in
/// catalog order.
pub fn templates() -> impl Iterator<Item = &'static Template> {
    console_templates()
        .iter()
        .chain(all_events().iter().flat_map(|spec| spec.templates.iter()))
}

/// The console's templates that belong to no trigger type (`console.json`).
fn console_templates() -> &'static [Template] {
    static TEMPLATES: OnceLock<Vec<Template>> = OnceLock::new();
    TEMPLATES.get_or_init(|| {
        parse_console(CONSOLE_FILE)
            .unwrap_or_else(|error| panic!("catalog data console.json is invalid: {error}"))
    })
}

const CONSOLE_FILE: &str = include_str!("console.json");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConsole {
    #[allow(dead_code)] // documentation of the file, read by people
    doc: String,
    templates: Vec<RawConsoleTemplate>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConsoleTemplate {
    name: String,
    description: String,
    event: Value,
}

fn parse_console(text: &str) -> Result<Vec<Template>, String> {
    let raw: RawConsole = serde_json::from_str(text).map_err(|e| e.to_string())?;
    Ok(raw
        .templates
        .into_iter()
        .map(|t| Template {
            console_name: Some(t.name.clone()),
            name: t.name,
            description: t.description,
            trigger: None,
            value: t.event,
        })
        .collect())
}

/// The event of the template called `name` (or of a trigger type's first template).
pub fn template(name: &str) -> Option<Value> {
    find_template(name)
        .ok()
        .map(|template| template.value.clone())
}

/// The template called `name` (or, for a trigger type such as `s3`, that source's first
/// template), or an error naming similar templates.
pub fn find_template(name: &str) -> Result<&'static Template, TemplateError> {
    templates()
        .find(|template| template.name == name)
        .or_else(|| templates().find(|t| t.console_name.as_deref() == Some(name)))
        .or_else(|| event(name).and_then(|spec| spec.templates.first()))
        .ok_or_else(|| {
            let names: Vec<String> = templates().map(|t| t.name.clone()).collect();
            TemplateError::Unknown {
                name: name.to_string(),
                suggestions: did_you_mean(name, &names),
            }
        })
}

/// The template called `name` with `assignments` (`PATH=VALUE`, as on the command line)
/// applied in order. A value is JSON when it parses, else a string; where the catalog
/// says the value is a string, it stays the text given. Missing object keys are created.
pub fn render_template(name: &str, assignments: &[String]) -> Result<Value, TemplateError> {
    let template = find_template(name)?;
    let spec = template.trigger.as_deref().and_then(event);
    let mut value = template.value.clone();
    for assignment in assignments {
        let (path, text) =
            assignment
                .split_once('=')
                .ok_or_else(|| TemplateError::BadAssignment {
                    assignment: assignment.clone(),
                })?;
        let path = parse_path(path.trim())?;
        let new = value_for_path(spec, &path, text);
        set_path(&mut value, &path, new)?;
    }
    Ok(value)
}

/// The data-file form of a template.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawTemplate {
    name: String,
    description: String,
    /// The Lambda console's name for the same test event, when it differs.
    #[serde(default)]
    console: Option<String>,
    /// Optional keys to include, with their catalog examples.
    #[serde(default)]
    with: Vec<String>,
    /// Values to set (paths to JSON values), applied after `with`.
    #[serde(default)]
    set: Map<String, Value>,
    /// Keys to leave out.
    #[serde(default)]
    without: Vec<String>,
}

impl RawTemplate {
    /// Build the template's event from the shape's examples and the template's edits.
    pub(super) fn build(self, trigger: &str, shape: &Shape) -> Result<Template, String> {
        let context = |e: PathError| format!("template `{}`: {e}", self.name);
        let mut value = shape.example_value();
        for text in &self.with {
            let path = parse_path(text).map_err(context)?;
            let Lookup::Found(part) = shape.lookup(&path) else {
                return Err(format!(
                    "template `{}`: `with` path `{text}` is not in the shape",
                    self.name
                ));
            };
            set_path(&mut value, &path, part.example_value()).map_err(context)?;
        }
        for (text, new) in &self.set {
            let path = parse_path(text).map_err(context)?;
            set_path(&mut value, &path, new.clone()).map_err(context)?;
        }
        for text in &self.without {
            let path = parse_path(text).map_err(context)?;
            remove_path(&mut value, &path).map_err(context)?;
        }
        Ok(Template {
            name: self.name,
            description: self.description,
            console_name: self.console,
            trigger: Some(trigger.to_string()),
            value,
        })
    }
}
