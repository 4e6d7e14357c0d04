//! What a sweep (or a search, or a merge of shards) will need, estimated
//! before it runs (docs/limits.md), so one too big for the machine or the
//! disk is refused up front with its numbers instead of failing hours later.
//!
//! A sweep holds the figures of every finished run until it writes
//! `runs.csv`, builds that file in memory, and runs `threads` simulations at
//! once; so its memory is the largest run's times the threads plus its rows,
//! and its output is its rows (plus every run's files with `--keep-runs`).

use crate::model::budget::BASE_BYTES;

/// Memory per figure of a finished run held until the tables are written
/// (an `Option<f64>`: the names are shared, `figure_row.rs`).
pub const BYTES_PER_FIGURE: u64 = 16;
/// Memory per finished run besides its figures (its record, its error text if any).
pub const BYTES_PER_RUN: u64 = 96;
/// Characters of one cell of `runs.csv` with its comma: measured over the
/// shipped sweeps' `runs.csv` (6.7 to 7.8 on average, 2026-12-07), rounded up.
pub const BYTES_PER_CELL: u64 = 10;
/// Cells of a `runs.csv` row besides the figures: configuration, variant,
/// replication, seed, status and error (the axis columns come on top).
const FIXED_COLUMNS: u64 = 6;

/// The shape of a sweep, as far as its size goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shape {
    /// Configurations in the grid (rows of summary.csv).
    pub configurations: u64,
    /// Runs that will finish (rows of runs.csv).
    pub runs: u64,
    /// Figures a run reports (columns of runs.csv beyond the fixed ones).
    pub figures: u64,
    /// Axis keys (columns of both tables).
    pub axis_columns: u64,
    /// Metrics summarised (three columns each in summary.csv).
    pub metrics: u64,
    /// Worker threads.
    pub threads: u64,
    /// The largest memory of one run of any configuration (`model::budget`).
    pub largest_run: u64,
    /// Time series and events every run writes with `--keep-runs` (0 without it).
    pub kept_bytes: u64,
}

/// The estimate, with its parts for the message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SweepEstimate {
    /// Figures held in memory until the tables are written.
    pub held_bytes: u64,
    /// runs.csv and summary.csv.
    pub table_bytes: u64,
    /// Peak memory: the runs at once, the held figures and the tables built in memory.
    pub memory_bytes: u64,
    /// Everything written: the tables and the kept runs.
    pub output_bytes: u64,
}

/// Estimates a sweep of `shape`.
pub fn estimate(shape: &Shape) -> SweepEstimate {
    let per_run = BYTES_PER_RUN.saturating_add(shape.figures.saturating_mul(BYTES_PER_FIGURE));
    let held_bytes = shape.runs.saturating_mul(per_run);
    let runs_row = (FIXED_COLUMNS + shape.axis_columns).saturating_add(shape.figures).saturating_mul(BYTES_PER_CELL);
    let summary_row = (3 + shape.axis_columns).saturating_add(shape.metrics.saturating_mul(3)) * BYTES_PER_CELL;
    let table_bytes =
        shape.runs.saturating_mul(runs_row).saturating_add(shape.configurations.saturating_mul(summary_row));
    // The program once, then each thread's run beyond it.
    let run_extra = shape.largest_run.saturating_sub(BASE_BYTES);
    let memory_bytes = BASE_BYTES
        .saturating_add(shape.threads.max(1).saturating_mul(run_extra))
        .saturating_add(held_bytes)
        .saturating_add(table_bytes);
    let output_bytes = table_bytes.saturating_add(shape.kept_bytes);
    SweepEstimate { held_bytes, table_bytes, memory_bytes, output_bytes }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sweep_costs_its_rows_and_its_threads_runs() {
        // 10,000 configurations × 2 replications of 140 figures, one axis, 4 metrics, 2 threads
        // of runs needing 40 MB (8 MB beyond the program's 32 MB).
        let shape = Shape {
            configurations: 10_000,
            runs: 20_000,
            figures: 140,
            axis_columns: 1,
            metrics: 4,
            threads: 2,
            largest_run: 40_000_000,
            kept_bytes: 0,
        };
        let e = estimate(&shape);
        // Held: 20,000 × (96 + 140 × 16 = 2,336) = 46,720,000 bytes.
        assert_eq!(e.held_bytes, 46_720_000);
        // runs.csv: 20,000 × (6 + 1 + 140 = 147 cells) × 10 = 29,400,000;
        // summary.csv: 10,000 × (3 + 1 + 12 = 16 cells) × 10 = 1,600,000.
        assert_eq!(e.table_bytes, 31_000_000);
        // 32 MB + 2 × 8 MB + held + tables.
        assert_eq!(e.memory_bytes, 32_000_000 + 16_000_000 + 46_720_000 + 31_000_000);
        assert_eq!(e.output_bytes, 31_000_000);
        let kept = estimate(&Shape { kept_bytes: 5_000_000_000, ..shape });
        assert_eq!(kept.output_bytes, 5_031_000_000);
    }
}
