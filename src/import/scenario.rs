//! The scenario writer: the mapped providers, task definitions and services
//! under `[simulation]`, `[region]` and `[cluster]` tables, with a header
//! that says where the file came from and repeats the report's lists.

use super::capacity::Capacity;
use super::cluster::Cluster;
use super::document::{Origin, Table, render, tv_str, tv_str_array};
use super::json::Doc;
use super::metrics::{PERIOD_S, instant};
use super::names::scenario_name;
use super::report::Report;

pub struct Parts<'x, 'a> {
    pub docs: &'a [Doc],
    pub cluster: &'x Cluster<'a>,
    pub capacity: Capacity,
    pub task_definitions: Vec<Table>,
    pub services: Vec<Table>,
    /// First and last minute of the metrics (epoch seconds).
    pub span: Option<(i64, i64)>,
}

/// The scenario's text.
pub fn scenario_text(parts: Parts<'_, '_>, report: &mut Report) -> String {
    let mut root = Table::default();
    root.table("simulation", simulation(&parts, report));
    root.table("region", region(&parts, report));
    let mut cluster = Table::default();
    cluster.set("name", tv_str(&scenario_name(&parts.cluster.name)), parts.cluster.name_origin.clone());
    let why = "the account setting awsvpcTrunking is not exported: false";
    cluster.note("awsvpc_trunking", report.assume("cluster.awsvpc_trunking", "cluster", why));
    root.table("cluster", cluster);
    root.array("capacity_providers", parts.capacity.providers.into_iter().map(|p| p.table).collect());
    root.array("task_definitions", parts.task_definitions);
    root.array("services", parts.services);
    let body = render(&root);
    let mut out = header(parts.docs, &parts.cluster.name, report);
    out.push_str(&body);
    out
}

fn simulation(parts: &Parts<'_, '_>, report: &mut Report) -> Table {
    let mut t = Table::default();
    t.set("name", tv_str(&scenario_name(&parts.cluster.name)), parts.cluster.name_origin.clone());
    match parts.span {
        Some((first, last)) => {
            t.set(
                "start",
                tv_str(&instant(first)),
                Origin::Derived("the first minute of the metrics (get-metric-data)".into()),
            );
            let minutes = (last - first) / PERIOD_S + 1;
            t.set(
                "duration",
                tv_str(&duration(minutes)),
                Origin::Derived("the metrics' span, first to last minute (get-metric-data)".into()),
            );
        }
        None => {
            let why = "no metrics in the export (get-metric-data): ecsim's default start";
            t.note("start", report.assume("simulation.start", "simulation", why));
            let why = "no metrics in the export (get-metric-data) to give the span: one day";
            t.set("duration", tv_str("1d"), report.assume("simulation.duration", "simulation", why));
        }
    }
    t
}

/// Minutes as the scenario format writes them, in the largest whole unit.
fn duration(minutes: i64) -> String {
    if minutes % 1440 == 0 {
        format!("{}d", minutes / 1440)
    } else if minutes % 60 == 0 {
        format!("{}h", minutes / 60)
    } else {
        format!("{minutes}m")
    }
}

fn region(parts: &Parts<'_, '_>, report: &mut Report) -> Table {
    let mut t = Table::default();
    match &parts.cluster.region {
        Some((name, origin)) => t.set("name", tv_str(name), origin.clone()),
        None => {
            let why = "no ARN in the export names the region: us-east-1";
            t.note("name", report.assume("region.name", "region", why));
        }
    }
    if parts.capacity.zones.is_empty() {
        let why = "no Auto Scaling group lists its zones: the region's a, b and c";
        t.note("availability_zones", report.assume("region.availability_zones", "region", why));
    } else {
        let zones: Vec<String> = parts.capacity.zones.iter().cloned().collect();
        let how = format!("the zones of every group: {}", parts.capacity.zone_sources.join(", "));
        t.set("availability_zones", tv_str_array(&zones), Origin::Derived(how));
    }
    t
}

fn header(docs: &[Doc], cluster: &str, report: &Report) -> String {
    let mut out = format!(
        "# Imported by `ecsim import aws` from an AWS CLI export of ECS cluster \"{cluster}\".\n\
         # Each value's comment names its source as `command: JSON path (file)`;\n\
         # ASSUMED marks a value the export does not hold. `ecsim calibrate` fits the\n\
         # estimated workload figures to observed.csv.\n#\n# Files read:\n"
    );
    for d in docs {
        out.push_str(&format!("#   {} ({})\n", d.name, d.kind.command()));
    }
    for (title, lines) in [
        ("Assumed by ecsim", report.assumptions()),
        ("AWS settings ecsim does not model", report.unmodelled_settings()),
        ("Warnings", report.warnings.clone()),
    ] {
        out.push_str(&format!("#\n# {title} ({}):\n", lines.len()));
        for line in lines {
            out.push_str(&format!("#   - {line}\n"));
        }
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn durations_use_the_largest_whole_unit() {
        assert_eq!(super::duration(4320), "3d");
        assert_eq!(super::duration(180), "3h");
        assert_eq!(super::duration(61), "61m");
    }
}
