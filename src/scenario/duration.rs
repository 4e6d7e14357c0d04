//! Durations ("90s", "1.5h", "0.5ms") and offsets ("3d 10:00", "2h", RFC 3339).
//!
//! A duration is a non-negative integer or decimal followed by a unit, with
//! nothing else: a bare number is refused because "30" could mean seconds or
//! minutes, and a user should not have to guess which one ecsim picked.

use crate::engine::{MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE, MS_PER_SECOND, SimDuration};

/// The longest duration accepted anywhere: 100 years is far beyond any
/// horizon ecsim can simulate and keeps every later sum inside `u64`.
const MAX_DURATION_MS: f64 = 100.0 * 365.0 * MS_PER_DAY as f64;

const UNITS_HELP: &str = "a number and a unit: ms, s, m, h or d (e.g. \"90s\", \"5m\", \"1.5h\", \"7d\")";

/// Parses a duration as exact seconds (`f64`), e.g. per-request work "0.5ms".
pub fn parse_seconds(s: &str) -> Result<f64, String> {
    let text = s.trim();
    let split = text.find(|c: char| c.is_ascii_alphabetic()).ok_or_else(|| {
        if text.is_empty() {
            format!("empty duration; expected {UNITS_HELP}")
        } else {
            format!("duration \"{s}\" has no unit; expected {UNITS_HELP}")
        }
    })?;
    let (number, unit) = text.split_at(split);
    let number = number.trim();
    let valid_number = !number.is_empty()
        && number.chars().all(|c| c.is_ascii_digit() || c == '.')
        && number.chars().filter(|&c| c == '.').count() <= 1
        && number.chars().any(|c| c.is_ascii_digit());
    if !valid_number {
        return Err(format!("\"{s}\" is not a duration; expected {UNITS_HELP}"));
    }
    let value: f64 = number.parse().map_err(|_| format!("\"{s}\" is not a duration; expected {UNITS_HELP}"))?;
    let ms_per_unit = match unit {
        "ms" => 1.0,
        "s" => MS_PER_SECOND as f64,
        "m" => MS_PER_MINUTE as f64,
        "h" => MS_PER_HOUR as f64,
        "d" => MS_PER_DAY as f64,
        _ => return Err(format!("unknown unit \"{unit}\" in \"{s}\"; expected {UNITS_HELP}")),
    };
    let ms = value * ms_per_unit;
    if ms > MAX_DURATION_MS {
        return Err(format!("duration \"{s}\" is longer than the 100 years ecsim accepts"));
    }
    Ok(ms / MS_PER_SECOND as f64)
}

/// Parses a duration to whole milliseconds (rounded to the nearest).
pub fn parse_duration(s: &str) -> Result<SimDuration, String> {
    parse_seconds(s).map(SimDuration::from_secs_f64)
}

/// When a scripted event or spike happens.
#[derive(Clone, Debug, PartialEq)]
pub enum Offset {
    /// Milliseconds after the simulation start.
    After(SimDuration),
    /// An absolute instant (converted against the start by the loader).
    Instant(jiff::Timestamp),
}

/// Parses `"3d 10:00"`, `"2d 12:00:30"`, `"10:00"` (day 0), a duration such
/// as `"2h"`, or an RFC 3339 instant. Day offsets carry no time zone: they are
/// start + N × 24 h + HH:MM[:SS], and HH must be below 24.
pub fn parse_offset(s: &str) -> Result<Offset, String> {
    let text = s.trim();
    const HELP: &str = "an offset such as \"3d 10:00\", \"2d 12:00:30\" or \"2h\", or an RFC 3339 instant";
    if text.contains('T') && text.contains('-') {
        return crate::calendar::parse_instant(text).map(Offset::Instant);
    }
    if text.contains(':') {
        let (days, clock) = match text.split_once(char::is_whitespace) {
            Some((d, c)) => {
                let d = d.trim();
                let n = d
                    .strip_suffix('d')
                    .and_then(|n| n.parse::<u64>().ok())
                    .ok_or_else(|| format!("\"{s}\": \"{d}\" is not a day count like \"3d\"; expected {HELP}"))?;
                (n, c.trim())
            }
            None => (0, text),
        };
        let parts: Vec<&str> = clock.split(':').collect();
        if !(2..=3).contains(&parts.len())
            || parts.iter().any(|p| p.is_empty() || !p.chars().all(|c| c.is_ascii_digit()))
        {
            return Err(format!("\"{s}\": time of day must be HH:MM or HH:MM:SS; expected {HELP}"));
        }
        let field =
            |i: usize| parts.get(i).map_or(Ok(0), |p| p.parse::<u64>().map_err(|_| format!("\"{s}\": bad number")));
        let (h, m, sec) = (field(0)?, field(1)?, field(2)?);
        if h >= 24 {
            return Err(format!(
                "\"{s}\": hour {h} must be below 24 (write \"{}d {:02}:{:02}\" instead)",
                days + h / 24,
                h % 24,
                m
            ));
        }
        if m >= 60 || sec >= 60 {
            return Err(format!("\"{s}\": minutes and seconds must be below 60"));
        }
        if days > 36_500 {
            return Err(format!("\"{s}\": day offset is beyond the 100 years ecsim accepts"));
        }
        let ms = days * MS_PER_DAY + h * MS_PER_HOUR + m * MS_PER_MINUTE + sec * MS_PER_SECOND;
        return Ok(Offset::After(SimDuration::from_millis(ms)));
    }
    parse_duration(text).map(Offset::After).map_err(|e| format!("{e}; or {HELP}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_with_units() {
        assert_eq!(parse_duration("90s").unwrap().as_millis(), 90_000);
        assert_eq!(parse_duration("5m").unwrap().as_millis(), 300_000);
        assert_eq!(parse_duration("1.5h").unwrap().as_millis(), 5_400_000);
        assert_eq!(parse_duration("7d").unwrap().as_millis(), 604_800_000);
        assert_eq!(parse_duration("250ms").unwrap().as_millis(), 250);
        assert_eq!(parse_seconds("0.5ms").unwrap(), 0.0005);
        assert_eq!(parse_seconds("6ms").unwrap(), 0.006);
    }

    #[test]
    fn bad_durations_say_what_is_allowed() {
        for bad in ["30", "", "5 minutes", "-5s", "1e3s", "5w", "s", "1.2.3s", "NaNs"] {
            let e = parse_duration(bad).unwrap_err();
            assert!(e.contains("ms, s, m, h or d") || e.contains("unit"), "{bad}: {e}");
        }
        assert!(parse_duration("200000d").unwrap_err().contains("100 years"));
    }

    #[test]
    fn offsets() {
        assert_eq!(
            parse_offset("3d 10:00").unwrap(),
            Offset::After(SimDuration::from_millis(3 * MS_PER_DAY + 10 * MS_PER_HOUR))
        );
        assert_eq!(
            parse_offset("2d 12:00:30").unwrap(),
            Offset::After(SimDuration::from_millis(2 * MS_PER_DAY + 12 * MS_PER_HOUR + 30_000))
        );
        assert_eq!(parse_offset("2h").unwrap(), Offset::After(SimDuration::from_hours(2)));
        assert_eq!(parse_offset("07:30").unwrap(), Offset::After(SimDuration::from_minutes(450)));
        assert!(matches!(parse_offset("2026-03-03T10:00:00Z").unwrap(), Offset::Instant(_)));
        assert!(parse_offset("1d 24:00").unwrap_err().contains("below 24"));
        assert!(parse_offset("1d 10:61").is_err());
        assert!(parse_offset("xd 10:00").is_err());
    }
}
