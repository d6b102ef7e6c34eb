//! Completion and hover in `lambda.toml`, driven by the schema tables. Both work line by
//! line so that they keep working while the file is half-typed and not valid TOML.

use std::ops::Range;

use super::runtimes::{self, Date, RuntimeStatus};
use super::schema::{self, AllowedValue, Constraint, KeySpec, ValueType};
use crate::ide::{Completion, CompletionKind, Hover, TextEdit};

/// The table a line belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Section {
    Root,
    Environment,
    /// A `[[trigger]]` table: its `type` when written, and the keys it has.
    Trigger {
        kind: Option<String>,
        present: Vec<String>,
    },
    /// A table the schema does not know.
    Other,
}

/// A line of the document: its byte range without the newline.
#[derive(Debug, Clone, Copy)]
struct Line<'a> {
    start: usize,
    text: &'a str,
}

fn lines(text: &str) -> Vec<Line<'_>> {
    let mut out = Vec::new();
    let mut start = 0;
    for piece in text.split('\n') {
        out.push(Line {
            start,
            text: piece.strip_suffix('\r').unwrap_or(piece),
        });
        start += piece.len() + 1;
    }
    out
}

/// The part of a line before a `#` comment (quotes respected).
fn strip_comment(line: &str) -> &str {
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' && q == '"' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
            }
            None => match c {
                '"' | '\'' => quote = Some(c),
                '#' => return &line[..i],
                _ => {}
            },
        }
    }
    line
}

/// The table name of a header line (`[environment]` → `environment`, `[[trigger]]` → `trigger`).
fn header_name(line: &str) -> Option<(&str, bool)> {
    let t = strip_comment(line).trim();
    if let Some(inner) = t.strip_prefix("[[") {
        return Some((inner.trim_end_matches(']').trim(), true));
    }
    t.strip_prefix('[')
        .map(|inner| (inner.trim_end_matches(']').trim(), false))
}

/// The bare key a `key = value` line defines, with its byte range within the line.
fn line_key(line: &str) -> Option<(&str, Range<usize>)> {
    let code = strip_comment(line);
    let eq = code.find('=')?;
    let raw = &code[..eq];
    let key = raw.trim().trim_matches('"').trim_matches('\'');
    if key.is_empty() {
        return None;
    }
    let start = raw.find(key)?;
    Some((key, start..start + key.len()))
}

fn is_key_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

/// The section of line `index` and, for triggers, the whole table's keys and type.
fn section_of(all: &[Line<'_>], index: usize) -> Section {
    let header = (0..=index)
        .rev()
        .find_map(|i| header_name(all[i].text).map(|h| (i, h)));
    let Some((header_index, (name, is_array))) = header else {
        return Section::Root;
    };
    match (name, is_array) {
        ("environment", false) => Section::Environment,
        ("trigger", true) => {
            let mut present = Vec::new();
            let mut kind = None;
            for line in all[header_index + 1..]
                .iter()
                .take_while(|l| header_name(l.text).is_none())
            {
                if let Some((key, _)) = line_key(line.text) {
                    if key == "type" {
                        kind = quoted_value(line.text).map(str::to_string);
                    }
                    present.push(key.to_string());
                }
            }
            Section::Trigger { kind, present }
        }
        _ => Section::Other,
    }
}

/// The string after `=` on a `key = "value"` line.
fn quoted_value(line: &str) -> Option<&str> {
    let code = strip_comment(line);
    let value = code[code.find('=')? + 1..].trim();
    let q = value.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let inner = &value[1..];
    Some(&inner[..inner.find(q).unwrap_or(inner.len())])
}

/// Keys written in the root section (before the first header) and headers present.
fn root_keys_present(all: &[Line<'_>]) -> Vec<String> {
    let mut present = Vec::new();
    let mut in_root = true;
    for line in all {
        if let Some((name, _)) = header_name(line.text) {
            in_root = false;
            present.push(name.split('.').next().unwrap_or(name).trim().to_string());
        } else if in_root {
            if let Some((key, _)) = line_key(line.text) {
                present.push(key.to_string());
            }
        }
    }
    present
}

/// The schema of the keys allowed in `section`.
fn section_keys(section: &Section) -> Vec<&'static KeySpec> {
    match section {
        Section::Root => schema::ROOT_KEYS.iter().collect(),
        Section::Trigger { kind, .. } => {
            let mut keys = vec![&schema::TRIGGER_TYPE_KEY];
            if let Some(spec) = kind.as_deref().and_then(schema::trigger_spec) {
                keys.extend(spec.keys.iter());
            }
            keys
        }
        Section::Environment | Section::Other => Vec::new(),
    }
}

fn key_spec_in(section: &Section, key: &str) -> Option<&'static KeySpec> {
    match section {
        Section::Root => schema::find_key(schema::ROOT_KEYS, key),
        Section::Trigger { kind, .. } => schema::trigger_key(kind.as_deref(), key),
        _ => None,
    }
}

/// Completions at byte `offset` of a `lambda.toml` text.
pub fn complete(text: &str, offset: usize) -> Vec<Completion> {
    complete_on(text, offset, Date::today())
}

/// [`complete`] as of `today` (runtime statuses depend on the date).
pub fn complete_on(text: &str, offset: usize, today: Date) -> Vec<Completion> {
    let offset = floor_char_boundary(text, offset);
    let all = lines(text);
    let Some(index) = all.iter().rposition(|l| l.start <= offset) else {
        return Vec::new();
    };
    let line = all[index];
    let col = (offset - line.start).min(line.text.len());
    let before = &line.text[..col];
    let after = &line.text[col..];
    let trimmed = before.trim_start();

    if trimmed.starts_with('[') {
        return complete_header(&all, line.start, before, after);
    }
    if strip_comment(before).len() != before.len() {
        return Vec::new(); // in a comment
    }
    let section = section_of(&all, index);
    match before.find('=') {
        None => {
            if !trimmed.chars().all(is_key_char) {
                return Vec::new();
            }
            let typed_start = line.start + before.len() - trimmed.len();
            // Renaming the key of an existing `key = value` line: replace the whole key only.
            let rest_of_key = after.len() - after.trim_start_matches(is_key_char).len();
            if after[rest_of_key..].trim_start().starts_with('=') {
                let mut items = complete_keys(&section, &all, typed_start..offset + rest_of_key);
                for item in &mut items {
                    item.edit.new_text = item.label.clone();
                }
                return items;
            }
            let mut items = complete_keys(&section, &all, typed_start..offset);
            if section == Section::Root || matches!(section, Section::Trigger { .. }) {
                items.extend(header_snippets(&all, index, typed_start..offset));
            }
            items
        }
        Some(eq) => {
            let key = before[..eq].trim().trim_matches('"');
            let value_typed = &before[eq + 1..];
            let value_start = line.start + eq + 1;
            if section == Section::Environment {
                return complete_inline_keys(
                    schema::ENV_VALUE_KEYS,
                    value_typed,
                    value_start,
                    offset,
                );
            }
            let Some(spec) = key_spec_in(&section, key) else {
                return Vec::new();
            };
            if let ValueType::BooleanOrTable(keys) = spec.ty {
                if value_typed.contains('{') {
                    return complete_inline_keys(keys, value_typed, value_start, offset);
                }
            }
            complete_value(spec, value_typed, value_start, offset, after, today)
        }
    }
}

fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut o = offset.min(text.len());
    while !text.is_char_boundary(o) {
        o -= 1;
    }
    o
}

fn complete_keys(section: &Section, all: &[Line<'_>], range: Range<usize>) -> Vec<Completion> {
    let present: Vec<String> = match section {
        Section::Root => root_keys_present(all),
        Section::Trigger { present, .. } => present.clone(),
        _ => Vec::new(),
    };
    section_keys(section)
        .into_iter()
        .filter(|k| !present.iter().any(|p| p == k.name))
        .filter(|k| !matches!(k.ty, ValueType::EnvironmentTable | ValueType::TriggerArray))
        .enumerate()
        .map(|(i, k)| Completion {
            label: k.name.to_string(),
            kind: CompletionKind::Key,
            detail: Some(k.ty.describe().to_string()),
            documentation: Some(key_markdown(k, None)),
            edit: TextEdit {
                range: range.clone(),
                new_text: format!("{} = ", k.name),
            },
            sort_text: Some(format!("{i:02}")),
        })
        .collect()
}

/// `[environment]` / `[[trigger]]` headers, offered where a new table may start: when only
/// blank lines, comments or other tables follow (so no root keys get swallowed).
fn header_snippets(all: &[Line<'_>], index: usize, range: Range<usize>) -> Vec<Completion> {
    let next_is_table_or_end = all[index + 1..]
        .iter()
        .map(|l| strip_comment(l.text).trim())
        .find(|t| !t.is_empty())
        .is_none_or(|t| t.starts_with('['));
    if !next_is_table_or_end {
        return Vec::new();
    }
    let present = root_keys_present(all);
    let mut items = Vec::new();
    for (name, header) in [("environment", "[environment]"), ("trigger", "[[trigger]]")] {
        if name == "environment" && present.iter().any(|p| p == name) {
            continue;
        }
        let Some(spec) = schema::find_key(schema::ROOT_KEYS, name) else {
            continue;
        };
        let new_text = if name == "trigger" {
            "[[trigger]]\ntype = ".to_string()
        } else {
            "[environment]\n".to_string()
        };
        items.push(Completion {
            label: header.to_string(),
            kind: CompletionKind::Snippet,
            detail: Some(spec.ty.describe().to_string()),
            documentation: Some(key_markdown(spec, None)),
            edit: TextEdit {
                range: range.clone(),
                new_text,
            },
            sort_text: Some(format!("90{name}")),
        });
    }
    items
}

fn complete_header(
    all: &[Line<'_>],
    line_start: usize,
    before: &str,
    after: &str,
) -> Vec<Completion> {
    let trimmed = before.trim_start();
    let is_array = trimmed.starts_with("[[");
    let typed = trimmed.trim_start_matches('[').trim_start();
    if !typed.chars().all(is_key_char) {
        return Vec::new();
    }
    let typed_start = line_start + before.len() - typed.len();
    // Replace the closing brackets the editor may have inserted too.
    let closing = after.len() - after.trim_start_matches(']').len();
    let range = typed_start..line_start + before.len() + closing;
    let present = root_keys_present(all);
    let mut items = Vec::new();
    let candidates: &[(&str, bool)] = &[("environment", false), ("trigger", true)];
    for (name, array) in candidates {
        if *array != is_array || (!array && present.iter().any(|p| p == name)) {
            continue;
        }
        let Some(spec) = schema::find_key(schema::ROOT_KEYS, name) else {
            continue;
        };
        let close = if *array { "]]" } else { "]" };
        items.push(Completion {
            label: name.to_string(),
            kind: CompletionKind::Key,
            detail: Some(spec.ty.describe().to_string()),
            documentation: Some(key_markdown(spec, None)),
            edit: TextEdit {
                range: range.clone(),
                new_text: format!("{name}{close}"),
            },
            sort_text: None,
        });
    }
    items
}

/// The keys of an inline table value being typed: `{ from_env = … }` in `[environment]`,
/// `cors = { origins = … }`. Keys already written in it are not offered again.
fn complete_inline_keys(
    keys: &'static [KeySpec],
    value_typed: &str,
    value_start: usize,
    offset: usize,
) -> Vec<Completion> {
    let Some(brace) = value_typed.rfind(['{', ',']) else {
        return Vec::new();
    };
    let inner = &value_typed[brace + 1..];
    if inner.contains('=') {
        return Vec::new();
    }
    let typed = inner.trim_start();
    if !typed.chars().all(is_key_char) {
        return Vec::new();
    }
    let typed_start = value_start + brace + 1 + (inner.len() - typed.len());
    let written: Vec<&str> = value_typed
        .split(['{', ','])
        .filter_map(|entry| entry.split_once('=').map(|(key, _)| key.trim()))
        .collect();
    keys.iter()
        .filter(|k| !written.contains(&k.name))
        .map(|k| Completion {
            label: k.name.to_string(),
            kind: CompletionKind::Key,
            detail: Some(k.ty.describe().to_string()),
            documentation: Some(key_markdown(k, None)),
            edit: TextEdit {
                range: typed_start..offset,
                new_text: format!("{} = ", k.name),
            },
            sort_text: None,
        })
        .collect()
}

/// Values a key accepts, each with its documentation and, for runtimes, its status.
fn value_choices(spec: &KeySpec, today: Date) -> Vec<(String, Option<String>, String)> {
    let from_allowed = |allowed: &[AllowedValue]| {
        allowed
            .iter()
            .map(|a| (a.value.to_string(), None, a.doc.to_string()))
            .collect::<Vec<_>>()
    };
    match spec.constraint {
        Constraint::OneOf(allowed) | Constraint::EachOneOf(allowed) => from_allowed(allowed),
        Constraint::Runtime => runtimes::creatable_on(today)
            .map(|r| {
                let detail = match r.status_on(today) {
                    RuntimeStatus::Supported => {
                        format!(
                            "Python {} · supported until {}",
                            r.python_version, r.deprecation
                        )
                    }
                    _ => format!(
                        "Python {} · deprecated since {}, create blocked from {}",
                        r.python_version, r.deprecation, r.block_create
                    ),
                };
                (r.id.to_string(), Some(detail), r.describe(today))
            })
            .collect(),
        Constraint::TriggerType => schema::TRIGGERS
            .iter()
            .map(|t| (t.kind.to_string(), None, t.doc.to_string()))
            .collect(),
        _ if matches!(spec.ty, ValueType::Boolean | ValueType::BooleanOrTable(_)) => vec![
            ("true".to_string(), None, String::new()),
            ("false".to_string(), None, String::new()),
        ],
        _ => Vec::new(),
    }
}

fn complete_value(
    spec: &KeySpec,
    value_typed: &str,
    value_start: usize,
    offset: usize,
    after: &str,
    today: Date,
) -> Vec<Completion> {
    let choices = value_choices(spec, today);
    if choices.is_empty() {
        return Vec::new();
    }
    // In an array, complete the element being typed.
    let (element, element_start) = if spec.ty == ValueType::StringArray {
        let Some(pos) = value_typed.rfind(['[', ',']) else {
            return Vec::new();
        };
        (&value_typed[pos + 1..], value_start + pos + 1)
    } else {
        (value_typed, value_start)
    };
    let typed = element.trim_start();
    let typed_start = element_start + (element.len() - typed.len());
    let quote = typed.chars().next().filter(|c| *c == '"' || *c == '\'');
    // A closed string before the cursor: nothing left to complete.
    if let Some(q) = quote {
        if typed[1..].contains(q) {
            return Vec::new();
        }
    } else if !typed
        .chars()
        .all(|c| is_key_char(c) || c == '.' || c == ':' || c == '*')
    {
        return Vec::new();
    }
    let mut end = offset;
    if let Some(q) = quote {
        if after.starts_with(q) {
            end += q.len_utf8();
        }
    }
    let quoted = !matches!(spec.ty, ValueType::Boolean | ValueType::BooleanOrTable(_));
    choices
        .into_iter()
        .enumerate()
        .map(|(i, (value, detail, doc))| Completion {
            label: value.clone(),
            kind: CompletionKind::Value,
            detail,
            documentation: (!doc.is_empty()).then_some(doc),
            edit: TextEdit {
                range: typed_start..end,
                new_text: if quoted {
                    format!("\"{value}\"")
                } else {
                    value.clone()
                },
            },
            sort_text: Some(format!("{i:02}")),
        })
        .collect()
}

/// Markdown documentation of a key: type, doc, allowed values or range, default.
fn key_markdown(spec: &KeySpec, trigger_kind: Option<&str>) -> String {
    let mut md = format!("**`{}`** · {}", spec.name, spec.ty.describe());
    if let Some(kind) = trigger_kind {
        md.push_str(&format!(" · `{kind}` trigger"));
    }
    if spec.required {
        md.push_str(" · required");
    }
    md.push_str("\n\n");
    md.push_str(spec.doc);
    match spec.constraint {
        Constraint::Range { min, max, unit } => {
            md.push_str(&format!("\n\nRange: {min}–{max} {unit}"));
        }
        Constraint::OneOf(allowed) | Constraint::EachOneOf(allowed) => {
            md.push_str("\n\nAllowed values:");
            for a in allowed {
                if a.doc.is_empty() {
                    md.push_str(&format!("\n- `{}`", a.value));
                } else {
                    md.push_str(&format!("\n- `{}`: {}", a.value, a.doc));
                }
            }
        }
        Constraint::Runtime => {
            let ids: Vec<_> = runtimes::PYTHON_RUNTIMES
                .iter()
                .take(6)
                .map(|r| format!("`{}`", r.id))
                .collect();
            md.push_str(&format!("\n\nPython runtimes: {}", ids.join(", ")));
        }
        Constraint::LayerArns => {
            md.push_str(&format!(
                "\n\nAt most {}, each `arn:aws:lambda:REGION:ACCOUNT:layer:NAME:VERSION`.",
                super::MAX_LAYERS
            ));
        }
        Constraint::TriggerType => {
            let kinds: Vec<_> = schema::TRIGGERS
                .iter()
                .map(|t| format!("`{}`", t.kind))
                .collect();
            md.push_str(&format!("\n\nTypes: {}", kinds.join(", ")));
        }
        _ => {}
    }
    if let Some(default) = spec.default {
        md.push_str(&format!("\n\nDefault: {default}"));
    }
    md
}

/// Hover documentation at byte `offset` of a `lambda.toml` text.
pub fn hover(text: &str, offset: usize) -> Option<Hover> {
    hover_on(text, offset, Date::today())
}

/// [`hover`] as of `today` (runtime statuses depend on the date).
pub fn hover_on(text: &str, offset: usize, today: Date) -> Option<Hover> {
    let offset = floor_char_boundary(text, offset);
    let all = lines(text);
    let index = all.iter().rposition(|l| l.start <= offset)?;
    let line = all[index];
    let col = offset - line.start;
    if col > line.text.len() {
        return None;
    }
    let code = strip_comment(line.text);
    if col > code.len() {
        return None;
    }
    if let Some((name, _)) = header_name(line.text) {
        let start = line.text.find(name)?;
        let range = start..start + name.len();
        if !range.contains(&col) {
            return None;
        }
        let spec = schema::find_key(schema::ROOT_KEYS, name)?;
        return Some(Hover {
            range: line.start + range.start..line.start + range.end,
            markdown: key_markdown(spec, None),
        });
    }
    let section = section_of(&all, index);
    let (key, key_range) = line_key(line.text)?;
    let abs = |r: Range<usize>| line.start + r.start..line.start + r.end;
    let trigger_kind = match &section {
        Section::Trigger { kind, .. } => kind.clone(),
        _ => None,
    };
    if key_range.contains(&col) {
        if section == Section::Environment {
            return Some(Hover {
                range: abs(key_range),
                markdown: env_markdown(key, line.text),
            });
        }
        let spec = key_spec_in(&section, key)?;
        let kind = (spec.name != "type")
            .then_some(trigger_kind.as_deref())
            .flatten();
        return Some(Hover {
            range: abs(key_range),
            markdown: key_markdown(spec, kind),
        });
    }
    // The value: from after `=` to the end of the code.
    let eq = code.find('=')?;
    let value_text = code[eq + 1..].trim();
    let value_start = eq + 1 + code[eq + 1..].find(value_text)?;
    let value_range = value_start..value_start + value_text.len();
    if !(value_range.contains(&col) || col == value_range.end && !value_text.is_empty()) {
        return None;
    }
    if section == Section::Environment {
        // `{ from_env = "X" }`: the word under the cursor.
        let word = word_at(line.text, col)?;
        let spec = schema::find_key(schema::ENV_VALUE_KEYS, &line.text[word.clone()])?;
        return Some(Hover {
            range: abs(word),
            markdown: key_markdown(spec, None),
        });
    }
    let spec = key_spec_in(&section, key)?;
    // `cors = { origins = … }`: the inner key under the cursor.
    if let ValueType::BooleanOrTable(keys) = spec.ty {
        if let Some(inner) = word_at(line.text, col)
            .and_then(|word| schema::find_key(keys, &line.text[word.clone()]).map(|k| (word, k)))
        {
            let (word, inner_spec) = inner;
            return Some(Hover {
                range: abs(word),
                markdown: key_markdown(inner_spec, None),
            });
        }
    }
    let unquoted = value_text.trim_matches(|c| c == '"' || c == '\'');
    let markdown = match spec.constraint {
        Constraint::Runtime => match runtimes::find(unquoted) {
            Some(r) => r.describe(today),
            None => format!("`{unquoted}` is not a Lambda Python runtime."),
        },
        Constraint::TriggerType => match schema::trigger_spec(unquoted) {
            Some(t) => {
                let mut md = format!("**`{}`** trigger: {}", t.kind, t.doc);
                if !t.keys.is_empty() {
                    let keys: Vec<_> = t.keys.iter().map(|k| format!("`{}`", k.name)).collect();
                    md.push_str(&format!("\n\nKeys: {}", keys.join(", ")));
                }
                md
            }
            None => format!("`{unquoted}` is not a trigger type."),
        },
        Constraint::OneOf(allowed) => match allowed.iter().find(|a| a.value == unquoted) {
            Some(a) if !a.doc.is_empty() => format!("`{}`: {}", a.value, a.doc),
            _ => key_markdown(spec, trigger_kind.as_deref()),
        },
        _ => key_markdown(spec, trigger_kind.as_deref()),
    };
    // A schedule's value: when it will run.
    let markdown = if key == "schedule" && trigger_kind.as_deref() == Some("schedule") {
        format!(
            "{markdown}\n\n{}",
            super::schedule::next_five_markdown(unquoted)
        )
    } else {
        markdown
    };
    Some(Hover {
        range: abs(value_range),
        markdown,
    })
}

fn word_at(line: &str, col: usize) -> Option<Range<usize>> {
    let start = line[..col]
        .char_indices()
        .rev()
        .take_while(|(_, c)| is_key_char(*c))
        .last()
        .map_or(col, |(i, _)| i);
    let end = col + line[col..].chars().take_while(|c| is_key_char(*c)).count();
    (start < end).then_some(start..end)
}

fn env_markdown(name: &str, line: &str) -> String {
    let code = strip_comment(line);
    let value = code.find('=').map(|i| code[i + 1..].trim()).unwrap_or("");
    if value.starts_with('{') {
        let var = value
            .find("from_env")
            .and_then(|i| quoted_value(&value[i..]))
            .unwrap_or(name);
        format!(
            "**`{name}`** · environment variable\n\nRead at invoke and deploy time from `{var}` in your shell's environment, else from the function folder's `.env`. The value is never stored in lambda.toml."
        )
    } else {
        format!(
            "**`{name}`** · environment variable\n\nA literal value, stored in lambda.toml and set in the function's configuration on deploy. For secrets use `{{ from_env = \"{name}\" }}`."
        )
    }
}

#[cfg(test)]
#[path = "editing_tests.rs"]
mod tests;
