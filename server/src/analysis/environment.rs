//! Environment variables the code reads but nobody sets. On Lambda the function sees only
//! its configured variables plus those Lambda defines, so `os.environ["X"]` for any other
//! name raises KeyError (and `.get`/`getenv` return None). A read with a default handles
//! the absence itself: a hint, not a warning. Checked only when `lambda.toml` has an
//! `[environment]` table (a template: `Environment.Variables`), which then is the whole list;
//! a module that several functions load may read what any of them sets.

use tree_sitter::Node;

use super::codes;
use crate::ide::{Diagnostic, Severity};
use crate::project::Function;
use crate::python::{descendants, string_value, Field, Module};

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
        let Some(read) = environment_read(module, node) else {
            continue;
        };
        let Some(name) = string_value(module, read.name) else {
            continue;
        };
        if defined(name) || LAMBDA_DEFINED.contains(&name) {
            continue;
        }
        let suggestion = suggestion(
            functions.iter().flat_map(|f| f.config.environment.keys()),
            name,
        );
        // Where the list of variables is written, and how to add one there.
        let (not_listed, add) = match &functions[0].template {
            None => (
                "is not in lambda.toml's [environment]".to_string(),
                format!("add `{name} = \"…\"` under [environment]"),
            ),
            Some(template) => {
                let file = template
                    .path
                    .file_name()
                    .unwrap_or_default()
                    .to_string_lossy();
                let ids: Vec<String> = functions.iter().map(|f| format!("`{}`", f.id())).collect();
                (
                    format!(
                        "is not in the `Environment.Variables` of {} in {file} (nor in its Globals)",
                        ids.join(", ")
                    ),
                    format!("add `{name}: …` under the function's `Environment.Variables`"),
                )
            }
        };
        if read.has_default {
            // The code handles the absence itself: nothing fails, but the value on Lambda is
            // the default, which is worth a quiet note (a forgotten variable would otherwise
            // go unnoticed).
            out.push(Diagnostic::new(
                codes::UNDEFINED_ENV_VAR,
                Severity::Hint,
                read.name.byte_range(),
                format!(
                    "`{name}` {not_listed} and Lambda does not set it, so on Lambda this read \
                     returns its default.{suggestion} To give the function another value, {add}."
                ),
            ));
            continue;
        }
        let secret = match &functions[0].template {
            None => format!(" (or `{name} = {{ from_env = \"{name}\" }}` for a secret)"),
            Some(_) => String::new(),
        };
        out.push(Diagnostic::new(
            codes::UNDEFINED_ENV_VAR,
            Severity::Warning,
            read.name.byte_range(),
            format!(
                "`{name}` {not_listed} and Lambda does not set it, so on Lambda this read finds \
                 nothing (os.environ[...] raises KeyError).{suggestion} Otherwise {add}{secret}, \
                 or give the read a default."
            ),
        ));
    }
}

/// ` Did you mean `X`?` for a defined name close to `name`, or nothing.
fn suggestion<'a>(defined: impl Iterator<Item = &'a String>, name: &str) -> String {
    defined
        .map(|k| (strsim::jaro_winkler(k, name), k))
        .filter(|(score, _)| *score > 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| format!(" Did you mean `{k}`?"))
        .unwrap_or_default()
}

/// A read of one environment variable.
struct EnvironmentRead<'m> {
    /// The string literal naming the variable.
    name: Node<'m>,
    /// The read gives a default (`.get("X", "d")`, `getenv("X", default=None)`,
    /// `setdefault("X", "d")`), so an unset variable does not make it fail.
    has_default: bool,
}

/// The read in `os.environ["X"]`, `os.environ.get("X"[, default])`, `os.getenv("X"[,
/// default])`, `os.environ.setdefault("X", value)` (also `environ[...]`/`getenv(...)`
/// imported from os).
fn environment_read<'m>(module: &'m Module, node: Node<'m>) -> Option<EnvironmentRead<'m>> {
    match node.kind() {
        "subscript" => {
            let value = node.field("value")?;
            if !matches!(module.node_text(value), "os.environ" | "environ") {
                return None;
            }
            let name = node.field("subscript").filter(|s| s.kind() == "string")?;
            Some(EnvironmentRead {
                name,
                has_default: false,
            })
        }
        "call" => {
            let function = module.node_text(node.field("function")?);
            if !matches!(
                function,
                "os.environ.get" | "environ.get" | "os.getenv" | "getenv" | "os.environ.setdefault"
            ) {
                return None;
            }
            let arguments = node.field("arguments")?;
            let mut cursor = arguments.walk();
            let arguments: Vec<Node<'m>> = arguments
                .named_children(&mut cursor)
                .filter(|a| a.kind() != "comment")
                .collect();
            let name = *arguments.first().filter(|a| a.kind() == "string")?;
            let has_default = arguments.iter().skip(1).any(|a| {
                a.kind() != "keyword_argument"
                    || a.field("name")
                        .is_some_and(|n| module.node_text(n) == "default")
            });
            Some(EnvironmentRead { name, has_default })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::codes::UNDEFINED_ENV_VAR;
    use super::super::test_support::{diagnostics, function_with};
    use super::*;

    const CONFIG: &str =
        "[environment]\nOUTPUT_BUCKET = \"out\"\nBME_API_KEY = { from_env = \"BME_API_KEY\" }\n";

    fn flagged(src: &str, config: &str) -> Vec<(String, String)> {
        found(src, config, Severity::Warning)
    }

    fn found(src: &str, config: &str, severity: Severity) -> Vec<(String, String)> {
        let module = Module::parse(src);
        let function = function_with(config);
        let mut out = Vec::new();
        for root in module.roots() {
            check(&module, root, &[&function], &mut out);
        }
        out.into_iter()
            .filter(|d| d.code == UNDEFINED_ENV_VAR && d.severity == severity)
            .map(|d| (src[d.range].to_string(), d.message))
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

    #[test]
    fn reads_with_a_default_get_a_hint_not_a_warning() {
        let src = "import os\nfrom os import getenv\n\
                   a = os.environ.get(\"STAGE\", \"dev\")\n\
                   b = os.getenv('LOG_LEVEL', 'INFO')\n\
                   c = getenv(\"TABLE\", default=None)\n\
                   d = os.environ.setdefault(\"REGION_NAME\", \"eu-west-1\")\n\
                   e = os.environ.get(\"OUTPUT_BUKET\", \"out\")\n";
        assert!(
            flagged(src, CONFIG).is_empty(),
            "{:?}",
            flagged(src, CONFIG)
        );
        let hints = found(src, CONFIG, Severity::Hint);
        let names: Vec<_> = hints.iter().map(|h| h.0.as_str()).collect();
        assert_eq!(
            names,
            vec![
                "\"STAGE\"",
                "'LOG_LEVEL'",
                "\"TABLE\"",
                "\"REGION_NAME\"",
                "\"OUTPUT_BUKET\""
            ]
        );
        assert!(
            hints[0]
                .1
                .contains("Lambda does not set it, so on Lambda this read returns its default."),
            "{hints:?}"
        );
        assert!(hints[4].1.contains("Did you mean `OUTPUT_BUCKET`?"));
        // The check as the server runs it: no warning among all the file's diagnostics.
        assert!(diagnostics(src, CONFIG)
            .iter()
            .all(|d| d.1 != UNDEFINED_ENV_VAR || d.2.contains("returns its default")));
    }

    #[test]
    fn reads_without_a_default_still_warn() {
        let src = "import os\na = os.environ['X']\nb = os.environ.get('Y')\n\
                   c = os.getenv('Z', key='w')\n";
        let names: Vec<_> = flagged(src, CONFIG).into_iter().map(|f| f.0).collect();
        assert_eq!(names, vec!["'X'", "'Y'", "'Z'"]);
    }
}
