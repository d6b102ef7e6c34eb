//! lambda.toml functions as a SAM template, for teams that deploy with `sam deploy` or
//! CloudFormation: each function an `AWS::Serverless::Function` with its handler, runtime,
//! architecture, memory, timeout, role and environment, and its triggers as `Events`.
//! `from_env` values become `NoEcho` parameters (the value is never written); the template
//! reads back through [`super::read`] to the same configuration.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Component, Path, PathBuf};

use serde_json::Value as Json;

use crate::project::{EnvValue, Function, Trigger};

/// Where lambda-ls keeps what the template needs to read back as lambda.toml did:
/// `Metadata.lambda-ls.FromEnv` maps each `NoEcho` parameter to the shell variable
/// lambda.toml read it from.
pub const METADATA_KEY: &str = "lambda-ls";
pub const FROM_ENV_KEY: &str = "FromEnv";

/// A template and what the user should know about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exported {
    pub text: String,
    /// Things the template could not say, or that need the user (one sentence each).
    pub notes: Vec<String>,
}

/// The template for `functions`, with code paths relative to `template_dir` (the folder
/// the template will be written to).
pub fn export(functions: &[Function], template_dir: &Path) -> Exported {
    let mut out = Writer::default();
    let mut ids = Ids::default();
    let mut parameters = Vec::new();
    let mut buckets: BTreeMap<String, String> = BTreeMap::new();
    let mut resources = String::new();
    for function in functions {
        let id = ids.unique(&format!("{}Function", pascal(&function.config.name.value)));
        let body = out.function(function, &id, template_dir, &mut parameters, &mut buckets);
        resources.push_str(&body);
    }
    for (bucket, id) in &buckets {
        out.notes.push(format!(
            "SAM's S3 events need the bucket in the template: it declares `{id}` (bucket `{bucket}`, kept when the stack is deleted). If the bucket exists already, import it into the stack (`aws cloudformation create-change-set --change-set-type IMPORT`) before the first deploy."
        ));
        let _ = write!(
            resources,
            "\n  {id}:\n    Type: AWS::S3::Bucket\n    DeletionPolicy: Retain\n    UpdateReplacePolicy: Retain\n    Properties:\n      BucketName: {}\n",
            scalar(bucket)
        );
    }

    let mut text = String::new();
    text.push_str("AWSTemplateFormatVersion: '2010-09-09'\n");
    text.push_str("Transform: AWS::Serverless-2016-10-31\n");
    let count = functions.len();
    let _ = writeln!(
        text,
        "Description: Exported by lambda-ls from lambda.toml ({count} function{})",
        if count == 1 { "" } else { "s" }
    );
    if !parameters.is_empty() {
        text.push_str("\nParameters:\n");
        for p in &parameters {
            let _ = write!(
                text,
                "  {}:\n    Type: String\n    NoEcho: true\n    Description: {}\n",
                p.id,
                scalar(&format!(
                    "{} of {} (lambda.toml reads it from ${}); pass it with --parameter-overrides {}=...",
                    p.variable, p.function, p.from_env, p.id
                ))
            );
        }
        let _ = write!(
            text,
            "\nMetadata:\n  {METADATA_KEY}:\n    {FROM_ENV_KEY}:\n"
        );
        for p in &parameters {
            let _ = writeln!(text, "      {}: {}", p.id, scalar(&p.from_env));
        }
    }
    text.push_str("\nResources:\n");
    text.push_str(resources.trim_start_matches('\n'));
    Exported {
        text,
        notes: out.notes,
    }
}

/// A `NoEcho` parameter standing for a `from_env` value.
struct Parameter {
    id: String,
    function: String,
    variable: String,
    from_env: String,
}

#[derive(Default)]
struct Writer {
    notes: Vec<String>,
    ids: Ids,
}

impl Writer {
    fn function(
        &mut self,
        function: &Function,
        id: &str,
        template_dir: &Path,
        parameters: &mut Vec<Parameter>,
        buckets: &mut BTreeMap<String, String>,
    ) -> String {
        let c = &function.config;
        let name = &c.name.value;
        let mut y = String::new();
        let _ = writeln!(
            y,
            "\n  {id}:\n    Type: AWS::Serverless::Function\n    Properties:"
        );
        let mut line = |key: &str, value: String| {
            let _ = writeln!(y, "      {key}: {value}");
        };
        line("FunctionName", scalar(name));
        line("CodeUri", scalar(&code_uri(&function.dir, template_dir)));
        line("Handler", scalar(&c.handler.value));
        line("Runtime", scalar(&c.runtime.value));
        line(
            "Architectures",
            format!("[{}]", c.architecture.value.as_str()),
        );
        line("MemorySize", c.memory.value.to_string());
        line("Timeout", c.timeout.value.to_string());
        if let Some(role) = &c.role {
            line("Role", scalar(role));
        } else {
            self.notes.push(format!(
                "`{name}` has no role in lambda.toml: SAM creates one with basic execution rights; add `Policies` to the function for anything else it calls."
            ));
        }
        if c.has_environment_table && !c.environment.is_empty() {
            y.push_str("      Environment:\n        Variables:\n");
            for (variable, value) in &c.environment {
                let written = match value {
                    EnvValue::Literal(s) => scalar(s),
                    EnvValue::FromEnv(from_env) => {
                        let id = self.ids.unique(&pascal(from_env));
                        parameters.push(Parameter {
                            id: id.clone(),
                            function: name.clone(),
                            variable: variable.clone(),
                            from_env: from_env.clone(),
                        });
                        format!("!Ref {id}")
                    }
                    EnvValue::AtDeploy(shown) => {
                        self.notes.push(format!(
                            "`{name}`'s `{variable}` is set at deploy ({shown}): write it into the template by hand."
                        ));
                        continue;
                    }
                };
                let _ = writeln!(y, "          {variable}: {written}");
            }
        }
        let mut events = String::new();
        let mut url = None;
        for (index, trigger) in c.triggers.iter().enumerate() {
            let event_id = format!("{}{}", pascal(trigger.kind()), index + 1);
            match self.event(name, trigger, buckets) {
                Some(Event::Url(config)) => url = Some(config),
                Some(Event::Source(body)) => {
                    let _ = write!(events, "        {event_id}:\n{body}");
                }
                None => {}
            }
        }
        if !events.is_empty() {
            y.push_str("      Events:\n");
            y.push_str(&events);
        }
        if let Some(config) = url {
            y.push_str("      FunctionUrlConfig:\n");
            y.push_str(&config);
        }
        if let Some(region) = &c.region {
            self.notes.push(format!(
                "`{name}` deploys to {region} in lambda.toml: deploy the stack there (`sam deploy --region {region}`)."
            ));
        }
        if c.requirements
            .as_deref()
            .is_some_and(|r| r != "requirements.txt")
        {
            self.notes.push(format!(
                "`{name}` installs `{}`: `sam build` reads `requirements.txt` in the code folder.",
                c.requirements.as_deref().unwrap_or_default()
            ));
        }
        if !c.exclude.is_empty() {
            self.notes.push(format!(
                "`{name}` excludes files from its package in lambda.toml; `sam build` copies the whole code folder."
            ));
        }
        y
    }

    /// A trigger as a SAM event (or the function URL configuration); `None`, with a
    /// note, when lambda.toml does not say enough.
    fn event(
        &mut self,
        function: &str,
        trigger: &Trigger,
        buckets: &mut BTreeMap<String, String>,
    ) -> Option<Event> {
        let mut props: Vec<(&str, String)> = Vec::new();
        let text = |s: &Option<String>| s.as_deref().map(scalar);
        let number = |n: Option<u32>| n.map(|n| n.to_string());
        // Written only when off: SAM's default is on.
        let disabled = |enabled: bool| (!enabled).then(|| "false".to_string());
        let event_type = match trigger {
            Trigger::Schedule(t) => {
                props.push(("Schedule", scalar(t.schedule.expression())));
                push_opt(&mut props, "Input", text(&t.input));
                push_opt(&mut props, "Description", text(&t.description));
                push_opt(&mut props, "Enabled", disabled(t.enabled));
                "Schedule"
            }
            Trigger::S3(t) => {
                let id = self.ids.unique(&format!("{}Bucket", pascal(&t.bucket)));
                let id = buckets.entry(t.bucket.clone()).or_insert(id).clone();
                props.push(("Bucket", format!("!Ref {id}")));
                props.push(("Events", flow(&Json::from(t.events.clone()))));
                let rules: Vec<Json> = [("prefix", &t.prefix), ("suffix", &t.suffix)]
                    .into_iter()
                    .filter_map(|(name, value)| {
                        value
                            .as_ref()
                            .map(|v| serde_json::json!({"Name": name, "Value": v}))
                    })
                    .collect();
                if !rules.is_empty() {
                    props.push((
                        "Filter",
                        flow(&serde_json::json!({"S3Key": {"Rules": rules}})),
                    ));
                }
                "S3"
            }
            Trigger::Sqs(t) => {
                props.push(("Queue", scalar(&t.queue)));
                push_opt(&mut props, "BatchSize", number(t.batch_size));
                push_opt(
                    &mut props,
                    "MaximumBatchingWindowInSeconds",
                    number(t.batching_window),
                );
                if t.report_batch_item_failures {
                    props.push(("FunctionResponseTypes", "[ReportBatchItemFailures]".into()));
                }
                push_opt(&mut props, "Enabled", disabled(t.enabled));
                "SQS"
            }
            Trigger::Sns(t) => {
                props.push(("Topic", scalar(&t.topic)));
                push_opt(&mut props, "FilterPolicy", json_text(&t.filter_policy));
                "SNS"
            }
            Trigger::DynamoDb(t) | Trigger::Kinesis(t) => {
                props.push(("Stream", scalar(&t.stream)));
                props.push(("StartingPosition", scalar(&t.starting_position)));
                push_opt(&mut props, "BatchSize", number(t.batch_size));
                push_opt(&mut props, "Enabled", disabled(t.enabled));
                if matches!(trigger, Trigger::DynamoDb(_)) {
                    "DynamoDB"
                } else {
                    "Kinesis"
                }
            }
            // Without a path, the route that `deploy` and `serve` use (the trigger's default),
            // written out: SAM needs one.
            Trigger::Api(t) => {
                props.push(("Path", scalar(t.path())));
                props.push(("Method", scalar(&t.route.method)));
                "Api"
            }
            Trigger::HttpApi(t) => {
                props.push(("Path", scalar(&t.path(function))));
                props.push(("Method", scalar(&t.route.method)));
                "HttpApi"
            }
            Trigger::EventBridge(t) => {
                let Some(pattern) = json_text(&t.pattern) else {
                    return self.skipped(function, trigger, "it has no `pattern`");
                };
                props.push(("Pattern", pattern));
                push_opt(&mut props, "EventBusName", text(&t.bus));
                if !t.enabled {
                    props.push(("State", "DISABLED".into()));
                }
                "EventBridgeRule"
            }
            Trigger::FunctionUrl(t) => {
                let mut config = format!("        AuthType: {}\n", t.auth.as_str());
                if t.cors {
                    config.push_str("        Cors:\n          AllowOrigins: ['*']\n");
                }
                return Some(Event::Url(config));
            }
            Trigger::Incomplete { .. } => {
                return self.skipped(
                    function,
                    trigger,
                    "lambda.toml does not say enough (`lambda-ls check` shows what is missing)",
                )
            }
            Trigger::Other { .. } => return self.skipped(
                function,
                trigger,
                "lambda.toml does not describe its source; add the event to the template by hand",
            ),
        };
        let mut body = format!("          Type: {event_type}\n          Properties:\n");
        for (key, value) in props {
            let _ = writeln!(body, "            {key}: {value}");
        }
        Some(Event::Source(body))
    }

    fn skipped(&mut self, function: &str, trigger: &Trigger, why: &str) -> Option<Event> {
        self.notes.push(format!(
            "`{function}`'s `{}` trigger is not in the template: {why}.",
            trigger.kind()
        ));
        None
    }
}

enum Event {
    /// An entry of `Events`.
    Source(String),
    /// The body of `FunctionUrlConfig`.
    Url(String),
}

fn push_opt<'k>(props: &mut Vec<(&'k str, String)>, key: &'k str, value: Option<String>) {
    if let Some(value) = value {
        props.push((key, value));
    }
}

/// A JSON document held in a lambda.toml string, written as YAML (JSON is YAML's flow
/// style); a string that is not JSON stays a string.
fn json_text(value: &Option<String>) -> Option<String> {
    let text = value.as_deref()?;
    Some(match serde_json::from_str::<Json>(text) {
        Ok(json) => flow(&json),
        Err(_) => scalar(text),
    })
}

/// JSON written as a YAML flow collection.
fn flow(json: &Json) -> String {
    json.to_string()
}

/// Logical ids are made of letters and digits and unique in the template.
#[derive(Default)]
struct Ids {
    used: std::collections::HashSet<String>,
}

impl Ids {
    fn unique(&mut self, wanted: &str) -> String {
        let base = if wanted.starts_with(|c: char| c.is_ascii_alphabetic()) {
            wanted.to_string()
        } else {
            format!("Fn{wanted}")
        };
        let mut id = base.clone();
        let mut n = 2;
        while !self.used.insert(id.clone()) {
            id = format!("{base}{n}");
            n += 1;
        }
        id
    }
}

/// `santander-prices` → `SantanderPrices`, `BME_API_KEY` → `BmeApiKey`.
fn pascal(name: &str) -> String {
    name.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|part| !part.is_empty())
        .map(|part| {
            let lower = if part.chars().all(|c| !c.is_ascii_lowercase()) {
                part.to_ascii_lowercase()
            } else {
                part.to_string()
            };
            let mut chars = lower.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// A string as a YAML scalar: plain when YAML reads it back as the same string, else
/// double-quoted (JSON's escapes are YAML's).
fn scalar(s: &str) -> String {
    let plain_safe = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:@+=,()*?".contains(c))
        && !s.starts_with(|c: char| "-:?,*@".contains(c))
        && !s.contains(": ")
        && !looks_typed(s);
    if plain_safe {
        s.to_string()
    } else {
        serde_json::Value::String(s.to_string()).to_string()
    }
}

/// Whether YAML (1.1 or 1.2) would read `s` as something other than a string.
fn looks_typed(s: &str) -> bool {
    const WORDS: &[&str] = &[
        "true", "false", "yes", "no", "on", "off", "y", "n", "null", "~",
    ];
    WORDS.contains(&s.to_ascii_lowercase().as_str())
        || s.parse::<f64>().is_ok()
        || s.starts_with("0x")
        || s.starts_with("0o")
        || s.starts_with('.')
}

/// The code folder relative to the template's folder (`.` when they are the same).
fn code_uri(dir: &Path, template_dir: &Path) -> String {
    let absolute = |p: &Path| {
        p.canonicalize()
            .unwrap_or_else(|_| std::env::current_dir().unwrap_or_default().join(p))
    };
    let (dir, base) = (absolute(dir), absolute(template_dir));
    let relative = relative_path(&dir, &base);
    let text = relative.to_string_lossy().replace('\\', "/");
    if text.is_empty() {
        ".".to_string()
    } else {
        text
    }
}

/// `path` relative to `base` (both absolute), with `..` where it lies outside.
fn relative_path(path: &Path, base: &Path) -> PathBuf {
    let path: Vec<Component> = path.components().collect();
    let base: Vec<Component> = base.components().collect();
    let common = path.iter().zip(&base).take_while(|(a, b)| a == b).count();
    let mut relative = PathBuf::new();
    for _ in common..base.len() {
        relative.push("..");
    }
    for part in &path[common..] {
        relative.push(part);
    }
    relative
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_scalars() {
        assert_eq!(pascal("santander-prices"), "SantanderPrices");
        assert_eq!(pascal("BME_API_KEY"), "BmeApiKey");
        assert_eq!(pascal("on-upload"), "OnUpload");
        assert_eq!(scalar("python3.13"), "python3.13");
        assert_eq!(scalar("rate(5 minutes)"), "\"rate(5 minutes)\"");
        assert_eq!(scalar("true"), "\"true\"");
        assert_eq!(scalar("128"), "\"128\"");
        assert_eq!(scalar("a: b"), "\"a: b\"");
        assert_eq!(scalar("say \"hi\"\n"), "\"say \\\"hi\\\"\\n\"");
        assert_eq!(
            scalar("arn:aws:iam::123456789012:role/x"),
            "arn:aws:iam::123456789012:role/x"
        );
        let mut ids = Ids::default();
        assert_eq!(ids.unique("HelloFunction"), "HelloFunction");
        assert_eq!(ids.unique("HelloFunction"), "HelloFunction2");
        assert_eq!(ids.unique("3dFunction"), "Fn3dFunction");
    }

    /// A JSON document held in a string, parsed (formatting aside, the same document).
    fn settings_json(trigger: &Trigger) -> Json {
        let parsed = trigger.settings().into_iter().map(|(k, v)| {
            let v = match v
                .as_str()
                .and_then(|s| serde_json::from_str::<Json>(s).ok())
            {
                Some(json) if json.is_object() => json,
                _ => v,
            };
            (k, v)
        });
        serde_json::json!({"type": trigger.kind(), "settings": parsed.collect::<serde_json::Map<_, _>>()})
    }

    #[test]
    fn lambda_toml_functions_read_back_to_the_same_configuration() {
        let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/sam/export");
        let functions = crate::project::discover(&fixture);
        assert_eq!(functions.len(), 6);
        let exported = export(&functions, &fixture);
        let template = crate::project::sam::read(&fixture.join("template.yaml"), &exported.text);
        assert!(
            template.diagnostics.is_empty(),
            "{:?}\n{}",
            template.diagnostics,
            exported.text
        );
        assert_eq!(template.functions.len(), functions.len());
        for original in &functions {
            let name = &original.config.name.value;
            let read = template
                .functions
                .iter()
                .map(|f| &f.function)
                .find(|f| &f.config.name.value == name)
                .unwrap_or_else(|| panic!("{name} is not in\n{}", exported.text));
            let (a, b) = (&original.config, &read.config);
            assert_eq!(
                read.dir.canonicalize().unwrap(),
                original.dir.canonicalize().unwrap()
            );
            assert_eq!(a.handler.value, b.handler.value, "{name}");
            assert_eq!(a.runtime.value, b.runtime.value, "{name}");
            assert_eq!(a.architecture.value, b.architecture.value, "{name}");
            assert_eq!(a.memory.value, b.memory.value, "{name}");
            assert_eq!(a.timeout.value, b.timeout.value, "{name}");
            assert_eq!(a.role, b.role, "{name}");
            assert_eq!(a.environment, b.environment, "{name}");
            assert_eq!(a.has_environment_table, b.has_environment_table, "{name}");
            let triggers = |c: &crate::project::FunctionConfig| -> Vec<Json> {
                c.triggers.iter().map(settings_json).collect()
            };
            assert_eq!(triggers(a), triggers(b), "{name}");
        }
        // The secret's value is never in the template: a NoEcho parameter stands for it.
        assert!(
            exported.text.contains("BME_API_KEY: !Ref BmeApiKey"),
            "{}",
            exported.text
        );
        assert!(exported.text.contains("NoEcho: true"));
    }

    #[test]
    fn api_routes_without_a_path_are_the_ones_deploy_creates() {
        let (config, config_diagnostics) = crate::project::parse_config(
            "sum",
            "[[trigger]]\ntype = \"http-api\"\n\n[[trigger]]\ntype = \"api\"\n",
        );
        assert!(config_diagnostics.is_empty(), "{config_diagnostics:?}");
        let function = Function {
            dir: std::env::temp_dir().join("sum"),
            config_path: None,
            config,
            config_diagnostics,
            template: None,
        };
        let text = export(&[function], &std::env::temp_dir()).text;
        // HTTP API: `ANY /sum`, as the console's trigger and `deploy` make it; REST API:
        // every path below the root.
        let path_of = |event_type: &str| {
            let event = &text[text
                .find(&format!("Type: {event_type}\n"))
                .expect(event_type)..];
            let line = event.lines().find(|l| l.trim_start().starts_with("Path: "));
            line.map(|l| l.trim_start().trim_start_matches("Path: ").to_string())
        };
        assert_eq!(path_of("HttpApi").as_deref(), Some("/sum"), "{text}");
        assert_eq!(path_of("Api").as_deref(), Some("\"/{proxy+}\""), "{text}");
    }

    #[test]
    fn code_uris_are_relative_to_the_template() {
        let base = Path::new("/work/project");
        assert_eq!(
            relative_path(Path::new("/work/project/fns/a"), base),
            Path::new("fns/a")
        );
        assert_eq!(
            relative_path(Path::new("/work/other"), base),
            Path::new("../other")
        );
        assert_eq!(relative_path(base, base), Path::new(""));
    }
}
