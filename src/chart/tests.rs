//! End-to-end tests on fixture directories: every chart kind is written, the
//! files are valid, the numbers drawn match hand computations, and the report
//! holds the tables and the escaped input files.

use std::path::{Path, PathBuf};

use crate::chart::figure::{Dash, ErrorPoint, Figure, Layer, MarkerStyle, Panel, Shade, Shape, XAxis, XScale};
use crate::chart::legend::Sample;
use crate::chart::palette::{self, CI_BAND_OPACITY, ORANGE};
use crate::chart::render::{legend_entries, limit_range};
use crate::chart::run_charts::run_figures;
use crate::chart::run_data::RunData;
use crate::chart::sweep_data::SweepData;
use crate::chart::sweep_figures::sweep_figures;
use crate::chart::test_fixtures::{TempDir, write_run, write_sweep, write_two_axis_sweep};
use crate::chart::{ChartFormat, chart_dir, chart_run, chart_sweep, output};

// ---------------------------------------------------------------- helpers

/// Checks that `text` is well-formed XML: tags nest and close, attributes
/// are quoted, and every `&` starts a known entity.
fn check_xml(text: &str) -> Result<(), String> {
    let mut stack: Vec<&str> = Vec::new();
    let mut roots = 0;
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        check_entities(&rest[..open])?;
        rest = &rest[open..];
        if let Some(after) = rest.strip_prefix("<?") {
            let end = after.find("?>").ok_or("unterminated <?")?;
            rest = &after[end + 2..];
            continue;
        }
        if let Some(after) = rest.strip_prefix("<!--") {
            let end = after.find("-->").ok_or("unterminated comment")?;
            rest = &after[end + 3..];
            continue;
        }
        let end = tag_end(rest).ok_or_else(|| format!("unterminated tag near {:?}", &rest[..rest.len().min(40)]))?;
        let tag = &rest[1..end];
        rest = &rest[end + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            match stack.pop() {
                Some(open) if open == name.trim() => {}
                other => return Err(format!("</{name}> closes {other:?}")),
            }
            continue;
        }
        let self_closing = tag.ends_with('/');
        let body = tag.trim_end_matches('/');
        let name_end = body.find(char::is_whitespace).unwrap_or(body.len());
        let name = &body[..name_end];
        if name.is_empty() {
            return Err("empty tag name".to_string());
        }
        check_attributes(&body[name_end..])?;
        if stack.is_empty() {
            roots += 1;
        }
        if !self_closing {
            stack.push(name);
        }
    }
    check_entities(rest)?;
    match (stack.as_slice(), roots) {
        ([], 1) => Ok(()),
        ([], n) => Err(format!("{n} root elements")),
        (open, _) => Err(format!("unclosed elements {open:?}")),
    }
}

/// Index of the `>` ending the tag that starts `text`, skipping quoted values.
fn tag_end(text: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    for (i, c) in text.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => return Some(i),
            _ => {}
        }
    }
    None
}

fn check_attributes(mut text: &str) -> Result<(), String> {
    loop {
        text = text.trim_start();
        if text.is_empty() {
            return Ok(());
        }
        let equals = text.find('=').ok_or_else(|| format!("attribute without value: {text:?}"))?;
        let name = text[..equals].trim();
        if name.is_empty() || name.contains(char::is_whitespace) {
            return Err(format!("bad attribute name {name:?}"));
        }
        let value = text[equals + 1..].trim_start();
        let quote = value.chars().next().filter(|c| *c == '"' || *c == '\'');
        let quote = quote.ok_or_else(|| format!("unquoted value of {name}"))?;
        let close = value[1..].find(quote).ok_or_else(|| format!("unterminated value of {name}"))?;
        let inner = &value[1..1 + close];
        if inner.contains('<') {
            return Err(format!("`<` in value of {name}"));
        }
        check_entities(inner)?;
        text = &value[close + 2..];
    }
}

fn check_entities(text: &str) -> Result<(), String> {
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        let after = &rest[amp + 1..];
        let end = after.find(';').ok_or("`&` without `;`")?;
        let entity = &after[..end];
        let known = ["amp", "lt", "gt", "quot", "apos"].contains(&entity)
            || entity.strip_prefix("#x").is_some_and(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_hexdigit()))
            || entity.strip_prefix('#').is_some_and(|d| !d.is_empty() && d.chars().all(|c| c.is_ascii_digit()));
        if !known {
            return Err(format!("unknown entity &{entity};"));
        }
        rest = &after[end + 1..];
    }
    Ok(())
}

/// The unescaped contents of every `<text>` element.
fn text_elements(svg: &str) -> Vec<String> {
    let mut texts = Vec::new();
    let mut rest = svg;
    while let Some(start) = rest.find("<text") {
        rest = &rest[start + 5..];
        let Some(open_end) = tag_end(rest) else { break };
        let Some(close) = rest.find("</text>") else {
            break;
        };
        texts.push(
            rest[open_end + 1..close]
                .trim()
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&#39;", "'")
                .replace("&apos;", "'")
                .replace("&amp;", "&"),
        );
        rest = &rest[close..];
    }
    texts
}

/// Width and height from a PNG's IHDR chunk.
fn png_size(path: &Path) -> (u32, u32) {
    let bytes = std::fs::read(path).unwrap_or_default();
    assert!(bytes.len() > 24, "{} is too short for a PNG", path.display());
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{} is not a PNG", path.display());
    assert_eq!(&bytes[12..16], b"IHDR");
    let word = |at: usize| u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
    (word(16), word(20))
}

fn relative_names(dir: &Path, paths: &[PathBuf]) -> Vec<String> {
    paths.iter().map(|p| p.strip_prefix(dir).unwrap_or(p).to_string_lossy().replace('\\', "/")).collect()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn figure<'a>(figures: &'a [Figure], stem: &str) -> &'a Figure {
    figures.iter().find(|f| f.stem == stem).unwrap_or_else(|| panic!("no figure {stem}"))
}

fn labels(figure: &Figure) -> Vec<String> {
    figure.panels.iter().flat_map(|p| &p.layers).map(layer_label).collect()
}

fn layer_label(layer: &Layer) -> String {
    match layer {
        Layer::Line { label, .. }
        | Layer::Threshold { label, .. }
        | Layer::Band { label, .. }
        | Layer::Points { label, .. }
        | Layer::Frontier { label, .. } => label.clone(),
        Layer::Tags { .. } => String::new(),
    }
}

fn layer<'a>(figure: &'a Figure, label: &str) -> &'a Layer {
    figure
        .panels
        .iter()
        .flat_map(|p| &p.layers)
        .find(|l| layer_label(l) == label)
        .unwrap_or_else(|| panic!("no layer {label} in {}", figure.stem))
}

fn load_run(dir: &Path) -> RunData {
    RunData::load(dir).unwrap_or_else(|e| panic!("{e:#}"))
}

fn load_sweep(dir: &Path) -> SweepData {
    SweepData::load(dir).unwrap_or_else(|e| panic!("{e:#}"))
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

const TWO_DAYS_S: u64 = 2 * 86400;
const RUN_STEMS: [&str; 13] = [
    "cost",
    "instances",
    "instances-ec2-on-demand",
    "instances-ec2-spot",
    "zones",
    "service-web-cpu",
    "service-web-latency",
    "service-web-requests",
    "service-web-tasks",
    "service-worker-cpu",
    "service-worker-latency",
    "service-worker-requests",
    "service-worker-tasks",
];

// ---------------------------------------------------------------- run charts

#[test]
fn run_directory_gets_every_chart_kind_in_both_formats() {
    let dir = TempDir::new("run-both");
    write_run(dir.path(), TWO_DAYS_S, 60);
    let written = chart_dir(dir.path(), ChartFormat::Both).unwrap_or_else(|e| panic!("{e:#}"));
    let mut expected: Vec<String> =
        RUN_STEMS.iter().flat_map(|stem| [format!("charts/{stem}.png"), format!("charts/{stem}.svg")]).collect();
    expected.push("report.html".to_string());
    expected.sort();
    assert_eq!(relative_names(dir.path(), &written), expected);

    let titles = [
        ("cost", "fixture: cost"),
        ("instances", "fixture: EC2 instances by capacity provider"),
        ("service-web-requests", "fixture: web requests per second"),
        ("service-web-tasks", "fixture: web tasks"),
        ("service-web-cpu", "fixture: web CPU utilisation"),
        ("service-web-latency", "fixture: web p99 latency"),
        ("service-worker-latency", "fixture: worker p99 latency"),
    ];
    for (stem, title) in titles {
        let svg = read(&dir.path().join(format!("charts/{stem}.svg")));
        if let Err(problem) = check_xml(&svg) {
            panic!("{stem}.svg is not well-formed: {problem}");
        }
        let texts = text_elements(&svg);
        assert!(texts.iter().any(|t| t == title), "{stem}.svg lacks title {title:?}: {texts:?}");
        assert!(texts.iter().any(|t| t == "time since start (hours)"), "{stem}.svg lacks the time axis label");
    }
    for stem in RUN_STEMS {
        assert_eq!(png_size(&dir.path().join(format!("charts/{stem}.png"))), (1200, 700), "{stem}.png");
    }
    let legend = text_elements(&read(&dir.path().join("charts/service-web-cpu.svg")));
    for entry in ["CPU utilisation", "CPU target 60%", "scale out (2)", "scale in (1)", "deployment start (1)"] {
        assert!(legend.iter().any(|t| t == entry), "web CPU legend lacks {entry:?}: {legend:?}");
    }
}

#[test]
fn run_charts_show_targets_gaps_and_their_own_events() {
    let dir = TempDir::new("run-figures");
    write_run(dir.path(), TWO_DAYS_S, 60);
    let run_figures = run_figures(&load_run(dir.path()));
    assert_eq!(run_figures.skipped, []);
    let figures = run_figures.figures;
    let stems: Vec<&str> = figures.iter().map(|f| f.stem.as_str()).collect();
    assert_eq!(
        stems,
        [
            "cost",
            "instances",
            "instances-ec2-on-demand",
            "instances-ec2-spot",
            "zones",
            "service-web-requests",
            "service-web-tasks",
            "service-web-cpu",
            "service-web-latency",
            "service-worker-requests",
            "service-worker-tasks",
            "service-worker-cpu",
            "service-worker-latency",
        ]
    );
    for f in &figures {
        assert_eq!(f.x.label, "time since start (hours)");
        assert_eq!((f.x.min, f.x.max), (0.0, 48.0));
    }

    let web_cpu = figure(&figures, "service-web-cpu");
    assert!(matches!(layer(web_cpu, "CPU target 60%"), Layer::Threshold { y, .. } if *y == 60.0));
    assert_eq!(web_cpu.panels[0].y_include, vec![0.0, 100.0]);
    assert_eq!(labels(figure(&figures, "service-worker-cpu")), ["CPU utilisation"]);
    let web_latency = figure(&figures, "service-web-latency");
    assert!(matches!(layer(web_latency, "p99 SLO 250 ms"), Layer::Threshold { y, .. } if *y == 250.0));

    // The worker is idle from 3 h to 4 h: no latency rows, a broken line.
    let Layer::Line { segments, .. } = layer(figure(&figures, "service-worker-latency"), "p99 latency") else {
        panic!("p99 latency is not a line");
    };
    assert_eq!(segments.len(), 2);
    let last_before = segments[0].iter().map(|p| p.0).fold(f64::MIN, f64::max);
    let first_after = segments[1].iter().map(|p| p.0).fold(f64::MAX, f64::min);
    assert!(close(last_before, 10770.0 / 3600.0), "{last_before}");
    assert!(close(first_after, 14430.0 / 3600.0), "{first_after}");

    let marker_labels =
        |stem: &str| -> Vec<String> { figure(&figures, stem).markers.iter().map(|m| m.label.clone()).collect() };
    assert_eq!(
        marker_labels("service-web-tasks"),
        [
            "scale out (2)",
            "scale in (1)",
            "spot / task interruption (2)",
            "deployment start (1)",
            "AZ outage start (1)",
            "AZ outage end (1)",
        ]
    );
    assert_eq!(
        marker_labels("service-worker-tasks"),
        ["scale out (1)", "spot / task interruption (2)", "AZ outage start (1)", "AZ outage end (1)",]
    );
    assert_eq!(
        marker_labels("cost"),
        ["spot / task interruption (2)", "deployment start (1)", "AZ outage start (1)", "AZ outage end (1)",]
    );
    assert_eq!(figure(&figures, "service-web-tasks").markers[0].times, vec![1.0, 7.0]);
    assert_eq!(figure(&figures, "service-web-tasks").markers[2].times, vec![19800.25 / 3600.0]);

    // Fargate has no instances, so only the EC2 providers are drawn.
    let instances = figure(&figures, "instances");
    assert_eq!(labels(instances), ["ec2-on-demand: on-demand", "ec2-spot: spot"]);
    assert!(matches!(layer(instances, "ec2-spot: spot"), Layer::Line { dash: Dash::Dashed, .. }));

    let cost = figure(&figures, "cost");
    assert_eq!(cost.panels.len(), 2);
    assert_eq!(cost.panels[0].y_label, "cumulative cost (USD)");
    assert_eq!(cost.panels[1].y_label, "cost rate (USD/hour)");
    // Stacked areas per provider with the total on top; below, the same
    // providers' rates (one legend entry each) and the total rate.
    assert_eq!(
        labels(cost),
        ["FARGATE", "ec2-on-demand", "ec2-spot", "total", "FARGATE", "ec2-on-demand", "ec2-spot", "total"]
    );
    assert_eq!(
        cost.subtitle.as_deref(),
        Some("cumulative cost stacked by capacity provider; below: 1-minute average cost rate; run total 51.88 USD")
    );
    // The stack ends at each provider's integrated rate: FARGATE 0.5 USD/h
    // for 48 h is 24 USD, at the bottom; the top of the stack is the total.
    let Layer::Band { segments, .. } = layer(cost, "FARGATE") else {
        panic!("FARGATE is not a band");
    };
    let &(x, low, high) = segments[0].last().unwrap_or_else(|| panic!("empty band"));
    assert_eq!((x, low), (48.0, 0.0));
    assert!(close(high, 24.0), "{high}");
    let Layer::Band { segments, .. } = layer(cost, "ec2-spot") else {
        panic!("ec2-spot is not a band");
    };
    let stack_top = segments[0].last().map_or(0.0, |p| p.2);
    let Layer::Line { segments, .. } = layer(cost, "total") else {
        panic!("total is not a line");
    };
    let total_end = segments.last().and_then(|s| s.last()).map_or(0.0, |p| p.1);
    assert!(close(stack_top, total_end), "{stack_top} vs {total_end}");

    // Per provider: instances by purchase option, without a state panel
    // when nothing was launching or draining.
    let spot = figure(&figures, "instances-ec2-spot");
    assert_eq!(spot.title, "fixture: ec2-spot instances");
    assert_eq!(labels(spot), ["instances (spot)"]);
    assert_eq!(spot.panels.len(), 1);
}

#[test]
fn long_hourly_run_uses_a_day_axis_and_steps() {
    let dir = TempDir::new("run-hourly");
    write_run(dir.path(), 10 * 86400, 3600);
    let run = load_run(dir.path());
    assert_eq!(run.series.interval_s, 3600);
    let figures = run_figures(&run).figures;
    let tasks = figure(&figures, "service-worker-tasks");
    assert_eq!(tasks.x.label, "time since start (days)");
    assert_eq!(tasks.x.scale, XScale::Time { in_days: true });
    assert_eq!(tasks.x.max, 10.0);
    let Layer::Line { segments, .. } = layer(tasks, "running") else {
        panic!("running is not a line");
    };
    // Two tasks throughout: one level from the start to the end of day 10.
    assert_eq!(segments, &vec![vec![(0.0, 2.0), (10.0, 2.0)]]);
    let written = chart_run(dir.path(), ChartFormat::Svg).unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(written.len(), RUN_STEMS.len() + 1);
    let svg = read(&dir.path().join("charts/service-worker-tasks.svg"));
    assert!(text_elements(&svg).iter().any(|t| t == "time since start (days)"));
}

#[test]
fn png_title_area_has_dark_text_pixels() {
    let dir = TempDir::new("run-pixels");
    write_run(dir.path(), TWO_DAYS_S, 60);
    let figures = run_figures(&load_run(dir.path())).figures;
    let pixels = output::rgb_pixels(figure(&figures, "cost")).unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(pixels.len(), 1200 * 700 * 3);
    let dark_in = |x0: usize, x1: usize, y0: usize, y1: usize| {
        let mut dark = 0;
        for y in y0..y1 {
            for x in x0..x1 {
                let at = (y * 1200 + x) * 3;
                if pixels[at] < 100 && pixels[at + 1] < 100 && pixels[at + 2] < 100 {
                    dark += 1;
                }
            }
        }
        dark
    };
    // "fixture: cost" at 22 px from (16, 10): dark glyph pixels on the left…
    assert!(dark_in(16, 300, 8, 38) > 150, "title pixels: {}", dark_in(16, 300, 8, 38));
    // …and nothing dark beyond the end of the short title.
    assert_eq!(dark_in(400, 1190, 8, 36), 0);
    assert_eq!(&pixels[..3], &[255, 255, 255]);
}

/// Rewrites a fixture file line by line: `edit` returns the new line, or
/// `None` to drop it.
fn rewrite(path: &Path, edit: impl Fn(&str) -> Option<String>) {
    let text = read(path);
    let mut out = String::new();
    for line in text.lines() {
        if let Some(line) = edit(line) {
            out.push_str(&line);
            out.push('\n');
        }
    }
    if let Err(error) = std::fs::write(path, out) {
        panic!("cannot rewrite {}: {error}", path.display());
    }
}

/// The `(x, y1, y2)` of every two-point vertical polyline of `colour` in an SVG.
fn vertical_strokes(svg: &str, colour: &str) -> Vec<(i32, i32, i32)> {
    let mut strokes = Vec::new();
    for element in svg.split("<polyline").skip(1) {
        let element = &element[..element.find("/>").unwrap_or(element.len())];
        if !element.contains(&format!("stroke=\"{colour}\"")) {
            continue;
        }
        let Some(points) = element.split("points=\"").nth(1).and_then(|p| p.split('"').next()) else {
            continue;
        };
        let coordinates: Vec<(i32, i32)> = points
            .split_whitespace()
            .filter_map(|pair| {
                let (x, y) = pair.split_once(',')?;
                Some((x.parse().ok()?, y.parse().ok()?))
            })
            .collect();
        if let [(x1, y1), (x2, y2)] = coordinates[..]
            && x1 == x2
        {
            strokes.push((x1, y1.min(y2), y1.max(y2)));
        }
    }
    strokes
}

#[test]
fn many_scale_outs_are_drawn_as_ticks_above_the_plot() {
    let dir = TempDir::new("run-ticks");
    write_run(dir.path(), TWO_DAYS_S, 60);
    // 30 more scale-outs of web, every 10 minutes from 33 h 20 min.
    let mut events = read(&dir.path().join("events.csv"));
    for i in 0..30 {
        events.push_str(&format!("{}.000,scale_out,service,web,more\n", 120_000 + 600 * i));
    }
    if let Err(error) = std::fs::write(dir.path().join("events.csv"), events) {
        panic!("{error}");
    }
    let figures = run_figures(&load_run(dir.path())).figures;
    let tasks = figure(&figures, "service-web-tasks");
    let styles: Vec<_> = tasks.markers.iter().map(|m| (m.label.as_str(), m.style)).collect();
    assert_eq!(styles[0], ("scale out (32)", MarkerStyle::Ticks));
    assert!(styles[1..].iter().all(|(_, style)| *style == MarkerStyle::Lines), "{styles:?}");

    chart_run(dir.path(), ChartFormat::Svg).unwrap_or_else(|e| panic!("{e:#}"));
    let svg = read(&dir.path().join("charts/service-web-tasks.svg"));
    // Scale-outs are bluish green (#009E73), which no tasks line uses: one
    // 7-pixel tick per event in the plot's width, all in one row, and four
    // small ticks in the legend sample (right of x = 900).
    let strokes = vertical_strokes(&svg, "#009E73");
    let (plot, legend): (Vec<_>, Vec<_>) = strokes.iter().partition(|s| s.0 < 900);
    assert_eq!(plot.len(), 32, "{strokes:?}");
    assert_eq!(legend.len(), 4);
    let (_, top, bottom) = plot[0];
    assert_eq!(bottom - top, 7);
    assert!(plot.iter().all(|s| (s.1, s.2) == (top, bottom)), "{plot:?}");
    // The row sits just above the plot, whose top the one deployment's
    // full-height line (reddish purple, #CC79A7) reaches.
    let deployment: Vec<_> = vertical_strokes(&svg, "#CC79A7").into_iter().filter(|s| s.0 < 900).collect();
    assert_eq!(deployment.len(), 1);
    assert_eq!(deployment[0].1, bottom + 3);
    assert!(text_elements(&svg).iter().any(|t| t == "scale out (32)"));
}

#[test]
fn empty_charts_are_left_out_and_listed_in_the_report() {
    let dir = TempDir::new("run-skipped");
    write_run(dir.path(), TWO_DAYS_S, 60);
    // The worker gets no load, and no EC2 instance runs.
    rewrite(&dir.path().join("timeseries.csv"), |line| {
        let fields: Vec<&str> = line.split(',').collect();
        let (scope, name, metric) = (fields[1], fields[2], fields[3]);
        match (scope, name) {
            ("service", "worker") if metric.starts_with("latency_") => None,
            ("service", "worker") if ["demand_rps", "served_rps", "failed_rps", "cpu_percent"].contains(&metric) => {
                Some(format!("{},{scope},{name},{metric},0", fields[0]))
            }
            ("provider", _) if metric.starts_with("instances") => {
                Some(format!("{},{scope},{name},{metric},0", fields[0]))
            }
            _ => Some(line.to_string()),
        }
    });
    let run_figures = run_figures(&load_run(dir.path()));
    let stems: Vec<&str> = run_figures.figures.iter().map(|f| f.stem.as_str()).collect();
    assert_eq!(
        stems,
        [
            "cost",
            "zones",
            "service-web-requests",
            "service-web-tasks",
            "service-web-cpu",
            "service-web-latency",
            "service-worker-tasks"
        ]
    );
    let skipped: Vec<(&str, &str)> =
        run_figures.skipped.iter().map(|s| (s.title.as_str(), s.reason.as_str())).collect();
    assert_eq!(
        skipped,
        [
            ("fixture: EC2 instances by capacity provider", "no capacity provider ran an EC2 instance (Fargate only)"),
            ("fixture: worker requests per second", "no request was offered to the service"),
            ("fixture: worker CPU utilisation", "CPU utilisation is 0% throughout"),
            ("fixture: worker p99 latency", "no latency rows: the service served no request"),
        ]
    );
    chart_run(dir.path(), ChartFormat::Svg).unwrap_or_else(|e| panic!("{e:#}"));
    let html = read(&dir.path().join("report.html"));
    assert!(html.contains("<li>fixture: worker p99 latency: no latency rows: the service served no request</li>"));
    assert_eq!(html.matches("<svg").count(), 7);
    assert!(!dir.path().join("charts/service-worker-latency.svg").exists());
}

#[test]
fn latency_spikes_cap_the_axis_above_the_slo() {
    let dir = TempDir::new("run-spikes");
    write_run(dir.path(), TWO_DAYS_S, 60);
    // Two one-minute p99 spikes of 20 s for web; its usual p99 stays under
    // 230 ms and its SLO is 250 ms, so the axis ends at 2 × 250 = 500 ms.
    rewrite(&dir.path().join("timeseries.csv"), |line| {
        let spike = ["600,service,web,latency_p99_ms,", "7200,service,web,latency_p99_ms,"];
        Some(if spike.iter().any(|s| line.starts_with(s)) {
            format!("{}20000", &line[..line.rfind(',').map_or(0, |i| i + 1)])
        } else {
            line.to_string()
        })
    });
    let figures = run_figures(&load_run(dir.path())).figures;
    let web = figure(&figures, "service-web-latency");
    assert_eq!(web.panels[0].y_cap, Some(500.0));
    assert_eq!(
        web.subtitle.as_deref(),
        Some(
            "request latency percentiles per 1-minute interval; SLO p99 ≤ 250 ms; spikes above 500 ms (up to 20000 ms) run along the top"
        )
    );
    // The worker has no spike and keeps its whole range.
    assert_eq!(figure(&figures, "service-worker-latency").panels[0].y_cap, None);
    // Drawn, the top tick is 500 and nothing is above the plot's top edge.
    let svg = output::svg_string(web).unwrap_or_else(|e| panic!("{e:#}"));
    let texts = text_elements(&svg);
    assert!(texts.iter().any(|t| t == "500") && !texts.iter().any(|t| t == "600"), "{texts:?}");
}

#[test]
fn long_minute_runs_add_an_hourly_cpu_mean() {
    let dir = TempDir::new("run-hourly-cpu");
    write_run(dir.path(), 3 * 86400, 60);
    let run = load_run(dir.path());
    let figures = run_figures(&run).figures;
    let cpu = figure(&figures, "service-web-cpu");
    assert_eq!(labels(cpu), ["1-minute average", "1-hour mean", "CPU target 60%"]);
    let Layer::Line { segments, .. } = layer(cpu, "1-hour mean") else {
        panic!("1-hour mean is not a line");
    };
    // One point per hour at its middle; the first is the mean of the first
    // 60 rows.
    let rows = run.series.get("service", "web", "cpu_percent");
    let first_hour = rows[..60].iter().map(|p| p.1).sum::<f64>() / 60.0;
    assert_eq!(segments.len(), 1);
    assert_eq!(segments[0].len(), 72);
    assert_eq!(segments[0][0].0, 0.5);
    assert!(close(segments[0][0].1, first_hour));
    assert_eq!(
        cpu.subtitle.as_deref(),
        Some("1-minute and 1-hour average CPU utilisation of the service's tasks; target tracking at 60%")
    );
}

#[test]
fn warm_up_is_shaded_and_named_in_the_cost_subtitle() {
    let dir = TempDir::new("run-warmup");
    write_run(dir.path(), TWO_DAYS_S, 60);
    rewrite(&dir.path().join("summary.json"), |line| Some(line.replace("\"warmup_s\":0", "\"warmup_s\":5400")));
    let figures = run_figures(&load_run(dir.path())).figures;
    let shade = Shade { from: 0.0, to: 1.5, label: "warm-up (not in summary.json)".to_string() };
    assert!(figures.iter().all(|f| f.shade.as_ref() == Some(&shade)));
    let cost = figure(&figures, "cost");
    assert_eq!(
        cost.subtitle.as_deref(),
        Some(
            "cumulative cost stacked by capacity provider; below: 1-minute average cost rate; summary total 51.88 USD leaves out the warm-up"
        )
    );
    let svg = output::svg_string(cost).unwrap_or_else(|e| panic!("{e:#}"));
    assert!(text_elements(&svg).iter().any(|t| t == "warm-up (not in summary.json)"));
}

#[test]
fn provider_chart_shows_purchase_options_and_launching_instances() {
    let dir = TempDir::new("run-mixed");
    write_run(dir.path(), TWO_DAYS_S, 60);
    // A third EC2 provider with 1 on-demand and 2 spot instances, one of
    // them launching during the first 10 minutes.
    let mut csv = read(&dir.path().join("timeseries.csv"));
    for t in (0..TWO_DAYS_S).step_by(60) {
        let launching = if t < 600 { 1 } else { 0 };
        for (metric, value) in [
            ("instances", 3),
            ("instances_launching", launching),
            ("instances_draining", 0),
            ("instances_on_demand", 1),
            ("instances_spot", 2),
            ("desired_capacity", 3),
        ] {
            csv.push_str(&format!("{t},provider,ec2-mixed,{metric},{value}\n"));
        }
    }
    if let Err(error) = std::fs::write(dir.path().join("timeseries.csv"), csv) {
        panic!("{error}");
    }
    let figures = run_figures(&load_run(dir.path())).figures;
    let mixed = figure(&figures, "instances-ec2-mixed");
    assert_eq!(mixed.panels.len(), 2);
    assert_eq!(labels(mixed), ["desired capacity", "all instances", "on-demand", "spot", "launching"]);
    assert_eq!(mixed.panels[1].y_label, "launching, draining");
    let Layer::Line { segments, .. } = layer(mixed, "launching") else {
        panic!("launching is not a line");
    };
    assert_eq!(segments, &vec![vec![(0.0, 1.0), (600.0 / 3600.0, 1.0), (600.0 / 3600.0, 0.0), (48.0, 0.0)]]);
    assert_eq!(
        mixed.subtitle.as_deref(),
        Some(
            "instances at the end of each 1-minute interval (on-demand and spot) and the Auto Scaling group's desired capacity; below: how many of them were launching or draining"
        )
    );
    // The overview now has three providers, coloured by their position
    // among all providers (FARGATE first, so ec2-mixed is the second colour).
    let overview = figure(&figures, "instances");
    assert_eq!(
        labels(overview),
        ["ec2-mixed: on-demand", "ec2-mixed: spot", "ec2-on-demand: on-demand", "ec2-spot: spot"]
    );
    assert!(matches!(layer(overview, "ec2-mixed: spot"), Layer::Line { colour, .. } if *colour == ORANGE));
}

// ---------------------------------------------------------------- sweep charts

const AXIS_SLUG: &str = "target_tracking_cpu60__target_value";

#[test]
fn sweep_directory_gets_pareto_and_axis_charts() {
    let dir = TempDir::new("sweep-both");
    write_sweep(dir.path());
    let written = chart_dir(dir.path(), ChartFormat::Both).unwrap_or_else(|e| panic!("{e:#}"));
    let stems = [
        "pareto-requests_availability".to_string(),
        "pareto-latency_p99_ms".to_string(),
        format!("axis1-{AXIS_SLUG}-cost_total_usd"),
        format!("axis1-{AXIS_SLUG}-requests_availability"),
        format!("axis1-{AXIS_SLUG}-latency_p99_ms"),
    ];
    let mut expected: Vec<String> =
        stems.iter().flat_map(|stem| [format!("charts/{stem}.png"), format!("charts/{stem}.svg")]).collect();
    expected.push("report.html".to_string());
    expected.sort();
    assert_eq!(relative_names(dir.path(), &written), expected);
    let titles = [
        "target-vs-spot: requests.availability vs cost",
        "target-vs-spot: latency.p99_ms vs cost",
        "target-vs-spot: cost.total_usd by target_tracking[cpu60].target_value",
        "target-vs-spot: requests.availability by target_tracking[cpu60].target_value",
        "target-vs-spot: latency.p99_ms by target_tracking[cpu60].target_value",
    ];
    for (stem, title) in stems.iter().zip(titles) {
        let svg = read(&dir.path().join(format!("charts/{stem}.svg")));
        if let Err(problem) = check_xml(&svg) {
            panic!("{stem}.svg is not well-formed: {problem}");
        }
        let texts = text_elements(&svg);
        assert!(texts.iter().any(|t| t == title), "{stem}.svg lacks title {title:?}: {texts:?}");
        assert_eq!(png_size(&dir.path().join(format!("charts/{stem}.png"))), (1200, 700));
    }
    let pareto = text_elements(&read(&dir.path().join("charts/pareto-latency_p99_ms.svg")));
    for entry in [
        "spot-draining",
        "no-spot-draining",
        "Pareto frontier (6 configurations)",
        "80 no-spot-draining",
        "cost.total_usd (USD)",
    ] {
        assert!(pareto.iter().any(|t| t == entry), "Pareto chart lacks {entry:?}: {pareto:?}");
    }
}

#[test]
fn sweep_pareto_frontier_and_error_bars_match_hand_computation() {
    let dir = TempDir::new("sweep-figures");
    write_sweep(dir.path());
    let sweep = load_sweep(dir.path());
    assert_eq!(sweep.failed_runs.len(), 1);
    assert_eq!(sweep.runs.len(), 39);
    let figures = sweep_figures(&sweep);
    let frontier_tags = |stem: &str| -> Vec<String> {
        match layer(figure(&figures, stem), &frontier_label(figure(&figures, stem))) {
            Layer::Frontier { points, .. } => points.iter().map(|p| p.2.clone()).collect(),
            _ => Vec::new(),
        }
    };
    // Availability: every spot-draining configuration beats the no-draining
    // one of the same target on both cost (6 USD less) and availability.
    // Points are labelled by their axis value and variant.
    let spot = |target: u32| format!("{target} spot-draining");
    assert_eq!(frontier_tags("pareto-requests_availability"), [spot(80), spot(70), spot(60), spot(50), spot(40)]);
    // p99 does not depend on the variant, but c9 (3 replications) has a
    // lower mean p99 (261 ms) than c4 (261.5 ms) at a higher cost.
    assert_eq!(
        frontier_tags("pareto-latency_p99_ms"),
        [spot(80), "80 no-spot-draining".to_string(), spot(70), spot(60), spot(50), spot(40)]
    );

    let Layer::Points { points, .. } = layer(figure(&figures, "pareto-requests_availability"), "spot-draining") else {
        panic!("spot-draining is not a point layer");
    };
    // c0 (target 40): costs 160, 160.5, 161, 161.5: mean 160.75,
    // sd sqrt(5/12) = 0.645497, CI 3.182 × 0.645497 / 2 = 1.026986.
    assert!(close(points[0].x, 160.75));
    assert!((points[0].x_ci.unwrap_or(0.0) - 1.026986).abs() < 1e-5);
    assert!(close(points[0].y, 0.999515));
}

fn frontier_label(figure: &Figure) -> String {
    figure
        .panels
        .iter()
        .flat_map(|p| &p.layers)
        .find(|l| matches!(l, Layer::Frontier { .. }))
        .map(layer_label)
        .unwrap_or_default()
}

#[test]
fn two_axis_sweep_averages_over_the_other_axis_per_replication() {
    let dir = TempDir::new("sweep-two-axes");
    write_two_axis_sweep(dir.path());
    let sweep = load_sweep(dir.path());
    let figures = sweep_figures(&sweep);
    let placement_slug = "capacity_providers_ec2-on-demand__placement";
    let stems: Vec<&str> = figures.iter().map(|f| f.stem.as_str()).collect();
    assert_eq!(
        stems,
        [
            "pareto-requests_availability".to_string(),
            format!("axis1-{AXIS_SLUG}-requests_availability"),
            format!("axis1-{AXIS_SLUG}-cost_total_usd"),
            format!("axis2-{placement_slug}-requests_availability"),
            format!("axis2-{placement_slug}-cost_total_usd"),
        ]
    );

    // Categorical axis: binpack = c0, c2; replication means (10+8)/2 = 9 and
    // (12+9)/2 = 10.5: mean 9.75, CI 12.706 × 1.06066 / √2 = 9.5295.
    let by_placement = figure(&figures, &format!("axis2-{placement_slug}-cost_total_usd"));
    assert_eq!(by_placement.x.scale, XScale::Categories(vec!["binpack".to_string(), "spread".to_string()]));
    let Layer::Points { points, .. } = layer(by_placement, "base") else {
        panic!("base is not a point layer");
    };
    assert_eq!(points.len(), 2);
    assert_eq!((points[0].x, points[0].y), (0.0, 9.75));
    assert!((points[0].y_ci.unwrap_or(0.0) - 9.5295).abs() < 1e-9);
    assert_eq!((points[1].x, points[1].y), (1.0, 13.25));
    assert_eq!(
        by_placement.subtitle.as_deref(),
        Some(
            "mean per axis value, averaged over target_tracking[cpu60].target_value; bars: 95% CI across replications"
        )
    );

    // Numeric axis: target 50 = c0, c1: (10+14)/2 = 12, (12+15)/2 = 13.5;
    // target 70 = c2, c3: 9.5 and 11.
    let by_target = figure(&figures, &format!("axis1-{AXIS_SLUG}-cost_total_usd"));
    assert_eq!(by_target.x.scale, XScale::Numeric);
    let Layer::Line { segments, .. } = layer(by_target, "base") else {
        panic!("base is not a line");
    };
    assert_eq!(segments, &vec![vec![(50.0, 12.75), (70.0, 10.25)]]);

    // Cost is not a sweep metric here: c0's comes from runs.csv (10, 12):
    // mean 11, CI 12.706 × √2 / √2.
    let Layer::Points { points, .. } = layer(figure(&figures, "pareto-requests_availability"), "base") else {
        panic!("base is not a point layer");
    };
    assert_eq!(points[0].x, 11.0);
    assert!((points[0].x_ci.unwrap_or(0.0) - 12.706).abs() < 1e-9);
    assert_eq!(points[0].y_ci, Some(0.0));

    let written = chart_sweep(dir.path(), ChartFormat::Png).unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(written.len(), 6);
    let report = read(&dir.path().join("report.html"));
    assert!(report.contains("sweep.toml was not found"));
    assert_eq!(report.matches("<svg").count(), 5);
}

#[test]
fn availability_and_p99_are_charted_against_cost_even_when_not_metrics() {
    // The two-axis fixture lists only availability; give runs.csv a p99
    // column, as every real runs.csv has.
    let dir = TempDir::new("sweep-always-charted");
    write_two_axis_sweep(dir.path());
    rewrite(&dir.path().join("runs.csv"), |line| {
        Some(if line.starts_with("configuration,") { format!("{line},latency.p99_ms") } else { format!("{line},120") })
    });
    let figures = sweep_figures(&load_sweep(dir.path()));
    let pareto: Vec<&str> = figures.iter().map(|f| f.stem.as_str()).filter(|s| s.starts_with("pareto-")).collect();
    assert_eq!(pareto, ["pareto-requests_availability", "pareto-latency_p99_ms"]);
    let p99 = figure(&figures, "pareto-latency_p99_ms");
    assert_eq!(p99.panels[0].y_label, "latency.p99_ms (ms)");
    assert!(p99.subtitle.as_deref().is_some_and(|s| s.contains("least cost for the lowest latency.p99_ms")));
    // Only the listed metrics (and cost) get charts along the axes.
    assert!(!figures.iter().any(|f| f.stem.starts_with("axis") && f.stem.ends_with("latency_p99_ms")));
}

#[test]
fn share_axes_stay_within_zero_and_one() {
    let dir = TempDir::new("sweep-share-axis");
    write_sweep(dir.path());
    let figures = sweep_figures(&load_sweep(dir.path()));
    for stem in ["pareto-requests_availability", &format!("axis1-{AXIS_SLUG}-requests_availability")] {
        assert_eq!(figure(&figures, stem).panels[0].y_limits, Some((0.0, 1.0)), "{stem}");
    }
    // Latencies, counts and costs are never negative.
    assert_eq!(figure(&figures, "pareto-latency_p99_ms").panels[0].y_limits, Some((0.0, f64::INFINITY)));

    // Availability 0.99 ± 0.05 would pad the axis to about 1.045; drawn, its
    // top tick is 1 and no y tick is above. (x ticks are 10 and more.)
    let share = Figure {
        stem: "share".to_string(),
        title: "share".to_string(),
        subtitle: None,
        x: XAxis { label: "cost.total_usd (USD)".to_string(), scale: XScale::Numeric, min: 10.0, max: 20.0 },
        panels: vec![Panel {
            y_label: "requests.availability (fraction served)".to_string(),
            layers: vec![Layer::Points {
                label: "a".to_string(),
                colour: ORANGE,
                shape: Shape::Circle,
                points: vec![ErrorPoint { x: 15.0, y: 0.99, x_ci: None, y_ci: Some(0.05) }],
            }],
            y_include: Vec::new(),
            integer_y: false,
            y_cap: None,
            y_limits: Some((0.0, 1.0)),
            y_ticks: None,
        }],
        markers: Vec::new(),
        shade: None,
    };
    let svg = output::svg_string(&share).unwrap_or_else(|e| panic!("{e:#}"));
    let y_ticks: Vec<f64> =
        text_elements(&svg).iter().filter_map(|t| t.parse::<f64>().ok()).filter(|v| *v < 5.0).collect();
    assert!(!y_ticks.is_empty());
    assert_eq!(y_ticks.iter().copied().fold(f64::MIN, f64::max), 1.0, "{y_ticks:?}");
    assert_eq!(limit_range((0.94, 1.045), Some((0.0, 1.0))), (0.94, 1.0));
    assert_eq!(limit_range((-0.5, 0.5), Some((0.0, 1.0))), (0.0, 0.5));
    // Data wholly outside the limits keeps its own range.
    assert_eq!(limit_range((2.0, 3.0), Some((0.0, 1.0))), (2.0, 3.0));
    // A count whose confidence interval reaches below zero starts at zero.
    assert_eq!(limit_range((-1.3e6, 2.7e6), Some((0.0, f64::INFINITY))), (0.0, 2.7e6));
}

#[test]
fn coincident_frontier_points_get_one_label() {
    let frontier = Figure {
        stem: "frontier".to_string(),
        title: "frontier".to_string(),
        subtitle: None,
        x: XAxis { label: "cost".to_string(), scale: XScale::Numeric, min: 0.0, max: 10.0 },
        panels: vec![Panel {
            y_label: "y".to_string(),
            layers: vec![Layer::Frontier {
                label: "Pareto frontier".to_string(),
                points: vec![
                    (2.0, 2.0, "c1".to_string()),
                    (2.0, 2.0, "c2".to_string()),
                    (6.0, 6.0, "c3".to_string()),
                    // Right at the top edge: labelled inside the plot.
                    (8.0, 10.0, "c4".to_string()),
                ],
            }],
            y_include: vec![0.0, 10.0],
            integer_y: false,
            y_cap: None,
            y_limits: None,
            y_ticks: None,
        }],
        markers: Vec::new(),
        shade: None,
    };
    let svg = output::svg_string(&frontier).unwrap_or_else(|e| panic!("{e:#}"));
    let texts = text_elements(&svg);
    for tag in ["c1,c2", "c3", "c4"] {
        assert_eq!(texts.iter().filter(|t| *t == tag).count(), 1, "{tag}: {texts:?}");
    }
    assert!(!texts.iter().any(|t| t == "c1" || t == "c2"), "{texts:?}");
}

#[test]
fn coinciding_variant_lines_differ_in_dash_and_marker() {
    let dir = TempDir::new("sweep-line-styles");
    write_sweep(dir.path());
    let figures = sweep_figures(&load_sweep(dir.path()));
    // p99 does not depend on the variant: the lines coincide but for the
    // last point (configuration 9 lost a replication).
    let p99 = figure(&figures, &format!("axis1-{AXIS_SLUG}-latency_p99_ms"));
    let style = |label: &str| match layer(p99, label) {
        Layer::Line { dash, marker, segments, .. } => (*dash, *marker, segments.clone()),
        _ => panic!("{label} is not a line"),
    };
    let (first_dash, first_marker, first_line) = style("spot-draining");
    let (second_dash, second_marker, second_line) = style("no-spot-draining");
    assert_eq!(first_line[0][..4], second_line[0][..4]);
    assert_eq!((first_dash, first_marker), (Dash::Solid, Some(Shape::Circle)));
    assert_eq!((second_dash, second_marker), (Dash::Dashed, Some(Shape::Triangle)));
    // Bands are unlabelled, light and equally transparent.
    for layer in &p99.panels[0].layers {
        if let Layer::Band { label, opacity, .. } = layer {
            assert!(label.is_empty());
            assert_eq!(*opacity, CI_BAND_OPACITY);
        }
    }
    // The legend shows each variant's line with its marker.
    let legend = legend_entries(p99);
    assert_eq!(
        legend.iter().map(|e| e.sample.clone()).collect::<Vec<_>>(),
        [
            Sample::Line(palette::series(0), Dash::Solid, 2, Some(Shape::Circle)),
            Sample::Line(palette::series(1), Dash::Dashed, 2, Some(Shape::Triangle)),
        ]
    );
    // Drawn, the second line is broken into dashes and both sets of markers
    // are outlines (an unfilled circle for the first variant).
    let svg = output::svg_string(p99).unwrap_or_else(|e| panic!("{e:#}"));
    assert!(svg.contains("fill=\"none\" stroke=\"#0072B2\" stroke-width=\"2\""), "no hollow circle");
    let orange_strokes = svg.matches("stroke=\"#E69F00\"").count();
    assert!(orange_strokes > 20, "the dashed line has {orange_strokes} strokes");
}

// ---------------------------------------------------------------- report

#[test]
fn run_report_has_tables_charts_and_escaped_scenario() {
    let dir = TempDir::new("run-report");
    write_run(dir.path(), TWO_DAYS_S, 60);
    chart_run(dir.path(), ChartFormat::Png).unwrap_or_else(|e| panic!("{e:#}"));
    let html = read(&dir.path().join("report.html"));
    for expected in [
        "<title>ecsim run: fixture</title>",
        "<caption>Cost</caption>",
        "<tr><td>total_usd</td><td class=\"num\">51.875</td></tr>",
        "<tr><td>by_provider.ec2-spot</td><td class=\"num\">9.125</td></tr>",
        "<caption>Requests</caption>",
        "<tr><td>availability</td><td class=\"num\">0.99953</td></tr>",
        "<caption>Latency</caption>",
        "<caption>SLO</caption>",
        "<caption>Tasks</caption>",
        "<caption>Instances</caption>",
        "<caption>Scaling</caption>",
        "<caption>Deployments</caption>",
        "<caption>Batch (scheduled tasks)</caption>",
        "<tr><td>cost_per_job_usd</td><td class=\"num\">0.031</td></tr>",
        "<caption>Per service</caption>",
        "<thead><tr><th>figure</th><th>web</th><th>worker</th></tr></thead>",
        "<tr><td>slo.latency_p99_ms</td><td class=\"num\">250</td><td>n/a</td></tr>",
        "<caption>Assumptions</caption>",
        "# web &lt;-&gt; worker &amp; &quot;batch&quot; jobs",
    ] {
        assert!(html.contains(expected), "report lacks {expected:?}");
    }
    assert!(!html.contains("web <-> worker"), "scenario text is not escaped");
    assert_eq!(html.matches("<svg").count(), RUN_STEMS.len());
    for external in ["<link", " src=", "url(", "@import"] {
        assert!(!html.contains(external), "report refers to an external resource: {external}");
    }
    // Only PNG files were asked for; the report still inlines SVG.
    assert!(!dir.path().join("charts/cost.svg").exists());
}

#[test]
fn sweep_report_has_the_summary_table_and_both_files() {
    let dir = TempDir::new("sweep-report");
    write_sweep(dir.path());
    chart_sweep(dir.path(), ChartFormat::Svg).unwrap_or_else(|e| panic!("{e:#}"));
    let html = read(&dir.path().join("report.html"));
    for expected in [
        "<title>ecsim sweep: target-vs-spot</title>",
        "<caption>Per configuration (summary.csv)</caption>",
        "<th>cost.total_usd.mean</th><th>cost.total_usd.sd</th><th>cost.total_usd.ci95</th>",
        "<tr><td>0</td><td>spot-draining</td><td class=\"num\">40</td><td class=\"num\">4</td><td class=\"num\">160.75</td>",
        "<caption>Failed runs</caption>",
        "<td>placement failed: no capacity, retried 3 times</td>",
        "name = &quot;target-vs-spot&quot;",
        "<h3>scenario.toml</h3>",
        "# web &lt;-&gt; worker &amp;",
    ] {
        assert!(html.contains(expected), "report lacks {expected:?}");
    }
    assert_eq!(html.matches("<svg").count(), 5);
}

#[test]
fn charting_twice_gives_identical_files() {
    let dir = TempDir::new("run-determinism");
    write_run(dir.path(), TWO_DAYS_S, 60);
    chart_run(dir.path(), ChartFormat::Svg).unwrap_or_else(|e| panic!("{e:#}"));
    let first = (read(&dir.path().join("charts/cost.svg")), read(&dir.path().join("report.html")));
    chart_run(dir.path(), ChartFormat::Svg).unwrap_or_else(|e| panic!("{e:#}"));
    let second = (read(&dir.path().join("charts/cost.svg")), read(&dir.path().join("report.html")));
    assert!(first == second);
}

// ---------------------------------------------------------------- errors

fn error_text(result: anyhow::Result<Vec<PathBuf>>) -> String {
    match result {
        Ok(paths) => panic!("expected an error, got {paths:?}"),
        Err(error) => format!("{error:#}"),
    }
}

#[test]
fn directories_that_are_neither_run_nor_sweep_are_refused() {
    let dir = TempDir::new("errors-detect");
    let missing = dir.path().join("nope");
    assert!(error_text(chart_dir(&missing, ChartFormat::Png)).ends_with("nope is not a directory"));
    assert!(error_text(chart_dir(dir.path(), ChartFormat::Png)).contains(
        "is neither a run directory (summary.json and timeseries.csv) nor a sweep directory (runs.csv and summary.csv)"
    ));
    std::fs::write(dir.path().join("summary.json"), "{}").unwrap_or_default();
    assert!(error_text(chart_dir(dir.path(), ChartFormat::Png)).contains("has summary.json but no timeseries.csv"));
}

#[test]
fn malformed_run_files_are_reported_with_file_and_line() {
    let dir = TempDir::new("errors-run");
    write_run(dir.path(), 3600, 60);
    let timeseries = dir.path().join("timeseries.csv");
    let good = read(&timeseries);
    std::fs::write(&timeseries, good.replacen("prod,cost_usd_per_hour,", "prod,cost_usd_per_hour,abc", 1))
        .unwrap_or_default();
    let message = error_text(chart_run(dir.path(), ChartFormat::Png));
    assert!(message.starts_with("cannot chart run directory"), "{message}");
    assert!(message.contains("timeseries.csv, line 3, column `value`: `abc"), "{message}");

    std::fs::write(&timeseries, good.replacen("time_s,scope", "time,scope", 1)).unwrap_or_default();
    let message = error_text(chart_run(dir.path(), ChartFormat::Png));
    assert!(
        message.contains("has header `time,scope,name,metric,value`; expected `time_s,scope,name,metric,value`"),
        "{message}"
    );

    std::fs::write(&timeseries, good).unwrap_or_default();
    std::fs::write(dir.path().join("summary.json"), "{\"scenario\": 3").unwrap_or_default();
    assert!(error_text(chart_run(dir.path(), ChartFormat::Png)).contains("summary.json is not valid JSON"));
    std::fs::write(dir.path().join("summary.json"), "{\"scenario\": \"x\"}").unwrap_or_default();
    assert!(error_text(chart_run(dir.path(), ChartFormat::Png)).contains("has no positive number `duration_s`"));
    std::fs::remove_file(dir.path().join("events.csv")).unwrap_or_default();
    std::fs::write(
        dir.path().join("summary.json"),
        "{\"scenario\": \"x\", \"duration_s\": 3600, \"services\": {\"web\": {\"slo\": {\"latency_p99_ms\": \"fast\"}}}}",
    )
    .unwrap_or_default();
    assert!(
        error_text(chart_run(dir.path(), ChartFormat::Png))
            .contains("`services.web.slo.latency_p99_ms` is \"fast\"; expected a number or null")
    );
}

#[test]
fn malformed_sweep_files_are_reported() {
    let dir = TempDir::new("errors-sweep");
    write_two_axis_sweep(dir.path());
    let runs = dir.path().join("runs.csv");
    let good = read(&runs);
    std::fs::write(&runs, good.replace("cost.total_usd", "cost.other")).unwrap_or_default();
    let message = error_text(chart_sweep(dir.path(), ChartFormat::Png));
    assert!(message.contains("runs.csv has no column `cost.total_usd` (needed for the sweep charts)"), "{message}");
    std::fs::write(&runs, good.replacen(",ok,", ",done,", 1)).unwrap_or_default();
    let message = error_text(chart_sweep(dir.path(), ChartFormat::Png));
    assert!(message.contains("line 2, column `status`: `done` is not a status; expected `ok` or `error`"), "{message}");
    std::fs::write(&runs, good).unwrap_or_default();
    let summary = dir.path().join("summary.csv");
    let text = read(&summary).replace("requests.availability.sd", "requests.availability.stdev");
    std::fs::write(&summary, text).unwrap_or_default();
    let message = error_text(chart_dir(dir.path(), ChartFormat::Png));
    assert!(message.contains("expected columns `<metric>.mean,<metric>.sd,<metric>.ci95`"), "{message}");
}

#[test]
fn chart_format_names() {
    assert_eq!("png".parse::<ChartFormat>(), Ok(ChartFormat::Png));
    assert_eq!("SVG".parse::<ChartFormat>(), Ok(ChartFormat::Svg));
    assert_eq!("both".parse::<ChartFormat>(), Ok(ChartFormat::Both));
    let error = "jpeg".parse::<ChartFormat>().err().map(|e| e.to_string());
    assert_eq!(error.as_deref(), Some("unknown chart format `jpeg`: expected `png`, `svg` or `both`"));
}

#[test]
fn xml_checker_rejects_broken_documents() {
    assert!(check_xml("<svg a=\"1\"><text>x &amp; y</text><rect/></svg>").is_ok());
    assert!(check_xml("<svg><text>x</svg>").is_err());
    assert!(check_xml("<svg a=1></svg>").is_err());
    assert!(check_xml("<svg>a & b</svg>").is_err());
    assert!(check_xml("<a></a><b></b>").is_err());
}
