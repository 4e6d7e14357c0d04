//! Tests of the views that answer questions: wall-clock axes and windows,
//! tasks and instances per zone, Pareto charts against reliability and
//! latency with the SLO and log axes, and the report's answers.

use std::path::Path;

use crate::chart::figure::{Figure, Layer, XScale};
use crate::chart::run_charts::run_figures;
use crate::chart::run_data::{RunData, TimeWindow};
use crate::chart::sweep_data::SweepData;
use crate::chart::sweep_figures::sweep_figures;
use crate::chart::test_fixtures::{TempDir, write_run, write_sweep};
use crate::chart::{ChartFormat, chart_run_window, output};
use crate::scenario::duration::parse_offset;

const TWO_DAYS_S: u64 = 2 * 86400;

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = read(path);
    assert!(text.contains(from), "{} lacks {from:?}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap_or_else(|e| panic!("{e}"));
}

fn figure<'a>(figures: &'a [Figure], stem: &str) -> &'a Figure {
    figures.iter().find(|f| f.stem == stem).unwrap_or_else(|| panic!("no figure {stem}"))
}

fn line_labels(figure: &Figure, panel: usize) -> Vec<String> {
    figure.panels[panel]
        .layers
        .iter()
        .filter_map(|l| match l {
            Layer::Line { label, .. } => Some(label.clone()),
            _ => None,
        })
        .collect()
}

/// A run whose summary records a start (Monday 2 March 2026, 00:00 UTC)
/// and the workload's zone, Europe/Berlin (UTC+1 in March).
fn run_with_clock(name: &str) -> TempDir {
    let dir = TempDir::new(name);
    write_run(dir.path(), TWO_DAYS_S, 60);
    edit(
        &dir.path().join("summary.json"),
        "\"warmup_s\":0",
        "\"warmup_s\":0,\"start\":\"2026-03-02T00:00:00Z\",\"timezone\":\"Europe/Berlin\"",
    );
    dir
}

fn load(dir: &Path) -> RunData {
    RunData::load(dir).unwrap_or_else(|e| panic!("{e:#}"))
}

#[test]
fn run_charts_read_the_wall_clock_of_the_workload_zone() {
    let dir = run_with_clock("wall-clock");
    let figures = run_figures(&load(dir.path())).figures;
    let tasks = figure(&figures, "service-web-tasks");
    assert_eq!(tasks.x.label, "time in Europe/Berlin (start Mon 2 Mar 2026 01:00)");
    let XScale::Labelled(ticks) = &tasks.x.scale else {
        panic!("not a wall-clock axis: {:?}", tasks.x.scale);
    };
    // 48 hours in at most 8 ticks: every 6 hours from local midnight. The
    // first, Mon 06:00 Berlin, is 5 h after the start.
    assert_eq!(ticks.len(), 8);
    assert_eq!(ticks[0], (5.0, "Mon 06:00".to_string()));
    assert_eq!(ticks[3], (23.0, "Tue 00:00".to_string()));
    let svg = output::svg_string(tasks).unwrap_or_else(|e| panic!("{e:#}"));
    assert!(svg.contains("Tue 00:00"), "no wall-clock tick in the SVG");
    assert!(svg.contains("time in Europe/Berlin"));
}

#[test]
fn a_window_draws_only_its_part_of_the_run() {
    let dir = run_with_clock("window");
    let window = TimeWindow {
        from: Some(parse_offset("1d 08:00").unwrap_or_else(|e| panic!("{e}"))),
        to: Some(parse_offset("1d 12:00").unwrap_or_else(|e| panic!("{e}"))),
    };
    let mut run = load(dir.path());
    run.narrow(&window).unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(run.window_s, (32.0 * 3600.0, 36.0 * 3600.0));
    let figures = run_figures(&run).figures;
    let tasks = figure(&figures, "service-web-tasks");
    assert_eq!((tasks.x.min, tasks.x.max), (32.0, 36.0));
    // Every point drawn is inside the window.
    for layer in tasks.panels.iter().flat_map(|p| &p.layers) {
        assert!(layer.x_extent().iter().all(|x| (32.0..=36.0).contains(x)), "{layer:?}");
    }
    // Four hours: hourly ticks from 09:00 Berlin (08:00 UTC, 32 h).
    let XScale::Labelled(ticks) = &tasks.x.scale else { panic!("not a wall-clock axis") };
    assert_eq!(ticks[0], (32.0, "Tue 09:00".to_string()));
    assert_eq!(ticks.len(), 5);
    // The scale-out at 7 h and the 12 h deployment are outside: no markers
    // but the ones inside (none of web's).
    assert!(tasks.markers.is_empty(), "{:?}", tasks.markers);

    // The same through the files, and bad windows refused with the reason.
    chart_run_window(dir.path(), ChartFormat::Svg, &window).unwrap_or_else(|e| panic!("{e:#}"));
    assert!(read(&dir.path().join("charts/service-web-tasks.svg")).contains("Tue 09:00"));
    let backwards = TimeWindow { from: window.to.clone(), to: window.from.clone() };
    let error = chart_run_window(dir.path(), ChartFormat::Svg, &backwards).err().map(|e| format!("{e:#}"));
    assert!(error.is_some_and(|e| e.contains("--to is 115200 s after the start; expected a time after --from")));
    let late = TimeWindow { from: Some(parse_offset("3d").unwrap_or_else(|e| panic!("{e}"))), to: None };
    let error = chart_run_window(dir.path(), ChartFormat::Svg, &late).err().map(|e| format!("{e:#}"));
    assert!(error.is_some_and(|e| e.contains("--from is 259200 s after the start; expected a time inside the run")));
}

#[test]
fn zones_chart_shows_tasks_and_instances_per_zone() {
    let dir = TempDir::new("zones");
    write_run(dir.path(), TWO_DAYS_S, 60);
    let figures = run_figures(&load(dir.path())).figures;
    let zones = figure(&figures, "zones");
    assert_eq!(zones.title, "fixture: tasks and instances by availability zone");
    assert_eq!(zones.panels.len(), 2);
    assert_eq!(zones.panels[0].y_label, "running tasks (count)");
    assert_eq!(zones.panels[1].y_label, "EC2 instances (count)");
    assert_eq!(line_labels(zones, 0), ["us-east-1a", "us-east-1b"]);
    // At 0 h web's demand is 200 − 150 × cos 30° = 70 req/s: 2 tasks (its
    // minimum); with the worker's 2, 4 in all and 2 in us-east-1a. At 14 h
    // (the peak) 350 req/s: 7 tasks, 9 in all, 5 in us-east-1a (the larger
    // half), from 10.8 h (web's 7th task) to 17.2 h.
    let Layer::Line { segments, .. } = &zones.panels[0].layers[0] else { panic!("not a line") };
    assert_eq!(segments[0][0], (0.0, 2.0));
    assert!(segments[0].contains(&(38880.0 / 3600.0, 5.0)), "{:?}", &segments[0][..20]);
    // The AZ outage is marked, as on every cluster chart.
    assert!(zones.markers.iter().any(|m| m.label == "AZ outage start (1)"));
    // Drawn: the legend names each zone once although both panels have it.
    let svg = output::svg_string(zones).unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(svg.matches("us-east-1a").count(), 1);
}

/// The sweep fixture with web's SLO (p99 250 ms) in its scenario and
/// configuration 0's mean p99 at 20 s, so p99 spans more than two decades.
fn sweep_with_slo_and_outlier(name: &str) -> TempDir {
    let dir = TempDir::new(name);
    write_sweep(dir.path());
    std::fs::write(
        dir.path().join("scenario.toml"),
        "[[services]]\nname = \"web\"\n[services.workload]\nslo = { latency_p99 = \"250ms\", availability = 0.999 }\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let summary = dir.path().join("summary.csv");
    let text = read(&summary);
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let mut fields: Vec<String> = lines[1].split(',').map(str::to_string).collect();
    // configuration, variant, axis, runs, then mean/sd/ci95 of cost,
    // availability and p99: the p99 mean is field 10.
    fields[10] = "20000".to_string();
    lines[1] = fields.join(",");
    std::fs::write(&summary, lines.join("\n") + "\n").unwrap_or_else(|e| panic!("{e}"));
    dir
}

#[test]
fn pareto_charts_draw_the_slo_and_go_log_over_two_decades() {
    let dir = sweep_with_slo_and_outlier("pareto-slo");
    let figures = sweep_figures(&SweepData::load(dir.path()).unwrap_or_else(|e| panic!("{e:#}")));
    let p99 = figure(&figures, "pareto-latency_p99_ms");
    let panel = &p99.panels[0];
    assert_eq!(panel.y_label, "latency.p99_ms (ms) (log scale)");
    let threshold = panel.layers.iter().find_map(|l| match l {
        Layer::Threshold { label, y, .. } => Some((label.clone(), *y)),
        _ => None,
    });
    assert_eq!(threshold, Some(("SLO p99 250 ms (web)".to_string(), 250f64.log10())));
    // Configuration 0 sits at log10(20000) = 4.301.
    let Some(Layer::Points { points, .. }) = panel.layers.first() else { panic!("no points") };
    assert!((points[0].y - 20000f64.log10()).abs() < 1e-12);
    let labels: Vec<&str> = panel.y_ticks.iter().flatten().map(|t| t.1.as_str()).collect();
    assert!(labels.contains(&"1000") && labels.contains(&"10000"), "{labels:?}");
    let svg = output::svg_string(p99).unwrap_or_else(|e| panic!("{e:#}"));
    assert!(svg.contains("10000") && svg.contains("SLO p99 250 ms (web)"));
    // Availability stays linear, with its SLO drawn.
    let availability = figure(&figures, "pareto-requests_availability");
    assert!(availability.panels[0].y_ticks.is_none());
    assert!(availability.panels[0].layers.iter().any(|l| matches!(l, Layer::Threshold { y, .. } if *y == 0.999)));
}

#[test]
fn report_opens_with_answers_then_charts_then_sortable_tables() {
    let dir = TempDir::new("answers");
    write_run(dir.path(), TWO_DAYS_S, 60);
    let answers = crate::chart::answers::run_answers(&load(dir.path()));
    // Cost by provider, dearest first, with shares of the 51.875 USD total:
    // 30.25 / 51.875 = 58%, 12.5 / 51.875 = 24%, 9.125 / 51.875 = 18%.
    assert!(
        answers[0].starts_with(
            "The run cost 51.88 USD over 2 days: ec2-on-demand 30.25 USD (58%), FARGATE 12.50 USD (24%), ec2-spot 9.1"
        ),
        "{answers:?}"
    );
    assert_eq!(answers[1], "Availability was 99.953%: 21000 of 44021000 requests from outside failed.");
    // The fixture's summary names no worst service: the one with the most
    // violation minutes (web, 14; worker 0) is it.
    assert_eq!(answers[2], "Some service broke its SLO in 14 minutes; the worst was web, in 14 minutes.");
    // web's desired count goes from 2 to 7 tasks, first 7 at 10.8 h (see
    // zones_chart_shows_tasks_and_instances_per_zone); the worker keeps 2.
    assert_eq!(
        answers[3],
        "web scaled out 2 times and in 1 time; it was asked for 2 to 7 tasks, the most first 10.8 hours after the start."
    );
    assert_eq!(answers[4], "worker scaled out 1 time and in 0 times; it was asked for 2 tasks throughout.");

    crate::chart::chart_run(dir.path(), ChartFormat::Svg).unwrap_or_else(|e| panic!("{e:#}"));
    let html = read(&dir.path().join("report.html"));
    let position = |text: &str| html.find(text).unwrap_or_else(|| panic!("report lacks {text:?}"));
    assert!(position("<section id=\"answers\">") < position("<section id=\"charts\">"));
    assert!(position("<section id=\"charts\">") < position("<section id=\"summary\">"));
    assert!(html.contains("<li>Some service broke its SLO in 14 minutes; the worst was web, in 14 minutes.</li>"));
    assert!(html.contains("<table class=\"sortable\">"));
    assert!(html.contains("<script>") && !html.contains("<script src"));
}

#[test]
fn sweep_report_opens_with_the_cheapest_and_best_configurations() {
    let dir = TempDir::new("sweep-answers");
    write_sweep(dir.path());
    let answers =
        crate::chart::answers::sweep_answers(&SweepData::load(dir.path()).unwrap_or_else(|e| panic!("{e:#}")));
    // Cost 100 + 1.5 (80 − target) + 6 × variant + 0.5 × replication: the
    // cheapest is target 80 without the +6 of the second variant, mean
    // 100 + 0.75 = 100.75. Availability falls with the target and the second
    // variant: target 40, first variant, 0.9995 + 0.000015 = 0.999515.
    // p99 = 100 + 2 × target + replication: target 40, 180 + 1.5 = 181.5,
    // equal in both variants, so the first in order wins.
    assert_eq!(
        answers,
        [
            "10 configurations, 4 replications each: 39 runs succeeded, 1 failed.",
            "The cheapest configuration was 80 spot-draining, at 100.75 USD.",
            "The most available was 40 spot-draining, at 0.999515.",
            "The lowest p99 latency was 40 spot-draining, at 181.5 ms.",
        ]
    );
}

/// A service with a predictive policy gets one chart per policy: the load it
/// sees against its forecast, and the forecast capacity against desired and
/// running tasks. The fixture's rows at 0 and 60 s: load 100 then 120,
/// forecast 110 both minutes, forecast capacity 3.
#[test]
fn predictive_chart_shows_load_forecast_and_capacity() {
    let dir = TempDir::new("predictive");
    write_run(dir.path(), TWO_DAYS_S, 60);
    let path = dir.path().join("timeseries.csv");
    let mut rows = read(&path);
    for (time, load) in [(0, 100), (60, 120)] {
        rows.push_str(&format!("{time},service,web,predictive_mornings_load,{load}\n"));
        rows.push_str(&format!("{time},service,web,predictive_mornings_forecast_load,110\n"));
        rows.push_str(&format!("{time},service,web,predictive_mornings_forecast_capacity,3\n"));
    }
    std::fs::write(&path, rows).unwrap_or_else(|e| panic!("{e}"));
    let figures = run_figures(&load(dir.path())).figures;
    let chart = figure(&figures, "service-web-predictive-mornings");
    assert_eq!(chart.title, "fixture: web predictive scaling (mornings)");
    assert_eq!(chart.panels[0].y_label, "load (metric summed over tasks)");
    assert_eq!(chart.panels[1].y_label, "tasks (count)");
    assert_eq!(line_labels(chart, 0), ["load", "forecast load"]);
    assert_eq!(line_labels(chart, 1), ["desired", "running", "forecast capacity"]);
    let Layer::Line { segments, .. } = &chart.panels[1].layers[2] else { panic!("not a line") };
    assert!(segments.iter().flatten().all(|&(_, tasks)| tasks == 3.0), "{segments:?}");
    // No predictive policy, no chart: the worker has none.
    assert!(!figures.iter().any(|f| f.stem.starts_with("service-worker-predictive")));
    let svg = output::svg_string(chart).unwrap_or_else(|e| panic!("{e:#}"));
    assert!(svg.contains("web predictive scaling (mornings)"));
}
