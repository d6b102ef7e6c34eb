//! `[environment]`: names Lambda accepts and does not reserve, values that are strings or
//! `{ from_env = "VAR" }`, Lambda's 4 KB total, and secrets written in the file.

use std::ops::Range;

use toml_edit::{Item, Value};

use super::{codes, describe_value, values::is_env_name, Checked, Validator};
use crate::ide::{Diagnostic, Fix, Severity, TextEdit};
use crate::project::schema;
use crate::project::{EnvValue, FunctionConfig};

/// Lambda's limit on the total size of a function's environment variables.
const ENVIRONMENT_LIMIT_BYTES: usize = 4096;

impl Validator {
    pub(super) fn environment(
        &mut self,
        item: &Item,
        key_range: Range<usize>,
        config: &mut FunctionConfig,
    ) {
        let Some(table) = item.as_table_like() else {
            self.error(
                codes::WRONG_TYPE,
                self.value_range(item, &key_range),
                "`environment` must be a table: write `[environment]` followed by `NAME = \"value\"` lines.".to_string(),
            );
            return;
        };
        config.has_environment_table = true;
        for (name, value) in table.iter() {
            let name_range = self.key_range(table, name);
            if schema::is_reserved_env_name(name) {
                self.error(
                    codes::RESERVED_ENVIRONMENT_NAME,
                    name_range.clone(),
                    format!(
                        "`{name}` is set by Lambda itself and cannot be configured: Lambda rejects the deploy. Use another name."
                    ),
                );
                continue;
            }
            if !is_env_name(name) {
                self.error(
                    codes::INVALID_ENVIRONMENT_NAME,
                    name_range.clone(),
                    format!(
                        "`{name}` is not a name Lambda accepts for an environment variable: start with a letter, then at least one letter, digit or underscore."
                    ),
                );
                continue;
            }
            if let Some(env_value) = self.env_value(name, value, name_range) {
                if let EnvValue::Literal(literal) = &env_value {
                    self.secret_literal(name, literal, self.value_range(value, &key_range));
                }
                config.environment.insert(name.to_string(), env_value);
            }
        }
        // Lambda rejects configurations whose variables exceed 4 KB in total; the literal
        // values alone are known here (from_env ones only at deploy time).
        let literal_size: usize = config
            .environment
            .iter()
            .filter_map(|(k, v)| match v {
                EnvValue::Literal(s) => Some(k.len() + s.len()),
                EnvValue::FromEnv(_) | EnvValue::AtDeploy(_) => None,
            })
            .sum();
        if literal_size > ENVIRONMENT_LIMIT_BYTES {
            self.error(
                codes::ENVIRONMENT_TOO_LARGE,
                self.value_range(item, &key_range),
                format!(
                    "The environment variables here add up to {literal_size} bytes; Lambda accepts at most 4 KB ({ENVIRONMENT_LIMIT_BYTES} bytes) in total and rejects the deploy. Move large values to S3, SSM Parameter Store or Secrets Manager."
                ),
            );
        }
    }

    /// A literal value under a name that says "secret": it would be committed with the file.
    fn secret_literal(&mut self, name: &str, literal: &str, range: Range<usize>) {
        const SECRET_WORDS: &[&str] = &[
            "SECRET",
            "PASSWORD",
            "PASSWD",
            "TOKEN",
            "API_KEY",
            "APIKEY",
            "PRIVATE_KEY",
            "ACCESS_KEY",
            "CREDENTIAL",
        ];
        let upper = name.to_ascii_uppercase();
        if literal.is_empty() || !SECRET_WORDS.iter().any(|w| upper.contains(w)) {
            return;
        }
        let replacement = format!("{{ from_env = \"{name}\" }}");
        self.diagnostics.push(
            Diagnostic::new(
                codes::SECRET_IN_CONFIG,
                Severity::Warning,
                range.clone(),
                format!(
                    "`{name}` looks like a secret, and its value is written in lambda.toml, which usually ends up in version control. Write `{name} = {replacement}` and put the value in your shell's environment or the folder's `.env` (kept out of the package and, ideally, out of git)."
                ),
            )
            .with_fix(Fix {
                title: format!("Read `{name}` from the environment"),
                edits: vec![TextEdit {
                    range,
                    new_text: replacement,
                }],
            }),
        );
    }

    fn env_value(&mut self, name: &str, item: &Item, name_range: Range<usize>) -> Option<EnvValue> {
        let range = self.value_range(item, &name_range);
        if let Some(s) = item.as_str() {
            return Some(EnvValue::Literal(s.to_string()));
        }
        if let Some(table) = item.as_table_like() {
            let mut from = None;
            for (key, value) in table.iter() {
                let key_range = self.key_range(table, key);
                let Some(spec) = schema::find_key(schema::ENV_VALUE_KEYS, key) else {
                    self.unknown_key(
                        key_range,
                        key,
                        schema::ENV_VALUE_KEYS,
                        &format!("in the value of `{name}`"),
                    );
                    continue;
                };
                if let Some(Checked::Str(var)) = self.check(spec, value, key_range) {
                    if var.is_empty() {
                        self.error(
                            codes::INVALID_ENVIRONMENT_VALUE,
                            self.value_range(value, &range),
                            "`from_env` names the variable to read and cannot be empty."
                                .to_string(),
                        );
                    } else {
                        from = Some(var);
                    }
                }
            }
            if from.is_none() && !table.contains_key("from_env") {
                self.error(
                    codes::MISSING_KEY,
                    range,
                    format!(
                        "`{name}` needs `from_env`: write `{name} = {{ from_env = \"{name}\" }}` to read it from your shell or `.env`."
                    ),
                );
            }
            return from.map(EnvValue::FromEnv);
        }
        let (hint, fix) = match item.as_value() {
            Some(v @ (Value::Integer(_) | Value::Float(_) | Value::Boolean(_))) => {
                let quoted = format!("\"{}\"", v.to_string().trim());
                (
                    format!(" Lambda environment values are strings: write `{name} = {quoted}`."),
                    Some(quoted),
                )
            }
            _ => (String::new(), None),
        };
        let mut diagnostic = Diagnostic::new(
            codes::INVALID_ENVIRONMENT_VALUE,
            Severity::Error,
            range.clone(),
            format!(
                "`{name}` must be a string or `{{ from_env = \"VAR\" }}`, not {}.{hint}",
                item.as_value().map(describe_value).unwrap_or("a table")
            ),
        );
        if let Some(new_text) = fix {
            diagnostic = diagnostic.with_fix(Fix {
                title: "Quote the value".to_string(),
                edits: vec![TextEdit { range, new_text }],
            });
        }
        self.diagnostics.push(diagnostic);
        None
    }
}
