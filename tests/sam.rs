//! SAM projects through the real binary: `lambda-ls functions` on the official `sam init`
//! projects and hand-written edge cases, and `lambda-ls export sam`, whose templates pass
//! AWS's cfn-lint (`tests/setup/sam.sh` installs it) and read back to the same functions.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{json, Value};
use support::{copy_tree, ok, repo_root, run_cli, text};

fn fixture(name: &str) -> PathBuf {
    repo_root().join("tests/fixtures/sam").join(name)
}

fn functions_json(dir: &Path, args: &[&str]) -> Vec<Value> {
    let mut all = vec!["functions", "--format", "json"];
    all.extend_from_slice(args);
    let out = ok(&run_cli(dir, &all));
    serde_json::from_str::<Value>(&out)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{out}"))
        .as_array()
        .unwrap()
        .clone()
}

fn by_name<'a>(functions: &'a [Value], name: &str) -> &'a Value {
    functions
        .iter()
        .find(|f| f["name"] == name)
        .unwrap_or_else(|| panic!("no {name} in {functions:#?}"))
}

#[test]
fn sam_init_projects_are_listed_as_json() {
    let functions = functions_json(&fixture("sam-init"), &[]);
    assert_eq!(functions.len(), 9, "{functions:#?}");
    assert!(functions
        .iter()
        .all(|f| f["source"].as_str().unwrap().starts_with("template.yaml#")));
    assert_eq!(
        functions
            .iter()
            .find(|f| f["dir"] == "hello-world/hello_world")
            .unwrap(),
        &json!({
            "name": "HelloWorldFunction",
            "dir": "hello-world/hello_world",
            "handler": "app.lambda_handler",
            "runtime": "python3.13",
            "architecture": "x86_64",
            "memory": 128,
            "timeout": 3,
            "source": "template.yaml#HelloWorldFunction",
            "triggers": [{"type": "api", "path": "/hello", "method": "GET"}],
        })
    );
    // Three functions share one code folder (the project's root), each with its handler.
    let web: Vec<(&str, &str)> = functions
        .iter()
        .filter(|f| f["dir"] == "quick-start-web")
        .map(|f| (f["name"].as_str().unwrap(), f["handler"].as_str().unwrap()))
        .collect();
    assert_eq!(
        web,
        [
            (
                "getAllItemsFunction",
                "src/handlers/get_all_items.getAllItemsHandler"
            ),
            ("getByIdFunction", "src/handlers/get_by_id.getByIdHandler"),
            ("putItemFunction", "src/handlers/put_item.putItemHandler"),
        ]
    );
    let trader = by_name(&functions, "StockBuyerFunction");
    assert_eq!(trader["architecture"], "arm64");
    assert_eq!(trader["triggers"], json!([]));
    let eventbridge = functions
        .iter()
        .find(|f| f["dir"] == "eventbridge-hello/hello_world_function")
        .unwrap();
    assert_eq!(eventbridge["handler"], "hello_world/app.lambda_handler");
    assert_eq!(
        eventbridge["triggers"],
        json!([{"type": "eventbridge", "pattern": "{\"source\":[\"aws.ec2\"],\"detail-type\":[\"EC2 Instance State-change Notification\"]}", "enabled": true}])
    );
    let powertools = functions
        .iter()
        .find(|f| f["dir"] == "hello-powertools/hello_world")
        .unwrap();
    assert_eq!(
        (powertools["timeout"].clone(), powertools["runtime"].clone()),
        (json!(5), json!("python3.13"))
    );
}

#[test]
fn globals_intrinsics_and_shared_code_folders() {
    let functions = functions_json(&fixture("shop"), &[]);
    let summary: Vec<Value> = functions
        .iter()
        .map(|f| {
            json!([
                f["name"],
                f["dir"],
                f["handler"],
                f["memory"],
                f["timeout"],
                f["architecture"]
            ])
        })
        .collect();
    assert_eq!(
        summary,
        [
            json!([
                "NightlyReportFunction",
                "reports",
                "nightly.handler",
                256,
                20,
                "arm64"
            ]),
            json!(["ChargeFunction", "src", "payments.charge", 512, 20, "arm64"]),
            json!([
                "ProcessOrderFunction",
                "src",
                "orders.process_order",
                256,
                60,
                "arm64"
            ]),
            // `FunctionName: !Sub "shop-${Stage}-create-order"` with the parameter's default.
            json!([
                "shop-dev-create-order",
                "src",
                "orders.create_order",
                256,
                20,
                "arm64"
            ]),
        ]
    );
    assert_eq!(
        by_name(&functions, "ChargeFunction")["triggers"],
        // `Bucket: !Ref ReceiptsBucket`, whose BucketName is `!Sub "shop-receipts-${Stage}"`.
        json!([{"type": "s3", "bucket": "shop-receipts-dev", "events": ["s3:ObjectCreated:*"], "suffix": ".json"}])
    );
    assert_eq!(
        by_name(&functions, "ProcessOrderFunction")["triggers"],
        // The queue's ARN is only known at deploy: as written.
        json!([{"type": "sqs", "queue": "!GetAtt OrdersQueue.Arn", "batch_size": 10, "report_batch_item_failures": true, "enabled": true}])
    );
    assert_eq!(
        by_name(&functions, "shop-dev-create-order")["triggers"],
        json!([{"type": "http-api", "path": "/orders", "method": "POST"}])
    );
    assert_eq!(
        by_name(&functions, "NightlyReportFunction")["triggers"],
        json!([{"type": "schedule", "schedule": "cron(0 2 * * ? *)", "enabled": true}])
    );
}

#[test]
fn templates_above_other_names_and_broken_templates() {
    // From inside a code folder, the project's template above it is found.
    let inside = functions_json(&fixture("sam-init/hello-world/hello_world"), &[]);
    assert_eq!(inside.len(), 1);
    assert_eq!(inside[0]["source"], "template.yaml#HelloWorldFunction");
    assert_eq!(inside[0]["dir"], ".");

    // A template with another name is read when named.
    let temp = tempfile::tempdir().unwrap();
    let project = temp.path().join("project");
    copy_tree(&fixture("sam-init/hello-world"), &project);
    std::fs::rename(project.join("template.yaml"), project.join("infra.yml")).unwrap();
    assert!(functions_json(&project, &[]).is_empty());
    let named = functions_json(&project, &["--template", "infra.yml"]);
    assert_eq!(named.len(), 1);
    assert_eq!(named[0]["source"], "infra.yml#HelloWorldFunction");
    assert_eq!(named[0]["dir"], "hello_world");

    // The text table.
    let table = ok(&run_cli(
        &project,
        &["functions", "--template", "infra.yml"],
    ));
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 2, "{table}");
    assert!(lines[0].starts_with("NAME"), "{table}");
    let cells: Vec<&str> = lines[1].split_whitespace().collect();
    assert_eq!(
        cells,
        [
            "HelloWorldFunction",
            "hello_world",
            "app.lambda_handler",
            "python3.13",
            "x86_64",
            "128",
            "MB",
            "3",
            "s",
            "api",
            "infra.yml#HelloWorldFunction"
        ]
    );

    // A template that is not YAML: said on stderr, with where; the rest is still listed.
    let output = run_cli(
        &fixture("."),
        &["functions", "broken", "sam-init/hello-world"],
    );
    let stdout = ok(&output);
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("broken/template.yaml: line 13, column 1: This template is not valid YAML"),
        "{stderr}"
    );
    assert!(stdout.contains("HelloWorldFunction"), "{stdout}");
}

#[test]
fn a_folder_with_its_own_lambda_toml_keeps_it() {
    let functions = functions_json(&fixture("problems"), &[]);
    let owned = functions
        .iter()
        .find(|f| f["dir"] == "owned")
        .unwrap_or_else(|| panic!("{functions:#?}"));
    assert_eq!(owned["name"], "owned-by-lambda-toml");
    assert_eq!(owned["source"], "lambda.toml");
    assert!(functions.iter().all(|f| f["name"] != "OwnedFunction"));
}

/// cfn-lint, AWS's CloudFormation linter, on a template: (passed, its report).
fn cfn_lint(template: &Path) -> (bool, String) {
    let output = Command::new("python3")
        .args([
            "-c",
            "import sys; from cfnlint.runner import main; sys.exit(main())",
        ])
        .arg(template)
        .output()
        .expect("python3 runs");
    let report = format!("{}{}", text(&output.stdout), text(&output.stderr));
    assert!(
        !report.contains("No module named"),
        "cfn-lint is missing (tests/setup/sam.sh installs it): {report}"
    );
    (output.status.success(), report)
}

/// A function's JSON with JSON documents held in strings parsed, and without its source:
/// what must survive a round trip through a template.
fn comparable(function: &Value) -> Value {
    let mut function = function.clone();
    function.as_object_mut().unwrap().remove("source");
    for trigger in function["triggers"].as_array_mut().unwrap() {
        for value in trigger.as_object_mut().unwrap().values_mut() {
            if let Some(json) = value
                .as_str()
                .and_then(|s| serde_json::from_str::<Value>(s).ok())
            {
                if json.is_object() {
                    *value = json;
                }
            }
        }
    }
    function
}

#[test]
fn exported_templates_pass_cfn_lint_and_read_back_to_the_same_functions() {
    let temp = tempfile::tempdir().unwrap();
    let project = temp.path().join("project");
    copy_tree(&fixture("export"), &project);
    let before = functions_json(&project, &[]);
    assert_eq!(before.len(), 6);
    assert!(before.iter().all(|f| f["source"] == "lambda.toml"));

    let output = run_cli(&project, &["export", "sam", "-o", "template.yaml"]);
    ok(&output);
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("wrote template.yaml: 6 functions"),
        "{stderr}"
    );
    assert!(
        stderr.contains("note: SAM's S3 events need the bucket in the template"),
        "{stderr}"
    );
    let template = std::fs::read_to_string(project.join("template.yaml")).unwrap();
    let (passed, report) = cfn_lint(&project.join("template.yaml"));
    assert!(passed, "cfn-lint:\n{report}\ntemplate:\n{template}");
    assert!(template.contains("CodeUri: prices\n"), "{template}");

    // While lambda.toml files exist they win; without them the template describes the
    // same functions.
    assert!(functions_json(&project, &[])
        .iter()
        .all(|f| f["source"] == "lambda.toml"));
    for function in &before {
        std::fs::remove_file(
            project
                .join(function["dir"].as_str().unwrap())
                .join("lambda.toml"),
        )
        .unwrap();
    }
    let after = functions_json(&project, &[]);
    assert!(after
        .iter()
        .all(|f| f["source"].as_str().unwrap().starts_with("template.yaml#")));
    let mut before: Vec<Value> = before.iter().map(comparable).collect();
    let mut after: Vec<Value> = after.iter().map(comparable).collect();
    let key = |f: &Value| f["name"].as_str().unwrap().to_string();
    before.sort_by_key(key);
    after.sort_by_key(key);
    assert_eq!(before, after, "template:\n{template}");
}

#[test]
fn export_never_writes_secrets_or_over_a_file() {
    let temp = tempfile::tempdir().unwrap();
    let project = temp.path().join("project");
    copy_tree(&fixture("export/prices"), &project.join("prices"));
    let output = Command::new(support::binary())
        .args(["export", "sam", "prices"])
        .current_dir(&project)
        .env("BME_API_KEY", "the-real-secret")
        .output()
        .unwrap();
    let stdout = ok(&output);
    assert!(!stdout.contains("the-real-secret"));
    assert!(stdout.contains("BME_API_KEY: !Ref BmeApiKey"), "{stdout}");
    // On stdout, code paths are relative to the current folder.
    assert!(stdout.contains("CodeUri: prices\n"), "{stdout}");

    std::fs::write(project.join("template.yaml"), "keep me").unwrap();
    let refused = run_cli(
        &project,
        &["export", "sam", "prices", "-o", "template.yaml"],
    );
    assert_eq!(refused.status.code(), Some(2));
    assert!(text(&refused.stderr).contains("template.yaml exists: pass --force"));
    assert_eq!(
        std::fs::read_to_string(project.join("template.yaml")).unwrap(),
        "keep me"
    );
    ok(&run_cli(
        &project,
        &["export", "sam", "prices", "-o", "template.yaml", "--force"],
    ));
    assert!(std::fs::read_to_string(project.join("template.yaml"))
        .unwrap()
        .contains("santander-prices"));

    // A lambda.toml with errors gives no template.
    std::fs::write(project.join("prices/lambda.toml"), "memory = 5\n").unwrap();
    let invalid = run_cli(
        &project,
        &["export", "sam", "prices", "-o", "out/template.yaml"],
    );
    assert_eq!(invalid.status.code(), Some(2));
    assert!(
        text(&invalid.stderr).contains("error(s), so no template was written"),
        "{}",
        text(&invalid.stderr)
    );
    assert!(!project.join("out/template.yaml").exists());
}
