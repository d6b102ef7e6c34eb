//! A SAM template's functions work like lambda.toml functions through the real binary:
//! `check` (the template's own diagnostics, the handler checks with the template's handler,
//! the env-var check against its variables), `invoke`, `serve` and `package`, with
//! `--function LogicalId` where a folder holds several.

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::{json, Value};
use support::{binary, copy_tree, ok, repo_root, run_cli, text};

fn fixture(name: &str) -> PathBuf {
    repo_root().join("tests/fixtures/sam").join(name)
}

/// A private copy of a fixture (Python writes `__pycache__`; tests edit files).
fn work_copy(name: &str) -> (tempfile::TempDir, PathBuf) {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join(name);
    copy_tree(&fixture(name), &dir);
    (temp, dir)
}

/// The command failed (exit 2, an error before anything ran) and said `expected`.
fn fails_with(output: &Output, expected: &str) {
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(expected),
        "wanted {expected:?} in:\n{stderr}"
    );
}

fn check_json(dir: &Path, args: &[&str]) -> (Option<i32>, Vec<Value>) {
    let mut all = vec!["check", "--format", "json"];
    all.extend_from_slice(args);
    let output = run_cli(dir, &all);
    let found: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", text(&output.stdout)));
    (output.status.code(), found.as_array().unwrap().clone())
}

/// (file name, line, code) of each diagnostic.
fn located(found: &[Value]) -> Vec<(String, u64, String)> {
    found
        .iter()
        .map(|d| {
            let path = PathBuf::from(d["path"].as_str().unwrap());
            (
                path.file_name().unwrap().to_string_lossy().into_owned(),
                d["line"].as_u64().unwrap(),
                d["code"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn check_is_clean_on_sam_init_projects_and_shows_problems_where_they_are() {
    let (code, found) = check_json(&fixture("sam-init"), &[]);
    assert_eq!((code, found.len()), (Some(0), 0), "{found:#?}");
    let summary = run_cli(&fixture("sam-init"), &["check"]);
    assert!(
        text(&summary.stderr).contains("27 files checked: 0 errors, 0 warnings"),
        "{}",
        text(&summary.stderr)
    );
    let (code, found) = check_json(&fixture("shop"), &[]);
    assert_eq!((code, found.len()), (Some(0), 0), "{found:#?}");

    // The template's problems at their lines, and the handler module that lacks the
    // template's handler (LH001 names where to fix it).
    let (code, found) = check_json(&fixture("problems"), &[]);
    assert_eq!(code, Some(1));
    assert_eq!(
        located(&found),
        [
            ("template.yaml".to_string(), 11, "LS007".to_string()),
            ("template.yaml".to_string(), 12, "LS008".to_string()),
            ("template.yaml".to_string(), 13, "LS008".to_string()),
            ("template.yaml".to_string(), 19, "LS002".to_string()),
            ("template.yaml".to_string(), 26, "LS003".to_string()),
            ("template.yaml".to_string(), 30, "LS012".to_string()),
            ("template.yaml".to_string(), 35, "LS011".to_string()),
            ("template.yaml".to_string(), 39, "LS013".to_string()),
            ("app.py".to_string(), 1, "LH001".to_string()),
        ]
    );
    let missing = found.iter().find(|d| d["code"] == "LH001").unwrap();
    assert!(
        missing["message"]
            .as_str()
            .unwrap()
            .contains("defines no `handle`")
            && missing["message"]
                .as_str()
                .unwrap()
                .contains("point `Handler` of `MissingFunctionFunction` in template.yaml"),
        "{missing}"
    );

    // One file: the same answers, with a template above the current folder.
    let (code, found) = check_json(&fixture("problems/app"), &["app.py"]);
    assert_eq!(
        (code, located(&found)),
        (
            Some(1),
            vec![("app.py".to_string(), 1, "LH001".to_string())]
        )
    );
}

#[test]
fn each_handler_is_checked_against_its_own_function() {
    let (_temp, dir) = work_copy("twins");
    let app = dir.join("src/app.py");
    let original = std::fs::read_to_string(&app).unwrap();
    assert_eq!(check_json(&dir, &[]), (Some(0), Vec::new()));

    // `TABLE` is SecondFunction's, not FirstFunction's or LoudFunction's: a read in a
    // module that all three load is fine; `NOWHERE` is nobody's.
    std::fs::write(
        &app,
        format!("{original}\n\nMODULE_TABLE = os.environ.get(\"TABLE\")\nNOWHERE = os.environ[\"NOWHERE\"]\n"),
    )
    .unwrap();
    let (_, found) = check_json(&dir, &[]);
    assert_eq!(
        located(&found),
        [("app.py".to_string(), 23, "LH008".to_string())]
    );
    let message = found[0]["message"].as_str().unwrap();
    assert!(
        message.contains("`NOWHERE` is not in the `Environment.Variables` of `FirstFunction`, `SecondFunction`, `LoudFunction` in template.yaml"),
        "{message}"
    );

    // A handler the template names but the module lacks, for two functions at once: once.
    std::fs::write(&app, original.replace("def first(", "def primero(")).unwrap();
    let (code, found) = check_json(&dir, &[]);
    assert_eq!(code, Some(1));
    assert_eq!(
        located(&found),
        [
            ("template.yaml".to_string(), 32, "LS003".to_string()),
            ("template.yaml".to_string(), 59, "LS003".to_string()),
            ("app.py".to_string(), 1, "LH001".to_string()),
        ],
        "{found:#?}"
    );
    assert!(
        found[2]["message"]
            .as_str()
            .unwrap()
            .contains("point `Handler` of `FirstFunction`, `LoudFunction` in template.yaml"),
        "{}",
        found[2]
    );
}

#[test]
fn invoke_and_package_pick_a_function_by_logical_id() {
    let (_temp, dir) = work_copy("twins");
    let invoke = |from: &Path, args: &[&str]| {
        let mut all = vec!["invoke", "-q"];
        all.extend_from_slice(args);
        run_cli(from, &all)
    };
    // From the template's folder, by logical id; the event template of its trigger.
    let out = ok(&invoke(
        &dir,
        &["--function", "SecondFunction", "-e", "sqs"],
    ));
    let payload: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(payload["who"], "second");
    // `TABLE: !Ref Table` is CloudFormation's to say: unset locally.
    assert_eq!(payload["table"], Value::Null);

    // From the code folder too; Globals' and the function's own variables, merged.
    let out = ok(&invoke(
        &dir.join("src"),
        &["--function", "LoudFunction", "-e", "{\"path\": \"/x\"}"],
    ));
    let body: Value = serde_json::from_str(
        serde_json::from_str::<Value>(&out).unwrap()["body"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        body,
        json!({"who": "LoudFunction", "greeting": "HELLO", "stage": "dev", "path": "/x"})
    );
    // An environment variable set at deploy can be given locally.
    let output = Command::new(binary())
        .args(["invoke", "-q", "--function", "SecondFunction", "-e", "sqs"])
        .current_dir(&dir)
        .env("TABLE", "local-table")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(&ok(&output)).unwrap()["table"],
        "local-table"
    );

    // Several functions and no choice: each is named.
    fails_with(
        &invoke(&dir.join("src"), &[]),
        "holds several functions: `FirstFunction` (app.first), `SecondFunction` (app.second), `LoudFunction` (app.first); pick one with --function <LogicalId>",
    );
    fails_with(
        &invoke(&dir, &[]),
        "has several functions: `FirstFunction`, `SecondFunction`, `LoudFunction`; pick one with --function <LogicalId>",
    );
    fails_with(
        &invoke(&dir, &["--function", "ThirdFunction"]),
        "the template has no Python function `ThirdFunction`; its functions: `FirstFunction`, `SecondFunction`, `LoudFunction`",
    );

    // The package of a template's function is the package of the same code as a
    // lambda.toml function: the same bytes.
    let sam = ok(&run_cli(
        &dir,
        &[
            "package",
            "--function",
            "SecondFunction",
            "--format",
            "json",
        ],
    ));
    let as_toml = dir.parent().unwrap().join("as-toml");
    std::fs::create_dir_all(&as_toml).unwrap();
    std::fs::copy(dir.join("src/app.py"), as_toml.join("app.py")).unwrap();
    std::fs::write(
        as_toml.join("lambda.toml"),
        "handler = \"app.second\"\nruntime = \"python3.12\"\n",
    )
    .unwrap();
    let toml = ok(&run_cli(&as_toml, &["package", "--format", "json"]));
    let sha = |json: &str| serde_json::from_str::<Value>(json).unwrap()["code_sha256"].clone();
    assert!(sha(&sam).is_string(), "{sam}");
    assert_eq!(sha(&sam), sha(&toml), "{sam}\n{toml}");
}

/// A running `lambda-ls serve`, killed by pid when dropped.
struct Server(std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = Command::new("kill").arg(self.0.id().to_string()).status();
        let _ = self.0.wait();
    }
}

#[test]
fn serve_puts_a_templates_function_behind_its_api() {
    let (_temp, dir) = work_copy("twins");
    let mut child = Command::new(binary())
        .args(["serve", "--port", "0", "--function", "FirstFunction"])
        .current_dir(&dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let _server = Server(child);
    // Its `Api` event: a REST API in front of it.
    assert!(
        line.starts_with("Serving FirstFunction as api on http://127.0.0.1:"),
        "{line}"
    );
    let address = line.split("http://").nth(1).unwrap().trim().to_string();
    let mut stream = TcpStream::connect(&address).unwrap();
    write!(
        stream,
        "GET /first?x=1 HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    let body: Value = serde_json::from_str(response.split("\r\n\r\n").nth(1).unwrap()).unwrap();
    assert_eq!(
        body,
        json!({"who": "FirstFunction", "greeting": "hello", "stage": "dev", "path": "/first"})
    );
}

/// `sam init` keeps test events beside the template: they are a template function's events
/// too, from its code folder as from the template's.
#[test]
fn events_beside_the_template_are_the_functions_events() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("hello-world");
    copy_tree(&fixture("sam-init/hello-world"), &dir);
    for from in [dir.join("hello_world"), dir.clone()] {
        let out = ok(&run_cli(&from, &["invoke", "-q", "-e", "event"]));
        let response: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(response["statusCode"], 200, "{out}");
        assert!(
            response["body"].as_str().unwrap().contains("hello world"),
            "{out}"
        );
    }
    fails_with(
        &run_cli(&dir.join("hello_world"), &["invoke", "-e", "nothing"]),
        &format!(
            "not in {} or {}",
            dir.join("events").display(),
            dir.join("hello_world/events").display()
        ),
    );
}
