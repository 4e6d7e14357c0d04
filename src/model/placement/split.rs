//! Which capacity provider a service's (or scheduled task's) task uses, and
//! which provider gives up a task on scale-in: the strategy's base first,
//! then each provider's weighted share of the tasks beyond the base.
//! Pure functions of the strategy and the current tasks per item; the
//! simulation keeps those counts up to date as tasks change.

use super::super::Simulation;
use super::super::entities::{TaskId, TaskState};
use crate::scenario::{ProviderId, ServiceId, StrategyItem};

/// Base first, then the provider with the largest deficit against its
/// weighted share of the tasks beyond the base (ties to the earlier item).
pub fn pick_provider(strategy: &[StrategyItem], counts: &[u32]) -> ProviderId {
    if let Some(k) = strategy.iter().position(|i| i.base > 0)
        && counts[k] < strategy[k].base
    {
        return strategy[k].provider;
    }
    let beyond_base = |k: usize| counts[k].saturating_sub(strategy[k].base);
    let total_weight: u32 = strategy.iter().map(|i| i.weight).sum();
    let n_after = (0..strategy.len()).map(beyond_base).sum::<u32>() + 1;
    let mut best: Option<(usize, f64)> = None;
    for (k, item) in strategy.iter().enumerate() {
        if item.weight == 0 {
            continue;
        }
        let target = f64::from(item.weight) * f64::from(n_after) / f64::from(total_weight.max(1));
        let deficit = target - f64::from(beyond_base(k));
        if best.is_none_or(|(_, d)| deficit > d + 1e-12) {
            best = Some((k, deficit));
        }
    }
    strategy[best.map_or(0, |(k, _)| k)].provider
}

/// Which strategy item should lose a task: the one furthest above its share,
/// never cutting the base provider below its base while others have tasks.
pub(super) fn shrink_choice(strategy: &[StrategyItem], counts: &[u32], present: &[usize]) -> Option<usize> {
    if present.len() <= 1 {
        return present.first().copied();
    }
    let total_weight: u32 = strategy.iter().map(|i| i.weight).sum::<u32>().max(1);
    let beyond: u32 = (0..strategy.len()).map(|k| counts[k].saturating_sub(strategy[k].base)).sum();
    let n_after = f64::from(beyond.saturating_sub(1));
    let mut best: Option<(usize, f64)> = None;
    for &k in present {
        let item = &strategy[k];
        let extra = counts[k].saturating_sub(item.base);
        if extra == 0 && item.base > 0 {
            continue;
        }
        let surplus = f64::from(extra) - f64::from(item.weight) * n_after / f64::from(total_weight);
        if best.is_none_or(|(_, b)| surplus > b + 1e-12) {
            best = Some((k, surplus));
        }
    }
    best.map(|(k, _)| k).or_else(|| present.first().copied())
}

impl Simulation<'_> {
    /// The provider a new task of service `s` goes to (base, then weights).
    pub fn pick_provider_for_service(&self, s: ServiceId) -> ProviderId {
        pick_provider(&self.sc.services[s.idx()].strategy, &self.services[s.idx()].by_strategy_item)
    }

    /// Whether a task counts as current for its service's strategy split.
    fn strategy_current(&self, t: TaskId) -> bool {
        let task = &self.tasks[t.idx()];
        !task.retiring && task.state <= TaskState::Running
    }

    /// A current task (not marked for replacement) still PROVISIONING.
    pub fn provisioning_current(&self, t: TaskId) -> bool {
        let task = &self.tasks[t.idx()];
        !task.retiring && task.state == TaskState::Provisioning
    }

    /// A task marked for replacement that has not started stopping.
    fn retiring_live(&self, t: TaskId) -> bool {
        let task = &self.tasks[t.idx()];
        task.retiring && task.state <= TaskState::Running
    }

    /// Updates the service's tallies (current tasks per strategy item, retiring
    /// tasks) after `change` alters a task's state or retiring flag.
    pub fn with_strategy_tally(&mut self, t: TaskId, change: impl FnOnce(&mut Self)) {
        let before = self.strategy_current(t);
        let was_retiring = self.retiring_live(t);
        let was_provisioning = self.provisioning_current(t);
        change(self);
        let after = self.strategy_current(t);
        let is_retiring = self.retiring_live(t);
        let is_provisioning = self.provisioning_current(t);
        if was_provisioning != is_provisioning
            && let Some(s) = self.tasks[t.idx()].service()
        {
            let c = &mut self.services[s.idx()].provisioning_current;
            *c = if is_provisioning { *c + 1 } else { c.saturating_sub(1) };
        }
        if was_retiring != is_retiring
            && let Some(s) = self.tasks[t.idx()].service()
        {
            let c = &mut self.services[s.idx()].retiring_live;
            *c = if is_retiring { *c + 1 } else { c.saturating_sub(1) };
        }
        if before != after
            && let Some(s) = self.tasks[t.idx()].service()
        {
            let provider = self.tasks[t.idx()].provider;
            if let Some(k) = self.sc.services[s.idx()].strategy.iter().position(|i| i.provider == provider) {
                let c = &mut self.services[s.idx()].by_strategy_item[k];
                *c = if after { *c + 1 } else { c.saturating_sub(1) };
            }
        }
    }

    /// Marks a task to be replaced (or not), keeping the strategy tally.
    pub fn set_retiring(&mut self, t: TaskId, retiring: bool) {
        self.with_strategy_tally(t, |sim| sim.tasks[t.idx()].retiring = retiring);
    }

    /// Recounts current tasks per strategy item (for the invariant check).
    pub fn provider_counts(&self, s: ServiceId) -> Vec<u32> {
        let strategy = &self.sc.services[s.idx()].strategy;
        let mut counts = vec![0u32; strategy.len()];
        for &t in &self.services[s.idx()].tasks {
            if !self.strategy_current(t) {
                continue;
            }
            if let Some(pos) = strategy.iter().position(|i| i.provider == self.tasks[t.idx()].provider) {
                counts[pos] += 1;
            }
        }
        counts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(p: u32, base: u32, weight: u32) -> StrategyItem {
        StrategyItem { provider: ProviderId(p), base, weight }
    }

    fn split(strategy: &[StrategyItem], n: u32) -> Vec<u32> {
        let mut counts = vec![0u32; strategy.len()];
        for _ in 0..n {
            let p = pick_provider(strategy, &counts);
            let k = strategy.iter().position(|i| i.provider == p).unwrap();
            counts[k] += 1;
        }
        counts
    }

    #[test]
    fn aws_weight_example_one_to_four() {
        // ECS docs: weights A=1, B=4 -> for every task on A, four on B.
        let s = [item(0, 0, 1), item(1, 0, 4)];
        assert_eq!(split(&s, 5), vec![1, 4]);
        assert_eq!(split(&s, 10), vec![2, 8]);
    }

    #[test]
    fn base_then_weight() {
        // FARGATE base 2 weight 1, FARGATE_SPOT weight 3, desired 10: the base puts the
        // first 2 tasks on FARGATE; the 8 beyond it split 1:3, 8 x 1/4 = 2 more on FARGATE
        // and 8 x 3/4 = 6 on FARGATE_SPOT: 4 / 6 (docs/aws-facts.md §4.5, its worked example). Weights alone
        // (no base) would give 10 x 1/4 = 2.5 / 7.5, not 4 / 6.
        let s = [item(0, 2, 1), item(1, 0, 3)];
        assert_eq!(split(&s, 10), vec![4, 6]);
        assert_eq!(split(&s, 1), vec![1, 0]);
        assert_eq!(split(&s, 2), vec![2, 0]);
        // The third task is the first beyond the base: FARGATE's share of 1 is 0.25,
        // FARGATE_SPOT's 0.75, so it goes to FARGATE_SPOT.
        assert_eq!(split(&s, 3), vec![2, 1]);
        // 6 tasks: 2 base, the 4 beyond split 1 / 3.
        assert_eq!(split(&s, 6), vec![3, 3]);
    }

    #[test]
    fn weight_zero_gets_only_its_base() {
        let s = [item(0, 3, 0), item(1, 0, 1)];
        assert_eq!(split(&s, 8), vec![3, 5]);
    }

    #[test]
    fn shrink_keeps_the_split() {
        let s = [item(0, 2, 1), item(1, 0, 3)];
        // 4 on FARGATE (base 2 + 2), 6 on SPOT: 8 beyond the base, 7 after removing one,
        // whose shares are 7/4 = 1.75 and 21/4 = 5.25: FARGATE is 0.25 above its share,
        // SPOT 0.75 above, so SPOT loses the task.
        assert_eq!(shrink_choice(&s, &[4, 6], &[0, 1]), Some(1));
        // Base provider at its base is never shrunk while others have tasks.
        assert_eq!(shrink_choice(&s, &[2, 1], &[0, 1]), Some(1));
    }
}
