//! Invariants of the model, checked after every event when asked
//! (`ecsim run --check-invariants`, and the property tests).

use super::Simulation;
use super::entities::{InstanceState, Owner, TaskState};
use crate::scenario::NetworkMode;
use crate::units::{CpuUnits, MemMib};

impl Simulation<'_> {
    pub fn check_invariants(&self) -> Result<(), String> {
        if let Some(v) = &self.violation {
            return Err(v.clone());
        }
        // Instances: reservations add up and never exceed what is registered.
        for (i, inst) in self.instances.iter().enumerate() {
            if inst.state == InstanceState::Terminated {
                if !inst.tasks.is_empty() {
                    return Err(format!("terminated instance i-{i} still holds {} task(s)", inst.tasks.len()));
                }
                continue;
            }
            let (mut cpu, mut mem, mut eni) = (CpuUnits(0), MemMib(0), 0u32);
            let mut ports: Vec<u16> = crate::scenario::resolve::AGENT_RESERVED_PORTS.to_vec();
            for &t in &inst.tasks {
                let task = &self.tasks[t.idx()];
                if task.instance.map(|x| x.idx()) != Some(i) {
                    return Err(format!("task {} is listed on i-{i} but says it is elsewhere", t.0));
                }
                if !task.holds_resources() {
                    return Err(format!("task {} on i-{i} is {:?} but still holds resources", t.0, task.state));
                }
                let td = &self.sc.task_defs[task.task_def.idx()];
                cpu += td.cpu;
                mem += td.memory;
                if td.network_mode == NetworkMode::Awsvpc {
                    eni += 1;
                }
                for p in &td.static_host_ports {
                    if ports.contains(p) {
                        return Err(format!("host port {p} is used twice on i-{i}"));
                    }
                    ports.push(*p);
                }
            }
            if cpu > inst.registered_cpu || mem > inst.registered_mem {
                return Err(format!(
                    "i-{i} is over-committed: {} CPU units / {} MiB reserved of {} / {}",
                    cpu.0, mem.0, inst.registered_cpu.0, inst.registered_mem.0
                ));
            }
            if inst.free_cpu != inst.registered_cpu - cpu || inst.free_mem != inst.registered_mem - mem {
                return Err(format!("i-{i} free resources disagree with its tasks"));
            }
            let itype = &self.sc.instance_types[inst.instance_type.idx()];
            if eni + inst.free_eni != itype.awsvpc_task_limit(self.sc.awsvpc_trunking) {
                return Err(format!("i-{i} ENI slots disagree with its tasks"));
            }
        }
        // Tasks: every task is in exactly one state; owners list exactly their active tasks.
        let mut by_state = [0u64; 6];
        for (t, task) in self.tasks.iter().enumerate() {
            by_state[task.state as usize] += 1;
            if task.serving && task.state != TaskState::Running {
                return Err(format!("task {t} serves requests while {:?}", task.state));
            }
            if let Some(i) = task.instance
                && task.holds_resources()
                && !self.instances[i.idx()].tasks.iter().any(|x| x.idx() == t)
            {
                return Err(format!("task {t} holds resources on i-{} that do not list it", i.0));
            }
            if let Owner::Service(s) = task.owner {
                let listed = self.services[s.idx()].tasks.iter().any(|x| x.idx() == t);
                if listed != task.state.is_active() {
                    return Err(format!("task {t} is {:?} but its service {} it listed: {listed}", task.state, s.0));
                }
            }
        }
        if by_state.iter().sum::<u64>() != self.tasks.len() as u64 {
            return Err("task states do not add up to tasks created".into());
        }
        for (s, st) in self.rec.services.iter().enumerate() {
            let mut counts = [0u32; 6];
            for &t in &self.services[s].tasks {
                counts[self.tasks[t.idx()].state as usize] += 1;
            }
            if counts[..5] != st.by_state[..5] {
                return Err(format!(
                    "service {s} state counters {:?} disagree with its tasks {:?}",
                    st.by_state, counts
                ));
            }
        }
        // Incremental tallies agree with a recount.
        for p in 0..self.providers.len() {
            let f = &self.providers[p].fleet;
            let kept = (f.members, f.busy, f.on_demand, f.spot, f.registered_cpu, f.free_cpu);
            if kept != self.recount_fleet(p) {
                return Err(format!(
                    "provider {p} fleet totals {kept:?} disagree with its instances {:?}",
                    self.recount_fleet(p)
                ));
            }
            let mut index = super::free_index::FreeIndex::new(self.sc.zones.len());
            for &i in &self.providers[p].instances {
                index.update(i, None, self.free_slot(i));
            }
            if index != self.providers[p].free {
                return Err(format!(
                    "provider {p} free-resource index holds {} instance(s); its instances say {}",
                    self.providers[p].free.indexed(),
                    index.indexed()
                ));
            }
        }
        for s in 0..self.services.len() {
            let sid = crate::scenario::ServiceId::from_idx(s);
            if self.provider_counts(sid) != self.services[s].by_strategy_item {
                return Err(format!(
                    "service {s} strategy tally {:?} disagrees with its tasks {:?}",
                    self.services[s].by_strategy_item,
                    self.provider_counts(sid)
                ));
            }
            let retiring = self.services[s]
                .tasks
                .iter()
                .filter(|&&t| self.tasks[t.idx()].retiring && self.tasks[t.idx()].state <= TaskState::Running)
                .count() as u32;
            if retiring != self.services[s].retiring_live {
                return Err(format!(
                    "service {s} retiring tally {} disagrees with its tasks {retiring}",
                    self.services[s].retiring_live
                ));
            }
            let mut zones = vec![0u32; self.sc.zones.len()];
            for &t in &self.services[s].tasks {
                if let Some(z) = self.tasks[t.idx()].zone {
                    zones[z.idx()] += 1;
                }
            }
            if zones != self.services[s].zones.all {
                return Err(format!(
                    "service {s} zone tally {:?} disagrees with its tasks {zones:?}",
                    self.services[s].zones.all
                ));
            }
        }
        // Workload: nothing is served that was not offered.
        for (s, f) in self.fluid.services.iter().enumerate() {
            let r = &f.rates;
            if r.served > r.offered * (1.0 + 1e-9) + 1e-9 || r.served < -1e-9 {
                return Err(format!("service {s} serves {} of {} requests/s", r.served, r.offered));
            }
        }
        if self.cost.cumulative < self.last_cumulative_cost - 1e-9 {
            return Err(format!("cumulative cost fell from {} to {}", self.last_cumulative_cost, self.cost.cumulative));
        }
        Ok(())
    }
}
