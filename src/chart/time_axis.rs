//! The time axis every chart of a run shares: hours or days, and how rows
//! of `timeseries.csv` become line points on it.

use crate::chart::figure::{XAxis, XScale, thin_min_max};
use crate::chart::render::THIN_BUCKETS;
use crate::chart::run_data::RunData;
use crate::chart::wall_clock::WallClock;

/// Runs up to this long get an hour axis, longer ones a day axis.
const HOUR_AXIS_LIMIT_S: f64 = 72.0 * 3600.0;
/// At most this many wall-clock ticks: "Mon 08:00" is wider than "36".
const WALL_CLOCK_TICKS: usize = 8;

/// Where a row's value is drawn within its interval `[t, t + interval)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Placement {
    /// Averages over the interval (rates, percentages, latency).
    Midpoint,
    /// Levels held over the interval (task and instance counts), drawn as steps.
    Step,
    /// Running totals reached at the interval's end (cumulative cost).
    End,
}

/// The time axis shared by every chart of a run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct TimeAxis {
    pub seconds_per_unit: f64,
    pub duration_s: f64,
    pub interval_s: u64,
    /// The window drawn, in seconds since the start: the whole run unless
    /// `ecsim chart --from/--to` asked for less.
    pub from_s: f64,
    pub to_s: f64,
}

impl TimeAxis {
    pub(crate) fn new(run: &RunData) -> TimeAxis {
        TimeAxis::window(run, 0.0, run.duration_s)
    }

    /// The axis of `[from_s, to_s]` (inside the run): hours up to three
    /// days of window, days beyond.
    pub(crate) fn window(run: &RunData, from_s: f64, to_s: f64) -> TimeAxis {
        let seconds_per_unit = if to_s - from_s <= HOUR_AXIS_LIMIT_S { 3600.0 } else { 86400.0 };
        TimeAxis {
            seconds_per_unit,
            duration_s: run.duration_s,
            interval_s: run.series.interval_s.max(1),
            from_s,
            to_s,
        }
    }

    /// The length of the window drawn, in seconds.
    pub(crate) fn span_s(&self) -> f64 {
        self.to_s - self.from_s
    }

    pub(crate) fn x_axis(&self) -> XAxis {
        let in_days = self.seconds_per_unit > 3600.0;
        XAxis {
            label: format!("time since start ({})", if in_days { "days" } else { "hours" }),
            scale: XScale::Time { in_days },
            min: self.from_s / self.seconds_per_unit,
            max: self.to_s / self.seconds_per_unit,
        }
    }

    /// The same axis with wall-clock ticks: weekday and local time.
    pub(crate) fn wall_clock_axis(&self, clock: &WallClock) -> XAxis {
        let ticks = clock
            .ticks(self.from_s, self.to_s, WALL_CLOCK_TICKS)
            .into_iter()
            .map(|(seconds, label)| (seconds / self.seconds_per_unit, label))
            .collect();
        XAxis { label: clock.axis_label(), scale: XScale::Labelled(ticks), ..self.x_axis() }
    }

    /// Whether a row of `[time_s, time_s + interval)` shows in the window.
    fn shows(&self, time_s: u64) -> bool {
        let start = time_s as f64;
        start < self.to_s && start + self.interval_s as f64 > self.from_s
    }

    /// The series as line segments in axis units, broken wherever a row is
    /// missing (a gap longer than one interval), thinned for drawing.
    pub(crate) fn segments(&self, points: &[(u64, f64)], placement: Placement) -> Vec<Vec<(f64, f64)>> {
        let interval = self.interval_s as f64;
        let to_unit = |seconds: f64| self.position(seconds);
        let points: Vec<(u64, f64)> = points.iter().copied().filter(|p| self.shows(p.0)).collect();
        let points = points.as_slice();
        let mut segments: Vec<Vec<(f64, f64)>> = Vec::new();
        let mut previous: Option<u64> = None;
        for &(time_s, value) in points {
            let continues = previous.is_some_and(|p| time_s > p && time_s - p <= self.interval_s);
            if !continues {
                segments.push(Vec::new());
            }
            previous = Some(time_s);
            let Some(segment) = segments.last_mut() else {
                continue;
            };
            let start = time_s as f64;
            match placement {
                Placement::Midpoint => segment.push((to_unit(start + interval / 2.0), value)),
                Placement::End => segment.push((to_unit(start + interval), value)),
                Placement::Step => match segment.last() {
                    // A level that continues needs no new corner.
                    Some(&(_, level)) if level == value => {}
                    Some(&(_, level)) => {
                        segment.push((to_unit(start), level));
                        segment.push((to_unit(start), value));
                    }
                    None => segment.push((to_unit(start), value)),
                },
            }
        }
        if placement == Placement::Step {
            // Each segment's last level holds to the end of its last interval.
            let mut previous: Option<u64> = None;
            let mut ends = Vec::new();
            for &(time_s, _) in points {
                if previous.is_some_and(|p| !(time_s > p && time_s - p <= self.interval_s)) {
                    ends.push(previous);
                }
                previous = Some(time_s);
            }
            ends.push(previous);
            for (segment, end) in segments.iter_mut().zip(ends) {
                if let (Some(&(_, level)), Some(end)) = (segment.last(), end) {
                    segment.push((to_unit(end as f64 + interval), level));
                }
            }
        }
        segments.iter().map(|segment| thin_min_max(segment, THIN_BUCKETS)).collect()
    }

    /// A time in seconds as a position on the axis, held inside the window.
    pub(crate) fn position(&self, seconds: f64) -> f64 {
        seconds.clamp(self.from_s, self.to_s.min(self.duration_s)) / self.seconds_per_unit
    }

    /// "1-minute", "1-hour", "30-second": the length of one row's interval.
    pub(crate) fn interval_phrase(&self) -> String {
        let s = self.interval_s;
        if s.is_multiple_of(3600) {
            format!("{}-hour", s / 3600)
        } else if s.is_multiple_of(60) {
            format!("{}-minute", s / 60)
        } else {
            format!("{s}-second")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn axis(interval_s: u64, duration_s: f64) -> TimeAxis {
        TimeAxis { seconds_per_unit: 3600.0, duration_s, interval_s, from_s: 0.0, to_s: duration_s }
    }

    #[test]
    fn missing_rows_break_the_line() {
        let points = [(0, 1.0), (60, 2.0), (180, 3.0), (240, 4.0)];
        let segments = axis(60, 3600.0).segments(&points, Placement::Midpoint);
        assert_eq!(
            segments,
            vec![vec![(30.0 / 3600.0, 1.0), (90.0 / 3600.0, 2.0)], vec![(210.0 / 3600.0, 3.0), (270.0 / 3600.0, 4.0)],]
        );
    }

    #[test]
    fn hourly_counts_become_steps_clipped_to_the_run() {
        let points = [(0, 2.0), (3600, 5.0), (7200, 3.0)];
        let segments = axis(3600, 9000.0).segments(&points, Placement::Step);
        assert_eq!(segments, vec![vec![(0.0, 2.0), (1.0, 2.0), (1.0, 5.0), (2.0, 5.0), (2.0, 3.0), (2.5, 3.0)]]);
        let cumulative = axis(3600, 9000.0).segments(&points, Placement::End);
        assert_eq!(cumulative, vec![vec![(1.0, 2.0), (2.0, 5.0), (2.5, 3.0)]]);
        // A level that does not change adds no corner; a gap ends the step
        // at the end of the last interval before it.
        let points = [(0, 2.0), (3600, 2.0), (10800, 4.0)];
        assert_eq!(
            axis(3600, 14400.0).segments(&points, Placement::Step),
            vec![vec![(0.0, 2.0), (2.0, 2.0)], vec![(3.0, 4.0), (4.0, 4.0)]]
        );
    }

    #[test]
    fn interval_phrases() {
        assert_eq!(axis(60, 1.0).interval_phrase(), "1-minute");
        assert_eq!(axis(3600, 1.0).interval_phrase(), "1-hour");
        assert_eq!(axis(90, 1.0).interval_phrase(), "90-second");
    }
}
