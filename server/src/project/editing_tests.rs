//! Completion and hover fixtures: `$0` marks the cursor.

use super::*;

const TODAY: Date = Date::new(2026, 11, 26);

fn at(fixture: &str) -> (String, usize) {
    let offset = fixture.find("$0").expect("fixture needs a $0 cursor");
    (fixture.replace("$0", ""), offset)
}

fn completions(fixture: &str) -> (String, Vec<Completion>) {
    let (text, offset) = at(fixture);
    let items = complete_on(&text, offset, TODAY);
    (text, items)
}

fn labels(fixture: &str) -> Vec<String> {
    completions(fixture)
        .1
        .into_iter()
        .map(|c| c.label)
        .collect()
}

/// The text after applying the completion labelled `label`.
fn apply(fixture: &str, label: &str) -> String {
    let (mut text, items) = completions(fixture);
    let item = items.iter().find(|c| c.label == label).unwrap_or_else(|| {
        panic!(
            "no `{label}` in {:?}",
            items.iter().map(|c| &c.label).collect::<Vec<_>>()
        )
    });
    text.replace_range(item.edit.range.clone(), &item.edit.new_text);
    text
}

fn hover_at(fixture: &str) -> Option<(String, String)> {
    let (text, offset) = at(fixture);
    hover_on(&text, offset, TODAY).map(|h| (text[h.range].to_string(), h.markdown))
}

#[test]
fn root_keys_not_yet_present() {
    let got = labels("name = \"x\"\nmem$0\n");
    assert!(got.contains(&"memory".to_string()));
    assert!(got.contains(&"timeout".to_string()));
    assert!(
        !got.contains(&"name".to_string()),
        "present keys are not offered"
    );
    assert_eq!(
        apply("name = \"x\"\nmem$0\n", "memory"),
        "name = \"x\"\nmemory = \n"
    );
    let (_, items) = completions("$0");
    let memory = items.iter().find(|c| c.label == "memory").unwrap();
    let doc = memory.documentation.as_deref().unwrap();
    assert!(
        doc.contains("128–10240 MB") && doc.contains("Default: 128"),
        "{doc}"
    );
}

#[test]
fn renaming_an_existing_key_replaces_the_key_only() {
    assert_eq!(apply("tim$0out = 30\n", "timeout"), "timeout = 30\n");
    assert!(!labels("tim$0out = 30\n").contains(&"[[trigger]]".to_string()));
}

#[test]
fn table_headers_only_where_they_do_not_swallow_root_keys() {
    assert!(labels("name = \"x\"\n$0\n").contains(&"[[trigger]]".to_string()));
    assert!(!labels("$0\nname = \"x\"\n").contains(&"[[trigger]]".to_string()));
    assert_eq!(
        apply("name = \"x\"\n$0", "[[trigger]]"),
        "name = \"x\"\n[[trigger]]\ntype = "
    );
    assert!(!labels("[environment]\nA1 = \"1\"\n$0").contains(&"[environment]".to_string()));
    assert_eq!(apply("[[tri$0]]\n", "trigger"), "[[trigger]]\n");
    assert_eq!(apply("[env$0\n", "environment"), "[environment]\n");
    assert!(labels("[[$0").iter().all(|l| l != "environment"));
}

#[test]
fn trigger_keys_follow_the_type() {
    let got = labels("[[trigger]]\ntype = \"s3\"\n$0\n");
    assert!(got.contains(&"bucket".to_string()));
    assert!(got.contains(&"prefix".to_string()));
    assert!(!got.contains(&"type".to_string()));
    assert!(
        !got.contains(&"memory".to_string()),
        "root keys do not belong in a trigger"
    );
    // The type may come after the cursor.
    let got = labels("[[trigger]]\n$0\ntype = \"function-url\"\n");
    assert!(got.contains(&"auth".to_string()));
    assert_eq!(
        labels("[[trigger]]\n$0\n"),
        ["type", "[environment]", "[[trigger]]"]
    );
}

#[test]
fn runtime_values_with_status_and_quoting() {
    let (_, items) = completions("runtime = $0");
    assert_eq!(items[0].label, "python3.14");
    assert!(items.iter().any(|c| c.label == "python3.10"
        && c.detail
            .as_deref()
            .unwrap()
            .contains("deprecated since Oct 31, 2026")));
    assert!(
        items.iter().all(|c| c.label != "python3.8"),
        "blocked runtimes are not offered"
    );
    assert_eq!(
        apply("runtime = $0", "python3.13"),
        "runtime = \"python3.13\""
    );
    assert_eq!(
        apply("runtime = \"py$0", "python3.13"),
        "runtime = \"python3.13\""
    );
    // The closing quote the editor inserted is replaced too.
    assert_eq!(
        apply("runtime = \"py$0\"\n", "python3.13"),
        "runtime = \"python3.13\"\n"
    );
    assert!(labels("runtime = \"python3.13\" $0").is_empty());
}

#[test]
fn enum_boolean_and_trigger_type_values() {
    assert_eq!(labels("architecture = $0"), ["x86_64", "arm64"]);
    assert_eq!(
        apply("[[trigger]]\ntype = \"function-url\"\nauth = '$0'", "NONE"),
        "[[trigger]]\ntype = \"function-url\"\nauth = \"NONE\""
    );
    assert_eq!(
        apply("[[trigger]]\ntype = \"function-url\"\ncors = t$0", "true"),
        "[[trigger]]\ntype = \"function-url\"\ncors = true"
    );
    let kinds = labels("[[trigger]]\ntype = \"$0\"");
    assert!(kinds.contains(&"schedule".to_string()) && kinds.contains(&"http-api".to_string()));
    assert_eq!(
        apply("[[trigger]]\ntype = \"sch$0\"", "schedule"),
        "[[trigger]]\ntype = \"schedule\""
    );
    assert!(
        labels("memory = $0").is_empty(),
        "no values to propose for free integers"
    );
    assert!(
        labels("# runtime = $0").is_empty(),
        "nothing inside comments"
    );
}

#[test]
fn array_elements_and_env_inline_tables() {
    assert_eq!(
        apply(
            "[[trigger]]\ntype = \"s3\"\nevents = [\"s3:ObjectCreated:*\", \"s3:ObjectRem$0",
            "s3:ObjectRemoved:*"
        ),
        "[[trigger]]\ntype = \"s3\"\nevents = [\"s3:ObjectCreated:*\", \"s3:ObjectRemoved:*\""
    );
    assert_eq!(
        apply("[environment]\nKEY = { fr$0", "from_env"),
        "[environment]\nKEY = { from_env = "
    );
    assert!(
        labels("[environment]\n$0").is_empty(),
        "environment names are the user's"
    );
}

#[test]
fn hover_on_keys() {
    let (range, md) = hover_at("mem$0ory = 256\n").unwrap();
    assert_eq!(range, "memory");
    assert!(
        md.contains("Memory in MB") && md.contains("Default: 128"),
        "{md}"
    );
    let (range, md) = hover_at("arch$0itecture = \"arm64\"").unwrap();
    assert_eq!(range, "architecture");
    assert!(md.contains("`x86_64`") && md.contains("`arm64`"));
    let (range, md) = hover_at("[[trigger]]\ntype = \"s3\"\nbuc$0ket = \"b\"\n").unwrap();
    assert_eq!(range, "bucket");
    assert!(
        md.contains("`s3` trigger") && md.contains("required"),
        "{md}"
    );
    let (range, md) = hover_at("[[trig$0ger]]\n").unwrap();
    assert_eq!(range, "trigger");
    assert!(md.contains("Event sources"));
    let (range, md) = hover_at("lay$0ers = []\n").unwrap();
    assert_eq!(range, "layers");
    assert!(
        md.contains("At most 5") && md.contains("/opt/python"),
        "{md}"
    );
    assert!(labels("lay$0").contains(&"layers".to_string()));
    assert!(hover_at("unknown$0 = 1\n").is_none());
    assert!(hover_at("memory = 256 # a comm$0ent\n").is_none());
}

#[test]
fn hover_on_values() {
    let (range, md) = hover_at("runtime = \"python3.1$00\"\n").unwrap();
    assert_eq!(range, "\"python3.10\"");
    assert!(
        md.contains("**deprecated**") && md.contains("Oct 31, 2026"),
        "{md}"
    );
    let (_, md) = hover_at("runtime = \"python3.13$0\"").unwrap();
    assert!(
        md.contains("**supported**") && md.contains("Jun 30, 2029"),
        "{md}"
    );
    let (_, md) = hover_at("architecture = \"arm$064\"").unwrap();
    assert!(md.contains("Graviton"));
    let (range, md) = hover_at("[[trigger]]\ntype = \"sq$0s\"\n").unwrap();
    assert_eq!(range, "\"sqs\"");
    assert!(md.contains("SQS") && md.contains("`queue`"), "{md}");
    let (range, md) = hover_at("[environment]\nKEY = { from_e$0nv = \"X\" }\n").unwrap();
    assert_eq!(range, "from_env");
    assert!(md.contains("shell"));
}

#[test]
fn hover_on_environment_names() {
    let (range, md) = hover_at("[environment]\nAP$0I_KEY = { from_env = \"BME_KEY\" }\n").unwrap();
    assert_eq!(range, "API_KEY");
    assert!(md.contains("`BME_KEY`") && md.contains(".env"), "{md}");
    let (_, md) = hover_at("[environment]\nBU$0CKET = \"x\"\n").unwrap();
    assert!(md.contains("literal"));
}

#[test]
fn offsets_past_the_end_or_inside_characters_are_safe() {
    let text = "name = \"é\"\n";
    for offset in 0..=text.len() + 3 {
        let _ = complete_on(text, offset, TODAY);
        let _ = hover_on(text, offset, TODAY);
    }
}

#[test]
fn api_gateway_keys_completion_and_hover() {
    let http = labels("[[trigger]]\ntype = \"http-api\"\n$0");
    for key in ["path", "method", "cors"] {
        assert!(http.contains(&key.to_string()), "{http:?}");
    }
    assert!(!http.contains(&"stage".to_string()), "{http:?}");
    let rest = labels("[[trigger]]\ntype = \"api\"\n$0");
    assert!(rest.contains(&"stage".to_string()), "{rest:?}");
    assert!(!rest.contains(&"cors".to_string()), "{rest:?}");
    // cors: a boolean, unquoted, or an inline table whose keys complete.
    assert_eq!(
        apply("[[trigger]]\ntype = \"http-api\"\ncors = t$0", "true"),
        "[[trigger]]\ntype = \"http-api\"\ncors = true"
    );
    assert_eq!(
        labels("[[trigger]]\ntype = \"http-api\"\ncors = { origins = [\"*\"], $0"),
        ["methods", "headers"]
    );
    assert_eq!(
        apply("[[trigger]]\ntype = \"http-api\"\ncors = { or$0", "origins"),
        "[[trigger]]\ntype = \"http-api\"\ncors = { origins = "
    );
    let (range, md) = hover_at("[[trigger]]\ntype = \"http-api\"\nco$0rs = true\n").unwrap();
    assert_eq!(range, "cors");
    assert!(
        md.contains("a boolean or a table") && md.contains("origins"),
        "{md}"
    );
    let (range, md) =
        hover_at("[[trigger]]\ntype = \"http-api\"\ncors = { hea$0ders = [\"x\"] }\n").unwrap();
    assert_eq!(range, "headers");
    assert!(md.contains("request headers"), "{md}");
    let (_, md) = hover_at("[[trigger]]\ntype = \"http-api\"\npa$0th = \"/sum\"\n").unwrap();
    assert!(md.contains("/<function name>"), "{md}");
    let (_, md) = hover_at("[[trigger]]\ntype = \"api\"\nsta$0ge = \"prod\"\n").unwrap();
    assert!(md.contains("Default: default"), "{md}");
}
