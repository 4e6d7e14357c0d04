//! One file written whole: a temporary file beside it, created exclusively
//! under an unguessable name, then renamed over it.
//!
//! The temporary is opened with `create_new` (`O_CREAT | O_EXCL`), which
//! fails on any existing entry, a symbolic link included, instead of
//! following it: a link planted at the temporary's name can never redirect a
//! write to the file it points to. The name also carries a random part, so
//! it cannot be planted in advance.

use std::collections::hash_map::RandomState;
use std::fs::{self, File, OpenOptions};
use std::hash::{BuildHasher, Hasher};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// How many names are tried before giving up (each one already existed).
const ATTEMPTS: u32 = 16;

/// A number no other process can predict: std's per-process random hash keys
/// mixed with a counter and the clock.
pub fn nonce() -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    hasher.write_u128(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos()));
    hasher.finish()
}

/// Calls `create` with fresh names (`make_name(nonce)`) until one did not exist yet.
pub(crate) fn create_unique<T>(
    mut nonces: impl Iterator<Item = u64>,
    make_name: impl Fn(u64) -> PathBuf,
    create: impl Fn(&Path) -> io::Result<T>,
) -> io::Result<(PathBuf, T)> {
    let mut last = io::Error::new(io::ErrorKind::AlreadyExists, "no fresh name was found");
    for _ in 0..ATTEMPTS {
        let Some(n) = nonces.next() else { break };
        let path = make_name(n);
        match create(&path) {
            Ok(made) => return Ok((path, made)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = e,
            Err(e) => return Err(e),
        }
    }
    Err(last)
}

/// A file being written beside `dest`, renamed over it by [`TempFile::persist`]
/// and removed if dropped before.
pub struct TempFile {
    path: PathBuf,
    dest: PathBuf,
    file: Option<File>,
}

impl TempFile {
    /// Creates `.NAME.tmp-<pid>-<random><suffix>` beside `dest`. `suffix`
    /// serves writers that choose a format by extension (".png").
    pub fn create(dest: &Path, suffix: &str) -> io::Result<TempFile> {
        TempFile::create_with(dest, suffix, std::iter::repeat_with(nonce))
    }

    fn create_with(dest: &Path, suffix: &str, nonces: impl Iterator<Item = u64>) -> io::Result<TempFile> {
        let name = dest.file_name().map(|n| n.to_string_lossy().into_owned()).ok_or_else(|| {
            io::Error::new(io::ErrorKind::InvalidInput, format!("{} does not name a file", dest.display()))
        })?;
        let pid = std::process::id();
        let (path, file) = create_unique(
            nonces,
            |n| dest.with_file_name(format!(".{name}.tmp-{pid}-{n:016x}{suffix}")),
            |p| OpenOptions::new().write(true).create_new(true).open(p),
        )?;
        Ok(TempFile { path, dest: dest.to_path_buf(), file: Some(file) })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The open file; `None` once handed over by [`TempFile::take_file`].
    pub fn file(&mut self) -> Option<&mut File> {
        self.file.as_mut()
    }

    /// Hands the open file to a writer that wraps it; the name stays reserved.
    pub fn take_file(&mut self) -> Option<File> {
        self.file.take()
    }

    /// Flushes the file to disk and renames it over the destination.
    pub fn persist(mut self) -> io::Result<()> {
        if let Some(file) = self.file.take() {
            file.sync_all()?;
        }
        fs::rename(&self.path, &self.dest)?;
        // Renamed: nothing is left for Drop to remove.
        self.path = PathBuf::new();
        sync_directory(self.dest.parent());
        Ok(())
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.path.as_os_str().is_empty() {
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// Replaces `path` with `bytes` all at once: readers see the old file or the
/// new one, never a part; the temporary is removed if anything fails.
pub fn replace_file(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut temp = TempFile::create(path, "")?;
    if let Some(file) = temp.file() {
        file.write_all(bytes)?;
    }
    temp.persist()
}

/// [`replace_file`] with a message naming the file.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), String> {
    replace_file(path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Makes a rename in `directory` durable. Best effort: the file is already
/// complete and in place, and some platforms cannot sync a directory.
pub fn sync_directory(directory: Option<&Path>) {
    #[cfg(unix)]
    {
        let directory = match directory {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        if let Ok(handle) = File::open(directory) {
            let _ = handle.sync_all();
        }
    }
    #[cfg(not(unix))]
    let _ = directory;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Scratch;

    #[test]
    fn nonces_differ() {
        let (a, b) = (nonce(), nonce());
        assert_ne!(a, b);
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_planted_at_the_temporary_name_is_not_followed() {
        let scratch = Scratch::new("atomic-symlink");
        let dir = scratch.0.clone();
        let victim = dir.join("victim");
        fs::write(&victim, "keep me").unwrap();
        let dest = dir.join("summary.json");
        let pid = std::process::id();
        let planted = dir.join(format!(".summary.json.tmp-{pid}-{:016x}", 7));
        std::os::unix::fs::symlink(&victim, &planted).unwrap();
        // The first name tried is the planted one: it is skipped, not opened.
        let mut temp = TempFile::create_with(&dest, "", [7, 8].into_iter()).unwrap();
        assert_eq!(temp.path(), dir.join(format!(".summary.json.tmp-{pid}-{:016x}", 8)));
        temp.file().unwrap().write_all(b"new").unwrap();
        temp.persist().unwrap();
        assert_eq!(fs::read_to_string(&victim).unwrap(), "keep me");
        assert_eq!(fs::read_to_string(&dest).unwrap(), "new");
        // Only planted names: creating fails rather than following one.
        let error = TempFile::create_with(&dest, "", [7].into_iter()).err().unwrap();
        assert_eq!(error.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(fs::read_to_string(&victim).unwrap(), "keep me");
    }

    #[test]
    fn replace_file_overwrites_and_leaves_no_temporary() {
        let scratch = Scratch::new("atomic-replace");
        let dir = scratch.0.clone();
        let dest = dir.join("runs.csv");
        fs::write(&dest, "old").unwrap();
        replace_file(&dest, b"new").unwrap();
        assert_eq!(fs::read_to_string(&dest).unwrap(), "new");
        let names: Vec<_> = fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, ["runs.csv"]);
        // Dropped before persist: the temporary goes.
        drop(TempFile::create(&dest, ".png").unwrap());
        let names: Vec<_> = fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, ["runs.csv"]);
    }
}
