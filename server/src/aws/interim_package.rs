//! A minimal deterministic .zip of the function folder, used by deploy until the `package`
//! module lands in this branch (then `deploy::package_for_deploy` calls it and this file goes).
//! Same bytes for the same files: sorted entries, fixed timestamps and permissions.

use std::io::Write;
use std::path::{Path, PathBuf};

use base64::Engine;
use sha2::Digest;

use crate::project::Function;

/// Folders and files that never ship: tooling, caches, secrets, the configuration and the
/// local test events and tests (as the `package` module decides).
fn skipped(name: &str, top_level: bool) -> bool {
    name.starts_with('.')
        || name == "__pycache__"
        || name.ends_with(".pyc")
        || (top_level && matches!(name, "events" | "tests" | "lambda.toml"))
}

fn collect(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name();
        if skipped(&name.to_string_lossy(), dir == root) {
            continue;
        }
        let path = entry.path();
        let kind = entry.file_type()?;
        if kind.is_dir() {
            collect(root, &path, out)?;
        } else if kind.is_file() {
            out.push(path.strip_prefix(root).unwrap_or(&path).to_path_buf());
        }
    }
    Ok(())
}

/// Zip `function`'s folder into `<dir>/.lambda-ls/<name>.zip`; the path and the base64
/// SHA-256 of the .zip (as Lambda's `CodeSha256`).
pub fn build(function: &Function) -> std::io::Result<(PathBuf, String)> {
    let mut files = Vec::new();
    collect(&function.dir, &function.dir, &mut files)?;
    let out_dir = function.dir.join(".lambda-ls");
    std::fs::create_dir_all(&out_dir)?;
    let zip_path = out_dir.join(format!("{}.zip", function.config.name.value));
    let partial = zip_path.with_extension("zip.partial");
    {
        let file = std::fs::File::create(&partial)?;
        let mut writer = zip::ZipWriter::new(std::io::BufWriter::new(file));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .last_modified_time(zip::DateTime::default())
            .unix_permissions(0o644)
            .large_file(false);
        for relative in &files {
            let name = relative.to_string_lossy().replace('\\', "/");
            writer
                .start_file(name, options)
                .map_err(std::io::Error::other)?;
            let bytes = std::fs::read(function.dir.join(relative))?;
            writer.write_all(&bytes)?;
        }
        writer.finish().map_err(std::io::Error::other)?.flush()?;
    }
    std::fs::rename(&partial, &zip_path)?;
    let digest = sha2::Sha256::digest(std::fs::read(&zip_path)?);
    let sha = base64::engine::general_purpose::STANDARD.encode(digest);
    Ok((zip_path, sha))
}
