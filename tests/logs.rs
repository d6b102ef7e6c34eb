//! `lambda-ls logs` through the real binary and the AWS SDK over HTTP, against moto's
//! server (each test its own, on 127.0.0.1, killed by pid). The function is deployed with
//! `lambda-ls deploy`; its log events are put into moto's log group with boto3, as Lambda
//! would write them: two execution environments (log streams), invocations bounded by
//! START / END / REPORT, the Python runtime's tab-separated lines, an uncaught exception
//! (one event, lines joined by `\r`), a line in Lambda's JSON log format.

mod aws_emulator;
mod support;

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use aws_emulator::*;
use serde_json::{json, Value};

const GROUP: &str = "/aws/lambda/hello";
const ENV_1: &str = "2026/05/01/[$LATEST]1111aaaa";
const ENV_2: &str = "2026/05/01/[$LATEST]2222bbbb";
const A: &str = "0a1b2c3d-0000-4000-8000-00000000000a";
const B: &str = "0a1b2c3d-0000-4000-8000-00000000000b";
const C: &str = "0a1b2c3d-0000-4000-8000-00000000000c";

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

fn put_events(moto: &Moto, stream: &str, events: &[(i64, String)]) {
    let _ = moto.call(
        "logs",
        "create_log_stream",
        json!({"logGroupName": GROUP, "logStreamName": stream}),
    );
    let events: Vec<Value> = events
        .iter()
        .map(|(timestamp, message)| json!({"timestamp": timestamp, "message": message}))
        .collect();
    let result = moto.call(
        "logs",
        "put_log_events",
        json!({"logGroupName": GROUP, "logStreamName": stream, "logEvents": events}),
    );
    assert!(result.get("Error").is_none(), "{result}");
}

fn deployed_hello(moto: &Moto) -> (tempfile::TempDir, std::path::PathBuf) {
    let (temp, dir) = work_copy("hello");
    assert_ok(&moto.cli(&dir, &["deploy", "--quiet"]));
    (temp, dir)
}

/// Three invocations in two environments, a few minutes ago, and one line long before.
fn write_invocations(moto: &Moto, t: i64) {
    moto.call("logs", "create_log_group", json!({"logGroupName": GROUP}));
    let tab = |ms: i64, id: &str, level: &str, text: &str| {
        let time = format!("2026-05-01T12:00:00.{:03}Z", ms % 1000);
        format!("{time}\t{id}\t{level}\t{text}\n")
    };
    put_events(
        moto,
        ENV_1,
        &[
            (t - 1_200_000, "an old line, 20 minutes ago\n".into()),
            (t, "INIT_START Runtime Version: python:3.12.v40\n".into()),
            (t + 10, format!("START RequestId: {A} Version: $LATEST\n")),
            (t + 11, tab(t + 11, A, "INFO", "summing 1 and 2")),
            (t + 12, format!("END RequestId: {A}\n")),
            (
                t + 13,
                format!("REPORT RequestId: {A}\tDuration: 2.50 ms\tBilled Duration: 3 ms\tMemory Size: 128 MB\tMax Memory Used: 40 MB\tInit Duration: 100.00 ms\t\n"),
            ),
            (t + 40, format!("START RequestId: {C} Version: $LATEST\n")),
            (
                t + 41,
                format!(r#"{{"timestamp":"2026-05-01T12:00:00Z","level":"INFO","message":"structured","requestId":"{C}"}}"#),
            ),
            (t + 42, format!("END RequestId: {C}\n")),
            (t + 43, format!("REPORT RequestId: {C}\tDuration: 1.00 ms\t\n")),
        ],
    );
    put_events(
        moto,
        ENV_2,
        &[
            (t + 20, format!("START RequestId: {B} Version: $LATEST\n")),
            (t + 21, "plain print output\n".into()),
            (
                t + 22,
                "[ERROR] KeyError: 'a'\rTraceback (most recent call last):\r  File \"/var/task/lambda_function.py\", line 2, in lambda_handler\n".into(),
            ),
            (t + 23, format!("END RequestId: {B}\n")),
            (
                t + 24,
                format!("REPORT RequestId: {B}\tDuration: 4.00 ms\tBilled Duration: 4 ms\tMemory Size: 128 MB\tMax Memory Used: 41 MB\t\n"),
            ),
        ],
    );
}

/// The headers of the text output, in order.
fn headers(out: &str) -> Vec<String> {
    out.lines()
        .filter(|l| l.starts_with("── "))
        .map(str::to_string)
        .collect()
}

#[test]
fn invocations_are_grouped_filtered_and_found_by_request_id() {
    let moto = Moto::start();
    let (_temp, dir) = deployed_hello(&moto);

    // Deployed but never invoked: no log group yet. Said, not failed.
    let output = moto.cli(&dir, &["logs"]);
    let out = assert_ok(&output);
    assert_eq!(out, "");
    let said = text(&output.stderr);
    assert!(
        said.contains("hello has never run: its log group /aws/lambda/hello does not exist yet"),
        "{said}"
    );

    let t = now_ms() - 180_000;
    write_invocations(&moto, t);

    // Everything of the last 10 minutes, per invocation, in time order.
    let out = assert_ok(&moto.cli(&dir, &["logs"]));
    let heads = headers(&out);
    assert_eq!(heads.len(), 4, "{out}");
    assert!(
        heads[0].contains("outside an invocation") && heads[0].contains(ENV_1),
        "{out}"
    );
    assert!(
        heads[1].contains(&format!("request {A} · {ENV_1}")),
        "{out}"
    );
    assert!(
        heads[2].contains(&format!("request {B} · {ENV_2} · error")),
        "{out}"
    );
    assert!(
        heads[3].contains(&format!("request {C} · {ENV_1}")),
        "{out}"
    );
    assert!(
        !out.contains("an old line"),
        "older than 10 minutes:\n{out}"
    );
    // B's lines under B's header, the traceback one line per line, indented.
    let b_part = &out[out.find(&heads[2]).unwrap()..out.find(&heads[3]).unwrap()];
    assert!(b_part.contains("  plain print output\n"), "{b_part}");
    assert!(
        b_part
            .contains("[ERROR] KeyError: 'a'\n                Traceback (most recent call last):"),
        "{b_part}"
    );
    assert!(
        b_part.contains(&format!("REPORT RequestId: {B}")),
        "{b_part}"
    );
    // The JSON line, pretty-printed.
    assert!(out.contains("{\n                  \"timestamp\""), "{out}");
    assert!(out.contains("\"message\": \"structured\""), "{out}");
    // Not a terminal: no colour codes.
    assert!(!out.contains('\x1b'), "{out}");

    // A longer window reaches the old line.
    let out = assert_ok(&moto.cli(&dir, &["logs", "--since", "30m"]));
    assert!(out.contains("an old line, 20 minutes ago"), "{out}");

    // --filter: only matching lines, still under their invocation.
    let out = assert_ok(&moto.cli(&dir, &["logs", "--filter", "KeyError"]));
    let heads = headers(&out);
    assert_eq!(heads.len(), 1, "{out}");
    assert!(heads[0].contains(&format!("request {B}")), "{out}");
    assert!(out.contains("[ERROR] KeyError"), "{out}");
    assert!(!out.contains("plain print output"), "{out}");
    let output = moto.cli(&dir, &["logs", "--filter", "nothing-matches-this"]);
    assert_eq!(assert_ok(&output), "");
    assert!(
        text(&output.stderr)
            .contains("No log events matching `nothing-matches-this` in /aws/lambda/hello"),
        "{}",
        text(&output.stderr)
    );

    // --request-id: the whole invocation, START to REPORT, and nothing else.
    let out = assert_ok(&moto.cli(&dir, &["logs", "--request-id", A]));
    let heads = headers(&out);
    assert_eq!(heads.len(), 1, "{out}");
    assert!(heads[0].contains(&format!("request {A}")), "{out}");
    let lines: Vec<&str> = out.lines().filter(|l| l.starts_with("  ")).collect();
    assert_eq!(lines.len(), 4, "{out}");
    assert!(lines[0].ends_with(&format!("START RequestId: {A} Version: $LATEST")));
    assert!(lines[1].contains("summing 1 and 2"), "{out}");
    assert!(!out.contains("INIT_START"), "{out}");
    let output = moto.cli(
        &dir,
        &[
            "logs",
            "--request-id",
            "0a1b2c3d-0000-4000-8000-0000000000ff",
        ],
    );
    assert_eq!(assert_ok(&output), "");
    assert!(text(&output.stderr).contains("No request 0a1b2c3d-0000-4000-8000-0000000000ff"));

    // JSON: one event per line, each with its invocation.
    let out = assert_ok(&moto.cli(&dir, &["logs", "--format", "json"]));
    let events: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(events.len(), 14, "{out}");
    let of = |id: &str| events.iter().filter(|e| e["request_id"] == id).count();
    assert_eq!((of(A), of(B), of(C)), (4, 5, 4));
    let error = events
        .iter()
        .find(|e| e["message"].as_str().unwrap().starts_with("[ERROR]"))
        .unwrap();
    assert_eq!(error["error"], true);
    assert_eq!(error["stream"], ENV_2);
    let structured = events.iter().find(|e| e.get("json").is_some()).unwrap();
    assert_eq!(structured["json"]["message"], "structured");
    assert_eq!(structured["request_id"], C);
}

#[test]
fn follow_prints_events_appended_while_it_runs() {
    let moto = Moto::start();
    let (_temp, dir) = deployed_hello(&moto);
    let t = now_ms() - 60_000;
    moto.call("logs", "create_log_group", json!({"logGroupName": GROUP}));
    put_events(
        &moto,
        ENV_1,
        &[
            (t, format!("START RequestId: {A} Version: $LATEST\n")),
            (t + 1, "before following\n".into()),
            (
                t + 2,
                format!("REPORT RequestId: {A}\tDuration: 1.00 ms\t\n"),
            ),
        ],
    );

    let mut child = moto
        .command(&dir, &["logs", "--follow"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (lines, received) = mpsc::channel::<String>();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    let mut seen = Vec::new();
    let wait_for = |needle: &str, seen: &mut Vec<String>| {
        let deadline = Instant::now() + Duration::from_secs(30);
        while !seen.iter().any(|l: &String| l.contains(needle)) {
            let left = deadline.saturating_duration_since(Instant::now());
            match received.recv_timeout(left) {
                Ok(line) => seen.push(line),
                Err(_) => panic!(
                    "`{needle}` did not appear within 30 s; got:\n{}",
                    seen.join("\n")
                ),
            }
        }
    };
    wait_for("before following", &mut seen);

    // A new invocation in the same stream, and one in a new stream, while it runs; then a
    // late event: stored after the others, with an older timestamp than the newest seen.
    let t = now_ms();
    put_events(
        &moto,
        ENV_1,
        &[
            (t, format!("START RequestId: {B} Version: $LATEST\n")),
            (t + 1, "appended while following\n".into()),
            (
                t + 2,
                format!("REPORT RequestId: {B}\tDuration: 1.00 ms\t\n"),
            ),
        ],
    );
    put_events(
        &moto,
        ENV_2,
        &[(t + 5, "from a second environment\n".into())],
    );
    wait_for("from a second environment", &mut seen);
    put_events(&moto, ENV_2, &[(t - 3_000, "late arrival\n".into())]);
    wait_for("late arrival", &mut seen);
    // Two more polls: nothing printed twice.
    std::thread::sleep(Duration::from_millis(4_500));
    while let Ok(line) = received.try_recv() {
        seen.push(line);
    }

    let _ = child.kill();
    let _ = child.wait();
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(stderr.contains("polling every 2 s"), "{stderr}");

    let all = seen.join("\n");
    for needle in [
        "before following",
        "appended while following",
        "from a second environment",
        "late arrival",
        &format!("REPORT RequestId: {B}"),
    ] {
        assert_eq!(
            seen.iter().filter(|l| l.contains(needle)).count(),
            1,
            "`{needle}` not exactly once:\n{all}"
        );
    }
    assert!(
        seen.iter()
            .any(|l| l.starts_with("── ") && l.contains(&format!("request {B} · {ENV_1}"))),
        "{all}"
    );
}

#[test]
fn errors_are_one_clear_sentence() {
    let moto = Moto::start();
    let (_temp, dir) = work_copy("hello");

    // Not deployed.
    assert_fails_with(
        &moto.cli(&dir, &["logs"]),
        &[
            "function `hello` is not deployed in eu-west-1: deploy it first",
            "(AWS error code: ResourceNotFoundException)",
        ],
    );
    // Arguments that make no sense, before any AWS call.
    assert_fails_with(
        &moto.cli(&dir, &["logs", "--since", "yesterday"]),
        &["`yesterday` is neither a duration (30s, 10m, 3h, 2d) nor a time"],
    );
    let output = moto.cli(&dir, &["logs", "--follow", "--request-id", A]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("cannot be used with"),
        "{}",
        text(&output.stderr)
    );

    // Nothing listening at the endpoint.
    let closed = free_port();
    assert_fails_with(
        &moto.cli_at(&format!("http://127.0.0.1:{closed}"), &dir, &["logs"]),
        &[&format!(
            "could not reach AWS at http://127.0.0.1:{closed} (connection refused)"
        )],
    );
}

#[test]
fn credentials_aws_does_not_know_are_named() {
    // moto checks credentials from its second action on (the first creates the role).
    let moto = Moto::start_with(&[("INITIAL_NO_AUTH_ACTION_COUNT", "1")]);
    let (_temp, dir) = work_copy("hello");
    assert_fails_with(
        &moto.cli_with_unknown_key(&dir, &["logs"]),
        &[
            "AWS rejected the credentials in GetFunction",
            "(AWS error code: InvalidClientTokenId)",
        ],
    );
}
