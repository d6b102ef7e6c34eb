//! Python source: tree-sitter parsing, incremental reparse, and the facts the checks need
//! about a module (its functions, their parameters, imports).

pub mod flow;
mod segments;

/// A count of the analyses' elementary steps (syntax nodes visited, bindings compared, path
/// steps built, shape steps looked up), kept by tests only: the proof that every analysis
/// stays near-linear in the size of the file is that this count does
/// (`analysis::scaling_tests`). Outside tests, `add` compiles to nothing.
pub(crate) mod work {
    #[cfg(test)]
    thread_local! {
        static STEPS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
    }

    /// Count `steps` units of work.
    #[inline(always)]
    pub(crate) fn add(steps: usize) {
        #[cfg(test)]
        STEPS.with(|s| s.set(s.get() + steps as u64));
        #[cfg(not(test))]
        let _ = steps;
    }

    /// The steps counted on this thread since the last call.
    #[cfg(test)]
    pub(crate) fn take() -> u64 {
        STEPS.with(|s| s.replace(0))
    }
}

use std::cell::RefCell;
use std::ops::Range;

use tree_sitter::{Node, Parser};

use segments::Segments;

thread_local! {
    // A parser is cheap to keep and not `Sync`: one per thread.
    static PARSER: RefCell<Parser> = RefCell::new({
        let mut parser = Parser::new();
        parser
            .set_language(&tree_sitter_python::LANGUAGE.into())
            .expect("the bundled Python grammar matches the tree-sitter version");
        parser
    });
}

/// A child by field name, looked up by the field's id: tree-sitter's own lookup by name
/// compares the name with every field's name in turn, which took a fifth of a check's time
/// on a large module.
pub trait Field<'t> {
    fn field(&self, name: &'static str) -> Option<Node<'t>>;
}

impl<'t> Field<'t> for Node<'t> {
    fn field(&self, name: &'static str) -> Option<Node<'t>> {
        let id = field_id(name);
        debug_assert!(id.is_some(), "the Python grammar has no field `{name}`");
        self.child_by_field_id(id?.get())
    }
}

/// The id of a field of the Python grammar (`None`: no such field).
fn field_id(name: &str) -> Option<std::num::NonZeroU16> {
    static IDS: std::sync::OnceLock<rustc_hash::FxHashMap<&'static str, std::num::NonZeroU16>> =
        std::sync::OnceLock::new();
    IDS.get_or_init(|| {
        let language: tree_sitter::Language = tree_sitter_python::LANGUAGE.into();
        (1..=language.field_count() as u16)
            .filter_map(|id| {
                Some((
                    language.field_name_for_id(id)?,
                    std::num::NonZeroU16::new(id)?,
                ))
            })
            .collect()
    })
    .get(name)
    .copied()
}

/// A Python module's text and its syntax trees, kept in step edit by edit: one tree per
/// segment of consecutive top-level statements, so that an edit reparses its segment only
/// (see [`segments`]).
#[derive(Clone)]
pub struct Module {
    text: String,
    segments: Segments,
    /// The top-level functions, found once per version: the checks of one keystroke look
    /// functions up by name many times, and a module can hold thousands.
    top_level: std::sync::OnceLock<Vec<TopLevelDef>>,
}

/// Where a top-level function is defined.
#[derive(Clone, Debug)]
struct TopLevelDef {
    name: Range<usize>,
    /// The `function_definition` node's bytes.
    node: Range<usize>,
    decorated: bool,
}

impl std::fmt::Debug for Module {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Module")
            .field("len", &self.text.len())
            .field("segments", &self.segments.list.len())
            .finish()
    }
}

impl Module {
    /// Parse a whole module.
    pub fn parse(text: impl Into<String>) -> Self {
        let text = text.into();
        let segments = PARSER.with(|parser| Segments::parse(&mut parser.borrow_mut(), &text));
        Module {
            text,
            segments,
            top_level: Default::default(),
        }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// The root (`module`) node of each segment, in order: their children are the
    /// module's top-level statements and comments.
    pub fn roots(&self) -> impl Iterator<Item = Node<'_>> + '_ {
        self.segments.list.iter().map(|s| s.tree.root_node())
    }

    /// The module's top-level statements (and comments), in order.
    pub fn statements(&self) -> impl Iterator<Item = Node<'_>> + '_ {
        self.roots().flat_map(|root| {
            let mut cursor = root.walk();
            root.children(&mut cursor).collect::<Vec<_>>()
        })
    }

    /// Whether the parser found a syntax error anywhere.
    pub fn has_error(&self) -> bool {
        self.roots().any(|root| root.has_error())
    }

    /// Replace `range` (byte offsets on character boundaries, clamped to the text) with
    /// `new_text`, then reparse the segments it touches.
    pub fn edit(&mut self, range: Range<usize>, new_text: &str) {
        self.top_level = Default::default();
        PARSER.with(|parser| {
            self.segments
                .edit(&mut parser.borrow_mut(), &mut self.text, range, new_text)
        })
    }

    /// The syntax tree's structure (tree-sitter's S-expression of each segment), for tests.
    #[cfg(test)]
    pub fn to_sexp(&self) -> String {
        self.roots()
            .map(|r| r.to_sexp())
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The source text of a node.
    pub fn node_text(&self, node: Node<'_>) -> &str {
        &self.text[node.byte_range()]
    }

    /// Functions defined anywhere in the module, outermost first.
    pub fn functions(&self) -> Vec<FunctionDef<'_>> {
        let mut found = Vec::new();
        for root in self.roots() {
            collect_functions(self, root, Scope::Module, &mut found);
        }
        found.sort_by_key(|f| f.node.start_byte());
        found
    }

    /// Functions defined at module level (also inside top-level `if`/`try` blocks), without
    /// walking into function or class bodies: cheap even on very large modules.
    pub fn top_level_functions(&self) -> Vec<FunctionDef<'_>> {
        self.top_level_functions_where(|_| true)
    }

    /// The top-level functions whose name `wanted` accepts, without building the others
    /// (this runs on every keystroke, in modules with thousands of functions).
    pub fn top_level_functions_where(&self, wanted: impl Fn(&str) -> bool) -> Vec<FunctionDef<'_>> {
        self.top_level_defs()
            .iter()
            .filter(|def| wanted(&self.text[def.name.clone()]))
            .filter_map(|def| {
                let segment = self
                    .segments
                    .list
                    .partition_point(|s| s.start <= def.node.start)
                    - 1;
                let node = self.segments.list[segment]
                    .tree
                    .root_node()
                    .descendant_for_byte_range(def.node.start, def.node.end)
                    .filter(|n| n.kind() == "function_definition")?;
                let decorators = match node.parent() {
                    Some(parent) if def.decorated => decorators(self, parent),
                    _ => Vec::new(),
                };
                function_def(self, node, Scope::Module, decorators)
            })
            .collect()
    }

    /// The top-level functions in order: those at module level, also inside top-level
    /// `if`/`try`/`with` blocks (still module attributes), not inside functions or classes.
    fn top_level_defs(&self) -> &[TopLevelDef] {
        self.top_level.get_or_init(|| {
            let mut found = Vec::new();
            let mut blocks: Vec<Node<'_>> = self.roots().collect();
            while let Some(block) = blocks.pop() {
                let mut cursor = block.walk();
                for child in block.named_children(&mut cursor) {
                    let (definition, decorated) = match child.kind() {
                        "function_definition" => (child, false),
                        "decorated_definition" => match child.field("definition") {
                            Some(d) if d.kind() == "function_definition" => (d, true),
                            _ => continue,
                        },
                        "if_statement" | "try_statement" | "with_statement" | "block"
                        | "else_clause" | "elif_clause" | "except_clause" | "finally_clause" => {
                            blocks.push(child);
                            continue;
                        }
                        _ => continue,
                    };
                    if let Some(name) = definition.field("name") {
                        found.push(TopLevelDef {
                            name: name.byte_range(),
                            node: definition.byte_range(),
                            decorated,
                        });
                    }
                }
            }
            found.sort_by_key(|def| def.node.start);
            found
        })
    }

    /// The top-level function called `name` (the last definition wins, as in Python).
    pub fn top_level_function(&self, name: &str) -> Option<FunctionDef<'_>> {
        self.top_level_functions_where(|n| n == name).pop()
    }

    /// Byte offset just after the module's leading docstring, `__future__` and other
    /// top-level imports: where module-level setup code belongs.
    pub fn after_imports(&self) -> usize {
        let mut offset = 0;
        let statements = self.statements().filter(|n| n.is_named());
        for (index, child) in statements.enumerate() {
            let is_docstring = index == 0
                && child.kind() == "expression_statement"
                && child.named_child(0).is_some_and(|n| n.kind() == "string");
            let is_import = matches!(
                child.kind(),
                "import_statement" | "import_from_statement" | "future_import_statement"
            );
            if is_docstring || is_import {
                offset = child.end_byte();
            } else if child.kind() != "comment" {
                break;
            }
        }
        offset
    }

    /// Byte offset at the start of the line after the module's header: leading comments
    /// (shebang, encoding, licence), the docstring and `from __future__` imports, which
    /// Python requires before any other statement. Where a new `import` line goes (the
    /// end of the text when the header ends it without a newline).
    pub fn after_header(&self) -> usize {
        let mut end = 0;
        let mut seen_statement = false;
        for child in self.statements().filter(|n| n.is_named()) {
            match child.kind() {
                // Comments between header statements stay where they are.
                "comment" if seen_statement => continue,
                "comment" => {}
                "future_import_statement" => seen_statement = true,
                "expression_statement"
                    if !seen_statement
                        && child.named_child(0).is_some_and(|n| n.kind() == "string") =>
                {
                    seen_statement = true
                }
                _ => break,
            }
            end = child.end_byte();
        }
        if end == 0 {
            return 0;
        }
        self.text[end..]
            .find('\n')
            .map_or(self.text.len(), |i| end + i + 1)
    }

    /// Whether the module imports `name` at top level (`import os`, `import os.path`).
    pub fn imports_module(&self, name: &str) -> bool {
        let found = self.statements().any(|child| {
            child.kind() == "import_statement" && {
                let mut c = child.walk();
                let any = child.named_children(&mut c).any(|n| {
                    let dotted = match n.kind() {
                        "aliased_import" => n.field("name"),
                        _ => Some(n),
                    };
                    dotted
                        .is_some_and(|d| self.node_text(d) == name && n.kind() != "aliased_import")
                });
                any
            }
        });
        found
    }

    /// Where a name bound by a top-level `from M import N [as name]` comes from: `(M, N)`.
    pub fn imported_name(&self, name: &str) -> Option<(&str, &str)> {
        let statements: Vec<Node<'_>> = self
            .statements()
            .filter(|n| n.kind() == "import_from_statement")
            .collect();
        // The last import of the name wins, as in Python.
        statements.into_iter().rev().find_map(|statement| {
            let module = self.node_text(statement.field("module_name")?);
            let mut cursor = statement.walk();
            let found = statement
                .children_by_field_id(field_id("name").expect("a Python field"), &mut cursor)
                .find_map(|imported| match imported.kind() {
                    "aliased_import" => {
                        let alias = imported.field("alias")?;
                        let original = imported.field("name")?;
                        (self.node_text(alias) == name).then(|| self.node_text(original))
                    }
                    _ => (self.node_text(imported) == name).then(|| self.node_text(imported)),
                });
            found.map(|original| (module, original))
        })
    }

    /// Ranges of syntax errors and missing tokens, for diagnostics.
    pub fn syntax_errors(&self) -> Vec<SyntaxError> {
        let mut errors = Vec::new();
        for root in self.roots().filter(|root| root.has_error()) {
            collect_errors(root, &mut errors);
        }
        errors
    }
}

/// A syntax problem found by the parser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub range: Range<usize>,
    /// The token the parser expected, when one was missing.
    pub missing: Option<String>,
}

fn collect_errors(root: Node<'_>, errors: &mut Vec<SyntaxError>) {
    // Iterative, in document order: broken code can nest thousands deep.
    let mut pending = vec![root];
    while let Some(node) = pending.pop() {
        if node.is_missing() {
            errors.push(SyntaxError {
                range: node.start_byte()..node.end_byte(),
                missing: Some(node.kind().to_string()),
            });
            continue;
        }
        if node.is_error() {
            errors.push(SyntaxError {
                range: node.byte_range(),
                missing: None,
            });
            continue;
        }
        let mut cursor = node.walk();
        let first = pending.len();
        pending.extend(
            node.children(&mut cursor)
                .filter(|child| child.has_error() || child.is_missing()),
        );
        pending[first..].reverse();
    }
}

/// Where a function is defined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// At module level (also inside a top-level `if`/`try`: still a module attribute).
    Module,
    /// Inside a class body.
    Class,
    /// Inside another function.
    Function,
}

/// A `def` (or `async def`) with the facts the checks need.
#[derive(Debug, Clone)]
pub struct FunctionDef<'m> {
    pub node: Node<'m>,
    pub name: &'m str,
    pub name_range: Range<usize>,
    pub scope: Scope,
    pub is_async: bool,
    /// Range of `async` keyword through the name, for async diagnostics.
    pub header_range: Range<usize>,
    /// Range of the parenthesised parameter list.
    pub parameters_range: Range<usize>,
    pub parameters: Vec<Parameter<'m>>,
    pub body: Option<Node<'m>>,
    /// Decorators, as written (without `@`).
    pub decorators: Vec<&'m str>,
}

/// How a parameter can be passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParameterKind {
    /// Positional (or positional-or-keyword).
    Positional,
    /// `*args`.
    VarPositional,
    /// After `*` or `*args`: keyword only.
    KeywordOnly,
    /// `**kwargs`.
    VarKeyword,
}

/// One parameter of a function.
#[derive(Debug, Clone)]
pub struct Parameter<'m> {
    pub name: &'m str,
    pub range: Range<usize>,
    pub kind: ParameterKind,
    pub has_default: bool,
    /// The annotation's source text, if any (`event: S3Event` → `S3Event`).
    pub annotation: Option<&'m str>,
}

impl FunctionDef<'_> {
    /// Whether Lambda's call `handler(event, context)` binds without a `TypeError`.
    pub fn accepts_event_and_context(&self) -> bool {
        let positional = self
            .parameters
            .iter()
            .filter(|p| p.kind == ParameterKind::Positional);
        let total = positional.clone().count();
        let required = positional.filter(|p| !p.has_default).count();
        let var_positional = self
            .parameters
            .iter()
            .any(|p| p.kind == ParameterKind::VarPositional);
        let required_keyword_only = self
            .parameters
            .iter()
            .any(|p| p.kind == ParameterKind::KeywordOnly && !p.has_default);
        required <= 2 && (total >= 2 || var_positional) && !required_keyword_only
    }

    /// The positional parameter at `index` (0 = event, 1 = context).
    pub fn positional(&self, index: usize) -> Option<&Parameter<'_>> {
        self.parameters
            .iter()
            .filter(|p| p.kind == ParameterKind::Positional)
            .nth(index)
    }
}

fn collect_functions<'m>(
    module: &'m Module,
    node: Node<'m>,
    scope: Scope,
    found: &mut Vec<FunctionDef<'m>>,
) {
    // Iterative (deeply nested code must not overflow the stack), in document order:
    // each entry is a node whose children to visit, at the scope they are defined in.
    let mut pending = vec![(node, scope)];
    while let Some((node, scope)) = pending.pop() {
        let first = pending.len();
        let mut cursor = node.walk();
        for child in node.named_children(&mut cursor) {
            match child.kind() {
                "function_definition" => {
                    if let Some(def) = function_def(module, child, scope, Vec::new()) {
                        if let Some(body) = def.body {
                            pending.push((body, Scope::Function));
                        }
                        found.push(def);
                    }
                }
                "decorated_definition" => {
                    let decorators = decorators(module, child);
                    if let Some(definition) = child.field("definition") {
                        if definition.kind() == "function_definition" {
                            if let Some(def) = function_def(module, definition, scope, decorators) {
                                if let Some(body) = def.body {
                                    pending.push((body, Scope::Function));
                                }
                                found.push(def);
                            }
                        } else {
                            pending.push((child, scope));
                        }
                    }
                }
                "class_definition" => {
                    if let Some(body) = child.field("body") {
                        let inner = if scope == Scope::Module {
                            Scope::Class
                        } else {
                            scope
                        };
                        pending.push((body, inner));
                    }
                }
                // Blocks that do not open a scope: definitions inside stay at this scope.
                _ => pending.push((child, scope)),
            }
        }
        pending[first..].reverse();
    }
    // Outermost first, as written: a definition before the ones nested in it.
    found.sort_by_key(|f| f.node.start_byte());
}

fn decorators<'m>(module: &'m Module, decorated: Node<'m>) -> Vec<&'m str> {
    let mut cursor = decorated.walk();
    decorated
        .named_children(&mut cursor)
        .filter(|n| n.kind() == "decorator")
        .map(|n| module.node_text(n).trim_start_matches('@').trim())
        .collect()
}

fn function_def<'m>(
    module: &'m Module,
    node: Node<'m>,
    scope: Scope,
    decorators: Vec<&'m str>,
) -> Option<FunctionDef<'m>> {
    let name_node = node.field("name")?;
    let parameters_node = node.field("parameters")?;
    let is_async = node.child(0).is_some_and(|c| c.kind() == "async");
    Some(FunctionDef {
        node,
        name: module.node_text(name_node),
        name_range: name_node.byte_range(),
        scope,
        is_async,
        header_range: node.start_byte()..name_node.end_byte(),
        parameters_range: parameters_node.byte_range(),
        parameters: parameters(module, parameters_node),
        body: node.field("body"),
        decorators,
    })
}

fn parameters<'m>(module: &'m Module, list: Node<'m>) -> Vec<Parameter<'m>> {
    let mut result = Vec::new();
    let mut keyword_only = false;
    let mut cursor = list.walk();
    for node in list.named_children(&mut cursor) {
        let text = |n: Node<'m>| module.node_text(n);
        let annotation = node.field("type").map(text);
        let (name_node, kind, has_default) = match node.kind() {
            "identifier" => (Some(node), positional_or_keyword(keyword_only), false),
            "default_parameter" | "typed_default_parameter" => (
                node.field("name"),
                positional_or_keyword(keyword_only),
                true,
            ),
            "typed_parameter" => {
                // `name: T`, `*args: T` or `**kw: T`: the first named child says which.
                let inner = node.named_child(0);
                match inner.map(|n| n.kind()) {
                    Some("list_splat_pattern") => {
                        keyword_only = true;
                        (
                            inner.and_then(|n| n.named_child(0)),
                            ParameterKind::VarPositional,
                            false,
                        )
                    }
                    Some("dictionary_splat_pattern") => (
                        inner.and_then(|n| n.named_child(0)),
                        ParameterKind::VarKeyword,
                        false,
                    ),
                    _ => (inner, positional_or_keyword(keyword_only), false),
                }
            }
            "list_splat_pattern" => {
                keyword_only = true;
                (node.named_child(0), ParameterKind::VarPositional, false)
            }
            "dictionary_splat_pattern" => (node.named_child(0), ParameterKind::VarKeyword, false),
            "keyword_separator" => {
                keyword_only = true;
                continue;
            }
            // `/` and comments carry no parameter.
            _ => continue,
        };
        let Some(name_node) = name_node else { continue };
        result.push(Parameter {
            name: module.node_text(name_node),
            range: node.byte_range(),
            kind,
            has_default,
            annotation,
        });
    }
    result
}

fn positional_or_keyword(keyword_only: bool) -> ParameterKind {
    if keyword_only {
        ParameterKind::KeywordOnly
    } else {
        ParameterKind::Positional
    }
}

/// Every node of a subtree, in document order (iterative: deep trees must not overflow).
pub fn descendants(node: Node<'_>) -> impl Iterator<Item = Node<'_>> {
    let mut cursor = node.walk();
    let mut done = false;
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        let current = cursor.node();
        work::add(1);
        if cursor.goto_first_child() {
            return Some(current);
        }
        loop {
            if cursor.node() == node {
                done = true;
                return Some(current);
            }
            if cursor.goto_next_sibling() {
                return Some(current);
            }
            if !cursor.goto_parent() {
                done = true;
                return Some(current);
            }
        }
    })
}

/// Every descendant of `node` except those inside nested function, lambda and class
/// bodies: the code that runs when `node` itself runs.
pub fn own_descendants(node: Node<'_>) -> Vec<Node<'_>> {
    own_descendants_with_parents(node)
        .into_iter()
        .map(|(node, _)| node)
        .collect()
}

/// Every descendant of `node` with its parent (tree-sitter finds a parent by walking down
/// from the root, so it is recorded here), except those inside nested function, lambda and
/// class bodies: the code that runs when `node` itself runs.
pub fn own_descendants_with_parents(node: Node<'_>) -> Vec<(Node<'_>, Option<Node<'_>>)> {
    let mut result = Vec::new();
    let mut stack = vec![(node, None)];
    while let Some((current, parent)) = stack.pop() {
        work::add(1);
        result.push((current, parent));
        let mut cursor = current.walk();
        let children: Vec<_> = current.children(&mut cursor).collect();
        for child in children.into_iter().rev() {
            let nested = matches!(
                child.kind(),
                "function_definition" | "lambda" | "class_definition" | "decorated_definition"
            );
            if !nested {
                stack.push((child, Some(current)));
            }
        }
    }
    result
}

/// The text of a string literal's content when it has no interpolation or escapes that
/// matter (`"x"`, `'x'`, `r"x"`); `None` for f-strings and concatenations.
pub fn string_value<'m>(module: &'m Module, node: Node<'m>) -> Option<&'m str> {
    if node.kind() != "string" {
        return None;
    }
    let mut cursor = node.walk();
    let mut content = None;
    for child in node.named_children(&mut cursor) {
        match child.kind() {
            "string_start" => {
                let prefix = module.node_text(child).to_ascii_lowercase();
                if prefix.contains('f') || prefix.contains('b') {
                    return None;
                }
            }
            "string_content" => content = Some(module.node_text(child)),
            "string_end" => {}
            _ => return None,
        }
    }
    Some(content.unwrap_or(""))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn handler(src: &str) -> bool {
        let module = Module::parse(src);
        let def = module.top_level_function("h").expect("h is defined");
        def.accepts_event_and_context()
    }

    #[test]
    fn arity_rules_follow_pythons_binding() {
        assert!(handler("def h(event, context): pass"));
        assert!(handler("def h(event, context=None): pass"));
        assert!(handler("def h(event, context, extra=1): pass"));
        assert!(handler("def h(*args): pass"));
        assert!(handler("def h(event, *args, **kwargs): pass"));
        assert!(handler("def h(event, context, *, debug=False): pass"));
        assert!(handler("def h(event: dict, context: object) -> dict: pass"));
        assert!(handler("def h(event, context, /): pass"));
        assert!(!handler("def h(event): pass"));
        assert!(!handler("def h(): pass"));
        assert!(!handler("def h(event, context, extra): pass"));
        assert!(!handler("def h(event, context, *, debug): pass"));
        assert!(!handler("def h(**kwargs): pass"));
        assert!(!handler("def h(event, *, context=None): pass"));
    }

    #[test]
    fn scopes_and_async() {
        let module = Module::parse(
            "import os\nif True:\n    def a(e, c): pass\nclass K:\n    def b(self): pass\n\
             def outer():\n    async def inner(e, c): pass\n@decorator\nasync def d(e, c): pass\n",
        );
        let functions = module.functions();
        let summary: Vec<_> = functions
            .iter()
            .map(|f| (f.name, f.scope, f.is_async))
            .collect();
        assert_eq!(
            summary,
            vec![
                ("a", Scope::Module, false),
                ("b", Scope::Class, false),
                ("outer", Scope::Module, false),
                ("inner", Scope::Function, true),
                ("d", Scope::Module, true),
            ]
        );
        assert_eq!(functions[4].decorators, vec!["decorator"]);
        assert!(module.imports_module("os"));
        assert!(!module.imports_module("sys"));
    }

    #[test]
    fn incremental_edits_match_a_fresh_parse() {
        let mut module = Module::parse("def f(a):\n    return 'é'\n");
        module.edit(4..5, "handler");
        module.edit(module.text().len()..module.text().len(), "x = ñ = 1\n");
        module.edit(0..0, "# ü\n");
        let fresh = Module::parse(module.text().to_string());
        assert_eq!(module.to_sexp(), fresh.to_sexp(), "text: {}", module.text());
        assert!(module.top_level_function("handler").is_some());
    }

    #[test]
    fn after_imports_skips_docstring_and_imports() {
        let src = "\"\"\"Doc.\"\"\"\nimport json\nfrom os import path\n\nX = 1\n";
        let module = Module::parse(src);
        assert_eq!(
            &src[..module.after_imports()],
            "\"\"\"Doc.\"\"\"\nimport json\nfrom os import path"
        );
    }

    #[test]
    fn string_values() {
        let module = Module::parse("a = 'x'\nb = f'{a}'\nc = r\"y\"\n");
        let strings: Vec<_> = module
            .roots()
            .flat_map(descendants)
            .filter(|n| n.kind() == "string")
            .map(|n| string_value(&module, n))
            .collect();
        assert_eq!(strings, vec![Some("x"), None, Some("y")]);
    }

    #[test]
    fn syntax_errors_are_found() {
        assert!(!Module::parse("def f(:\n").syntax_errors().is_empty());
        assert!(Module::parse("def f(): pass\n").syntax_errors().is_empty());
    }

    #[test]
    fn after_header_skips_comments_docstring_and_future_imports() {
        let header = |src: &str| {
            let module = Module::parse(src);
            src[..module.after_header()].to_string()
        };
        assert_eq!(header("import json\n"), "");
        assert_eq!(
            header("#!/usr/bin/env python\n# -*- coding: utf-8 -*-\nimport json\n"),
            "#!/usr/bin/env python\n# -*- coding: utf-8 -*-\n"
        );
        let src = "\"\"\"Doc.\"\"\"\n# why\nfrom __future__ import annotations\n\nimport json\n";
        assert_eq!(
            header(src),
            "\"\"\"Doc.\"\"\"\n# why\nfrom __future__ import annotations\n"
        );
        // A second string is an expression, not a docstring.
        assert_eq!(header("'''a'''\n'b'\n"), "'''a'''\n");
        assert_eq!(
            header("from __future__ import annotations"),
            "from __future__ import annotations"
        );
    }

    #[test]
    fn imported_names_and_their_modules() {
        let module = Module::parse(
            "from aws_lambda_powertools.utilities.data_classes import S3Event, SQSEvent as Q\n\
             from aws_lambda_typing.events import S3Event\nimport os\n",
        );
        assert_eq!(
            module.imported_name("S3Event"),
            Some(("aws_lambda_typing.events", "S3Event"))
        );
        assert_eq!(
            module.imported_name("Q"),
            Some(("aws_lambda_powertools.utilities.data_classes", "SQSEvent"))
        );
        assert_eq!(module.imported_name("SQSEvent"), None);
        assert_eq!(module.imported_name("os"), None);
    }
}
