//! Wall-clock calendar for a simulation, and AWS schedule expressions.
//!
//! The engine counts integer milliseconds from `simulation.start`; people write
//! instants, time zones, times of day and schedules. This module is the one
//! place where the two meet: [`Calendar`] maps offsets to real instants and
//! local clock hours (for diurnal load), and [`Schedule`] parses the
//! `at(...)` / `rate(...)` / `cron(...)` expressions that Application Auto
//! Scaling scheduled actions and EventBridge scheduled tasks accept, and says
//! when they fire next.
//!
//! Time zones always come from jiff's bundled copy of the IANA database, so a
//! run gives the same answer on every machine whatever its system tzdata.
//!
//! ```text
//! start = 2026-03-02T00:00:00Z, schedule = "cron(0 7 ? * MON-FRI *)" in America/New_York
//! next_after(start)            = 2026-03-02T12:00:00Z   (07:00 EST, UTC-5)
//! next_after(2026-03-06T12:00Z) = 2026-03-09T11:00:00Z   (07:00 EDT, UTC-4, after the DST change)
//! ```
//!
//! # Daylight saving time in cron schedules
//!
//! Cron schedules are evaluated on the local wall clock by croner, whose rules
//! are kept as they are (Application Auto Scaling does not document its own):
//!
//! - A *fixed-time* job (single minute and single hour, e.g. `cron(30 2 * * ? *)`)
//!   whose time does not exist on a spring-forward day runs at the first instant
//!   after the gap. In America/New_York on 2026-03-08 the clock jumps from 02:00
//!   EST to 03:00 EDT, so the 02:30 job runs at 03:00 EDT = 07:00Z.
//! - A fixed-time job whose time occurs twice on a fall-back day runs once, at
//!   the earlier (daylight time) instant: a 01:30 job on 2026-11-01 runs at
//!   01:30 EDT = 05:30Z only. A 02:30 job is not affected that day: 02:30
//!   exists once (EST) and runs at 07:30Z.
//! - An *interval* job (wildcard, list, range or step in minute or hour, e.g.
//!   `cron(30 * * * ? *)`) skips wall-clock times inside the gap and runs at both
//!   instants of a repeated time.
//!
//! EventBridge Scheduler documents a different rule (a time in the gap is
//! skipped; a repeated time runs once): see "Schedule types in EventBridge
//! Scheduler", <https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html>.

use std::fmt;

use croner::Cron;
use croner::parser::{CronParser, Seconds, Year};
use jiff::civil::DateTime;
use jiff::tz::{TimeZone, TimeZoneDatabase};
use jiff::{SignedDuration, Timestamp};

const NANOS_PER_MILLI: i128 = 1_000_000;

/// Maps simulated milliseconds to real instants for one simulation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Calendar {
    start: Timestamp,
}

impl Calendar {
    pub fn new(start: Timestamp) -> Self {
        Calendar { start }
    }

    pub fn start(&self) -> Timestamp {
        self.start
    }

    /// The instant `offset_ms` after start. Offsets beyond jiff's range (year
    /// 9999) saturate to [`Timestamp::MAX`] instead of failing, since no
    /// simulation runs that long.
    pub fn instant_at(&self, offset_ms: u64) -> Timestamp {
        // Seconds and nanoseconds kept apart: from 128-bit nanoseconds costs a 128-bit
        // division, and diurnal load asks for every service every minute.
        const NANOS_PER_SECOND: i64 = 1_000_000_000;
        let nanos = i64::from(self.start.subsec_nanosecond()) + (offset_ms % 1000) as i64 * 1_000_000;
        let seconds = (offset_ms / 1000) as i64 + nanos.div_euclid(NANOS_PER_SECOND);
        let Some(seconds) = self.start.as_second().checked_add(seconds) else { return Timestamp::MAX };
        Timestamp::new(seconds, nanos.rem_euclid(NANOS_PER_SECOND) as i32).unwrap_or(Timestamp::MAX)
    }

    /// Milliseconds from start; None if `ts` is before start.
    ///
    /// A fraction of a millisecond rounds *up*, so an event scheduled at the
    /// returned offset never happens before `ts`: asking a schedule for its next
    /// firing after `instant_at(offset_of(ts))` then always moves past `ts`
    /// instead of finding `ts` again.
    pub fn offset_of(&self, ts: Timestamp) -> Option<u64> {
        let nanos = ts.as_nanosecond() - self.start.as_nanosecond();
        if nanos < 0 {
            return None;
        }
        let millis = (nanos + NANOS_PER_MILLI - 1) / NANOS_PER_MILLI;
        u64::try_from(millis).ok()
    }

    /// Fractional local hour of day in [0, 24) at `offset_ms`, DST-aware (for
    /// diurnal load patterns): 14:30:00 local is 14.5.
    pub fn local_hour(&self, offset_ms: u64, tz: &TimeZone) -> f64 {
        let (seconds, nanos) = self.local_seconds(offset_ms, tz);
        let of_day = seconds.rem_euclid(86_400);
        let (hour, minute, second) = (of_day / 3600, of_day / 60 % 60, of_day % 60);
        let seconds = second as f64 + nanos as f64 / 1e9;
        hour as f64 + minute as f64 / 60.0 + seconds / 3600.0
    }

    /// The local calendar date at `offset_ms` in `tz`, DST-aware, as a day
    /// number (days since 1970-01-01): what weekday multipliers and holidays
    /// are keyed by, without building a civil date every tick.
    pub fn local_day(&self, offset_ms: u64, tz: &TimeZone) -> i64 {
        self.local_seconds(offset_ms, tz).0.div_euclid(86_400)
    }

    /// Seconds of the local wall clock since 1970-01-01T00:00 local, and the
    /// nanoseconds past that second.
    fn local_seconds(&self, offset_ms: u64, tz: &TimeZone) -> (i64, i64) {
        // The clock fields a civil datetime would show, from the UTC offset in force
        // (building the datetime cost more than the rest of a diurnal rate).
        let instant = self.instant_at(offset_ms);
        let mut seconds = instant.as_second() + i64::from(tz.to_offset(instant).seconds());
        let mut nanos = i64::from(instant.subsec_nanosecond());
        if nanos < 0 {
            // Before 1970 the fraction is negative; the clock shows the second before.
            seconds -= 1;
            nanos += 1_000_000_000;
        }
        (seconds, nanos)
    }
}

/// Day of the week of a day number (days since 1970-01-01), Monday = 0 to
/// Sunday = 6 (1970-01-01 was a Thursday).
pub fn weekday_from_monday(day: i64) -> usize {
    (day + 3).rem_euclid(7) as usize
}

/// A calendar date written `YYYY-MM-DD` -> its day number (days since
/// 1970-01-01), for holidays.
pub fn parse_date(s: &str) -> Result<i64, String> {
    let fail = || format!("invalid date `{s}`: expected YYYY-MM-DD, e.g. 2026-12-25");
    let shape_ok = s.len() == 10
        && s.bytes().enumerate().all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() });
    if !shape_ok {
        return Err(fail());
    }
    let date = DateTime::strptime("%Y-%m-%dT%H:%M:%S", format!("{s}T00:00:00"))
        .map_err(|_| format!("invalid date `{s}`: no such day in the calendar"))?;
    let ts = TimeZone::UTC.to_ambiguous_timestamp(date).compatible().map_err(|_| fail())?;
    Ok(ts.as_second().div_euclid(86_400))
}

/// RFC 3339 instant, e.g. "2026-03-02T00:00:00Z" or with an offset.
pub fn parse_instant(s: &str) -> Result<Timestamp, String> {
    s.trim().parse::<Timestamp>().map_err(|err| {
        format!(
            "invalid instant `{s}`: expected an RFC 3339 instant with a UTC offset, \
             e.g. 2026-03-02T00:00:00Z or 2026-03-02T09:00:00+09:00 ({err})"
        )
    })
}

/// IANA time zone name ("America/New_York", "UTC"), looked up without regard
/// to ASCII case in jiff's bundled database.
pub fn parse_time_zone(name: &str) -> Result<TimeZone, String> {
    let trimmed = name.trim();
    let unknown = || {
        format!(
            "unknown time zone `{name}`: expected an IANA time zone name, \
             e.g. America/New_York, Europe/Dublin or UTC"
        )
    };
    if trimmed.is_empty() {
        return Err(unknown());
    }
    let tz = TimeZoneDatabase::bundled().get(trimmed).map_err(|_| unknown())?;
    // jiff answers "Etc/Unknown" with a placeholder zone, not a real one.
    if tz.is_unknown() {
        return Err(unknown());
    }
    Ok(tz)
}

/// "14:00" or "14:00:30" -> hours as f64 (14.0, 14.008333...). The hour may
/// have one or two digits; minutes and seconds have two. HH must be < 24.
pub fn parse_time_of_day(s: &str) -> Result<f64, String> {
    let fail =
        |what: &str| format!("invalid time of day `{s}`: {what} (expected HH:MM or HH:MM:SS, e.g. 14:00 or 14:00:30)");
    let parts: Vec<&str> = s.trim().split(':').collect();
    if !(2..=3).contains(&parts.len()) {
        return Err(fail("wrong number of `:`-separated parts"));
    }
    let number = |part: &str, widths: std::ops::RangeInclusive<usize>, what: &str| {
        let digits_only = part.bytes().all(|b| b.is_ascii_digit());
        match part.parse::<u32>() {
            Ok(value) if digits_only && widths.contains(&part.len()) => Ok(value),
            _ => {
                let digits = if widths.start() == widths.end() { "2" } else { "1 or 2" };
                Err(fail(&format!("{what} `{part}` must be {digits} digits")))
            }
        }
    };
    let hour = number(parts[0], 1..=2, "hour")?;
    let minute = number(parts[1], 2..=2, "minute")?;
    let second = match parts.get(2) {
        Some(part) => number(part, 2..=2, "second")?,
        None => 0,
    };
    if hour >= 24 {
        return Err(fail("hour must be 0-23"));
    }
    if minute >= 60 {
        return Err(fail("minute must be 0-59"));
    }
    if second >= 60 {
        return Err(fail("second must be 0-59"));
    }
    Ok(f64::from(hour) + f64::from(minute) / 60.0 + f64::from(second) / 3600.0)
}

/// The forms an AWS schedule expression can take, quoted in every parse error.
const ACCEPTED_FORMS: &str = "accepted forms: at(yyyy-mm-ddThh:mm:ss), \
     rate(<value> <unit>) with unit minute(s), hour(s) or day(s), \
     cron(<minutes> <hours> <day-of-month> <month> <day-of-week> <year>)";

/// An Application Auto Scaling / EventBridge schedule expression, ready to ask
/// for firing instants.
#[derive(Debug, Clone)]
pub enum Schedule {
    /// Fires once, at this instant (the local time resolved in the schedule's zone).
    At(Timestamp),
    /// Fires every period after the simulation start (never at start itself).
    Rate(SignedDuration),
    /// Fires at every matching minute of the local wall clock.
    Cron(Box<CronSchedule>),
}

/// An AWS six-field cron expression bound to its time zone.
#[derive(Debug, Clone)]
pub struct CronSchedule {
    /// The six AWS fields as written, single-spaced, for messages.
    fields: String,
    /// The same schedule in croner's seven-field Quartz form (seconds first).
    cron: Cron,
    tz: TimeZone,
}

impl CronSchedule {
    /// The six AWS fields, single-spaced, as in `cron(...)`.
    pub fn fields(&self) -> &str {
        &self.fields
    }

    pub fn time_zone(&self) -> &TimeZone {
        &self.tz
    }
}

/// Canonical text for messages. at() shows the instant it resolved to, in UTC.
impl fmt::Display for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Schedule::At(instant) => write!(f, "at({instant})"),
            Schedule::Rate(period) => {
                let (value, unit) = rate_parts(*period);
                let plural = if value == 1 { "" } else { "s" };
                write!(f, "rate({value} {unit}{plural})")
            }
            Schedule::Cron(cron) => write!(f, "cron({})", cron.fields),
        }
    }
}

/// Splits a period back into the largest whole AWS unit, for display.
fn rate_parts(period: SignedDuration) -> (i64, &'static str) {
    let minutes = period.as_secs() / 60;
    if minutes % (24 * 60) == 0 {
        (minutes / (24 * 60), "day")
    } else if minutes % 60 == 0 {
        (minutes / 60, "hour")
    } else {
        (minutes, "minute")
    }
}

impl Schedule {
    /// Parses `at(2026-03-03T10:00:00)`, `rate(5 minutes)` / `rate(1 hour)` /
    /// `rate(2 days)`, or `cron(0 7 ? * MON-FRI *)`.
    ///
    /// `tz` is the schedule's time zone: at() and cron() are read on its wall
    /// clock (AWS's default is UTC; applying it is the caller's job). A local
    /// at() time that falls in a DST gap moves forward by the gap's length, and
    /// one that occurs twice takes the earlier instant (jiff's "compatible" rule).
    pub fn parse(expr: &str, tz: &TimeZone) -> Result<Schedule, String> {
        let trimmed = expr.trim();
        let fail = |what: String| format!("invalid schedule `{expr}`: {what}; {ACCEPTED_FORMS}");
        let Some(open) = trimmed.find('(') else {
            return Err(fail("expected at(...), rate(...) or cron(...)".to_string()));
        };
        let Some(inner) = trimmed[open + 1..].strip_suffix(')') else {
            return Err(fail("expected a closing `)` at the end".to_string()));
        };
        match &trimmed[..open] {
            "at" => parse_at(inner, tz).map(Schedule::At).map_err(fail),
            "rate" => parse_rate(inner).map(Schedule::Rate).map_err(fail),
            "cron" => parse_cron(inner, tz).map(|cron| Schedule::Cron(Box::new(cron))).map_err(fail),
            other => Err(fail(format!("unknown schedule kind `{other}`, expected at, rate or cron"))),
        }
    }

    /// The first firing instant strictly after `after`, or None if there is
    /// none (an at() already past, a cron year already past, or beyond year 9999).
    ///
    /// `start` is the simulation start: rate(...) fires at start + k × period
    /// for k >= 1, the first one period after start (docs/conventions.md, "Scheduled
    /// tasks"). at() and cron() do not depend on `start`: whether an instant
    /// equal to start counts is the caller's choice of `after`.
    pub fn next_after(&self, after: Timestamp, start: Timestamp) -> Option<Timestamp> {
        match self {
            Schedule::At(instant) => (*instant > after).then_some(*instant),
            Schedule::Rate(period) => next_rate_firing(*period, after, start),
            Schedule::Cron(cron) => {
                let origin = after.to_zoned(cron.tz.clone());
                // croner reports a pattern that cannot match again (e.g. a past
                // year) as an error after a bounded search.
                let next = cron.cron.find_next_occurrence(&origin, false).ok()?;
                Some(next.timestamp())
            }
        }
    }
}

fn next_rate_firing(period: SignedDuration, after: Timestamp, start: Timestamp) -> Option<Timestamp> {
    let period_ns = period.as_nanos();
    if period_ns <= 0 {
        return None;
    }
    let elapsed_ns = after.as_nanosecond() - start.as_nanosecond();
    let periods = if elapsed_ns < 0 { 1 } else { elapsed_ns / period_ns + 1 };
    let nanos = start.as_nanosecond().checked_add(periods.checked_mul(period_ns)?)?;
    Timestamp::from_nanosecond(nanos).ok()
}

fn parse_at(inner: &str, tz: &TimeZone) -> Result<Timestamp, String> {
    let text = inner.trim();
    let civil = DateTime::strptime("%Y-%m-%dT%H:%M:%S", text)
        .map_err(|_| format!("at() needs a local date and time like 2026-03-03T10:00:00, found `{text}`"))?;
    tz.to_ambiguous_timestamp(civil).compatible().map_err(|err| format!("at({text}) is not a valid instant: {err}"))
}

/// AWS rate expressions: a positive whole value and a unit, singular exactly
/// when the value is 1. "If the value is equal to 1, then the unit must be
/// singular. If the value is greater than 1, the unit must be plural"
/// (EventBridge "Rate expressions reference",
/// <https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rate-expressions.html>;
/// the Application Auto Scaling PutScheduledAction reference lists the same
/// units: minute | minutes | hour | hours | day | days).
fn parse_rate(inner: &str) -> Result<SignedDuration, String> {
    let parts: Vec<&str> = inner.split_whitespace().collect();
    let [value_text, unit] = parts.as_slice() else {
        return Err(format!("rate() needs a value and a unit, e.g. rate(5 minutes), found `{}`", inner.trim()));
    };
    let value: i64 = value_text
        .bytes()
        .all(|b| b.is_ascii_digit())
        .then(|| value_text.parse().ok())
        .flatten()
        .filter(|v| *v > 0)
        .ok_or_else(|| format!("rate() value must be a positive whole number, found `{value_text}`"))?;
    let (unit_seconds, singular) = match *unit {
        "minute" => (60, true),
        "minutes" => (60, false),
        "hour" => (3_600, true),
        "hours" => (3_600, false),
        "day" => (86_400, true),
        "days" => (86_400, false),
        other => {
            return Err(format!("rate() unit must be minute(s), hour(s) or day(s), found `{other}`"));
        }
    };
    if singular != (value == 1) {
        let fix = if value == 1 { "singular" } else { "plural" };
        return Err(format!(
            "rate({value} {unit}): AWS requires a singular unit for 1 and a plural one otherwise, \
             so the unit here must be {fix}"
        ));
    }
    // 100 years bounds every rate a simulation can use and keeps the
    // arithmetic far from overflow.
    const MAX_SECONDS: i64 = 100 * 366 * 86_400;
    let seconds = value
        .checked_mul(unit_seconds)
        .filter(|s| *s <= MAX_SECONDS)
        .ok_or_else(|| format!("rate({value} {unit}) is longer than 100 years"))?;
    Ok(SignedDuration::from_secs(seconds))
}

/// What each AWS cron field may contain (EventBridge "Cron expressions
/// reference", <https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cron-expressions.html>,
/// which Application Auto Scaling's "Schedule recurring scaling actions using
/// cron expressions" page points to): values, names, and the wildcards
/// `, - * ? / L W #` each field allows.
struct FieldSpec {
    name: &'static str,
    min: u32,
    max: u32,
    /// Names for min, min + 1, ... (JAN-DEC, SUN-SAT), matched without regard to case.
    names: &'static [&'static str],
    /// `/` increments.
    steps: bool,
    /// `?`, `L`, `W` (day-of-month) or `?`, `L`, `#` (day-of-week).
    day: Option<DayField>,
    /// Summary for error messages.
    allowed: &'static str,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum DayField {
    OfMonth,
    OfWeek,
}

const MONTH_NAMES: &[&str] = &["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
/// AWS numbers days of the week 1-7 from Sunday: "3#2 ... 3 refers to Tuesday
/// because it is the third day of each week" (EventBridge cron reference).
const DAY_NAMES: &[&str] = &["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

const FIELDS: [FieldSpec; 6] = [
    FieldSpec { name: "minutes", min: 0, max: 59, names: &[], steps: true, day: None, allowed: "0-59 with , - * /" },
    FieldSpec { name: "hours", min: 0, max: 23, names: &[], steps: true, day: None, allowed: "0-23 with , - * /" },
    FieldSpec {
        name: "day-of-month",
        min: 1,
        max: 31,
        names: &[],
        steps: true,
        day: Some(DayField::OfMonth),
        allowed: "1-31 with , - * ? / L W",
    },
    FieldSpec {
        name: "month",
        min: 1,
        max: 12,
        names: MONTH_NAMES,
        steps: true,
        day: None,
        allowed: "1-12 or JAN-DEC with , - * /",
    },
    FieldSpec {
        name: "day-of-week",
        min: 1,
        max: 7,
        names: DAY_NAMES,
        steps: false,
        day: Some(DayField::OfWeek),
        allowed: "1-7 or SUN-SAT with , - * ? L #",
    },
    FieldSpec {
        name: "year",
        min: 1970,
        max: 2199,
        names: &[],
        steps: true,
        day: None,
        allowed: "1970-2199 with , - * /",
    },
];

fn parse_cron(inner: &str, tz: &TimeZone) -> Result<CronSchedule, String> {
    let fields: Vec<&str> = inner.split_whitespace().collect();
    if fields.len() != 6 {
        return Err(format!(
            "cron() needs 6 fields (minutes hours day-of-month month day-of-week year), found {}",
            fields.len()
        ));
    }
    let (day_of_month, day_of_week) = (fields[2], fields[4]);
    match (day_of_month == "?", day_of_week == "?") {
        (true, true) => {
            return Err(
                "only one of day-of-month and day-of-week may be `?`; give the other a value or `*`".to_string()
            );
        }
        (false, false) => {
            return Err(format!(
                "day-of-month `{day_of_month}` and day-of-week `{day_of_week}` are both set; \
                 AWS requires `?` in one of them, e.g. cron(0 7 ? * MON-FRI *) or cron(0 2 * * ? *)"
            ));
        }
        _ => {}
    }
    if day_of_week.contains('#') && day_of_week.contains(',') {
        return Err(format!("day-of-week `{day_of_week}`: a field with `#` may hold only one expression"));
    }
    let mut translated = vec!["0".to_string()]; // croner's seconds field
    for (field, spec) in fields.iter().zip(FIELDS.iter()) {
        translated.push(translate_field(field, spec)?);
    }

    // croner in Quartz mode ("alternative weekdays") reads day-of-week 1-7 as
    // SUN-SAT like AWS, and "sloppy ranges" lets it read AWS's `0/15`.
    let parser = CronParser::builder()
        .seconds(Seconds::Required)
        .year(Year::Required)
        .alternative_weekdays(true)
        .sloppy_ranges(true)
        .build();
    let single_spaced = fields.join(" ");
    let cron = parser.parse(&translated.join(" ")).map_err(|err| format!("cron({single_spaced}): {err}"))?;
    // A day that no month has (e.g. 30 FEB) would otherwise surface only as a
    // schedule that silently never fires.
    let epoch = Timestamp::UNIX_EPOCH.to_zoned(tz.clone());
    if cron.find_next_occurrence(&epoch, true).is_err() {
        return Err(format!("cron({single_spaced}) never fires: no date from 1970 on matches all its fields"));
    }
    Ok(CronSchedule { fields: single_spaced, cron, tz: tz.clone() })
}

/// Checks one AWS cron field item by item and rewrites it for croner with
/// names turned into numbers (so croner never has to guess at names) and a
/// lone day-of-week `L` (last day of the week) written as 7, Saturday.
fn translate_field(field: &str, spec: &FieldSpec) -> Result<String, String> {
    let fail = |problem: String| format!("{} `{field}`: {problem} (allowed: {})", spec.name, spec.allowed);
    if field == "?" {
        return match spec.day {
            Some(_) => Ok("?".to_string()),
            None => Err(fail("`?` is not allowed here".to_string())),
        };
    }
    let upper = field.to_ascii_uppercase();
    let mut items = Vec::new();
    for item in upper.split(',') {
        items.push(translate_item(item, spec).map_err(&fail)?);
    }
    Ok(items.join(","))
}

fn translate_item(item: &str, spec: &FieldSpec) -> Result<String, String> {
    if item.is_empty() {
        return Err("empty list item".to_string());
    }
    match spec.day {
        Some(DayField::OfMonth) => {
            if item == "L" || item == "LW" {
                return Ok(item.to_string());
            }
            if let Some(day) = item.strip_suffix('W') {
                return Ok(format!("{}W", value(day, spec)?));
            }
        }
        Some(DayField::OfWeek) => {
            if item == "L" {
                return Ok(spec.max.to_string());
            }
            if let Some(day) = item.strip_suffix('L') {
                return Ok(format!("{}L", value(day, spec)?));
            }
            if let Some((day, nth)) = item.split_once('#') {
                let nth = number(nth)
                    .filter(|n| (1..=5).contains(n))
                    .ok_or_else(|| format!("`{item}`: the number after `#` must be 1-5"))?;
                return Ok(format!("{}#{nth}", value(day, spec)?));
            }
        }
        None => {}
    }
    let (base, step) = match item.split_once('/') {
        Some(_) if !spec.steps => return Err("`/` is not allowed here".to_string()),
        Some((base, step)) => {
            let step = number(step)
                .filter(|s| *s >= 1)
                .ok_or_else(|| format!("`{item}`: the increment after `/` must be a whole number from 1"))?;
            (base, Some(step))
        }
        None => (item, None),
    };
    let base = if base == "*" {
        "*".to_string()
    } else if let Some((low, high)) = base.split_once('-') {
        let (low, high) = (value(low, spec)?, value(high, spec)?);
        if low > high {
            return Err(format!("range `{base}` runs backwards; write the smaller end first"));
        }
        format!("{low}-{high}")
    } else {
        value(base, spec)?.to_string()
    };
    Ok(match step {
        Some(step) => format!("{base}/{step}"),
        None => base,
    })
}

/// A number or name within the field's range.
fn value(text: &str, spec: &FieldSpec) -> Result<u32, String> {
    let found = number(text).or_else(|| {
        spec.names
            .iter()
            .position(|name| *name == text)
            .and_then(|index| u32::try_from(index).ok())
            .map(|index| spec.min + index)
    });
    match found {
        Some(value) if (spec.min..=spec.max).contains(&value) => Ok(value),
        Some(value) => Err(format!("{value} is outside {}-{}", spec.min, spec.max)),
        None => Err(format!("`{text}` is not a valid value")),
    }
}

fn number(text: &str) -> Option<u32> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

#[cfg(test)]
mod tests;
