//! The call graph between services, ordered so that every caller comes
//! before the services it calls (the order in which load flows down calls).

use super::super::types::*;
use super::ctx::{Ctx, quoted};

/// Orders services callers-first; a cycle in `calls` is an error naming it.
pub(super) fn order_calls(ctx: &mut Ctx, services: &[Service]) -> Vec<ServiceId> {
    let n = services.len();
    let mut indegree = vec![0usize; n];
    for s in services {
        for c in &s.calls {
            indegree[c.service.idx()] += 1;
        }
    }
    let mut ready: Vec<usize> = (0..n).filter(|&i| indegree[i] == 0).collect();
    ready.reverse();
    let mut order = Vec::with_capacity(n);
    while let Some(i) = ready.pop() {
        order.push(ServiceId::from_idx(i));
        for c in &services[i].calls {
            let j = c.service.idx();
            indegree[j] -= 1;
            if indegree[j] == 0 {
                ready.push(j);
                ready.sort_unstable_by(|a, b| b.cmp(a));
            }
        }
    }
    if order.len() < n {
        let stuck: Vec<&str> = (0..n).filter(|&i| indegree[i] > 0).map(|i| services[i].name.as_str()).collect();
        ctx.err("services", format!("`calls` form a cycle among {}; calls must flow one way (a request cannot come back to a service it passed)", quoted(&stuck)));
    }
    order
}
