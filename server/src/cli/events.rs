//! `lambda-ls events list|show`: the built-in test events (like the console's test-event
//! templates), generated from the catalog.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;

use crate::catalog;

/// Arguments of `lambda-ls events`.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    action: Action,
}

#[derive(clap::Subcommand)]
enum Action {
    /// List the event templates: name and what it is.
    List,
    /// Print a template as JSON, ready to save as a test event.
    Show {
        /// Template name (see `lambda-ls events list`), e.g. `s3-put`.
        name: String,
        /// Change a value: `PATH=VALUE`, e.g. `Records[0].s3.bucket.name=my-bucket`,
        /// `body='{"a":1}'`, `queryStringParameters.a=1`. VALUE is JSON when it parses, else
        /// text; where the event holds a string (a body, a header) it stays the text given.
        /// Missing keys are created. Repeatable; applied in order.
        #[arg(long = "set", value_name = "PATH=VALUE")]
        set: Vec<String>,
    },
}

/// Run `lambda-ls events …`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match print(args) {
        // The reader went away (`lambda-ls events list | head`): not an error.
        Err(error)
            if error
                .downcast_ref::<std::io::Error>()
                .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe) =>
        {
            Ok(ExitCode::SUCCESS)
        }
        other => other,
    }
}

fn print(args: Args) -> anyhow::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    match args.action {
        Action::List => {
            let width = catalog::templates()
                .map(|t| t.name.len())
                .max()
                .unwrap_or(0);
            for template in catalog::templates() {
                let console = match &template.console_name {
                    Some(console) if *console != template.name => {
                        format!(" (console: {console})")
                    }
                    _ => String::new(),
                };
                writeln!(
                    out,
                    "{:width$}  {}{console}",
                    template.name, template.description
                )?;
            }
        }
        Action::Show { name, set } => {
            let event = catalog::render_template(&name, &set)
                .with_context(|| format!("cannot show the `{name}` event"))?;
            let text = serde_json::to_string_pretty(&event)?;
            writeln!(out, "{text}")?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
