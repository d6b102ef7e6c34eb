//! Environment resolution for invoke and deploy: literal `[environment]` values as written,
//! `{ from_env = "VAR" }` values from the process environment, else from the function
//! folder's `.env` file. Values are secrets more often than not: nothing here logs them, and
//! errors name variables, never values.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use super::{EnvValue, Function};

/// The dotenv file read for `from_env` values, in the function folder.
pub const DOTENV_FILE: &str = ".env";

/// Why the environment of a function could not be resolved.
#[derive(Debug, thiserror::Error)]
pub enum EnvError {
    /// `from_env` variables set neither in the environment nor in `.env`.
    #[error("{}", missing_message(.missing, .dotenv))]
    Missing {
        /// (configured name, variable read) pairs.
        missing: Vec<(String, String)>,
        dotenv: PathBuf,
    },
    #[error("cannot read {}: {source}; fix its permissions or remove it", .path.display())]
    DotenvUnreadable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}:{line}: {message}; fix the line (dotenv syntax: KEY=VALUE, optional quotes, `export ` prefix, # comments)", .path.display())]
    DotenvSyntax {
        path: PathBuf,
        line: usize,
        message: String,
    },
}

fn missing_message(missing: &[(String, String)], dotenv: &Path) -> String {
    let list: Vec<String> = missing
        .iter()
        .map(|(name, var)| {
            if name == var {
                format!("`{var}`")
            } else {
                format!("`{var}` (for `{name}`)")
            }
        })
        .collect();
    let first = &missing.first().map(|(_, v)| v.as_str()).unwrap_or("VAR");
    format!(
        "lambda.toml reads {} from the environment, but {} not set: export {} in the shell that runs lambda-ls (or the editor), or add `{first}=…` to {}",
        list.join(", "),
        if missing.len() == 1 { "it is" } else { "they are" },
        if missing.len() == 1 { "it" } else { "them" },
        dotenv.display()
    )
}

/// A dotenv syntax problem: 1-based line and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DotenvError {
    pub line: usize,
    pub message: String,
}

/// Parse dotenv text: `KEY=VALUE` lines, optional `export ` prefix, `#` comments, blank
/// lines; values unquoted (trimmed, ` #` starts a comment), 'single-quoted' (literal) or
/// "double-quoted" (with `\n`, `\t`, `\"`, `\\` escapes); quoted values may span lines.
/// Later keys override earlier ones. No `${VAR}` expansion.
pub fn parse_dotenv(text: &str) -> Result<Vec<(String, String)>, DotenvError> {
    // Byte offset of a subslice of `text` within it.
    let offset_of = |sub: &str| sub.as_ptr() as usize - text.as_ptr() as usize;
    let line_of = |offset: usize| text[..offset].matches('\n').count() + 1;
    let mut pairs = Vec::new();
    let mut pos = 0;
    while pos < text.len() {
        let eol = text[pos..].find('\n').map_or(text.len(), |i| pos + i);
        let line = &text[pos..eol];
        let next_line = (eol + 1).min(text.len());
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            pos = next_line;
            continue;
        }
        let line_no = line_of(pos);
        let err = |message: String| DotenvError {
            line: line_no,
            message,
        };
        let body = trimmed
            .strip_prefix("export ")
            .map(str::trim_start)
            .unwrap_or(trimmed);
        let Some(eq) = body.find('=') else {
            return Err(err(format!(
                "expected `KEY=VALUE`, found `{}`",
                body.split_whitespace().next().unwrap_or("")
            )));
        };
        let key = body[..eq].trim();
        let key_ok = key
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
        if !key_ok {
            return Err(err(format!("`{key}` is not a variable name")));
        }
        let value_start = body[eq + 1..].trim_start_matches([' ', '\t']);
        let quote = value_start
            .chars()
            .next()
            .filter(|c| *c == '"' || *c == '\'');
        let Some(q) = quote else {
            let value = match value_start.find(" #").or_else(|| value_start.find("\t#")) {
                Some(i) => &value_start[..i],
                None => value_start,
            };
            pairs.push((key.to_string(), value.trim().to_string()));
            pos = next_line;
            continue;
        };
        // A quoted value may span lines: scan the text from the opening quote.
        let open = offset_of(value_start);
        let mut value = String::new();
        let mut close = None;
        let mut chars = text[open + 1..].char_indices();
        while let Some((i, c)) = chars.next() {
            if c == q {
                close = Some(open + 1 + i);
                break;
            }
            if c == '\\' && q == '"' {
                match chars.next() {
                    Some((_, 'n')) => value.push('\n'),
                    Some((_, 't')) => value.push('\t'),
                    Some((_, 'r')) => value.push('\r'),
                    Some((_, other)) => value.push(other),
                    None => break,
                }
                continue;
            }
            value.push(c);
        }
        let Some(close) = close else {
            return Err(err(format!("the value of `{key}` has no closing {q}")));
        };
        let tail_end = text[close..].find('\n').map_or(text.len(), |i| close + i);
        let tail = text[close + 1..tail_end].trim();
        if !tail.is_empty() && !tail.starts_with('#') {
            return Err(err(format!(
                "unexpected `{tail}` after the quoted value of `{key}`"
            )));
        }
        pairs.push((key.to_string(), value));
        pos = (tail_end + 1).min(text.len());
    }
    Ok(pairs)
}

/// Read the `.env` of `dir` as a map; an absent file is an empty map.
pub fn read_dotenv(dir: &Path) -> Result<BTreeMap<String, String>, EnvError> {
    let path = dir.join(DOTENV_FILE);
    let text = match std::fs::read(&path) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
        Err(source) => return Err(EnvError::DotenvUnreadable { path, source }),
    };
    let pairs = parse_dotenv(&text).map_err(|e| EnvError::DotenvSyntax {
        path: path.clone(),
        line: e.line,
        message: e.message,
    })?;
    Ok(pairs.into_iter().collect())
}

impl Function {
    /// The environment variables to give the function: literals as written, `from_env`
    /// values from `process_env`, else from the folder's `.env` (read only when needed).
    /// Every unset `from_env` variable is reported at once.
    pub fn resolve_environment(
        &self,
        process_env: &HashMap<String, String>,
    ) -> Result<BTreeMap<String, String>, EnvError> {
        let mut resolved = BTreeMap::new();
        let mut dotenv: Option<BTreeMap<String, String>> = None;
        // The shell's value, else the `.env` file's (read once, when first needed).
        let mut local = |var: &str| -> Result<Option<String>, EnvError> {
            if let Some(v) = process_env.get(var) {
                return Ok(Some(v.clone()));
            }
            if dotenv.is_none() {
                dotenv = Some(read_dotenv(&self.dir)?);
            }
            Ok(dotenv.as_ref().and_then(|d| d.get(var)).cloned())
        };
        let mut missing = Vec::new();
        for (name, value) in &self.config.environment {
            let value = match value {
                EnvValue::Literal(s) => Some(s.clone()),
                EnvValue::FromEnv(var) => {
                    let value = local(var)?;
                    if value.is_none() {
                        missing.push((name.clone(), var.clone()));
                    }
                    value
                }
                // Only the deployed stack knows it; a local value is optional.
                EnvValue::AtDeploy(_) => local(name)?,
            };
            if let Some(value) = value {
                resolved.insert(name.clone(), value);
            }
        }
        if missing.is_empty() {
            Ok(resolved)
        } else {
            Err(EnvError::Missing {
                missing,
                dotenv: self.dir.join(DOTENV_FILE),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::{Function, FunctionConfig};

    fn pairs(text: &str) -> Vec<(String, String)> {
        parse_dotenv(text).unwrap()
    }

    fn p(k: &str, v: &str) -> (String, String) {
        (k.to_string(), v.to_string())
    }

    #[test]
    fn dotenv_syntax() {
        assert_eq!(pairs("A=1\nB = two \n"), [p("A", "1"), p("B", "two")]);
        assert_eq!(
            pairs("# comment\n\nexport TOKEN=abc\n"),
            [p("TOKEN", "abc")]
        );
        assert_eq!(
            pairs("A=x # note\nB=x#not-a-comment\n"),
            [p("A", "x"), p("B", "x#not-a-comment")]
        );
        assert_eq!(
            pairs("A=\"a b\" # c\nB='$x \\n'\n"),
            [p("A", "a b"), p("B", "$x \\n")]
        );
        assert_eq!(pairs("A=\"l1\\nl2\\\"q\\\"\"\n"), [p("A", "l1\nl2\"q\"")]);
        assert_eq!(
            pairs("KEY=\"multi\nline\"\nNEXT=1"),
            [p("KEY", "multi\nline"), p("NEXT", "1")]
        );
        assert_eq!(pairs("A=\r\nB=2\r\n"), [p("A", ""), p("B", "2")]);
        assert_eq!(pairs("A=1\nA=2\n").last(), Some(&p("A", "2")));
    }

    #[test]
    fn dotenv_errors_name_the_line() {
        let e = parse_dotenv("A=1\nnot a pair\n").unwrap_err();
        assert_eq!(e.line, 2);
        let e = parse_dotenv("A=1\n\nB=\"open\n").unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.message.contains("closing"));
        let e = parse_dotenv("1A=x\n").unwrap_err();
        assert!(e.message.contains("not a variable name"));
        let e = parse_dotenv("A=\"x\" y\n").unwrap_err();
        assert!(e.message.contains("unexpected `y`"));
    }

    fn function(dir: &Path, env: &[(&str, EnvValue)]) -> Function {
        let mut config = FunctionConfig::defaults("f");
        config.has_environment_table = true;
        for (k, v) in env {
            config.environment.insert(k.to_string(), v.clone());
        }
        Function {
            dir: dir.to_path_buf(),
            config_path: None,
            config,
            config_diagnostics: Vec::new(),
            template: None,
        }
    }

    #[test]
    fn resolution_prefers_the_process_environment_then_dotenv() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(".env"), "FROM_FILE=file-value\nBOTH=file\n").unwrap();
        let f = function(
            dir.path(),
            &[
                ("LIT", EnvValue::Literal("literal".into())),
                ("A", EnvValue::FromEnv("FROM_FILE".into())),
                ("B", EnvValue::FromEnv("BOTH".into())),
            ],
        );
        let process: HashMap<String, String> = [("BOTH".to_string(), "process".to_string())].into();
        let env = f.resolve_environment(&process).unwrap();
        assert_eq!(env["LIT"], "literal");
        assert_eq!(env["A"], "file-value");
        assert_eq!(env["B"], "process");
    }

    #[test]
    fn missing_variables_are_named_without_values() {
        let dir = tempfile::tempdir().unwrap();
        let f = function(
            dir.path(),
            &[
                ("API_KEY", EnvValue::FromEnv("BME_API_KEY".into())),
                ("SECRET", EnvValue::FromEnv("SECRET".into())),
                ("LIT", EnvValue::Literal("hunter2".into())),
            ],
        );
        let err = f.resolve_environment(&HashMap::new()).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("`BME_API_KEY` (for `API_KEY`)"), "{msg}");
        assert!(msg.contains("`SECRET`"), "{msg}");
        assert!(msg.contains(".env"), "{msg}");
        assert!(!msg.contains("hunter2"));
        assert!(matches!(err, EnvError::Missing { ref missing, .. } if missing.len() == 2));
    }

    #[test]
    fn dotenv_syntax_errors_surface_only_when_needed() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(".env"), "broken line\n").unwrap();
        let literal_only = function(dir.path(), &[("A1", EnvValue::Literal("x".into()))]);
        assert!(literal_only.resolve_environment(&HashMap::new()).is_ok());
        let needs_file = function(dir.path(), &[("A1", EnvValue::FromEnv("X".into()))]);
        let err = needs_file.resolve_environment(&HashMap::new()).unwrap_err();
        assert!(
            matches!(err, EnvError::DotenvSyntax { line: 1, .. }),
            "{err}"
        );
    }
}
