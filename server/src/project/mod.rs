//! Functions in a workspace and their configuration: discovery of function folders, the
//! `lambda.toml` model with Lambda's console defaults, and its validation.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::ide::Diagnostic;

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
}

/// One `[[trigger]]` table: its `type` and the rest of its keys (as JSON values, which
/// every consumer can read without knowing TOML).
#[derive(Debug, Clone, PartialEq)]
pub struct Trigger {
    pub kind: String,
    pub settings: BTreeMap<String, serde_json::Value>,
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
    /// Interpreter for local invoke (else the folder's `.venv`, else `python3`).
    pub python: Option<String>,
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
        }
    }

    /// The handler's module path and function name (`pkg/mod.fn` → (`pkg/mod`, `fn`)),
    /// or `None` when the handler string has no dot.
    pub fn handler_parts(&self) -> Option<(&str, &str)> {
        self.handler.value.rsplit_once('.')
    }
}

/// A function folder with its effective configuration.
#[derive(Debug, Clone)]
pub struct Function {
    pub dir: PathBuf,
    /// The `lambda.toml`, when the folder has one.
    pub config_path: Option<PathBuf>,
    pub config: FunctionConfig,
    /// Problems found in `lambda.toml` (byte ranges into that file).
    pub config_diagnostics: Vec<Diagnostic>,
}

impl Function {
    /// The file that holds the handler's module, relative paths resolved against the
    /// function folder (`src/app.handler` → `src/app.py`, `pkg.mod.fn` → `pkg/mod.py`).
    pub fn handler_file(&self) -> Option<PathBuf> {
        let (module, _) = self.config.handler_parts()?;
        Some(self.dir.join(format!("{}.py", module.replace('.', "/"))))
    }
}

/// Parse `lambda.toml` text for a function in `folder_name`: the effective configuration
/// (defaults where unset or invalid) and every problem found, located in the text.
pub fn parse_config(folder_name: &str, text: &str) -> (FunctionConfig, Vec<Diagnostic>) {
    let mut config = FunctionConfig::defaults(folder_name);
    let diagnostics = Vec::new();
    let Ok(doc) = text.parse::<toml_edit::DocumentMut>() else {
        return (config, diagnostics);
    };
    if let Some(v) = doc.get("name").and_then(|v| v.as_str()) {
        config.name = Setting::configured(v.to_string());
    }
    if let Some(v) = doc.get("handler").and_then(|v| v.as_str()) {
        config.handler = Setting::configured(v.to_string());
    }
    if let Some(v) = doc.get("runtime").and_then(|v| v.as_str()) {
        config.runtime = Setting::configured(v.to_string());
    }
    if let Some(v) = doc.get("timeout").and_then(|v| v.as_integer()) {
        config.timeout = Setting::configured(v as u32);
    }
    if let Some(v) = doc.get("memory").and_then(|v| v.as_integer()) {
        config.memory = Setting::configured(v as u32);
    }
    if let Some(table) = doc.get("environment").and_then(|v| v.as_table_like()) {
        config.has_environment_table = true;
        for (key, item) in table.iter() {
            if let Some(s) = item.as_str() {
                config
                    .environment
                    .insert(key.to_string(), EnvValue::Literal(s.to_string()));
            } else if let Some(from) = item
                .as_table_like()
                .and_then(|t| t.get("from_env"))
                .and_then(|v| v.as_str())
            {
                config
                    .environment
                    .insert(key.to_string(), EnvValue::FromEnv(from.to_string()));
            }
        }
    }
    (config, diagnostics)
}

/// Load the function in `dir`: its `lambda.toml` when present, else the console defaults.
pub fn load(dir: &Path) -> std::io::Result<Function> {
    let folder_name = dir
        .canonicalize()
        .ok()
        .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "function".to_string());
    let config_path = dir.join(CONFIG_FILE);
    if config_path.is_file() {
        let bytes = std::fs::read(&config_path)?;
        let text = String::from_utf8_lossy(&bytes);
        let (config, config_diagnostics) = parse_config(&folder_name, &text);
        Ok(Function {
            dir: dir.to_path_buf(),
            config_path: Some(config_path),
            config,
            config_diagnostics,
        })
    } else {
        Ok(Function {
            dir: dir.to_path_buf(),
            config_path: None,
            config: FunctionConfig::defaults(&folder_name),
            config_diagnostics: Vec::new(),
        })
    }
}

/// Function folders under `root` (itself included): those with a `lambda.toml`, and those
/// with the console default `lambda_function.py`.
pub fn discover(root: &Path) -> Vec<Function> {
    let mut found = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let is_function =
            dir.join(CONFIG_FILE).is_file() || dir.join(DEFAULT_MODULE_FILE).is_file();
        if is_function {
            if let Ok(function) = load(&dir) {
                found.push(function);
            }
        }
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with('.') || name == "node_modules" || name == "__pycache__" {
                continue;
            }
            if entry.file_type().map(|t| t.is_dir()).unwrap_or(false) {
                stack.push(entry.path());
            }
        }
    }
    found.sort_by(|a, b| a.dir.cmp(&b.dir));
    found
}
