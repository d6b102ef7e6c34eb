//! The small data-flow that follows `event` and `context` through a handler: which
//! expressions hold which part of them. `event["Records"][0]["s3"]`, `.get("k")` and
//! `.get("k", {})` chains, `x or {}`, loops (`for record in event["Records"]`, also with
//! `enumerate`), comprehensions, walrus and plain assignments to local names, and one level
//! into the module's functions that the handler calls with part of the event.
//!
//! It knows nothing of event shapes: it answers with paths (`Records`, item, `s3`) that
//! the catalog then looks up.

use std::collections::HashSet;
use std::ops::Range;

use tree_sitter::Node;

use super::{own_descendants, string_value, FunctionDef, Module, ParameterKind};

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
    /// An element of a list (`[0]`, `[i]`, iteration).
    Item,
    /// An attribute (`context.identity`).
    Attribute(String),
}

/// A path from `event` or `context`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Origin {
    pub root: Root,
    pub steps: Vec<Step>,
}

impl Origin {
    fn then(&self, step: Step) -> Origin {
        let mut steps = self.steps.clone();
        steps.push(step);
        Origin {
            root: self.root,
            steps,
        }
    }
}

/// A name bound to a value (or to something unknown: `None` shadows older bindings).
#[derive(Debug, Clone)]
struct Binding {
    name: String,
    origin: Option<Origin>,
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
    pub origin: Origin,
}

/// Flow facts for one handler module.
#[derive(Debug, Default)]
pub struct Flow {
    bindings: Vec<Binding>,
    /// Every access found, in document order.
    pub accesses: Vec<Access>,
    /// Function ranges analysed (the handler and the helpers it passes the event to).
    scopes: Vec<Range<usize>>,
}

impl Flow {
    /// Follow `event` and `context` through `handler` and the helpers it calls.
    pub fn analyze(module: &Module, handler: &FunctionDef<'_>) -> Flow {
        let mut flow = Flow::default();
        let mut roots = Vec::new();
        if let Some(event) = handler.positional(0) {
            roots.push((
                event.name.to_string(),
                Origin {
                    root: Root::Event,
                    steps: vec![],
                },
            ));
        }
        if let Some(context) = handler.positional(1) {
            roots.push((
                context.name.to_string(),
                Origin {
                    root: Root::Context,
                    steps: vec![],
                },
            ));
        }
        flow.analyze_function(module, handler, roots);

        // One level into the module's functions called by the handler with a followed value.
        let Some(body) = handler.body else {
            return flow;
        };
        let calls: Vec<Node<'_>> = own_descendants(body)
            .into_iter()
            .filter(|n| n.kind() == "call")
            .filter(|n| {
                n.child_by_field_name("function")
                    .is_some_and(|f| f.kind() == "identifier")
            })
            .collect();
        let called: HashSet<&str> = calls
            .iter()
            .filter_map(|n| n.child_by_field_name("function"))
            .map(|f| module.node_text(f))
            .filter(|name| *name != handler.name)
            .collect();
        // One pass over the module's top level for all of them.
        let functions = module.top_level_functions_where(|name| called.contains(name));
        let mut seeded: Vec<&str> = Vec::new();
        for node in calls {
            let Some(callee) = node.child_by_field_name("function") else {
                continue;
            };
            let name = module.node_text(callee);
            let Some(target) = functions.iter().rfind(|f| f.name == name) else {
                continue;
            };
            if seeded.contains(&name) {
                continue;
            }
            let Some(arguments) = node.child_by_field_name("arguments") else {
                continue;
            };
            let mut cursor = arguments.walk();
            let positional: Vec<_> = arguments
                .named_children(&mut cursor)
                .filter(|a| a.kind() != "keyword_argument" && a.kind() != "comment")
                .collect();
            let parameters: Vec<_> = target
                .parameters
                .iter()
                .filter(|p| p.kind == ParameterKind::Positional)
                .collect();
            let mut roots = Vec::new();
            for (argument, parameter) in positional.iter().zip(parameters) {
                if let Some(origin) = flow.resolve(module, *argument) {
                    roots.push((parameter.name.to_string(), origin));
                }
            }
            if !roots.is_empty() {
                seeded.push(name);
                flow.analyze_function(module, target, roots);
            }
        }
        flow
    }

    fn analyze_function(
        &mut self,
        module: &Module,
        def: &FunctionDef<'_>,
        roots: Vec<(String, Origin)>,
    ) {
        let scope = def.node.byte_range();
        self.scopes.push(scope.clone());
        for (name, origin) in roots {
            self.bindings.push(Binding {
                name,
                origin: Some(origin),
                valid: def.parameters_range.end..scope.end,
            });
        }
        // Other parameters shadow nothing we follow but must not resolve to outer names.
        let Some(body) = def.body else { return };
        let mut nodes = own_descendants(body);
        // Document order, except that a comprehension's `for … in …` binds before its
        // element expression, which is written first.
        nodes.sort_by_key(|n| match n.kind() {
            "for_in_clause" => n.parent().map_or(n.start_byte(), |c| c.start_byte()),
            _ => n.start_byte(),
        });
        for node in nodes {
            self.bind(module, node, scope.end);
            self.record_access(module, node);
        }
        self.accesses.sort_by_key(|a| a.range.start);
    }

    /// Record the bindings a node makes.
    fn bind(&mut self, module: &Module, node: Node<'_>, scope_end: usize) {
        match node.kind() {
            "assignment" => {
                let (Some(left), Some(right)) = (
                    node.child_by_field_name("left"),
                    node.child_by_field_name("right"),
                ) else {
                    return;
                };
                if left.kind() == "identifier" {
                    let origin = self.resolve(module, right);
                    let from = statement_end(node);
                    self.push(module.node_text(left), origin, from..scope_end);
                }
            }
            "named_expression" => {
                let (Some(name), Some(value)) = (
                    node.child_by_field_name("name"),
                    node.child_by_field_name("value"),
                ) else {
                    return;
                };
                let origin = self.resolve(module, value);
                self.push(module.node_text(name), origin, node.end_byte()..scope_end);
            }
            "for_statement" | "for_in_clause" => {
                let (Some(left), Some(right)) = (
                    node.child_by_field_name("left"),
                    node.child_by_field_name("right"),
                ) else {
                    return;
                };
                // Loop variables hold inside the loop body; in a comprehension, inside it.
                let valid = match node.kind() {
                    "for_statement" => node.byte_range().start..scope_end,
                    _ => node.parent().map_or(node.byte_range(), |c| c.byte_range()),
                };
                self.bind_loop(module, left, right, valid);
            }
            _ => {}
        }
    }

    fn bind_loop(&mut self, module: &Module, left: Node<'_>, right: Node<'_>, valid: Range<usize>) {
        if left.kind() == "identifier" {
            let origin = self.resolve(module, right).map(|o| o.then(Step::Item));
            self.push(module.node_text(left), origin, valid);
            return;
        }
        // `for i, record in enumerate(event["Records"])`
        let is_pair = matches!(left.kind(), "pattern_list" | "tuple_pattern")
            && left.named_child_count() == 2;
        let enumerated = (right.kind() == "call")
            .then(|| right.child_by_field_name("function"))
            .flatten()
            .is_some_and(|f| module.node_text(f) == "enumerate");
        if is_pair && enumerated {
            let iterable = right
                .child_by_field_name("arguments")
                .and_then(|a| a.named_child(0));
            let origin = iterable
                .and_then(|i| self.resolve(module, i))
                .map(|o| o.then(Step::Item));
            if let Some(item) = left.named_child(1).filter(|n| n.kind() == "identifier") {
                self.push(module.node_text(item), origin, valid);
            }
        }
    }

    fn push(&mut self, name: &str, origin: Option<Origin>, valid: Range<usize>) {
        self.bindings.push(Binding {
            name: name.to_string(),
            origin,
            valid,
        });
    }

    /// The value a name holds at `offset`, if followed.
    pub fn resolve_name(&self, name: &str, offset: usize) -> Option<Origin> {
        self.bindings
            .iter()
            .filter(|b| b.name == name && b.valid.start <= offset && offset <= b.valid.end)
            .max_by_key(|b| b.valid.start)
            .and_then(|b| b.origin.clone())
    }

    /// Whether `offset` is inside a function this flow analysed.
    pub fn covers(&self, offset: usize) -> bool {
        self.scopes
            .iter()
            .any(|s| s.start <= offset && offset <= s.end)
    }

    /// The value an expression holds, if it is part of `event` or `context`.
    pub fn resolve(&self, module: &Module, node: Node<'_>) -> Option<Origin> {
        match node.kind() {
            "identifier" => self.resolve_name(module.node_text(node), node.start_byte()),
            "parenthesized_expression" => self.resolve(module, node.named_child(0)?),
            "boolean_operator" => {
                // `event.get("k") or {}`: the left side's shape.
                let operator = node.child_by_field_name("operator")?;
                if module.node_text(operator) != "or" {
                    return None;
                }
                self.resolve(module, node.child_by_field_name("left")?)
            }
            "subscript" => {
                let base = self.resolve(module, node.child_by_field_name("value")?)?;
                let index = node.child_by_field_name("subscript")?;
                match index.kind() {
                    "string" => {
                        Some(base.then(Step::Key(string_value(module, index)?.to_string())))
                    }
                    "slice" => Some(base),
                    "integer" | "identifier" | "unary_operator" | "binary_operator"
                    | "attribute" | "call" => Some(base.then(Step::Item)),
                    _ => None,
                }
            }
            "call" => {
                let function = node.child_by_field_name("function")?;
                if function.kind() != "attribute" {
                    return None;
                }
                let method = module.node_text(function.child_by_field_name("attribute")?);
                if method != "get" {
                    return None;
                }
                let base = self.resolve(module, function.child_by_field_name("object")?)?;
                let key = node.child_by_field_name("arguments")?.named_child(0)?;
                Some(base.then(Step::Key(string_value(module, key)?.to_string())))
            }
            "attribute" => {
                let base = self.resolve(module, node.child_by_field_name("object")?)?;
                if base.root != Root::Context {
                    return None; // attributes of a dict are methods, not data
                }
                let name = module.node_text(node.child_by_field_name("attribute")?);
                Some(base.then(Step::Attribute(name.to_string())))
            }
            _ => None,
        }
    }

    /// Record `node` as an access when it reads a key or attribute of a followed value.
    fn record_access(&mut self, module: &Module, node: Node<'_>) {
        let range = match node.kind() {
            "subscript" => node
                .child_by_field_name("subscript")
                .filter(|s| s.kind() == "string")
                .map(|s| s.byte_range()),
            "call" => node
                .child_by_field_name("function")
                .filter(|f| f.kind() == "attribute")
                .filter(|f| {
                    f.child_by_field_name("attribute")
                        .is_some_and(|a| module.node_text(a) == "get")
                })
                .and_then(|_| node.child_by_field_name("arguments")?.named_child(0))
                .filter(|k| k.kind() == "string")
                .map(|k| k.byte_range()),
            "attribute" => {
                // `context.get_remaining_time_in_millis()` is an attribute too.
                node.child_by_field_name("attribute")
                    .map(|a| a.byte_range())
            }
            _ => None,
        };
        let Some(range) = range else { return };
        if let Some(origin) = self.resolve(module, node) {
            self.accesses.push(Access { range, origin });
        }
    }
}

/// End of the statement holding `node` (a binding holds from there on, so that
/// `x = x["a"]` resolves its right side with the old `x`).
fn statement_end(node: Node<'_>) -> usize {
    let mut current = node;
    while let Some(parent) = current.parent() {
        if parent.kind() == "expression_statement" {
            return parent.end_byte();
        }
        if parent.kind() == "block" || parent.kind() == "module" {
            break;
        }
        current = parent;
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
    is_index.then_some(Step::Item)
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
                let mut path = format!("{:?}", a.origin.root);
                for step in &a.origin.steps {
                    path.push('/');
                    path.push_str(&match step {
                        Step::Key(k) => k.clone(),
                        Step::Item => "[]".to_string(),
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
                "\"body\"=Event/Records/[]/body",
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
                steps: vec![key("Records"), Step::Item, key("s3")]
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
