//! `[services.workload]`: the request rate (constant, diurnal, ramp or a
//! trace file), noise, spikes, per-request work and memory, and the SLO.

use super::super::raw;
use super::super::types::*;
use super::Horizon;
use super::ctx::{Ctx, offset_to_time};
use crate::calendar::{parse_date, parse_time_of_day, parse_time_zone};
use crate::engine::{SimDuration, SimTime};

pub(super) fn resolve_workload(ctx: &mut Ctx, path: &str, w: Option<&raw::Workload>, horizon: &Horizon) -> Workload {
    let Some(w) = w else {
        return Workload {
            rate: RatePattern::Constant(0.0),
            week: None,
            noise_sigma: 0.0,
            spikes: Vec::new(),
            cpu_per_request_s: 0.0,
            request_timeout_s: 60.0,
            baseline_cpu_percent: 0.0,
            memory_base_mib: 0.0,
            memory_per_inflight_mib: 0.0,
            slo: None,
        };
    };
    let default_rate = raw::Rate::default();
    let r = w.rate.as_ref().unwrap_or(&default_rate);
    let rp = format!("{path}.rate");
    let (rate, week) = resolve_rate(ctx, &rp, r, horizon);
    let noise_sigma = r.noise.unwrap_or(0.0);
    ctx.range(&format!("{rp}.noise"), noise_sigma, 0.0, 3.0, "noise (log-standard deviation)");
    let mut spikes = Vec::new();
    for (j, s) in w.spikes.iter().flatten().enumerate() {
        let sp = format!("{path}.spikes[{j}]");
        ctx.range(&format!("{sp}.multiplier"), s.multiplier, 0.0, 1.0e6, "multiplier");
        spikes.push(Spike {
            at: offset_to_time(ctx, &format!("{sp}.at"), &s.at.0, horizon.calendar),
            multiplier: s.multiplier,
            ramp: s.ramp.map_or(SimDuration::ZERO, |d| d.0),
            hold: s.hold.0,
        });
    }
    let cpu_per_request_s = w.cpu_per_request.map_or(0.0, |s| s.0);
    if w.cpu_per_request.is_some() && cpu_per_request_s <= 0.0 {
        ctx.err(format!("{path}.cpu_per_request"), "must be more than 0 (vCPU-seconds of work per request)");
    }
    let request_timeout_s = w.request_timeout.map_or(60.0, |s| s.0);
    if request_timeout_s <= 0.0 || request_timeout_s > 3600.0 {
        ctx.err(
            format!("{path}.request_timeout"),
            format!("{request_timeout_s} s is out of range; expected more than 0 and at most 1h"),
        );
    }
    let baseline = w.baseline_cpu_percent.unwrap_or(0.0);
    ctx.range(&format!("{path}.baseline_cpu_percent"), baseline, 0.0, 100.0, "a percentage");
    let mem_base = w.memory_base_mib.unwrap_or(0.0);
    ctx.range(&format!("{path}.memory_base_mib"), mem_base, 0.0, 1.0e7, "MiB");
    let mem_inflight = w.memory_per_inflight_mib.unwrap_or(0.0);
    ctx.range(&format!("{path}.memory_per_inflight_mib"), mem_inflight, 0.0, 1.0e6, "MiB");
    let slo = w.slo.as_ref().map(|s| resolve_slo(ctx, path, s));
    Workload {
        rate,
        week,
        noise_sigma,
        spikes,
        cpu_per_request_s,
        request_timeout_s,
        baseline_cpu_percent: baseline,
        memory_base_mib: mem_base,
        memory_per_inflight_mib: mem_inflight,
        slo,
    }
}

/// The rate pattern at `rp` and its weekly cycle; keys that belong to another
/// form are refused.
fn resolve_rate(ctx: &mut Ctx, rp: &str, r: &raw::Rate, horizon: &Horizon) -> (RatePattern, Option<WeekCycle>) {
    // Weekdays, holidays and (outside diurnal) the time zone they are read in.
    let weekly = r.weekdays.is_some() || r.holidays.is_some();
    let week_keys: &[&str] = if weekly { &["weekdays", "holidays", "timezone"] } else { &["weekdays", "holidays"] };
    let tz =
        if weekly || r.pattern.as_deref() == Some("diurnal") { rate_tz(ctx, rp, r) } else { jiff::tz::TimeZone::UTC };
    let (rate, used): (RatePattern, Vec<&str>) = match (r.pattern.as_deref(), &r.trace) {
        (Some(_), Some(_)) => {
            ctx.err(rp, "give either `pattern` or `trace`, not both");
            (RatePattern::Constant(0.0), Vec::new())
        }
        (None, Some(trace)) => (
            trace_rate(ctx, rp, r, trace, horizon),
            vec!["trace", "time_column", "value_column", "scale", "interpolate", "noise"],
        ),
        (pattern, None) => match pattern.unwrap_or("constant") {
            "constant" => {
                let v = r.value.unwrap_or(0.0);
                ctx.range(&format!("{rp}.value"), v, 0.0, 1.0e9, "requests per second");
                (RatePattern::Constant(v), [&["pattern", "value", "noise"], week_keys].concat())
            }
            "diurnal" => {
                let keys = ["pattern", "base", "peak", "peak_at", "peaks", "timezone", "noise", "weekdays", "holidays"];
                (diurnal_rate(ctx, rp, r, tz.clone()), keys.to_vec())
            }
            "ramp" => (
                ramp_rate(ctx, rp, r, horizon),
                [&["pattern", "from", "to", "start", "end", "noise"], week_keys].concat(),
            ),
            other => {
                ctx.enum_value::<()>(
                    &format!("{rp}.pattern"),
                    other,
                    &[("constant", ()), ("diurnal", ()), ("ramp", ())],
                );
                (RatePattern::Constant(0.0), Vec::new())
            }
        },
    };
    if used.is_empty() {
        return (rate, None);
    }
    check_rate_keys(ctx, rp, r, &used);
    let week = if weekly && used.contains(&"weekdays") { week_cycle(ctx, rp, r, tz) } else { None };
    (rate, week)
}

/// `timezone`, UTC when absent (or wrong, after reporting it).
fn rate_tz(ctx: &mut Ctx, rp: &str, r: &raw::Rate) -> jiff::tz::TimeZone {
    match r.timezone.as_deref().map(parse_time_zone) {
        None => jiff::tz::TimeZone::UTC,
        Some(Ok(tz)) => tz,
        Some(Err(e)) => {
            ctx.err(format!("{rp}.timezone"), e);
            jiff::tz::TimeZone::UTC
        }
    }
}

/// `weekdays` (seven non-negative multipliers, Monday first) and `holidays`
/// (dates that take Sunday's multiplier).
fn week_cycle(ctx: &mut Ctx, rp: &str, r: &raw::Rate, tz: jiff::tz::TimeZone) -> Option<WeekCycle> {
    let Some(given) = r.weekdays.as_deref() else {
        ctx.err(
            format!("{rp}.holidays"),
            "holidays take Sunday's multiplier from `weekdays`; give `weekdays` (seven multipliers, Monday first)",
        );
        return None;
    };
    let mut weekdays = [1.0; 7];
    if given.len() == 7 {
        weekdays.copy_from_slice(given);
    } else {
        ctx.err(
            format!("{rp}.weekdays"),
            format!("needs seven multipliers, Monday first (Monday to Sunday); found {}", given.len()),
        );
    }
    for (i, m) in given.iter().enumerate() {
        ctx.range(&format!("{rp}.weekdays[{i}]"), *m, 0.0, 1.0e6, "a multiplier of the pattern");
    }
    let mut holidays: Vec<i64> = Vec::new();
    for (i, text) in r.holidays.iter().flatten().enumerate() {
        match parse_date(text) {
            Ok(day) if holidays.contains(&day) => {
                ctx.err(format!("{rp}.holidays[{i}]"), format!("`{text}` is listed twice; list each date once"))
            }
            Ok(day) => holidays.push(day),
            Err(e) => ctx.err(format!("{rp}.holidays[{i}]"), e),
        }
    }
    holidays.sort_unstable();
    Some(WeekCycle { weekdays, holidays, tz })
}

fn trace_rate(ctx: &mut Ctx, rp: &str, r: &raw::Rate, trace: &str, horizon: &Horizon) -> RatePattern {
    let interp = r.interpolate.as_deref().unwrap_or("step");
    let linear =
        ctx.enum_value(&format!("{rp}.interpolate"), interp, &[("step", false), ("linear", true)]).unwrap_or(false);
    let scale = r.scale.unwrap_or(1.0);
    ctx.range(&format!("{rp}.scale"), scale, 0.0, 1.0e9, "scale");
    let tcol = r.time_column.as_deref().unwrap_or("time_s");
    let vcol = r.value_column.as_deref().unwrap_or("rps");
    match horizon.load_trace(trace, tcol, vcol, scale, linear) {
        Ok(t) => RatePattern::Trace(t),
        Err(e) => {
            ctx.err(format!("{rp}.trace"), e);
            RatePattern::Constant(0.0)
        }
    }
}

fn diurnal_rate(ctx: &mut Ctx, rp: &str, r: &raw::Rate, tz: jiff::tz::TimeZone) -> RatePattern {
    let base = r.base.unwrap_or_else(|| {
        ctx.err(rp, "diurnal needs `base` (the trough, requests/s)");
        0.0
    });
    ctx.range(&format!("{rp}.base"), base, 0.0, 1.0e9, "requests per second");
    if let Some(peaks) = &r.peaks {
        if r.peak.is_some() || r.peak_at.is_some() {
            ctx.err(
                format!("{rp}.peaks"),
                "give either `peak` and `peak_at` (one peak) or `peaks` (several), not both",
            );
        }
        return RatePattern::Peaks { base, peaks: diurnal_peaks(ctx, rp, peaks), tz };
    }
    let peak = r.peak.unwrap_or_else(|| {
        ctx.err(rp, "diurnal needs `peak` (the maximum, requests/s) or `peaks`");
        0.0
    });
    ctx.range(&format!("{rp}.peak"), peak, base.max(0.0), 1.0e9, "peak (at least base)");
    let peak_at_hours = match r.peak_at.as_deref().map(parse_time_of_day) {
        None => 12.0,
        Some(Ok(h)) => h,
        Some(Err(e)) => {
            ctx.err(format!("{rp}.peak_at"), e);
            12.0
        }
    };
    RatePattern::Diurnal { base, peak, peak_at_hours, tz }
}

/// `peaks = [{ at, height, width }]`: at least one; width more than 0 and at
/// most 12 h, so a bump never meets itself round the clock.
fn diurnal_peaks(ctx: &mut Ctx, rp: &str, peaks: &[raw::Peak]) -> Vec<DiurnalPeak> {
    if peaks.is_empty() {
        ctx.err(
            format!("{rp}.peaks"),
            "needs at least one peak, e.g. peaks = [{ at = \"09:00\", height = 500, width = \"3h\" }]",
        );
    }
    let mut out = Vec::new();
    for (i, p) in peaks.iter().enumerate() {
        let pp = format!("{rp}.peaks[{i}]");
        let at_hours = parse_time_of_day(&p.at).unwrap_or_else(|e| {
            ctx.err(format!("{pp}.at"), e);
            0.0
        });
        ctx.range(&format!("{pp}.height"), p.height, 0.0, 1.0e9, "requests per second above base");
        let width_hours = p.width.0.as_millis() as f64 / 3_600_000.0;
        if width_hours <= 0.0 || width_hours > 12.0 {
            ctx.err(format!("{pp}.width"), "must be more than 0 and at most 12h (the bump's half-width)");
        }
        out.push(DiurnalPeak { at_hours, height: p.height, width_hours });
    }
    out
}

fn ramp_rate(ctx: &mut Ctx, rp: &str, r: &raw::Rate, horizon: &Horizon) -> RatePattern {
    let cal = horizon.calendar;
    let from = r.from.unwrap_or(0.0);
    let to = r.to.unwrap_or(0.0);
    ctx.range(&format!("{rp}.from"), from, 0.0, 1.0e9, "requests per second");
    ctx.range(&format!("{rp}.to"), to, 0.0, 1.0e9, "requests per second");
    let start = r.start.as_ref().map_or(SimTime::ZERO, |w| offset_to_time(ctx, &format!("{rp}.start"), &w.0, cal));
    let end = r
        .end
        .as_ref()
        .map_or(SimTime::ZERO + horizon.duration, |w| offset_to_time(ctx, &format!("{rp}.end"), &w.0, cal));
    if end <= start {
        ctx.err(format!("{rp}.end"), "a ramp must end after it starts");
    }
    RatePattern::Ramp { from, to, start, end }
}

/// Refuses keys given in `r` that the chosen rate form (taking `used`) ignores.
fn check_rate_keys(ctx: &mut Ctx, rp: &str, r: &raw::Rate, used: &[&str]) {
    let present = [
        ("pattern", r.pattern.is_some()),
        ("value", r.value.is_some()),
        ("base", r.base.is_some()),
        ("peak", r.peak.is_some()),
        ("peak_at", r.peak_at.is_some()),
        ("timezone", r.timezone.is_some()),
        ("from", r.from.is_some()),
        ("to", r.to.is_some()),
        ("start", r.start.is_some()),
        ("end", r.end.is_some()),
        ("noise", r.noise.is_some()),
        ("trace", r.trace.is_some()),
        ("time_column", r.time_column.is_some()),
        ("value_column", r.value_column.is_some()),
        ("scale", r.scale.is_some()),
        ("interpolate", r.interpolate.is_some()),
        ("peaks", r.peaks.is_some()),
        ("weekdays", r.weekdays.is_some()),
        ("holidays", r.holidays.is_some()),
    ];
    for (k, set) in present {
        if set && !used.contains(&k) {
            ctx.err(
                format!("{rp}.{k}"),
                format!("`{k}` does not belong to this rate form, which takes {}", used.join(", ")),
            );
        }
    }
}

fn resolve_slo(ctx: &mut Ctx, path: &str, s: &raw::Slo) -> Slo {
    let availability = s.availability.unwrap_or(0.999);
    ctx.range(&format!("{path}.slo.availability"), availability, 0.0, 1.0, "availability (a share, e.g. 0.999)");
    let latency_p99_s = s.latency_p99.map(|l| l.0);
    if let Some(l) = latency_p99_s
        && l <= 0.0
    {
        ctx.err(format!("{path}.slo.latency_p99"), "must be more than 0");
    }
    let end_to_end_p99_s = s.end_to_end_p99.map(|l| l.0);
    if let Some(l) = end_to_end_p99_s
        && l <= 0.0
    {
        ctx.err(format!("{path}.slo.end_to_end_p99"), "must be more than 0");
    }
    Slo { latency_p99_s, availability, end_to_end_p99_s }
}
