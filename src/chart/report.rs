//! `report.html`: one self-contained page (inline CSS and SVG, no external
//! resource) with the summary figures, every chart and the input files.

use serde_json::Value;

use crate::chart::answers::{duration_phrase, run_answers, sweep_answers};
use crate::chart::html::{Table, escape, flatten, format_cell, format_json};
use crate::chart::run_context::SkippedChart;
use crate::chart::run_data::RunData;
use crate::chart::sweep_data::SweepData;

/// A chart as the report shows it.
#[derive(Clone, Debug)]
pub(crate) struct ChartImage {
    pub stem: String,
    pub title: String,
    pub svg: String,
}

const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:0 auto;max-width:1240px;padding:0 16px 48px;color:#222}
h1{font-size:1.6em;margin:24px 0 4px}h2{margin-top:36px;border-bottom:1px solid #ddd;padding-bottom:4px}
nav a{margin-right:14px}.grid{display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start}
.wide{overflow-x:auto}table{border-collapse:collapse;font-size:13px;margin:8px 0}
caption{text-align:left;font-weight:600;padding:4px 0}th,td{border:1px solid #ddd;padding:3px 8px;text-align:left;white-space:nowrap}
th{background:#f3f3f3}td.num{text-align:right;font-variant-numeric:tabular-nums}
th{cursor:pointer}th[aria-sort=ascending]::after{content:' ▲'}th[aria-sort=descending]::after{content:' ▼'}
.answers li{margin:6px 0;font-size:1.05em}figure{margin:16px 0}figure svg{width:100%;height:auto;border:1px solid #eee}figcaption{font-size:13px;color:#555}
pre{background:#f7f7f7;border:1px solid #ddd;padding:12px;overflow-x:auto;font-size:12px}";

/// Sorts a table by the column whose heading is clicked (numbers as
/// numbers, "n/a" and text after them), again the other way on a second
/// click. Inline, so that the report stays one file with no external resource.
const SORT_SCRIPT: &str = "document.querySelectorAll('table.sortable').forEach(function(table){
var heads=table.tHead.rows[0].cells;
Array.prototype.forEach.call(heads,function(th,column){th.addEventListener('click',function(){
var ascending=th.getAttribute('aria-sort')!=='ascending';
Array.prototype.forEach.call(heads,function(h){h.removeAttribute('aria-sort');});
th.setAttribute('aria-sort',ascending?'ascending':'descending');
var body=table.tBodies[0],rows=Array.prototype.slice.call(body.rows);
var key=function(row){var text=row.cells[column]?row.cells[column].textContent:'';var n=parseFloat(text);return isNaN(n)?[1,0,text]:[0,n,text];};
rows.sort(function(a,b){var x=key(a),y=key(b);var c=x[0]-y[0]||x[1]-y[1]||x[2].localeCompare(y[2]);return ascending?c:-c;});
rows.forEach(function(row){body.appendChild(row);});});});});";

/// The page skeleton: title, contents, then each (anchor, heading, body) section.
fn page(title: &str, sections: &[(&str, &str, String)]) -> String {
    let mut html = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>\n{STYLE}\n</style>\n</head>\n<body>\n<h1>{}</h1>\n<nav>",
        escape(title),
        escape(title)
    );
    for (anchor, heading, _) in sections {
        html.push_str(&format!("<a href=\"#{anchor}\">{}</a>", escape(heading)));
    }
    html.push_str("</nav>\n");
    for (anchor, heading, body) in sections {
        html.push_str(&format!("<section id=\"{anchor}\">\n<h2>{}</h2>\n{body}</section>\n", escape(heading)));
    }
    html.push_str(&format!("<script>\n{SORT_SCRIPT}\n</script>\n</body>\n</html>\n"));
    html
}

/// The charts inline, each captioned with its title and file stem, after a
/// list of the charts left out because they would have been empty.
fn charts_section(charts: &[ChartImage], skipped: &[SkippedChart]) -> String {
    let mut html = String::new();
    if !skipped.is_empty() {
        html.push_str("<p>Not drawn, because they would be empty:</p>\n<ul class=\"skipped\">\n");
        for chart in skipped {
            html.push_str(&format!("<li>{}: {}</li>\n", escape(&chart.title), escape(&chart.reason)));
        }
        html.push_str("</ul>\n");
    }
    for chart in charts {
        let svg = match chart.svg.find("<svg") {
            Some(start) => &chart.svg[start..],
            None => chart.svg.as_str(),
        };
        html.push_str(&format!(
            "<figure id=\"chart-{}\">\n{svg}\n<figcaption>{} (charts/{})</figcaption>\n</figure>\n",
            escape(&chart.stem),
            escape(&chart.title),
            escape(&chart.stem)
        ));
    }
    html
}

/// A file's text in a `<pre>` block, or a note that it is missing.
fn file_block(name: &str, text: Option<&str>) -> String {
    match text {
        Some(text) => format!("<h3>{}</h3>\n<pre>{}</pre>\n", escape(name), escape(text)),
        None => format!("<p>{} was not found in the directory.</p>\n", escape(name)),
    }
}

/// Two columns, figure and value, from a (nested) JSON object.
fn key_value_table(caption: &str, value: &Value) -> Table {
    Table {
        caption: caption.to_string(),
        header: vec!["figure".to_string(), "value".to_string()],
        rows: flatten(value).into_iter().map(|(key, v)| vec![key, format_json(v)]).collect(),
    }
}

/// A map of entity → figures as one column per entity, one row per figure,
/// so that many figures stay readable.
fn entity_table(caption: &str, entities: &serde_json::Map<String, Value>) -> Table {
    let mut keys: Vec<String> = Vec::new();
    for figures in entities.values() {
        for (key, _) in flatten(figures) {
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
    }
    let rows = keys
        .iter()
        .map(|key| {
            let mut row = vec![key.clone()];
            for figures in entities.values() {
                let cell = flatten(figures)
                    .into_iter()
                    .find(|(k, _)| k == key)
                    .map_or_else(String::new, |(_, v)| format_json(v));
                row.push(cell);
            }
            row
        })
        .collect();
    Table {
        caption: caption.to_string(),
        header: std::iter::once("figure".to_string()).chain(entities.keys().cloned()).collect(),
        rows,
    }
}

/// Sections of the run summary in the contract's order.
const RUN_SECTIONS: [(&str, &str); 7] = [
    ("cost", "Cost"),
    ("requests", "Requests"),
    ("latency", "Latency"),
    ("slo", "SLO"),
    ("tasks", "Tasks"),
    ("instances", "Instances"),
    ("scaling", "Scaling"),
];
/// Figures keyed by entity (service or scheduled task).
const RUN_ENTITY_SECTIONS: [(&str, &str); 3] =
    [("deployments", "Deployments"), ("batch", "Batch (scheduled tasks)"), ("services", "Per service")];
const RUN_PROVENANCE: [&str; 8] =
    ["scenario", "seed", "replication", "duration_s", "warmup_s", "ecsim_version", "catalog_date", "scenario_sha256"];

/// The run's answers as a list of sentences, with the window drawn when
/// the charts show only part of the run.
fn answers_section(run: &RunData) -> String {
    let mut html = String::from("<ul class=\"answers\">\n");
    for answer in run_answers(run) {
        html.push_str(&format!("<li>{}</li>\n", escape(&answer)));
    }
    html.push_str("</ul>\n");
    let (from, to) = run.window_s;
    if from > 0.0 || to < run.duration_s {
        html.push_str(&format!(
            "<p>The charts show {} of the run, from {} to {} after its start; the figures are the whole run's.</p>\n",
            duration_phrase(to - from),
            duration_phrase(from),
            duration_phrase(to)
        ));
    }
    html
}

pub(crate) fn run_report(run: &RunData, charts: &[ChartImage], skipped: &[SkippedChart]) -> String {
    let summary = &run.summary;
    let provenance = Table {
        caption: "Run".to_string(),
        header: vec!["figure".to_string(), "value".to_string()],
        rows: RUN_PROVENANCE
            .iter()
            .filter_map(|key| summary.get(*key).map(|v| vec![key.to_string(), format_json(v)]))
            .collect(),
    };
    let mut tables = vec![provenance.to_html()];
    for (key, caption) in RUN_SECTIONS {
        if let Some(value) = summary.get(key) {
            tables.push(key_value_table(caption, value).to_html());
        }
    }
    let mut body = format!("<div class=\"grid\">\n{}</div>\n", tables.concat());
    for (key, caption) in RUN_ENTITY_SECTIONS {
        match summary.get(key).and_then(Value::as_object) {
            Some(entities) if !entities.is_empty() => {
                body.push_str(&format!("<div class=\"wide\">\n{}</div>\n", entity_table(caption, entities).to_html()));
            }
            _ => body.push_str(&format!("<p>{}: none.</p>\n", escape(caption))),
        }
    }
    let mut extra = vec![];
    if let Some(assumptions) = summary.get("assumptions") {
        extra.push(key_value_table("Assumptions", assumptions).to_html());
    }
    // Figures the report does not know yet still appear.
    let known = |key: &str| {
        RUN_PROVENANCE.contains(&key)
            || RUN_SECTIONS.iter().any(|(k, _)| *k == key)
            || RUN_ENTITY_SECTIONS.iter().any(|(k, _)| *k == key)
            || key == "assumptions"
    };
    if let Some(map) = summary.as_object() {
        let others: serde_json::Map<String, Value> =
            map.iter().filter(|(k, _)| !known(k)).map(|(k, v)| (k.clone(), v.clone())).collect();
        if !others.is_empty() {
            extra.push(key_value_table("Other figures", &Value::Object(others)).to_html());
        }
    }
    body.push_str(&format!("<div class=\"grid\">\n{}</div>\n", extra.concat()));
    let body = format!("<p>Click a column heading to sort by it.</p>\n{body}");
    let sections = [
        ("answers", "Answers", answers_section(run)),
        ("charts", "Charts", charts_section(charts, skipped)),
        ("summary", "Summary", body),
        ("scenario", "Scenario file", file_block("scenario.toml", run.scenario_text.as_deref())),
    ];
    page(&format!("ecsim run: {}", run.scenario_name), &sections)
}

pub(crate) fn sweep_report(sweep: &SweepData, charts: &[ChartImage]) -> String {
    let replications = sweep
        .runs
        .iter()
        .map(|r| r.replication)
        .chain(sweep.failed_runs.iter().map(|r| r.replication))
        .max()
        .map_or(0, |m| m + 1);
    let overview = Table {
        caption: "Sweep".to_string(),
        header: vec!["figure".to_string(), "value".to_string()],
        rows: vec![
            vec!["name".to_string(), sweep.name.clone()],
            vec!["configurations".to_string(), sweep.configurations.len().to_string()],
            vec!["variants".to_string(), sweep.variants().join(", ")],
            vec!["axes".to_string(), sweep.axes.join(", ")],
            vec!["metrics".to_string(), sweep.metrics.join(", ")],
            vec!["replications".to_string(), replications.to_string()],
            vec!["successful runs".to_string(), sweep.runs.len().to_string()],
            vec!["failed runs".to_string(), sweep.failed_runs.len().to_string()],
        ],
    };
    let mut body = overview.to_html();
    if !sweep.failed_runs.is_empty() {
        let failed = Table {
            caption: "Failed runs".to_string(),
            header: ["configuration", "variant", "replication", "error"].map(str::to_string).to_vec(),
            rows: sweep
                .failed_runs
                .iter()
                .map(|f| {
                    vec![f.configuration.to_string(), f.variant.clone(), f.replication.to_string(), f.error.clone()]
                })
                .collect(),
        };
        body.push_str(&failed.to_html());
    }
    let summary = Table {
        caption: "Per configuration (summary.csv)".to_string(),
        header: sweep.summary_header.clone(),
        rows: sweep.summary_rows.iter().map(|row| row.iter().map(|cell| format_cell(cell)).collect()).collect(),
    };
    body.push_str(&format!("<div class=\"wide\">\n{}</div>\n", summary.to_html()));
    let files = file_block("sweep.toml", sweep.sweep_text.as_deref())
        + &file_block("scenario.toml", sweep.scenario_text.as_deref());
    let mut answers = String::from("<ul class=\"answers\">\n");
    for answer in sweep_answers(sweep) {
        answers.push_str(&format!("<li>{}</li>\n", escape(&answer)));
    }
    answers.push_str("</ul>\n");
    let sections = [
        ("answers", "Answers", answers),
        ("charts", "Charts", charts_section(charts, &[])),
        ("summary", "Summary", format!("<p>Click a column heading to sort by it.</p>\n{body}")),
        ("scenario", "Sweep and scenario files", files),
    ];
    page(&format!("ecsim sweep: {}", sweep.name), &sections)
}
