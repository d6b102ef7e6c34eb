//! The deterministic .zip writer: entries in the order given (the caller sorts them),
//! fixed timestamps and modes, no extra fields, each entry's deflate stream compressed on
//! a pool of threads and written in order. Output goes to an anonymous file in the output
//! folder that only gets a name once complete, so an interrupted build leaves nothing.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;

use sha2::{Digest, Sha256};

/// 1980-01-01 00:00:00, the earliest date a zip can hold: the same on every machine.
const DOS_DATE: u16 = (1 << 5) | 1;
const DOS_TIME: u16 = 0;
/// "Made by" Unix (3), spec version 2.0: readers then honour the Unix modes we set.
const VERSION_MADE_BY: u16 = (3 << 8) | 20;
const VERSION_NEEDED: u16 = 20;
const METHOD_STORED: u16 = 0;
const METHOD_DEFLATED: u16 = 8;
/// General purpose flag bit 11: the name is UTF-8.
const FLAG_UTF8: u16 = 1 << 11;
/// The classic format's limits; Lambda's own limits sit far below them.
const MAX_ENTRIES: usize = u16::MAX as usize;
const MAX_SIZE: u64 = u32::MAX as u64 - 1;

/// One entry of the archive.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Path inside the archive, `/`-separated; folders end with `/`.
    pub name: String,
    /// The file whose bytes go in; `None` for a folder.
    pub source: Option<PathBuf>,
    /// Mode 0755 rather than 0644 (folders are always 0755).
    pub executable: bool,
    /// Already compressed data to copy instead of compressing `source` again.
    pub reuse: Option<Reuse>,
}

/// An entry's compressed data, kept from an earlier archive (installed dependencies do not
/// change, so their compressed bytes are kept in the cache next to them).
#[derive(Debug, Clone)]
pub struct Reuse {
    /// The file holding the data (an earlier archive).
    pub store: PathBuf,
    pub record: EntrySize,
}

/// What was written for one entry.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct EntrySize {
    pub uncompressed: u64,
    /// Bytes of (compressed) data, headers not included.
    pub compressed: u64,
    pub crc32: u32,
    /// 0 stored, 8 deflated.
    pub method: u16,
    /// Where the data starts in the archive.
    pub data_offset: u64,
}

/// The finished archive.
#[derive(Debug, Clone)]
pub struct Written {
    /// SHA-256 of the whole file (what Lambda reports as `CodeSha256`, base64-encoded).
    pub sha256: [u8; 32],
    /// Size of the whole file.
    pub size: u64,
    /// One per entry, in entry order.
    pub entries: Vec<EntrySize>,
}

/// Why the archive could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("could not read {path}: {source}")]
    Read { path: PathBuf, source: io::Error },
    #[error("could not write {path}: {source}")]
    Write { path: PathBuf, source: io::Error },
    #[error("{0}")]
    TooBig(String),
}

struct Compressed {
    crc32: u32,
    uncompressed: u64,
    method: u16,
    data: Vec<u8>,
}

/// Files are compressed in pieces of this size (each a separate job for the pool), so one
/// large shared library does not keep a single thread busy while the others idle. Fixed,
/// so that the bytes never depend on the number of threads.
const CHUNK: u64 = 1 << 20;
/// Deflate's window: each piece is primed with the 32 KiB before it, as pigz does, so
/// splitting costs almost nothing in size.
const WINDOW: u64 = 32 << 10;

/// One piece of one entry, compressed.
struct Piece {
    crc: crc32fast::Hasher,
    uncompressed: u64,
    deflated: Vec<u8>,
    /// The raw bytes, kept only when deflate did not shrink them.
    raw: Option<Vec<u8>>,
    /// The whole entry, copied from a store.
    reused: Option<Compressed>,
}

/// Read and deflate piece `index` of `entry` (of `size` bytes): the piece's bytes primed
/// with the window before them, ended with a sync flush (byte-aligned, so the pieces
/// concatenate into one deflate stream) or, for the last piece, the final block.
fn compress_piece(entry: &Entry, size: u64, index: u64, level: u32) -> Result<Piece, ArchiveError> {
    if let Some(reuse) = &entry.reuse {
        return read_reused(reuse);
    }
    let Some(path) = &entry.source else {
        return Ok(Piece {
            crc: crc32fast::Hasher::new(),
            uncompressed: 0,
            deflated: Vec::new(),
            raw: Some(Vec::new()),
            reused: None,
        });
    };
    let read_error = |source| ArchiveError::Read {
        path: path.clone(),
        source,
    };
    let start = index * CHUNK;
    let end = (start + CHUNK).min(size);
    let window_start = start.saturating_sub(WINDOW);
    let mut bytes = vec![0; (end - window_start) as usize];
    let file = File::open(path).map_err(read_error)?;
    use std::os::unix::fs::FileExt;
    {
        file.read_exact_at(&mut bytes, window_start)
            .map_err(|e| read_error(changed(e)))?;
    }
    if end == size && size > 0 {
        // The file must not have grown since it was measured.
        let mut probe = [0u8; 1];
        if file.read_at(&mut probe, size).map_err(read_error)? != 0 {
            return Err(read_error(changed(io::ErrorKind::InvalidData.into())));
        }
    }
    let (dictionary, input) = bytes.split_at((start - window_start) as usize);
    let mut crc = crc32fast::Hasher::new();
    crc.update(input);
    let last = end == size;
    let deflated = if input.is_empty() && !last {
        Vec::new()
    } else {
        deflate(input, dictionary, last, level).map_err(read_error)?
    };
    let raw = (deflated.len() >= input.len()).then(|| input.to_vec());
    Ok(Piece {
        crc,
        uncompressed: input.len() as u64,
        deflated,
        raw,
        reused: None,
    })
}

fn read_reused(reuse: &Reuse) -> Result<Piece, ArchiveError> {
    use std::os::unix::fs::FileExt;
    let record = reuse.record;
    let mut data = vec![0; record.compressed as usize];
    File::open(&reuse.store)
        .and_then(|f| f.read_exact_at(&mut data, record.data_offset))
        .map_err(|source| ArchiveError::Read {
            path: reuse.store.clone(),
            source,
        })?;
    Ok(Piece {
        crc: crc32fast::Hasher::new(),
        uncompressed: record.uncompressed,
        deflated: Vec::new(),
        raw: None,
        reused: Some(Compressed {
            crc32: record.crc32,
            uncompressed: record.uncompressed,
            method: record.method,
            data,
        }),
    })
}

fn changed(error: io::Error) -> io::Error {
    if error.kind() == io::ErrorKind::UnexpectedEof || error.kind() == io::ErrorKind::InvalidData {
        io::Error::other("the file changed while it was being packaged; build again")
    } else {
        error
    }
}

/// Raw deflate of `input` with `dictionary` as the preceding window.
fn deflate(input: &[u8], dictionary: &[u8], last: bool, level: u32) -> io::Result<Vec<u8>> {
    use flate2::{Compress, Compression, FlushCompress, Status};
    let mut compress = Compress::new(Compression::new(level), false);
    if !dictionary.is_empty() {
        compress
            .set_dictionary(dictionary)
            .map_err(io::Error::other)?;
    }
    let flush = if last {
        FlushCompress::Finish
    } else {
        FlushCompress::Sync
    };
    let mut out = Vec::with_capacity(input.len() / 2 + 1024);
    loop {
        if out.len() == out.capacity() {
            out.reserve(out.capacity().max(64 << 10));
        }
        let consumed = compress.total_in() as usize;
        let status = compress
            .compress_vec(&input[consumed..], &mut out, flush)
            .map_err(io::Error::other)?;
        let all_in = compress.total_in() as usize == input.len();
        match status {
            Status::StreamEnd => break,
            // A sync flush is complete once all input is in and output space was left over.
            _ if !last && all_in && out.len() < out.capacity() => break,
            _ => {}
        }
    }
    Ok(out)
}

/// Put an entry's pieces together: deflated, or stored when no piece shrank (as Info-ZIP
/// stores already compressed data).
fn assemble(mut pieces: Vec<Piece>) -> Compressed {
    if let Some(reused) = pieces.first_mut().and_then(|p| p.reused.take()) {
        return reused;
    }
    let mut crc = crc32fast::Hasher::new();
    let mut uncompressed = 0;
    let stored = pieces.iter().all(|p| p.raw.is_some());
    let mut data = Vec::new();
    for piece in pieces {
        crc.combine(&piece.crc);
        uncompressed += piece.uncompressed;
        if stored {
            data.extend_from_slice(piece.raw.as_deref().unwrap_or_default());
        } else {
            data.extend_from_slice(&piece.deflated);
        }
    }
    Compressed {
        crc32: crc.finalize(),
        uncompressed,
        method: if stored {
            METHOD_STORED
        } else {
            METHOD_DEFLATED
        },
        data,
    }
}

/// Counts and hashes everything written through it.
struct HashingWriter<W> {
    inner: W,
    hasher: Sha256,
    written: u64,
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.written += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

struct CentralRecord {
    name: String,
    flags: u16,
    method: u16,
    crc32: u32,
    compressed: u32,
    uncompressed: u32,
    external_attributes: u32,
    offset: u32,
}

fn external_attributes(entry: &Entry) -> u32 {
    // Unix mode in the high 16 bits; the MS-DOS directory bit for folders.
    if entry.source.is_none() {
        (0o040755 << 16) | 0x10
    } else if entry.executable {
        0o100755 << 16
    } else {
        0o100644 << 16
    }
}

fn too_big(what: &str) -> ArchiveError {
    ArchiveError::TooBig(format!(
        "{what} is beyond what a zip without zip64 holds (65535 entries, 4 GB): far beyond \
         Lambda's 250 MB limit too; trim the package (exclude globs, layers) or use a container image"
    ))
}

/// Write `entries` (already in their final order) as a zip at `output`, compressing on
/// `threads` threads at deflate `level`. Atomic: `output` appears complete or not at all.
pub fn write(
    entries: &[Entry],
    output: &Path,
    level: u32,
    threads: usize,
) -> Result<Written, ArchiveError> {
    if entries.len() > MAX_ENTRIES {
        return Err(too_big(&format!("{} files", entries.len())));
    }
    let write_error = |source| ArchiveError::Write {
        path: output.to_path_buf(),
        source,
    };
    let pending = PendingFile::create(output).map_err(write_error)?;
    let file = pending.file.try_clone().map_err(write_error)?;
    let mut out = HashingWriter {
        inner: BufWriter::with_capacity(1 << 20, file),
        hasher: Sha256::new(),
        written: 0,
    };
    let mut central = Vec::with_capacity(entries.len());
    let mut sizes = Vec::with_capacity(entries.len());

    // Every entry is split into pieces: the jobs of the thread pool.
    let mut jobs: Vec<(usize, u64, u64)> = Vec::new(); // (entry, piece, entry size)
    let mut pieces_of = Vec::with_capacity(entries.len());
    for (index, entry) in entries.iter().enumerate() {
        let size = match &entry.source {
            _ if entry.reuse.is_some() => 0,
            Some(path) => std::fs::metadata(path)
                .map_err(|source| ArchiveError::Read {
                    path: path.clone(),
                    source,
                })?
                .len(),
            None => 0,
        };
        let pieces = size.div_ceil(CHUNK).max(1);
        pieces_of.push(pieces as usize);
        jobs.extend((0..pieces).map(|piece| (index, piece, size)));
    }

    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let threads = threads.clamp(1, jobs.len().max(1));
    let result: Result<(), ArchiveError> = std::thread::scope(|scope| {
        type Done = (usize, Result<Piece, ArchiveError>);
        let (sender, receiver) = mpsc::channel::<Done>();
        for _ in 0..threads {
            let sender = sender.clone();
            let (next, failed, jobs) = (&next, &failed, &jobs);
            scope.spawn(move || loop {
                let job = next.fetch_add(1, Ordering::Relaxed);
                if job >= jobs.len() || failed.load(Ordering::Relaxed) {
                    break;
                }
                let (entry, piece, size) = jobs[job];
                let done = compress_piece(&entries[entry], size, piece, level);
                if sender.send((job, done)).is_err() {
                    break;
                }
            });
        }
        drop(sender);
        // Pieces arrive in any order; entries are written in order once all their
        // pieces are in.
        let mut waiting: BTreeMap<usize, Piece> = BTreeMap::new();
        let mut next_job = 0;
        let mut to_write = 0;
        let outcome = (|| {
            for (job, piece) in receiver.iter() {
                waiting.insert(job, piece?);
                while to_write < entries.len()
                    && (next_job..next_job + pieces_of[to_write]).all(|j| waiting.contains_key(&j))
                {
                    let pieces = (next_job..next_job + pieces_of[to_write])
                        .filter_map(|j| waiting.remove(&j))
                        .collect();
                    let compressed = assemble(pieces);
                    let entry = &entries[to_write];
                    let record = write_local(&mut out, entry, &compressed).map_err(write_error)?;
                    sizes.push(EntrySize {
                        uncompressed: compressed.uncompressed,
                        compressed: compressed.data.len() as u64,
                        crc32: compressed.crc32,
                        method: compressed.method,
                        data_offset: record.offset as u64 + 30 + entry.name.len() as u64,
                    });
                    central.push(record);
                    next_job += pieces_of[to_write];
                    to_write += 1;
                }
            }
            Ok(())
        })();
        if outcome.is_err() {
            failed.store(true, Ordering::Relaxed);
        }
        outcome
    });
    result?;

    let central_offset = out.written;
    for record in &central {
        write_central(&mut out, record).map_err(write_error)?;
    }
    let central_size = out.written - central_offset;
    if central_offset > MAX_SIZE || central_size > MAX_SIZE {
        return Err(too_big("the archive"));
    }
    let count = central.len() as u16;
    let mut end = Vec::with_capacity(22);
    end.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    end.extend_from_slice(&0u16.to_le_bytes());
    end.extend_from_slice(&0u16.to_le_bytes());
    end.extend_from_slice(&count.to_le_bytes());
    end.extend_from_slice(&count.to_le_bytes());
    end.extend_from_slice(&(central_size as u32).to_le_bytes());
    end.extend_from_slice(&(central_offset as u32).to_le_bytes());
    end.extend_from_slice(&0u16.to_le_bytes());
    out.write_all(&end).map_err(write_error)?;
    out.flush().map_err(write_error)?;
    let HashingWriter {
        inner,
        hasher,
        written: size,
    } = out;
    drop(inner);
    let sha256 = hasher.finalize().into();
    pending.publish(output).map_err(write_error)?;
    Ok(Written {
        sha256,
        size,
        entries: sizes,
    })
}

fn write_local<W: Write>(
    out: &mut HashingWriter<W>,
    entry: &Entry,
    compressed: &Compressed,
) -> io::Result<CentralRecord> {
    let offset = out.written;
    if offset > MAX_SIZE
        || compressed.uncompressed > MAX_SIZE
        || compressed.data.len() as u64 > MAX_SIZE
    {
        return Err(io::Error::other(too_big(&entry.name).to_string()));
    }
    let flags = if entry.name.is_ascii() { 0 } else { FLAG_UTF8 };
    let record = CentralRecord {
        name: entry.name.clone(),
        flags,
        method: compressed.method,
        crc32: compressed.crc32,
        compressed: compressed.data.len() as u32,
        uncompressed: compressed.uncompressed as u32,
        external_attributes: external_attributes(entry),
        offset: offset as u32,
    };
    let mut header = Vec::with_capacity(30 + entry.name.len());
    header.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
    header.extend_from_slice(&VERSION_NEEDED.to_le_bytes());
    header.extend_from_slice(&record.flags.to_le_bytes());
    header.extend_from_slice(&record.method.to_le_bytes());
    header.extend_from_slice(&DOS_TIME.to_le_bytes());
    header.extend_from_slice(&DOS_DATE.to_le_bytes());
    header.extend_from_slice(&record.crc32.to_le_bytes());
    header.extend_from_slice(&record.compressed.to_le_bytes());
    header.extend_from_slice(&record.uncompressed.to_le_bytes());
    header.extend_from_slice(&(entry.name.len() as u16).to_le_bytes());
    header.extend_from_slice(&0u16.to_le_bytes());
    header.extend_from_slice(entry.name.as_bytes());
    out.write_all(&header)?;
    out.write_all(&compressed.data)?;
    Ok(record)
}

fn write_central<W: Write>(out: &mut HashingWriter<W>, record: &CentralRecord) -> io::Result<()> {
    let mut header = Vec::with_capacity(46 + record.name.len());
    header.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
    header.extend_from_slice(&VERSION_MADE_BY.to_le_bytes());
    header.extend_from_slice(&VERSION_NEEDED.to_le_bytes());
    header.extend_from_slice(&record.flags.to_le_bytes());
    header.extend_from_slice(&record.method.to_le_bytes());
    header.extend_from_slice(&DOS_TIME.to_le_bytes());
    header.extend_from_slice(&DOS_DATE.to_le_bytes());
    header.extend_from_slice(&record.crc32.to_le_bytes());
    header.extend_from_slice(&record.compressed.to_le_bytes());
    header.extend_from_slice(&record.uncompressed.to_le_bytes());
    header.extend_from_slice(&(record.name.len() as u16).to_le_bytes());
    header.extend_from_slice(&0u16.to_le_bytes()); // extra field length
    header.extend_from_slice(&0u16.to_le_bytes()); // comment length
    header.extend_from_slice(&0u16.to_le_bytes()); // disk number
    header.extend_from_slice(&0u16.to_le_bytes()); // internal attributes
    header.extend_from_slice(&record.external_attributes.to_le_bytes());
    header.extend_from_slice(&record.offset.to_le_bytes());
    header.extend_from_slice(record.name.as_bytes());
    out.write_all(&header)
}

/// A file being written in the output folder that has no name until `publish`: on Linux
/// an `O_TMPFILE` file (nothing is left behind even when the process is killed), elsewhere
/// a hidden temporary name removed on drop.
struct PendingFile {
    file: File,
    temp_path: Option<PathBuf>,
}

impl PendingFile {
    fn create(output: &Path) -> io::Result<PendingFile> {
        let dir = parent_dir(output);
        #[cfg(target_os = "linux")]
        {
            use std::os::unix::fs::OpenOptionsExt;
            let anonymous = std::fs::OpenOptions::new()
                .write(true)
                .mode(0o644)
                .custom_flags(libc::O_TMPFILE)
                .open(dir);
            if let Ok(file) = anonymous {
                return Ok(PendingFile {
                    file,
                    temp_path: None,
                });
            }
        }
        let temp_path = temp_name(output);
        let file = File::create(&temp_path)?;
        Ok(PendingFile {
            file,
            temp_path: Some(temp_path),
        })
    }

    /// Give the finished file its name, replacing any previous file there.
    fn publish(mut self, output: &Path) -> io::Result<()> {
        self.file.sync_all()?;
        match self.temp_path.take() {
            Some(temp) => {
                let renamed = std::fs::rename(&temp, output);
                if renamed.is_err() {
                    let _ = std::fs::remove_file(&temp);
                }
                renamed
            }
            None => link_anonymous(&self.file, output),
        }
    }
}

impl Drop for PendingFile {
    fn drop(&mut self) {
        if let Some(temp) = &self.temp_path {
            let _ = std::fs::remove_file(temp);
        }
    }
}

fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

fn temp_name(output: &Path) -> PathBuf {
    let name = output
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    parent_dir(output).join(format!(".{name}.{}.tmp", std::process::id()))
}

/// Link an `O_TMPFILE` file into the folder under `output`'s name (through a temporary
/// name and a rename when `output` already exists, since `linkat` never replaces).
#[cfg(target_os = "linux")]
fn link_anonymous(file: &File, output: &Path) -> io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::io::AsRawFd;
    let link = |target: &Path| -> io::Result<()> {
        let proc_path = CString::new(format!("/proc/self/fd/{}", file.as_raw_fd()))?;
        let target = CString::new(target.as_os_str().as_bytes())?;
        // SAFETY: both pointers are valid NUL-terminated strings for the call's duration.
        let rc = unsafe {
            libc::linkat(
                libc::AT_FDCWD,
                proc_path.as_ptr(),
                libc::AT_FDCWD,
                target.as_ptr(),
                libc::AT_SYMLINK_FOLLOW,
            )
        };
        if rc == 0 {
            Ok(())
        } else {
            Err(io::Error::last_os_error())
        }
    };
    match link(output) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            let temp = temp_name(output);
            let _ = std::fs::remove_file(&temp);
            link(&temp)?;
            std::fs::rename(&temp, output).inspect_err(|_| {
                let _ = std::fs::remove_file(&temp);
            })
        }
        Err(e) => Err(e),
    }
}

#[cfg(not(target_os = "linux"))]
fn link_anonymous(_file: &File, _output: &Path) -> io::Result<()> {
    unreachable!("anonymous files are only created on Linux")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries_in(dir: &Path, files: &[(&str, &[u8])]) -> Vec<Entry> {
        files
            .iter()
            .map(|(name, bytes)| {
                let path = dir.join(name.replace('/', "_"));
                std::fs::write(&path, bytes).unwrap();
                Entry {
                    name: name.to_string(),
                    source: Some(path),
                    executable: false,
                    reuse: None,
                }
            })
            .collect()
    }

    #[test]
    fn same_inputs_give_the_same_bytes_whatever_the_thread_count() {
        let dir = tempfile::tempdir().unwrap();
        let big = "hello lambda ".repeat(10_000);
        let mut entries = entries_in(
            dir.path(),
            &[
                ("a.py", b"print(1)\n"),
                ("b/big.txt", big.as_bytes()),
                ("e", b""),
            ],
        );
        entries.insert(
            1,
            Entry {
                name: "b/".into(),
                source: None,
                executable: false,
                reuse: None,
            },
        );
        let one = write(&entries, &dir.path().join("one.zip"), 6, 1).unwrap();
        let four = write(&entries, &dir.path().join("four.zip"), 6, 4).unwrap();
        assert_eq!(one.sha256, four.sha256);
        let bytes = std::fs::read(dir.path().join("one.zip")).unwrap();
        assert_eq!(bytes, std::fs::read(dir.path().join("four.zip")).unwrap());
        assert_eq!(one.size, bytes.len() as u64);
        assert_eq!(one.entries[2].uncompressed, big.len() as u64);
        assert!(one.entries[2].compressed < 1000, "repetitive text deflates");
        // Rewriting over an existing file replaces it.
        let again = write(&entries, &dir.path().join("one.zip"), 6, 2).unwrap();
        assert_eq!(again.sha256, one.sha256);
    }

    /// The single entry's data, read back from a one-entry zip.
    fn only_entry(zip: &[u8]) -> (u16, u32, Vec<u8>) {
        let method = u16::from_le_bytes([zip[8], zip[9]]);
        let crc = u32::from_le_bytes(zip[14..18].try_into().unwrap());
        let size = u32::from_le_bytes(zip[18..22].try_into().unwrap()) as usize;
        let name_len = u16::from_le_bytes([zip[26], zip[27]]) as usize;
        let data = zip[30 + name_len..30 + name_len + size].to_vec();
        (method, crc, data)
    }

    #[test]
    fn large_files_are_deflated_in_pieces_that_form_one_valid_stream() {
        use std::io::Read as _;
        let dir = tempfile::tempdir().unwrap();
        // 3.5 pieces of text that repeats across piece boundaries.
        let text: Vec<u8> = (0..(CHUNK * 7 / 2))
            .map(|i| b"lambda handler event context "[(i % 29) as usize] ^ ((i / 4096 % 3) as u8))
            .collect();
        let entries = entries_in(dir.path(), &[("big.txt", &text)]);
        let zip_path = dir.path().join("big.zip");
        let written = write(&entries, &zip_path, 6, 3).unwrap();
        let (method, crc, data) = only_entry(&std::fs::read(&zip_path).unwrap());
        assert_eq!(method, METHOD_DEFLATED);
        assert_eq!(crc, crc32fast::hash(&text));
        let mut inflated = Vec::new();
        flate2::read::DeflateDecoder::new(&data[..])
            .read_to_end(&mut inflated)
            .unwrap();
        assert!(inflated == text, "round trip");
        assert!(written.entries[0].compressed < text.len() as u64 / 20);
        let one_thread = write(&entries, &dir.path().join("one.zip"), 6, 1).unwrap();
        assert_eq!(one_thread.sha256, written.sha256);
    }

    #[test]
    fn reused_data_gives_the_same_bytes_as_compressing_again() {
        let dir = tempfile::tempdir().unwrap();
        let big = "pandas numpy ".repeat(200_000);
        let entries = entries_in(
            dir.path(),
            &[("a.py", b"a = 1\n"), ("big.txt", big.as_bytes())],
        );
        let first_path = dir.path().join("first.zip");
        let first = write(&entries, &first_path, 6, 2).unwrap();
        let mut reusing = entries.clone();
        reusing[1].reuse = Some(Reuse {
            store: first_path.clone(),
            record: first.entries[1],
        });
        // The source is gone: the bytes can only come from the store.
        std::fs::remove_file(reusing[1].source.as_ref().unwrap()).unwrap();
        let second = write(&reusing, &dir.path().join("second.zip"), 6, 2).unwrap();
        assert_eq!(second.sha256, first.sha256);
    }

    #[test]
    fn large_incompressible_files_are_stored() {
        let dir = tempfile::tempdir().unwrap();
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let noise: Vec<u8> = (0..CHUNK * 2 + 17)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state >> 24) as u8
            })
            .collect();
        let entries = entries_in(dir.path(), &[("noise.bin", &noise)]);
        let zip_path = dir.path().join("noise.zip");
        write(&entries, &zip_path, 6, 2).unwrap();
        let (method, crc, data) = only_entry(&std::fs::read(&zip_path).unwrap());
        assert_eq!(method, METHOD_STORED);
        assert_eq!(crc, crc32fast::hash(&noise));
        assert!(data == noise);
    }

    #[test]
    fn a_failure_mid_write_leaves_no_file_behind() {
        let dir = tempfile::tempdir().unwrap();
        let out_dir = dir.path().join("out");
        std::fs::create_dir(&out_dir).unwrap();
        let mut entries = entries_in(dir.path(), &[("a.py", b"x = 1\n"), ("b.py", b"y = 2\n")]);
        entries.push(Entry {
            name: "gone.py".into(),
            source: Some(dir.path().join("deleted-before-write.py")),
            executable: false,
            reuse: None,
        });
        let error = write(&entries, &out_dir.join("f.zip"), 6, 2).unwrap_err();
        assert!(matches!(error, ArchiveError::Read { .. }), "{error}");
        assert_eq!(std::fs::read_dir(&out_dir).unwrap().count(), 0);
    }
}
