//! Writing an import: the scenario, its traces and observed.csv are written
//! into a staging directory next to the scenario, the scenario is checked
//! there as `ecsim validate` would, and each file is then renamed into place,
//! so every file is whole or absent.

use super::error::ImportError;
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
    let fail = |path: &Path, e: std::io::Error| ImportError::Write {
        path: path.display().to_string(),
        message: e.to_string(),
    };
    let dir = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let file_name = out
        .file_name()
        .ok_or_else(|| ImportError::Write { path: out.display().to_string(), message: "not a file name".into() })?;
    std::fs::create_dir_all(&dir).map_err(|e| fail(&dir, e))?;
    let staging = dir.join(format!(".{}.import-{}", file_name.to_string_lossy(), std::process::id()));
    let result = stage_and_commit(files, &dir, &staging, Path::new(file_name), out);
    let _ = std::fs::remove_dir_all(&staging);
    result
}

fn stage_and_commit(
    files: &Files,
    dir: &Path,
    staging: &Path,
    file_name: &Path,
    out: &Path,
) -> Result<Written, ImportError> {
    let fail = |path: &Path, e: std::io::Error| ImportError::Write {
        path: path.display().to_string(),
        message: e.to_string(),
    };
    let _ = std::fs::remove_dir_all(staging);
    std::fs::create_dir_all(staging.join("traces")).map_err(|e| fail(staging, e))?;
    let staged = staging.join(file_name);
    std::fs::write(&staged, &files.scenario).map_err(|e| fail(&staged, e))?;
    for (rel, text) in &files.traces {
        let p = staging.join(rel);
        std::fs::write(&p, text).map_err(|e| fail(&p, e))?;
    }
    if let Some(text) = &files.observed {
        let p = staging.join("observed.csv");
        std::fs::write(&p, text).map_err(|e| fail(&p, e))?;
    }
    let shown_staged = staged.display().to_string();
    let validation = crate::scenario::load(&staged)
        .map(|_| ())
        .map_err(|d| d.to_string().replace(&shown_staged, &out.display().to_string()));
    let mut written = Written { scenario: out.to_path_buf(), traces: Vec::new(), observed: None, validation };
    if !files.traces.is_empty() {
        std::fs::create_dir_all(dir.join("traces")).map_err(|e| fail(&dir.join("traces"), e))?;
    }
    for (rel, _) in &files.traces {
        let to = dir.join(rel);
        std::fs::rename(staging.join(rel), &to).map_err(|e| fail(&to, e))?;
        written.traces.push(to);
    }
    if files.observed.is_some() {
        let to = dir.join("observed.csv");
        std::fs::rename(staging.join("observed.csv"), &to).map_err(|e| fail(&to, e))?;
        written.observed = Some(to);
    }
    std::fs::rename(&staged, out).map_err(|e| fail(out, e))?;
    Ok(written)
}
