//! Scheduled (batch) tasks, as EventBridge runs them with RunTask: at each
//! firing, `count` jobs start on the capacity provider strategy, wait for
//! capacity if there is none, run for a sampled duration and exit. A job
//! whose task is interrupted restarts from scratch, up to `max_attempts`;
//! the running time of interrupted attempts is wasted.
//!
//! Standalone tasks are not moved off a draining instance (ECS leaves them
//! running): they finish or die with the instance.

use super::entities::{Owner, StopReason, TaskId};
use super::{Event, Simulation};
use crate::engine::SimTime;
use crate::rng::Stream;
use crate::scenario::BatchId;

#[derive(Clone, Debug)]
pub struct Job {
    pub fired_at: SimTime,
    pub attempts: u32,
    pub first_running: Option<SimTime>,
    pub done: bool,
    pub failed: bool,
    pub wasted_s: f64,
    /// Counted in the summary (fired after the warm-up).
    pub counted: bool,
}

#[derive(Clone, Debug, Default)]
pub struct BatchState {
    pub jobs: Vec<Job>,
    /// Tasks not yet stopped.
    pub active: Vec<TaskId>,
    pub placements: u64,
    pub zones: super::GroupZones,
}

impl Simulation<'_> {
    /// Schedules the first firing of every scheduled task and scheduled action, and the scripted events.
    pub fn schedule_scripted_and_schedules(&mut self) {
        for b in 0..self.sc.batch.len() {
            self.schedule_next_fire(BatchId::from_idx(b), None);
        }
        for (s, svc) in self.sc.services.iter().enumerate() {
            for a in 0..svc.scheduled_actions.len() {
                self.schedule_next_action(crate::scenario::ServiceId::from_idx(s), a, None);
            }
        }
        for (i, e) in self.sc.events.iter().enumerate() {
            self.at(e.at, Event::Scripted(i as u32));
        }
    }

    /// The first firing strictly after `after` (or at or after the start when
    /// `after` is None), if it falls within the horizon.
    pub fn next_schedule_time(&self, schedule: &crate::calendar::Schedule, after: Option<SimTime>) -> Option<SimTime> {
        let cal = &self.sc.calendar;
        let after = match after {
            Some(t) => cal.instant_at(t.as_millis()),
            None => cal.start().checked_sub(jiff::SignedDuration::from_millis(1)).ok()?,
        };
        let next = schedule.next_after(after, cal.start())?;
        let t = SimTime::from_millis(cal.offset_of(next)?);
        (t < self.sc.end()).then_some(t)
    }

    fn schedule_next_fire(&mut self, b: BatchId, after: Option<SimTime>) {
        if let Some(t) = self.next_schedule_time(&self.sc.batch[b.idx()].schedule, after) {
            self.at(t, Event::BatchFire(b));
        }
    }

    pub fn on_batch_fire(&mut self, b: BatchId) {
        let cfg = &self.sc.batch[b.idx()];
        let name = &cfg.name;
        self.rec.event(self.now, "batch_fire", "batch", name, format_args!("{} job(s) launched", cfg.count));
        for _ in 0..cfg.count {
            let job = self.batches[b.idx()].jobs.len() as u32;
            let counted = self.counting();
            self.batches[b.idx()].jobs.push(Job {
                fired_at: self.now,
                attempts: 0,
                first_running: None,
                done: false,
                failed: false,
                wasted_s: 0.0,
                counted,
            });
            self.start_attempt(b, job);
        }
        self.schedule_next_fire(b, Some(self.now));
    }

    fn start_attempt(&mut self, b: BatchId, job: u32) {
        let cfg = &self.sc.batch[b.idx()];
        let mut counts = vec![0u32; cfg.strategy.len()];
        for &t in &self.batches[b.idx()].active {
            if let Some(k) = cfg.strategy.iter().position(|i| i.provider == self.tasks[t.idx()].provider) {
                counts[k] += 1;
            }
        }
        let provider = super::placement::pick_provider(&cfg.strategy, &counts);
        let td = cfg.task_def;
        self.batches[b.idx()].jobs[job as usize].attempts += 1;
        let t = self.new_task(Owner::Batch(b, job), td, provider);
        self.batches[b.idx()].active.push(t);
        self.begin_provisioning(t);
    }

    pub fn batch_job_running(&mut self, t: TaskId, b: BatchId, job: u32) {
        let now = self.now;
        let record = &mut self.batches[b.idx()].jobs[job as usize];
        if record.first_running.is_none() {
            record.first_running = Some(now);
        }
        let attempt = record.attempts;
        let key = u64::from(job) * 1024 + u64::from(attempt);
        let mut draws = self.streams.draws(Stream::BatchDuration, b.idx() as u64, key);
        let work = self.sc.batch[b.idx()].duration.sample(&mut draws);
        self.after(work, Event::BatchWorkDone(t));
        let name = &self.sc.batch[b.idx()].name;
        self.rec.event(
            now,
            "batch_job_start",
            "batch",
            name,
            format_args!("job {job} attempt {attempt} running (task {})", self.tasks[t.idx()].serial),
        );
    }

    pub fn on_batch_work_done(&mut self, t: TaskId) {
        if !self.task_exists(t) {
            return;
        }
        if self.tasks[t.idx()].state != super::entities::TaskState::Running {
            return;
        }
        // The essential container exits: the task stops on its own.
        self.tasks[t.idx()].stop_reason = Some(StopReason::Completed);
        self.finish_task(t);
    }

    pub fn batch_task_stopped(&mut self, t: TaskId, b: BatchId, job: u32, reason: StopReason) {
        let now = self.now;
        let st = &mut self.batches[b.idx()];
        st.active.retain(|&x| x != t);
        let ran_s = self.tasks[t.idx()].running_at.map_or(0.0, |r| now.saturating_since(r).as_secs_f64());
        let max_attempts = self.sc.batch[b.idx()].max_attempts;
        let record = &mut self.batches[b.idx()].jobs[job as usize];
        let name = &self.sc.batch[b.idx()].name;
        if reason == StopReason::Completed {
            record.done = true;
            self.rec.event(
                now,
                "batch_job_complete",
                "batch",
                name,
                format_args!("job {job} done after {} attempt(s)", record.attempts),
            );
            return;
        }
        record.wasted_s += ran_s;
        if record.attempts < max_attempts {
            let attempt = record.attempts;
            self.rec.event(
                now,
                "batch_job_retry",
                "batch",
                name,
                format_args!("job {job} attempt {attempt} lost ({}); restarting from scratch", reason.key()),
            );
            self.start_attempt(b, job);
        } else {
            record.failed = true;
            self.rec.event(
                now,
                "batch_job_failed",
                "batch",
                name,
                format_args!("job {job} failed after {} attempt(s) ({})", record.attempts, reason.key()),
            );
        }
    }
}
