//! Deploy, triggers and remote invoke through the real `lambda-ls` binary and the real AWS
//! SDK over HTTP, against moto's server (a local AWS emulator; `tests/setup/aws.sh` installs
//! it). Each test starts its own moto on 127.0.0.1 and kills it by pid when done; an
//! independent client (boto3, `fixtures/deploy/aws_call.py`) sets up and checks the results,
//! and moto's request recording proves what was (not) sent.

mod aws_emulator;
mod support;

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use aws_emulator::*;
use serde_json::{json, Value};

#[test]
fn create_then_nothing_then_code_then_configuration() {
    let moto = Moto::start();
    let (_temp, dir) = work_copy("hello");

    // Create.
    let out = assert_ok(&moto.cli(&dir, &["deploy"]));
    assert!(
        out.starts_with("Created hello in eu-west-1, account 123456789012"),
        "{out}"
    );
    assert!(
        out.contains("function: created (python3.12, x86_64, 128 MB, 10 s)"),
        "{out}"
    );
    assert!(
        out.contains("arn: arn:aws:lambda:eu-west-1:123456789012:function:hello"),
        "{out}"
    );
    let created = function(&moto, "hello");
    let config = &created["Configuration"];
    assert_eq!(config["Runtime"], "python3.12");
    assert_eq!(config["Handler"], "lambda_function.lambda_handler");
    assert_eq!(config["Role"], ROLE);
    assert_eq!(config["Environment"]["Variables"]["API_KEY"], SECRET);
    assert_eq!(config["Environment"]["Variables"]["GREETING"], "hello");
    let sha = config["CodeSha256"].as_str().unwrap().to_string();
    assert!(out.contains(&format!("CodeSha256 {sha}")), "{out}");

    // The same function again: nothing is sent but reads, not one byte of code.
    let before = moto.recorded().len();
    let started = Instant::now();
    let output = moto.cli(&dir, &["deploy"]);
    let elapsed = started.elapsed();
    let out = assert_ok(&output);
    assert!(
        out.starts_with("hello in eu-west-1, account 123456789012 is up to date: nothing changed"),
        "{out}"
    );
    assert!(
        out.contains("note: code unchanged (same CodeSha256), nothing uploaded"),
        "{out}"
    );
    assert!(out.contains("uploaded: 0 bytes"), "{out}");
    let requests = moto.recorded()[before..].to_vec();
    assert_eq!(changing_requests(&requests), Vec::<String>::new());
    let sent: usize = requests.iter().map(|r| body_bytes(r).len()).sum();
    assert_eq!(sent, 0, "request bodies of the no-op deploy");
    eprintln!(
        "no-op redeploy: {:.3} s wall (process start to exit), {} requests, {sent} body bytes",
        elapsed.as_secs_f64(),
        requests.len()
    );
    assert_eq!(
        function(&moto, "hello")["Configuration"]["LastModified"],
        config["LastModified"]
    );

    // New code: uploaded, and the deployed CodeSha256 is the package's.
    std::fs::write(
        dir.join("lambda_function.py"),
        "def lambda_handler(event, context):\n    return 'v2'\n",
    )
    .unwrap();
    let out = assert_ok(&moto.cli(&dir, &["deploy"]));
    assert!(out.starts_with("Updated hello"), "{out}");
    assert!(out.contains("code: upload"), "{out}");
    let updated = function(&moto, "hello");
    let new_sha = updated["Configuration"]["CodeSha256"].as_str().unwrap();
    assert_ne!(new_sha, sha);
    assert!(out.contains(&format!("CodeSha256 {new_sha}")), "{out}");
    assert!(!out.contains("memory"), "{out}");

    // Configuration: a dry run reports and changes nothing; the deploy brings it in line.
    let toml = std::fs::read_to_string(dir.join("lambda.toml")).unwrap();
    let toml = toml
        .replace("memory = 128", "memory = 256")
        .replace("timeout = 10", "timeout = 20")
        .replace("runtime = \"python3.12\"", "runtime = \"python3.13\"")
        .replace(
            "GREETING = \"hello\"",
            "GREETING = \"bonjour\"\nLEVEL = \"debug\"",
        );
    std::fs::write(dir.join("lambda.toml"), toml).unwrap();
    let before = moto.recorded().len();
    let out = assert_ok(&moto.cli(&dir, &["deploy", "--dry-run"]));
    assert!(out.starts_with("Plan for hello"), "{out}");
    assert!(out.contains("memory: 128 MB → 256 MB"), "{out}");
    assert!(out.contains("dry run: nothing was changed"), "{out}");
    assert_eq!(
        changing_requests(&moto.recorded()[before..]),
        Vec::<String>::new()
    );
    assert_eq!(function(&moto, "hello")["Configuration"]["MemorySize"], 128);

    let out = assert_ok(&moto.cli(&dir, &["deploy"]));
    for change in [
        "runtime: python3.12 → python3.13",
        "memory: 128 MB → 256 MB",
        "timeout: 10 s → 20 s",
        "environment: added LEVEL; changed GREETING",
    ] {
        assert!(out.contains(change), "missing {change:?} in:\n{out}");
    }
    assert!(!out.contains("code:"), "{out}");
    assert!(!out.contains("bonjour"), "values are not printed:\n{out}");
    let synced = &function(&moto, "hello")["Configuration"];
    assert_eq!(synced["MemorySize"], 256);
    assert_eq!(synced["Timeout"], 20);
    assert_eq!(synced["Runtime"], "python3.13");
    assert_eq!(synced["Environment"]["Variables"]["GREETING"], "bonjour");
    assert_eq!(synced["Environment"]["Variables"]["LEVEL"], "debug");
    assert_eq!(synced["LastUpdateStatus"], "Successful");

    // And now nothing again.
    let out = assert_ok(&moto.cli(&dir, &["deploy", "--publish"]));
    assert!(out.contains("version: published"), "{out}");

    // Remote invoke: the payload exactly as Invoke returns it (moto without Docker echoes
    // the event), exit 0.
    let output = moto.cli(&dir, &["invoke", "--remote", "--event", r#"{"n": 1}"#]);
    assert_eq!(text(&output.stdout), r#"{"n": 1}"#);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let invokes: Vec<_> = moto
        .recorded()
        .into_iter()
        .filter(|r| {
            r["url"]
                .as_str()
                .unwrap_or("")
                .contains("/functions/hello/invocations")
        })
        .collect();
    assert_eq!(invokes.len(), 1);
    let log_type = invokes[0]["headers"]
        .as_object()
        .unwrap()
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("x-amz-log-type"))
        .map(|(_, v)| v.clone());
    assert_eq!(log_type, Some(json!("Tail")));
}

#[test]
fn a_package_over_50_mb_goes_through_s3() {
    let moto = Moto::start();
    let (_temp, dir) = work_copy("big");
    // Random bytes do not compress: the .zip stays over 50 MB.
    let mut data = vec![0u8; 51 * 1024 * 1024];
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    for chunk in data.chunks_mut(8) {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        chunk.copy_from_slice(&state.to_le_bytes()[..chunk.len()]);
    }
    std::fs::write(dir.join("model.bin"), &data).unwrap();

    // No bucket yet: S3 says so, in one sentence with its code.
    assert_fails_with(&moto.cli(&dir, &["deploy"]), &["NoSuchBucket"]);

    // Without `s3_bucket` the limit is explained.
    let toml = std::fs::read_to_string(dir.join("lambda.toml")).unwrap();
    std::fs::write(
        dir.join("lambda.toml"),
        toml.replace("s3_bucket = \"deploy-packages\"", ""),
    )
    .unwrap();
    assert_fails_with(
        &moto.cli(&dir, &["deploy"]),
        &["over Lambda's 50 MB limit", "s3_bucket"],
    );
    std::fs::write(dir.join("lambda.toml"), toml).unwrap();

    moto.call(
        "s3",
        "create_bucket",
        json!({"Bucket": "deploy-packages", "CreateBucketConfiguration": {"LocationConstraint": REGION}}),
    );
    let out = assert_ok(&moto.cli(&dir, &["deploy"]));
    assert!(
        out.contains("through s3://deploy-packages/lambda-ls/big/"),
        "{out}"
    );
    let objects = moto.call(
        "s3",
        "list_objects_v2",
        json!({"Bucket": "deploy-packages"}),
    );
    let size = objects["Contents"][0]["Size"].as_u64().unwrap();
    assert!(size > 50 * 1024 * 1024, "{objects}");
    let deployed = function(&moto, "big");
    assert_eq!(deployed["Configuration"]["CodeSize"].as_u64(), Some(size));
    let sha = deployed["Configuration"]["CodeSha256"].as_str().unwrap();
    assert!(out.contains(&format!("CodeSha256 {sha}")), "{out}");
    let uploaded: u64 = out
        .lines()
        .find_map(|l| l.strip_prefix("uploaded: "))
        .and_then(|l| l.trim_end_matches(" bytes").parse().ok())
        .unwrap();
    assert_eq!(uploaded, size);

    // Unchanged: no upload to S3 or Lambda.
    let before = moto.recorded().len();
    let out = assert_ok(&moto.cli(&dir, &["deploy"]));
    assert!(out.contains("uploaded: 0 bytes"), "{out}");
    assert_eq!(
        changing_requests(&moto.recorded()[before..]),
        Vec::<String>::new()
    );
}

#[test]
fn triggers_are_created_once() {
    let moto = Moto::start();
    let (_temp, dir) = work_copy("triggers");
    moto.call(
        "s3",
        "create_bucket",
        json!({"Bucket": "deploy-uploads", "CreateBucketConfiguration": {"LocationConstraint": REGION}}),
    );

    let out = assert_ok(&moto.cli(&dir, &["deploy"]));
    for change in [
        "schedule rule on-upload-schedule: created (rate(5 minutes))",
        "schedule rule on-upload-schedule: target set to the function",
        "schedule rule on-upload-schedule: EventBridge allowed to invoke the function",
        "s3 notification deploy-uploads: S3 bucket deploy-uploads allowed to invoke the function",
        "s3 notification deploy-uploads: created (s3:ObjectCreated:*)",
        "function URL: created (auth NONE)",
        "function URL: public access allowed (auth NONE)",
    ] {
        assert!(out.contains(change), "missing {change:?} in:\n{out}");
    }
    let arn = "arn:aws:lambda:eu-west-1:123456789012:function:on-upload";

    let rule = moto.call(
        "events",
        "describe_rule",
        json!({"Name": "on-upload-schedule"}),
    );
    assert_eq!(rule["ScheduleExpression"], "rate(5 minutes)");
    assert_eq!(rule["State"], "ENABLED");
    let targets = moto.call(
        "events",
        "list_targets_by_rule",
        json!({"Rule": "on-upload-schedule"}),
    );
    assert_eq!(targets["Targets"][0]["Arn"], arn);

    let notifications = moto.call(
        "s3",
        "get_bucket_notification_configuration",
        json!({"Bucket": "deploy-uploads"}),
    );
    let ours = &notifications["LambdaFunctionConfigurations"][0];
    assert_eq!(ours["LambdaFunctionArn"], arn);
    assert_eq!(ours["Events"], json!(["s3:ObjectCreated:*"]));
    let rules = ours["Filter"]["Key"]["FilterRules"].to_string();
    assert!(
        rules.contains("incoming/") && rules.contains(".csv"),
        "{rules}"
    );

    let policy = moto.call("lambda", "get_policy", json!({"FunctionName": "on-upload"}));
    let policy: Value = serde_json::from_str(policy["Policy"].as_str().unwrap()).unwrap();
    let sids: Vec<&str> = policy["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["Sid"].as_str().unwrap())
        .collect();
    for sid in [
        "lambda-ls-on-upload-schedule",
        "lambda-ls-s3-deploy-uploads",
        "lambda-ls-url-public",
    ] {
        assert!(sids.contains(&sid), "{sid} missing from {sids:?}");
    }

    let url = moto.call(
        "lambda",
        "get_function_url_config",
        json!({"FunctionName": "on-upload"}),
    );
    assert_eq!(url["AuthType"], "NONE");
    let url = url["FunctionUrl"].as_str().unwrap();
    assert!(out.contains(&format!("url: {url}")), "{out}");

    // Idempotent: the second deploy only reads, and still prints the URL.
    let before = moto.recorded().len();
    let out = assert_ok(&moto.cli(&dir, &["deploy"]));
    assert!(out.contains("is up to date: nothing changed"), "{out}");
    assert!(out.contains(&format!("url: {url}")), "{out}");
    assert_eq!(
        changing_requests(&moto.recorded()[before..]),
        Vec::<String>::new()
    );

    // Variables set outside lambda.toml (which has no [environment]) are left alone.
    moto.call(
        "lambda",
        "update_function_configuration",
        json!({"FunctionName": "on-upload", "Environment": {"Variables": {"SET_IN_CONSOLE": "1"}}}),
    );
    let out = assert_ok(&moto.cli(&dir, &["deploy"]));
    assert!(out.contains("is up to date: nothing changed"), "{out}");
    assert!(
        out.contains("note: lambda.toml has no [environment]"),
        "{out}"
    );
    assert_eq!(
        function(&moto, "on-upload")["Configuration"]["Environment"]["Variables"]["SET_IN_CONSOLE"],
        "1"
    );

    // A changed schedule is updated in place.
    let toml = std::fs::read_to_string(dir.join("lambda.toml")).unwrap();
    std::fs::write(
        dir.join("lambda.toml"),
        toml.replace("rate(5 minutes)", "cron(0 12 * * ? *)"),
    )
    .unwrap();
    let out = assert_ok(&moto.cli(&dir, &["deploy"]));
    assert!(
        out.contains("schedule rule on-upload-schedule: rate(5 minutes) → cron(0 12 * * ? *)"),
        "{out}"
    );
    let rule = moto.call(
        "events",
        "describe_rule",
        json!({"Name": "on-upload-schedule"}),
    );
    assert_eq!(rule["ScheduleExpression"], "cron(0 12 * * ? *)");

    // Triggers taken out of lambda.toml are taken away: rule, notification, permissions.
    std::fs::write(
        dir.join("lambda.toml"),
        "name = \"on-upload\"\nrole = \"arn:aws:iam::123456789012:role/lambda-basic\"\n\
         region = \"eu-west-1\"\n\n[[trigger]]\ntype = \"function-url\"\nauth = \"NONE\"\ncors = true\n",
    )
    .unwrap();
    let out = assert_ok(&moto.cli(&dir, &["deploy", "--dry-run"]));
    assert!(
        out.contains("schedule rule on-upload-schedule: deleted (no longer in lambda.toml)"),
        "{out}"
    );
    let rule = moto.call(
        "events",
        "describe_rule",
        json!({"Name": "on-upload-schedule"}),
    );
    assert_eq!(rule["State"], "ENABLED", "the dry run deleted nothing");
    let out = assert_ok(&moto.cli(&dir, &["deploy"]));
    for change in [
        "schedule rule on-upload-schedule: deleted (no longer in lambda.toml)",
        "s3 notification deploy-uploads: deleted (no longer in lambda.toml)",
    ] {
        assert!(out.contains(change), "missing {change:?} in:\n{out}");
    }
    let rule = moto.call(
        "events",
        "describe_rule",
        json!({"Name": "on-upload-schedule"}),
    );
    assert_eq!(rule["Error"]["Code"], "ResourceNotFoundException", "{rule}");
    let notifications = moto.call(
        "s3",
        "get_bucket_notification_configuration",
        json!({"Bucket": "deploy-uploads"}),
    );
    assert_eq!(
        notifications.get("LambdaFunctionConfigurations"),
        None,
        "{notifications}"
    );
    let policy = moto.call("lambda", "get_policy", json!({"FunctionName": "on-upload"}));
    let policy = policy["Policy"].as_str().unwrap_or_default();
    assert!(policy.contains("lambda-ls-url-public"), "{policy}");
    assert!(!policy.contains("lambda-ls-on-upload-schedule"), "{policy}");
    assert!(!policy.contains("lambda-ls-s3-deploy-uploads"), "{policy}");
    let out = assert_ok(&moto.cli(&dir, &["deploy"]));
    assert!(out.contains("is up to date: nothing changed"), "{out}");
}

#[test]
fn errors_are_one_clear_sentence() {
    let moto = Moto::start();

    // No role for a new function: said before anything is created.
    let (_temp, dir) = work_copy("norole");
    assert_fails_with(
        &moto.cli(&dir, &["deploy"]),
        &["`norole` does not exist yet", "add `role = "],
    );

    // A dry run of a new function plans and creates nothing.
    let (_temp2, hello) = work_copy("hello");
    let out = assert_ok(&moto.cli(&hello, &["deploy", "--dry-run"]));
    assert!(
        out.starts_with("Plan for hello in eu-west-1, account 123456789012"),
        "{out}"
    );
    assert!(out.contains("function: created"), "{out}");
    let functions = moto.call("lambda", "list_functions", json!({}));
    assert_eq!(functions["Functions"], json!([]));

    // A `from_env` variable that is not set: named, never a value.
    let mut command = moto.isolated_command(&hello, &["deploy"]);
    command
        .env("AWS_ENDPOINT_URL", moto.endpoint())
        .env("AWS_ACCESS_KEY_ID", "AKIAEMULATOR")
        .env("AWS_SECRET_ACCESS_KEY", "emulator-secret")
        .env_remove("HELLO_API_KEY");
    assert_fails_with(&command.output().unwrap(), &["HELLO_API_KEY"]);

    // (Remote invoke of a function that is not deployed cannot be shown here: moto's
    // Docker-less Lambda answers every invoke. The sentence is a unit test.)

    // An endpoint where nothing listens.
    let closed = free_port();
    assert_fails_with(
        &moto.cli_at(&format!("http://127.0.0.1:{closed}"), &hello, &["deploy"]),
        &[&format!(
            "could not reach AWS at http://127.0.0.1:{closed} (connection refused)"
        )],
    );

    // The service-specific override wins over the general one: Lambda's endpoint is down.
    let mut command = moto.isolated_command(&hello, &["deploy"]);
    command
        .env("AWS_ENDPOINT_URL", moto.endpoint())
        .env(
            "AWS_ENDPOINT_URL_LAMBDA",
            format!("http://127.0.0.1:{closed}"),
        )
        .env("AWS_ACCESS_KEY_ID", "AKIAEMULATOR")
        .env("AWS_SECRET_ACCESS_KEY", "emulator-secret");
    assert_fails_with(
        &command.output().unwrap(),
        &[&format!(
            "could not reach AWS at http://127.0.0.1:{closed} (connection refused)"
        )],
    );

    // A lambda.toml with errors is not deployed.
    let (_temp4, broken) = work_copy("hello");
    let toml = std::fs::read_to_string(broken.join("lambda.toml")).unwrap();
    std::fs::write(
        broken.join("lambda.toml"),
        toml.replace("memory = 128", "memory = 99999"),
    )
    .unwrap();
    assert_fails_with(
        &moto.cli(&broken, &["deploy"]),
        &["lambda.toml has 1 error(s), so the function is not deployed"],
    );

    // No region anywhere.
    let (_temp3, noregion) = work_copy("noregion");
    assert_fails_with(&moto.cli(&noregion, &["deploy"]), &["no AWS region is set"]);

    // No credentials anywhere (no keys, empty profiles, no instance metadata).
    let mut command = moto.isolated_command(&hello, &["deploy"]);
    command.env("AWS_ENDPOINT_URL", moto.endpoint());
    assert_fails_with(
        &command.output().unwrap(),
        &["no AWS credentials were found"],
    );
}

#[test]
fn credentials_aws_does_not_know_are_named() {
    // moto checks credentials from its second action on (the first creates the role).
    let moto = Moto::start_with(&[("INITIAL_NO_AUTH_ACTION_COUNT", "1")]);
    let (_temp, dir) = work_copy("hello");
    assert_fails_with(
        &moto.cli_with_unknown_key(&dir, &["deploy"]),
        &[
            "AWS rejected the credentials in GetFunction",
            "(AWS error code: InvalidClientTokenId)",
        ],
    );
}

/// A stand-in for EC2's instance metadata service (IMDSv2) on 127.0.0.1: a session token,
/// the role name, and the role's temporary credentials. Records the paths it served.
struct Imds {
    port: u16,
    served: Arc<Mutex<Vec<String>>>,
}

impl Imds {
    fn start() -> Imds {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let served = Arc::new(Mutex::new(Vec::new()));
        let log = served.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let log = log.clone();
                std::thread::spawn(move || serve_imds(stream, &log));
            }
        });
        Imds { port, served }
    }
}

fn serve_imds(mut stream: TcpStream, log: &Mutex<Vec<String>>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    let mut token = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("x-aws-ec2-metadata-token") {
                token = Some(value.trim().to_string());
            }
        }
    }
    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or("").to_string();
    let path = parts.next().unwrap_or("").to_string();
    log.lock().unwrap().push(format!("{method} {path}"));
    let authorized = token.as_deref() == Some("imds-token");
    let (status, body) = match (method.as_str(), path.as_str()) {
        ("PUT", "/latest/api/token") => (200, "imds-token".to_string()),
        (_, _) if !authorized => (401, String::new()),
        ("GET", "/latest/meta-data/iam/security-credentials/") => (200, "ec2-deploy-role".into()),
        ("GET", "/latest/meta-data/iam/security-credentials/ec2-deploy-role") => (
            200,
            json!({
                "Code": "Success",
                "LastUpdated": "2026-01-01T00:00:00Z",
                "Type": "AWS-HMAC",
                "AccessKeyId": "ASIAIMDSROLEKEY",
                "SecretAccessKey": "imds-secret",
                "Token": "imds-session-token",
                "Expiration": "2099-01-01T00:00:00Z",
            })
            .to_string(),
        ),
        _ => (404, String::new()),
    };
    let _ = write!(
        stream,
        "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nx-aws-ec2-metadata-token-ttl-seconds: 21600\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
}

#[test]
fn credentials_from_the_instance_role_only() {
    let moto = Moto::start();
    let imds = Imds::start();
    let (_temp, dir) = work_copy("hello");
    // No keys, no profiles, HOME empty: only the instance metadata endpoint has credentials.
    let mut command = moto.isolated_command(&dir, &["deploy"]);
    command
        .env_remove("AWS_EC2_METADATA_DISABLED")
        .env(
            "AWS_EC2_METADATA_SERVICE_ENDPOINT",
            format!("http://127.0.0.1:{}", imds.port),
        )
        .env("AWS_ENDPOINT_URL", moto.endpoint());
    let out = assert_ok(&command.output().unwrap());
    assert!(out.starts_with("Created hello"), "{out}");

    let served = imds.served.lock().unwrap().clone();
    assert!(
        served.contains(&"PUT /latest/api/token".to_string()),
        "{served:?}"
    );
    assert!(
        served.contains(
            &"GET /latest/meta-data/iam/security-credentials/ec2-deploy-role".to_string()
        ),
        "{served:?}"
    );
    // Every request moto saw was signed with the instance role's key and session token.
    let requests = moto.recorded();
    let ours: Vec<_> = requests
        .iter()
        .filter(|r| {
            r["headers"]["User-Agent"]
                .as_str()
                .is_some_and(|ua| !ua.contains("Boto3"))
        })
        .collect();
    assert!(!ours.is_empty());
    for request in ours {
        let headers = request["headers"].to_string();
        assert!(headers.contains("Credential=ASIAIMDSROLEKEY/"), "{headers}");
        assert!(headers.contains("imds-session-token"), "{headers}");
    }
}

/// Cancelling a deploy stops it at the next step boundary and says what was done; creating
/// or updating the code and bringing the configuration in line are one step, so a deploy
/// stopped during the code upload still finishes the configuration, and goes no further.
#[test]
fn cancelling_stops_between_steps_never_between_code_and_configuration() {
    use std::sync::atomic::{AtomicBool, Ordering};
    let moto = Moto::start();
    let (_temp, dir) = work_copy("hello");
    assert_ok(&moto.cli(&dir, &["deploy"]));
    let before = function(&moto, "hello")["Configuration"].clone();

    // New code, more memory and a new schedule trigger.
    std::fs::write(
        dir.join("lambda_function.py"),
        "def lambda_handler(event, context):\n    return 'v2'\n",
    )
    .unwrap();
    let config = std::fs::read_to_string(dir.join("lambda.toml")).unwrap();
    std::fs::write(
        dir.join("lambda.toml"),
        config.replace("memory = 128", "memory = 256")
            + "\n[[trigger]]\ntype = \"schedule\"\nschedule = \"rate(5 minutes)\"\n",
    )
    .unwrap();

    // In process, so that the request to stop comes exactly while the code is uploading.
    for (name, _) in std::env::vars() {
        if name.starts_with("AWS_") {
            std::env::remove_var(name);
        }
    }
    for (name, value) in moto.environment() {
        std::env::set_var(name, value);
    }
    let hello = lambda_ls::project::load(&dir);
    let cancel = AtomicBool::new(false);
    let progress = |step: &str| {
        if step == "updating the code" {
            cancel.store(true, Ordering::SeqCst);
        }
    };
    let options = lambda_ls::aws::deploy::DeployOptions {
        process_env: std::env::vars().collect(),
        progress: Some(&progress),
        cancel: Some(&cancel),
        ..Default::default()
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let error = runtime
        .block_on(async {
            let aws = lambda_ls::aws::Aws::connect(hello.config.region.as_deref()).await?;
            anyhow_free(lambda_ls::aws::deploy::deploy(&aws, &hello, &options).await)
        })
        .unwrap_err();
    let message = error.to_string();
    assert!(message.starts_with("the deploy was stopped"), "{message}");
    assert!(message.contains("code: "), "{message}");
    assert!(message.contains("memory: 128 MB → 256 MB"), "{message}");
    assert!(message.contains("Deploy again to finish"), "{message}");

    // Code and configuration both done; the trigger not begun.
    let after = &function(&moto, "hello")["Configuration"];
    assert_ne!(after["CodeSha256"], before["CodeSha256"]);
    assert_eq!(after["MemorySize"], 256);
    let rules = moto.call("events", "list_rules", json!({}));
    assert_eq!(rules["Rules"], json!([]), "{rules}");

    // Deploying again finishes the job.
    let out = assert_ok(&moto.cli(&dir, &["deploy"]));
    assert!(
        out.contains("schedule rule hello-schedule: created"),
        "{out}"
    );
}

/// The library's error, as a boxed error for `?` across the SDK's and lambda-ls's types.
fn anyhow_free<T, E: std::error::Error + Send + Sync + 'static>(
    result: Result<T, E>,
) -> Result<T, Box<dyn std::error::Error + Send + Sync>> {
    result.map_err(|e| e.into())
}
