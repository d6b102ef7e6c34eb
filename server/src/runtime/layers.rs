//! Lambda layers for local invoke. Each layer version is fetched once with the developer's
//! AWS credentials (GetLayerVersionByArn, then a GET of its content location), checked
//! against its `CodeSha256`, unpacked into the cache by ARN, and laid out where Lambda puts
//! `/opt`: `python/lib/python3.X/site-packages` and `python` on `sys.path` (after the
//! function's own code, before the runtime's libraries), `bin` on `PATH`, `lib` on
//! `LD_LIBRARY_PATH`. Lambda unpacks a function's layers into one `/opt` in order, later ones
//! over earlier ones; here each keeps its own folder and later layers come first on each path.

use std::path::{Path, PathBuf};
use std::time::Duration;

use base64::Engine as _;
use sha2::{Digest, Sha256};

/// Lambda's limit on the unzipped size of a function and its layers.
const UNZIPPED_LIMIT: u64 = 250 * 1024 * 1024;
/// How long a layer's download may take.
const DOWNLOAD_LIMIT: Duration = Duration::from_secs(300);

/// Why a layer could not be made available. The message names the layer and what to do.
#[derive(Debug, thiserror::Error)]
pub enum LayerError {
    #[error("layer `{arn}` is not a layer version ARN: write arn:aws:lambda:REGION:ACCOUNT:layer:NAME:VERSION")]
    BadArn { arn: String },
    #[error("could not fetch layer {arn}: {reason}. Local invoke downloads each layer once with your AWS credentials (lambda:GetLayerVersion); check them, the network, or AWS_ENDPOINT_URL_LAMBDA if you use an emulator")]
    Fetch { arn: String, reason: String },
    #[error("layer {arn}: {reason}")]
    Content { arn: String, reason: String },
    #[error("could not store layer {arn} in {}: {source}", dir.display())]
    Store {
        arn: String,
        dir: PathBuf,
        source: std::io::Error,
    },
}

/// The region of a layer version ARN, when it is one
/// (`arn:aws:lambda:REGION:ACCOUNT:layer:NAME:VERSION`).
pub fn arn_region(arn: &str) -> Option<&str> {
    let parts: Vec<&str> = arn.split(':').collect();
    let valid = parts.len() == 8
        && parts[0] == "arn"
        && parts[1].starts_with("aws")
        && parts[2] == "lambda"
        && !parts[3].is_empty()
        && parts[4].len() == 12
        && parts[4].chars().all(|c| c.is_ascii_digit())
        && parts[5] == "layer"
        && !parts[6].is_empty()
        && parts[7].parse::<u64>().is_ok_and(|v| v > 0);
    valid.then_some(parts[3])
}

/// Where a layer version is unpacked (its `/opt`).
fn cache_dir(cache: &Path, arn: &str) -> PathBuf {
    let digest = Sha256::digest(arn.as_bytes());
    let key: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
    cache.join("layers").join(key)
}

/// Each layer's unpacked `/opt`, in the function's order, fetching the ones not cached yet.
pub async fn fetch(
    arns: &[String],
    cache: &Path,
    progress: &(dyn Fn(&str) + Sync),
) -> Result<Vec<PathBuf>, LayerError> {
    let mut dirs = Vec::with_capacity(arns.len());
    for arn in arns {
        let region = arn_region(arn).ok_or_else(|| LayerError::BadArn { arn: arn.clone() })?;
        let entry = cache_dir(cache, arn);
        let opt = entry.join("opt");
        if !opt.is_dir() {
            progress(&format!(
                "downloading layer {arn} (once; cached afterwards)"
            ));
            let zip = download(arn, region).await?;
            unpack(arn, &zip, &entry)?;
        }
        dirs.push(opt);
    }
    Ok(dirs)
}

/// GetLayerVersionByArn, then the content itself, checked against its SHA-256.
async fn download(arn: &str, region: &str) -> Result<Vec<u8>, LayerError> {
    let fetch_error = |reason: String| LayerError::Fetch {
        arn: arn.to_string(),
        reason,
    };
    let aws = crate::aws::Aws::connect(Some(region))
        .await
        .map_err(|e| fetch_error(e.to_string()))?;
    let layer = aws
        .lambda
        .get_layer_version_by_arn()
        .arn(arn)
        .send()
        .await
        .map_err(|e| {
            use aws_sdk_lambda::error::ProvideErrorMetadata;
            match e.code() {
                Some(code) => fetch_error(format!(
                    "{} ({code})",
                    e.message().unwrap_or("GetLayerVersionByArn failed")
                )),
                None => fetch_error(aws_sdk_lambda::error::DisplayErrorContext(&e).to_string()),
            }
        })?;
    let content = layer
        .content()
        .ok_or_else(|| fetch_error("GetLayerVersionByArn returned no content".into()))?;
    let location = content
        .location()
        .ok_or_else(|| fetch_error("GetLayerVersionByArn returned no content location".into()))?;
    let bytes = get(location).await.map_err(fetch_error)?;
    if let Some(expected) = content.code_sha256() {
        let actual = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(&bytes));
        if actual != expected {
            return Err(fetch_error(format!(
                "the download's SHA-256 is {actual}, not the layer's {expected}"
            )));
        }
    }
    Ok(bytes)
}

/// A plain HTTP(S) GET of a (presigned) URL, through the same TLS stack the AWS SDK uses.
/// The URL is never printed: its query string is a signature.
async fn get(url: &str) -> Result<Vec<u8>, String> {
    use http_body_util::BodyExt;
    let uri: http::Uri = url
        .parse()
        .map_err(|_| "the content location is not a URL".to_string())?;
    let host = uri.host().unwrap_or("").to_string();
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_provider_and_native_roots(rustls::crypto::aws_lc_rs::default_provider())
        .map_err(|e| format!("no TLS root certificates: {e}"))?
        .https_or_http()
        .enable_http1()
        .build();
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build::<_, http_body_util::Empty<bytes::Bytes>>(https);
    let exchange = async {
        let response = client
            .get(uri)
            .await
            .map_err(|e| format!("downloading its content from {host} failed: {e}"))?;
        let status = response.status();
        if !status.is_success() {
            return Err(format!(
                "downloading its content from {host} answered HTTP {status}"
            ));
        }
        let body = http_body_util::Limited::new(response.into_body(), UNZIPPED_LIMIT as usize);
        body.collect()
            .await
            .map(|collected| collected.to_bytes().to_vec())
            .map_err(|e| format!("reading its content from {host} failed: {e}"))
    };
    tokio::time::timeout(DOWNLOAD_LIMIT, exchange)
        .await
        .map_err(|_| {
            format!(
                "downloading its content from {host} took over {} s",
                DOWNLOAD_LIMIT.as_secs()
            )
        })?
}

/// Unpack `zip` into `entry/opt` (via a private folder, so an entry is whole or absent).
fn unpack(arn: &str, zip: &[u8], entry: &Path) -> Result<(), LayerError> {
    let store_error = |source| LayerError::Store {
        arn: arn.to_string(),
        dir: entry.to_path_buf(),
        source,
    };
    let parent = entry.parent().expect("a cache entry has a parent");
    std::fs::create_dir_all(parent).map_err(store_error)?;
    let staging = parent.join(format!(
        ".{}.{}.partial",
        entry.file_name().unwrap_or_default().to_string_lossy(),
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&staging);
    let opt = staging.join("opt");
    std::fs::create_dir_all(&opt).map_err(store_error)?;
    let unpacked = unzip::extract(zip, &opt, UNZIPPED_LIMIT);
    if let Err(reason) = unpacked {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(LayerError::Content {
            arn: arn.to_string(),
            reason,
        });
    }
    std::fs::write(staging.join("arn"), arn).map_err(store_error)?;
    match std::fs::rename(&staging, entry) {
        Ok(()) => Ok(()),
        // Another invoke unpacked it first.
        Err(_) if entry.join("opt").is_dir() => {
            let _ = std::fs::remove_dir_all(&staging);
            Ok(())
        }
        Err(e) => Err(store_error(e)),
    }
}

/// Where Lambda's Python finds a layer's code, for runtime `python3.X`: every layer's
/// `python/lib/python3.X/site-packages`, then every layer's `python`, later layers first.
pub fn python_paths(layers: &[PathBuf], python_version: &str) -> Vec<PathBuf> {
    let site = format!("python/lib/python{python_version}/site-packages");
    let mut paths: Vec<PathBuf> = layers.iter().rev().map(|l| l.join(&site)).collect();
    paths.extend(layers.iter().rev().map(|l| l.join("python")));
    paths.retain(|p| p.is_dir());
    paths
}

/// The layers' `bin` (for `PATH`) and `lib` (for `LD_LIBRARY_PATH`) folders, later first.
pub fn bin_and_lib(layers: &[PathBuf]) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let existing = |name: &str| -> Vec<PathBuf> {
        layers
            .iter()
            .rev()
            .map(|l| l.join(name))
            .filter(|p| p.is_dir())
            .collect()
    };
    (existing("bin"), existing("lib"))
}

/// Reading a .zip: the layer formats Lambda accepts (stored or deflated entries, Unix
/// modes and symlinks). `package::archive` writes zips by hand for its own reasons; this is
/// its small inverse, so that no zip crate is built for it.
mod unzip {
    use std::io::Read;
    use std::path::{Component, Path};

    fn u16_at(data: &[u8], at: usize) -> Option<u16> {
        Some(u16::from_le_bytes(data.get(at..at + 2)?.try_into().ok()?))
    }

    fn u32_at(data: &[u8], at: usize) -> Option<u32> {
        Some(u32::from_le_bytes(data.get(at..at + 4)?.try_into().ok()?))
    }

    struct Member<'a> {
        name: &'a [u8],
        method: u16,
        crc: u32,
        compressed: usize,
        size: u64,
        mode: Option<u32>,
        offset: usize,
    }

    /// The central directory's members.
    fn members(data: &[u8]) -> Result<Vec<Member<'_>>, String> {
        const END: u32 = 0x0605_4b50;
        let search_from = data.len().saturating_sub(22 + 65_535);
        let end = (search_from..data.len().saturating_sub(21))
            .rev()
            .find(|&at| u32_at(data, at) == Some(END))
            .ok_or("its content is not a .zip archive")?;
        let count = u16_at(data, end + 10).ok_or("truncated archive")?;
        let mut at = u32_at(data, end + 16).ok_or("truncated archive")? as usize;
        if count == u16::MAX || at == u32::MAX as usize {
            return Err(
                "its .zip uses ZIP64 (over 65,535 files or 4 GB), which lambda-ls cannot read yet"
                    .into(),
            );
        }
        let mut members = Vec::with_capacity(count as usize);
        for _ in 0..count {
            let field = |offset: usize| u32_at(data, at + offset).ok_or("truncated archive");
            let short = |offset: usize| u16_at(data, at + offset).ok_or("truncated archive");
            if field(0)? != 0x0201_4b50 {
                return Err("its .zip's central directory is damaged".into());
            }
            let (name_len, extra_len, comment_len) = (
                short(28)? as usize,
                short(30)? as usize,
                short(32)? as usize,
            );
            let made_on_unix = short(4)? >> 8 == 3;
            let name = data
                .get(at + 46..at + 46 + name_len)
                .ok_or("truncated archive")?;
            members.push(Member {
                name,
                method: short(10)?,
                crc: field(16)?,
                compressed: field(20)? as usize,
                size: field(24)? as u64,
                mode: made_on_unix.then_some(field(38)? >> 16).filter(|m| *m != 0),
                offset: field(42)? as usize,
            });
            at += 46 + name_len + extra_len + comment_len;
        }
        Ok(members)
    }

    /// A relative path inside the archive, or `None` for one that would leave it.
    fn safe_path(name: &str) -> Option<&Path> {
        let path = Path::new(name);
        path.components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
            .then_some(path)
    }

    /// Extract `data` into `into` (which exists); at most `limit` bytes unzipped.
    pub fn extract(data: &[u8], into: &Path, limit: u64) -> Result<(), String> {
        let members = members(data)?;
        let declared: u64 = members.iter().map(|m| m.size).sum();
        if declared > limit {
            return Err(format!(
                "it unzips to {declared} bytes, over Lambda's {limit}-byte limit"
            ));
        }
        for member in members {
            let name = String::from_utf8_lossy(member.name);
            let path = safe_path(&name)
                .ok_or_else(|| format!("its .zip has an entry outside the layer: {name}"))?;
            let target = into.join(path);
            let io = |e: std::io::Error| format!("could not write {}: {e}", target.display());
            if name.ends_with('/') {
                std::fs::create_dir_all(&target).map_err(io)?;
                continue;
            }
            let local = member.offset;
            if u32_at(data, local) != Some(0x0403_4b50) {
                return Err(format!("its .zip's entry {name} is damaged"));
            }
            let start = local
                + 30
                + u16_at(data, local + 26).unwrap_or(0) as usize
                + u16_at(data, local + 28).unwrap_or(0) as usize;
            let raw = data
                .get(start..start + member.compressed)
                .ok_or_else(|| format!("its .zip's entry {name} is truncated"))?;
            let mut bytes = Vec::with_capacity(member.size as usize);
            match member.method {
                0 => bytes.extend_from_slice(raw),
                8 => {
                    flate2::read::DeflateDecoder::new(raw)
                        .take(member.size + 1)
                        .read_to_end(&mut bytes)
                        .map_err(|e| format!("its .zip's entry {name} does not inflate: {e}"))?;
                }
                other => {
                    return Err(format!(
                        "its .zip's entry {name} uses compression method {other}; Lambda's layers use deflate"
                    ))
                }
            }
            if bytes.len() as u64 != member.size || crc32fast::hash(&bytes) != member.crc {
                return Err(format!("its .zip's entry {name} fails its checksum"));
            }
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent).map_err(io)?;
            }
            let mode = member.mode.unwrap_or(0o100_644);
            if mode & 0o170_000 == 0o120_000 {
                // A symlink (shared libraries: libfoo.so -> libfoo.so.1), kept inside the layer.
                let link = String::from_utf8_lossy(&bytes).into_owned();
                let resolved = path.parent().unwrap_or(Path::new("")).join(&link);
                let inside = !Path::new(&link).is_absolute()
                    && resolved
                        .components()
                        .try_fold(0i32, |depth, c| match c {
                            Component::ParentDir => (depth > 0).then_some(depth - 1),
                            Component::Normal(_) => Some(depth + 1),
                            _ => Some(depth),
                        })
                        .is_some();
                if !inside {
                    return Err(format!(
                        "its .zip's symlink {name} points outside the layer"
                    ));
                }
                std::os::unix::fs::symlink(&link, &target).map_err(io)?;
                continue;
            }
            std::fs::write(&target, &bytes).map_err(io)?;
            use std::os::unix::fs::PermissionsExt;
            let permissions = std::fs::Permissions::from_mode((mode & 0o777) | 0o400);
            std::fs::set_permissions(&target, permissions).map_err(io)?;
        }
        Ok(())
    }

    #[cfg(test)]
    pub(super) mod tests {
        /// A .zip of `(name, content, unix mode)` written by Python's zipfile (a reference
        /// writer lambda-ls did not write).
        pub fn python_zip(entries: &[(&str, &str, u32)]) -> Vec<u8> {
            let spec = serde_json::to_string(entries).unwrap();
            let output = std::process::Command::new("python3")
                .args([
                    "-c",
                    "import io, json, sys, zipfile\nbuf = io.BytesIO()\nwith zipfile.ZipFile(buf, 'w', zipfile.ZIP_DEFLATED) as z:\n    for name, text, mode in json.loads(sys.argv[1]):\n        info = zipfile.ZipInfo(name)\n        info.external_attr = mode << 16\n        info.create_system = 3\n        info.compress_type = zipfile.ZIP_DEFLATED\n        z.writestr(info, text)\nsys.stdout.buffer.write(buf.getvalue())\n",
                    &spec,
                ])
                .output()
                .unwrap();
            assert!(output.status.success());
            output.stdout
        }
    }
}

#[cfg(test)]
mod tests {
    use super::unzip::tests::python_zip;
    use super::*;

    #[test]
    fn layer_arns_are_checked() {
        assert_eq!(
            arn_region("arn:aws:lambda:eu-west-1:123456789012:layer:pandas:3"),
            Some("eu-west-1")
        );
        for bad in [
            "arn:aws:lambda:eu-west-1:123456789012:layer:pandas",
            "arn:aws:lambda:eu-west-1:123456789012:function:pandas:3",
            "arn:aws:lambda:eu-west-1:1234:layer:pandas:3",
            "arn:aws:lambda:eu-west-1:123456789012:layer:pandas:latest",
        ] {
            assert_eq!(arn_region(bad), None, "{bad}");
        }
    }

    #[test]
    fn layers_unpack_with_modes_and_links_and_lay_out_like_opt() {
        let temp = tempfile::tempdir().unwrap();
        let zip = python_zip(&[
            (
                "python/lib/python3.12/site-packages/fastjson.py",
                "X = 1\n",
                0o100_644,
            ),
            ("python/helpers.py", "Y = 2\n", 0o100_644),
            ("bin/tool", "#!/bin/sh\necho hi\n", 0o100_755),
            ("lib/libfoo.so.1", "elf", 0o100_644),
            ("lib/libfoo.so", "libfoo.so.1", 0o120_777),
        ]);
        let entry = temp.path().join("layers/a");
        unpack("arn:x", &zip, &entry).unwrap();
        let opt = entry.join("opt");
        let mode = |p: &str| {
            use std::os::unix::fs::PermissionsExt;
            std::fs::metadata(opt.join(p)).unwrap().permissions().mode() & 0o777
        };
        assert_eq!(mode("bin/tool"), 0o755);
        assert_eq!(mode("python/helpers.py"), 0o644);
        assert_eq!(
            std::fs::read_link(opt.join("lib/libfoo.so")).unwrap(),
            Path::new("libfoo.so.1")
        );
        assert_eq!(
            std::fs::read_to_string(opt.join("lib/libfoo.so")).unwrap(),
            "elf"
        );

        let second = temp.path().join("layers/b/opt");
        std::fs::create_dir_all(second.join("python")).unwrap();
        let paths = python_paths(&[opt.clone(), second.clone()], "3.12");
        assert_eq!(
            paths,
            [
                opt.join("python/lib/python3.12/site-packages"),
                second.join("python"),
                opt.join("python"),
            ],
            "site-packages first, later layers first"
        );
        assert_eq!(
            bin_and_lib(std::slice::from_ref(&opt)),
            (vec![opt.join("bin")], vec![opt.join("lib")])
        );
    }

    #[test]
    fn archives_that_would_escape_or_lie_are_refused() {
        let temp = tempfile::tempdir().unwrap();
        let escape = python_zip(&[("../evil.py", "x", 0o100_644)]);
        let error = unpack("arn:x", &escape, &temp.path().join("e")).unwrap_err();
        assert!(error.to_string().contains("outside the layer"), "{error}");
        assert!(!temp.path().join("evil.py").exists());
        assert!(
            !temp.path().join("e").exists(),
            "nothing half-unpacked is kept"
        );
        let link = python_zip(&[("lib/x.so", "../../../etc/passwd", 0o120_777)]);
        let error = unpack("arn:x", &link, &temp.path().join("l")).unwrap_err();
        assert!(error.to_string().contains("points outside"), "{error}");
        let error = unpack("arn:x", b"not a zip", &temp.path().join("n")).unwrap_err();
        assert!(error.to_string().contains("not a .zip"), "{error}");
        let mut corrupt = python_zip(&[("python/a.py", "A = 1\nB = 2\nC = 3\n", 0o100_644)]);
        // The first local header is at 0: damage its deflated data.
        let name_len = u16::from_le_bytes([corrupt[26], corrupt[27]]) as usize;
        let extra_len = u16::from_le_bytes([corrupt[28], corrupt[29]]) as usize;
        corrupt[30 + name_len + extra_len + 2] ^= 0x55;
        assert!(unpack("arn:x", &corrupt, &temp.path().join("c")).is_err());
    }
}
