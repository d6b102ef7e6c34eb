//! Parsing and validation of `lambda.toml`: the effective configuration plus every problem,
//! located on the exact key or value. The checks are driven by the schema tables in
//! [`super::schema`]; what is specific to one constraint lives in [`check_constraint`].
//!
//! Diagnostic codes (stable; tests and users rely on them):
//!
//! | code  | name                       | severity | what |
//! |-------|----------------------------|----------|------|
//! | LT001 | toml-syntax                | error    | the file is not valid TOML (range from the parser) |
//! | LT002 | unknown-key                | error    | a key the schema does not know, at any level, with "did you mean" |
//! | LT003 | wrong-type                 | error    | a value of the wrong TOML type (`memory = "256"`) |
//! | LT004 | out-of-range               | error    | a number outside its range (memory 128–10240, timeout 1–900, …) |
//! | LT005 | invalid-value              | error    | a value not among the allowed ones (architecture, auth, ARN shape, bucket name, …) |
//! | LT006 | unknown-runtime            | error    | not a Lambda Python runtime (other language, or made up) |
//! | LT007 | deprecated-runtime         | warning  | past its deprecation date: no more patches |
//! | LT008 | blocked-runtime            | error    | past its block-create (or block-update) date: deploys fail |
//! | LT009 | malformed-handler          | error    | not `module.function` (Lambda: `Runtime.MalformedHandlerName`) |
//! | LT010 | handler-not-importable     | error    | a module or function part that is not a Python identifier (`my-function.handler`) |
//! | LT011 | handler-file-missing       | error    | the handler's module file is not in the function folder |
//! | LT012 | invalid-role               | error    | `role` is not an IAM role ARN |
//! | LT013 | invalid-region             | error    | `region` is not shaped like a region code |
//! | LT014 | invalid-environment-value  | error    | an `[environment]` value that is neither a string nor `{ from_env = "VAR" }` |
//! | LT015 | reserved-environment-name  | error    | an environment variable Lambda sets itself (`AWS_REGION`, `AWS_LAMBDA_*`, …) |
//! | LT016 | unknown-trigger-type       | error    | `[[trigger]] type` is not an event source |
//! | LT017 | missing-key                | error    | a required key is missing (`type`, `schedule`, `bucket`, …) |
//! | LT018 | invalid-schedule           | error    | not a valid `rate(…)` / `cron(…)` expression |
//! | LT019 | invalid-environment-name   | error    | an environment variable name Lambda rejects |
//! | LT020 | unreadable-config          | error    | `lambda.toml` cannot be read or is not UTF-8 |
//! | LT021 | invalid-function-name      | error    | `name` is not a valid Lambda function name |
//! | LT022 | requirements-file-missing  | error    | the `requirements` file is not in the function folder |
//! | LT023 | environment-too-large      | error    | literal environment variables exceed Lambda's 4 KB total |
//! | LT024 | secret-in-config           | warning  | a literal value under a secret-looking name (`API_KEY = "…"`); use `from_env` |

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;

use toml_edit::{Item, TableLike, Value};

use super::runtimes::{self, Date, RuntimeStatus};
use super::schema::{
    self, did_you_mean, AllowedValue, Constraint, KeySpec, TriggerSpec, ValueType,
};
use super::{Architecture, EnvValue, FunctionConfig, Setting, Trigger};
use crate::ide::{Diagnostic, Fix, Severity, TextEdit};

/// The stable diagnostic codes of `lambda.toml` (see the module documentation).
pub mod codes {
    pub const TOML_SYNTAX: &str = "LT001";
    pub const UNKNOWN_KEY: &str = "LT002";
    pub const WRONG_TYPE: &str = "LT003";
    pub const OUT_OF_RANGE: &str = "LT004";
    pub const INVALID_VALUE: &str = "LT005";
    pub const UNKNOWN_RUNTIME: &str = "LT006";
    pub const DEPRECATED_RUNTIME: &str = "LT007";
    pub const BLOCKED_RUNTIME: &str = "LT008";
    pub const MALFORMED_HANDLER: &str = "LT009";
    pub const HANDLER_NOT_IMPORTABLE: &str = "LT010";
    pub const HANDLER_FILE_MISSING: &str = "LT011";
    pub const INVALID_ROLE: &str = "LT012";
    pub const INVALID_REGION: &str = "LT013";
    pub const INVALID_ENVIRONMENT_VALUE: &str = "LT014";
    pub const RESERVED_ENVIRONMENT_NAME: &str = "LT015";
    pub const UNKNOWN_TRIGGER_TYPE: &str = "LT016";
    pub const MISSING_KEY: &str = "LT017";
    pub const INVALID_SCHEDULE: &str = "LT018";
    pub const INVALID_ENVIRONMENT_NAME: &str = "LT019";
    pub const UNREADABLE_CONFIG: &str = "LT020";
    pub const INVALID_FUNCTION_NAME: &str = "LT021";
    pub const REQUIREMENTS_FILE_MISSING: &str = "LT022";
    pub const ENVIRONMENT_TOO_LARGE: &str = "LT023";
    pub const SECRET_IN_CONFIG: &str = "LT024";

    /// Every code with its name, for documentation and `--explain`-style listings.
    pub const ALL: &[(&str, &str)] = &[
        (TOML_SYNTAX, "toml-syntax"),
        (UNKNOWN_KEY, "unknown-key"),
        (WRONG_TYPE, "wrong-type"),
        (OUT_OF_RANGE, "out-of-range"),
        (INVALID_VALUE, "invalid-value"),
        (UNKNOWN_RUNTIME, "unknown-runtime"),
        (DEPRECATED_RUNTIME, "deprecated-runtime"),
        (BLOCKED_RUNTIME, "blocked-runtime"),
        (MALFORMED_HANDLER, "malformed-handler"),
        (HANDLER_NOT_IMPORTABLE, "handler-not-importable"),
        (HANDLER_FILE_MISSING, "handler-file-missing"),
        (INVALID_ROLE, "invalid-role"),
        (INVALID_REGION, "invalid-region"),
        (INVALID_ENVIRONMENT_VALUE, "invalid-environment-value"),
        (RESERVED_ENVIRONMENT_NAME, "reserved-environment-name"),
        (UNKNOWN_TRIGGER_TYPE, "unknown-trigger-type"),
        (MISSING_KEY, "missing-key"),
        (INVALID_SCHEDULE, "invalid-schedule"),
        (INVALID_ENVIRONMENT_NAME, "invalid-environment-name"),
        (UNREADABLE_CONFIG, "unreadable-config"),
        (INVALID_FUNCTION_NAME, "invalid-function-name"),
        (REQUIREMENTS_FILE_MISSING, "requirements-file-missing"),
        (ENVIRONMENT_TOO_LARGE, "environment-too-large"),
        (SECRET_IN_CONFIG, "secret-in-config"),
    ];
}

/// Lambda's limit on the total size of a function's environment variables.
const ENVIRONMENT_LIMIT_BYTES: usize = 4096;

/// A checked scalar value.
enum Checked {
    Str(String),
    Int(i64),
    /// Booleans carry no constraint; the value itself is read from the TOML where needed.
    Bool,
    StrArray(Vec<String>),
}

struct Validator {
    today: Date,
    diagnostics: Vec<Diagnostic>,
}

/// Parse `text` as of `today` (the runtime deprecation checks depend on the date).
pub fn parse_config_on(
    folder_name: &str,
    text: &str,
    today: Date,
) -> (FunctionConfig, Vec<Diagnostic>) {
    let mut config = FunctionConfig::defaults(folder_name);
    let mut v = Validator {
        today,
        diagnostics: Vec::new(),
    };
    let doc = match toml_edit::Document::parse(text) {
        Ok(doc) => doc,
        Err(err) => {
            let range = widen_empty(text, err.span().unwrap_or(0..0));
            v.error(
                codes::TOML_SYNTAX,
                range,
                format!(
                    "Invalid TOML: {}. Fix the syntax; until then lambda-ls ignores this file and uses Lambda's defaults.",
                    err.message().trim_end_matches('.')
                ),
            );
            return (config, v.diagnostics);
        }
    };
    let root = doc.as_table();
    for (name, item) in root.iter() {
        let key_range = v.key_range(root, name);
        let Some(spec) = schema::find_key(schema::ROOT_KEYS, name) else {
            v.unknown_key(key_range, name, schema::ROOT_KEYS, "at the top level");
            continue;
        };
        match spec.ty {
            ValueType::EnvironmentTable => v.environment(item, key_range, &mut config),
            ValueType::TriggerArray => v.triggers(item, key_range, &mut config),
            _ => {
                let Some(checked) = v.check(spec, item, key_range) else {
                    continue;
                };
                apply(&mut config, spec.name, checked);
            }
        }
    }
    (config, v.diagnostics)
}

/// Store a valid top-level value into the effective configuration.
fn apply(config: &mut FunctionConfig, name: &str, checked: Checked) {
    match (name, checked) {
        ("name", Checked::Str(s)) => config.name = Setting::configured(s),
        ("handler", Checked::Str(s)) => config.handler = Setting::configured(s),
        ("runtime", Checked::Str(s)) => config.runtime = Setting::configured(s),
        ("architecture", Checked::Str(s)) => {
            let arch = if s == "arm64" {
                Architecture::Arm64
            } else {
                Architecture::X86_64
            };
            config.architecture = Setting::configured(arch);
        }
        ("memory", Checked::Int(n)) => config.memory = Setting::configured(n as u32),
        ("timeout", Checked::Int(n)) => config.timeout = Setting::configured(n as u32),
        ("role", Checked::Str(s)) => config.role = Some(s),
        ("region", Checked::Str(s)) => config.region = Some(s),
        ("requirements", Checked::Str(s)) => config.requirements = Some(s),
        ("exclude", Checked::StrArray(a)) => config.exclude = a,
        ("s3_bucket", Checked::Str(s)) => config.s3_bucket = Some(s),
        ("python", Checked::Str(s)) => config.python = Some(s),
        _ => {}
    }
}

/// A zero-width parser span made one character wide so that editors and tests can show it.
fn widen_empty(text: &str, range: Range<usize>) -> Range<usize> {
    if !range.is_empty() {
        return range;
    }
    let start = range.start.min(text.len());
    match text[start..].chars().next() {
        Some(c) if !c.is_whitespace() => start..start + c.len_utf8(),
        // At the end of a line: point at the last thing written before it.
        _ => match text[..start]
            .char_indices()
            .rev()
            .find(|(_, c)| !c.is_whitespace())
        {
            Some((i, c)) => i..i + c.len_utf8(),
            None => start..start,
        },
    }
}

impl Validator {
    fn push(&mut self, code: &'static str, severity: Severity, range: Range<usize>, msg: String) {
        self.diagnostics
            .push(Diagnostic::new(code, severity, range, msg));
    }

    fn error(&mut self, code: &'static str, range: Range<usize>, msg: String) {
        self.push(code, Severity::Error, range, msg);
    }

    fn key_range(&self, table: &dyn TableLike, name: &str) -> Range<usize> {
        table.key(name).and_then(|k| k.span()).unwrap_or(0..0)
    }

    /// The value's range, or the key's when the value has none (tables).
    fn value_range(&self, item: &Item, key_range: &Range<usize>) -> Range<usize> {
        item.span().unwrap_or_else(|| key_range.clone())
    }

    fn unknown_key(
        &mut self,
        range: Range<usize>,
        name: &str,
        known: &'static [KeySpec],
        place: &str,
    ) {
        let suggestion = did_you_mean(name, known.iter().map(|k| k.name));
        let mut message = format!("Unknown key `{name}` {place}");
        match suggestion {
            Some(s) => message.push_str(&format!(": did you mean `{s}`?")),
            None => {
                let names: Vec<_> = known.iter().map(|k| format!("`{}`", k.name)).collect();
                message.push_str(&format!(
                    ". lambda-ls would ignore it; the keys here are {}.",
                    names.join(", ")
                ));
            }
        }
        let mut diagnostic =
            Diagnostic::new(codes::UNKNOWN_KEY, Severity::Error, range.clone(), message);
        if let Some(s) = suggestion {
            diagnostic = diagnostic.with_fix(Fix {
                title: format!("Rename to `{s}`"),
                edits: vec![TextEdit {
                    range,
                    new_text: s.to_string(),
                }],
            });
        }
        self.diagnostics.push(diagnostic);
    }

    /// Check `item` against `spec` (type, then constraint); `None` when invalid.
    fn check(&mut self, spec: &KeySpec, item: &Item, key_range: Range<usize>) -> Option<Checked> {
        let range = self.value_range(item, &key_range);
        let checked = match (spec.ty, item.as_value()) {
            (ValueType::String, Some(Value::String(s))) => Checked::Str(s.value().clone()),
            (ValueType::Integer, Some(Value::Integer(n))) => Checked::Int(*n.value()),
            (ValueType::Boolean, Some(Value::Boolean(_))) => Checked::Bool,
            (ValueType::StringArray, Some(Value::Array(array))) => {
                let mut strings = Vec::new();
                let mut ok = true;
                for element in array.iter() {
                    match element {
                        Value::String(s) => strings.push(s.value().clone()),
                        other => {
                            ok = false;
                            self.error(
                                codes::WRONG_TYPE,
                                other.span().unwrap_or(range.clone()),
                                format!(
                                    "`{}` must be an array of strings, and this element is {}: quote it.",
                                    spec.name,
                                    describe_value(other)
                                ),
                            );
                        }
                    }
                }
                if !ok {
                    return None;
                }
                Checked::StrArray(strings)
            }
            _ => {
                self.wrong_type(spec, item, range);
                return None;
            }
        };
        let value_ranges: Vec<Range<usize>> = match item.as_value() {
            Some(Value::Array(a)) => a
                .iter()
                .map(|e| e.span().unwrap_or(range.clone()))
                .collect(),
            _ => Vec::new(),
        };
        if self.check_constraint(spec, &checked, range, &value_ranges) {
            Some(checked)
        } else {
            None
        }
    }

    fn wrong_type(&mut self, spec: &KeySpec, item: &Item, range: Range<usize>) {
        let found = match item {
            Item::Value(v) => describe_value(v),
            Item::Table(_) => "a table",
            Item::ArrayOfTables(_) => "an array of tables",
            Item::None => "nothing",
        };
        let mut message = format!(
            "`{}` must be {}, not {found}",
            spec.name,
            spec.ty.describe()
        );
        let mut fix = None;
        match (spec.ty, item.as_value()) {
            (ValueType::Integer, Some(Value::String(s)))
                if s.value().trim().parse::<i64>().is_ok() =>
            {
                let n = s.value().trim().to_string();
                message.push_str(&format!(": remove the quotes (`{} = {n}`).", spec.name));
                fix = Some(("Remove the quotes".to_string(), n));
            }
            (ValueType::Boolean, Some(Value::String(s)))
                if matches!(s.value().as_str(), "true" | "false") =>
            {
                let b = s.value().to_string();
                message.push_str(&format!(": remove the quotes (`{} = {b}`).", spec.name));
                fix = Some(("Remove the quotes".to_string(), b));
            }
            (ValueType::String, Some(Value::Integer(n))) => {
                let quoted = format!("\"{}\"", n.value());
                message.push_str(&format!(": quote it (`{} = {quoted}`).", spec.name));
                fix = Some(("Quote the value".to_string(), quoted));
            }
            (ValueType::StringArray, Some(Value::String(s))) => {
                let array = format!("[{}]", s.display_repr());
                message.push_str(&format!(": write `{} = {array}`.", spec.name));
                fix = Some(("Make it an array".to_string(), array));
            }
            _ => message.push('.'),
        }
        let mut diagnostic =
            Diagnostic::new(codes::WRONG_TYPE, Severity::Error, range.clone(), message);
        if let Some((title, new_text)) = fix {
            diagnostic = diagnostic.with_fix(Fix {
                title,
                edits: vec![TextEdit { range, new_text }],
            });
        }
        self.diagnostics.push(diagnostic);
    }

    /// Whether `checked` satisfies the key's constraint; reports the problem when not.
    fn check_constraint(
        &mut self,
        spec: &KeySpec,
        checked: &Checked,
        range: Range<usize>,
        element_ranges: &[Range<usize>],
    ) -> bool {
        let name = spec.name;
        match (spec.constraint, checked) {
            (Constraint::None, _) => true,
            (Constraint::Range { min, max, unit }, Checked::Int(n)) => {
                if (min..=max).contains(n) {
                    return true;
                }
                let default = spec
                    .default
                    .map(|d| format!(" Lambda's default is {d}."))
                    .unwrap_or_default();
                self.error(
                    codes::OUT_OF_RANGE,
                    range,
                    format!(
                        "`{name}` must be between {min} and {max} {unit}; {n} is {} what Lambda accepts.{default}",
                        if *n < min { "below" } else { "above" }
                    ),
                );
                false
            }
            (Constraint::OneOf(allowed), Checked::Str(s)) => {
                self.one_of(name, allowed, s, range, codes::INVALID_VALUE)
            }
            (Constraint::EachOneOf(allowed), Checked::StrArray(values)) => {
                let mut ok = true;
                for (i, s) in values.iter().enumerate() {
                    let r = element_ranges.get(i).cloned().unwrap_or(range.clone());
                    ok &= self.one_of(name, allowed, s, r, codes::INVALID_VALUE);
                }
                ok
            }
            (Constraint::Runtime, Checked::Str(s)) => self.runtime(s, range),
            (Constraint::Handler, Checked::Str(s)) => self.handler(s, range),
            (Constraint::FunctionName, Checked::Str(s)) => {
                let valid = !s.is_empty()
                    && s.len() <= 64
                    && s.chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
                if !valid {
                    self.error(
                        codes::INVALID_FUNCTION_NAME,
                        range,
                        format!(
                            "`{s}` is not a valid Lambda function name: use 1–64 letters, digits, hyphens (-) or underscores (_). Lambda rejects the create call otherwise."
                        ),
                    );
                }
                valid
            }
            (Constraint::RoleArn, Checked::Str(s)) => {
                let valid = is_role_arn(s);
                if !valid {
                    let hint = if s.starts_with("arn:") {
                        "this ARN is not an IAM role's"
                    } else {
                        "a role name alone is not enough"
                    };
                    self.error(
                        codes::INVALID_ROLE,
                        range,
                        format!(
                            "`role` must be an IAM role ARN such as `arn:aws:iam::123456789012:role/my-lambda-role`; {hint}. Copy the ARN from the role's page in the IAM console, or remove `role` to let deploy create a basic execution role."
                        ),
                    );
                }
                valid
            }
            (Constraint::Region, Checked::Str(s)) => {
                let valid = is_region(s);
                if !valid {
                    let hint = if is_region(s.trim_end_matches(|c: char| c.is_ascii_lowercase()))
                        && s.len() > 1
                    {
                        format!(
                            " `{s}` looks like an availability zone; the region is `{}`.",
                            s.trim_end_matches(|c: char| c.is_ascii_lowercase())
                        )
                    } else if is_region(&s.to_ascii_lowercase()) {
                        format!(
                            " Region codes are lower case: `{}`.",
                            s.to_ascii_lowercase()
                        )
                    } else {
                        String::new()
                    };
                    self.error(
                        codes::INVALID_REGION,
                        range,
                        format!(
                            "`region` must be an AWS region code such as `eu-west-1` or `us-east-1`.{hint}"
                        ),
                    );
                }
                valid
            }
            (Constraint::Arn(service), Checked::Str(s)) => {
                let valid = is_arn_of(s, service);
                if !valid {
                    self.error(
                        codes::INVALID_VALUE,
                        range,
                        format!(
                            "`{name}` must be the {service} resource's ARN (`arn:aws:{service}:<region>:<account-id>:…`), not `{s}`. Copy it from the resource's details page in the console."
                        ),
                    );
                }
                valid
            }
            (Constraint::ScheduleExpression, Checked::Str(s)) => match check_schedule(s) {
                Ok(()) => true,
                Err(why) => {
                    self.error(
                        codes::INVALID_SCHEDULE,
                        range,
                        format!(
                            "Invalid schedule `{s}`: {why}. Write `rate(5 minutes)` or `cron(0 12 * * ? *)` (minutes hours day-of-month month day-of-week year, UTC)."
                        ),
                    );
                    false
                }
            },
            (Constraint::BucketName, Checked::Str(s)) => {
                let valid = is_bucket_name(s);
                if !valid {
                    let hint = if s.starts_with("s3://") || s.starts_with("arn:") {
                        " Write only the bucket's name, without `s3://` or `arn:aws:s3:::`."
                    } else {
                        " Bucket names are 3–63 lower-case letters, digits, dots or hyphens, starting and ending with a letter or digit."
                    };
                    self.error(
                        codes::INVALID_VALUE,
                        range,
                        format!("`{name}` must be an S3 bucket name, not `{s}`.{hint}"),
                    );
                }
                valid
            }
            // Trigger types are checked where the trigger is read.
            (Constraint::TriggerType, _) => true,
            // A constraint on a value of another type cannot be reached: types are checked first.
            _ => true,
        }
    }

    fn one_of(
        &mut self,
        name: &str,
        allowed: &[AllowedValue],
        s: &str,
        range: Range<usize>,
        code: &'static str,
    ) -> bool {
        if allowed.iter().any(|a| a.value == s) {
            return true;
        }
        let names: Vec<_> = allowed.iter().map(|a| format!("`{}`", a.value)).collect();
        let suggestion = allowed
            .iter()
            .find(|a| a.value.eq_ignore_ascii_case(s))
            .map(|a| a.value)
            .or_else(|| did_you_mean(s, allowed.iter().map(|a| a.value)));
        let mut message = format!(
            "`{s}` is not a valid `{name}`: use one of {}.",
            names.join(", ")
        );
        if let Some(sugg) = suggestion {
            message.push_str(&format!(" Did you mean `{sugg}`?"));
        }
        let mut diagnostic = Diagnostic::new(code, Severity::Error, range.clone(), message);
        if let Some(sugg) = suggestion {
            diagnostic = diagnostic.with_fix(replace_string_fix(range, sugg));
        }
        self.diagnostics.push(diagnostic);
        false
    }

    fn runtime(&mut self, id: &str, range: Range<usize>) -> bool {
        let newest = runtimes::newest().id;
        let Some(runtime) = runtimes::find(id) else {
            let message = if let Some(language) = runtimes::other_language(id) {
                format!(
                    "`{id}` is a {language} runtime; lambda-ls supports Python functions. Use a Python runtime such as `{newest}`."
                )
            } else {
                let compact = id.replace([' ', '-', '_'], "").to_ascii_lowercase();
                let suggestion = runtimes::PYTHON_RUNTIMES
                    .iter()
                    .find(|r| r.id == compact || r.id.replace('.', "") == compact)
                    .map(|r| r.id)
                    .or_else(|| did_you_mean(id, runtimes::creatable_on(self.today).map(|r| r.id)));
                let known: Vec<_> = runtimes::creatable_on(self.today)
                    .map(|r| format!("`{}`", r.id))
                    .collect();
                let mut m = format!(
                    "Unknown runtime `{id}`: Lambda's Python runtimes are {}.",
                    known.join(", ")
                );
                if let Some(s) = suggestion {
                    m.push_str(&format!(" Did you mean `{s}`?"));
                    let diagnostic =
                        Diagnostic::new(codes::UNKNOWN_RUNTIME, Severity::Error, range.clone(), m)
                            .with_fix(replace_string_fix(range, s));
                    self.diagnostics.push(diagnostic);
                    return false;
                }
                m
            };
            self.error(codes::UNKNOWN_RUNTIME, range, message);
            return false;
        };
        let status = runtime.status_on(self.today);
        let upgrade = || replace_string_fix(range.clone(), newest);
        match status {
            RuntimeStatus::Supported => {}
            RuntimeStatus::Deprecated => {
                let message = format!(
                    "`{id}` has been deprecated since {}: Lambda no longer patches it. Lambda blocks creating functions with it from {} and updating them from {}. Upgrade to `{newest}`.",
                    runtime.deprecation, runtime.block_create, runtime.block_update
                );
                self.diagnostics.push(
                    Diagnostic::new(
                        codes::DEPRECATED_RUNTIME,
                        Severity::Warning,
                        range.clone(),
                        message,
                    )
                    .with_fix(Fix {
                        title: format!("Upgrade to {newest}"),
                        edits: upgrade().edits,
                    }),
                );
            }
            RuntimeStatus::CreateBlocked | RuntimeStatus::UpdateBlocked => {
                let what = if status == RuntimeStatus::UpdateBlocked {
                    format!(
                        "Lambda has refused to create functions with it since {} and to update them since {}",
                        runtime.block_create, runtime.block_update
                    )
                } else {
                    format!(
                        "Lambda has refused to create functions with it since {} and will refuse updates from {}",
                        runtime.block_create, runtime.block_update
                    )
                };
                let message = format!(
                    "`{id}` was deprecated on {} and {what}, so deploys fail. Upgrade to `{newest}`.",
                    runtime.deprecation
                );
                self.diagnostics.push(
                    Diagnostic::new(
                        codes::BLOCKED_RUNTIME,
                        Severity::Error,
                        range.clone(),
                        message,
                    )
                    .with_fix(Fix {
                        title: format!("Upgrade to {newest}"),
                        edits: upgrade().edits,
                    }),
                );
            }
        }
        true
    }

    fn handler(&mut self, handler: &str, range: Range<usize>) -> bool {
        match check_handler(handler) {
            Ok(()) => true,
            Err((code, message)) => {
                self.error(code, range, message);
                false
            }
        }
    }

    fn environment(&mut self, item: &Item, key_range: Range<usize>, config: &mut FunctionConfig) {
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

    fn triggers(&mut self, item: &Item, key_range: Range<usize>, config: &mut FunctionConfig) {
        let tables: Vec<(&dyn TableLike, Range<usize>)> = match item {
            Item::ArrayOfTables(array) => array
                .iter()
                .map(|t| (t as &dyn TableLike, t.span().unwrap_or(key_range.clone())))
                .collect(),
            Item::Value(Value::Array(array)) if array.iter().all(|v| v.is_inline_table()) => array
                .iter()
                .filter_map(|v| {
                    v.as_inline_table()
                        .map(|t| (t as &dyn TableLike, v.span().unwrap_or(key_range.clone())))
                })
                .collect(),
            Item::Table(_) => {
                self.error(
                    codes::WRONG_TYPE,
                    self.value_range(item, &key_range),
                    "Triggers are an array of tables: write `[[trigger]]` (double brackets), one per event source.".to_string(),
                );
                return;
            }
            _ => {
                if let Some(spec) = schema::find_key(schema::ROOT_KEYS, "trigger") {
                    self.wrong_type(spec, item, self.value_range(item, &key_range));
                }
                return;
            }
        };
        for (table, header_range) in tables {
            if let Some(trigger) = self.trigger(table, header_range) {
                config.triggers.push(trigger);
            }
        }
    }

    fn trigger(&mut self, table: &dyn TableLike, header_range: Range<usize>) -> Option<Trigger> {
        let type_spec = &schema::TRIGGER_TYPE_KEY;
        let mut kind: Option<String> = None;
        let mut spec: Option<&'static TriggerSpec> = None;
        if let Some(item) = table.get("type") {
            let key_range = self.key_range(table, "type");
            if let Some(Checked::Str(s)) = self.check(type_spec, item, key_range.clone()) {
                let range = self.value_range(item, &key_range);
                match schema::trigger_spec(&s) {
                    Some(found) => {
                        spec = Some(found);
                        kind = Some(s);
                    }
                    None => {
                        let suggestion = did_you_mean(&s, schema::TRIGGERS.iter().map(|t| t.kind));
                        let mut message = format!(
                            "Unknown trigger type `{s}`: use one of the event sources ({}).",
                            schema::TRIGGERS
                                .iter()
                                .map(|t| format!("`{}`", t.kind))
                                .collect::<Vec<_>>()
                                .join(", ")
                        );
                        if let Some(sugg) = suggestion {
                            message = format!("Unknown trigger type `{s}`: did you mean `{sugg}`?");
                        }
                        let mut d = Diagnostic::new(
                            codes::UNKNOWN_TRIGGER_TYPE,
                            Severity::Error,
                            range.clone(),
                            message,
                        );
                        if let Some(sugg) = suggestion {
                            d = d.with_fix(replace_string_fix(range, sugg));
                        }
                        self.diagnostics.push(d);
                    }
                }
            }
        } else {
            self.error(
                codes::MISSING_KEY,
                header_range.clone(),
                "This trigger has no `type`: add `type = \"…\"` naming the event source (`s3`, `sqs`, `schedule`, `api`, …).".to_string(),
            );
        }
        let mut settings = BTreeMap::new();
        for (name, item) in table.iter() {
            if name == "type" {
                continue;
            }
            let key_range = self.key_range(table, name);
            let Some(spec) = spec else {
                // Unknown or missing type: keep the keys, nothing to check them against.
                if let Some(json) = to_json(item) {
                    settings.insert(name.to_string(), json);
                }
                continue;
            };
            match schema::find_key(spec.keys, name) {
                Some(key_spec) => {
                    if self.check(key_spec, item, key_range).is_some() {
                        if let Some(json) = to_json(item) {
                            settings.insert(name.to_string(), json);
                        }
                    }
                }
                None if spec.open => {
                    if let Some(json) = to_json(item) {
                        settings.insert(name.to_string(), json);
                    }
                }
                None => {
                    let suggestion = did_you_mean(name, spec.keys.iter().map(|k| k.name));
                    let names: Vec<_> = spec.keys.iter().map(|k| format!("`{}`", k.name)).collect();
                    let message = match suggestion {
                        Some(s) => format!(
                            "Unknown key `{name}` for a `{}` trigger: did you mean `{s}`?",
                            spec.kind
                        ),
                        None => format!(
                            "Unknown key `{name}` for a `{}` trigger: its keys are `type`, {}.",
                            spec.kind,
                            names.join(", ")
                        ),
                    };
                    let mut d = Diagnostic::new(
                        codes::UNKNOWN_KEY,
                        Severity::Error,
                        key_range.clone(),
                        message,
                    );
                    if let Some(s) = suggestion {
                        d = d.with_fix(Fix {
                            title: format!("Rename to `{s}`"),
                            edits: vec![TextEdit {
                                range: key_range,
                                new_text: s.to_string(),
                            }],
                        });
                    }
                    self.diagnostics.push(d);
                }
            }
        }
        if let Some(spec) = spec {
            for required in spec.keys.iter().filter(|k| k.required) {
                if !table.contains_key(required.name) {
                    self.error(
                        codes::MISSING_KEY,
                        header_range.clone(),
                        format!(
                            "This `{}` trigger needs `{}`: add `{} = …` ({}).",
                            spec.kind,
                            required.name,
                            required.name,
                            required.doc.trim_end_matches('.')
                        ),
                    );
                }
            }
        }
        kind.map(|kind| Trigger { kind, settings })
    }
}

/// A fix replacing a string value (quotes included in `range`) with `value`, quoted.
fn replace_string_fix(range: Range<usize>, value: &str) -> Fix {
    Fix {
        title: format!("Change to `{value}`"),
        edits: vec![TextEdit {
            range,
            new_text: format!("\"{value}\""),
        }],
    }
}

fn describe_value(value: &Value) -> &'static str {
    match value {
        Value::String(_) => "a string",
        Value::Integer(_) => "an integer",
        Value::Float(_) => "a float",
        Value::Boolean(_) => "a boolean",
        Value::Datetime(_) => "a date-time",
        Value::Array(_) => "an array",
        Value::InlineTable(_) => "an inline table",
    }
}

/// A TOML item as JSON, for trigger settings.
fn to_json(item: &Item) -> Option<serde_json::Value> {
    match item {
        Item::Value(v) => Some(value_to_json(v)),
        Item::Table(t) => Some(serde_json::Value::Object(
            t.iter()
                .filter_map(|(k, v)| to_json(v).map(|j| (k.to_string(), j)))
                .collect(),
        )),
        _ => None,
    }
}

fn value_to_json(value: &Value) -> serde_json::Value {
    match value {
        Value::String(s) => serde_json::Value::String(s.value().clone()),
        Value::Integer(n) => serde_json::Value::from(*n.value()),
        Value::Float(f) => serde_json::Number::from_f64(*f.value())
            .map(serde_json::Value::Number)
            .unwrap_or(serde_json::Value::Null),
        Value::Boolean(b) => serde_json::Value::Bool(*b.value()),
        Value::Datetime(d) => serde_json::Value::String(d.value().to_string()),
        Value::Array(a) => serde_json::Value::Array(a.iter().map(value_to_json).collect()),
        Value::InlineTable(t) => serde_json::Value::Object(
            t.iter()
                .map(|(k, v)| (k.to_string(), value_to_json(v)))
                .collect(),
        ),
    }
}

const PYTHON_KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield",
];

/// Whether `s` can be a Python module or function name (ASCII identifiers; Lambda's own
/// handlers are in practice always ASCII).
pub fn is_python_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !PYTHON_KEYWORDS.contains(&s)
}

/// Check a handler string the way Lambda's Python bootstrap reads it: split at the last
/// dot into module and function, the module's `/` and `.` separating packages.
pub fn check_handler(handler: &str) -> Result<(), (&'static str, String)> {
    let Some((module, function)) = handler.rsplit_once('.') else {
        return Err((
            codes::MALFORMED_HANDLER,
            format!(
                "`{handler}` is not `module.function`: Lambda fails with Runtime.MalformedHandlerName. Write e.g. `{handler}.lambda_handler` or `lambda_function.{handler}`."
            ),
        ));
    };
    if module.is_empty() || function.is_empty() {
        return Err((
            codes::MALFORMED_HANDLER,
            format!(
                "`{handler}` needs both a module and a function name around the last dot (`module.function`); Lambda fails with Runtime.MalformedHandlerName."
            ),
        ));
    }
    if function == "py" {
        return Err((
            codes::MALFORMED_HANDLER,
            format!(
                "`{handler}` names the file, not the function: write `{module}.lambda_handler` (module without `.py`, then the function's name)."
            ),
        ));
    }
    if let Some(stem) = module.strip_suffix(".py") {
        return Err((
            codes::MALFORMED_HANDLER,
            format!(
                "`{handler}`: write the module without `.py`, as in `{stem}.{function}`; Lambda would look for a module named `py`."
            ),
        ));
    }
    for part in module.split(['/', '.']) {
        if !is_python_identifier(part) {
            let why = if part.contains('-') {
                let fixed = part.replace('-', "_");
                format!(
                    "Python cannot import a module named `{part}` (hyphen). Rename `{part}.py` to `{fixed}.py` and write `{}`.",
                    handler.replacen(part, &fixed, 1)
                )
            } else if part.is_empty() {
                "it has an empty path segment.".to_string()
            } else if PYTHON_KEYWORDS.contains(&part) {
                format!("`{part}` is a Python keyword.")
            } else {
                format!("`{part}` is not a Python identifier (letters, digits, underscores, not starting with a digit).")
            };
            return Err((
                codes::HANDLER_NOT_IMPORTABLE,
                format!("The handler module `{module}` cannot be imported: {why} Lambda would fail with Runtime.ImportModuleError."),
            ));
        }
    }
    if !is_python_identifier(function) {
        return Err((
            codes::HANDLER_NOT_IMPORTABLE,
            format!(
                "`{function}` is not a Python function name (letters, digits, underscores, not starting with a digit, not a keyword); Lambda would fail with Runtime.HandlerNotFound."
            ),
        ));
    }
    Ok(())
}

fn is_role_arn(s: &str) -> bool {
    let parts: Vec<&str> = s.splitn(6, ':').collect();
    parts.len() == 6
        && parts[0] == "arn"
        && parts[1].starts_with("aws")
        && parts[2] == "iam"
        && parts[3].is_empty()
        && parts[4].len() == 12
        && parts[4].chars().all(|c| c.is_ascii_digit())
        && parts[5].strip_prefix("role/").is_some_and(|name| {
            !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+=,.@-_/".contains(c))
        })
}

/// `eu-west-1`, `us-gov-west-1`, `ap-southeast-5`, `us-isob-east-1`, `cn-north-1`.
pub fn is_region(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    if parts.len() < 3 || parts.len() > 4 {
        return false;
    }
    let lower = |p: &str| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase());
    let Some((number, words)) = parts.split_last() else {
        return false;
    };
    words[0].len() == 2
        && words.iter().all(|w| lower(w))
        && !number.is_empty()
        && number.len() <= 2
        && number.chars().all(|c| c.is_ascii_digit())
}

fn is_arn_of(s: &str, service: &str) -> bool {
    let parts: Vec<&str> = s.splitn(6, ':').collect();
    parts.len() == 6
        && parts[0] == "arn"
        && parts[1].starts_with("aws")
        && parts[2] == service
        && is_region(parts[3])
        && parts[4].len() == 12
        && parts[4].chars().all(|c| c.is_ascii_digit())
        && !parts[5].is_empty()
}

fn is_bucket_name(s: &str) -> bool {
    (3..=63).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-')
        && s.starts_with(|c: char| c.is_ascii_alphanumeric())
        && s.ends_with(|c: char| c.is_ascii_alphanumeric())
        && !s.contains("..")
}

/// Lambda's environment variable name pattern: `[a-zA-Z]([a-zA-Z0-9_])+`.
pub fn is_env_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic())
        && s.len() >= 2
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Check an EventBridge schedule expression's basic syntax.
pub fn check_schedule(s: &str) -> Result<(), String> {
    let s = s.trim();
    if let Some(inner) = s.strip_prefix("rate(").and_then(|r| r.strip_suffix(')')) {
        let mut words = inner.split_whitespace();
        let (Some(value), Some(unit), None) = (words.next(), words.next(), words.next()) else {
            return Err("a rate is `rate(<value> <unit>)`".to_string());
        };
        let Ok(n) = value.parse::<u64>() else {
            return Err(format!("`{value}` is not a positive whole number"));
        };
        if n == 0 {
            return Err("the rate value must be at least 1".to_string());
        }
        let singular = ["minute", "hour", "day"];
        let plural = ["minutes", "hours", "days"];
        if n == 1 && !singular.contains(&unit) {
            return Err(if plural.contains(&unit) {
                format!(
                    "with a value of 1 the unit is singular (`{}`)",
                    unit.trim_end_matches('s')
                )
            } else {
                format!("`{unit}` is not a unit: use minute, hour or day")
            });
        }
        if n > 1 && !plural.contains(&unit) {
            return Err(if singular.contains(&unit) {
                format!("with a value above 1 the unit is plural (`{unit}s`)")
            } else {
                format!("`{unit}` is not a unit: use minutes, hours or days")
            });
        }
        return Ok(());
    }
    if let Some(inner) = s.strip_prefix("cron(").and_then(|r| r.strip_suffix(')')) {
        let fields: Vec<&str> = inner.split_whitespace().collect();
        if fields.len() != 6 {
            return Err(format!(
                "a cron expression has 6 fields (minutes hours day-of-month month day-of-week year), this one has {}",
                fields.len()
            ));
        }
        let (dom, dow) = (fields[2], fields[4]);
        if (dom == "?") == (dow == "?") {
            return Err(
                "exactly one of day-of-month (3rd field) and day-of-week (5th field) must be `?`"
                    .to_string(),
            );
        }
        let allowed = |f: &str| {
            f.chars()
                .all(|c| c.is_ascii_alphanumeric() || ",-*/?LW#".contains(c))
        };
        if let Some(bad) = fields.iter().find(|f| !allowed(f)) {
            return Err(format!("`{bad}` has characters cron does not allow"));
        }
        return super::schedule::validate_cron(s);
    }
    Err("a schedule must be `rate(…)` or `cron(…)`".to_string())
}

/// Checks that need the function folder: the handler's module file and the requirements
/// file exist. `text` is the `lambda.toml` the configuration came from (ranges point into it).
pub fn check_files(dir: &Path, text: &str, config: &FunctionConfig) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    let Ok(doc) = toml_edit::Document::parse(text) else {
        return diagnostics;
    };
    let root = doc.as_table();
    let value_range = |name: &str| root.get(name).and_then(|i| i.span());
    if config.handler.source == super::Source::Default
        && !dir.join(super::DEFAULT_MODULE_FILE).is_file()
    {
        // No handler written and no console-default module: Lambda would not find the code.
        let others = python_files(dir);
        let hint = match others.first() {
            Some(file) => format!(
                " Add `handler = \"{}.lambda_handler\"` (with your function's name) to lambda.toml.",
                file.trim_end_matches(".py")
            ),
            None => " Add the handler's module, or set `handler = \"module.function\"`.".to_string(),
        };
        diagnostics.push(Diagnostic::new(
            codes::HANDLER_FILE_MISSING,
            Severity::Error,
            0..0,
            format!(
                "No `handler` is set, so Lambda's default `{}` applies, but `{}` is not in the function folder.{hint}",
                super::DEFAULT_HANDLER,
                super::DEFAULT_MODULE_FILE
            ),
        ));
    }
    if config.handler.source == super::Source::LambdaToml {
        if let (Some((module, _)), Some(range)) = (config.handler_parts(), value_range("handler")) {
            let module_path = module.replace('.', "/");
            let file = dir.join(format!("{module_path}.py"));
            let package = dir.join(&module_path).join("__init__.py");
            if !file.is_file() && !package.is_file() {
                let others = python_files(dir);
                let suggestion = did_you_mean(
                    &format!("{module_path}.py"),
                    others.iter().map(String::as_str),
                );
                let mut message = format!(
                    "The handler's module file `{module_path}.py` is not in the function folder: Lambda would fail with Runtime.ImportModuleError."
                );
                match suggestion {
                    Some(s) => {
                        message.push_str(&format!(" Did you mean `{}`?", s.trim_end_matches(".py")))
                    }
                    None => message.push_str(
                        " Create it, or point `handler` at the file that defines the function.",
                    ),
                }
                diagnostics.push(Diagnostic::new(
                    codes::HANDLER_FILE_MISSING,
                    Severity::Error,
                    range,
                    message,
                ));
            }
        }
    }
    if let (Some(requirements), Some(range)) = (&config.requirements, value_range("requirements")) {
        if !dir.join(requirements).is_file() {
            diagnostics.push(Diagnostic::new(
                codes::REQUIREMENTS_FILE_MISSING,
                Severity::Error,
                range,
                format!(
                    "`{requirements}` does not exist in the function folder, so packaging cannot install dependencies. Create it or fix the path (relative to the folder holding lambda.toml)."
                ),
            ));
        }
    }
    diagnostics
}

/// `.py` files directly in `dir`, for "did you mean" on a missing handler module.
pub(super) fn python_files(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".py"))
        .collect();
    names.sort();
    names
}

#[cfg(test)]
#[path = "config_tests.rs"]
mod tests;
