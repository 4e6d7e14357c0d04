//! Capacity: EC2 Auto Scaling groups behind capacity providers, ECS managed
//! scaling (cluster auto scaling), and Fargate.
//!
//! An ASG launches instances to meet its desired capacity, balancing zones
//! (fewest instances first) and choosing a pool by its allocation strategy;
//! `lifecycle = "mixed"` splits on-demand and spot by the base and the
//! percentage above base, rounding up in favour of on-demand.
//!
//! Managed scaling publishes CapacityProviderReservation = M / N × 100 each
//! minute (N instances in the group, M instances needed: those running tasks
//! plus the ones the waiting tasks need, binpacked on the largest type) and
//! acts on it with a 1-of-1 alarm above the target capacity and a 15-of-15
//! alarm below it.

use super::entities::{Instance, InstanceId, InstanceState, Owner, Purchase, StopReason, TaskId, TaskState};
use super::placement::PlacementFailure;
use super::throttle::Limit;
use super::{Event, Simulation};
use crate::engine::SimDuration;
use crate::rng::Stream;
use crate::scaling::{Alarm, AlarmConfig, AlarmState, Comparison};
use crate::scenario::{AllocationStrategy, AsgConfig, Lifecycle, NetworkMode, ProviderId, TypeId, ZoneId};
use crate::units::{CpuUnits, MemMib, ceil_count};

/// How long a failed launch waits before the ASG tries the next pool (docs/conventions.md).
pub const LAUNCH_RETRY: SimDuration = SimDuration::from_secs(30);
/// How long Fargate waits before retrying a task whose Spot capacity was unavailable.
pub const FARGATE_RETRY: SimDuration = SimDuration::from_secs(30);
/// Managed draining holds an ASG termination with a lifecycle hook; ecsim
/// assumes the hook times out after an hour (the ASG default heartbeat
/// timeout) and terminates whatever still runs then. UNCONFIRMED for ECS.
pub const MANAGED_DRAINING_TIMEOUT: SimDuration = SimDuration::from_secs(3600);
/// Datapoints of the scale-in alarm on CapacityProviderReservation (docs/aws-facts.md §4.2).
pub const CPR_LOW_DATAPOINTS: u32 = 15;
/// Spot pools within this many points of monthly interruption share of the
/// safest pool count as "highest capacity" for price-capacity-optimized
/// (a documented approximation of AWS's unpublished ranking).
pub const PRICE_CAPACITY_BAND: f64 = 0.05;

impl Simulation<'_> {
    pub fn init_capacity_alarms(&mut self) {
        for (p, cfg) in self.sc.providers.iter().enumerate() {
            let Some(ms) = cfg.asg().and_then(|a| a.managed_scaling.as_ref()) else { continue };
            let high = AlarmConfig {
                threshold: ms.target_capacity,
                comparison: Comparison::GreaterThanThreshold,
                evaluation_periods: 1,
                datapoints_to_alarm: 1,
            };
            let low = AlarmConfig {
                threshold: ms.target_capacity,
                comparison: Comparison::LessThanThreshold,
                evaluation_periods: CPR_LOW_DATAPOINTS,
                datapoints_to_alarm: CPR_LOW_DATAPOINTS,
            };
            self.providers[p].cpr_high = Some(Alarm::new(high));
            self.providers[p].cpr_low = Some(Alarm::new(low));
        }
    }

    /// t = 0: in the steady state `min_size` instances are ACTIVE already;
    /// anything more the ASG wants launches normally.
    pub fn init_instances(&mut self, steady: bool) {
        for p in 0..self.sc.providers.len() {
            let pid = ProviderId::from_idx(p);
            let Some(asg) = self.sc.providers[p].asg() else { continue };
            if steady {
                for _ in 0..asg.min_size {
                    let zone = self.pick_zone(pid).unwrap_or(ZoneId(0));
                    let purchase = self.next_purchase(pid);
                    let itype = self.pick_type(pid, zone, purchase, None);
                    let i = self.create_instance(pid, zone, itype, purchase);
                    self.track_instance(i, |sim| {
                        sim.instances[i.idx()].state = InstanceState::Active;
                        sim.instances[i.idx()].initial = true;
                    });
                    self.rec.instance_state(self.now, pid, None, Some(InstanceState::Active));
                }
            }
            self.asg_reconcile(pid);
        }
    }

    fn asg(&self, p: ProviderId) -> &AsgConfig {
        self.sc.providers[p.idx()].asg().expect("an ASG provider")
    }

    /// Instances that count toward the ASG's size, plus launches being retried.
    pub fn asg_size(&self, p: ProviderId) -> u32 {
        let live =
            self.providers[p.idx()].instances.iter().filter(|&&i| self.instances[i.idx()].counts_for_asg()).count()
                as u32;
        live + self.providers[p.idx()].retries_pending
    }

    /// Launches instances until the group reaches its desired capacity.
    pub fn asg_reconcile(&mut self, p: ProviderId) {
        if self.sc.providers[p.idx()].asg().is_none() {
            return;
        }
        let missing = self.providers[p.idx()].desired.saturating_sub(self.asg_size(p));
        for _ in 0..missing {
            self.launch_instance(p, None);
        }
    }

    /// Whether more instances can still come for this provider's waiting tasks.
    /// Whether a task waiting for capacity can still get it without anything
    /// else changing: Fargate provisioning under way or quota left, instances
    /// launching, or managed scaling able to add an instance the task fits.
    pub fn task_can_progress(&self, t: TaskId) -> bool {
        let task = &self.tasks[t.idx()];
        if task.provisioning_started
            || task.last_failure == Some(PlacementFailure::FargateSpotCapacity)
            || self.throttles.held.contains(&t)
        {
            return true;
        }
        let p = task.provider;
        let td = &self.sc.task_defs[task.task_def.idx()];
        match &self.sc.providers[p.idx()].kind {
            crate::scenario::ProviderKind::Fargate(f) => {
                let any_zone_up = (0..self.sc.zones.len()).any(|z| self.zone_up(ZoneId::from_idx(z)));
                any_zone_up
                    && f.max_vcpu.is_none_or(|max| self.providers[p.idx()].fargate_vcpu + td.cpu.vcpu() <= max + 1e-9)
            }
            crate::scenario::ProviderKind::Asg(a) => {
                let fits = || {
                    a.instance_types.iter().any(|it| {
                        let it = &self.sc.instance_types[it.idx()];
                        it.cpu_units() >= td.cpu.0 && it.registered_memory_mib >= td.memory.0
                    })
                };
                // The group's own test first: the scan of its instances is the costly one.
                (a.managed_scaling.is_some() && self.providers[p.idx()].desired < a.max_size && fits())
                    || self.providers[p.idx()].retries_pending > 0
                    || self.providers[p.idx()]
                        .instances
                        .iter()
                        .any(|&i| self.instances[i.idx()].state == InstanceState::Launching)
            }
        }
    }

    /// The zone a new instance goes to: the up zone with the fewest of the group's instances.
    fn pick_zone(&self, p: ProviderId) -> Option<ZoneId> {
        let mut counts = vec![0u32; self.sc.zones.len()];
        for &i in &self.providers[p.idx()].instances {
            let inst = &self.instances[i.idx()];
            if inst.counts_for_asg() {
                counts[inst.zone.idx()] += 1;
            }
        }
        (0..self.sc.zones.len())
            .map(ZoneId::from_idx)
            .filter(|&z| self.zone_up(z))
            .min_by_key(|z| (counts[z.idx()], z.0))
    }

    /// On-demand instances counting toward the group's size.
    fn on_demand_members(&self, p: ProviderId) -> u32 {
        let members = self.providers[p.idx()].instances.iter().map(|&i| &self.instances[i.idx()]);
        members.filter(|inst| inst.counts_for_asg() && inst.purchase == Purchase::OnDemand).count() as u32
    }

    /// On-demand or spot for the next instance of the group.
    fn next_purchase(&self, p: ProviderId) -> Purchase {
        let asg = self.asg(p);
        match asg.lifecycle {
            Lifecycle::OnDemand => Purchase::OnDemand,
            Lifecycle::Spot => Purchase::Spot,
            Lifecycle::Mixed => {
                let on_demand = self.on_demand_members(p);
                let total_after = self.asg_size(p) + 1;
                if on_demand < on_demand_required(asg.on_demand_base, asg.on_demand_percent_above_base, total_after) {
                    Purchase::OnDemand
                } else {
                    Purchase::Spot
                }
            }
        }
    }

    /// The instance type for a launch, by the allocation strategy.
    fn pick_type(&self, p: ProviderId, zone: ZoneId, purchase: Purchase, avoid: Option<TypeId>) -> TypeId {
        let asg = self.asg(p);
        let candidates: Vec<TypeId> = asg.instance_types.iter().copied().filter(|t| Some(*t) != avoid).collect();
        let candidates = if candidates.is_empty() { asg.instance_types.clone() } else { candidates };
        let od_price = |t: TypeId| self.sc.instance_types[t.idx()].on_demand_hourly;
        let first_min = |key: &dyn Fn(TypeId) -> f64| {
            candidates.iter().copied().fold(None, |best: Option<(TypeId, f64)>, t| {
                let k = key(t);
                if best.is_none_or(|(_, b)| k < b - 1e-12) { Some((t, k)) } else { best }
            })
        };
        let chosen = match purchase {
            Purchase::OnDemand => match asg.on_demand_allocation {
                AllocationStrategy::LowestPrice => first_min(&od_price),
                _ => candidates.first().map(|&t| (t, 0.0)),
            },
            Purchase::Spot => {
                let pool = |t: TypeId| self.spot_pool(t, zone);
                match asg.spot_allocation {
                    AllocationStrategy::LowestPrice | AllocationStrategy::Prioritized => {
                        first_min(&|t| pool(t).hourly.0)
                    }
                    AllocationStrategy::CapacityOptimized => first_min(&|t| pool(t).monthly_interruption),
                    AllocationStrategy::PriceCapacityOptimized => {
                        let safest =
                            candidates.iter().map(|&t| pool(t).monthly_interruption).fold(f64::INFINITY, f64::min);
                        first_min(&|t| {
                            let pc = pool(t);
                            if pc.monthly_interruption <= safest + PRICE_CAPACITY_BAND + 1e-12 {
                                pc.hourly.0
                            } else {
                                f64::INFINITY
                            }
                        })
                    }
                }
            }
        };
        chosen.map_or(asg.instance_types[0], |(t, _)| t)
    }

    /// Waits for a token of `limit` (docs/model.md §3.10): how long the launch
    /// asked for now must wait, counted when it waits at all.
    pub fn launch_wait(&mut self, limit: Limit, service: usize) -> SimDuration {
        let granted = self.throttles.take(limit, service, self.now);
        let wait = granted.saturating_since(self.now);
        if wait > SimDuration::ZERO && self.counting() {
            let k = limit as usize;
            self.rec.totals.throttled[k] += 1;
            let max = &mut self.rec.totals.throttled_max_wait_s[k];
            *max = max.max(wait.as_secs_f64());
        }
        wait
    }

    /// Starts one launch: zone, purchase option, pool; spot launches may fail for lack of capacity.
    /// Each launch takes a RunInstances token first; one that must wait is retried when its token comes.
    pub fn launch_instance(&mut self, p: ProviderId, avoid: Option<TypeId>) {
        let wait = self.launch_wait(Limit::Ec2RunInstances, 0);
        if wait > SimDuration::ZERO {
            // Counts toward the group's size until its token comes, like a launch being retried.
            self.providers[p.idx()].retries_pending += 1;
            self.after(wait, Event::ThrottledLaunch { provider: p, avoid: avoid.map_or(u32::MAX, |t| t.0) });
            return;
        }
        self.launch_with_token(p, avoid);
    }

    /// A launch whose RunInstances token came: made if the group still wants it.
    pub fn on_throttled_launch(&mut self, p: ProviderId, avoid: u32) {
        let st = &mut self.providers[p.idx()];
        st.retries_pending = st.retries_pending.saturating_sub(1);
        if self.asg_size(p) < self.providers[p.idx()].desired {
            self.launch_with_token(p, (avoid != u32::MAX).then_some(TypeId(avoid)));
        }
    }

    /// One launch that holds its RunInstances token.
    fn launch_with_token(&mut self, p: ProviderId, avoid: Option<TypeId>) {
        let Some(zone) = self.pick_zone(p) else {
            // Every zone is down: try again later.
            self.providers[p.idx()].retries_pending += 1;
            self.after(LAUNCH_RETRY, Event::LaunchRetry { provider: p, avoid: u32::MAX });
            return;
        };
        let purchase = self.next_purchase(p);
        let itype = self.pick_type(p, zone, purchase, avoid);
        let attempt = self.providers[p.idx()].launch_attempts;
        self.providers[p.idx()].launch_attempts += 1;
        let failure_p = self.sc.spot.launch_failure_probability;
        if purchase == Purchase::Spot
            && failure_p > 0.0
            && self.streams.draws(Stream::LaunchFailure, p.idx() as u64, attempt).bernoulli(failure_p)
        {
            self.providers[p.idx()].retries_pending += 1;
            if self.counting() {
                self.rec.totals.launch_failures += 1;
            }
            let name = &self.sc.providers[p.idx()].name;
            let tname = &self.sc.instance_types[itype.idx()].name;
            let zname = &self.sc.zones[zone.idx()];
            self.rec.event(
                self.now,
                "instance_launch_failed",
                "provider",
                name,
                format_args!("insufficient spot capacity for {tname} in {zname}; retrying in another pool in 30 s"),
            );
            self.after(LAUNCH_RETRY, Event::LaunchRetry { provider: p, avoid: itype.0 });
            return;
        }
        let i = self.create_instance(p, zone, itype, purchase);
        self.rec.instance_state(self.now, p, None, Some(InstanceState::Launching));
        let ordinal = self.instances[i.idx()].ordinal;
        let mut draws = self.streams.draws(Stream::InstanceLaunch, p.idx() as u64, ordinal);
        let boot = self.asg(p).launch_time.sample(&mut draws);
        self.after(boot, Event::InstanceReady(i));
        if self.counting() {
            self.rec.totals.instances_launched += 1;
        }
        let name = &self.sc.providers[p.idx()].name;
        let tname = &self.sc.instance_types[itype.idx()].name;
        let zname = &self.sc.zones[zone.idx()];
        let kind = if purchase == Purchase::Spot { "spot" } else { "on-demand" };
        self.rec.event(
            self.now,
            "instance_launch",
            "instance",
            &format!("i-{}", i.0),
            format_args!("{name}: {kind} {tname} in {zname}"),
        );
    }

    pub fn on_launch_retry(&mut self, p: ProviderId, avoid: u32) {
        let st = &mut self.providers[p.idx()];
        st.retries_pending = st.retries_pending.saturating_sub(1);
        if self.asg_size(p) < self.providers[p.idx()].desired {
            let avoid = (avoid != u32::MAX).then_some(TypeId(avoid));
            self.launch_instance(p, avoid);
        }
    }

    /// Adds an instance in the Launching state (billing starts now).
    pub fn create_instance(&mut self, p: ProviderId, zone: ZoneId, itype: TypeId, purchase: Purchase) -> InstanceId {
        let id = InstanceId(self.instances.len() as u32);
        let t = &self.sc.instance_types[itype.idx()];
        let hourly = match purchase {
            Purchase::OnDemand => t.on_demand_hourly,
            Purchase::Spot => self.spot_pool(itype, zone).price_at(self.now),
        };
        let ordinal = self.providers[p.idx()].launched;
        self.providers[p.idx()].launched += 1;
        self.instances.push(Instance {
            provider: p,
            ordinal,
            instance_type: itype,
            zone,
            purchase,
            state: InstanceState::Launching,
            launched_at: self.now,
            terminated_at: None,
            leaving: false,
            terminating: false,
            initial: false,
            spot_termination_at: None,
            registered_cpu: CpuUnits(t.cpu_units()),
            registered_mem: MemMib(t.registered_memory_mib),
            free_cpu: CpuUnits(t.cpu_units()),
            free_mem: MemMib(t.registered_memory_mib),
            free_eni: t.awsvpc_task_limit(self.sc.awsvpc_trunking),
            ports: crate::scenario::resolve::AGENT_RESERVED_PORTS.to_vec(),
            tasks: Vec::new(),
            hourly,
        });
        self.providers[p.idx()].instances.push(id);
        self.fleet_enter(id);
        self.cost_instance_started(id);
        if purchase == Purchase::Spot {
            self.spot_instance_created(id);
        }
        id
    }

    pub fn on_instance_ready(&mut self, i: InstanceId) {
        if self.instances[i.idx()].state != InstanceState::Launching {
            return;
        }
        self.set_instance_state(i, InstanceState::Active);
        let p = self.instances[i.idx()].provider;
        let name = &self.sc.providers[p.idx()].name;
        self.rec.event(
            self.now,
            "instance_active",
            "instance",
            &format!("i-{}", i.0),
            format_args!("{name}: registered with the cluster"),
        );
        self.request_placement(p);
    }

    pub fn set_instance_state(&mut self, i: InstanceId, new: InstanceState) {
        let old = self.instances[i.idx()].state;
        if old == new {
            return;
        }
        self.track_instance(i, |sim| sim.instances[i.idx()].state = new);
        let p = self.instances[i.idx()].provider;
        self.rec.instance_state(self.now, p, Some(old), Some(new));
    }

    /// DRAINING: no new tasks; service tasks are replaced within the deployment bounds.
    /// `leaving` marks an ASG scale-in, which terminates the instance once it is empty.
    pub fn drain_instance(&mut self, i: InstanceId, leaving: bool, why: &str) {
        let inst = &self.instances[i.idx()];
        if !inst.is_live() {
            return;
        }
        if leaving {
            self.track_instance(i, |sim| sim.instances[i.idx()].leaving = true);
        }
        if self.instances[i.idx()].state != InstanceState::Draining {
            if self.instances[i.idx()].state == InstanceState::Launching && leaving {
                return self.terminate_instance(i, StopReason::InstanceTerminated);
            }
            self.set_instance_state(i, InstanceState::Draining);
            let p = self.instances[i.idx()].provider;
            let name = &self.sc.providers[p.idx()].name;
            self.rec.event(
                self.now,
                "instance_draining",
                "instance",
                &format!("i-{}", i.0),
                format_args!("{name}: {why}"),
            );
        }
        let mut touched = Vec::new();
        for t in self.instances[i.idx()].tasks.clone() {
            let task = &self.tasks[t.idx()];
            let Owner::Service(s) = task.owner else { continue };
            if task.state == TaskState::Pending {
                let reason = if self.instances[i.idx()].spot_termination_at.is_some() {
                    StopReason::SpotInterruption
                } else {
                    StopReason::Drained
                };
                self.stop_task(t, reason);
            } else {
                self.set_retiring(t, true);
            }
            if !touched.contains(&s) {
                touched.push(s);
            }
        }
        for s in touched {
            self.request_reconcile(s);
        }
        if leaving {
            if self.instances[i.idx()].tasks.is_empty() {
                self.terminate_instance(i, StopReason::InstanceTerminated);
            } else {
                self.after(MANAGED_DRAINING_TIMEOUT, Event::DrainTimeout(i));
            }
        }
    }

    pub fn on_drain_timeout(&mut self, i: InstanceId) {
        if self.instances[i.idx()].is_live() {
            self.terminate_instance(i, StopReason::InstanceTerminated);
        }
    }

    /// The instance is gone; whatever still runs on it dies. The ASG replaces
    /// it unless the termination was its own scale-in.
    pub fn terminate_instance(&mut self, i: InstanceId, reason: StopReason) {
        if !self.instances[i.idx()].is_live() || self.instances[i.idx()].terminating {
            return;
        }
        self.track_instance(i, |sim| sim.instances[i.idx()].terminating = true);
        let victims: Vec<TaskId> = self.instances[i.idx()].tasks.clone();
        for t in victims {
            self.kill_task(t, reason);
        }
        self.set_instance_state(i, InstanceState::Terminated);
        self.instances[i.idx()].terminated_at = Some(self.now);
        self.cost_instance_stopped(i);
        let p = self.instances[i.idx()].provider;
        self.providers[p.idx()].instances.retain(|&x| x != i);
        let name = &self.sc.providers[p.idx()].name;
        self.rec.event(
            self.now,
            "instance_terminated",
            "instance",
            &format!("i-{}", i.0),
            format_args!("{name}: {}", reason.key()),
        );
        self.asg_reconcile(p);
    }

    /// The instances of the largest type that the waiting tasks need
    /// (first-fit decreasing over CPU, memory, ENIs and static ports); tasks
    /// that fit not even the smallest type are left out, as ECS does.
    pub fn instances_needed(&self, p: ProviderId) -> u32 {
        let asg = self.asg(p);
        let types: Vec<&crate::catalog::InstanceType> =
            asg.instance_types.iter().map(|t| &self.sc.instance_types[t.idx()]).collect();
        let size_key = |t: &&&crate::catalog::InstanceType| (t.vcpu, t.registered_memory_mib);
        let (Some(largest), Some(smallest)) = (types.iter().max_by_key(size_key), types.iter().min_by_key(size_key))
        else {
            return 0;
        };
        let trunking = self.sc.awsvpc_trunking;
        /// What a waiting task needs from an instance.
        struct Shape<'a> {
            cpu: u32,
            mem: u32,
            awsvpc: bool,
            ports: &'a [u16],
            /// The group when it has a distinctInstance constraint.
            distinct: Option<Owner>,
        }
        let mut shapes: Vec<Shape> = Vec::new();
        for &t in &self.providers[p.idx()].waiting {
            let task = &self.tasks[t.idx()];
            if task.generation != t.1 || task.state != TaskState::Provisioning {
                continue;
            }
            let td = &self.sc.task_defs[task.task_def.idx()];
            let awsvpc = td.network_mode == NetworkMode::Awsvpc;
            let fits_smallest = td.cpu.0 <= smallest.cpu_units()
                && td.memory.0 <= smallest.registered_memory_mib
                && (!awsvpc || smallest.awsvpc_task_limit(trunking) > 0);
            if fits_smallest {
                let constraints = match task.owner {
                    Owner::Service(s) => &self.sc.services[s.idx()].constraints,
                    Owner::Batch(b, _) => &self.sc.batch[b.idx()].constraints,
                };
                let distinct =
                    constraints.iter().any(|c| matches!(c, crate::scenario::PlacementConstraint::DistinctInstance));
                let group = match task.owner {
                    Owner::Batch(b, _) => Owner::Batch(b, 0),
                    o => o,
                };
                shapes.push(Shape {
                    cpu: td.cpu.0,
                    mem: td.memory.0,
                    awsvpc,
                    ports: &td.static_host_ports,
                    distinct: distinct.then_some(group),
                });
            }
        }
        shapes.sort_by(|a, b| b.cpu.cmp(&a.cpu).then(b.mem.cmp(&a.mem)));
        struct Bin<'a> {
            cpu: u32,
            mem: u32,
            eni: u32,
            ports: Vec<&'a u16>,
            distinct: Vec<Owner>,
        }
        let mut bins: Vec<Bin> = Vec::new();
        for Shape { cpu, mem, awsvpc, ports, distinct } in shapes {
            let fits = |b: &Bin| {
                b.cpu >= cpu
                    && b.mem >= mem
                    && (!awsvpc || b.eni > 0)
                    && ports.iter().all(|p| !b.ports.contains(&p))
                    && distinct.is_none_or(|g| !b.distinct.contains(&g))
            };
            let k = match bins.iter().position(fits) {
                Some(k) => k,
                None => {
                    bins.push(Bin {
                        cpu: largest.cpu_units(),
                        mem: largest.registered_memory_mib,
                        eni: largest.awsvpc_task_limit(trunking),
                        ports: Vec::new(),
                        distinct: Vec::new(),
                    });
                    bins.len() - 1
                }
            };
            let b = &mut bins[k];
            b.cpu = b.cpu.saturating_sub(cpu);
            b.mem = b.mem.saturating_sub(mem);
            if awsvpc {
                b.eni = b.eni.saturating_sub(1);
            }
            b.ports.extend(ports.iter());
            b.distinct.extend(distinct);
        }
        bins.len() as u32
    }

    /// One minute of ECS managed scaling for an ASG provider; returns the CPR published.
    pub fn managed_scaling_minute(&mut self, p: ProviderId) -> Option<f64> {
        let asg = self.sc.providers[p.idx()].asg()?;
        let ms = asg.managed_scaling.as_ref()?;
        let (n, busy) = (self.providers[p.idx()].fleet.members, self.providers[p.idx()].fleet.busy);
        let m = busy + self.instances_needed(p);
        let published = capacity_provider_reservation(m, n);
        self.providers[p.idx()].last_cpr = Some(published);
        // The alarms see the datapoint CloudWatch shows now, after the publication delay.
        let delay = (self.sc.metric_delay.as_millis() / crate::engine::MS_PER_MINUTE) as usize;
        let queue = &mut self.providers[p.idx()].cpr_published;
        queue.push_back((published, m, n));
        let visible = if queue.len() > delay { queue.pop_front() } else { None };
        let high = self.providers[p.idx()].cpr_high.as_mut().map(|a| a.observe(visible.map(|v| v.0)));
        let low = self.providers[p.idx()].cpr_low.as_mut().map(|a| a.observe(visible.map(|v| v.0)));
        let Some((cpr, m, n)) = visible else { return Some(published) };
        let now = self.now;
        if high == Some(AlarmState::Alarm) {
            let warming = self.providers[p.idx()].instances.iter().any(|&i| {
                let inst = &self.instances[i.idx()];
                inst.counts_for_asg() && !inst.initial && inst.launched_at + ms.warmup > now
            });
            if warming {
                return Some(published);
            }
            let step = scale_out_step(m, n, ms.target_capacity, ms.min_step, ms.max_step);
            let desired = self.providers[p.idx()].desired;
            let new = (n + step).min(asg.max_size).max(desired);
            if new > desired {
                self.providers[p.idx()].desired = new;
                if self.counting() {
                    self.rec.totals.capacity_scale_out += 1;
                }
                let name = &self.sc.providers[p.idx()].name;
                self.rec.event(
                    now,
                    "capacity_scale_out",
                    "provider",
                    name,
                    format_args!(
                        "CapacityProviderReservation {cpr:.1} > target {} (M={m}, N={n}): desired {desired} -> {new}",
                        ms.target_capacity
                    ),
                );
                self.asg_reconcile(p);
            }
        } else if low == Some(AlarmState::Alarm) {
            // The datapoint says how many instances are needed; the group may already have
            // shrunk since it was published, so the removal is sized against the group now.
            let target = desired_for(m, ms.target_capacity).max(asg.min_size);
            let size = self.providers[p.idx()].fleet.members;
            if target < size {
                let remove = (size - target).div_ceil(2);
                self.scale_in_instances(p, remove, cpr, m, n);
            }
        }
        Some(published)
    }

    /// Removes up to `count` instances, as the ASG's termination policy picks
    /// them (the zone with the most instances, then the oldest); with managed
    /// termination protection only instances running no tasks are eligible.
    fn scale_in_instances(&mut self, p: ProviderId, count: u32, cpr: f64, m: u32, n: u32) {
        let asg = self.asg(p);
        let protection = asg.termination_protection;
        let draining = asg.managed_draining;
        let min_size = asg.min_size;
        let mixed =
            (asg.lifecycle == Lifecycle::Mixed).then_some((asg.on_demand_base, asg.on_demand_percent_above_base));
        let mut removed = 0;
        for _ in 0..count {
            let mut per_zone = vec![0u32; self.sc.zones.len()];
            for &i in &self.providers[p.idx()].instances {
                if self.instances[i.idx()].counts_for_asg() {
                    per_zone[self.instances[i.idx()].zone.idx()] += 1;
                }
            }
            // A mixed group keeps its on-demand base and percentage: remove from whichever
            // purchase option is above its share at the smaller size.
            let prefer = mixed.map(|(base, pct)| {
                let on_demand = self.on_demand_members(p);
                let size = self.asg_size(p).saturating_sub(1);
                if on_demand > on_demand_required(base, pct, size) { Purchase::OnDemand } else { Purchase::Spot }
            });
            let victim = self.providers[p.idx()]
                .instances
                .iter()
                .copied()
                .filter(|&i| {
                    let inst = &self.instances[i.idx()];
                    inst.counts_for_asg()
                        && (!protection || (inst.tasks.is_empty() && inst.state == InstanceState::Active))
                })
                .min_by_key(|&i| {
                    let inst = &self.instances[i.idx()];
                    (prefer.is_some_and(|p| p != inst.purchase), std::cmp::Reverse(per_zone[inst.zone.idx()]), i.0)
                });
            let Some(victim) = victim else { break };
            if self.providers[p.idx()].desired <= min_size {
                break;
            }
            self.providers[p.idx()].desired -= 1;
            removed += 1;
            if draining {
                self.drain_instance(victim, true, "ASG scale-in (managed draining)");
            } else {
                self.track_instance(victim, |sim| sim.instances[victim.idx()].leaving = true);
                self.terminate_instance(victim, StopReason::InstanceTerminated);
            }
        }
        if removed > 0 {
            if self.counting() {
                self.rec.totals.capacity_scale_in += 1;
            }
            let name = &self.sc.providers[p.idx()].name;
            let desired = self.providers[p.idx()].desired;
            self.rec.event(
                self.now,
                "capacity_scale_in",
                "provider",
                name,
                format_args!("CapacityProviderReservation {cpr:.1} below target for 15 minutes (M={m}, N={n}): removing {removed}, desired now {desired}"),
            );
        }
    }

    // ------------------------------------------------------------------ Fargate

    /// Admits a Fargate task: picks its zone and reserves vCPU quota.
    pub fn fargate_admit(&mut self, t: TaskId) -> Result<(), PlacementFailure> {
        let (provider, td, owner) = {
            let task = &self.tasks[t.idx()];
            (task.provider, task.task_def, task.owner)
        };
        let cfg = self.sc.providers[provider.idx()].fargate().expect("a Fargate provider");
        let vcpu = self.sc.task_defs[td.idx()].cpu.vcpu();
        if let Some(max) = cfg.max_vcpu
            && self.providers[provider.idx()].fargate_vcpu + vcpu > max + 1e-9
        {
            return Err(PlacementFailure::FargateQuota);
        }
        // A task retried after a failed attempt leaves its old zone first.
        self.count_zone(t, -1);
        let counts = match owner {
            Owner::Service(s) => &self.services[s.idx()].zones.fargate,
            Owner::Batch(b, _) => &self.batches[b.idx()].zones.fargate,
        };
        let zone = (0..self.sc.zones.len())
            .map(ZoneId::from_idx)
            .filter(|&z| self.zone_up(z))
            .min_by_key(|z| (counts[z.idx()], z.0));
        let Some(zone) = zone else {
            self.count_zone(t, 1);
            return Err(PlacementFailure::ZoneOutage);
        };
        self.providers[provider.idx()].fargate_vcpu += vcpu;
        let task = &mut self.tasks[t.idx()];
        task.zone = Some(zone);
        task.provisioning_started = true;
        self.count_zone(t, 1);
        Ok(())
    }

    /// Starts provisioning a Fargate task (or queues it if quota or zones forbid).
    pub fn fargate_begin(&mut self, t: TaskId) {
        if self.tasks[t.idx()].state != TaskState::Provisioning || self.tasks[t.idx()].provisioning_started {
            return;
        }
        let provider = self.tasks[t.idx()].provider;
        if let Err(reason) = self.fargate_admit(t) {
            self.note_placement_failure(t, reason);
            self.providers[provider.idx()].waiting.push(t);
            return;
        }
        let cfg = self.sc.providers[provider.idx()].fargate().expect("a Fargate provider");
        let zone = self.tasks[t.idx()].zone.unwrap_or(ZoneId(0));
        let (unavailable, drought) = self.fargate_spot_unavailable(zone);
        if cfg.spot && unavailable > 0.0 {
            let attempt = self.providers[provider.idx()].launch_attempts;
            self.providers[provider.idx()].launch_attempts += 1;
            if self.streams.draws(Stream::FargateSpotUnavailable, provider.idx() as u64, attempt).bernoulli(unavailable)
            {
                if drought && self.counting() {
                    self.rec.totals.fargate_drought_failures += 1;
                }
                self.fargate_release(t);
                self.note_placement_failure(t, PlacementFailure::FargateSpotCapacity);
                self.after(FARGATE_RETRY, Event::FargateRetry(t));
                return;
            }
        }
        let ordinal = self.tasks[t.idx()].provider_ordinal;
        let mut draws = self.streams.draws(Stream::FargateProvisioning, provider.idx() as u64, ordinal);
        let delay = cfg.provisioning_time.sample(&mut draws);
        // Fargate's launch rate: a task over it waits for its token, then provisions.
        let limit = if cfg.spot { Limit::FargateSpotLaunch } else { Limit::FargateLaunch };
        let wait = self.launch_wait(limit, 0);
        self.after(wait + delay, Event::TaskProvisioned(t));
    }

    pub fn on_fargate_retry(&mut self, t: TaskId) {
        if !self.task_exists(t) {
            return;
        }
        self.fargate_begin(t);
    }

    pub fn on_task_provisioned(&mut self, t: TaskId) {
        if !self.task_exists(t) {
            return;
        }
        if self.tasks[t.idx()].state == TaskState::Provisioning && self.tasks[t.idx()].provisioning_started {
            self.start_pending(t);
        }
    }

    /// Returns a Fargate task's quota (at stop, or when its Spot launch failed).
    pub fn fargate_release(&mut self, t: TaskId) {
        let task = &mut self.tasks[t.idx()];
        if !task.provisioning_started {
            return;
        }
        task.provisioning_started = false;
        let provider = task.provider;
        let vcpu = self.sc.task_defs[task.task_def.idx()].cpu.vcpu();
        let st = &mut self.providers[provider.idx()];
        st.fargate_vcpu = (st.fargate_vcpu - vcpu).max(0.0);
        self.request_placement(provider);
    }

    pub fn fargate_place_waiting(&mut self, p: ProviderId) {
        let waiting = std::mem::take(&mut self.providers[p.idx()].waiting);
        for t in waiting {
            if self.task_exists(t)
                && self.tasks[t.idx()].state == TaskState::Provisioning
                && !self.tasks[t.idx()].provisioning_started
            {
                self.fargate_begin(t);
            }
        }
    }
}

/// On-demand instances a mixed group must hold at `total` instances: the
/// base, then the percentage of the rest, rounded up in favour of on-demand.
pub fn on_demand_required(base: u32, percent_above_base: f64, total: u32) -> u32 {
    if total <= base {
        return total;
    }
    let above = f64::from(total - base) * percent_above_base / 100.0;
    base + ceil_count(above)
}

/// CapacityProviderReservation with AWS's special cases for an empty group.
pub fn capacity_provider_reservation(m: u32, n: u32) -> f64 {
    match (m, n) {
        (0, 0) => 100.0,
        (_, 0) => 200.0,
        _ => f64::from(m) / f64::from(n) * 100.0,
    }
}

/// Instances wanted for M needed at a target capacity: ⌈M × 100 / target⌉.
pub fn desired_for(m: u32, target_capacity: f64) -> u32 {
    ceil_count(f64::from(m) * 100.0 / target_capacity)
}

/// Instances to add on a scale-out: from an empty group ECS first goes to
/// 200% (two instances); otherwise the gap to ⌈M × 100 / target⌉; always
/// within the minimum and maximum scaling step sizes. With no task needing
/// an instance (M = 0) nothing: an empty group publishes CPR 100, which a
/// target below 100 sees as high, but the target tracking behind the alarm
/// scales the group in proportion to its size, ⌈0 × 100 / target⌉ = 0
/// (docs/aws-facts.md §4.2).
pub fn scale_out_step(m: u32, n: u32, target_capacity: f64, min_step: u32, max_step: u32) -> u32 {
    if m == 0 {
        return 0;
    }
    let wanted = if n == 0 { 2 } else { desired_for(m, target_capacity).saturating_sub(n) };
    wanted.max(min_step).min(max_step)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mixed_split_matches_aws_examples() {
        // docs/aws-facts.md §3.3 (EC2 Auto Scaling mixed instances docs), totals 10/20/30/40.
        let od = |base, pct| [10, 20, 30, 40].map(|t| on_demand_required(base, pct, t));
        assert_eq!(od(10, 50.0), [10, 15, 20, 25]);
        assert_eq!(od(0, 60.0), [6, 12, 18, 24]);
        assert_eq!(od(12, 0.0), [10, 12, 12, 12]);
        // Rounding up in favour of on-demand: base 1 + 50% of 2 more = 2, of 3 more = 3.
        assert_eq!(on_demand_required(1, 50.0, 3), 2);
        assert_eq!(on_demand_required(1, 50.0, 4), 3);
    }

    #[test]
    fn reservation_cases() {
        assert_eq!(capacity_provider_reservation(0, 0), 100.0);
        assert_eq!(capacity_provider_reservation(3, 0), 200.0);
        assert_eq!(capacity_provider_reservation(0, 4), 0.0);
        // docs/aws-facts.md §4.2: N = 4, two more needed -> M = 6, CPR 150, desired 6.
        assert_eq!(capacity_provider_reservation(6, 4), 150.0);
        assert_eq!(desired_for(6, 100.0), 6);
        // target 50 with M = 2 -> 4 instances.
        assert_eq!(desired_for(2, 50.0), 4);
        // 8 of 10 instances busy: CPR 80 (two empty instances).
        assert_eq!(capacity_provider_reservation(8, 10), 80.0);
    }

    #[test]
    fn scale_out_steps() {
        assert_eq!(scale_out_step(6, 4, 100.0, 1, 10_000), 2);
        assert_eq!(scale_out_step(30, 4, 100.0, 1, 10), 10);
        assert_eq!(scale_out_step(5, 4, 100.0, 3, 10), 3);
        assert_eq!(scale_out_step(9, 0, 100.0, 1, 10_000), 2);
        // Empty and idle: CPR 100 is above a target of 90, but nothing is needed.
        assert_eq!(scale_out_step(0, 0, 90.0, 3, 10_000), 0);
        // Target 90: 9 busy need ceil(900/90) = 10 instances.
        assert_eq!(scale_out_step(9, 9, 90.0, 1, 10_000), 1);
    }
}
