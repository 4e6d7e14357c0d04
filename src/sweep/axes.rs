//! Checking `[[axes]]`: one key (`key`) or linked keys (`keys`, whose
//! `values` are rows that set every key at once, so three services' targets
//! move together), and the points as a list (`values`) or, for integers, a
//! `range = [lo, hi]` with a `step`. Sweeps and `ecsim optimize` share it.

use std::ops::Range;

use toml::{Spanned, Value};

use super::path::KeyPath;
use super::spec::{Axis, Checker, RESERVED_COLUMNS, RawAxis, same_target};

/// The most points one `range` may expand to (a typo such as an extra zero
/// should be refused, not enumerated).
const MAX_RANGE_POINTS: i64 = 100_000;

impl Checker<'_> {
    pub(crate) fn check_axes(&mut self, raw_axes: Vec<RawAxis>) -> Vec<Axis> {
        let mut axes: Vec<(usize, Axis)> = Vec::new();
        for (index, raw) in raw_axes.into_iter().enumerate() {
            let Some((key_span, keys_text)) = self.axis_keys(index, &raw) else { continue };
            let label = format!("axes[{index}] (`{}`)", keys_text.join("`, `"));
            let mut keys = Vec::new();
            for (position, text) in keys_text.iter().enumerate() {
                match KeyPath::parse(text) {
                    Ok(key) => keys.push(key),
                    Err(error) => self.problem(key_span.clone(), format!("{label}: key: {}", error.kind)),
                }
                if RESERVED_COLUMNS.contains(&text.as_str()) {
                    self.problem(
                        key_span.clone(),
                        format!(
                            "{label}: `{text}` is an output column, not a scenario key; \
                             allowed: a path into the scenario such as `simulation.seed`"
                        ),
                    );
                }
                if let Some(first) = keys_text[..position].iter().position(|earlier| earlier == text) {
                    self.problem(key_span.clone(), format!("{label}: keys[{position}] repeats keys[{first}]"));
                }
            }
            let (values_span, rows) = self.axis_rows(&label, raw, keys_text.len());
            if rows.is_empty() {
                self.problem(
                    values_span.clone(),
                    format!("{label}: values is empty; allowed: a non-empty array, e.g. values = [40, 60]"),
                );
            }
            for (position, row) in rows.iter().enumerate() {
                if let Some(first) = rows[..position].iter().position(|earlier| earlier == row) {
                    let shown = if row.len() == 1 { row[0].to_string() } else { Value::Array(row.clone()).to_string() };
                    self.problem(
                        values_span.clone(),
                        format!(
                            "{label}: value {shown} is listed twice (positions {first} and \
                             {position}); each value makes its own configurations, list it once"
                        ),
                    );
                }
            }
            if keys.len() != keys_text.len() {
                continue;
            }
            let clash = axes
                .iter()
                .find(|(_, earlier)| earlier.keys.iter().any(|old| keys.iter().any(|new| same_target(old, new))));
            if let Some((first, _)) = clash {
                self.problem(
                    key_span,
                    format!(
                        "{label}: sets the same key as axes[{first}]; one key may be swept by \
                         one axis only (put all its values in one axis)"
                    ),
                );
                continue;
            }
            axes.push((index, Axis { keys, values: rows }));
        }
        axes.into_iter().map(|(_, axis)| axis).collect()
    }

    /// `key` or `keys` (exactly one), as written, with the span to report at.
    fn axis_keys(&mut self, index: usize, raw: &RawAxis) -> Option<(Range<usize>, Vec<String>)> {
        match (&raw.key, &raw.keys) {
            (Some(key), None) => Some((key.span(), vec![key.get_ref().clone()])),
            (None, Some(keys)) if keys.get_ref().is_empty() => {
                self.problem(
                    keys.span(),
                    format!(
                        "axes[{index}]: keys is empty; allowed: one or more key paths, e.g. keys = [\"a.b\", \"c.d\"]"
                    ),
                );
                None
            }
            (None, Some(keys)) => Some((keys.span(), keys.get_ref().iter().map(|k| k.get_ref().clone()).collect())),
            (Some(key), Some(_)) => {
                self.problem(
                    key.span(),
                    format!("axes[{index}]: give `key` (one key) or `keys` (linked keys), not both"),
                );
                None
            }
            (None, None) => {
                let span = raw.values.as_ref().or(raw.range.as_ref()).map_or(0..0, Spanned::span);
                self.problem(
                    span,
                    format!(
                        "axes[{index}]: no key; allowed: key = \"services[web].desired_count\", or \
                         keys = [...] for linked keys"
                    ),
                );
                None
            }
        }
    }

    /// The axis points, one row per point with one value per key.
    fn axis_rows(&mut self, label: &str, raw: RawAxis, width: usize) -> (Range<usize>, Vec<Vec<Value>>) {
        match (raw.values, raw.range) {
            (Some(values), None) => {
                if let Some(step) = &raw.step {
                    self.problem(step.span(), format!("{label}: step goes with range = [lo, hi], not with values"));
                }
                let span = values.span();
                let values = values.into_inner();
                if width == 1 {
                    return (span, values.into_iter().map(|value| vec![value]).collect());
                }
                let mut rows = Vec::with_capacity(values.len());
                for (position, value) in values.into_iter().enumerate() {
                    match value {
                        Value::Array(row) if row.len() == width => rows.push(row),
                        other => self.problem(
                            span.clone(),
                            format!(
                                "{label}: values[{position}] is {other}; with {width} linked keys \
                                 each value is a row of {width} values, one per key, e.g. \
                                 values = [[50, 50], [60, 70]]"
                            ),
                        ),
                    }
                }
                (span, rows)
            }
            (None, Some(range)) => {
                let span = range.span();
                if width != 1 {
                    self.problem(
                        span.clone(),
                        format!("{label}: range is for one key; linked keys take rows in values"),
                    );
                    return (span, Vec::new());
                }
                let step = raw.step.as_ref().map_or(1, |s| *s.get_ref());
                match integer_range(range.get_ref(), step) {
                    Ok(points) => (span, points.into_iter().map(|v| vec![Value::Integer(v)]).collect()),
                    Err(why) => {
                        self.problem(span.clone(), format!("{label}: {why}"));
                        // Not "values is empty" on top of the real problem.
                        (span, vec![vec![Value::Integer(0)]])
                    }
                }
            }
            (Some(values), Some(_)) => {
                self.problem(values.span(), format!("{label}: give values or range, not both"));
                (values.span(), vec![vec![Value::Integer(0)]])
            }
            (None, None) => {
                self.problem(
                    0..0,
                    format!("{label}: no values; allowed: values = [40, 60], or range = [40, 80] with step = 10"),
                );
                (0..0, vec![vec![Value::Integer(0)]])
            }
        }
    }
}

/// `lo, lo + step, ...` up to and including `hi` when it falls on a step.
fn integer_range(bounds: &[Value], step: i64) -> Result<Vec<i64>, String> {
    let allowed = "allowed: range = [lo, hi] of integers with lo <= hi, and step >= 1 (default 1)";
    let [Value::Integer(lo), Value::Integer(hi)] = bounds else {
        return Err(format!("range is not two integers; {allowed}"));
    };
    if lo > hi || step < 1 {
        return Err(format!("range = [{lo}, {hi}] with step {step}; {allowed}"));
    }
    let Some(points) = hi.checked_sub(*lo).map(|width| width / step + 1) else {
        return Err(format!("range = [{lo}, {hi}] is too wide; {allowed}"));
    };
    if points > MAX_RANGE_POINTS {
        return Err(format!(
            "range = [{lo}, {hi}] with step {step} has {points} points; allowed: at most {MAX_RANGE_POINTS}"
        ));
    }
    Ok((0..points).map(|k| lo + k * step).collect())
}

#[cfg(test)]
mod tests {
    use super::integer_range;

    #[test]
    fn ranges_include_both_ends_on_the_step() {
        assert_eq!(integer_range(&[40.into(), 80.into()], 10).unwrap(), [40, 50, 60, 70, 80]);
        // 85 is not on the step from 40: the last point is 80.
        assert_eq!(integer_range(&[40.into(), 85.into()], 20).unwrap(), [40, 60, 80]);
        assert_eq!(integer_range(&[3.into(), 3.into()], 1).unwrap(), [3]);
        assert!(integer_range(&[5.into(), 3.into()], 1).is_err());
        assert!(integer_range(&[1.into(), 3.into()], 0).is_err());
        assert!(integer_range(&[1.5.into(), 3.into()], 1).is_err());
        assert!(integer_range(&[0.into(), 10_000_000.into()], 1).is_err());
    }
}
