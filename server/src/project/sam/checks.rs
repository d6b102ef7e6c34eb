//! The template's checks that look at the function folders: the code folder exists, the
//! handler's module is in it and defines the handler at module level, and no `lambda.toml`
//! takes the folder over. Files are read through a [`FileSource`] so that the editor gives
//! the text of open documents.

use std::ops::Range;

use super::{codes, SamFunction, Template};
use crate::ide::{Diagnostic, Severity};
use crate::project::config::python_files;
use crate::project::schema::did_you_mean;
use crate::project::{FileSource, CONFIG_FILE};
use crate::python::Module;

/// Add the folder checks of every function of `template` (whose text is `text`).
pub fn check(template: &mut Template, text: &str, source: &dyn FileSource) {
    let mut found = Vec::new();
    for function in &template.functions {
        check_function(function, text, source, &mut found);
    }
    for diagnostic in found {
        let known = template.diagnostics.iter().any(|d| {
            d.code == diagnostic.code
                && d.range == diagnostic.range
                && d.message == diagnostic.message
        });
        if !known {
            template.diagnostics.push(diagnostic);
        }
    }
}

fn check_function(
    sam: &SamFunction,
    text: &str,
    source: &dyn FileSource,
    found: &mut Vec<Diagnostic>,
) {
    let dir = &sam.function.dir;
    let id = &sam.logical_id;
    if !dir.is_dir() {
        let range = sam
            .ranges
            .code
            .clone()
            .unwrap_or_else(|| sam.ranges.resource.clone());
        found.push(Diagnostic::new(
            codes::CODE_FOLDER_MISSING,
            Severity::Error,
            range,
            format!(
                "The code folder of `{id}`, `{}`, does not exist: `sam build` would fail. Fix `CodeUri` (relative to the template's folder).",
                dir.display()
            ),
        ));
        return;
    }
    if source.is_file(&dir.join(CONFIG_FILE)) {
        found.push(Diagnostic::new(
            codes::LAMBDA_TOML_WINS,
            Severity::Info,
            sam.ranges.resource.clone(),
            format!(
                "`{}` has its own lambda.toml: lambda-ls configures the function from it (checks, invoke, package, deploy) and ignores this entry. CloudFormation still deploys this entry.",
                dir.join(CONFIG_FILE).display()
            ),
        ));
        return;
    }
    let (Some(handler_range), Some((module, name))) =
        (&sam.ranges.handler, sam.function.config.handler_parts())
    else {
        return;
    };
    let handler = &sam.function.config.handler.value;
    let module_path = module.replace('.', "/");
    let file = dir.join(format!("{module_path}.py"));
    let package = dir.join(&module_path).join("__init__.py");
    let module_file = [file, package].into_iter().find(|f| source.is_file(f));
    let Some(module_file) = module_file else {
        let mut message = format!(
            "`{id}`'s handler module `{module_path}.py` is not in its code folder `{}`: Lambda would fail with Runtime.ImportModuleError.",
            dir.display()
        );
        let others = python_files(dir);
        match did_you_mean(
            &format!("{module_path}.py"),
            others.iter().map(String::as_str),
        ) {
            Some(s) => message.push_str(&format!(" Did you mean `{}`?", s.trim_end_matches(".py"))),
            None => message.push_str(" Create it, or point `Handler` (or `CodeUri`) at the code."),
        }
        found.push(Diagnostic::new(
            codes::HANDLER_MODULE_MISSING,
            Severity::Error,
            part_range(text, handler_range, handler, 0..module.len()),
            message,
        ));
        return;
    };
    let Some(code) = source.read_lossy(&module_file) else {
        return;
    };
    let parsed = Module::parse(code);
    if parsed.top_level_function(name).is_none() {
        let defined: Vec<String> = parsed
            .top_level_functions()
            .iter()
            .map(|f| f.name.to_string())
            .collect();
        let mut message = format!(
            "`{}` defines no function `{name}` at module level: Lambda would fail with Runtime.HandlerNotFound.",
            module_file.display()
        );
        match did_you_mean(name, defined.iter().map(String::as_str)) {
            Some(s) => message.push_str(&format!(" Did you mean `{s}`?")),
            None if !defined.is_empty() => message.push_str(&format!(
                " Its functions: {}.",
                defined
                    .iter()
                    .map(|d| format!("`{d}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            None => {}
        }
        let function_part = module.len() + 1..handler.len();
        found.push(Diagnostic::new(
            codes::HANDLER_FUNCTION_MISSING,
            Severity::Error,
            part_range(text, handler_range, handler, function_part),
            message,
        ));
    }
}

/// The range of `part` (byte range in the scalar's value) in the text, when the scalar is
/// written as its value (plain or simply quoted); else the whole scalar.
fn part_range(text: &str, range: &Range<usize>, value: &str, part: Range<usize>) -> Range<usize> {
    let written = text.get(range.clone()).unwrap_or_default();
    let offset = if written == value {
        Some(0)
    } else if written.len() == value.len() + 2 && written[1..].starts_with(value) {
        Some(1)
    } else {
        None
    };
    match offset {
        Some(o) => range.start + o + part.start..range.start + o + part.end,
        None => range.clone(),
    }
}
