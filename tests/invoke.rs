//! `lambda-ls invoke` end to end: every error type of Lambda's Python runtime, values,
//! context, logs, warm reuse, timeouts, crashes, environment resolution and payload limits,
//! through the embedded runtime client and AWS's awslambdaric.

mod support;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;
use support::{binary, copy_tree, repo_root};

struct Run {
    code: i32,
    stdout: Vec<u8>,
    stderr: String,
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}): {}\nstderr:\n{}",
                String::from_utf8_lossy(&self.stdout),
                self.stderr
            )
        })
    }
    fn lines(&self) -> Vec<Value> {
        String::from_utf8_lossy(&self.stdout)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
            .collect()
    }
}

/// A private copy of a fixture function (the suite runs in parallel and Python writes
/// `__pycache__`; tests may edit files).
fn fixture(name: &str) -> (tempfile::TempDir, PathBuf) {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join(name);
    copy_tree(
        &repo_root().join("tests/fixtures/functions").join(name),
        &dir,
    );
    (temp, dir)
}

fn invoke_with(dir: &Path, args: &[&str], stdin: &[u8], env: &[(&str, &str)]) -> Run {
    let mut command = Command::new(binary());
    command
        .arg("invoke")
        .arg(dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (key, value) in env {
        command.env(key, value);
    }
    let mut child = command.spawn().expect("lambda-ls starts");
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    let output = child.wait_with_output().unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: output.stdout,
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn invoke(dir: &Path, args: &[&str]) -> Run {
    invoke_with(dir, args, b"", &[])
}

/// Both runtime clients: lambda-ls installs AWS's awslambdaric (pinned) into its cache for
/// the runtime's Python when `--client awslambdaric` asks for it.
fn clients() -> Vec<&'static str> {
    vec!["embedded", "awslambdaric"]
}

/// The top-level keys of a JSON object text, in the order written (serde_json's `Value`
/// sorts them).
fn keys_in_order(text: &str) -> Vec<String> {
    let value: Value = serde_json::from_str(text).unwrap();
    let mut keys: Vec<(usize, String)> = value
        .as_object()
        .unwrap()
        .keys()
        .map(|k| (text.find(&format!("\"{k}\"")).unwrap(), k.clone()))
        .collect();
    keys.sort();
    keys.into_iter().map(|(_, k)| k).collect()
}

/// One row of LAMBDA-RUNTIME.md's error table.
struct ErrorCase {
    handler: &'static str,
    event: &'static str,
    error_type: &'static str,
    message: &'static str,
    /// Whether `message` is a prefix rather than the whole message.
    prefix: bool,
}

const ERROR_CASES: &[ErrorCase] = &[
    ErrorCase {
        handler: "lambda_function",
        event: "{}",
        error_type: "Runtime.MalformedHandlerName",
        message: "Bad handler 'lambda_function': not enough values to unpack (expected 2, got 1)",
        prefix: false,
    },
    ErrorCase {
        handler: "import_error.handler",
        event: "{}",
        error_type: "Runtime.ImportModuleError",
        message: "Unable to import module 'import_error': No module named 'not_a_real_module'",
        prefix: false,
    },
    ErrorCase {
        handler: "missing_module.handler",
        event: "{}",
        error_type: "Runtime.ImportModuleError",
        message: "Unable to import module 'missing_module': No module named 'missing_module'",
        prefix: false,
    },
    ErrorCase {
        handler: "syntax_error.handler",
        event: "{}",
        error_type: "Runtime.UserCodeSyntaxError",
        message: "Syntax error in module 'syntax_error': ",
        prefix: true,
    },
    ErrorCase {
        handler: "no_handler.handler",
        event: "{}",
        error_type: "Runtime.HandlerNotFound",
        message: "Handler 'handler' missing on module 'no_handler'",
        prefix: false,
    },
    ErrorCase {
        handler: "sys.handler",
        event: "{}",
        error_type: "Runtime.BuiltInModuleConflict",
        message: "Cannot use built-in module sys as a handler module",
        prefix: false,
    },
    ErrorCase {
        handler: "unserialisable.handler",
        event: "{}",
        error_type: "Runtime.MarshalError",
        message: "Unable to marshal response: Object of type set is not JSON serializable",
        prefix: false,
    },
    ErrorCase {
        handler: "unserialisable.handler",
        event: r#"{"kind": "datetime"}"#,
        error_type: "Runtime.MarshalError",
        message: "Unable to marshal response: Object of type datetime is not JSON serializable",
        prefix: false,
    },
    ErrorCase {
        handler: "async_handler.handler",
        event: "{}",
        error_type: "Runtime.MarshalError",
        message: "Unable to marshal response: Object of type coroutine is not JSON serializable",
        prefix: false,
    },
    ErrorCase {
        handler: "counter.handler",
        event: "not json",
        error_type: "Runtime.UnmarshalError",
        message: "Unable to unmarshal input: Expecting value: line 1 column 1 (char 0)",
        prefix: false,
    },
    // awslambdaric parses with simplejson, whose words differ from the standard library's.
    ErrorCase {
        handler: "counter.handler",
        event: r#"{"order": 1,}"#,
        error_type: "Runtime.UnmarshalError",
        message: "Unable to unmarshal input: Illegal trailing comma before end of object: line 1 column 12 (char 11)",
        prefix: false,
    },
    ErrorCase {
        handler: "counter.handler",
        event: r#"[1, 2"#,
        error_type: "Runtime.UnmarshalError",
        message: "Unable to unmarshal input: Expecting ',' delimiter or ']': line 1 column 6 (char 5)",
        prefix: false,
    },
    ErrorCase {
        handler: "counter.handler",
        event: r#"{"n": NaN} trailing"#,
        error_type: "Runtime.UnmarshalError",
        message: "Unable to unmarshal input: Expecting value: line 1 column 7 (char 6)",
        prefix: false,
    },
    ErrorCase {
        handler: "init_exception.handler",
        event: "{}",
        error_type: "RuntimeError",
        message: "config missing at import",
        prefix: false,
    },
    ErrorCase {
        handler: "unhandled.handler",
        event: r#"{"value": 1}"#,
        error_type: "ValueError",
        message: "bad value: 1",
        prefix: false,
    },
    ErrorCase {
        handler: "unhandled.handler",
        event: r#"{"kind": "key"}"#,
        error_type: "KeyError",
        message: "'missing'",
        prefix: false,
    },
    ErrorCase {
        handler: "unhandled.handler",
        event: r#"{"kind": "custom"}"#,
        error_type: "PriceFeedError",
        message: "feed is down",
        prefix: false,
    },
    ErrorCase {
        handler: "arity.handler",
        event: "{}",
        error_type: "TypeError",
        message: "handler() takes 1 positional argument but 2 were given",
        prefix: false,
    },
    ErrorCase {
        handler: "inner_import.handler",
        event: "{}",
        error_type: "ModuleNotFoundError",
        message: "No module named 'requests_that_do_not_exist'",
        prefix: false,
    },
];

#[test]
fn every_error_type_matches_lambda_in_both_clients() {
    let (_temp, dir) = fixture("cases");
    let clients = clients();
    for case in ERROR_CASES {
        let mut results = Vec::new();
        for client in &clients {
            let run = invoke_with(
                &dir,
                &[
                    "--handler",
                    case.handler,
                    "--event",
                    "-",
                    "--client",
                    client,
                ],
                case.event.as_bytes(),
                &[],
            );
            let what = format!("{} with {client}", case.handler);
            assert_eq!(run.code, 1, "{what}: exit code; stderr:\n{}", run.stderr);
            let error = run.json();
            assert_eq!(
                keys_in_order(&String::from_utf8_lossy(&run.stdout)),
                ["errorMessage", "errorType", "requestId", "stackTrace"],
                "{what}: key order"
            );
            assert_eq!(error["errorType"], case.error_type, "{what}: {error}");
            let message = error["errorMessage"].as_str().unwrap();
            if case.prefix {
                assert!(message.starts_with(case.message), "{what}: {message}");
            } else {
                assert_eq!(message, case.message, "{what}");
            }
            // The log frames the invocation and shows the error as awslambdaric logs it.
            assert!(
                run.stderr.contains("START RequestId: "),
                "{what}: {}",
                run.stderr
            );
            assert!(
                run.stderr.contains("\nEND RequestId: "),
                "{what}: {}",
                run.stderr
            );
            assert!(
                run.stderr
                    .contains(&format!("[ERROR] {}: ", case.error_type)),
                "{what}: {}",
                run.stderr
            );
            results.push(error);
        }
        if let [embedded, aws] = &results[..] {
            // Same JSON from both clients, request ids aside (and the runtime's own frames,
            // kept when nothing else is left, as awslambdaric does, differ in path and line).
            let strip = |v: &Value| {
                let mut v = v.clone();
                let object = v.as_object_mut().unwrap();
                object.remove("requestId");
                for frame in object["stackTrace"].as_array_mut().unwrap() {
                    let text = frame.as_str().unwrap();
                    if text.contains("/bootstrap.py\"") {
                        let code = text.lines().nth(1).unwrap_or("").to_string();
                        *frame = Value::from(format!("runtime frame: {code}"));
                    }
                }
                v
            };
            assert_eq!(
                strip(embedded),
                strip(aws),
                "{}: embedded vs awslambdaric",
                case.handler
            );
        }
    }
}

#[test]
fn handler_errors_carry_request_id_and_user_frames_only() {
    let (_temp, dir) = fixture("cases");
    let run = invoke(
        &dir,
        &[
            "--handler",
            "unhandled.handler",
            "--event",
            r#"{"value": 2}"#,
        ],
    );
    let error = run.json();
    let request_id = error["requestId"].as_str().unwrap();
    assert_eq!(request_id.len(), 36);
    assert!(run
        .stderr
        .contains(&format!("START RequestId: {request_id} Version: $LATEST")));
    let trace = error["stackTrace"].as_array().unwrap();
    assert_eq!(trace.len(), 1, "{trace:?}");
    assert!(trace[0]
        .as_str()
        .unwrap()
        .contains("unhandled.py\", line 11, in handler"));
    // Lambda joins the error's lines with `\r` (one CloudWatch event); the CLI shows them
    // as lines, where a terminal would otherwise print each over the last.
    assert!(
        run.stderr
            .contains("[ERROR] ValueError: bad value: 2\nTraceback (most recent call last):\n"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains('\r'), "{:?}", run.stderr);
    // Init errors: no request id, the warning line first, as awslambdaric does.
    let run = invoke(&dir, &["--handler", "import_error.handler"]);
    assert_eq!(run.json()["requestId"], "");
    assert!(run.stderr.contains("LAMBDA_WARNING: Unhandled exception."));
    assert!(
        run.stderr.contains("\tPhase: init\tStatus: error\tError Type: Runtime.ImportModuleError\nSTART RequestId: "),
        "{}",
        run.stderr
    );
}

#[test]
fn results_are_marshalled_as_lambda_does() {
    for client in clients() {
        let (_temp, dir) = fixture("cases");
        let run = invoke(&dir, &["--handler", "values.handler", "--client", client]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        // python3.12 and later: raw UTF-8; Decimal as its digits; NaN and Infinity bare.
        assert_eq!(
            String::from_utf8_lossy(&run.stdout),
            r#"{"price": 1.10, "nan": NaN, "inf": Infinity, "text": "café"}"#,
            "{client}"
        );
        std::fs::write(dir.join("lambda.toml"), "runtime = \"python3.11\"\n").unwrap();
        let run = invoke(&dir, &["--handler", "values.handler", "--client", client]);
        assert_eq!(
            String::from_utf8_lossy(&run.stdout),
            r#"{"price": 1.10, "nan": NaN, "inf": Infinity, "text": "caf\u00e9"}"#,
            "{client}: python3.11 escapes non-ASCII"
        );
        let run = invoke(
            &dir,
            &["--handler", "raw_bytes.handler", "--client", client],
        );
        assert_eq!(
            run.stdout, b"raw \x00 bytes",
            "{client}: bytes go out verbatim"
        );
    }
}

#[test]
fn context_and_environment_are_lambdas() {
    for client in clients() {
        let (_temp, dir) = fixture("cases");
        std::fs::write(
            dir.join("lambda.toml"),
            "name = \"prices\"\nmemory = 256\ntimeout = 7\n",
        )
        .unwrap();
        let run = invoke_with(
            &dir,
            &["--handler", "context_info.handler", "--client", client],
            b"",
            &[("AWS_REGION", "eu-west-1")],
        );
        assert_eq!(run.code, 0, "{}", run.stderr);
        let context = run.json();
        assert_eq!(context["function_name"], "prices");
        assert_eq!(context["function_version"], "$LATEST");
        assert_eq!(
            context["invoked_function_arn"],
            "arn:aws:lambda:eu-west-1:123456789012:function:prices"
        );
        assert_eq!(
            context["memory_limit_in_mb"], "256",
            "a string, as on Lambda"
        );
        assert_eq!(context["log_group_name"], "/aws/lambda/prices");
        let stream = context["log_stream_name"].as_str().unwrap();
        assert!(
            stream.len() == "2024/01/01/[$LATEST]".len() + 32 && stream.contains("/[$LATEST]"),
            "{stream}"
        );
        assert_eq!(context["identity"], serde_json::json!([null, null]));
        assert_eq!(context["client_context"], Value::Null);
        let remaining = context["remaining"].as_array().unwrap();
        let (first, second) = (
            remaining[0].as_i64().unwrap(),
            remaining[1].as_i64().unwrap(),
        );
        assert!(first <= 7000 && first > 5000, "{first}");
        assert!(second <= first - 40, "counts down: {first} then {second}");
        assert!(context["trace"].as_str().unwrap().starts_with("Root=1-"));
        let env = &context["env"];
        assert_eq!(env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"], "256");
        assert_eq!(env["AWS_EXECUTION_ENV"], "AWS_Lambda_python3.13");
        assert_eq!(env["AWS_REGION"], "eu-west-1");
        assert_eq!(env["_HANDLER"], "context_info.handler");
        assert_eq!(env["TZ"], ":UTC");
        assert_eq!(env["AWS_LAMBDA_INITIALIZATION_TYPE"], "on-demand");
        let root = dir.canonicalize().unwrap();
        assert_eq!(env["LAMBDA_TASK_ROOT"], root.to_str().unwrap());
        assert_eq!(context["cwd"], root.to_str().unwrap());
        assert_eq!(context["aws_request_id"].as_str().unwrap().len(), 36);
        assert!(run.stderr.contains(&format!(
            "START RequestId: {} ",
            context["aws_request_id"].as_str().unwrap()
        )));
    }
}

fn report_lines(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| l.starts_with("REPORT RequestId: "))
        .collect()
}

#[test]
fn logs_are_framed_like_cloudwatch() {
    for client in clients() {
        let (_temp, dir) = fixture("cases");
        let run = invoke(
            &dir,
            &[
                "--handler",
                "logs.handler",
                "--repeat",
                "2",
                "--client",
                client,
            ],
        );
        assert_eq!(run.code, 0, "{}", run.stderr);
        let ids: Vec<&str> = run
            .stderr
            .lines()
            .filter_map(|l| l.strip_prefix("START RequestId: "))
            .map(|rest| rest.split(' ').next().unwrap())
            .collect();
        assert_eq!(ids.len(), 2, "{}", run.stderr);
        let body = run
            .stderr
            .split(&format!("START RequestId: {} Version: $LATEST\n", ids[0]))
            .nth(1)
            .unwrap();
        let body = body
            .split(&format!("END RequestId: {}\n", ids[0]))
            .next()
            .unwrap();
        assert!(
            body.starts_with("plain print\nto stderr\n[WARNING]\t"),
            "{client}: {body:?}"
        );
        assert!(
            body.contains(&format!("Z\t{}\ta warning with args\n", ids[0])),
            "{client}: {body:?}"
        );
        assert!(
            !body.contains("info is below"),
            "the root logger stays at WARNING"
        );
        let reports = report_lines(&run.stderr);
        assert_eq!(reports.len(), 2);
        let fields: Vec<&str> = reports[0].split('\t').collect();
        assert_eq!(fields[0], format!("REPORT RequestId: {}", ids[0]));
        assert!(fields[1].starts_with("Duration: ") && fields[1].ends_with(" ms"));
        assert!(fields[2].starts_with("Billed Duration: "));
        assert_eq!(fields[3], "Memory Size: 128 MB");
        let used: u64 = fields[4]
            .trim_start_matches("Max Memory Used: ")
            .trim_end_matches(" MB")
            .parse()
            .unwrap();
        assert!(used > 5 && used < 500, "{used}");
        assert!(
            fields[5].starts_with("Init Duration: "),
            "{client}: cold start reports init"
        );
        assert!(
            !reports[1].contains("Init Duration"),
            "{client}: warm start does not"
        );
        let billed: f64 = fields[2]
            .trim_start_matches("Billed Duration: ")
            .trim_end_matches(" ms")
            .parse()
            .unwrap();
        let duration: f64 = fields[1]
            .trim_start_matches("Duration: ")
            .trim_end_matches(" ms")
            .parse()
            .unwrap();
        assert_eq!(billed, duration.ceil().max(1.0));
    }
}

#[test]
fn warm_environment_runs_module_code_once() {
    for client in clients() {
        let (_temp, dir) = fixture("cases");
        let run = invoke(
            &dir,
            &[
                "--handler",
                "counter.handler",
                "--repeat",
                "3",
                "--client",
                client,
            ],
        );
        assert_eq!(run.code, 0, "{}", run.stderr);
        let results = run.lines();
        let counts: Vec<i64> = results
            .iter()
            .map(|r| r["count"].as_i64().unwrap())
            .collect();
        assert_eq!(counts, [1, 2, 3], "{client}");
        assert!(
            results.iter().all(|r| r["pid"] == results[0]["pid"]),
            "{client}: one process"
        );
        assert_eq!(run.stderr.matches("init counter").count(), 1);
        // Several events in one run share the environment too.
        let run = invoke(
            &dir,
            &[
                "--handler",
                "counter.handler",
                "--event",
                r#"{"n": 1}"#,
                "--event",
                r#"{"n": 2}"#,
                "--client",
                client,
            ],
        );
        let results = run.lines();
        assert_eq!(results[1]["count"], 2);
        assert_eq!(results[1]["event"]["n"], 2);
    }
}

fn process_alive(pid: i64) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        // A zombie is gone for our purposes (its parent has not reaped it yet).
        Ok(stat) => !stat
            .rsplit(')')
            .next()
            .unwrap_or("")
            .trim_start()
            .starts_with('Z'),
        Err(_) => false,
    }
}

fn child_pids(stderr: &str) -> Vec<i64> {
    stderr
        .lines()
        .filter_map(|l| l.strip_prefix("started child "))
        .map(|p| p.trim().parse().unwrap())
        .collect()
}

fn wait_until_dead(pid: i64) -> bool {
    for _ in 0..50 {
        if !process_alive(pid) {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    false
}

#[test]
fn timeout_kills_the_process_group_and_next_invoke_starts_fresh() {
    for client in clients() {
        let (_temp, dir) = fixture("cases");
        let run = invoke(
            &dir,
            &[
                "--handler",
                "sleepy.handler",
                "--timeout",
                "1",
                "--event",
                r#"{"seconds": 20}"#,
                "--event",
                r#"{"seconds": 0}"#,
                "--client",
                client,
            ],
        );
        assert_eq!(run.code, 1, "{}", run.stderr);
        let results = run.lines();
        let error = &results[0];
        let first_line = String::from_utf8_lossy(&run.stdout)
            .lines()
            .next()
            .unwrap()
            .to_string();
        assert_eq!(keys_in_order(&first_line), ["errorType", "errorMessage"]);
        assert_eq!(error["errorType"], "Sandbox.Timedout");
        let ids: Vec<&str> = run
            .stderr
            .lines()
            .filter_map(|l| l.strip_prefix("START RequestId: "))
            .map(|r| r.split(' ').next().unwrap())
            .collect();
        assert_eq!(
            error["errorMessage"],
            format!(
                "RequestId: {} Error: Task timed out after 1.00 seconds",
                ids[0]
            )
        );
        assert!(
            run.stderr
                .contains(&format!("Z {} Task timed out after 1.00 seconds\n", ids[0])),
            "{}",
            run.stderr
        );
        assert_eq!(
            results[1], "woke up",
            "{client}: a new environment after the timeout"
        );
        assert_eq!(
            report_lines(&run.stderr)
                .iter()
                .filter(|l| l.contains("Init Duration"))
                .count(),
            2
        );
        for pid in child_pids(&run.stderr) {
            assert!(
                wait_until_dead(pid),
                "{client}: child {pid} of the timed-out function still runs"
            );
        }
    }
}

#[test]
fn crashes_are_runtime_exit_errors() {
    let cases = [
        ("exit", "Runtime exited with error: exit status 3"),
        ("os_exit", "Runtime exited with error: exit status 7"),
        (
            "segfault",
            "Runtime exited with error: signal: segmentation fault",
        ),
    ];
    for client in clients() {
        let (_temp, dir) = fixture("cases");
        for (how, reason) in cases {
            let event = format!(r#"{{"how": "{how}"}}"#);
            let run = invoke(
                &dir,
                &[
                    "--handler",
                    "crash.handler",
                    "--event",
                    &event,
                    "--event",
                    "{}",
                    "--client",
                    client,
                ],
            );
            assert_eq!(run.code, 1, "{}", run.stderr);
            let results = run.lines();
            let request_id = run
                .stderr
                .lines()
                .find_map(|l| l.strip_prefix("START RequestId: "))
                .unwrap()
                .split(' ')
                .next()
                .unwrap();
            assert_eq!(
                results[0],
                serde_json::json!({"errorType": "Runtime.ExitError", "errorMessage": format!("RequestId: {request_id} Error: {reason}")}),
                "{client} {how}"
            );
            assert!(
                run.stderr.contains(&format!("about to crash: {how}\n")),
                "{}",
                run.stderr
            );
            assert!(run.stderr.contains("\nRuntime.ExitError\n"));
            assert_eq!(
                results[1], "survived",
                "{client} {how}: the next invoke gets a new environment"
            );
        }
    }
}

#[test]
fn from_env_values_come_from_the_shell_or_dotenv() {
    let (_temp, dir) = fixture("with-env");
    let run = invoke(&dir, &[]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("LAMBDA_LS_TEST_API_KEY") && run.stderr.contains(".env"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.is_empty());
    std::fs::write(
        dir.join(".env"),
        "# local secrets\nLAMBDA_LS_TEST_API_KEY=\"from-dotenv\"\n",
    )
    .unwrap();
    let run = invoke(&dir, &[]);
    assert_eq!(
        run.json(),
        serde_json::json!({"API_KEY": "from-dotenv", "STAGE": "local"})
    );
    let run = invoke_with(&dir, &[], b"", &[("LAMBDA_LS_TEST_API_KEY", "from-shell")]);
    assert_eq!(run.json()["API_KEY"], "from-shell");
}

#[test]
fn payload_limits_are_lambdas() {
    let (_temp, dir) = fixture("cases");
    for client in clients() {
        let args = [
            "--handler",
            "big.handler",
            "--client",
            client,
            "--repeat",
            "2",
        ];
        let run = invoke(&dir, &args);
        assert_eq!(run.code, 1);
        for error in run.lines() {
            assert_eq!(
                error["errorType"], "Function.ResponseSizeTooLarge",
                "{client}: {}",
                run.stderr
            );
            assert!(error["errorMessage"]
                .as_str()
                .unwrap()
                .contains("exceeded maximum allowed payload size (6291556 bytes)"));
        }
    }
    let big = format!(r#"{{"data": "{}"}}"#, "y".repeat(6_291_456));
    let run = invoke_with(
        &dir,
        &["--handler", "sized.handler", "--event", "-"],
        big.as_bytes(),
        &[],
    );
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("6291456"), "{}", run.stderr);
    let fits = format!(r#"{{"data": "{}"}}"#, "y".repeat(6_000_000));
    let run = invoke_with(
        &dir,
        &["--handler", "sized.handler", "--event", "-"],
        fits.as_bytes(),
        &[],
    );
    assert_eq!(String::from_utf8_lossy(&run.stdout), "6000000");
}

#[test]
fn events_from_files_folders_and_bad_names() {
    let (_temp, dir) = fixture("cases");
    std::fs::create_dir_all(dir.join("events")).unwrap();
    std::fs::write(dir.join("events/order.json"), r#"{"order": 42}"#).unwrap();
    let run = invoke(&dir, &["--handler", "counter.handler", "--event", "order"]);
    assert_eq!(run.json()["event"]["order"], 42);
    let file = dir.join("events/order.json");
    let run = invoke(
        &dir,
        &[
            "--handler",
            "counter.handler",
            "--event",
            file.to_str().unwrap(),
        ],
    );
    assert_eq!(run.json()["event"]["order"], 42);
    let run = invoke(&dir, &["--handler", "counter.handler"]);
    assert_eq!(run.json()["event"], serde_json::json!({}), "default event");
    let run = invoke(
        &dir,
        &[
            "--handler",
            "counter.handler",
            "--event",
            "no-such-template",
        ],
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("unknown event template"),
        "{}",
        run.stderr
    );
}

#[test]
fn hello_world_example_answers_like_the_console() {
    let run = invoke(&repo_root().join("examples/hello-world"), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        String::from_utf8_lossy(&run.stdout),
        r#"{"statusCode": 200, "body": "\"Hello from Lambda!\""}"#
    );
}

/// A `handler` in lambda.toml that is not `module.function` fails every invoke with
/// Lambda's Runtime.MalformedHandlerName, in both clients, even though the default handler
/// (`lambda_function.lambda_handler`) exists and would run; `check` reports it as LT009.
#[test]
fn a_configured_handler_without_a_dot_is_malformed_as_on_lambda() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("nodot");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("lambda.toml"), "handler = \"lambda_function\"\n").unwrap();
    std::fs::write(
        dir.join("lambda_function.py"),
        "def lambda_handler(event, context):\n    return 'the default ran'\n",
    )
    .unwrap();
    for client in clients() {
        let run = invoke(&dir, &["--client", client]);
        assert_eq!(run.code, 1, "{client}: {}", run.stderr);
        let error = run.json();
        assert_eq!(
            error["errorType"], "Runtime.MalformedHandlerName",
            "{client}"
        );
        assert_eq!(
            error["errorMessage"],
            "Bad handler 'lambda_function': not enough values to unpack (expected 2, got 1)",
            "{client}"
        );
        assert!(
            run.stderr
                .contains("Status: error\tError Type: Runtime.MalformedHandlerName"),
            "{client}: {}",
            run.stderr
        );
    }
    let check = Command::new(binary())
        .arg("check")
        .arg(&dir)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&check.stdout).into_owned()
        + &String::from_utf8_lossy(&check.stderr);
    assert!(!check.status.success(), "{said}");
    assert!(
        said.contains("LT009") && said.contains("MalformedHandlerName"),
        "{said}"
    );
}

/// The peak resident memory (VmHWM) of a running process in KB, if it is still running.
fn peak_rss_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

#[test]
fn a_handler_printing_256_mb_keeps_lambda_ls_memory_bounded() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("chatty");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("lambda_function.py"),
        // A fixed volume, well beyond the bound, rather than "until the timeout": the test
        // then proves the same on a fast machine and on a loaded one.
        "import sys\n\
         def lambda_handler(event, context):\n\
         \x20   line = 'x' * 999 + '\\n'\n\
         \x20   for _ in range(256 * 1024):\n\
         \x20       sys.stdout.write(line)\n\
         \x20   return 'done'\n",
    )
    .unwrap();
    let mut child = Command::new(binary())
        .arg("invoke")
        .arg(&dir)
        .args(["--timeout", "300"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The log streams to stderr: read it as a terminal would, keeping only its size and end.
    let mut stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        use std::io::Read;
        let (mut total, mut last) = (0usize, Vec::new());
        let mut chunk = vec![0u8; 1 << 16];
        loop {
            match stderr.read(&mut chunk) {
                Ok(0) | Err(_) => return (total, last),
                Ok(n) => {
                    total += n;
                    last = chunk[..n].to_vec();
                }
            }
        }
    });
    let pid = child.id();
    let mut peak_kb = 0;
    while child.try_wait().unwrap().is_none() {
        if let Some(kb) = peak_rss_kb(pid) {
            peak_kb = peak_kb.max(kb);
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let output = child.wait_with_output().unwrap();
    let (logged, last) = reader.join().unwrap();
    assert_eq!(String::from_utf8_lossy(&output.stdout), "\"done\"");
    assert!(
        logged > 256 * 1000 * 1024,
        "the log streamed was only {logged} bytes"
    );
    assert!(String::from_utf8_lossy(&last).contains("REPORT RequestId:"));
    eprintln!(
        "{} MB of log streamed; lambda-ls peak RSS {} MB",
        logged / (1024 * 1024),
        peak_kb / 1024
    );
    assert!(
        peak_kb > 0 && peak_kb < 64 * 1024,
        "lambda-ls peaked at {peak_kb} KB"
    );
}
