//! The editor's commands on the server: `▶ Invoke` lenses and `workspace/executeCommand`
//! (invoke with warm reuse, events, Restricted Mode, cancellation), over stdio.

use std::time::{Duration, Instant};

use lambda_ls_e2e::lsp::{uri, LspClient};
use lambda_ls_e2e::{copy_tree, repo_root};
use serde_json::{json, Value};

fn hello() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(
        &repo_root().join("examples/hello-world"),
        &dir.path().join("hello-world"),
    );
    dir
}

fn invoke(client: &mut LspClient, arguments: Value) -> Value {
    client.request_raw(
        "workspace/executeCommand",
        json!({"command": "lambda.invoke", "arguments": [arguments]}),
    )
}

#[test]
fn lenses_invoke_and_reuse_the_warm_environment() {
    let dir = hello();
    let file = dir.path().join("hello-world/lambda_function.py");
    let (mut client, init) = LspClient::start(dir.path(), &["utf-16"]);
    let commands = init["capabilities"]["executeCommandProvider"]["commands"].to_string();
    assert!(commands.contains("lambda.invoke"), "{commands}");
    let u = uri(&file);
    client.open(&u, &std::fs::read_to_string(&file).unwrap(), 1);
    let lenses = client.request("textDocument/codeLens", json!({"textDocument": {"uri": u}}));
    let invoke_lens = lenses
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["command"]["title"] == "▶ Invoke")
        .unwrap_or_else(|| panic!("{lenses}"))
        .clone();
    assert_eq!(invoke_lens["command"]["command"], "lambda.invoke");
    let arguments = invoke_lens["command"]["arguments"][0].clone();
    assert_eq!(arguments["uri"], json!(u));
    assert_eq!(arguments["handler"], "lambda_function.lambda_handler");
    assert!(lenses.to_string().contains("Invoke with event…"));

    // Run what the lens runs.
    let first = invoke(&mut client, arguments.clone());
    let result = &first["result"];
    assert_eq!(result["status"], "Success", "{first}");
    assert!(result["payload"]
        .as_str()
        .unwrap()
        .contains("Hello from Lambda!"));
    assert!(result["log"]
        .as_str()
        .unwrap()
        .contains("START RequestId: "));
    assert!(result["report"]["line"]
        .as_str()
        .unwrap()
        .starts_with("REPORT RequestId: "));
    assert!(
        result["report"]["initDurationMs"].is_number(),
        "cold start: {result}"
    );
    assert_eq!(result["coldStart"], true);
    let second = invoke(&mut client, arguments);
    assert_eq!(second["result"]["coldStart"], false, "warm: {second}");
    assert!(second["result"]["report"]["initDurationMs"].is_null());
    client.shutdown();
}

#[test]
fn function_errors_come_back_as_results() {
    let dir = hello();
    let file = dir.path().join("hello-world/lambda_function.py");
    std::fs::write(
        &file,
        "def lambda_handler(event, context):\n    raise ValueError('no')\n",
    )
    .unwrap();
    let (mut client, _) = LspClient::start(dir.path(), &["utf-16"]);
    let response = invoke(&mut client, json!({"uri": uri(&file)}));
    let result = &response["result"];
    assert_eq!(result["status"], "FunctionError", "{response}");
    assert_eq!(result["errorType"], "ValueError");
    let payload: Value = serde_json::from_str(result["payload"].as_str().unwrap()).unwrap();
    assert_eq!(payload["errorMessage"], "no");
    client.shutdown();
}

#[test]
fn test_events_are_created_listed_and_used() {
    let dir = hello();
    let folder = dir.path().join("hello-world");
    let (mut client, _) = LspClient::start(dir.path(), &["utf-16"]);
    let folder_uri = uri(&folder);
    let created = client.request(
        "workspace/executeCommand",
        json!({"command": "lambda.newTestEvent", "arguments": [{"uri": folder_uri, "template": "s3-put", "name": "upload"}]}),
    );
    let path = folder.join("events/upload.json");
    assert!(path.is_file(), "{created}");
    let event: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert!(event["Records"][0]["s3"]["bucket"]["name"].is_string());
    // Never over an existing file.
    let again = client.request_raw(
        "workspace/executeCommand",
        json!({"command": "lambda.newTestEvent", "arguments": [{"uri": folder_uri, "template": "s3-put", "name": "upload"}]}),
    );
    assert!(
        again["error"]["message"]
            .as_str()
            .unwrap()
            .contains("already exists"),
        "{again}"
    );

    let listed = client.request(
        "workspace/executeCommand",
        json!({"command": "lambda.listEvents", "arguments": [{"uri": folder_uri}]}),
    );
    assert_eq!(listed["files"][0]["name"], "upload.json", "{listed}");
    assert!(listed["templates"].as_array().unwrap().len() > 30);

    // Print the event it receives: the handler sees the chosen file.
    std::fs::write(
        folder.join("lambda_function.py"),
        "def lambda_handler(event, context):\n    return event['Records'][0]['eventSource']\n",
    )
    .unwrap();
    let response = invoke(&mut client, json!({"uri": folder_uri, "event": "upload"}));
    assert_eq!(response["result"]["payload"], "\"aws:s3\"", "{response}");
    // The last event is remembered for the next `▶ Invoke`.
    let response = invoke(&mut client, json!({"uri": folder_uri}));
    assert_eq!(response["result"]["event"], "upload", "{response}");
    let unknown = invoke(
        &mut client,
        json!({"uri": folder_uri, "event": "no-such-event"}),
    );
    assert!(
        unknown["error"]["message"]
            .as_str()
            .unwrap()
            .contains("unknown event template"),
        "{unknown}"
    );
    client.shutdown();
}

#[test]
fn restricted_mode_refuses_to_run_code() {
    let dir = hello();
    let (mut client, _) =
        LspClient::start_with_options(dir.path(), &["utf-16"], json!({"trusted": false}));
    let response = invoke(
        &mut client,
        json!({"uri": uri(&dir.path().join("hello-world"))}),
    );
    let message = response["error"]["message"].as_str().unwrap();
    assert!(message.contains("Restricted Mode"), "{response}");
    // Checks still work.
    let file = dir.path().join("hello-world/lambda_function.py");
    let u = uri(&file);
    client.open(&u, "def lambda_handler(event):\n    pass\n", 1);
    assert_eq!(client.diagnostics(&u, 1)[0]["code"], "LH003");
    client.shutdown();
}

fn process_exists(marker: &str) -> bool {
    std::fs::read_dir("/proc").unwrap().flatten().any(|entry| {
        std::fs::read(entry.path().join("cmdline"))
            .map(|c| String::from_utf8_lossy(&c).contains(marker))
            .unwrap_or(false)
    })
}

#[test]
fn cancelling_an_invoke_stops_the_function() {
    let dir = hello();
    let folder = dir.path().join("hello-world");
    let marker = format!("lambda-ls-cancel-{}", std::process::id());
    std::fs::write(
        folder.join("lambda_function.py"),
        format!("import subprocess\n\ndef lambda_handler(event, context):\n    subprocess.run(['sh', '-c', 'sleep 30; true', '{marker}'])\n"),
    )
    .unwrap();
    std::fs::write(folder.join("lambda.toml"), "timeout = 60\n").unwrap();
    let (mut client, _) = LspClient::start(dir.path(), &["utf-16"]);
    let id = client.send_request(
        "workspace/executeCommand",
        json!({"command": "lambda.invoke", "arguments": [{"uri": uri(&folder)}]}),
    );
    let started = Instant::now();
    while !process_exists(&marker) {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the handler never started"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    client.notify("$/cancelRequest", json!({"id": id}));
    let response = client.response(id, "executeCommand");
    assert_eq!(response["error"]["code"], -32800, "{response}");
    let cancelled = Instant::now();
    while process_exists(&marker) {
        assert!(
            cancelled.elapsed() < Duration::from_secs(10),
            "the function kept running after cancel"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    client.shutdown();
}

#[test]
fn package_command_builds_the_zip() {
    let dir = hello();
    let folder = dir.path().join("hello-world");
    let (mut client, init) = LspClient::start(dir.path(), &["utf-16"]);
    assert!(init["capabilities"]["executeCommandProvider"]["commands"]
        .to_string()
        .contains("lambda.package"));
    let response = client.request_raw(
        "workspace/executeCommand",
        json!({"command": "lambda.package", "arguments": [{"uri": uri(&folder.join("lambda_function.py"))}]}),
    );
    let result = &response["result"];
    let zip = std::path::PathBuf::from(
        result["zip_path"]
            .as_str()
            .unwrap_or_else(|| panic!("{response}")),
    );
    assert!(zip.is_file(), "{response}");
    assert!(
        result["message"].as_str().unwrap().contains("CodeSha256"),
        "{response}"
    );
    assert_eq!(result["files"], 1, "only lambda_function.py: {response}");
    client.shutdown();
    let (mut client, _) =
        LspClient::start_with_options(dir.path(), &["utf-16"], json!({"trusted": false}));
    let refused = client.request_raw(
        "workspace/executeCommand",
        json!({"command": "lambda.package", "arguments": [{"uri": uri(&folder)}]}),
    );
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Restricted Mode"),
        "{refused}"
    );
    client.shutdown();
}
