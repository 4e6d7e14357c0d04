//! The replay check (`ecsim run --observed`): how far a run's minutes are
//! from the observed ones, per service — mean absolute error and mean
//! absolute percentage error of running tasks, desired tasks and CPU, and the
//! scale-outs and scale-ins seen in each.
//!
//! Alignment: the observed minute starting at instant T is compared with the
//! run's row at T − `simulation.start` (the time series' `time_s`, the start
//! of its minute). A minute with no observation, or without a simulated value
//! (CPU with no task reporting), is left out of that metric; an observed 0
//! counts in the MAE but not in the MAPE, which it would divide by zero.

use crate::observed::{Metric, Observed};
use crate::scenario::Scenario;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::Path;

/// A run's service rows: (service, timeseries metric) → time_s → value.
pub type Simulated = BTreeMap<(String, String), BTreeMap<u64, f64>>;

/// The time series metrics compared, with the observed metric each stands for.
pub const COMPARED: [(Metric, &str); 3] = [
    (Metric::RunningTasks, "running"),
    (Metric::DesiredTasks, "desired"),
    (Metric::CpuUtilizationPercent, "cpu_percent"),
];

/// Reads the service rows of a run's timeseries.csv that the check compares.
pub fn read_simulated(path: &Path) -> Result<Simulated, String> {
    let mut reader = csv::Reader::from_path(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut out = Simulated::new();
    for record in reader.records() {
        let r = record.map_err(|e| format!("{}: {e}", path.display()))?;
        if r.len() != 5 || &r[1] != "service" || !COMPARED.iter().any(|c| c.1 == &r[3]) {
            continue;
        }
        let line = r.position().map_or(0, csv::Position::line);
        let bad = || format!("{}:{line}: not a time series row", path.display());
        let t: u64 = r[0].parse().map_err(|_| bad())?;
        let v: f64 = r[4].parse().map_err(|_| bad())?;
        out.entry((r[2].to_string(), r[3].to_string())).or_default().insert(t, v);
    }
    Ok(out)
}

/// Errors over the minutes compared.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Errors {
    pub minutes: usize,
    /// Mean |simulated − observed|; None with no minute.
    pub mae: Option<f64>,
    /// Mean |simulated − observed| / observed × 100 over the minutes whose observed value is not 0.
    pub mape_percent: Option<f64>,
    pub mape_minutes: usize,
}

/// MAE and MAPE of (simulated, observed) pairs.
pub fn errors(pairs: &[(f64, f64)]) -> Errors {
    let n = pairs.len();
    let mae = (n > 0).then(|| pairs.iter().map(|(s, o)| (s - o).abs()).sum::<f64>() / n as f64);
    let relative: Vec<f64> = pairs.iter().filter(|p| p.1 != 0.0).map(|(s, o)| (s - o).abs() / o.abs()).collect();
    let mape_percent = (!relative.is_empty()).then(|| relative.iter().sum::<f64>() / relative.len() as f64 * 100.0);
    Errors { minutes: n, mae, mape_percent, mape_minutes: relative.len() }
}

/// (scale-outs, scale-ins): rises and falls of the desired count between
/// successive values, each rounded to a whole task first (Container Insights
/// averages the count over the minute, so 2 → 2.5 → 3 is one scale-out).
pub fn scale_changes(desired: &[f64]) -> (usize, usize) {
    let rounded: Vec<f64> = desired.iter().map(|v| v.round()).collect();
    let outs = rounded.windows(2).filter(|w| w[1] > w[0]).count();
    let ins = rounded.windows(2).filter(|w| w[1] < w[0]).count();
    (outs, ins)
}

#[derive(Clone, Debug, Default)]
pub struct ServiceReplay {
    pub service: String,
    /// In `COMPARED` order.
    pub errors: [Errors; 3],
    pub scale_outs: (usize, usize),
    pub scale_ins: (usize, usize),
}

#[derive(Debug, Default)]
pub struct Replay {
    pub services: Vec<ServiceReplay>,
    pub notes: Vec<String>,
}

/// The observed minutes of a service and metric that fall inside the run, as
/// (time_s, value).
pub fn aligned(sc: &Scenario, obs: &Observed, service: &str, metric: Metric) -> Vec<(u64, f64)> {
    let start = sc.calendar.start().as_second();
    let end = (sc.duration.as_millis() / 1000) as i64;
    obs.get(service, metric)
        .map(|series| {
            series
                .iter()
                .filter_map(|(t, &v)| {
                    let offset = t.as_second() - start;
                    (0..end).contains(&offset).then_some((offset as u64, v))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Compares every service of the scenario that has observations.
pub fn compare(sc: &Scenario, obs: &Observed, sim: &Simulated) -> Replay {
    let mut out = Replay { notes: obs.notes.clone(), ..Replay::default() };
    if sc.calendar.start().as_second().rem_euclid(60) != 0 {
        out.notes.push("simulation.start is not on a whole minute, so no observed minute lines up with the run".into());
    }
    for name in obs.series.keys() {
        if !sc.services.iter().any(|s| &s.name == name) {
            out.notes.push(format!("observed service {name} is not in the scenario; not compared"));
        }
    }
    let empty = BTreeMap::new();
    for svc in &sc.services {
        if !obs.series.contains_key(&svc.name) {
            continue;
        }
        let mut r = ServiceReplay { service: svc.name.clone(), ..ServiceReplay::default() };
        for (k, (metric, column)) in COMPARED.iter().enumerate() {
            let observed = aligned(sc, obs, &svc.name, *metric);
            let total = obs.get(&svc.name, *metric).map_or(0, |s| s.len());
            if observed.len() < total {
                out.notes.push(format!(
                    "{} {}: {} of {total} observed minutes fall outside the run and are not compared",
                    svc.name,
                    metric.name(),
                    total - observed.len()
                ));
            }
            let simulated = sim.get(&(svc.name.clone(), column.to_string())).unwrap_or(&empty);
            let pairs: Vec<(f64, f64)> =
                observed.iter().filter_map(|(t, o)| simulated.get(t).map(|s| (*s, *o))).collect();
            r.errors[k] = errors(&pairs);
            if *metric == Metric::DesiredTasks {
                let (o_out, o_in) = scale_changes(&pairs.iter().map(|p| p.1).collect::<Vec<_>>());
                let (s_out, s_in) = scale_changes(&pairs.iter().map(|p| p.0).collect::<Vec<_>>());
                r.scale_outs = (o_out, s_out);
                r.scale_ins = (o_in, s_in);
            }
        }
        out.services.push(r);
    }
    out
}

/// The name of the check's output in the run directory.
pub const FILE: &str = "observed-vs-simulated.json";

/// Whether a scenario's outputs allow the check: minute rows of the time series.
pub fn check_outputs(sc: &Scenario) -> Result<(), String> {
    if !sc.output.timeseries || sc.output.timeseries_interval.as_millis() != 60_000 {
        return Err("--observed compares minutes: the scenario needs output.timeseries = true and output.timeseries_interval = \"1m\"".into());
    }
    Ok(())
}

/// Compares the run written in `dir` with the observations and writes
/// observed-vs-simulated.json there (and, with `charts`, the replay charts).
/// Returns the files written.
pub fn write_check(
    sc: &Scenario,
    obs: &Observed,
    dir: &Path,
    charts: Option<crate::chart::ChartFormat>,
) -> Result<Vec<std::path::PathBuf>, String> {
    let sim = read_simulated(&dir.join("timeseries.csv"))?;
    let replay = compare(sc, obs, &sim);
    let path = dir.join(FILE);
    crate::report::write_atomically(&path, crate::report::summary_text(&replay_json(&replay)).as_bytes())?;
    let mut written = vec![path];
    if let Some(format) = charts {
        let series: Vec<crate::chart::ObservedSeries> = replay
            .services
            .iter()
            .map(|s| crate::chart::ObservedSeries {
                service: s.service.clone(),
                running: aligned(sc, obs, &s.service, Metric::RunningTasks),
                cpu_percent: aligned(sc, obs, &s.service, Metric::CpuUtilizationPercent),
            })
            .collect();
        written.extend(crate::chart::chart_replay(dir, &series, format).map_err(|e| format!("{e:#}"))?);
    }
    Ok(written)
}

fn num(v: Option<f64>) -> Value {
    v.filter(|x| x.is_finite()).map_or(Value::Null, |x| json!(x))
}

/// observed-vs-simulated.json.
pub fn replay_json(r: &Replay) -> Value {
    let services: serde_json::Map<String, Value> = r
        .services
        .iter()
        .map(|s| {
            let mut m = serde_json::Map::new();
            for (k, (metric, _)) in COMPARED.iter().enumerate() {
                let e = s.errors[k];
                m.insert(
                    metric.name().to_string(),
                    json!({
                        "minutes": e.minutes,
                        "mae": num(e.mae),
                        "mape_percent": num(e.mape_percent),
                        "mape_minutes": e.mape_minutes,
                    }),
                );
            }
            m.insert("scale_outs".into(), json!({"observed": s.scale_outs.0, "simulated": s.scale_outs.1}));
            m.insert("scale_ins".into(), json!({"observed": s.scale_ins.0, "simulated": s.scale_ins.1}));
            (s.service.clone(), Value::Object(m))
        })
        .collect();
    json!({
        "alignment": "observed minute T against the run's row at T - simulation.start; minutes missing on either side are left out; an observed 0 counts in mae, not in mape_percent",
        "services": services,
        "notes": r.notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Simulated 4, 5, 6, 6 against observed 4, 4, 0, 8:
    /// |errors| 0, 1, 6, 2 → MAE 9/4 = 2.25; the observed 0 leaves MAPE to
    /// 0/4, 1/4, 2/8 → (0 + 0.25 + 0.25)/3 × 100 = 16.666…%.
    #[test]
    fn mae_and_mape_by_hand() {
        let e = errors(&[(4.0, 4.0), (5.0, 4.0), (6.0, 0.0), (6.0, 8.0)]);
        assert_eq!(e.minutes, 4);
        assert_eq!(e.mae, Some(2.25));
        assert_eq!(e.mape_minutes, 3);
        assert_eq!(e.mape_percent, Some(0.5 / 3.0 * 100.0));
        assert_eq!(errors(&[]), Errors::default());
        assert_eq!(errors(&[(1.0, 0.0)]).mape_percent, None);
    }

    #[test]
    fn scale_changes_count_rises_and_falls_of_whole_tasks() {
        // 2 → 2.5 (3) → 3: one rise; 3 → 5: one; 5 → 4.4 (4): one fall; 4 → 4.
        assert_eq!(scale_changes(&[2.0, 2.5, 3.0, 5.0, 4.4, 4.0]), (2, 1));
        assert_eq!(scale_changes(&[3.0]), (0, 0));
    }
}
