//! In-process benchmark (on demand): incremental reparse and the full Python check on a
//! 5,000-line module, without the protocol. `cargo bench -p lambda-ls --bench check`

use std::time::Instant;

use lambda_ls::analysis::{
    check_python, check_python_cached, complete_python, hover_python, lenses_python, CheckCache,
    PythonFile,
};
use lambda_ls::project::FunctionConfig;
use lambda_ls::python::Module;

fn module_text() -> String {
    let mut text =
        String::from("import json\nimport os\n\nimport boto3\n\ns3 = boto3.client(\"s3\")\n");
    let mut index = 0;
    while text.lines().count() < 4990 {
        text.push_str(&format!(
            "\ndef helper_{index}(record, factor={index}):\n    \"\"\"Summarise one record (ñ {index}).\"\"\"\n    bucket = record[\"s3\"][\"bucket\"][\"name\"]\n    size = record[\"s3\"][\"object\"].get(\"size\", 0)\n    return {{\"bucket\": bucket, \"size\": size * factor}}\n"
        ));
        index += 1;
    }
    text.push_str("\ndef lambda_handler(event, context):\n    for record in event[\"Records\"]:\n        helper_0(record)\n    x = event[\"Records\"][0][\"s3\"][\"\"]\n    return {\"statusCode\": 200}\n");
    text
}

/// A 6-line handler whose one expression is `event["a"]` repeated `depth` times (the
/// shape that once made the analysis cubic).
fn chain_text(depth: usize) -> String {
    format!(
        "import json\n\n\ndef lambda_handler(event, context):\n    x = event{}\n    return x\n",
        "[\"a\"]".repeat(depth)
    )
}

/// Check, hover, lenses and completion on the chain handler, each timed once.
fn chain_case(depth: usize, label: &str, function: &lambda_ls::project::Function) {
    let text = chain_text(depth);
    let module = Module::parse(text.clone());
    let file = PythonFile {
        module: &module,
        function: Some(function),
        handler: Some("lambda_handler"),
    };
    let time = |f: &dyn Fn()| {
        let started = Instant::now();
        f();
        started.elapsed().as_secs_f64() * 1e3
    };
    let check = time(&|| {
        std::hint::black_box(check_python(file));
    });
    let last = text.rfind("\"a\"").unwrap() + 1;
    let hover = time(&|| {
        std::hint::black_box(hover_python(file, last));
    });
    let lenses = time(&|| {
        std::hint::black_box(lenses_python(file));
    });
    let complete = time(&|| {
        std::hint::black_box(complete_python(file, last));
    });
    println!(
        "chain of {depth:>5} subscripts, {label}: check {check:9.2} ms, hover {hover:9.2} ms, \
         lenses {lenses:9.2} ms, completion {complete:9.2} ms"
    );
}

fn report(name: &str, mut samples: Vec<f64>) {
    samples.sort_by(f64::total_cmp);
    let p = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize];
    println!("{name}: p50 {:.3} ms, p99 {:.3} ms", p(0.5), p(0.99));
}

fn main() {
    let text = module_text();
    let started = Instant::now();
    let mut module = Module::parse(text.clone());
    println!(
        "full parse of {} lines: {:.3} ms",
        text.lines().count(),
        started.elapsed().as_secs_f64() * 1e3
    );
    let (config, config_diagnostics) = lambda_ls::project::parse_config(
        "report",
        "[environment]\nX = \"1\"\n\n[[trigger]]\ntype = \"s3\"\n",
    );
    let function = lambda_ls::project::Function {
        dir: std::env::temp_dir(),
        config_path: None,
        config,
        config_diagnostics,
        template: None,
    };
    let _ = FunctionConfig::defaults("x");
    let at = text.find("    size = ").unwrap() + 4;
    let (mut edits, mut checks, mut cached) = (Vec::new(), Vec::new(), Vec::new());
    let mut cache = CheckCache::default();
    for round in 0..400 {
        let started = Instant::now();
        if round % 2 == 0 {
            module.edit(at..at, "x");
        } else {
            module.edit(at..at + 1, "");
        }
        edits.push(started.elapsed().as_secs_f64() * 1e3);
        let started = Instant::now();
        let file = PythonFile {
            module: &module,
            function: Some(&function),
            handler: Some("lambda_handler"),
        };
        let diagnostics = check_python(file);
        std::hint::black_box(diagnostics);
        checks.push(started.elapsed().as_secs_f64() * 1e3);
        let started = Instant::now();
        let diagnostics = check_python_cached(file, &mut cache);
        std::hint::black_box(diagnostics);
        cached.push(started.elapsed().as_secs_f64() * 1e3);
    }
    report("incremental edit + reparse, one place", edits);
    // As the LSP benchmark types: into a different helper every other edit.
    let positions: Vec<usize> = text
        .match_indices("    size = ")
        .take(100)
        .map(|(at, _)| at + 4)
        .collect();
    let mut spread = Module::parse(text.clone());
    let (mut reparses, mut indexes, mut server_checks) = (Vec::new(), Vec::new(), Vec::new());
    let mut cache = CheckCache::default();
    for round in 0..1000 {
        let at = positions[(round / 2) % positions.len()];
        let started = Instant::now();
        if round % 2 == 0 {
            spread.edit(at..at, "x");
        } else {
            spread.edit(at..at + 1, "");
        }
        reparses.push(started.elapsed().as_secs_f64() * 1e3);
        let started = Instant::now();
        std::hint::black_box(lambda_ls::line_index::LineIndex::new(spread.text()));
        indexes.push(started.elapsed().as_secs_f64() * 1e3);
        let started = Instant::now();
        let file = PythonFile {
            module: &spread,
            function: Some(&function),
            handler: Some("lambda_handler"),
        };
        std::hint::black_box(check_python_cached(file, &mut cache));
        server_checks.push(started.elapsed().as_secs_f64() * 1e3);
    }
    report("incremental edit + reparse, 100 places", reparses);
    // Typing inside a triple-quoted string left open near the top, for two quotes: `\'\'\'`
    // never closes (the module's docstrings use `"""`), so it ends with its line; `"""` pairs
    // with every docstring after it, as Python reads it, and the rest of the module is one
    // broken statement.
    for quotes in ["\'\'\'", "\"\"\""] {
        let mut open_string = Module::parse(text.clone());
        let top = text.find("\ndef helper_0").unwrap();
        let opening_text = format!("\nNOTE = {quotes}");
        let started = Instant::now();
        open_string.edit(top..top, &opening_text);
        let opening = started.elapsed().as_secs_f64() * 1e3;
        let at = top + opening_text.len();
        let mut typed = Vec::new();
        for round in 0..100 {
            let started = Instant::now();
            if round % 2 == 0 {
                open_string.edit(at..at, "x");
            } else {
                open_string.edit(at..at + 1, "");
            }
            typed.push(started.elapsed().as_secs_f64() * 1e3);
        }
        println!("opening a {quotes} string near the top: {opening:.3} ms");
        report(&format!("typing inside that {quotes} string"), typed);
    }
    report("line index of the new text", indexes);
    report("events + check, cached (100 places)", server_checks);
    report("check_python, from scratch", checks);
    let cursor = module.text().rfind("[\"\"]").unwrap() + 2;
    let mut completions = Vec::new();
    for _ in 0..400 {
        let started = Instant::now();
        let file = PythonFile {
            module: &module,
            function: Some(&function),
            handler: Some("lambda_handler"),
        };
        let items = complete_python(file, cursor);
        assert!(items.iter().any(|c| c.label == "bucket"));
        completions.push(started.elapsed().as_secs_f64() * 1e3);
    }
    report("complete_python in an S3 subscript", completions);
    report(
        "check_python, cached between edits (the server's path)",
        cached,
    );
    // Near-linear analysis: the time per subscript should stay flat as the chain grows.
    let (config, config_diagnostics) = lambda_ls::project::parse_config("chain", "");
    let untriggered = lambda_ls::project::Function {
        dir: std::env::temp_dir(),
        config_path: None,
        config,
        config_diagnostics,
        template: None,
    };
    let limit: usize = std::env::var("CHAIN_MAX")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3000);
    for depth in [400, 1000, 3000, 10_000] {
        if depth <= limit {
            chain_case(depth, "s3 trigger", &function);
            chain_case(depth, "no trigger", &untriggered);
        }
    }
}
