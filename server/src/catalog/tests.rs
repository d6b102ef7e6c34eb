use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use super::*;

fn path(text: &str) -> Vec<PathSegment> {
    parse_path(text).unwrap()
}

fn shape_of(trigger: &str) -> &'static Shape {
    &event(trigger).unwrap().shape
}

/// The published samples, one folder per trigger type (a copy of the shared event samples
/// kept in the repository's end-to-end fixtures).
fn samples_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/events")
}

fn sample_folders() -> Vec<(String, Vec<PathBuf>)> {
    let mut folders = Vec::new();
    for entry in std::fs::read_dir(samples_root()).expect("tests/fixtures/events exists") {
        let entry = entry.unwrap();
        if !entry.file_type().unwrap().is_dir() {
            continue;
        }
        let mut files: Vec<PathBuf> = std::fs::read_dir(entry.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        files.sort();
        folders.push((entry.file_name().to_string_lossy().into_owned(), files));
    }
    folders.sort();
    folders
}

#[test]
fn every_key_path_of_every_sample_is_in_the_catalog() {
    let folders = sample_folders();
    assert!(
        folders.len() >= 30,
        "expected the sample folders, found {}",
        folders.len()
    );
    let mut problems = Vec::new();
    let mut checked = 0;
    for (folder, files) in &folders {
        let Some(spec) = event(folder) else {
            problems.push(format!(
                "{folder}: no event in the catalog for this trigger type"
            ));
            continue;
        };
        for file in files {
            let value: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap())
                .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            for mismatch in spec.shape.check(&value) {
                problems.push(format!(
                    "{folder}/{}: {mismatch}",
                    file.file_name().unwrap().to_string_lossy()
                ));
            }
            checked += 1;
        }
    }
    assert!(checked >= 90, "expected the ~95 samples, checked {checked}");
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn every_catalog_event_has_samples() {
    let folders: Vec<String> = sample_folders().into_iter().map(|(f, _)| f).collect();
    for spec in all_events() {
        assert!(folders.contains(&spec.name), "no samples for {}", spec.name);
    }
}

#[test]
fn the_check_fails_when_a_closed_shape_lacks_a_key() {
    let mut sample = json!({"Records": [{"s3": {"bucket": {"name": "b", "nmae": "typo"}}}]});
    let problems = shape_of("s3").check(&sample);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].path, "Records[0].s3.bucket.nmae");
    assert_eq!(problems[0].message, "unknown key (did you mean `name`?)");
    // Types are checked too.
    sample["Records"][0]["s3"]["bucket"] = json!({"name": 5});
    assert_eq!(
        shape_of("s3").check(&sample)[0].to_string(),
        "Records[0].s3.bucket.name: expected a string, found a number"
    );
}

#[test]
fn open_shapes_accept_unknown_keys_by_design() {
    let sample = json!({
        "detail": {"anything": {"deep": [1, 2]}},
        "source": "com.example"
    });
    assert!(shape_of("eventbridge").check(&sample).is_empty());
    let sample = json!({
        "headers": {"X-Custom-Header": "1"},
        "requestContext": {"authorizer": {"tenant": "acme", "principalId": "me"}}
    });
    assert!(shape_of("api").check(&sample).is_empty());
}

#[test]
fn every_template_fits_its_own_shape() {
    let mut names = std::collections::HashSet::new();
    for template in templates() {
        assert!(
            names.insert(template.name.clone()),
            "duplicate template {}",
            template.name
        );
        let Some(trigger) = &template.trigger else {
            continue; // plain JSON of a direct invocation: no shape
        };
        let problems = shape_of(trigger).check(&template.value);
        assert!(problems.is_empty(), "{}: {problems:?}", template.name);
        assert!(!template.description.is_empty());
    }
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
    ] {
        assert!(names.contains(expected), "missing template {expected}");
    }
}

#[test]
fn every_node_has_a_doc_and_every_leaf_an_example() {
    fn walk(shape: &Shape, at: &str, missing: &mut Vec<String>) {
        if shape.doc.trim().is_empty() || shape.doc.starts_with("TODO") {
            missing.push(format!("{at}: doc"));
        }
        match &shape.kind {
            ShapeKind::Object { fields, .. } => {
                for (key, child) in fields {
                    walk(child, &format!("{at}.{key}"), missing);
                }
            }
            ShapeKind::Map { value } => walk(value, &format!("{at}.*"), missing),
            ShapeKind::Array { item } => walk(item, &format!("{at}[]"), missing),
            ShapeKind::String | ShapeKind::Number | ShapeKind::Bool => {
                if shape.example.is_none() && !shape.nullable {
                    missing.push(format!("{at}: example"));
                }
            }
            ShapeKind::Null | ShapeKind::Any => {}
        }
    }
    let mut missing = Vec::new();
    for spec in all_events() {
        assert!(
            !spec.title.is_empty() && !spec.doc.is_empty(),
            "{}",
            spec.name
        );
        walk(&spec.shape, &spec.name, &mut missing);
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

#[test]
fn lookup_finds_nested_keys_through_array_indexes() {
    let Lookup::Found(name) = shape_of("s3").lookup(&path("Records[3].s3.bucket.name")) else {
        panic!("not found");
    };
    assert_eq!(name.kind, ShapeKind::String);
    assert!(name.doc.contains("bucket"), "{}", name.doc);
    assert!(name.example.is_some());
    let Lookup::Found(records) = shape_of("sqs").lookup(&path("Records")) else {
        panic!()
    };
    assert_eq!(records.type_name(), "list");
    // Maps take any key: headers, DynamoDB images.
    assert!(
        matches!(shape_of("api").lookup(&path("headers.X-Anything")), Lookup::Found(s) if s.kind == ShapeKind::String)
    );
    assert!(matches!(
        shape_of("dynamodb").lookup(&path("Records[0].dynamodb.NewImage.price.N")),
        Lookup::Found(s) if s.kind == ShapeKind::String
    ));
    // Recursive DynamoDB maps are expanded a few levels, then left open.
    assert!(matches!(
        shape_of("dynamodb").lookup(&path(
            "Records[0].dynamodb.NewImage.a.M.b.M.c.M.d.M.e.M.f.S"
        )),
        Lookup::Open { .. }
    ));
}

#[test]
fn lookup_suggests_similar_keys_when_missing() {
    match shape_of("s3").lookup(&path("Records[0].s3.bukcet")) {
        Lookup::Missing {
            at, suggestions, ..
        } => {
            assert_eq!(at, 3);
            assert_eq!(suggestions.first().map(String::as_str), Some("bucket"));
        }
        other => panic!("{other:?}"),
    }
    match shape_of("api").lookup(&path("querystringparameters")) {
        Lookup::Missing { suggestions, .. } => {
            assert_eq!(suggestions[0], "queryStringParameters");
        }
        other => panic!("{other:?}"),
    }
    // Indexing an object, or keying an array, is missing without suggestions.
    assert!(matches!(
        shape_of("sqs").lookup(&path("Records.body")),
        Lookup::Missing { at: 1, ref suggestions, .. } if suggestions.is_empty()
    ));
    // Nothing close: no suggestions.
    assert!(matches!(
        shape_of("sqs").lookup(&path("zzzzqqq")),
        Lookup::Missing { ref suggestions, .. } if suggestions.is_empty()
    ));
}

#[test]
fn completion_keys_list_fields_and_map_examples() {
    let Lookup::Found(record) = shape_of("sqs").lookup(&path("Records[0]")) else {
        panic!()
    };
    let keys = record.completion_keys();
    assert_eq!(keys[0], "messageId");
    assert!(keys.contains(&"body"));
    let Lookup::Found(headers) = shape_of("api").lookup(&path("headers")) else {
        panic!()
    };
    assert!(headers.completion_keys().contains(&"Content-Type"));
    let Lookup::Found(body) = shape_of("api").lookup(&path("body")) else {
        panic!()
    };
    assert!(body.completion_keys().is_empty());
}

#[test]
fn lookup_into_open_shapes_is_open() {
    assert!(matches!(
        shape_of("eventbridge").lookup(&path("detail.orderId")),
        Lookup::Open { .. }
    ));
    assert!(matches!(
        shape_of("api").lookup(&path("requestContext.authorizer.tenant")),
        Lookup::Open { .. }
    ));
    assert!(matches!(
        shape_of("api").lookup(&path("requestContext.authorizer.principalId")),
        Lookup::Found(_)
    ));
    assert!(matches!(
        shape_of("cloudformation").lookup(&path("ResourceProperties.BucketName")),
        Lookup::Open { .. }
    ));
}

#[test]
fn context_model_has_every_documented_member() {
    let context = context();
    assert_eq!(context.name, "LambdaContext");
    for name in [
        "function_name",
        "function_version",
        "invoked_function_arn",
        "memory_limit_in_mb",
        "aws_request_id",
        "log_group_name",
        "log_stream_name",
        "identity",
        "client_context",
        "tenant_id",
        "get_remaining_time_in_millis",
    ] {
        let member = context.member(name).unwrap_or_else(|| panic!("{name}"));
        assert!(!member.doc.is_empty());
    }
    assert_eq!(
        context.member("memory_limit_in_mb").unwrap().annotation,
        "str"
    );
    let method = context.member("get_remaining_time_in_millis").unwrap();
    assert_eq!(
        method.kind,
        PyMemberKind::Method {
            signature: "() -> int".into()
        }
    );
    assert!(
        matches!(context.lookup(&["identity", "cognito_identity_id"]), PyLookup::Found(m) if m.annotation == "Optional[str]")
    );
    assert!(
        matches!(context.lookup(&["client_context", "client", "app_title"]), PyLookup::Found(m) if m.annotation == "str")
    );
    assert!(
        matches!(context.lookup(&["client_context", "custom", "plan"]), PyLookup::Open(m) if m.name == "custom")
    );
    assert!(matches!(
        context.lookup(&["client_context", "env", "locale"]),
        PyLookup::Open(_)
    ));
    match context.lookup(&["aws_requestid"]) {
        PyLookup::Missing { at: 0, suggestions } => assert_eq!(suggestions[0], "aws_request_id"),
        other => panic!("{other:?}"),
    }
    match context.lookup(&["client_context", "client", "app_titel"]) {
        PyLookup::Missing { at: 2, suggestions } => assert_eq!(suggestions[0], "app_title"),
        other => panic!("{other:?}"),
    }
    // A str attribute has no attributes of its own.
    assert!(matches!(
        context.lookup(&["function_name", "x"]),
        PyLookup::Missing { at: 1, .. }
    ));
}

#[test]
fn annotations_map_to_trigger_types() {
    let cases = [
        ("aws_lambda_typing.events.S3Event", Some("s3")),
        (
            "aws_lambda_typing.events.APIGatewayProxyEventV1",
            Some("api"),
        ),
        (
            "aws_lambda_typing.events.APIGatewayProxyEventV2",
            Some("http-api"),
        ),
        ("aws_lambda_typing.events.SQSEvent", Some("sqs")),
        ("aws_lambda_typing.events.SNSEvent", Some("sns")),
        (
            "aws_lambda_typing.events.DynamoDBStreamEvent",
            Some("dynamodb"),
        ),
        (
            "aws_lambda_typing.events.EventBridgeEvent",
            Some("eventbridge"),
        ),
        (
            "aws_lambda_typing.events.CloudWatchLogsEvent",
            Some("cloudwatch-logs"),
        ),
        (
            "aws_lambda_typing.events.KinesisStreamEvent",
            Some("kinesis"),
        ),
        ("aws_lambda_typing.events.MSKEvent", Some("kafka")),
        (
            "aws_lambda_powertools.utilities.data_classes.S3Event",
            Some("s3"),
        ),
        (
            "aws_lambda_powertools.utilities.data_classes.APIGatewayProxyEvent",
            Some("api"),
        ),
        (
            "aws_lambda_powertools.utilities.data_classes.APIGatewayProxyEventV2",
            Some("http-api"),
        ),
        (
            "aws_lambda_powertools.utilities.data_classes.LambdaFunctionUrlEvent",
            Some("function-url"),
        ),
        (
            "aws_lambda_powertools.utilities.data_classes.ALBEvent",
            Some("alb"),
        ),
        (
            "aws_lambda_powertools.utilities.data_classes.sqs_event.SQSEvent",
            Some("sqs"),
        ),
        (
            "aws_lambda_powertools.utilities.data_classes.KafkaEvent",
            Some("kafka"),
        ),
        ("S3Event", Some("s3")),
        ("APIGatewayProxyEvent", Some("api")),
        ("LambdaFunctionUrlEvent", Some("function-url")),
        ("'SQSEvent'", Some("sqs")),
        ("dict", None),
        ("Dict[str, Any]", None),
        ("mypkg.S3Event", None),
    ];
    for (name, expected) in cases {
        assert_eq!(event_for_annotation(name), expected, "{name}");
    }
}

#[test]
fn inference_ranks_the_event_that_has_the_keys_first() {
    let s3 = infer_from_keys(&[
        path("Records[0].s3.bucket.name"),
        path("Records[0].s3.object.key"),
    ]);
    assert_eq!(s3[0], ("s3", 1.0));
    let sqs = infer_from_keys(&[path("Records[0].body"), path("Records[0].messageId")]);
    assert_eq!(sqs[0].0, "sqs");
    let api = infer_from_keys(&[path("queryStringParameters.name"), path("httpMethod")]);
    assert_eq!(api[0].0, "api");
    let v2 = infer_from_keys(&[path("requestContext.http.method"), path("rawPath")]);
    assert!(["http-api", "function-url"].contains(&v2[0].0), "{v2:?}");
    let sns = infer_from_keys(&[path("Records[0].Sns.Message")]);
    assert_eq!(sns, vec![("sns", 1.0)]);
    let dynamo = infer_from_keys(&[path("Records[0].dynamodb.NewImage.id.S")]);
    assert_eq!(dynamo[0].0, "dynamodb");
    let eventbridge = infer_from_keys(&[path("detail-type"), path("detail.orderId")]);
    assert!(
        ["eventbridge", "schedule"].contains(&eventbridge[0].0),
        "{eventbridge:?}"
    );
    // Scores never rise above 1 and a partial fit ranks below a full one.
    let mixed = infer_from_keys(&[
        path("Records[0].s3.bucket.name"),
        path("Records[0].eventSource"),
    ]);
    assert_eq!(mixed[0], ("s3", 1.0));
    assert!(mixed[1..].iter().all(|(_, score)| *score < 1.0));
    // Nothing fits: nothing comes back.
    assert!(infer_from_keys(&[path("no_such_key_anywhere")]).is_empty());
    assert!(infer_from_keys(&[]).is_empty());
}

#[test]
fn templates_come_from_the_catalog_examples() {
    let put = template("s3-put").unwrap();
    let example = shape_of("s3").lookup(&path("Records[0].s3.bucket.name"));
    let Lookup::Found(bucket) = example else {
        panic!()
    };
    assert_eq!(
        &put["Records"][0]["s3"]["bucket"]["name"],
        bucket.example.as_ref().unwrap()
    );
    assert_eq!(put["Records"][0]["eventName"], "ObjectCreated:Put");
    let delete = template("s3-delete").unwrap();
    assert_eq!(delete["Records"][0]["eventName"], "ObjectRemoved:Delete");
    assert!(delete["Records"][0]["s3"]["object"].get("size").is_none());
    // Optional keys (present only for some S3 events) are left out.
    assert!(put["Records"][0].get("glacierEventData").is_none());
    assert!(template("nope").is_none());
    // A trigger type stands for its first template.
    assert_eq!(template("s3"), Some(put));
    assert_eq!(
        template("cognito-user-pool"),
        template("cognito-pre-signup")
    );
}

#[test]
fn the_consoles_templates_are_there_under_the_consoles_names() {
    // The console opens its test tab on `hello-world`; it comes first.
    let first = templates().next().unwrap();
    assert_eq!(first.name, "hello-world");
    assert_eq!(first.trigger, None);
    assert_eq!(
        first.value,
        json!({"key1": "value1", "key2": "value2", "key3": "value3"})
    );
    // The console's names of the triggers' templates find them too.
    for (console, ours) in [
        ("apigateway-aws-proxy", "api"),
        ("apigateway-authorizer", "api-authorizer"),
        ("sqs-receive-message", "sqs"),
        ("sns-notification", "sns"),
        ("dynamodb-update", "dynamodb-modify"),
        ("cloudwatch-scheduled-event", "schedule"),
        ("cloudformation-create-request", "cloudformation"),
        ("ses-email-receiving", "ses"),
        ("codecommit-repository", "codecommit"),
        ("kinesis-get-records", "kinesis"),
        ("s3-put", "s3-put"),
        ("cloudwatch-logs", "cloudwatch-logs"),
    ] {
        assert_eq!(
            find_template(console).map(|t| t.name.as_str()),
            Ok(ours),
            "{console}"
        );
    }
    // `--set` works on them as on any other.
    let edited = render_template("hello-world", &["key1=changed".to_string()]).unwrap();
    assert_eq!(edited["key1"], "changed");
}

#[test]
fn render_applies_assignments_with_catalog_aware_values() {
    let event = render_template(
        "api",
        &[
            "body={\"a\":1}".to_string(),
            "queryStringParameters.a=1".to_string(),
            "requestContext.authorizer.tenant={\"sub\":\"x\"}".to_string(),
            "isBase64Encoded=true".to_string(),
        ],
    )
    .unwrap();
    assert_eq!(event["body"], "{\"a\":1}");
    assert_eq!(event["queryStringParameters"]["a"], "1");
    // Open parts take any JSON value.
    assert_eq!(
        event["requestContext"]["authorizer"]["tenant"],
        json!({"sub": "x"})
    );
    assert_eq!(event["isBase64Encoded"], true);
    let event = render_template("s3-put", &["Records[0].s3.object.size=2048".into()]).unwrap();
    assert_eq!(event["Records"][0]["s3"]["object"]["size"], 2048);
    match render_template("s3-pot", &[]) {
        Err(TemplateError::Unknown { suggestions, .. }) => assert_eq!(suggestions[0], "s3-put"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        render_template("sqs", &["nobody".into()]),
        Err(TemplateError::BadAssignment { .. })
    ));
    assert!(matches!(
        render_template("sqs", &["Records[9].body=x".into()]),
        Err(TemplateError::Path(_))
    ));
}

#[test]
fn data_errors_are_reported_with_their_place() {
    let bad = r#"{"name": "x", "title": "t", "doc": "d", "templates": [{"name": "x", "description": "d"}],
        "shape": {"type": "object", "doc": "d", "fields": {"a": {"type": "strnig", "doc": "d"}}}}"#;
    assert_eq!(
        parse_event("x", bad).unwrap_err(),
        "a: unknown type `strnig`"
    );
    let bad = r#"{"name": "x", "title": "t", "doc": "d", "templates": [{"name": "x", "description": "d", "with": ["b"]}],
        "shape": {"type": "object", "doc": "d", "fields": {"a": {"type": "string", "doc": "d"}}}}"#;
    assert!(parse_event("x", bad)
        .unwrap_err()
        .contains("`with` path `b`"));
}
