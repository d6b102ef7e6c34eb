//! Functions in a workspace and their configuration: discovery of function folders, the
//! `lambda.toml` model with Lambda's console defaults, and its validation.

mod config;
mod discover;
mod editing;
mod env;
mod functions;
pub mod runtimes;
pub mod sam;
pub mod schedule;
pub mod schema;
pub mod source;
mod trigger;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::ide::{Diagnostic, Severity};

pub use config::{
    check_files, check_handler, codes, is_python_identifier, layer_version_region, parse_config_on,
    MAX_LAYERS,
};
pub use discover::{discover, is_function_dir, walk, SKIPPED_DIRS};
pub use editing::{complete, complete_on, hover, hover_on};
pub use env::{parse_dotenv, read_dotenv, DotenvError, EnvError, DOTENV_FILE};
pub use functions::{function_dir_in, is_function_dir_in, Folder, Functions};
pub use schedule::Schedule;
pub use source::{Disk, FileSource};
pub use trigger::{
    ApiRoute, Cors, EventBridgeTrigger, FunctionUrlTrigger, HttpApiTrigger, RestApiTrigger,
    S3Trigger, ScheduleTrigger, SnsTrigger, SqsTrigger, StreamTrigger, Trigger, UrlAuth,
};

/// The console's default handler module file.
pub const DEFAULT_MODULE_FILE: &str = "lambda_function.py";
/// The console's default handler.
pub const DEFAULT_HANDLER: &str = "lambda_function.lambda_handler";
/// The runtime the console proposes for a new Python function.
pub const DEFAULT_RUNTIME: &str = "python3.13";
/// The configuration file name.
pub const CONFIG_FILE: &str = "lambda.toml";

/// Where an effective setting came from, shown in hovers and lenses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Lambda's (console) default.
    Default,
    /// Set in the function's `lambda.toml`.
    LambdaToml,
    /// Set on the function's resource in a SAM template.
    Template,
    /// Set in the SAM template's `Globals.Function`.
    TemplateGlobals,
}

/// An effective value and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting<T> {
    pub value: T,
    pub source: Source,
}

impl<T> Setting<T> {
    pub fn default_value(value: T) -> Self {
        Setting {
            value,
            source: Source::Default,
        }
    }
    pub fn configured(value: T) -> Self {
        Setting {
            value,
            source: Source::LambdaToml,
        }
    }
}

/// Instruction set the function runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Architecture {
    X86_64,
    Arm64,
}

impl Architecture {
    pub fn as_str(self) -> &'static str {
        match self {
            Architecture::X86_64 => "x86_64",
            Architecture::Arm64 => "arm64",
        }
    }
}

/// A value of `[environment]`: literal, or read from the developer's environment (or the
/// function's `.env` file) at invoke/deploy time so that secrets never sit in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnvValue {
    Literal(String),
    FromEnv(String),
    /// A SAM template value only CloudFormation knows (`!GetAtt Queue.Arn`, as written):
    /// locally, the variable of the same name from the shell or `.env` when set, else unset.
    AtDeploy(String),
}

/// The effective configuration of one function.
#[derive(Debug, Clone, PartialEq)]
pub struct FunctionConfig {
    pub name: Setting<String>,
    pub handler: Setting<String>,
    pub runtime: Setting<String>,
    pub architecture: Setting<Architecture>,
    /// MB.
    pub memory: Setting<u32>,
    /// Seconds.
    pub timeout: Setting<u32>,
    pub role: Option<String>,
    pub region: Option<String>,
    pub environment: BTreeMap<String, EnvValue>,
    /// Whether `[environment]` exists at all (env-var checks only apply then).
    pub has_environment_table: bool,
    /// Requirements file relative to the function folder.
    pub requirements: Option<String>,
    /// Extra exclude globs for packaging.
    pub exclude: Vec<String>,
    pub triggers: Vec<Trigger>,
    /// Bucket for packages too large for direct upload.
    pub s3_bucket: Option<String>,
    /// Interpreter for local invoke (else a CPython of the runtime's version).
    pub python: Option<String>,
    /// Layer version ARNs as written; `None` without a `layers` key (deploy then leaves the
    /// deployed function's layers alone).
    pub layers: Option<Vec<String>>,
}

impl FunctionConfig {
    /// The console defaults for a function in a folder named `folder_name`.
    pub fn defaults(folder_name: &str) -> Self {
        FunctionConfig {
            name: Setting::default_value(folder_name.to_string()),
            handler: Setting::default_value(DEFAULT_HANDLER.to_string()),
            runtime: Setting::default_value(DEFAULT_RUNTIME.to_string()),
            architecture: Setting::default_value(Architecture::X86_64),
            memory: Setting::default_value(128),
            timeout: Setting::default_value(3),
            role: None,
            region: None,
            environment: BTreeMap::new(),
            has_environment_table: false,
            requirements: None,
            exclude: Vec::new(),
            triggers: Vec::new(),
            s3_bucket: None,
            python: None,
            layers: None,
        }
    }

    /// The handler's module path and function name (`pkg/mod.fn` → (`pkg/mod`, `fn`)),
    /// or `None` when the handler string has no dot.
    pub fn handler_parts(&self) -> Option<(&str, &str)> {
        self.handler.value.rsplit_once('.')
    }
}

/// A function with its effective configuration: a function folder's (its `lambda.toml`,
/// or the console's defaults), or a SAM template's resource whose code is in `dir`.
#[derive(Debug, Clone)]
pub struct Function {
    pub dir: PathBuf,
    /// The `lambda.toml`, when the folder has one.
    pub config_path: Option<PathBuf>,
    pub config: FunctionConfig,
    /// Problems found in `lambda.toml` (byte ranges into that file).
    pub config_diagnostics: Vec<Diagnostic>,
    /// The template resource that defines the function, for a SAM template's.
    pub template: Option<TemplateRef>,
}

/// A function's resource in a SAM template.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TemplateRef {
    /// The template file.
    pub path: PathBuf,
    /// The resource's logical id (`HelloWorldFunction`).
    pub logical_id: String,
}

impl TemplateRef {
    /// `template.yaml#HelloWorldFunction`: where the function is defined, in words.
    pub fn label(&self) -> String {
        let file = self
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        format!("{file}#{}", self.logical_id)
    }
}

impl Function {
    /// Where the configuration comes from: `lambda.toml`, `defaults` (a console-style
    /// folder without one), or `template.yaml#LogicalId`.
    pub fn source_label(&self) -> String {
        match (&self.template, &self.config_path) {
            (Some(template), _) => template.label(),
            (None, Some(_)) => CONFIG_FILE.to_string(),
            (None, None) => "defaults".to_string(),
        }
    }

    /// The folders of its test events, where new ones go first: the function folder's
    /// `events/`; for a template's function, the template folder's `events/` (where
    /// `sam init` puts them, and out of the code `sam build` packages) before it.
    pub fn events_dirs(&self) -> Vec<PathBuf> {
        let own = self.dir.join("events");
        let template = self
            .template
            .as_ref()
            .and_then(|t| t.path.parent())
            .map(|folder| folder.join("events"))
            .filter(|events| *events != own);
        template.into_iter().chain([own]).collect()
    }

    /// The name commands know the function by when a folder holds several: a template's
    /// logical id, else the function's name.
    pub fn id(&self) -> &str {
        match &self.template {
            Some(template) => &template.logical_id,
            None => &self.config.name.value,
        }
    }

    /// The file that holds the handler's module, relative paths resolved against the
    /// function folder (`src/app.handler` → `src/app.py`, `pkg.mod.fn` → `pkg/mod.py`).
    pub fn handler_file(&self) -> Option<PathBuf> {
        let (module, _) = self.config.handler_parts()?;
        Some(self.dir.join(format!("{}.py", module.replace('.', "/"))))
    }
}

/// One line of the effective configuration for hovers and lenses: the key, its value as
/// shown to the user, and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingSummary {
    pub key: &'static str,
    pub value: String,
    pub source: Source,
}

impl FunctionConfig {
    /// The effective settings in `lambda.toml` order, each with its provenance.
    pub fn summary(&self) -> Vec<SettingSummary> {
        let line = |key, value: String, source| SettingSummary { key, value, source };
        let optional = |key, value: &Option<String>, absent: &str| match value {
            Some(v) => line(key, v.clone(), Source::LambdaToml),
            None => line(key, absent.to_string(), Source::Default),
        };
        let mut lines = vec![
            line("name", self.name.value.clone(), self.name.source),
            line("handler", self.handler.value.clone(), self.handler.source),
            line("runtime", self.runtime.value.clone(), self.runtime.source),
            line(
                "architecture",
                self.architecture.value.as_str().to_string(),
                self.architecture.source,
            ),
            line(
                "memory",
                format!("{} MB", self.memory.value),
                self.memory.source,
            ),
            line(
                "timeout",
                format!("{} s", self.timeout.value),
                self.timeout.source,
            ),
            optional("role", &self.role, "created by deploy"),
            optional("region", &self.region, "from the AWS configuration"),
        ];
        if self.has_environment_table {
            let names: Vec<&str> = self.environment.keys().map(String::as_str).collect();
            lines.push(line("environment", names.join(", "), Source::LambdaToml));
        }
        if !self.triggers.is_empty() {
            let kinds: Vec<&str> = self.triggers.iter().map(Trigger::kind).collect();
            lines.push(line("trigger", kinds.join(", "), Source::LambdaToml));
        }
        lines
    }
}

/// Parse `lambda.toml` text for a function in `folder_name`: the effective configuration
/// (defaults where unset or invalid) and every problem found, located in the text. Runtime
/// deprecations are judged against today's date.
pub fn parse_config(folder_name: &str, text: &str) -> (FunctionConfig, Vec<Diagnostic>) {
    parse_config_on(folder_name, text, runtimes::Date::today())
}

/// Everything about a `lambda.toml` text in the function folder `dir`: [`parse_config`] plus
/// the checks that need the folder (handler module and requirements files exist in
/// `source`). This is what the editor runs on an open `lambda.toml`.
pub fn analyze(
    source: &dyn FileSource,
    dir: &Path,
    text: &str,
) -> (FunctionConfig, Vec<Diagnostic>) {
    let (config, mut diagnostics) = parse_config(&folder_name(dir), text);
    diagnostics.extend(check_files(source, dir, text, &config));
    (config, diagnostics)
}

/// The folder's name, the default function name.
fn folder_name(dir: &Path) -> String {
    dir.canonicalize()
        .ok()
        .as_deref()
        .unwrap_or(dir)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "function".to_string())
}

/// Load the function in `dir` from the disk; see [`load_from`].
pub fn load(dir: &Path) -> Function {
    load_from(&Disk, dir)
}

/// Load the function in `dir` as `source` has its files: its `lambda.toml` when present
/// (with all of [`analyze`]'s diagnostics), else the console defaults. An unreadable or
/// non-UTF-8 `lambda.toml` gives the defaults and an LT020 diagnostic: this never fails on
/// user input, and the editor and the CLI report the same.
pub fn load_from(source: &dyn FileSource, dir: &Path) -> Function {
    let folder = folder_name(dir);
    let config_path = dir.join(CONFIG_FILE);
    if !source.is_file(&config_path) {
        return Function {
            dir: dir.to_path_buf(),
            config_path: None,
            config: FunctionConfig::defaults(&folder),
            config_diagnostics: Vec::new(),
            template: None,
        };
    }
    let unreadable = |message: String| {
        vec![Diagnostic::new(
            codes::UNREADABLE_CONFIG,
            Severity::Error,
            0..0,
            message,
        )]
    };
    let (config, config_diagnostics) = match source.read(&config_path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => analyze(source, dir, &text),
            Err(e) => (
                FunctionConfig::defaults(&folder),
                unreadable(format!(
                    "lambda.toml is not UTF-8 text (invalid byte at offset {}); TOML files must be UTF-8. Re-save it as UTF-8. Until then Lambda's defaults apply.",
                    e.utf8_error().valid_up_to()
                )),
            ),
        },
        Err(e) => (
            FunctionConfig::defaults(&folder),
            unreadable(format!(
                "lambda.toml cannot be read ({e}); check its permissions. Until then Lambda's defaults apply."
            )),
        ),
    };
    Function {
        dir: dir.to_path_buf(),
        config_path: Some(config_path),
        config,
        config_diagnostics,
        template: None,
    }
}
