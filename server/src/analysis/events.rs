//! `event` and `context` in the editor: which event the handler receives, completion of
//! its keys and of the context's attributes, hovers, and warnings for keys the shape lacks.
//! The shapes come from `catalog`; where values flow comes from `python::flow`.

use std::collections::BTreeMap;
use std::ops::Range;

use serde_json::Value;

use super::{codes, PythonFile};
use crate::catalog::{
    self, EventSpec, Lookup, PathSegment, PyLookup, PyMember, PyMemberKind, Shape,
};
use crate::ide::{Completion, CompletionKind, Diagnostic, Hover, Severity, TextEdit};
use crate::python::flow::{chain_before, Flow, Origin, Root, Step};
use crate::python::{FunctionDef, Module};

/// How the handler's event type was chosen, in order of precedence.
#[derive(Debug, Clone, PartialEq)]
pub enum EventSource {
    /// The function's triggers: `[[trigger]]` types in lambda.toml, or a template's
    /// `Events`; `from` says which (`lambda.toml trigger`, `template.yaml#Fn event`).
    Triggers { from: String },
    /// A type annotation on the event parameter.
    Annotation(String),
    /// The keys the handler reads fit these events best.
    Inferred,
    /// Nothing says: every known event.
    Unknown,
}

/// The events a handler may receive and why we think so.
#[derive(Debug, Clone)]
pub struct HandlerEvents {
    pub source: EventSource,
    pub events: Vec<&'static EventSpec>,
}

impl HandlerEvents {
    /// One line for hovers and lenses: `s3 (lambda.toml trigger)`.
    pub fn label(&self) -> String {
        let names = self
            .events
            .iter()
            .map(|e| e.name.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        match &self.source {
            EventSource::Triggers { from } => format!("{names} ({from})"),
            EventSource::Annotation(annotation) => format!("{names} (annotation `{annotation}`)"),
            EventSource::Inferred => format!("{names} (inferred from the keys read)"),
            EventSource::Unknown => "any (no trigger configured)".to_string(),
        }
    }

    /// Whether warnings are justified: the event is known, not a guess over everything.
    fn is_known(&self) -> bool {
        self.source != EventSource::Unknown && !self.events.is_empty()
    }
}

/// Everything about `event`/`context` in one handler module.
pub struct EventAnalysis {
    pub flow: Flow,
    pub events: HandlerEvents,
    /// Made from a copy in which the cursor's line was replaced (see `patched_module`).
    pub patched: bool,
}

/// Follow the handler's `event` and `context` and decide its event type.
pub fn analyze(file: PythonFile<'_>) -> Option<EventAnalysis> {
    let handler = file.module.top_level_function(file.handler?)?;
    let flow = Flow::analyze(file.module, &handler);
    let events = choose_events(file, &handler, &flow);
    Some(EventAnalysis {
        flow,
        events,
        patched: false,
    })
}

fn choose_events(file: PythonFile<'_>, handler: &FunctionDef<'_>, flow: &Flow) -> HandlerEvents {
    if let Some(function) = file.function {
        let events: Vec<_> = function
            .config
            .triggers
            .iter()
            .filter_map(|t| catalog::event(t.kind()))
            .collect();
        if !events.is_empty() {
            let from = match &function.template {
                Some(template) => format!("{} event", template.label()),
                None => "lambda.toml trigger".to_string(),
            };
            return HandlerEvents {
                source: EventSource::Triggers { from },
                events,
            };
        }
    }
    if let Some(annotation) = handler.positional(0).and_then(|p| p.annotation) {
        let bare = strip_optional(annotation);
        if let Some(event) = catalog::event_for_annotation(bare).and_then(catalog::event) {
            return HandlerEvents {
                source: EventSource::Annotation(bare.to_string()),
                events: vec![event],
            };
        }
    }
    let paths: Vec<Vec<PathSegment>> = flow
        .accesses
        .iter()
        .filter(|a| a.origin.root == Root::Event)
        .map(|a| segments(&a.origin.steps))
        .collect();
    if !paths.is_empty() {
        let ranked = catalog::infer_from_keys(&paths);
        if let Some(&(_, best)) = ranked.first() {
            let events: Vec<_> = ranked
                .iter()
                .take_while(|(_, score)| *score >= best)
                .filter_map(|(name, _)| catalog::event(name))
                .collect();
            if !events.is_empty() {
                return HandlerEvents {
                    source: EventSource::Inferred,
                    events,
                };
            }
        }
    }
    HandlerEvents {
        source: EventSource::Unknown,
        events: catalog::all_events().iter().collect(),
    }
}

/// `Optional[S3Event]`, `S3Event | None`, `"S3Event"` → `S3Event`.
fn strip_optional(annotation: &str) -> &str {
    let a = annotation.trim().trim_matches(|c| c == '"' || c == '\'');
    if let Some(inner) = a
        .strip_prefix("Optional[")
        .or_else(|| a.strip_prefix("typing.Optional["))
        .and_then(|s| s.strip_suffix(']'))
    {
        return inner.trim();
    }
    if let Some((left, right)) = a.split_once('|') {
        return if left.trim() == "None" {
            right.trim()
        } else {
            left.trim()
        };
    }
    a
}

fn segments(steps: &[Step]) -> Vec<PathSegment> {
    steps
        .iter()
        .filter_map(|s| match s {
            Step::Key(k) => Some(PathSegment::Key(k.clone())),
            Step::Item => Some(PathSegment::Index(0)),
            Step::Attribute(_) => None,
        })
        .collect()
}

fn attribute_names(steps: &[Step]) -> Option<Vec<&str>> {
    steps
        .iter()
        .map(|s| match s {
            Step::Attribute(a) => Some(a.as_str()),
            _ => None,
        })
        .collect()
}

/// What a path finds across the candidate events.
enum Resolved<'a> {
    /// Shapes found, with the events they belong to.
    Found(Vec<(&'a Shape, &'static str)>),
    /// Unknown but allowed (open shape) in at least one event.
    Open,
    /// Missing everywhere; suggestions from each event, best first.
    Missing(Vec<String>),
}

fn resolve_event_path(events: &HandlerEvents, path: &[PathSegment]) -> Resolved<'static> {
    let mut found = Vec::new();
    let mut open = false;
    let mut suggestions = Vec::new();
    for event in &events.events {
        match event.shape.lookup(path) {
            Lookup::Found(shape) => found.push((shape, event.name.as_str())),
            Lookup::Open { .. } => open = true,
            Lookup::Missing { suggestions: s, .. } => suggestions.extend(s),
        }
    }
    if !found.is_empty() {
        Resolved::Found(found)
    } else if open {
        Resolved::Open
    } else {
        suggestions.dedup();
        Resolved::Missing(suggestions)
    }
}

/// Warnings for keys and attributes the resolved shapes lack.
pub fn check(analysis: &EventAnalysis, out: &mut Vec<Diagnostic>) {
    for access in &analysis.flow.accesses {
        match access.origin.root {
            Root::Event => {
                if !analysis.events.is_known() {
                    continue;
                }
                let path = segments(&access.origin.steps);
                let Some((last, parent)) = path.split_last() else {
                    continue;
                };
                // Report only the first missing step of a chain.
                if !matches!(
                    resolve_event_path(&analysis.events, parent),
                    Resolved::Found(_)
                ) {
                    continue;
                }
                if let Resolved::Missing(suggestions) = resolve_event_path(&analysis.events, &path)
                {
                    let PathSegment::Key(key) = last else {
                        continue;
                    };
                    // An empty key is the user mid-typing `[""]`: completion's moment.
                    if key.is_empty() {
                        continue;
                    }
                    let hint = did_you_mean(&suggestions);
                    out.push(Diagnostic::new(
                        codes::UNKNOWN_EVENT_KEY,
                        Severity::Warning,
                        access.range.clone(),
                        format!(
                            "`{key}` is not a key of {} here, so this lookup raises KeyError \
                             (or `.get` returns None) when the event arrives.{hint} The event \
                             type comes from {}.",
                            describe_path(&path[..path.len() - 1]),
                            analysis.events.label()
                        ),
                    ));
                }
            }
            Root::Context => {
                let Some(names) = attribute_names(&access.origin.steps) else {
                    continue;
                };
                if let PyLookup::Missing { at, suggestions } = catalog::context().lookup(&names) {
                    if at + 1 != names.len() {
                        continue;
                    }
                    let hint = did_you_mean(&suggestions);
                    out.push(Diagnostic::new(
                        codes::UNKNOWN_CONTEXT_ATTRIBUTE,
                        Severity::Warning,
                        access.range.clone(),
                        format!(
                            "Lambda's context object has no attribute `{}`: this raises \
                             AttributeError.{hint}",
                            names[at]
                        ),
                    ));
                }
            }
        }
    }
}

/// ` Did you mean `x`?` for the best suggestion, or nothing.
fn did_you_mean(suggestions: &[String]) -> String {
    suggestions
        .first()
        .map(|s| format!(" Did you mean `{s}`?"))
        .unwrap_or_default()
}

fn describe_path(path: &[PathSegment]) -> String {
    if path.is_empty() {
        "the event".to_string()
    } else {
        format!("`event{}`", python_path(path))
    }
}

fn python_path(path: &[PathSegment]) -> String {
    path.iter()
        .map(|s| match s {
            PathSegment::Key(k) => format!("[\"{k}\"]"),
            PathSegment::Index(i) => format!("[{i}]"),
        })
        .collect()
}

fn short_example(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 60 {
        format!("{}…", text.chars().take(59).collect::<String>())
    } else {
        text
    }
}

fn shape_markdown(shape: &Shape, title: &str, events: &[&str]) -> String {
    let mut markdown = format!("**{title}** `{}`\n\n{}", shape.type_name(), shape.doc);
    if shape.optional {
        markdown.push_str("\n\n*Not in every event: prefer `.get(...)`.*");
    }
    let example = shape.example_value();
    if !example.is_null() || shape.nullable {
        let pretty = serde_json::to_string_pretty(&example).unwrap_or_default();
        if pretty.len() < 600 {
            markdown.push_str(&format!("\n\nExample:\n```json\n{pretty}\n```"));
        }
    }
    markdown.push_str(&format!("\n\nEvent: {}", events.join(", ")));
    markdown
}

fn member_markdown(member: &PyMember) -> String {
    let signature = match &member.kind {
        PyMemberKind::Attribute => format!("{}: {}", member.name, member.annotation),
        PyMemberKind::Method { signature } => format!("{}{signature}", member.name),
    };
    let mut markdown = format!("```python\ncontext.{signature}\n```\n{}", member.doc);
    if let Some(example) = &member.example {
        markdown.push_str(&format!("\n\nExample: `{}`", short_example(example)));
    }
    markdown
}

/// Hover on an event key or a context attribute that the flow follows.
pub fn hover(analysis: &EventAnalysis, offset: usize) -> Option<Hover> {
    let access = analysis
        .flow
        .accesses
        .iter()
        .find(|a| a.range.start <= offset && offset <= a.range.end)?;
    match access.origin.root {
        Root::Event => {
            let path = segments(&access.origin.steps);
            let Resolved::Found(found) = resolve_event_path(&analysis.events, &path) else {
                return None;
            };
            let names: Vec<_> = found.iter().map(|(_, e)| *e).collect();
            let title = format!("event{}", python_path(&path));
            Some(Hover {
                range: access.range.clone(),
                markdown: shape_markdown(found[0].0, &title, &names),
            })
        }
        Root::Context => {
            let names = attribute_names(&access.origin.steps)?;
            let PyLookup::Found(member) = catalog::context().lookup(&names) else {
                return None;
            };
            Some(Hover {
                range: access.range.clone(),
                markdown: member_markdown(member),
            })
        }
    }
}

/// Where completion was asked for, found from the text before the cursor.
enum Site {
    /// `chain[` + optional quote + partial key, or `chain.get(` + quote + partial.
    Key {
        chain_end: usize,
        quote: Option<char>,
        partial_start: usize,
        subscript: bool,
    },
    /// `chain.` + partial attribute.
    Attribute {
        chain_end: usize,
        partial_start: usize,
    },
}

fn find_site(text: &str, offset: usize) -> Option<Site> {
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let before = &text[line_start..offset];
    let partial_len = before
        .chars()
        .rev()
        .take_while(|c| {
            !matches!(
                c,
                '"' | '\'' | '[' | '(' | '.' | ' ' | '\t' | ',' | ')' | ']'
            )
        })
        .map(char::len_utf8)
        .sum::<usize>();
    let partial_start = offset - partial_len;
    let mut cursor = partial_start;
    let previous = text[line_start..cursor].chars().next_back()?;
    let quote = matches!(previous, '"' | '\'').then_some(previous);
    if quote.is_some() {
        cursor -= 1;
    }
    let opener = text[line_start..cursor].trim_end();
    let opener_end = line_start + opener.len();
    if opener.ends_with('[') {
        return Some(Site::Key {
            chain_end: opener_end - 1,
            quote,
            partial_start,
            subscript: true,
        });
    }
    if quote.is_some() && opener.ends_with(".get(") {
        return Some(Site::Key {
            chain_end: opener_end - 5,
            quote,
            partial_start,
            subscript: false,
        });
    }
    if quote.is_none() && previous == '.' {
        return Some(Site::Attribute {
            chain_end: partial_start - 1,
            partial_start,
        });
    }
    None
}

/// Completion of event keys and context attributes at `offset` of `text` (the document's
/// current text; `analysis` may come from a patched copy in which the cursor's line parses).
pub fn complete(analysis: &EventAnalysis, text: &str, offset: usize) -> Vec<Completion> {
    let Some(site) = find_site(text, offset) else {
        return Vec::new();
    };
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    match site {
        Site::Key {
            chain_end,
            quote,
            partial_start,
            subscript,
        } => {
            let Some(origin) = chain_origin(analysis, text, line_start, chain_end) else {
                return Vec::new();
            };
            if origin.root != Root::Event {
                return Vec::new();
            }
            let path = segments(&origin.steps);
            let Resolved::Found(found) = resolve_event_path(&analysis.events, &path) else {
                return Vec::new();
            };
            let quote_char = quote.unwrap_or('"');
            let start = if quote.is_some() {
                partial_start - 1
            } else {
                partial_start
            };
            let mut end = offset;
            let rest = &text[offset..];
            let mut rest_chars = rest.chars();
            if quote.is_some() && rest_chars.next() == Some(quote_char) {
                end += 1;
                if subscript && rest_chars.next() == Some(']') {
                    end += 1;
                }
            } else if subscript && rest.starts_with(']') {
                end += 1;
            }
            key_completions(
                &found,
                &path,
                quote_char,
                subscript,
                start..end,
                &analysis.events,
            )
        }
        Site::Attribute {
            chain_end,
            partial_start,
        } => {
            let Some(origin) = chain_origin(analysis, text, line_start, chain_end) else {
                return Vec::new();
            };
            if origin.root != Root::Context {
                return Vec::new();
            }
            let Some(names) = attribute_names(&origin.steps) else {
                return Vec::new();
            };
            let class = if names.is_empty() {
                Some(catalog::context())
            } else {
                match catalog::context().lookup(&names) {
                    PyLookup::Found(member) => member.class.as_deref(),
                    _ => None,
                }
            };
            let Some(class) = class else {
                return Vec::new();
            };
            let end = offset
                + text[offset..]
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .map(char::len_utf8)
                    .sum::<usize>();
            class
                .members
                .iter()
                .enumerate()
                .map(|(i, member)| {
                    let is_method = matches!(member.kind, PyMemberKind::Method { .. });
                    Completion {
                        label: member.name.clone(),
                        kind: if is_method {
                            CompletionKind::Method
                        } else {
                            CompletionKind::Property
                        },
                        detail: Some(match &member.kind {
                            PyMemberKind::Attribute => member.annotation.clone(),
                            PyMemberKind::Method { signature } => signature.clone(),
                        }),
                        documentation: Some(member_markdown(member)),
                        edit: TextEdit {
                            range: partial_start..end,
                            new_text: if is_method {
                                format!("{}()", member.name)
                            } else {
                                member.name.clone()
                            },
                        },
                        sort_text: Some(format!("{i:03}")),
                    }
                })
                .collect()
        }
    }
}

/// The origin of the access chain that ends at `chain_end` on the cursor's line.
fn chain_origin(
    analysis: &EventAnalysis,
    text: &str,
    line_start: usize,
    chain_end: usize,
) -> Option<Origin> {
    let chain = chain_before(&text[line_start..chain_end])?;
    // Names bound on the cursor's line (comprehension variables) hold at the chain; in a
    // patched copy that line is gone, so ask at its start.
    let at = if analysis.patched {
        line_start
    } else {
        chain_end
    };
    let base = analysis.flow.resolve_name(&chain.base, at)?;
    let mut steps = base.steps;
    steps.extend(chain.steps);
    Some(Origin {
        root: base.root,
        steps,
    })
}

fn key_completions(
    found: &[(&Shape, &'static str)],
    path: &[PathSegment],
    quote: char,
    subscript: bool,
    range: Range<usize>,
    events: &HandlerEvents,
) -> Vec<Completion> {
    // Keys in catalog order, each with the events that have it.
    let mut keys: BTreeMap<String, (usize, &Shape, Vec<&str>)> = BTreeMap::new();
    let mut order = 0;
    for (shape, event) in found {
        for key in shape.completion_keys() {
            let entry = keys.entry(key.to_string()).or_insert_with(|| {
                order += 1;
                let child = shape
                    .field(key)
                    .or_else(|| match &shape.kind {
                        catalog::ShapeKind::Map { value } => Some(value.as_ref()),
                        _ => None,
                    })
                    .unwrap_or(shape);
                (order, child, Vec::new())
            });
            if !entry.2.contains(event) {
                entry.2.push(event);
            }
        }
    }
    let labelled = events.source == EventSource::Unknown || found.len() > 1;
    keys.into_iter()
        .map(|(key, (order, shape, in_events))| {
            let mut child_path = path.to_vec();
            child_path.push(PathSegment::Key(key.clone()));
            let title = format!("event{}", python_path(&child_path));
            let example = shape.example_value();
            let detail = if labelled {
                format!("{} · {}", shape.type_name(), in_events.join(", "))
            } else if example.is_object() || example.is_array() {
                shape.type_name().to_string()
            } else {
                format!("{} = {}", shape.type_name(), short_example(&example))
            };
            let closing = if subscript { "]" } else { "" };
            let escaped = key
                .replace('\\', "\\\\")
                .replace(quote, &format!("\\{quote}"));
            Completion {
                label: key.clone(),
                kind: CompletionKind::Key,
                detail: Some(detail),
                documentation: Some(shape_markdown(shape, &title, &in_events)),
                edit: TextEdit {
                    range: range.clone(),
                    new_text: format!("{quote}{escaped}{quote}{closing}"),
                },
                sort_text: Some(format!("{order:04}")),
            }
        })
        .collect()
}

/// An analysis of `module` in which the cursor's line, when it does not parse (the user
/// is mid-typing), is replaced by `pass`: the rest of the handler keeps its structure.
pub fn patched_module(module: &Module, offset: usize) -> Option<Module> {
    if !module.root().has_error() {
        return None;
    }
    let text = module.text();
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    let indentation: String = text[line_start..line_end]
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    let mut patched = module.clone();
    patched.edit(line_start..line_end, &format!("{indentation}pass"));
    Some(patched)
}
