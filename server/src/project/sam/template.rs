//! Reading a SAM (or plain CloudFormation) template into functions: every
//! `AWS::Serverless::Function` with `Globals.Function` applied, and every
//! `AWS::Lambda::Function` whose `Code` is a local folder, with a Python runtime and zip
//! packaging. Problems that the template alone shows are found here; those that need the
//! function folders are in [`super::checks`].

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Component, Path, PathBuf};

use super::events::{self, EventProblem};
use super::export;
use super::intrinsics::{Context, Resolved};
use super::yaml::{self, Node};
use super::{codes, SamFunction, Template, TemplateRanges};
use crate::ide::{Diagnostic, Fix, Severity, TextEdit};
use crate::project::runtimes::{self, Date, RuntimeStatus};
use crate::project::schema::did_you_mean;
use crate::project::{
    check_handler, Architecture, EnvValue, Function, FunctionConfig, FunctionUrlTrigger, Setting,
    Source, TemplateRef, Trigger, UrlAuth,
};

const SERVERLESS_FUNCTION: &str = "AWS::Serverless::Function";
const LAMBDA_FUNCTION: &str = "AWS::Lambda::Function";
/// Lambda's memory range (MB) and longest timeout (s).
const MEMORY_RANGE: (u32, u32) = (128, 10_240);
const TIMEOUT_RANGE: (u32, u32) = (1, 900);

/// Read `text`, the template at `path`, as of `today` (runtime deprecations depend on it).
pub fn read(path: &Path, text: &str, today: Date) -> Template {
    let mut template = Template {
        path: path.to_path_buf(),
        text: text.to_string(),
        functions: Vec::new(),
        diagnostics: Vec::new(),
    };
    let root = match yaml::parse(text) {
        Ok(root) => root,
        Err(error) => {
            let start = error.offset.min(text.len());
            let end = text[start..]
                .char_indices()
                .nth(1)
                .map_or(text.len(), |(i, _)| start + i);
            template.diagnostics.push(Diagnostic::new(
                codes::YAML_SYNTAX,
                Severity::Error,
                start..end,
                format!(
                    "This template is not valid YAML: {}. Until it is fixed lambda-ls cannot read its functions.",
                    error.message
                ),
            ));
            return template;
        }
    };
    let Some(resources) = root.get("Resources") else {
        // Not a CloudFormation template (another tool's template.yaml): nothing to say.
        return template;
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    // Written by `export sam`: which shell variable each NoEcho parameter stands for.
    let from_env = root
        .get("Metadata")
        .and_then(|m| m.get(export::METADATA_KEY))
        .and_then(|m| m.get(export::FROM_ENV_KEY))
        .map(|m| m.entries())
        .unwrap_or_default()
        .iter()
        .filter_map(|e| Some((e.key.as_str()?.to_string(), e.value.as_str()?.to_string())))
        .collect();
    let mut reader = Reader {
        path,
        dir,
        today,
        from_env,
        context: Context::new(text, &root),
        globals: root.get("Globals").and_then(|g| g.get("Function")),
        diagnostics: Vec::new(),
    };
    for entry in resources.entries() {
        let Some(logical_id) = entry.key.as_str() else {
            continue;
        };
        let serverless = match entry.value.get("Type").and_then(Node::as_str) {
            Some(SERVERLESS_FUNCTION) => true,
            Some(LAMBDA_FUNCTION) => false,
            _ => continue,
        };
        if let Some(function) = reader.function(logical_id, &entry.key, &entry.value, serverless) {
            template.functions.push(function);
        }
    }
    template.diagnostics = reader.diagnostics;
    template
}

struct Reader<'t> {
    path: &'t Path,
    /// The template's folder: code paths are relative to it.
    dir: &'t Path,
    today: Date,
    /// Parameter → the shell variable lambda.toml's `from_env` read (see [`export`]).
    from_env: HashMap<String, String>,
    context: Context<'t>,
    globals: Option<&'t Node>,
    diagnostics: Vec<Diagnostic>,
}

/// A property as written: on the resource, or inherited from `Globals.Function`.
struct Property<'t> {
    node: &'t Node,
    source: Source,
}

impl<'t> Reader<'t> {
    /// Once only: a problem in `Globals` is shared by every function.
    fn push(&mut self, diagnostic: Diagnostic) {
        let known = self.diagnostics.iter().any(|d| {
            d.code == diagnostic.code
                && d.range == diagnostic.range
                && d.message == diagnostic.message
        });
        if !known {
            self.diagnostics.push(diagnostic);
        }
    }

    fn error(&mut self, code: &'static str, range: Range<usize>, message: String) {
        self.push(Diagnostic::new(code, Severity::Error, range, message));
    }

    fn function(
        &mut self,
        logical_id: &str,
        key: &'t Node,
        resource: &'t Node,
        serverless: bool,
    ) -> Option<SamFunction> {
        let properties = resource.get("Properties");
        // Globals apply to SAM's resources only.
        let globals = if serverless { self.globals } else { None };
        let property = |name: &str| -> Option<Property<'t>> {
            let own = properties.and_then(|p| p.get(name)).map(|node| Property {
                node,
                source: Source::Template,
            });
            own.or_else(|| {
                globals.and_then(|g| g.get(name)).map(|node| Property {
                    node,
                    source: Source::TemplateGlobals,
                })
            })
        };
        let known = |p: &Property| match self.context.resolve(p.node) {
            Resolved::Known(s) => Some(s),
            _ => None,
        };

        // Container images and code that is not in a local folder are not ours.
        let image = property("PackageType")
            .and_then(|p| known(&p))
            .is_some_and(|t| t == "Image");
        if image || property("ImageUri").is_some() || property("InlineCode").is_some() {
            return None;
        }
        let code_property = if serverless { "CodeUri" } else { "Code" };
        let code = property(code_property);
        let code_path = match &code {
            // SAM's default: the template's folder.
            None if serverless => ".".to_string(),
            None => return None,
            Some(p) => match known(p) {
                Some(path) if !path.starts_with("s3://") => path,
                _ => return None,
            },
        };

        let mut at_deploy = Vec::new();
        let mut config = FunctionConfig::defaults(logical_id);
        config.name = Setting {
            value: logical_id.to_string(),
            source: Source::Template,
        };
        if let Some(name) = property("FunctionName") {
            match self.context.resolve(name.node) {
                Resolved::Known(n) => config.name.value = n,
                Resolved::AtDeploy(shown) => at_deploy.push(("name".to_string(), shown)),
                Resolved::NoValue => {}
            }
        }

        let mut ranges = TemplateRanges {
            resource: key.range.clone(),
            handler: None,
            code: code.as_ref().map(|p| p.node.range.clone()),
        };

        match property("Runtime") {
            None => self.error(
                codes::MISSING_PROPERTY,
                key.range.clone(),
                format!(
                    "`{logical_id}` has no `Runtime`: CloudFormation refuses a .zip function without one. Add `Runtime: {}` (here or under Globals.Function).",
                    runtimes::newest().id
                ),
            ),
            Some(p) => match self.context.resolve(p.node) {
                Resolved::Known(id) => {
                    if runtimes::other_language(&id).is_some() {
                        // Another language's function: lambda-ls is for Python.
                        return None;
                    }
                    self.runtime(&id, p.node.range.clone());
                    config.runtime = Setting {
                        value: id,
                        source: p.source,
                    };
                }
                Resolved::AtDeploy(shown) => at_deploy.push(("runtime".to_string(), shown)),
                Resolved::NoValue => {}
            },
        }

        match property("Handler") {
            None => self.error(
                codes::MISSING_PROPERTY,
                key.range.clone(),
                format!(
                    "`{logical_id}` has no `Handler`: Lambda needs to know which function to call. Add e.g. `Handler: app.lambda_handler` (module `app.py`, function `lambda_handler`)."
                ),
            ),
            Some(p) => match self.context.resolve(p.node) {
                Resolved::Known(handler) => {
                    match check_handler(&handler) {
                        Ok(()) => ranges.handler = Some(p.node.range.clone()),
                        Err((_, message)) => {
                            self.error(codes::MALFORMED_HANDLER, p.node.range.clone(), message)
                        }
                    }
                    config.handler = Setting {
                        value: handler,
                        source: p.source,
                    };
                }
                Resolved::AtDeploy(shown) => at_deploy.push(("handler".to_string(), shown)),
                Resolved::NoValue => {}
            },
        }

        if let Some(p) = property("MemorySize") {
            if let Some(mb) = self.number(&p, "MemorySize", MEMORY_RANGE, "MB", &mut at_deploy) {
                config.memory = Setting {
                    value: mb,
                    source: p.source,
                };
            }
        }
        if let Some(p) = property("Timeout") {
            if let Some(s) = self.number(&p, "Timeout", TIMEOUT_RANGE, "seconds", &mut at_deploy) {
                config.timeout = Setting {
                    value: s,
                    source: p.source,
                };
            }
        }
        if let Some(p) = property("Architectures") {
            if let Some(architecture) = self.architecture(&p) {
                config.architecture = Setting {
                    value: architecture,
                    source: p.source,
                };
            }
        }
        if let Some(role) = properties.and_then(|p| p.get("Role")) {
            match self.context.resolve(role) {
                Resolved::Known(arn) => config.role = Some(arn),
                Resolved::AtDeploy(shown) => at_deploy.push(("role".to_string(), shown)),
                Resolved::NoValue => {}
            }
        }

        // Maps merge, the resource's values winning over Globals'.
        let variables = |from: Option<&'t Node>| {
            from.and_then(|n| n.get("Environment"))
                .and_then(|e| e.get("Variables"))
        };
        for found in [variables(globals), variables(properties)]
            .into_iter()
            .flatten()
        {
            config.has_environment_table = true;
            for entry in found.entries() {
                let Some(name) = entry.key.as_str() else {
                    continue;
                };
                let exported_from_env = match entry.value.intrinsic() {
                    Some(("Ref", parameter)) => {
                        parameter.as_str().and_then(|p| self.from_env.get(p))
                    }
                    _ => None,
                };
                if let Some(var) = exported_from_env {
                    config
                        .environment
                        .insert(name.to_string(), EnvValue::FromEnv(var.clone()));
                    continue;
                }
                match self.context.resolve(&entry.value) {
                    Resolved::Known(value) => {
                        config
                            .environment
                            .insert(name.to_string(), EnvValue::Literal(value));
                    }
                    Resolved::AtDeploy(shown) => {
                        config
                            .environment
                            .insert(name.to_string(), EnvValue::AtDeploy(shown));
                    }
                    Resolved::NoValue => {
                        config.environment.remove(name);
                    }
                }
            }
        }

        // Lists add up: Globals' layers first.
        let mut layers = Vec::new();
        for from in [globals, properties].into_iter().flatten() {
            if let Some(list) = from.get("Layers") {
                match self.context.resolve_list(list) {
                    Some(items) => layers.extend(items),
                    None => layers.push(Resolved::AtDeploy(self.context.shown(list))),
                }
            }
        }

        let mut triggers = Vec::new();
        if let Some(events) = properties.and_then(|p| p.get("Events")) {
            let (found, problems) = events::read(&self.context, events);
            for problem in problems {
                self.event_problem(problem);
            }
            triggers = found;
        }
        if let Some(url) = property("FunctionUrlConfig") {
            triggers.push(self.function_url(url.node));
        }
        config.triggers = triggers.iter().map(|t| t.trigger.clone()).collect();

        Some(SamFunction {
            logical_id: logical_id.to_string(),
            function: Function {
                dir: normalize(&self.dir.join(code_path)),
                config_path: None,
                config,
                config_diagnostics: Vec::new(),
                template: Some(TemplateRef {
                    path: self.path.to_path_buf(),
                    logical_id: logical_id.to_string(),
                }),
            },
            triggers,
            layers,
            at_deploy,
            ranges,
        })
    }

    /// A whole number in `range`; a problem otherwise.
    fn number(
        &mut self,
        p: &Property,
        name: &str,
        (min, max): (u32, u32),
        unit: &str,
        at_deploy: &mut Vec<(String, String)>,
    ) -> Option<u32> {
        let range = p.node.range.clone();
        let text = match self.context.resolve(p.node) {
            Resolved::Known(text) => text,
            Resolved::AtDeploy(shown) => {
                at_deploy.push((name.to_ascii_lowercase(), shown));
                return None;
            }
            Resolved::NoValue => return None,
        };
        let Ok(n) = text.trim().parse::<i64>() else {
            self.error(
                codes::INVALID_VALUE,
                range,
                format!("`{name}` must be a whole number of {unit}, not `{text}`."),
            );
            return None;
        };
        if n < min as i64 || n > max as i64 {
            let what = if name == "MemorySize" {
                "Lambda gives a function 128 MB to 10240 MB (10 GB) of memory"
            } else {
                "a Lambda invocation runs at most 900 seconds (15 minutes)"
            };
            self.error(
                codes::OUT_OF_RANGE,
                range,
                format!("`{name}: {n}` is out of range: {what}, so the deploy would fail. Use {min}–{max} {unit}."),
            );
            return None;
        }
        Some(n as u32)
    }

    fn architecture(&mut self, p: &Property) -> Option<Architecture> {
        let items = self.context.resolve_list(p.node)?;
        let range = p.node.range.clone();
        if items.len() != 1 {
            self.error(
                codes::INVALID_VALUE,
                range,
                "`Architectures` takes exactly one item: `x86_64` or `arm64`.".to_string(),
            );
            return None;
        }
        match items[0].known() {
            Some("x86_64") => Some(Architecture::X86_64),
            Some("arm64") => Some(Architecture::Arm64),
            Some(other) => {
                let item_range = p.node.items().first().map_or(range, |n| n.range.clone());
                let mut diagnostic = Diagnostic::new(
                    codes::INVALID_VALUE,
                    Severity::Error,
                    item_range.clone(),
                    format!(
                        "`{other}` is not an architecture Lambda runs: use `x86_64` or `arm64`."
                    ),
                );
                if let Some(s) = did_you_mean(other, ["x86_64", "arm64"]) {
                    diagnostic = diagnostic.with_fix(replace(item_range, s));
                }
                self.push(diagnostic);
                None
            }
            None => None,
        }
    }

    fn runtime(&mut self, id: &str, range: Range<usize>) {
        let newest = runtimes::newest().id;
        let Some(runtime) = runtimes::find(id) else {
            let known: Vec<_> = runtimes::creatable_on(self.today)
                .map(|r| format!("`{}`", r.id))
                .collect();
            let suggestion = did_you_mean(id, runtimes::creatable_on(self.today).map(|r| r.id));
            let mut message = format!(
                "Unknown runtime `{id}`: Lambda's Python runtimes are {}.",
                known.join(", ")
            );
            if let Some(s) = suggestion {
                message.push_str(&format!(" Did you mean `{s}`?"));
            }
            let mut diagnostic = Diagnostic::new(
                codes::UNKNOWN_RUNTIME,
                Severity::Error,
                range.clone(),
                message,
            );
            if let Some(s) = suggestion {
                diagnostic = diagnostic.with_fix(replace(range, s));
            }
            self.push(diagnostic);
            return;
        };
        let status = runtime.status_on(self.today);
        let (code, severity, message) = match status {
            RuntimeStatus::Supported => return,
            RuntimeStatus::Deprecated => (
                codes::DEPRECATED_RUNTIME,
                Severity::Warning,
                format!(
                    "`{id}` has been deprecated since {}: Lambda no longer patches it, and blocks creating functions with it from {} and updating them from {}. Upgrade to `{newest}`.",
                    runtime.deprecation, runtime.block_create, runtime.block_update
                ),
            ),
            RuntimeStatus::CreateBlocked | RuntimeStatus::UpdateBlocked => (
                codes::BLOCKED_RUNTIME,
                Severity::Error,
                format!(
                    "`{id}` was deprecated on {}; Lambda refuses to create functions with it since {} and to update them from {}, so `sam deploy` fails. Upgrade to `{newest}`.",
                    runtime.deprecation, runtime.block_create, runtime.block_update
                ),
            ),
        };
        self.push(
            Diagnostic::new(code, severity, range.clone(), message).with_fix(Fix {
                title: format!("Upgrade to {newest}"),
                edits: replace(range, newest).edits,
            }),
        );
    }

    fn event_problem(&mut self, problem: EventProblem) {
        let diagnostic = match problem {
            EventProblem::MissingType { name, range } => Diagnostic::new(
                codes::MISSING_PROPERTY,
                Severity::Error,
                range,
                format!("Event `{name}` has no `Type`: SAM refuses it. Add `Type: SQS` (or S3, Api, Schedule, …)."),
            ),
            EventProblem::Unmodelled { event_type, range } => Diagnostic::new(
                codes::UNKNOWN_EVENT_TYPE,
                Severity::Hint,
                range,
                format!("lambda-ls has no event shape for `{event_type}` events: `event` completion and checks do not know its keys."),
            ),
            EventProblem::Unknown {
                event_type,
                suggestion,
                range,
            } => {
                let mut message = format!("`{event_type}` is not an event type lambda-ls knows");
                match suggestion {
                    Some(s) => message.push_str(&format!(": did you mean `{s}`?")),
                    None => message.push_str(
                        " (SAM's are S3, SNS, SQS, Kinesis, DynamoDB, Api, HttpApi, Schedule, ScheduleV2, EventBridgeRule, CloudWatchLogs, Cognito, MSK, SelfManagedKafka, MQ, IoTRule, …); the function's `event` is not typed from it.",
                    ),
                }
                let diagnostic =
                    Diagnostic::new(codes::UNKNOWN_EVENT_TYPE, Severity::Hint, range.clone(), message);
                match suggestion {
                    Some(s) => diagnostic.with_fix(replace(range, s)),
                    None => diagnostic,
                }
            }
        };
        self.push(diagnostic);
    }

    /// `FunctionUrlConfig` as a `function-url` trigger.
    fn function_url(&self, url: &Node) -> events::EventTrigger {
        let auth = match url.get("AuthType").map(|a| self.context.resolve(a)) {
            Some(Resolved::Known(auth)) if auth == "NONE" => UrlAuth::None,
            _ => UrlAuth::AwsIam,
        };
        let cors = url
            .get("Cors")
            .and_then(|c| c.get("AllowOrigins"))
            .and_then(|o| self.context.resolve_list(o))
            .is_some_and(|origins| origins.iter().any(|o| o.known() == Some("*")));
        events::EventTrigger {
            name: "FunctionUrlConfig".to_string(),
            trigger: Trigger::FunctionUrl(FunctionUrlTrigger { auth, cors }),
            at_deploy: Vec::new(),
        }
    }
}

/// Replace a scalar with `value`, written plain.
fn replace(range: Range<usize>, value: &str) -> Fix {
    Fix {
        title: format!("Change to `{value}`"),
        edits: vec![TextEdit {
            range,
            new_text: value.to_string(),
        }],
    }
}

/// `dir/./hello_world/` → `dir/hello_world`, `dir/src/../lib` → `dir/lib`, `./` → `.`:
/// lexically (a `..` after a symbolic link is taken as written), so that a code folder and
/// the folders above a file compare as written, without a file system call.
pub fn normalize(path: &Path) -> PathBuf {
    let mut normal = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(normal.components().next_back(), Some(Component::Normal(_))) =>
            {
                normal.pop();
            }
            other => normal.push(other),
        }
    }
    if normal.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        normal
    }
}
