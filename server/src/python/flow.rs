//! The small data-flow that follows `event` and `context` through a handler: which
//! expressions hold which part of them. `event["Records"][0]["s3"]`, `.get("k")` and
//! `.get("k", {})` chains, attributes (`context.identity`, Powertools' `event.records`),
//! `x or {}`, loops (`for record in event["Records"]`, also with `enumerate`),
//! comprehensions, walrus and plain assignments to local names, and one level into the
//! module's functions that the handler calls with part of the event.
//!
//! It knows nothing of event shapes: it answers with paths (`Records`, item, `s3`) that
//! the catalog then looks up.
//!
//! Everything here is near-linear in the size of the handler: paths are interned (a path
//! is its parent plus one step, so extending one costs O(1) and equal paths share one
//! [`PathId`]), each expression is resolved once, and names are looked up in per-name
//! binding lists sorted by position. Nothing recurses along an expression's depth.

use std::ops::Range;

use rustc_hash::{FxHashMap, FxHashSet};
use tree_sitter::Node;

use super::{
    own_descendants_with_parents, string_value, work, Field, FunctionDef, Module, ParameterKind,
};

/// What a path starts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Root {
    Event,
    Context,
}

/// One step down from a value.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Step {
    /// A dictionary key (`["k"]`, `.get("k")`).
    Key(String),
    /// An element reached by iterating (`for record in …`, comprehensions, `enumerate`).
    Item,
    /// An element reached by indexing (`[0]`, `[i]`): like `Item` for a list, a TypeError
    /// for a generator.
    Index,
    /// An attribute (`context.identity`, `event.records`).
    Attribute(String),
}

/// A path from `event` or `context`, written out: its root and its steps.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Origin {
    pub root: Root,
    pub steps: Vec<Step>,
}

/// A path from `event` or `context`, interned in its [`Flow`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PathId(u32);

impl PathId {
    /// Index of the path in its flow (paths are numbered from 0, parents before children).
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

#[derive(Debug)]
struct PathNode {
    root: Root,
    /// Number of steps from the root.
    depth: u32,
    /// The path this one extends by `step`; `None` for the two roots.
    parent: Option<PathId>,
    step: Option<Step>,
}

/// A name bound to a value (or to something unknown: `None` shadows older bindings).
#[derive(Debug, Clone)]
struct Binding {
    path: Option<PathId>,
    /// Where the binding holds: from after its statement to the end of its scope.
    valid: Range<usize>,
}

/// One access to part of `event`/`context`: the key or attribute as written and the path
/// it reaches.
#[derive(Debug, Clone)]
pub struct Access {
    /// Range of the key string literal (quotes included) or the attribute name.
    pub range: Range<usize>,
    /// The path of the value accessed (its last step is this access).
    pub path: PathId,
}

/// Flow facts for one handler module.
#[derive(Debug)]
pub struct Flow {
    paths: Vec<PathNode>,
    interned: FxHashMap<(PathId, Step), PathId>,
    /// Bindings by name, each list sorted by where the binding starts to hold.
    bindings: FxHashMap<String, Vec<Binding>>,
    /// What each expression node resolved to, by node id (each is resolved once).
    resolved: FxHashMap<usize, Option<PathId>>,
    /// Every access found, in document order.
    pub accesses: Vec<Access>,
    /// Every index into a followed value (`records[0]`: the range of `0`), in document order.
    pub indexes: Vec<Access>,
    /// Function ranges analysed (the handler and the helpers it passes the event to).
    scopes: Vec<Range<usize>>,
}

const EVENT: PathId = PathId(0);
const CONTEXT: PathId = PathId(1);

impl Default for Flow {
    fn default() -> Self {
        let root = |root| PathNode {
            root,
            depth: 0,
            parent: None,
            step: None,
        };
        Flow {
            paths: vec![root(Root::Event), root(Root::Context)],
            interned: FxHashMap::default(),
            bindings: FxHashMap::default(),
            resolved: FxHashMap::default(),
            accesses: Vec::new(),
            indexes: Vec::new(),
            scopes: Vec::new(),
        }
    }
}

impl Flow {
    /// Follow `event` and `context` through `handler` and the helpers it calls.
    pub fn analyze(module: &Module, handler: &FunctionDef<'_>) -> Flow {
        let mut flow = Flow::default();
        let mut roots = Vec::new();
        if let Some(event) = handler.positional(0) {
            roots.push((event.name.to_string(), EVENT));
        }
        if let Some(context) = handler.positional(1) {
            roots.push((context.name.to_string(), CONTEXT));
        }
        let nodes = flow.analyze_function(module, handler, roots);

        // One level into the module's functions called by the handler with a followed value.
        let calls: Vec<Node<'_>> = nodes
            .iter()
            .map(|(node, _)| *node)
            .filter(|n| n.kind() == "call")
            .filter(|n| {
                n.field("function")
                    .is_some_and(|f| f.kind() == "identifier")
            })
            .collect();
        let called: FxHashSet<&str> = calls
            .iter()
            .filter_map(|n| n.field("function"))
            .map(|f| module.node_text(f))
            .filter(|name| *name != handler.name)
            .collect();
        // One pass over the module's top level for all of them; the last definition wins.
        let functions: FxHashMap<&str, FunctionDef<'_>> = module
            .top_level_functions_where(|name| called.contains(name))
            .into_iter()
            .map(|f| (f.name, f))
            .collect();
        let mut seeded: FxHashSet<&str> = FxHashSet::default();
        for node in calls {
            let Some(callee) = node.field("function") else {
                continue;
            };
            let name = module.node_text(callee);
            let Some(target) = functions.get(name) else {
                continue;
            };
            if seeded.contains(name) {
                continue;
            }
            let Some(arguments) = node.field("arguments") else {
                continue;
            };
            let mut cursor = arguments.walk();
            let positional: Vec<_> = arguments
                .named_children(&mut cursor)
                .filter(|a| a.kind() != "keyword_argument" && a.kind() != "comment")
                .collect();
            let parameters = target
                .parameters
                .iter()
                .filter(|p| p.kind == ParameterKind::Positional);
            let mut roots = Vec::new();
            for (argument, parameter) in positional.iter().zip(parameters) {
                if let Some(path) = flow.resolve(module, *argument) {
                    roots.push((parameter.name.to_string(), path));
                }
            }
            if !roots.is_empty() {
                seeded.insert(name);
                flow.analyze_function(module, target, roots);
            }
        }
        flow.accesses.sort_by_key(|a| a.range.start);
        flow.indexes.sort_by_key(|a| a.range.start);
        flow
    }

    /// Bind `roots` as the parameters of `def` and walk its body; returns the body's nodes
    /// (with their parents) in the order they were analysed.
    fn analyze_function<'m>(
        &mut self,
        module: &Module,
        def: &FunctionDef<'m>,
        roots: Vec<(String, PathId)>,
    ) -> Vec<(Node<'m>, Option<Node<'m>>)> {
        let scope = def.node.byte_range();
        self.scopes.push(scope.clone());
        for (name, path) in roots {
            self.push(&name, Some(path), def.parameters_range.end..scope.end);
        }
        let Some(body) = def.body else {
            return Vec::new();
        };
        let mut nodes = own_descendants_with_parents(body);
        let parents: FxHashMap<usize, Node<'m>> = nodes
            .iter()
            .filter_map(|(node, parent)| Some((node.id(), (*parent)?)))
            .collect();
        // Document order, except that a comprehension's `for … in …` binds before its
        // element expression, which is written first.
        nodes.sort_by_key(|(n, parent)| match (n.kind(), parent) {
            ("for_in_clause", Some(comprehension)) => comprehension.start_byte(),
            _ => n.start_byte(),
        });
        for (node, parent) in &nodes {
            self.bind(module, *node, *parent, &parents, scope.end);
            self.record_access(module, *node);
        }
        nodes
    }

    /// Record the bindings a node makes.
    fn bind(
        &mut self,
        module: &Module,
        node: Node<'_>,
        parent: Option<Node<'_>>,
        parents: &FxHashMap<usize, Node<'_>>,
        scope_end: usize,
    ) {
        match node.kind() {
            "assignment" => {
                let (Some(left), Some(right)) = (node.field("left"), node.field("right")) else {
                    return;
                };
                if left.kind() == "identifier" {
                    let path = self.resolve(module, right);
                    let from = statement_end(node, parents);
                    self.push(module.node_text(left), path, from..scope_end);
                }
            }
            "named_expression" => {
                let (Some(name), Some(value)) = (node.field("name"), node.field("value")) else {
                    return;
                };
                let path = self.resolve(module, value);
                self.push(module.node_text(name), path, node.end_byte()..scope_end);
            }
            "for_statement" | "for_in_clause" => {
                let (Some(left), Some(right)) = (node.field("left"), node.field("right")) else {
                    return;
                };
                // Loop variables hold inside the loop body; in a comprehension, inside it.
                let valid = match node.kind() {
                    "for_statement" => node.byte_range().start..scope_end,
                    _ => parent.map_or(node.byte_range(), |c| c.byte_range()),
                };
                self.bind_loop(module, left, right, valid);
            }
            _ => {}
        }
    }

    fn bind_loop(&mut self, module: &Module, left: Node<'_>, right: Node<'_>, valid: Range<usize>) {
        if left.kind() == "identifier" {
            let path = self
                .resolve(module, right)
                .map(|p| self.extend(p, Step::Item));
            self.push(module.node_text(left), path, valid);
            return;
        }
        // `for i, record in enumerate(event["Records"])`
        let is_pair = matches!(left.kind(), "pattern_list" | "tuple_pattern")
            && left.named_child_count() == 2;
        let enumerated = (right.kind() == "call")
            .then(|| right.field("function"))
            .flatten()
            .is_some_and(|f| module.node_text(f) == "enumerate");
        if is_pair && enumerated {
            let iterable = right.field("arguments").and_then(|a| a.named_child(0));
            let path = iterable
                .and_then(|i| self.resolve(module, i))
                .map(|p| self.extend(p, Step::Item));
            if let Some(item) = left.named_child(1).filter(|n| n.kind() == "identifier") {
                self.push(module.node_text(item), path, valid);
            }
        }
    }

    fn push(&mut self, name: &str, path: Option<PathId>, valid: Range<usize>) {
        let list = self.bindings.entry(name.to_string()).or_default();
        // Usually appended: bindings come in document order within a function.
        let at = list.partition_point(|b| b.valid.start <= valid.start);
        work::add(list.len() - at + 1);
        list.insert(at, Binding { path, valid });
    }

    /// Intern the path `parent` + `step`.
    fn extend(&mut self, parent: PathId, step: Step) -> PathId {
        work::add(1);
        if let Some(id) = self.interned.get(&(parent, step.clone())) {
            return *id;
        }
        let id = PathId(self.paths.len() as u32);
        self.paths.push(PathNode {
            root: self.paths[parent.index()].root,
            depth: self.paths[parent.index()].depth + 1,
            parent: Some(parent),
            step: Some(step.clone()),
        });
        self.interned.insert((parent, step), id);
        id
    }

    /// The path `base` extended by `steps`.
    pub fn extend_by(&mut self, base: PathId, steps: impl IntoIterator<Item = Step>) -> PathId {
        steps
            .into_iter()
            .fold(base, |path, step| self.extend(path, step))
    }

    /// The root of the path.
    pub fn root(&self, path: PathId) -> Root {
        self.paths[path.index()].root
    }

    /// Number of steps of the path.
    pub fn depth(&self, path: PathId) -> usize {
        self.paths[path.index()].depth as usize
    }

    /// The path `path` extends, with its last step; `None` for a root.
    pub fn parent(&self, path: PathId) -> Option<(PathId, &Step)> {
        let node = &self.paths[path.index()];
        Some((node.parent?, node.step.as_ref()?))
    }

    /// The steps of a path, from its root.
    pub fn steps(&self, path: PathId) -> Vec<Step> {
        let mut steps = Vec::new();
        let mut current = path;
        while let Some((parent, step)) = self.parent(current) {
            work::add(1);
            steps.push(step.clone());
            current = parent;
        }
        steps.reverse();
        steps
    }

    /// The path written out.
    pub fn origin(&self, path: PathId) -> Origin {
        Origin {
            root: self.root(path),
            steps: self.steps(path),
        }
    }

    /// How many paths the flow holds; every [`PathId::index`] is below it.
    pub fn path_count(&self) -> usize {
        self.paths.len()
    }

    /// The value a name holds at `offset`, if followed.
    pub fn resolve_name(&self, name: &str, offset: usize) -> Option<PathId> {
        let list = self.bindings.get(name)?;
        // The binding that starts last (at or before `offset`) among those still holding.
        let before = list.partition_point(|b| b.valid.start <= offset);
        list[..before]
            .iter()
            .rev()
            .inspect(|_| work::add(1))
            .find(|b| offset <= b.valid.end)
            .and_then(|b| b.path)
    }

    /// Whether `offset` is inside a function this flow analysed.
    pub fn covers(&self, offset: usize) -> bool {
        self.scopes
            .iter()
            .any(|s| s.start <= offset && offset <= s.end)
    }

    /// The value an expression holds, if it is part of `event` or `context`. Iterative:
    /// a chain thousands of subscripts deep walks down once and resolves on the way back.
    fn resolve(&mut self, module: &Module, node: Node<'_>) -> Option<PathId> {
        let mut chain = Vec::new();
        let mut current = node;
        let mut path = loop {
            work::add(1);
            if let Some(known) = self.resolved.get(&current.id()) {
                break *known;
            }
            match inner(module, current) {
                Inner::Name(name) => {
                    let found = self.resolve_name(name, current.start_byte());
                    self.resolved.insert(current.id(), found);
                    break found;
                }
                Inner::Through(next) => {
                    chain.push(current);
                    current = next;
                }
                Inner::Nothing => {
                    self.resolved.insert(current.id(), None);
                    break None;
                }
            }
        };
        // Back up the chain: each node adds its own step to its inner node's path.
        for node in chain.into_iter().rev() {
            path = match path {
                Some(base) => match outer_step(module, node) {
                    OuterStep::Same => Some(base),
                    OuterStep::Step(step) => Some(self.extend(base, step)),
                    OuterStep::Lost => None,
                },
                None => None,
            };
            self.resolved.insert(node.id(), path);
        }
        path
    }

    /// Record `node` as an access when it reads a key or attribute of a followed value.
    fn record_access(&mut self, module: &Module, node: Node<'_>) {
        if node.kind() == "subscript" {
            let index = node
                .field("subscript")
                .filter(|s| !matches!(s.kind(), "string" | "slice"));
            if let Some(index) = index {
                if let Some(path) = self.resolve(module, node) {
                    self.indexes.push(Access {
                        range: index.byte_range(),
                        path,
                    });
                }
                return;
            }
        }
        let range = match node.kind() {
            "subscript" => node
                .field("subscript")
                .filter(|s| s.kind() == "string")
                .map(|s| s.byte_range()),
            "call" => node
                .field("function")
                .filter(|f| f.kind() == "attribute")
                .filter(|f| {
                    f.field("attribute")
                        .is_some_and(|a| module.node_text(a) == "get")
                })
                .and_then(|_| node.field("arguments")?.named_child(0))
                .filter(|k| k.kind() == "string")
                .map(|k| k.byte_range()),
            "attribute" => {
                // `context.get_remaining_time_in_millis()` is an attribute too; `x.get` of
                // `x.get("k")` is recorded as the key it reads (the `call` above).
                node.field("attribute")
                    .filter(|a| module.node_text(*a) != "get")
                    .map(|a| a.byte_range())
            }
            _ => None,
        };
        let Some(range) = range else { return };
        if let Some(path) = self.resolve(module, node) {
            self.accesses.push(Access { range, path });
        }
    }
}

/// What an expression is built on, for [`Flow::resolve`].
enum Inner<'m, 'n> {
    /// A name: look it up.
    Name(&'m str),
    /// Another expression, whose path this one extends (or keeps).
    Through(Node<'n>),
    /// Not something the flow follows.
    Nothing,
}

fn inner<'m, 'n>(module: &'m Module, node: Node<'n>) -> Inner<'m, 'n> {
    let through = |next: Option<Node<'n>>| next.map_or(Inner::Nothing, Inner::Through);
    match node.kind() {
        "identifier" => Inner::Name(module.node_text(node)),
        "parenthesized_expression" => through(node.named_child(0)),
        // `event.get("k") or {}`: the left side's value.
        "boolean_operator" => match node.field("operator") {
            Some(operator) if module.node_text(operator) == "or" => through(node.field("left")),
            _ => Inner::Nothing,
        },
        "subscript" => through(node.field("value")),
        "call" => {
            through(get_call_key(module, node).and_then(|(function, _)| function.field("object")))
        }
        "attribute" => through(node.field("object")),
        _ => Inner::Nothing,
    }
}

/// What an expression adds to the path of the expression it is built on.
enum OuterStep {
    /// Nothing: the same value (`(x)`, `x or {}`, `x[1:]`).
    Same,
    Step(Step),
    /// Something the flow cannot follow (`x[f"{k}"]`, `.get(name)`).
    Lost,
}

fn outer_step(module: &Module, node: Node<'_>) -> OuterStep {
    match node.kind() {
        "parenthesized_expression" | "boolean_operator" => OuterStep::Same,
        "subscript" => {
            let Some(index) = node.field("subscript") else {
                return OuterStep::Lost;
            };
            match index.kind() {
                "string" => string_value(module, index).map_or(OuterStep::Lost, |k| {
                    OuterStep::Step(Step::Key(k.to_string()))
                }),
                "slice" => OuterStep::Same,
                "integer" | "identifier" | "unary_operator" | "binary_operator" | "attribute"
                | "call" => OuterStep::Step(Step::Index),
                _ => OuterStep::Lost,
            }
        }
        "call" => match get_call_key(module, node).and_then(|(_, key)| string_value(module, key)) {
            Some(key) => OuterStep::Step(Step::Key(key.to_string())),
            None => OuterStep::Lost,
        },
        "attribute" => match node.field("attribute") {
            Some(name) => OuterStep::Step(Step::Attribute(module.node_text(name).to_string())),
            None => OuterStep::Lost,
        },
        _ => OuterStep::Lost,
    }
}

/// For `x.get(key, …)`: the `x.get` attribute node and the key argument.
fn get_call_key<'n>(module: &Module, call: Node<'n>) -> Option<(Node<'n>, Node<'n>)> {
    let function = call.field("function")?;
    if function.kind() != "attribute" || module.node_text(function.field("attribute")?) != "get" {
        return None;
    }
    let key = call.field("arguments")?.named_child(0)?;
    Some((function, key))
}

/// End of the statement holding `node` (a binding holds from there on, so that
/// `x = x["a"]` resolves its right side with the old `x`).
fn statement_end(node: Node<'_>, parents: &FxHashMap<usize, Node<'_>>) -> usize {
    let mut current = node;
    while let Some(parent) = parents.get(&current.id()) {
        work::add(1);
        if parent.kind() == "expression_statement" {
            return parent.end_byte();
        }
        if parent.kind() == "block" || parent.kind() == "module" {
            break;
        }
        current = *parent;
    }
    node.end_byte()
}

/// A chain of accesses written as text: `record["s3"]["bucket"]`, `event.get('a', {})`,
/// `context.identity`. Used where the tree is broken because the user is mid-typing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextChain {
    pub base: String,
    pub steps: Vec<Step>,
}

/// Parse the access chain that ends exactly at the end of `text` (the text before the
/// cursor up to the chain's end). Returns `None` when the text does not end in one.
pub fn chain_before(text: &str) -> Option<TextChain> {
    let bytes = text.as_bytes();
    let mut end = bytes.len();
    let mut steps = Vec::new();
    loop {
        match bytes[..end].last()? {
            b']' => {
                // `[ "key" ]` or `[ 0 ]`
                let open = matching_open(&text[..end], b'[', b']')?;
                let inner = text[open + 1..end - 1].trim();
                steps.push(literal_step(inner)?);
                end = open;
            }
            b')' => {
                // `.get("key")` or `.get("key", default)`
                let open = matching_open(&text[..end], b'(', b')')?;
                let before = &text[..open];
                let object_end = before.strip_suffix(".get").map(str::len)?;
                let first = split_first_argument(&text[open + 1..end - 1])?;
                match literal_step(first.trim())? {
                    Step::Key(key) => steps.push(Step::Key(key)),
                    _ => return None,
                }
                end = object_end;
            }
            _ => {
                let start = text[..end]
                    .char_indices()
                    .rev()
                    .take_while(|(_, c)| c.is_alphanumeric() || *c == '_')
                    .last()
                    .map(|(i, _)| i)?;
                let name = &text[start..end];
                if name.chars().next()?.is_ascii_digit() {
                    return None;
                }
                if start > 0 && bytes[start - 1] == b'.' {
                    steps.push(Step::Attribute(name.to_string()));
                    end = start - 1;
                    continue;
                }
                steps.reverse();
                return Some(TextChain {
                    base: name.to_string(),
                    steps,
                });
            }
        }
    }
}

fn literal_step(inner: &str) -> Option<Step> {
    if let Some(quote) = inner.chars().next().filter(|c| *c == '"' || *c == '\'') {
        let body = inner.strip_prefix(quote)?.strip_suffix(quote)?;
        if body.contains(quote) || body.contains('\\') {
            return None;
        }
        return Some(Step::Key(body.to_string()));
    }
    let is_index = !inner.is_empty()
        && (inner
            .trim_start_matches('-')
            .chars()
            .all(|c| c.is_ascii_digit())
            || inner.chars().all(|c| c.is_alphanumeric() || c == '_'));
    is_index.then_some(Step::Index)
}

/// The first argument of an argument list's text (`"k", {}` → `"k"`).
fn split_first_argument(arguments: &str) -> Option<&str> {
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    for (i, c) in arguments.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '(' | '[' | '{') => depth += 1,
            (None, ')' | ']' | '}') => depth -= 1,
            (None, ',') if depth == 0 => return Some(&arguments[..i]),
            _ => {}
        }
    }
    Some(arguments)
}

/// Offset of the bracket that opens the group closed by the last byte of `text`.
fn matching_open(text: &str, open: u8, close: u8) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0;
    let mut quote: Option<u8> = None;
    for i in (0..bytes.len()).rev() {
        let b = bytes[i];
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'"' || b == b'\'' => quote = Some(b),
            None if b == close => depth += 1,
            None if b == open => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            None => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(k: &str) -> Step {
        Step::Key(k.to_string())
    }

    /// The origins of every access, as `root/step/step` strings.
    fn accesses(src: &str) -> Vec<String> {
        let module = Module::parse(src);
        let handler = module.top_level_function("lambda_handler").unwrap();
        let flow = Flow::analyze(&module, &handler);
        flow.accesses
            .iter()
            .map(|a| {
                let origin = flow.origin(a.path);
                let mut path = format!("{:?}", origin.root);
                for step in &origin.steps {
                    path.push('/');
                    path.push_str(&match step {
                        Step::Key(k) => k.clone(),
                        Step::Item => "[]".to_string(),
                        Step::Index => "[i]".to_string(),
                        Step::Attribute(a) => format!(".{a}"),
                    });
                }
                format!("{}={path}", &src[a.range.clone()])
            })
            .collect()
    }

    #[test]
    fn subscripts_gets_loops_and_assignments() {
        let src = r#"
def lambda_handler(event, context):
    for record in event["Records"]:
        s3 = record["s3"]
        name = s3.get("bucket", {}).get('name')
    first = event["Records"][0]
    body = json.loads(first["body"])
    body["anything"]
    return context.aws_request_id
"#;
        assert_eq!(
            accesses(src),
            vec![
                "\"Records\"=Event/Records",
                "\"s3\"=Event/Records/[]/s3",
                "\"bucket\"=Event/Records/[]/s3/bucket",
                "'name'=Event/Records/[]/s3/bucket/name",
                "\"Records\"=Event/Records",
                "\"body\"=Event/Records/[i]/body",
                "aws_request_id=Context/.aws_request_id",
            ]
        );
    }

    #[test]
    fn comprehensions_enumerate_walrus_and_or() {
        let src = r#"
def lambda_handler(event, context):
    keys = [r["s3"]["object"]["key"] for r in event["Records"]]
    for i, rec in enumerate(event["Records"]):
        rec["eventName"]
    if (qs := event.get("queryStringParameters") or {}):
        qs["a"]
    client = context.client_context.client
    client.app_title
"#;
        let found = accesses(src);
        assert!(
            found.contains(&"\"key\"=Event/Records/[]/s3/object/key".to_string()),
            "{found:?}"
        );
        assert!(found.contains(&"\"eventName\"=Event/Records/[]/eventName".to_string()));
        assert!(found.contains(&"\"a\"=Event/queryStringParameters/a".to_string()));
        assert!(
            found.contains(&"app_title=Context/.client_context/.client/.app_title".to_string()),
            "{found:?}"
        );
    }

    #[test]
    fn one_level_into_called_helpers() {
        let src = r#"
def process(record, verbose=False):
    return record["s3"]["bucket"]["name"]

def unrelated(x):
    return x["s3"]

def lambda_handler(event, context):
    for record in event["Records"]:
        process(record)
"#;
        let found = accesses(src);
        assert!(
            found.contains(&"\"name\"=Event/Records/[]/s3/bucket/name".to_string()),
            "{found:?}"
        );
        assert_eq!(
            found.iter().filter(|a| a.starts_with("\"s3\"")).count(),
            1,
            "{found:?}"
        );
    }

    #[test]
    fn rebinding_to_something_else_stops_following() {
        let src = "def lambda_handler(event, context):\n    event = {}\n    event['x']\n";
        assert!(accesses(src).is_empty());
    }

    #[test]
    fn chains_before_the_cursor() {
        assert_eq!(
            chain_before("x = event[\"Records\"][0][\"s3\"]"),
            Some(TextChain {
                base: "event".into(),
                steps: vec![key("Records"), Step::Index, key("s3")]
            })
        );
        assert_eq!(
            chain_before("    y = record.get('s3', {}).get(\"bucket\")"),
            Some(TextChain {
                base: "record".into(),
                steps: vec![key("s3"), key("bucket")]
            })
        );
        assert_eq!(
            chain_before("print(context.identity"),
            Some(TextChain {
                base: "context".into(),
                steps: vec![Step::Attribute("identity".into())]
            })
        );
        assert_eq!(
            chain_before("event"),
            Some(TextChain {
                base: "event".into(),
                steps: vec![]
            })
        );
        assert_eq!(chain_before("f(x)"), None);
        assert_eq!(chain_before("a[b + 1]"), None);
    }
}
