//! Credentials and API keys written into the code. They end up in the deployment package,
//! readable by anyone who can download the function's code; Lambda's environment variables
//! (from `lambda.toml` `[environment]`, `{ from_env = … }`) or Secrets Manager keep them out.

use tree_sitter::Node;

use super::codes;
use crate::ide::{Diagnostic, Fix, Severity, TextEdit};
use crate::python::{descendants, string_value, Module};

pub(super) fn check(module: &Module, out: &mut Vec<Diagnostic>) {
    for node in descendants(module.root()) {
        if node.kind() != "string" {
            continue;
        }
        let Some(value) = string_value(module, node) else {
            continue;
        };
        if looks_like_access_key_id(value) {
            out.push(Diagnostic::new(
                codes::HARDCODED_SECRET,
                Severity::Warning,
                node.byte_range(),
                "This is an AWS access key id written into the code: it ships inside the \
                 deployment package. A Lambda function gets credentials from its execution \
                 role (boto3 finds them on its own); delete the key and deactivate it in IAM.",
            ));
            continue;
        }
        let Some(name) = secret_name(module, node) else {
            continue;
        };
        if !looks_like_secret_value(value) {
            continue;
        }
        let variable = environment_name(&name);
        let mut edits = vec![TextEdit {
            range: node.byte_range(),
            new_text: format!("os.environ[\"{variable}\"]"),
        }];
        if !module.imports_module("os") {
            edits.push(TextEdit {
                range: 0..0,
                new_text: "import os\n".to_string(),
            });
        }
        out.push(
            Diagnostic::new(
                codes::HARDCODED_SECRET,
                Severity::Warning,
                node.byte_range(),
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

/// `AKIA…`/`ASIA…` followed by 16 upper-case letters or digits.
fn looks_like_access_key_id(value: &str) -> bool {
    value.len() == 20
        && (value.starts_with("AKIA") || value.starts_with("ASIA"))
        && value[4..]
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

/// The name a string literal is bound to, when that name says "secret": an assignment
/// target, a keyword argument, a dictionary key or a parameter default.
fn secret_name(module: &Module, string: Node<'_>) -> Option<String> {
    let parent = string.parent()?;
    let name = match parent.kind() {
        "assignment" if parent.child_by_field_name("right") == Some(string) => {
            let left = parent.child_by_field_name("left")?;
            let text = module.node_text(left);
            // `self.api_key = …`, `API_KEY = …`
            text.rsplit('.').next()?.to_string()
        }
        "keyword_argument" | "default_parameter" | "typed_default_parameter"
            if parent.child_by_field_name("value") == Some(string) =>
        {
            module
                .node_text(parent.child_by_field_name("name")?)
                .to_string()
        }
        "pair" if parent.child_by_field_name("value") == Some(string) => {
            let key = parent.child_by_field_name("key")?;
            string_value(module, key)?.to_string()
        }
        _ => return None,
    };
    is_secret_name(&name).then_some(name)
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
            check(&module, &mut out);
            out
        };
        let fixed = apply(src, &found[0].fixes[0]);
        assert_eq!(
            fixed,
            "import os\nimport json\nBME_API_KEY = os.environ[\"BME_API_KEY\"]\n"
        );
        assert_eq!(environment_name("apiKey"), "API_KEY");
    }
}
