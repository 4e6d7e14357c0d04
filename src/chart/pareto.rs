//! The Pareto frontier of cost against one other figure.

/// Indices of the Pareto-optimal points, sorted by x (then by index): a point
/// is optimal when no other point has x at most as large and y at least as
/// good (larger when `maximise_y`, smaller otherwise) with one of the two
/// strictly better. x is always minimised (it is cost). Points with a
/// non-finite coordinate are never optimal; identical optimal points are all kept.
pub fn pareto_front(points: &[(f64, f64)], maximise_y: bool) -> Vec<usize> {
    // y oriented so that larger is always better.
    let goodness = |y: f64| if maximise_y { y } else { -y };
    let mut order: Vec<usize> =
        (0..points.len()).filter(|&i| points[i].0.is_finite() && points[i].1.is_finite()).collect();
    // By x ascending, then best y first, so each point need only beat the
    // best y seen among the points before it.
    order.sort_by(|&a, &b| {
        points[a]
            .0
            .total_cmp(&points[b].0)
            .then(goodness(points[b].1).total_cmp(&goodness(points[a].1)))
            .then(a.cmp(&b))
    });
    let mut front: Vec<usize> = Vec::new();
    let mut best: Option<(f64, f64)> = None;
    for index in order {
        let (x, y) = points[index];
        let keep = match best {
            None => true,
            Some((best_x, best_y)) => goodness(y) > goodness(best_y) || (x == best_x && y == best_y),
        };
        if keep {
            front.push(index);
            best = Some((x, y));
        }
    }
    front
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Six configurations as (cost USD, availability):
    /// 0 (10, 0.990)  cheapest: optimal
    /// 1 (12, 0.995)  optimal
    /// 2 (12, 0.993)  same cost as 1, worse: dominated
    /// 3 (15, 0.994)  dearer than 1 and worse: dominated
    /// 4 (18, 0.999)  optimal
    /// 5 (20, 0.999)  same availability as 4, dearer: dominated
    const POINTS: [(f64, f64); 6] =
        [(10.0, 0.990), (12.0, 0.995), (12.0, 0.993), (15.0, 0.994), (18.0, 0.999), (20.0, 0.999)];

    #[test]
    fn maximising_availability() {
        assert_eq!(pareto_front(&POINTS, true), vec![0, 1, 4]);
    }

    #[test]
    fn minimising_latency() {
        // Read y as p99 latency (ms): lower is better, so only the cheapest
        // point (10, 0.990) has the lowest y as well.
        assert_eq!(pareto_front(&POINTS, false), vec![0]);
        let latency = [(10.0, 300.0), (12.0, 250.0), (11.0, 320.0), (14.0, 250.0), (20.0, 90.0), (13.0, 200.0)];
        assert_eq!(pareto_front(&latency, false), vec![0, 1, 5, 4]);
    }

    #[test]
    fn ties_and_non_finite_points() {
        let points = [(1.0, 5.0), (1.0, 5.0), (f64::NAN, 9.0), (2.0, f64::INFINITY)];
        assert_eq!(pareto_front(&points, true), vec![0, 1]);
        assert_eq!(pareto_front(&[], true), Vec::<usize>::new());
    }
}
