//! Environment variables the code reads but nobody sets. On Lambda the function sees only
//! its configured variables plus those Lambda defines, so `os.environ["X"]` for any other
//! name raises KeyError (and `.get`/`getenv` return None). Checked only when `lambda.toml`
//! has an `[environment]` table (a template: `Environment.Variables`), which then is the
//! whole list; a module that several functions load may read what any of them sets.

use tree_sitter::Node;

use super::codes;
use crate::ide::{Diagnostic, Severity};
use crate::project::Function;
use crate::python::{descendants, string_value, Module};

/// Variables Lambda sets in every Python execution environment.
pub const LAMBDA_DEFINED: &[&str] = &[
    "_HANDLER",
    "_X_AMZN_TRACE_ID",
    "AWS_ACCESS_KEY_ID",
    "AWS_DEFAULT_REGION",
    "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE",
    "AWS_LAMBDA_LOG_FORMAT",
    "AWS_LAMBDA_LOG_GROUP_NAME",
    "AWS_LAMBDA_LOG_LEVEL",
    "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_LAMBDA_RUNTIME_API",
    "AWS_REGION",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_XRAY_CONTEXT_MISSING",
    "AWS_XRAY_DAEMON_ADDRESS",
    "LAMBDA_RUNTIME_DIR",
    "LAMBDA_TASK_ROOT",
    "LANG",
    "LD_LIBRARY_PATH",
    "PATH",
    "PYTHONPATH",
    "TZ",
];

/// Flag the reads in `subtree` of variables that none of `functions` (those that load the
/// module) configures. Checked only when every one of them lists its variables: a
/// lambda.toml `[environment]` table, a template's `Environment.Variables`.
pub(super) fn check(
    module: &Module,
    subtree: Node<'_>,
    functions: &[&Function],
    out: &mut Vec<Diagnostic>,
) {
    if functions.is_empty() || functions.iter().any(|f| !f.config.has_environment_table) {
        return;
    }
    let defined = |name: &str| {
        functions
            .iter()
            .any(|f| f.config.environment.contains_key(name))
    };
    for node in descendants(subtree) {
        let Some(name_node) = environment_read(module, node) else {
            continue;
        };
        let Some(name) = string_value(module, name_node) else {
            continue;
        };
        if defined(name) || LAMBDA_DEFINED.contains(&name) {
            continue;
        }
        let suggestion = functions
            .iter()
            .flat_map(|f| f.config.environment.keys())
            .map(|k| (strsim::jaro_winkler(k, name), k))
            .filter(|(score, _)| *score > 0.85)
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, k)| format!(" Did you mean `{k}`?"))
            .unwrap_or_default();
        let consequence = "and Lambda does not set it, so on Lambda this read finds nothing \
                           (os.environ[...] raises KeyError).";
        let message = match &functions[0].template {
            None => format!(
                "`{name}` is not in lambda.toml's [environment] {consequence}{suggestion} \
                 Otherwise add `{name} = \"…\"` (or `{name} = {{ from_env = \"{name}\" }}` for a \
                 secret) under [environment]."
            ),
            Some(template) => {
                let file = template
                    .path
                    .file_name()
                    .unwrap_or_default()
                    .to_string_lossy();
                let ids: Vec<String> = functions.iter().map(|f| format!("`{}`", f.id())).collect();
                format!(
                    "`{name}` is not in the `Environment.Variables` of {} in {file} (nor in its \
                     Globals) {consequence}{suggestion} Otherwise add `{name}: …` under the \
                     function's `Environment.Variables`.",
                    ids.join(", ")
                )
            }
        };
        out.push(Diagnostic::new(
            codes::UNDEFINED_ENV_VAR,
            Severity::Warning,
            name_node.byte_range(),
            message,
        ));
    }
}

/// The name argument of `os.environ["X"]`, `os.environ.get("X")`, `os.getenv("X")` (also
/// `environ[...]`/`getenv(...)` imported from os).
fn environment_read<'m>(module: &'m Module, node: Node<'m>) -> Option<Node<'m>> {
    match node.kind() {
        "subscript" => {
            let value = node.child_by_field_name("value")?;
            if !matches!(module.node_text(value), "os.environ" | "environ") {
                return None;
            }
            node.child_by_field_name("subscript")
                .filter(|s| s.kind() == "string")
        }
        "call" => {
            let function = module.node_text(node.child_by_field_name("function")?);
            if !matches!(
                function,
                "os.environ.get" | "environ.get" | "os.getenv" | "getenv" | "os.environ.setdefault"
            ) {
                return None;
            }
            let arguments = node.child_by_field_name("arguments")?;
            let first = arguments.named_child(0)?;
            (first.kind() == "string").then_some(first)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::codes::UNDEFINED_ENV_VAR;
    use super::super::test_support::diagnostics;

    const CONFIG: &str =
        "[environment]\nOUTPUT_BUCKET = \"out\"\nBME_API_KEY = { from_env = \"BME_API_KEY\" }\n";

    fn flagged(src: &str, config: &str) -> Vec<(String, String)> {
        diagnostics(src, config)
            .into_iter()
            .filter(|d| d.1 == UNDEFINED_ENV_VAR)
            .map(|d| (d.0, d.2))
            .collect()
    }

    #[test]
    fn undefined_names_in_each_read_form() {
        let src = "import os\nfrom os import getenv\na = os.environ['OUTPUT_BUKET']\nb = os.environ.get(\"MISSING\")\nc = getenv('ALSO')\n";
        let found = flagged(src, CONFIG);
        let names: Vec<_> = found.iter().map(|f| f.0.as_str()).collect();
        assert_eq!(names, vec!["'OUTPUT_BUKET'", "\"MISSING\"", "'ALSO'"]);
        assert!(found[0].1.contains("Did you mean `OUTPUT_BUCKET`?"));
    }

    #[test]
    fn defined_and_lambda_names_are_fine() {
        let src = "import os\na = os.environ['OUTPUT_BUCKET']\nb = os.getenv('BME_API_KEY')\nc = os.environ['AWS_REGION']\n";
        assert!(flagged(src, CONFIG).is_empty());
    }

    #[test]
    fn no_environment_table_means_no_check() {
        assert!(flagged("import os\nos.environ['ANY']\n", "memory = 256\n").is_empty());
        assert!(flagged("import os\nos.environ['ANY']\n", "").is_empty());
    }
}
