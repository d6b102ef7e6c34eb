//! The handler's effective configuration, shown where the handler is defined: in a hover
//! on its name and in a code lens above it, each value with where it came from.

use super::events::HandlerEvents;
use super::PythonFile;
use crate::ide::{Hover, Lens, LensAction};
use crate::project::{EnvValue, Function, Source};

/// Where a value of `function` came from, in words: `lambda.toml`,
/// `template.yaml#HelloWorldFunction`, `template.yaml Globals`, `Lambda default`.
fn source_label(function: &Function, source: Source) -> String {
    let template = function.template.as_ref();
    match source {
        Source::Default => "Lambda default".to_string(),
        Source::LambdaToml => "lambda.toml".to_string(),
        Source::Template => template.map(|t| t.label()).unwrap_or_default(),
        Source::TemplateGlobals => {
            let file = template
                .and_then(|t| t.path.file_name())
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            format!("{file} Globals")
        }
    }
}

fn triggers_label(function: &Function) -> String {
    if function.config.triggers.is_empty() {
        "none configured".to_string()
    } else {
        function
            .config
            .triggers
            .iter()
            .map(|t| t.kind())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Markdown table of the effective configuration.
pub fn configuration_markdown(function: &Function) -> String {
    let c = &function.config;
    let mut rows = vec![
        (
            "name",
            c.name.value.clone(),
            source_label(function, c.name.source),
        ),
        (
            "handler",
            c.handler.value.clone(),
            source_label(function, c.handler.source),
        ),
        (
            "runtime",
            c.runtime.value.clone(),
            source_label(function, c.runtime.source),
        ),
        (
            "architecture",
            c.architecture.value.as_str().to_string(),
            source_label(function, c.architecture.source),
        ),
        (
            "memory",
            format!("{} MB", c.memory.value),
            source_label(function, c.memory.source),
        ),
        (
            "timeout",
            format!("{} s", c.timeout.value),
            source_label(function, c.timeout.source),
        ),
    ];
    // Triggers and variables are the function's own (a template's Events, its variables
    // merged with Globals').
    let configured = match (&function.template, &function.config_path) {
        (Some(template), _) => template.label(),
        (None, Some(_)) => "lambda.toml".to_string(),
        (None, None) => "—".to_string(),
    };
    rows.push(("triggers", triggers_label(function), configured.clone()));
    if !c.environment.is_empty() {
        let names = c
            .environment
            .iter()
            .map(|(k, v)| match v {
                EnvValue::Literal(_) => k.clone(),
                EnvValue::FromEnv(from) => format!("{k} (from ${from})"),
                EnvValue::AtDeploy(shown) => format!("{k} (set at deploy: {shown})"),
            })
            .collect::<Vec<_>>()
            .join(", ");
        rows.push(("environment", names, configured));
    }
    let mut markdown = String::from("| setting | value | from |\n|---|---|---|\n");
    for (key, value, source) in rows {
        markdown.push_str(&format!(
            "| {key} | `{}` | {source} |\n",
            value.replace('|', "\\|")
        ));
    }
    markdown
}

/// Hover on the handler's name: what Lambda will run and with which settings.
pub fn handler_hover(
    file: PythonFile<'_>,
    offset: usize,
    events: Option<&HandlerEvents>,
) -> Option<Hover> {
    let (function, name) = (file.function?, file.handler?);
    let def = file.module.top_level_function(name)?;
    if !(def.name_range.start <= offset && offset <= def.name_range.end) {
        return None;
    }
    let folder = function
        .dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let event_line = events
        .map(|e| format!("\n\n`event`: {}", e.label()))
        .unwrap_or_default();
    let defined = match &function.template {
        Some(template) => format!(", `{}`", template.label()),
        None => String::new(),
    };
    let markdown = format!(
        "**Lambda handler** `{}` of function `{}` (folder `{folder}`{defined}){event_line}\n\n{}",
        function.config.handler.value,
        function.config.name.value,
        configuration_markdown(function)
    );
    Some(Hover {
        range: def.name_range.clone(),
        markdown,
    })
}

/// Lenses above the handler: `▶ Invoke`, `Invoke with event…`, and its effective
/// configuration with the event type in one line.
pub fn handler_lenses(file: PythonFile<'_>, events: Option<&HandlerEvents>) -> Vec<Lens> {
    let (Some(function), Some(name)) = (file.function, file.handler) else {
        return Vec::new();
    };
    let Some(def) = file.module.top_level_function(name) else {
        return Vec::new();
    };
    let c = &function.config;
    let event = events
        .map(|e| e.label())
        .unwrap_or_else(|| triggers_label(function));
    let title = format!(
        "λ {} · {} · {} MB · {} s · event: {event}",
        c.name.value, c.runtime.value, c.memory.value, c.timeout.value,
    );
    let range = def.node.start_byte()..def.name_range.end;
    let handler = name.to_string();
    vec![
        Lens {
            range: range.clone(),
            title: "▶ Invoke".to_string(),
            action: Some(LensAction::Invoke {
                handler: handler.clone(),
            }),
        },
        Lens {
            range: range.clone(),
            title: "Invoke with event…".to_string(),
            action: Some(LensAction::InvokeWithEvent { handler }),
        },
        Lens {
            range,
            title,
            action: None,
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::super::test_support::function_with;
    use super::*;
    use crate::python::Module;

    #[test]
    fn hover_on_handler_name_shows_configuration_with_sources() {
        let src = "def lambda_handler(event, context):\n    return 1\n";
        let module = Module::parse(src);
        let function = function_with("memory = 512\n");
        let file = PythonFile {
            module: &module,
            function: Some(&function),
            handler: Some("lambda_handler"),
        };
        let hover = handler_hover(file, src.find("handler").unwrap(), None).unwrap();
        assert!(
            hover
                .markdown
                .contains("| memory | `512 MB` | lambda.toml |"),
            "{}",
            hover.markdown
        );
        assert!(hover
            .markdown
            .contains("| timeout | `3 s` | Lambda default |"));
        assert!(handler_hover(file, src.find("return").unwrap(), None).is_none());
        let lenses = handler_lenses(file, None);
        assert_eq!(lenses.len(), 3);
        assert_eq!(lenses[0].title, "▶ Invoke");
        assert!(lenses[2].title.contains("512 MB"));
    }
}
