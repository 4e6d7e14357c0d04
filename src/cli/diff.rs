//! `ecsim diff`: what changed from run A to run B, and `--fail-if` gates on it.

use super::Failure;
use crate::chart::ChartFormat;
use crate::diff::{Condition, compare, diff_csv, figures, render};
use crate::report::{Staged, write_atomically};
use serde_json::Value;
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Run directory A, the baseline (or its summary.json).
    pub run_a: PathBuf,
    /// Run directory B, the change (or its summary.json).
    pub run_b: PathBuf,
    /// Write DIR/diff.csv: one row per figure that differs.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Exit with code 4 when the change of a figure from A to B passes a
    /// threshold: relative with %, e.g. "cost.total_usd > +5%", absolute
    /// otherwise, e.g. "requests.availability < -0.001"; repeatable.
    #[arg(long = "fail-if", value_name = "EXPR")]
    pub fail_if: Vec<String>,
    /// Also draw the main time series of both runs and their difference in DIR/charts/.
    #[arg(long, requires = "out")]
    pub charts: bool,
    /// Chart format with --charts.
    #[arg(long, default_value = "both")]
    pub format: ChartFormat,
}

pub fn exec(args: Args) -> Result<(), Failure> {
    let conditions: Vec<Condition> = args
        .fail_if
        .iter()
        .map(|text| Condition::parse(text))
        .collect::<Result<_, _>>()
        .map_err(|e| Failure::Input(e.to_string()))?;
    let (a, label_a) = read_summary(&args.run_a)?;
    let (b, label_b) = read_summary(&args.run_b)?;
    let (fa, fb) = (figures(&a), figures(&b));
    // Every condition is checked before anything is printed: a misnamed
    // figure is an input error, not a pass.
    let mut verdicts = Vec::new();
    let mut problems = Vec::new();
    for condition in &conditions {
        match condition.check(&fa, &fb) {
            Ok(verdict) => verdicts.push((condition, verdict)),
            Err(e) => problems.push(e.to_string()),
        }
    }
    if !problems.is_empty() {
        return Err(Failure::Input(problems.join("\n")));
    }
    let comparison = compare(&a, &b);
    print!("{}", render(&comparison, &label_a, &label_b));
    if let Some(out) = &args.out {
        // Written whole into a fresh directory that replaces OUT in one rename,
        // under OUT's lock, as `run` does (report::commit).
        let staged = Staged::begin(out).map_err(super::commit_failure)?;
        let path = staged.dir().join("diff.csv");
        let bytes = diff_csv(&comparison.changes).map_err(|e| Failure::Run(format!("cannot write diff.csv: {e}")))?;
        write_atomically(&path, &bytes).map_err(|e| Failure::Run(staged.shown_message(&e)))?;
        let mut charts = 0;
        if args.charts {
            // A summary.json named directly: its run is the directory holding it.
            let dir =
                |p: &Path| if p.is_file() { p.parent().unwrap_or(Path::new(".")).to_path_buf() } else { p.into() };
            let written = crate::chart::chart_diff(&dir(&args.run_a), &dir(&args.run_b), staged.dir(), args.format)
                .map_err(|e| Failure::Run(staged.shown_message(&format!("{e:#}"))))?;
            charts = written.len();
        }
        staged.commit().map_err(super::commit_failure)?;
        println!("written: {}", out.join("diff.csv").display());
        if args.charts {
            println!("charts: {charts} files in {}", out.join("charts").display());
        }
    }
    let mut held = Vec::new();
    for (condition, verdict) in &verdicts {
        let outcome = if verdict.holds { "HOLDS" } else { "does not hold" };
        println!("--fail-if {}: {outcome} (change {})", condition.text, verdict.change_text());
        if verdict.holds {
            held.push(format!("{} (change {})", condition.text, verdict.change_text()));
        }
    }
    if held.is_empty() {
        Ok(())
    } else {
        Err(Failure::Condition(format!(
            "{} of {} --fail-if condition(s) hold: {}",
            held.len(),
            verdicts.len(),
            held.join("; ")
        )))
    }
}

/// The summary of a run directory (or a summary.json named directly), and
/// the label that names it in the report.
fn read_summary(path: &Path) -> Result<(Value, String), Failure> {
    let file = if path.is_dir() { path.join("summary.json") } else { path.to_path_buf() };
    if !file.is_file() {
        return Err(Failure::Input(missing_summary(path)));
    }
    let text = crate::scenario::read_text(&file).map_err(|e| Failure::Input(format!("{}: {e}", file.display())))?;
    let value: Value = serde_json::from_str(&text)
        .map_err(|e| Failure::Input(format!("{}:{}:{}: not valid JSON: {e}", file.display(), e.line(), e.column())))?;
    if !value.is_object() {
        return Err(Failure::Input(format!("{}: expected a JSON object, the summary of a run", file.display())));
    }
    Ok((value, path.display().to_string()))
}

/// Why `path` holds no summary.json, and what to pass instead.
fn missing_summary(path: &Path) -> String {
    let shown = path.display();
    if !path.exists() {
        format!("{shown} does not exist; expected a run directory, as `ecsim run --out DIR` writes")
    } else if path.join("replication-0").is_dir() {
        format!(
            "{shown} holds several replications; compare one of them, e.g. {}",
            path.join("replication-0").display()
        )
    } else if path.join("runs.csv").is_file() {
        format!(
            "{shown} is a sweep directory; compare two of its runs (kept with `ecsim sweep --keep-runs` under \
             runs/<variant>/<configuration>/<replication>/)"
        )
    } else {
        format!("{shown} has no summary.json; expected a run directory, as `ecsim run --out DIR` writes")
    }
}
