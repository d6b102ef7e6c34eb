//! The command line: one subcommand per capability, each a thin call into the same core
//! the language server uses. Exit codes: 0 success, 1 the checked/invoked code has a
//! problem, 2 the command itself could not run (message on stderr).

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod check;
mod deploy;
mod events;
mod export;
mod functions;
mod invoke;
mod invoke_remote;
mod logs;
mod metrics;
mod package;
mod serve;
pub mod since;
mod target;

/// `--format` of the commands that print for people or for programs.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Text,
    Json,
}

#[derive(Parser)]
#[command(
    name = "lambda-ls",
    version,
    about = "Language server and tools for AWS Lambda functions written in Python"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check functions and print the editor's diagnostics.
    Check(check::Args),
    /// List built-in test events, or print one with values changed.
    Events(events::Args),
    /// Write the functions' configuration in another tool's format (`export sam`).
    Export(export::Args),
    /// List the functions under the paths: lambda.toml folders and SAM templates.
    Functions(functions::Args),
    /// Run the language server over stdio (what the editor starts).
    Lsp,
    /// Invoke a function locally as Lambda would: payload on stdout, log on stderr.
    Invoke(invoke::Args),
    /// Serve a function on a local HTTP endpoint as API Gateway or a function URL would.
    ///
    /// With an `api` or `http-api` trigger, only its route (`method` and `path`; path
    /// parameters such as `{id}` and `{proxy+}` match) reaches the function: elsewhere a REST
    /// API answers 403 {"message":"Missing Authentication Token"} and an HTTP API 404
    /// {"message":"Not Found"}. Without a path, an HTTP API's route is `ANY /<function name>`
    /// and a REST API's `ANY /{proxy+}`. A function URL, or a function with no API trigger,
    /// gets every path.
    Serve(serve::Args),
    /// Deploy a function to AWS: create or update it, its configuration and its triggers.
    Deploy(deploy::Args),
    /// Build the function's deployment .zip (code + dependencies for Lambda's platform).
    Package(package::Args),
    /// Show the deployed function's CloudWatch logs, grouped per invocation.
    Logs(logs::Args),
    /// Show the deployed function's CloudWatch metrics, as the console's Monitor tab does.
    Metrics(metrics::Args),
}

/// Parse arguments, run the subcommand, map its outcome to an exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
    let outcome = match cli.command {
        Command::Check(args) => check::run(args),
        Command::Events(args) => events::run(args),
        Command::Export(args) => export::run(args),
        Command::Functions(args) => functions::run(args),
        Command::Lsp => crate::lsp::run_stdio().map(|()| ExitCode::SUCCESS),
        Command::Invoke(args) => invoke::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Deploy(args) => deploy::run(args),
        Command::Package(args) => package::run(args),
        Command::Logs(args) => logs::run(args),
        Command::Metrics(args) => metrics::run(args),
    };
    match outcome {
        Ok(code) => code,
        Err(error) => {
            eprintln!("lambda-ls: {error:#}");
            ExitCode::from(2)
        }
    }
}

/// Logs go to stderr (stdout is the LSP channel and the CLI's output); `LAMBDA_LS_LOG`
/// sets the filter (default `warn`).
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("LAMBDA_LS_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .try_init();
}
