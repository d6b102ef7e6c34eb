//! The catalog: what the handler's `context` object holds and what the event of each
//! trigger looks like, as data with docs and example values. Completion, hover, checks,
//! inference and the built-in test events all read it; nothing here knows the editor.
//!
//! The knowledge is data: `context.json` and one file per trigger type under `events/`
//! (format in `events/README.md`). Adding a service is adding a data file and its line in
//! [`EVENT_FILES`]. Everything is parsed once, on first use.

use std::sync::OnceLock;

use serde::Deserialize;
use serde_json::Value;

mod context;
mod infer;
mod path;
mod powertools;
mod shape;
mod template;

pub use context::{PyClass, PyLookup, PyMember, PyMemberKind};
pub use infer::{event_for_annotation, infer_from_keys, rank_by_fit, Fit};
pub use path::{format_path, get_path, parse_path, remove_path, set_path, PathError, PathSegment};
pub use powertools::{
    data_class_for, data_classes, DataClass, DataClasses, DataMember, DataMemberKind, Many,
    MemberLookup,
};
pub use shape::{did_you_mean, Lookup, Mismatch, Shape, ShapeKind};
pub use template::{find_template, render_template, template, templates, Template, TemplateError};

/// The event of one trigger type: its shape and how people refer to it.
#[derive(Debug, Clone, PartialEq)]
pub struct EventSpec {
    /// Trigger type, as in `lambda.toml`'s `[[trigger]] type` (`s3`, `http-api`, …).
    pub name: String,
    /// Human title (`Amazon S3 event notification`).
    pub title: String,
    /// A few sentences on when the function gets this event and what to return.
    pub doc: String,
    /// The event's shape (an object).
    pub shape: Shape,
    /// Fully qualified Python type names people annotate `event` with for this source
    /// (`aws_lambda_typing.events.S3Event`, `aws_lambda_powertools…S3Event`).
    pub annotations: Vec<String>,
    /// The built-in test events of this source (at least one).
    pub templates: Vec<Template>,
}

/// The data files, in the order sources are listed (most used first; inference breaks ties
/// with it).
const EVENT_FILES: &[(&str, &str)] = &[
    ("s3", include_str!("events/s3.json")),
    ("api", include_str!("events/api.json")),
    ("http-api", include_str!("events/http-api.json")),
    ("function-url", include_str!("events/function-url.json")),
    ("alb", include_str!("events/alb.json")),
    ("schedule", include_str!("events/schedule.json")),
    ("eventbridge", include_str!("events/eventbridge.json")),
    ("sqs", include_str!("events/sqs.json")),
    ("sns", include_str!("events/sns.json")),
    ("dynamodb", include_str!("events/dynamodb.json")),
    ("kinesis", include_str!("events/kinesis.json")),
    ("firehose", include_str!("events/firehose.json")),
    ("kafka", include_str!("events/kafka.json")),
    (
        "cloudwatch-logs",
        include_str!("events/cloudwatch-logs.json"),
    ),
    (
        "cognito-user-pool",
        include_str!("events/cognito-user-pool.json"),
    ),
    ("ses", include_str!("events/ses.json")),
    ("cloudformation", include_str!("events/cloudformation.json")),
    ("s3-batch", include_str!("events/s3-batch.json")),
    ("appsync", include_str!("events/appsync.json")),
    ("iot", include_str!("events/iot.json")),
    ("config", include_str!("events/config.json")),
    ("codecommit", include_str!("events/codecommit.json")),
    ("codepipeline", include_str!("events/codepipeline.json")),
    ("secretsmanager", include_str!("events/secretsmanager.json")),
    ("api-websocket", include_str!("events/api-websocket.json")),
    ("api-authorizer", include_str!("events/api-authorizer.json")),
    ("activemq", include_str!("events/activemq.json")),
    ("rabbitmq", include_str!("events/rabbitmq.json")),
    (
        "s3-object-lambda",
        include_str!("events/s3-object-lambda.json"),
    ),
    ("connect", include_str!("events/connect.json")),
    ("lex", include_str!("events/lex.json")),
    (
        "kinesis-analytics",
        include_str!("events/kinesis-analytics.json"),
    ),
    ("clientvpn", include_str!("events/clientvpn.json")),
];

const CONTEXT_FILE: &str = include_str!("context.json");

/// The `context` object's model (`LambdaContext`).
pub fn context() -> &'static PyClass {
    static CONTEXT: OnceLock<PyClass> = OnceLock::new();
    CONTEXT.get_or_init(|| {
        context::parse(CONTEXT_FILE)
            .unwrap_or_else(|error| panic!("catalog data context.json is invalid: {error}"))
    })
}

/// Every event, in catalog order.
pub fn all_events() -> &'static [EventSpec] {
    static EVENTS: OnceLock<Vec<EventSpec>> = OnceLock::new();
    EVENTS.get_or_init(|| {
        EVENT_FILES
            .iter()
            .map(|(name, text)| {
                parse_event(name, text).unwrap_or_else(|error| {
                    panic!("catalog data events/{name}.json is invalid: {error}")
                })
            })
            .collect()
    })
}

/// The event of a trigger type (`s3`, `http-api`, …), if the catalog knows it.
pub fn event(trigger_type: &str) -> Option<&'static EventSpec> {
    all_events().iter().find(|spec| spec.name == trigger_type)
}

/// Trigger types similar to `name`, for "did you mean" messages.
pub fn suggest_event(name: &str) -> Vec<String> {
    let names: Vec<String> = all_events().iter().map(|spec| spec.name.clone()).collect();
    did_you_mean(name, &names)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEvent {
    name: String,
    title: String,
    doc: String,
    #[serde(default)]
    annotations: Vec<String>,
    templates: Vec<template::RawTemplate>,
    #[serde(default)]
    definitions: std::collections::HashMap<String, shape::RawShape>,
    shape: shape::RawShape,
}

fn parse_event(name: &str, text: &str) -> Result<EventSpec, String> {
    let raw: RawEvent = serde_json::from_str(text).map_err(|e| e.to_string())?;
    if raw.name != name {
        return Err(format!("its `name` is `{}`, expected `{name}`", raw.name));
    }
    let shape = raw.shape.build(&raw.definitions, 0)?;
    if !matches!(shape.kind, ShapeKind::Object { .. }) {
        return Err("the root shape must be an object".to_string());
    }
    if raw.templates.is_empty() {
        return Err("an event needs at least one template".to_string());
    }
    let templates = raw
        .templates
        .into_iter()
        .map(|raw| raw.build(name, &shape))
        .collect::<Result<_, _>>()?;
    Ok(EventSpec {
        name: raw.name,
        title: raw.title,
        doc: raw.doc,
        shape,
        annotations: raw.annotations,
        templates,
    })
}

/// Parse a JSON value given on a command line for the value at `path` of `event`: JSON when
/// it parses, else the raw text; and the raw text where the catalog says the value is a
/// string (API Gateway's `body`, header and query values), so `body='{"a":1}'` stays the
/// string the service would send.
pub fn value_for_path(event: Option<&EventSpec>, path: &[PathSegment], text: &str) -> Value {
    let parsed = serde_json::from_str::<Value>(text).ok();
    let wants_string = event.is_some_and(|spec| {
        matches!(spec.shape.lookup(path), Lookup::Found(shape) if shape.kind == ShapeKind::String)
    });
    match parsed {
        Some(Value::Null) => Value::Null,
        Some(value) if !wants_string || value.is_string() => value,
        _ => Value::String(text.to_string()),
    }
}

#[cfg(test)]
mod tests;
