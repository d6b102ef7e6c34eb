//! Local invoke benchmark, run on demand (`cargo bench -p lambda-ls --bench invoke`), never
//! a test. Side by side in one run:
//! - warm invoke round trip of a trivial handler (target: p50 < 2 ms), embedded client and
//!   awslambdaric;
//! - cold invoke (new process, import, first event, result) against the floor
//!   `python -c "import lambda_function"` (target: within 1.5×);
//! - the same invoke through python-lambda-local, which starts a process every time;
//! - `examples/csv-report` (pandas, requests) with its environment cached: a cold invoke
//!   against `python -c "import lambda_function"` on the same interpreter and `sys.path`
//!   (target: within 20 ms, the handler's own run aside);
//! - warm invokes through `lambda-ls serve` over HTTP keep-alive (target: p50 < 1 ms), and
//!   side by side those of another build when `BENCH_SERVE_BASELINE` names its binary;
//! - the first invoke of `examples/csv-report` on an empty lambda-ls cache, with uv's
//!   download cache warm and empty (target: < 20 s with uv). `BENCH_FIRST=0` skips it.
//!
//! Every process uses the interpreter `python3` resolves to (shims such as pyenv's cost
//! more than Python itself and would blur the comparison). `BENCH_WARM=N`, `BENCH_COLD=N`
//! change the sample sizes; `BENCH_ONLY=serve` runs the `serve` comparison alone.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use lambda_ls::runtime::{site, ClientKind, InvokeOptions, Invoker, InvokerSettings};

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
    if std::env::var("BENCH_ONLY").as_deref() == Ok("serve") {
        serve_warm(&temp, samples("BENCH_WARM", 1000));
        let _ = std::fs::remove_dir_all(&temp);
        return;
    }
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

    println!();
    csv_report_cold(&runtime, &temp, cold_n);
    println!();
    serve_warm(&temp, warm_n);
    if samples("BENCH_FIRST", 1) > 0 {
        println!();
        first_invoke(&temp);
    }
    let _ = std::fs::remove_dir_all(&temp);
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn copy_example(name: &str, to: &Path) -> PathBuf {
    std::fs::create_dir_all(to).unwrap();
    let dir = to.join(name);
    let status = Command::new("cp")
        .arg("-r")
        .arg(repo_root().join("examples").join(name))
        .arg(&dir)
        .status()
        .unwrap();
    assert!(status.success());
    dir
}

/// csv-report's environment prepared (cached), then cold invokes against importing its
/// module on the same interpreter and path.
fn csv_report_cold(runtime: &tokio::runtime::Runtime, temp: &Path, cold_n: usize) {
    let dir = copy_example("csv-report", temp);
    let event = std::fs::read(dir.join("events/sample.json")).unwrap();
    let function = lambda_ls::project::load(&dir);
    let prepared = site::prepare(&function, &site::Needs::default(), &|m| println!("  {m}"))
        .expect("csv-report's environment");
    println!(
        "csv-report on {} ({})",
        prepared.interpreter.path.display(),
        prepared
            .interpreter
            .version
            .map(|v| v.to_string())
            .unwrap_or_default()
    );
    let invoker = Invoker::new(InvokerSettings { max_concurrency: 1 });
    let cold = InvokeOptions {
        cold: true,
        ..InvokeOptions::default()
    };
    let path = std::iter::once(dir.clone())
        .chain(prepared.front.iter().cloned())
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(":");
    // Two floors: the issue's `python -c "import lambda_function"`, whose time includes the
    // interpreter's exit (tearing pandas down), and the same import ended by `os._exit`,
    // which is what a cold invoke does before its result (its process is reused or killed).
    let import = |code: &str| {
        let started = Instant::now();
        let status = Command::new(&prepared.interpreter.path)
            .args(["-S", "-c", code])
            .current_dir(&dir)
            .env_clear()
            .envs(host_variables())
            .env("PYTHONPATH", &path)
            .status()
            .unwrap();
        assert!(status.success());
        started.elapsed()
    };
    let (mut total, mut init, mut handler, mut floor, mut floor_no_exit) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    runtime.block_on(async {
        // Once unmeasured: the module's own __pycache__ is written.
        invoker
            .invoke(&function, event.clone(), &cold)
            .await
            .unwrap();
        // Interleaved, so that the machine's load weighs on both alike.
        for _ in 0..cold_n {
            let started = Instant::now();
            let invocation = invoker
                .invoke(&function, event.clone(), &cold)
                .await
                .unwrap();
            total.push(started.elapsed());
            assert!(invocation.payload_text().contains("\"rows\": 5"));
            init.push(Duration::from_secs_f64(
                invocation.report.init_duration_ms.unwrap() / 1000.0,
            ));
            handler.push(Duration::from_secs_f64(
                invocation.report.duration_ms / 1000.0,
            ));
            floor.push(import("import lambda_function"));
            floor_no_exit.push(import("import lambda_function, os; os._exit(0)"));
        }
    });
    invoker.shutdown();
    let (total, init, handler) = (stats(total), stats(init), stats(handler));
    let (floor, floor_no_exit) = (stats(floor), stats(floor_no_exit));
    row("csv-report cold invoke, end to end", cold_n, &total);
    row("  of which Init Duration", cold_n, &init);
    row("  of which the handler's Duration", cold_n, &handler);
    row(
        "floor: python -S -c \"import lambda_function\"",
        cold_n,
        &floor,
    );
    row(
        "floor without the interpreter's exit",
        cold_n,
        &floor_no_exit,
    );
    println!(
        "csv-report cold, without the handler's own run, minus the floor: {:.1} ms; minus the floor without exit: {:.1} ms (target within 20 ms)",
        total.p50 - handler.p50 - floor.p50,
        total.p50 - handler.p50 - floor_no_exit.p50
    );
}

/// A running `lambda-ls serve` of examples/sum with one keep-alive connection to it.
struct ServeClient {
    child: std::process::Child,
    address: String,
    reader: std::io::BufReader<std::net::TcpStream>,
    writer: std::net::TcpStream,
}

impl ServeClient {
    fn start(binary: &Path, dir: &Path) -> ServeClient {
        use std::io::{BufRead, BufReader};
        let mut child = Command::new(binary)
            .arg("serve")
            .arg(dir)
            .args(["--port", "0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let address = line.split("http://").nth(1).unwrap().trim().to_string();
        let stream = std::net::TcpStream::connect(&address).unwrap();
        stream.set_nodelay(true).unwrap();
        ServeClient {
            child,
            address,
            reader: BufReader::new(stream.try_clone().unwrap()),
            writer: stream,
        }
    }

    /// One `GET /sum?a=1&b=2` on the kept-alive connection: its body.
    fn one(&mut self) -> Vec<u8> {
        use std::io::{BufRead, Read, Write};
        write!(
            self.writer,
            "GET /sum?a=1&b=2 HTTP/1.1\r\nHost: {}\r\n\r\n",
            self.address
        )
        .unwrap();
        let mut length = 0;
        loop {
            let mut header = String::new();
            self.reader.read_line(&mut header).unwrap();
            let header = header.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some(value) = header.to_ascii_lowercase().strip_prefix("content-length:") {
                length = value.trim().parse().unwrap();
            }
        }
        let mut body = vec![0; length];
        self.reader.read_exact(&mut body).unwrap();
        body
    }
}

impl Drop for ServeClient {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Warm invokes of examples/sum through `lambda-ls serve` (HTTP API event, keep-alive);
/// with `BENCH_SERVE_BASELINE=/path/to/another/lambda-ls`, that binary too, interleaved
/// request by request so that the machine's load weighs on both alike.
fn serve_warm(temp: &Path, warm_n: usize) {
    let dir = copy_example("sum", temp);
    let mut servers = vec![(
        "this build".to_string(),
        ServeClient::start(Path::new(env!("CARGO_BIN_EXE_lambda-ls")), &dir),
    )];
    if let Some(baseline) = std::env::var_os("BENCH_SERVE_BASELINE") {
        let baseline = PathBuf::from(baseline);
        let label = format!("baseline {}", baseline.display());
        servers.push((label, ServeClient::start(&baseline, &dir)));
    }
    for (label, server) in servers.iter_mut() {
        let first = server.one();
        assert!(
            String::from_utf8_lossy(&first).contains('3'),
            "{label}: {first:?}"
        );
    }
    let mut samples = vec![Vec::with_capacity(warm_n); servers.len()];
    for _ in 0..warm_n {
        for ((_, server), samples) in servers.iter_mut().zip(samples.iter_mut()) {
            let started = Instant::now();
            server.one();
            samples.push(started.elapsed());
        }
    }
    for ((label, _), samples) in servers.iter().zip(samples) {
        let warm = stats(samples);
        row(
            &format!("warm invoke through serve (HTTP), {label}"),
            warm_n,
            &warm,
        );
        println!(
            "serve warm p50, {label}: {:.3} ms (target < 1 ms)",
            warm.p50
        );
    }
}

/// The first invoke of csv-report on an empty lambda-ls cache: interpreter search, the
/// dependencies, the runtime's SDK, compiling them, and the invoke.
fn first_invoke(temp: &Path) {
    let dir = copy_example("csv-report", &temp.join("first"));
    for (label, fresh_uv) in [
        ("uv's download cache warm", false),
        ("uv's download cache empty", true),
    ] {
        let cache = temp.join(format!("first-cache-{fresh_uv}"));
        let mut command = Command::new(env!("CARGO_BIN_EXE_lambda-ls"));
        command
            .arg("invoke")
            .arg(&dir)
            .args(["--event", "sample", "--quiet"])
            .env("LAMBDA_LS_CACHE_DIR", &cache)
            .stdout(Stdio::null());
        if fresh_uv {
            command.env("UV_CACHE_DIR", temp.join("first-uv-cache"));
        }
        let started = Instant::now();
        let status = command.status().unwrap();
        let elapsed = started.elapsed();
        assert!(status.success());
        println!(
            "first invoke of csv-report, empty lambda-ls cache, {label}: {:.1} s (target < 20 s with uv)",
            elapsed.as_secs_f64()
        );
    }
}
