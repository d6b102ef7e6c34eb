//! Key paths into events (`Records[0].s3.bucket.name`, `headers["content-type"]`): parsing,
//! printing, and editing a JSON value at a path.

use std::fmt;

use serde_json::{Map, Value};

/// One step of a key path: an object key or an array index.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PathSegment {
    Key(String),
    Index(usize),
}

impl PathSegment {
    /// A key segment.
    pub fn key(key: impl Into<String>) -> Self {
        PathSegment::Key(key.into())
    }
}

/// Why a path could not be parsed or applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    #[error("bad path `{path}`: {reason}")]
    Syntax { path: String, reason: String },
    #[error("cannot follow `{path}`: {reason}")]
    Unreachable { path: String, reason: String },
}

/// Parse a path: keys separated by dots, `[N]` for array indexes, `["key"]` for keys holding
/// dots or brackets. Example: `Records[0].s3.object.key`, `headers["x.y"]`.
pub fn parse_path(text: &str) -> Result<Vec<PathSegment>, PathError> {
    let syntax = |reason: &str| PathError::Syntax {
        path: text.to_string(),
        reason: reason.to_string(),
    };
    let mut segments = Vec::new();
    let mut rest = text;
    let mut expect_key = true;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('[') {
            let close = after
                .find(']')
                .ok_or_else(|| syntax("`[` without a closing `]`"))?;
            let inner = &after[..close];
            if inner.starts_with('"') {
                // A quoted key may hold `]`: parse it as a JSON string.
                let mut stream = serde_json::Deserializer::from_str(after).into_iter::<String>();
                let key = match stream.next() {
                    Some(Ok(key)) => key,
                    _ => return Err(syntax("a quoted key must be a JSON string, like [\"a.b\"]")),
                };
                let consumed = stream.byte_offset();
                let tail = after[consumed..]
                    .strip_prefix(']')
                    .ok_or_else(|| syntax("expected `]` after the quoted key"))?;
                segments.push(PathSegment::Key(key));
                rest = tail;
            } else {
                let index = inner.trim().parse::<usize>().map_err(|_| {
                    syntax(&format!(
                        "`[{inner}]` is not an array index (use a number like [0], or [\"key\"] for a key)"
                    ))
                })?;
                segments.push(PathSegment::Index(index));
                rest = &after[close + 1..];
            }
            expect_key = false;
        } else if let Some(after) = rest.strip_prefix('.') {
            if expect_key {
                return Err(syntax("empty key (two dots in a row, or a leading dot)"));
            }
            rest = after;
            expect_key = true;
            if rest.is_empty() {
                return Err(syntax("the path ends with a dot"));
            }
        } else {
            if !expect_key {
                return Err(syntax("expected `.` or `[` after `]`"));
            }
            let end = rest.find(['.', '[']).unwrap_or(rest.len());
            let key = &rest[..end];
            if key.contains(']') {
                return Err(syntax("`]` without an opening `[`"));
            }
            segments.push(PathSegment::Key(key.to_string()));
            rest = &rest[end..];
            expect_key = false;
        }
    }
    if segments.is_empty() {
        return Err(syntax("the path is empty"));
    }
    Ok(segments)
}

/// Print segments back as a path that [`parse_path`] reads.
pub fn format_path(segments: &[PathSegment]) -> String {
    let mut out = String::new();
    for segment in segments {
        match segment {
            PathSegment::Index(index) => out.push_str(&format!("[{index}]")),
            PathSegment::Key(key) if key.is_empty() || key.contains(['.', '[', ']', '"']) => {
                out.push_str(&format!("[{}]", Value::String(key.clone())))
            }
            PathSegment::Key(key) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
        }
    }
    out
}

/// Set the value at `path` inside `root`, creating missing object keys on the way (and
/// appending when an index is exactly one past the end of an array).
pub fn set_path(root: &mut Value, path: &[PathSegment], new: Value) -> Result<(), PathError> {
    let Some((last, parents)) = path.split_last() else {
        *root = new;
        return Ok(());
    };
    let mut current = root;
    for (depth, segment) in parents.iter().enumerate() {
        let next_is_index = matches!(path[depth + 1], PathSegment::Index(_));
        current = step_mut(current, segment, &path[..depth], true, next_is_index)?;
    }
    if current.is_null() {
        *current = match last {
            PathSegment::Key(_) => Value::Object(Map::new()),
            PathSegment::Index(_) => Value::Array(Vec::new()),
        };
    }
    match (current, last) {
        (Value::Object(map), PathSegment::Key(key)) => {
            map.insert(key.clone(), new);
            Ok(())
        }
        (Value::Array(items), PathSegment::Index(index)) if *index < items.len() => {
            items[*index] = new;
            Ok(())
        }
        (Value::Array(items), PathSegment::Index(index)) if *index == items.len() => {
            items.push(new);
            Ok(())
        }
        (value, segment) => Err(unreachable_error(parents, value, segment)),
    }
}

/// Remove the value at `path`; an error when it is not there.
pub fn remove_path(root: &mut Value, path: &[PathSegment]) -> Result<(), PathError> {
    let Some((last, parents)) = path.split_last() else {
        return Err(PathError::Syntax {
            path: String::new(),
            reason: "cannot remove the whole event".to_string(),
        });
    };
    let mut current = root;
    for (depth, segment) in parents.iter().enumerate() {
        current = step_mut(current, segment, &path[..depth], false, false)?;
    }
    match (current, last) {
        (Value::Object(map), PathSegment::Key(key)) if map.contains_key(key) => {
            map.shift_remove(key);
            Ok(())
        }
        (Value::Array(items), PathSegment::Index(index)) if *index < items.len() => {
            items.remove(*index);
            Ok(())
        }
        (value, segment) => Err(unreachable_error(parents, value, segment)),
    }
}

/// The value at `path`, if present.
pub fn get_path<'a>(root: &'a Value, path: &[PathSegment]) -> Option<&'a Value> {
    path.iter().try_fold(root, |value, segment| match segment {
        PathSegment::Key(key) => value.get(key),
        PathSegment::Index(index) => value.get(index),
    })
}

fn step_mut<'a>(
    value: &'a mut Value,
    segment: &PathSegment,
    before: &[PathSegment],
    create: bool,
    next_is_index: bool,
) -> Result<&'a mut Value, PathError> {
    if create && value.is_null() {
        // A null placeholder (e.g. `queryStringParameters: null`) becomes a container.
        *value = match segment {
            PathSegment::Key(_) => Value::Object(Map::new()),
            PathSegment::Index(_) => Value::Array(Vec::new()),
        };
    }
    if let (Value::Object(map), PathSegment::Key(key)) = (&*value, segment) {
        if !create && !map.contains_key(key) {
            return Err(unreachable_error(before, value, segment));
        }
    }
    if let (Value::Array(items), PathSegment::Index(index)) = (&*value, segment) {
        if *index >= items.len() {
            return Err(unreachable_error(before, value, segment));
        }
    }
    match (value, segment) {
        (Value::Object(map), PathSegment::Key(key)) => {
            Ok(map.entry(key.clone()).or_insert_with(|| {
                if next_is_index {
                    Value::Array(Vec::new())
                } else {
                    Value::Object(Map::new())
                }
            }))
        }
        (Value::Array(items), PathSegment::Index(index)) => Ok(&mut items[*index]),
        (other, segment) => Err(unreachable_error(before, other, segment)),
    }
}

fn unreachable_error(before: &[PathSegment], value: &Value, segment: &PathSegment) -> PathError {
    let here = format_path(before);
    let target = if here.is_empty() {
        "the event".to_string()
    } else {
        format!("`{here}`")
    };
    let reason = match (value, segment) {
        (Value::Array(items), PathSegment::Index(index)) => format!(
            "index {index} is out of range: {target} has {} element(s) (use [{}] to append)",
            items.len(),
            items.len()
        ),
        (Value::Object(_), PathSegment::Key(key)) => format!("{target} has no key `{key}`"),
        (Value::Object(_), PathSegment::Index(index)) => {
            format!("{target} is an object, not an array, so [{index}] does not apply")
        }
        (Value::Array(_), PathSegment::Key(key)) => format!(
            "{target} is an array, not an object, so `{key}` does not apply (index it first, e.g. [0])"
        ),
        (other, _) => format!("{target} is {}, which holds no keys or elements", kind(other)),
    };
    let mut full = before.to_vec();
    full.push(segment.clone());
    PathError::Unreachable {
        path: format_path(&full),
        reason,
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

impl fmt::Display for PathSegment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PathSegment::Key(key) => f.write_str(key),
            PathSegment::Index(index) => write!(f, "[{index}]"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn k(key: &str) -> PathSegment {
        PathSegment::key(key)
    }

    #[test]
    fn parses_dotted_indexed_and_quoted_paths() {
        assert_eq!(
            parse_path("Records[0].s3.bucket.name").unwrap(),
            vec![
                k("Records"),
                PathSegment::Index(0),
                k("s3"),
                k("bucket"),
                k("name")
            ]
        );
        assert_eq!(
            parse_path("headers[\"x.y]z\"].a").unwrap(),
            vec![k("headers"), k("x.y]z"), k("a")]
        );
        assert_eq!(
            parse_path("headers.Content-Type").unwrap(),
            vec![k("headers"), k("Content-Type")]
        );
        assert_eq!(parse_path("[2]").unwrap(), vec![PathSegment::Index(2)]);
    }

    #[test]
    fn rejects_malformed_paths_with_a_reason() {
        for bad in [
            "", "a..b", ".a", "a.", "a[", "a[x]", "a[0]b", "a]b", "a[\"x]",
        ] {
            let error = parse_path(bad).unwrap_err();
            assert!(matches!(error, PathError::Syntax { .. }), "{bad}: {error}");
        }
    }

    #[test]
    fn format_round_trips() {
        for text in ["Records[0].s3.bucket.name", "headers[\"a.b\"]", "[0][1].x"] {
            assert_eq!(format_path(&parse_path(text).unwrap()), text);
        }
    }

    #[test]
    fn set_creates_missing_keys_and_replaces_null() {
        let mut event = json!({"queryStringParameters": null, "Records": [{}]});
        set_path(
            &mut event,
            &parse_path("queryStringParameters.a").unwrap(),
            json!("1"),
        )
        .unwrap();
        set_path(
            &mut event,
            &parse_path("Records[0].s3.bucket.name").unwrap(),
            json!("b"),
        )
        .unwrap();
        set_path(
            &mut event,
            &parse_path("Records[1]").unwrap(),
            json!({"x": 1}),
        )
        .unwrap();
        set_path(&mut event, &parse_path("new.list[0]").unwrap(), json!(true)).unwrap();
        assert_eq!(
            event,
            json!({"queryStringParameters": {"a": "1"}, "Records": [{"s3": {"bucket": {"name": "b"}}}, {"x": 1}], "new": {"list": [true]}})
        );
    }

    #[test]
    fn set_explains_unreachable_paths() {
        let mut event = json!({"Records": [{}], "body": "x"});
        let error =
            set_path(&mut event, &parse_path("Records[5].a").unwrap(), json!(1)).unwrap_err();
        assert_eq!(
            error.to_string(),
            "cannot follow `Records[5]`: index 5 is out of range: `Records` has 1 element(s) (use [1] to append)"
        );
        let error = set_path(&mut event, &parse_path("Records.a").unwrap(), json!(1)).unwrap_err();
        assert!(
            error.to_string().contains("is an array, not an object"),
            "{error}"
        );
        let error = set_path(&mut event, &parse_path("body.a").unwrap(), json!(1)).unwrap_err();
        assert!(error.to_string().contains("`body` is a string"), "{error}");
    }

    #[test]
    fn remove_and_get() {
        let mut event = json!({"a": {"b": 1, "c": 2}});
        assert_eq!(
            get_path(&event, &parse_path("a.c").unwrap()),
            Some(&json!(2))
        );
        remove_path(&mut event, &parse_path("a.b").unwrap()).unwrap();
        assert_eq!(event, json!({"a": {"c": 2}}));
        assert!(remove_path(&mut event, &parse_path("a.zz").unwrap()).is_err());
    }
}
