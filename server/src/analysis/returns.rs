//! Values that cannot become JSON. Lambda's runtime marshals the handler's return value
//! with its own JSON encoder (which handles `Decimal` and passes `bytes` through), and
//! `json.dumps` in user code has no such help: both fail at run time on sets, datetimes and
//! generators, which is evident from the source when the value is written in place.

use tree_sitter::Node;

use super::codes;
use crate::ide::{Diagnostic, Severity};
use crate::python::{own_descendants, Field, FunctionDef, Module};

/// Who will encode the value: the runtime (handler result) or `json.dumps`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Encoder {
    Runtime,
    JsonDumps,
}

pub(super) fn check_handler(module: &Module, def: &FunctionDef<'_>, out: &mut Vec<Diagnostic>) {
    let Some(body) = def.body else { return };
    let nodes = own_descendants(body);
    if let Some(yield_node) = nodes.iter().find(|n| n.kind() == "yield") {
        out.push(Diagnostic::new(
            codes::NOT_SERIALIZABLE,
            Severity::Warning,
            yield_node.byte_range(),
            format!(
                "`yield` makes `{}` a generator function: Lambda receives a generator object and \
                 fails with Runtime.MarshalError (\"Object of type generator is not JSON \
                 serializable\"). Collect the values into a list and return it.",
                def.name
            ),
        ));
    }
    for node in &nodes {
        match node.kind() {
            "return_statement" => {
                if let Some(value) = node.named_child(0) {
                    find_unserializable(module, value, Encoder::Runtime, out);
                }
            }
            "call" if is_json_dumps(module, *node) => {
                if let Some(argument) = first_argument(*node) {
                    find_unserializable(module, argument, Encoder::JsonDumps, out);
                }
            }
            _ => {}
        }
    }
}

fn is_json_dumps(module: &Module, call: Node<'_>) -> bool {
    let Some(function) = call.field("function") else {
        return false;
    };
    if !matches!(module.node_text(function), "json.dumps" | "dumps") {
        return false;
    }
    // `default=str` (or `cls=`) teaches json.dumps other types: trust it.
    let Some(arguments) = call.field("arguments") else {
        return false;
    };
    let mut cursor = arguments.walk();
    let has_encoder = arguments.named_children(&mut cursor).any(|a| {
        a.kind() == "keyword_argument"
            && a.field("name")
                .is_some_and(|n| matches!(module.node_text(n), "default" | "cls"))
    });
    !has_encoder
}

fn first_argument(call: Node<'_>) -> Option<Node<'_>> {
    let arguments = call.field("arguments")?;
    let mut cursor = arguments.walk();
    let first = arguments
        .named_children(&mut cursor)
        .find(|a| a.kind() != "comment");
    first.filter(|a| a.kind() != "keyword_argument")
}

/// Walk a literal value (through dicts, lists and tuples) and report the parts that the
/// encoder cannot handle. Iterative: literals nested thousands deep must not overflow the
/// stack; findings keep document order.
fn find_unserializable(
    module: &Module,
    value: Node<'_>,
    encoder: Encoder,
    out: &mut Vec<Diagnostic>,
) {
    let mut pending = vec![value];
    while let Some(value) = pending.pop() {
        let mut cursor = value.walk();
        let first = pending.len();
        match value.kind() {
            "dictionary" => pending.extend(
                value
                    .named_children(&mut cursor)
                    .filter_map(|pair| pair.field("value")),
            ),
            "list" | "tuple" | "parenthesized_expression" => {
                pending.extend(value.named_children(&mut cursor))
            }
            _ => {
                if let Some((type_name, advice)) = unserializable_type(module, value, encoder) {
                    let who = match encoder {
                        Encoder::Runtime => {
                            "Lambda cannot turn the handler's result into JSON and fails with \
                             Runtime.MarshalError"
                        }
                        Encoder::JsonDumps => "json.dumps raises TypeError here",
                    };
                    out.push(Diagnostic::new(
                        codes::NOT_SERIALIZABLE,
                        Severity::Warning,
                        value.byte_range(),
                        format!(
                            "{who}: \"Object of type {type_name} is not JSON serializable\". \
                             {advice}"
                        ),
                    ));
                }
            }
        }
        // Children are taken from the end of the stack: reverse them to visit in order.
        pending[first..].reverse();
    }
}

fn unserializable_type(
    module: &Module,
    value: Node<'_>,
    encoder: Encoder,
) -> Option<(&'static str, &'static str)> {
    const SET: (&str, &str) = ("set", "Convert it with `list(...)` or `sorted(...)`.");
    const DATETIME: (&str, &str) = (
        "datetime",
        "Convert it to text, e.g. `.isoformat()`, or pass `default=str` to json.dumps.",
    );
    const GENERATOR: (&str, &str) = (
        "generator",
        "Use a list comprehension `[...]` instead of a generator expression.",
    );
    match value.kind() {
        "set" | "set_comprehension" => Some(SET),
        "generator_expression" => Some(GENERATOR),
        "string" => {
            let prefix = value
                .child(0)
                .map(|s| module.node_text(s).to_ascii_lowercase())
                .unwrap_or_default();
            if !prefix.contains('b') {
                return None;
            }
            Some(match encoder {
                Encoder::JsonDumps => (
                    "bytes",
                    "Decode it first: `.decode(\"utf-8\")`, or base64-encode binary data.",
                ),
                // The runtime posts bytes as they are: not an error there, but no JSON either.
                Encoder::Runtime => return None,
            })
        }
        "call" => {
            let function = module.node_text(value.field("function")?);
            let last = function.rsplit('.').next().unwrap_or(function);
            match (function, last) {
                ("set" | "frozenset", _) => Some(SET),
                (
                    _,
                    "now" | "utcnow" | "today" | "fromtimestamp" | "utcfromtimestamp"
                    | "fromisoformat",
                ) if function.contains("date") => Some(DATETIME),
                ("datetime" | "datetime.datetime" | "date" | "datetime.date", _) => Some(DATETIME),
                ("Decimal" | "decimal.Decimal", _) if encoder == Encoder::JsonDumps => Some((
                    "Decimal",
                    "Convert it with `float(...)` or `str(...)`, or pass `default=str` \
                     (returning a Decimal from the handler is fine: Lambda's encoder handles it).",
                )),
                _ => None,
            }
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::codes::NOT_SERIALIZABLE;
    use super::super::test_support::{codes, diagnostics};

    fn flagged(body: &str) -> Vec<String> {
        let src = format!(
            "import json, datetime\nfrom decimal import Decimal\n\ndef lambda_handler(event, context):\n{body}"
        );
        diagnostics(&src, "")
            .into_iter()
            .filter(|d| d.1 == NOT_SERIALIZABLE)
            .map(|d| d.0)
            .collect()
    }

    #[test]
    fn returned_values_the_runtime_cannot_encode() {
        assert_eq!(flagged("    return {1, 2}\n"), vec!["{1, 2}"]);
        assert_eq!(
            flagged("    return {'at': datetime.datetime.now(), 'ok': [set()]}\n"),
            vec!["datetime.datetime.now()", "set()"]
        );
        assert_eq!(
            flagged("    return (x for x in event)\n"),
            vec!["(x for x in event)"]
        );
        assert_eq!(flagged("    yield 1\n"), vec!["yield 1"]);
    }

    #[test]
    fn values_the_runtime_encodes_are_fine() {
        assert!(flagged("    return {'price': Decimal('1.10')}\n").is_empty());
        assert!(flagged("    return b'raw'\n").is_empty());
        assert!(flagged("    return [1, 'a', None, {'k': (1, 2)}]\n").is_empty());
        assert!(flagged("    return {'at': datetime.datetime.now().isoformat()}\n").is_empty());
        assert!(flagged("    s = {1}\n    return list(s)\n").is_empty());
    }

    #[test]
    fn json_dumps_of_values_it_cannot_encode() {
        assert_eq!(
            flagged("    return {'body': json.dumps({'p': Decimal('1'), 'b': b'x'})}\n"),
            vec!["Decimal('1')", "b'x'"]
        );
        assert!(
            flagged("    return {'body': json.dumps({'p': Decimal('1')}, default=str)}\n")
                .is_empty()
        );
    }

    #[test]
    fn only_the_handler_is_checked() {
        assert!(codes(
            "def other():\n    return {1}\n\ndef lambda_handler(event, context):\n    return 1\n",
            ""
        )
        .is_empty());
    }
}
