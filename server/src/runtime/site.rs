//! What an execution environment imports from, prepared before its process starts: the
//! interpreter (see [`interpreter`](super::interpreter)), then `sys.path` in Lambda's order —
//! the function folder, its dependencies as `package` ships them, its layers, the runtime's
//! own libraries (boto3 & co.), the standard library — and nothing from the host's
//! site-packages. Everything installed comes from `package`'s content-hash cache, built for
//! this host's architecture.
//!
//! An explicit `python` in lambda.toml is the way to run in one's own environment: it runs
//! as given, with its own site-packages; only the runtime's libraries are added after them.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::interpreter::{self, Interpreter, Origin, PythonVersion};
use super::ClientKind;
use crate::package::deps::{self, Target};
use crate::package::PackageError;
use crate::project::{Architecture, Function};

/// awslambdaric, when `--client awslambdaric` asks for it (the version LAMBDA-RUNTIME.md
/// was checked against).
const AWSLAMBDARIC: &str = "awslambdaric==4.2.2";

/// What the environment needs besides the function itself.
#[derive(Debug, Clone, Default)]
pub struct Needs {
    pub client: ClientKind,
    /// Start under debugpy.
    pub debug: bool,
    /// The function's layers, unpacked (see [`layers::fetch`](super::layers::fetch)).
    pub layers: Vec<PathBuf>,
}

/// A prepared environment, ready to start.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub interpreter: Interpreter,
    /// Start Python without its site-packages (`-S`): only the paths below are added.
    pub isolated: bool,
    /// After the function folder, before the standard library, in this order.
    pub front: Vec<PathBuf>,
    /// After everything else (lambda-ls's tools, or the runtime's libraries behind a
    /// configured interpreter's own site-packages).
    pub back: Vec<PathBuf>,
    /// Folders to add to `PATH` and `LD_LIBRARY_PATH` (the layers' `bin` and `lib`).
    pub bin: Vec<PathBuf>,
    pub lib: Vec<PathBuf>,
    /// Things to say once, in the log and the editor's result.
    pub notes: Vec<String>,
}

/// Why an environment could not be prepared.
#[derive(Debug, thiserror::Error)]
pub enum PrepareError {
    #[error(transparent)]
    Interpreter(#[from] interpreter::NotFound),
    #[error("could not prepare the function's dependencies: {0}")]
    Dependencies(Box<PackageError>),
    #[error("could not install {tool} ({why}): {source}")]
    Tool {
        tool: &'static str,
        why: &'static str,
        source: Box<PackageError>,
    },
    #[error("could not run `{}` to learn its version: check `python` in lambda.toml", path.display())]
    ConfiguredInterpreter { path: PathBuf },
}

/// The machine's architecture in Lambda's terms.
pub fn host_architecture() -> Architecture {
    if cfg!(target_arch = "aarch64") {
        Architecture::Arm64
    } else {
        Architecture::X86_64
    }
}

/// Prepare `function`'s environment: find its interpreter, install (or find in the cache)
/// what it imports. `progress` hears about the slow steps, which only a first preparation
/// takes.
pub fn prepare(
    function: &Function,
    needs: &Needs,
    progress: &dyn Fn(&str),
) -> Result<Prepared, PrepareError> {
    let config = &function.config;
    let runtime = config.runtime.value.as_str();
    let mut notes = Vec::new();
    let host = host_architecture();
    if config.architecture.value != host {
        notes.push(format!(
            "{} function running on this {} machine with {} wheels of the same versions (no emulation)",
            config.architecture.value.as_str(),
            host.as_str(),
            host.as_str()
        ));
    }

    let configured = config.python.as_deref();
    let interpreter = match configured {
        Some(python) => Interpreter::configured(python, &function.dir),
        None => interpreter::find(runtime, &interpreter::Search::from_environment(), progress)?,
    };
    notes.extend(interpreter.note.clone());
    // Wheels are for the interpreter that runs them: the runtime's version, unless a
    // different one stands in.
    let python_version = interpreter
        .version
        .map(|v| format!("{}.{}", v.major, v.minor));
    let target_for = |architecture| -> Option<Target> {
        let mut target = deps::Target::for_runtime(runtime, architecture).ok()?;
        if let Some(version) = &python_version {
            target.python_version = version.clone();
        }
        Some(target)
    };

    let mut front = Vec::new();
    let mut back = Vec::new();
    if interpreter.origin != Origin::Configured {
        if let Some(site) = dependencies(function, &target_for, progress)? {
            precompile(&interpreter, &site);
            front.push(site);
        }
    }
    // Layers are read where Lambda reads them, for the runtime's version, whatever runs.
    let runtime_python = runtime.trim_start_matches("python");
    front.extend(super::layers::python_paths(&needs.layers, runtime_python));
    let (bin, lib) = super::layers::bin_and_lib(&needs.layers);
    if let Some(sdk) = runtime_sdk(runtime, target_for(host), progress, &mut notes) {
        if interpreter.origin == Origin::Configured {
            back.push(sdk);
        } else {
            precompile(&interpreter, &sdk);
            front.push(sdk);
        }
    }

    let mut tools = Vec::new();
    if needs.client == ClientKind::Awslambdaric {
        tools.push((
            AWSLAMBDARIC,
            "awslambdaric",
            "the runtime client --client awslambdaric runs",
        ));
    }
    if needs.debug {
        tools.push((
            super::debug::DEBUGPY,
            "debugpy",
            "the debugger --debug-port starts",
        ));
    }
    if !tools.is_empty() {
        let version = match interpreter.version {
            Some(version) => version,
            None => interpreter::probe(&interpreter.path).ok_or_else(|| {
                PrepareError::ConfiguredInterpreter {
                    path: interpreter.path.clone(),
                }
            })?,
        };
        for (requirement, tool, why) in tools {
            back.push(install_tool(
                requirement,
                tool,
                why,
                runtime,
                version,
                progress,
            )?);
        }
    }

    Ok(Prepared {
        isolated: interpreter.origin != Origin::Configured,
        interpreter,
        front,
        back,
        bin,
        lib,
        notes,
    })
}

/// The function's dependencies as `package` ships them, for this host: `package`'s own
/// install when the architectures match; else Lambda's install first (what ships), then the
/// same versions for this host. The AWS SDK that `package` leaves out is left out here too
/// (the runtime's comes later on the path).
fn dependencies(
    function: &Function,
    target_for: &dyn Fn(Architecture) -> Option<Target>,
    progress: &dyn Fn(&str),
) -> Result<Option<PathBuf>, PrepareError> {
    let failed = |error| PrepareError::Dependencies(Box::new(error));
    let Some(requirements) = deps::find_requirements(function).map_err(failed)? else {
        return Ok(None);
    };
    let lines = deps::requirement_lines(&requirements).map_err(failed)?;
    let runtime = &function.config.runtime.value;
    let lambda_architecture = function.config.architecture.value;
    let host = host_architecture();
    let unsupported = || {
        failed(PackageError::UnsupportedRuntime {
            runtime: runtime.clone(),
        })
    };
    let target = target_for(lambda_architecture).ok_or_else(unsupported)?;
    let name = &function.config.name.value;
    let announce = |lines: &[String], target: &Target| {
        if !deps::cached_site(lines, target).is_dir() {
            progress(&format!(
                "installing the dependencies of {name} for Python {} on {} (first invoke only; cached afterwards)",
                target.python_version,
                target.architecture.as_str()
            ));
        }
    };
    announce(&lines, &target);
    let shipped = deps::install(&requirements, &lines, &target, None, false).map_err(failed)?;
    let site = if lambda_architecture == host {
        shipped.site
    } else {
        let pins: Vec<String> = deps::distributions(&shipped.site)
            .iter()
            .map(|d| format!("{}=={}", d.name, d.version))
            .collect();
        let host_target = target_for(host).ok_or_else(unsupported)?;
        announce(&pins, &host_target);
        deps::install_lines(&pins, &host_target)
            .map_err(failed)?
            .site
    };
    let dists = deps::distributions(&site);
    let left_out = deps::runtime_provided(&dists, &lines);
    if left_out.is_empty() {
        return Ok(Some(site));
    }
    shipped_view(&site, &dists, &left_out, &deps::cache_root().join("views"))
        .map(Some)
        .map_err(|source| {
            failed(PackageError::Io {
                action: format!("make a view of {} without the AWS SDK", site.display()),
                source,
            })
        })
}

/// A folder (in `views`) of links to `site`'s top-level entries except those of the
/// `left_out` distributions (the cached install is shared with `package` and stays whole).
fn shipped_view(
    site: &Path,
    dists: &[deps::Distribution],
    left_out: &BTreeSet<String>,
    views: &Path,
) -> std::io::Result<PathBuf> {
    let top = |file: &str| file.split('/').next().unwrap_or(file).to_string();
    let kept: BTreeSet<String> = dists
        .iter()
        .filter(|d| !left_out.contains(&d.name))
        .flat_map(|d| d.files.iter().map(|f| top(f)))
        .collect();
    let hidden: BTreeSet<String> = dists
        .iter()
        .filter(|d| left_out.contains(&d.name))
        .flat_map(|d| d.files.iter().map(|f| top(f)))
        .filter(|name| !kept.contains(name))
        .collect();
    let key = {
        use sha2::{Digest, Sha256};
        let mut hasher = Sha256::new();
        hasher.update(site.as_os_str().as_encoded_bytes());
        for name in &hidden {
            hasher.update(b"\n");
            hasher.update(name.as_bytes());
        }
        let digest = hasher.finalize();
        digest[..12]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    // `<key>/site`, like the cache entries of installs.
    let entry = views.join(&key);
    let view = entry.join("site");
    if view.is_dir() {
        return Ok(view);
    }
    std::fs::create_dir_all(views)?;
    let partial = views.join(format!(".{key}.{}.partial", std::process::id()));
    let _ = std::fs::remove_dir_all(&partial);
    std::fs::create_dir_all(partial.join("site"))?;
    for item in std::fs::read_dir(site)? {
        let item = item?;
        let name = item.file_name();
        if hidden.contains(name.to_string_lossy().as_ref()) {
            continue;
        }
        std::os::unix::fs::symlink(item.path(), partial.join("site").join(&name))?;
    }
    match std::fs::rename(&partial, &entry) {
        Ok(()) => Ok(view),
        // Another environment made the same view first.
        Err(_) if view.is_dir() => {
            let _ = std::fs::remove_dir_all(&partial);
            Ok(view)
        }
        Err(e) => Err(e),
    }
}

/// Compile a cached install's modules once for this interpreter, so that a first invoke
/// does not spend its initialisation (which Lambda limits to 10 s) compiling them. The
/// runtime's own libraries come compiled on Lambda; `package` leaves `__pycache__` out.
fn precompile(interpreter: &Interpreter, site: &Path) {
    let Some(version) = interpreter.version else {
        return;
    };
    // A cache entry is `<key>/site`: the mark goes next to the site, never into it.
    let Some(entry) = site.parent() else {
        return;
    };
    let marker = entry.join(format!(".compiled-{}.{}", version.major, version.minor));
    if marker.exists() {
        return;
    }
    // Test suites shipped inside packages (two thirds of pandas' modules) are never imported.
    let compiled = std::process::Command::new(&interpreter.path)
        .args([
            "-I",
            "-S",
            "-m",
            "compileall",
            "-q",
            "-j",
            "0",
            "-x",
            r"[/\\]tests?[/\\]",
        ])
        .arg(site)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status();
    // Modules that do not compile (tests written for other versions) are compiled, or
    // fail, when imported, as without this step.
    if compiled.is_ok() {
        let _ = std::fs::write(&marker, "");
    }
}

/// The runtime's SDK (see [`provided`](super::provided)); when it cannot be installed (no
/// network on a first run), the function still runs and a note says what will fail.
fn runtime_sdk(
    runtime: &str,
    target: Option<Target>,
    progress: &dyn Fn(&str),
    notes: &mut Vec<String>,
) -> Option<PathBuf> {
    let lines = super::provided::requirement_lines(runtime);
    let target = target?;
    if lines.is_empty() {
        return None;
    }
    let cached = deps::cached_site(&lines, &target);
    // After a failure (offline), every invoke would wait for the installer to fail again:
    // try again only after a while.
    let key = cached
        .parent()
        .and_then(|entry| entry.file_name())
        .unwrap_or_default();
    let failed = deps::cache_root().join("failed").join(key);
    if !cached.is_dir() {
        let recent_failure = std::fs::metadata(&failed)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age < SDK_RETRY);
        if recent_failure {
            let reason = std::fs::read_to_string(&failed).unwrap_or_default();
            notes.push(sdk_missing(runtime, &reason));
            return None;
        }
        progress(&format!(
            "installing what the {runtime} runtime provides ({}; once for all functions)",
            lines.join(", ")
        ));
    }
    match deps::install_lines(&lines, &target) {
        Ok(installed) => Some(installed.site),
        Err(error) => {
            let reason = error.to_string();
            if let Some(parent) = failed.parent() {
                let _ = std::fs::create_dir_all(parent);
            }
            let _ = std::fs::write(&failed, &reason);
            notes.push(sdk_missing(runtime, &reason));
            None
        }
    }
}

/// How long after a failed install of the runtime's SDK the next invoke tries again.
const SDK_RETRY: std::time::Duration = std::time::Duration::from_secs(10 * 60);

fn sdk_missing(runtime: &str, reason: &str) -> String {
    format!(
        "the {runtime} runtime's AWS SDK could not be installed, so `import boto3` fails here although it works on Lambda (tried again in a few minutes): {reason}"
    )
}

/// A tool of lambda-ls's own (never part of the package), for the interpreter's version.
fn install_tool(
    requirement: &str,
    tool: &'static str,
    why: &'static str,
    runtime: &str,
    version: PythonVersion,
    progress: &dyn Fn(&str),
) -> Result<PathBuf, PrepareError> {
    let failed = |source| PrepareError::Tool {
        tool,
        why,
        source: Box::new(source),
    };
    let mut target = deps::Target::for_runtime(runtime, host_architecture())
        .or_else(|_| deps::Target::for_runtime("python3.12", host_architecture()))
        .map_err(failed)?;
    target.python_version = format!("{}.{}", version.major, version.minor);
    let lines = vec![requirement.to_string()];
    if !deps::cached_site(&lines, &target).is_dir() {
        progress(&format!(
            "installing {requirement} for Python {} ({why}; once)",
            target.python_version
        ));
    }
    deps::install_lines(&lines, &target)
        .map(|installed| installed.site)
        .map_err(failed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dist(name: &str, files: &[&str]) -> deps::Distribution {
        deps::Distribution {
            name: name.into(),
            display_name: name.into(),
            version: "1".into(),
            requires: Vec::new(),
            files: files.iter().map(|f| f.to_string()).collect(),
        }
    }

    #[test]
    fn the_view_hides_what_the_package_leaves_out_and_nothing_shared() {
        let temp = tempfile::tempdir().unwrap();
        let views = temp.path().join("views");
        let site = temp.path().join("site");
        for dir in ["boto3", "boto3-1.dist-info", "requests", "bin"] {
            std::fs::create_dir_all(site.join(dir)).unwrap();
        }
        let dists = [
            dist(
                "boto3",
                &["boto3/__init__.py", "boto3-1.dist-info/", "bin/boto"],
            ),
            dist("requests", &["requests/__init__.py", "bin/req"]),
        ];
        let left_out: BTreeSet<String> = ["boto3".to_string()].into();
        let view = shipped_view(&site, &dists, &left_out, &views).unwrap();
        let mut names: Vec<String> = std::fs::read_dir(&view)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["bin", "requests"]);
        assert_eq!(
            shipped_view(&site, &dists, &left_out, &views).unwrap(),
            view,
            "reused"
        );
    }
}
