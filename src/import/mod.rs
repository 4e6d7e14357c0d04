//! `ecsim import aws`: a scenario from the JSON of read-only AWS CLI calls
//! about one ECS cluster (docs/import.md).
//!
//! The flow: read and recognise the files ([`recognise`]), index them
//! ([`export`]), find the cluster ([`cluster`]), map each kind of AWS
//! resource to its scenario table (one file each), turn the metrics into
//! traces and `observed.csv` ([`metrics`], [`workload`]), then write the
//! commented scenario ([`scenario`], [`document`]) and its files
//! ([`output`]). Every value says where it came from; what was assumed or
//! is not modelled goes to the [`report`].

pub mod autoscaling;
pub mod capacity;
pub mod cluster;
pub mod discovery;
pub mod document;
pub mod error;
pub mod export;
pub mod json;
pub mod kind;
pub mod load_balancer;
pub mod metrics;
pub mod names;
pub mod output;
pub mod policies;
pub mod recognise;
pub mod report;
pub mod scenario;
pub mod service;
pub mod task_definition;
pub mod unmodelled;
pub mod workload;

pub use error::{Errors, ImportError};
pub use output::{Files, Written, write};
pub use report::Report;

use document::Table;
use export::Export;
use kind::Kind;
use service::{Lookups, MappedService};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use task_definition::TaskDefs;
use workload::ServiceFacts;

/// An import, in memory.
pub struct Imported {
    pub files: Files,
    pub report: Report,
    pub cluster: String,
    pub services: usize,
    pub capacity_providers: usize,
    pub task_definitions: usize,
    pub files_read: usize,
}

/// Reads the export in `dir` and maps it. Errors (every one found) leave
/// nothing to write.
pub fn import_aws(dir: &Path) -> Result<Imported, Errors> {
    let mut errors = Errors::default();
    let mut report = Report::default();
    let docs = recognise::read_export(dir, &mut report, &mut errors);
    let export = Export::new(&docs, &mut errors);
    let wanted = [Kind::Services, Kind::CapacityProviders, Kind::TaskDefinition];
    if errors.is_empty() && docs.is_empty() {
        errors.push(ImportError::Nothing { dir: dir.display().to_string() });
    } else if !docs.iter().any(|d| wanted.contains(&d.kind)) {
        report.warn(format!(
            "{}: no describe-services, describe-capacity-providers or describe-task-definition output:              the scenario will have to be completed by hand",
            dir.display()
        ));
    }
    let cluster = cluster::cluster(&export, &mut report, &mut errors);
    let mut tds = TaskDefs::read(&export, &mut errors);
    let admitted: Vec<service::Admitted<'_>> = export
        .items(Kind::Services)
        .iter()
        .filter_map(|n| service::admit(n, &cluster, &tds, &mut report, &mut errors))
        .collect();
    tds.name_used(&admitted.iter().map(|a| a.task_def).collect());
    let referenced = service::referenced_providers(&admitted, &cluster);
    let capacity = capacity::capacity(&export, &cluster, &referenced, &mut report, &mut errors);
    let target_groups = load_balancer::TargetGroups::new(&export, &mut report);
    let registries = discovery::Registries::new(&export);
    let scaling = autoscaling::Scaling::new(&export, &cluster.name, &mut report, &mut errors);
    let metrics = metrics::read(&export, &mut report, &mut errors);
    let look = Lookups {
        cluster: &cluster,
        capacity: &capacity,
        tds: &tds,
        target_groups: &target_groups,
        registries: &registries,
        scaling: &scaling,
    };
    let mut mapped: Vec<MappedService> =
        admitted.iter().filter_map(|a| service::service(a, &look, &mut report, &mut errors)).collect();
    let used: BTreeSet<usize> = mapped.iter().map(|m| m.task_def).collect();
    let mut td_tables: BTreeMap<usize, Table> = BTreeMap::new();
    for &i in &used {
        let name = &tds.names[&i];
        if let Some(t) = task_definition::task_definition(&tds.list[i], name, &mut report, &mut errors) {
            td_tables.insert(i, t);
        }
    }
    for (i, td) in tds.list.iter().enumerate() {
        if !used.contains(&i) {
            report
                .warn_at(&td.node, format!("task definition {} is not used by an imported service; left out", td.arn));
        }
    }
    let span = metrics.span();
    let mut traces = Vec::new();
    for m in &mut mapped {
        let Some(td) = td_tables.get(&m.task_def) else { continue };
        let number = |key: &str| td.value(key).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
        let facts = ServiceFacts {
            aws_name: &m.aws_name,
            name: &m.name,
            task_cpu_units: number("cpu"),
            task_memory_mib: number("memory"),
            desired_count: m.desired_count as f64,
        };
        match workload::workload(&metrics, span.map_or(0, |s| s.0), &facts, &mut report) {
            Some((table, trace)) => {
                m.table.table("workload", table);
                traces.push(trace);
            }
            None => {
                let why =
                    "no requests metric in the export (get-metric-data, Id requests_<n>): the service receives no load";
                m.table.note("workload", report.assume("services[].workload", &m.name, why));
            }
        }
    }
    let imported: BTreeSet<String> = mapped.iter().map(|m| m.aws_name.clone()).collect();
    scaling.warn_unused(&imported, &mut report);
    let names: BTreeMap<String, String> = mapped.iter().map(|m| (m.aws_name.clone(), m.name.clone())).collect();
    for (label, metric) in metrics.series.keys() {
        if !names.contains_key(label) {
            report.warn(format!(
                "{}: Label {label} is not an imported service; its {} is left out",
                metrics.series[&(label.clone(), *metric)].sources.join(", "),
                metric.observed_name()
            ));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let observed = (!metrics.series.is_empty()).then(|| metrics::observed_csv(&metrics, &names));
    let (services, providers, task_definitions) = (mapped.len(), capacity.providers.len(), td_tables.len());
    let parts = scenario::Parts {
        docs: &docs,
        cluster: &cluster,
        capacity,
        task_definitions: td_tables.into_values().collect(),
        services: mapped.into_iter().map(|m| m.table).collect(),
        span,
    };
    let text = scenario::scenario_text(parts, &mut report);
    Ok(Imported {
        files: Files { scenario: text, traces, observed },
        report,
        cluster: cluster.name.clone(),
        services,
        capacity_providers: providers,
        task_definitions,
        files_read: docs.len(),
    })
}

/// The default output: `imported.toml` in the export directory's parent.
pub fn default_out(dir: &Path) -> std::path::PathBuf {
    let parent = dir.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    parent.join("imported.toml")
}
