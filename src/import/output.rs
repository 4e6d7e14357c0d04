//! Writing an import next to the scenario: the traces first, then
//! observed.csv, then the scenario, each written to a temporary file and
//! renamed into place (a trace identical to the one already there is left
//! alone), so every file is whole or absent and the scenario never names a
//! trace that is not there yet. The scenario is checked as `ecsim validate`
//! would before it replaces the old one.

use super::error::ImportError;
use crate::report::write_atomically;
use std::path::{Path, PathBuf};

/// The files of an import, in memory.
pub struct Files {
    pub scenario: String,
    /// (path relative to the scenario's directory, CSV text).
    pub traces: Vec<(String, String)>,
    pub observed: Option<String>,
}

pub struct Written {
    pub scenario: PathBuf,
    pub traces: Vec<PathBuf>,
    pub observed: Option<PathBuf>,
    /// What `ecsim validate` says of the scenario: `Ok` or the problems.
    pub validation: Result<(), String>,
}

/// Writes the files next to `out` (traces under `traces/`, `observed.csv`).
pub fn write(files: &Files, out: &Path) -> Result<Written, ImportError> {
    let fail = |path: &Path, message: String| ImportError::Write { path: path.display().to_string(), message };
    let dir = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let Some(file_name) = out.file_name() else {
        return Err(fail(out, "not a file name".into()));
    };
    std::fs::create_dir_all(dir.join("traces")).map_err(|e| fail(&dir, e.to_string()))?;
    let mut written = Written { scenario: out.to_path_buf(), traces: Vec::new(), observed: None, validation: Ok(()) };
    for (rel, text) in &files.traces {
        let to = dir.join(rel);
        if std::fs::read(&to).ok().as_deref() != Some(text.as_bytes()) {
            write_atomically(&to, text.as_bytes()).map_err(ImportError::Output)?;
        }
        written.traces.push(to);
    }
    if let Some(text) = &files.observed {
        let to = dir.join("observed.csv");
        write_atomically(&to, text.as_bytes()).map_err(ImportError::Output)?;
        written.observed = Some(to);
    }
    // The scenario is checked under a temporary name in its own directory,
    // where its relative trace paths lead to the traces just written.
    let checked = dir.join(format!(".{}.import-{}", file_name.to_string_lossy(), std::process::id()));
    let result = (|| {
        std::fs::write(&checked, &files.scenario).map_err(|e| fail(&checked, e.to_string()))?;
        let shown = checked.display().to_string();
        written.validation = crate::scenario::load(&checked)
            .map(|_| ())
            .map_err(|d| d.to_string().replace(&shown, &out.display().to_string()));
        std::fs::rename(&checked, out).map_err(|e| fail(out, e.to_string()))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&checked);
    }
    result.map(|()| written)
}
