//! Packaging benchmark, run on demand: `cargo bench -p lambda-ls --bench package`.
//!
//! Side by side in one run: `lambda-ls package` of examples/csv-report (pandas + requests,
//! dependencies cached) against Info-ZIP's `zip -qr` of the very same file tree at the same
//! deflate level (6). Prints the median wall and CPU times and the sizes of each. The
//! speed-up over zip comes from using every core: on a machine whose cores are busy with
//! other work, the wall-clock figure shrinks towards the CPU-time ratio.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use lambda_ls::package::{self, Options};

const RUNS: usize = 7;

/// CPU time (user + system) of this process, or of its finished children.
fn cpu_time(who: i32) -> Duration {
    // SAFETY: getrusage only writes into the struct we pass.
    let usage = unsafe {
        let mut usage = std::mem::zeroed::<libc::rusage>();
        libc::getrusage(who, &mut usage);
        usage
    };
    let micros = |t: libc::timeval| t.tv_sec as u64 * 1_000_000 + t.tv_usec as u64;
    Duration::from_micros(micros(usage.ru_utime) + micros(usage.ru_stime))
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

fn main() {
    if Command::new("zip").arg("-v").output().is_err() {
        eprintln!("Info-ZIP's zip is not installed (bash tests/setup/package.sh installs it)");
        std::process::exit(1);
    }
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("csv-report");
    copy_tree(&repo.join("examples/csv-report"), &dir);
    let function = lambda_ls::project::load(&dir);
    let ours_zip = temp.path().join("ours.zip");

    // Warm the dependency cache (the first build installs pandas and requests).
    let build = |threads: Option<usize>, recompress_dependencies: bool| {
        let options = Options {
            output: Some(ours_zip.clone()),
            threads,
            recompress_dependencies,
            ..Options::default()
        };
        package::build(&function, &options).expect("package builds")
    };
    let report = build(None, false);
    eprintln!(
        "warm-up: {} files, {} unzipped, dependencies {}",
        report.files,
        package::human(report.unzipped_bytes),
        if report.dependencies.as_ref().is_some_and(|d| d.from_cache) {
            "cached"
        } else {
            "installed"
        }
    );

    // The same tree, laid out as files, for Info-ZIP.
    let tree = temp.path().join("tree");
    std::fs::create_dir(&tree).unwrap();
    let unzip = Command::new("unzip")
        .args(["-q"])
        .arg(&ours_zip)
        .arg("-d")
        .arg(&tree)
        .status()
        .expect("unzip runs");
    assert!(unzip.success());
    let theirs_zip: PathBuf = temp.path().join("theirs.zip");

    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let (mut ours, mut ours_single, mut theirs) = (Vec::new(), Vec::new(), Vec::new());
    let mut ours_reusing = Vec::new();
    let (mut ours_cpu, mut theirs_cpu) = (Vec::new(), Vec::new());
    for _ in 0..RUNS {
        let start = Instant::now();
        let cpu = cpu_time(libc::RUSAGE_SELF);
        build(None, true);
        ours.push(start.elapsed());
        ours_cpu.push(cpu_time(libc::RUSAGE_SELF) - cpu);

        let start = Instant::now();
        build(Some(1), true);
        ours_single.push(start.elapsed());

        let start = Instant::now();
        build(None, false);
        ours_reusing.push(start.elapsed());

        let _ = std::fs::remove_file(&theirs_zip);
        let start = Instant::now();
        let cpu = cpu_time(libc::RUSAGE_CHILDREN);
        let status = Command::new("zip")
            .args(["-qr", "-6"])
            .arg(&theirs_zip)
            .arg(".")
            .current_dir(&tree)
            .status()
            .unwrap();
        theirs.push(start.elapsed());
        theirs_cpu.push(cpu_time(libc::RUSAGE_CHILDREN) - cpu);
        assert!(status.success());
    }
    let ours_size = std::fs::metadata(&ours_zip).unwrap().len();
    let theirs_size = std::fs::metadata(&theirs_zip).unwrap().len();
    let (ours, ours_single, theirs) = (median(ours), median(ours_single), median(theirs));
    let ours_reusing = median(ours_reusing);
    let (ours_cpu, theirs_cpu) = (median(ours_cpu), median(theirs_cpu));
    println!(
        "packaging examples/csv-report ({} files, {} unzipped), dependencies cached, {cores} cores, median of {RUNS}",
        report.files,
        package::human(report.unzipped_bytes)
    );
    let row = |label: &str, time: Duration, size: String, cpu: String| {
        println!(
            "  {label:<58} {:>7.0} ms  {size:>10}  {cpu}",
            time.as_secs_f64() * 1e3
        )
    };
    let cpu = |t: Duration| format!("CPU {:.0} ms", t.as_secs_f64() * 1e3);
    row(
        &format!("lambda-ls package, compressing everything, {cores} threads"),
        ours,
        format!("{ours_size} B"),
        cpu(ours_cpu),
    );
    row(
        "lambda-ls package, compressing everything, 1 thread",
        ours_single,
        format!("{ours_size} B"),
        String::new(),
    );
    row(
        "lambda-ls package, rebuild (cached compressed dependencies)",
        ours_reusing,
        format!("{ours_size} B"),
        String::new(),
    );
    row(
        "zip -qr -6 (Info-ZIP) of the same tree",
        theirs,
        format!("{theirs_size} B"),
        cpu(theirs_cpu),
    );
    println!(
        "  speed-up compressing everything {:.2}x ({:.2}x on one thread), rebuilding {:.1}x; size {:+.2}% vs zip",
        theirs.as_secs_f64() / ours.as_secs_f64(),
        theirs.as_secs_f64() / ours_single.as_secs_f64(),
        theirs.as_secs_f64() / ours_reusing.as_secs_f64(),
        (ours_size as f64 / theirs_size as f64 - 1.0) * 100.0
    );
}
