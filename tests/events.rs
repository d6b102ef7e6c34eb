//! `lambda-ls events list|show`: the built-in test events, through the real binary.

mod support;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Output;

use serde_json::Value;
use support::{repo_root, run_cli};

fn events(args: &[&str]) -> Output {
    let mut all = vec!["events"];
    all.extend_from_slice(args);
    run_cli(&repo_root(), &all)
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

/// `events show ARGS…`, which must succeed and print one JSON value.
fn show(args: &[&str]) -> Value {
    let mut all = vec!["show"];
    all.extend_from_slice(args);
    let output = events(&all);
    assert!(
        output.status.success(),
        "events show {args:?} failed: {}",
        stderr(&output)
    );
    serde_json::from_str(&stdout(&output)).expect("events show prints JSON")
}

/// `events show ARGS…`, which must fail with exit code 2 and a message; returns stderr.
fn show_fails(args: &[&str]) -> String {
    let mut all = vec!["show"];
    all.extend_from_slice(args);
    let output = events(&all);
    assert_eq!(
        output.status.code(),
        Some(2),
        "events show {args:?}: {}",
        stdout(&output)
    );
    assert!(output.stdout.is_empty(), "nothing on stdout when it fails");
    stderr(&output)
}

fn keys(value: &Value) -> BTreeSet<String> {
    value
        .as_object()
        .expect("an object")
        .keys()
        .cloned()
        .collect()
}

fn sample(relative: &str) -> Value {
    let path = repo_root().join("tests/fixtures/events").join(relative);
    serde_json::from_str(&std::fs::read_to_string(Path::new(&path)).unwrap()).unwrap()
}

fn template_names() -> Vec<String> {
    let output = events(&["list"]);
    assert!(output.status.success(), "{}", stderr(&output));
    stdout(&output)
        .lines()
        .map(|line| line.split_whitespace().next().unwrap().to_string())
        .collect()
}

#[test]
fn list_names_a_template_per_source_with_a_description() {
    let output = events(&["list"]);
    assert!(output.status.success());
    let text = stdout(&output);
    for line in text.lines() {
        let mut parts = line.splitn(2, "  ");
        let name = parts.next().unwrap();
        let description = parts.next().unwrap_or("").trim();
        assert!(
            !name.is_empty() && !description.is_empty(),
            "line without a description: {line:?}"
        );
    }
    let names = template_names();
    for expected in [
        "s3-put",
        "s3-delete",
        "api",
        "http-api",
        "function-url",
        "alb",
        "schedule",
        "eventbridge",
        "sqs",
        "sns",
        "dynamodb",
        "kinesis",
        "firehose",
        "kafka",
        "cloudwatch-logs",
        "cognito-pre-signup",
        "ses",
        "cloudformation",
        "s3-batch",
        "appsync",
        "iot",
        "config",
        "codecommit",
        "secretsmanager",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "`{expected}` missing from:\n{text}"
        );
    }
}

#[test]
fn every_listed_template_shows_as_a_json_object() {
    for name in template_names() {
        let event = show(&[&name]);
        assert!(
            event.as_object().is_some_and(|o| !o.is_empty()),
            "{name}: {event}"
        );
    }
}

#[test]
fn templates_have_the_keys_of_real_events() {
    let put = show(&["s3-put"]);
    let real = sample("s3/s3-event.json");
    assert_eq!(keys(&put["Records"][0]), keys(&real["Records"][0]));
    assert_eq!(
        keys(&put["Records"][0]["s3"]),
        keys(&real["Records"][0]["s3"])
    );
    assert_eq!(put["Records"][0]["eventName"], "ObjectCreated:Put");

    let sqs = show(&["sqs"]);
    assert_eq!(
        keys(&sqs["Records"][0]),
        keys(&sample("sqs/sqs-event.json")["Records"][0])
    );
    let sns = show(&["sns"]);
    assert_eq!(
        keys(&sns["Records"][0]["Sns"]),
        keys(&sample("sns/sns-event.json")["Records"][0]["Sns"])
    );
    let schedule = show(&["schedule"]);
    assert_eq!(
        keys(&schedule),
        keys(&sample("schedule/scheduled-event.json"))
    );
    assert_eq!(schedule["detail-type"], "Scheduled Event");
    let api = show(&["api"]);
    for key in [
        "resource",
        "path",
        "httpMethod",
        "headers",
        "queryStringParameters",
        "requestContext",
        "body",
        "isBase64Encoded",
    ] {
        assert!(api.get(key).is_some(), "api template lacks `{key}`");
    }
    let http = show(&["http-api"]);
    assert_eq!(http["version"], "2.0");
    assert!(http["requestContext"]["http"]["method"].is_string());
}

#[test]
fn a_trigger_type_shows_its_first_template() {
    assert_eq!(show(&["s3"]), show(&["s3-put"]));
    assert_eq!(
        show(&["cognito-user-pool"])["triggerSource"],
        "PreSignUp_SignUp"
    );
}

#[test]
fn delete_differs_from_put() {
    let delete = show(&["s3-delete"]);
    assert_eq!(delete["Records"][0]["eventName"], "ObjectRemoved:Delete");
    assert!(delete["Records"][0]["s3"]["object"].get("size").is_none());
    assert!(delete["Records"][0]["s3"]["object"]["key"].is_string());
}

#[test]
fn set_edits_values_and_creates_missing_keys() {
    let event = show(&[
        "s3-put",
        "--set",
        "Records[0].s3.bucket.name=my-bucket",
        "--set",
        "Records[0].s3.object.size=2048",
        "--set",
        "Records[0].custom.flag=true",
    ]);
    assert_eq!(event["Records"][0]["s3"]["bucket"]["name"], "my-bucket");
    assert_eq!(event["Records"][0]["s3"]["object"]["size"], 2048);
    assert_eq!(event["Records"][0]["custom"]["flag"], true);

    // API Gateway sends bodies, headers and query values as strings: they stay strings.
    let event = show(&[
        "api",
        "--set",
        r#"body={"a":1}"#,
        "--set",
        "queryStringParameters.a=1",
        "--set",
        "headers.X-Trace=abc",
        "--set",
        "requestContext.authorizer.tenant={\"id\":\"u1\"}",
    ]);
    assert_eq!(event["body"], r#"{"a":1}"#);
    assert_eq!(event["queryStringParameters"]["a"], "1");
    assert_eq!(event["headers"]["X-Trace"], "abc");
    // An open part of the event (a Lambda authorizer's context) takes any key and value.
    assert_eq!(event["requestContext"]["authorizer"]["tenant"]["id"], "u1");

    // Later assignments win; a quoted key may hold dots.
    let event = show(&[
        "sqs",
        "--set",
        "Records[0].body=first",
        "--set",
        "Records[0].body=second",
        "--set",
        "Records[0].messageAttributes[\"a.b\"]={\"dataType\":\"String\",\"stringValue\":\"x\"}",
    ]);
    assert_eq!(event["Records"][0]["body"], "second");
    assert_eq!(
        event["Records"][0]["messageAttributes"]["a.b"]["stringValue"],
        "x"
    );

    // Appending one past the end of an array.
    let event = show(&["sqs", "--set", "Records[1]={\"messageId\":\"2\"}"]);
    assert_eq!(event["Records"][1]["messageId"], "2");
}

#[test]
fn unknown_template_suggests_close_names() {
    let message = show_fails(&["s3-pot"]);
    assert!(
        message.contains("no event template named `s3-pot`"),
        "{message}"
    );
    assert!(message.contains("did you mean `s3-put`"), "{message}");
    assert!(message.contains("lambda-ls events list"), "{message}");
    let message = show_fails(&["zzzzzz"]);
    assert!(!message.contains("did you mean"), "{message}");
}

#[test]
fn bad_paths_are_explained() {
    let message = show_fails(&["s3-put", "--set", "Records[x].a=1"]);
    assert!(message.contains("bad path `Records[x].a`"), "{message}");
    let message = show_fails(&["s3-put", "--set", "Records[5].s3=1"]);
    assert!(message.contains("index 5 is out of range"), "{message}");
    let message = show_fails(&["s3-put", "--set", "Records.s3=1"]);
    assert!(message.contains("is an array, not an object"), "{message}");
    let message = show_fails(&["api", "--set", "body.a=1"]);
    assert!(message.contains("is a string"), "{message}");
    let message = show_fails(&["api", "--set", "nobody"]);
    assert!(message.contains("is not `PATH=VALUE`"), "{message}");
}

#[test]
fn the_consoles_hello_world_comes_first_and_console_names_work() {
    assert_eq!(template_names()[0], "hello-world");
    assert_eq!(
        show(&["hello-world"]),
        serde_json::json!({"key1": "value1", "key2": "value2", "key3": "value3"})
    );
    // The console's name of a trigger's template shows the same event.
    assert_eq!(show(&["apigateway-aws-proxy"]), show(&["api"]));
    assert_eq!(show(&["sqs-receive-message"]), show(&["sqs"]));
    let list = stdout(&events(&["list"]));
    assert!(
        list.lines()
            .any(|l| l.starts_with("api ") && l.ends_with("(console: apigateway-aws-proxy)")),
        "{list}"
    );
}
