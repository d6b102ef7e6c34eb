//! The catalog cross-checked against a second, independent, machine-readable description
//! of the events: the serde structs of the `aws_lambda_events` crate (AWS's Rust runtime
//! project). Every published sample and every catalog template is read into the crate's
//! struct for its source and written back out; the output holds every field the struct
//! knows (absent ones as `null`), and each of its keys must be in the catalog's shape,
//! unless the allow-list below says why not.

use aws_lambda_events::event as aws;
use lambda_ls::catalog::{all_events, Shape, ShapeKind};
use lambda_ls_e2e::repo_root;
use serde::{de::DeserializeOwned, Serialize};
use serde_json::Value;

/// Read `value` as `T` and write it back (through text: some structs borrow strings).
fn through<T: DeserializeOwned + Serialize>(value: &Value) -> Result<Value, String> {
    let typed: T = serde_json::from_str(&value.to_string()).map_err(|e| e.to_string())?;
    serde_json::to_value(typed).map_err(|e| e.to_string())
}

type RoundTrip = fn(&Value) -> Result<Value, String>;

/// The crate's struct for each source: trigger type, the start of the sample file names it
/// reads (empty: all; catalog templates use the first entry of their trigger), the struct.
const STRUCTS: &[(&str, &str, RoundTrip)] = &[
    ("s3", "", through::<aws::s3::S3Event>),
    ("api", "", through::<aws::apigw::ApiGatewayProxyRequest>),
    (
        "http-api",
        "",
        through::<aws::apigw::ApiGatewayV2httpRequest>,
    ),
    (
        "function-url",
        "",
        through::<aws::lambda_function_urls::LambdaFunctionUrlRequest>,
    ),
    ("alb", "", through::<aws::alb::AlbTargetGroupRequest>),
    (
        "schedule",
        "",
        through::<aws::cloudwatch_events::CloudWatchEvent>,
    ),
    (
        "eventbridge",
        "",
        through::<aws::cloudwatch_events::CloudWatchEvent>,
    ),
    ("sqs", "", through::<aws::sqs::SqsEvent>),
    ("sns", "", through::<aws::sns::SnsEvent>),
    (
        "dynamodb",
        "dynamodb-event",
        through::<aws::dynamodb::Event>,
    ),
    (
        "dynamodb",
        "dynamodb-time-window",
        through::<aws::dynamodb::TimeWindowEvent>,
    ),
    (
        "kinesis",
        "kinesis-event",
        through::<aws::kinesis::KinesisEvent>,
    ),
    (
        "kinesis",
        "kinesis-time-window",
        through::<aws::kinesis::KinesisTimeWindowEvent>,
    ),
    (
        "firehose",
        "",
        through::<aws::firehose::KinesisFirehoseEvent>,
    ),
    ("kafka", "", through::<aws::kafka::KafkaEvent>),
    (
        "cloudwatch-logs",
        "",
        through::<aws::cloudwatch_logs::LogsEvent>,
    ),
    (
        "cognito-user-pool",
        "cognito-event-userpools-presignup",
        through::<aws::cognito::CognitoEventUserPoolsPreSignup>,
    ),
    (
        "cognito-user-pool",
        "cognito-event-userpools-preauthentication",
        through::<aws::cognito::CognitoEventUserPoolsPreAuthentication>,
    ),
    (
        "cognito-user-pool",
        "cognito-event-userpools-postconfirmation",
        through::<aws::cognito::CognitoEventUserPoolsPostConfirmation>,
    ),
    (
        "cognito-user-pool",
        "cognito-event-userpools-postauthentication",
        through::<aws::cognito::CognitoEventUserPoolsPostAuthentication>,
    ),
    (
        "cognito-user-pool",
        "cognito-event-userpools-pretokengen.json",
        through::<aws::cognito::CognitoEventUserPoolsPreTokenGen>,
    ),
    (
        "cognito-user-pool",
        "cognito-event-userpools-pretokengen-v2",
        through::<aws::cognito::CognitoEventUserPoolsPreTokenGenV2>,
    ),
    (
        "cognito-user-pool",
        "cognito-event-userpools-migrateuser",
        through::<aws::cognito::CognitoEventUserPoolsMigrateUser>,
    ),
    (
        "cognito-user-pool",
        "cognito-event-userpools-custommessage",
        through::<aws::cognito::CognitoEventUserPoolsCustomMessage>,
    ),
    (
        "cognito-user-pool",
        "cognito-event-userpools-define-auth-challenge",
        through::<aws::cognito::CognitoEventUserPoolsDefineAuthChallenge>,
    ),
    (
        "cognito-user-pool",
        "cognito-event-userpools-create-auth-challenge",
        through::<aws::cognito::CognitoEventUserPoolsCreateAuthChallenge>,
    ),
    (
        "cognito-user-pool",
        "cognito-event-userpools-verify-auth-challenge",
        through::<aws::cognito::CognitoEventUserPoolsVerifyAuthChallenge>,
    ),
    ("ses", "", through::<aws::ses::SimpleEmailEvent>),
    (
        "cloudformation",
        "",
        through::<aws::cloudformation::CloudFormationCustomResourceRequest>,
    ),
    (
        "s3-batch",
        "",
        through::<aws::s3::batch_job::S3BatchJobEvent>,
    ),
    (
        "appsync",
        "appsync-lambda-auth",
        through::<aws::appsync::AppSyncLambdaAuthorizerRequest>,
    ),
    (
        "appsync",
        "template appsync-authorizer",
        through::<aws::appsync::AppSyncLambdaAuthorizerRequest>,
    ),
    (
        "appsync",
        "template appsync",
        through::<aws::appsync::AppSyncDirectResolverEvent>,
    ),
    (
        "appsync",
        "appsync-identity-iam",
        through::<aws::appsync::AppSyncIamIdentity>,
    ),
    (
        "appsync",
        "appsync-identity-cognito",
        through::<aws::appsync::AppSyncCognitoIdentity>,
    ),
    (
        "iot",
        "iot-button",
        through::<aws::iot_button::IoTButtonEvent>,
    ),
    (
        "iot",
        "iot-1-click",
        through::<aws::iot_1_click::IoTOneClickEvent>,
    ),
    (
        "iot",
        "iot-custom-auth",
        through::<aws::iot::IoTCoreCustomAuthorizerRequest>,
    ),
    ("config", "", through::<aws::config::ConfigEvent>),
    (
        "codecommit",
        "",
        through::<aws::code_commit::CodeCommitEvent>,
    ),
    (
        "codepipeline",
        "",
        through::<aws::codepipeline_job::CodePipelineJobEvent>,
    ),
    (
        "secretsmanager",
        "",
        through::<aws::secretsmanager::SecretsManagerSecretRotationEvent>,
    ),
    (
        "api-websocket",
        "",
        through::<aws::apigw::ApiGatewayWebsocketProxyRequest>,
    ),
    (
        "api-authorizer",
        "apigw-custom-auth-request.json",
        through::<aws::apigw::ApiGatewayCustomAuthorizerRequest>,
    ),
    (
        "api-authorizer",
        "apigw-custom-auth-request-type",
        through::<aws::apigw::ApiGatewayCustomAuthorizerRequestTypeRequest>,
    ),
    (
        "api-authorizer",
        "apigw-v2-custom-authorizer-v1",
        through::<aws::apigw::ApiGatewayV2CustomAuthorizerV1Request>,
    ),
    (
        "api-authorizer",
        "apigw-v2-custom-authorizer-v2",
        through::<aws::apigw::ApiGatewayV2CustomAuthorizerV2Request>,
    ),
    ("activemq", "", through::<aws::activemq::ActiveMqEvent>),
    ("rabbitmq", "", through::<aws::rabbitmq::RabbitMqEvent>),
    (
        "s3-object-lambda",
        "",
        through::<aws::s3::object_lambda::S3ObjectLambdaEvent>,
    ),
    ("connect", "", through::<aws::connect::ConnectEvent>),
    ("lex", "", through::<aws::lex::LexEvent>),
    (
        "kinesis-analytics",
        "",
        through::<aws::kinesis::analytics::KinesisAnalyticsOutputDeliveryEvent>,
    ),
    (
        "clientvpn",
        "",
        through::<aws::clientvpn::ClientVpnConnectionHandlerRequest>,
    ),
];

/// Keys the crate's structs have and the catalog deliberately lacks, with the reason.
/// Paths as printed by the test (`[]` for any array element, `*` for any map value).
const ALLOWED: &[(&str, &str, &str)] = &[
    // The crate's DynamoDB record doubles as the record of Kinesis Data Streams for
    // DynamoDB, which arrives as a Kinesis event; a DynamoDB Streams event has neither.
    (
        "dynamodb",
        "Records[].recordFormat",
        "Kinesis Data Streams for DynamoDB only",
    ),
    (
        "dynamodb",
        "Records[].tableName",
        "Kinesis Data Streams for DynamoDB only",
    ),
    // The crate's HTTP API request struct doubles as a payload 2.0 authorizer request:
    // these are authorizer fields, never in an HTTP API integration's event.
    ("http-api", "authorizationToken", "authorizer request field"),
    (
        "http-api",
        "httpMethod",
        "authorizer request field (v2 events: requestContext.http.method)",
    ),
    ("http-api", "identitySource", "authorizer request field"),
    ("http-api", "methodArn", "authorizer request field"),
    ("http-api", "resource", "authorizer request field"),
    ("http-api", "type", "authorizer request field"),
    // The crate puts the Lex V1 response's `dialogAction` on the request struct too.
    (
        "lex",
        "dialogAction",
        "a field of the function's response, not of the event",
    ),
    // The crate's receipt action is the union of every SES receipt rule action (S3, bounce,
    // SNS, WorkMail, stop); the catalog lists the Lambda, S3 and SNS ones.
    (
        "ses",
        "Records[].ses.receipt.action.message",
        "bounce action only",
    ),
    (
        "ses",
        "Records[].ses.receipt.action.sender",
        "bounce action only",
    ),
    (
        "ses",
        "Records[].ses.receipt.action.smtpReplyCode",
        "bounce action only",
    ),
    (
        "ses",
        "Records[].ses.receipt.action.statusCode",
        "bounce action only",
    ),
    (
        "ses",
        "Records[].ses.receipt.action.organizationArn",
        "WorkMail action only",
    ),
    // `dialogAction` above aside, Lex V1 events match.
];

/// Samples the crate cannot read, and why (none of them is the catalog's fault).
const UNREADABLE: &[(&str, &str)] = &[
    (
        "cognito-event-userpools-custommessage.json",
        "its `triggerSource` lists every value, a placeholder",
    ),
    (
        "cognito-event-userpools-pretokengen.json",
        "its `triggerSource` is `PreTokenGen`, a placeholder",
    ),
    (
        "cognito-event-userpools-inbound-federation-oidc.json",
        "the crate has no struct for inbound federation",
    ),
    (
        "cognito-event-userpools-inbound-federation-saml.json",
        "the crate has no struct for inbound federation",
    ),
    (
        "iot-preprovision-hook-request.json",
        "the crate has no struct for the pre-provisioning hook",
    ),
    (
        "ses-s3-event.json",
        "an SES-stored S3 notification without `eventTime`, which the crate requires",
    ),
];

/// The keys of `value` (and below) that `shape` does not know, as paths.
fn unknown_keys(shape: &Shape, value: &Value, at: &str, out: &mut Vec<String>) {
    match (&shape.kind, value) {
        (ShapeKind::Object { fields, open }, Value::Object(map)) => {
            for (key, child) in map {
                let path = if at.is_empty() {
                    key.clone()
                } else {
                    format!("{at}.{key}")
                };
                match fields.iter().find(|(name, _)| name == key) {
                    Some((_, field)) => unknown_keys(field, child, &path, out),
                    None if *open => {}
                    None => out.push(path),
                }
            }
        }
        (ShapeKind::Map { value: values }, Value::Object(map)) => {
            for child in map.values() {
                unknown_keys(values, child, &format!("{at}.*"), out);
            }
        }
        (ShapeKind::Array { item }, Value::Array(items)) => {
            for child in items {
                unknown_keys(item, child, &format!("{at}[]"), out);
            }
        }
        _ => {}
    }
}

fn samples_of(trigger: &str) -> Vec<(String, Value)> {
    let folder = repo_root().join("tests/fixtures/events").join(trigger);
    let mut files: Vec<_> = std::fs::read_dir(&folder)
        .unwrap_or_else(|e| panic!("{}: {e}", folder.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap())
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            (name, value)
        })
        .collect()
}

#[test]
fn every_field_the_rust_structs_know_is_in_the_catalog() {
    let mut problems = Vec::new();
    let mut read = 0;
    let mut used_allowances = std::collections::HashSet::new();
    for spec in all_events() {
        let structs: Vec<_> = STRUCTS.iter().filter(|(t, ..)| *t == spec.name).collect();
        assert!(
            !structs.is_empty(),
            "{}: no struct of aws_lambda_events is mapped to this event",
            spec.name
        );
        let mut inputs = samples_of(&spec.name);
        for template in &spec.templates {
            inputs.push((
                format!("template {}", template.name),
                template.value.clone(),
            ));
        }
        for (name, value) in inputs {
            if UNREADABLE.iter().any(|(file, _)| *file == name) {
                continue;
            }
            let is_template = name.starts_with("template ");
            let Some((_, _, round_trip)) = structs
                .iter()
                .find(|(_, prefix, _)| name.starts_with(prefix))
                .or_else(|| is_template.then_some(&structs[0]))
            else {
                problems.push(format!("{}/{name}: no struct reads this sample", spec.name));
                continue;
            };
            let output = match round_trip(&value) {
                Ok(output) => output,
                Err(error) => {
                    problems.push(format!(
                        "{}/{name}: the crate cannot read it: {error}",
                        spec.name
                    ));
                    continue;
                }
            };
            read += 1;
            let mut unknown = Vec::new();
            unknown_keys(&spec.shape, &output, "", &mut unknown);
            for path in unknown {
                let allowed = ALLOWED
                    .iter()
                    .find(|(event, allowed, _)| *event == spec.name && *allowed == path);
                match allowed {
                    Some(entry) => {
                        used_allowances.insert((entry.0, entry.1));
                    }
                    None => problems.push(format!("{}: `{path}`", spec.name)),
                }
            }
        }
    }
    problems.sort();
    problems.dedup();
    assert!(read >= 100, "only {read} events read through the crate");
    assert!(
        problems.is_empty(),
        "{} key(s) the crate knows and the catalog lacks:\n{}",
        problems.len(),
        problems.join("\n")
    );
    for (event, path, _) in ALLOWED {
        assert!(
            used_allowances.contains(&(*event, *path)),
            "allow-list entry {event}: `{path}` is no longer needed"
        );
    }
}
