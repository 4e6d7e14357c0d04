//! `diff.csv`: one row per figure that differs, for scripts.

use super::compare::Change;

/// `metric,a,b,change,relative_change`, one row per change, sorted by metric
/// name; numbers in shortest round-trip form, the relative change as a
/// fraction ((B − A) / |A|), an empty cell where a value is null or a change
/// undefined (from null, or a relative change from 0).
pub fn diff_csv(changes: &[Change]) -> std::io::Result<Vec<u8>> {
    let cell = |v: Option<f64>| v.map(crate::fmt::fmt_f64).unwrap_or_default();
    let mut sorted: Vec<&Change> = changes.iter().collect();
    sorted.sort_by(|x, y| x.metric.cmp(&y.metric));
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(["metric", "a", "b", "change", "relative_change"])?;
    for c in sorted {
        writer.write_record([c.metric.clone(), cell(c.a), cell(c.b), cell(c.absolute()), cell(c.relative())])?;
    }
    writer.into_inner().map_err(|e| e.into_error())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_sorted_with_empty_cells_for_undefined_values() {
        let change = |metric: &str, a: Option<f64>, b: Option<f64>| Change { metric: metric.into(), a, b };
        let changes = [
            change("tasks.started", Some(0.0), Some(3.0)),
            change("cost.total_usd", Some(2.0), Some(2.5)),
            change("latency.p99_ms", None, Some(80.0)),
        ];
        let text = String::from_utf8(diff_csv(&changes).unwrap()).unwrap();
        assert_eq!(
            text,
            "metric,a,b,change,relative_change\n\
             cost.total_usd,2,2.5,0.5,0.25\n\
             latency.p99_ms,,80,,\n\
             tasks.started,0,3,3,\n"
        );
    }
}
