//! `event` and `context` in the editor: which event the handler receives, completion of
//! its keys and of the context's attributes, hovers, and warnings for keys the shape lacks.
//! The shapes come from `catalog`; where values flow comes from `python::flow`.
//!
//! Each followed path is looked up once per candidate event, from its parent path's
//! answer ([`EventPaths`]), so the whole analysis stays linear in the number of accesses
//! however long the chains are.

use std::collections::BTreeMap;
use std::ops::Range;

use serde_json::Value;

use super::{codes, PythonFile};
use crate::catalog::{
    self, DataClass, DataMember, DataMemberKind, EventSpec, Fit, Lookup, Many, MemberLookup,
    PathSegment, PyLookup, PyMember, PyMemberKind, Shape,
};
use crate::ide::{Completion, CompletionKind, Diagnostic, Hover, Severity, TextEdit};
use crate::python::flow::{chain_before, Flow, Origin, PathId, Root, Step};
use crate::python::{work, FunctionDef, Module};

/// How the handler's event type was chosen, in order of precedence.
#[derive(Debug, Clone, PartialEq)]
pub enum EventSource {
    /// The function's triggers: `[[trigger]]` types in lambda.toml, or a template's
    /// `Events`; `from` says which (`lambda.toml trigger`, `template.yaml#Fn event`).
    Triggers { from: String },
    /// A type annotation on the event parameter.
    Annotation(String),
    /// A Powertools data class wraps the event (`event: S3Event` imported from
    /// Powertools, or `@event_source(data_class=S3Event)`): its name.
    DataClass(String),
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
    /// The Powertools data class `event` is, if any: attributes are followed through it.
    pub data_class: Option<&'static DataClass>,
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
            EventSource::DataClass(class) => format!("{names} (Powertools `{class}`)"),
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
    /// What every accessed event path holds in each of `events`.
    paths: EventPaths,
    /// Made from a copy in which the cursor's line was replaced (see `patched_module`).
    pub patched: bool,
}

/// Follow the handler's `event` and `context` and decide its event type.
pub fn analyze(file: PythonFile<'_>) -> Option<EventAnalysis> {
    let handler = file.module.top_level_function(file.handler?)?;
    let flow = Flow::analyze(file.module, &handler);
    let events = choose_events(file, &handler, &flow);
    let mut paths = EventPaths::new(events.events.clone(), events.data_class, events.is_known());
    paths.fill(&flow);
    Some(EventAnalysis {
        flow,
        events,
        paths,
        patched: false,
    })
}

fn choose_events(file: PythonFile<'_>, handler: &FunctionDef<'_>, flow: &Flow) -> HandlerEvents {
    // A Powertools data class decides: the code reads the event through its attributes.
    if let Some((class, event)) = data_class(file.module, handler) {
        return HandlerEvents {
            source: EventSource::DataClass(class.name.clone()),
            events: vec![event],
            data_class: Some(class),
        };
    }
    let chosen = |source, events| HandlerEvents {
        source,
        events,
        data_class: None,
    };
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
            return chosen(EventSource::Triggers { from }, events);
        }
    }
    if let Some(annotation) = handler.positional(0).and_then(|p| p.annotation) {
        let bare = strip_optional(annotation);
        if let Some(event) = catalog::event_for_annotation(bare).and_then(catalog::event) {
            return chosen(EventSource::Annotation(bare.to_string()), vec![event]);
        }
    }
    if let Some(events) = infer_events(flow) {
        return chosen(EventSource::Inferred, events);
    }
    chosen(EventSource::Unknown, catalog::all_events().iter().collect())
}

/// The Powertools data class the handler's `event` is: its annotation when the name comes
/// from Powertools (`from aws_lambda_powertools.utilities.data_classes import S3Event`,
/// or written out in full), or `@event_source(data_class=…)` on the handler.
fn data_class(
    module: &Module,
    handler: &FunctionDef<'_>,
) -> Option<(&'static DataClass, &'static EventSpec)> {
    let from_powertools = |written: &str| -> Option<(&'static DataClass, &'static EventSpec)> {
        // `S3Event` or `data_classes.S3Event`: find where the first name comes from.
        let (first, rest) = match written.split_once('.') {
            Some((first, rest)) => (first, Some(rest)),
            None => (written, None),
        };
        let full = match module.imported_name(first) {
            Some((source, original)) => match rest {
                Some(rest) => format!("{source}.{original}.{rest}"),
                None => format!("{source}.{original}"),
            },
            None => written.to_string(),
        };
        if !full.starts_with("aws_lambda_powertools.") {
            return None;
        }
        catalog::data_class_for(&full)
    };
    let annotated = handler
        .positional(0)
        .and_then(|p| p.annotation)
        .map(strip_optional)
        .and_then(from_powertools);
    annotated.or_else(|| {
        handler.decorators.iter().find_map(|decorator| {
            let (_, arguments) = decorator.split_once("event_source(")?;
            let value = arguments.split("data_class=").nth(1)?;
            let name = value
                .split(|c: char| c == ',' || c == ')' || c.is_whitespace())
                .next()?;
            from_powertools(name).or_else(|| catalog::data_class_for(name))
        })
    })
}

/// The events that fit the keys the handler reads best (all that tie), if any fits.
fn infer_events(flow: &Flow) -> Option<Vec<&'static EventSpec>> {
    let all: Vec<&'static EventSpec> = catalog::all_events().iter().collect();
    let mut paths = EventPaths::new(all.clone(), None, false);
    paths.fill(flow);
    // Key paths read from the event (attributes of a dict are its methods, not data).
    let read: Vec<PathId> = flow
        .accesses
        .iter()
        .map(|a| a.path)
        .filter(|&p| flow.root(p) == Root::Event && !paths.through_attribute(p))
        .collect();
    if read.is_empty() {
        return None;
    }
    let ranked = catalog::rank_by_fit(|spec| {
        let column = all.iter().position(|e| e.name == spec.name).unwrap_or(0);
        read.iter()
            .map(|&path| {
                let fit = match paths.at(path).get(column) {
                    Some(At::Value(_)) => Fit::Found,
                    Some(At::Open) => Fit::Open,
                    _ => Fit::Missing,
                };
                (fit, flow.depth(path))
            })
            .collect()
    });
    let &(_, best) = ranked.first()?;
    let events: Vec<_> = ranked
        .iter()
        .take_while(|(_, score)| *score >= best)
        .filter_map(|(name, _)| catalog::event(name))
        .collect();
    (!events.is_empty()).then_some(events)
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
            Step::Item | Step::Index => Some(PathSegment::Index(0)),
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

/// What a followed path holds in one candidate event.
#[derive(Debug, Clone)]
enum At {
    /// A value of this shape.
    Value(&'static Shape),
    /// A Powertools data class object (`event: S3Event`, `event.records[0].s3`), over the
    /// part of the event it wraps (`None` when not known, e.g. decoded from a body), and
    /// the member that returned it (`None` for the event itself).
    Object {
        class: &'static DataClass,
        shape: Option<&'static Shape>,
        member: Option<&'static DataMember>,
    },
    /// Several data class objects (`event.records`): a list, a generator or a dict of
    /// them, over the event's container of them.
    Objects {
        class: &'static DataClass,
        shape: Option<&'static Shape>,
        many: Many,
        member: &'static DataMember,
    },
    /// What another data class member gives: a property's value (with the shape of the key
    /// it reads, unless it computes something else) or a method.
    Member {
        member: &'static DataMember,
        shape: Option<&'static Shape>,
    },
    /// Inside a part of the event the catalog leaves open: allowed, not known.
    Open,
    /// Reached through an attribute of a plain value (a dict's or str's method), not data
    /// of the event: not followed.
    Untracked,
    /// The last step names a key the value does not have; similar keys, best first.
    Missing { suggestions: Vec<String> },
    /// The last step names an attribute the data class does not have.
    MissingAttribute {
        class: &'static DataClass,
        suggestions: Vec<String>,
    },
    /// Below a missing step (reported there, not again).
    Below,
}

impl At {
    /// Whether the value is known (a key or attribute missing from it is worth a warning).
    fn is_known(&self) -> bool {
        matches!(
            self,
            At::Value(_) | At::Object { .. } | At::Objects { .. } | At::Member { .. }
        )
    }

    /// The shape of the dict this value is, when known (what `[key]` reads from).
    fn dict_shape(&self) -> Option<&'static Shape> {
        match self {
            At::Value(shape) => Some(shape),
            At::Object { shape, .. } | At::Member { shape, .. } => *shape,
            _ => None,
        }
    }
}

/// The shape at `key` (a data class member's key path) below `shape`, if known.
fn shape_at(shape: Option<&'static Shape>, key: &[PathSegment]) -> Option<&'static Shape> {
    let mut current = shape?;
    for segment in key {
        current = match (current.step(segment, false), segment) {
            (Lookup::Found(next), _) => next,
            _ => return None,
        };
    }
    Some(current)
}

/// An element of a container shape: a list's item, a map's value.
fn element_of(shape: Option<&'static Shape>) -> Option<&'static Shape> {
    match &shape?.kind {
        catalog::ShapeKind::Array { item } => Some(item),
        catalog::ShapeKind::Map { value } => Some(value),
        _ => None,
    }
}

/// The attribute `name` of a data class object wrapping `shape`.
fn attribute_of(class: &'static DataClass, shape: Option<&'static Shape>, name: &str) -> At {
    let member = match catalog::data_classes().member(class, name) {
        MemberLookup::Found(member) => member,
        MemberLookup::Missing(suggestions) => return At::MissingAttribute { class, suggestions },
    };
    let target = match (&member.kind, &member.key) {
        (DataMemberKind::Property, Some(key)) if !member.computed => shape_at(shape, key),
        _ => None,
    };
    let class = member
        .class
        .as_deref()
        .and_then(|name| catalog::data_classes().class(name));
    match (class, member.many) {
        (Some(class), None) => At::Object {
            class,
            shape: target,
            member: Some(member),
        },
        (Some(class), Some(many)) => At::Objects {
            class,
            shape: target,
            many,
            member,
        },
        (None, _) => At::Member {
            member,
            shape: target,
        },
    }
}

/// The next answer after `step`.
fn advance(at: &At, step: &Step, suggest: bool) -> At {
    work::add(1);
    if let Step::Attribute(name) = step {
        return match at {
            At::Object { class, shape, .. } => attribute_of(class, *shape, name),
            // A plain value's (or a list's, or a str's) attribute is a method.
            At::Value(_) | At::Objects { .. } | At::Member { .. } | At::Untracked => At::Untracked,
            At::Open => At::Open,
            At::Missing { .. } | At::MissingAttribute { .. } | At::Below => At::Below,
        };
    }
    if let At::Objects {
        class, shape, many, ..
    } = at
    {
        // An element: by iterating or indexing a list or generator (indexing a generator
        // is reported apart), by key in a dict of them.
        let element = match (many, step) {
            (Many::Map, Step::Key(_)) | (Many::List | Many::Iterator, Step::Item | Step::Index) => {
                element_of(*shape)
            }
            _ => return At::Untracked,
        };
        return At::Object {
            class,
            shape: element,
            member: None,
        };
    }
    let segment = match step {
        Step::Key(key) => PathSegment::Key(key.clone()),
        _ => PathSegment::Index(0),
    };
    match at {
        At::Missing { .. } | At::MissingAttribute { .. } | At::Below => At::Below,
        At::Open | At::Untracked => at.clone(),
        known => match known.dict_shape() {
            Some(shape) => match shape.step(&segment, suggest) {
                Lookup::Found(next) => At::Value(next),
                Lookup::Open { .. } => At::Open,
                Lookup::Missing { suggestions, .. } => At::Missing { suggestions },
            },
            // A data class over an unknown part, or a computed value.
            None => At::Open,
        },
    }
}

/// What a path finds across the candidate events.
enum Resolved<'a> {
    /// Shapes found, with the events they belong to.
    Found(Vec<(&'a Shape, &'static str)>),
    /// Unknown but allowed (open shape) in at least one event, or not followed.
    Open,
    /// Missing everywhere; suggestions from each event, best first.
    Missing(Vec<String>),
}

/// The candidate events and, memoised by path, what each followed event path holds in
/// each of them: a path is looked up once, from its parent's answer.
struct EventPaths {
    candidates: Vec<&'static EventSpec>,
    /// What `event` itself is in each candidate: its shape, or a data class over it.
    roots: Vec<At>,
    /// Compute "did you mean" suggestions for missing keys (only worth it for warnings).
    suggest: bool,
    /// By [`PathId::index`]: the answer per candidate, once computed.
    memo: Vec<Option<Box<[At]>>>,
    /// By [`PathId::index`]: whether the path has an attribute step.
    attribute: Vec<bool>,
}

impl EventPaths {
    fn new(
        candidates: Vec<&'static EventSpec>,
        data_class: Option<&'static DataClass>,
        suggest: bool,
    ) -> Self {
        let roots = candidates
            .iter()
            .map(|event| match data_class {
                Some(class) => At::Object {
                    class,
                    shape: Some(&event.shape),
                    member: None,
                },
                None => At::Value(&event.shape),
            })
            .collect();
        EventPaths {
            candidates,
            roots,
            suggest,
            memo: Vec::new(),
            attribute: Vec::new(),
        }
    }

    /// Look up every event path the flow accessed or indexed (and their parents).
    fn fill(&mut self, flow: &Flow) {
        self.memo.resize(flow.path_count(), None);
        self.attribute.resize(flow.path_count(), false);
        for access in flow.accesses.iter().chain(&flow.indexes) {
            if flow.root(access.path) == Root::Event {
                self.compute(flow, access.path);
            }
        }
    }

    /// Compute `path`'s answers: climb to the nearest known ancestor, then come back down.
    fn compute(&mut self, flow: &Flow, path: PathId) {
        let mut pending = Vec::new();
        let mut current = path;
        while self.memo[current.index()].is_none() {
            work::add(1);
            match flow.parent(current) {
                Some((parent, _)) => {
                    pending.push(current);
                    current = parent;
                }
                None => {
                    // The event itself.
                    self.memo[current.index()] = Some(self.roots.clone().into_boxed_slice());
                    break;
                }
            }
        }
        for path in pending.into_iter().rev() {
            let Some((parent, step)) = flow.parent(path) else {
                continue;
            };
            let answers = self.memo[parent.index()].as_ref().map(|parent| {
                parent
                    .iter()
                    .map(|at| advance(at, step, self.suggest))
                    .collect()
            });
            self.memo[path.index()] = answers;
            self.attribute[path.index()] =
                self.attribute[parent.index()] || matches!(step, Step::Attribute(_));
        }
    }

    /// The answers for a path [`EventPaths::fill`] computed (empty for others).
    fn at(&self, path: PathId) -> &[At] {
        self.memo
            .get(path.index())
            .and_then(|m| m.as_deref())
            .unwrap_or(&[])
    }

    fn through_attribute(&self, path: PathId) -> bool {
        self.attribute.get(path.index()).copied().unwrap_or(false)
    }

    /// The answers for a path written out (completion's chain before the cursor).
    fn walk(&self, steps: &[Step]) -> Vec<At> {
        let mut answers = self.roots.clone();
        for step in steps {
            answers = answers.iter().map(|at| advance(at, step, false)).collect();
        }
        answers
    }

    /// Sum up answers across the candidate events.
    fn resolved(&self, answers: &[At]) -> Resolved<'static> {
        let mut found = Vec::new();
        let mut open = false;
        let mut suggestions = Vec::new();
        for (at, event) in answers.iter().zip(&self.candidates) {
            match at {
                At::Missing { suggestions: s } => suggestions.extend(s.iter().cloned()),
                At::Below | At::MissingAttribute { .. } => {}
                other => match other.dict_shape() {
                    Some(shape) => found.push((shape, event.name.as_str())),
                    None => open = true,
                },
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
}

/// Deeper than any chain of the context model (`context.client_context.client.app_title`)
/// plus the one unknown name a warning is about.
const CONTEXT_DEPTH: usize = 8;

/// Warnings for keys and attributes the resolved shapes lack.
pub fn check(analysis: &EventAnalysis, out: &mut Vec<Diagnostic>) {
    check_indexes(analysis, out);
    let flow = &analysis.flow;
    let paths = &analysis.paths;
    for access in &flow.accesses {
        match flow.root(access.path) {
            Root::Event => {
                if !analysis.events.is_known() {
                    continue;
                }
                let Some((parent, step)) = flow.parent(access.path) else {
                    continue;
                };
                // Report only the first missing step of a chain.
                if !paths.at(parent).iter().any(At::is_known) {
                    continue;
                }
                match step {
                    Step::Key(key) => {
                        let Resolved::Missing(suggestions) = paths.resolved(paths.at(access.path))
                        else {
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
                                describe_path(&segments(&flow.steps(parent))),
                                analysis.events.label()
                            ),
                        ));
                    }
                    Step::Attribute(name) => {
                        let answers = paths.at(access.path);
                        // Missing in every candidate (a data class has one).
                        let mut missing = answers.iter().map(|at| match at {
                            At::MissingAttribute { class, suggestions } => {
                                Some((class, suggestions))
                            }
                            _ => None,
                        });
                        let Some(Some((class, suggestions))) = missing.next() else {
                            continue;
                        };
                        if missing.any(|m| m.is_none()) {
                            continue;
                        }
                        let hint = did_you_mean(suggestions);
                        out.push(Diagnostic::new(
                            codes::UNKNOWN_EVENT_KEY,
                            Severity::Warning,
                            access.range.clone(),
                            format!(
                                "Powertools' `{}` has no attribute `{name}`, so this raises \
                                 AttributeError.{hint} The event type comes from {}.",
                                class.name,
                                analysis.events.label()
                            ),
                        ));
                    }
                    Step::Item | Step::Index => {}
                }
            }
            Root::Context => {
                // The context model is a few attributes deep: past that, the first unknown
                // name lies earlier in the chain and was reported there. (This keeps each
                // access O(1) in `context.a.a.a…` thousands deep.)
                if flow.depth(access.path) > CONTEXT_DEPTH {
                    continue;
                }
                let steps = flow.steps(access.path);
                let Some(names) = attribute_names(&steps) else {
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

/// Warnings for indexing a Powertools generator (`event.records[0]`): a TypeError.
fn check_indexes(analysis: &EventAnalysis, out: &mut Vec<Diagnostic>) {
    let flow = &analysis.flow;
    for index in &flow.indexes {
        let Some((parent, _)) = flow.parent(index.path) else {
            continue;
        };
        let generator = analysis.paths.at(parent).iter().find_map(|at| match at {
            At::Objects {
                class,
                many: Many::Iterator,
                member,
                ..
            } => Some((class, member)),
            _ => None,
        });
        let Some((class, member)) = generator else {
            continue;
        };
        // A sibling property that gives the first element (`S3Event.record`), if any.
        let first = catalog::data_classes()
            .class(&member.owner)
            .into_iter()
            .flat_map(|owner| catalog::data_classes().members(owner))
            .find(|m| {
                m.many.is_none()
                    && m.class.as_deref() == Some(class.name.as_str())
                    && m.key.as_ref().is_some_and(|k| {
                        Some(&k[..k.len().saturating_sub(1)]) == member.key.as_deref()
                    })
            })
            .map(|m| format!(", or `.{}` for the first one", m.name))
            .unwrap_or_default();
        out.push(Diagnostic::new(
            codes::UNKNOWN_EVENT_KEY,
            Severity::Warning,
            index.range.clone(),
            format!(
                "`{}` is a generator of `{}` in Powertools: it cannot be indexed, so this \
                 raises TypeError ('generator' object is not subscriptable). Loop over it \
                 (`for record in ….{}:`){first}.",
                member.name, class.name, member.name
            ),
        ));
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

/// Hover and completion docs of a Powertools data class member: its signature, doc, the
/// event key it reads (with that key's doc and example when known) and where the model
/// comes from.
fn data_member_markdown(member: &DataMember, shape: Option<&Shape>) -> String {
    let signature = match &member.kind {
        DataMemberKind::Property => format!(
            "(property) {}.{}: {}",
            member.owner, member.name, member.annotation
        ),
        DataMemberKind::Method { signature } => {
            format!("(method) {}.{}{signature}", member.owner, member.name)
        }
    };
    let mut markdown = format!("```python\n{signature}\n```");
    if !member.doc.is_empty() {
        markdown.push_str(&format!("\n{}", member.doc));
    }
    if let Some(key) = &member.key {
        let written = python_path(key).replace("[\"*\"]", "[…]");
        let reads = if member.computed {
            "Computed from"
        } else {
            "Reads"
        };
        markdown.push_str(&format!(
            "\n\n{reads} `{written}` of the wrapped event dict."
        ));
        if let Some(shape) = shape.filter(|_| !member.computed) {
            markdown.push_str(&format!(" {}", shape.doc));
            let example = shape.example_value();
            if !example.is_null() && !example.is_object() && !example.is_array() {
                markdown.push_str(&format!("\n\nExample: `{}`", short_example(&example)));
            }
        }
    }
    markdown.push_str(&format!("\n\n*{}*", catalog::data_classes().source));
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
    let flow = &analysis.flow;
    let access = flow
        .accesses
        .iter()
        .find(|a| a.range.start <= offset && offset <= a.range.end)?;
    let steps = flow.steps(access.path);
    match flow.root(access.path) {
        Root::Event => {
            let paths = &analysis.paths;
            if let Some(Step::Attribute(_)) = steps.last() {
                let member = paths.at(access.path).iter().find_map(|at| match at {
                    At::Object {
                        member: Some(member),
                        shape,
                        ..
                    }
                    | At::Member { member, shape } => Some((*member, *shape)),
                    At::Objects { member, shape, .. } => Some((*member, *shape)),
                    _ => None,
                })?;
                return Some(Hover {
                    range: access.range.clone(),
                    markdown: data_member_markdown(member.0, member.1),
                });
            }
            let Resolved::Found(found) = paths.resolved(paths.at(access.path)) else {
                return None;
            };
            let names: Vec<_> = found.iter().map(|(_, e)| *e).collect();
            let title = format!("event{}", python_path(&segments(&steps)));
            Some(Hover {
                range: access.range.clone(),
                markdown: shape_markdown(found[0].0, &title, &names),
            })
        }
        Root::Context => {
            let names = attribute_names(&steps)?;
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
            let paths = &analysis.paths;
            let Resolved::Found(found) = paths.resolved(&paths.walk(&origin.steps)) else {
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
            if origin.root == Root::Event {
                let range = partial_start..identifier_end(text, offset);
                return data_class_completions(analysis, &origin.steps, range);
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
            let end = identifier_end(text, offset);
            class
                .members
                .iter()
                .enumerate()
                .map(|(i, member)| {
                    let (is_method, detail) = match &member.kind {
                        PyMemberKind::Attribute => (false, &member.annotation),
                        PyMemberKind::Method { signature } => (true, signature),
                    };
                    attribute_completion(
                        &member.name,
                        is_method,
                        detail,
                        member_markdown(member),
                        partial_start..end,
                        i,
                    )
                })
                .collect()
        }
    }
}

/// A completion of an attribute (`name`) or method (`name()`) after `.`, `index`-th in
/// the list.
fn attribute_completion(
    name: &str,
    is_method: bool,
    detail: &str,
    documentation: String,
    range: Range<usize>,
    index: usize,
) -> Completion {
    Completion {
        label: name.to_string(),
        kind: if is_method {
            CompletionKind::Method
        } else {
            CompletionKind::Property
        },
        detail: Some(detail.to_string()),
        documentation: Some(documentation),
        edit: TextEdit {
            range,
            new_text: if is_method {
                format!("{name}()")
            } else {
                name.to_string()
            },
        },
        sort_text: Some(format!("{index:03}")),
    }
}

/// Where the identifier the cursor is in ends.
fn identifier_end(text: &str, offset: usize) -> usize {
    offset
        + text[offset..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .map(char::len_utf8)
            .sum::<usize>()
}

/// The attributes of the Powertools data class object that `steps` lead to, if any.
fn data_class_completions(
    analysis: &EventAnalysis,
    steps: &[Step],
    range: Range<usize>,
) -> Vec<Completion> {
    let answers = analysis.paths.walk(steps);
    let Some((class, shape)) = answers.iter().find_map(|at| match at {
        At::Object { class, shape, .. } => Some((*class, *shape)),
        _ => None,
    }) else {
        return Vec::new();
    };
    let classes = catalog::data_classes();
    classes
        .members(class)
        .into_iter()
        .enumerate()
        .map(|(i, member)| {
            let target = match &member.key {
                Some(key) if !member.computed => shape_at(shape, key),
                _ => None,
            };
            let (is_method, detail) = match &member.kind {
                DataMemberKind::Property => (false, &member.annotation),
                DataMemberKind::Method { signature } => (true, signature),
            };
            // In order: the class's own members first, `DictWrapper`'s last.
            attribute_completion(
                &member.name,
                is_method,
                detail,
                data_member_markdown(member, target),
                range.clone(),
                i,
            )
        })
        .collect()
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
    let mut origin = analysis.flow.origin(base);
    origin.steps.extend(chain.steps);
    Some(origin)
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
    if !module.has_error() {
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
