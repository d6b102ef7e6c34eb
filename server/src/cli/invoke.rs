//! `lambda-ls invoke [DIR]`: run the function's handler locally as Lambda would. The
//! response payload goes to stdout exactly as Lambda's Invoke returns it (the error JSON on
//! a function error), the function's log to stderr.

use crate::project::Function;
use std::io::{IsTerminal, Read, Write};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{bail, Context};

use crate::runtime::{
    ClientKind, DebugOptions, InvocationStatus, InvokeOptions, Invoker, InvokerSettings,
};

/// Arguments of `lambda-ls invoke`.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    target: super::target::Target,
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
    /// Start under debugpy listening on 127.0.0.1:PORT; the handler runs once a debugger
    /// (VS Code, any DAP client) has attached. The timeout does not apply meanwhile.
    #[arg(long, value_name = "PORT")]
    debug_port: Option<u16>,
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
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if args.remote {
        if args.handler.is_some()
            || args.cold
            || args.timeout.is_some()
            || args.aws_credentials
            || args.debug_port.is_some()
        {
            bail!("--handler, --cold, --timeout, --aws-credentials and --debug-port apply to a local invoke; the deployed function runs with its deployed configuration (drop them, or drop --remote)");
        }
        return super::invoke_remote::run(&args.target, &args.event, args.repeat, args.quiet);
    }
    let mut function = (*args.target.load()?).clone();
    if let Some(handler) = &args.handler {
        function.config.handler = crate::project::Setting::configured(handler.clone());
    }
    let sources = if args.event.is_empty() {
        vec!["{}".to_string()]
    } else {
        args.event.clone()
    };
    if args.debug_port.is_some() && (sources.len() > 1 || args.repeat > 1) {
        bail!("--debug-port debugs one invocation: pass one --event and no --repeat");
    }
    let mut events = Vec::new();
    for source in &sources {
        events.push(read_event(source, &function)?);
    }
    let say = |message: &str| eprintln!("lambda-ls: {message}");
    let options = InvokeOptions {
        cold: args.cold,
        timeout: timeout_option(args.timeout)?,
        client: args.client.into(),
        pass_aws_credentials: args.aws_credentials,
        // The log streams to stderr as the function writes it.
        log_sink: (!args.quiet).then(|| {
            let lines = std::sync::Mutex::new(TerminalLines::default());
            let sink: crate::runtime::LogSink = std::sync::Arc::new(move |bytes: &[u8]| {
                let text = lines
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .convert(bytes);
                let mut stderr = std::io::stderr().lock();
                let _ = stderr.write_all(&text);
                let _ = stderr.flush();
            });
            sink
        }),
        progress: (!args.quiet).then(|| {
            let sink: crate::runtime::ProgressSink = std::sync::Arc::new(say);
            sink
        }),
        debug: args.debug_port.map(|port| DebugOptions {
            port,
            on_listening: Some(std::sync::Arc::new(move |address| {
                say(&crate::runtime::debug::waiting_line(address))
            })),
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

/// Lambda joins the lines of a logged error with `\r` (one CloudWatch event); on a terminal
/// each would overwrite the last, so a lone `\r` becomes a line break. The invocation's own
/// log keeps Lambda's `\r`.
#[derive(Default)]
struct TerminalLines {
    /// A `\r` ended the last chunk: whether it starts `\r\n` shows with the next one.
    pending_return: bool,
}

impl TerminalLines {
    fn convert(&mut self, bytes: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(bytes.len());
        for &byte in bytes {
            if std::mem::take(&mut self.pending_return) {
                out.extend_from_slice(if byte == b'\n' { b"\r" } else { b"\n" });
            }
            if byte == b'\r' {
                self.pending_return = true;
            } else {
                out.push(byte);
            }
        }
        out
    }
}

/// The bytes of an event given on the command line.
pub(super) fn read_event(source: &str, function: &Function) -> anyhow::Result<Vec<u8>> {
    if source == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .context("could not read the event from stdin")?;
        return Ok(bytes);
    }
    crate::runtime::event_source::load_event(source, &function.events_dirs())
        .map_err(anyhow::Error::msg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lone_returns_become_line_breaks_across_chunks() {
        let mut lines = TerminalLines::default();
        let mut out = lines.convert(b"[ERROR] E: x\rTraceback\r");
        out.extend(lines.convert(b"  File\r\nnext\n"));
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "[ERROR] E: x\nTraceback\n  File\r\nnext\n"
        );
    }
}
