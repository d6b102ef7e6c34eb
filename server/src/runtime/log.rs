//! An invocation's log kept in bounded memory, whatever the function prints: its beginning
//! (notes, init output, START) and its end (the last output, END, REPORT) are kept, what lies
//! between is counted and left out. The whole log goes to the live sink as it is written
//! (the CLI's stderr, the editor's log file); this is what is kept afterwards.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use super::LogSink;

/// Bytes kept from the beginning of a log.
pub const HEAD_BYTES: usize = 16 * 1024;
/// Bytes kept from the end of a log.
pub const TAIL_BYTES: usize = 256 * 1024;

/// A log of bounded size: the first [`HEAD_BYTES`] and the last [`TAIL_BYTES`].
#[derive(Debug, Default, Clone)]
pub struct BoundedLog {
    head: Vec<u8>,
    /// The last bytes; may hold up to twice `TAIL_BYTES` before it is trimmed (amortised).
    tail: Vec<u8>,
    /// Bytes dropped between head and tail.
    left_out: u64,
}

impl BoundedLog {
    pub fn push(&mut self, mut bytes: &[u8]) {
        if self.head.len() < HEAD_BYTES {
            let take = bytes.len().min(HEAD_BYTES - self.head.len());
            self.head.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
        }
        if bytes.len() >= TAIL_BYTES {
            self.left_out += (self.tail.len() + bytes.len() - TAIL_BYTES) as u64;
            self.tail.clear();
            self.tail
                .extend_from_slice(&bytes[bytes.len() - TAIL_BYTES..]);
            return;
        }
        self.tail.extend_from_slice(bytes);
        if self.tail.len() > 2 * TAIL_BYTES {
            let excess = self.tail.len() - TAIL_BYTES;
            self.left_out += excess as u64;
            self.tail.drain(..excess);
        }
    }

    pub fn push_str(&mut self, text: &str) {
        self.push(text.as_bytes());
    }

    pub fn is_empty(&self) -> bool {
        self.head.is_empty()
    }

    /// Whether the last byte kept is a line break (or nothing was written).
    pub fn ends_with_newline(&self) -> bool {
        match self.tail.last().or(self.head.last()) {
            Some(byte) => *byte == b'\n',
            None => true,
        }
    }

    /// The log as text, a line saying how much was left out where it was.
    pub fn text(&self) -> String {
        let kept = if self.tail.len() > TAIL_BYTES {
            &self.tail[self.tail.len() - TAIL_BYTES..]
        } else {
            &self.tail[..]
        };
        let left_out = self.left_out + (self.tail.len() - kept.len()) as u64;
        let mut text = String::from_utf8_lossy(&self.head).into_owned();
        if left_out > 0 {
            if !text.ends_with('\n') {
                text.push('\n');
            }
            text.push_str(&format!(
                "lambda-ls: … {left_out} bytes of log left out here (the whole log was shown live) …\n"
            ));
            // Start the tail at a line boundary when there is one near.
            let start = kept
                .iter()
                .take(4096)
                .position(|b| *b == b'\n')
                .map_or(0, |i| i + 1);
            text.push_str(&String::from_utf8_lossy(&kept[start..]));
        } else {
            text.push_str(&String::from_utf8_lossy(kept));
        }
        text
    }
}

/// The largest log file written: a function printing in a loop fills no disk.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// How many log files are kept in the logs folder (the newest).
const KEEP_FILES: usize = 20;

/// A file receiving an invocation's whole log as it is written (the editor's "full log"),
/// through the [`LogSink`] it gives; at most [`MAX_FILE_BYTES`].
pub struct LogFile {
    pub path: PathBuf,
    writer: Arc<Mutex<FileWriter>>,
}

struct FileWriter {
    out: std::io::BufWriter<std::fs::File>,
    written: u64,
    /// Everything the sink was given, written or not.
    seen: u64,
}

impl LogFile {
    /// A new file `<name>-<time>.log` in `dir` (created), the oldest files beyond the last
    /// [`KEEP_FILES`] removed.
    pub fn create(dir: &Path, name: &str) -> std::io::Result<LogFile> {
        std::fs::create_dir_all(dir)?;
        prune(dir);
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let safe: String = name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let path = dir.join(format!(
            "{safe}-{}-{}.log",
            super::ids::epoch_millis(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let file = std::fs::File::create(&path)?;
        Ok(LogFile {
            path,
            writer: Arc::new(Mutex::new(FileWriter {
                out: std::io::BufWriter::new(file),
                written: 0,
                seen: 0,
            })),
        })
    }

    /// The sink that writes to the file.
    pub fn sink(&self) -> LogSink {
        let writer = self.writer.clone();
        Arc::new(move |bytes: &[u8]| {
            let mut writer = writer.lock().unwrap_or_else(|e| e.into_inner());
            writer.seen += bytes.len() as u64;
            let room = MAX_FILE_BYTES.saturating_sub(writer.written);
            if room == 0 {
                return;
            }
            let take = bytes.len().min(room as usize);
            if writer.out.write_all(&bytes[..take]).is_ok() {
                writer.written += take as u64;
            }
        })
    }

    /// Flush the file (saying where it stops if the log was longer); the log's whole size.
    pub fn finish(&self) -> u64 {
        let mut writer = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        if writer.seen > writer.written {
            let note = format!(
                "\nlambda-ls: the log file stops here, after {} MB; the log was {} bytes\n",
                MAX_FILE_BYTES / (1024 * 1024),
                writer.seen
            );
            let _ = writer.out.write_all(note.as_bytes());
        }
        let _ = writer.out.flush();
        writer.seen
    }
}

/// Remove all but the newest [`KEEP_FILES`] - 1 `.log` files of `dir` (one is about to be added).
fn prune(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut files: Vec<(std::time::SystemTime, PathBuf)> = entries
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "log"))
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .collect();
    files.sort();
    let excess = files.len().saturating_sub(KEEP_FILES - 1);
    for (_, path) in files.into_iter().take(excess) {
        let _ = std::fs::remove_file(path);
    }
}

/// The last `limit` bytes of `text` at a character boundary (the console's Test tab shows
/// the last 4 KB of a log).
pub fn last_bytes(text: &str, limit: usize) -> &str {
    if text.len() <= limit {
        return text;
    }
    let mut start = text.len() - limit;
    while !text.is_char_boundary(start) {
        start += 1;
    }
    &text[start..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_logs_are_kept_whole() {
        let mut log = BoundedLog::default();
        log.push_str("START\n");
        log.push_str("hello\n");
        assert_eq!(log.text(), "START\nhello\n");
        assert!(log.ends_with_newline());
    }

    #[test]
    fn large_logs_keep_their_beginning_and_end_in_bounded_memory() {
        let mut log = BoundedLog::default();
        log.push_str("START RequestId: x\n");
        let line = "0123456789abcdef".repeat(4) + "\n";
        for _ in 0..100_000 {
            log.push_str(&line);
        }
        log.push_str("END RequestId: x\n");
        assert!(log.head.len() + log.tail.len() <= HEAD_BYTES + 2 * TAIL_BYTES);
        let text = log.text();
        assert!(text.starts_with("START RequestId: x\n"));
        assert!(text.ends_with(&format!("{line}END RequestId: x\n")));
        assert!(text.contains("bytes of log left out here"));
        assert!(text.len() < HEAD_BYTES + TAIL_BYTES + 200);
        // One huge write at once is bounded too.
        log.push(&vec![b'x'; 3 * TAIL_BYTES]);
        assert!(log.tail.len() <= 2 * TAIL_BYTES);
    }

    #[test]
    fn log_files_hold_the_whole_log_up_to_their_limit() {
        let dir = tempfile::tempdir().unwrap();
        for _ in 0..KEEP_FILES + 3 {
            LogFile::create(dir.path(), "old").unwrap();
        }
        let file = LogFile::create(dir.path(), "my fn").unwrap();
        let sink = file.sink();
        sink(b"one\n");
        sink(b"two\n");
        assert_eq!(file.finish(), 8);
        assert_eq!(std::fs::read_to_string(&file.path).unwrap(), "one\ntwo\n");
        assert!(file
            .path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("my_fn-"));
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), KEEP_FILES);
    }

    #[test]
    fn the_last_bytes_split_at_a_character() {
        assert_eq!(last_bytes("abcé", 2), "é");
        assert_eq!(last_bytes("abcé", 1), "");
        assert_eq!(last_bytes("abc", 10), "abc");
    }
}
