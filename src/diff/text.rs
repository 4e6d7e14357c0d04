//! The comparison as people read it on a terminal.

use std::fmt::Write as _;

use super::compare::{Change, Comparison};
use super::units::unit;

/// The report: which runs, what in their provenance differs, then every
/// figure that differs, by section in report order, then the figures only
/// one run reports.
pub fn render(c: &Comparison, label_a: &str, label_b: &str) -> String {
    let mut out = String::new();
    let scenario = |name: &str| if name.is_empty() { String::new() } else { format!(" (scenario {name})") };
    let _ = writeln!(out, "A: {label_a}{}", scenario(&c.scenarios.0));
    let _ = writeln!(out, "B: {label_b}{}", scenario(&c.scenarios.1));
    if c.different_scenarios() {
        let _ = writeln!(
            out,
            "note: A and B are runs of different scenarios ({} and {}); figures only one reports are listed at the end",
            c.scenarios.0, c.scenarios.1
        );
    }
    if !c.provenance.is_empty() {
        out.push_str("provenance that differs (not compared as figures):\n");
        let rows: Vec<Vec<String>> = c
            .provenance
            .iter()
            .map(|p| {
                let side = |v: &Option<String>| v.clone().unwrap_or_else(|| "(none)".to_string());
                vec![p.key.clone(), side(&p.a), "->".to_string(), side(&p.b)]
            })
            .collect();
        push_table(&mut out, &rows, &[false; 4]);
    }
    if c.changes.is_empty() {
        let _ = writeln!(out, "no figure differs ({} compared)", c.compared);
    } else {
        let _ = writeln!(
            out,
            "{} of {} figures differ (A -> B, change B - A, relative change (B - A) / |A|):",
            c.changes.len(),
            c.compared
        );
        let mut start = 0;
        while start < c.changes.len() {
            let section = c.changes[start].section();
            let end = start + c.changes[start..].iter().take_while(|x| x.section() == section).count();
            let _ = writeln!(out, "{section}");
            let rows: Vec<Vec<String>> = c.changes[start..end].iter().map(change_row).collect();
            push_table(&mut out, &rows, &[false, true, false, false, true, true]);
            start = end;
        }
    }
    for (side, names) in [("A", &c.only_in_a), ("B", &c.only_in_b)] {
        if !names.is_empty() {
            let _ = writeln!(out, "only in {side} ({}):", names.len());
            for name in names {
                let _ = writeln!(out, "  {name}");
            }
        }
    }
    out
}

/// metric, A, "->", B and unit, change and unit, relative change.
fn change_row(c: &Change) -> Vec<String> {
    let with_unit = |text: String| match unit(&c.metric) {
        Some(u) => format!("{text} {u}"),
        None => text,
    };
    let value = |v: Option<f64>| v.map_or_else(|| "null".to_string(), |v| with_unit(format_number(v, false)));
    let change = c.absolute().map(|d| with_unit(format_number(d, true))).unwrap_or_default();
    let relative = match (c.relative(), c.a, c.b) {
        (Some(r), _, _) => format_relative(r),
        (None, Some(0.0), Some(_)) => "(from 0)".to_string(),
        _ => String::new(),
    };
    let a = c.a.map_or_else(|| "null".to_string(), |v| format_number(v, false));
    vec![c.metric.clone(), a, "->".to_string(), value(c.b), change, relative]
}

/// Rows as aligned columns, indented by two spaces; `right` says which
/// columns are right-aligned.
fn push_table(out: &mut String, rows: &[Vec<String>], right: &[bool]) {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|i| rows.iter().filter_map(|r| r.get(i)).map(|s| s.chars().count()).max().unwrap_or(0))
        .collect();
    for row in rows {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            let pad = widths[i] - cell.chars().count();
            line.push_str("  ");
            if right.get(i) == Some(&true) {
                line.push_str(&" ".repeat(pad));
                line.push_str(cell);
            } else {
                line.push_str(cell);
                line.push_str(&" ".repeat(pad));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
}

/// A figure for people: whole numbers as they are, large ones to one
/// decimal, others to six significant digits; `signed` puts `+` before a
/// positive number.
pub(super) fn format_number(v: f64, signed: bool) -> String {
    let text = if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else if v.abs() >= 1e5 {
        format!("{v:.1}")
    } else {
        let rounded: f64 = format!("{v:.5e}").parse().unwrap_or(v);
        crate::fmt::fmt_f64(rounded)
    };
    if signed && v > 0.0 { format!("+{text}") } else { text }
}

/// A relative change as a signed percentage: `+7.15%`, `-0.00012%` for a
/// tiny one, `+inf%` from 0.
pub fn format_relative(r: f64) -> String {
    let percent = r * 100.0;
    if percent.is_infinite() {
        return if percent > 0.0 { "+inf%".to_string() } else { "-inf%".to_string() };
    }
    if percent == 0.0 || percent.abs() >= 0.01 { format!("{percent:+.2}%") } else { format!("{percent:+.1e}%") }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::compare;
    use serde_json::json;

    #[test]
    fn numbers_and_percentages_read_short() {
        assert_eq!(format_number(32.0, false), "32");
        assert_eq!(format_number(2.1635027867776286, false), "2.1635");
        assert_eq!(format_number(0.9998712345, false), "0.999871");
        assert_eq!(format_number(19008714.517398093, false), "19008714.5");
        assert_eq!(format_number(0.154597, true), "+0.154597");
        assert_eq!(format_number(-5.0, true), "-5");
        assert_eq!(format_relative(0.0714566), "+7.15%");
        assert_eq!(format_relative(-0.000001), "-1.0e-4%");
        assert_eq!(format_relative(f64::INFINITY), "+inf%");
    }

    #[test]
    fn the_report_groups_by_section_with_units() {
        let a = json!({"scenario": "q", "seed": 7, "cost": {"total_usd": 2.0}, "latency": {"p99_ms": 80.0},
                       "tasks": {"started": 0, "active_at_end": 4}, "batch": {"n": {"jobs": 1}}});
        let b = json!({"scenario": "r", "seed": 7, "cost": {"total_usd": 2.5}, "latency": {"p99_ms": null},
                       "tasks": {"started": 3, "active_at_end": 4}});
        let text = render(&compare(&a, &b), "runs/a", "runs/b");
        assert_eq!(
            text,
            "A: runs/a (scenario q)\n\
             B: runs/b (scenario r)\n\
             note: A and B are runs of different scenarios (q and r); figures only one reports are listed at the end\n\
             provenance that differs (not compared as figures):\n  \
             scenario  q  ->  r\n\
             3 of 4 figures differ (A -> B, change B - A, relative change (B - A) / |A|):\n\
             cost\n  \
             cost.total_usd  2  ->  2.5 USD  +0.5 USD  +25.00%\n\
             latency\n  \
             latency.p99_ms  80  ->  null\n\
             tasks\n  \
             tasks.started  0  ->  3  +3  (from 0)\n\
             only in A (1):\n  \
             batch.n.jobs\n"
        );
        let same = render(&compare(&a, &a), "x", "x");
        assert_eq!(same, "A: x (scenario q)\nB: x (scenario q)\nno figure differs (5 compared)\n");
    }
}
