//! Cost: cumulative cost stacked by capacity provider with the cluster
//! total on top, and the cost rate of each provider.

use std::collections::BTreeSet;

use crate::chart::figure::{Dash, Figure, Layer, Panel};
use crate::chart::palette::{self, BLACK};
use crate::chart::render::THIN_BUCKETS;
use crate::chart::run_context::{RunContext, SkippedChart, has_nonzero, line};
use crate::chart::time_axis::{Placement, TimeAxis};

const WHAT: &str = "cost";
/// Stacked areas are opaque enough to tell apart, light enough for grid lines.
const STACK_OPACITY: f64 = 0.45;

/// Each provider's running total at the end of every interval with a rate
/// row, on a time grid shared by all providers so that they stack: rows
/// `(time_s at the interval's end, [total per provider])`, starting with
/// zeros at the first interval's start.
fn cumulative_by_provider(rates: &[&[(u64, f64)]], interval_s: u64) -> Vec<(u64, Vec<f64>)> {
    let times: BTreeSet<u64> = rates.iter().flat_map(|r| r.iter().map(|p| p.0)).collect();
    let Some(&first) = times.first() else {
        return Vec::new();
    };
    let hours = interval_s as f64 / 3600.0;
    let mut positions = vec![0usize; rates.len()];
    let mut totals = vec![0.0; rates.len()];
    let mut rows = vec![(first, totals.clone())];
    for time_s in times {
        for (provider, rate) in rates.iter().enumerate() {
            if let Some(&(t, usd_per_hour)) = rate.get(positions[provider])
                && t == time_s
            {
                totals[provider] += usd_per_hour * hours;
                positions[provider] += 1;
            }
        }
        rows.push((time_s + interval_s, totals.clone()));
    }
    rows
}

/// Every `stride`-th row, with the first and last: a running total is
/// monotone, so dropping rows between kept ones does not change its shape
/// at screen resolution.
fn thin_rows<T: Clone>(rows: &[T], buckets: usize) -> Vec<T> {
    if rows.len() <= buckets.max(2) {
        return rows.to_vec();
    }
    let stride = rows.len().div_ceil(buckets);
    let last = rows.len() - 1;
    rows.iter().enumerate().filter(|(i, _)| i % stride == 0 || *i == last).map(|(_, row)| row.clone()).collect()
}

/// One band per provider, stacked in provider order.
fn stacked_bands(axis: &TimeAxis, providers: &[(usize, &str)], rows: &[(u64, Vec<f64>)]) -> Vec<Layer> {
    let shown: Vec<(u64, Vec<f64>)> =
        rows.iter().filter(|(time_s, _)| (axis.from_s..=axis.to_s).contains(&(*time_s as f64))).cloned().collect();
    let rows = thin_rows(&shown, THIN_BUCKETS);
    providers
        .iter()
        .enumerate()
        .map(|(position, &(index, provider))| {
            let band = rows
                .iter()
                .map(|(time_s, totals)| {
                    let below: f64 = totals[..position].iter().sum();
                    (axis.position(*time_s as f64), below, below + totals[position])
                })
                .collect();
            Layer::Band {
                label: provider.to_string(),
                colour: palette::series(index),
                opacity: STACK_OPACITY,
                outline: true,
                segments: vec![band],
            }
        })
        .collect()
}

pub(crate) fn cost_figure(context: &RunContext) -> Result<Figure, SkippedChart> {
    let run = context.run;
    let axis = &context.axis;
    let series = &run.series;
    // Colours follow the position among all providers, as on the instance charts.
    let providers: Vec<(usize, String)> = series
        .names("provider")
        .into_iter()
        .enumerate()
        .filter(|(_, provider)| has_nonzero(series.get("provider", provider, "cost_usd_per_hour")))
        .collect();
    let clusters = series.names("cluster");
    let has_cluster_cost = clusters.iter().any(|c| !series.get("cluster", c, "cost_usd_cumulative").is_empty());
    if providers.is_empty() && !has_cluster_cost {
        return Err(context.skipped(WHAT, "no cost rows: nothing was billed"));
    }
    let named: Vec<(usize, &str)> = providers.iter().map(|(i, p)| (*i, p.as_str())).collect();
    let rates: Vec<&[(u64, f64)]> = named.iter().map(|(_, p)| series.get("provider", p, "cost_usd_per_hour")).collect();
    let mut cumulative = stacked_bands(axis, &named, &cumulative_by_provider(&rates, axis.interval_s));
    let total_label =
        |cluster: &str| if clusters.len() == 1 { "total".to_string() } else { format!("total ({cluster})") };
    for cluster in &clusters {
        cumulative.push(line(
            total_label(cluster),
            BLACK,
            Dash::Solid,
            axis.segments(series.get("cluster", cluster, "cost_usd_cumulative"), Placement::End),
        ));
    }
    let mut rate_lines: Vec<Layer> = named
        .iter()
        .zip(&rates)
        .map(|(&(index, provider), rate)| {
            line(provider, palette::series(index), Dash::Solid, axis.segments(rate, Placement::Midpoint))
        })
        .collect();
    // With one provider its rate is the total's.
    if named.len() != 1 {
        for cluster in &clusters {
            rate_lines.push(line(
                total_label(cluster),
                BLACK,
                Dash::Solid,
                axis.segments(series.get("cluster", cluster, "cost_usd_per_hour"), Placement::Midpoint),
            ));
        }
    }
    let total = run.summary.get("cost").and_then(|c| c.get("total_usd")).and_then(serde_json::Value::as_f64);
    let total_phrase = match total {
        Some(total) if run.warmup_s > 0.0 => format!("; summary total {total:.2} USD leaves out the warm-up"),
        Some(total) => format!("; run total {total:.2} USD"),
        None => String::new(),
    };
    let subtitle = format!(
        "cumulative cost stacked by capacity provider; below: {} average cost rate{total_phrase}",
        axis.interval_phrase()
    );
    let panels = vec![
        Panel::from_zero("cumulative cost (USD)", cumulative),
        Panel::from_zero("cost rate (USD/hour)", rate_lines),
    ];
    Ok(context.figure("cost".to_string(), WHAT, subtitle, panels, context.cluster_markers()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn running_totals_share_one_time_grid() {
        // Provider a: 2 USD/h for two minutes; b: 6 USD/h in the second
        // minute only, and 3 USD/h in the fourth (after a missing row).
        let a = [(0, 2.0), (60, 2.0)];
        let b = [(60, 6.0), (180, 3.0)];
        let rows = cumulative_by_provider(&[&a, &b], 60);
        let expected = [
            (0, [0.0, 0.0]),
            (60, [2.0 / 60.0, 0.0]),
            (120, [4.0 / 60.0, 6.0 / 60.0]),
            (240, [4.0 / 60.0, 9.0 / 60.0]),
        ];
        assert_eq!(rows.len(), expected.len());
        for ((time_s, totals), (want_time, want)) in rows.iter().zip(expected) {
            assert_eq!(*time_s, want_time);
            for (got, want) in totals.iter().zip(want) {
                assert!((got - want).abs() < 1e-15, "{totals:?} at {time_s}");
            }
        }
        assert!(cumulative_by_provider(&[], 60).is_empty());
    }

    #[test]
    fn thinning_keeps_the_first_and_last_rows() {
        let rows: Vec<u32> = (0..10).collect();
        assert_eq!(thin_rows(&rows, 4), vec![0, 3, 6, 9]);
        assert_eq!(thin_rows(&rows, 3), vec![0, 4, 8, 9]);
        assert_eq!(thin_rows(&rows, 20), rows);
    }
}
