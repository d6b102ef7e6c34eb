//! Every analysis (checks, hover, lenses, completion) stays near-linear in the size of the
//! file. Measured with a deterministic count of elementary steps (`python::work`), not
//! time: for each kind of input that once grew super-linearly (long subscript or `.get`
//! chains, rebinding one name, deep nesting, huge literals, many helpers, many clients), a
//! file four times larger may cost at most 1.5 times its size ratio in steps.

use super::test_support::function_with;
use super::*;
use crate::python::work;

/// The work of every analysis of `text` as the handler module of `config`'s function.
fn work_of(text: &str, config: &str) -> u64 {
    let module = Module::parse(text);
    let function = function_with(config);
    let file = PythonFile {
        module: &module,
        function: Some(&function),
        handler: Some("lambda_handler"),
    };
    work::take();
    std::hint::black_box(check_python(file));
    let last_key = text.rfind("[\"").map_or(0, |i| i + 2);
    std::hint::black_box(hover_python(file, last_key));
    std::hint::black_box(lenses_python(file));
    std::hint::black_box(complete_python(file, last_key));
    work::take()
}

fn handler(body: &str) -> String {
    format!(
        "import os\nimport json\n\nimport boto3\n\n\ndef lambda_handler(event, context):\n{body}"
    )
}

/// A handler module of size `n`.
type Input = fn(usize) -> String;

/// The inputs, each named and made from its size `n`.
fn cases() -> Vec<(&'static str, Input)> {
    vec![
        ("subscript chain", |n| {
            handler(&format!(
                "    x = event{}\n    return x\n",
                "[\"a\"]".repeat(n)
            ))
        }),
        ("`.get` chain", |n| {
            handler(&format!(
                "    x = event{}\n    return x\n",
                ".get(\"a\", {})".repeat(n)
            ))
        }),
        ("one name rebound", |n| {
            handler(&format!(
                "    x = event\n{}    return x[\"Records\"]\n",
                "    x = x[\"Records\"][0]\n".repeat(n)
            ))
        }),
        ("nested literals", |n| {
            handler(&format!(
                "    return {}event[\"Records\"]{}\n",
                "[".repeat(n),
                "]".repeat(n)
            ))
        }),
        ("huge dict literal", |n| {
            let entries: String = (0..n)
                .map(|i| format!("        \"k{i}\": event[\"Records\"][{i}][\"s3\"],\n"))
                .collect();
            handler(&format!("    return {{\n{entries}    }}\n"))
        }),
        ("many helpers", |n| {
            let helpers: String = (0..n)
                .map(|i| {
                    format!("def helper_{i}(record):\n    return record[\"s3\"][\"bucket\"]\n\n\n")
                })
                .collect();
            let calls: String = (0..n)
                .map(|i| format!("        helper_{i}(record)\n"))
                .collect();
            format!(
                "{helpers}def lambda_handler(event, context):\n    for record in event[\"Records\"]:\n{calls}"
            )
        }),
        ("many clients and environment reads", |n| {
            handler(
                &(0..n)
                    .map(|i| {
                        format!(
                            "    c{i} = boto3.client(\"s3\")\n    v{i} = os.environ.get(\"V{i}\", \"d\")\n"
                        )
                    })
                    .collect::<String>(),
            )
        }),
        ("deeply nested blocks", |n| {
            let mut body = String::new();
            for depth in 1..=n {
                body.push_str(&format!("{}if event[\"Records\"]:\n", "    ".repeat(depth)));
            }
            body.push_str(&format!(
                "{}x = event[\"Records\"][0][\"s3\"]\n",
                "    ".repeat(n + 1)
            ));
            handler(&body)
        }),
    ]
}

#[test]
fn every_analysis_stays_near_linear() {
    let mut problems = Vec::new();
    for (name, make) in cases() {
        for config in ["[[trigger]]\ntype = \"s3\"\n", "[environment]\nA = \"1\"\n"] {
            // Deep nesting makes the text itself grow quadratically: compare with its size.
            let (n, big) = if name == "deeply nested blocks" {
                (20, 80)
            } else {
                (150, 600)
            };
            let (small_text, big_text) = (make(n), make(big));
            let size_ratio = big_text.len() as f64 / small_text.len() as f64;
            let (small, large) = (work_of(&small_text, config), work_of(&big_text, config));
            assert!(
                small as usize >= n,
                "{name}: the count counts nothing ({small})"
            );
            let ratio = large as f64 / small as f64;
            if ratio > 1.5 * size_ratio {
                problems.push(format!(
                    "{name} ({}): {small} steps for {} bytes, {large} for {} bytes: \
                     x{ratio:.1} for x{size_ratio:.1} the size",
                    config.lines().next().unwrap(),
                    small_text.len(),
                    big_text.len()
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "super-linear:\n{}",
        problems.join("\n")
    );
}
