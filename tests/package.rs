//! `lambda-ls package`: the .zip holds the code and Lambda-platform dependencies and
//! nothing else, runs with no site-packages, is byte-identical across builds and folders,
//! and failures (escaping symlinks, wheel-less dependencies, interrupted builds) are clear
//! and leave nothing behind.

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use support::{binary, copy_tree, repo_root};

/// `lambda-ls package ARGS` in `dir`, with its own dependency cache.
fn package(dir: &Path, cache: &Path, args: &[&str]) -> Output {
    Command::new(binary())
        .arg("package")
        .args(args)
        .current_dir(dir)
        .env("LAMBDA_LS_CACHE_DIR", cache)
        .stdin(Stdio::null())
        .output()
        .expect("lambda-ls starts")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn assert_success(output: &Output) {
    assert!(
        output.status.success(),
        "lambda-ls package failed ({:?})\nstdout:\n{}\nstderr:\n{}",
        output.status,
        text(&output.stdout),
        text(&output.stderr)
    );
}

fn report(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}):\n{}\n{}",
            text(&output.stdout),
            text(&output.stderr)
        )
    })
}

/// Entry names of a zip, read and CRC-checked by Python's zipfile (an independent reader).
fn zip_names(zip: &Path) -> Vec<String> {
    let script = "import sys, zipfile\n\
                  z = zipfile.ZipFile(sys.argv[1])\n\
                  bad = z.testzip()\n\
                  assert bad is None, bad\n\
                  print('\\n'.join(z.namelist()))";
    let output = Command::new("python3")
        .args(["-c", script])
        .arg(zip)
        .output()
        .expect("python3 runs");
    assert!(output.status.success(), "{}", text(&output.stderr));
    text(&output.stdout).lines().map(str::to_owned).collect()
}

/// A copy of examples/csv-report that targets the Python here (3.11), so the test can
/// import the package's native wheels (numpy, pandas) with this interpreter.
fn csv_report_for_local_python(into: &Path) -> PathBuf {
    let dir = into.join("csv-report");
    copy_tree(&repo_root().join("examples/csv-report"), &dir);
    let toml = std::fs::read_to_string(dir.join("lambda.toml")).unwrap();
    let local_version = Command::new("python3")
        .args([
            "-c",
            "import sys; print(f'python{sys.version_info[0]}.{sys.version_info[1]}')",
        ])
        .output()
        .unwrap();
    let runtime = text(&local_version.stdout).trim().to_string();
    let toml = toml.replace("python3.12", &runtime);
    std::fs::write(dir.join("lambda.toml"), toml).unwrap();
    dir
}

#[test]
fn pandas_and_requests_function_runs_from_the_unzipped_package_alone() {
    let temp = tempfile::tempdir().unwrap();
    let cache = temp.path().join("cache");
    let function = csv_report_for_local_python(temp.path());
    // Junk a developer has around, which must not ship.
    std::fs::create_dir_all(function.join("__pycache__")).unwrap();
    std::fs::write(
        function.join("__pycache__/lambda_function.cpython-311.pyc"),
        "x",
    )
    .unwrap();
    std::fs::write(function.join(".env"), "API_KEY=secret").unwrap();

    let output = package(&function, &cache, &["--format", "json"]);
    assert_success(&output);
    let report = report(&output);
    let zip = PathBuf::from(report["zip_path"].as_str().unwrap());
    assert_eq!(
        zip,
        function
            .join(".lambda-ls/csv-report.zip")
            .canonicalize()
            .unwrap()
    );
    let names = zip_names(&zip);
    for expected in [
        "lambda_function.py",
        "sample.csv",
        "pandas/__init__.py",
        "requests/__init__.py",
    ] {
        assert!(names.iter().any(|n| n == expected), "{expected} missing");
    }
    for name in &names {
        assert!(
            !name.starts_with(".lambda-ls")
                && !name.contains("__pycache__")
                && !name.ends_with(".pyc")
                && name != ".lock"
                && name != ".env"
                && name != "lambda.toml"
                && !name.starts_with("events/"),
            "{name} should not be in the package"
        );
    }
    assert!(
        names
            .iter()
            .any(|n| n.contains("manylinux") || n.ends_with(".so")),
        "native wheels (numpy/pandas extension modules) are in"
    );
    let largest = report["largest"].as_array().unwrap();
    assert!(largest
        .iter()
        .any(|c| c["name"].as_str().unwrap().starts_with("numpy ")));
    assert_eq!(
        report["code_sha256"].as_str().unwrap().len(),
        44,
        "base64 SHA-256"
    );

    // Unzip into an empty folder and call the handler with an isolated Python that sees
    // only that folder and the standard library: no site-packages at all.
    let unpacked = temp.path().join("unpacked");
    std::fs::create_dir(&unpacked).unwrap();
    let unzip = Command::new("python3")
        .args([
            "-c",
            "import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])",
        ])
        .arg(&zip)
        .arg(&unpacked)
        .output()
        .unwrap();
    assert!(unzip.status.success(), "{}", text(&unzip.stderr));
    let call = "import sys, json\n\
                sys.path[:] = [sys.argv[1]] + [p for p in sys.path if 'site-packages' not in p]\n\
                import lambda_function\n\
                assert lambda_function.pd.__file__.startswith(sys.argv[1]), lambda_function.pd.__file__\n\
                assert lambda_function.requests.__file__.startswith(sys.argv[1])\n\
                print(json.dumps(lambda_function.lambda_handler({}, None)))";
    let run = Command::new("python3")
        .args(["-S", "-I", "-c", call])
        .arg(&unpacked)
        .current_dir(temp.path())
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "handler failed:\n{}",
        text(&run.stderr)
    );
    let result: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(result["rows"], 5);
    assert_eq!(result["totals"]["units"], 80.0);
    assert_eq!(result["source"], "sample.csv");

    // Rebuilt, and rebuilt from a copy of the folder elsewhere (other paths, other file
    // times): the same bytes, and the dependencies come from the cache.
    let first = std::fs::read(&zip).unwrap();
    let again = package(&function, &cache, &["--format", "json"]);
    assert_success(&again);
    assert_eq!(report_of(&again)["dependencies"]["from_cache"], true);
    assert_eq!(
        std::fs::read(&zip).unwrap(),
        first,
        "rebuild is byte-identical"
    );
    let elsewhere = temp.path().join("elsewhere/csv-report");
    std::thread::sleep(std::time::Duration::from_millis(1100));
    copy_tree(&function, &elsewhere);
    std::fs::remove_dir_all(elsewhere.join(".lambda-ls")).unwrap();
    let other_zip = temp.path().join("other.zip");
    let copy = package(
        &elsewhere,
        &cache,
        &["-o", other_zip.to_str().unwrap(), "--format", "json"],
    );
    assert_success(&copy);
    assert_eq!(
        std::fs::read(&other_zip).unwrap(),
        first,
        "same inputs elsewhere, same bytes"
    );
    assert_eq!(report_of(&copy)["code_sha256"], report["code_sha256"]);
}

fn report_of(output: &Output) -> serde_json::Value {
    report(output)
}

#[test]
fn secrets_and_junk_stay_out_and_lambdaignore_applies() {
    let temp = tempfile::tempdir().unwrap();
    let function = temp.path().join("junk");
    copy_tree(&repo_root().join("tests/fixtures/package/junk"), &function);
    for (path, contents) in [
        (".env", "TOKEN=1"),
        (".env.production", "TOKEN=2"),
        (".git/config", "[core]"),
        (".aws/credentials", "[default]"),
        ("id_rsa", "-----BEGIN"),
        ("deploy.pem", "-----BEGIN"),
        ("server.key", "-----BEGIN"),
        (".vscode/settings.json", "{}"),
        (".idea/workspace.xml", "<x/>"),
        (".DS_Store", "x"),
        ("__pycache__/lambda_function.cpython-311.pyc", "x"),
        ("lib/__pycache__/x.cpython-311.pyc", "x"),
        ("events/s3.json", "{}"),
        ("tests/test_handler.py", "def test(): pass"),
        (".venv/pyvenv.cfg", "home = /usr/bin"),
    ] {
        let path = function.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, contents).unwrap();
    }
    // A virtualenv links outside the folder; excluded, so not refused.
    std::os::unix::fs::symlink("/usr/bin/python3", function.join(".venv/python")).unwrap();
    let output = package(&function, &temp.path().join("cache"), &["--format", "json"]);
    assert_success(&output);
    let zip = PathBuf::from(report(&output)["zip_path"].as_str().unwrap());
    let mut names = zip_names(&zip);
    names.sort();
    assert_eq!(
        names,
        [
            "data/",
            "data/lookup.csv",
            "docs/",
            "docs/README.md",
            "lambda_function.py",
            "lib/",
            "lib/__init__.py"
        ]
    );
    // And the default output never packages the previous package.
    let again = package(&function, &temp.path().join("cache"), &["--format", "json"]);
    assert_success(&again);
    assert_eq!(zip_names(&zip).len(), names.len());
}

#[test]
fn a_symlink_leaving_the_function_folder_is_refused() {
    let temp = tempfile::tempdir().unwrap();
    let function = temp.path().join("junk");
    copy_tree(&repo_root().join("tests/fixtures/package/junk"), &function);
    std::fs::write(temp.path().join("credentials"), "secret").unwrap();
    std::os::unix::fs::symlink(temp.path().join("credentials"), function.join("config.txt"))
        .unwrap();
    let output = package(&function, &temp.path().join("cache"), &[]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output.stderr));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("config.txt"), "{stderr}");
    assert!(stderr.contains("outside the function folder"), "{stderr}");
    assert!(!function.join(".lambda-ls/junk.zip").exists());
}

fn wheel_less_dependency_fails_clearly(installer: &str) {
    let temp = tempfile::tempdir().unwrap();
    let function = temp.path().join("junk");
    copy_tree(&repo_root().join("tests/fixtures/package/junk"), &function);
    // docopt 0.6.2 is published as a source archive only.
    std::fs::write(function.join("requirements.txt"), "docopt==0.6.2\n").unwrap();
    let output = package(
        &function,
        &temp.path().join("cache"),
        &["--installer", installer],
    );
    assert_eq!(output.status.code(), Some(2), "{}", text(&output.stderr));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("`docopt==0.6.2` has no binary wheel"),
        "{stderr}"
    );
    assert!(stderr.contains("Python 3.11 on Linux x86_64"), "{stderr}");
    assert!(stderr.contains("layer"), "says what to do: {stderr}");
    let cache_entries = std::fs::read_dir(temp.path().join("cache/deps"))
        .map(|d| d.count())
        .unwrap_or(0);
    assert_eq!(
        cache_entries, 0,
        "a failed install leaves nothing in the cache"
    );
}

#[test]
fn a_dependency_without_a_wheel_fails_clearly_with_pip() {
    wheel_less_dependency_fails_clearly("pip");
}

#[test]
fn a_dependency_without_a_wheel_fails_clearly_with_uv() {
    wheel_less_dependency_fails_clearly("uv");
}

#[test]
fn the_sdk_is_left_out_unless_pinned_but_what_requests_needs_stays() {
    let temp = tempfile::tempdir().unwrap();
    let function = temp.path().join("junk");
    copy_tree(&repo_root().join("tests/fixtures/package/junk"), &function);
    std::fs::write(
        function.join("requirements.txt"),
        "boto3\nrequests==2.32.3\n",
    )
    .unwrap();
    let output = package(&function, &temp.path().join("cache"), &["--format", "json"]);
    assert_success(&output);
    let report = report(&output);
    let names = zip_names(Path::new(report["zip_path"].as_str().unwrap()));
    for gone in ["boto3/", "botocore/", "s3transfer/", "jmespath/"] {
        assert!(
            !names.iter().any(|n| n == gone),
            "{gone} should be left out"
        );
    }
    assert!(
        names.iter().any(|n| n == "urllib3/"),
        "requests needs urllib3"
    );
    assert!(names.iter().any(|n| n == "requests/"));
    let notes = report["notes"].to_string();
    assert!(
        notes.contains("boto3") && notes.contains("runtime"),
        "{notes}"
    );
}

/// Pseudo-random bytes (deflate cannot shrink them, so compressing takes a while).
fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}

#[test]
fn a_build_killed_mid_write_leaves_no_zip_and_no_temporary_file() {
    let temp = tempfile::tempdir().unwrap();
    let function = temp.path().join("junk");
    copy_tree(&repo_root().join("tests/fixtures/package/junk"), &function);
    std::fs::create_dir(function.join("blobs")).unwrap();
    for i in 0..24 {
        let mut file = std::fs::File::create(function.join(format!("blobs/{i}.bin"))).unwrap();
        file.write_all(&noise(8 << 20, i + 1)).unwrap();
    }
    let out_dir = temp.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    // One thread: the write lasts long enough to be caught in the middle.
    let mut child = Command::new(binary())
        .args(["package", "--threads", "1", "-o"])
        .arg(out_dir.join("junk.zip"))
        .current_dir(&function)
        .env("LAMBDA_LS_CACHE_DIR", temp.path().join("cache"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    loop {
        line.clear();
        let read = stderr.read_line(&mut line).unwrap();
        assert!(read > 0, "lambda-ls ended before it started writing");
        if line.starts_with("compressing") {
            break;
        }
    }
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert!(
        child.try_wait().unwrap().is_none(),
        "the build finished before it could be interrupted: make the test data bigger"
    );
    child.kill().unwrap(); // SIGKILL: no cleanup code runs
    child.wait().unwrap();
    let mut rest = String::new();
    let _ = stderr.read_to_string(&mut rest);
    let left: Vec<_> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

#[test]
fn the_size_report_warns_over_50_mb_zipped_and_refuses_over_250_mb_unzipped() {
    let temp = tempfile::tempdir().unwrap();
    let function = temp.path().join("junk");
    copy_tree(&repo_root().join("tests/fixtures/package/junk"), &function);
    std::fs::create_dir(function.join("models")).unwrap();
    std::fs::write(function.join("models/weights.bin"), noise(51 << 20, 7)).unwrap();
    let cache = temp.path().join("cache");
    let output = package(&function, &cache, &[]);
    assert_success(&output);
    let stdout = text(&output.stdout);
    assert!(
        stdout.contains("of the 50.0 MB direct-upload limit"),
        "{stdout}"
    );
    assert!(stdout.contains("of the 250.0 MB limit"), "{stdout}");
    assert!(
        stdout.contains("models/"),
        "the largest part is named: {stdout}"
    );
    assert!(
        stdout.contains("warning:") && stdout.contains("through S3"),
        "{stdout}"
    );
    assert!(stdout.contains("CodeSha256 "), "{stdout}");

    // Over 250 MB unzipped (a sparse file: no disk needed), refused before writing.
    let huge = std::fs::File::create(function.join("models/huge.bin")).unwrap();
    huge.set_len(260 << 20).unwrap();
    std::fs::remove_file(function.join(".lambda-ls/junk.zip")).unwrap();
    let output = package(&function, &cache, &[]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("over Lambda's 250.0 MB limit"), "{stderr}");
    assert!(
        stderr.contains("layer") && stderr.contains("container image"),
        "{stderr}"
    );
    assert!(
        stderr.contains("models/"),
        "names what takes the room: {stderr}"
    );
    assert!(!function.join(".lambda-ls/junk.zip").exists());
}
