//! The shape tree of an event: what keys it has, what each holds, its doc and an example
//! value, and the generic walks over it (lookup with did-you-mean, checking a JSON value
//! against it, building an example event from it).

use std::collections::HashMap;
use std::fmt;

use serde::Deserialize;
use serde_json::{Map, Value};

use super::path::PathSegment;

/// One node of an event's shape: a JSON value of a known kind, with a doc line and an
/// example value.
#[derive(Debug, Clone, PartialEq)]
pub struct Shape {
    /// One line saying what the value is (markdown with backticks allowed).
    pub doc: String,
    /// What the value is made of.
    pub kind: ShapeKind,
    /// An example value (leaves, maps and opaque payloads carry one; objects and arrays
    /// are built from their children's examples).
    pub example: Option<Value>,
    /// The key is not present in every event of this source (e.g. `glacierEventData` of
    /// S3, present only for restores). Example events leave optional keys out.
    pub optional: bool,
    /// The value may be `null` (e.g. `queryStringParameters` when there is no query).
    pub nullable: bool,
}

/// The kind of a [`Shape`].
#[derive(Debug, Clone, PartialEq)]
pub enum ShapeKind {
    /// A JSON object with known keys, in the order the service sends them. An `open`
    /// object may also hold keys the catalog does not know (e.g. the REST API authorizer
    /// context, which carries whatever the authorizer returned).
    Object {
        fields: Vec<(String, Shape)>,
        open: bool,
    },
    /// A JSON object with arbitrary keys whose values all have one shape (headers, query
    /// parameters, DynamoDB images, message attributes).
    Map {
        value: Box<Shape>,
    },
    /// A JSON array whose elements all have one shape.
    Array {
        item: Box<Shape>,
    },
    String,
    Number,
    Bool,
    Null,
    /// An opaque user payload: any JSON (EventBridge `detail`, custom resource properties).
    Any,
}

/// What a path leads to inside a shape.
#[derive(Debug, Clone, PartialEq)]
pub enum Lookup<'a> {
    /// The path names a known value.
    Found(&'a Shape),
    /// The path leads into a value the catalog deliberately leaves open (an opaque payload
    /// or an open object): not known, but allowed. `shape` is the open value entered.
    Open { shape: &'a Shape },
    /// The path names a key (or index) that this shape does not have. `at` is the index of
    /// the first segment that failed; `suggestions` are similar keys, best first.
    Missing {
        at: usize,
        parent: &'a Shape,
        suggestions: Vec<String>,
    },
}

impl Shape {
    /// The short name of this shape's kind, as Python users think of it (`str`, `dict`,
    /// `list`, …), for hovers and messages.
    pub fn type_name(&self) -> &'static str {
        match self.kind {
            ShapeKind::Object { .. } | ShapeKind::Map { .. } => "dict",
            ShapeKind::Array { .. } => "list",
            ShapeKind::String => "str",
            ShapeKind::Number => "int | float",
            ShapeKind::Bool => "bool",
            ShapeKind::Null => "None",
            ShapeKind::Any => "Any",
        }
    }

    /// The known keys of an object, in order (empty for other kinds). What completion
    /// offers after `event["`.
    pub fn fields(&self) -> &[(String, Shape)] {
        match &self.kind {
            ShapeKind::Object { fields, .. } => fields,
            _ => &[],
        }
    }

    /// Keys worth offering for this value: an object's known keys in order, or the keys of
    /// a map's example (typical header names, …). Empty for other kinds.
    pub fn completion_keys(&self) -> Vec<&str> {
        match (&self.kind, &self.example) {
            (ShapeKind::Object { fields, .. }, _) => {
                fields.iter().map(|(k, _)| k.as_str()).collect()
            }
            (ShapeKind::Map { .. }, Some(Value::Object(example))) => {
                example.keys().map(String::as_str).collect()
            }
            _ => Vec::new(),
        }
    }

    /// The shape of key `key` of an object, if known.
    pub fn field(&self, key: &str) -> Option<&Shape> {
        self.fields()
            .iter()
            .find(|(name, _)| name == key)
            .map(|(_, shape)| shape)
    }

    /// Follow `path` from this shape. Array indexes map to the array's item shape (any
    /// index), map keys to the map's value shape (any key).
    pub fn lookup(&self, path: &[PathSegment]) -> Lookup<'_> {
        self.walk(path, true)
    }

    /// [`Shape::lookup`] without computing suggestions for a missing key: for callers that
    /// only need to know whether the path fits (inference over every event).
    pub fn lookup_fast(&self, path: &[PathSegment]) -> Lookup<'_> {
        self.walk(path, false)
    }

    fn walk(&self, path: &[PathSegment], suggest: bool) -> Lookup<'_> {
        let mut current = self;
        for (at, segment) in path.iter().enumerate() {
            current = match current.step(segment, suggest) {
                Lookup::Found(next) => next,
                Lookup::Missing {
                    parent,
                    suggestions,
                    ..
                } => {
                    return Lookup::Missing {
                        at,
                        parent,
                        suggestions,
                    }
                }
                open => return open,
            };
        }
        Lookup::Found(current)
    }

    /// One step of [`Shape::lookup`]: the value at `segment` of this one (`at` is 0 when
    /// missing). Callers that follow many paths sharing prefixes step from the parent's
    /// answer instead of walking each path from the root.
    pub fn step(&self, segment: &PathSegment, suggest: bool) -> Lookup<'_> {
        let next = match (&self.kind, segment) {
            (ShapeKind::Any, _) => return Lookup::Open { shape: self },
            (ShapeKind::Object { fields, open }, PathSegment::Key(key)) => {
                match fields.iter().find(|(name, _)| name == key) {
                    Some((_, shape)) => shape,
                    None if *open => return Lookup::Open { shape: self },
                    None => {
                        return Lookup::Missing {
                            at: 0,
                            parent: self,
                            suggestions: if suggest {
                                did_you_mean(key, fields.iter().map(|(k, _)| k))
                            } else {
                                Vec::new()
                            },
                        }
                    }
                }
            }
            (ShapeKind::Map { value }, PathSegment::Key(_)) => value,
            (ShapeKind::Array { item }, PathSegment::Index(_)) => item,
            _ => {
                return Lookup::Missing {
                    at: 0,
                    parent: self,
                    suggestions: Vec::new(),
                }
            }
        };
        Lookup::Found(next)
    }

    /// An example value of this shape: leaves give their example, objects their required
    /// keys' examples in order (optional keys left out), arrays one example element.
    pub fn example_value(&self) -> Value {
        if let Some(example) = &self.example {
            return example.clone();
        }
        if self.nullable && !matches!(self.kind, ShapeKind::Object { .. }) {
            // No example, and the service sends null when there is nothing (e.g. the
            // `source` of a top-level AppSync field).
            return Value::Null;
        }
        match &self.kind {
            ShapeKind::Object { fields, .. } => Value::Object(
                fields
                    .iter()
                    .filter(|(_, shape)| !shape.optional)
                    .map(|(key, shape)| (key.clone(), shape.example_value()))
                    .collect(),
            ),
            ShapeKind::Map { .. } | ShapeKind::Any => Value::Object(Map::new()),
            ShapeKind::Array { item } => Value::Array(vec![item.example_value()]),
            ShapeKind::String => Value::String(String::new()),
            ShapeKind::Number => Value::from(0),
            ShapeKind::Bool => Value::Bool(false),
            ShapeKind::Null => Value::Null,
        }
    }

    /// Check a JSON value against this shape: every key of a closed object must be known,
    /// every leaf must have the shape's type (or be null where that is allowed). Open
    /// objects accept unknown keys and opaque payloads accept anything, by design.
    pub fn check(&self, value: &Value) -> Vec<Mismatch> {
        let mut problems = Vec::new();
        self.check_at(value, &mut String::new(), &mut problems);
        problems
    }

    fn check_at(&self, value: &Value, path: &mut String, problems: &mut Vec<Mismatch>) {
        if value.is_null() && (self.nullable || matches!(self.kind, ShapeKind::Null)) {
            return;
        }
        let mut mismatch = |expected: &str| {
            problems.push(Mismatch {
                path: path.clone(),
                message: format!("expected {expected}, found {}", json_type(value)),
            })
        };
        match (&self.kind, value) {
            (ShapeKind::Any, _) => {}
            (ShapeKind::Object { fields, open }, Value::Object(map)) => {
                for (key, child) in map {
                    let before = path.len();
                    push_key(path, key);
                    match fields.iter().find(|(name, _)| name == key) {
                        Some((_, shape)) => shape.check_at(child, path, problems),
                        None if *open => {}
                        None => {
                            let suggestions = did_you_mean(key, fields.iter().map(|(k, _)| k));
                            problems.push(Mismatch {
                                path: path.clone(),
                                message: match suggestions.first() {
                                    Some(best) => format!("unknown key (did you mean `{best}`?)"),
                                    None => "unknown key".to_string(),
                                },
                            });
                        }
                    }
                    path.truncate(before);
                }
            }
            (ShapeKind::Map { value: shape }, Value::Object(map)) => {
                for (key, child) in map {
                    let before = path.len();
                    push_key(path, key);
                    shape.check_at(child, path, problems);
                    path.truncate(before);
                }
            }
            (ShapeKind::Array { item }, Value::Array(items)) => {
                for (index, child) in items.iter().enumerate() {
                    let before = path.len();
                    path.push_str(&format!("[{index}]"));
                    item.check_at(child, path, problems);
                    path.truncate(before);
                }
            }
            (ShapeKind::String, Value::String(_))
            | (ShapeKind::Number, Value::Number(_))
            | (ShapeKind::Bool, Value::Bool(_)) => {}
            (ShapeKind::Object { .. } | ShapeKind::Map { .. }, _) => mismatch("an object"),
            (ShapeKind::Array { .. }, _) => mismatch("an array"),
            (ShapeKind::String, _) => mismatch("a string"),
            (ShapeKind::Number, _) => mismatch("a number"),
            (ShapeKind::Bool, _) => mismatch("a boolean"),
            (ShapeKind::Null, _) => mismatch("null"),
        }
    }
}

/// A place where a JSON value does not fit a shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// Where, as a path (`Records[0].s3.bucket.name`); empty for the root.
    pub path: String,
    /// What is wrong there.
    pub message: String,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = if self.path.is_empty() {
            "(root)"
        } else {
            &self.path
        };
        write!(f, "{path}: {}", self.message)
    }
}

fn push_key(path: &mut String, key: &str) {
    if key.is_empty() || key.contains(['.', '[', ']', '"']) {
        path.push_str(&format!("[{}]", Value::String(key.to_string())));
    } else {
        if !path.is_empty() {
            path.push('.');
        }
        path.push_str(key);
    }
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Candidates similar to `word`, best first (at most three): same spelling in another case,
/// or close by edit distance.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a String>,
) -> Vec<String> {
    let lower = word.to_lowercase();
    let mut scored: Vec<(f64, &String)> = candidates
        .into_iter()
        .filter_map(|candidate| {
            let score = if candidate.to_lowercase() == lower {
                2.0
            } else {
                strsim::normalized_damerau_levenshtein(&lower, &candidate.to_lowercase())
                    .max(strsim::jaro_winkler(&lower, &candidate.to_lowercase()) - 0.15)
            };
            (score >= 0.7).then_some((score, candidate))
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    scored.into_iter().take(3).map(|(_, c)| c.clone()).collect()
}

/// The data-file form of a shape (see `events/README.md`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawShape {
    #[serde(rename = "type")]
    kind: Option<String>,
    #[serde(rename = "ref")]
    reference: Option<String>,
    doc: String,
    #[serde(default)]
    example: Option<Value>,
    #[serde(default)]
    optional: bool,
    #[serde(default)]
    nullable: bool,
    #[serde(default)]
    open: bool,
    #[serde(default, deserialize_with = "ordered_fields")]
    fields: Option<Vec<(String, RawShape)>>,
    #[serde(default)]
    values: Option<Box<RawShape>>,
    #[serde(default)]
    items: Option<Box<RawShape>>,
}

/// How deep a recursive definition (DynamoDB's `M` inside `M`) is expanded before the
/// rest is left open.
const MAX_REF_DEPTH: usize = 4;

impl RawShape {
    /// Turn the data form into a shape, expanding `ref`s to `definitions`.
    pub(super) fn build(
        &self,
        definitions: &HashMap<String, RawShape>,
        depth: usize,
    ) -> Result<Shape, String> {
        let mut node = self;
        let mut depth = depth;
        if let Some(name) = &self.reference {
            node = definitions
                .get(name)
                .ok_or_else(|| format!("unknown definition `{name}`"))?;
            depth += 1;
        }
        let kind = if depth > MAX_REF_DEPTH {
            ShapeKind::Any
        } else {
            match node.kind.as_deref() {
                Some("object") => ShapeKind::Object {
                    fields: node
                        .fields
                        .as_ref()
                        .ok_or("an object needs `fields`")?
                        .iter()
                        .map(|(key, raw)| {
                            raw.build(definitions, depth)
                                .map(|shape| (key.clone(), shape))
                                .map_err(|e| format!("{key}: {e}"))
                        })
                        .collect::<Result<_, _>>()?,
                    open: node.open,
                },
                Some("map") => ShapeKind::Map {
                    value: Box::new(
                        node.values
                            .as_ref()
                            .ok_or("a map needs `values`")?
                            .build(definitions, depth)
                            .map_err(|e| format!("*: {e}"))?,
                    ),
                },
                Some("array") => ShapeKind::Array {
                    item: Box::new(
                        node.items
                            .as_ref()
                            .ok_or("an array needs `items`")?
                            .build(definitions, depth)
                            .map_err(|e| format!("[]: {e}"))?,
                    ),
                },
                Some("string") => ShapeKind::String,
                Some("number") => ShapeKind::Number,
                Some("boolean") => ShapeKind::Bool,
                Some("null") => ShapeKind::Null,
                Some("any") => ShapeKind::Any,
                Some(other) => return Err(format!("unknown type `{other}`")),
                None => return Err("a shape needs `type` or `ref`".to_string()),
            }
        };
        // The referring node's doc, example and flags win over the definition's.
        Ok(Shape {
            doc: self.doc.clone(),
            kind,
            example: self.example.clone().or_else(|| node.example.clone()),
            optional: self.optional,
            nullable: self.nullable || node.nullable,
        })
    }
}

/// Deserialize a JSON object into its entries in file order (the order the service sends
/// the keys, which example events and completion lists keep).
fn ordered_fields<'de, D>(deserializer: D) -> Result<Option<Vec<(String, RawShape)>>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    struct Entries;
    impl<'de> serde::de::Visitor<'de> for Entries {
        type Value = Vec<(String, RawShape)>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an object of field shapes")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut map: A,
        ) -> Result<Self::Value, A::Error> {
            let mut entries = Vec::new();
            while let Some(entry) = map.next_entry::<String, RawShape>()? {
                entries.push(entry);
            }
            Ok(entries)
        }
    }
    deserializer.deserialize_map(Entries).map(Some)
}
