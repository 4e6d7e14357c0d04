//! Which events of `events.csv` are marked on the time axis, and how.

use plotters::style::RGBColor;

use crate::chart::figure::{Dash, MarkerGroup, MarkerStyle};
use crate::chart::palette::{BLACK, BLUISH_GREEN, MID_GREY, ORANGE, REDDISH_PURPLE, SKY_BLUE, VERMILLION};

/// One event of `events.csv`, reduced to what a marker needs.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct EventRecord {
    pub time_s: f64,
    pub kind: String,
    pub scope: String,
    pub name: String,
}

/// A legend entry and the event kinds it gathers.
struct MarkerKind {
    label: &'static str,
    kinds: &'static [&'static str],
    colour: RGBColor,
    dash: Dash,
    /// Scaling decisions concern one service: shown only on its own charts.
    own_service_only: bool,
    /// Set by the scenario's script (deployments, outages, manual actions):
    /// always few and each worth a full-height line.
    scripted: bool,
}

/// Above this many events of one kind on a chart, full-height lines would
/// cover the data (a week of target tracking makes hundreds), so the kind is
/// drawn as ticks above the plot instead.
pub(crate) const MAX_LINE_MARKERS: usize = 25;

const MARKER_KINDS: [MarkerKind; 8] = [
    MarkerKind {
        label: "scale out",
        kinds: &["scale_out"],
        colour: BLUISH_GREEN,
        dash: Dash::Solid,
        own_service_only: true,
        scripted: false,
    },
    MarkerKind {
        label: "scale in",
        kinds: &["scale_in"],
        colour: SKY_BLUE,
        dash: Dash::Dashed,
        own_service_only: true,
        scripted: false,
    },
    MarkerKind {
        label: "spot / task interruption",
        kinds: &["spot_interruption", "task_interrupted"],
        colour: VERMILLION,
        dash: Dash::Solid,
        own_service_only: false,
        scripted: false,
    },
    MarkerKind {
        label: "deployment start",
        kinds: &["deployment_start"],
        colour: REDDISH_PURPLE,
        dash: Dash::Solid,
        own_service_only: false,
        scripted: true,
    },
    MarkerKind {
        label: "AZ outage start",
        kinds: &["az_outage_start"],
        colour: BLACK,
        dash: Dash::Solid,
        own_service_only: false,
        scripted: true,
    },
    MarkerKind {
        label: "AZ outage end",
        kinds: &["az_outage_end"],
        colour: BLACK,
        dash: Dash::Dashed,
        own_service_only: false,
        scripted: true,
    },
    MarkerKind {
        label: "set desired count",
        kinds: &["set_desired_count"],
        colour: ORANGE,
        dash: Dash::Dashed,
        own_service_only: false,
        scripted: true,
    },
    MarkerKind {
        label: "kill instances",
        kinds: &["kill_instances"],
        colour: MID_GREY,
        dash: Dash::Solid,
        own_service_only: false,
        scripted: true,
    },
];

/// Whether events of `kind` ever appear on a chart (others need not be kept).
pub(crate) fn is_marked(kind: &str) -> bool {
    MARKER_KINDS.iter().any(|m| m.kinds.contains(&kind))
}

/// The marker groups for one chart, in a fixed order, leaving out empty ones.
///
/// `service` is `Some(name)` on that service's charts: scaling decisions of
/// that service are shown, and events scoped to another service are not.
/// On cluster-wide charts (`None`) every marked kind except scaling decisions
/// is shown. Times are divided by `seconds_per_unit` (3600 for hours).
/// A kind with more than `MAX_LINE_MARKERS` distinct times on the chart is
/// drawn as ticks unless it is scripted.
///
/// Only events inside `view.window_s` are drawn and counted. The count in
/// a label is that of `summary.json`, which leaves the warm-up out: events
/// before `view.warmup_s` are drawn but counted apart, "scale out (4, +2 in
/// warm-up)".
pub(crate) fn marker_groups(events: &[EventRecord], service: Option<&str>, view: MarkerView) -> Vec<MarkerGroup> {
    let seconds_per_unit = view.seconds_per_unit;
    let mut groups = Vec::new();
    for marker in &MARKER_KINDS {
        if marker.own_service_only && service.is_none() {
            continue;
        }
        let matching: Vec<&EventRecord> = events
            .iter()
            .filter(|e| marker.kinds.contains(&e.kind.as_str()))
            .filter(|e| match service {
                Some(service) if marker.own_service_only => e.scope == "service" && e.name == service,
                Some(service) => e.scope != "service" || e.name == service,
                None => true,
            })
            .filter(|e| e.time_s >= view.window_s.0 && e.time_s <= view.window_s.1)
            .collect();
        if matching.is_empty() {
            continue;
        }
        let mut times: Vec<f64> = matching.iter().map(|e| e.time_s / seconds_per_unit).collect();
        times.sort_by(f64::total_cmp);
        times.dedup();
        let style =
            if !marker.scripted && times.len() > MAX_LINE_MARKERS { MarkerStyle::Ticks } else { MarkerStyle::Lines };
        groups.push(MarkerGroup {
            label: count_label(marker.label, &matching, view.warmup_s),
            colour: marker.colour,
            dash: marker.dash,
            style,
            times,
        });
    }
    groups
}

/// What a chart's markers cover: its x unit, the window drawn and the
/// warm-up (all in seconds since the start).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct MarkerView {
    pub seconds_per_unit: f64,
    pub window_s: (f64, f64),
    pub warmup_s: f64,
}

impl MarkerView {
    /// Hours over a whole run without warm-up.
    #[cfg(test)]
    pub(crate) fn hours() -> MarkerView {
        MarkerView { seconds_per_unit: 3600.0, window_s: (0.0, f64::INFINITY), warmup_s: 0.0 }
    }
}

/// "scale out (3)", or "scale out (3, +1 in warm-up)" when some of the
/// events fall in the warm-up, which `summary.json` does not count.
fn count_label(label: &str, events: &[&EventRecord], warmup_s: f64) -> String {
    let in_warmup = events.iter().filter(|e| e.time_s < warmup_s).count();
    let counted = events.len() - in_warmup;
    if in_warmup == 0 {
        format!("{label} ({counted})")
    } else {
        format!("{label} ({counted}, +{in_warmup} in warm-up)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(time_s: f64, kind: &str, scope: &str, name: &str) -> EventRecord {
        EventRecord { time_s, kind: kind.to_string(), scope: scope.to_string(), name: name.to_string() }
    }

    #[test]
    fn service_charts_show_only_their_own_scaling_and_scoped_events() {
        let events = vec![
            event(3600.0, "scale_out", "service", "web"),
            event(7200.0, "scale_out", "service", "worker"),
            event(5400.0, "spot_interruption", "instance", "i-1"),
            event(5400.0, "task_interrupted", "task", "web/3"),
            event(9000.0, "deployment_start", "service", "worker"),
        ];
        let web = marker_groups(&events, Some("web"), MarkerView::hours());
        let labels: Vec<_> = web.iter().map(|g| g.label.as_str()).collect();
        assert_eq!(labels, ["scale out (1)", "spot / task interruption (2)"]);
        assert_eq!(web[0].times, vec![1.0]);
        // Two events at the same instant make one line.
        assert_eq!(web[1].times, vec![1.5]);

        let cluster = marker_groups(&events, None, MarkerView::hours());
        let labels: Vec<_> = cluster.iter().map(|g| g.label.as_str()).collect();
        assert_eq!(labels, ["spot / task interruption (2)", "deployment start (1)"]);
        assert!(!is_marked("task_started"));
        assert!(web.iter().chain(&cluster).all(|g| g.style == MarkerStyle::Lines));
    }

    #[test]
    fn counts_leave_out_the_warm_up_and_what_is_outside_the_window() {
        let events: Vec<EventRecord> =
            [600.0, 1800.0, 4000.0, 8000.0, 20000.0].iter().map(|&t| event(t, "scale_out", "service", "web")).collect();
        // A warm-up of one hour: two of the five are counted apart, as
        // summary.json's scale_out (3) does not count them.
        let view = MarkerView { warmup_s: 3600.0, ..MarkerView::hours() };
        let groups = marker_groups(&events, Some("web"), view);
        assert_eq!(groups[0].label, "scale out (3, +2 in warm-up)");
        // A window from 1 000 s to 10 000 s draws and counts three.
        let view = MarkerView { window_s: (1000.0, 10000.0), ..view };
        let groups = marker_groups(&events, Some("web"), view);
        assert_eq!(groups[0].label, "scale out (2, +1 in warm-up)");
        assert_eq!(groups[0].times, vec![0.5, 4000.0 / 3600.0, 8000.0 / 3600.0]);
    }

    #[test]
    fn many_scaling_actions_become_ticks_but_scripted_events_stay_lines() {
        // 25 scale-outs (the most drawn as lines), 26 scale-ins, and 30
        // deployments, which are scripted and so stay lines however many.
        let mut events: Vec<EventRecord> =
            (0..25).map(|i| event(600.0 * f64::from(i), "scale_out", "service", "web")).collect();
        events.extend((0..26).map(|i| event(300.0 + 600.0 * f64::from(i), "scale_in", "service", "web")));
        events.extend((0..30).map(|i| event(60.0 * f64::from(i), "deployment_start", "service", "web")));
        let groups = marker_groups(&events, Some("web"), MarkerView::hours());
        let styles: Vec<_> = groups.iter().map(|g| (g.label.as_str(), g.style)).collect();
        assert_eq!(
            styles,
            [
                ("scale out (25)", MarkerStyle::Lines),
                ("scale in (26)", MarkerStyle::Ticks),
                ("deployment start (30)", MarkerStyle::Lines),
            ]
        );
        // What counts is the marks drawn: a 26th scale-out at the instant of
        // another adds to the label but not to the 25 lines.
        events.push(event(1200.0, "scale_out", "service", "web"));
        let groups = marker_groups(&events, Some("web"), MarkerView::hours());
        assert_eq!((groups[0].label.as_str(), groups[0].times.len()), ("scale out (26)", 25));
        assert_eq!(groups[0].style, MarkerStyle::Lines);
    }
}
