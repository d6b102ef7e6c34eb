//! A deployed function's CloudWatch logs: its log group (`/aws/lambda/<name>`, or the one
//! its logging configuration names), the events of a time window (FilterLogEvents, every
//! page), one invocation by request id, and following new events as they arrive — through
//! Live Tail where the endpoint offers it, else by polling FilterLogEvents with a cursor.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use aws_sdk_cloudwatchlogs::types::StartLiveTailResponseStream;

use super::deploy::is_not_found;
use super::errors::{describe, or_not_deployed, AwsError};
use super::log_lines::{self, Invocation, LogEvent};
use super::Aws;

/// The most events one read returns; past it the caller is told to narrow the window.
pub const MAX_EVENTS: usize = 10_000;
/// How often `--follow` polls when Live Tail is not available.
pub const POLL_INTERVAL: Duration = Duration::from_secs(2);
/// How far back each poll looks again: CloudWatch may store an event a few seconds after
/// its timestamp, and an event that lands behind the cursor must not be lost.
const POLL_OVERLAP_MS: i64 = 30_000;
/// How long Live Tail is given to start before polling takes over.
const LIVE_TAIL_START: Duration = Duration::from_secs(5);

/// Where a function's logs are.
#[derive(Debug, Clone)]
pub struct LogGroup {
    pub function: String,
    pub name: String,
    /// The group's ARN (Live Tail needs it), from the function's ARN.
    pub arn: Option<String>,
}

/// The log group of the deployed function `function` (GetFunction: its logging
/// configuration may name another group than `/aws/lambda/<name>`).
pub async fn log_group(aws: &Aws, function: &str) -> Result<LogGroup, AwsError> {
    let output = aws
        .lambda
        .get_function()
        .function_name(function)
        .send()
        .await
        .map_err(|e| {
            or_not_deployed(
                describe("GetFunction", "lambda", &aws.region, &e),
                function,
                &aws.region,
            )
        })?;
    let configuration = output.configuration();
    let name = configuration
        .and_then(|c| c.logging_config())
        .and_then(|l| l.log_group())
        .filter(|g| !g.is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| format!("/aws/lambda/{function}"));
    let arn = configuration
        .and_then(|c| c.function_arn())
        .and_then(|arn| group_arn(arn, &name));
    Ok(LogGroup {
        function: function.to_string(),
        name,
        arn,
    })
}

/// `arn:<partition>:logs:<region>:<account>:log-group:<name>` for a group in the same
/// partition, region and account as the function `function_arn`.
fn group_arn(function_arn: &str, group: &str) -> Option<String> {
    let parts: Vec<&str> = function_arn.split(':').collect();
    let [_, partition, _, region, account, ..] = parts.as_slice() else {
        return None;
    };
    Some(format!(
        "arn:{partition}:logs:{region}:{account}:log-group:{group}"
    ))
}

/// What to read.
#[derive(Debug, Clone, Default)]
pub struct Query {
    /// Milliseconds since the epoch; events from then on.
    pub start_ms: i64,
    /// Up to then (inclusive); `None`: up to now.
    pub end_ms: Option<i64>,
    /// A CloudWatch filter pattern (`ERROR`, `"exact phrase"`, `{ $.level = "ERROR" }`).
    pub filter: Option<String>,
    /// Only these streams (none: all).
    pub streams: Vec<String>,
}

/// The events of a window.
#[derive(Debug, Default)]
pub struct Events {
    pub events: Vec<LogEvent>,
    /// There were more than [`MAX_EVENTS`]; the oldest ones are here.
    pub truncated: bool,
}

/// Read `query` from `group`; `None` when the group does not exist (the function has never
/// run, or its role cannot write logs).
pub async fn fetch(aws: &Aws, group: &str, query: &Query) -> Result<Option<Events>, AwsError> {
    let mut result = Events::default();
    let mut next_token: Option<String> = None;
    loop {
        let page = aws
            .logs
            .filter_log_events()
            .log_group_name(group)
            .start_time(query.start_ms)
            .set_end_time(query.end_ms)
            .set_filter_pattern(query.filter.clone())
            .set_log_stream_names((!query.streams.is_empty()).then(|| query.streams.clone()))
            .set_next_token(next_token.take())
            .send()
            .await;
        let page = match page {
            Ok(page) => page,
            Err(e) if is_not_found(&e) => return Ok(None),
            Err(e) => return Err(describe("FilterLogEvents", "logs", &aws.region, &e)),
        };
        for event in page.events() {
            result.events.push(LogEvent {
                timestamp_ms: event.timestamp().unwrap_or_default(),
                stream: event.log_stream_name().unwrap_or_default().to_string(),
                message: event.message().unwrap_or_default().to_string(),
                event_id: event.event_id().unwrap_or_default().to_string(),
            });
        }
        if result.events.len() >= MAX_EVENTS {
            result.events.truncate(MAX_EVENTS);
            result.truncated = true;
            break;
        }
        // An empty page can still carry a token (more streams to search); a repeated token
        // would loop for ever.
        match page.next_token() {
            Some(token) if !token.is_empty() => next_token = Some(token.to_string()),
            _ => break,
        }
    }
    Ok(Some(result))
}

/// The lines that bound invocations, in both of Lambda's log formats (a filter pattern).
const MARKERS: &str = r#"?START ?REPORT ?"platform.start" ?"platform.report""#;

/// A window's events grouped per invocation.
#[derive(Debug, Default)]
pub struct Invocations {
    pub invocations: Vec<Invocation>,
    /// There were more than [`MAX_EVENTS`] events; the oldest ones are here.
    pub truncated: bool,
}

/// `query`'s events grouped per invocation; with a filter, the START and REPORT lines of the
/// window are read too, to place the matching lines that do not name their request.
/// `None` when the group does not exist.
pub async fn invocations(
    aws: &Aws,
    group: &str,
    query: &Query,
) -> Result<Option<Invocations>, AwsError> {
    let Some(found) = fetch(aws, group, query).await? else {
        return Ok(None);
    };
    let context = match &query.filter {
        Some(_) if !found.events.is_empty() => {
            let markers = Query {
                filter: Some(MARKERS.to_string()),
                ..query.clone()
            };
            let markers = fetch(aws, group, &markers).await?.unwrap_or_default();
            // Only what it says it is: endpoints that do not know `?` patterns return all.
            markers
                .events
                .into_iter()
                .filter(|e| log_lines::marker(&e.message).is_some())
                .collect()
        }
        _ => Vec::new(),
    };
    Ok(Some(Invocations {
        invocations: log_lines::group(found.events, &context),
        truncated: found.truncated,
    }))
}

/// The invocation with request id `request_id` in `query`'s window: the lines that name it
/// are found first, then everything its log stream wrote from its START to its REPORT.
/// `None` when the group does not exist; an empty list when no line names the request.
pub async fn find_invocation(
    aws: &Aws,
    group: &str,
    request_id: &str,
    query: &Query,
) -> Result<Option<Vec<Invocation>>, AwsError> {
    let naming = Query {
        filter: Some(format!("\"{request_id}\"")),
        ..query.clone()
    };
    let Some(found) = fetch(aws, group, &naming).await? else {
        return Ok(None);
    };
    let mut all = Vec::new();
    let streams: HashSet<&str> = found.events.iter().map(|e| e.stream.as_str()).collect();
    for stream in streams {
        let times = found
            .events
            .iter()
            .filter(|e| e.stream == stream)
            .map(|e| e.timestamp_ms);
        let first = times.clone().min().unwrap_or(query.start_ms);
        let reported = found.events.iter().any(|e| {
            e.stream == stream
                && matches!(
                    log_lines::marker(&e.message),
                    Some(log_lines::Marker::Report(_))
                )
        });
        // Without its REPORT in view the invocation may still be running: read up to now.
        let last = reported.then(|| times.max().unwrap_or(first));
        let span = Query {
            start_ms: first,
            end_ms: last,
            filter: query.filter.clone(),
            streams: vec![stream.to_string()],
        };
        let found = invocations_of(aws, group, &span).await?;
        all.extend(
            found
                .into_iter()
                .filter(|i| i.request_id.as_deref() == Some(request_id)),
        );
    }
    all.sort_by_key(Invocation::start_ms);
    Ok(Some(all))
}

async fn invocations_of(
    aws: &Aws,
    group: &str,
    query: &Query,
) -> Result<Vec<Invocation>, AwsError> {
    Ok(invocations(aws, group, query)
        .await?
        .map(|found| found.invocations)
        .unwrap_or_default())
}

/// What a function with no log group has to say for itself.
pub fn never_ran(group: &LogGroup) -> String {
    format!(
        "{} has never run: its log group {} does not exist yet (it is created at the first \
         invocation; if the function has run, its role may lack permission to write logs: \
         attach AWSLambdaBasicExecutionRole).",
        group.function, group.name
    )
}

/// What `follow` tells its caller.
#[derive(Debug)]
pub enum FollowUpdate {
    /// New events, in time order, none seen before.
    Events(Vec<LogEvent>),
    /// Something the user should know (how events are followed, sampling, waiting).
    Note(String),
}

/// Print the window's events, then new ones as they arrive, until the future is dropped
/// (Ctrl-C) or AWS fails. Live Tail first; polling when it is not available.
pub async fn follow(
    aws: &Aws,
    group: &LogGroup,
    query: &Query,
    mut sink: impl FnMut(FollowUpdate),
) -> Result<(), AwsError> {
    let mut poller = Poller::new(&group.name, query);
    if let Some(arn) = &group.arn {
        match start_live_tail(aws, arn, query.filter.as_deref()).await {
            Ok(mut live) => {
                // Live Tail sends what is stored from now on: read the window before it too,
                // and skip live events that the window already had.
                let history = poller.poll(aws).await?;
                let seen: HashSet<(i64, String, String)> = history.iter().map(identity).collect();
                let history_end = history.last().map_or(i64::MIN, |e| e.timestamp_ms);
                if !history.is_empty() {
                    sink(FollowUpdate::Events(history));
                }
                sink(FollowUpdate::Note("following with Live Tail".into()));
                loop {
                    match live.next_batch().await {
                        Ok(Some(batch)) => {
                            if batch.sampled {
                                sink(FollowUpdate::Note(
                                    "Live Tail is sampling: more than 500 events a second \
                                     arrive, so some are not shown"
                                        .into(),
                                ));
                            }
                            let fresh: Vec<LogEvent> = batch
                                .events
                                .into_iter()
                                .filter(|e| {
                                    e.timestamp_ms > history_end || !seen.contains(&identity(e))
                                })
                                .collect();
                            poller.remember(&fresh);
                            if !fresh.is_empty() {
                                sink(FollowUpdate::Events(fresh));
                            }
                        }
                        // The session ended (it lasts at most three hours) or broke: carry on
                        // by polling from where it was, so nothing is lost in between.
                        Ok(None) | Err(_) => {
                            sink(FollowUpdate::Note(
                                "the Live Tail session ended; polling from here".into(),
                            ));
                            break;
                        }
                    }
                }
            }
            Err(reason) => sink(FollowUpdate::Note(format!(
                "Live Tail is not available here ({reason}); polling every {} s",
                POLL_INTERVAL.as_secs()
            ))),
        }
    }
    let mut waiting_said = false;
    loop {
        let events = poller.poll(aws).await?;
        if !poller.group_exists && !waiting_said {
            sink(FollowUpdate::Note(format!(
                "{} has no log group yet ({}): waiting for its first invocation",
                group.function, group.name
            )));
            waiting_said = true;
        }
        if !events.is_empty() {
            sink(FollowUpdate::Events(events));
        }
        tokio::time::sleep(POLL_INTERVAL).await;
    }
}

/// What makes an event the same event in Live Tail and in FilterLogEvents, which gives
/// Live Tail events no id.
fn identity(event: &LogEvent) -> (i64, String, String) {
    (
        event.timestamp_ms,
        event.stream.clone(),
        event.message.clone(),
    )
}

/// Polls FilterLogEvents from a cursor: each poll reads again the last
/// [`POLL_OVERLAP_MS`] before the newest event seen (late arrivals land there) and drops
/// events it has already returned, so there are neither gaps nor duplicates.
pub struct Poller {
    group: String,
    query: Query,
    /// The newest timestamp returned so far.
    cursor_ms: i64,
    /// The events returned within the overlap (their ids, or for Live Tail events their
    /// content), with their timestamps.
    seen: HashMap<String, i64>,
    /// Whether the last poll found the log group.
    pub group_exists: bool,
}

impl Poller {
    pub fn new(group: &str, query: &Query) -> Poller {
        Poller {
            group: group.to_string(),
            query: query.clone(),
            cursor_ms: query.start_ms,
            seen: HashMap::new(),
            group_exists: true,
        }
    }

    /// A poller that carries on where another stopped: the newest time it returned and
    /// the events it returned near it ([`Poller::seen`]).
    pub fn resume(
        group: &str,
        query: &Query,
        newest_ms: i64,
        seen: HashMap<String, i64>,
    ) -> Poller {
        Poller {
            cursor_ms: newest_ms.max(query.start_ms),
            seen,
            ..Poller::new(group, query)
        }
    }

    /// The newest time returned so far.
    pub fn newest_ms(&self) -> i64 {
        self.cursor_ms
    }

    /// The events returned near the newest (by id), with their times: what a resumed
    /// poller must not return again.
    pub fn seen(&self) -> &HashMap<String, i64> {
        &self.seen
    }

    /// The events stored since the last poll, in time order.
    pub async fn poll(&mut self, aws: &Aws) -> Result<Vec<LogEvent>, AwsError> {
        let query = Query {
            start_ms: (self.cursor_ms - POLL_OVERLAP_MS).max(self.query.start_ms),
            end_ms: None,
            ..self.query.clone()
        };
        let Some(found) = fetch(aws, &self.group, &query).await? else {
            self.group_exists = false;
            return Ok(Vec::new());
        };
        self.group_exists = true;
        let mut fresh = self.unseen(found.events);
        fresh.sort_by_key(|e| e.timestamp_ms);
        self.remember(&fresh);
        Ok(fresh)
    }

    fn unseen(&self, events: Vec<LogEvent>) -> Vec<LogEvent> {
        events
            .into_iter()
            .filter(|e| {
                !self.seen.contains_key(&e.event_id)
                    && !self.seen.contains_key(&Self::content_key(e))
            })
            .collect()
    }

    /// Note events returned some other way (Live Tail), so a later poll skips them.
    fn remember(&mut self, events: &[LogEvent]) {
        for event in events {
            let key = if event.event_id.is_empty() {
                Self::content_key(event)
            } else {
                event.event_id.clone()
            };
            self.seen.insert(key, event.timestamp_ms);
            self.cursor_ms = self.cursor_ms.max(event.timestamp_ms);
        }
        let horizon = self.cursor_ms - POLL_OVERLAP_MS;
        self.seen.retain(|_, &mut time| time >= horizon);
    }

    /// What identifies a Live Tail event, which has no event id.
    fn content_key(event: &LogEvent) -> String {
        format!(
            "{}\u{0}{}\u{0}{}",
            event.timestamp_ms, event.stream, event.message
        )
    }
}

/// A Live Tail session.
struct LiveTail {
    session: aws_sdk_cloudwatchlogs::operation::start_live_tail::StartLiveTailOutput,
}

struct LiveBatch {
    events: Vec<LogEvent>,
    sampled: bool,
}

/// Start Live Tail on the group `arn`; the reason in a few words when it cannot start
/// (endpoints that do not offer it, emulators, missing permission).
async fn start_live_tail(aws: &Aws, arn: &str, filter: Option<&str>) -> Result<LiveTail, String> {
    let start = aws
        .logs
        .start_live_tail()
        .log_group_identifiers(arn)
        .set_log_event_filter_pattern(filter.map(str::to_string))
        .customize()
        .config_override(
            aws_sdk_cloudwatchlogs::config::Config::builder()
                .retry_config(aws_sdk_cloudwatchlogs::config::retry::RetryConfig::disabled()),
        )
        .send();
    match tokio::time::timeout(LIVE_TAIL_START, start).await {
        Ok(Ok(session)) => Ok(LiveTail { session }),
        Ok(Err(e)) => Err(short_reason(describe(
            "StartLiveTail",
            "logs",
            &aws.region,
            &e,
        ))),
        Err(_) => Err(format!(
            "it did not start within {} s",
            LIVE_TAIL_START.as_secs()
        )),
    }
}

fn short_reason(error: AwsError) -> String {
    match error {
        AwsError::Service { code, .. } => format!("AWS error code: {code}"),
        AwsError::Unreachable { detail, .. } => detail,
        other => other.to_string(),
    }
}

impl LiveTail {
    /// The next batch of events; `None` when the session is over.
    async fn next_batch(&mut self) -> Result<Option<LiveBatch>, String> {
        loop {
            match self.session.response_stream.recv().await {
                Ok(Some(StartLiveTailResponseStream::SessionUpdate(update))) => {
                    let events = update
                        .session_results()
                        .iter()
                        .map(|e| LogEvent {
                            timestamp_ms: e.timestamp().unwrap_or_default(),
                            stream: e.log_stream_name().unwrap_or_default().to_string(),
                            message: e.message().unwrap_or_default().to_string(),
                            event_id: String::new(),
                        })
                        .collect();
                    let sampled = update.session_metadata().is_some_and(|m| m.sampled());
                    return Ok(Some(LiveBatch { events, sampled }));
                }
                // The session's opening message, and kinds of message added later.
                Ok(Some(_)) => continue,
                Ok(None) => return Ok(None),
                Err(e) => {
                    return Err(aws_sdk_cloudwatchlogs::error::DisplayErrorContext(&e).to_string())
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(ms: i64, id: &str) -> LogEvent {
        LogEvent {
            timestamp_ms: ms,
            stream: "s".into(),
            message: format!("line {id}"),
            event_id: id.into(),
        }
    }

    #[test]
    fn group_arns_follow_the_function() {
        assert_eq!(
            group_arn(
                "arn:aws:lambda:eu-west-1:123456789012:function:hello",
                "/aws/lambda/hello"
            )
            .as_deref(),
            Some("arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/hello")
        );
        assert_eq!(
            group_arn("arn:aws-cn:lambda:cn-north-1:1:function:f", "g").as_deref(),
            Some("arn:aws-cn:logs:cn-north-1:1:log-group:g")
        );
        assert_eq!(group_arn("nonsense", "g"), None);
    }

    #[test]
    fn the_poller_skips_what_it_returned_and_keeps_late_arrivals() {
        let mut poller = Poller::new("g", &Query::default());
        let first = poller.unseen(vec![event(1_000, "a"), event(2_000, "b")]);
        poller.remember(&first);
        assert_eq!(first.len(), 2);
        assert_eq!(poller.cursor_ms, 2_000);
        // The next poll reads the overlap again: `b` comes back, and `c`, stored late with an
        // older timestamp than `b`, is new.
        let second = poller.unseen(vec![
            event(1_500, "c"),
            event(2_000, "b"),
            event(3_000, "d"),
        ]);
        let ids: Vec<&str> = second.iter().map(|e| e.event_id.as_str()).collect();
        assert_eq!(ids, ["c", "d"]);
        poller.remember(&second);
        // Ids older than the overlap are forgotten; the cursor never goes back.
        poller.remember(&[event(100_000, "e")]);
        assert!(!poller.seen.contains_key("a"));
        assert!(poller.seen.contains_key("e"));
        assert_eq!(poller.cursor_ms, 100_000);
    }

    #[test]
    fn live_tail_events_are_known_by_content() {
        let mut poller = Poller::new("g", &Query::default());
        let live = LogEvent {
            event_id: String::new(),
            ..event(5, "x")
        };
        poller.remember(std::slice::from_ref(&live));
        // The same event read back by a poll, with its id.
        assert!(poller.unseen(vec![event(5, "x")]).is_empty());
        assert_eq!(poller.unseen(vec![event(5, "y")]).len(), 1);
    }
}
