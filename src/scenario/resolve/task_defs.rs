//! `[[task_definitions]]`, and the checks that a task definition can run
//! where a service, scheduled task or deployment sends it.

use super::super::dist::Dist;
use super::super::raw;
use super::super::types::*;
use super::Env;
use super::assumed;
use super::ctx::{Ctx, index_ids};
use crate::catalog::{self, Arch};
use crate::engine::SimDuration;
use crate::units::{CpuUnits, MemMib};
use std::collections::BTreeMap;

/// Host ports the ECS agent reserves by default (docs/aws-facts.md §5.4).
pub const AGENT_RESERVED_PORTS: [u16; 5] = [22, 2375, 2376, 51678, 51679];
/// Fargate caps stopTimeout at 120 s (docs/aws-facts.md §1.4).
const FARGATE_MAX_STOP_TIMEOUT_S: u64 = 120;

/// The task definitions in file order and each one's id by family. When one
/// failed to parse the list is empty: ids are file positions, and with one
/// missing, later ones would point at the wrong entry.
pub(super) fn resolve_task_defs(
    ctx: &mut Ctx,
    list: &[Option<raw::TaskDefinition>],
) -> (Vec<TaskDef>, BTreeMap<String, TaskDefId>) {
    let td_ids = index_ids(
        ctx,
        "task_definitions",
        list.iter().map(|t| t.as_ref().map(|t| t.family.as_str())),
        TaskDefId::from_idx,
    );
    let mut task_defs = Vec::new();
    for (i, t) in list.iter().enumerate() {
        let Some(t) = t else { continue };
        task_defs.push(resolve_task_def(ctx, &format!("task_definitions[{i}]"), t));
    }
    if task_defs.len() != list.len() {
        task_defs = Vec::new();
    }
    (task_defs, td_ids)
}

fn resolve_task_def(ctx: &mut Ctx, path: &str, t: &raw::TaskDefinition) -> TaskDef {
    let network_mode = match t.network_mode.as_deref() {
        None => NetworkMode::Bridge,
        Some(s) => ctx
            .enum_value(
                &format!("{path}.network_mode"),
                s,
                &[
                    ("none", NetworkMode::None),
                    ("bridge", NetworkMode::Bridge),
                    ("host", NetworkMode::Host),
                    ("awsvpc", NetworkMode::Awsvpc),
                ],
            )
            .unwrap_or(NetworkMode::Bridge),
    };
    if t.cpu < 128 || t.cpu > 196_608 {
        ctx.err(
            format!("{path}.cpu"),
            format!("{} CPU units is out of range; expected 128 to 196608 (1024 per vCPU)", t.cpu),
        );
    }
    if t.memory < 6 || t.memory > 1_572_864 {
        ctx.err(format!("{path}.memory"), format!("{} MiB is out of range; expected 6 to 1572864", t.memory));
    }
    let static_host_ports = static_host_ports(ctx, path, t.port_mappings.as_deref().unwrap_or_default(), network_mode);
    let arch = t.cpu_architecture.as_ref().and_then(|a| {
        let parsed = Arch::parse(a);
        if parsed.is_none() {
            ctx.err(
                format!("{path}.cpu_architecture"),
                format!("\"{a}\" is not allowed; expected \"x86_64\" or \"arm64\""),
            );
        }
        parsed
    });
    TaskDef {
        family: t.family.clone(),
        cpu: CpuUnits(t.cpu),
        memory: MemMib(t.memory),
        network_mode,
        static_host_ports,
        startup_time: t.startup_time.clone().unwrap_or(Dist::Constant(assumed::TASK_STARTUP_S)),
        shutdown_time: t.shutdown_time.clone(),
        warmup_time: t.warmup_time.clone(),
        stop_timeout: t.stop_timeout.map_or(SimDuration::from_secs(30), |d| d.0),
        arch,
    }
}

/// The host ports a task holds on its instance, from its port mappings
/// under the network mode (none under awsvpc; dynamic ports are not held).
fn static_host_ports(ctx: &mut Ctx, path: &str, mappings: &[raw::PortMapping], network_mode: NetworkMode) -> Vec<u16> {
    let mut static_host_ports = Vec::new();
    for (j, pm) in mappings.iter().enumerate() {
        let pp = format!("{path}.port_mappings[{j}]");
        if pm.container_port == 0 || pm.container_port > 65_535 {
            ctx.err(
                format!("{pp}.container_port"),
                format!("{} is not a port; expected 1 to 65535", pm.container_port),
            );
            continue;
        }
        let host = pm.host_port.filter(|&h| h != 0);
        if let Some(h) = host
            && h > 65_535
        {
            ctx.err(format!("{pp}.host_port"), format!("{h} is not a port; expected 0 (dynamic) or 1 to 65535"));
            continue;
        }
        let reserved = match network_mode {
            NetworkMode::Awsvpc => {
                if host.is_some_and(|h| h != pm.container_port) {
                    ctx.err(
                        format!("{pp}.host_port"),
                        "under awsvpc, host_port must be absent or equal to container_port",
                    );
                }
                None
            }
            NetworkMode::Bridge => host,
            NetworkMode::Host => {
                if host.is_some_and(|h| h != pm.container_port) {
                    ctx.err(
                        format!("{pp}.host_port"),
                        "under host networking, host_port must be absent or equal to container_port",
                    );
                }
                Some(pm.container_port)
            }
            NetworkMode::None => {
                ctx.err(&pp, "network_mode = \"none\" has no port mappings");
                None
            }
        };
        if let Some(port) = reserved {
            let port = port as u16;
            if AGENT_RESERVED_PORTS.contains(&port) {
                ctx.err(&pp, format!("host port {port} is reserved by the ECS agent on every instance (22, 2375, 2376, 51678, 51679), so the task could never be placed"));
            }
            if static_host_ports.contains(&port) {
                ctx.err(&pp, format!("host port {port} is mapped twice"));
            }
            static_host_ports.push(port);
        }
    }
    static_host_ports
}

/// `warmup_time` acts through load balancer health checks only; elsewhere it
/// would be read and ignored, so it is refused.
pub(super) fn reject_warmup(ctx: &mut Ctx, path: &str, td_id: TaskDefId, env: &Env, why: &str) {
    if let Some(td) = env.task_defs.get(td_id.idx())
        && td.warmup_time.is_some()
    {
        ctx.err(
            path,
            format!(
                "task definition \"{}\" sets warmup_time, which only load balancer health checks act on, but {why}",
                td.family
            ),
        );
    }
}

/// Checks that a task definition can run on every provider of a strategy.
pub(super) fn check_task_fits(ctx: &mut Ctx, path: &str, td_id: TaskDefId, strategy: &[StrategyItem], env: &Env) {
    let Some(td) = env.task_defs.get(td_id.idx()) else { return };
    for item in strategy {
        let Some(p) = env.providers.get(item.provider.idx()) else { continue };
        match &p.kind {
            ProviderKind::Fargate(_) => check_fargate_fit(ctx, path, td, &p.name),
            ProviderKind::Asg(a) => {
                let fits = a.instance_types.iter().any(|t| {
                    let it = &env.instance_types[t.idx()];
                    let arch_ok = td.arch.is_none_or(|arch| arch == it.arch);
                    let eni_ok = td.network_mode != NetworkMode::Awsvpc || it.awsvpc_task_limit(env.trunking) > 0;
                    arch_ok && eni_ok && it.cpu_units() >= td.cpu.0 && it.registered_memory_mib >= td.memory.0
                });
                if !fits && !a.instance_types.is_empty() {
                    ctx.err(
                        path,
                        format!(
                            "task definition \"{}\" ({} CPU units, {} MiB{}) fits no instance type of provider \"{}\", so its tasks could never be placed",
                            td.family,
                            td.cpu.0,
                            td.memory.0,
                            td.arch.map(|a| format!(", {}", a.as_str())).unwrap_or_default(),
                            p.name
                        ),
                    );
                }
            }
        }
    }
}

/// What Fargate requires of a task definition: awsvpc, a Fargate size and a
/// short stop timeout. FARGATE_SPOT takes both architectures: arm64 on
/// platform version 1.4.0 and later, which the model assumes (ECS API
/// Reference, CapacityProviderStrategyItem; docs/aws-facts.md §3.4).
fn check_fargate_fit(ctx: &mut Ctx, path: &str, td: &TaskDef, provider: &str) {
    if td.network_mode != NetworkMode::Awsvpc {
        ctx.err(
            path,
            format!(
                "task definition \"{}\" runs on {provider} but Fargate requires network_mode = \"awsvpc\"",
                td.family
            ),
        );
    }
    if let Err(e) = catalog::check_fargate_size(td.cpu.0, td.memory.0) {
        ctx.err(path, format!("task definition \"{}\" is not a valid Fargate size: {e}", td.family));
    }
    if td.stop_timeout > SimDuration::from_secs(FARGATE_MAX_STOP_TIMEOUT_S) {
        ctx.err(
            path,
            format!(
                "task definition \"{}\" has stop_timeout {} but Fargate allows at most 120s",
                td.family, td.stop_timeout
            ),
        );
    }
}
