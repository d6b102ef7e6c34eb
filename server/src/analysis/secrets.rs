//! Credentials and API keys written into the code. They end up in the deployment package,
//! readable by anyone who can download the function's code; Lambda's environment variables
//! (from `lambda.toml` `[environment]`, `{ from_env = … }`) or Secrets Manager keep them out.

use tree_sitter::Node;

use super::codes;
use crate::ide::{Diagnostic, Fix, Severity, TextEdit};
use crate::python::{descendants, string_value, Field, Module};

pub(super) fn check(module: &Module, subtree: Node<'_>, out: &mut Vec<Diagnostic>) {
    // One walk over the tree. Bindings are found from the binding node downwards: asking a
    // string for its parent costs a walk from the root in tree-sitter.
    for node in descendants(subtree) {
        if node.kind() == "string" {
            if string_value(module, node).is_some_and(looks_like_access_key_id) {
                out.push(Diagnostic::new(
                    codes::HARDCODED_SECRET,
                    Severity::Warning,
                    node.byte_range(),
                    "This is an AWS access key id written into the code: it ships inside the \
                     deployment package. A Lambda function gets credentials from its execution \
                     role (boto3 finds them on its own); delete the key and deactivate it in IAM.",
                ));
            }
            continue;
        }
        let Some((name, string)) = secret_binding(module, node) else {
            continue;
        };
        let Some(value) = string_value(module, string) else {
            continue;
        };
        if looks_like_access_key_id(value) || !looks_like_secret_value(value) {
            continue;
        }
        let variable = environment_name(&name);
        // `import os` is added by `add_os_import` once the whole module is known.
        let edits = vec![TextEdit {
            range: string.byte_range(),
            new_text: format!("os.environ[\"{variable}\"]"),
        }];
        out.push(
            Diagnostic::new(
                codes::HARDCODED_SECRET,
                Severity::Warning,
                string.byte_range(),
                format!(
                    "`{name}` looks like a credential written into the code: it ships inside \
                     the deployment package and the repository. Read it from the environment \
                     (`os.environ[\"{variable}\"]`) and declare it in lambda.toml as \
                     `{variable} = {{ from_env = \"{variable}\" }}` under [environment]."
                ),
            )
            .with_fix(Fix {
                title: format!("Read `{name}` from os.environ[\"{variable}\"]"),
                edits,
            }),
        );
    }
}

/// Complete the quick fixes of secrets with `import os` when the module lacks it.
pub(super) fn add_os_import(module: &Module, diagnostics: &mut [Diagnostic]) {
    if module.imports_module("os") {
        return;
    }
    // After the docstring and `from __future__` imports: an import above those is a
    // SyntaxError (future imports must come first).
    let at = module.after_header();
    let newline = if at > 0 && !module.text()[..at].ends_with('\n') {
        "\n"
    } else {
        ""
    };
    for diagnostic in diagnostics
        .iter_mut()
        .filter(|d| d.code == codes::HARDCODED_SECRET)
    {
        for fix in &mut diagnostic.fixes {
            fix.edits.push(TextEdit {
                range: at..at,
                new_text: format!("{newline}import os\n"),
            });
        }
    }
}

/// `AKIA…`/`ASIA…` followed by 16 upper-case letters or digits.
fn looks_like_access_key_id(value: &str) -> bool {
    value.len() == 20
        && (value.starts_with("AKIA") || value.starts_with("ASIA"))
        && value[4..]
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

/// A binding of a string literal to a name that says "secret": an assignment, a keyword
/// argument, a parameter default or a dictionary entry. Returns the name and the string.
fn secret_binding<'m>(module: &'m Module, node: Node<'m>) -> Option<(String, Node<'m>)> {
    let (name, value) = match node.kind() {
        "assignment" => {
            let left = node.field("left")?;
            // `self.api_key = …`, `API_KEY = …`
            let name = module.node_text(left).rsplit('.').next()?.to_string();
            (name, node.field("right")?)
        }
        "keyword_argument" | "default_parameter" | "typed_default_parameter" => (
            module.node_text(node.field("name")?).to_string(),
            node.field("value")?,
        ),
        "pair" => (
            string_value(module, node.field("key")?)?.to_string(),
            node.field("value")?,
        ),
        _ => return None,
    };
    (value.kind() == "string" && is_secret_name(&name)).then_some((name, value))
}

/// Whether a name denotes a secret: it ends in a secret word (`db_password`, `apiKey`,
/// `GITHUB_TOKEN`), not in a word that names something about a secret (`token_url`,
/// `secret_name`, `password_field`).
fn is_secret_name(name: &str) -> bool {
    let words = split_words(name);
    let Some(last) = words.last() else {
        return false;
    };
    let before = words.len().checked_sub(2).map(|i| words[i].as_str());
    match last.as_str() {
        "password" | "passwd" | "pwd" | "secret" | "token" | "apikey" | "passphrase" => true,
        "key" => matches!(
            before,
            Some("api" | "access" | "secret" | "private" | "auth" | "signing" | "encryption")
        ),
        _ => false,
    }
}

fn split_words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for ch in name.chars() {
        if ch == '_' || ch == '-' || ch == ' ' {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            previous_lower = false;
            continue;
        }
        if ch.is_uppercase() && previous_lower && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        previous_lower = ch.is_lowercase() || ch.is_ascii_digit();
        current.extend(ch.to_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// Values that are plausibly real secrets, not placeholders, names or references.
fn looks_like_secret_value(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    let placeholder = [
        "your",
        "example",
        "placeholder",
        "changeme",
        "change-me",
        "xxxx",
        "todo",
        "dummy",
        "<",
        "${",
        "{{",
    ]
    .iter()
    .any(|p| lower.contains(p));
    let environment_variable_name = value
        .chars()
        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    let reference =
        lower.starts_with("arn:") || lower.starts_with("ssm:") || lower.starts_with("/");
    value.len() >= 8
        && !value.chars().any(char::is_whitespace)
        && !placeholder
        && !environment_variable_name
        && !reference
}

/// `apiKey` → `API_KEY`.
fn environment_name(name: &str) -> String {
    split_words(name)
        .iter()
        .map(|w| w.to_ascii_uppercase())
        .collect::<Vec<_>>()
        .join("_")
}

#[cfg(test)]
mod tests {
    use super::super::codes::HARDCODED_SECRET;
    use super::super::test_support::{apply, diagnostics};
    use super::*;

    fn flagged(src: &str) -> Vec<String> {
        diagnostics(src, "")
            .into_iter()
            .filter(|d| d.1 == HARDCODED_SECRET)
            .map(|d| d.0)
            .collect()
    }

    #[test]
    fn secrets_in_every_binding_form() {
        assert_eq!(
            flagged("API_KEY = 'sk_live_4eC39HqLyjWDarjtT1zdp7dc'\n"),
            vec!["'sk_live_4eC39HqLyjWDarjtT1zdp7dc'"]
        );
        assert_eq!(
            flagged("connect(password=\"hunter2hunter2\")\n"),
            vec!["\"hunter2hunter2\""]
        );
        assert_eq!(
            flagged("headers = {'apiKey': 'a8f5f167f44f4964e6c998dee827110c'}\n").len(),
            1
        );
        assert_eq!(
            flagged("def f(token='ghp_16C7e42F292c6912E7710c8'): pass\n").len(),
            1
        );
        assert_eq!(flagged("self.db_password = 's3cr3t-P4ss'\n").len(), 1);
        assert_eq!(flagged("x = 'AKIAIOSFODNN7EXAMPLE'\n").len(), 1);
    }

    #[test]
    fn non_secrets_are_left_alone() {
        assert!(flagged("TOKEN_URL = 'https://auth.example.com/token'\n").is_empty());
        assert!(flagged("SECRET_NAME = 'prod/db/credentials'\n").is_empty());
        assert!(flagged("api_key = os.environ['API_KEY']\n").is_empty());
        assert!(flagged("api_key = 'your-api-key-here'\n").is_empty());
        assert!(flagged("password = ''\n").is_empty());
        assert!(flagged("token = 'BME_API_TOKEN'\n").is_empty());
        assert!(flagged("secret = 'arn:aws:secretsmanager:eu-west-1:1:secret:x'\n").is_empty());
        assert!(flagged("monkey = 'abcdefghijkl'\n").is_empty());
        assert!(flagged("api_key = f'{prefix}abcdefghijk'\n").is_empty());
    }

    #[test]
    fn fix_reads_the_environment_and_imports_os() {
        let src = "import json\nBME_API_KEY = 'f3a9c2d18b7e4a6f'\n";
        let found = {
            let module = Module::parse(src);
            let mut out = Vec::new();
            for root in module.roots() {
                check(&module, root, &mut out);
            }
            add_os_import(&module, &mut out);
            out
        };
        let fixed = apply(src, &found[0].fixes[0]);
        assert_eq!(
            fixed,
            "import os\nimport json\nBME_API_KEY = os.environ[\"BME_API_KEY\"]\n"
        );
        assert_eq!(environment_name("apiKey"), "API_KEY");
    }

    #[test]
    fn fix_imports_os_after_the_docstring_and_future_imports() {
        let fixed = |src: &str| {
            let module = Module::parse(src);
            let mut out = Vec::new();
            for root in module.roots() {
                check(&module, root, &mut out);
            }
            add_os_import(&module, &mut out);
            apply(src, &out[0].fixes[0])
        };
        let src = "\"\"\"Prices.\"\"\"\nfrom __future__ import annotations\n\nimport json\n\
                   API_TOKEN = 'f3a9c2d18b7e4a6f'\n";
        let result = fixed(src);
        assert_eq!(
            result,
            "\"\"\"Prices.\"\"\"\nfrom __future__ import annotations\nimport os\n\nimport json\n\
             API_TOKEN = os.environ[\"API_TOKEN\"]\n"
        );
        assert!(Module::parse(result).syntax_errors().is_empty());
        // The shebang stays on the first line.
        let src = "#!/usr/bin/env python\nAPI_TOKEN = 'f3a9c2d18b7e4a6f'";
        assert_eq!(
            fixed(src),
            "#!/usr/bin/env python\nimport os\nAPI_TOKEN = os.environ[\"API_TOKEN\"]"
        );
    }
}
