//! Benchmark (run on demand, not a test): a SAM monorepo of 200 functions in one
//! template.yaml (Globals, parameters, intrinsics in environment variables, an event each,
//! a code folder each), and how long a fresh `lambda-ls functions` and a fresh
//! `lambda-ls check` take on it (the target: under 1 s cold together, release build), and
//! how long a fresh language server takes to publish the first diagnostics of a handler
//! in it (from `didOpen`; its start and `initialize` counted apart).
//!
//!     cargo build --release -p lambda-ls
//!     LAMBDA_LS_BIN=$PWD/target/release/lambda-ls cargo bench -p lambda-ls-e2e --bench sam_monorepo

use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use lambda_ls_e2e::binary;
use lambda_ls_e2e::lsp::{uri, LspClient};

const FUNCTIONS: usize = 200;
const RUNS: usize = 15;

/// Event types and their properties, cycled through the functions.
const EVENTS: &[(&str, &str)] = &[
    ("Api", "Path: /items/{id}\n            Method: get"),
    ("HttpApi", "Path: /orders\n            Method: post"),
    (
        "SQS",
        "Queue: !GetAtt WorkQueue.Arn\n            BatchSize: 10",
    ),
    (
        "S3",
        "Bucket: !Ref UploadsBucket\n            Events: s3:ObjectCreated:*",
    ),
    ("Schedule", "Schedule: rate(5 minutes)"),
    (
        "EventBridgeRule",
        "Pattern:\n              source: [aws.ec2]",
    ),
    ("SNS", "Topic: !Ref Notifications"),
    (
        "DynamoDB",
        "Stream: !GetAtt Table.StreamArn\n            StartingPosition: LATEST",
    ),
];

/// Write the monorepo under `root`.
pub fn monorepo(root: &Path) {
    let mut template = String::from(
        "AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\n\nParameters:\n  Stage:\n    Type: String\n    Default: dev\n\nGlobals:\n  Function:\n    Runtime: python3.13\n    Timeout: 30\n    MemorySize: 256\n    Architectures: [arm64]\n    Environment:\n      Variables:\n        STAGE: !Ref Stage\n        TABLE_NAME: !Ref Table\n\nResources:\n  WorkQueue:\n    Type: AWS::SQS::Queue\n  UploadsBucket:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Sub uploads-${Stage}\n  Notifications:\n    Type: AWS::SNS::Topic\n  Table:\n    Type: AWS::DynamoDB::Table\n",
    );
    for i in 0..FUNCTIONS {
        let (event, properties) = EVENTS[i % EVENTS.len()];
        let _ = write!(
            template,
            "\n  Service{i}Function:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: services/service_{i}/\n      Handler: app.handler\n      FunctionName: !Sub service-{i}-${{Stage}}\n      Environment:\n        Variables:\n          SERVICE_URL: !Sub https://${{AWS::Region}}.example.com/{i}\n      Events:\n        Trigger:\n          Type: {event}\n          Properties:\n            {properties}\n"
        );
        let dir = root.join(format!("services/service_{i}"));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("app.py"), handler(i)).unwrap();
        std::fs::write(dir.join("requirements.txt"), "").unwrap();
    }
    std::fs::write(root.join("template.yaml"), template).unwrap();
}

/// A handler module of about 60 lines.
fn handler(i: usize) -> String {
    let mut text = format!(
        "\"\"\"Service {i}.\"\"\"\n\nimport json\nimport os\n\nimport boto3\n\ndynamodb = boto3.resource(\"dynamodb\")\ntable = dynamodb.Table(os.environ[\"TABLE_NAME\"])\n\n"
    );
    for h in 0..8 {
        let _ = write!(
            text,
            "\ndef helper_{h}(item):\n    value = item.get(\"value\", {h})\n    return {{\"id\": item[\"id\"], \"value\": value * {h}}}\n\n"
        );
    }
    text.push_str(
        "\ndef handler(event, context):\n    items = [helper_0(item) for item in event.get(\"items\", [])]\n    for item in items:\n        table.put_item(Item=item)\n    return {\"statusCode\": 200, \"body\": json.dumps({\"stage\": os.environ[\"STAGE\"], \"count\": len(items)})}\n",
    );
    text
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// Run `lambda-ls ARGS` in `dir` `RUNS` times, each a fresh process: sorted milliseconds.
fn time(dir: &Path, args: &[&str]) -> Vec<f64> {
    let mut samples = Vec::new();
    for _ in 0..RUNS {
        let started = Instant::now();
        let output = Command::new(binary())
            .args(args)
            .current_dir(dir)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        samples.push(started.elapsed().as_secs_f64() * 1000.0);
        assert!(
            output.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        if samples.len() == 1 {
            let stdout = String::from_utf8_lossy(&output.stdout);
            println!("{args:?}: {} lines of output", stdout.lines().count());
        }
    }
    samples.sort_by(f64::total_cmp);
    samples
}

/// Fresh servers on the monorepo: (start + initialize, didOpen → first diagnostics) in
/// milliseconds, sorted each.
fn first_diagnostics(root: &Path) -> (Vec<f64>, Vec<f64>) {
    let handler = root.join("services/service_7/app.py");
    let text = std::fs::read_to_string(&handler).unwrap();
    let u = uri(&handler);
    let (mut starts, mut firsts) = (Vec::new(), Vec::new());
    for _ in 0..RUNS {
        let started = Instant::now();
        let (mut client, _) = LspClient::start(root, &["utf-16"]);
        starts.push(started.elapsed().as_secs_f64() * 1000.0);
        let opened = Instant::now();
        client.open(&u, &text, 1);
        let diagnostics = client.diagnostics(&u, 1);
        firsts.push(opened.elapsed().as_secs_f64() * 1000.0);
        // The generated handler reads `items`, which its event type does not have: LH009.
        assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
        client.shutdown();
    }
    starts.sort_by(f64::total_cmp);
    firsts.sort_by(f64::total_cmp);
    (starts, firsts)
}

fn report(what: &str, samples: &[f64], target: &str) {
    println!(
        "{what:<32} median {:7.1} ms  min {:7.1} ms  max {:7.1} ms  ({RUNS} runs{target})",
        percentile(samples, 0.5),
        samples[0],
        samples[samples.len() - 1]
    );
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    monorepo(dir.path());
    println!(
        "monorepo: {FUNCTIONS} functions in one template.yaml ({} bytes), binary {}",
        std::fs::metadata(dir.path().join("template.yaml"))
            .unwrap()
            .len(),
        binary().display()
    );
    if let Ok(load) = std::fs::read_to_string("/proc/loadavg") {
        println!("load average: {}", load.trim());
    }
    let mut medians = Vec::new();
    for args in [
        &["functions"][..],
        &["functions", "--format", "json"][..],
        &["check"][..],
    ] {
        let samples = time(dir.path(), args);
        report(&args.join(" "), &samples, ", fresh processes");
        medians.push(percentile(&samples, 0.5));
    }
    println!(
        "{:<32} median {:7.1} ms  (target < 1000 ms)",
        "functions + check",
        medians[0] + medians[2]
    );
    let (starts, firsts) = first_diagnostics(dir.path());
    report("lsp start + initialize", &starts, ", fresh servers");
    report(
        "lsp didOpen → first diagnostics",
        &firsts,
        ", fresh servers",
    );
}
