//! Task definitions: task-level CPU and memory (or the sums of the
//! containers'), network mode, port mappings, CPU architecture and stop
//! timeout. Environment variables and secrets are never read into the
//! scenario: only their presence is reported.

use super::document::{Origin, Table, tv_int, tv_secs, tv_str};
use super::error::Errors;
use super::export::Export;
use super::json::Node;
use super::kind::Kind;
use super::report::Report;
use super::unmodelled::{CONTAINER, TASK_DEFINITION, report_unread};
use std::collections::{BTreeMap, BTreeSet};

/// ecsim's smallest task CPU reservation (CPU units).
const MIN_CPU: u64 = 128;

pub struct TaskDef<'a> {
    pub arn: String,
    /// `family:revision`, as a service may name it.
    pub short: String,
    pub family: String,
    pub revision: u64,
    pub node: Node<'a>,
    /// Task-level `memberOf` constraints, which ECS applies to every service
    /// of the task definition.
    pub constraints: Vec<Node<'a>>,
}

pub struct TaskDefs<'a> {
    pub list: Vec<TaskDef<'a>>,
    /// Scenario family name of each used task definition, by index.
    pub names: BTreeMap<usize, String>,
}

impl<'a> TaskDefs<'a> {
    /// Every described task definition; one without ARN or family is an error.
    pub fn read(export: &Export<'a>, errors: &mut Errors) -> TaskDefs<'a> {
        let mut list: Vec<TaskDef<'a>> = Vec::new();
        let mut seen = BTreeSet::new();
        for node in export.items(Kind::TaskDefinition) {
            let (Some(arn), Some(family)) =
                (errors.keep(node.req_str("taskDefinitionArn")), errors.keep(node.req_str("family")))
            else {
                continue;
            };
            let revision = node.opt_u64("revision").ok().flatten().unwrap_or_else(|| revision_of(arn).unwrap_or(0));
            if !seen.insert(arn) {
                continue;
            }
            let constraints = errors.keep(node.list("placementConstraints")).unwrap_or_default();
            list.push(TaskDef {
                arn: arn.to_string(),
                short: format!("{family}:{revision}"),
                family: family.to_string(),
                revision,
                node: node.clone(),
                constraints,
            });
        }
        TaskDefs { list, names: BTreeMap::new() }
    }

    /// The task definition a service's `taskDefinition` (an ARN, or
    /// `family:revision`) names.
    pub fn find(&self, reference: &str) -> Option<usize> {
        let short = reference.rsplit_once("task-definition/").map_or(reference, |(_, s)| s);
        self.list.iter().position(|t| t.arn == reference || t.short == short)
    }

    /// Names the used task definitions: the family, or `family-revision`
    /// when two revisions of one family are in use.
    pub fn name_used(&mut self, used: &BTreeSet<usize>) {
        for &i in used {
            let family = &self.list[i].family;
            let shared = used.iter().filter(|&&j| self.list[j].family == *family).count() > 1;
            let name = if shared { format!("{family}-{}", self.list[i].revision) } else { family.clone() };
            self.names.insert(i, super::names::scenario_name(&name));
        }
    }

    pub fn network_mode(&self, i: usize) -> String {
        self.list[i].node.opt_str("networkMode").ok().flatten().unwrap_or("bridge").to_string()
    }
}

fn revision_of(arn: &str) -> Option<u64> {
    arn.rsplit(':').next()?.parse().ok()
}

/// The `[[task_definitions]]` table of a used task definition.
pub fn task_definition(td: &TaskDef<'_>, name: &str, report: &mut Report, errors: &mut Errors) -> Option<Table> {
    let n = &td.node;
    report_unread(n, &TASK_DEFINITION, name, report);
    let containers = errors.keep(n.need("containerDefinitions", "an array").and_then(|c| c.items()))?;
    let mut t = Table::default();
    let family = n.get("family")?;
    if name == td.family {
        t.set("family", tv_str(name), family.origin());
    } else {
        t.set(
            "family",
            tv_str(name),
            Origin::Derived(format!("{} with its revision {}", family.source(), td.revision)),
        );
    }
    for c in &containers {
        report_unread(c, &CONTAINER, name, report);
        for secret in ["environment", "secrets"] {
            if c.get(secret).is_some_and(|v| super::json::is_set(v.value)) {
                report.unmodelled(format!("{}.{secret} (never read into the scenario)", CONTAINER.what), name);
            }
        }
    }
    let cpu = cpu(n, &containers, name, report, errors)?;
    t.set("cpu", tv_int(cpu.0), cpu.1);
    let memory = memory(n, &containers, errors)?;
    t.set("memory", tv_int(memory.0), memory.1);
    match n.get("networkMode") {
        Some(m) => t.set("network_mode", tv_str(errors.keep(m.str())?), m.origin()),
        None => t.set(
            "network_mode",
            tv_str("bridge"),
            Origin::Derived("absent: bridge, the ECS default for Linux tasks on EC2".into()),
        ),
    }
    if let Some(rp) = n.get("runtimePlatform") {
        if let Some(a) = rp.get("cpuArchitecture") {
            t.set("cpu_architecture", tv_str(&errors.keep(a.str())?.to_ascii_lowercase()), a.origin());
        }
        if let Some(os) = rp.get("operatingSystemFamily")
            && os.str().is_ok_and(|s| s != "LINUX")
        {
            report.unmodelled(
                format!("{}.runtimePlatform.operatingSystemFamily (not LINUX)", TASK_DEFINITION.what),
                name,
            );
        }
    }
    t.note(
        "startup_time",
        report.assume(
            "task_definitions[].startup_time",
            name,
            "container start is not exported: ecsim's default, 10 s",
        ),
    );
    let mut stop: Option<(u64, Origin)> = None;
    for c in &containers {
        if let Some(s) = c.get("stopTimeout")
            && let Some(v) = errors.keep(s.u64())
            && stop.as_ref().is_none_or(|(best, _)| v > *best)
        {
            stop = Some((v, Origin::Derived(format!("the longest container stopTimeout, {}", s.source()))));
        }
    }
    match stop {
        Some((v, origin)) => t.set("stop_timeout", tv_secs(v), origin),
        None => t.note("stop_timeout", Origin::Derived("absent: the ECS default, 30 s".into())),
    }
    t.array("port_mappings", port_mappings(&containers, name, report, errors));
    Some(t)
}

fn cpu(
    n: &Node<'_>,
    containers: &[Node<'_>],
    name: &str,
    report: &mut Report,
    errors: &mut Errors,
) -> Option<(u64, Origin)> {
    let (value, origin) = match n.get("cpu") {
        Some(c) => (errors.keep(c.u64_text())?, c.origin()),
        None => {
            let mut sum = 0;
            for c in containers {
                if let Some(v) = c.get("cpu") {
                    sum = errors.keep(v.u64())?.saturating_add(sum);
                }
            }
            (
                sum,
                Origin::Derived(format!(
                    "no task-level cpu: the sum of {}.containerDefinitions[].cpu ({})",
                    n.path, n.doc.name
                )),
            )
        }
    };
    if value < MIN_CPU {
        let why = format!("{value} CPU units is below ecsim's smallest task reservation: 128");
        return Some((MIN_CPU, report.assume("task_definitions[].cpu", name, why)));
    }
    Some((value, origin))
}

fn memory(n: &Node<'_>, containers: &[Node<'_>], errors: &mut Errors) -> Option<(u64, Origin)> {
    if let Some(m) = n.get("memory") {
        return Some((errors.keep(m.u64_text())?, m.origin()));
    }
    let mut sum = 0;
    for c in containers {
        let v = match (c.get("memory"), c.get("memoryReservation")) {
            (Some(m), _) | (None, Some(m)) => m,
            (None, None) => {
                errors.push(c.invalid(
                    "the task definition has no task-level memory, and this container has neither memory nor \
                     memoryReservation",
                ));
                return None;
            }
        };
        sum = errors.keep(v.u64())?.saturating_add(sum);
    }
    let how = format!(
        "no task-level memory: the sum of {}.containerDefinitions[].memory (memoryReservation where memory is absent) ({})",
        n.path, n.doc.name
    );
    Some((sum, Origin::Derived(how)))
}

fn port_mappings(containers: &[Node<'_>], name: &str, report: &mut Report, errors: &mut Errors) -> Vec<Table> {
    let mut out = Vec::new();
    for c in containers {
        for pm in errors.keep(c.list("portMappings")).unwrap_or_default() {
            let Some(port) = pm.get("containerPort") else {
                if pm.get("containerPortRange").is_some() {
                    report.unmodelled(format!("{}.portMappings[].containerPortRange", CONTAINER.what), name);
                }
                continue;
            };
            let Some(p) = errors.keep(port.u64()) else { continue };
            let mut t = Table::default();
            t.set("container_port", tv_int(p), port.origin());
            if let Some(h) = pm.get("hostPort")
                && let Some(hp) = errors.keep(h.u64())
            {
                t.set("host_port", tv_int(hp), h.origin());
            }
            out.push(t);
        }
    }
    out
}
