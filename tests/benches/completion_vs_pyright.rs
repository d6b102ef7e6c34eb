//! Benchmark (run on demand, not a test): event-key completion latency and peak memory,
//! lambda-ls side by side with pyright (`pyright-langserver --stdio`, the checker behind
//! Pylance), both driven over stdio exactly alike.
//!
//!     bash tests/benches/setup-pyright.sh      # pyright + aws-lambda-typing into a cache folder
//!     cargo build --release -p lambda-ls
//!     cargo bench -p lambda-ls-e2e --bench completion_vs_pyright
//!
//! `LAMBDA_LS_BIN` picks another lambda-ls binary (default: the release build),
//! `LAMBDA_LS_BASELINE_BIN` adds an older build as a third column (before/after in one run),
//! `LAMBDA_LS_PYRIGHT_CACHE` another cache folder (default: ~/.cache/lambda-ls/pyright),
//! `BENCH_ROUNDS` the number of timed requests per series (default 200).
//!
//! Latency: a 5,000-line module whose annotated handler (`event: S3Event` from
//! aws-lambda-typing) sits at the end of the file; the cursor is inside
//! `x = event["Records"][0]["s3"][""]` right after the opening quote, as VS Code leaves it
//! when you type `"` (it inserts the closing one). Two series per server:
//! - `repeat`: the same request on the unchanged document (the server's warm answer);
//! - `typed`: before each request the `""` is deleted and typed again (two `didChange`s), so
//!   the server answers a document version it has not analysed yet, as in an editor.
//!
//! The time of one request is from writing it to reading its response. The first request
//! is retried until it has items (pyright analyses lazily); a server that never answers
//! with items is reported as such, not as fast.
//!
//! Memory: a fresh server per tool, 100 different 500-line function folders opened at once,
//! completion requested in each and every file's diagnostics awaited, then the peak
//! resident set (`VmHWM`) of the server process plus any child processes.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use lambda_ls_e2e::lsp::{uri, utf16_position, Launch, LspClient};
use serde_json::{json, Value};

/// The series length unless `BENCH_ROUNDS` says otherwise.
const DEFAULT_ROUNDS: usize = 200;
/// Files open at once in the memory measurement.
const MEMORY_FILES: usize = 100;
/// Lines of each of those files.
const MEMORY_FILE_LINES: usize = 500;
/// How long the first completion may take to have items before the server counts as giving none.
const WARM_UP_LIMIT: Duration = Duration::from_secs(120);

/// The line that holds the cursor, and where in it the cursor stands (after `[“`).
const CURSOR_LINE: &str = "    x = event[\"Records\"][0][\"s3\"][\"\"]\n";
const CURSOR_PREFIX: &str = "    x = event[\"Records\"][0][\"s3\"][\"";

/// A realistic module of about `lines` lines: annotated helpers that read S3 records, and an
/// annotated handler at the end whose last line is `CURSOR_LINE`. `seed` varies the names.
fn annotated_module(lines: usize, seed: usize) -> String {
    let mut text = String::from(
        "import json\nimport os\n\nimport boto3\nfrom aws_lambda_typing.context import Context\nfrom aws_lambda_typing.events import S3Event\nfrom aws_lambda_typing.events.s3 import S3EventRecord\n\ns3 = boto3.client(\"s3\")\nOUTPUT_BUCKET = os.environ[\"OUTPUT_BUCKET\"]\n\n",
    );
    let mut index = 0;
    while text.lines().count() < lines.saturating_sub(12) {
        let name = format!("helper_{seed}_{index}");
        text.push_str(&format!(
            "\ndef {name}(record: S3EventRecord, factor: int = {index}) -> dict:\n    \"\"\"Summarise one record (ñ {index}).\"\"\"\n    bucket = record[\"s3\"][\"bucket\"][\"name\"]\n    key = record[\"s3\"][\"object\"][\"key\"]\n    size = record[\"s3\"][\"object\"].get(\"size\", 0)\n    return {{\"bucket\": bucket, \"key\": key, \"size\": size * factor}}\n\n"
        ));
        index += 1;
    }
    text.push_str(&format!(
        "\ndef lambda_handler(event: S3Event, context: Context):\n    results = []\n    for record in event[\"Records\"]:\n        results.append(helper_{seed}_0(record))\n    print(context.aws_request_id)\n    s3.put_object(Bucket=OUTPUT_BUCKET, Key=\"out.json\", Body=json.dumps(results))\n{CURSOR_LINE}"
    ));
    text
}

/// The LSP position of the cursor (just after the quote in `[""]` of the last line).
fn cursor(text: &str) -> Value {
    let offset = text
        .rfind(CURSOR_PREFIX)
        .expect("the module ends with the cursor line")
        + CURSOR_PREFIX.len();
    let (line, character) = utf16_position(text, offset);
    json!({"line": line, "character": character})
}

/// Write one function folder (lambda.toml with its S3 trigger + lambda_function.py).
fn write_function(folder: &Path, text: &str) -> PathBuf {
    std::fs::create_dir_all(folder).unwrap();
    std::fs::write(
        folder.join("lambda.toml"),
        "[environment]\nOUTPUT_BUCKET = \"out\"\n\n[[trigger]]\ntype = \"s3\"\n",
    )
    .unwrap();
    let path = folder.join("lambda_function.py");
    std::fs::write(&path, text).unwrap();
    path
}

/// A language server under comparison: its name and how to start it.
struct Server {
    name: &'static str,
    launch: Box<dyn Fn() -> Launch>,
}

/// Where pyright and the venv with aws-lambda-typing live (what setup-pyright.sh fills).
fn pyright_cache() -> PathBuf {
    if let Some(dir) = std::env::var_os("LAMBDA_LS_PYRIGHT_CACHE") {
        return PathBuf::from(dir);
    }
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")))
        .expect("HOME or XDG_CACHE_HOME is set");
    cache.join("lambda-ls").join("pyright")
}

/// Run setup-pyright.sh (quick when all is there) and return the cache folder.
fn ensure_pyright() -> Result<PathBuf, String> {
    let script = lambda_ls_e2e::repo_root().join("tests/benches/setup-pyright.sh");
    let status = Command::new("bash")
        .arg(&script)
        .status()
        .map_err(|error| format!("could not run {}: {error}", script.display()))?;
    if !status.success() {
        return Err(format!(
            "{} failed ({status}); fix what it printed and run it again",
            script.display()
        ));
    }
    Ok(pyright_cache())
}

/// The lambda-ls binary: `LAMBDA_LS_BIN`, else the release build.
fn lambda_ls_binary() -> Result<PathBuf, String> {
    if let Some(path) = std::env::var_os("LAMBDA_LS_BIN") {
        return Ok(PathBuf::from(path));
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| lambda_ls_e2e::repo_root().join("target"));
    let path = target.join("release").join("lambda-ls");
    if path.is_file() {
        Ok(path)
    } else {
        Err(format!(
            "{} is missing: run `cargo build --release -p lambda-ls` first (or set LAMBDA_LS_BIN)",
            path.display()
        ))
    }
}

/// What VS Code tells a server about its completion support (the parts that matter here).
fn editor_capabilities() -> Value {
    json!({
        "workspace": {"configuration": true, "workspaceFolders": true},
        "textDocument": {
            "completion": {
                "completionItem": {
                    "snippetSupport": true,
                    "documentationFormat": ["markdown", "plaintext"],
                    "resolveSupport": {"properties": ["documentation", "detail"]},
                    "labelDetailsSupport": true,
                },
                "contextSupport": true,
            },
            "hover": {"contentFormat": ["markdown", "plaintext"]},
        },
    })
}

fn lambda_ls_server(name: &'static str, binary: PathBuf) -> Server {
    Server {
        name,
        launch: Box::new(move || {
            let mut command = Command::new(&binary);
            command.arg("lsp");
            let mut launch = Launch::new(command);
            launch.capabilities = editor_capabilities();
            launch
        }),
    }
}

fn pyright_server(cache: PathBuf) -> Server {
    Server {
        name: "pyright",
        launch: Box::new(move || {
            let mut command = Command::new("node");
            command
                .arg(cache.join("node_modules/pyright/langserver.index.js"))
                .arg("--stdio");
            let python = cache.join("venv/bin/python");
            let mut launch = Launch::new(command);
            launch.capabilities = editor_capabilities();
            // pyright asks for its settings by section; the venv's interpreter is how it finds
            // aws-lambda-typing. Everything else stays at pyright's (and Pylance's) defaults.
            launch.answer = Some(Box::new(move |method, params| {
                if method != "workspace/configuration" {
                    return None;
                }
                let items = params["items"].as_array()?;
                Some(Value::Array(
                    items
                        .iter()
                        .map(|item| match item["section"].as_str() {
                            Some("python") => json!({"pythonPath": python}),
                            Some("python.analysis") => {
                                json!({"diagnosticMode": "openFilesOnly"})
                            }
                            Some(_) => json!({}),
                            None => json!({"python": {"pythonPath": python}}),
                        })
                        .collect(),
                ))
            }));
            launch
        }),
    }
}

/// The labels of a completion response (list or array), quotes stripped.
fn labels(result: &Value) -> Vec<String> {
    let items = result
        .get("items")
        .or(Some(result))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    items
        .iter()
        .filter_map(|item| item["label"].as_str())
        .map(|label| label.trim_matches(|c| c == '"' || c == '\'').to_string())
        .collect()
}

/// One completion request at `position`: its result, or the server's error message.
fn completion(client: &mut LspClient, uri: &str, position: &Value) -> Result<Value, String> {
    let response = client.request_raw(
        "textDocument/completion",
        json!({
            "textDocument": {"uri": uri},
            "position": position,
            "context": {"triggerKind": 2, "triggerCharacter": "\""},
        }),
    );
    match response.get("error") {
        Some(error) => Err(error["message"].as_str().unwrap_or("error").to_string()),
        None => Ok(response["result"].clone()),
    }
}

/// Ask until the answer has items (or `WARM_UP_LIMIT` passes); the last answer's labels and
/// the time it took, or the server's error (which no retry would change).
fn warm_up(
    client: &mut LspClient,
    uri: &str,
    position: &Value,
) -> Result<(Vec<String>, Duration), String> {
    let started = Instant::now();
    loop {
        let found = labels(&completion(client, uri, position)?);
        if !found.is_empty() || started.elapsed() > WARM_UP_LIMIT {
            return Ok((found, started.elapsed()));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The result of one series of timed requests.
struct Series {
    /// Sorted request times in milliseconds.
    samples: Vec<f64>,
    /// Labels of the last answer.
    labels: Vec<String>,
    /// How many answers had no items.
    empty: usize,
}

impl Series {
    fn percentile(&self, p: f64) -> f64 {
        let index = ((self.samples.len() as f64 - 1.0) * p).round() as usize;
        self.samples[index]
    }

    fn has(&self, label: &str) -> bool {
        self.labels.iter().any(|l| l == label)
    }
}

/// What one server measured: latency figures, or why there are none.
struct Figures {
    latency: Result<Latency, String>,
    peak_kb: Option<u64>,
    memory_files_answered: usize,
    memory_files_diagnosed: usize,
}

/// The latency part of `Figures`.
struct Latency {
    first_items: Vec<String>,
    warm_up: Duration,
    repeat: Series,
    typed: Series,
}

fn measure_latency(server: &Server, rounds: usize) -> Result<Latency, String> {
    let dir = tempfile::tempdir().unwrap();
    let text = annotated_module(5000, 0);
    let path = write_function(&dir.path().join("report"), &text);
    let u = uri(&path);
    let position = cursor(&text);
    let (mut client, _) = LspClient::start_command((server.launch)(), dir.path(), &["utf-16"]);
    client.open(&u, &text, 1);
    let (first_items, warm_up_time) = warm_up(&mut client, &u, &position)
        .map_err(|error| format!("completion failed: {error}"))?;

    let run = |client: &mut LspClient, edit: bool, version: &mut i64| {
        let mut samples = Vec::with_capacity(rounds);
        let mut last = Vec::new();
        let mut empty = 0;
        let line = position["line"].clone();
        let quote = position["character"].as_u64().unwrap() - 1;
        for _ in 0..rounds {
            if edit {
                // Delete the `""`, then type `"` (the editor adds the closing quote).
                let pair = json!({"start": {"line": line, "character": quote},
                                  "end": {"line": line, "character": quote + 2}});
                *version += 1;
                client.change(&u, *version, json!([{"range": pair, "text": ""}]));
                let at = json!({"start": {"line": line, "character": quote},
                                "end": {"line": line, "character": quote}});
                *version += 1;
                client.change(&u, *version, json!([{"range": at, "text": "\"\""}]));
            }
            let started = Instant::now();
            let result = completion(client, &u, &position);
            samples.push(started.elapsed().as_secs_f64() * 1000.0);
            last = labels(&result.unwrap_or_default());
            if last.is_empty() {
                empty += 1;
            }
            // Diagnostics and logs pile up otherwise; nobody reads them here.
            client.notifications.clear();
        }
        samples.sort_by(f64::total_cmp);
        Series {
            samples,
            labels: last,
            empty,
        }
    };
    let mut version = 1;
    let repeat = run(&mut client, false, &mut version);
    let typed = run(&mut client, true, &mut version);
    client.shutdown();
    Ok(Latency {
        first_items,
        warm_up: warm_up_time,
        repeat,
        typed,
    })
}

/// Peak resident memory of `pid` and every process below it, in kB.
fn peak_memory_tree_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let own: u64 = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    let mut total = own;
    for task in std::fs::read_dir(format!("/proc/{pid}/task"))
        .ok()?
        .flatten()
    {
        let children = std::fs::read_to_string(task.path().join("children")).unwrap_or_default();
        for child in children.split_whitespace().filter_map(|c| c.parse().ok()) {
            total += peak_memory_tree_kb(child).unwrap_or(0);
        }
    }
    Some(total)
}

fn measure_memory(server: &Server) -> (Option<u64>, usize, usize) {
    let dir = tempfile::tempdir().unwrap();
    let files: Vec<(String, String)> = (0..MEMORY_FILES)
        .map(|n| {
            let text = annotated_module(MEMORY_FILE_LINES, n);
            let path = write_function(&dir.path().join(format!("fn_{n:03}")), &text);
            (uri(&path), text)
        })
        .collect();
    let (mut client, _) = LspClient::start_command((server.launch)(), dir.path(), &["utf-16"]);
    for (u, text) in &files {
        client.open(u, text, 1);
    }
    let mut answered = 0;
    for (u, text) in &files {
        if let Ok((found, _)) = warm_up(&mut client, u, &cursor(text)) {
            if !found.is_empty() {
                answered += 1;
            }
        }
    }
    let mut diagnosed = 0;
    for (u, _) in &files {
        let published = |m: &Value| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == u.as_str()
        };
        if client
            .wait_for(Duration::from_secs(60), published)
            .is_some()
        {
            diagnosed += 1;
        }
    }
    let peak = peak_memory_tree_kb(client.pid());
    client.shutdown();
    (peak, answered, diagnosed)
}

fn verdict(series: &Series) -> String {
    if series.labels.is_empty() {
        return format!(
            "NO ITEMS ({} of {} answers empty)",
            series.empty,
            series.samples.len()
        );
    }
    format!(
        "{} items, bucket: {}, object: {}{}",
        series.labels.len(),
        if series.has("bucket") { "yes" } else { "NO" },
        if series.has("object") { "yes" } else { "NO" },
        if series.empty > 0 {
            format!(" ({} empty answers)", series.empty)
        } else {
            String::new()
        }
    )
}

fn main() {
    // `cargo bench` passes `--bench`; nothing else is understood.
    let rounds = std::env::var("BENCH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(DEFAULT_ROUNDS);
    let binary = match lambda_ls_binary() {
        Ok(binary) => binary,
        Err(message) => {
            eprintln!("completion_vs_pyright: {message}");
            std::process::exit(2);
        }
    };
    let cache = match ensure_pyright() {
        Ok(cache) => cache,
        Err(message) => {
            eprintln!("completion_vs_pyright: {message}");
            std::process::exit(2);
        }
    };
    let pyright_version = std::fs::read_to_string(cache.join("node_modules/pyright/package.json"))
        .ok()
        .and_then(|p| serde_json::from_str::<Value>(&p).ok())
        .and_then(|p| p["version"].as_str().map(String::from))
        .unwrap_or_else(|| "?".into());
    let mut servers = vec![lambda_ls_server("lambda-ls", binary.clone())];
    println!("lambda-ls: {}", binary.display());
    if let Some(baseline) = std::env::var_os("LAMBDA_LS_BASELINE_BIN") {
        println!("baseline:  {}", Path::new(&baseline).display());
        servers.push(lambda_ls_server("baseline", baseline.into()));
    }
    servers.push(pyright_server(cache));
    println!("pyright:   {pyright_version} (node {})", node_version());
    println!(
        "module: 5,000 lines, handler at the end, cursor in {}",
        CURSOR_LINE.trim()
    );
    println!("load before: {}", load());

    let mut figures = Vec::new();
    for server in &servers {
        eprintln!("== {}: latency ({rounds} + {rounds} requests)", server.name);
        let latency = measure_latency(server, rounds);
        eprintln!("== {}: memory ({MEMORY_FILES} files open)", server.name);
        let (peak_kb, answered, diagnosed) = measure_memory(server);
        figures.push(Figures {
            latency,
            peak_kb,
            memory_files_answered: answered,
            memory_files_diagnosed: diagnosed,
        });
    }
    println!("load after:  {}", load());
    println!();

    let width = 34;
    print!("{:<width$}", "");
    for server in &servers {
        print!("{:>16}", server.name);
    }
    println!();
    let row = |label: &str, cell: &dyn Fn(&Figures) -> String| {
        print!("{label:<width$}");
        for f in &figures {
            print!("{:>16}", cell(f));
        }
        println!();
    };
    let latency_row = |label: &str, cell: &dyn Fn(&Latency) -> String| {
        row(label, &|f| match &f.latency {
            Ok(latency) => cell(latency),
            Err(_) => "-".into(),
        })
    };
    latency_row("first items after (warm-up)", &|l| {
        format!("{:.0} ms", l.warm_up.as_secs_f64() * 1000.0)
    });
    for (name, pick) in SERIES {
        for (p, label) in [(0.5, "p50"), (0.99, "p99")] {
            latency_row(&format!("{name} {label} (ms)"), &|l| {
                format!("{:.3}", pick(l).percentile(p))
            });
        }
        latency_row(&format!("{name} max (ms)"), &|l| {
            format!("{:.3}", pick(l).samples.last().unwrap())
        });
    }
    row(&format!("peak memory, {MEMORY_FILES} files (MB)"), &|f| {
        f.peak_kb
            .map_or("?".into(), |kb| format!("{:.1}", kb as f64 / 1024.0))
    });
    row("  files with completion items", &|f| {
        format!("{}/{MEMORY_FILES}", f.memory_files_answered)
    });
    row("  files with diagnostics", &|f| {
        format!("{}/{MEMORY_FILES}", f.memory_files_diagnosed)
    });
    println!();
    for (server, f) in servers.iter().zip(&figures) {
        println!("{} answers:", server.name);
        match &f.latency {
            Ok(l) => {
                println!(
                    "  first:  {} items {:?}",
                    l.first_items.len(),
                    shorten(&l.first_items)
                );
                println!("  repeat: {}", verdict(&l.repeat));
                println!("  typed:  {}", verdict(&l.typed));
            }
            Err(error) => println!("  NO ANSWERS: {error}"),
        }
    }
    println!();
    // pyright is the last column (a baseline build, when given, sits between).
    let (Ok(ours), Ok(theirs)) = (&figures[0].latency, &figures[figures.len() - 1].latency) else {
        println!("no ratio: a server gave no completion answers");
        return;
    };
    for (name, pick) in SERIES {
        let (a, b) = (pick(ours), pick(theirs));
        if a.labels.is_empty() || b.labels.is_empty() {
            println!("{name}: no ratio: a server gave no items");
            continue;
        }
        let p99_ratio = b.percentile(0.99) / a.percentile(0.99);
        let p50_ratio = b.percentile(0.5) / a.percentile(0.5);
        println!(
            "{name}: pyright/lambda-ls p50 {p50_ratio:.2}x, p99 {p99_ratio:.2}x; target p99 < 5 ms: {}, >= 10x: {}",
            if a.percentile(0.99) < 5.0 { "met" } else { "MISSED" },
            if p99_ratio >= 10.0 { "met" } else { "MISSED" },
        );
    }
}

/// The two series of a latency measurement, by name.
type Pick = fn(&Latency) -> &Series;
const SERIES: [(&str, Pick); 2] = [("repeat", |l| &l.repeat), ("typed", |l| &l.typed)];

fn shorten(labels: &[String]) -> Vec<&str> {
    labels.iter().take(8).map(String::as_str).collect()
}

fn node_version() -> String {
    Command::new("node")
        .arg("--version")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|| "?".into())
}

/// The machine's load averages (1, 5, 15 minutes) and core count, for the report.
fn load() -> String {
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let fields: Vec<&str> = load.split_whitespace().take(3).collect();
    format!(
        "{} ({} cores)",
        fields.join(" "),
        std::thread::available_parallelism().map_or(0, |n| n.get())
    )
}
