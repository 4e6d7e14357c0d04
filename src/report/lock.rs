//! `OUT.lock`: one ecsim at a time writes a results directory.
//!
//! The lock is a regular file beside the directory, created with
//! `create_new` (`O_CREAT | O_EXCL`: it fails if any entry of that name
//! exists, a symbolic link included, and never follows one), holding the
//! holder's process id. The id is written just after the creation, so a lock
//! found empty is read again for up to a second before it counts as broken,
//! and a lock whose holder removed it meanwhile is tried again. A lock whose
//! process is no longer running (a crash, `kill -9`) is stale and taken over
//! with a message. Whether a process runs is read from `/proc/<pid>` on Linux;
//! elsewhere a lock is always taken to be held, and the message says to
//! remove it by hand.
//!
//! Limits: a process id reused by an unrelated process keeps a stale lock
//! held (the message names the pid and the file to remove); two ecsim taking
//! over the same stale lock at the same instant may both succeed (a window of
//! microseconds between reading the dead pid and creating the new lock); an
//! ecsim in another pid namespace (two containers sharing a volume) is not
//! seen by `/proc`, so its lock looks stale.

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Why the lock could not be taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error(
        "{out} is being written by another ecsim (process {pid}, lock file {lock}); wait for it to finish, or remove {lock} if no ecsim is running"
    )]
    Held { out: PathBuf, lock: PathBuf, pid: u32 },
    #[error(
        "{lock} exists but {why}, so it cannot tell whether another ecsim is writing {out}; remove it if no ecsim is running"
    )]
    Unreadable { out: PathBuf, lock: PathBuf, why: String },
    #[error("cannot create the lock file {lock}: {io}")]
    Io { lock: PathBuf, io: io::Error },
}

/// The held lock; dropping it removes the file (if it still names this process).
#[derive(Debug)]
pub struct OutputLock {
    path: PathBuf,
    /// The process id found in a stale lock this one replaced.
    pub took_over: Option<u32>,
}

impl OutputLock {
    /// Takes `lock` for the results directory `out` (named in messages).
    pub fn acquire(lock: &Path, out: &Path) -> Result<OutputLock, LockError> {
        let own = std::process::id();
        let mut took_over = None;
        // Three times at most: as found, after removing a stale lock, and once
        // more if a holder finished between an attempt and the read.
        for _ in 0..3 {
            match OpenOptions::new().write(true).create_new(true).open(lock) {
                Ok(mut file) => {
                    let written = writeln!(file, "{own}").and_then(|()| file.sync_all());
                    let held = OutputLock { path: lock.to_path_buf(), took_over };
                    return written.map(|()| held).map_err(|io| LockError::Io { lock: lock.to_path_buf(), io });
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
                Err(io) => return Err(LockError::Io { lock: lock.to_path_buf(), io }),
            }
            let pid = match settled_holder(lock) {
                Ok(pid) => pid,
                // Its holder finished between our attempt and the read: try again.
                Err(_) if fs::symlink_metadata(lock).is_err() => continue,
                Err(why) => {
                    return Err(LockError::Unreadable { out: out.to_path_buf(), lock: lock.to_path_buf(), why });
                }
            };
            // Our own pid in a lock we did not create is a recycled pid (a container restart): stale.
            if pid != own && is_running(pid) {
                return Err(LockError::Held { out: out.to_path_buf(), lock: lock.to_path_buf(), pid });
            }
            eprintln!("taking over {}: process {pid}, which left it, is no longer running", lock.display());
            took_over = Some(pid);
            fs::remove_file(lock).map_err(|io| LockError::Io { lock: lock.to_path_buf(), io })?;
        }
        // Another ecsim took the lock between the removal and the creation.
        let pid = holder(lock).unwrap_or(0);
        Err(LockError::Held { out: out.to_path_buf(), lock: lock.to_path_buf(), pid })
    }
}

impl Drop for OutputLock {
    fn drop(&mut self) {
        if holder(&self.path) == Ok(std::process::id()) {
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// The holder of a lock another ecsim may have just created: a regular file
/// still empty is read again, every 10 ms for up to a second, before
/// [`holder`] judges it.
fn settled_holder(lock: &Path) -> Result<u32, String> {
    for _ in 0..100 {
        match fs::symlink_metadata(lock) {
            Ok(meta) if meta.file_type().is_file() && meta.len() == 0 => {
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            _ => break,
        }
    }
    holder(lock)
}

/// The process id a lock file holds. Only a regular file counts: a link or
/// a directory at the lock's name is reported, never followed.
pub fn holder(lock: &Path) -> Result<u32, String> {
    let meta = fs::symlink_metadata(lock).map_err(|e| format!("cannot be read ({e})"))?;
    if !meta.file_type().is_file() {
        return Err("is not a regular file".to_string());
    }
    let text = fs::read_to_string(lock).map_err(|e| format!("cannot be read ({e})"))?;
    text.trim().parse().map_err(|_| format!("holds no process id (\"{}\")", text.trim().escape_debug()))
}

/// Whether process `pid` is running; `true` where that cannot be known.
pub fn is_running(pid: u32) -> bool {
    if cfg!(target_os = "linux") { Path::new("/proc").join(pid.to_string()).exists() } else { true }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Scratch;

    #[test]
    fn a_second_holder_is_refused_and_the_lock_goes_with_its_holder() {
        let scratch = Scratch::new("lock-held");
        let dir = &scratch.0;
        let (lock, out) = (dir.join("out.lock"), dir.join("out"));
        let held = OutputLock::acquire(&lock, &out).unwrap();
        assert_eq!(held.took_over, None);
        assert_eq!(fs::read_to_string(&lock).unwrap(), format!("{}\n", std::process::id()));
        // The lock names this process, which is running, and was not created by the second caller:
        // a running holder other than the caller is refused (pid 1 stands for one).
        fs::write(&lock, "1\n").unwrap();
        let error = OutputLock::acquire(&lock, &out).unwrap_err();
        if cfg!(target_os = "linux") {
            assert!(matches!(error, LockError::Held { pid: 1, .. }), "{error}");
        }
        // Dropping a lock that another process now holds leaves it in place.
        drop(held);
        assert_eq!(fs::read_to_string(&lock).unwrap(), "1\n");
        fs::remove_file(&lock).unwrap();
        let held = OutputLock::acquire(&lock, &out).unwrap();
        drop(held);
        assert!(!lock.exists());
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_lock_found_empty_is_read_again_until_its_holder_writes_its_pid() {
        let scratch = Scratch::new("lock-empty");
        let dir = &scratch.0;
        let (lock, out) = (dir.join("out.lock"), dir.join("out"));
        // Another ecsim has created the lock and not yet written its pid (1 stands for it).
        fs::write(&lock, "").unwrap();
        let writer = {
            let lock = lock.clone();
            std::thread::spawn(move || {
                std::thread::sleep(std::time::Duration::from_millis(50));
                fs::write(&lock, "1\n").unwrap();
            })
        };
        let error = OutputLock::acquire(&lock, &out).unwrap_err();
        writer.join().unwrap();
        assert!(matches!(error, LockError::Held { pid: 1, .. }), "{error}");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_stale_lock_is_taken_over() {
        let scratch = Scratch::new("lock-stale");
        let dir = &scratch.0;
        let (lock, out) = (dir.join("out.lock"), dir.join("out"));
        // Above the largest pid Linux hands out (4194304), so never running.
        fs::write(&lock, "4294967\n").unwrap();
        let held = OutputLock::acquire(&lock, &out).unwrap();
        assert_eq!(held.took_over, Some(4_294_967));
        assert_eq!(fs::read_to_string(&lock).unwrap(), format!("{}\n", std::process::id()));
        drop(held);
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_at_the_lock_is_refused_not_followed() {
        let scratch = Scratch::new("lock-symlink");
        let dir = &scratch.0;
        let (lock, out, victim) = (dir.join("out.lock"), dir.join("out"), dir.join("victim"));
        fs::write(&victim, "4294967\n").unwrap();
        std::os::unix::fs::symlink(&victim, &lock).unwrap();
        let error = OutputLock::acquire(&lock, &out).unwrap_err();
        assert!(error.to_string().contains("exists but is not a regular file"), "{error}");
        assert_eq!(fs::read_to_string(&victim).unwrap(), "4294967\n");
        assert!(fs::symlink_metadata(&lock).unwrap().file_type().is_symlink());
    }
}
