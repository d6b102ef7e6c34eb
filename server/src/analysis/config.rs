//! `lambda.toml` as the editor sees it: the project model's own findings plus the one
//! check that needs Python: the handler string names a function its module defines.

use super::codes;
use crate::ide::{Diagnostic, Severity};
use crate::project::Function;
use crate::python::{Module, Scope};

/// Diagnostics for a function's `lambda.toml` whose current text is `text`. `read` returns
/// the current source of a file (the editor's copy when open, else the disk's).
pub fn check_config(
    function: &Function,
    text: &str,
    read: &dyn Fn(&std::path::Path) -> Option<String>,
) -> Vec<Diagnostic> {
    let mut diagnostics = function.config_diagnostics.clone();
    if let Some(range) = handler_value_range(text) {
        let already_reported = diagnostics.iter().any(|d| d.range == range);
        if let (false, Some(path), Some((_, name))) = (
            already_reported,
            function.handler_file(),
            function.config.handler_parts(),
        ) {
            if let Some(source) = read(&path) {
                let module = Module::parse(source);
                let functions = module.functions();
                let top_level = functions
                    .iter()
                    .any(|f| f.scope == Scope::Module && f.name == name);
                if !top_level {
                    let file = path
                        .strip_prefix(&function.dir)
                        .unwrap_or(&path)
                        .display()
                        .to_string();
                    diagnostics.push(Diagnostic::new(
                        codes::HANDLER_MISSING,
                        Severity::Error,
                        range,
                        format!(
                            "`{file}` defines no top-level function `{name}`, so Lambda would \
                             fail every invocation with Runtime.HandlerNotFound. Define \
                             `def {name}(event, context):` there, or name a function it has."
                        ),
                    ));
                }
            }
        }
    }
    diagnostics.sort_by_key(|d| (d.range.start, d.range.end));
    diagnostics
}

/// Byte range of the `handler = "…"` string value, quotes included.
fn handler_value_range(text: &str) -> Option<std::ops::Range<usize>> {
    let document = toml_edit::Document::parse(text).ok()?;
    let item = document.get("handler")?;
    item.as_value()?.as_str()?;
    item.span()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::parse_config;

    #[test]
    fn handler_must_name_a_function_of_its_module() {
        let dir = std::env::temp_dir().join(format!("lambda-ls-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let text = "handler = \"app.main\"\n";
        let (config, config_diagnostics) = parse_config("fn", text);
        let function = Function {
            dir: dir.clone(),
            config_path: Some(dir.join("lambda.toml")),
            config,
            config_diagnostics,
            template: None,
        };
        let read_missing =
            |_: &std::path::Path| Some("def other(event, context): pass\n".to_string());
        let found = check_config(&function, text, &read_missing);
        assert_eq!(found.len(), 1);
        assert_eq!(&text[found[0].range.clone()], "\"app.main\"");
        assert_eq!(found[0].code, codes::HANDLER_MISSING);
        let read_ok = |_: &std::path::Path| Some("def main(event, context): pass\n".to_string());
        assert!(check_config(&function, text, &read_ok).is_empty());
        std::fs::remove_dir_all(dir).ok();
    }
}
