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
