//! Every `lambda.toml` diagnostic, with cases that must and must not trigger it; each
//! assertion names the code and the exact text the range covers.

use super::*;
use crate::project::runtimes::Date;
use crate::project::{FunctionConfig, Source, Trigger};

const TODAY: Date = Date::new(2026, 11, 26);

fn parse(text: &str) -> (FunctionConfig, Vec<Diagnostic>) {
    parse_config_on("my-folder", text, TODAY)
}

/// (code, text under the range) of every diagnostic.
fn found(text: &str) -> Vec<(&'static str, String)> {
    parse(text)
        .1
        .iter()
        .map(|d| (d.code, text[d.range.clone()].to_string()))
        .collect()
}

fn expect(text: &str, code: &'static str, range_text: &str) {
    let all = found(text);
    assert!(
        all.iter().any(|(c, t)| *c == code && t == range_text),
        "expected {code} on `{range_text}` in:\n{text}\nfound {all:?}"
    );
}

fn clean(text: &str) {
    let all = parse(text).1;
    assert!(
        all.is_empty(),
        "expected no diagnostics in:\n{text}\nfound {all:#?}"
    );
}

fn message(text: &str, code: &str) -> String {
    parse(text)
        .1
        .into_iter()
        .find(|d| d.code == code)
        .unwrap_or_else(|| panic!("no {code} in {text}"))
        .message
}

const FULL: &str = r#"
name = "santander-prices"
handler = "lambda_function.lambda_handler"
runtime = "python3.13"
architecture = "arm64"
memory = 256
timeout = 30
role = "arn:aws:iam::123456789012:role/lambda-basic"
region = "eu-west-1"
requirements = "requirements.txt"
exclude = ["tests/**", "*.md"]
s3_bucket = "my-deploy-bucket"
python = ".venv/bin/python"
layers = ["arn:aws:lambda:eu-west-1:123456789012:layer:pandas:3"]

[environment]
OUTPUT_BUCKET = "prices-out"
BME_API_KEY = { from_env = "BME_API_KEY" }

[[trigger]]
type = "schedule"
schedule = "rate(1 minute)"

[[trigger]]
type = "s3"
bucket = "uploads-bucket"
events = ["s3:ObjectCreated:*"]
prefix = "in/"
suffix = ".csv"

[[trigger]]
type = "sqs"
queue = "arn:aws:sqs:eu-west-1:123456789012:jobs"
batch_size = 10

[[trigger]]
type = "function-url"
auth = "NONE"
cors = true

[[trigger]]
type = "kafka"
anything = "goes for sources not modelled yet"
"#;

#[test]
fn full_example_is_clean_and_fully_read() {
    let (config, diagnostics) = parse(FULL);
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
    assert_eq!(config.name.value, "santander-prices");
    assert_eq!(config.name.source, Source::LambdaToml);
    assert_eq!(config.runtime.value, "python3.13");
    assert_eq!(
        config.architecture.value,
        crate::project::Architecture::Arm64
    );
    assert_eq!(config.memory.value, 256);
    assert_eq!(config.timeout.value, 30);
    assert_eq!(config.region.as_deref(), Some("eu-west-1"));
    assert_eq!(config.exclude, vec!["tests/**", "*.md"]);
    assert_eq!(config.s3_bucket.as_deref(), Some("my-deploy-bucket"));
    assert_eq!(config.python.as_deref(), Some(".venv/bin/python"));
    assert_eq!(
        config.layers.as_deref(),
        Some(&["arn:aws:lambda:eu-west-1:123456789012:layer:pandas:3".to_string()][..])
    );
    assert!(config.has_environment_table);
    assert_eq!(
        config.environment.get("BME_API_KEY"),
        Some(&crate::project::EnvValue::FromEnv("BME_API_KEY".into()))
    );
    assert_eq!(
        config.environment.get("OUTPUT_BUCKET"),
        Some(&crate::project::EnvValue::Literal("prices-out".into()))
    );
    let kinds: Vec<_> = config.triggers.iter().map(Trigger::kind).collect();
    assert_eq!(kinds, ["schedule", "s3", "sqs", "function-url", "kafka"]);
    let Trigger::Schedule(schedule) = &config.triggers[0] else {
        panic!("typed schedule: {:?}", config.triggers[0]);
    };
    assert_eq!(schedule.schedule.expression(), "rate(1 minute)");
    let Trigger::S3(s3) = &config.triggers[1] else {
        panic!("typed s3: {:?}", config.triggers[1]);
    };
    assert_eq!(s3.events, ["s3:ObjectCreated:*"]);
    let Trigger::Sqs(sqs) = &config.triggers[2] else {
        panic!("typed sqs: {:?}", config.triggers[2]);
    };
    assert_eq!(sqs.batch_size, Some(10));
    let Trigger::FunctionUrl(url) = &config.triggers[3] else {
        panic!("typed function-url: {:?}", config.triggers[3]);
    };
    assert!(url.cors);
    assert!(matches!(
        config.triggers[4],
        Trigger::Other { kind: "kafka", .. }
    ));
}

#[test]
fn empty_file_gives_console_defaults() {
    let (config, diagnostics) = parse("");
    assert!(diagnostics.is_empty());
    assert_eq!(config, FunctionConfig::defaults("my-folder"));
    assert_eq!(config.handler.source, Source::Default);
}

#[test]
fn lt001_toml_syntax() {
    expect("memory = 12a\n", codes::TOML_SYNTAX, "12a");
    expect("name = \n", codes::TOML_SYNTAX, "=");
    expect("a = 1\na = 2\n", codes::TOML_SYNTAX, "a");
    let (config, _) = parse("memory = 512\nname = \n");
    assert_eq!(
        config.memory.source,
        Source::Default,
        "defaults on syntax errors"
    );
    assert!(message("name = \n", codes::TOML_SYNTAX).contains("Invalid TOML"));
    clean("name = \"ok\"\n");
}

#[test]
fn lt002_unknown_keys_at_every_level() {
    expect("timout = 30\n", codes::UNKNOWN_KEY, "timout");
    assert!(message("timout = 30\n", codes::UNKNOWN_KEY).contains("did you mean `timeout`?"));
    let d = &parse("timout = 30\n").1[0];
    assert_eq!(d.fixes[0].edits[0].new_text, "timeout");
    // No suggestion for something unrelated: the message lists the keys instead.
    assert!(message("zzz = 1\n", codes::UNKNOWN_KEY).contains("`handler`"));
    expect(
        "[[trigger]]\ntype = \"s3\"\nbucket = \"b-b-b\"\nprefx = \"in/\"\n",
        codes::UNKNOWN_KEY,
        "prefx",
    );
    expect(
        "[environment]\nA1 = { from_envv = \"X\" }\n",
        codes::UNKNOWN_KEY,
        "from_envv",
    );
    expect("[nonsense]\nx = 1\n", codes::UNKNOWN_KEY, "nonsense");
    // Sources whose keys are not modelled accept any key.
    clean("[[trigger]]\ntype = \"kafka\"\ntopic = \"t\"\n");
}

#[test]
fn lt003_wrong_types() {
    expect("memory = \"256\"\n", codes::WRONG_TYPE, "\"256\"");
    let d = &parse("memory = \"256\"\n").1[0];
    assert_eq!(d.fixes[0].edits[0].new_text, "256");
    assert!(d.message.contains("remove the quotes"));
    expect("name = 5\n", codes::WRONG_TYPE, "5");
    expect("exclude = \"*.md\"\n", codes::WRONG_TYPE, "\"*.md\"");
    expect("exclude = [\"a\", 3]\n", codes::WRONG_TYPE, "3");
    expect("[handler]\nx = 1\n", codes::WRONG_TYPE, "[handler]");
    expect("[trigger]\ntype = \"s3\"\n", codes::WRONG_TYPE, "[trigger]");
    expect("environment = \"A=1\"\n", codes::WRONG_TYPE, "\"A=1\"");
    expect(
        "[[trigger]]\ntype = \"function-url\"\ncors = \"yes\"\n",
        codes::WRONG_TYPE,
        "\"yes\"",
    );
    let (config, _) = parse("memory = \"256\"\n");
    assert_eq!(config.memory, crate::project::Setting::default_value(128));
    clean("memory = 256\n");
}

#[test]
fn lt004_ranges() {
    expect("memory = 64\n", codes::OUT_OF_RANGE, "64");
    expect("memory = 127\n", codes::OUT_OF_RANGE, "127");
    expect("memory = 10241\n", codes::OUT_OF_RANGE, "10241");
    expect("memory = -1\n", codes::OUT_OF_RANGE, "-1");
    expect("memory = 20000\n", codes::OUT_OF_RANGE, "20000");
    expect("timeout = 0\n", codes::OUT_OF_RANGE, "0");
    expect("timeout = 901\n", codes::OUT_OF_RANGE, "901");
    assert!(message("timeout = 901\n", codes::OUT_OF_RANGE).contains("between 1 and 900 seconds"));
    let (config, _) = parse("timeout = 901\n");
    assert_eq!(config.timeout.value, 3);
    assert_eq!(config.timeout.source, Source::Default);
    clean("memory = 128\ntimeout = 1\n");
    clean("memory = 10240\ntimeout = 900\n");
    expect(
        "[[trigger]]\ntype = \"sqs\"\nqueue = \"arn:aws:sqs:eu-west-1:123456789012:q\"\nbatch_size = 0\n",
        codes::OUT_OF_RANGE,
        "0",
    );
}

#[test]
fn lt005_invalid_values() {
    expect(
        "architecture = \"ARM64\"\n",
        codes::INVALID_VALUE,
        "\"ARM64\"",
    );
    assert!(message("architecture = \"ARM64\"\n", codes::INVALID_VALUE).contains("`arm64`"));
    expect(
        "architecture = \"amd64\"\n",
        codes::INVALID_VALUE,
        "\"amd64\"",
    );
    clean("architecture = \"x86_64\"\n");
    clean("architecture = \"arm64\"\n");
    expect(
        "[[trigger]]\ntype = \"function-url\"\nauth = \"PUBLIC\"\n",
        codes::INVALID_VALUE,
        "\"PUBLIC\"",
    );
    clean("[[trigger]]\ntype = \"function-url\"\nauth = \"AWS_IAM\"\n");
    expect(
        "[[trigger]]\ntype = \"sqs\"\nqueue = \"my-queue\"\n",
        codes::INVALID_VALUE,
        "\"my-queue\"",
    );
    expect(
        "[[trigger]]\ntype = \"s3\"\nbucket = \"s3://my-bucket\"\n",
        codes::INVALID_VALUE,
        "\"s3://my-bucket\"",
    );
    expect(
        "[[trigger]]\ntype = \"s3\"\nbucket = \"ok-bucket\"\nevents = [\"s3:ObjectCreated:*\", \"s3:Created\"]\n",
        codes::INVALID_VALUE,
        "\"s3:Created\"",
    );
    expect(
        "s3_bucket = \"My_Bucket\"\n",
        codes::INVALID_VALUE,
        "\"My_Bucket\"",
    );
    let (config, _) = parse("architecture = \"ARM64\"\n");
    assert_eq!(config.architecture.source, Source::Default);
}

#[test]
fn lt006_unknown_runtimes() {
    expect(
        "runtime = \"nodejs22.x\"\n",
        codes::UNKNOWN_RUNTIME,
        "\"nodejs22.x\"",
    );
    assert!(message("runtime = \"nodejs22.x\"\n", codes::UNKNOWN_RUNTIME).contains("Node.js"));
    expect(
        "runtime = \"python3.99\"\n",
        codes::UNKNOWN_RUNTIME,
        "\"python3.99\"",
    );
    let d = &parse("runtime = \"python 3.12\"\n").1[0];
    assert_eq!(d.code, codes::UNKNOWN_RUNTIME);
    assert!(
        d.message.contains("Did you mean `python3.12`?"),
        "{}",
        d.message
    );
    assert_eq!(d.fixes[0].edits[0].new_text, "\"python3.12\"");
    let (config, _) = parse("runtime = \"python3.99\"\n");
    assert_eq!(config.runtime.value, crate::project::DEFAULT_RUNTIME);
    clean("runtime = \"python3.14\"\n");
    clean("runtime = \"python3.12\"\n");
}

#[test]
fn lt007_deprecated_runtime_is_a_warning_with_dates() {
    let d = &parse("runtime = \"python3.10\"\n").1[0];
    assert_eq!(d.code, codes::DEPRECATED_RUNTIME);
    assert_eq!(d.severity, Severity::Warning);
    assert!(d.message.contains("Oct 31, 2026"), "{}", d.message);
    assert!(d.message.contains("Feb 1, 2027"), "{}", d.message);
    assert!(d.message.contains("python3.14"), "{}", d.message);
    expect(
        "runtime = \"python3.9\"\n",
        codes::DEPRECATED_RUNTIME,
        "\"python3.9\"",
    );
    // A deprecated runtime is still the effective one.
    assert_eq!(
        parse("runtime = \"python3.10\"\n").0.runtime.value,
        "python3.10"
    );
    // python3.11 is deprecated only from Jun 30, 2027.
    clean("runtime = \"python3.11\"\n");
    let (_, later) = parse_config_on("f", "runtime = \"python3.11\"\n", Date::new(2027, 7, 1));
    assert_eq!(later[0].code, codes::DEPRECATED_RUNTIME);
}

#[test]
fn lt008_blocked_runtime_is_an_error() {
    expect(
        "runtime = \"python3.8\"\n",
        codes::BLOCKED_RUNTIME,
        "\"python3.8\"",
    );
    expect(
        "runtime = \"python2.7\"\n",
        codes::BLOCKED_RUNTIME,
        "\"python2.7\"",
    );
    let d = &parse("runtime = \"python3.8\"\n").1[0];
    assert_eq!(d.severity, Severity::Error);
    assert!(d.message.contains("Oct 14, 2024"));
    let (_, later) = parse_config_on("f", "runtime = \"python3.10\"\n", Date::new(2027, 2, 1));
    assert_eq!(later[0].code, codes::BLOCKED_RUNTIME);
    assert!(later[0]
        .message
        .contains("will refuse updates from Mar 3, 2027"));
}

#[test]
fn lt009_malformed_handlers() {
    expect(
        "handler = \"handler\"\n",
        codes::MALFORMED_HANDLER,
        "\"handler\"",
    );
    assert!(message("handler = \"handler\"\n", codes::MALFORMED_HANDLER)
        .contains("Runtime.MalformedHandlerName"));
    expect("handler = \"app.\"\n", codes::MALFORMED_HANDLER, "\"app.\"");
    expect(
        "handler = \".handler\"\n",
        codes::MALFORMED_HANDLER,
        "\".handler\"",
    );
    expect(
        "handler = \"app.py\"\n",
        codes::MALFORMED_HANDLER,
        "\"app.py\"",
    );
    expect(
        "handler = \"app.py.handler\"\n",
        codes::MALFORMED_HANDLER,
        "\"app.py.handler\"",
    );
    // Kept as written, so that local invoke fails as Lambda does instead of running the default.
    let (config, _) = parse("handler = \"handler\"\n");
    assert_eq!(config.handler.value, "handler");
    assert_eq!(config.handler.source, Source::LambdaToml);
    clean("handler = \"app.handler\"\n");
}

#[test]
fn lt010_handler_not_importable() {
    expect(
        "handler = \"my-function.handler\"\n",
        codes::HANDLER_NOT_IMPORTABLE,
        "\"my-function.handler\"",
    );
    assert!(message(
        "handler = \"my-function.handler\"\n",
        codes::HANDLER_NOT_IMPORTABLE
    )
    .contains("`my_function.handler`"));
    expect(
        "handler = \"app.2fn\"\n",
        codes::HANDLER_NOT_IMPORTABLE,
        "\"app.2fn\"",
    );
    expect(
        "handler = \"class.fn\"\n",
        codes::HANDLER_NOT_IMPORTABLE,
        "\"class.fn\"",
    );
    expect(
        "handler = \"src//app.fn\"\n",
        codes::HANDLER_NOT_IMPORTABLE,
        "\"src//app.fn\"",
    );
    clean("handler = \"pkg.mod.fn\"\n");
    clean("handler = \"src/app.fn\"\n");
    clean("handler = \"_private.handle_2\"\n");
}

#[test]
fn lt011_and_lt022_need_the_folder() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("src")).unwrap();
    std::fs::write(dir.path().join("src/app.py"), "def fn(e, c): pass\n").unwrap();
    std::fs::create_dir_all(dir.path().join("pkg/mod")).unwrap();
    std::fs::write(dir.path().join("pkg/mod/__init__.py"), "").unwrap();
    std::fs::write(dir.path().join("handlers.py"), "").unwrap();
    let check = |text: &str| {
        let (config, _) = parse(text);
        check_files(&crate::project::Disk, dir.path(), text, &config)
            .into_iter()
            .map(|d| (d.code, text[d.range.clone()].to_string(), d.message))
            .collect::<Vec<_>>()
    };
    // No handler key and no lambda_function.py: the default cannot work.
    let default_missing = check("memory = 256\n");
    assert_eq!(default_missing.len(), 1);
    assert_eq!(default_missing[0].0, codes::HANDLER_FILE_MISSING);
    assert!(
        default_missing[0]
            .2
            .contains("handler = \"handlers.lambda_handler\""),
        "{}",
        default_missing[0].2
    );
    let missing = check("handler = \"app.fn\"\n");
    assert_eq!(missing.len(), 1);
    assert_eq!(
        (missing[0].0, missing[0].1.as_str()),
        (codes::HANDLER_FILE_MISSING, "\"app.fn\"")
    );
    assert!(missing[0].2.contains("`app.py`"));
    let typo = check("handler = \"handler.fn\"\n");
    assert!(
        typo[0].2.contains("Did you mean `handlers`?"),
        "{}",
        typo[0].2
    );
    assert!(check("handler = \"src/app.fn\"\n").is_empty());
    assert!(check("handler = \"src.app.fn\"\n").is_empty());
    assert!(check("handler = \"pkg.mod.fn\"\n").is_empty());
    let req = check("handler = \"src/app.fn\"\nrequirements = \"reqs.txt\"\n");
    assert_eq!(
        (req[0].0, req[0].1.as_str()),
        (codes::REQUIREMENTS_FILE_MISSING, "\"reqs.txt\"")
    );
    std::fs::write(dir.path().join("reqs.txt"), "requests\n").unwrap();
    assert!(check("handler = \"src/app.fn\"\nrequirements = \"reqs.txt\"\n").is_empty());
}

#[test]
fn lt012_role() {
    expect(
        "role = \"lambda-basic\"\n",
        codes::INVALID_ROLE,
        "\"lambda-basic\"",
    );
    assert!(message("role = \"lambda-basic\"\n", codes::INVALID_ROLE).contains("role name alone"));
    expect(
        "role = \"arn:aws:iam::123456789012:user/me\"\n",
        codes::INVALID_ROLE,
        "\"arn:aws:iam::123456789012:user/me\"",
    );
    expect(
        "role = \"arn:aws:iam::1234:role/x\"\n",
        codes::INVALID_ROLE,
        "\"arn:aws:iam::1234:role/x\"",
    );
    clean("role = \"arn:aws:iam::123456789012:role/service-role/my-role\"\n");
    clean("role = \"arn:aws-cn:iam::123456789012:role/r\"\n");
}

#[test]
fn lt013_region() {
    expect(
        "region = \"eu-west\"\n",
        codes::INVALID_REGION,
        "\"eu-west\"",
    );
    expect(
        "region = \"Ireland\"\n",
        codes::INVALID_REGION,
        "\"Ireland\"",
    );
    assert!(
        message("region = \"eu-west-1a\"\n", codes::INVALID_REGION).contains("availability zone")
    );
    assert!(message("region = \"EU-WEST-1\"\n", codes::INVALID_REGION).contains("`eu-west-1`"));
    clean("region = \"eu-west-1\"\n");
    clean("region = \"us-gov-west-1\"\n");
    clean("region = \"ap-southeast-5\"\n");
}

#[test]
fn lt014_environment_values() {
    expect(
        "[environment]\nPORT = 8080\n",
        codes::INVALID_ENVIRONMENT_VALUE,
        "8080",
    );
    let d = &parse("[environment]\nPORT = 8080\n").1[0];
    assert_eq!(d.fixes[0].edits[0].new_text, "\"8080\"");
    expect(
        "[environment]\nLIST = [\"a\"]\n",
        codes::INVALID_ENVIRONMENT_VALUE,
        "[\"a\"]",
    );
    expect(
        "[environment]\nKEY = { from_env = \"\" }\n",
        codes::INVALID_ENVIRONMENT_VALUE,
        "\"\"",
    );
    expect(
        "[environment]\nKEY = { from_env = 3 }\n",
        codes::WRONG_TYPE,
        "3",
    );
    let (config, _) = parse("[environment]\nPORT = 8080\nOK = \"1\"\n");
    assert_eq!(config.environment.len(), 1);
    clean("[environment]\nA1 = \"x\"\nB2 = { from_env = \"SECRET\" }\n");
    clean("environment = { A1 = \"x\" }\n");
}

#[test]
fn lt015_reserved_environment_names() {
    expect(
        "[environment]\nAWS_REGION = \"x\"\n",
        codes::RESERVED_ENVIRONMENT_NAME,
        "AWS_REGION",
    );
    expect(
        "[environment]\nAWS_LAMBDA_FUNCTION_NAME = \"x\"\n",
        codes::RESERVED_ENVIRONMENT_NAME,
        "AWS_LAMBDA_FUNCTION_NAME",
    );
    expect(
        "[environment]\n_HANDLER = \"x\"\n",
        codes::RESERVED_ENVIRONMENT_NAME,
        "_HANDLER",
    );
    expect(
        "[environment]\nLAMBDA_TASK_ROOT = \"x\"\n",
        codes::RESERVED_ENVIRONMENT_NAME,
        "LAMBDA_TASK_ROOT",
    );
    clean("[environment]\nAWS_REGION_NAME = \"x\"\n");
}

#[test]
fn lt016_unknown_trigger_type() {
    expect(
        "[[trigger]]\ntype = \"schedul\"\n",
        codes::UNKNOWN_TRIGGER_TYPE,
        "\"schedul\"",
    );
    let d = &parse("[[trigger]]\ntype = \"schedul\"\n").1[0];
    assert!(d.message.contains("did you mean `schedule`?"));
    assert_eq!(d.fixes[0].edits[0].new_text, "\"schedule\"");
    expect(
        "[[trigger]]\ntype = \"webhook\"\n",
        codes::UNKNOWN_TRIGGER_TYPE,
        "\"webhook\"",
    );
    assert!(message(
        "[[trigger]]\ntype = \"webhook\"\n",
        codes::UNKNOWN_TRIGGER_TYPE
    )
    .contains("`sqs`"));
    assert!(parse("[[trigger]]\ntype = \"webhook\"\n")
        .0
        .triggers
        .is_empty());
    clean("[[trigger]]\ntype = \"cloudwatch-logs\"\n");
    clean("trigger = [{ type = \"alb\" }]\n");
}

#[test]
fn lt017_missing_keys() {
    expect(
        "[[trigger]]\nbucket = \"b\"\n",
        codes::MISSING_KEY,
        "[[trigger]]",
    );
    expect(
        "[[trigger]]\ntype = \"schedule\"\n",
        codes::MISSING_KEY,
        "[[trigger]]",
    );
    assert!(
        message("[[trigger]]\ntype = \"schedule\"\n", codes::MISSING_KEY).contains("`schedule`")
    );
    expect(
        "[[trigger]]\ntype = \"s3\"\n",
        codes::MISSING_KEY,
        "[[trigger]]",
    );
    expect("[environment]\nKEY = {}\n", codes::MISSING_KEY, "{}");
    clean("[[trigger]]\ntype = \"schedule\"\nschedule = \"rate(5 minutes)\"\n");
}

#[test]
fn lt018_schedule_expressions() {
    let sched = |s: &str| format!("[[trigger]]\ntype = \"schedule\"\nschedule = \"{s}\"\n");
    for bad in [
        "rate(1 minutes)",
        "rate(5 minute)",
        "rate(0 minutes)",
        "rate(five minutes)",
        "rate(5 weeks)",
        "cron(0 12 * * *)",
        "cron(0 12 * * * *)",
        "cron(0 12 ? * ? *)",
        "every 5 minutes",
    ] {
        expect(&sched(bad), codes::INVALID_SCHEDULE, &format!("\"{bad}\""));
    }
    assert!(message(&sched("rate(1 minutes)"), codes::INVALID_SCHEDULE).contains("singular"));
    for good in [
        "rate(1 minute)",
        "rate(5 minutes)",
        "rate(1 day)",
        "cron(0 12 * * ? *)",
        "cron(0/15 8-17 ? * MON-FRI *)",
        "cron(0 10 L * ? 2027)",
    ] {
        clean(&sched(good));
    }
}

#[test]
fn lt019_environment_names() {
    expect(
        "[environment]\n1ABC = \"x\"\n",
        codes::INVALID_ENVIRONMENT_NAME,
        "1ABC",
    );
    expect(
        "[environment]\nA = \"x\"\n",
        codes::INVALID_ENVIRONMENT_NAME,
        "A",
    );
    expect(
        "[environment]\nMY-VAR = \"x\"\n",
        codes::INVALID_ENVIRONMENT_NAME,
        "MY-VAR",
    );
    clean("[environment]\nMY_VAR = \"x\"\n");
}

#[test]
fn lt021_function_name() {
    expect(
        "name = \"my function\"\n",
        codes::INVALID_FUNCTION_NAME,
        "\"my function\"",
    );
    expect("name = \"\"\n", codes::INVALID_FUNCTION_NAME, "\"\"");
    let long = format!("name = \"{}\"\n", "a".repeat(65));
    assert_eq!(found(&long)[0].0, codes::INVALID_FUNCTION_NAME);
    let (config, _) = parse("name = \"my function\"\n");
    assert_eq!(config.name.value, "my-folder");
    clean("name = \"my-function_2\"\n");
}

#[test]
fn every_code_is_documented_once() {
    let mut seen = std::collections::HashSet::new();
    for (code, name) in codes::ALL {
        assert!(seen.insert(*code), "duplicate {code}");
        assert!(code.starts_with("LT") && code.len() == 5);
        let doc = include_str!("mod.rs");
        assert!(
            doc.contains(&format!("//! | {code} | {name}")),
            "{code} {name} missing from the module documentation"
        );
    }
}

#[test]
fn summary_reports_provenance() {
    let (config, _) = parse("memory = 512\n[[trigger]]\ntype = \"sqs\"\nqueue = \"arn:aws:sqs:eu-west-1:123456789012:q\"\n");
    let summary = config.summary();
    let get = |key: &str| summary.iter().find(|s| s.key == key).unwrap();
    assert_eq!(get("memory").value, "512 MB");
    assert_eq!(get("memory").source, Source::LambdaToml);
    assert_eq!(get("timeout").value, "3 s");
    assert_eq!(get("timeout").source, Source::Default);
    assert_eq!(get("name").value, "my-folder");
    assert_eq!(get("region").source, Source::Default);
    assert_eq!(get("trigger").value, "sqs");
    assert!(summary.iter().all(|s| s.key != "environment"));
}

#[test]
fn lt023_environment_too_large() {
    let big = format!("[environment]\nBLOB = \"{}\"\n", "x".repeat(4100));
    expect(&big, codes::ENVIRONMENT_TOO_LARGE, "[environment]");
    let fits = format!("[environment]\nBLOB = \"{}\"\n", "x".repeat(4000));
    clean(&fits);
    // from_env values are not counted: their size is unknown until deploy.
    clean("[environment]\nBLOB = { from_env = \"BLOB\" }\n");
}

#[test]
fn lt024_secrets_written_in_the_file() {
    let text = "[environment]\nBME_API_KEY = \"abc123\"\n";
    expect(text, codes::SECRET_IN_CONFIG, "\"abc123\"");
    let d = &parse(text).1[0];
    assert_eq!(d.severity, Severity::Warning);
    assert_eq!(
        d.fixes[0].edits[0].new_text,
        "{ from_env = \"BME_API_KEY\" }"
    );
    expect(
        "[environment]\nDb_Password = \"p\"\n",
        codes::SECRET_IN_CONFIG,
        "\"p\"",
    );
    clean("[environment]\nBME_API_KEY = { from_env = \"BME_API_KEY\" }\n");
    clean("[environment]\nOUTPUT_BUCKET = \"prices-out\"\n");
    clean("[environment]\nAPI_KEY = \"\"\n");
}

#[test]
fn layers_are_layer_version_arns_at_most_five_none_twice() {
    const ARN: &str = "arn:aws:lambda:eu-west-1:123456789012:layer:pandas:3";
    clean(&format!("layers = [\"{ARN}\"]\n"));
    clean("layers = []\n");
    assert_eq!(parse("").0.layers, None, "absent is not empty");
    assert_eq!(parse("layers = []\n").0.layers, Some(Vec::new()));
    for (bad, why) in [
        (
            "arn:aws:lambda:eu-west-1:123456789012:layer:pandas",
            "not a version",
        ),
        (
            "arn:aws:lambda:eu-west-1:123456789012:function:pandas:3",
            "not shaped",
        ),
        ("arn:aws:lambda:eu-west-1:1234:layer:pandas:3", "12-digit"),
        (
            "arn:aws:lambda:Ireland:123456789012:layer:pandas:3",
            "region",
        ),
        (
            "arn:aws:lambda:eu-west-1:123456789012:layer:pandas:latest",
            "positive number",
        ),
        (
            "arn:aws:lambda:eu-west-1:123456789012:layer:pan das:1",
            "layer name",
        ),
        ("pandas", "not shaped"),
    ] {
        let text = format!("layers = [\"{ARN}\", \"{bad}\"]\n");
        expect(&text, codes::INVALID_VALUE, &format!("\"{bad}\""));
        let said = message(&text, codes::INVALID_VALUE);
        assert!(said.contains(why), "{bad}: {said}");
        // Kept as written: local invoke names the bad layer rather than running without it.
        assert_eq!(parse(&text).0.layers.unwrap().len(), 2);
    }
    expect(
        &format!("layers = [\"{ARN}\", \"{ARN}\"]\n"),
        codes::INVALID_VALUE,
        &format!("\"{ARN}\""),
    );
    let six: Vec<String> = (1..=6)
        .map(|v| format!("\"arn:aws:lambda:eu-west-1:123456789012:layer:l{v}:1\""))
        .collect();
    let text = format!("layers = [{}]\n", six.join(", "));
    expect(&text, codes::OUT_OF_RANGE, &six[5]);
    assert!(message(&text, codes::OUT_OF_RANGE).contains("at most 5"));
    expect("layers = \"x\"\n", codes::WRONG_TYPE, "\"x\"");
}

#[test]
fn api_gateway_paths_stages_and_cors() {
    clean(
        "[[trigger]]\ntype = \"http-api\"\npath = \"/sum\"\nmethod = \"GET\"\ncors = true\n\
         [[trigger]]\ntype = \"http-api\"\npath = \"/items/{id}\"\n\
         cors = { origins = [\"https://example.com\"], methods = [\"GET\"], headers = [\"content-type\"] }\n\
         [[trigger]]\ntype = \"api\"\npath = \"/files/{proxy+}\"\nstage = \"prod\"\n",
    );
    clean("[[trigger]]\ntype = \"http-api\"\n[trigger.cors]\norigins = [\"*\"]\n");
    expect(
        "[[trigger]]\ntype = \"http-api\"\npath = \"sum\"\n",
        codes::INVALID_VALUE,
        "\"sum\"",
    );
    assert!(message(
        "[[trigger]]\ntype = \"api\"\npath = \"sum\"\n",
        codes::INVALID_VALUE
    )
    .contains("must start with `/` (`/sum`)"));
    for bad in ["/a//b", "/a/", "/{proxy+}/x", "/a{id}", "/{}", "/a b"] {
        let text = format!("[[trigger]]\ntype = \"api\"\npath = \"{bad}\"\n");
        expect(&text, codes::INVALID_VALUE, &format!("\"{bad}\""));
    }
    expect(
        "[[trigger]]\ntype = \"api\"\nstage = \"my stage\"\n",
        codes::INVALID_VALUE,
        "\"my stage\"",
    );
    // Each type takes only its own keys.
    expect(
        "[[trigger]]\ntype = \"http-api\"\nstage = \"prod\"\n",
        codes::UNKNOWN_KEY,
        "stage",
    );
    expect(
        "[[trigger]]\ntype = \"api\"\ncors = true\n",
        codes::UNKNOWN_KEY,
        "cors",
    );
    expect(
        "[[trigger]]\ntype = \"http-api\"\ncors = \"yes\"\n",
        codes::WRONG_TYPE,
        "\"yes\"",
    );
    expect(
        "[[trigger]]\ntype = \"http-api\"\ncors = { origin = [\"*\"] }\n",
        codes::UNKNOWN_KEY,
        "origin",
    );
    expect(
        "[[trigger]]\ntype = \"http-api\"\ncors = { origins = \"*\" }\n",
        codes::WRONG_TYPE,
        "\"*\"",
    );
    // An invalid cors leaves the trigger without CORS rather than with a guess.
    let (config, _) = parse("[[trigger]]\ntype = \"http-api\"\ncors = { origin = [\"*\"] }\n");
    let [Trigger::HttpApi(api)] = config.triggers.as_slice() else {
        panic!("one http-api trigger: {:?}", config.triggers);
    };
    assert_eq!(api.cors, None);
}
