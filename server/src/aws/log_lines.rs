//! What the lines of a Lambda function's CloudWatch log say, and which invocation each one
//! belongs to. Within one log stream (one execution environment) invocations run one after
//! the other, bounded by `START RequestId: …` and `REPORT RequestId: …` (or, in Lambda's
//! JSON log format, `platform.start` and `platform.report` records). Lines that name their
//! request id themselves (the runtime's `timestamp\trequest-id\tLEVEL\tmessage` format, the
//! JSON format's `requestId`) are placed by it even when the START line is not in view, as
//! after `--filter`.

use serde_json::Value;

use super::remote_invoke::ReportLine;

/// One event of a log group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEvent {
    /// Milliseconds since the Unix epoch.
    pub timestamp_ms: i64,
    pub stream: String,
    pub message: String,
    /// CloudWatch's event id (empty for Live Tail events, which have none).
    pub event_id: String,
}

/// How a line marks an invocation's bounds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Marker {
    Start(String),
    End(String),
    Report(String),
}

/// The bound a line marks, in either of Lambda's log formats.
pub fn marker(message: &str) -> Option<Marker> {
    let line = message.trim_start();
    for (prefix, make) in [
        ("START RequestId: ", Marker::Start as fn(String) -> Marker),
        ("END RequestId: ", Marker::End),
        ("REPORT RequestId: ", Marker::Report),
    ] {
        if let Some(rest) = line.strip_prefix(prefix) {
            let id = rest.split_whitespace().next().unwrap_or_default();
            return (!id.is_empty()).then(|| make(id.to_string()));
        }
    }
    let json = json_object(message)?;
    let id = json.get("record")?.get("requestId")?.as_str()?.to_string();
    match json.get("type")?.as_str()? {
        "platform.start" => Some(Marker::Start(id)),
        "platform.runtimeDone" => Some(Marker::End(id)),
        "platform.report" => Some(Marker::Report(id)),
        _ => None,
    }
}

/// The message as a JSON object, when it is one (Lambda's JSON log format, or a function
/// that logs JSON itself).
pub fn json_object(message: &str) -> Option<serde_json::Map<String, Value>> {
    let trimmed = message.trim();
    if !trimmed.starts_with('{') {
        return None;
    }
    match serde_json::from_str(trimmed) {
        Ok(Value::Object(object)) => Some(object),
        _ => None,
    }
}

/// The request id a line names itself: a START/END/REPORT line, the Python runtime's
/// `2024-05-01T12:00:00.123Z\t<request id>\tINFO\tmessage`, or a JSON `requestId`.
pub fn request_id_in(message: &str) -> Option<String> {
    if let Some(Marker::Start(id) | Marker::End(id) | Marker::Report(id)) = marker(message) {
        return Some(id);
    }
    let mut fields = message.splitn(4, '\t');
    if let (Some(time), Some(id), Some(_level)) = (fields.next(), fields.next(), fields.next()) {
        if looks_like_timestamp(time) && looks_like_request_id(id) {
            return Some(id.to_string());
        }
    }
    json_object(message)?
        .get("requestId")?
        .as_str()
        .filter(|id| looks_like_request_id(id))
        .map(str::to_string)
}

fn looks_like_timestamp(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() >= 20 && bytes[4] == b'-' && bytes[10] == b'T' && text.ends_with('Z')
}

/// Lambda's request ids are UUIDs.
fn looks_like_request_id(text: &str) -> bool {
    text.len() == 36
        && text.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// Whether a line reports a failure: an uncaught exception (`[ERROR] …`, a traceback), a
/// log record at ERROR or above, a timeout or runtime crash, a REPORT with an error status.
pub fn is_error(message: &str) -> bool {
    let line = message.trim_start();
    if line.starts_with("[ERROR]")
        || line.starts_with("[CRITICAL]")
        || line.starts_with("Traceback (most recent call last)")
        || line.contains("Task timed out after")
        || line.starts_with("RequestId: ") && line.contains("Error: Runtime exited")
    {
        return true;
    }
    if line.starts_with("REPORT RequestId: ") {
        return line.contains("Status: error") || line.contains("Status: timeout");
    }
    let mut fields = line.splitn(4, '\t');
    if let (Some(time), Some(_id), Some(level)) = (fields.next(), fields.next(), fields.next()) {
        if looks_like_timestamp(time) {
            return is_error_level(level);
        }
    }
    let Some(json) = json_object(line) else {
        return false;
    };
    if let Some(level) = json.get("level").and_then(Value::as_str) {
        return is_error_level(level);
    }
    if json.get("type").and_then(Value::as_str) == Some("platform.report") {
        let status = json
            .get("record")
            .and_then(|r| r.get("status"))
            .and_then(Value::as_str);
        return matches!(status, Some("error" | "timeout" | "failure"));
    }
    json.contains_key("errorType")
}

fn is_error_level(level: &str) -> bool {
    matches!(
        level.trim().to_ascii_uppercase().as_str(),
        "ERROR" | "CRITICAL" | "FATAL"
    )
}

/// The figures of an invocation's report line, in either format.
pub fn report_of(message: &str) -> Option<ReportLine> {
    if message.trim_start().starts_with("REPORT RequestId: ") {
        return ReportLine::find(message.trim_start());
    }
    let json = json_object(message)?;
    if json.get("type")?.as_str()? != "platform.report" {
        return None;
    }
    let metrics = json.get("record")?.get("metrics")?;
    let number = |key: &str| metrics.get(key).and_then(Value::as_f64);
    Some(ReportLine {
        line: message.trim().to_string(),
        duration_ms: number("durationMs"),
        billed_ms: number("billedDurationMs").map(|n| n as u64),
        memory_mb: number("memorySizeMB").map(|n| n as u64),
        max_memory_used_mb: number("maxMemoryUsedMB").map(|n| n as u64),
        init_duration_ms: number("initDurationMs"),
    })
}

/// A message as people read it: a JSON log line pretty-printed, and a traceback (which the
/// Python runtime writes as one event with `\r` between its lines) on lines of its own.
pub fn readable(message: &str) -> String {
    let message = message.trim_end_matches(['\n', '\r']);
    match json_object(message) {
        Some(object) => {
            serde_json::to_string_pretty(&Value::Object(object)).unwrap_or_else(|_| message.into())
        }
        None => message.replace("\r\n", "\n").replace('\r', "\n"),
    }
}

/// Places events, in time order, in the invocation they belong to; it keeps what it needs
/// between calls, so events that arrive a batch at a time (`--follow`) are placed as if they
/// had come at once.
#[derive(Debug, Default)]
pub struct Placer {
    /// The invocation running in each stream: after its START, until its REPORT.
    open: std::collections::HashMap<String, String>,
}

impl Placer {
    /// A placer that knows which invocation runs in each stream (`(stream, request id)`).
    pub fn with_open(open: impl IntoIterator<Item = (String, String)>) -> Placer {
        Placer {
            open: open.into_iter().collect(),
        }
    }

    /// The invocation running in each stream, as `(stream, request id)`.
    pub fn open(&self) -> impl Iterator<Item = (&String, &String)> {
        self.open.iter()
    }

    /// The request id of the invocation `event` belongs to; `None` for lines outside any
    /// (an environment's INIT lines, or an invocation whose START is not in view).
    pub fn place(&mut self, event: &LogEvent) -> Option<String> {
        match marker(&event.message) {
            Some(Marker::Start(id)) => {
                self.open.insert(event.stream.clone(), id.clone());
                Some(id)
            }
            Some(Marker::Report(id)) => {
                if self.open.get(&event.stream) == Some(&id) {
                    self.open.remove(&event.stream);
                }
                Some(id)
            }
            Some(Marker::End(id)) => Some(id),
            None => request_id_in(&event.message).or_else(|| self.open.get(&event.stream).cloned()),
        }
    }
}

/// The events of one invocation (or, with no request id, of one stretch of a stream
/// outside any invocation), in time order.
#[derive(Debug, Clone)]
pub struct Invocation {
    pub request_id: Option<String>,
    pub stream: String,
    pub events: Vec<LogEvent>,
    /// The REPORT figures, when its REPORT line is in view.
    pub report: Option<ReportLine>,
    /// Whether any of its lines reports a failure.
    pub error: bool,
}

impl Invocation {
    pub fn start_ms(&self) -> i64 {
        self.events.first().map_or(0, |e| e.timestamp_ms)
    }
}

/// Sort `events` by time and group them per invocation; groups come in the order of their
/// first event. `context` holds more events of the same window that are not shown but help
/// place those that are (the START and REPORT lines a `--filter` left out).
pub fn group(events: Vec<LogEvent>, context: &[LogEvent]) -> Vec<Invocation> {
    let shown: std::collections::HashSet<&str> = events
        .iter()
        .map(|e| e.event_id.as_str())
        .filter(|id| !id.is_empty())
        .collect();
    let mut all: Vec<(LogEvent, bool)> = context
        .iter()
        .filter(|e| !shown.contains(e.event_id.as_str()))
        .map(|e| (e.clone(), false))
        .collect();
    all.extend(events.into_iter().map(|e| (e, true)));
    sort_for_placing(&mut all);
    let mut placer = Placer::default();
    let mut groups: Vec<Invocation> = Vec::new();
    // The group of each (stream, request id), and of each stream's current stretch of lines
    // outside invocations.
    let mut by_request = std::collections::HashMap::<(String, String), usize>::new();
    let mut loose = std::collections::HashMap::<String, usize>::new();
    for (event, shown) in all {
        let request_id = placer.place(&event);
        if !shown {
            continue;
        }
        let index = match &request_id {
            Some(id) => {
                loose.remove(&event.stream);
                *by_request
                    .entry((event.stream.clone(), id.clone()))
                    .or_insert_with(|| new_group(&mut groups, Some(id.clone()), &event.stream))
            }
            None => *loose
                .entry(event.stream.clone())
                .or_insert_with(|| new_group(&mut groups, None, &event.stream)),
        };
        let group = &mut groups[index];
        group.error |= is_error(&event.message);
        if let Some(report) = report_of(&event.message) {
            group.report = Some(report);
        }
        group.events.push(event);
    }
    groups
}

/// Time order; within one millisecond, START before the lines it opens and END / REPORT
/// after them (events from two reads cannot be told apart otherwise).
fn sort_for_placing<T>(events: &mut [(LogEvent, T)]) {
    events.sort_by_key(|(e, _)| {
        let rank = match marker(&e.message) {
            Some(Marker::Start(_)) => 0,
            None => 1,
            Some(Marker::End(_)) => 2,
            Some(Marker::Report(_)) => 3,
        };
        (e.timestamp_ms, rank)
    });
}

fn new_group(groups: &mut Vec<Invocation>, request_id: Option<String>, stream: &str) -> usize {
    groups.push(Invocation {
        request_id,
        stream: stream.to_string(),
        events: Vec::new(),
        report: None,
        error: false,
    });
    groups.len() - 1
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "8f5e2c1a-0b1d-4c7e-9a55-3f1e2d3c4b5a";
    const B: &str = "1d2c3b4a-5e6f-4a1b-8c9d-0e1f2a3b4c5d";

    fn event(ms: i64, stream: &str, message: &str) -> LogEvent {
        LogEvent {
            timestamp_ms: ms,
            stream: stream.into(),
            message: message.into(),
            event_id: format!("{ms}-{stream}-{message}"),
        }
    }

    #[test]
    fn markers_in_both_formats() {
        assert_eq!(
            marker(&format!("START RequestId: {A} Version: $LATEST\n")),
            Some(Marker::Start(A.into()))
        );
        assert_eq!(
            marker(&format!("END RequestId: {A}\n")),
            Some(Marker::End(A.into()))
        );
        assert_eq!(
            marker(&format!(
                "REPORT RequestId: {A}\tDuration: 2.00 ms\tBilled Duration: 2 ms\n"
            )),
            Some(Marker::Report(A.into()))
        );
        let json = format!(
            r#"{{"time":"2026-05-01T12:00:00.000Z","type":"platform.start","record":{{"requestId":"{A}","version":"$LATEST"}}}}"#
        );
        assert_eq!(marker(&json), Some(Marker::Start(A.into())));
        assert_eq!(marker("hello"), None);
        assert_eq!(marker("START RequestId: "), None);
    }

    #[test]
    fn request_ids_named_by_the_line_itself() {
        let tab = format!("2026-05-01T12:00:00.123Z\t{A}\tINFO\tloaded 3 rows\n");
        assert_eq!(request_id_in(&tab), Some(A.into()));
        let json = format!(
            r#"{{"timestamp":"2026-05-01T12:00:00Z","level":"INFO","message":"hi","requestId":"{A}"}}"#
        );
        assert_eq!(request_id_in(&json), Some(A.into()));
        assert_eq!(request_id_in("a\tb\tc\td"), None);
        assert_eq!(request_id_in("plain print output"), None);
    }

    #[test]
    fn errors_are_recognised() {
        assert!(is_error(
            "[ERROR] ValueError: boom\rTraceback (most recent call last):"
        ));
        assert!(is_error(&format!(
            "2026-05-01T12:00:00.123Z\t{A}\tERROR\tcould not connect"
        )));
        assert!(!is_error(&format!(
            "2026-05-01T12:00:00.123Z\t{A}\tINFO\tan error count of 0"
        )));
        assert!(is_error(&format!(
            "2026-05-01T12:00:03.000Z {A} Task timed out after 3.00 seconds"
        )));
        assert!(is_error(&format!(
            "REPORT RequestId: {A}\tDuration: 3000.00 ms\tStatus: timeout"
        )));
        assert!(!is_error(&format!(
            "REPORT RequestId: {A}\tDuration: 3.00 ms"
        )));
        assert!(is_error(
            r#"{"level":"ERROR","message":"boom","errorType":"ValueError"}"#
        ));
        assert!(!is_error(r#"{"level":"INFO","message":"fine"}"#));
        assert!(is_error(
            r#"{"type":"platform.report","record":{"requestId":"x","status":"timeout"}}"#
        ));
        assert!(!is_error("all good"));
    }

    #[test]
    fn reports_in_both_formats() {
        let text = report_of(&format!(
            "REPORT RequestId: {A}\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 128 MB\tMax Memory Used: 40 MB\t\n"
        ))
        .unwrap();
        assert_eq!(text.duration_ms, Some(12.34));
        let json = report_of(&format!(
            r#"{{"type":"platform.report","record":{{"requestId":"{A}","metrics":{{"durationMs":5.5,"billedDurationMs":6,"memorySizeMB":128,"maxMemoryUsedMB":41,"initDurationMs":120.5}},"status":"success"}}}}"#
        ))
        .unwrap();
        assert_eq!(json.duration_ms, Some(5.5));
        assert_eq!(json.billed_ms, Some(6));
        assert_eq!(json.max_memory_used_mb, Some(41));
        assert_eq!(json.init_duration_ms, Some(120.5));
    }

    #[test]
    fn events_are_grouped_per_invocation_and_stream() {
        let s1 = "2026/05/01/[$LATEST]aaaa";
        let s2 = "2026/05/01/[$LATEST]bbbb";
        let events = vec![
            event(1, s1, "INIT_START Runtime Version: python:3.12.v40"),
            event(2, s1, &format!("START RequestId: {A} Version: $LATEST")),
            // Another environment runs B at the same time.
            event(3, s2, &format!("START RequestId: {B} Version: $LATEST")),
            event(4, s1, "print from A"),
            event(5, s2, "[ERROR] ValueError: boom"),
            event(6, s1, &format!("END RequestId: {A}")),
            event(7, s1, &format!("REPORT RequestId: {A}\tDuration: 5.00 ms")),
            event(8, s2, &format!("END RequestId: {B}")),
            event(9, s2, &format!("REPORT RequestId: {B}\tDuration: 6.00 ms")),
            event(10, s1, "after the REPORT, outside any invocation"),
        ];
        // Out of order on input: grouping sorts by time first.
        let mut shuffled = events.clone();
        shuffled.reverse();
        let groups = group(shuffled, &[]);
        let summary: Vec<(Option<&str>, &str, usize, bool)> = groups
            .iter()
            .map(|g| {
                (
                    g.request_id.as_deref(),
                    g.stream.as_str(),
                    g.events.len(),
                    g.error,
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                (None, s1, 1, false),
                (Some(A), s1, 4, false),
                (Some(B), s2, 4, true),
                (None, s1, 1, false),
            ]
        );
        assert_eq!(groups[1].report.as_ref().unwrap().duration_ms, Some(5.0));
        assert_eq!(groups[1].events[1].message, "print from A");
    }

    #[test]
    fn filtered_lines_still_find_their_invocation() {
        // `--filter ERROR`: no START in view, but the runtime's format names the request.
        let s1 = "s1";
        let groups = group(
            vec![
                event(
                    1,
                    s1,
                    &format!("2026-05-01T12:00:00.001Z\t{A}\tERROR\tfirst"),
                ),
                event(
                    2,
                    s1,
                    &format!("2026-05-01T12:00:00.002Z\t{B}\tERROR\tsecond"),
                ),
                event(
                    3,
                    s1,
                    &format!("2026-05-01T12:00:00.003Z\t{A}\tERROR\tthird"),
                ),
            ],
            &[],
        );
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[0].request_id.as_deref(), Some(A));
        assert_eq!(groups[0].events.len(), 2);
        assert!(groups[0].error);

        // A line that does not name its request (an uncaught exception) is placed by the
        // START and REPORT lines around it, given as context and not shown.
        let start = event(10, s1, &format!("START RequestId: {B} Version: $LATEST"));
        let error = event(10, s1, "[ERROR] KeyError: 'a'");
        let report = event(12, s1, &format!("REPORT RequestId: {B}\tDuration: 1 ms"));
        let groups = group(vec![error.clone()], &[report, error, start]);
        assert_eq!(groups.len(), 1);
        assert_eq!(groups[0].request_id.as_deref(), Some(B));
        assert_eq!(groups[0].events.len(), 1, "the context is not shown");
    }

    #[test]
    fn the_placer_carries_state_between_batches() {
        let mut placer = Placer::default();
        let start = event(1, "s", &format!("START RequestId: {A} Version: $LATEST"));
        assert_eq!(placer.place(&start), Some(A.into()));
        assert_eq!(placer.place(&event(2, "s", "later batch")), Some(A.into()));
        assert_eq!(placer.place(&event(2, "other", "other stream")), None);
        let report = event(3, "s", &format!("REPORT RequestId: {A}\tDuration: 1 ms"));
        assert_eq!(placer.place(&report), Some(A.into()));
        assert_eq!(placer.place(&event(4, "s", "after")), None);
    }
}
