//! `lambda-ls invoke [DIR]`: run the function's handler locally as Lambda would. The
//! response payload goes to stdout exactly as Lambda's Invoke returns it (the error JSON on
//! a function error), the function's log to stderr.

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{bail, Context};

use crate::runtime::{ClientKind, InvocationStatus, InvokeOptions, Invoker, InvokerSettings};

/// Arguments of `lambda-ls invoke`.
#[derive(clap::Args)]
pub struct Args {
    /// The function folder (default: the current folder).
    dir: Option<PathBuf>,
    /// The event: a JSON file, `-` for stdin, inline JSON, a file in the function's
    /// `events/` folder (with or without `.json`), or a built-in template name. Repeat it
    /// to invoke several events in a row in the same warm environment. Default `{}`.
    #[arg(long, short, value_name = "FILE|-|JSON|TEMPLATE")]
    event: Vec<String>,
    /// The handler to run (`module.function`), instead of the configured one.
    #[arg(long, value_name = "MODULE.FUNCTION")]
    handler: Option<String>,
    /// Invoke each event this many times (the first may be a cold start, the rest are warm).
    #[arg(long, default_value_t = 1, value_name = "N")]
    repeat: u32,
    /// Start a new execution environment even if a warm one could be reused.
    #[arg(long)]
    cold: bool,
    /// Timeout in seconds, instead of the function's configured one.
    #[arg(long, value_name = "SECONDS")]
    timeout: Option<f64>,
    /// The runtime client inside the environment.
    #[arg(long, value_enum, default_value = "embedded")]
    client: Client,
    /// Pass your AWS credential variables (AWS_PROFILE, AWS_ACCESS_KEY_ID, …) to the function.
    #[arg(long)]
    aws_credentials: bool,
    /// Print only the payload; no log on stderr.
    #[arg(long, short)]
    quiet: bool,
    /// Invoke the function deployed in AWS (its log tail on stderr) instead of locally.
    #[arg(long)]
    remote: bool,
}

/// Which runtime client runs the handler.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum Client {
    /// lambda-ls's built-in client (nothing to install, fastest start).
    Embedded,
    /// AWS's runtime interface client (`pip install awslambdaric` in the function's Python).
    Awslambdaric,
}

impl From<Client> for ClientKind {
    fn from(client: Client) -> Self {
        match client {
            Client::Embedded => ClientKind::Embedded,
            Client::Awslambdaric => ClientKind::Awslambdaric,
        }
    }
}

/// A `--timeout` value as a duration, rejecting what Lambda would.
pub fn timeout_option(seconds: Option<f64>) -> anyhow::Result<Option<Duration>> {
    match seconds {
        None => Ok(None),
        Some(s) if s.is_finite() && s > 0.0 && s <= 900.0 => Ok(Some(Duration::from_secs_f64(s))),
        Some(s) => bail!(
            "--timeout {s} is out of range: Lambda allows more than 0 and at most 900 seconds"
        ),
    }
}

/// Load the function in `dir` (default: the current folder) with a clear error.
pub fn load_function(dir: Option<&Path>) -> anyhow::Result<crate::project::Function> {
    let dir = dir.unwrap_or(Path::new("."));
    if !dir.is_dir() {
        bail!("{} is not a folder: pass a function folder (one holding lambda_function.py or lambda.toml)", dir.display());
    }
    Ok(crate::project::load(dir))
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if args.remote {
        if args.handler.is_some() || args.cold || args.timeout.is_some() || args.aws_credentials {
            bail!("--handler, --cold, --timeout and --aws-credentials apply to a local invoke; the deployed function runs with its deployed configuration (drop them, or drop --remote)");
        }
        return super::invoke_remote::run(
            args.dir.as_deref(),
            &args.event,
            args.repeat,
            args.quiet,
        );
    }
    let mut function = load_function(args.dir.as_deref())?;
    if let Some(handler) = &args.handler {
        function.config.handler = crate::project::Setting::configured(handler.clone());
    }
    let sources = if args.event.is_empty() {
        vec!["{}".to_string()]
    } else {
        args.event.clone()
    };
    let mut events = Vec::new();
    for source in &sources {
        events.push(read_event(source, &function.dir)?);
    }
    let options = InvokeOptions {
        cold: args.cold,
        timeout: timeout_option(args.timeout)?,
        client: args.client.into(),
        pass_aws_credentials: args.aws_credentials,
        // The log streams to stderr as the function writes it.
        log_sink: (!args.quiet).then(|| {
            let sink: crate::runtime::LogSink = std::sync::Arc::new(|bytes: &[u8]| {
                let mut stderr = std::io::stderr().lock();
                let _ = stderr.write_all(bytes);
                let _ = stderr.flush();
            });
            sink
        }),
        ..InvokeOptions::default()
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("could not start the async runtime")?;
    let invoker = Invoker::new(InvokerSettings { max_concurrency: 1 });
    let total = events.len() * args.repeat.max(1) as usize;
    let newline = total > 1 || std::io::stdout().is_terminal();
    let mut any_error = false;
    let mut first = true;
    runtime.block_on(async {
        for event in &events {
            for _ in 0..args.repeat.max(1) {
                let mut this = options.clone();
                // `--cold` applies to the first invoke; the rest show warm reuse.
                this.cold = options.cold && first;
                first = false;
                // Ctrl-C drops the invocation, which kills its environment's process group
                // (it runs in a group of its own, out of reach of the terminal's signal).
                let invocation = tokio::select! {
                    result = invoker.invoke(&function, event.clone(), &this) => result?,
                    _ = tokio::signal::ctrl_c() => {
                        invoker.shutdown();
                        bail!("interrupted; the function's processes were stopped");
                    }
                };
                let mut stdout = std::io::stdout().lock();
                stdout.write_all(&invocation.payload)?;
                if newline {
                    stdout.write_all(b"\n")?;
                }
                stdout.flush()?;
                any_error |= invocation.status == InvocationStatus::FunctionError;
            }
        }
        anyhow::Ok(())
    })?;
    invoker.shutdown();
    Ok(if any_error {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// The bytes of an event given on the command line.
pub(super) fn read_event(source: &str, function_dir: &Path) -> anyhow::Result<Vec<u8>> {
    if source == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .context("could not read the event from stdin")?;
        return Ok(bytes);
    }
    crate::runtime::event_source::load_event(source, function_dir).map_err(anyhow::Error::msg)
}
