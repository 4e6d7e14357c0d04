//! Cost by item and by service: one bar per service stacked by item
//! (compute, load balancer, public IPv4, data transfer, storage), and a bar
//! for what no service is charged (unallocated capacity and unused Savings
//! Plans commitment). Drawn only when something beyond compute is charged.

use serde_json::Value;

use crate::chart::figure::{Figure, Layer, Panel, XAxis, XScale};
use crate::chart::palette;
use crate::chart::run_context::RunContext;

/// Items a service can be charged, with their legend labels, in stacking order.
const SERVICE_ITEMS: [(&str, &str); 5] = [
    ("compute", "compute"),
    ("load_balancer", "load balancer"),
    ("public_ipv4", "public IPv4"),
    ("data_transfer", "data transfer"),
    ("storage", "storage"),
];
/// Half the width of a bar, in category units.
const HALF_BAR: f64 = 0.35;
const NOT_CHARGED: &str = "(no service)";

fn number(v: &Value, path: &[&str]) -> f64 {
    path.iter().fold(v, |v, k| v.get(*k).unwrap_or(&Value::Null)).as_f64().unwrap_or(0.0)
}

/// Bars as (category, [stack heights in SERVICE_ITEMS order, then the
/// unallocated capacity and the unused commitment]).
fn bars(summary: &Value) -> Vec<(String, [f64; 7])> {
    let mut out: Vec<(String, [f64; 7])> = Vec::new();
    if let Some(services) = summary.get("services").and_then(Value::as_object) {
        for (name, s) in services {
            let mut heights = [0.0; 7];
            for (k, (item, _)) in SERVICE_ITEMS.iter().enumerate() {
                heights[k] = number(s, &["cost_by_item", item]);
            }
            out.push((name.clone(), heights));
        }
    }
    let mut rest = [0.0; 7];
    rest[5] = number(summary, &["cost", "unallocated_usd"]);
    rest[6] = number(summary, &["cost", "savings_plans", "unused_usd"]);
    if rest.iter().any(|h| *h != 0.0) {
        out.push((NOT_CHARGED.to_string(), rest));
    }
    out
}

/// The breakdown, or None when only compute is charged (the cost chart says it all).
pub(crate) fn cost_breakdown_figure(context: &RunContext) -> Option<Figure> {
    let summary = &context.run.summary;
    let beyond_compute: f64 = ["savings_plan_commitment", "load_balancer", "public_ipv4", "data_transfer", "storage"]
        .iter()
        .map(|item| number(summary, &["cost", "by_item", item]))
        .sum();
    if beyond_compute == 0.0 {
        return None;
    }
    let bars = bars(summary);
    let labels = SERVICE_ITEMS.iter().map(|(_, l)| *l).chain(["unallocated", "unused commitment"]);
    let layers: Vec<Layer> = labels
        .enumerate()
        .filter(|(k, _)| bars.iter().any(|(_, h)| h[*k] != 0.0))
        .map(|(k, label)| {
            let segments = bars
                .iter()
                .enumerate()
                .map(|(x, (_, h))| {
                    let below: f64 = h[..k].iter().sum();
                    let x = x as f64;
                    vec![(x - HALF_BAR, below, below + h[k]), (x + HALF_BAR, below, below + h[k])]
                })
                .collect();
            Layer::Band { label: label.to_string(), colour: palette::series(k), opacity: 0.8, outline: true, segments }
        })
        .collect();
    let names: Vec<String> = bars.iter().map(|(n, _)| n.clone()).collect();
    let total = number(summary, &["cost", "total_usd"]);
    Some(Figure {
        stem: "cost-breakdown".to_string(),
        title: context.title("cost by item and service"),
        subtitle: Some(format!(
            "summary.json cost (after warm-up) stacked by item; total {total:.2} USD; \"{NOT_CHARGED}\": unallocated capacity and unused Savings Plans commitment"
        )),
        x: XAxis {
            label: "service".to_string(),
            scale: XScale::Categories(names.clone()),
            min: -0.5,
            max: names.len() as f64 - 0.5,
        },
        panels: vec![Panel::from_zero("cost (USD)", layers)],
        markers: Vec::new(),
        shade: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_stack_each_service_and_what_no_service_pays() {
        let summary = serde_json::json!({
            "cost": {"unallocated_usd": 1.5, "savings_plans": {"unused_usd": 0.25}},
            "services": {
                "a": {"cost_by_item": {"compute": 2.0, "load_balancer": 0.5, "public_ipv4": 0.0, "data_transfer": 0.1, "storage": 0.0}},
                "b": {"cost_by_item": {"compute": 1.0, "load_balancer": 0.5, "public_ipv4": 0.2, "data_transfer": 0.0, "storage": 0.3}}
            }
        });
        let bars = bars(&summary);
        assert_eq!(bars.len(), 3);
        assert_eq!(bars[0], ("a".to_string(), [2.0, 0.5, 0.0, 0.1, 0.0, 0.0, 0.0]));
        assert_eq!(bars[1], ("b".to_string(), [1.0, 0.5, 0.2, 0.0, 0.3, 0.0, 0.0]));
        assert_eq!(bars[2], (NOT_CHARGED.to_string(), [0.0, 0.0, 0.0, 0.0, 0.0, 1.5, 0.25]));
    }
}
