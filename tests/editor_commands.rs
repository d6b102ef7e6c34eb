//! The editor's commands on the server: `▶ Invoke` lenses and `workspace/executeCommand`
//! (invoke with warm reuse, events, Restricted Mode, cancellation), over stdio.

mod support;

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::lsp::{uri, LspClient};
use support::{copy_tree, repo_root};

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
    assert_eq!(arguments["handler"], "lambda_handler");
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
    assert_eq!(
        unknown["error"]["data"]["kind"], "invalidParams",
        "{unknown}"
    );

    // Arguments the protocol does not know are refused, not silently dropped.
    let misspelt = invoke(&mut client, json!({"uri": folder_uri, "evnt": "x"}));
    assert_eq!(misspelt["error"]["code"], -32602, "{misspelt}");
    assert!(
        misspelt["error"]["message"]
            .as_str()
            .unwrap()
            .contains("evnt"),
        "{misspelt}"
    );
    // A handler that is not the function's is refused; the lens's own is accepted.
    let wrong = invoke(
        &mut client,
        json!({"uri": folder_uri, "handler": "other_handler"}),
    );
    assert_eq!(wrong["error"]["data"]["kind"], "notAFunction", "{wrong}");
    assert!(
        wrong["error"]["message"]
            .as_str()
            .unwrap()
            .contains("lambda_function.lambda_handler"),
        "{wrong}"
    );
    let unknown_command = client.request_raw(
        "workspace/executeCommand",
        json!({"command": "lambda.fly", "arguments": [{"uri": folder_uri}]}),
    );
    assert_eq!(
        unknown_command["error"]["data"]["kind"], "unknownCommand",
        "{unknown_command}"
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
    assert_eq!(response["error"]["data"]["kind"], "untrusted", "{response}");
    assert_eq!(response["error"]["code"], -32010, "{response}");
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
        result["zipPath"]
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

/// Long commands run detached from the message loop: with many invokes running (more than
/// tower-lsp's default of four messages at a time), edits are still applied and completion
/// still answers; past the limit of long commands one more is refused as busy.
#[test]
fn long_invokes_do_not_stall_completion() {
    let dir = hello();
    let folder = dir.path().join("hello-world");
    let started_log = dir.path().join("started.log");
    let release = dir.path().join("release");
    // Each invoke says it started, then waits until the test releases it.
    std::fs::write(
        folder.join("lambda_function.py"),
        format!(
            "import os, time\n\n\
             def lambda_handler(event, context):\n\
             \x20   with open({started:?}, 'a') as log:\n\
             \x20       log.write(context.aws_request_id + '\\n')\n\
             \x20   deadline = time.time() + 60\n\
             \x20   while not os.path.exists({release:?}) and time.time() < deadline:\n\
             \x20       time.sleep(0.02)\n\
             \x20   return 'released'\n",
            started = started_log.display().to_string(),
            release = release.display().to_string(),
        ),
    )
    .unwrap();
    std::fs::write(folder.join("lambda.toml"), "timeout = 120\n").unwrap();
    let (mut client, _) = LspClient::start(dir.path(), &["utf-16"]);
    let running = 6;
    let invokes: Vec<i64> = (0..running)
        .map(|_| {
            client.send_request(
                "workspace/executeCommand",
                json!({"command": "lambda.invoke", "arguments": [{"uri": uri(&folder), "cold": true}]}),
            )
        })
        .collect();
    let started = Instant::now();
    let count = || {
        std::fs::read_to_string(&started_log)
            .map(|t| t.lines().count())
            .unwrap_or(0)
    };
    while count() < running {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "only {} of {running} invokes started",
            count()
        );
        std::thread::sleep(Duration::from_millis(20));
    }

    // While all of them run: an edit is applied and completion answers.
    let other = dir.path().join("other");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(
        other.join("lambda.toml"),
        "[[trigger]]\ntype = \"s3\"\nbucket = \"in\"\n",
    )
    .unwrap();
    let other_file = uri(&other.join("lambda_function.py"));
    client.open(
        &other_file,
        "def lambda_handler(event, context):\n    return event\n",
        1,
    );
    let text =
        "def lambda_handler(event, context):\n    return event[\"Records\"][0][\"s3\"][\"\"]\n";
    client.change(&other_file, 2, json!([{"text": text}]));
    let line = 1;
    let character = text.lines().nth(1).unwrap().len() as u32 - 2;
    let completion = client.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": other_file}, "position": {"line": line, "character": character}}),
    );
    assert!(completion.to_string().contains("bucket"), "{completion}");
    let seen = client.request("lambda/documentText", json!({"uri": other_file}));
    assert_eq!(seen, json!(text));
    assert_eq!(count(), running, "the invokes were still running");
    assert!(
        !client.notifications.iter().any(|m| m
            .get("id")
            .is_some_and(|id| invokes.contains(&id.as_i64().unwrap_or(-1)))),
        "an invoke finished before it was released"
    );

    // Fill the long-command slots (16) and ask for one more: refused at once as busy.
    let more: Vec<i64> = (running..16)
        .map(|_| {
            client.send_request(
                "workspace/executeCommand",
                json!({"command": "lambda.invoke", "arguments": [{"uri": uri(&folder), "cold": true}]}),
            )
        })
        .collect();
    let busy = client.request_raw(
        "workspace/executeCommand",
        json!({"command": "lambda.invoke", "arguments": [{"uri": uri(&folder)}]}),
    );
    assert_eq!(busy["error"]["data"]["kind"], "busy", "{busy}");

    std::fs::write(&release, "").unwrap();
    for id in invokes.into_iter().chain(more) {
        let response = client.response(id, "executeCommand");
        assert_eq!(response["result"]["status"], "Success", "{response}");
        assert_eq!(response["result"]["payload"], "\"released\"", "{response}");
    }
    client.shutdown();
}
