//! The handler itself: it must exist at module level, take `(event, context)` and be a
//! plain (not `async`) function — what Lambda's Python runtime needs to call it.

use super::codes;
use crate::ide::{Diagnostic, Severity};
use crate::python::{Field, Module, Scope};

/// Check the handler `handler_name` of `module`; `set_in` says where the handler is
/// configured (`` `handler` in lambda.toml ``), for the fix the message proposes.
pub(super) fn check(module: &Module, handler_name: &str, set_in: &str, out: &mut Vec<Diagnostic>) {
    let Some(def) = module.top_level_function(handler_name) else {
        // Rare, so the full walk for nested definitions is fine here.
        match module.functions().iter().find(|f| f.name == handler_name) {
            Some(nested) => out.push(Diagnostic::new(
                codes::HANDLER_NOT_TOP_LEVEL,
                Severity::Error,
                nested.name_range.clone(),
                format!(
                    "Lambda looks up `{handler_name}` as an attribute of the module, but this \
                     `def` is inside a {}, so the lookup fails with Runtime.HandlerNotFound. \
                     Move it to the top level of the file (no indentation).",
                    match nested.scope {
                        Scope::Class => "class",
                        _ => "function",
                    }
                ),
            )),
            None => {
                // Not a module-level def: it may still be assigned (`handler = make()`).
                if !assigns_name(module, handler_name) {
                    let first_line_end = module.text().find('\n').unwrap_or(module.text().len());
                    out.push(Diagnostic::new(
                        codes::HANDLER_MISSING,
                        Severity::Error,
                        0..first_line_end,
                        format!(
                            "This is the handler's module, but it defines no `{handler_name}`: \
                             every invocation would fail with Runtime.HandlerNotFound. Add \
                             `def {handler_name}(event, context):` at the top level, or point \
                             {set_in} at the function you use."
                        ),
                    ));
                }
            }
        }
        return;
    };
    if !def.accepts_event_and_context() {
        let count = def.parameters.len();
        out.push(Diagnostic::new(
            codes::HANDLER_ARITY,
            Severity::Error,
            def.parameters_range.clone(),
            format!(
                "Lambda calls `{handler_name}(event, context)` with exactly two positional \
                 arguments, so this signature ({count} parameter{}) raises TypeError on every \
                 invocation. Declare it as `def {handler_name}(event, context):` (extra \
                 parameters need defaults).",
                if count == 1 { "" } else { "s" }
            ),
        ));
    }
    if def.is_async {
        out.push(Diagnostic::new(
            codes::ASYNC_HANDLER,
            Severity::Error,
            def.header_range.clone(),
            format!(
                "Lambda's Python runtime calls the handler without awaiting it: an `async def` \
                 handler returns a coroutine that never runs, and the invocation fails with \
                 Runtime.MarshalError (\"Object of type coroutine is not JSON serializable\"). \
                 Make `{handler_name}` a plain `def` and run your coroutine inside it with \
                 `asyncio.run(main(event, context))`."
            ),
        ));
    }
}

/// Whether the module binds `name` at top level by assignment or import.
fn assigns_name(module: &Module, name: &str) -> bool {
    module.statements().any(|child| {
        let text = module.node_text(child);
        match child.kind() {
            "expression_statement" => child.named_child(0).is_some_and(|n| {
                n.kind() == "assignment"
                    && n.field("left").is_some_and(|l| module.node_text(l) == name)
            }),
            "import_from_statement" | "import_statement" => text
                .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .any(|word| word == name),
            _ => false,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::super::codes::*;
    use super::super::test_support::{codes, diagnostics};

    #[test]
    fn a_correct_handler_has_no_findings() {
        assert!(codes("def lambda_handler(event, context):\n    return 1\n", "").is_empty());
    }

    #[test]
    fn missing_handler() {
        let found = diagnostics("import json\n\ndef handler(event, context): pass\n", "");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].1, HANDLER_MISSING);
        assert_eq!(found[0].0, "import json");
        assert!(found[0].2.contains("Runtime.HandlerNotFound"));
        // Bound by assignment or import: not missing.
        assert!(codes("lambda_handler = make()\n", "").is_empty());
        assert!(codes("from app import lambda_handler\n", "").is_empty());
    }

    #[test]
    fn handler_not_at_top_level() {
        let found = diagnostics(
            "class App:\n    def lambda_handler(self, event, context): pass\n",
            "",
        );
        assert_eq!(found[0].1, HANDLER_NOT_TOP_LEVEL);
        assert_eq!(found[0].0, "lambda_handler");
        // A def inside a top-level `if` is still a module attribute.
        assert!(codes(
            "if True:\n    def lambda_handler(event, context): pass\n",
            ""
        )
        .is_empty());
    }

    #[test]
    fn wrong_arity() {
        let found = diagnostics("def lambda_handler(event):\n    pass\n", "");
        assert_eq!(found[0].1, HANDLER_ARITY);
        assert_eq!(found[0].0, "(event)");
        assert!(codes(
            "def lambda_handler(event, context, *, debug=False): pass\n",
            ""
        )
        .is_empty());
        assert!(codes("def lambda_handler(*args): pass\n", "").is_empty());
        assert_eq!(
            codes("def lambda_handler(a, b, c): pass\n", ""),
            vec![HANDLER_ARITY]
        );
    }

    #[test]
    fn async_handler() {
        let found = diagnostics("async def lambda_handler(event, context):\n    pass\n", "");
        assert_eq!(found[0].1, ASYNC_HANDLER);
        assert_eq!(found[0].0, "async def lambda_handler");
        assert!(found[0].2.contains("asyncio.run"));
        // Other async functions are fine.
        assert!(codes(
            "async def main(): pass\ndef lambda_handler(event, context): pass\n",
            ""
        )
        .is_empty());
    }
}
