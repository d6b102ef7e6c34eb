//! Event and context intelligence over LSP: completion, hover and key checks for each
//! way the event type is chosen (trigger, annotation, inference, unknown), with the real
//! server over stdio.

mod support;

use std::path::PathBuf;

use serde_json::{json, Value};
use support::lsp::{apply_edits, uri, utf16_position, LspClient};
use support::{copy_tree, repo_root};

struct Fixture {
    _dir: tempfile::TempDir,
    root: PathBuf,
    client: LspClient,
}

fn start() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    copy_tree(&repo_root().join("tests/fixtures/intelligence"), &root);
    let (client, _) = LspClient::start(&root, &["utf-16"]);
    Fixture {
        _dir: dir,
        root,
        client,
    }
}

impl Fixture {
    fn path(&self, file: &str) -> PathBuf {
        self.root.join(file)
    }

    /// Open `file` with `text` (version 1) and return its diagnostics.
    fn open(&mut self, file: &str, text: &str) -> Vec<Value> {
        let u = uri(&self.path(file));
        self.client.open(&u, text, 1);
        self.client.diagnostics(&u, 1)
    }

    /// Open `file` with its text where `$0` marks the cursor; complete there and return
    /// the items and the text without the marker.
    fn complete(&mut self, file: &str, marked: &str) -> (Vec<Value>, String) {
        let offset = marked.find("$0").expect("a $0 cursor marker");
        let text = marked.replacen("$0", "", 1);
        let u = uri(&self.path(file));
        self.client.open(&u, &text, 1);
        let (line, character) = utf16_position(&text, offset);
        let result = self.client.request(
            "textDocument/completion",
            json!({"textDocument": {"uri": u}, "position": {"line": line, "character": character}}),
        );
        self.client
            .notify("textDocument/didClose", json!({"textDocument": {"uri": u}}));
        (result.as_array().cloned().unwrap_or_default(), text)
    }

    fn hover(&mut self, file: &str, text: &str, needle: &str, nth: usize) -> String {
        let u = uri(&self.path(file));
        self.client.open(&u, text, 1);
        let offset = text.match_indices(needle).nth(nth).unwrap().0 + 1;
        let (line, character) = utf16_position(text, offset);
        let result = self.client.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": u}, "position": {"line": line, "character": character}}),
        );
        self.client
            .notify("textDocument/didClose", json!({"textDocument": {"uri": u}}));
        result["contents"]["value"]
            .as_str()
            .unwrap_or("")
            .to_string()
    }
}

fn labels(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .map(|i| i["label"].as_str().unwrap().to_string())
        .collect()
}

fn item<'a>(items: &'a [Value], label: &str) -> &'a Value {
    items
        .iter()
        .find(|i| i["label"] == label)
        .unwrap_or_else(|| panic!("no `{label}` in {:?}", labels(items)))
}

/// The text after accepting `label`.
fn accept(items: &[Value], label: &str, text: &str) -> String {
    let edit = item(items, label)["textEdit"].clone();
    apply_edits(text, &[edit])
}

fn handler(body: &str) -> String {
    format!("import json\n\n\ndef lambda_handler(event, context):\n{body}")
}

const S3: &str = "s3-report/lambda_function.py";

#[test]
fn completes_event_keys_in_subscripts_and_gets() {
    let mut f = start();
    let (items, text) = f.complete(S3, &handler("    x = event[\"$0\"]\n"));
    assert_eq!(labels(&items), vec!["Records"]);
    assert_eq!(
        accept(&items, "Records", &text),
        handler("    x = event[\"Records\"]\n")
    );

    // Typing `event["Rec` without the editor's auto-closed quote and bracket.
    let (items, text) = f.complete(S3, &handler("    x = event[\"Rec$0\n"));
    assert_eq!(
        accept(&items, "Records", &text),
        handler("    x = event[\"Records\"]\n")
    );
    assert_eq!(item(&items, "Records")["filterText"], "\"Records");

    // Single quotes stay single; `.get('…')` leaves its parenthesis alone.
    let (items, text) = f.complete(S3, &handler("    x = event.get('$0')\n"));
    assert_eq!(
        accept(&items, "Records", &text),
        handler("    x = event.get('Records')\n")
    );

    // Right after `[`: the quotes come with the key.
    let (items, text) = f.complete(S3, &handler("    x = event[$0\n"));
    assert_eq!(
        accept(&items, "Records", &text),
        handler("    x = event[\"Records\"]\n")
    );
}

#[test]
fn completes_through_indexes_loops_and_assignments() {
    let mut f = start();
    let (items, _) = f.complete(
        S3,
        &handler("    x = event[\"Records\"][0][\"s3\"][\"$0\"]\n"),
    );
    let found = labels(&items);
    assert!(
        found.contains(&"bucket".to_string()) && found.contains(&"object".to_string()),
        "{found:?}"
    );
    let bucket = item(&items, "bucket");
    assert!(
        bucket["documentation"]["value"]
            .as_str()
            .unwrap()
            .contains("Example"),
        "{bucket}"
    );

    let body = "    for record in event[\"Records\"]:\n        s3 = record[\"s3\"]\n        s3[\"object\"][\"$0\"]\n";
    let (items, _) = f.complete(S3, &handler(body));
    assert!(
        labels(&items).contains(&"key".to_string()),
        "{:?}",
        labels(&items)
    );
    assert!(item(&items, "key")["detail"]
        .as_str()
        .unwrap()
        .contains("str"));

    let body = "    keys = [r[\"$0\"] for r in event[\"Records\"]]\n";
    let (items, _) = f.complete(S3, &handler(body));
    assert!(
        labels(&items).contains(&"eventName".to_string()),
        "{:?}",
        labels(&items)
    );

    let body = "    rec = event.get(\"Records\", [{}])[0]\n    rec.get(\"s3\", {}).get(\"$0\")\n";
    let (items, _) = f.complete(S3, &handler(body));
    assert!(
        labels(&items).contains(&"bucket".to_string()),
        "{:?}",
        labels(&items)
    );
}

#[test]
fn completes_one_level_into_called_helpers() {
    let mut f = start();
    let text = "def summarise(record):\n    return record[\"s3\"][\"$0\"]\n\n\ndef lambda_handler(event, context):\n    for record in event[\"Records\"]:\n        summarise(record)\n";
    let (items, _) = f.complete(S3, text);
    assert!(
        labels(&items).contains(&"bucket".to_string()),
        "{:?}",
        labels(&items)
    );
}

#[test]
fn completes_context_attributes() {
    let mut f = start();
    let (items, text) = f.complete(S3, &handler("    print(context.$0)\n"));
    let found = labels(&items);
    for expected in [
        "function_name",
        "aws_request_id",
        "memory_limit_in_mb",
        "get_remaining_time_in_millis",
        "identity",
        "client_context",
    ] {
        assert!(
            found.contains(&expected.to_string()),
            "{expected} in {found:?}"
        );
    }
    assert_eq!(
        accept(&items, "get_remaining_time_in_millis", &text),
        handler("    print(context.get_remaining_time_in_millis())\n")
    );
    let (items, text) = f.complete(S3, &handler("    print(context.aws_req$0)\n"));
    assert_eq!(
        accept(&items, "aws_request_id", &text),
        handler("    print(context.aws_request_id)\n")
    );

    let (items, _) = f.complete(S3, &handler("    print(context.identity.$0)\n"));
    assert!(
        labels(&items).contains(&"cognito_identity_id".to_string()),
        "{:?}",
        labels(&items)
    );
    let (items, _) = f.complete(
        S3,
        &handler("    print(context.client_context.client.$0)\n"),
    );
    assert!(
        labels(&items).contains(&"app_title".to_string()),
        "{:?}",
        labels(&items)
    );
    let (items, _) = f.complete(S3, &handler("    c = context.client_context\n    c.$0\n"));
    assert!(
        labels(&items).contains(&"custom".to_string()),
        "{:?}",
        labels(&items)
    );
}

#[test]
fn non_ascii_before_the_cursor() {
    let mut f = start();
    let (items, text) = f.complete(S3, &handler("    año_😀 = \"ñ\"; x = event[\"Rec$0\"]\n"));
    assert_eq!(
        accept(&items, "Records", &text),
        handler("    año_😀 = \"ñ\"; x = event[\"Records\"]\n")
    );
    let (items, text) = f.complete(S3, &handler("    print(\"é😀\", context.func$0)\n"));
    assert_eq!(
        accept(&items, "function_name", &text),
        handler("    print(\"é😀\", context.function_name)\n")
    );
}

#[test]
fn hovers_on_keys_and_attributes() {
    let mut f = start();
    let text = std::fs::read_to_string(f.path(S3)).unwrap();
    let markdown = f.hover(S3, &text, "\"object\"", 0);
    assert!(
        markdown.contains("event[\"Records\"][0][\"s3\"][\"object\"]"),
        "{markdown}"
    );
    let markdown = f.hover(S3, &text, "function_name", 0);
    assert!(
        markdown.contains("context.function_name: str"),
        "{markdown}"
    );
    // The handler's hover says where the event type came from.
    let markdown = f.hover(S3, &text, "lambda_handler", 0);
    assert!(
        markdown.contains("`event`: s3 (lambda.toml trigger)"),
        "{markdown}"
    );
}

#[test]
fn warns_on_keys_and_attributes_the_shape_lacks() {
    let mut f = start();
    let body = "    event[\"Records\"][0][\"\"]\n    print(context.function_nam)\n    for record in event[\"Records\"]:\n        record[\"s3\"][\"bucket\"][\"nmae\"]\n        record[\"s3\"][\"bucket\"][\"nmae\"][\"deeper\"]\n    body = json.loads(event[\"Records\"][0][\"body\"])\n";
    let diagnostics = f.open(S3, &handler(body));
    let found: Vec<_> = diagnostics
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let context = found
        .iter()
        .find(|d| d.0 == "LH010")
        .expect("context attribute warning");
    assert!(
        context.1.contains("Did you mean `function_name`?"),
        "{context:?}"
    );
    let keys: Vec<_> = found.iter().filter(|d| d.0 == "LH009").collect();
    assert_eq!(
        keys.len(),
        3,
        "nmae twice (not `deeper`), and `body`: {found:?}"
    );
    assert!(keys[0].1.contains("Did you mean `name`?"), "{keys:?}");
    assert!(
        keys[2].1.contains("`body`"),
        "an S3 record has no body: {keys:?}"
    );
}

#[test]
fn no_warnings_for_open_shapes_and_user_payloads() {
    let mut f = start();
    let text = std::fs::read_to_string(f.path("bridge/lambda_function.py")).unwrap();
    let diagnostics = f.open("bridge/lambda_function.py", &text);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    let text = std::fs::read_to_string(f.path("inferred/lambda_function.py")).unwrap();
    let diagnostics = f.open("inferred/lambda_function.py", &text);
    assert!(diagnostics.is_empty(), "headers are a map: {diagnostics:?}");
}

#[test]
fn event_type_from_annotation_inference_or_unknown() {
    let mut f = start();
    let text = std::fs::read_to_string(f.path("annotated/lambda_function.py")).unwrap();
    let markdown = f.hover("annotated/lambda_function.py", &text, "lambda_handler", 0);
    assert!(
        markdown.contains("sqs (annotation `SQSEvent`)"),
        "{markdown}"
    );
    let (items, _) = f.complete(
        "annotated/lambda_function.py",
        &text.replace("print(message[\"body\"])", "print(message[\"$0\"])"),
    );
    assert!(
        labels(&items).contains(&"receiptHandle".to_string()),
        "{:?}",
        labels(&items)
    );

    let text = std::fs::read_to_string(f.path("inferred/lambda_function.py")).unwrap();
    let markdown = f.hover("inferred/lambda_function.py", &text, "lambda_handler", 0);
    assert!(
        markdown.contains("http-api") && markdown.contains("(inferred from the keys read)"),
        "{markdown}"
    );

    // Nothing to go on: every source's keys, each labelled with the events that have it.
    let text = std::fs::read_to_string(f.path("unknown/lambda_function.py")).unwrap();
    let (items, _) = f.complete(
        "unknown/lambda_function.py",
        &text.replace("print(event)", "print(event[\"$0\"])"),
    );
    let records = item(&items, "Records");
    let detail = records["detail"].as_str().unwrap();
    assert!(detail.contains("s3") && detail.contains("sqs"), "{detail}");
    assert!(labels(&items).contains(&"queryStringParameters".to_string()));
    let lenses = {
        let u = uri(&f.path("unknown/lambda_function.py"));
        f.client.open(&u, &text, 1);
        f.client
            .request("textDocument/codeLens", json!({"textDocument": {"uri": u}}))
    };
    assert!(
        lenses
            .to_string()
            .contains("event: any (no trigger configured)"),
        "{lenses}"
    );
}

#[test]
fn every_published_sample_is_known_to_the_server() {
    // For each sample in tests/fixtures/events/<type>/, a handler with that trigger reads
    // every key path of the sample: the server must not warn about any of them.
    let mut f = start();
    let samples = repo_root().join("tests/fixtures/events");
    let mut checked = 0;
    for entry in std::fs::read_dir(&samples).unwrap() {
        let folder = entry.unwrap().path();
        if !folder.is_dir() {
            continue;
        }
        let trigger = folder.file_name().unwrap().to_string_lossy().to_string();
        let function = f.root.join(format!("sample-{trigger}"));
        std::fs::create_dir_all(&function).unwrap();
        std::fs::write(
            function.join("lambda.toml"),
            format!("[[trigger]]\ntype = \"{trigger}\"\n"),
        )
        .unwrap();
        let mut files: Vec<_> = std::fs::read_dir(&folder)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        for (index, file) in files
            .iter()
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .enumerate()
        {
            let sample: Value = serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
            let mut reads = Vec::new();
            collect_reads(&sample, "event".to_string(), &mut reads);
            let text = format!(
                "def lambda_handler(event, context):\n{}    return None\n",
                reads
                    .iter()
                    .map(|r| format!("    {r}\n"))
                    .collect::<String>()
            );
            let path = function.join("lambda_function.py");
            let u = uri(&path);
            f.client.open(&u, &text, (index + 1) as i64);
            let diagnostics = f.client.diagnostics(&u, (index + 1) as i64);
            assert!(
                diagnostics.is_empty(),
                "{}: {diagnostics:#?}",
                file.display()
            );
            f.client
                .notify("textDocument/didClose", json!({"textDocument": {"uri": u}}));
            checked += 1;
        }
    }
    assert!(checked >= 90, "only {checked} samples found");
}

fn collect_reads(value: &Value, expression: String, reads: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let escaped = key.replace('\\', "\\\\").replace('"', "\\\"");
                let next = format!("{expression}[\"{escaped}\"]");
                reads.push(next.clone());
                collect_reads(child, next, reads);
            }
        }
        Value::Array(items) => {
            for child in items {
                collect_reads(child, format!("{expression}[0]"), reads);
            }
        }
        _ => {}
    }
}

#[test]
fn huge_chains_and_deep_nesting_neither_stall_nor_crash_the_server() {
    let mut f = start();
    // `event["a"]` 3,000 times: the analysis was once cubic (93 s of CPU for this 6-line
    // file, far past the client's 30 s timeout); one warning, on the first unknown key.
    let chain = handler(&format!(
        "    x = event{}\n    return x\n",
        "[\"a\"]".repeat(3000)
    ));
    let diagnostics = f.open(S3, &chain);
    let unknown: Vec<_> = diagnostics
        .iter()
        .filter(|d| d["code"] == "LH009")
        .collect();
    assert_eq!(unknown.len(), 1, "{diagnostics:?}");
    assert_eq!(unknown[0]["range"]["start"]["character"], 14);

    let u = uri(&f.path(S3));
    f.client
        .notify("textDocument/didClose", json!({"textDocument": {"uri": u}}));

    // Literals and calls nested 20,000 deep in the handler: walked without recursion, so
    // the server's threads keep their stacks; it answers the next request.
    let nested = handler(&format!(
        "    print(f({}1{}))\n    return {}event[\"Records\"]{}\n",
        "g(".repeat(20_000),
        ")".repeat(20_000),
        "[".repeat(20_000),
        "]".repeat(20_000)
    ));
    f.open(S3, &nested);
    f.client
        .notify("textDocument/didClose", json!({"textDocument": {"uri": u}}));
    let (items, _) = f.complete(S3, &handler("    x = event[\"Records\"][0][\"$0\"]\n"));
    assert!(
        labels(&items).contains(&"s3".to_string()),
        "{:?}",
        labels(&items)
    );
}

const POWERTOOLS: &str = "powertools/lambda_function.py";

fn powertools_handler(body: &str) -> String {
    format!(
        "from aws_lambda_powertools.utilities.data_classes import S3Event\n\n\n\
         def lambda_handler(event: S3Event, context):\n{body}"
    )
}

fn codes_and_messages(diagnostics: &[Value]) -> Vec<(String, String)> {
    diagnostics
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap_or("").to_string(),
                d["message"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

#[test]
fn powertools_data_classes_are_followed_by_attribute() {
    let mut f = start();
    // The fixture reads everything through attributes, correctly: no warning.
    let text = std::fs::read_to_string(f.path(POWERTOOLS)).unwrap();
    let diagnostics = f.open(POWERTOOLS, &text);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    let markdown = f.hover(POWERTOOLS, &text, "lambda_handler", 0);
    assert!(markdown.contains("s3 (Powertools `S3Event`)"), "{markdown}");

    // Completion after `.`, at each level.
    let (items, text) = f.complete(POWERTOOLS, &powertools_handler("    event.$0\n"));
    let found = labels(&items);
    for expected in [
        "records",
        "record",
        "bucket_name",
        "object_key",
        "raw_event",
        "get",
    ] {
        assert!(
            found.contains(&expected.to_string()),
            "{expected} in {found:?}"
        );
    }
    assert_eq!(
        accept(&items, "records", &text),
        powertools_handler("    event.records\n")
    );
    let (items, _) = f.complete(
        POWERTOOLS,
        &powertools_handler("    for record in event.records:\n        record.s3.bucket.$0\n"),
    );
    let found = labels(&items);
    assert!(
        ["name", "arn", "owner_identity"]
            .iter()
            .all(|e| found.contains(&e.to_string())),
        "{found:?}"
    );
    let name = item(&items, "name");
    assert_eq!(name["detail"], "str");
    let (items, _) = f.complete(
        POWERTOOLS,
        &powertools_handler("    x = event.records[0].s3.bucket.$0\n"),
    );
    assert!(
        labels(&items).contains(&"name".to_string()),
        "{:?}",
        labels(&items)
    );

    // Hover: the member, the key it reads, the key's doc and example, the source.
    let text = powertools_handler("    return event.record.s3.bucket.name\n");
    let markdown = f.hover(POWERTOOLS, &text, "name", 0);
    assert!(
        markdown.contains("(property) S3Bucket.name: str"),
        "{markdown}"
    );
    assert!(markdown.contains("Reads `[\"name\"]`"), "{markdown}");
    assert!(markdown.contains("Name of the bucket"), "{markdown}");
    assert!(markdown.contains("aws-lambda-powertools 3."), "{markdown}");

    // Warnings: an attribute the class lacks; indexing a generator; dict access as before.
    let body = "    for record in event.records:\n        record.s3.bucket.nmae\n    \
                first = event.records[0]\n    event[\"Records\"][0][\"s3\"][\"bukcet\"]\n";
    // A new version: the completions above published diagnostics for version 1 too.
    let u = uri(&f.path(POWERTOOLS));
    f.client
        .notify("textDocument/didClose", json!({"textDocument": {"uri": u}}));
    f.client.open(&u, &powertools_handler(body), 2);
    let diagnostics = f.client.diagnostics(&u, 2);
    let found = codes_and_messages(&diagnostics);
    assert_eq!(found.len(), 3, "{found:#?}");
    assert!(found.iter().all(|(code, _)| code == "LH009"), "{found:#?}");
    assert!(
        found[0].1.contains("`S3Bucket` has no attribute `nmae`")
            && found[0].1.contains("Did you mean `name`?"),
        "{found:#?}"
    );
    assert!(
        found[1].1.contains("`records` is a generator")
            && found[1].1.contains("TypeError")
            && found[1].1.contains("`.record`"),
        "{found:#?}"
    );
    assert!(found[2].1.contains("Did you mean `bucket`?"), "{found:#?}");
}

#[test]
fn powertools_event_source_decorator_wraps_the_event() {
    let mut f = start();
    let text =
        "from aws_lambda_powertools.utilities.data_classes import SQSEvent, event_source\n\n\n\
                @event_source(data_class=SQSEvent)\ndef lambda_handler(event, context):\n    \
                for record in event.records:\n        print(record.json_body, record.bdy)\n";
    let diagnostics = f.open(POWERTOOLS, text);
    let found = codes_and_messages(&diagnostics);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].1.contains("`SQSRecord` has no attribute `bdy`"),
        "{found:#?}"
    );
    assert!(found[0].1.contains("Did you mean `body`?"), "{found:#?}");
    let markdown = f.hover(POWERTOOLS, text, "json_body", 0);
    assert!(
        markdown.contains("(property) SQSRecord.json_body: Any"),
        "{markdown}"
    );
    assert!(
        markdown.contains("Computed from `[\"body\"]`"),
        "{markdown}"
    );

    // Without Powertools, `event.records` is a dict's attribute: nothing is said.
    let plain = "def lambda_handler(event, context):\n    event.records\n";
    assert!(f.open("unknown/lambda_function.py", plain).is_empty());
}
