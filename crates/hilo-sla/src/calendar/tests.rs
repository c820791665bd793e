//! Calendar arithmetic: exact instants, DST days in Madrid and Mexico City, parsing, and
//! properties that tie `business_millis_between`, `add_business_millis` and `is_open`
//! together.

use super::engine::{self, DAY_MS, Engine, FixedOffsetClock, LocalClock};
use super::*;
use jiff::civil::{Weekday, date};
use proptest::prelude::*;

const HOUR: i64 = 3_600_000;
const MINUTE: i64 = 60_000;

const MADRID_OFFICE_HOURS: &str = r#"{"mon":[["09:00","14:00"],["15:00","19:00"]],
    "tue":[["09:00","14:00"],["15:00","19:00"]],"wed":[["09:00","14:00"],["15:00","19:00"]],
    "thu":[["09:00","14:00"],["15:00","19:00"]],"fri":[["09:00","14:00"],["15:00","19:00"]],
    "sat":[],"sun":[]}"#;

/// Instant of a local wall-clock time; ambiguous times take the earlier occurrence.
fn local(zone: &str, y: i16, m: i8, d: i8, h: i8, mi: i8) -> i64 {
    date(y, m, d).at(h, mi, 0, 0).in_tz(zone).expect("valid local time").timestamp().as_millisecond()
}

fn madrid(y: i16, m: i8, d: i8, h: i8, mi: i8) -> i64 {
    local("Europe/Madrid", y, m, d, h, mi)
}

fn utc(y: i16, m: i8, d: i8, h: i8, mi: i8) -> i64 {
    local("UTC", y, m, d, h, mi)
}

fn madrid_office(holidays: &[&str]) -> BusinessCalendar {
    BusinessCalendar::from_stored("Europe/Madrid", MADRID_OFFICE_HOURS, holidays.iter().copied())
        .expect("the office calendar parses")
}

fn zoned(zone: &str, hours_json: &str) -> BusinessCalendar {
    BusinessCalendar::from_stored(zone, hours_json, []).expect("calendar parses")
}

fn every_day(intervals: &str) -> String {
    let days: Vec<String> =
        ["mon", "tue", "wed", "thu", "fri", "sat", "sun"].iter().map(|d| format!("\"{d}\":{intervals}")).collect();
    format!("{{{}}}", days.join(","))
}

fn sundays_only(intervals: &str) -> String {
    format!("{{\"sun\":{intervals}}}")
}

fn as_zoned(calendar: &BusinessCalendar) -> &ZonedCalendar {
    match calendar {
        BusinessCalendar::Zoned(z) => z,
        BusinessCalendar::Always => panic!("test calendars are zoned"),
    }
}

#[test]
fn friday_evening_email_is_due_monday_morning_in_madrid() {
    let calendar = madrid_office(&[]);
    assert_eq!(date(2026, 3, 6).weekday(), Weekday::Friday, "fixture day is a Friday");
    let due = calendar.add_business_millis(madrid(2026, 3, 6, 18, 30), HOUR).expect("office hours exist");
    assert_eq!(due, madrid(2026, 3, 9, 9, 30), "30 min on Friday, 30 min on Monday");
    assert_eq!(calendar.business_millis_between(madrid(2026, 3, 6, 18, 30), due), HOUR, "round trip");
}

#[test]
fn a_holiday_is_skipped() {
    let calendar = madrid_office(&["2026-10-12"]);
    assert_eq!(date(2026, 10, 12).weekday(), Weekday::Monday, "Fiesta Nacional 2026 is a Monday");
    let due = calendar.add_business_millis(madrid(2026, 10, 9, 18, 30), HOUR).expect("office hours exist");
    assert_eq!(due, madrid(2026, 10, 13, 9, 30), "Monday is a holiday, so the deadline moves to Tuesday");
    assert_eq!(
        calendar.business_millis_between(madrid(2026, 10, 12, 0, 0), madrid(2026, 10, 13, 0, 0)),
        0,
        "nothing accrues on a holiday"
    );
    assert!(!calendar.is_open(madrid(2026, 10, 12, 10, 0)), "closed during a holiday's office hours");
}

#[test]
fn the_split_shift_lunch_gap_is_skipped() {
    let calendar = madrid_office(&[]);
    let due = calendar.add_business_millis(madrid(2026, 3, 4, 13, 30), HOUR).expect("office hours exist");
    assert_eq!(due, madrid(2026, 3, 4, 15, 30), "14:00–15:00 does not count");
    assert_eq!(
        calendar.business_millis_between(madrid(2026, 3, 4, 13, 0), madrid(2026, 3, 4, 16, 0)),
        2 * HOUR,
        "13–14 and 15–16"
    );
    assert!(!calendar.is_open(madrid(2026, 3, 4, 14, 30)), "closed at lunch");
    assert!(calendar.is_open(madrid(2026, 3, 4, 15, 0)), "open again at 15:00 sharp");
    assert!(!calendar.is_open(madrid(2026, 3, 4, 19, 0)), "the end is exclusive");
}

#[test]
fn an_amount_that_ends_exactly_at_closing_is_due_at_closing() {
    let calendar = madrid_office(&[]);
    let due = calendar.add_business_millis(madrid(2026, 3, 6, 18, 0), HOUR).expect("office hours exist");
    assert_eq!(due, madrid(2026, 3, 6, 19, 0), "the earliest instant, not Monday's opening");
}

#[test]
fn whole_weeks_and_years_add_up() {
    let calendar = madrid_office(&["2026-01-01", "2026-01-06", "2026-12-25", "2026-12-26"]);
    assert_eq!(
        calendar.business_millis_between(madrid(2026, 3, 23, 0, 0), madrid(2026, 3, 30, 0, 0)),
        45 * HOUR,
        "a week of 9-hour days including the spring-forward Sunday"
    );
    // 2026 has 261 weekdays; Jan 1, Jan 6 and Dec 25 are weekday holidays, Dec 26 a Saturday.
    assert_eq!(
        calendar.business_millis_between(madrid(2026, 1, 1, 0, 0), madrid(2027, 1, 1, 0, 0)),
        (261 - 3) * 9 * HOUR,
        "a year of business days"
    );
    let ten_years = 10 * 261 * 9 * HOUR;
    let due = calendar.add_business_millis(madrid(2030, 1, 1, 0, 0), ten_years).expect("far deadline");
    assert_eq!(calendar.business_millis_between(madrid(2030, 1, 1, 0, 0), due), ten_years, "long spans round-trip");
}

#[test]
fn long_spans_match_a_day_by_day_reference() {
    let calendar = madrid_office(&["2025-12-08", "2026-01-06", "2026-04-03", "2026-05-01", "2026-08-15"]);
    let tz = jiff::tz::TimeZone::get("Europe/Madrid").expect("tzdb has Madrid");
    let holidays = ["2025-12-08", "2026-01-06", "2026-04-03", "2026-05-01", "2026-08-15"];
    let mut expected = 0;
    let mut day = date(2025, 11, 20);
    while day < date(2026, 9, 10) {
        let weekend = matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday);
        if !weekend && !holidays.contains(&day.to_string().as_str()) {
            for (from, to) in [((9, 0), (14, 0)), ((15, 0), (19, 0))] {
                let start = day.at(from.0, from.1, 0, 0).to_zoned(tz.clone()).expect("valid");
                let end = day.at(to.0, to.1, 0, 0).to_zoned(tz.clone()).expect("valid");
                expected += end.timestamp().as_millisecond() - start.timestamp().as_millisecond();
            }
        }
        day = day.tomorrow().expect("in range");
    }
    assert_eq!(
        calendar.business_millis_between(madrid(2025, 11, 20, 0, 0), madrid(2026, 9, 10, 0, 0)),
        expected,
        "week-at-a-time arithmetic equals summing every day"
    );
}

#[test]
fn a_calendar_without_working_hours_never_reaches_an_amount() {
    let calendar = zoned("Europe/Madrid", r#"{"mon":[],"sun":[]}"#);
    assert_eq!(
        calendar.add_business_millis(madrid(2026, 3, 2, 10, 0), MINUTE),
        Err(CalendarError::NoWorkingHours),
        "must terminate with an error instead of looping"
    );
    assert_eq!(calendar.add_business_millis(7, 0), Ok(7), "zero business time is reached at once");
    assert_eq!(calendar.business_millis_between(0, 100 * DAY_MS), 0, "nothing ever accrues");
    assert!(!calendar.is_open(madrid(2026, 3, 2, 10, 0)), "never open");
}

#[test]
fn negative_amounts_and_reversed_spans() {
    let calendar = madrid_office(&[]);
    assert_eq!(calendar.add_business_millis(0, -1), Err(CalendarError::NegativeAmount(-1)), "negative amount");
    assert_eq!(BusinessCalendar::Always.add_business_millis(0, -1), Err(CalendarError::NegativeAmount(-1)), "24/7 too");
    assert_eq!(
        calendar.business_millis_between(madrid(2026, 3, 4, 12, 0), madrid(2026, 3, 4, 10, 0)),
        0,
        "to before from is no time, never negative"
    );
}

#[test]
fn extreme_instants_do_not_panic() {
    let calendars = [madrid_office(&[]), BusinessCalendar::Always];
    for calendar in &calendars {
        let _ = calendar.business_millis_between(i64::MIN, i64::MAX);
        let _ = calendar.is_open(i64::MIN);
        let _ = calendar.is_open(i64::MAX);
        assert_eq!(
            calendar.add_business_millis(MAX_INSTANT - HOUR, i64::MAX),
            Err(CalendarError::OutOfRange),
            "a deadline past year 9998 is an error"
        );
    }
}

#[test]
fn always_counts_every_millisecond() {
    let calendar = BusinessCalendar::Always;
    assert_eq!(calendar.business_millis_between(10, 25), 15, "wall time");
    assert_eq!(calendar.add_business_millis(10, 15), Ok(25), "wall time");
    assert!(calendar.is_open(-5), "always open");
}

// ---- DST: Europe/Madrid (last Sunday of March 02:00 CET → 03:00 CEST, last Sunday of
// October 03:00 CEST → 02:00 CET).

#[test]
fn an_eight_hour_24_7_target_over_the_fall_back_night_is_eight_real_hours() {
    let start = madrid(2026, 10, 24, 22, 0);
    assert_eq!(start, utc(2026, 10, 24, 20, 0), "22:00 CEST");
    let expected = utc(2026, 10, 25, 4, 0);
    assert_eq!(BusinessCalendar::Always.add_business_millis(start, 8 * HOUR), Ok(expected), "24/7 is real time");
    let zoned_all_day = zoned("Europe/Madrid", &every_day(r#"[["00:00","24:00"]]"#));
    assert_eq!(
        zoned_all_day.add_business_millis(start, 8 * HOUR),
        Ok(expected),
        "an all-day zoned calendar is real time too: 05:00 CET, not 06:00"
    );
    assert_eq!(expected, madrid(2026, 10, 25, 5, 0), "which reads 05:00 on the wall");
}

#[test]
fn dst_days_have_23_and_25_business_hours_when_open_all_day() {
    let calendar = zoned("Europe/Madrid", &every_day(r#"[["00:00","24:00"]]"#));
    let cases = [
        ((2026, 3, 29), (2026, 3, 30), 23 * HOUR, "spring forward"),
        ((2026, 10, 25), (2026, 10, 26), 25 * HOUR, "fall back"),
        ((2026, 3, 23), (2026, 3, 30), (7 * 24 - 1) * HOUR, "week with spring forward"),
        ((2026, 10, 19), (2026, 10, 26), (7 * 24 + 1) * HOUR, "week with fall back"),
        ((2026, 1, 1), (2027, 1, 1), 365 * 24 * HOUR, "a year: the two changes cancel"),
    ];
    for ((y1, m1, d1), (y2, m2, d2), expected, why) in cases {
        assert_eq!(
            calendar.business_millis_between(madrid(y1, m1, d1, 0, 0), madrid(y2, m2, d2, 0, 0)),
            expected,
            "{why}"
        );
    }
}

#[test]
fn business_hours_across_the_spring_forward_gap() {
    let early = zoned("Europe/Madrid", &sundays_only(r#"[["01:00","05:00"]]"#));
    let day = (madrid(2026, 3, 29, 0, 0), madrid(2026, 3, 30, 0, 0));
    assert_eq!(early.business_millis_between(day.0, day.1), 3 * HOUR, "01:00–05:00 lasts 3 real hours");
    assert_eq!(
        early.add_business_millis(madrid(2026, 3, 29, 1, 30), HOUR),
        Ok(utc(2026, 3, 29, 1, 30)),
        "01:30 CET + 1 h = 03:30 CEST"
    );

    let starts_in_gap = zoned("Europe/Madrid", &sundays_only(r#"[["02:30","06:00"]]"#));
    assert_eq!(
        starts_in_gap.business_millis_between(day.0, day.1),
        3 * HOUR,
        "a start inside the gap opens at the 03:00 transition"
    );
    assert!(!starts_in_gap.is_open(utc(2026, 3, 29, 0, 59)), "01:59 CET: not yet 02:30 on the wall");
    assert!(starts_in_gap.is_open(utc(2026, 3, 29, 1, 0)), "03:00 CEST: the wall is past 02:30");
    assert_eq!(
        starts_in_gap.add_business_millis(day.0, 1),
        Ok(utc(2026, 3, 29, 1, 0) + 1),
        "the first business millisecond is at the transition"
    );

    let ends_in_gap = zoned("Europe/Madrid", &sundays_only(r#"[["00:00","02:30"],["02:30","04:00"]]"#));
    assert_eq!(
        ends_in_gap.business_millis_between(day.0, day.1),
        3 * HOUR,
        "touching intervals stay contiguous through the gap: 00:00 CET to 04:00 CEST"
    );
}

#[test]
fn business_hours_across_the_fall_back_overlap() {
    let day = (madrid(2026, 10, 25, 0, 0), madrid(2026, 10, 26, 0, 0));
    let early = zoned("Europe/Madrid", &sundays_only(r#"[["01:00","05:00"]]"#));
    assert_eq!(early.business_millis_between(day.0, day.1), 5 * HOUR, "01:00–05:00 lasts 5 real hours");
    assert!(early.is_open(utc(2026, 10, 25, 1, 30)), "the repeated 02:30 CET is inside 01:00–05:00");

    let ends_in_overlap = zoned("Europe/Madrid", &sundays_only(r#"[["00:00","02:30"]]"#));
    assert_eq!(
        ends_in_overlap.business_millis_between(day.0, day.1),
        150 * MINUTE,
        "an end in the overlap is its first occurrence (02:30 CEST)"
    );
    assert!(!ends_in_overlap.is_open(utc(2026, 10, 25, 1, 15)), "the repeated 02:15 CET is after closing");

    let starts_in_overlap = zoned("Europe/Madrid", &sundays_only(r#"[["02:30","06:00"]]"#));
    assert_eq!(
        starts_in_overlap.business_millis_between(day.0, day.1),
        270 * MINUTE,
        "a start in the overlap opens at its first occurrence: 02:30 CEST to 06:00 CET"
    );
    assert_eq!(
        starts_in_overlap.add_business_millis(day.0, HOUR),
        Ok(utc(2026, 10, 25, 1, 30)),
        "02:30 CEST + 1 h = the second 02:30 (CET)"
    );
}

#[test]
fn office_hours_far_from_transitions_use_the_fixed_offset_fast_path() {
    let calendar = madrid_office(&[]);
    let zoned = as_zoned(&calendar);
    let (from, to) = (madrid(2026, 6, 1, 8, 0), madrid(2026, 6, 5, 20, 0));
    assert!(zoned.fixed_offset_around(from, to).is_some(), "June has no transition nearby");
    assert!(
        zoned.fixed_offset_around(madrid(2026, 3, 27, 8, 0), madrid(2026, 3, 30, 20, 0)).is_none(),
        "a span over the spring change takes the full rules"
    );
    assert_eq!(calendar.business_millis_between(from, to), zoned.rules_engine().between(from, to), "same answer");
}

// ---- America/Mexico_City: DST abolished in October 2022.

#[test]
fn mexico_city_has_no_dst_after_2022_and_had_it_before() {
    let tz = jiff::tz::TimeZone::get("America/Mexico_City").expect("tzdb has Mexico City");
    let offset_hours =
        |ms: i64| tz.to_offset(jiff::Timestamp::from_millisecond(ms).expect("in range")).seconds() / 3600;
    assert_eq!(offset_hours(utc(2021, 7, 1, 12, 0)), -5, "summer 2021 was CDT");
    assert_eq!(offset_hours(utc(2021, 1, 15, 12, 0)), -6, "winter 2021 was CST");
    assert_eq!(offset_hours(utc(2023, 7, 1, 12, 0)), -6, "summer 2023 stays CST");
    assert_eq!(offset_hours(utc(2026, 7, 1, 12, 0)), -6, "summer 2026 stays CST");
    let start = jiff::Timestamp::from_millisecond(utc(2022, 12, 1, 0, 0)).expect("in range");
    let next = tz.following(start).next().map(|t| t.timestamp().as_millisecond());
    assert!(
        next.is_none_or(|t| t > utc(2100, 1, 1, 0, 0)),
        "no offset change after the 2022 abolition, found one at {next:?}"
    );
    let last = tz.preceding(start).next().map(|t| t.timestamp().as_millisecond());
    assert_eq!(last, Some(utc(2022, 10, 30, 7, 0)), "the last change was 2022-10-30 02:00 CDT");
}

#[test]
fn mexico_city_business_time_after_and_before_abolition() {
    let office = zoned(
        "America/Mexico_City",
        r#"{"mon":[["09:00","18:00"]],"tue":[["09:00","18:00"]],"wed":[["09:00","18:00"]],"thu":[["09:00","18:00"]],"fri":[["09:00","18:00"]]}"#,
    );
    assert_eq!(date(2026, 7, 3).weekday(), Weekday::Friday, "fixture day is a Friday");
    assert_eq!(
        office.add_business_millis(utc(2026, 7, 3, 23, 30), HOUR),
        Ok(utc(2026, 7, 6, 15, 30)),
        "Friday 17:30 CST + 1 h = Monday 09:30 CST (UTC-6 in July)"
    );
    let all_day = zoned("America/Mexico_City", &every_day(r#"[["00:00","24:00"]]"#));
    let day = |y, m, d| local("America/Mexico_City", y, m, d, 0, 0);
    let cases = [
        ((2021, 4, 4), (2021, 4, 5), 23 * HOUR, "2021 still sprang forward on the first Sunday of April"),
        ((2021, 10, 31), (2021, 11, 1), 25 * HOUR, "2021 fell back on the last Sunday of October"),
        ((2023, 4, 2), (2023, 4, 3), 24 * HOUR, "2023: no spring change any more"),
        ((2023, 10, 29), (2023, 10, 30), 24 * HOUR, "2023: no autumn change either"),
    ];
    for ((y1, m1, d1), (y2, m2, d2), expected, why) in cases {
        assert_eq!(all_day.business_millis_between(day(y1, m1, d1), day(y2, m2, d2)), expected, "{why}");
    }
}

// ---- Parsing

#[test]
fn parses_the_stored_shapes_and_writes_them_back() {
    let calendar = madrid_office(&["2026-12-25", "2026-01-06"]);
    let zoned = as_zoned(&calendar);
    assert_eq!(zoned.zone_name(), "Europe/Madrid", "zone kept");
    assert_eq!(zoned.weekly_hours().day(Weekday::Monday).len(), 2, "split shift on Monday");
    assert!(zoned.weekly_hours().day(Weekday::Sunday).is_empty(), "closed on Sunday");
    assert_eq!(zoned.weekly_hours().week_millis(), 45 * HOUR, "nominal week");
    assert_eq!(zoned.holidays().collect::<Vec<_>>(), vec![date(2026, 1, 6), date(2026, 12, 25)], "sorted holidays");
    let json = zoned.weekly_hours().to_json_value();
    assert_eq!(json["mon"], serde_json::json!([["09:00", "14:00"], ["15:00", "19:00"]]), "stored shape");
    assert_eq!(WeeklyHours::from_json_value(&json).as_ref(), Ok(zoned.weekly_hours()), "round trip");
    let late = WeeklyHours::from_json(r#"{"fri":[["22:00","24:00"]],"sat":[["00:00","06:30:15"]]}"#)
        .expect("24:00 ends and seconds are accepted");
    assert_eq!(late.week_millis(), 2 * HOUR + 6 * HOUR + 30 * MINUTE + 15_000, "night shift split at midnight");
}

#[test]
fn rejects_invalid_calendars_with_clear_errors() {
    let cases: &[(&str, &str, &str)] = &[
        ("Europe/Madrid", r#"{"mon":[["15:00","19:00"],["09:00","14:00"]]}"#, "must be sorted"),
        ("Europe/Madrid", r#"{"mon":[["09:00","14:00"],["13:00","19:00"]]}"#, "overlap"),
        ("Europe/Madrid", r#"{"mon":[["22:00","02:00"]]}"#, "may not cross midnight"),
        ("Europe/Madrid", r#"{"mon":[["09:00","09:00"]]}"#, "does not start before it ends"),
        ("Europe/Madrid", r#"{"mon":[["25:00","26:00"]]}"#, "invalid time of day \"25:00\""),
        ("Europe/Madrid", r#"{"mon":[["9:00","12:00"]]}"#, "invalid time of day \"9:00\""),
        ("Europe/Madrid", r#"{"mon":[["24:00","24:00"]]}"#, "invalid time of day \"24:00\""),
        ("Europe/Madrid", r#"{"mon":[["09:00"]]}"#, "weekly hours for mon"),
        ("Europe/Madrid", r#"{"monday":[]}"#, "unknown day \"monday\""),
        ("Europe/Madrid", r#"[["09:00","17:00"]]"#, "JSON object"),
        ("Europe/Madrid", r#"{"mon":"#, "not valid JSON"),
        ("Mars/Olympus_Mons", r#"{}"#, "unknown time zone \"Mars/Olympus_Mons\""),
    ];
    for (zone, hours, needle) in cases {
        let error = BusinessCalendar::from_stored(zone, hours, []).expect_err("invalid calendar is rejected");
        assert!(error.to_string().contains(needle), "{hours}: error should mention {needle:?}, got: {error}");
    }
    for holiday in ["2026-13-01", "2026/12/25", "26-12-25", "2026-02-30", "2026-12-25T00:00"] {
        let error = BusinessCalendar::from_stored("Europe/Madrid", "{}", [holiday]).expect_err("bad holiday date");
        assert_eq!(error, CalendarError::InvalidHoliday(holiday.to_owned()), "holiday {holiday:?} is rejected");
    }
}

// ---- Properties

/// Calendars that stress different paths: split office hours with holidays around the
/// DST changes, odd intervals at the transitions, and a zone without DST.
fn property_calendars() -> &'static [BusinessCalendar] {
    static CALENDARS: std::sync::OnceLock<Vec<BusinessCalendar>> = std::sync::OnceLock::new();
    CALENDARS.get_or_init(|| vec![
        madrid_office(&["2026-03-30", "2026-10-26", "2026-12-25", "2027-01-01", "2025-12-08", "2026-04-03"]),
        BusinessCalendar::from_stored(
            "Europe/Madrid",
            r#"{"mon":[["00:00","01:30"],["22:00","24:00"]],"wed":[["02:15","02:45"]],
                "sat":[["00:00","24:00"]],"sun":[["00:00","02:15"],["02:15","02:20"],["02:40","03:30"],["05:00","05:01"]]}"#,
            ["2026-10-24"],
        )
        .expect("odd calendar parses"),
        zoned(
            "America/Mexico_City",
            r#"{"mon":[["09:00","18:00"]],"tue":[["09:00","18:00"]],"sun":[["00:30","01:30"],["01:30","02:30"]]}"#,
        ),
        BusinessCalendar::Always,
    ])
}

/// Every UTC-offset change in Madrid and Mexico City over the property range.
fn transitions() -> &'static [i64] {
    static TRANSITIONS: std::sync::OnceLock<Vec<i64>> = std::sync::OnceLock::new();
    TRANSITIONS.get_or_init(|| {
        let start = jiff::Timestamp::from_millisecond(RANGE_START).expect("in range");
        let mut all: Vec<i64> = ["Europe/Madrid", "America/Mexico_City"]
            .iter()
            .flat_map(|zone| {
                let tz = jiff::tz::TimeZone::get(zone).expect("tzdb has the zone");
                tz.following(start)
                    .map(|t| t.timestamp().as_millisecond())
                    .take_while(|t| *t < RANGE_END)
                    .collect::<Vec<_>>()
            })
            .collect();
        all.sort_unstable();
        all
    })
}

// 2021-01-01 .. 2028-01-01 UTC: several DST changes in both zones, and Mexico's end of DST.
const RANGE_START: i64 = 1_609_459_200_000;
const RANGE_END: i64 = 1_830_297_600_000;

/// A third anywhere in the range, the rest within three days or two hours of an offset
/// change, where the fast path must hand over to the full rules.
fn instant() -> impl Strategy<Value = i64> {
    let near = |reach: i64| {
        (any::<prop::sample::Index>(), -reach..reach).prop_map(|(pick, offset)| *pick.get(transitions()) + offset)
    };
    prop_oneof![RANGE_START..RANGE_END, near(3 * DAY_MS), near(2 * 3_600_000)]
}

#[test]
fn the_property_range_contains_the_expected_transitions() {
    // Madrid changes twice a year (14 in 2021–2027); Mexico City four times (2021–2022).
    assert_eq!(transitions().len(), 18, "transitions found: {:?}", transitions());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn between_is_additive(calendar in 0..4usize, a in instant(), b in instant(), c in instant()) {
        let calendar = &property_calendars()[calendar];
        let mut points = [a, b, c];
        points.sort_unstable();
        let [a, b, c] = points;
        prop_assert_eq!(
            calendar.business_millis_between(a, c),
            calendar.business_millis_between(a, b) + calendar.business_millis_between(b, c),
            "splitting a span must not change its business time"
        );
    }

    #[test]
    fn add_then_between_round_trips_to_the_earliest_instant(
        calendar in 0..4usize,
        from in instant(),
        amount in 0i64..(120 * DAY_MS),
    ) {
        let calendar = &property_calendars()[calendar];
        let due = calendar.add_business_millis(from, amount).expect("every test calendar has hours");
        prop_assert!(due >= from, "a deadline is never before its start");
        prop_assert_eq!(calendar.business_millis_between(from, due), amount, "between(a, add(a, x)) == x");
        if amount > 0 {
            prop_assert_eq!(
                calendar.business_millis_between(from, due - 1),
                amount - 1,
                "one millisecond earlier has not reached the amount: the result is the earliest"
            );
        }
    }

    #[test]
    fn a_longer_target_never_gives_an_earlier_deadline(
        calendar in 0..4usize,
        from in instant(),
        x in 0i64..(30 * DAY_MS),
        y in 0i64..(30 * DAY_MS),
    ) {
        let calendar = &property_calendars()[calendar];
        let (short, long) = (x.min(y), x.max(y));
        let early = calendar.add_business_millis(from, short).expect("has hours");
        let late = calendar.add_business_millis(from, long).expect("has hours");
        prop_assert!(early <= late, "target {} gave {} but {} gave {}", short, early, long, late);
    }

    #[test]
    fn closed_spans_count_nothing(calendar in 0..3usize, a in instant(), fraction in 0.0f64..=1.0) {
        let calendar = &property_calendars()[calendar];
        prop_assume!(!calendar.is_open(a));
        let opening = calendar.add_business_millis(a, 1).expect("has hours") - 1;
        prop_assert!(calendar.is_open(opening), "the next business millisecond is open");
        // Truncation is fine: any point in [a, opening] is still closed.
        let b = a + ((opening - a) as f64 * fraction) as i64;
        prop_assert_eq!(calendar.business_millis_between(a, b.min(opening)), 0, "closed time never counts");
    }

    #[test]
    fn holidays_never_count(calendar in 0..2usize, pick in 0..6usize, a in 0i64..DAY_MS, b in 0i64..DAY_MS) {
        let calendar = &property_calendars()[calendar];
        let zoned = as_zoned(calendar);
        let holidays: Vec<_> = zoned.holidays().collect();
        let holiday = holidays[pick % holidays.len()];
        let start = holiday.to_zoned(zoned.time_zone().clone()).expect("valid").timestamp().as_millisecond();
        let end = holiday.tomorrow().expect("valid").to_zoned(zoned.time_zone().clone()).expect("valid")
            .timestamp().as_millisecond();
        let length = end - start;
        let (a, b) = (start + a.min(b) % length, start + a.max(b) % length);
        let (a, b) = (a.min(b), a.max(b));
        prop_assert_eq!(calendar.business_millis_between(a, b), 0, "holiday {} is closed", holiday);
        prop_assert!(!calendar.is_open(a), "holiday {} is closed at {}", holiday, a);
    }

}

proptest! {
    // Cheap checks whose failures hide in minutes around a transition: many cases.
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn is_open_agrees_with_between(calendar in 0..4usize, t in instant()) {
        let calendar = &property_calendars()[calendar];
        prop_assert_eq!(
            calendar.is_open(t),
            calendar.business_millis_between(t, t + 1) == 1,
            "open means the millisecond counts"
        );
    }

    #[test]
    fn the_fast_path_agrees_with_the_full_rules(calendar in 0..3usize, a in instant(), span in 0i64..(40 * DAY_MS)) {
        let calendar = &property_calendars()[calendar];
        let zoned = as_zoned(calendar);
        let rules = zoned.rules_engine();
        prop_assert_eq!(calendar.business_millis_between(a, a + span), rules.between(a, a + span), "between");
        prop_assert_eq!(calendar.add_business_millis(a, span / 4), rules.add(a, span / 4), "add");
        prop_assert_eq!(calendar.is_open(a), rules.is_open(a), "is_open");
    }

}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn whole_week_arithmetic_equals_summing_days(calendar in 0..3usize, first in instant(), days in 0i64..60) {
        let calendar = &property_calendars()[calendar];
        let rules = as_zoned(calendar).rules_engine();
        let first_day = first.div_euclid(DAY_MS);
        let summed: i64 = (first_day..first_day + days).map(|d| rules.day_business(d, i64::MIN, i64::MAX)).sum();
        prop_assert_eq!(rules.whole_days_business(first_day, first_day + days), summed, "O(1) weeks are exact");
    }
}

// ---- Fast paths equal the straightforward computation

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn the_offset_index_equals_a_binary_search(
        zone in prop_oneof![Just("Europe/Madrid"), Just("America/Mexico_City"), Just("America/New_York"), Just("UTC")],
        at in prop_oneof![OFFSET_CACHE_START..OFFSET_CACHE_END, instant()],
    ) {
        let cache = offset_cache(zone);
        let index = cache.changes.partition_point(|(change, _)| *change <= at);
        prop_assert_eq!(cache.changes_until(at), index, "changes at or before {} in {}", at, zone);
        // Exactly at a change, and just before it, where an off-by-one would show.
        if let Some((change, _)) = cache.changes.get(index) {
            prop_assert_eq!(cache.changes_until(*change), index + 1, "at the change itself");
            prop_assert_eq!(cache.changes_until(*change - 1), index, "just before the change");
        }
    }
}

fn offset_cache(zone: &str) -> &'static OffsetCache {
    static CACHES: std::sync::OnceLock<Vec<(&'static str, OffsetCache)>> = std::sync::OnceLock::new();
    let caches = CACHES.get_or_init(|| {
        ["Europe/Madrid", "America/Mexico_City", "America/New_York", "UTC"]
            .into_iter()
            .map(|zone| (zone, OffsetCache::new(&jiff::tz::TimeZone::get(zone).expect("tzdb has the zone"))))
            .collect()
    });
    &caches.iter().find(|(name, _)| *name == zone).expect("a cached zone").1
}

#[test]
fn the_offset_index_covers_the_whole_window() {
    let cache = offset_cache("Europe/Madrid");
    assert!(cache.changes.len() > 400, "Madrid changes twice a year from 1981 to 2200: {}", cache.changes.len());
    let last_bucket = ((OFFSET_CACHE_END - 1 - OFFSET_CACHE_START) >> BUCKET_SHIFT) as usize;
    assert!(last_bucket < cache.buckets.len(), "the last instant of the window has a bucket");
    assert_eq!(cache.changes_until(OFFSET_CACHE_END - 1), cache.changes.len(), "every change is before the end");
    assert_eq!(cache.changes_until(OFFSET_CACHE_START), 0, "no change at the very start");
}

/// The definition of adding business time with a fixed offset: day by day, interval by
/// interval, nothing skipped.
fn add_by_walking_every_interval(engine: &Engine<'_, FixedOffsetClock>, from: i64, amount: i64) -> i64 {
    if amount == 0 {
        return from;
    }
    let mut left = amount;
    let mut day = engine.clock.day_of(from);
    loop {
        if !engine.holidays.contains(&day) {
            for interval in engine.hours.day_by_index(engine::weekday_index(day)) {
                let start = engine.clock.resolve(day, interval.start_secs()).max(from);
                let end = engine.clock.resolve(day, interval.end_secs());
                if end <= start {
                    continue;
                }
                if left <= end - start {
                    return start + left;
                }
                left -= end - start;
            }
        }
        day += 1;
    }
}

/// Random weekly hours: up to three intervals a day on a minute grid, `24:00` included.
fn any_weekly_hours() -> impl Strategy<Value = WeeklyHours> {
    prop::collection::vec(prop::collection::btree_set(0u32..=1440, 0..7), 7).prop_map(|days| {
        let days: Vec<Vec<ShiftInterval>> = days
            .iter()
            .map(|minutes| {
                let minutes: Vec<u32> = minutes.iter().copied().collect();
                minutes
                    .chunks_exact(2)
                    .filter_map(|pair| ShiftInterval::from_secs(pair[0] * 60, pair[1] * 60))
                    .collect()
            })
            .collect();
        WeeklyHours::new(days.try_into().expect("seven days")).expect("sorted, disjoint intervals")
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn adding_whole_days_at_once_equals_walking_every_interval(
        hours in any_weekly_hours(),
        offset_quarters in -56i64..=56,
        from in RANGE_START..RANGE_END,
        holiday_offsets in prop::collection::btree_set(-3i64..120, 0..25),
        weeks_of_hours in 0.0f64..20.0,
        to_a_midnight in prop::option::of(0i64..140),
    ) {
        prop_assume!(hours.week_millis() > 0);
        let clock = FixedOffsetClock { offset_ms: offset_quarters * 15 * MINUTE };
        let first_day = clock.day_of(from);
        let holidays: BTreeSet<i64> = holiday_offsets.iter().map(|d| first_day + d).collect();
        let engine = Engine { clock, hours: &hours, holidays: &holidays };
        let amount = match to_a_midnight {
            // Exactly the business time up to a day boundary: the target is the end of
            // that day's last open interval, not the next day's opening.
            Some(days) => engine.between(from, clock.resolve(first_day + days, 0)),
            // Truncation is fine: any amount in range will do.
            None => (hours.week_millis() as f64 * weeks_of_hours) as i64,
        };
        prop_assert_eq!(
            engine.add(from, amount),
            Ok(add_by_walking_every_interval(&engine, from, amount)),
            "adding {} ms from {}", amount, from
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    /// The clocks chain deadlines (the breach continues from the at-risk instant), which
    /// is exact only if adding in two steps equals adding at once, DST days included.
    #[test]
    fn adding_in_two_steps_equals_adding_at_once(
        calendar in 0..4usize,
        from in instant(),
        x in 0i64..(20 * DAY_MS),
        y in 0i64..(20 * DAY_MS),
    ) {
        let calendar = &property_calendars()[calendar];
        let first = calendar.add_business_millis(from, x).expect("has hours");
        prop_assert_eq!(calendar.add_business_millis(first, y), calendar.add_business_millis(from, x + y));
    }
}
