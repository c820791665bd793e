//! A small, tolerant iCalendar (RFC 5545) reader for holiday feeds: it extracts the
//! date and summary of each VEVENT and ignores everything else. Malformed input is an
//! [`IcalError`] naming the line, never a panic.
//!
//! Tolerated: CRLF or LF line ends, a UTF-8 byte-order mark, folded lines (a line that
//! starts with a space or tab continues the previous one), unknown properties and
//! components, parameters in any case. `DTSTART` may be a date (`20261225`, with or
//! without `VALUE=DATE`) or a date-time (`20261225T000000`, optionally `Z` or with a
//! `TZID`); only its date as written is used — a feed of holidays names days, not
//! instants. A date-only `DTEND` later than the day after `DTSTART` makes the event
//! cover every day up to (excluding) `DTEND`. Recurrence rules are not expanded.

use jiff::Span;
use jiff::civil::Date;

/// Longest multi-day event accepted, so a typo in a year cannot expand to centuries.
const MAX_EVENT_DAYS: i64 = 366;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("iCalendar line {line}: {reason}")]
pub struct IcalError {
    /// 1-based line number in the input, where the offending logical line starts.
    pub line: usize,
    pub reason: String,
}

/// Every VEVENT's date(s) and summary, in feed order. A missing SUMMARY gives "".
pub fn parse_holidays(ics: &str) -> Result<Vec<(Date, String)>, IcalError> {
    let mut holidays = Vec::new();
    // Depth of components nested inside the current VEVENT (VALARM…), whose
    // properties must not be mistaken for the event's own.
    let mut event: Option<EventDraft> = None;
    let mut nested_depth = 0usize;

    for (line_no, line) in unfold(ics) {
        if line.trim().is_empty() {
            continue;
        }
        let content = ContentLine::parse(&line).map_err(|reason| IcalError { line: line_no, reason })?;
        let error = |reason: String| IcalError { line: line_no, reason };
        match (content.name.as_str(), event.as_mut()) {
            ("BEGIN", None) if content.value.eq_ignore_ascii_case("VEVENT") => {
                event = Some(EventDraft { begin_line: line_no, ..EventDraft::default() });
            }
            ("BEGIN", Some(_)) => {
                if content.value.eq_ignore_ascii_case("VEVENT") {
                    return Err(error("BEGIN:VEVENT inside another VEVENT".to_owned()));
                }
                nested_depth += 1;
            }
            ("END", Some(_)) if nested_depth > 0 => nested_depth -= 1,
            ("END", Some(draft)) if content.value.eq_ignore_ascii_case("VEVENT") => {
                let Some(start) = draft.start else {
                    return Err(error(format!("VEVENT starting at line {} has no DTSTART", draft.begin_line)));
                };
                let summary = draft.summary.take().unwrap_or_default();
                push_days(&mut holidays, start, draft.end_date, summary).map_err(error)?;
                event = None;
            }
            ("END", Some(_)) => {
                return Err(error(format!("END:{} while a VEVENT is open", content.value)));
            }
            ("END", None) if content.value.eq_ignore_ascii_case("VEVENT") => {
                return Err(error("END:VEVENT without BEGIN:VEVENT".to_owned()));
            }
            (_, Some(draft)) if nested_depth == 0 => match content.name.as_str() {
                "DTSTART" => draft.start = Some(parse_date_value(&content.value).map_err(error)?.0),
                "DTEND" => {
                    let (date, form) = parse_date_value(&content.value).map_err(error)?;
                    draft.end_date = matches!(form, DateForm::DateOnly).then_some(date);
                }
                "SUMMARY" => draft.summary = Some(unescape_text(&content.value)),
                _ => {}
            },
            _ => {}
        }
    }
    if let Some(draft) = event {
        return Err(IcalError {
            line: draft.begin_line,
            reason: "BEGIN:VEVENT is never closed by END:VEVENT".to_owned(),
        });
    }
    Ok(holidays)
}

#[derive(Debug, Default)]
struct EventDraft {
    begin_line: usize,
    start: Option<Date>,
    end_date: Option<Date>,
    summary: Option<String>,
}

fn push_days(
    holidays: &mut Vec<(Date, String)>,
    start: Date,
    end: Option<Date>,
    summary: String,
) -> Result<(), String> {
    let Some(end) = end.filter(|end| *end > start) else {
        holidays.push((start, summary));
        return Ok(());
    };
    let days = start.until(end).map_err(|e| e.to_string())?.get_days();
    if i64::from(days) > MAX_EVENT_DAYS {
        return Err(format!("event from {start} to {end} spans more than {MAX_EVENT_DAYS} days"));
    }
    for offset in 0..days {
        let date = start.checked_add(Span::new().days(offset)).map_err(|e| e.to_string())?;
        holidays.push((date, summary.clone()));
    }
    Ok(())
}

/// Logical lines with the 1-based physical line number each starts on.
fn unfold(ics: &str) -> Vec<(usize, String)> {
    let ics = ics.strip_prefix('\u{feff}').unwrap_or(ics);
    let mut lines: Vec<(usize, String)> = Vec::new();
    for (index, raw) in ics.split('\n').enumerate() {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        match (raw.strip_prefix([' ', '\t']), lines.last_mut()) {
            (Some(continuation), Some((_, previous))) => previous.push_str(continuation),
            _ => lines.push((index + 1, raw.to_owned())),
        }
    }
    lines
}

/// `NAME;PARAM=…;PARAM="…:…":VALUE`, the name upper-cased.
struct ContentLine {
    name: String,
    value: String,
}

impl ContentLine {
    fn parse(line: &str) -> Result<ContentLine, String> {
        let mut in_quotes = false;
        let colon = line.char_indices().find_map(|(i, c)| match c {
            '"' => {
                in_quotes = !in_quotes;
                None
            }
            ':' if !in_quotes => Some(i),
            _ => None,
        });
        let Some(colon) = colon else {
            return Err(format!("expected NAME:VALUE, found {:?}", truncate(line)));
        };
        let head = &line[..colon];
        let name = head.split(';').next().unwrap_or(head).trim();
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(format!("invalid property name in {:?}", truncate(line)));
        }
        Ok(ContentLine { name: name.to_ascii_uppercase(), value: line[colon + 1..].trim().to_owned() })
    }
}

enum DateForm {
    DateOnly,
    DateTime,
}

/// `YYYYMMDD` or `YYYYMMDDTHHMMSS[Z]`.
fn parse_date_value(value: &str) -> Result<(Date, DateForm), String> {
    let invalid = || format!("expected a date YYYYMMDD or date-time YYYYMMDDTHHMMSS[Z], found {:?}", truncate(value));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let (date_part, form) = match value.len() {
        8 => (value, DateForm::DateOnly),
        15 | 16 => {
            let time = value.get(9..15).ok_or_else(invalid)?;
            let utc_suffix_ok = value.len() == 15 || value.ends_with(['Z', 'z']);
            let separator_ok = value.as_bytes().get(8).is_some_and(|b| b.eq_ignore_ascii_case(&b'T'));
            if !(separator_ok && utc_suffix_ok && digits(time)) {
                return Err(invalid());
            }
            (value.get(..8).ok_or_else(invalid)?, DateForm::DateTime)
        }
        _ => return Err(invalid()),
    };
    if !digits(date_part) {
        return Err(invalid());
    }
    let year: i16 = date_part[0..4].parse().map_err(|_| invalid())?;
    let month: i8 = date_part[4..6].parse().map_err(|_| invalid())?;
    let day: i8 = date_part[6..8].parse().map_err(|_| invalid())?;
    let date = Date::new(year, month, day).map_err(|_| format!("{:?} is not a calendar date", truncate(value)))?;
    Ok((date, form))
}

/// RFC 5545 TEXT escapes: `\\`, `\;`, `\,`, `\n`/`\N`; an unknown escape keeps its character.
fn unescape_text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n' | 'N') => out.push('\n'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

fn truncate(text: &str) -> String {
    text.chars().take(60).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn reads_date_and_utc_datetime_forms_with_summaries() {
        let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261225\r\n\
                   SUMMARY:Navidad\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nDTSTART:20260101T000000Z\r\n\
                   SUMMARY:Año Nuevo\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        let holidays = parse_holidays(ics).expect("a well-formed feed parses");
        assert_eq!(
            holidays,
            vec![(date(2026, 12, 25), "Navidad".to_owned()), (date(2026, 1, 1), "Año Nuevo".to_owned())],
            "both DTSTART forms give the date as written, in feed order"
        );
    }

    #[test]
    fn unfolds_continuation_lines_with_lf_endings_and_unescapes_text() {
        let ics = "BEGIN:VEVENT\nDTSTART;VALUE=DATE:20260506\nSUMMARY:Día de la\n  Batalla\\, Puebla\n\
                   \t (local)\nEND:VEVENT\n";
        let holidays = parse_holidays(ics).expect("folded lines are tolerated");
        assert_eq!(
            holidays,
            vec![(date(2026, 5, 6), "Día de la Batalla, Puebla (local)".to_owned())],
            "a leading space or tab continues the previous line and is removed once"
        );
    }

    #[test]
    fn ignores_properties_of_nested_and_unrelated_components() {
        let ics = "BEGIN:VCALENDAR\nBEGIN:VTIMEZONE\nTZID:Europe/Madrid\nBEGIN:STANDARD\nDTSTART:19701025T030000\n\
                   END:STANDARD\nEND:VTIMEZONE\nBEGIN:VEVENT\nDTSTART;TZID=\"Europe/Madrid\":20261012T000000\n\
                   X-UNKNOWN;FOO=\"a:b\":whatever\nSUMMARY:Fiesta Nacional\nBEGIN:VALARM\nTRIGGER:-PT15M\n\
                   DTSTART:20000101\nEND:VALARM\nEND:VEVENT\nEND:VCALENDAR";
        let holidays = parse_holidays(ics).expect("time zones, alarms and unknown properties are skipped");
        assert_eq!(
            holidays,
            vec![(date(2026, 10, 12), "Fiesta Nacional".to_owned())],
            "only the VEVENT's own DTSTART counts"
        );
    }

    #[test]
    fn expands_multi_day_all_day_events() {
        let ics = "BEGIN:VEVENT\nDTSTART;VALUE=DATE:20261224\nDTEND;VALUE=DATE:20261227\nSUMMARY:Navidad\nEND:VEVENT\n\
                   BEGIN:VEVENT\nDTSTART;VALUE=DATE:20260101\nDTEND;VALUE=DATE:20260102\nEND:VEVENT";
        let days: Vec<_> = parse_holidays(ics).expect("parses").into_iter().map(|(d, _)| d).collect();
        assert_eq!(
            days,
            vec![date(2026, 12, 24), date(2026, 12, 25), date(2026, 12, 26), date(2026, 1, 1)],
            "DTEND is exclusive; a one-day DTEND adds nothing"
        );
    }

    #[test]
    fn malformed_input_is_a_clear_error_with_the_line() {
        let cases: &[(&str, usize, &str)] = &[
            ("BEGIN:VEVENT\nDTSTART:2026122\nEND:VEVENT", 2, "expected a date"),
            ("BEGIN:VEVENT\nDTSTART:20260230\nEND:VEVENT", 2, "not a calendar date"),
            ("BEGIN:VEVENT\nSUMMARY:x\nEND:VEVENT", 3, "no DTSTART"),
            ("BEGIN:VEVENT\nDTSTART:20260101\n", 1, "never closed"),
            ("END:VEVENT", 1, "without BEGIN"),
            ("BEGIN:VEVENT\nthis is not ical\nEND:VEVENT", 2, "NAME:VALUE"),
            ("BEGIN:VEVENT\nBEGIN:VEVENT\n", 2, "inside another"),
            ("BEGIN:VEVENT\nDTSTART;VALUE=DATE:20260101\nDTEND;VALUE=DATE:20300101\nEND:VEVENT", 4, "more than 366"),
        ];
        for (ics, line, needle) in cases {
            let error = parse_holidays(ics).expect_err("malformed feeds are rejected");
            assert_eq!(error.line, *line, "error for {ics:?} points at the right line: {error}");
            assert!(error.to_string().contains(needle), "error for {ics:?} explains itself: {error}");
        }
    }

    #[test]
    fn empty_and_event_free_input_give_no_holidays() {
        assert_eq!(parse_holidays("").expect("empty is fine"), vec![], "nothing in, nothing out");
        assert_eq!(
            parse_holidays("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n").expect("calendar without events"),
            vec![],
            "a calendar without events has no holidays"
        );
    }

    proptest::proptest! {
        #[test]
        fn never_panics_on_arbitrary_input(text in ".{0,400}") {
            let _ = parse_holidays(&text);
        }

        #[test]
        fn never_panics_on_ical_like_noise(
            lines in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::strategy::Just("BEGIN:VEVENT".to_owned()),
                    proptest::strategy::Just("END:VEVENT".to_owned()),
                    "DTSTART(;VALUE=DATE)?:[0-9TZ]{0,17}",
                    "DTEND(;VALUE=DATE)?:[0-9TZ]{0,17}",
                    "SUMMARY:[^\r\n]{0,20}",
                    "[ \t][^\r\n]{0,10}",
                ],
                0..30,
            )
        ) {
            let _ = parse_holidays(&lines.join("\r\n"));
        }
    }
}
