//! Which CPython runs a function: one of its runtime's minor version (`python3.12` → 3.12.x),
//! looked for in this order — interpreters uv manages (`uv python find --managed-python`),
//! pyenv's versions (`$PYENV_ROOT/versions/3.12.*`), `python3.12` on PATH (shims that do
//! not run are skipped), then `uv python install 3.12` (tried at most once a day: it needs
//! the internet). When none is found the function runs on the nearest version there is, and
//! the choice says so in a note. An explicit `python` in lambda.toml bypasses all of this.
//!
//! Finding costs processes (uv, probes); the answer is remembered in memory and in the cache
//! folder (`interpreters/python3.X`), checked against the file still being there.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

/// A CPython version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PythonVersion {
    pub major: u32,
    pub minor: u32,
    pub patch: u32,
}

impl PythonVersion {
    /// `3.12.1` (a trailing `+` or suffix after the patch number is ignored).
    pub fn parse(text: &str) -> Option<PythonVersion> {
        let mut parts = text.trim().splitn(3, '.');
        let major = parts.next()?.parse().ok()?;
        let minor = parts.next()?.parse().ok()?;
        let patch_text = parts.next()?;
        let digits: String = patch_text
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        Some(PythonVersion {
            major,
            minor,
            patch: digits.parse().ok()?,
        })
    }
}

impl std::fmt::Display for PythonVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// Where an interpreter was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Origin {
    /// `python` in lambda.toml (or the editor's `lambda.python.path`), used as given.
    Configured,
    /// A uv-managed installation.
    Uv,
    /// `$PYENV_ROOT/versions/…`.
    Pyenv,
    /// `python3.X` on PATH.
    Path,
    /// Installed just now with `uv python install`.
    UvInstalled,
    /// Not of the runtime's version: the nearest one found.
    Nearest,
}

impl Origin {
    fn as_str(self) -> &'static str {
        match self {
            Origin::Configured => "configured",
            Origin::Uv => "uv",
            Origin::Pyenv => "pyenv",
            Origin::Path => "path",
            Origin::UvInstalled => "uv-installed",
            Origin::Nearest => "nearest",
        }
    }

    fn parse(text: &str) -> Option<Origin> {
        [
            Origin::Configured,
            Origin::Uv,
            Origin::Pyenv,
            Origin::Path,
            Origin::UvInstalled,
            Origin::Nearest,
        ]
        .into_iter()
        .find(|o| o.as_str() == text)
    }
}

/// The interpreter a function runs on.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Interpreter {
    pub path: PathBuf,
    /// Unknown for a configured interpreter (it is not probed).
    pub version: Option<PythonVersion>,
    pub origin: Origin,
    /// Said once when the interpreter is not of the runtime's version.
    pub note: Option<String>,
}

impl Interpreter {
    /// The interpreter given in lambda.toml: a path relative to the function folder when it
    /// has a `/`, else a command looked up on PATH.
    pub fn configured(configured: &str, function_dir: &Path) -> Interpreter {
        let path = if configured.contains('/') {
            let path = Path::new(configured);
            if path.is_absolute() {
                path.to_path_buf()
            } else {
                function_dir.join(path)
            }
        } else {
            PathBuf::from(configured)
        };
        Interpreter {
            path,
            version: None,
            origin: Origin::Configured,
            note: None,
        }
    }
}

/// No Python at all could be found.
#[derive(Debug, thiserror::Error)]
#[error("no Python interpreter found for runtime {runtime}: install one (`uv python install {wanted}`, `pyenv install {wanted}`, or your system's python3 package), or set `python` in lambda.toml")]
pub struct NotFound {
    pub runtime: String,
    pub wanted: String,
}

/// Where to look; [`Search::from_environment`] reads the process's environment.
#[derive(Debug, Clone)]
pub struct Search {
    /// pyenv's root (`$PYENV_ROOT`, else `~/.pyenv`).
    pub pyenv_root: Option<PathBuf>,
    /// The folders of PATH.
    pub path: Vec<PathBuf>,
    /// The uv command, when uv runs here.
    pub uv: Option<PathBuf>,
    /// Where answers are remembered between runs (`None`: not remembered).
    pub cache: Option<PathBuf>,
    /// Whether `uv python install` may be tried.
    pub allow_install: bool,
}

impl Search {
    /// The search this process's environment describes.
    pub fn from_environment() -> Search {
        let home = std::env::var_os("HOME").map(PathBuf::from);
        let pyenv_root = std::env::var_os("PYENV_ROOT")
            .filter(|r| !r.is_empty())
            .map(PathBuf::from)
            .or_else(|| home.map(|h| h.join(".pyenv")));
        let path: Vec<PathBuf> = std::env::var_os("PATH")
            .map(|p| std::env::split_paths(&p).collect())
            .unwrap_or_default();
        let uv = find_on_path(&path, "uv");
        Search {
            pyenv_root,
            path,
            uv,
            cache: Some(crate::package::deps::cache_root().join("interpreters")),
            allow_install: true,
        }
    }
}

impl Search {
    /// Tells searches apart in the in-memory answers.
    fn identity(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        (&self.pyenv_root, &self.path, &self.uv, &self.cache).hash(&mut hasher);
        hasher.finish()
    }
}

fn find_on_path(path: &[PathBuf], name: &str) -> Option<PathBuf> {
    path.iter().map(|dir| dir.join(name)).find(|candidate| {
        std::fs::metadata(candidate)
            .map(|m| {
                m.is_file()
                    && std::os::unix::fs::PermissionsExt::mode(&m.permissions()) & 0o111 != 0
            })
            .unwrap_or(false)
    })
}

/// Answers already found by this process, by minor version and search.
type Answers = HashMap<((u32, u32), u64), Interpreter>;
static FOUND: Mutex<Option<Answers>> = Mutex::new(None);

/// How long a "nearest" answer is trusted before looking again (a fitting interpreter
/// may have been installed since).
const NEAREST_TTL: Duration = Duration::from_secs(10 * 60);
/// How long to wait before trying `uv python install` again after it failed.
const INSTALL_RETRY: Duration = Duration::from_secs(24 * 60 * 60);
/// How long `uv python install` may take (a download of ~30 MB).
const INSTALL_LIMIT: Duration = Duration::from_secs(300);

/// The interpreter for `runtime` (`python3.12`): see the module documentation. `progress`
/// hears about slow steps (an install).
pub fn find(
    runtime: &str,
    search: &Search,
    progress: &dyn Fn(&str),
) -> Result<Interpreter, NotFound> {
    let not_found = || NotFound {
        runtime: runtime.to_string(),
        wanted: runtime.trim_start_matches("python").to_string(),
    };
    let wanted = runtime_version(runtime).ok_or_else(not_found)?;
    let key = (wanted, search.identity());
    {
        let found = FOUND.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(interpreter) = found.as_ref().and_then(|f| f.get(&key)) {
            if interpreter.path.is_file() {
                return Ok(interpreter.clone());
            }
        }
    }
    let interpreter = match search.cache.as_deref().and_then(|c| remembered(c, wanted)) {
        Some(interpreter) => interpreter,
        None => {
            let interpreter = look(runtime, wanted, search, progress).ok_or_else(not_found)?;
            if let Some(cache) = &search.cache {
                remember(cache, wanted, &interpreter);
            }
            interpreter
        }
    };
    FOUND
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get_or_insert_with(HashMap::new)
        .insert(key, interpreter.clone());
    Ok(interpreter)
}

/// `(3, 12)` for `python3.12`.
pub fn runtime_version(runtime: &str) -> Option<(u32, u32)> {
    let (major, minor) = runtime.strip_prefix("python")?.split_once('.')?;
    Some((major.parse().ok()?, minor.parse().ok()?))
}

fn look(
    runtime: &str,
    wanted: (u32, u32),
    search: &Search,
    progress: &dyn Fn(&str),
) -> Option<Interpreter> {
    let exact = |path: PathBuf, version: PythonVersion, origin| Interpreter {
        path,
        version: Some(version),
        origin,
        note: None,
    };
    if let Some((path, version)) = search.uv.as_deref().and_then(|uv| uv_find(uv, wanted)) {
        return Some(exact(path, version, Origin::Uv));
    }
    if let Some((path, version)) = search.pyenv_root.as_deref().and_then(|root| {
        pyenv_versions(root)
            .into_iter()
            .rfind(|(_, v)| (v.major, v.minor) == wanted)
    }) {
        return Some(exact(path, version, Origin::Pyenv));
    }
    let command = format!("python{}.{}", wanted.0, wanted.1);
    for dir in &search.path {
        let candidate = dir.join(&command);
        if !candidate.is_file() {
            continue;
        }
        // A pyenv shim of a version that is not selected exits 127: probe, do not trust.
        if let Some(version) = probe(&candidate).filter(|v| (v.major, v.minor) == wanted) {
            return Some(exact(candidate, version, Origin::Path));
        }
    }
    if let (Some(uv), true) = (search.uv.as_deref(), search.allow_install) {
        if let Some(found) = uv_install(uv, wanted, search.cache.as_deref(), progress) {
            return Some(exact(found.0, found.1, Origin::UvInstalled));
        }
    }
    nearest(wanted, search).map(|(path, version)| Interpreter {
        note: Some(format!(
            "runtime {runtime}, running on Python {version}: no {}.{} found — install one with uv python install {}.{}",
            wanted.0, wanted.1, wanted.0, wanted.1
        )),
        path,
        version: Some(version),
        origin: Origin::Nearest,
    })
}

/// The version an interpreter reports, or `None` when it does not run.
pub fn probe(path: &Path) -> Option<PythonVersion> {
    let output = Command::new(path)
        .args([
            "-I",
            "-S",
            "-c",
            "import sys; print('%d.%d.%d' % sys.version_info[:3])",
        ])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    PythonVersion::parse(&String::from_utf8_lossy(&output.stdout))
}

/// `uv python find --managed-python 3.X`, run away from any project or virtual environment
/// (a function's `.venv` is not picked silently).
fn uv_find(uv: &Path, wanted: (u32, u32)) -> Option<(PathBuf, PythonVersion)> {
    let request = format!("{}.{}", wanted.0, wanted.1);
    let output = uv_command(uv)
        .args([
            "python",
            "find",
            "--managed-python",
            "--no-project",
            "--no-config",
        ])
        .arg(&request)
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    let path = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
    let version = probe(&path).filter(|v| (v.major, v.minor) == wanted)?;
    Some((path, version))
}

fn uv_command(uv: &Path) -> Command {
    let mut command = Command::new(uv);
    command
        .current_dir(std::env::temp_dir())
        .env_remove("VIRTUAL_ENV")
        .env_remove("UV_PYTHON")
        .env("UV_PYTHON_DOWNLOADS", "never")
        .stdin(Stdio::null())
        .stderr(Stdio::piped())
        .stdout(Stdio::piped());
    command
}

/// `uv python install 3.X`, unless it failed less than a day ago (offline it fails, and it
/// must not slow every invoke down).
fn uv_install(
    uv: &Path,
    wanted: (u32, u32),
    cache: Option<&Path>,
    progress: &dyn Fn(&str),
) -> Option<(PathBuf, PythonVersion)> {
    let request = format!("{}.{}", wanted.0, wanted.1);
    let marker = cache.map(|c| c.join(format!("uv-install-{request}-failed")));
    let recently_failed = marker
        .as_deref()
        .and_then(|m| std::fs::metadata(m).ok()?.modified().ok())
        .and_then(|t| SystemTime::now().duration_since(t).ok())
        .is_some_and(|age| age < INSTALL_RETRY);
    if recently_failed {
        return None;
    }
    progress(&format!(
        "no Python {request} found; installing one with `uv python install {request}` (once)"
    ));
    let mut command = uv_command(uv);
    command
        .args(["python", "install", "--no-progress"])
        .arg(&request)
        .env_remove("UV_PYTHON_DOWNLOADS");
    let installed = run_with_limit(command, INSTALL_LIMIT);
    if let Err(reason) = &installed {
        progress(&format!("uv python install {request} failed: {reason}"));
        if let Some(marker) = &marker {
            let _ = std::fs::create_dir_all(marker.parent().unwrap_or(Path::new(".")));
            let _ = std::fs::write(marker, reason);
        }
        return None;
    }
    uv_find(uv, wanted)
}

/// Run `command` to completion within `limit`; the reason when it fails (uv's first error
/// line and its deepest cause).
fn run_with_limit(mut command: Command, limit: Duration) -> Result<(), String> {
    command.stdout(Stdio::null()).stderr(Stdio::piped());
    let mut child = command.spawn().map_err(|e| e.to_string())?;
    // Read on the side, so that a chatty process never blocks on a full pipe.
    let stderr = child.stderr.take().map(|mut pipe| {
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = std::io::Read::read_to_string(&mut pipe, &mut text);
            text
        })
    });
    let started = std::time::Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > limit => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("no answer within {} s", limit.as_secs()));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            Err(e) => return Err(e.to_string()),
        }
    };
    if status.success() {
        return Ok(());
    }
    let text = stderr.and_then(|t| t.join().ok()).unwrap_or_default();
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    Err(match (lines.next(), lines.next_back()) {
        (Some(first), Some(last)) => format!("{first} ({})", last.trim_start_matches("cause: ")),
        (Some(first), None) => first.to_string(),
        _ => status.to_string(),
    })
}

/// pyenv's CPython versions (`versions/3.12.1`, not virtualenvs or other implementations),
/// oldest first.
fn pyenv_versions(root: &Path) -> Vec<(PathBuf, PythonVersion)> {
    let Ok(entries) = std::fs::read_dir(root.join("versions")) else {
        return Vec::new();
    };
    let mut found: Vec<(PathBuf, PythonVersion)> = entries
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            // Only plain `X.Y.Z` folders: `3.13.0t` is free-threaded, others are envs.
            if !name.chars().all(|c| c.is_ascii_digit() || c == '.') {
                return None;
            }
            let version = PythonVersion::parse(&name)?;
            let python = entry
                .path()
                .join("bin")
                .join(format!("python{}.{}", version.major, version.minor));
            python.is_file().then_some((python, version))
        })
        .collect();
    found.sort_by_key(|(_, v)| *v);
    found
}

/// The interpreter nearest to `wanted` among pyenv's versions and `python3` on PATH; newer
/// wins a tie (Lambda's runtimes only move forward).
fn nearest(wanted: (u32, u32), search: &Search) -> Option<(PathBuf, PythonVersion)> {
    let mut candidates: Vec<(PathBuf, PythonVersion)> = search
        .pyenv_root
        .as_deref()
        .map(pyenv_versions)
        .unwrap_or_default();
    if let Some(python3) = find_on_path(&search.path, "python3") {
        if let Some(version) = probe(&python3) {
            candidates.push((python3, version));
        }
    }
    candidates
        .into_iter()
        .filter(|(_, v)| v.major == wanted.0)
        .min_by_key(|(_, v)| (v.minor.abs_diff(wanted.1), std::cmp::Reverse(*v)))
}

/// A remembered answer: `path`, `version`, `origin` and the note, one per line.
fn remembered(cache: &Path, wanted: (u32, u32)) -> Option<Interpreter> {
    let file = cache.join(format!("python{}.{}", wanted.0, wanted.1));
    let text = std::fs::read_to_string(&file).ok()?;
    let mut lines = text.lines();
    let path = PathBuf::from(lines.next()?);
    let version = PythonVersion::parse(lines.next()?)?;
    let origin = Origin::parse(lines.next()?)?;
    let note = lines.next().filter(|n| !n.is_empty()).map(str::to_string);
    if !path.is_file() {
        return None;
    }
    if origin == Origin::Nearest {
        let age = std::fs::metadata(&file)
            .ok()?
            .modified()
            .ok()
            .and_then(|t| SystemTime::now().duration_since(t).ok())?;
        if age > NEAREST_TTL {
            return None;
        }
    }
    Some(Interpreter {
        path,
        version: Some(version),
        origin,
        note,
    })
}

fn remember(cache: &Path, wanted: (u32, u32), interpreter: &Interpreter) {
    let Some(version) = interpreter.version else {
        return;
    };
    let text = format!(
        "{}\n{version}\n{}\n{}\n",
        interpreter.path.display(),
        interpreter.origin.as_str(),
        interpreter.note.as_deref().unwrap_or("")
    );
    let file = cache.join(format!("python{}.{}", wanted.0, wanted.1));
    let partial = cache.join(format!(
        ".python{}.{}.{}",
        wanted.0,
        wanted.1,
        std::process::id()
    ));
    // Remembering only saves time next run: failures are ignored.
    if std::fs::create_dir_all(cache).is_ok() && std::fs::write(&partial, text).is_ok() {
        let _ = std::fs::rename(&partial, &file);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    /// A fake interpreter: a script that prints `version` the way `probe` asks.
    fn fake_python(path: &Path, version: &str) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, format!("#!/bin/sh\necho {version}\n")).unwrap();
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }

    fn search_in(root: &Path) -> Search {
        Search {
            pyenv_root: Some(root.join("pyenv")),
            path: vec![root.join("bin")],
            uv: None,
            cache: None,
            allow_install: false,
        }
    }

    #[test]
    fn versions_parse() {
        assert_eq!(
            PythonVersion::parse("3.12.1\n"),
            Some(PythonVersion {
                major: 3,
                minor: 12,
                patch: 1
            })
        );
        assert_eq!(PythonVersion::parse("3.13.0+").unwrap().patch, 0);
        assert_eq!(PythonVersion::parse("3.13"), None);
        assert_eq!(runtime_version("python3.9"), Some((3, 9)));
        assert_eq!(runtime_version("nodejs20.x"), None);
    }

    #[test]
    fn pyenv_before_path_newest_patch_first_and_shims_skipped() {
        let temp = tempfile::tempdir().unwrap();
        let root = temp.path();
        fake_python(&root.join("pyenv/versions/3.12.1/bin/python3.12"), "3.12.1");
        fake_python(
            &root.join("pyenv/versions/3.12.10/bin/python3.12"),
            "3.12.10",
        );
        fake_python(
            &root.join("pyenv/versions/3.12.3t/bin/python3.12"),
            "3.12.3",
        );
        let found = find("python3.12", &search_in(root), &|_| {}).unwrap();
        assert_eq!(found.origin, Origin::Pyenv);
        assert_eq!(found.version.unwrap().to_string(), "3.12.10");
        assert!(found.path.ends_with("3.12.10/bin/python3.12"));
        assert_eq!(found.note, None);

        // On PATH: a shim that fails is skipped for a real one further on.
        let shim = root.join("shims/python3.11");
        std::fs::create_dir_all(shim.parent().unwrap()).unwrap();
        std::fs::write(&shim, "#!/bin/sh\nexit 127\n").unwrap();
        std::fs::set_permissions(&shim, std::fs::Permissions::from_mode(0o755)).unwrap();
        fake_python(&root.join("bin/python3.11"), "3.11.9");
        let mut search = search_in(root);
        search.path.insert(0, root.join("shims"));
        let found = find("python3.11", &search, &|_| {}).unwrap();
        assert_eq!(found.origin, Origin::Path);
        assert_eq!(found.path, root.join("bin/python3.11"));
    }

    #[test]
    fn the_nearest_version_runs_with_a_note_when_none_fits() {
        let temp = tempfile::tempdir().unwrap();
        let root = temp.path();
        fake_python(&root.join("pyenv/versions/3.9.18/bin/python3.9"), "3.9.18");
        fake_python(&root.join("pyenv/versions/3.13.0/bin/python3.13"), "3.13.0");
        fake_python(&root.join("bin/python3"), "3.11.7");
        let found = find("python3.12", &search_in(root), &|_| {}).unwrap();
        assert_eq!(found.origin, Origin::Nearest);
        assert_eq!(
            found.version.unwrap().to_string(),
            "3.13.0",
            "newer wins a tie with 3.11"
        );
        assert_eq!(
            found.note.as_deref(),
            Some("runtime python3.12, running on Python 3.13.0: no 3.12 found — install one with uv python install 3.12")
        );
        let empty = tempfile::tempdir().unwrap();
        let error = find("python3.12", &search_in(empty.path()), &|_| {}).unwrap_err();
        assert!(
            error.to_string().contains("uv python install 3.12"),
            "{error}"
        );
    }

    #[test]
    fn answers_are_remembered_until_the_file_goes() {
        let temp = tempfile::tempdir().unwrap();
        let root = temp.path();
        let python = root.join("pyenv/versions/3.10.13/bin/python3.10");
        fake_python(&python, "3.10.13");
        let mut search = search_in(root);
        search.cache = Some(root.join("cache"));
        let first = find("python3.10", &search, &|_| {}).unwrap();
        // Found again from the cache file, without looking (pyenv is gone from the search).
        search.pyenv_root = None;
        assert_eq!(find("python3.10", &search, &|_| {}).unwrap(), first);
        std::fs::remove_file(&python).unwrap();
        assert!(find("python3.10", &search, &|_| {}).is_err());
    }

    #[test]
    fn configured_interpreters_resolve_against_the_function_folder() {
        let dir = Path::new("/work/fn");
        assert_eq!(
            Interpreter::configured(".venv/bin/python", dir).path,
            Path::new("/work/fn/.venv/bin/python")
        );
        assert_eq!(
            Interpreter::configured("python3.12", dir).path,
            Path::new("python3.12")
        );
        assert_eq!(
            Interpreter::configured("/usr/bin/python3", dir).origin,
            Origin::Configured
        );
    }
}
