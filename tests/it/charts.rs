//! Charts drawn by the built binary (`--charts`) for a real run and real
//! sweeps: every chart kind is written in both formats, SVGs are whole
//! documents with the expected titles and axis labels, PNGs are 1200 × 700.

use std::path::Path;

use crate::common::{TempDir, ecsim};

/// Runs the binary and fails with its output when it does not succeed.
fn ecsim_ok(args: &[&str]) {
    let output = ecsim(args);
    assert!(
        output.status.success(),
        "ecsim {} failed ({}):\n{}\n{}",
        args.join(" "),
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Runs a sweep with `--charts --format both` on two threads into a fresh directory.
fn sweep_with_charts(name: &str, sweep: &str) -> TempDir {
    let out = TempDir::new(name);
    ecsim_ok(&["sweep", sweep, "--out", out.arg(), "--charts", "--format", "both", "-j", "2"]);
    out
}

/// The file names in `dir`, sorted.
fn file_names(dir: &Path) -> Vec<String> {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()));
    let mut names: Vec<String> =
        entries.map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned())).map(Result::unwrap).collect();
    names.sort();
    names
}

/// `stem.png` and `stem.svg` of every stem, sorted.
fn both_formats(stems: &[String]) -> Vec<String> {
    let mut names: Vec<String> = stems.iter().flat_map(|s| [format!("{s}.png"), format!("{s}.svg")]).collect();
    names.sort();
    names
}

/// Width and height from a PNG's signature and IHDR chunk header.
fn png_size(path: &Path) -> (u32, u32) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    assert!(bytes.len() > 24, "{} is too short for a PNG", path.display());
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{} is not a PNG", path.display());
    assert_eq!(&bytes[12..16], b"IHDR", "{} does not start with IHDR", path.display());
    let word = |at: usize| u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
    (word(16), word(20))
}

/// The SVG text of `charts/<stem>.svg`, checked to be one whole `<svg>`
/// document holding every string of `texts` (titles, labels).
fn svg_with(charts: &Path, stem: &str, texts: &[&str]) -> String {
    let path = charts.join(format!("{stem}.svg"));
    let svg = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let body = svg.trim();
    assert!(body.starts_with("<svg") || body.starts_with("<?xml"), "{stem}.svg does not start an SVG document");
    assert!(body.ends_with("</svg>"), "{stem}.svg does not end with </svg>");
    assert_eq!(svg.matches("<svg").count(), 1, "{stem}.svg");
    assert_eq!(svg.matches("<text").count(), svg.matches("</text>").count(), "{stem}.svg has unclosed <text>");
    for text in texts {
        assert!(svg.contains(text), "{stem}.svg lacks {text:?}");
    }
    svg
}

/// Every chart of `stems` exists as a 1200 × 700 PNG and a whole SVG.
fn check_every_chart(charts: &Path, stems: &[String]) {
    for stem in stems {
        svg_with(charts, stem, &[]);
        assert_eq!(png_size(&charts.join(format!("{stem}.png"))), (1200, 700), "{stem}.png");
    }
}

#[test]
fn reference_run_gets_every_run_chart_in_both_formats() {
    let out = TempDir::new("run");
    ecsim_ok(&["run", "scenarios/reference.toml", "--out", out.arg(), "--charts", "--format", "both", "--quiet"]);
    let charts = out.path().join("charts");
    let mut stems: Vec<String> =
        ["cost", "instances", "instances-ec2-mixed", "instances-ec2-on-demand", "instances-ec2-spot", "zones"]
            .map(String::from)
            .to_vec();
    for service in ["admin", "api", "web"] {
        for kind in ["cpu", "latency", "requests", "tasks"] {
            stems.push(format!("service-{service}-{kind}"));
        }
    }
    assert_eq!(file_names(&charts), both_formats(&stems));
    assert!(out.path().join("report.html").is_file());
    check_every_chart(&charts, &stems);
    let titles = [
        ("cost", "reference: cost"),
        ("instances", "reference: EC2 instances by capacity provider"),
        ("instances-ec2-spot", "reference: ec2-spot instances"),
        ("service-web-requests", "reference: web requests per second"),
        ("service-web-tasks", "reference: web tasks"),
        ("service-api-cpu", "reference: api CPU utilisation"),
        ("service-admin-latency", "reference: admin p99 latency"),
    ];
    for (stem, title) in titles {
        // The axis reads the wall clock of web's diurnal load: 2026-03-02
        // 00:00 UTC is 19:00 the day before in New York (EST, UTC−5).
        svg_with(&charts, stem, &[title, "time in America/New_York (start Sun 1 Mar 2026 19:00)"]);
    }
    svg_with(&charts, "cost", &["cumulative cost (USD)"]);
    svg_with(&charts, "service-web-latency", &["latency (ms)"]);
    svg_with(&charts, "zones", &["reference: tasks and instances by availability zone", "running tasks (count)"]);
}

/// The metrics of scenarios/cpu-target-sweep.toml (all but cost and the
/// instance peak, a resource count, get a Pareto chart; all get a chart
/// along the CPU target axis).
const CPU_TARGET_METRICS: [&str; 7] = [
    "cost.total_usd",
    "slo.violation_minutes",
    "requests.failed_shed",
    "requests.availability",
    "latency.p99_ms",
    "tasks.pending_task_minutes",
    "instances.peak",
];

#[test]
fn cpu_target_sweep_gets_pareto_and_axis_charts() {
    let out = sweep_with_charts("sweep-cpu", "scenarios/cpu-target-sweep.toml");
    let charts = out.path().join("charts");
    let slug = |metric: &str| metric.replace('.', "_");
    let axis = "target_tracking_cpu__target_value";
    let pareto: Vec<String> = CPU_TARGET_METRICS[1..6].iter().map(|m| format!("pareto-{}", slug(m))).collect();
    let along_axis: Vec<String> = CPU_TARGET_METRICS.iter().map(|m| format!("axis1-{axis}-{}", slug(m))).collect();
    let stems: Vec<String> = pareto.iter().chain(&along_axis).cloned().collect();
    assert_eq!(file_names(&charts), both_formats(&stems));
    assert!(out.path().join("report.html").is_file());
    check_every_chart(&charts, &stems);

    for metric in &CPU_TARGET_METRICS[1..6] {
        svg_with(
            &charts,
            &format!("pareto-{}", slug(metric)),
            &[&format!("cpu-target-sweep: {metric} vs cost"), "cost.total_usd (USD)", "Pareto frontier ("],
        );
    }
    for metric in CPU_TARGET_METRICS {
        svg_with(
            &charts,
            &format!("axis1-{axis}-{}", slug(metric)),
            &[
                &format!("cpu-target-sweep: {metric} by target_tracking[cpu].target_value"),
                // The target is a CPU percentage, as the scenario's policy says.
                "services[api].auto_scaling.target_tracking[cpu].target_value (%)",
                "ec2-spare25",
                "fargate",
            ],
        );
    }
    // Axis labels carry units.
    let labels = [
        ("pareto-requests_availability", "requests.availability (fraction served)"),
        ("pareto-latency_p99_ms", "latency.p99_ms (ms)"),
        ("pareto-requests_failed_shed", "requests.failed_shed (requests)"),
        ("pareto-slo_violation_minutes", "slo.violation_minutes (minutes)"),
    ];
    for (stem, label) in labels {
        svg_with(&charts, stem, &[label]);
    }
    svg_with(&charts, "pareto-requests_availability", &["least cost for the highest requests.availability"]);
    svg_with(&charts, "pareto-latency_p99_ms", &["least cost for the lowest latency.p99_ms"]);
}

#[test]
fn sweep_without_availability_metric_still_charts_it_against_cost() {
    // The smallest sweep: no axis, and neither availability nor cost among
    // its metrics; availability and p99 are charted against cost anyway.
    let out = sweep_with_charts("sweep-ports", "scenarios/static-vs-dynamic-ports-sweep.toml");
    let charts = out.path().join("charts");
    let stems: Vec<String> = [
        "deployments_api_completed",
        "deployments_api_stalled",
        "deployments_api_total_s",
        "tasks_placement_failures_resource_ports",
        "tasks_pending_task_minutes",
        "latency_p99_ms",
        "requests_failed",
        "slo_violation_minutes",
        "requests_availability",
    ]
    .iter()
    .map(|m| format!("pareto-{m}"))
    .collect();
    assert_eq!(file_names(&charts), both_formats(&stems));
    check_every_chart(&charts, &stems);
    svg_with(
        &charts,
        "pareto-requests_availability",
        &["static-vs-dynamic-ports-sweep: requests.availability vs cost", "requests.availability (fraction served)"],
    );
    // A finished deployment is better: the frontier looks for the most.
    svg_with(
        &charts,
        "pareto-deployments_api_completed",
        &["least cost for the highest deployments.api.completed", "deployments.api.completed (count)"],
    );
    svg_with(&charts, "pareto-deployments_api_stalled", &["least cost for the lowest deployments.api.stalled"]);
    svg_with(&charts, "pareto-requests_failed", &["requests.failed (requests)"]);
    svg_with(&charts, "pareto-deployments_api_total_s", &["deployments.api.total_s (s)"]);
}

/// Debian's Chromium (`apt-get install chromium`), which CI installs; the
/// browser test is skipped, saying so, where it is absent.
const CHROMIUM: &str = "/usr/bin/chromium";

/// Appended to a copy of the report: measures every chart and sorts the
/// Cost table by its value column twice, writing what it saw into a
/// `<pre id="probe">` that `--dump-dom` prints.
const PROBE: &str = "<script>(function(){var out=[];
document.querySelectorAll('figure svg').forEach(function(svg){var r=svg.getBoundingClientRect(),s=getComputedStyle(svg);
out.push('chart '+Math.round(r.left+scrollX)+' '+Math.round(r.top+scrollY)+' '+Math.round(r.width)+' '+Math.round(r.height)+' '+s.display+' '+s.visibility);});
var table=Array.prototype.find.call(document.querySelectorAll('table.sortable'),function(t){return t.caption&&t.caption.textContent==='Cost';});
var values=function(){return Array.prototype.map.call(table.tBodies[0].rows,function(r){return r.cells[1].textContent;}).join('|');};
out.push('original '+values());table.tHead.rows[0].cells[1].click();out.push('ascending '+values());
table.tHead.rows[0].cells[1].click();out.push('descending '+values());
var pre=document.createElement('pre');pre.id='probe';pre.textContent=out.join('\\n');document.body.appendChild(pre);})();</script>";

/// Runs headless Chromium on `page` with a fixed window, plus `args`.
fn chromium(page: &Path, args: &[&str]) -> std::process::Output {
    let profile = page.with_file_name("chromium-profile");
    let mut command = std::process::Command::new(CHROMIUM);
    command.args(["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--force-device-scale-factor=1"]);
    command.arg(format!("--user-data-dir={}", profile.display()));
    command.arg("--window-size=1280,16000").args(args).arg(format!("file://{}", page.display()));
    let output = command.output().unwrap_or_else(|e| panic!("cannot start {CHROMIUM}: {e}"));
    assert!(output.status.success(), "chromium failed: {}", String::from_utf8_lossy(&output.stderr));
    output
}

/// The numbers of a `|`-separated row of cells.
fn numbers(cells: &str) -> Vec<f64> {
    cells.split('|').map(|c| c.parse::<f64>().unwrap_or_else(|_| panic!("{c:?} is not a number"))).collect()
}

#[test]
fn report_shows_every_chart_and_sorts_in_a_real_browser() {
    if !Path::new(CHROMIUM).exists() {
        eprintln!("skipped: {CHROMIUM} is not installed (Debian: apt-get install chromium); the report was not opened");
        return;
    }
    let out = TempDir::new("browser");
    ecsim_ok(&["run", "scenarios/quickstart.toml", "--out", out.arg(), "--charts", "--format", "svg", "--quiet"]);
    let report = out.path().join("report.html");
    let html = std::fs::read_to_string(&report).unwrap_or_else(|e| panic!("{e}"));
    let probe = out.path().join("probe.html");
    std::fs::write(&probe, html.replace("</body>", &format!("{PROBE}\n</body>"))).unwrap_or_else(|e| panic!("{e}"));

    // The DOM after the page's scripts ran: every chart laid out at full
    // width and shown, and the table sorted both ways by the value column.
    let dom = String::from_utf8_lossy(&chromium(&probe, &["--dump-dom"]).stdout).into_owned();
    let start = dom.find("<pre id=\"probe\">").unwrap_or_else(|| panic!("no probe output in the DOM:\n{dom}"));
    let lines: Vec<&str> = dom[start + 16..].split("</pre>").next().unwrap_or_default().lines().collect();
    let charts: Vec<Vec<&str>> =
        lines.iter().filter_map(|l| l.strip_prefix("chart ")).map(|l| l.split(' ').collect()).collect();
    let stems = std::fs::read_dir(out.path().join("charts")).map(|d| d.count()).unwrap_or(0);
    assert_eq!(charts.len(), stems, "{lines:?}");
    let rects: Vec<[u32; 4]> = charts
        .iter()
        .map(|c| {
            assert_eq!(&c[4..], ["inline", "visible"], "{c:?}");
            let n = |i: usize| c[i].parse::<u32>().unwrap_or_else(|_| panic!("{c:?}"));
            let rect = [n(0), n(1), n(2), n(3)];
            // 1200 × 700 drawn in the page's 1208-pixel column, less its border.
            assert!(rect[2] > 1000 && rect[3] > 580, "{c:?}");
            rect
        })
        .collect();
    let row = |prefix: &str| lines.iter().find_map(|l| l.strip_prefix(prefix)).unwrap_or_default();
    let (original, ascending, descending) =
        (numbers(row("original ")), numbers(row("ascending ")), numbers(row("descending ")));
    let mut sorted = original.clone();
    sorted.sort_by(f64::total_cmp);
    assert_eq!(ascending, sorted);
    sorted.reverse();
    assert_eq!(descending, sorted);

    // The screenshot: inside every chart's rectangle some pixels are dark
    // (text, axes) and some coloured (data lines), so each chart was drawn.
    let shot = out.path().join("shot.png");
    chromium(&report, &[&format!("--screenshot={}", shot.display())]);
    let file = std::fs::File::open(&shot).unwrap_or_else(|e| panic!("no screenshot: {e}"));
    let mut reader = png::Decoder::new(file).read_info().unwrap_or_else(|e| panic!("{e}"));
    let mut pixels = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut pixels).unwrap_or_else(|e| panic!("{e}"));
    let channels = info.color_type.samples();
    let pixel = |x: u32, y: u32| {
        let at = y as usize * info.line_size + x as usize * channels;
        (pixels[at], pixels[at + 1], pixels[at + 2])
    };
    for [left, top, width, height] in rects {
        assert!(top + height <= info.height, "chart at {top} is below the {} px screenshot", info.height);
        let (mut dark, mut coloured) = (0, 0);
        for y in (top..top + height).step_by(2) {
            for x in (left..left + width).step_by(2) {
                let (r, g, b) = pixel(x, y);
                dark += usize::from(r < 100 && g < 100 && b < 100);
                coloured += usize::from(r.abs_diff(g) > 60 || g.abs_diff(b) > 60);
            }
        }
        assert!(dark > 500 && coloured > 200, "chart at ({left}, {top}): {dark} dark, {coloured} coloured pixels");
    }
}
