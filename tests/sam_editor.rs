//! A SAM template's functions in the editor, over LSP: the handler checks with the
//! template's handlers, lenses, hovers and completion per handler in a module that three
//! functions share (two handlers in one file, one handler for two functions), the
//! template's own diagnostics as it is edited (and what they change in the handler module),
//! and the commands run on the function the lens stands for.

mod support;

use std::path::{Path, PathBuf};

use serde_json::{json, Value};
use support::lsp::{uri, utf16_position, LspClient};
use support::{copy_tree, repo_root};

fn work_copy(name: &str) -> (tempfile::TempDir, PathBuf) {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join(name);
    copy_tree(&repo_root().join("tests/fixtures/sam").join(name), &dir);
    (temp, dir)
}

fn position(text: &str, offset: usize) -> Value {
    let (line, character) = utf16_position(text, offset);
    json!({"line": line, "character": character})
}

fn hover(client: &mut LspClient, u: &str, text: &str, at: &str) -> String {
    let offset = text.find(at).unwrap_or_else(|| panic!("no {at:?}")) + 5;
    let result = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": u}, "position": position(text, offset)}),
    );
    result["contents"]["value"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

fn labels(client: &mut LspClient, u: &str, text: &str, offset: usize) -> Vec<String> {
    let result = client.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": u}, "position": position(text, offset)}),
    );
    result
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["label"].as_str().unwrap().to_string())
        .collect()
}

fn execute(client: &mut LspClient, command: &str, arguments: Value) -> Value {
    client.request_raw(
        "workspace/executeCommand",
        json!({"command": command, "arguments": [arguments]}),
    )
}

fn codes(diagnostics: &[Value]) -> Vec<(u64, String)> {
    diagnostics
        .iter()
        .map(|d| {
            (
                d["range"]["start"]["line"].as_u64().unwrap() + 1,
                d["code"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn replace_all(client: &mut LspClient, u: &str, version: i64, text: &str) {
    client.change(u, version, json!([{ "text": text }]));
}

#[test]
fn three_functions_in_one_module() {
    let (temp, dir) = work_copy("twins");
    let app_path = dir.join("src/app.py");
    let app = std::fs::read_to_string(&app_path).unwrap();
    let (mut client, _) = LspClient::start(temp.path(), &["utf-16"]);
    let u = uri(&app_path);
    client.open(&u, &app, 1);
    assert_eq!(client.diagnostics(&u, 1), Vec::<Value>::new());

    // Lenses: one row per function above its handler. `first` is the handler of two
    // functions, so their lenses name the function; `second`'s names its handler.
    let lenses = client.request("textDocument/codeLens", json!({"textDocument": {"uri": u}}));
    let rows: Vec<(u64, String, Value)> = lenses
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["range"]["start"]["line"].as_u64().unwrap(),
                l["command"]["title"].as_str().unwrap().to_string(),
                l["command"]["arguments"][0]["handler"].clone(),
            )
        })
        .collect();
    let invokes: Vec<(u64, Value)> = rows
        .iter()
        .filter(|(_, title, _)| title == "▶ Invoke")
        .map(|(line, _, handler)| (*line, handler.clone()))
        .collect();
    assert_eq!(
        invokes,
        [
            (6, json!("FirstFunction")),
            (6, json!("LoudFunction")),
            (16, json!("second"))
        ],
        "{rows:#?}"
    );
    let summaries: Vec<&str> = rows
        .iter()
        .map(|(_, title, _)| title.as_str())
        .filter(|t| t.starts_with('λ'))
        .collect();
    assert_eq!(summaries.len(), 3, "{summaries:?}");
    assert_eq!(
        summaries[0],
        "λ FirstFunction · python3.12 · 128 MB · 5 s · event: api (template.yaml#FirstFunction event)"
    );
    assert!(
        summaries[1].starts_with("λ LoudFunction · python3.12 · 512 MB · 5 s"),
        "{summaries:?}"
    );
    assert_eq!(
        summaries[2],
        "λ SecondFunction · python3.12 · 128 MB · 10 s · event: sqs (template.yaml#SecondFunction event)"
    );

    // Hovers: each value with where it came from; a shared handler shows both functions.
    let second = hover(&mut client, &u, &app, "def second");
    for expected in [
        "function `SecondFunction` (folder `src`, `template.yaml#SecondFunction`)",
        "`event`: sqs (template.yaml#SecondFunction event)",
        "| timeout | `10 s` | template.yaml#SecondFunction |",
        "| runtime | `python3.12` | template.yaml Globals |",
        "| memory | `128 MB` | Lambda default |",
        "TABLE (set at deploy: !Ref Table)",
    ] {
        assert!(second.contains(expected), "{expected:?} in:\n{second}");
    }
    let first = hover(&mut client, &u, &app, "def first");
    assert!(
        first.contains("function `FirstFunction`") && first.contains("function `LoudFunction`"),
        "{first}"
    );
    assert!(
        first.contains("| memory | `512 MB` | template.yaml#LoudFunction |"),
        "{first}"
    );

    // Completion from each handler's own event: an SQS record in `second`, the REST
    // API's event in `first`.
    let edited = app
        .replace(
            "    bodies = [",
            "    event[\"Records\"][0][\"\"]\n    bodies = [",
        )
        .replace("    body = {", "    event[\"\"]\n    body = {");
    replace_all(&mut client, &u, 2, &edited);
    let in_second = edited.find("[0][\"").unwrap() + 5;
    let sqs = labels(&mut client, &u, &edited, in_second);
    assert!(
        sqs.contains(&"receiptHandle".to_string()) && sqs.contains(&"body".to_string()),
        "{sqs:?}"
    );
    let in_first = edited.find("event[\"\"]").unwrap() + 7;
    let api = labels(&mut client, &u, &edited, in_first);
    assert!(api.contains(&"httpMethod".to_string()), "{api:?}");
    replace_all(&mut client, &u, 3, &app);
    assert_eq!(client.diagnostics(&u, 3), Vec::<Value>::new());

    // Commands: the lens's argument picks the function.
    let invoked = execute(
        &mut client,
        "lambda.invoke",
        json!({"uri": u, "handler": "second", "event": "sqs"}),
    );
    let payload: Value =
        serde_json::from_str(invoked["result"]["payload"].as_str().unwrap()).unwrap();
    assert_eq!(payload["who"], "second", "{invoked}");
    assert_eq!(invoked["result"]["function"], "SecondFunction");
    let loud = execute(
        &mut client,
        "lambda.invoke",
        json!({"uri": u, "handler": "LoudFunction", "event": "{}"}),
    );
    let body: Value = serde_json::from_str(
        serde_json::from_str::<Value>(loud["result"]["payload"].as_str().unwrap()).unwrap()["body"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(body["greeting"], "HELLO", "{loud}");
    // `first` alone is two functions' handler: the error names both.
    let ambiguous = execute(
        &mut client,
        "lambda.invoke",
        json!({"uri": u, "handler": "first"}),
    );
    let message = ambiguous["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("belongs to several functions: `FirstFunction` (handler `app.first`), `LoudFunction` (handler `app.first`)"),
        "{ambiguous}"
    );
    assert_eq!(
        ambiguous["error"]["data"]["kind"], "invalidParams",
        "{ambiguous}"
    );
    let unknown = execute(
        &mut client,
        "lambda.listEvents",
        json!({"uri": u, "handler": "third"}),
    );
    assert!(
        unknown["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("`third` is not the handler of a function in"),
        "{unknown}"
    );
    client.shutdown();
}

/// The template's text as the editor has it decides the functions: its diagnostics, and
/// the handler module's, follow each edit.
#[test]
fn editing_the_template_rechecks_it_and_its_handlers() {
    let (temp, dir) = work_copy("twins");
    let template_path = dir.join("template.yaml");
    let template = std::fs::read_to_string(&template_path).unwrap();
    let app_path = dir.join("src/app.py");
    let app = std::fs::read_to_string(&app_path).unwrap();
    let (mut client, _) = LspClient::start(temp.path(), &["utf-16"]);
    let (t, a) = (uri(&template_path), uri(&app_path));
    client.open(&a, &app, 1);
    assert_eq!(client.diagnostics(&a, 1), Vec::<Value>::new());
    client.open(&t, &template, 1);
    assert_eq!(client.diagnostics(&t, 1), Vec::<Value>::new());
    // Opening a template may change the functions below it: their files are checked again.
    assert_eq!(client.diagnostics(&a, 1), Vec::<Value>::new());

    // A handler the module lacks, a runtime Lambda no longer takes, memory out of range.
    let edited = template
        .replace("Handler: app.second", "Handler: app.secnd")
        .replace("Runtime: python3.12", "Runtime: python3.7")
        .replace("MemorySize: 512", "MemorySize: 64");
    replace_all(&mut client, &t, 2, &edited);
    let found = client.diagnostics(&t, 2);
    assert_eq!(
        codes(&found),
        [
            (14, "LS007".to_string()),
            (44, "LS003".to_string()),
            (60, "LS008".to_string())
        ],
        "{found:#?}"
    );
    let missing = found.iter().find(|d| d["code"] == "LS003").unwrap();
    let start = missing["range"]["start"]["character"].as_u64().unwrap() as usize;
    let end = missing["range"]["end"]["character"].as_u64().unwrap() as usize;
    let line = edited.lines().nth(43).unwrap();
    assert_eq!(&line[start..end], "secnd", "{missing}");
    assert!(
        missing["message"]
            .as_str()
            .unwrap()
            .contains("Did you mean `second`?"),
        "{missing}"
    );
    // The module open beside it now lacks SecondFunction's handler.
    let in_module = client.diagnostics(&a, 1);
    assert_eq!(
        codes(&in_module),
        [(1, "LH001".to_string())],
        "{in_module:#?}"
    );

    // Fixed in the module instead: the template's problem goes away when it is saved.
    let renamed = app.replace("def second(", "def secnd(");
    replace_all(&mut client, &a, 2, &renamed);
    assert_eq!(client.diagnostics(&a, 2), Vec::<Value>::new());
    std::fs::write(&app_path, &renamed).unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": a, "type": 2}]}),
    );
    assert_eq!(
        codes(&client.diagnostics(&t, 2)),
        [(14, "LS007".to_string()), (60, "LS008".to_string())]
    );

    // Closing the template goes back to the saved one, whose handler is `second` again.
    client.notify("textDocument/didClose", json!({"textDocument": {"uri": t}}));
    let back = client.diagnostics(&a, 2);
    assert_eq!(codes(&back), [(1, "LH001".to_string())], "{back:#?}");
    assert!(
        back[0]["message"]
            .as_str()
            .unwrap()
            .contains("defines no `second`"),
        "{back:#?}"
    );
    client.shutdown();
}

/// The sam init projects and the shop read clean in the editor as in `check`.
#[test]
fn sam_init_handlers_are_clean() {
    let temp = tempfile::tempdir().unwrap();
    copy_tree(&repo_root().join("tests/fixtures/sam"), temp.path());
    let (mut client, _) = LspClient::start(temp.path(), &["utf-16"]);
    let files: Vec<PathBuf> = [
        "sam-init/hello-world/hello_world/app.py",
        "sam-init/hello-world/template.yaml",
        "sam-init/quick-start-web/src/handlers/put_item.py",
        "sam-init/eventbridge-hello/hello_world_function/hello_world/app.py",
        "shop/src/orders.py",
        "shop/template.yaml",
    ]
    .iter()
    .map(|f| temp.path().join(f))
    .collect();
    for (version, path) in files.iter().enumerate() {
        let u = uri(path);
        let text = std::fs::read_to_string(path).unwrap();
        client.open(&u, &text, version as i64 + 1);
        let found = client.diagnostics(&u, version as i64 + 1);
        assert_eq!(found, Vec::<Value>::new(), "{}", path.display());
    }
    // The template's functions are there: lenses on a sam init handler, and the events
    // `sam init` keeps beside the template.
    let hello = uri(Path::new(&files[0]));
    let events = execute(&mut client, "lambda.listEvents", json!({"uri": hello}));
    assert_eq!(
        events["result"]["files"][0]["path"],
        json!(temp
            .path()
            .join("sam-init/hello-world/events/event.json")
            .display()
            .to_string()),
        "{events}"
    );
    let lenses = client.request(
        "textDocument/codeLens",
        json!({"textDocument": {"uri": hello}}),
    );
    assert!(
        lenses.to_string().contains("λ HelloWorldFunction · python3.13 · 128 MB · 3 s · event: api (template.yaml#HelloWorldFunction event)"),
        "{lenses}"
    );
    client.shutdown();
}

/// The explorer's "Lambda Functions" view: every function of the workspace, lambda.toml and
/// template alike, each with the arguments that run commands on it.
#[test]
fn the_functions_view_lists_every_function_with_its_command_arguments() {
    let temp = tempfile::tempdir().unwrap();
    copy_tree(&repo_root().join("tests/fixtures/sam"), temp.path());
    let (mut client, init) = LspClient::start(temp.path(), &["utf-16"]);
    let commands = init["capabilities"]["executeCommandProvider"]["commands"].to_string();
    assert!(commands.contains("lambda.listFunctions"), "{commands}");

    let listed = execute(&mut client, "lambda.listFunctions", json!({}));
    let result = &listed["result"];
    let functions = result["functions"].as_array().unwrap();
    // The sam init projects' 9, the shop's 4, twins' 3, problems' 5 (its lambda.toml
    // folder as the lambda.toml's, once), the export fixture's 6 lambda.toml functions.
    assert_eq!(functions.len(), 27, "{listed:#}");
    // The broken template is said, not hidden.
    let problems = result["problems"].to_string();
    assert!(
        problems.contains("broken/template.yaml: line 13"),
        "{problems}"
    );

    let second = functions
        .iter()
        .find(|f| f["source"] == "template.yaml#SecondFunction")
        .unwrap();
    let app = uri(&temp.path().join("twins/src/app.py"));
    assert_eq!(
        second,
        &json!({
            "uri": app,
            "handler": "SecondFunction",
            "name": "SecondFunction",
            "folder": uri(&temp.path().join("twins/src")),
            "handlerPath": "app.second",
            "runtime": "python3.12",
            "architecture": "x86_64",
            "memory": 128,
            "timeout": 10,
            "source": "template.yaml#SecondFunction",
            "triggers": ["sqs"],
        })
    );
    let toml = functions
        .iter()
        .find(|f| f["source"] == "lambda.toml" && f["name"] == "owned-by-lambda-toml")
        .unwrap();
    assert_eq!(toml["handler"], "owned-by-lambda-toml", "{toml}");

    // An item's `uri` and `handler` are what the commands take.
    let events = execute(
        &mut client,
        "lambda.listEvents",
        json!({"uri": second["uri"], "handler": second["handler"]}),
    );
    assert!(events["result"]["templates"].is_array(), "{events}");
    let invoked = execute(
        &mut client,
        "lambda.invoke",
        json!({"uri": second["uri"], "handler": second["handler"], "event": "sqs"}),
    );
    assert_eq!(invoked["result"]["function"], "SecondFunction", "{invoked}");

    // Folders named explicitly instead of the workspace's.
    let one = execute(
        &mut client,
        "lambda.listFunctions",
        json!({"folders": [uri(&temp.path().join("twins"))]}),
    );
    let names: Vec<&str> = one["result"]["functions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["handler"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["FirstFunction", "LoudFunction", "SecondFunction"]);
    client.shutdown();
}

/// `lambda.templates`: a template with another name, here beside the code rather than above
/// it, is read as a template.yaml is; cleared, its functions are gone.
#[test]
fn templates_with_other_names_come_from_the_setting() {
    let temp = tempfile::tempdir().unwrap();
    let root = temp.path();
    std::fs::create_dir_all(root.join("infra")).unwrap();
    std::fs::create_dir_all(root.join("src")).unwrap();
    let stack = "Transform: AWS::Serverless-2016-10-31\nResources:\n  Worker:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: ../src\n      Handler: app.work\n      Runtime: python3.12\n";
    std::fs::write(root.join("infra/stack.yaml"), stack).unwrap();
    let app = "def handle(event, context):\n    return event\n";
    std::fs::write(root.join("src/app.py"), app).unwrap();
    let (mut client, _) = LspClient::start_with_options(
        root,
        &["utf-16"],
        json!({"templates": ["infra/stack.yaml"]}),
    );
    let a = uri(&root.join("src/app.py"));
    client.open(&a, app, 1);
    let found = client.diagnostics(&a, 1);
    assert_eq!(codes(&found), [(1, "LH001".to_string())], "{found:#?}");
    assert!(
        found[0]["message"]
            .as_str()
            .unwrap()
            .contains("`Handler` of `Worker` in stack.yaml"),
        "{found:#?}"
    );
    let s = uri(&root.join("infra/stack.yaml"));
    client.open(&s, stack, 1);
    assert_eq!(
        codes(&client.diagnostics(&s, 1)),
        [(7, "LS003".to_string())]
    );
    // The open template re-checked app.py; take that before the setting changes.
    client.diagnostics(&a, 1);

    client.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"lambda": {"templates": []}}}),
    );
    assert_eq!(client.diagnostics(&a, 1), Vec::<Value>::new());
    client.shutdown();
}
