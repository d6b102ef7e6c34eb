//! Catalog latency, run on demand: `cargo bench -p lambda-ls --bench catalog`.
//! Prints the one-time parse cost and per-call latencies (p50 / p99) of what completion,
//! hover and inference call on every keystroke.

use std::hint::black_box;
use std::time::{Duration, Instant};

use lambda_ls::catalog::{self, parse_path, PathSegment};

fn percentiles(mut samples: Vec<Duration>) -> (Duration, Duration) {
    samples.sort();
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q) as usize];
    (at(0.50), at(0.99))
}

fn measure(name: &str, rounds: usize, mut f: impl FnMut()) {
    let mut samples = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let start = Instant::now();
        f();
        samples.push(start.elapsed());
    }
    let (p50, p99) = percentiles(samples);
    println!("{name:<40} p50 {p50:>10.2?}   p99 {p99:>10.2?}");
}

fn main() {
    let start = Instant::now();
    black_box(catalog::all_events());
    black_box(catalog::context());
    println!(
        "{:<40} {:>14.2?}",
        "first use (parse all data)",
        start.elapsed()
    );

    let paths: Vec<(&str, Vec<PathSegment>)> = [
        ("s3", "Records[0].s3.bucket.name"),
        ("s3", "Records[0].s3.bukcet"),
        ("api", "requestContext.identity.sourceIp"),
        ("api", "headers.Content-Type"),
        ("eventbridge", "detail.orderId"),
        ("dynamodb", "Records[0].dynamodb.NewImage.a.M.b.M.c.S"),
    ]
    .into_iter()
    .map(|(event, path)| (event, parse_path(path).unwrap()))
    .collect();
    measure("event(name) + lookup (6 paths)", 20_000, || {
        for (event, path) in &paths {
            black_box(catalog::event(event).unwrap().shape.lookup(path));
        }
    });
    let read = vec![
        parse_path("Records[0].s3.bucket.name").unwrap(),
        parse_path("Records[0].s3.object.key").unwrap(),
        parse_path("Records[0].eventName").unwrap(),
    ];
    measure("infer_from_keys (3 paths, all events)", 5_000, || {
        black_box(catalog::infer_from_keys(&read));
    });
    measure("event_for_annotation", 20_000, || {
        black_box(catalog::event_for_annotation(
            "aws_lambda_typing.events.SQSEvent",
        ));
    });
    measure("context().lookup", 20_000, || {
        black_box(catalog::context().lookup(&["client_context", "client", "app_title"]));
    });
    measure("render_template(s3-put, 1 --set)", 5_000, || {
        black_box(
            catalog::render_template("s3-put", &["Records[0].s3.bucket.name=b".into()]).unwrap(),
        );
    });
}
