//! Reading the simulator's CSV outputs with errors that name file, line and column.

use std::fs::File;
use std::path::Path;

use anyhow::{Context, bail};

/// A CSV reader over `path` that treats the first row as the header and
/// rejects rows whose field count differs from it.
pub(crate) fn open(path: &Path) -> anyhow::Result<csv::Reader<File>> {
    let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    Ok(csv::ReaderBuilder::new().has_headers(true).from_reader(file))
}

/// The header row as owned strings.
pub(crate) fn header(reader: &mut csv::Reader<File>, path: &Path) -> anyhow::Result<Vec<String>> {
    let header = reader.headers().with_context(|| format!("cannot read the header of {}", path.display()))?;
    Ok(header.iter().map(str::to_string).collect())
}

/// Fails unless the header is exactly `expected`.
pub(crate) fn expect_header(header: &[String], expected: &[&str], path: &Path) -> anyhow::Result<()> {
    if header.iter().map(String::as_str).ne(expected.iter().copied()) {
        bail!("{} has header `{}`; expected `{}`", path.display(), header.join(","), expected.join(","));
    }
    Ok(())
}

/// The position of `column` in `header`, or an error saying what it is needed for.
pub(crate) fn column(header: &[String], column: &str, path: &Path, purpose: &str) -> anyhow::Result<usize> {
    header
        .iter()
        .position(|h| h == column)
        .with_context(|| format!("{} has no column `{column}` (needed for {purpose})", path.display()))
}

/// A finite number from a cell; an empty cell is `None` (the contract's null).
pub(crate) fn optional_number(cell: &str, path: &Path, line: u64, column: &str) -> anyhow::Result<Option<f64>> {
    if cell.is_empty() {
        return Ok(None);
    }
    match cell.parse::<f64>() {
        Ok(value) if value.is_finite() => Ok(Some(value)),
        _ => bail!("{}, line {line}, column `{column}`: `{cell}` is not a finite number", path.display()),
    }
}

/// A finite number that must be present.
pub(crate) fn number(cell: &str, path: &Path, line: u64, column: &str) -> anyhow::Result<f64> {
    optional_number(cell, path, line, column)?.with_context(|| {
        format!("{}, line {line}, column `{column}`: the value is empty; a number is required", path.display())
    })
}

/// A non-negative integer (ids, indices, whole seconds).
pub(crate) fn integer(cell: &str, path: &Path, line: u64, column: &str) -> anyhow::Result<u64> {
    cell.parse::<u64>().map_err(|_| {
        anyhow::anyhow!("{}, line {line}, column `{column}`: `{cell}` is not a non-negative integer", path.display())
    })
}

/// The 1-based line a record starts on, for messages.
pub(crate) fn line_of(record: &csv::StringRecord) -> u64 {
    record.position().map_or(0, csv::Position::line)
}

/// Every record of `reader`, each with a read error naming the file.
pub(crate) fn records(
    reader: &mut csv::Reader<File>,
    path: &Path,
) -> impl Iterator<Item = anyhow::Result<csv::StringRecord>> {
    reader.records().map(move |r| r.with_context(|| format!("{} is not valid CSV", path.display())))
}
