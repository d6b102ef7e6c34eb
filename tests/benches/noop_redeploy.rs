//! Benchmark (run on demand, not a test): a redeploy of an unchanged function, from process
//! start to exit, against a local moto server: wall time and the bytes the requests carried.
//! (Against AWS itself add the round trips to the region and one TLS handshake.)
//!
//!     bash tests/setup/aws.sh && cargo build -p lambda-ls
//!     cargo bench -p lambda-ls-e2e --bench noop_redeploy

#[path = "../support/mod.rs"]
mod support;

#[path = "../aws_emulator/mod.rs"]
mod aws_emulator;

use std::time::Instant;

use aws_emulator::*;
use serde_json::json;

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index]
}

fn measure(moto: &Moto, fixture_name: &str, runs: usize) {
    let (_temp, dir) = work_copy(fixture_name);
    assert_ok(&moto.cli(&dir, &["deploy", "--quiet"]));
    let before = moto.recorded().len();
    let mut times = Vec::new();
    for _ in 0..runs {
        let started = Instant::now();
        let out = assert_ok(&moto.cli(&dir, &["deploy", "--quiet"]));
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        assert!(out.contains("is up to date: nothing changed"), "{out}");
        assert!(out.contains("uploaded: 0 bytes"), "{out}");
    }
    let requests = moto.recorded()[before..].to_vec();
    let changing = changing_requests(&requests);
    assert!(changing.is_empty(), "{changing:?}");
    let bytes: usize = requests.iter().map(|r| body_bytes(r).len()).sum();
    times.sort_by(f64::total_cmp);
    println!(
        "{fixture_name:<9} no-op redeploy over {runs} runs: min {:.1} ms, median {:.1} ms, p95 {:.1} ms; \
         {} requests per deploy, {} request-body bytes per deploy (code uploaded: 0 bytes)",
        times[0],
        percentile(&times, 0.5),
        percentile(&times, 0.95),
        requests.len() / runs,
        bytes / runs,
    );
}

fn main() {
    let moto = Moto::start();
    moto.call(
        "s3",
        "create_bucket",
        json!({"Bucket": "deploy-uploads", "CreateBucketConfiguration": {"LocationConstraint": REGION}}),
    );
    measure(&moto, "hello", 30);
    measure(&moto, "triggers", 30);
}
