//! Deployment packages: the function's code and its dependencies, installed for Lambda's
//! platform (Python version and architecture, binary wheels only), in a deterministic
//! .zip (same inputs, same bytes, same `CodeSha256`), written atomically, with a size
//! report against Lambda's limits that names what takes the room.

pub mod archive;
pub mod deps;
pub mod files;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use base64::Engine as _;

pub use deps::Installer;

use crate::project::Function;

/// Lambda's limit for a .zip uploaded directly with the request (bytes).
pub const DIRECT_UPLOAD_LIMIT: u64 = 50 * 1024 * 1024;
/// Lambda's limit for the unzipped size of the code and its layers (bytes).
pub const UNZIPPED_LIMIT: u64 = 250 * 1024 * 1024;
/// Deflate level: Info-ZIP's and zlib's default, a good size/speed balance.
pub const COMPRESSION_LEVEL: u32 = 6;
/// The folder, inside the function folder, where packages go by default (never packaged).
pub const OUTPUT_DIR: &str = ".lambda-ls";

/// How to build a package.
#[derive(Default)]
pub struct Options<'a> {
    /// Where to write the .zip (default `<function>/.lambda-ls/<name>.zip`).
    pub output: Option<PathBuf>,
    /// `uv` or `pip` (default: `uv` when on PATH).
    pub installer: Option<Installer>,
    /// Reinstall dependencies even when the cache has them.
    pub refresh_dependencies: bool,
    /// Compression threads (default: the machine's parallelism).
    pub threads: Option<usize>,
    /// Compress the dependencies again instead of reusing their compressed bytes kept in
    /// the cache (the result is the same; this is for measuring and for doubt).
    pub recompress_dependencies: bool,
    /// Told about each stage as it starts.
    pub progress: Option<&'a (dyn Fn(Progress) + Sync)>,
}

/// The stages of a build, for progress reporting.
#[derive(Debug, Clone)]
pub enum Progress {
    /// Installing dependencies (can take a while on a cold cache).
    InstallingDependencies { installer: Installer },
    /// Dependencies found in the cache.
    CachedDependencies,
    /// Walking the function folder.
    CollectingFiles,
    /// Compressing and writing the archive.
    Writing { files: usize, unzipped_bytes: u64 },
}

/// Whether a contributor is the function's own code or an installed dependency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ContributorKind {
    Code,
    Dependency,
}

/// One of the largest parts of a package: a dependency (`pandas 2.2.3`) or a top-level
/// file or folder of the code.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Contributor {
    pub name: String,
    pub kind: ContributorKind,
    pub unzipped_bytes: u64,
    /// Compressed bytes (0 when the package was not written).
    pub zipped_bytes: u64,
}

/// The dependencies that went in.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DependencyReport {
    /// The installer that ran (`None`: the install came from the cache).
    pub installer: Option<Installer>,
    /// The requirements source (a file, or `pyproject.toml`).
    pub requirements: PathBuf,
    pub from_cache: bool,
    /// Installed distributions shipped.
    pub count: usize,
    /// Distributions left out because the runtime provides them.
    pub left_out: Vec<String>,
}

/// A finished package.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PackageReport {
    pub function: String,
    pub zip_path: PathBuf,
    /// Base64 SHA-256 of the .zip, as Lambda reports it in `CodeSha256`.
    pub code_sha256: String,
    pub zipped_bytes: u64,
    pub unzipped_bytes: u64,
    pub files: usize,
    pub runtime: String,
    pub architecture: String,
    pub dependencies: Option<DependencyReport>,
    /// The ten largest contributors, largest unzipped first.
    pub largest: Vec<Contributor>,
    /// Things the user should know (what was left out and why).
    pub notes: Vec<String>,
    /// Things that need attention but did not stop the build (over 50 MB zipped).
    pub warnings: Vec<String>,
}

impl PackageReport {
    /// Whether the package is too big to upload with the request (deploy goes through S3).
    pub fn needs_s3_upload(&self) -> bool {
        self.zipped_bytes > DIRECT_UPLOAD_LIMIT
    }
}

/// Why a package could not be built. Every message says what to do.
#[derive(Debug, thiserror::Error)]
pub enum PackageError {
    #[error(
        "runtime `{runtime}` is not a Python runtime lambda-ls can package for: set `runtime` \
         in lambda.toml to one such as python3.12 or python3.13"
    )]
    UnsupportedRuntime { runtime: String },
    #[error(
        "the requirements file {path} (lambda.toml `requirements`) does not exist: create it or \
         fix the path, which is relative to the function folder"
    )]
    RequirementsMissing { path: PathBuf },
    #[error("could not read the dependencies of {path}: {reason}; fix the TOML syntax")]
    Pyproject { path: PathBuf, reason: String },
    #[error(
        "could not run {installer} to install dependencies ({reason}): install uv \
         (`pip install uv`) or make sure `python3 -m pip` works"
    )]
    InstallerMissing { installer: String, reason: String },
    #[error(
        "dependency `{requirement}` has no binary wheel for {platform} (Lambda's platform), \
         and lambda-ls never builds from source on this machine, since that would target its \
         platform, not Lambda's. Pick a version that publishes manylinux wheels, replace the \
         package, or build it in a Lambda-like container and ship it as a layer.\n\
         {installer} said:\n{details}"
    )]
    NoCompatibleWheel {
        requirement: String,
        platform: String,
        installer: String,
        details: String,
    },
    #[error(
        "installing dependencies with {installer} failed; fix the requirements (or the \
         network) and try again.\n{installer} said:\n{details}"
    )]
    InstallFailed { installer: String, details: String },
    #[error("invalid exclude pattern `{pattern}` in {origin}: {reason}")]
    BadExclude {
        pattern: String,
        origin: String,
        reason: String,
    },
    #[error(
        "{link} is a symlink to {target}, outside the function folder: Lambda would get a \
         copy of a file that is not part of the function (possibly a secret). Copy what you \
         need into the folder, or exclude the link in .lambdaignore"
    )]
    SymlinkEscape { link: PathBuf, target: PathBuf },
    #[error("{link} is a symlink to nothing: remove it, or exclude it in .lambdaignore")]
    BrokenSymlink { link: PathBuf },
    #[error("{path}: file name is not valid UTF-8, which a zip for Lambda cannot hold; rename it")]
    NonUtf8Path { path: PathBuf },
    #[error(
        "the handler `{handler}` needs {expected} in the package, but it is missing or \
         excluded: fix `handler` in lambda.toml, or check `exclude` and .lambdaignore"
    )]
    HandlerMissing { handler: String, expected: String },
    #[error("{}", too_large_message(*unzipped_bytes, largest))]
    TooLarge {
        unzipped_bytes: u64,
        largest: Vec<Contributor>,
    },
    #[error("could not {action}: {source}")]
    Io {
        action: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Archive(#[from] archive::ArchiveError),
}

fn too_large_message(unzipped: u64, largest: &[Contributor]) -> String {
    let mut message = format!(
        "the package would be {} unzipped, over Lambda's {} limit. Trim it (exclude data and \
         tests with `exclude` in lambda.toml or .lambdaignore, drop unneeded dependencies), move \
         large dependencies to a layer, or deploy as a container image (up to 10 GB). Largest:",
        human(unzipped),
        human(UNZIPPED_LIMIT)
    );
    for c in largest {
        let _ = write!(
            message,
            "\n  {:<40} {:>10}",
            c.name,
            human(c.unzipped_bytes)
        );
    }
    message
}

/// Bytes as a person reads them (`12.3 MB`, in MiB as Lambda's limits are).
pub fn human(bytes: u64) -> String {
    const KB: f64 = 1024.0;
    let b = bytes as f64;
    if b >= KB * KB {
        format!("{:.1} MB", b / KB / KB)
    } else if b >= KB {
        format!("{:.1} KB", b / KB)
    } else {
        format!("{bytes} B")
    }
}

/// The default package path of a function: `<dir>/.lambda-ls/<name>.zip`.
pub fn default_output(function: &Function) -> PathBuf {
    function
        .dir
        .join(OUTPUT_DIR)
        .join(format!("{}.zip", function.config.name.value))
}

struct Planned {
    file: files::SourceFile,
    owner: String,
    kind: ContributorKind,
}

/// Build the deployment package of `function`.
pub fn build(function: &Function, options: &Options) -> Result<PackageReport, PackageError> {
    let progress = |p| {
        if let Some(report) = options.progress {
            report(p)
        }
    };
    let config = &function.config;
    let target = deps::Target::for_runtime(&config.runtime.value, config.architecture.value)?;
    let output = options
        .output
        .clone()
        .unwrap_or_else(|| default_output(function));
    let output_dir = match output.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&output_dir).map_err(|e| PackageError::Io {
        action: format!("create the output folder {}", output_dir.display()),
        source: e,
    })?;
    let mut notes = Vec::new();
    let mut warnings = Vec::new();

    // Dependencies first: the code's own files win over them on a clash.
    let mut planned: BTreeMap<String, Planned> = BTreeMap::new();
    let mut dependency_report = None;
    let mut dependency_site = None;
    if let Some(requirements) = deps::find_requirements(function)? {
        let lines = deps::requirement_lines(&requirements)?;
        let cached = deps::cached_site(&lines, &target).is_dir() && !options.refresh_dependencies;
        // Only a cache miss needs an installer (finding uv runs a process).
        let installer = if cached {
            progress(Progress::CachedDependencies);
            options.installer
        } else {
            let installer = options.installer.unwrap_or_else(Installer::detect);
            progress(Progress::InstallingDependencies { installer });
            Some(installer)
        };
        let installed = deps::install(
            &requirements,
            &lines,
            &target,
            installer,
            options.refresh_dependencies,
        )?;
        dependency_site = Some(installed.site.clone());
        let dists = deps::distributions(&installed.site);
        let left_out = deps::runtime_provided(&dists, &lines);
        let mut owner_of: HashMap<&str, String> = HashMap::new();
        let mut dropped_files: BTreeSet<&str> = BTreeSet::new();
        for dist in &dists {
            let label = format!("{} {}", dist.display_name, dist.version);
            for file in &dist.files {
                if left_out.contains(&dist.name) {
                    dropped_files.insert(file.as_str());
                } else {
                    owner_of.insert(file.as_str(), label.clone());
                }
            }
        }
        let dependency_matcher = dependency_matcher(&installed.site);
        for file in files::collect(&installed.site, &dependency_matcher, &[])? {
            let dist_info_dir = file
                .archive_path
                .split_once('/')
                .map(|(top, _)| format!("{top}/"))
                .unwrap_or_default();
            if dropped_files.contains(file.archive_path.as_str())
                || dropped_files.contains(dist_info_dir.as_str())
            {
                continue;
            }
            let owner = owner_of
                .get(file.archive_path.as_str())
                .or_else(|| owner_of.get(dist_info_dir.as_str()))
                .cloned()
                .unwrap_or_else(|| top_level(&file.archive_path));
            planned.insert(
                file.archive_path.clone(),
                Planned {
                    file,
                    owner,
                    kind: ContributorKind::Dependency,
                },
            );
        }
        if !left_out.is_empty() {
            let names: Vec<String> = dists
                .iter()
                .filter(|d| left_out.contains(&d.name))
                .map(|d| format!("{} {}", d.display_name, d.version))
                .collect();
            notes.push(format!(
                "left out {}: the Lambda Python runtime already provides the AWS SDK; pin \
                 boto3 (boto3==…) in the requirements to ship your own version",
                names.join(", ")
            ));
        }
        let requirements_path = match &requirements {
            deps::Requirements::File(path) => path.clone(),
            deps::Requirements::Pyproject(_) => function.dir.join("pyproject.toml"),
        };
        dependency_report = Some(DependencyReport {
            installer: installed.installer,
            requirements: requirements_path,
            from_cache: installed.installer.is_none(),
            count: dists.len() - left_out.len(),
            left_out: left_out.into_iter().collect(),
        });
    }

    progress(Progress::CollectingFiles);
    let matcher = files::function_matcher(&function.dir, &config.exclude)?;
    let mut replaced = Vec::new();
    for file in files::collect(&function.dir, &matcher, std::slice::from_ref(&output))? {
        let owner = top_level(&file.archive_path);
        let path = file.archive_path.clone();
        let previous = planned.insert(
            path.clone(),
            Planned {
                file,
                owner,
                kind: ContributorKind::Code,
            },
        );
        if previous.is_some() {
            replaced.push(path);
        }
    }
    if !replaced.is_empty() {
        notes.push(format!(
            "your code replaces {} file(s) of the dependencies with the same path: {}",
            replaced.len(),
            replaced
                .iter()
                .take(5)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }

    check_handler(function, &planned)?;

    let unzipped_bytes: u64 = planned.values().map(|p| p.file.size).sum();
    if unzipped_bytes > UNZIPPED_LIMIT {
        let largest = largest_contributors(planned.values().map(|p| (p, 0)));
        return Err(PackageError::TooLarge {
            unzipped_bytes,
            largest,
        });
    }

    // Folders get entries too (0755), as every zip tool writes them.
    let mut folders = BTreeSet::new();
    for path in planned.keys() {
        let mut end = 0;
        while let Some(slash) = path[end..].find('/') {
            end += slash + 1;
            folders.insert(path[..end].to_string());
        }
    }
    let store = dependency_site
        .as_deref()
        .filter(|_| !options.recompress_dependencies)
        .map(CompressedStore::open);
    let mut entries: Vec<(archive::Entry, Option<&Planned>)> = planned
        .iter()
        .map(|(name, p)| {
            let reuse = match (&store, p.kind) {
                (Some(store), ContributorKind::Dependency) => store.reuse(name, p.file.size),
                _ => None,
            };
            let entry = archive::Entry {
                name: name.clone(),
                source: Some(p.file.path.clone()),
                executable: p.file.executable,
                reuse,
            };
            (entry, Some(p))
        })
        .chain(folders.into_iter().map(|name| {
            let entry = archive::Entry {
                name,
                source: None,
                executable: true,
                reuse: None,
            };
            (entry, None)
        }))
        .collect();
    entries.sort_by(|a, b| a.0.name.cmp(&b.0.name));

    progress(Progress::Writing {
        files: planned.len(),
        unzipped_bytes,
    });
    let threads = options.threads.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    });
    let archive_entries: Vec<archive::Entry> = entries.iter().map(|(e, _)| e.clone()).collect();
    let written = archive::write(&archive_entries, &output, COMPRESSION_LEVEL, threads)?;
    if let Some(store) = store.as_ref().filter(|s| s.index.is_empty()) {
        let dependency_records = entries
            .iter()
            .zip(&written.entries)
            .filter(|((_, p), _)| p.is_some_and(|p| p.kind == ContributorKind::Dependency))
            .map(|((e, _), record)| (e.name.clone(), *record));
        // A store that cannot be written only costs speed next time.
        if let Err(error) = store.save(&output, dependency_records) {
            tracing::warn!("could not keep the compressed dependencies: {error}");
        }
    }
    let largest = largest_contributors(
        entries
            .iter()
            .zip(&written.entries)
            .filter_map(|((_, planned), size)| planned.map(|p| (p, size.compressed))),
    );
    if written.size > DIRECT_UPLOAD_LIMIT {
        warnings.push(format!(
            "the package is {} zipped, over the {} limit for direct upload: deploy uploads it \
             through S3 instead (set `s3_bucket` in lambda.toml)",
            human(written.size),
            human(DIRECT_UPLOAD_LIMIT)
        ));
    }
    Ok(PackageReport {
        function: config.name.value.clone(),
        zip_path: output.canonicalize().unwrap_or(output),
        code_sha256: base64::engine::general_purpose::STANDARD.encode(written.sha256),
        zipped_bytes: written.size,
        unzipped_bytes,
        files: planned.len(),
        runtime: config.runtime.value.clone(),
        architecture: config.architecture.value.as_str().to_string(),
        dependencies: dependency_report,
        largest,
        notes,
        warnings,
    })
}

/// The compressed bytes of a cached install's files, kept from the first package built with
/// it (a copy of that .zip plus an index), so that rebuilding only compresses the code.
/// Installed dependencies never change, so the data stays valid; a size check guards it.
struct CompressedStore {
    dir: PathBuf,
    index: HashMap<String, archive::EntrySize>,
}

impl CompressedStore {
    fn open(site: &Path) -> CompressedStore {
        let dir = site
            .parent()
            .unwrap_or(site)
            .join(format!("compressed-v1-level{COMPRESSION_LEVEL}"));
        let index = std::fs::read(dir.join("index.json"))
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default();
        CompressedStore { dir, index }
    }

    fn reuse(&self, name: &str, size: u64) -> Option<archive::Reuse> {
        let record = self.index.get(name)?;
        (record.uncompressed == size).then(|| archive::Reuse {
            store: self.dir.join("archive.zip"),
            record: *record,
        })
    }

    /// Keep `archive` (just written) and the records of its dependency entries; atomic:
    /// written in a private folder, then renamed into place. A store is never replaced
    /// (a build running at the same time may be reading it); the first one wins.
    fn save(
        &self,
        archive: &Path,
        records: impl Iterator<Item = (String, archive::EntrySize)>,
    ) -> std::io::Result<()> {
        let index: BTreeMap<String, archive::EntrySize> = records.collect();
        let parent = self.dir.parent().unwrap_or(Path::new("."));
        let staging = parent.join(format!(".compressed.{}.partial", std::process::id()));
        let _ = std::fs::remove_dir_all(&staging);
        std::fs::create_dir_all(&staging)?;
        let result = (|| {
            std::fs::copy(archive, staging.join("archive.zip"))?;
            std::fs::write(staging.join("index.json"), serde_json::to_vec(&index)?)?;
            std::fs::rename(&staging, &self.dir)
        })();
        if result.is_err() {
            let _ = std::fs::remove_dir_all(&staging);
        }
        result
    }
}

/// Install-folder files that never ship: bytecode and uv's lock file.
fn dependency_matcher(site: &Path) -> ignore::gitignore::Gitignore {
    let mut builder = ignore::gitignore::GitignoreBuilder::new(site);
    for pattern in ["__pycache__/", "*.pyc", "/.lock"] {
        builder.add_line(None, pattern).expect("valid glob");
    }
    builder.build().expect("valid globs")
}

fn top_level(archive_path: &str) -> String {
    match archive_path.split_once('/') {
        Some((top, _)) => format!("{top}/"),
        None => archive_path.to_string(),
    }
}

fn check_handler(
    function: &Function,
    planned: &BTreeMap<String, Planned>,
) -> Result<(), PackageError> {
    let handler = &function.config.handler.value;
    let Some((module, _)) = function.config.handler_parts() else {
        // A handler without a module is a configuration problem `check` reports.
        return Ok(());
    };
    let module_path = module.replace('.', "/");
    let file = format!("{module_path}.py");
    let package_init = format!("{module_path}/__init__.py");
    let found = [&file, &package_init]
        .iter()
        .any(|p| planned.contains_key(p.as_str()))
        || planned.keys().any(|k| {
            // Compiled extension modules (`mod.cpython-312-x86_64-linux-gnu.so`).
            k.strip_prefix(&module_path)
                .is_some_and(|rest| rest.starts_with('.') && rest.ends_with(".so"))
        });
    if found {
        Ok(())
    } else {
        Err(PackageError::HandlerMissing {
            handler: handler.clone(),
            expected: file,
        })
    }
}

fn largest_contributors<'a>(files: impl Iterator<Item = (&'a Planned, u64)>) -> Vec<Contributor> {
    let mut by_owner: BTreeMap<(String, bool), (u64, u64)> = BTreeMap::new();
    for (planned, zipped) in files {
        let key = (
            planned.owner.clone(),
            planned.kind == ContributorKind::Dependency,
        );
        let sizes = by_owner.entry(key).or_default();
        sizes.0 += planned.file.size;
        sizes.1 += zipped;
    }
    let mut all: Vec<Contributor> = by_owner
        .into_iter()
        .map(|((name, dependency), (unzipped, zipped))| Contributor {
            name,
            kind: if dependency {
                ContributorKind::Dependency
            } else {
                ContributorKind::Code
            },
            unzipped_bytes: unzipped,
            zipped_bytes: zipped,
        })
        .collect();
    all.sort_by(|a, b| {
        b.unzipped_bytes
            .cmp(&a.unzipped_bytes)
            .then_with(|| a.name.cmp(&b.name))
    });
    all.truncate(10);
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    fn function_in(dir: &Path, files: &[(&str, &str)]) -> Function {
        for (path, contents) in files {
            let path = dir.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, contents).unwrap();
        }
        crate::project::load(dir)
    }

    #[test]
    fn config_excludes_apply_and_the_report_adds_up() {
        let temp = tempfile::tempdir().unwrap();
        let dir = temp.path().join("fn");
        let mut function = function_in(
            &dir,
            &[
                (
                    "lambda_function.py",
                    "def lambda_handler(e, c):\n    return 1\n",
                ),
                ("data/big.parquet", &"x".repeat(5000)),
                ("lib/util.py", "X = 1\n"),
            ],
        );
        function.config.exclude = vec!["*.parquet".into()];
        let report = build(&function, &Options::default()).unwrap();
        assert_eq!(report.files, 2);
        assert_eq!(
            report.zip_path,
            default_output(&function).canonicalize().unwrap()
        );
        assert_eq!(
            report.zipped_bytes,
            std::fs::metadata(&report.zip_path).unwrap().len()
        );
        let names: Vec<_> = report.largest.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["lambda_function.py", "lib/"]);
        assert!(report.dependencies.is_none());
        assert!(report.warnings.is_empty());
    }

    #[test]
    fn a_handler_missing_from_the_package_is_an_error() {
        let temp = tempfile::tempdir().unwrap();
        let dir = temp.path().join("fn");
        let mut function = function_in(&dir, &[("app/main.py", "def handler(e, c): pass\n")]);
        function.config.handler.value = "app.main.handler".into();
        build(&function, &Options::default()).unwrap();
        function.config.exclude = vec!["app/".into()];
        let error = build(&function, &Options::default()).unwrap_err();
        assert!(
            matches!(&error, PackageError::HandlerMissing { expected, .. } if expected == "app/main.py"),
            "{error}"
        );
    }

    #[test]
    fn pyproject_dependencies_are_found() {
        let temp = tempfile::tempdir().unwrap();
        let function = function_in(
            temp.path(),
            &[(
                "pyproject.toml",
                "[project]\nname = \"x\"\ndependencies = [\"requests==2.32.3\", \"pandas>=2\"]\n",
            )],
        );
        assert_eq!(
            deps::find_requirements(&function).unwrap(),
            Some(deps::Requirements::Pyproject(vec![
                "requests==2.32.3".into(),
                "pandas>=2".into()
            ]))
        );
    }
}
