//! The editor's deploy commands over LSP, against moto: `lambda.deployPlan` (what the
//! confirmation shows, nothing touched), then for real, then again (nothing to do), and
//! `lambda.invokeRemote`; Restricted Mode refuses them.

mod aws_emulator;
mod support;

use aws_emulator::*;
use serde_json::{json, Value};
use support::lsp::{uri, LspClient};

fn execute(client: &mut LspClient, command: &str, arguments: Value) -> Value {
    client.request_raw(
        "workspace/executeCommand",
        json!({"command": command, "arguments": [arguments]}),
    )
}

#[test]
fn plan_deploy_and_invoke_remote_from_the_editor() {
    let moto = Moto::start();
    // The server inherits this process's environment; this binary holds this one test, so
    // changing it races with nothing. Only the emulator's settings, none of this machine's.
    let aws_vars: Vec<String> = std::env::vars()
        .map(|(name, _)| name)
        .filter(|name| name.starts_with("AWS_"))
        .collect();
    for name in aws_vars {
        std::env::remove_var(name);
    }
    let empty = moto.dir.path().join("empty");
    std::env::set_var("AWS_ENDPOINT_URL", moto.endpoint());
    std::env::set_var("AWS_ACCESS_KEY_ID", "AKIAEMULATOR");
    std::env::set_var("AWS_SECRET_ACCESS_KEY", "emulator-secret");
    std::env::set_var("AWS_CONFIG_FILE", &empty);
    std::env::set_var("AWS_SHARED_CREDENTIALS_FILE", &empty);
    std::env::set_var("AWS_EC2_METADATA_DISABLED", "true");
    std::env::set_var("HELLO_API_KEY", SECRET);

    let (temp, dir) = work_copy("hello");
    let file = uri(&dir.join("lambda_function.py"));

    // Restricted Mode: deploy (even its plan, which packages the workspace) and remote
    // invoke are refused.
    let (mut untrusted, _) =
        LspClient::start_with_options(temp.path(), &["utf-16"], json!({"trusted": false}));
    for (command, arguments) in [
        ("lambda.deploy", json!({"uri": file})),
        ("lambda.deployPlan", json!({"uri": file})),
        ("lambda.invokeRemote", json!({"uri": file})),
    ] {
        let refused = execute(&mut untrusted, command, arguments);
        let message = refused["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains("not trusted"), "{command}: {refused}");
    }
    untrusted.shutdown();
    assert_eq!(
        moto.call("lambda", "list_functions", json!({}))["Functions"],
        json!([])
    );

    let (mut client, init) =
        LspClient::start_with_options(temp.path(), &["utf-16"], json!({"trusted": true}));
    let commands = init["capabilities"]["executeCommandProvider"]["commands"].to_string();
    assert!(
        commands.contains("lambda.deploy") && commands.contains("lambda.invokeRemote"),
        "{commands}"
    );

    let plan = execute(&mut client, "lambda.deployPlan", json!({"uri": file}));
    let result = &plan["result"];
    assert_eq!(result["functionName"], "hello", "{plan}");
    assert_eq!(result["account"], "123456789012", "{plan}");
    assert_eq!(result["region"], REGION, "{plan}");
    assert!(
        result["changes"]
            .to_string()
            .contains("function: created (python3.12"),
        "{plan}"
    );
    assert!(!plan.to_string().contains(SECRET), "{plan}");
    let functions = moto.call("lambda", "list_functions", json!({}));
    assert_eq!(
        functions["Functions"],
        json!([]),
        "the plan created nothing"
    );

    let deployed = execute(&mut client, "lambda.deploy", json!({"uri": file}));
    let result = &deployed["result"];
    assert_eq!(
        result["arn"], "arn:aws:lambda:eu-west-1:123456789012:function:hello",
        "{deployed}"
    );
    assert!(
        result["message"]
            .as_str()
            .unwrap()
            .starts_with("Created hello"),
        "{deployed}"
    );
    assert!(!deployed.to_string().contains(SECRET), "{deployed}");
    assert_eq!(
        moto.call("lambda", "get_function", json!({"FunctionName": "hello"}))["Configuration"]
            ["Environment"]["Variables"]["API_KEY"],
        SECRET
    );

    let again = execute(&mut client, "lambda.deploy", json!({"uri": file}));
    assert_eq!(again["result"]["changes"], json!([]), "{again}");
    assert_eq!(again["result"]["uploadedBytes"], 0, "{again}");
    assert_eq!(
        again["result"]["message"],
        "hello is up to date: code unchanged, nothing uploaded"
    );

    // Show Logs: a function that never ran says so; then the events put into its log
    // group, placed in their invocation; then, with the cursor, only what came after.
    let logs = execute(&mut client, "lambda.logs", json!({"uri": file}));
    let result = &logs["result"];
    assert_eq!(result["neverRan"], true, "{logs}");
    assert_eq!(result["logGroup"], "/aws/lambda/hello", "{logs}");
    assert!(
        result["notes"].to_string().contains("has never run"),
        "{logs}"
    );
    let group = json!({"logGroupName": "/aws/lambda/hello"});
    moto.call("logs", "create_log_group", group.clone());
    let stream = "2026/05/01/[$LATEST]abc";
    moto.call(
        "logs",
        "create_log_stream",
        json!({"logGroupName": "/aws/lambda/hello", "logStreamName": stream}),
    );
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    let put = |messages: &[&str], at: i64| {
        let events: Vec<Value> = messages
            .iter()
            .enumerate()
            .map(|(i, m)| json!({"timestamp": at + i as i64, "message": m}))
            .collect();
        moto.call(
            "logs",
            "put_log_events",
            json!({"logGroupName": "/aws/lambda/hello", "logStreamName": stream, "logEvents": events}),
        );
    };
    put(
        &[
            "START RequestId: r-1 Version: $LATEST\n",
            "{\"level\":\"INFO\",\"message\":\"greeting\"}\n",
        ],
        now - 5_000,
    );
    let logs = execute(
        &mut client,
        "lambda.logs",
        json!({"uri": file, "since": "5m"}),
    );
    let result = &logs["result"];
    assert_eq!(result["neverRan"], false, "{logs}");
    let lines = result["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 2, "{logs}");
    assert_eq!(
        lines[1]["requestId"], "r-1",
        "placed in its invocation: {logs}"
    );
    assert_eq!(
        lines[1]["message"], "{\n  \"level\": \"INFO\",\n  \"message\": \"greeting\"\n}",
        "JSON pretty-printed: {logs}"
    );
    let cursor = result["cursor"].clone();
    put(
        &[
            "[ERROR] ValueError: boom\n",
            "REPORT RequestId: r-1\tDuration: 2.00 ms\n",
        ],
        now - 4_000,
    );
    let logs = execute(
        &mut client,
        "lambda.logs",
        json!({"uri": file, "cursor": cursor}),
    );
    let lines = logs["result"]["lines"].as_array().unwrap();
    let messages: Vec<&str> = lines
        .iter()
        .map(|l| l["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        messages,
        [
            "[ERROR] ValueError: boom",
            "REPORT RequestId: r-1\tDuration: 2.00 ms"
        ],
        "only what arrived since: {logs}"
    );
    assert_eq!(
        lines[0]["requestId"], "r-1",
        "the START was in an earlier answer: {logs}"
    );
    assert_eq!(lines[0]["error"], true, "{logs}");
    let logs = execute(
        &mut client,
        "lambda.logs",
        json!({"uri": file, "cursor": logs["result"]["cursor"]}),
    );
    assert_eq!(logs["result"]["lines"], json!([]), "nothing twice: {logs}");

    // Show Metrics: the charts of the Monitor view from the metrics put into moto.
    moto.call(
        "cloudwatch",
        "put_metric_data",
        json!({"Namespace": "AWS/Lambda", "MetricData": [
            {"MetricName": "Invocations", "Dimensions": [{"Name": "FunctionName", "Value": "hello"}],
             "Timestamp": (now - 600_000) / 1000, "Value": 3.0, "Unit": "Count"},
            {"MetricName": "Duration", "Dimensions": [{"Name": "FunctionName", "Value": "hello"}],
             "Timestamp": (now - 600_000) / 1000, "Value": 40.0, "Unit": "Milliseconds"}
        ]}),
    );
    let metrics = execute(
        &mut client,
        "lambda.metrics",
        json!({"uri": file, "since": "1h"}),
    );
    let result = &metrics["result"];
    assert_eq!(
        result["periodS"], 60,
        "about 60 points over an hour: {metrics}"
    );
    let charts = result["charts"].as_array().unwrap();
    let names: Vec<&str> = charts
        .iter()
        .map(|c| c["metric"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "Invocations",
            "Errors",
            "Duration",
            "Throttles",
            "ConcurrentExecutions"
        ]
    );
    assert_eq!(charts[0]["summary"], "3 in total", "{metrics}");
    assert_eq!(charts[0]["lines"][0]["points"][0][1], 3.0, "{metrics}");
    assert!(
        charts[2]["summary"]
            .as_str()
            .unwrap()
            .starts_with("avg 40 ms, max 40 ms, p99 –"),
        "{metrics}"
    );
    assert!(
        result["notes"].to_string().contains("p99 is null"),
        "{metrics}"
    );
    let refused = execute(
        &mut client,
        "lambda.metrics",
        json!({"uri": file, "since": "soon"}),
    );
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("is neither a duration"),
        "{refused}"
    );

    let invoked = execute(
        &mut client,
        "lambda.invokeRemote",
        json!({"uri": file, "event": "{\"a\": 1}"}),
    );
    let result = &invoked["result"];
    assert_eq!(result["status"], "Success", "{invoked}");
    assert_eq!(result["payload"], "{\"a\": 1}", "{invoked}");
    assert_eq!(result["remote"], true, "{invoked}");
    client.shutdown();
}
