//! Local invoke benchmark, run on demand (`cargo bench -p lambda-ls --bench invoke`), never
//! a test. Side by side in one run:
//! - warm invoke round trip of a trivial handler (target: p50 < 2 ms), embedded client and
//!   awslambdaric;
//! - cold invoke (new process, import, first event, result) against the floor
//!   `python -c "import lambda_function"` (target: within 1.5×);
//! - the same invoke through python-lambda-local, which starts a process every time.
//!
//! Every process uses the interpreter `python3` resolves to (shims such as pyenv's cost
//! more than Python itself and would blur the comparison). `BENCH_WARM=N`, `BENCH_COLD=N`
//! change the sample sizes.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use lambda_ls::runtime::{ClientKind, InvokeOptions, Invoker, InvokerSettings};

fn samples(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn host_variables() -> Vec<(String, String)> {
    ["PATH", "HOME", "USER", "LANG", "TMPDIR", "PYENV_ROOT"]
        .iter()
        .filter_map(|name| std::env::var(name).ok().map(|v| (name.to_string(), v)))
        .collect()
}

fn real_python() -> PathBuf {
    let output = Command::new("python3")
        .args(["-c", "import sys; print(sys.executable)"])
        .output()
        .expect("python3 runs");
    PathBuf::from(String::from_utf8_lossy(&output.stdout).trim())
}

fn python_can_import(python: &Path, module: &str) -> bool {
    Command::new(python)
        .args(["-c", &format!("import {module}")])
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

struct Stats {
    p50: f64,
    p90: f64,
    p99: f64,
    mean: f64,
}

fn stats(mut values: Vec<Duration>) -> Stats {
    values.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let at = |q: f64| ms(values[((values.len() - 1) as f64 * q).round() as usize]);
    Stats {
        p50: at(0.5),
        p90: at(0.9),
        p99: at(0.99),
        mean: values.iter().map(|d| ms(*d)).sum::<f64>() / values.len() as f64,
    }
}

fn row(name: &str, n: usize, stats: &Stats) {
    println!(
        "{name:<44} n={n:<5} p50 {:>8.2} ms  p90 {:>8.2} ms  p99 {:>8.2} ms  mean {:>8.2} ms",
        stats.p50, stats.p90, stats.p99, stats.mean
    );
}

fn main() {
    let python = real_python();
    let temp = std::env::temp_dir().join(format!("lambda-ls-bench-{}", std::process::id()));
    let dir = temp.join("trivial");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("lambda_function.py"),
        "def lambda_handler(event, context):\n    return {\"ok\": True}\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("lambda.toml"),
        format!("python = \"{}\"\n", python.display()),
    )
    .unwrap();
    std::fs::write(dir.join("event.json"), "{}").unwrap();
    let mut function = lambda_ls::project::load(&dir);
    // `python` may not be modelled by this version of `project`: set it directly.
    function.config.python = Some(python.display().to_string());
    let warm_n = samples("BENCH_WARM", 1000);
    let cold_n = samples("BENCH_COLD", 20);
    println!("interpreter: {}", python.display());

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut clients = vec![("embedded", ClientKind::Embedded)];
    if python_can_import(&python, "awslambdaric") {
        clients.push(("awslambdaric", ClientKind::Awslambdaric));
    } else {
        println!("awslambdaric: not importable, skipped");
    }

    let mut cold_medians = Vec::new();
    for (name, client) in &clients {
        let invoker = Invoker::new(InvokerSettings { max_concurrency: 1 });
        let options = InvokeOptions {
            client: *client,
            ..InvokeOptions::default()
        };
        let mut warm = Vec::with_capacity(warm_n);
        runtime.block_on(async {
            let first = invoker
                .invoke(&function, b"{}".to_vec(), &options)
                .await
                .unwrap();
            assert_eq!(first.payload, br#"{"ok": true}"#);
            for _ in 0..warm_n {
                let started = Instant::now();
                let invocation = invoker
                    .invoke(&function, b"{}".to_vec(), &options)
                    .await
                    .unwrap();
                warm.push(started.elapsed());
                assert!(!invocation.cold_start);
            }
        });
        row(
            &format!("warm invoke round trip ({name})"),
            warm_n,
            &stats(warm),
        );

        let cold_options = InvokeOptions {
            cold: true,
            ..options.clone()
        };
        let mut cold = Vec::with_capacity(cold_n);
        let mut init = Vec::with_capacity(cold_n);
        runtime.block_on(async {
            for _ in 0..cold_n {
                let started = Instant::now();
                let invocation = invoker
                    .invoke(&function, b"{}".to_vec(), &cold_options)
                    .await
                    .unwrap();
                cold.push(started.elapsed());
                init.push(Duration::from_secs_f64(
                    invocation.report.init_duration_ms.unwrap_or(0.0) / 1000.0,
                ));
            }
        });
        let cold_stats = stats(cold);
        row(
            &format!("cold invoke, end to end ({name})"),
            cold_n,
            &cold_stats,
        );
        row(
            &format!("  of which Init Duration ({name})"),
            cold_n,
            &stats(init),
        );
        cold_medians.push((name.to_string(), cold_stats.p50));
        invoker.shutdown();
    }

    let mut floor = Vec::with_capacity(cold_n);
    for _ in 0..cold_n {
        let started = Instant::now();
        // The same trimmed environment the function's process gets (variables can change
        // what `site` does at start-up), so that only the runtime's own work differs.
        let status = Command::new(&python)
            .args(["-c", "import lambda_function"])
            .current_dir(&dir)
            .env_clear()
            .envs(host_variables())
            .status()
            .unwrap();
        floor.push(started.elapsed());
        assert!(status.success());
    }
    let floor = stats(floor);
    row(
        "floor: python -c \"import lambda_function\"",
        cold_n,
        &floor,
    );

    if python_can_import(&python, "lambda_local") {
        let mut local = Vec::with_capacity(cold_n);
        for _ in 0..cold_n {
            let started = Instant::now();
            let status = Command::new(&python)
                .env_clear()
                .envs(host_variables())
                .args(["-m", "lambda_local", "-f", "lambda_handler", "-t", "3"])
                .args(["lambda_function.py", "event.json"])
                .current_dir(&dir)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .unwrap();
            local.push(started.elapsed());
            assert!(status.success());
        }
        row(
            "python-lambda-local (a process per invoke)",
            cold_n,
            &stats(local),
        );
    } else {
        println!("python-lambda-local: not importable, skipped");
    }

    println!();
    for (name, p50) in cold_medians {
        println!(
            "cold/floor ({name}): {:.2}x (target within 1.5x)",
            p50 / floor.p50
        );
    }
    let _ = std::fs::remove_dir_all(&temp);
}
