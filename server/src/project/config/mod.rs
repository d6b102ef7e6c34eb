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

mod environment;
mod files;
mod triggers;
mod values;

use std::ops::Range;

use toml_edit::{Item, TableLike, Value};

use super::runtimes::{self, Date, RuntimeStatus};
use super::schema::{self, did_you_mean, AllowedValue, Constraint, KeySpec, ValueType};
use super::{Architecture, FunctionConfig, Setting};
use crate::ide::{Diagnostic, Fix, Severity, TextEdit};

pub use files::check_files;
pub(crate) use files::python_files;
pub use values::{
    check_handler, is_python_identifier, is_region, layer_version_region, MAX_LAYERS,
};
use values::{is_arn_of, is_bucket_name, is_role_arn, is_stage_name, resource_path_problem};

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

/// A checked scalar value.
enum Checked {
    Str(String),
    Int(i64),
    /// Booleans carry no constraint; the value itself is read from the TOML where needed.
    Bool,
    StrArray(Vec<String>),
    /// A table whose keys were each checked against their specs.
    Table,
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
        ("layers", Checked::StrArray(a)) => config.layers = Some(a),
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
            (ValueType::Boolean | ValueType::BooleanOrTable(_), Some(Value::Boolean(_))) => {
                Checked::Bool
            }
            (ValueType::BooleanOrTable(keys), _) if item.is_table_like() => {
                let table = item.as_table_like().expect("a table");
                return self.table(spec.name, keys, table).then_some(Checked::Table);
            }
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
        let valid = self.check_constraint(spec, &checked, range, &value_ranges);
        // The handler and the layers are kept as written even when invalid: local invoke
        // then fails the way Lambda does (Runtime.MalformedHandlerName, the layer named)
        // instead of quietly running something else.
        let kept_as_written =
            matches!(spec.constraint, Constraint::Handler | Constraint::LayerArns);
        (valid || kept_as_written).then_some(checked)
    }

    /// Check each entry of the table value of `name` against `keys`; whether all are valid.
    fn table(&mut self, name: &str, keys: &'static [KeySpec], table: &dyn TableLike) -> bool {
        let mut valid = true;
        for (key, item) in table.iter() {
            let key_range = self.key_range(table, key);
            match schema::find_key(keys, key) {
                Some(spec) => valid &= self.check(spec, item, key_range).is_some(),
                None => {
                    self.unknown_key(key_range, key, keys, &format!("in `{name}`"));
                    valid = false;
                }
            }
        }
        valid
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
            (ValueType::Boolean | ValueType::BooleanOrTable(_), Some(Value::String(s)))
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
            (Constraint::ScheduleExpression, Checked::Str(s)) => match super::Schedule::parse(s) {
                Ok(_) => true,
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
            (Constraint::LayerArns, Checked::StrArray(arns)) => {
                let mut ok = true;
                for (i, arn) in arns.iter().enumerate() {
                    let r = element_ranges.get(i).cloned().unwrap_or(range.clone());
                    if let Err(why) = layer_version_region(arn) {
                        ok = false;
                        self.error(
                            codes::INVALID_VALUE,
                            r,
                            format!(
                                "`{arn}` is not a layer version ARN: {why}. Copy the version's ARN from the layer's page in the Lambda console."
                            ),
                        );
                    } else if arns[..i].contains(arn) {
                        ok = false;
                        self.error(
                            codes::INVALID_VALUE,
                            r,
                            format!("`{arn}` is listed twice: remove one (Lambda rejects a layer given twice)."),
                        );
                    }
                }
                if arns.len() > MAX_LAYERS {
                    ok = false;
                    let extra = element_ranges
                        .get(MAX_LAYERS)
                        .cloned()
                        .unwrap_or(range.clone());
                    let extra = extra.start..element_ranges.last().map_or(extra.end, |r| r.end);
                    self.error(
                        codes::OUT_OF_RANGE,
                        extra,
                        format!(
                            "A function can use at most {MAX_LAYERS} layers; this lists {}. Merge layers, or ship the rest with the function's own requirements.",
                            arns.len()
                        ),
                    );
                }
                ok
            }
            (Constraint::ResourcePath, Checked::Str(s)) => match resource_path_problem(s) {
                None => true,
                Some(why) => {
                    self.error(
                        codes::INVALID_VALUE,
                        range,
                        format!("`{name} = \"{s}\"` is not an API Gateway resource path: {why}."),
                    );
                    false
                }
            },
            (Constraint::StageName, Checked::Str(s)) => {
                let valid = is_stage_name(s);
                if !valid {
                    self.error(
                        codes::INVALID_VALUE,
                        range,
                        format!(
                            "`{name} = \"{s}\"` is not a stage name: use letters, digits, hyphens and underscores (at most 128), as in `default` or `prod`."
                        ),
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

#[cfg(test)]
mod tests;
