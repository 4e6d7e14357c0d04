//! Unit tests of the calendar and of schedule expressions.

use super::*;

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn new_york() -> TimeZone {
    parse_time_zone("America/New_York").unwrap()
}

/// The first `n` firings strictly after `from`.
fn firings(schedule: &Schedule, from: &str, start: &str, n: usize) -> Vec<String> {
    let start = ts(start);
    let mut after = ts(from);
    let mut out = Vec::new();
    for _ in 0..n {
        match schedule.next_after(after, start) {
            Some(next) => {
                out.push(next.to_string());
                after = next;
            }
            None => break,
        }
    }
    out
}

const START: &str = "2026-03-02T00:00:00Z";

#[test]
fn instant_and_offset_round_trip() {
    let calendar = Calendar::new(ts(START));
    assert_eq!(calendar.start(), ts(START));
    assert_eq!(calendar.instant_at(0), ts(START));
    assert_eq!(calendar.instant_at(90_500), ts("2026-03-02T00:01:30.5Z"));
    assert_eq!(calendar.offset_of(ts("2026-03-02T00:01:30.5Z")), Some(90_500));
    assert_eq!(calendar.offset_of(ts("2026-03-03T00:00:00Z")), Some(86_400_000));
    assert_eq!(calendar.offset_of(ts("2026-03-01T23:59:59.999Z")), None);
}

#[test]
fn offset_of_rounds_a_partial_millisecond_up() {
    let calendar = Calendar::new(ts(START));
    assert_eq!(calendar.offset_of(ts("2026-03-02T00:00:00.0015Z")), Some(2));
    assert_eq!(calendar.offset_of(ts("2026-03-02T00:00:00.000001Z")), Some(1));
}

#[test]
fn instant_at_saturates_instead_of_overflowing() {
    let calendar = Calendar::new(ts(START));
    assert_eq!(calendar.instant_at(u64::MAX), Timestamp::MAX);
}

#[test]
fn local_hour_follows_new_york_dst() {
    // 2026-03-08 02:00 EST becomes 03:00 EDT (07:00Z, 6 days 7 h after start).
    let calendar = Calendar::new(ts(START));
    let tz = new_york();
    let hour_ms = 3_600_000;
    // Start: 2026-03-01 19:00 EST.
    assert_eq!(calendar.local_hour(0, &tz), 19.0);
    // 05:30Z on 03-08 = 00:30 EST.
    assert_eq!(calendar.local_hour(6 * 24 * hour_ms + 5 * hour_ms + hour_ms / 2, &tz), 0.5);
    // 06:59:59Z = 01:59:59 EST, one second later 07:00Z = 03:00 EDT: 02:xx never shows.
    let before = calendar.local_hour(6 * 24 * hour_ms + 7 * hour_ms - 1_000, &tz);
    assert!((before - (1.0 + 59.0 / 60.0 + 59.0 / 3600.0)).abs() < 1e-12);
    assert_eq!(calendar.local_hour(6 * 24 * hour_ms + 7 * hour_ms, &tz), 3.0);
    // 14:00Z on 03-09 = 10:00 EDT (UTC-4), where the day before 15:00Z was 10:00.
    assert_eq!(calendar.local_hour(7 * 24 * hour_ms + 14 * hour_ms, &tz), 10.0);
    // 23:59:59.5 local: 2026-03-02 04:59:59.5Z.
    let late = calendar.local_hour(5 * hour_ms - 500, &tz);
    assert!((late - (23.0 + 59.0 / 60.0 + 59.5 / 3600.0)).abs() < 1e-12);
    assert!(late < 24.0);
    assert_eq!(calendar.local_hour(0, &TimeZone::UTC), 0.0);
}

#[test]
fn instant_at_adds_milliseconds_exactly() {
    for start in [
        "2026-03-02T00:00:00Z",
        "1969-12-31T23:59:59.123456789Z",
        "-009999-01-02T01:59:59.5Z",
        "9999-12-30T00:00:00.999999999Z",
    ] {
        let calendar = Calendar::new(ts(start));
        let offsets = (0..2_000u64).map(|k| k * 7_919_993 + k % 1000).chain([u64::MAX, u64::MAX / 1000, 1 << 62]);
        for offset_ms in offsets {
            let nanos = calendar.start.as_nanosecond() + i128::from(offset_ms) * NANOS_PER_MILLI;
            let expected = Timestamp::from_nanosecond(nanos).unwrap_or(Timestamp::MAX);
            assert_eq!(calendar.instant_at(offset_ms), expected, "{start} + {offset_ms} ms");
        }
    }
}

#[test]
fn local_hour_shows_the_civil_clock() {
    let civil = |calendar: &Calendar, offset_ms: u64, tz: &TimeZone| {
        let local = tz.to_datetime(calendar.instant_at(offset_ms));
        let seconds = f64::from(local.second()) + f64::from(local.subsec_nanosecond()) / 1e9;
        f64::from(local.hour()) + f64::from(local.minute()) / 60.0 + seconds / 3600.0
    };
    let zones = ["America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu", "Africa/Monrovia", "UTC"];
    for start in ["2026-03-02T00:00:00Z", "1969-12-31T23:59:59.123456789Z", "1900-01-01T00:00:00.5Z"] {
        let calendar = Calendar::new(ts(start));
        for zone in zones {
            let tz = parse_time_zone(zone).unwrap();
            for k in 0..5_000u64 {
                let offset_ms = k * 7_919_993 + k % 1000;
                assert_eq!(calendar.local_hour(offset_ms, &tz), civil(&calendar, offset_ms, &tz), "{start} {zone} {k}");
            }
        }
    }
}

#[test]
fn parse_instant_accepts_rfc3339_and_explains_errors() {
    assert_eq!(parse_instant("2026-03-02T00:00:00Z").unwrap(), ts(START));
    assert_eq!(parse_instant("2026-03-02T09:00:00+09:00").unwrap(), ts(START));
    let err = parse_instant("2026-03-02 00:00").unwrap_err();
    assert!(err.contains("`2026-03-02 00:00`"), "{err}");
    assert!(err.contains("e.g. 2026-03-02T00:00:00Z"), "{err}");
    assert!(parse_instant("2026-03-02T00:00:00").is_err(), "an instant needs an offset");
}

#[test]
fn parse_time_zone_names_and_errors() {
    assert_eq!(new_york().iana_name(), Some("America/New_York"));
    assert_eq!(parse_time_zone("UTC").unwrap(), TimeZone::UTC);
    let err = parse_time_zone("Mars/Olympus_Mons").unwrap_err();
    assert_eq!(
        err,
        "unknown time zone `Mars/Olympus_Mons`: expected an IANA time zone name, \
         e.g. America/New_York, Europe/Dublin or UTC"
    );
    assert!(parse_time_zone("").is_err());
    assert!(parse_time_zone("Etc/Unknown").is_err());
}

#[test]
fn parse_time_of_day_values() {
    assert_eq!(parse_time_of_day("14:00").unwrap(), 14.0);
    assert_eq!(parse_time_of_day("14:00:30").unwrap(), 14.0 + 30.0 / 3600.0);
    assert_eq!(parse_time_of_day("9:45").unwrap(), 9.75);
    assert_eq!(parse_time_of_day("00:00").unwrap(), 0.0);
    assert_eq!(parse_time_of_day("23:59:59").unwrap(), 23.0 + 59.0 / 60.0 + 59.0 / 3600.0);
}

#[test]
fn parse_time_of_day_errors() {
    let err = parse_time_of_day("24:00").unwrap_err();
    assert_eq!(
        err,
        "invalid time of day `24:00`: hour must be 0-23 (expected HH:MM or HH:MM:SS, e.g. 14:00 or 14:00:30)"
    );
    assert!(parse_time_of_day("12:60").unwrap_err().contains("minute must be 0-59"));
    assert!(parse_time_of_day("12:00:60").unwrap_err().contains("second must be 0-59"));
    assert!(parse_time_of_day("12").is_err());
    assert_eq!(
        parse_time_of_day("12:5").unwrap_err(),
        "invalid time of day `12:5`: minute `5` must be 2 digits (expected HH:MM or HH:MM:SS, e.g. 14:00 or 14:00:30)"
    );
    assert!(parse_time_of_day("123:00").unwrap_err().contains("hour `123` must be 1 or 2 digits"));
    assert!(parse_time_of_day("1:2:3:4").is_err());
    assert!(parse_time_of_day("+1:00").is_err());
    assert!(parse_time_of_day("").is_err());
}

#[test]
fn cron_weekdays_in_new_york_across_dst() {
    let schedule = Schedule::parse("cron(0 7 ? * MON-FRI *)", &new_york()).unwrap();
    assert_eq!(
        firings(&schedule, START, START, 6),
        [
            "2026-03-02T12:00:00Z", // Mon 07:00 EST (UTC-5)
            "2026-03-03T12:00:00Z",
            "2026-03-04T12:00:00Z",
            "2026-03-05T12:00:00Z",
            "2026-03-06T12:00:00Z",
            "2026-03-09T11:00:00Z", // Mon 07:00 EDT (UTC-4), after the 03-08 change
        ]
    );
}

#[test]
fn cron_numeric_day_of_week_2_is_monday() {
    // AWS: day-of-week 1-7 = SUN-SAT, so 2 is Monday.
    let schedule = Schedule::parse("cron(0 12 ? * 2 *)", &TimeZone::UTC).unwrap();
    assert_eq!(firings(&schedule, START, START, 2), ["2026-03-02T12:00:00Z", "2026-03-09T12:00:00Z"]);
    let sunday = Schedule::parse("cron(0 12 ? * 1 *)", &TimeZone::UTC).unwrap();
    assert_eq!(firings(&sunday, START, START, 1), ["2026-03-08T12:00:00Z"]);
    let saturday = Schedule::parse("cron(0 12 ? * 7 *)", &TimeZone::UTC).unwrap();
    assert_eq!(firings(&saturday, START, START, 1), ["2026-03-07T12:00:00Z"]);
}

#[test]
fn cron_last_nth_and_nearest_weekday() {
    let utc = TimeZone::UTC;
    // 3#2: second Tuesday (the AWS docs' example).
    let second_tuesday = Schedule::parse("cron(0 12 ? * 3#2 *)", &utc).unwrap();
    assert_eq!(firings(&second_tuesday, START, START, 2), ["2026-03-10T12:00:00Z", "2026-04-14T12:00:00Z"]);
    // 6L: last Friday of the month.
    let last_friday = Schedule::parse("cron(0 12 ? * 6L *)", &utc).unwrap();
    assert_eq!(firings(&last_friday, START, START, 2), ["2026-03-27T12:00:00Z", "2026-04-24T12:00:00Z"]);
    // L in day-of-month: last day of the month.
    let last_day = Schedule::parse("cron(0 12 L * ? *)", &utc).unwrap();
    assert_eq!(firings(&last_day, START, START, 2), ["2026-03-31T12:00:00Z", "2026-04-30T12:00:00Z"]);
    // 15W: weekday nearest the 15th (2026-03-15 is a Sunday, so Monday 16th).
    let nearest = Schedule::parse("cron(0 12 15W * ? *)", &utc).unwrap();
    assert_eq!(firings(&nearest, START, START, 1), ["2026-03-16T12:00:00Z"]);
    // Month names and lists.
    let quarterly = Schedule::parse("cron(0 0 1 JAN,APR,JUL,OCT ? *)", &utc).unwrap();
    assert_eq!(firings(&quarterly, START, START, 2), ["2026-04-01T00:00:00Z", "2026-07-01T00:00:00Z"]);
}

#[test]
fn cron_every_fifteen_minutes() {
    let schedule = Schedule::parse("cron(0/15 * * * ? *)", &TimeZone::UTC).unwrap();
    assert_eq!(
        firings(&schedule, START, START, 5),
        [
            "2026-03-02T00:15:00Z",
            "2026-03-02T00:30:00Z",
            "2026-03-02T00:45:00Z",
            "2026-03-02T01:00:00Z",
            "2026-03-02T01:15:00Z",
        ]
    );
    // Strictly after: from 00:14:59.999 the next is 00:15.
    assert_eq!(schedule.next_after(ts("2026-03-02T00:14:59.999Z"), ts(START)), Some(ts("2026-03-02T00:15:00Z")));
}

#[test]
fn cron_daily_in_utc() {
    let schedule = Schedule::parse("cron(0 2 * * ? *)", &TimeZone::UTC).unwrap();
    assert_eq!(firings(&schedule, START, START, 2), ["2026-03-02T02:00:00Z", "2026-03-03T02:00:00Z"]);
}

#[test]
fn cron_year_field_is_honoured() {
    let schedule = Schedule::parse("cron(0 10 * * ? 2027)", &TimeZone::UTC).unwrap();
    assert_eq!(firings(&schedule, START, START, 1), ["2027-01-01T10:00:00Z"]);
    let past = Schedule::parse("cron(0 10 * * ? 2025)", &TimeZone::UTC).unwrap();
    assert_eq!(past.next_after(ts(START), ts(START)), None);
    // The last firing of a bounded year range, then nothing.
    assert_eq!(schedule.next_after(ts("2027-12-31T10:00:00Z"), ts(START)), None);
}

#[test]
fn cron_dst_spring_forward_new_york() {
    // 2026-03-08: 02:00 EST -> 03:00 EDT. 02:30 does not exist that day;
    // croner runs a fixed-time job at the first instant after the gap.
    let daily = Schedule::parse("cron(30 2 * * ? *)", &new_york()).unwrap();
    assert_eq!(
        firings(&daily, "2026-03-07T00:00:00Z", START, 3),
        [
            "2026-03-07T07:30:00Z", // 02:30 EST
            "2026-03-08T07:00:00Z", // 03:00 EDT, straight after the gap
            "2026-03-09T06:30:00Z", // 02:30 EDT
        ]
    );
    // An hourly job skips the missing 02:30.
    let hourly = Schedule::parse("cron(30 * * * ? *)", &new_york()).unwrap();
    assert_eq!(
        firings(&hourly, "2026-03-08T05:00:00Z", START, 3),
        ["2026-03-08T05:30:00Z", "2026-03-08T06:30:00Z", "2026-03-08T07:30:00Z"]
    );
}

#[test]
fn cron_dst_fall_back_new_york() {
    // 2026-11-01: 02:00 EDT -> 01:00 EST; 01:00-01:59 happens twice.
    let daily_0230 = Schedule::parse("cron(30 2 * * ? *)", &new_york()).unwrap();
    assert_eq!(
        firings(&daily_0230, "2026-10-31T12:00:00Z", START, 2),
        ["2026-11-01T07:30:00Z", "2026-11-02T07:30:00Z"] // 02:30 EST, once
    );
    // A fixed-time job in the repeated hour runs once, at the earlier instant.
    let daily_0130 = Schedule::parse("cron(30 1 * * ? *)", &new_york()).unwrap();
    assert_eq!(
        firings(&daily_0130, "2026-10-31T12:00:00Z", START, 2),
        ["2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z"]
    );
    // An hourly job runs at both 01:30s.
    let hourly = Schedule::parse("cron(30 * * * ? *)", &new_york()).unwrap();
    assert_eq!(
        firings(&hourly, "2026-11-01T04:00:00Z", START, 4),
        [
            "2026-11-01T04:30:00Z", // 00:30 EDT
            "2026-11-01T05:30:00Z", // 01:30 EDT
            "2026-11-01T06:30:00Z", // 01:30 EST
            "2026-11-01T07:30:00Z", // 02:30 EST
        ]
    );
}

#[test]
fn rate_fires_one_period_after_start() {
    let hourly = Schedule::parse("rate(1 hour)", &TimeZone::UTC).unwrap();
    assert_eq!(firings(&hourly, START, START, 2), ["2026-03-02T01:00:00Z", "2026-03-02T02:00:00Z"]);
    // From before start the first is still start + 1 h.
    assert_eq!(hourly.next_after(ts("2026-03-01T00:00:00Z"), ts(START)), Some(ts("2026-03-02T01:00:00Z")));
    // From exactly a firing, the next one.
    assert_eq!(hourly.next_after(ts("2026-03-02T05:00:00Z"), ts(START)), Some(ts("2026-03-02T06:00:00Z")));
    // From between firings.
    assert_eq!(hourly.next_after(ts("2026-03-02T05:59:59.999Z"), ts(START)), Some(ts("2026-03-02T06:00:00Z")));
    let five = Schedule::parse("rate(5 minutes)", &TimeZone::UTC).unwrap();
    assert_eq!(
        firings(&five, START, START, 3),
        ["2026-03-02T00:05:00Z", "2026-03-02T00:10:00Z", "2026-03-02T00:15:00Z"]
    );
    let two_days = Schedule::parse("rate(2 days)", &TimeZone::UTC).unwrap();
    assert_eq!(firings(&two_days, START, START, 1), ["2026-03-04T00:00:00Z"]);
    let minute = Schedule::parse("rate(1 minute)", &TimeZone::UTC).unwrap();
    assert_eq!(firings(&minute, START, START, 1), ["2026-03-02T00:01:00Z"]);
}

#[test]
fn rate_is_counted_from_start_not_the_clock() {
    // Start off the hour: firings keep the start's phase.
    let start = "2026-03-02T00:07:30Z";
    let hourly = Schedule::parse("rate(1 hour)", &TimeZone::UTC).unwrap();
    assert_eq!(firings(&hourly, start, start, 2), ["2026-03-02T01:07:30Z", "2026-03-02T02:07:30Z"]);
}

#[test]
fn at_fires_once_in_its_time_zone() {
    let at = Schedule::parse("at(2026-03-03T10:00:00)", &new_york()).unwrap();
    assert_eq!(firings(&at, START, START, 3), ["2026-03-03T15:00:00Z"]);
    assert_eq!(at.next_after(ts("2026-03-03T15:00:00Z"), ts(START)), None);
    let utc = Schedule::parse("at(2026-03-03T10:00:00)", &TimeZone::UTC).unwrap();
    assert_eq!(firings(&utc, START, START, 1), ["2026-03-03T10:00:00Z"]);
    // In the spring-forward gap, 02:30 moves forward by the gap to 03:30 EDT.
    let gap = Schedule::parse("at(2026-03-08T02:30:00)", &new_york()).unwrap();
    assert_eq!(firings(&gap, START, START, 1), ["2026-03-08T07:30:00Z"]);
    // In the repeated hour, 01:30 is the earlier (EDT) instant.
    let fold = Schedule::parse("at(2026-11-01T01:30:00)", &new_york()).unwrap();
    assert_eq!(firings(&fold, START, START, 1), ["2026-11-01T05:30:00Z"]);
}

#[test]
fn display_shows_a_canonical_expression() {
    let utc = TimeZone::UTC;
    let show = |s: &str| Schedule::parse(s, &utc).unwrap().to_string();
    assert_eq!(show("rate(1 hour)"), "rate(1 hour)");
    assert_eq!(show("rate(90 minutes)"), "rate(90 minutes)");
    assert_eq!(show("rate(2 days)"), "rate(2 days)");
    assert_eq!(show("rate(120 minutes)"), "rate(2 hours)");
    assert_eq!(show(" cron(0  7 ? * MON-FRI *) "), "cron(0 7 ? * MON-FRI *)");
    assert_eq!(show("at(2026-03-03T10:00:00)"), "at(2026-03-03T10:00:00Z)");
}

fn parse_err(expr: &str) -> String {
    Schedule::parse(expr, &TimeZone::UTC).unwrap_err()
}

#[test]
fn errors_show_the_accepted_forms() {
    let err = parse_err("every(5 minutes)");
    assert_eq!(
        err,
        "invalid schedule `every(5 minutes)`: unknown schedule kind `every`, expected at, rate or cron; \
         accepted forms: at(yyyy-mm-ddThh:mm:ss), rate(<value> <unit>) with unit minute(s), hour(s) or day(s), \
         cron(<minutes> <hours> <day-of-month> <month> <day-of-week> <year>)"
    );
    assert!(parse_err("5 minutes").contains("expected at(...), rate(...) or cron(...)"));
    assert!(parse_err("rate(5 minutes").contains("closing `)`"));
}

#[test]
fn rate_errors() {
    assert!(parse_err("rate(0 minutes)").contains("value must be a positive whole number, found `0`"));
    assert!(parse_err("rate(-5 minutes)").contains("positive whole number"));
    assert!(parse_err("rate(1.5 hours)").contains("positive whole number"));
    assert!(parse_err("rate(1 hours)").contains("the unit here must be singular"));
    assert!(parse_err("rate(5 hour)").contains("the unit here must be plural"));
    assert!(parse_err("rate(5 seconds)").contains("unit must be minute(s), hour(s) or day(s), found `seconds`"));
    assert!(parse_err("rate(5)").contains("needs a value and a unit"));
    assert!(parse_err("rate(999999999999 days)").contains("longer than 100 years"));
}

#[test]
fn cron_errors() {
    assert!(
        parse_err("cron(0 7 ? * MON-FRI)")
            .contains("needs 6 fields (minutes hours day-of-month month day-of-week year), found 5")
    );
    assert!(parse_err("cron(0 0 7 ? * MON-FRI *)").contains("found 7"));
    assert!(parse_err("cron(0 7 1 * MON *)").contains("are both set; AWS requires `?` in one of them"));
    assert!(parse_err("cron(0 7 * * * *)").contains("are both set"));
    assert!(parse_err("cron(0 7 ? * ? *)").contains("only one of day-of-month and day-of-week may be `?`"));
    assert!(
        parse_err("cron(0 7 ? * 0 *)")
            .contains("day-of-week `0`: 0 is outside 1-7 (allowed: 1-7 or SUN-SAT with , - * ? L #)")
    );
    assert!(parse_err("cron(0 7 ? * 8 *)").contains("8 is outside 1-7"));
    assert!(parse_err("cron(60 7 * * ? *)").contains("minutes `60`: 60 is outside 0-59 (allowed: 0-59 with , - * /)"));
    assert!(parse_err("cron(0 24 * * ? *)").contains("hours `24`: 24 is outside 0-23"));
    assert!(parse_err("cron(0 7 32 * ? *)").contains("day-of-month `32`: 32 is outside 1-31"));
    assert!(parse_err("cron(0 7 1 13 ? *)").contains("month `13`: 13 is outside 1-12"));
    assert!(parse_err("cron(0 7 * * ? 1969)").contains("year `1969`: 1969 is outside 1970-2199"));
    assert!(parse_err("cron(0 7 * * ? 2026-2300)").contains("2300 is outside 1970-2199"));
    assert!(parse_err("cron(0 7 ? * */2 *)").contains("day-of-week `*/2`: `/` is not allowed here"));
    assert!(parse_err("cron(JAN 7 * * ? *)").contains("minutes `JAN`: `JAN` is not a valid value"));
    assert!(parse_err("cron(0 7 ? * FOO *)").contains("day-of-week `FOO`: `FOO` is not a valid value"));
    assert!(parse_err("cron(0 7 ? * SAT-SUN *)").contains("range `SAT-SUN` runs backwards"));
    assert!(parse_err("cron(0 7 ? * 2#6 *)").contains("the number after `#` must be 1-5"));
    assert!(parse_err("cron(0 7 ? * 2#1,3#1 *)").contains("may hold only one expression"));
    assert!(parse_err("cron(0/0 7 * * ? *)").contains("increment after `/` must be a whole number from 1"));
    assert!(parse_err("cron(0 7 1? * ? *)").contains("day-of-month `1?`: `1?` is not a valid value"));
    assert!(parse_err("cron(0 ? * * ? *)").contains("hours `?`: `?` is not allowed here"));
    assert!(parse_err("cron(0 7 1,,2 * ? *)").contains("empty list item"));
    assert!(parse_err("cron(0 0 30 2 ? *)").contains("cron(0 0 30 2 ? *) never fires"));
    assert!(parse_err("cron(0 0 31 APR ? *)").contains("never fires"));
    assert!(parse_err("at(2026-03-03 10:00)").contains("at() needs a local date and time like 2026-03-03T10:00:00"));
    assert!(parse_err("at(2026-13-03T10:00:00)").contains("found `2026-13-03T10:00:00`"));
}

#[test]
fn cron_names_are_case_insensitive_and_lone_l_is_saturday() {
    let utc = TimeZone::UTC;
    let lower = Schedule::parse("cron(0 12 ? mar mon-fri *)", &utc).unwrap();
    assert_eq!(firings(&lower, START, START, 1), ["2026-03-02T12:00:00Z"]);
    // `L` alone in day-of-week is the last day of the week: Saturday.
    let last_of_week = Schedule::parse("cron(0 12 ? * L *)", &utc).unwrap();
    assert_eq!(firings(&last_of_week, START, START, 2), ["2026-03-07T12:00:00Z", "2026-03-14T12:00:00Z"]);
    // LW: last weekday of the month (2026-05-31 is a Sunday, so Friday 29th).
    let last_weekday = Schedule::parse("cron(0 12 LW 5 ? 2026)", &utc).unwrap();
    assert_eq!(firings(&last_weekday, START, START, 1), ["2026-05-29T12:00:00Z"]);
    // Year steps: every other year from 2026.
    let biennial = Schedule::parse("cron(0 0 1 1 ? 2026/2)", &utc).unwrap();
    assert_eq!(firings(&biennial, START, START, 2), ["2028-01-01T00:00:00Z", "2030-01-01T00:00:00Z"]);
}
