//! The things that exist during a run: container instances and tasks.
//! Both live in arenas (`Vec`). Instance ids are never reused; task slots are
//! reused once a task has stopped, and a task id carries the slot's
//! generation, so a stale event about a stopped task is recognised and ignored.

use crate::engine::SimTime;
use crate::scenario::{BatchId, ProviderId, ServiceId, TaskDefId, TypeId, ZoneId};
use crate::units::{CpuUnits, MemMib};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct InstanceId(pub u32);

/// A task slot and the generation of the task in it. Slots of stopped tasks
/// are reused, so memory follows the tasks alive, not the horizon; an event
/// for an older generation finds its task gone and does nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TaskId(pub u32, pub u32);

impl InstanceId {
    pub fn idx(self) -> usize {
        self.0 as usize
    }
}
impl TaskId {
    pub fn idx(self) -> usize {
        self.0 as usize
    }
}

impl std::fmt::Display for TaskId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.0, self.1)
    }
}

/// Container instance status, as ECS reports it (plus the EC2 launch before registration).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InstanceState {
    /// Requested from EC2, booting; not yet registered with the cluster.
    Launching,
    Active,
    /// Gets no new tasks; its service tasks are being replaced.
    Draining,
    Terminated,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purchase {
    OnDemand,
    Spot,
}

#[derive(Clone, Debug)]
pub struct Instance {
    pub provider: ProviderId,
    /// Position among the instances this provider launched (keys its random draws).
    pub ordinal: u64,
    pub instance_type: TypeId,
    pub zone: ZoneId,
    pub purchase: Purchase,
    pub state: InstanceState,
    pub launched_at: SimTime,
    pub terminated_at: Option<SimTime>,
    /// The ASG has decided to terminate it (scale-in); it no longer counts toward desired.
    pub leaving: bool,
    /// Termination is under way (its tasks are being killed); nothing may start it again.
    pub terminating: bool,
    /// Running since before the simulation started (the steady initial state): already warm.
    pub initial: bool,
    /// A spot interruption notice has arrived; it terminates at this time.
    pub spot_termination_at: Option<SimTime>,
    pub registered_cpu: CpuUnits,
    pub registered_mem: MemMib,
    pub free_cpu: CpuUnits,
    pub free_mem: MemMib,
    /// awsvpc task slots left (ENIs).
    pub free_eni: u32,
    /// Static host ports in use by tasks.
    pub ports: Vec<u16>,
    /// Tasks holding resources here (PENDING through STOPPING).
    pub tasks: Vec<TaskId>,
    /// Nominal hourly price (on-demand or spot).
    pub hourly: f64,
}

impl Instance {
    pub fn is_live(&self) -> bool {
        self.state != InstanceState::Terminated
    }
    /// Counts toward the ASG's size (not terminated, not being scaled in).
    pub fn counts_for_asg(&self) -> bool {
        self.is_live() && !self.leaving
    }
    /// ACTIVE instances take tasks. A spot notice without spot draining leaves
    /// the instance ACTIVE: ECS is not told, so it keeps placing tasks there.
    pub fn accepts_tasks(&self) -> bool {
        self.state == InstanceState::Active && !self.terminating
    }
}

/// Task status, following ECS's lastStatus.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum TaskState {
    /// Waiting for capacity (EC2) or being provisioned (Fargate).
    Provisioning,
    /// Placed; image pull and container start.
    Pending,
    Running,
    /// Deregistered from the load balancer; finishing in-flight work for the deregistration delay.
    Deactivating,
    /// SIGTERM sent; exits within the stop timeout.
    Stopping,
    Stopped,
}

impl TaskState {
    pub fn is_active(self) -> bool {
        self != TaskState::Stopped
    }
}

/// Why a task stopped (summary.json splits stopped tasks by it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum StopReason {
    /// Scale-in or a smaller desired count.
    ScaledIn,
    /// Replaced by a deployment.
    Deployment,
    /// Moved off a draining instance.
    Drained,
    /// Spot interruption (EC2 or Fargate Spot).
    SpotInterruption,
    /// Its instance was terminated under it (scale-in without draining, kill_instances).
    InstanceTerminated,
    /// Its availability zone failed.
    ZoneOutage,
    /// A batch job finished its work.
    Completed,
    /// It failed its load balancer health checks after the grace period.
    FailedHealthChecks,
}

impl StopReason {
    pub fn key(self) -> &'static str {
        match self {
            StopReason::ScaledIn => "scaled_in",
            StopReason::Deployment => "deployment",
            StopReason::Drained => "drained",
            StopReason::SpotInterruption => "spot_interruption",
            StopReason::InstanceTerminated => "instance_terminated",
            StopReason::ZoneOutage => "zone_outage",
            StopReason::Completed => "completed",
            StopReason::FailedHealthChecks => "failed_health_checks",
        }
    }
    pub const ALL: [StopReason; 8] = [
        StopReason::ScaledIn,
        StopReason::Deployment,
        StopReason::Drained,
        StopReason::SpotInterruption,
        StopReason::InstanceTerminated,
        StopReason::ZoneOutage,
        StopReason::Completed,
        StopReason::FailedHealthChecks,
    ];
    /// Whether the stop was forced on the task (logged as `task_stopped`).
    pub fn is_forced(self) -> bool {
        matches!(self, StopReason::SpotInterruption | StopReason::InstanceTerminated | StopReason::ZoneOutage)
    }

    /// Whether the stop counts as an interruption (`tasks.interrupted`): a spot
    /// interruption or an instance terminated under the task. A zone outage is
    /// counted under its own reason, for tasks and instances alike.
    pub fn is_interruption(self) -> bool {
        matches!(self, StopReason::SpotInterruption | StopReason::InstanceTerminated)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Owner {
    Service(ServiceId),
    /// A scheduled (batch) task: which schedule, which job.
    Batch(BatchId, u32),
}

/// Field order and alignment are chosen for the cache: the scheduler's loops
/// over a service's tasks (reconcile, scale-in keys, health counts) read the
/// first 64 bytes only, one cache line per task, where the default layout
/// spread those fields over two or three.
#[derive(Clone, Debug)]
#[repr(C, align(64))]
pub struct Task {
    // The first cache line: what the loops over a group's tasks read.
    pub state: TaskState,
    /// Must be replaced (old deployment, draining instance, spot notice, failed health checks).
    pub retiring: bool,
    /// Receiving requests (registered and healthy behind the LB, or running without one).
    pub serving: bool,
    /// ECS judged it unhealthy (failed load balancer health checks past the grace period).
    pub failed_health: bool,
    /// Generation of the slot (see `TaskId`).
    pub generation: u32,
    pub owner: Owner,
    pub task_def: TaskDefId,
    pub provider: ProviderId,
    pub instance: Option<InstanceId>,
    pub zone: Option<ZoneId>,
    /// Counts as healthy for deployments from this time (`SimTime::MAX`: not yet).
    pub healthy_at: SimTime,
    /// Creation order over the whole run: ties are broken by it (oldest first).
    pub serial: u64,
    // The rest.
    /// Position among tasks of this provider (keys Fargate random draws).
    pub provider_ordinal: u64,
    pub created_at: SimTime,
    pub running_at: Option<SimTime>,
    /// Billed from this time (Fargate: image pull; EC2: resources reserved).
    pub billed_from: Option<SimTime>,
    pub stopped_at: Option<SimTime>,
    pub stop_reason: Option<StopReason>,
    /// A Fargate Spot interruption notice arrived; killed at this time.
    pub kill_at: Option<SimTime>,
    /// The last placement failure reason logged for this task (to log each reason once).
    pub last_failure: Option<super::placement::PlacementFailure>,
    /// Fargate: provisioning in progress (an event is on its way).
    pub provisioning_started: bool,
    /// Load balancer checks under load (docs/model.md §5.9): the target failed
    /// `unhealthy_threshold` checks in a row and is unhealthy (out of rotation
    /// unless the load balancer fails open).
    pub lb_unhealthy: bool,
    /// Its load balancer checks drawn so far.
    pub checks: CheckState,
}

/// Consecutive checks with the same result.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Streak {
    /// The checks of the streak passed (failed otherwise).
    pub passing: bool,
    pub count: u32,
}

/// The drawn load balancer checks of one target (docs/model.md §5.9). The
/// last batch is kept so that a change of routing in the middle of it keeps
/// the checks already made and redraws only those to come.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct CheckState {
    pub streak: Streak,
    /// Index of the next check not yet drawn (checks k = 1, 2, … every interval from RUNNING).
    pub next: u64,
    /// A threshold was reached at a check still to come (its time; healthy or not): no
    /// draws until its event, and an event that does not match it is stale.
    pub verdict: Option<(SimTime, bool)>,
    /// First check of the last batch drawn, the streak before it, its failure probability.
    pub batch_from: u64,
    pub batch_streak: Streak,
    pub batch_p: f64,
    /// A target in its initial checks that the load balancer routed to in fail-open: its
    /// health comes from drawn checks from then on (both ways).
    pub drawn: bool,
}

impl Task {
    pub fn service(&self) -> Option<ServiceId> {
        match self.owner {
            Owner::Service(s) => Some(s),
            Owner::Batch(..) => None,
        }
    }
    /// Counts as healthy for minimum-healthy-percent at `now` (see `Simulation::is_healthy`).
    pub fn counts_healthy(&self, now: SimTime) -> bool {
        self.state == TaskState::Running && self.healthy_at <= now && !self.failed_health
    }
    /// Holds resources on its instance (or is billed on Fargate).
    pub fn holds_resources(&self) -> bool {
        matches!(self.state, TaskState::Pending | TaskState::Running | TaskState::Deactivating | TaskState::Stopping)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::{offset_of, size_of};

    #[test]
    fn the_fields_the_group_loops_read_share_the_first_cache_line() {
        let end = offset_of!(Task, serial) + size_of::<u64>();
        assert!(end <= 64, "serial ends at byte {end}");
        for offset in [
            offset_of!(Task, state),
            offset_of!(Task, retiring),
            offset_of!(Task, owner),
            offset_of!(Task, task_def),
            offset_of!(Task, provider),
            offset_of!(Task, instance),
            offset_of!(Task, zone),
            offset_of!(Task, healthy_at),
        ] {
            assert!(offset < 64);
        }
        assert_eq!(std::mem::align_of::<Task>(), 64);
    }
}
