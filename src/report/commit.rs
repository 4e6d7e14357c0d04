//! A results directory written whole: a run, sweep or chart writes into a
//! fresh directory beside the output directory `OUT`, which then replaces
//! `OUT` in one step; nothing is written anywhere else.
//!
//! The protocol, with `OUT = results/x`:
//! 1. take `results/x.lock` ([`OutputLock`]): another ecsim writing `x` is
//!    refused, a stale lock taken over;
//! 2. clean what a dead earlier holder left (see the crash windows below);
//! 3. check that `x`, if it exists, is a directory of ecsim results: only
//!    names ecsim writes, so that `--out ~` never replaces a home directory;
//! 4. create `results/x.tmp-<pid>-<random>` with `create_dir`, which fails
//!    on any existing entry (a symbolic link included) instead of following
//!    it, and write everything there;
//! 5. commit: create `results/x.old-<pid>-<random>` the same way, rename
//!    `x` into it, rename the new directory to `x`, remove the old one.
//!
//! `x` therefore holds one run's files and only those: files an earlier run
//! wrote and this one does not (a time series now switched off, charts not
//! asked for) go with the old directory. A symbolic link at `x` is replaced
//! by the new directory, never written through.
//!
//! A run that stops early (Ctrl-C, SIGTERM, an error) removes its directory
//! and leaves `x` untouched; a stopped run whose finished pieces are worth
//! keeping moves them to `results/x.partial` instead (replaced the same way).
//!
//! Crash windows (the process killed outright, or the machine stopping),
//! each closed by the next ecsim that takes over the stale lock:
//! - before the first rename: `x` is untouched; the `.tmp-` directory is
//!   removed;
//! - between the two renames: `x` is missing and the previous results wait
//!   in `x.old-<pid>-<random>/x`: they are renamed back to `x`;
//! - after the second rename: the new `x` is complete; the `.old-` directory
//!   is removed.
//!
//! Until then `x` is either the old results or the new ones, whole; at worst
//! (the middle window) it is missing and the message of the next run says
//! where it was restored from.

use std::ffi::{OsStr, OsString};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::atomic::{create_unique, nonce, sync_directory};
use super::lock::{LockError, OutputLock, is_running};
use crate::scenario::resolve::path_name_problem;

/// Why results could not be written whole.
#[derive(Debug, thiserror::Error)]
pub enum CommitError {
    #[error(
        "{} cannot be an output directory: it must end in a directory name, not `.`, `..` or a root",
        .0.display()
    )]
    NoName(PathBuf),
    #[error("{} exists and is not a directory; ecsim will not replace it", .0.display())]
    NotADirectory(PathBuf),
    #[error(
        "{} cannot be an output directory: {} is a file, not a directory; choose a path whose parents are directories",
        .out.display(),
        .file.display()
    )]
    InsideAFile { out: PathBuf, file: PathBuf },
    #[error(
        "{} holds `{entry}`, which ecsim does not write; ecsim replaces its output directory as a whole, so it will not replace this one: choose another output directory, or remove what is not ecsim's",
        .out.display()
    )]
    Foreign { out: PathBuf, entry: String },
    #[error("cannot write {}: {problem}", .path.display())]
    BadName { path: PathBuf, problem: String },
    #[error(transparent)]
    Lock(#[from] LockError),
    #[error("cannot {what} {}: {io}", .path.display())]
    Io { what: &'static str, path: PathBuf, io: io::Error },
}

impl CommitError {
    /// The output path given is unusable (exit 1), rather than the writing failing (exit 3).
    pub fn is_input(&self) -> bool {
        matches!(
            self,
            CommitError::NoName(_)
                | CommitError::NotADirectory(_)
                | CommitError::InsideAFile { .. }
                | CommitError::Foreign { .. }
                | CommitError::BadName { .. }
        )
    }
}

fn io_error(what: &'static str, path: &Path) -> impl FnOnce(io::Error) -> CommitError {
    let path = path.to_path_buf();
    move |io| CommitError::Io { what, path, io }
}

/// `dir/name`, refused when `name` could reach outside `dir` (the one check
/// of [`path_name_problem`]).
pub fn child(dir: &Path, name: &str) -> Result<PathBuf, CommitError> {
    match path_name_problem(name) {
        None => Ok(dir.join(name)),
        Some(problem) => Err(CommitError::BadName { path: dir.join(name), problem }),
    }
}

/// Top-level names ecsim writes in a results directory (run, replications,
/// sweep, charts, replay check); a directory holding anything else is not
/// replaced.
const WRITTEN: [&str; 14] = [
    "summary.json",
    "calibration.json",
    "diff.csv",
    "timeseries.csv",
    "events.csv",
    "scenario.toml",
    "sweep.toml",
    "runs.csv",
    "summary.csv",
    "report.html",
    "observed-vs-simulated.json",
    "charts",
    "runs",
    "shard.json",
];

fn is_written_by_ecsim(name: &str) -> bool {
    let replication =
        name.strip_prefix("replication-").is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    // Hidden temporaries that earlier versions could leave behind when killed.
    let leftover = name.starts_with('.') && (name.contains(".tmp-") || name.contains(".partial"));
    WRITTEN.contains(&name) || replication || leftover
}

/// Checks that the directory `dir` may be replaced: empty, or only ecsim's names.
fn check_replaceable(dir: &Path) -> Result<(), CommitError> {
    let mut foreign: Vec<String> = Vec::new();
    for entry in fs::read_dir(dir).map_err(io_error("read", dir))? {
        let name = entry.map_err(io_error("read", dir))?.file_name();
        let name = name.to_string_lossy();
        if !is_written_by_ecsim(&name) {
            foreign.push(name.into_owned());
        }
    }
    foreign.sort();
    match foreign.into_iter().next() {
        None => Ok(()),
        Some(entry) => Err(CommitError::Foreign { out: dir.to_path_buf(), entry }),
    }
}

/// A results directory being written: the lock on `OUT` and the fresh
/// directory that will replace it. Dropped without [`Staged::commit`] or
/// [`Staged::keep_partial`], the fresh directory is removed and `OUT` stays
/// as it was.
#[derive(Debug)]
pub struct Staged {
    out: PathBuf,
    /// `OUT`'s parent ("" for a bare relative name).
    parent: PathBuf,
    name: OsString,
    dir: PathBuf,
    /// `OUT` existed when the lock was taken.
    had_previous: bool,
    /// The fresh directory carries `OUT`'s files over (an update), so any
    /// file may be there: nothing of the user's is lost by the replacement.
    carries_over: bool,
    done: bool,
    _lock: OutputLock,
}

impl Staged {
    /// Locks `out` and creates the fresh directory for new results.
    /// `out` must not exist or be a directory of ecsim results.
    pub fn begin(out: &Path) -> Result<Staged, CommitError> {
        let mut staged = Staged::lock(out)?;
        match fs::symlink_metadata(out) {
            Ok(meta) if meta.is_dir() => check_replaceable(out)?,
            Ok(meta) if meta.file_type().is_symlink() => {}
            Ok(_) => return Err(CommitError::NotADirectory(out.to_path_buf())),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(io_error("read", out)(e)),
        }
        staged.dir = staged.fresh_dir("tmp")?;
        Ok(staged)
    }

    /// Locks the existing results directory `out` and fills the fresh
    /// directory with its contents except the top-level entries `replaced`
    /// (hard links, or copies where links cannot be made), for a command
    /// that adds to existing results (`ecsim chart`).
    pub fn begin_update(out: &Path, replaced: &[&str]) -> Result<Staged, CommitError> {
        if !out.is_dir() {
            return Err(CommitError::NotADirectory(out.to_path_buf()));
        }
        let mut staged = Staged::lock(out)?;
        staged.carries_over = true;
        staged.dir = staged.fresh_dir("tmp")?;
        link_tree(out, &staged.dir, replaced).map_err(io_error("copy", out))?;
        Ok(staged)
    }

    fn lock(out: &Path) -> Result<Staged, CommitError> {
        let name = out.file_name().ok_or_else(|| CommitError::NoName(out.to_path_buf()))?.to_os_string();
        let parent = out.parent().ok_or_else(|| CommitError::NoName(out.to_path_buf()))?.to_path_buf();
        if !parent.as_os_str().is_empty() {
            // The nearest existing parent must be a directory (else "File exists").
            let existing = parent.ancestors().find(|a| !a.as_os_str().is_empty() && fs::metadata(a).is_ok());
            if let Some(file) = existing.filter(|a| !a.is_dir()) {
                return Err(CommitError::InsideAFile { out: out.to_path_buf(), file: file.to_path_buf() });
            }
            fs::create_dir_all(&parent).map_err(io_error("create", &parent))?;
        }
        let lock = OutputLock::acquire(&parent.join(suffixed(&name, ".lock")), out)?;
        let mut staged = Staged {
            out: out.to_path_buf(),
            parent,
            name,
            dir: PathBuf::new(),
            had_previous: false,
            carries_over: false,
            done: true,
            _lock: lock,
        };
        staged.recover();
        staged.had_previous = fs::symlink_metadata(out).is_ok();
        Ok(staged)
    }

    /// Creates `OUT.<kind>-<pid>-<random>` exclusively.
    fn fresh_dir(&mut self, kind: &str) -> Result<PathBuf, CommitError> {
        self.fresh_dir_with(kind, std::iter::repeat_with(nonce))
    }

    fn fresh_dir_with(&mut self, kind: &str, nonces: impl Iterator<Item = u64>) -> Result<PathBuf, CommitError> {
        let pid = std::process::id();
        let (path, ()) = create_unique(
            nonces,
            |n| self.parent.join(suffixed(&self.name, &format!(".{kind}-{pid}-{n:016x}"))),
            |p| fs::create_dir(p),
        )
        .map_err(io_error("create a directory beside", &self.out))?;
        if kind == "tmp" {
            self.done = false;
        }
        Ok(path)
    }

    /// Where the new results are written until they are committed.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The output directory the results will replace.
    pub fn out(&self) -> &Path {
        &self.out
    }

    /// Whether `OUT` existed before this run (for messages).
    pub fn had_previous(&self) -> bool {
        self.had_previous
    }

    /// Where a run's pieces go when it stops early: `OUT.partial`.
    pub fn partial_path(&self) -> PathBuf {
        self.parent.join(suffixed(&self.name, ".partial"))
    }

    /// `path` inside the fresh directory as it will be named once committed.
    pub fn shown(&self, path: &Path) -> PathBuf {
        match path.strip_prefix(&self.dir) {
            Ok(rest) if rest.as_os_str().is_empty() => self.out.clone(),
            Ok(rest) => self.out.join(rest),
            Err(_) => path.to_path_buf(),
        }
    }

    /// `message` with the fresh directory's name replaced by `OUT`'s.
    pub fn shown_message(&self, message: &str) -> String {
        message.replace(&self.dir.display().to_string(), &self.out.display().to_string())
    }

    /// Replaces `OUT` with the new results.
    pub fn commit(mut self) -> Result<(), CommitError> {
        let out = self.out.clone();
        self.replace(&out)
    }

    /// Moves the new directory to `OUT.partial` (replacing an earlier one),
    /// leaving `OUT` untouched; returns that path.
    pub fn keep_partial(mut self) -> Result<PathBuf, CommitError> {
        let partial = self.partial_path();
        self.replace(&partial)?;
        Ok(partial)
    }

    /// Steps 3 and 5 of the protocol for `target` (`OUT` or `OUT.partial`).
    fn replace(&mut self, target: &Path) -> Result<(), CommitError> {
        sync_directory(Some(&self.dir));
        match fs::symlink_metadata(target) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                fs::rename(&self.dir, target).map_err(io_error("move the new results to", target))?;
            }
            Err(e) => return Err(io_error("read", target)(e)),
            Ok(meta) => {
                if !meta.is_dir() && !meta.file_type().is_symlink() {
                    return Err(CommitError::NotADirectory(target.to_path_buf()));
                }
                if meta.is_dir() && !(self.carries_over && target == self.out) {
                    check_replaceable(target)?;
                }
                let old = self.fresh_dir("old")?;
                let aside = old.join(target.file_name().unwrap_or(OsStr::new("previous")));
                fs::rename(target, &aside).map_err(io_error("move aside", target))?;
                if let Err(e) = fs::rename(&self.dir, target) {
                    let _ = fs::rename(&aside, target);
                    let _ = fs::remove_dir_all(&old);
                    return Err(io_error("move the new results to", target)(e));
                }
                sync_directory(Some(&self.parent));
                if let Err(e) = fs::remove_dir_all(&old) {
                    eprintln!(
                        "warning: the previous results were replaced but {} could not be removed: {e}",
                        old.display()
                    );
                }
            }
        }
        self.done = true;
        sync_directory(Some(&self.parent));
        Ok(())
    }

    /// Step 2: removes what a dead holder of the lock left beside `OUT`,
    /// renaming back a directory it had moved aside and not replaced.
    fn recover(&self) {
        let Some(name) = self.name.to_str() else { return };
        let parent = if self.parent.as_os_str().is_empty() { Path::new(".") } else { &self.parent };
        let Ok(entries) = fs::read_dir(parent) else { return };
        for entry in entries.flatten() {
            let file_name = entry.file_name();
            let Some(rest) = file_name.to_str().and_then(|f| f.strip_prefix(name)) else { continue };
            let (old, rest) = match (rest.strip_prefix(".tmp-"), rest.strip_prefix(".old-")) {
                (Some(rest), _) => (false, rest),
                (_, Some(rest)) => (true, rest),
                _ => continue,
            };
            let Some(pid) = left_by(rest) else { continue };
            if pid == std::process::id() || is_running(pid) {
                continue;
            }
            let path = self.parent.join(&file_name);
            if old {
                for moved in fs::read_dir(&path).into_iter().flatten().flatten() {
                    let back = self.parent.join(moved.file_name());
                    if fs::symlink_metadata(&back).is_err() && fs::rename(moved.path(), &back).is_ok() {
                        eprintln!(
                            "restored {} from {}: an ecsim (process {pid}) stopped while replacing it",
                            back.display(),
                            path.display()
                        );
                    }
                }
            }
            if fs::remove_dir_all(&path).is_ok() {
                eprintln!("removed {}, left by process {pid}, which is no longer running", path.display());
            }
        }
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if !self.done {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

/// The process id in `<pid>-<16 hex digits>`, the tail of a fresh directory's name.
fn left_by(tail: &str) -> Option<u32> {
    let (pid, random) = tail.split_once('-')?;
    let hex = random.len() == 16 && random.bytes().all(|b| b.is_ascii_hexdigit());
    if hex { pid.parse().ok() } else { None }
}

fn suffixed(name: &OsStr, suffix: &str) -> OsString {
    let mut s = name.to_os_string();
    s.push(suffix);
    s
}

/// Recreates `src` inside the empty `dst` without the top-level entries
/// `skip`: files hard-linked (copied where a link fails, as across file
/// systems), directories recreated, symbolic links copied as links (never
/// followed).
fn link_tree(src: &Path, dst: &Path, skip: &[&str]) -> io::Result<()> {
    for entry in fs::read_dir(src)? {
        let entry = entry?;
        let name = entry.file_name();
        if skip.iter().any(|s| name == OsStr::new(s)) {
            continue;
        }
        let (from, to) = (entry.path(), dst.join(&name));
        let kind = entry.file_type()?;
        if kind.is_dir() {
            fs::create_dir(&to)?;
            link_tree(&from, &to, &[])?;
        } else if kind.is_symlink() {
            #[cfg(unix)]
            std::os::unix::fs::symlink(fs::read_link(&from)?, &to)?;
        } else if fs::hard_link(&from, &to).is_err() {
            fs::copy(&from, &to)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::report::Scratch;

    /// `s/x` holding earlier results: one file per (name, contents).
    fn previous(s: &Scratch, files: &[(&str, &str)]) -> PathBuf {
        let out = s.0.join("x");
        fs::create_dir(&out).unwrap();
        for (name, contents) in files {
            fs::write(out.join(name), contents).unwrap();
        }
        out
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> =
            fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        names.sort();
        names
    }

    #[test]
    fn a_commit_replaces_the_whole_directory_and_leaves_nothing_beside_it() {
        let s = Scratch::new("whole");
        let out = previous(&s, &[("timeseries.csv", "old"), ("summary.json", "old")]);
        let staged = Staged::begin(&out).unwrap();
        assert!(staged.had_previous());
        assert_eq!(names(&s.0).len(), 3, "x, x.lock and the fresh directory");
        fs::write(staged.dir().join("summary.json"), "new").unwrap();
        assert_eq!(staged.shown(&staged.dir().join("summary.json")), out.join("summary.json"));
        assert_eq!(staged.shown(staged.dir()), out);
        staged.commit().unwrap();
        assert_eq!(names(&s.0), ["x"]);
        assert_eq!(names(&out), ["summary.json"]);
        assert_eq!(fs::read_to_string(out.join("summary.json")).unwrap(), "new");
    }

    #[test]
    fn a_dropped_run_leaves_the_previous_results_untouched() {
        let s = Scratch::new("dropped");
        let out = previous(&s, &[("runs.csv", "old")]);
        let staged = Staged::begin(&out).unwrap();
        fs::write(staged.dir().join("runs.csv"), "partial").unwrap();
        drop(staged);
        assert_eq!(names(&s.0), ["x"]);
        assert_eq!(fs::read_to_string(out.join("runs.csv")).unwrap(), "old");
        // Kept as partial: OUT untouched, OUT.partial replaced whole.
        let staged = Staged::begin(&out).unwrap();
        fs::write(staged.dir().join("runs.csv"), "partial").unwrap();
        let partial = staged.keep_partial().unwrap();
        assert_eq!(partial, s.0.join("x.partial"));
        assert_eq!(names(&s.0), ["x", "x.partial"]);
        assert_eq!(fs::read_to_string(out.join("runs.csv")).unwrap(), "old");
        assert_eq!(fs::read_to_string(partial.join("runs.csv")).unwrap(), "partial");
    }

    #[test]
    fn a_directory_with_other_files_is_not_replaced() {
        let s = Scratch::new("foreign");
        let out = previous(&s, &[("summary.json", "{}"), ("notes.txt", "mine")]);
        let error = Staged::begin(&out).unwrap_err();
        assert!(error.is_input());
        assert!(error.to_string().contains("holds `notes.txt`, which ecsim does not write"), "{error}");
        assert_eq!(names(&s.0), ["x"]);
        let file = s.0.join("file");
        fs::write(&file, "x").unwrap();
        assert!(matches!(Staged::begin(&file), Err(CommitError::NotADirectory(_))));
        assert!(matches!(Staged::begin(&s.0.join("..")), Err(CommitError::NoName(_))));
    }

    #[test]
    fn the_leftovers_of_a_dead_holder_are_recovered() {
        let s = Scratch::new("recover");
        let out = s.0.join("x");
        // A killed holder (pid above Linux's maximum) moved x aside and never put the new one in place.
        let dead = 4_294_967;
        let old = s.0.join(format!("x.old-{dead}-00000000000000ab"));
        fs::create_dir_all(old.join("x")).unwrap();
        fs::write(old.join("x").join("summary.json"), "previous").unwrap();
        fs::create_dir_all(s.0.join(format!("x.tmp-{dead}-00000000000000cd"))).unwrap();
        fs::write(s.0.join("x.lock"), format!("{dead}\n")).unwrap();
        // Not ours: a name that only looks alike.
        fs::create_dir_all(s.0.join("x.tmp-notes")).unwrap();
        if !cfg!(target_os = "linux") {
            return;
        }
        let staged = Staged::begin(&out).unwrap();
        assert!(staged.had_previous());
        drop(staged);
        assert_eq!(names(&s.0), ["x", "x.tmp-notes"]);
        assert_eq!(fs::read_to_string(out.join("summary.json")).unwrap(), "previous");
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_are_replaced_or_copied_never_followed() {
        let s = Scratch::new("links");
        let victim = s.0.join("victim");
        fs::create_dir(&victim).unwrap();
        fs::write(victim.join("summary.json"), "victim").unwrap();
        // OUT itself a link: replaced by the new directory, the target untouched.
        let out = s.0.join("x");
        std::os::unix::fs::symlink(&victim, &out).unwrap();
        let staged = Staged::begin(&out).unwrap();
        fs::write(staged.dir().join("summary.json"), "new").unwrap();
        staged.commit().unwrap();
        assert!(fs::symlink_metadata(&out).unwrap().is_dir());
        assert_eq!(fs::read_to_string(victim.join("summary.json")).unwrap(), "victim");
        // An update keeps a link inside as a link.
        std::os::unix::fs::symlink(victim.join("summary.json"), out.join("events.csv")).unwrap();
        let staged = Staged::begin_update(&out, &["charts"]).unwrap();
        assert!(fs::symlink_metadata(staged.dir().join("events.csv")).unwrap().file_type().is_symlink());
        staged.commit().unwrap();
        assert_eq!(names(&out), ["events.csv", "summary.json"]);
        assert_eq!(fs::read_to_string(victim.join("summary.json")).unwrap(), "victim");
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_planted_at_a_fresh_directory_name_is_not_followed() {
        let s = Scratch::new("planted");
        let victim = s.0.join("victim");
        fs::create_dir(&victim).unwrap();
        let out = s.0.join("x");
        let mut staged = Staged::begin(&out).unwrap();
        let pid = std::process::id();
        for kind in ["tmp", "old"] {
            let planted = s.0.join(format!("x.{kind}-{pid}-{:016x}", 1));
            std::os::unix::fs::symlink(&victim, &planted).unwrap();
            let made = staged.fresh_dir_with(kind, [1, 2].into_iter()).unwrap();
            assert_eq!(made, s.0.join(format!("x.{kind}-{pid}-{:016x}", 2)));
            assert!(fs::symlink_metadata(&made).unwrap().is_dir());
            assert!(staged.fresh_dir_with(kind, [1].into_iter()).is_err(), "only the planted name: refused");
            fs::remove_dir(&made).unwrap();
            fs::remove_file(&planted).unwrap();
        }
        assert!(names(&victim).is_empty());
        drop(staged);
    }

    #[test]
    fn an_update_keeps_everything_but_the_replaced_entries() {
        let s = Scratch::new("update");
        let out = s.0.join("x");
        fs::create_dir_all(out.join("charts")).unwrap();
        fs::create_dir_all(out.join("replication-0/charts")).unwrap();
        fs::write(out.join("charts/old.svg"), "old").unwrap();
        fs::write(out.join("replication-0/charts/r.svg"), "kept").unwrap();
        fs::write(out.join("notes.txt"), "kept too").unwrap();
        let staged = Staged::begin_update(&out, &["charts", "report.html"]).unwrap();
        fs::create_dir(staged.dir().join("charts")).unwrap();
        fs::write(staged.dir().join("charts/new.svg"), "new").unwrap();
        staged.commit().unwrap();
        assert_eq!(names(&out), ["charts", "notes.txt", "replication-0"]);
        assert_eq!(names(&out.join("charts")), ["new.svg"]);
        assert_eq!(fs::read_to_string(out.join("replication-0/charts/r.svg")).unwrap(), "kept");
        assert_eq!(names(&s.0), ["x"]);
    }

    #[test]
    fn a_name_that_leaves_the_directory_is_refused() {
        assert_eq!(child(Path::new("out"), "web").unwrap(), Path::new("out/web"));
        for bad in ["../../../escaped", "/abs", "..", "a/b"] {
            let error = child(Path::new("out"), bad).unwrap_err();
            assert!(error.is_input(), "{bad}");
        }
    }
}
