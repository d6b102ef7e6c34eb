//! Benchmark (run on demand, not a test): time from an edit to its diagnostics on a
//! 5,000-line handler module, over the real server's stdio, and the server's peak memory.
//!
//!     cargo build --release -p lambda-ls
//!     LAMBDA_LS_BIN=$PWD/target/release/lambda-ls cargo bench -p lambda-ls-e2e --bench edit_latency
//!
//! `LAMBDA_LS_BASELINE_BIN=/path/to/an/older/lambda-ls` adds that build, edit for edit
//! interleaved with the one under test, for a before/after in one run.

use std::time::Instant;

use lambda_ls_e2e::lsp::{range, uri, LspClient};
use serde_json::json;

/// A realistic module of about `lines` lines: helpers that read the event, and a handler.
pub fn big_module(lines: usize) -> String {
    let mut text = String::from(
        "import json\nimport os\n\nimport boto3\n\ns3 = boto3.client(\"s3\")\nOUTPUT_BUCKET = os.environ[\"OUTPUT_BUCKET\"]\n\n",
    );
    let mut index = 0;
    while text.lines().count() < lines.saturating_sub(12) {
        text.push_str(&format!(
            "\ndef helper_{index}(record, factor={index}):\n    \"\"\"Summarise one record (ñ {index}).\"\"\"\n    bucket = record[\"s3\"][\"bucket\"][\"name\"]\n    key = record[\"s3\"][\"object\"][\"key\"]\n    size = record[\"s3\"][\"object\"].get(\"size\", 0)\n    return {{\"bucket\": bucket, \"key\": key, \"size\": size * factor}}\n\n"
        ));
        index += 1;
    }
    text.push_str(
        "\ndef lambda_handler(event, context):\n    results = []\n    for record in event[\"Records\"]:\n        results.append(helper_0(record))\n    print(context.aws_request_id)\n    s3.put_object(Bucket=OUTPUT_BUCKET, Key=\"out.json\", Body=json.dumps(results))\n    return {\"statusCode\": 200, \"body\": json.dumps(results)}\n",
    );
    text
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index]
}

fn peak_memory_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let function = dir.path().join("report");
    std::fs::create_dir_all(&function).unwrap();
    std::fs::write(
        function.join("lambda.toml"),
        "[environment]\nOUTPUT_BUCKET = \"out\"\n\n[[trigger]]\ntype = \"s3\"\n",
    )
    .unwrap();
    let mut text = big_module(5000);
    let path = function.join("lambda_function.py");
    std::fs::write(&path, &text).unwrap();
    println!(
        "module: {} lines, {} bytes",
        text.lines().count(),
        text.len()
    );

    // The build under test, and the one before a change when `LAMBDA_LS_BASELINE_BIN` names
    // it: both get the same edits, interleaved, so that the machine's noise falls on both.
    let mut servers = vec![("lambda-ls", lambda_ls_e2e::binary())];
    if let Some(baseline) = std::env::var_os("LAMBDA_LS_BASELINE_BIN") {
        servers.push(("baseline", baseline.into()));
    }
    let u = uri(&path);
    let mut clients: Vec<LspClient> = servers
        .iter()
        .map(|(name, binary)| {
            println!("{name}: {}", binary.display());
            let mut command = std::process::Command::new(binary);
            command.arg("lsp");
            let (mut client, _) = LspClient::start_command(
                lambda_ls_e2e::lsp::Launch::new(command),
                dir.path(),
                &["utf-16"],
            );
            client.open(&u, &text, 1);
            client.diagnostics(&u, 1);
            client
        })
        .collect();
    println!("load before: {}", load());

    let rounds = 1000;
    let mut samples = vec![Vec::with_capacity(rounds); clients.len()];
    let mut version = 1;
    let mut samples_position = 0;
    for round in 0..rounds {
        // Type a character into a helper, then delete it: every edit a real reparse. At
        // even rounds the text is the original, so the position can be found again.
        let at = if round % 2 == 0 {
            text.match_indices("    size = ")
                .nth((round / 2) % 100)
                .unwrap()
                .0
                + 4
        } else {
            samples_position
        };
        samples_position = at;
        let (edit, new_text) = if round % 2 == 0 {
            (at..at, "x")
        } else {
            (at..at + 1, "")
        };
        version += 1;
        let lsp_range = range(&text, edit.clone());
        text.replace_range(edit, new_text);
        // Alternate which server goes first.
        let order: Vec<usize> = if round % 2 == 0 {
            (0..clients.len()).collect()
        } else {
            (0..clients.len()).rev().collect()
        };
        for index in order {
            let client = &mut clients[index];
            let started = Instant::now();
            client.change(&u, version, json!([{"range": lsp_range, "text": new_text}]));
            client.diagnostics(&u, version);
            samples[index].push(started.elapsed().as_secs_f64() * 1000.0);
        }
    }
    println!("load after:  {}", load());
    for ((name, _), (mut samples, client)) in servers.iter().zip(samples.into_iter().zip(clients)) {
        samples.sort_by(f64::total_cmp);
        println!(
            "{name}: edit → diagnostics over stdio, {rounds} edits: p50 {:.3} ms, p90 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
            percentile(&samples, 0.5),
            percentile(&samples, 0.9),
            percentile(&samples, 0.99),
            samples.last().unwrap()
        );
        if let Some(kb) = peak_memory_kb(client.pid()) {
            println!(
                "{name}: server peak memory (VmHWM): {:.1} MB",
                kb as f64 / 1024.0
            );
        }
        client.shutdown();
    }
}

/// The load averages, to read the figures against.
fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}
