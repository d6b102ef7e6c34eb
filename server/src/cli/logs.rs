//! `lambda-ls logs [DIR]`: the deployed function's CloudWatch logs, grouped per invocation
//! (START … REPORT) with time and log stream; errors in red on a terminal, JSON lines
//! pretty-printed. `--follow` keeps printing new events until Ctrl-C. `--format json`
//! prints one JSON object per event (with its invocation's request id) per line.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use anyhow::{bail, Context};
use serde_json::json;

use super::since::{human_time, human_time_millis, now_ms, parse_since};
use super::Format;
use crate::aws::log_lines::{self, Invocation, LogEvent, Placer};
use crate::aws::logs::{self, FollowUpdate, Query, MAX_EVENTS};
use crate::aws::Aws;

/// Arguments of `lambda-ls logs`.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    target: super::target::Target,
    /// How far back: a duration (30s, 10m, 3h, 2d) or a time (2026-05-01T12:00:00Z).
    /// Default: 10m, or 1d with --request-id.
    #[arg(long, value_name = "DURATION|TIME")]
    since: Option<String>,
    /// Keep printing new events as they arrive, until Ctrl-C.
    #[arg(long, short, conflicts_with = "request_id")]
    follow: bool,
    /// Only lines matching a CloudWatch filter pattern: words (all must appear),
    /// "an exact phrase", ?ERROR ?WARN (either), { $.level = "ERROR" } (JSON logs).
    #[arg(long, value_name = "PATTERN")]
    filter: Option<String>,
    /// Only the invocation with this request id (the `RequestId` of its START line, as in
    /// the log `invoke --remote` prints).
    #[arg(long, value_name = "ID")]
    request_id: Option<String>,
    /// `text` for people, `json` for one JSON object per event per line.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let function = args.target.load()?;
    let name = function.config.name.value.clone();
    let now = now_ms();
    let default_since = if args.request_id.is_some() {
        "1d"
    } else {
        "10m"
    };
    let since = args.since.as_deref().unwrap_or(default_since);
    let start_ms = parse_since(since, now).map_err(anyhow::Error::msg)?;
    if start_ms >= now {
        bail!(
            "--since {since} is in the future: give a duration back from now (10m) or a past time"
        );
    }
    let query = Query {
        start_ms,
        end_ms: None,
        filter: args.filter.clone().filter(|f| !f.trim().is_empty()),
        streams: Vec::new(),
    };
    let mut printer = Printer::new(args.format);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("could not start the async runtime")?;
    runtime.block_on(async {
        let aws = Aws::connect(function.config.region.as_deref()).await?;
        let group = logs::log_group(&aws, &name).await?;
        if args.follow {
            let following = logs::follow(&aws, &group, &query, |update| match update {
                FollowUpdate::Events(events) => printer.stream(&events),
                FollowUpdate::Note(note) => eprintln!("lambda-ls: {note}"),
            });
            tokio::select! {
                result = following => result?,
                _ = tokio::signal::ctrl_c() => {}
            }
            return anyhow::Ok(());
        }
        let invocations = match &args.request_id {
            Some(id) => logs::find_invocation(&aws, &group.name, id, &query)
                .await?
                .map(|found| (found, false)),
            None => logs::invocations(&aws, &group.name, &query)
                .await?
                .map(|found| (found.invocations, found.truncated)),
        };
        match invocations {
            None => eprintln!("{}", logs::never_ran(&group)),
            Some((invocations, _)) if invocations.is_empty() => {
                let what = match &args.request_id {
                    Some(id) => format!("request {id}"),
                    None => "log events".to_string(),
                };
                let filtered = match &query.filter {
                    Some(filter) => format!(" matching `{filter}`"),
                    None => String::new(),
                };
                eprintln!(
                    "No {what}{filtered} in {} since {} (try a longer --since).",
                    group.name,
                    human_time(start_ms)
                );
            }
            Some((invocations, truncated)) => {
                for invocation in &invocations {
                    printer.invocation(invocation);
                }
                if truncated {
                    eprintln!(
                        "lambda-ls: only the first {MAX_EVENTS} events are shown: narrow the \
                         window with --since, or use --filter"
                    );
                }
            }
        }
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

/// Writes events as text or JSON lines, one invocation after another, and, when they
/// arrive a batch at a time, a header whenever the invocation changes.
struct Printer {
    format: Format,
    color: bool,
    placer: Placer,
    /// The (stream, request id) of the last event printed.
    last: Option<(String, Option<String>)>,
}

const RED: &str = "\x1b[31m";
const BOLD: &str = "\x1b[1m";
const DIM: &str = "\x1b[2m";
const RESET: &str = "\x1b[0m";

impl Printer {
    fn new(format: Format) -> Printer {
        let color = format == Format::Text
            && std::io::stdout().is_terminal()
            && std::env::var_os("NO_COLOR").is_none();
        Printer {
            format,
            color,
            placer: Placer::default(),
            last: None,
        }
    }

    fn invocation(&mut self, invocation: &Invocation) {
        let mut out = std::io::stdout().lock();
        match self.format {
            Format::Json => {
                for event in &invocation.events {
                    let _ = writeln!(
                        out,
                        "{}",
                        json_line(event, invocation.request_id.as_deref())
                    );
                }
            }
            Format::Text => {
                let _ = write!(
                    out,
                    "{}",
                    self.header(
                        invocation.start_ms(),
                        invocation.request_id.as_deref(),
                        &invocation.stream,
                        invocation.error
                    )
                );
                for event in &invocation.events {
                    let _ = write!(out, "{}", self.line(event));
                }
            }
        }
        let _ = out.flush();
    }

    /// Events as they arrive (`--follow`).
    fn stream(&mut self, events: &[LogEvent]) {
        let mut out = std::io::stdout().lock();
        for event in events {
            let request_id = self.placer.place(event);
            match self.format {
                Format::Json => {
                    let _ = writeln!(out, "{}", json_line(event, request_id.as_deref()));
                }
                Format::Text => {
                    let key = (event.stream.clone(), request_id.clone());
                    if self.last.as_ref() != Some(&key) {
                        let header = self.header(
                            event.timestamp_ms,
                            request_id.as_deref(),
                            &event.stream,
                            false,
                        );
                        let _ = write!(out, "{header}");
                        self.last = Some(key);
                    }
                    let _ = write!(out, "{}", self.line(event));
                }
            }
        }
        let _ = out.flush();
    }

    fn header(&self, time_ms: i64, request_id: Option<&str>, stream: &str, error: bool) -> String {
        let what = match request_id {
            Some(id) => format!("request {id}"),
            None => "outside an invocation".to_string(),
        };
        let failed = if error { " · error" } else { "" };
        let text = format!(
            "── {} · {what} · {stream}{failed}",
            human_time_millis(time_ms)
        );
        if !self.color {
            return format!("\n{text}\n");
        }
        let color = if error { RED } else { "" };
        format!("\n{BOLD}{color}{text}{RESET}\n")
    }

    /// `  12:00:00.123  message`, continuation lines indented under the message; JSON
    /// pretty-printed; lines that report a failure in red.
    fn line(&self, event: &LogEvent) -> String {
        let time = crate::runtime::ids::format_timestamp(event.timestamp_ms.max(0) as u64);
        let clock = &time[11..23];
        let message = event.message.trim_end_matches(['\n', '\r']);
        let body = log_lines::readable(message);
        let indent = " ".repeat(2 + clock.len() + 2);
        let body = body.replace('\n', &format!("\n{indent}"));
        if !self.color {
            return format!("  {clock}  {body}\n");
        }
        if log_lines::is_error(message) {
            format!("  {DIM}{clock}{RESET}  {RED}{body}{RESET}\n")
        } else {
            format!("  {DIM}{clock}{RESET}  {body}\n")
        }
    }
}

/// One event as a JSON line: its time, stream, invocation, message, whether it reports a
/// failure, and the message parsed when it is JSON.
fn json_line(event: &LogEvent, request_id: Option<&str>) -> String {
    let message = event.message.trim_end_matches(['\n', '\r']);
    let mut line = json!({
        "time": crate::runtime::ids::format_timestamp(event.timestamp_ms.max(0) as u64),
        "timestamp": event.timestamp_ms,
        "stream": event.stream,
        "request_id": request_id,
        "message": message,
        "error": log_lines::is_error(message),
    });
    if let Some(object) = log_lines::json_object(message) {
        line["json"] = serde_json::Value::Object(object);
    }
    line.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(message: &str) -> LogEvent {
        LogEvent {
            timestamp_ms: 1_709_251_199_123,
            stream: "2024/02/29/[$LATEST]abc".into(),
            message: message.into(),
            event_id: "1".into(),
        }
    }

    fn plain() -> Printer {
        Printer {
            format: Format::Text,
            color: false,
            placer: Placer::default(),
            last: None,
        }
    }

    #[test]
    fn lines_show_the_time_and_indent_what_continues() {
        let printer = plain();
        assert_eq!(printer.line(&event("hello\n")), "  23:59:59.123  hello\n");
        assert_eq!(
            printer.line(&event("[ERROR] ValueError: boom\rTraceback (most recent call last):\r  File \"x\"\n")),
            "  23:59:59.123  [ERROR] ValueError: boom\n                Traceback (most recent call last):\n                  File \"x\"\n"
        );
    }

    #[test]
    fn json_lines_are_pretty_printed() {
        let printer = plain();
        let text = printer.line(&event(r#"{"level":"INFO","message":"hi"}"#));
        assert_eq!(
            text,
            "  23:59:59.123  {\n                  \"level\": \"INFO\",\n                  \"message\": \"hi\"\n                }\n"
        );
    }

    #[test]
    fn errors_are_red_on_a_terminal() {
        let mut printer = plain();
        printer.color = true;
        assert!(printer.line(&event("[ERROR] boom")).contains(RED));
        assert!(!printer.line(&event("fine")).contains(RED));
    }

    #[test]
    fn json_output_names_the_invocation() {
        let line = json_line(&event(r#"{"level":"ERROR","message":"x"}"#), Some("id-1"));
        let value: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(value["request_id"], "id-1");
        assert_eq!(value["time"], "2024-02-29T23:59:59.123Z");
        assert_eq!(value["error"], true);
        assert_eq!(value["json"]["level"], "ERROR");
    }
}
