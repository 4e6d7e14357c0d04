//! What can stop an import. Every error names the file and, inside it, the
//! JSON path (or line:column for JSON that does not parse), so a user can
//! find the value; nothing is written when any error remains.

use thiserror::Error;

#[derive(Debug, Error, Clone, PartialEq)]
pub enum ImportError {
    #[error("{dir}: cannot read the export directory: {message}")]
    ReadDir { dir: String, message: String },
    #[error("{dir}: no *.json file; save the AWS CLI output there first (see docs/import.md)")]
    NoFiles { dir: String },
    #[error("{file}: cannot read the file: {message}")]
    ReadFile { file: String, message: String },
    #[error("{file}:{line}:{column}: not valid JSON: {message}")]
    Json { file: String, line: usize, column: usize, message: String },
    #[error("{file}: {path}: missing; {what}")]
    Missing { file: String, path: String, what: String },
    #[error("{file}: {path}: {message}")]
    Invalid { file: String, path: String, message: String },
    #[error(
        "{file}: {path}: names cluster \"{theirs}\", but this export is of cluster \"{ours}\" \
         (from {ours_source}); export one cluster per directory"
    )]
    OtherCluster { file: String, path: String, ours: String, theirs: String, ours_source: String },
    #[error("{dir}: nothing to import: no file holds the output of a command the import reads (see docs/import.md)")]
    Nothing { dir: String },
    #[error("cannot write {path}: {message}")]
    Write { path: String, message: String },
    /// A write that failed with the message of `report::write_atomically`.
    #[error("{0}")]
    Output(String),
}

/// Every error found, in the order the files were read.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Errors(pub Vec<ImportError>);

impl Errors {
    pub fn push(&mut self, e: ImportError) {
        self.0.push(e);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Keeps the value of `r`, or records its error and gives `None`.
    pub fn keep<T>(&mut self, r: Result<T, ImportError>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.push(e);
                None
            }
        }
    }
}

impl std::fmt::Display for Errors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}
