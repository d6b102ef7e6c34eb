//! `lambda-ls metrics` through the real binary and the AWS SDK over HTTP, against moto's
//! server (each test its own, on 127.0.0.1, killed by pid). The function is deployed with
//! `lambda-ls deploy`; its datapoints are put into moto's CloudWatch with boto3, as Lambda
//! would publish them. moto computes no percentiles: p99 must come back null, with a note.

mod aws_emulator;
mod support;

use std::time::{SystemTime, UNIX_EPOCH};

use aws_emulator::*;
use serde_json::{json, Value};

fn now_s() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}

/// Datapoints of one of the function's metrics, `minutes_ago` each.
fn put(moto: &Moto, metric: &str, unit: &str, points: &[(f64, f64)]) {
    let data: Vec<Value> = points
        .iter()
        .map(|(minutes_ago, value)| {
            json!({
                "MetricName": metric,
                "Dimensions": [{"Name": "FunctionName", "Value": "hello"}],
                "Timestamp": now_s() - minutes_ago * 60.0,
                "Value": value,
                "Unit": unit,
            })
        })
        .collect();
    let result = moto.call(
        "cloudwatch",
        "put_metric_data",
        json!({"Namespace": "AWS/Lambda", "MetricData": data}),
    );
    assert!(result.get("Error").is_none(), "{result}");
}

#[test]
fn metrics_are_read_back_with_totals_peaks_and_averages() {
    let moto = Moto::start();
    let (_temp, dir) = work_copy("hello");
    assert_ok(&moto.cli(&dir, &["deploy", "--quiet"]));

    // Deployed, never invoked: zeros and nulls, said plainly, no failure.
    let out = assert_ok(&moto.cli(&dir, &["metrics", "--format", "json"]));
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["function"], "hello");
    assert_eq!(report["region"], REGION);
    assert_eq!(report["period_s"], 300);
    assert_eq!(report["metrics"]["Invocations"]["sum"], 0.0);
    assert_eq!(report["metrics"]["Invocations"]["points"], json!([]));
    assert_eq!(report["metrics"]["Errors"]["success_rate"], Value::Null);
    assert_eq!(report["metrics"]["Duration"]["avg"], Value::Null);
    assert_eq!(
        report["metrics"]["ConcurrentExecutions"]["max"],
        Value::Null
    );
    let out = assert_ok(&moto.cli(&dir, &["metrics"]));
    assert!(
        out.contains("No invocations in this window: hello has not run since"),
        "{out}"
    );

    // Three invocations 20 minutes ago (10, 20, 30 ms), one 4 minutes ago (100 ms) that
    // failed; two at once at first.
    put(
        &moto,
        "Invocations",
        "Count",
        &[(20.0, 1.0), (20.0, 1.0), (20.0, 1.0), (4.0, 1.0)],
    );
    put(&moto, "Errors", "Count", &[(20.0, 0.0), (4.0, 1.0)]);
    put(&moto, "Throttles", "Count", &[(20.0, 0.0)]);
    put(
        &moto,
        "Duration",
        "Milliseconds",
        &[(20.0, 10.0), (20.0, 20.0), (20.0, 30.0), (4.0, 100.0)],
    );
    put(
        &moto,
        "ConcurrentExecutions",
        "Count",
        &[(20.0, 2.0), (4.0, 1.0)],
    );
    // Another function's datapoints are not this one's.
    let other = moto.call(
        "cloudwatch",
        "put_metric_data",
        json!({"Namespace": "AWS/Lambda", "MetricData": [{
            "MetricName": "Invocations",
            "Dimensions": [{"Name": "FunctionName", "Value": "other"}],
            "Timestamp": now_s() - 60.0, "Value": 50.0, "Unit": "Count"}]}),
    );
    assert!(other.get("Error").is_none(), "{other}");

    let output = moto.cli(&dir, &["metrics", "--since", "1h", "--format", "json"]);
    let out = assert_ok(&output);
    let report: Value = serde_json::from_str(&out).unwrap();
    let m = &report["metrics"];
    assert_eq!(m["Invocations"]["sum"], 4.0, "{out}");
    assert_eq!(m["Errors"]["sum"], 1.0, "{out}");
    assert_eq!(m["Errors"]["success_rate"], 75.0, "{out}");
    assert_eq!(m["Throttles"]["sum"], 0.0, "{out}");
    // Weighted by invocations: (10 + 20 + 30 + 100) / 4, not the mean of period averages.
    assert_eq!(m["Duration"]["avg"], 40.0, "{out}");
    assert_eq!(m["Duration"]["max"], 100.0, "{out}");
    assert_eq!(m["ConcurrentExecutions"]["max"], 2.0, "{out}");
    // Datapoints are [time, value] pairs, oldest first, within the window.
    let points = m["Invocations"]["points"].as_array().unwrap();
    assert_eq!(points.len(), 2, "{out}");
    assert_eq!(points[0][1], 3.0);
    assert!(points[0][0].as_str().unwrap() < points[1][0].as_str().unwrap());
    assert!(report["start"].as_str().unwrap() <= points[0][0].as_str().unwrap());
    // No percentiles at this endpoint: null, and a note saying so.
    assert_eq!(m["Duration"]["p99"], Value::Null, "{out}");
    let notes = report["notes"].to_string();
    assert!(
        notes.contains("p99 is null: the endpoint did not compute percentiles"),
        "{notes}"
    );

    // The table: figures and a sparkline per metric.
    let out = assert_ok(&moto.cli(&dir, &["metrics", "--since", "1h", "--period", "5m"]));
    assert!(out.starts_with("hello in eu-west-1: "), "{out}");
    assert!(out.contains(", 5 min periods"), "{out}");
    let row = |name: &str| {
        out.lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("no {name} row in:\n{out}"))
            .to_string()
    };
    assert!(row("Invocations").contains(" 4 "), "{out}");
    assert!(row("Errors").contains("1 (75% success)"), "{out}");
    assert!(
        row("Duration").contains("avg 40 ms · max 100 ms · p99 –"),
        "{out}"
    );
    assert!(row("ConcurrentExecutions").contains("max 2"), "{out}");
    // An hour of 5-minute periods (13 when now is not on a period boundary), and the
    // busiest one is a full bar.
    let spark: String = row("Invocations")
        .chars()
        .filter(|c| ('▁'..='█').contains(c))
        .collect();
    assert!((12..=13).contains(&spark.chars().count()), "{out}");
    assert!(spark.contains('█'), "{out}");
    assert!(out.contains("note: p99 is null"), "{out}");
}

#[test]
fn errors_are_one_clear_sentence() {
    let moto = Moto::start();
    let (_temp, dir) = work_copy("hello");
    assert_fails_with(
        &moto.cli(&dir, &["metrics"]),
        &[
            "function `hello` is not deployed in eu-west-1: deploy it first",
            "(AWS error code: ResourceNotFoundException)",
        ],
    );
    assert_fails_with(
        &moto.cli(&dir, &["metrics", "--period", "30s"]),
        &["the period must be a whole number of minutes"],
    );
    assert_fails_with(
        &moto.cli(&dir, &["metrics", "--since", "30d", "--period", "1m"]),
        &["too many (at most 1440): use a longer --period"],
    );
    assert_fails_with(
        &moto.cli(&dir, &["metrics", "--period", "often"]),
        &["`often` is not a duration"],
    );
}

#[test]
fn credentials_aws_does_not_know_are_named() {
    // moto checks credentials from its second action on (the first creates the role).
    let moto = Moto::start_with(&[("INITIAL_NO_AUTH_ACTION_COUNT", "1")]);
    let (_temp, dir) = work_copy("hello");
    assert_fails_with(
        &moto.cli_with_unknown_key(&dir, &["metrics"]),
        &[
            "AWS rejected the credentials in GetFunctionConfiguration",
            "(AWS error code: InvalidClientTokenId)",
        ],
    );
}
