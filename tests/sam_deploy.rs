//! `lambda-ls deploy` on a SAM template's function: a code-only sync of the function its
//! CloudFormation stack created (like `sam sync --code`), against moto's CloudFormation and
//! Lambda on loopback (`tests/setup/aws.sh` installs moto). The stack is created with an
//! independent client (boto3); moto's request recording shows that only the code changed.

mod aws_emulator;
mod support;

use std::path::PathBuf;

use aws_emulator::*;
use serde_json::{json, Value};
use support::{copy_tree, repo_root};

const STACK: &str = "hello-stack";

/// The `sam init` hello-world project, with a samconfig.toml naming the stack.
fn project() -> (tempfile::TempDir, PathBuf) {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("hello-world");
    copy_tree(
        &repo_root().join("tests/fixtures/sam/sam-init/hello-world"),
        &dir,
    );
    std::fs::write(
        dir.join("samconfig.toml"),
        format!(
            "version = 0.1\n\n[default.deploy.parameters]\nstack_name = \"{STACK}\"\nregion = \"{REGION}\"\nresolve_s3 = true\n"
        ),
    )
    .unwrap();
    (temp, dir)
}

/// A stack like the one `sam deploy` makes of the template: the function under the same
/// logical id, with a generated name, the stack's own code and 256 MB of memory.
fn create_stack(moto: &Moto) -> String {
    // With `use_docker: false` (the harness's setting, for invokes) moto's Lambda API and
    // its CloudFormation keep functions apart; these tests do not invoke.
    let (status, _) = http(
        moto.port,
        "POST",
        "/moto-api/config",
        r#"{"lambda": {"use_docker": true}}"#,
    )
    .unwrap();
    assert!(status == 200 || status == 201, "moto config: {status}");
    let template = json!({
        "Resources": {
            "HelloWorldFunction": {
                "Type": "AWS::Lambda::Function",
                "Properties": {
                    "Handler": "app.lambda_handler",
                    "Runtime": "python3.13",
                    "Role": ROLE,
                    "MemorySize": 256,
                    "Timeout": 3,
                    "Code": {"ZipFile": "def lambda_handler(event, context):\n    return 'old'\n"}
                }
            }
        }
    });
    let created = moto.call(
        "cloudformation",
        "create_stack",
        json!({"StackName": STACK, "TemplateBody": template.to_string()}),
    );
    assert!(created.get("Error").is_none(), "{created}");
    let resource = moto.call(
        "cloudformation",
        "describe_stack_resource",
        json!({"StackName": STACK, "LogicalResourceId": "HelloWorldFunction"}),
    );
    resource["StackResourceDetail"]["PhysicalResourceId"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Lambda API calls that change a function, as `METHOD path-suffix`.
fn lambda_changes(moto: &Moto, since: usize) -> Vec<String> {
    moto.recorded()[since..]
        .iter()
        .filter_map(|r| {
            let method = r["method"].as_str()?;
            let url = r["url"].as_str()?;
            (url.contains("/2015-03-31/functions") && method != "GET").then(|| {
                let tail = url.rsplit('/').next().unwrap_or_default();
                format!("{method} {tail}")
            })
        })
        .collect()
}

fn configuration(moto: &Moto, name: &str) -> Value {
    function(moto, name)["Configuration"].clone()
}

#[test]
fn deploy_syncs_only_the_code_of_the_stack_function() {
    let moto = Moto::start();
    let physical = create_stack(&moto);
    assert!(
        physical.starts_with("hello-stack-HelloWorldFunction-"),
        "{physical}"
    );
    let before = configuration(&moto, &physical);
    let (_temp, project) = project();

    // From the code folder: the stack's function gets the folder's code, nothing else.
    let since = moto.recorded().len();
    let out = assert_ok(&moto.cli(&project.join("hello_world"), &["deploy"]));
    assert!(
        out.starts_with(&format!(
            "Updated {physical} in {REGION}, account 123456789012: 1 change(s)\n  code: upload "
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "note: `HelloWorldFunction` of stack `{STACK}`, which owns its configuration: only the code is synced; apply configuration changes with `sam deploy`"
        )),
        "{out}"
    );
    // The template says 128 MB, the stack 256 MB: said, not changed.
    assert!(
        out.contains("note: the template's MemorySize is `128`, the deployed function's `256`: `sam deploy` applies it"),
        "{out}"
    );
    assert_eq!(lambda_changes(&moto, since), ["PUT code"]);
    let after = configuration(&moto, &physical);
    assert_ne!(after["CodeSha256"], before["CodeSha256"]);
    assert!(
        out.contains(&format!(
            "CodeSha256 {}",
            after["CodeSha256"].as_str().unwrap()
        )),
        "{out}"
    );
    for unchanged in ["MemorySize", "Handler", "Runtime", "Timeout", "Role"] {
        assert_eq!(after[unchanged], before[unchanged], "{unchanged}");
    }

    // The same code again: nothing is sent; from the project's folder (one function there).
    let since = moto.recorded().len();
    let out = assert_ok(&moto.cli(&project, &["deploy"]));
    assert!(out.contains("is up to date: nothing changed"), "{out}");
    assert!(
        out.contains("note: code unchanged (same CodeSha256), nothing uploaded"),
        "{out}"
    );
    assert!(out.contains("uploaded: 0 bytes"), "{out}");
    assert!(lambda_changes(&moto, since).is_empty());

    // A dry run after a change reads and plans, and changes nothing.
    std::fs::write(
        project.join("hello_world/app.py"),
        "def lambda_handler(event, context):\n    return {'statusCode': 200, 'body': 'changed'}\n",
    )
    .unwrap();
    let since = moto.recorded().len();
    let out = assert_ok(&moto.cli(
        &project,
        &["deploy", "--dry-run", "--function", "HelloWorldFunction"],
    ));
    assert!(
        out.starts_with(&format!("Plan for {physical} in {REGION}")),
        "{out}"
    );
    assert!(out.contains("only the code is compared"), "{out}");
    assert!(out.contains("dry run: nothing was changed"), "{out}");
    assert!(lambda_changes(&moto, since).is_empty());
    assert_eq!(
        configuration(&moto, &physical)["CodeSha256"],
        after["CodeSha256"]
    );
}

#[test]
fn stack_problems_are_explained() {
    let moto = Moto::start();
    let (_temp, project) = project();
    let code = project.join("hello_world");

    // No stack yet.
    let output = moto.cli(&code, &["deploy"]);
    assert_fails_with(
        &output,
        &[&format!(
            "stack `{STACK}` does not exist in {REGION}: create it with `sam deploy` first"
        )],
    );

    // A stack without the function.
    create_stack(&moto);
    let renamed = std::fs::read_to_string(project.join("template.yaml"))
        .unwrap()
        .replace("HelloWorldFunction:", "GreetingFunction:");
    std::fs::write(project.join("template.yaml"), renamed).unwrap();
    let output = moto.cli(&code, &["deploy"]);
    assert_fails_with(
        &output,
        &[
            "stack `hello-stack` has no resource `GreetingFunction`",
            "`sam deploy`",
        ],
    );

    // An unknown logical id lists the template's functions.
    let output = moto.cli(&code, &["deploy", "--function", "Nope"]);
    assert_fails_with(
        &output,
        &["no Python function `Nope`; its functions: `GreetingFunction`"],
    );

    // No stack name anywhere.
    std::fs::remove_file(project.join("samconfig.toml")).unwrap();
    let output = moto.cli(&code, &["deploy"]);
    assert_fails_with(&output, &["no stack name is known: pass --stack NAME"]);
    // --stack names it; --publish is the template's business.
    let output = moto.cli(&code, &["deploy", "--stack", STACK, "--publish"]);
    assert_fails_with(&output, &["--publish applies to lambda.toml functions"]);
}

#[test]
fn several_functions_in_one_folder_need_a_logical_id() {
    let moto = Moto::start();
    let temp = tempfile::tempdir().unwrap();
    let project = temp.path().join("web");
    copy_tree(
        &repo_root().join("tests/fixtures/sam/sam-init/quick-start-web"),
        &project,
    );
    let output = moto.cli(&project, &["deploy", "--stack", STACK]);
    let stderr = assert_fails_with(&output, &["holds several functions:"]);
    assert!(
        stderr.contains("`getAllItemsFunction` (src/handlers/get_all_items.getAllItemsHandler)")
            && stderr.contains("pick one with --function <LogicalId>"),
        "{stderr}"
    );
}
