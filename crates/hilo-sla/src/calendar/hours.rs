//! Weekly opening hours: which stretches of each local weekday are business time, parsed
//! from and written back to the stored `calendars.weekly_hours` JSON shape.

use jiff::civil::Weekday;
use serde_json::{Map, Value};

use super::CalendarError;

pub(crate) const SECS_PER_DAY: u32 = 86_400;

/// Keys of the stored JSON object, Monday first; the index is the weekday's position
/// everywhere in this crate (Monday = 0 … Sunday = 6).
pub(crate) const DAY_KEYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// One stretch of business time inside a single local day, `[start, end)`.
///
/// Invariant: `start < end ≤ 24:00`. An interval never crosses midnight; a night shift
/// is written as two intervals (`22:00–24:00` and the next day's `00:00–06:00`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ShiftInterval {
    start_secs: u32,
    end_secs: u32,
}

impl ShiftInterval {
    /// Builds an interval from `HH:MM` (or `HH:MM:SS`) local wall-clock times; `24:00`
    /// is accepted as an end meaning "until midnight".
    pub fn parse(start: &str, end: &str) -> Result<ShiftInterval, CalendarError> {
        let start_secs = parse_time_of_day(start)?;
        if start_secs == SECS_PER_DAY {
            return Err(CalendarError::InvalidTimeOfDay(start.to_owned()));
        }
        let end_secs = parse_time_of_day(end)?;
        ShiftInterval::from_secs(start_secs, end_secs)
            .ok_or_else(|| CalendarError::StartNotBeforeEnd(format!("{start}–{end}")))
    }

    /// Seconds since local midnight; `None` unless `start < end ≤ 86 400`.
    pub fn from_secs(start_secs: u32, end_secs: u32) -> Option<ShiftInterval> {
        (start_secs < end_secs && end_secs <= SECS_PER_DAY).then_some(ShiftInterval { start_secs, end_secs })
    }

    pub fn start_secs(self) -> u32 {
        self.start_secs
    }

    /// Seconds since local midnight; 86 400 means the interval runs to the end of the day.
    pub fn end_secs(self) -> u32 {
        self.end_secs
    }

    /// Nominal length: what the interval lasts on a day without a UTC-offset change.
    pub fn nominal_millis(self) -> i64 {
        i64::from(self.end_secs - self.start_secs) * 1000
    }
}

/// Opening hours for each weekday. Several intervals per day express split shifts.
///
/// Invariant (checked by [`WeeklyHours::new`]): each day's intervals are sorted and do
/// not overlap (touching, like `09:00–14:00` and `14:00–18:00`, is allowed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeeklyHours {
    days: [Vec<ShiftInterval>; 7],
    /// Nominal business millis per weekday, cached because whole-week arithmetic uses them.
    day_millis: [i64; 7],
    week_millis: i64,
}

impl WeeklyHours {
    /// No business time on any day.
    pub fn closed() -> WeeklyHours {
        WeeklyHours { days: Default::default(), day_millis: [0; 7], week_millis: 0 }
    }

    /// `days[0]` is Monday, `days[6]` Sunday.
    pub fn new(days: [Vec<ShiftInterval>; 7]) -> Result<WeeklyHours, CalendarError> {
        for (key, intervals) in DAY_KEYS.iter().zip(&days) {
            for pair in intervals.windows(2) {
                let (a, b) = (pair[0], pair[1]);
                if b.start_secs < a.end_secs {
                    return Err(CalendarError::InvalidInterval {
                        day: key,
                        reason: format!(
                            "{} overlaps or is listed before {}; intervals must be sorted and must not overlap",
                            describe(b),
                            describe(a)
                        ),
                    });
                }
            }
        }
        let day_millis = days.each_ref().map(|intervals| intervals.iter().map(|i| i.nominal_millis()).sum::<i64>());
        let week_millis = day_millis.iter().sum();
        Ok(WeeklyHours { days, day_millis, week_millis })
    }

    /// The same intervals on Monday to Friday, weekends closed.
    pub fn weekdays(intervals: &[ShiftInterval]) -> Result<WeeklyHours, CalendarError> {
        let mut days: [Vec<ShiftInterval>; 7] = Default::default();
        for day in days.iter_mut().take(5) {
            *day = intervals.to_vec();
        }
        WeeklyHours::new(days)
    }

    /// Every day `00:00–24:00`: wall-clock days in the zone, holidays still closed.
    pub fn all_day_every_day() -> WeeklyHours {
        let whole_day = ShiftInterval { start_secs: 0, end_secs: SECS_PER_DAY };
        let day_millis = [whole_day.nominal_millis(); 7];
        WeeklyHours { days: std::array::from_fn(|_| vec![whole_day]), day_millis, week_millis: day_millis.iter().sum() }
    }

    /// Parses the stored shape `{"mon":[["09:00","14:00"],["15:00","19:00"]], …, "sun":[]}`.
    /// A missing day is closed; an unknown key is an error (it is almost always a typo).
    pub fn from_json(json: &str) -> Result<WeeklyHours, CalendarError> {
        let value: Value = serde_json::from_str(json).map_err(|e| CalendarError::WeeklyHoursJson(e.to_string()))?;
        WeeklyHours::from_json_value(&value)
    }

    pub fn from_json_value(value: &Value) -> Result<WeeklyHours, CalendarError> {
        let Value::Object(map) = value else {
            return Err(CalendarError::WeeklyHoursShape(format!("a JSON {}", json_kind(value))));
        };
        let mut days: [Vec<ShiftInterval>; 7] = Default::default();
        for (key, intervals) in map {
            let index = DAY_KEYS.iter().position(|k| k == key).ok_or_else(|| CalendarError::UnknownDay(key.clone()))?;
            days[index] = parse_day(DAY_KEYS[index], intervals)?;
        }
        WeeklyHours::new(days)
    }

    /// The stored JSON shape, every day present, times as `HH:MM` (`HH:MM:SS` when needed).
    pub fn to_json_value(&self) -> Value {
        let mut map = Map::new();
        for (key, intervals) in DAY_KEYS.iter().zip(&self.days) {
            let list = intervals
                .iter()
                .map(|i| {
                    Value::Array(vec![Value::String(format_time(i.start_secs)), Value::String(format_time(i.end_secs))])
                })
                .collect();
            map.insert((*key).to_owned(), Value::Array(list));
        }
        Value::Object(map)
    }

    pub fn day(&self, weekday: Weekday) -> &[ShiftInterval] {
        &self.days[usize::from(weekday.to_monday_zero_offset().unsigned_abs())]
    }

    pub(crate) fn day_by_index(&self, index: usize) -> &[ShiftInterval] {
        &self.days[index]
    }

    pub(crate) fn nominal_day_millis(&self, index: usize) -> i64 {
        self.day_millis[index]
    }

    /// Nominal business millis in a week without holidays or UTC-offset changes.
    pub fn week_millis(&self) -> i64 {
        self.week_millis
    }
}

fn parse_day(key: &'static str, value: &Value) -> Result<Vec<ShiftInterval>, CalendarError> {
    let shape_error = |what: String| CalendarError::InvalidInterval {
        day: key,
        reason: format!("expected a list of [\"HH:MM\", \"HH:MM\"] pairs, found {what}"),
    };
    let Value::Array(items) = value else {
        return Err(shape_error(format!("a JSON {}", json_kind(value))));
    };
    let mut intervals = Vec::with_capacity(items.len());
    for item in items {
        let pair = match item {
            Value::Array(pair) if pair.len() == 2 => pair,
            other => return Err(shape_error(other.to_string())),
        };
        let (Value::String(start), Value::String(end)) = (&pair[0], &pair[1]) else {
            return Err(shape_error(item.to_string()));
        };
        let interval = ShiftInterval::parse(start, end)
            .map_err(|e| CalendarError::InvalidInterval { day: key, reason: e.to_string() })?;
        intervals.push(interval);
    }
    Ok(intervals)
}

/// `HH:MM` or `HH:MM:SS`, 00:00 to 24:00 inclusive, as seconds since midnight.
fn parse_time_of_day(text: &str) -> Result<u32, CalendarError> {
    let invalid = || CalendarError::InvalidTimeOfDay(text.to_owned());
    let mut parts = text.split(':');
    let mut field = |max: u32| -> Result<Option<u32>, CalendarError> {
        match parts.next() {
            None => Ok(None),
            Some(p) if p.len() == 2 && p.bytes().all(|b| b.is_ascii_digit()) => {
                let n: u32 = p.parse().map_err(|_| invalid())?;
                if n > max { Err(invalid()) } else { Ok(Some(n)) }
            }
            Some(_) => Err(invalid()),
        }
    };
    let hours = field(24)?.ok_or_else(invalid)?;
    let minutes = field(59)?.ok_or_else(invalid)?;
    let seconds = field(59)?.unwrap_or(0);
    if field(0)?.is_some() {
        return Err(invalid());
    }
    let total = hours * 3600 + minutes * 60 + seconds;
    if total > SECS_PER_DAY {
        return Err(invalid());
    }
    Ok(total)
}

fn format_time(secs: u32) -> String {
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    if s == 0 { format!("{h:02}:{m:02}") } else { format!("{h:02}:{m:02}:{s:02}") }
}

fn describe(interval: ShiftInterval) -> String {
    format!("{}–{}", format_time(interval.start_secs), format_time(interval.end_secs))
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}
