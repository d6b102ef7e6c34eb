//! Dependencies for Lambda's platform: where the requirements are, installing them for the
//! function's Python version and architecture with binary wheels only (`uv` or `pip`),
//! the install cache, and which installed distributions the runtime already provides.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

use super::PackageError;
use crate::project::{Architecture, Function};

/// Where a function's requirements come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Requirements {
    /// A requirements file (`lambda.toml`'s `requirements`, or `requirements.txt`).
    File(PathBuf),
    /// `pyproject.toml`'s `[project] dependencies`.
    Pyproject(Vec<String>),
}

/// The tool that installs dependencies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Installer {
    Uv,
    Pip,
}

impl Installer {
    pub fn as_str(self) -> &'static str {
        match self {
            Installer::Uv => "uv",
            Installer::Pip => "pip",
        }
    }

    /// `uv` when it is on PATH (much faster), else `pip` through `python3 -m pip`.
    pub fn detect() -> Installer {
        let uv_runs = Command::new("uv")
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success());
        if uv_runs {
            Installer::Uv
        } else {
            Installer::Pip
        }
    }
}

/// The Lambda platform a package is built for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// `3.12` for `python3.12`.
    pub python_version: String,
    pub architecture: Architecture,
    /// The newest glibc minor version of the runtime's Amazon Linux (2.26 on Amazon
    /// Linux 2 for python3.11 and older, 2.34 on Amazon Linux 2023 for python3.12+).
    pub glibc_minor: u32,
}

impl Target {
    /// The target of a runtime identifier such as `python3.12`.
    pub fn for_runtime(runtime: &str, architecture: Architecture) -> Result<Target, PackageError> {
        let unsupported = || PackageError::UnsupportedRuntime {
            runtime: runtime.to_string(),
        };
        let version = runtime.strip_prefix("python").ok_or_else(unsupported)?;
        let (major, minor) = version.split_once('.').ok_or_else(unsupported)?;
        let minor: u32 = minor.parse().map_err(|_| unsupported())?;
        if major != "3" || minor < 8 {
            return Err(unsupported());
        }
        Ok(Target {
            python_version: format!("3.{minor}"),
            architecture,
            glibc_minor: if minor >= 12 { 34 } else { 26 },
        })
    }

    fn machine(&self) -> &'static str {
        match self.architecture {
            Architecture::X86_64 => "x86_64",
            Architecture::Arm64 => "aarch64",
        }
    }

    /// pip's `--platform` values: every manylinux tag the runtime's glibc can load.
    /// (pip expands only the legacy `manylinux2014` alias by itself.)
    fn pip_platforms(&self) -> Vec<String> {
        let machine = self.machine();
        let mut tags: Vec<String> = (17..=self.glibc_minor)
            .rev()
            .map(|minor| format!("manylinux_2_{minor}_{machine}"))
            .collect();
        tags.push(format!("manylinux2014_{machine}"));
        if self.architecture == Architecture::X86_64 {
            tags.extend([
                "manylinux_2_12_x86_64".into(),
                "manylinux2010_x86_64".into(),
                "manylinux_2_5_x86_64".into(),
                "manylinux1_x86_64".into(),
            ]);
        }
        tags
    }

    /// uv's `--python-platform`: it accepts older tags by itself; its list jumps from
    /// 2_17 to 2_28, so Amazon Linux 2 (glibc 2.26) is `manylinux2014`.
    fn uv_platform(&self) -> String {
        if self.glibc_minor >= 34 {
            format!("{}-manylinux_2_34", self.machine())
        } else {
            format!("{}-manylinux2014", self.machine())
        }
    }
}

/// Find the function's requirements: `lambda.toml`'s `requirements`, else
/// `requirements.txt`, else `pyproject.toml`'s `[project] dependencies`.
pub fn find_requirements(function: &Function) -> Result<Option<Requirements>, PackageError> {
    if let Some(configured) = &function.config.requirements {
        let path = function.dir.join(configured);
        if !path.is_file() {
            return Err(PackageError::RequirementsMissing { path });
        }
        return Ok(Some(Requirements::File(path)));
    }
    let default = function.dir.join("requirements.txt");
    if default.is_file() {
        return Ok(Some(Requirements::File(default)));
    }
    let pyproject = function.dir.join("pyproject.toml");
    if pyproject.is_file() {
        let text = std::fs::read_to_string(&pyproject).map_err(|e| PackageError::Io {
            action: format!("read {}", pyproject.display()),
            source: e,
        })?;
        let doc: toml_edit::DocumentMut =
            text.parse()
                .map_err(|e: toml_edit::TomlError| PackageError::Pyproject {
                    path: pyproject.clone(),
                    reason: e.to_string(),
                })?;
        let dependencies = doc
            .get("project")
            .and_then(|p| p.get("dependencies"))
            .and_then(|d| d.as_array());
        if let Some(array) = dependencies {
            let deps: Vec<String> = array
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect();
            if !deps.is_empty() {
                return Ok(Some(Requirements::Pyproject(deps)));
            }
        }
    }
    Ok(None)
}

/// The requirement lines (comments and blank lines dropped), following `-r`/`-c` includes
/// of requirements files; what the cache key and the "named in requirements" checks read.
pub fn requirement_lines(requirements: &Requirements) -> Result<Vec<String>, PackageError> {
    fn read(path: &Path, lines: &mut Vec<String>, depth: usize) -> Result<(), PackageError> {
        let text = std::fs::read_to_string(path).map_err(|e| PackageError::Io {
            action: format!("read {}", path.display()),
            source: e,
        })?;
        for raw in text.lines() {
            let line = raw.split(" #").next().unwrap_or("").trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            lines.push(line.to_string());
            let include = ["-r ", "-c ", "--requirement ", "--constraint "]
                .iter()
                .find_map(|flag| line.strip_prefix(flag));
            if let (Some(include), true) = (include, depth < 8) {
                let base = path.parent().unwrap_or(Path::new("."));
                read(&base.join(include.trim()), lines, depth + 1)?;
            }
        }
        Ok(())
    }
    match requirements {
        Requirements::Pyproject(deps) => Ok(deps.clone()),
        Requirements::File(path) => {
            let mut lines = Vec::new();
            read(path, &mut lines, 0)?;
            Ok(lines)
        }
    }
}

/// A requirement's normalised project name (PEP 503) and whether it names a version.
pub fn requirement_name(line: &str) -> Option<(String, bool)> {
    if line.starts_with('-') || line.contains("://") {
        return None;
    }
    let end = line
        .find(|c: char| !(c.is_ascii_alphanumeric() || "-_.".contains(c)))
        .unwrap_or(line.len());
    if end == 0 {
        return None;
    }
    let rest = line[end..].split(';').next().unwrap_or("");
    let versioned = rest.contains(['=', '<', '>', '~', '@']);
    Some((normalize(&line[..end]), versioned))
}

/// PEP 503 name normalisation: lower case, runs of `-_.` become `-`.
pub fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut last_dash = false;
    for c in name.chars() {
        if "-_.".contains(c) {
            if !last_dash {
                out.push('-');
            }
            last_dash = true;
        } else {
            out.push(c.to_ascii_lowercase());
            last_dash = false;
        }
    }
    out
}

/// The cache of installed dependencies: `LAMBDA_LS_CACHE_DIR`, else
/// `$XDG_CACHE_HOME/lambda-ls`, else `~/.cache/lambda-ls`.
pub fn cache_root() -> PathBuf {
    if let Some(dir) = std::env::var_os("LAMBDA_LS_CACHE_DIR") {
        return PathBuf::from(dir);
    }
    if let Some(dir) = std::env::var_os("XDG_CACHE_HOME").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir).join("lambda-ls");
    }
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    home.join(".cache").join("lambda-ls")
}

/// The cache key: a hash of the requirement lines and the runtime's platform. Not the
/// installer: either one's install satisfies the requirements (they may pick different
/// versions of unpinned transitive dependencies; the first install is kept, which is what
/// makes rebuilds reproducible), and a cache hit then needs no process at all.
pub fn cache_key(lines: &[String], target: &Target) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"lambda-ls dependencies v1\n");
    hasher.update(format!(
        "python {} {} glibc 2.{}\n",
        target.python_version,
        target.architecture.as_str(),
        target.glibc_minor,
    ));
    for line in lines {
        hasher.update(line.as_bytes());
        hasher.update(b"\n");
    }
    let digest = hasher.finalize();
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// The installed dependencies of a function: a folder to put at the zip root.
#[derive(Debug, Clone)]
pub struct Installed {
    pub site: PathBuf,
    /// The installer that ran; `None` when the cache had the install.
    pub installer: Option<Installer>,
}

/// Where the cached install of `lines` for `target` is (or would be).
pub fn cached_site(lines: &[String], target: &Target) -> PathBuf {
    cache_root()
        .join("deps")
        .join(cache_key(lines, target))
        .join("site")
}

/// Install `requirements` for `target` into the cache (or reuse the cached install);
/// `installer` picks the tool when one has to run (default: `Installer::detect`).
pub fn install(
    requirements: &Requirements,
    lines: &[String],
    target: &Target,
    installer: Option<Installer>,
    refresh: bool,
) -> Result<Installed, PackageError> {
    let root = cache_root().join("deps");
    let key = cache_key(lines, target);
    let done = root.join(&key);
    if done.join("site").is_dir() && !refresh {
        return Ok(Installed {
            site: done.join("site"),
            installer: None,
        });
    }
    let installer = installer.unwrap_or_else(Installer::detect);
    let io = |action: String| move |source| PackageError::Io { action, source };
    std::fs::create_dir_all(&root).map_err(io(format!("create {}", root.display())))?;
    // Installed into a private folder, then renamed into place: a cache entry is complete
    // or absent, even when two builds race or one is interrupted.
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let staging = root.join(format!(".{key}.{}.{nanos}.partial", std::process::id()));
    let staging_guard = RemoveOnDrop(staging.clone());
    let site = staging.join("site");
    std::fs::create_dir_all(&site).map_err(io(format!("create {}", site.display())))?;
    let requirements_file = match requirements {
        Requirements::File(path) => path.clone(),
        Requirements::Pyproject(deps) => {
            let path = staging.join("requirements.txt");
            std::fs::write(&path, deps.join("\n") + "\n")
                .map_err(io(format!("write {}", path.display())))?;
            path
        }
    };
    let mut command = install_command(installer, target, &site, &requirements_file);
    let output = command
        .output()
        .map_err(|e| PackageError::InstallerMissing {
            installer: installer.as_str().into(),
            reason: e.to_string(),
        })?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        return Err(explain_install_failure(installer, target, &stderr));
    }
    // uv leaves its lock file in the target; it has no place in a package.
    let _ = std::fs::remove_file(site.join(".lock"));
    if refresh && done.exists() {
        let _ = std::fs::remove_dir_all(&done);
    }
    match std::fs::rename(&staging, &done) {
        Ok(()) => std::mem::forget(staging_guard),
        // Another build finished the same install first: use it (ours is removed).
        Err(_) if done.join("site").is_dir() => {}
        Err(e) => return Err(io(format!("store {} in the cache", done.display()))(e)),
    }
    Ok(Installed {
        site: done.join("site"),
        installer: Some(installer),
    })
}

/// Install requirement lines that are not the function's (lambda-ls's own: the runtime's
/// SDK, debugpy, awslambdaric) for `target`, into the same content-hash cache.
pub fn install_lines(lines: &[String], target: &Target) -> Result<Installed, PackageError> {
    install(
        &Requirements::Pyproject(lines.to_vec()),
        lines,
        target,
        None,
        false,
    )
}

struct RemoveOnDrop(PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn install_command(
    installer: Installer,
    target: &Target,
    site: &Path,
    requirements: &Path,
) -> Command {
    match installer {
        Installer::Uv => {
            let mut command = Command::new("uv");
            command.args(["pip", "install", "--quiet", "--no-progress", "--target"]);
            command.arg(site);
            command.args(["--python-platform", &target.uv_platform()]);
            command.args(["--python-version", &target.python_version]);
            // Without it uv builds sdists (pandas from source) for the host.
            command.args(["--only-binary", ":all:"]);
            command.arg("-r").arg(requirements);
            command
        }
        Installer::Pip => {
            let mut command = Command::new("python3");
            command.args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "--no-input",
                // pip would write .pyc files for the host's Python, useless on Lambda.
                "--no-compile",
                "--only-binary=:all:",
                "--implementation",
                "cp",
                "--python-version",
                &target.python_version,
            ]);
            for platform in target.pip_platforms() {
                command.args(["--platform", &platform]);
            }
            command.arg("--target").arg(site);
            command.arg("-r").arg(requirements);
            command
        }
    }
}

/// Turn the installer's stderr into an error that names the dependency and says what to do.
fn explain_install_failure(installer: Installer, target: &Target, stderr: &str) -> PackageError {
    let platform = format!(
        "Python {} on Linux {}",
        target.python_version,
        target.architecture.as_str()
    );
    // pip: "No matching distribution found for docopt==0.6.2"
    // uv:  "Because docopt==0.6.2 has no usable wheels and you require …"
    //      "Because foo was not found in the package registry and …"
    let pip_name = stderr
        .lines()
        .find_map(|l| l.split("No matching distribution found for ").nth(1))
        .map(|s| s.trim().to_string());
    let uv_name = stderr.lines().find_map(|l| {
        let rest = l.split("Because ").nth(1)?;
        let name = rest.split_whitespace().next()?;
        let reason_known = rest.contains("has no usable wheels")
            || rest.contains("has no wheels")
            || rest.contains("was not found in the package registry")
            || rest.contains("only has")
            || rest.contains("there is no version");
        reason_known.then(|| name.trim_end_matches(',').to_string())
    });
    let uv_name = uv_name.or_else(|| {
        // "Because there is no version of foo==1.0 and you require …"
        stderr.lines().find_map(|l| {
            let rest = l.split("there is no version of ").nth(1)?;
            Some(rest.split_whitespace().next()?.to_string())
        })
    });
    match pip_name.or(uv_name) {
        Some(requirement) => PackageError::NoCompatibleWheel {
            requirement,
            platform,
            installer: installer.as_str().into(),
            details: stderr.trim().to_string(),
        },
        None => PackageError::InstallFailed {
            installer: installer.as_str().into(),
            details: stderr.trim().to_string(),
        },
    }
}

/// One installed distribution (from its `.dist-info`).
#[derive(Debug, Clone)]
pub struct Distribution {
    /// Normalised name.
    pub name: String,
    pub display_name: String,
    pub version: String,
    /// Normalised names of what it requires (extras left out).
    pub requires: Vec<String>,
    /// Its files, `/`-separated and relative to the install folder (from `RECORD`).
    pub files: Vec<String>,
}

/// Read every `*.dist-info` of an install folder.
pub fn distributions(site: &Path) -> Vec<Distribution> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(site) else {
        return found;
    };
    for entry in entries.flatten() {
        let dir_name = entry.file_name().to_string_lossy().into_owned();
        if !dir_name.ends_with(".dist-info") {
            continue;
        }
        let info = entry.path();
        let metadata = std::fs::read_to_string(info.join("METADATA")).unwrap_or_default();
        let mut display_name = String::new();
        let mut version = String::new();
        let mut requires = Vec::new();
        for line in metadata.lines() {
            if line.is_empty() {
                break; // the body (long description) starts here
            }
            if let Some(v) = line.strip_prefix("Name: ") {
                display_name = v.trim().to_string();
            } else if let Some(v) = line.strip_prefix("Version: ") {
                version = v.trim().to_string();
            } else if let Some(v) = line.strip_prefix("Requires-Dist: ") {
                let marker = v.split_once(';').map(|(_, m)| m).unwrap_or("");
                if marker.contains("extra") {
                    continue;
                }
                if let Some((name, _)) = requirement_name(v.trim()) {
                    requires.push(name);
                }
            }
        }
        let record = std::fs::read_to_string(info.join("RECORD")).unwrap_or_default();
        let mut files: Vec<String> = record
            .lines()
            .filter_map(|l| l.split(',').next())
            .map(|p| p.trim_matches('"').to_string())
            .filter(|p| !p.is_empty() && !p.starts_with(".."))
            .collect();
        files.push(format!("{dir_name}/"));
        if display_name.is_empty() {
            display_name = dir_name.split('-').next().unwrap_or(&dir_name).to_string();
        }
        found.push(Distribution {
            name: normalize(&display_name),
            display_name,
            version,
            requires,
            files,
        });
    }
    found.sort_by(|a, b| a.name.cmp(&b.name));
    found
}

/// The AWS SDK, which every Python runtime already has.
const RUNTIME_SDK: &[&str] = &["boto3", "botocore", "s3transfer"];
/// What the SDK pulls in; left out too when nothing that ships needs it.
const RUNTIME_SDK_DEPENDENCIES: &[&str] = &["jmespath", "python-dateutil", "six", "urllib3"];

/// The installed distributions to leave out because the runtime provides them: the SDK
/// unless the requirements pin one of its parts, and the SDK's own dependencies that no
/// shipped distribution (nor the requirements) asks for.
pub fn runtime_provided(dists: &[Distribution], lines: &[String]) -> BTreeSet<String> {
    let named: BTreeMap<String, bool> = lines.iter().filter_map(|l| requirement_name(l)).collect();
    let sdk_pinned = RUNTIME_SDK
        .iter()
        .any(|name| named.get(*name).copied().unwrap_or(false));
    if sdk_pinned {
        return BTreeSet::new();
    }
    let installed: BTreeSet<&str> = dists.iter().map(|d| d.name.as_str()).collect();
    // A bare `boto3` line (for local development) does not ship the SDK; a bare
    // `urllib3` line does ship urllib3.
    let mut dropped: BTreeSet<String> = RUNTIME_SDK
        .iter()
        .chain(
            RUNTIME_SDK_DEPENDENCIES
                .iter()
                .filter(|name| !named.contains_key(**name)),
        )
        .filter(|name| installed.contains(**name))
        .map(|name| name.to_string())
        .collect();
    // SDK dependencies come back when something shipped needs them (requests → urllib3).
    loop {
        let needed: BTreeSet<String> = dists
            .iter()
            .filter(|d| !dropped.contains(&d.name))
            .flat_map(|d| d.requires.iter().cloned())
            .filter(|name| RUNTIME_SDK_DEPENDENCIES.contains(&name.as_str()))
            .collect();
        let before = dropped.len();
        dropped.retain(|name| !needed.contains(name));
        if dropped.len() == before {
            break;
        }
    }
    dropped
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dist(name: &str, requires: &[&str]) -> Distribution {
        Distribution {
            name: name.into(),
            display_name: name.into(),
            version: "1".into(),
            requires: requires.iter().map(|s| s.to_string()).collect(),
            files: Vec::new(),
        }
    }

    #[test]
    fn requirement_names_are_normalised_and_versions_seen() {
        assert_eq!(
            requirement_name("Pandas==2.2.3"),
            Some(("pandas".into(), true))
        );
        assert_eq!(requirement_name("boto3"), Some(("boto3".into(), false)));
        assert_eq!(
            requirement_name("python_dateutil>=2; python_version<'3.9'"),
            Some(("python-dateutil".into(), true))
        );
        assert_eq!(
            requirement_name("requests[socks] ~= 2.3"),
            Some(("requests".into(), true))
        );
        assert_eq!(requirement_name("-r base.txt"), None);
    }

    #[test]
    fn the_sdk_is_left_out_but_what_others_need_stays() {
        let dists = [
            dist("boto3", &["botocore", "jmespath", "s3transfer"]),
            dist("botocore", &["jmespath", "python-dateutil", "urllib3"]),
            dist("s3transfer", &["botocore"]),
            dist("jmespath", &[]),
            dist("python-dateutil", &["six"]),
            dist("six", &[]),
            dist("urllib3", &[]),
            dist("requests", &["urllib3", "idna"]),
            dist("idna", &[]),
        ];
        let lines = vec!["boto3".to_string(), "requests==2.32.3".to_string()];
        let dropped = runtime_provided(&dists, &lines);
        assert_eq!(
            dropped.into_iter().collect::<Vec<_>>(),
            [
                "boto3",
                "botocore",
                "jmespath",
                "python-dateutil",
                "s3transfer",
                "six"
            ]
        );
        let pinned = vec!["boto3==1.35.0".to_string()];
        assert!(runtime_provided(&dists, &pinned).is_empty());
    }

    #[test]
    fn runtimes_map_to_platforms() {
        let t = Target::for_runtime("python3.12", Architecture::Arm64).unwrap();
        assert_eq!(t.python_version, "3.12");
        assert_eq!(t.uv_platform(), "aarch64-manylinux_2_34");
        assert!(t
            .pip_platforms()
            .contains(&"manylinux2014_aarch64".to_string()));
        let t = Target::for_runtime("python3.11", Architecture::X86_64).unwrap();
        assert_eq!(t.uv_platform(), "x86_64-manylinux2014");
        assert_eq!(t.pip_platforms()[0], "manylinux_2_26_x86_64");
        assert!(Target::for_runtime("nodejs20.x", Architecture::X86_64).is_err());
    }

    #[test]
    fn installer_errors_name_the_dependency() {
        let t = Target::for_runtime("python3.11", Architecture::X86_64).unwrap();
        let uv = "error: No solution found when resolving dependencies\n  cause: Because docopt==0.6.2 has no usable wheels and you require docopt==0.6.2, we can conclude that your requirements are unsatisfiable.";
        match explain_install_failure(Installer::Uv, &t, uv) {
            PackageError::NoCompatibleWheel { requirement, .. } => {
                assert_eq!(requirement, "docopt==0.6.2")
            }
            other => panic!("{other}"),
        }
        let pip = "ERROR: Could not find a version that satisfies the requirement docopt==0.6.2 (from versions: none)\nERROR: No matching distribution found for docopt==0.6.2";
        match explain_install_failure(Installer::Pip, &t, pip) {
            PackageError::NoCompatibleWheel { requirement, .. } => {
                assert_eq!(requirement, "docopt==0.6.2")
            }
            other => panic!("{other}"),
        }
    }
}
