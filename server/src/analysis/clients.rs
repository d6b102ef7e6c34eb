//! SDK clients and connections created inside the handler. Lambda keeps the execution
//! environment (and module-level objects) alive between invocations; creating a client on
//! every invocation repeats its setup (credential lookup, TLS handshake, ~100 ms+) each time.

use rustc_hash::{FxHashMap, FxHashSet};
use tree_sitter::Node;

use super::codes;
use crate::ide::{Diagnostic, Fix, Severity, TextEdit};
use crate::python::{descendants, own_descendants_with_parents, Field, FunctionDef, Module};

/// Calls that build a client, a session or a connection worth reusing.
const CONSTRUCTORS: &[&str] = &[
    "boto3.client",
    "boto3.resource",
    "boto3.Session",
    "boto3.session.Session",
    "session.client",
    "session.resource",
    "psycopg2.connect",
    "psycopg.connect",
    "pymysql.connect",
    "mysql.connector.connect",
    "pymongo.MongoClient",
    "MongoClient",
    "redis.Redis",
    "redis.StrictRedis",
    "redis.from_url",
    "requests.Session",
    "httpx.Client",
];

pub(super) fn check(module: &Module, def: &FunctionDef<'_>, out: &mut Vec<Diagnostic>) {
    let Some(body) = def.body else { return };
    // One walk of the body, with parents (asking tree-sitter for a parent walks down from
    // the root: a few hundred clients in a long handler would make that quadratic).
    let nodes = own_descendants_with_parents(body);
    let parents: FxHashMap<usize, Node<'_>> = nodes
        .iter()
        .filter_map(|(node, parent)| Some((node.id(), (*parent)?)))
        .collect();
    let body_facts = BodyFacts::new(module, def, &nodes);
    for (node, _) in &nodes {
        if node.kind() != "call" {
            continue;
        }
        let Some(function) = node.field("function") else {
            continue;
        };
        let callee = module.node_text(function);
        if !CONSTRUCTORS.contains(&callee) {
            continue;
        }
        let mut diagnostic = Diagnostic::new(
            codes::CLIENT_IN_HANDLER,
            Severity::Hint,
            node.byte_range(),
            format!(
                "`{callee}(...)` runs on every invocation. Lambda reuses the execution \
                 environment between invocations, so create it once at module level (outside \
                 the handler) and every warm invocation skips its setup."
            ),
        );
        if let Some(fix) = move_to_module_level(module, *node, body, &parents, &body_facts) {
            diagnostic = diagnostic.with_fix(fix);
        }
        out.push(diagnostic);
    }
}

/// What the fix needs to know about the handler's body, gathered in one walk.
struct BodyFacts<'m> {
    /// Parameters and names assigned inside the function: a call that mentions one of them
    /// depends on the invocation and cannot move.
    local_names: FxHashSet<&'m str>,
    /// How many plain assignments (`name = …`) each name has.
    assignments: FxHashMap<&'m str, usize>,
}

impl<'m> BodyFacts<'m> {
    fn new(
        module: &'m Module,
        def: &FunctionDef<'m>,
        nodes: &[(Node<'m>, Option<Node<'m>>)],
    ) -> Self {
        let mut local_names: FxHashSet<&str> = def.parameters.iter().map(|p| p.name).collect();
        let mut assignments: FxHashMap<&str, usize> = FxHashMap::default();
        for (node, _) in nodes {
            let target = match node.kind() {
                "assignment" | "augmented_assignment" => node.field("left"),
                "for_statement" | "for_in_clause" => node.field("left"),
                "with_item" | "as_pattern" => node.field("alias"),
                _ => None,
            };
            let Some(target) = target else { continue };
            if node.kind() == "assignment" {
                *assignments.entry(module.node_text(target)).or_default() += 1;
            }
            for n in descendants(target).filter(|n| n.kind() == "identifier") {
                local_names.insert(module.node_text(n));
            }
        }
        BodyFacts {
            local_names,
            assignments,
        }
    }
}

/// `name = <call>` as a statement directly in the handler's body, whose arguments use no
/// local name, moves to just after the module's imports.
fn move_to_module_level(
    module: &Module,
    call: Node<'_>,
    body: Node<'_>,
    parents: &FxHashMap<usize, Node<'_>>,
    facts: &BodyFacts<'_>,
) -> Option<Fix> {
    let parent = |node: Node<'_>| parents.get(&node.id()).copied();
    let assignment = parent(call).filter(|p| p.kind() == "assignment")?;
    let statement = parent(assignment).filter(|p| p.kind() == "expression_statement")?;
    if parent(statement)? != body {
        return None;
    }
    let target = assignment.field("left")?;
    if target.kind() != "identifier" {
        return None;
    }
    let arguments = call.field("arguments")?;
    // `region_name` in `region_name=…` names a parameter, not a local.
    let keyword_names: FxHashSet<usize> = descendants(arguments)
        .filter(|n| n.kind() == "keyword_argument")
        .filter_map(|n| n.field("name"))
        .map(|n| n.id())
        .collect();
    let uses_local = descendants(arguments)
        .filter(|n| n.kind() == "identifier" && !keyword_names.contains(&n.id()))
        .any(|n| facts.local_names.contains(module.node_text(n)));
    // The target itself is local only because of this very assignment.
    let target_name = module.node_text(target);
    let assigned_elsewhere = facts.assignments.get(target_name).copied().unwrap_or(0) > 1;
    if uses_local || assigned_elsewhere {
        return None;
    }

    let text = module.text();
    let line_start = text[..statement.start_byte()]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let indentation = &text[line_start..statement.start_byte()];
    if !indentation.chars().all(char::is_whitespace) {
        return None; // `x = 1; s3 = boto3.client(...)` on one line: leave it to the user.
    }
    let line_end = text[statement.end_byte()..]
        .find('\n')
        .map_or(text.len(), |i| statement.end_byte() + i + 1);
    if !text[statement.end_byte()..line_end].trim().is_empty() {
        return None; // trailing code or comment on the line
    }
    let statement_text: String = module
        .node_text(statement)
        .lines()
        .enumerate()
        .map(|(i, line)| {
            if i == 0 {
                line.to_string()
            } else {
                line.strip_prefix(indentation).unwrap_or(line).to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let insert_at = module.after_imports();
    let new_text = if insert_at == 0 {
        format!("{statement_text}\n\n")
    } else {
        format!("\n\n{statement_text}")
    };
    Some(Fix {
        title: format!("Create `{target_name}` once, at module level"),
        edits: vec![
            TextEdit {
                range: insert_at..insert_at,
                new_text,
            },
            TextEdit {
                range: line_start..line_end,
                new_text: String::new(),
            },
        ],
    })
}

#[cfg(test)]
mod tests {
    use super::super::codes::CLIENT_IN_HANDLER;
    use super::super::test_support::apply;
    use super::super::*;

    fn findings(src: &str) -> Vec<Diagnostic> {
        let module = Module::parse(src);
        let function = super::super::test_support::function_with("");
        let file = PythonFile {
            module: &module,
            function: Some(&function),
            handler: Some("lambda_handler"),
        };
        check_python(file)
            .into_iter()
            .filter(|d| d.code == CLIENT_IN_HANDLER)
            .collect()
    }

    #[test]
    fn client_in_handler_moves_to_module_level() {
        let src = "import boto3\n\ndef lambda_handler(event, context):\n    s3 = boto3.client(\"s3\")\n    return s3.list_buckets()\n";
        let found = findings(src);
        assert_eq!(found.len(), 1);
        assert_eq!(&src[found[0].range.clone()], "boto3.client(\"s3\")");
        assert_eq!(found[0].severity, Severity::Hint);
        let fixed = apply(src, &found[0].fixes[0]);
        assert_eq!(
            fixed,
            "import boto3\n\ns3 = boto3.client(\"s3\")\n\ndef lambda_handler(event, context):\n    return s3.list_buckets()\n"
        );
        assert!(findings(&fixed).is_empty());
        Module::parse(fixed.as_str())
            .syntax_errors()
            .is_empty()
            .then_some(())
            .unwrap();
    }

    #[test]
    fn client_depending_on_the_event_is_reported_without_a_fix() {
        let src = "import boto3\ndef lambda_handler(event, context):\n    region = event['region']\n    c = boto3.client('s3', region_name=region)\n";
        let found = findings(src);
        assert_eq!(found.len(), 1);
        assert!(found[0].fixes.is_empty());
    }

    #[test]
    fn environment_reads_can_move() {
        let src = "import os, boto3\ndef lambda_handler(event, context):\n    table = boto3.resource('dynamodb').Table(os.environ['T'])\n    db = boto3.resource('dynamodb', region_name=os.environ['R'])\n";
        let found = findings(src);
        assert_eq!(found.len(), 2);
        assert!(
            found[0].fixes.is_empty(),
            "`.Table(...)` on the call: not a plain assignment"
        );
        assert_eq!(found[1].fixes.len(), 1);
    }

    #[test]
    fn module_level_clients_are_fine() {
        assert!(findings("import boto3\ns3 = boto3.client('s3')\ndef lambda_handler(event, context):\n    return 1\n").is_empty());
        // Clients made in helper functions are not the handler's.
        assert!(findings("import boto3\ndef helper():\n    return boto3.client('s3')\ndef lambda_handler(event, context):\n    return 1\n").is_empty());
    }
}
