//! `lambda-ls invoke --remote`: invoke the deployed function through the Invoke API with its
//! log tail. Same output as a local invoke: the payload exactly as Lambda returns it on
//! stdout, the log on stderr; exit 0, 1 on a function error, 2 when it could not run.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use anyhow::Context;

use crate::aws::remote_invoke::invoke;
use crate::aws::stack_sync::deployed;

pub fn run(
    target: &super::target::Target,
    event_sources: &[String],
    repeat: u32,
    quiet: bool,
) -> anyhow::Result<ExitCode> {
    let function = target.load()?;
    let sources = if event_sources.is_empty() {
        vec!["{}".to_string()]
    } else {
        event_sources.to_vec()
    };
    let mut events = Vec::new();
    for source in &sources {
        events.push(super::invoke::read_event(source, &function)?);
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("could not start the async runtime")?;
    let total = events.len() * repeat.max(1) as usize;
    let newline = total > 1 || std::io::stdout().is_terminal();
    let mut any_error = false;
    runtime.block_on(async {
        let (aws, name) = deployed(&function, None).await?;
        for event in &events {
            for _ in 0..repeat.max(1) {
                let invocation = invoke(&aws, &name, event.clone()).await?;
                if !quiet {
                    let mut stderr = std::io::stderr().lock();
                    stderr.write_all(invocation.log.as_bytes())?;
                    if !invocation.log.is_empty() && !invocation.log.ends_with('\n') {
                        stderr.write_all(b"\n")?;
                    }
                    if let Some(kind) = &invocation.function_error {
                        writeln!(stderr, "FunctionError: {kind}")?;
                    }
                    stderr.flush()?;
                }
                let mut stdout = std::io::stdout().lock();
                stdout.write_all(&invocation.payload)?;
                if newline {
                    stdout.write_all(b"\n")?;
                }
                stdout.flush()?;
                any_error |= invocation.function_error.is_some();
            }
        }
        anyhow::Ok(())
    })?;
    Ok(if any_error {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
