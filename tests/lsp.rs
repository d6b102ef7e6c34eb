//! The language server over stdio, driven like an editor: initialize, open, incremental
//! changes, diagnostics, code actions, hover, code lens, and bad input of every kind.

mod support;

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::{json, Value};
use support::lsp::{apply_edits, range, uri, utf16_position, LspClient};
use support::{copy_tree, repo_root, run_cli, Project};

fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&repo_root().join("tests/fixtures/check"), dir.path());
    dir
}

fn codes(diagnostics: &[Value]) -> Vec<String> {
    diagnostics
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn negotiates_utf8_when_offered_else_utf16() {
    let dir = workspace();
    let (client, result) = LspClient::start(dir.path(), &["utf-8", "utf-16"]);
    assert_eq!(result["capabilities"]["positionEncoding"], "utf-8");
    client.shutdown();
    let (client, result) = LspClient::start(dir.path(), &["utf-16"]);
    assert_eq!(result["capabilities"]["positionEncoding"], "utf-16");
    assert_eq!(result["capabilities"]["textDocumentSync"]["change"], 2);
    client.shutdown();
}

#[test]
fn utf8_positions_count_bytes() {
    let dir = workspace();
    let path = dir.path().join("problems/app.py");
    let text = std::fs::read_to_string(&path).unwrap();
    let (mut client, _) = LspClient::start(dir.path(), &["utf-8"]);
    let u = uri(&path);
    // Put non-ASCII before the secret on its line: columns must count UTF-8 bytes.
    let text = text.replace("API_KEY = ", "ñ = 1; API_KEY = ");
    client.open(&u, &text, 1);
    let diagnostics = client.diagnostics(&u, 1);
    let secret = diagnostics.iter().find(|d| d["code"] == "LH007").unwrap();
    let offset = text.find("\"sk_live").unwrap();
    let line_start = text[..offset].rfind('\n').unwrap() + 1;
    assert_eq!(
        secret["range"]["start"]["character"],
        json!(offset - line_start)
    );
    client.shutdown();
}

#[test]
fn check_and_server_give_the_same_diagnostics() {
    let dir = workspace();
    let (mut client, _) = LspClient::start(dir.path(), &["utf-16"]);
    for file in [
        "problems/app.py",
        "problems/lambda.toml",
        "problems/helpers.py",
        "hello/lambda_function.py",
    ] {
        let path = dir.path().join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        let u = uri(&path);
        client.open(&u, &text, 1);
        let from_server: BTreeSet<(String, u64, u64, String)> = client
            .diagnostics(&u, 1)
            .iter()
            .map(|d| {
                (
                    d["code"].as_str().unwrap().to_string(),
                    d["range"]["start"]["line"].as_u64().unwrap() + 1,
                    d["range"]["start"]["character"].as_u64().unwrap() + 1,
                    d["message"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        let output = run_cli(dir.path(), &["check", "--format", "json", file]);
        let from_cli: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
        let from_cli: BTreeSet<_> = from_cli
            .iter()
            .map(|d| {
                (
                    d["code"].as_str().unwrap().to_string(),
                    d["line"].as_u64().unwrap(),
                    d["column"].as_u64().unwrap(),
                    d["message"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        assert_eq!(from_server, from_cli, "{file}");
        if file == "problems/app.py" {
            let found: BTreeSet<_> = from_server.iter().map(|d| d.0.as_str()).collect();
            assert_eq!(
                found,
                ["LH004", "LH005", "LH006", "LH007", "LH008"]
                    .into_iter()
                    .collect()
            );
        }
    }
    client.shutdown();
}

#[test]
fn incremental_changes_update_diagnostics() {
    let dir = workspace();
    let path = dir.path().join("problems/app.py");
    let text = std::fs::read_to_string(&path).unwrap();
    let (mut client, _) = LspClient::start(dir.path(), &["utf-16"]);
    let u = uri(&path);
    client.open(&u, &text, 1);
    assert!(codes(&client.diagnostics(&u, 1)).contains(&"LH004".to_string()));

    // Delete `async ` with a ranged change, then break the arity.
    let start = text.find("async def").unwrap();
    client.change(
        &u,
        2,
        json!([{"range": range(&text, start..start + 6), "text": ""}]),
    );
    let text = text.replacen("async ", "", 1);
    assert!(!codes(&client.diagnostics(&u, 2)).contains(&"LH004".to_string()));
    let params = text.find("(event, context)").unwrap();
    client.change(
        &u,
        3,
        json!([{"range": range(&text, params..params + 16), "text": "(event)"}]),
    );
    let diagnostics = client.diagnostics(&u, 3);
    let arity = diagnostics
        .iter()
        .find(|d| d["code"] == "LH003")
        .expect("arity error");
    assert_eq!(arity["severity"], 1);
    let server_text = client.request("lambda/documentText", json!({"uri": u}));
    assert_eq!(
        server_text,
        json!(text.replacen("(event, context)", "(event)", 1))
    );
    client.shutdown();
}

fn quick_fix(client: &mut LspClient, u: &str, text: &str, code: &str, version: i64) -> String {
    let diagnostics = client.diagnostics(u, version);
    let diagnostic = diagnostics
        .iter()
        .find(|d| d["code"] == code)
        .unwrap()
        .clone();
    let actions = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": u},
            "range": diagnostic["range"],
            "context": {"diagnostics": [diagnostic]},
        }),
    );
    let action = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["diagnostics"][0]["code"] == code)
        .unwrap_or_else(|| panic!("a quick fix for {code} in {actions}"));
    assert_eq!(action["kind"], "quickfix");
    apply_edits(text, action["edit"]["changes"][u].as_array().unwrap())
}

#[test]
fn code_actions_fix_secrets_and_clients() {
    let dir = workspace();
    let path = dir.path().join("problems/app.py");
    let text = std::fs::read_to_string(&path).unwrap();
    let (mut client, _) = LspClient::start(dir.path(), &["utf-16"]);
    let u = uri(&path);
    client.open(&u, &text, 1);

    let fixed = quick_fix(&mut client, &u, &text, "LH007", 1);
    assert!(
        fixed.contains("API_KEY = os.environ[\"API_KEY\"]"),
        "{fixed}"
    );
    client.change(&u, 2, json!([{"text": fixed}]));
    let fixed2 = quick_fix(&mut client, &u, &fixed, "LH006", 2);
    assert!(
        fixed2.contains("import boto3\n\ns3 = boto3.client(\"s3\")\n"),
        "{fixed2}"
    );
    client.change(&u, 3, json!([{"text": fixed2}]));
    let remaining = codes(&client.diagnostics(&u, 3));
    assert!(
        !remaining.contains(&"LH007".to_string()) && !remaining.contains(&"LH006".to_string()),
        "{remaining:?}"
    );
    client.shutdown();
}

#[test]
fn hover_and_lens_show_the_effective_configuration() {
    let dir = workspace();
    let path = dir.path().join("problems/app.py");
    let text = std::fs::read_to_string(&path).unwrap();
    let (mut client, _) = LspClient::start(dir.path(), &["utf-16"]);
    let u = uri(&path);
    client.open(&u, &text, 1);
    let (line, character) = utf16_position(&text, text.find("handler(event").unwrap() + 2);
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": u}, "position": {"line": line, "character": character}}),
    );
    let markdown = hover["contents"]["value"].as_str().unwrap();
    assert!(
        markdown.contains("| timeout | `30 s` | lambda.toml |"),
        "{markdown}"
    );
    assert!(
        markdown.contains("| memory | `128 MB` | Lambda default |"),
        "{markdown}"
    );
    let lenses = client.request("textDocument/codeLens", json!({"textDocument": {"uri": u}}));
    let titles: Vec<_> = lenses
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["command"]["title"].as_str().unwrap().to_string())
        .collect();
    assert!(
        titles
            .iter()
            .any(|t| t.contains("problems") && t.contains("30 s")),
        "{titles:?}"
    );
    client.shutdown();
}

#[test]
fn editing_lambda_toml_rechecks_the_functions_files() {
    let dir = workspace();
    let app = dir.path().join("problems/app.py");
    let config = dir.path().join("problems/lambda.toml");
    let app_text = std::fs::read_to_string(&app).unwrap();
    let config_text = std::fs::read_to_string(&config).unwrap();
    let (mut client, _) = LspClient::start(dir.path(), &["utf-16"]);
    let (app_uri, config_uri) = (uri(&app), uri(&config));
    client.open(&app_uri, &app_text, 1);
    assert!(codes(&client.diagnostics(&app_uri, 1)).contains(&"LH008".to_string()));
    client.open(&config_uri, &config_text, 1);
    assert!(client.diagnostics(&config_uri, 1).is_empty());
    // Opening the config re-checks the function's open files too.
    client.diagnostics(&app_uri, 1);

    // Define the variable the code reads: app.py is re-checked without an edit of its own.
    let end = config_text.len();
    client.change(
        &config_uri,
        2,
        json!([{"range": range(&config_text, end..end), "text": "OUTPUT_BUKET = \"x\"\n"}]),
    );
    assert!(!codes(&client.diagnostics(&app_uri, 1)).contains(&"LH008".to_string()));

    // Point the handler at a function the module lacks: an error on the value.
    let new_config =
        format!("{config_text}OUTPUT_BUKET = \"x\"\n").replace("app.handler", "app.main");
    client.change(&config_uri, 3, json!([{"text": new_config}]));
    let diagnostics = client.diagnostics(&config_uri, 3);
    assert_eq!(codes(&diagnostics), vec!["LH001"]);
    assert_eq!(
        diagnostics[0]["range"]["start"],
        json!({"line": 1, "character": 10})
    );
    client.shutdown();
}

#[test]
fn watches_lambda_toml_on_disk() {
    let dir = workspace();
    let (mut client, _) = LspClient::start(dir.path(), &["utf-16"]);
    let app = dir.path().join("problems/app.py");
    let u = uri(&app);
    client.open(&u, &std::fs::read_to_string(&app).unwrap(), 1);
    assert!(codes(&client.diagnostics(&u, 1)).contains(&"LH008".to_string()));
    let registered = client.server_requests.lock().unwrap().clone();
    assert!(
        registered
            .iter()
            .any(|r| r["method"] == "client/registerCapability"
                && r.to_string().contains("**/lambda.toml")),
        "{registered:?}"
    );
    // The file changes outside the editor: the client reports it, the server re-checks.
    let config = dir.path().join("problems/lambda.toml");
    std::fs::write(&config, "handler = \"app.handler\"\n").unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&config), "type": 2}]}),
    );
    assert!(!codes(&client.diagnostics(&u, 1)).contains(&"LH008".to_string()));
    client.shutdown();
}

#[test]
fn multi_root_workspaces_check_each_function() {
    let one = workspace();
    let two = workspace();
    let (mut client, _) = LspClient::start(one.path(), &["utf-16"]);
    client.notify(
        "workspace/didChangeWorkspaceFolders",
        json!({"event": {"added": [{"uri": uri(two.path()), "name": "two"}], "removed": []}}),
    );
    for root in [one.path(), two.path()] {
        let app = root.join("problems/app.py");
        let u = uri(&app);
        client.open(&u, &std::fs::read_to_string(&app).unwrap(), 1);
        assert!(codes(&client.diagnostics(&u, 1)).contains(&"LH004".to_string()));
    }
    client.shutdown();
}

/// After any abuse, the server still answers.
fn still_alive(client: &mut LspClient, u: &str) {
    let hover = client.request_raw(
        "textDocument/hover",
        json!({"textDocument": {"uri": u}, "position": {"line": 0, "character": 0}}),
    );
    assert!(hover.get("result").is_some() || hover.get("error").is_some());
}

#[test]
fn bad_input_never_takes_the_server_down() {
    let dir = workspace();
    let problems = dir.path().join("problems");
    // Non-UTF-8 bytes on disk in the handler module.
    std::fs::write(
        problems.join("app.py"),
        b"def handler(event, context):\n    return '\xff\xfe'\n",
    )
    .unwrap();
    let (mut client, _) = LspClient::start(dir.path(), &["utf-16"]);

    let config = uri(&problems.join("lambda.toml"));
    client.open(&config, "name = [unclosed\nhandler = 12\n[[[", 1);
    client.diagnostics(&config, 1);
    still_alive(&mut client, &config);

    let broken = uri(&problems.join("broken.py"));
    client.open(&broken, "def (((:\n  return ]]]\n\tclass\n", 1);
    assert!(codes(&client.diagnostics(&broken, 1)).contains(&"LH000".to_string()));

    // Out-of-range positions are clamped, not fatal.
    client.change(&broken, 2, json!([{"range": {"start": {"line": 99, "character": 99}, "end": {"line": 120, "character": 0}}, "text": "x = 1\n"}]));
    client.diagnostics(&broken, 2);
    client.change(&broken, 3, json!([{"range": {"start": {"line": 0, "character": 500}, "end": {"line": 0, "character": 2}}, "text": "é"}]));
    client.diagnostics(&broken, 3);
    let text = client.request("lambda/documentText", json!({"uri": broken}));
    assert!(text.as_str().unwrap().ends_with("x = 1\n"), "{text}");

    // A 2 MB module.
    let big = uri(&problems.join("big.py"));
    let line = "value_é = {'key': [1, 2, 3], 'text': \"ünïcode\"}  # comment\n";
    let big_text = line.repeat(2 * 1024 * 1024 / line.len() + 1);
    client.open(&big, &big_text, 1);
    client.diagnostics(&big, 1);
    client.change(&big, 2, json!([{"range": {"start": {"line": 1000, "character": 3}, "end": {"line": 1000, "character": 5}}, "text": "😀"}]));
    client.diagnostics(&big, 2);

    // Unknown methods get a MethodNotFound error, unknown notifications are ignored.
    let unknown = client.request_raw("lambda/noSuchMethod", json!({}));
    assert_eq!(unknown["error"]["code"], -32601);
    client.notify("lambda/noSuchNotification", json!({}));
    // Changes for documents never opened, and hovers on them.
    client.change("file:///nowhere/x.py", 2, json!([{"text": "x"}]));
    still_alive(&mut client, "file:///nowhere/x.py");
    still_alive(&mut client, &big);
    client.shutdown();
}

/// A tiny deterministic generator, so a failure can be replayed from its seed.
struct Random(u64);
impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn char_boundary_at_or_before(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[test]
fn random_incremental_edits_match_a_fresh_open() {
    let seed = std::env::var("LAMBDA_LS_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_1234_u64);
    let mut random = Random(seed);
    let dir = workspace();
    let path = dir.path().join("problems/app.py");
    let mut text = std::fs::read_to_string(&path).unwrap();
    let (mut client, _) = LspClient::start(dir.path(), &["utf-16"]);
    let u = uri(&path);
    client.open(&u, &text, 1);
    client.diagnostics(&u, 1);
    const PIECES: &[&str] = &[
        "",
        "e",
        "é",
        "😀",
        "日本語",
        "\n",
        "\r\n",
        "    ",
        "def ",
        "async ",
        "(",
        ")",
        ":",
        "event",
        "context",
        "\"",
        "'",
        "boto3.client('s3')",
        "os.environ['X']",
        "return {1}",
        "api_key = 'a8f5f167f44f4964'",
        "\n    ",
        "#",
        "ñ",
        "\t",
        "lambda_handler",
    ];
    let mut version = 1;
    for step in 0..10_000 {
        let a = char_boundary_at_or_before(&text, random.below(text.len() + 1));
        let b = char_boundary_at_or_before(&text, (a + random.below(12)).min(text.len()));
        let mut inserted = String::new();
        for _ in 0..random.below(3) {
            inserted.push_str(PIECES[random.below(PIECES.len())]);
        }
        // Never split a \r\n pair: editors cannot address the point between them.
        if text[..a].ends_with('\r') || text[..b].ends_with('\r') {
            continue;
        }
        version += 1;
        let edit_range = range(&text, a..b);
        text.replace_range(a..b, &inserted);
        client.change(
            &u,
            version,
            json!([{"range": edit_range, "text": inserted}]),
        );
        if step % 500 == 499 {
            let incremental = client.diagnostics(&u, version);
            let server_text = client.request("lambda/documentText", json!({"uri": u}));
            assert_eq!(
                server_text.as_str().unwrap(),
                text,
                "seed {seed}, step {step}"
            );
            client.notify("textDocument/didClose", json!({"textDocument": {"uri": u}}));
            version += 1;
            client.open(&u, &text, version);
            let fresh = client.diagnostics(&u, version);
            assert_eq!(
                incremental, fresh,
                "seed {seed}, step {step}, text:\n{text}"
            );
        }
    }
    client.shutdown();
}

#[test]
fn check_exit_status_and_formats() {
    let dir = workspace();
    let output = run_cli(dir.path(), &["check", "hello"]);
    assert!(output.status.success(), "{output:?}");
    assert!(output.stdout.is_empty());
    let output = run_cli(dir.path(), &["check"]);
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        stdout.contains("problems/app.py:10:1: error[LH004] "),
        "{stdout}"
    );
    let output = run_cli(dir.path(), &["check", "no-such-folder"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no-such-folder does not exist"));
    let empty = tempfile::tempdir().unwrap();
    let output = run_cli(empty.path(), &["check"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no Lambda function found"));
    let _ = Path::new("");
}

#[test]
fn lambda_toml_completion_hover_and_diagnostics() {
    let dir = workspace();
    let config = dir.path().join("problems/lambda.toml");
    let (mut client, _) = LspClient::start(dir.path(), &["utf-16"]);
    let u = uri(&config);
    let text = "name = \"problems\"\nhandler = \"app.handler\"\nmemroy = 256\nruntime = \"python3.8\"\ntimeout = 901\n";
    client.open(&u, text, 1);
    let diagnostics = client.diagnostics(&u, 1);
    let messages: Vec<_> = diagnostics
        .iter()
        .map(|d| d["message"].as_str().unwrap())
        .collect();
    assert!(
        messages.iter().any(|m| m.contains("memory")),
        "did you mean memory: {messages:?}"
    );
    assert!(
        messages.iter().any(|m| m.contains("python3.8")),
        "{messages:?}"
    );
    assert!(messages.iter().any(|m| m.contains("900")), "{messages:?}");
    // A quick fix renames the misspelt key.
    let memroy = diagnostics
        .iter()
        .find(|d| d["range"]["start"]["line"] == 2)
        .unwrap()
        .clone();
    let actions = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": u}, "range": memroy["range"], "context": {"diagnostics": [memroy]}}),
    );
    let edits = actions[0]["edit"]["changes"][&u]
        .as_array()
        .unwrap()
        .clone();
    assert!(
        apply_edits(text, &edits).contains("memory = 256"),
        "{actions}"
    );

    // Completion of keys on an empty line, and of runtime values.
    let with_line = format!("{text}\n");
    client.change(&u, 2, json!([{"text": with_line}]));
    let keys = client.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": u}, "position": {"line": 5, "character": 0}}),
    );
    let labels: Vec<_> = keys
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap().to_string())
        .collect();
    assert!(labels.contains(&"architecture".to_string()), "{labels:?}");
    assert!(
        !labels.contains(&"name".to_string()),
        "present keys are not offered: {labels:?}"
    );
    let (line, character) = utf16_position(text, text.find("python3.8").unwrap());
    let values = client.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": u}, "position": {"line": line, "character": character}}),
    );
    assert!(values.to_string().contains("python3.13"), "{values}");
    // Hover on a key.
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": u}, "position": {"line": 4, "character": 2}}),
    );
    assert!(
        hover["contents"]["value"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("timeout"),
        "{hover}"
    );
    client.shutdown();
}

#[test]
fn hover_on_a_schedule_shows_the_next_five_runs() {
    let dir = workspace();
    let config = dir.path().join("hello/lambda.toml");
    let text = "[[trigger]]\ntype = \"schedule\"\nschedule = \"cron(0 9 ? * MON-FRI *)\"\n";
    std::fs::write(&config, text).unwrap();
    let (mut client, _) = LspClient::start(dir.path(), &["utf-16"]);
    let u = uri(&config);
    client.open(&u, text, 1);
    assert!(client.diagnostics(&u, 1).is_empty());
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": u}, "position": {"line": 2, "character": 16}}),
    );
    let markdown = hover["contents"]["value"].as_str().unwrap();
    assert_eq!(markdown.matches(" UTC (").count(), 5, "{markdown}");
    assert!(
        !markdown.contains("(Sat)") && !markdown.contains("(Sun)"),
        "weekdays only: {markdown}"
    );
    // An out-of-range value is an error in the file.
    client.change(&u, 2, json!([{"text": text.replace("0 9", "0 25")}]));
    let diagnostics = client.diagnostics(&u, 2);
    assert!(
        diagnostics[0]["message"]
            .as_str()
            .unwrap()
            .contains("between 0 and 23"),
        "{diagnostics:?}"
    );
    client.shutdown();
}

/// A Python file in no function folder (a Django settings module beside the functions) gets
/// no Lambda diagnostics, in the editor as in `lambda-ls check`.
#[test]
fn files_outside_functions_get_no_lambda_diagnostics() {
    let text = "SECRET_KEY = \"django-insecure-0123456789abcdefghijklmnop\"\nAPI_KEY = \"sk_live_51Habcdefghijklmnopqrstu\"\n";
    let project = Project::new(&[("django/settings.py", text)]);
    let (mut client, _) = project.lsp();
    assert_eq!(
        project.open(&mut client, "django/settings.py"),
        Vec::<Value>::new()
    );
    let lenses = client.request(
        "textDocument/codeLens",
        json!({"textDocument": {"uri": project.uri("django/settings.py")}}),
    );
    assert_eq!(lenses, json!([]));
    client.shutdown();

    let output = project.cli(&["check", "django/settings.py"]);
    assert!(output.status.success(), "{output:?}");
    assert_eq!(String::from_utf8_lossy(&output.stdout), "");
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("not part of a Lambda function"),
        "{output:?}"
    );
}

/// The editor reads a function's lambda.toml as the CLI does: one that is not UTF-8 gives
/// Lambda's defaults (and LT020 in `check`), not a lossy reading of it.
#[test]
fn editor_and_cli_read_lambda_toml_alike() {
    let dir = workspace();
    let function = dir.path().join("latin1");
    std::fs::create_dir_all(&function).unwrap();
    let mut config = b"handler = \"app.main\"\n# caf".to_vec();
    config.push(0xE9); // é in Latin-1: not UTF-8
    config.push(b'\n');
    std::fs::write(function.join("lambda.toml"), &config).unwrap();
    let app = "def main(event):\n    return event\n";
    std::fs::write(function.join("app.py"), app).unwrap();

    let output = run_cli(dir.path(), &["check", "latin1"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("[LT020]"), "{stdout}");
    assert!(
        !stdout.contains("LH003"),
        "defaults apply: app.py is no handler: {stdout}"
    );

    let (mut client, _) = LspClient::start(dir.path(), &["utf-16"]);
    let u = uri(&function.join("app.py"));
    client.open(&u, app, 1);
    assert_eq!(
        codes(&client.diagnostics(&u, 1)),
        Vec::<String>::new(),
        "the editor uses the same (default) configuration"
    );
    client.shutdown();
}

/// A file saved outside the editor re-checks only what it can affect: a `.py` change, only
/// its function's open lambda.toml; a lambda.toml change, only its function's files.
#[test]
fn watched_changes_recheck_only_what_they_affect() {
    let dir = workspace();
    let (mut client, _) = LspClient::start(dir.path(), &["utf-16"]);
    let hello = dir.path().join("hello/lambda_function.py");
    let app = dir.path().join("problems/app.py");
    let config = dir.path().join("problems/lambda.toml");
    let hello_text = std::fs::read_to_string(&hello).unwrap();
    let (hello_u, app_u, config_u) = (uri(&hello), uri(&app), uri(&config));
    client.open(&hello_u, &hello_text, 1);
    client.open(&app_u, &std::fs::read_to_string(&app).unwrap(), 1);
    client.open(&config_u, &std::fs::read_to_string(&config).unwrap(), 1);
    client.diagnostics(&hello_u, 1);
    client.diagnostics(&app_u, 1);
    client.diagnostics(&config_u, 1);
    let publishes = |client: &mut LspClient, of: &str| {
        client
            .notifications
            .iter()
            .filter(|m| {
                m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == of
            })
            .count()
    };
    // A barrier: an edit of hello, whose diagnostics come after anything queued before it.
    let mut version = 1;
    let mut barrier = |client: &mut LspClient| {
        version += 1;
        client.change(&hello_u, version, json!([{"text": hello_text}]));
        client.diagnostics(&hello_u, version);
    };

    // A helper module of `problems` saved outside the editor: only its lambda.toml (which
    // checks the handler's module) is checked again, not app.py, not hello.
    let helpers = dir.path().join("problems/helpers.py");
    std::fs::write(&helpers, "def helper():\n    return 2\n").unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&helpers), "type": 2}]}),
    );
    barrier(&mut client);
    assert_eq!(publishes(&mut client, &app_u), 0);
    assert_eq!(publishes(&mut client, &config_u), 1);
    client.notifications.clear();

    // lambda.toml of `problems` changed on disk while closed: its files, not hello.
    client.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": config_u}}),
    );
    std::fs::write(&config, "handler = \"app.handler\"\n").unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": config_u, "type": 2}]}),
    );
    barrier(&mut client);
    assert!(publishes(&mut client, &app_u) >= 1);
    client.shutdown();
}

/// Analyses run outside the session's lock: a request on one document is answered while
/// another, much larger one is still being checked.
#[test]
fn a_slow_document_does_not_delay_requests_on_another() {
    let dir = workspace();
    let (mut client, _) = LspClient::start(dir.path(), &["utf-16"]);
    let hello = dir.path().join("hello/lambda_function.py");
    let hello_u = uri(&hello);
    client.open(&hello_u, &std::fs::read_to_string(&hello).unwrap(), 1);
    client.diagnostics(&hello_u, 1);
    // A 2 MB handler module: its checks take a long while in a debug build.
    let big = dir.path().join("problems/big.py");
    let mut text = String::from(
        "import os\n\ndef lambda_handler(event, context):\n    return event[\"Records\"]\n\n",
    );
    let mut n = 0;
    while text.len() < 2_000_000 {
        n += 1;
        text.push_str(&format!(
            "SETTING_{n} = os.environ.get(\"SETTING_{n}\", \"x\") or {{\"k\": [1, 2, 3]}}\n"
        ));
    }
    std::fs::write(
        dir.path().join("problems/lambda.toml"),
        "handler = \"big.lambda_handler\"\n",
    )
    .unwrap();
    let big_u = uri(&big);
    client.open(&big_u, &text, 1);
    // Once the server has the big file (parsing it is part of opening it, in the message
    // loop), its checks start; compare two durations of the same run from then on (not a
    // performance target). Before the analyses left the lock, the hover waited for them.
    client.request("lambda/documentText", json!({"uri": big_u}));
    let opened = std::time::Instant::now();
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": hello_u}, "position": {"line": 0, "character": 5}}),
    );
    let hover_took = opened.elapsed();
    assert!(hover.is_object() || hover.is_null(), "{hover}");
    client.diagnostics(&big_u, 1);
    let check_took = opened.elapsed();
    eprintln!("hover on the small file: {hover_took:?}; the big file's checks: {check_took:?}");
    assert!(
        hover_took * 4 < check_took,
        "the hover on a small file ({hover_took:?}) waited for the big one's checks \
         ({check_took:?})"
    );
    client.shutdown();
}

/// A panic while answering one request (planted, in debug builds) fails that request only:
/// the server logs it and goes on answering, checking and publishing.
#[test]
fn a_panic_fails_one_request_and_the_server_goes_on() {
    let dir = workspace();
    let mut command = std::process::Command::new(support::binary());
    command.arg("lsp").env("LAMBDA_LS_TEST_PANIC", "1");
    let (mut client, _) =
        LspClient::start_command(support::lsp::Launch::new(command), dir.path(), &["utf-16"]);
    let hello = dir.path().join("hello/lambda_function.py");
    let u = uri(&hello);
    let text = std::fs::read_to_string(&hello).unwrap() + "# lambda-ls: panic here\n";
    client.open(&u, &text, 1);
    client.diagnostics(&u, 1);
    let failed = client.request_raw(
        "textDocument/hover",
        json!({"textDocument": {"uri": u}, "position": {"line": 0, "character": 5}}),
    );
    assert_eq!(failed["error"]["code"], -32603, "{failed}");
    assert!(
        failed["error"]["message"]
            .as_str()
            .unwrap()
            .contains("keeps running"),
        "{failed}"
    );
    // Still serving: completions, edits and their diagnostics.
    client.change(
        &u,
        2,
        json!([{"text": "async def lambda_handler(event, context):\n    pass\n"}]),
    );
    assert_eq!(codes(&client.diagnostics(&u, 2)), ["LH004"]);
    let lenses = client.request("textDocument/codeLens", json!({"textDocument": {"uri": u}}));
    assert!(lenses.to_string().contains("Invoke"), "{lenses}");
    client.shutdown();
}
