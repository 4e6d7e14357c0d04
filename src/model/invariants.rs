//! Invariants of the model, checked after every event when asked
//! (`ecsim run --check-invariants`, and the property tests).

use super::Simulation;
use super::entities::{InstanceState, Owner, TaskId, TaskState};
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
        // Conservation: the state tallies count the active tasks, and once counting has
        // begun, active at start + started = stopped (by reason) + active now.
        let active: u64 = by_state[..TaskState::Stopped as usize].iter().sum();
        if active != self.rec.tasks_active() {
            return Err(format!(
                "{active} task(s) are active but {} were created and not stopped",
                self.rec.tasks_active()
            ));
        }
        if self.counting() {
            let t = &self.rec.totals;
            let (start, stopped) = (self.rec.tasks_active_at_start(), t.stops.iter().sum::<u64>());
            if start + t.tasks_started != stopped + active {
                return Err(format!(
                    "tasks do not add up: {start} active at the start + {} started != {stopped} stopped + {active} active",
                    t.tasks_started
                ));
            }
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
            let mut live: Vec<TaskId> = self.services[s]
                .tasks
                .iter()
                .copied()
                .filter(|&t| self.tasks[t.idx()].state <= TaskState::Running)
                .collect();
            let mut listed = self.services[s].live.clone();
            if !listed.is_sorted_by_key(|t| self.tasks[t.idx()].serial) {
                return Err(format!("service {s} live list {listed:?} is not in creation order"));
            }
            live.sort_unstable();
            listed.sort_unstable();
            if live != listed {
                return Err(format!("service {s} live list {listed:?} disagrees with its tasks {live:?}"));
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
            let provisioning = self.provisioning_current_count(sid);
            if provisioning != self.services[s].provisioning_current {
                return Err(format!(
                    "service {s} tally of current tasks provisioning {} disagrees with its tasks {provisioning}",
                    self.services[s].provisioning_current
                ));
            }
            let going = self.failed_going_count(sid);
            if going != self.services[s].failed_going {
                return Err(format!(
                    "service {s} tally of unhealthy tasks going {} disagrees with its tasks {going}",
                    self.services[s].failed_going
                ));
            }
            // A task is being replaced exactly when it must be (old definition, draining instance,
            // failed health checks).
            if let Some(&t) = self.services[s].tasks.iter().find(|&&t| {
                let task = &self.tasks[t.idx()];
                task.state <= TaskState::Running && task.retiring != self.must_retire(t)
            }) {
                let task = &self.tasks[t.idx()];
                return Err(format!(
                    "task {} is {}being replaced (must be: {}; failed health checks: {}; serving: {})",
                    task.serial,
                    if task.retiring { "" } else { "not " },
                    self.must_retire(t),
                    task.failed_health,
                    task.serving
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

#[cfg(test)]
mod tests {
    use crate::engine::SimTime;
    use crate::model::entities::TaskState;
    use crate::model::record::NullSink;
    use crate::model::{RunOptions, Simulation};
    use crate::scenario::{Scenario, load_str};

    /// Two m5.large instances with four tasks, a warm-up, and a scale-in at 40 minutes.
    fn scenario() -> Scenario {
        let text = r#"
[simulation]
duration = "2h"
warmup = "30m"
[[capacity_providers]]
name = "E"
kind = "ec2"
instance_types = ["m5.large"]
min_size = 2
max_size = 2
[[task_definitions]]
family = "t"
cpu = 512
memory = 1024
[[services]]
name = "s"
task_definition = "t"
desired_count = 4
[[events]]
at = "40m"
kind = "set_desired_count"
service = "s"
desired_count = 1
"#;
        load_str(text, "inv.toml", std::path::Path::new(".")).unwrap_or_else(|d| panic!("{d}"))
    }

    fn world(sc: &Scenario) -> Simulation<'_> {
        let mut sim = Simulation::new(sc, 0, RunOptions::default(), Box::new(NullSink));
        sim.run_until(SimTime::from_secs(3600)).unwrap();
        sim
    }

    /// The checker accepts a real run and names each kind of corruption: it is
    /// not a check that cannot fail.
    #[test]
    fn each_broken_invariant_is_reported() {
        let sc = scenario();
        let sim = world(&sc);
        assert_eq!(sim.check_invariants(), Ok(()));
        // 4 tasks active when counting began at 30 min, none started since, 3 stopped.
        assert_eq!((sim.rec.tasks_active_at_start(), sim.rec.totals.tasks_started, sim.rec.tasks_active()), (4, 0, 1));

        let mut started = world(&sc);
        started.rec.totals.tasks_started += 1;
        assert!(started.check_invariants().unwrap_err().starts_with("tasks do not add up: 4 active at the start + 1"));

        let mut active = world(&sc);
        active.rec.provider_tasks[0][TaskState::Running as usize] += 1;
        assert_eq!(active.check_invariants(), Err("1 task(s) are active but 2 were created and not stopped".into()));

        let mut free = world(&sc);
        let i = free.instances.iter().position(|i| !i.tasks.is_empty()).unwrap();
        free.instances[i].free_cpu.0 += 1;
        assert_eq!(free.check_invariants(), Err(format!("i-{i} free resources disagree with its tasks")));

        let mut over = world(&sc);
        let t = over.instances[i].tasks[0];
        over.instances[i].tasks.push(t);
        assert!(over.check_invariants().is_err());

        let mut provisioning = world(&sc);
        provisioning.services[0].provisioning_current += 1;
        assert!(provisioning.check_invariants().is_err_and(|e| e.contains("tally of current tasks provisioning")));

        let mut going = world(&sc);
        going.services[0].failed_going = 1;
        assert_eq!(
            going.check_invariants(),
            Err("service 0 tally of unhealthy tasks going 1 disagrees with its tasks 0".to_string())
        );

        let mut unhealthy = world(&sc);
        let t = unhealthy.services[0].tasks[0];
        unhealthy.tasks[t.idx()].failed_health = true;
        let serial = unhealthy.tasks[t.idx()].serial;
        assert_eq!(
            unhealthy.check_invariants(),
            Err(format!(
                "task {serial} is not being replaced (must be: true; failed health checks: true; serving: true)"
            ))
        );
    }
}
