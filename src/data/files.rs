//! Reading table files defensively, the way SQLite treats a database file: whatever the bytes,
//! the result is a table or a [`MiroirError::Io`] naming the file, never a panic or a crash.
//!
//! - A file is read into memory once, by `read(2)`, never memory-mapped: a file truncated or
//!   rewritten while it is read (what `cp new.csv customers.csv` does) cannot raise `SIGBUS`, and
//!   its length and modification time, taken before and after the read, tell that it changed.
//! - Every call into a decoder runs under [`guarded`]: a panic inside polars on corrupt bytes
//!   (an invalid bit width, a page shorter than its header says, ...) becomes a `FileError`
//!   with the decoder's message, and is not printed as a panic.
//! - A [`Fingerprint`] (length and a 64-bit hash of every byte) is kept for a file a study reads
//!   again later (a streamed table read back on request), so that a file changed after the
//!   load is refused rather than mixed with what was validated.

use crate::error::{MiroirError, Result};
use std::hash::BuildHasher;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, Once};
use std::time::SystemTime;

/// An I/O error on `path`.
pub(crate) fn io_error(path: &Path, detail: impl Into<String>) -> MiroirError {
    MiroirError::Io { path: path.display().to_string(), detail: detail.into() }
}

/// What a file held when it was read: its length and a hash of its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fingerprint {
    pub len: u64,
    pub hash: u64,
}

impl Fingerprint {
    fn of(bytes: &[u8]) -> Fingerprint {
        let state = foldhash::fast::FixedState::with_seed(0x6669_6c65);
        Fingerprint { len: bytes.len() as u64, hash: state.hash_one(bytes) }
    }
}

/// A file read whole into memory, with its fingerprint.
#[derive(Debug)]
pub(crate) struct FileBytes {
    pub bytes: Vec<u8>,
    pub fingerprint: Fingerprint,
}

/// Length and modification time, to tell whether a file changed while it was read.
fn stamp(path: &Path) -> Result<(u64, Option<SystemTime>)> {
    let meta = std::fs::metadata(path).map_err(|e| io_error(path, open_detail(&e)))?;
    if meta.is_dir() {
        return Err(io_error(path, "is a folder, not a file"));
    }
    if !meta.is_file() {
        return Err(io_error(path, "is not a regular file"));
    }
    Ok((meta.len(), meta.modified().ok()))
}

/// The reason a file cannot be opened, in words (a symlink loop is not "no such file").
fn open_detail(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => format!("cannot open: {e}"),
    }
}

/// Reads a file whole (no memory map), refusing one that changed while it was read.
pub(crate) fn read_bytes(path: &Path) -> Result<FileBytes> {
    let before = stamp(path)?;
    let bytes = std::fs::read(path).map_err(|e| io_error(path, open_detail(&e)))?;
    let after = stamp(path)?;
    if before != after || bytes.len() as u64 != after.0 {
        return Err(io_error(
            path,
            "the file changed while it was being read (it is being written or copied): load it again once it is complete",
        ));
    }
    let fingerprint = Fingerprint::of(&bytes);
    Ok(FileBytes { bytes, fingerprint })
}

/// Reads a file again and refuses it if it no longer holds what was read at load.
pub(crate) fn read_unchanged(path: &Path, expected: Fingerprint) -> Result<FileBytes> {
    let file = read_bytes(path)?;
    if file.fingerprint != expected {
        return Err(io_error(
            path,
            format!(
                "the file changed since the study was loaded ({} bytes then, {} now{}): load the study again",
                expected.len,
                file.fingerprint.len,
                if expected.len == file.fingerprint.len { ", other content" } else { "" }
            ),
        ));
    }
    Ok(file)
}

/// Number of [`guarded`] calls running: while there is one, a panic's message is kept for the
/// error instead of being printed.
static GUARDED: AtomicUsize = AtomicUsize::new(0);
static LAST_PANIC: Mutex<Option<String>> = Mutex::new(None);
static HOOK: Once = Once::new();

fn install_hook() {
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if GUARDED.load(Ordering::SeqCst) > 0 {
                let message = info
                    .payload()
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| info.payload().downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "unknown decoder failure".into());
                if let Ok(mut last) = LAST_PANIC.lock() {
                    last.get_or_insert(message);
                }
            } else {
                previous(info);
            }
        }));
    });
}

/// Runs a decoder on the bytes of `path`: a panic becomes a [`MiroirError::Io`] saying the file
/// is corrupt (`what`: "Parquet", "CSV").
pub(crate) fn guarded<T>(path: &Path, what: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
    install_hook();
    GUARDED.fetch_add(1, Ordering::SeqCst);
    let out = catch_unwind(AssertUnwindSafe(f));
    let remaining = GUARDED.fetch_sub(1, Ordering::SeqCst) - 1;
    match out {
        Ok(result) => result,
        Err(payload) => {
            let kept = LAST_PANIC.lock().ok().and_then(|mut last| if remaining == 0 { last.take() } else { last.clone() });
            let message = kept
                .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown decoder failure".into());
            Err(io_error(path, format!("cannot read {what}: the file is corrupt or not a {what} file ({message})")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_in_a_decoder_is_a_file_error() {
        let p = Path::new("x.parquet");
        let e = guarded::<()>(p, "Parquet", || panic!("invalid num_bits 98")).unwrap_err();
        assert!(matches!(e, MiroirError::Io { .. }));
        assert!(e.to_string().contains("invalid num_bits 98"), "{e}");
        assert!(e.to_string().starts_with("x.parquet: cannot read Parquet: the file is corrupt"), "{e}");
        // the guard leaves no state behind
        assert_eq!(guarded(p, "Parquet", || Ok(3)).unwrap(), 3);
    }

    #[test]
    fn a_changed_file_is_refused() {
        let dir = std::env::temp_dir().join(format!("miroir-files-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("t.csv");
        std::fs::write(&path, "a,b\n1,2\n").unwrap();
        let first = read_bytes(&path).unwrap();
        assert!(read_unchanged(&path, first.fingerprint).is_ok());
        std::fs::write(&path, "a,b\n1,3\n").unwrap();
        let e = read_unchanged(&path, first.fingerprint).unwrap_err().to_string();
        assert!(e.contains("changed since the study was loaded (8 bytes then, 8 now, other content)"), "{e}");
        assert!(read_bytes(&dir).unwrap_err().to_string().contains("is a folder"));
        assert!(read_bytes(&dir.join("none.csv")).unwrap_err().to_string().ends_with("no such file"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
