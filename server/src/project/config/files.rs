//! Checks that need the function folder: the handler's module and the requirements file.

use std::path::Path;

use super::codes;
use crate::ide::{Diagnostic, Severity};
use crate::project::schema::did_you_mean;
use crate::project::{FileSource, FunctionConfig};

/// Checks that need the function folder: the handler's module file and the requirements
/// file exist. `text` is the `lambda.toml` the configuration came from (ranges point into it).
pub fn check_files(
    source: &dyn FileSource,
    dir: &Path,
    text: &str,
    config: &FunctionConfig,
) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    let Ok(doc) = toml_edit::Document::parse(text) else {
        return diagnostics;
    };
    let root = doc.as_table();
    let value_range = |name: &str| root.get(name).and_then(|i| i.span());
    if config.handler.source == crate::project::Source::Default
        && !source.is_file(&dir.join(crate::project::DEFAULT_MODULE_FILE))
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
                crate::project::DEFAULT_HANDLER,
                crate::project::DEFAULT_MODULE_FILE
            ),
        ));
    }
    if config.handler.source == crate::project::Source::LambdaToml {
        if let (Some((module, _)), Some(range)) = (config.handler_parts(), value_range("handler")) {
            let module_path = module.replace('.', "/");
            let file = dir.join(format!("{module_path}.py"));
            let package = dir.join(&module_path).join("__init__.py");
            if !source.is_file(&file) && !source.is_file(&package) {
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
        if !source.is_file(&dir.join(requirements)) {
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
pub(crate) fn python_files(dir: &Path) -> Vec<String> {
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
