//! Business calendars: when SLA time accrues. A calendar is either always open (24/7)
//! or an IANA time zone with weekly hours and holidays, parsed once from the stored
//! shapes and reused for every computation.
//!
//! Local times that a DST change skips or repeats are resolved as documented in
//! `engine`: the earliest instant of that local day whose wall clock reads the time or
//! later (a skipped 02:30 opens at the 03:00 transition; a repeated 02:30 is the first
//! one).

mod engine;
mod hours;

use std::collections::BTreeSet;

use jiff::Timestamp;
use jiff::civil::{Date, Time};
use jiff::tz::{Offset, TimeZone};

pub use hours::{ShiftInterval, WeeklyHours};

use engine::{DAY_MS, Engine, FixedOffsetClock, ZoneRulesClock, offset_millis};

/// 0001-01-01T00:00:00Z. Instants are clamped to `[MIN_INSTANT, MAX_INSTANT]`, which
/// keeps every day computation inside jiff's supported range with room to spare.
pub const MIN_INSTANT: i64 = -62_135_596_800_000;
/// 9999-01-01T00:00:00Z.
pub const MAX_INSTANT: i64 = 253_370_764_800_000;

/// How far from a span a UTC-offset change must be for the fixed-offset fast path to be
/// exact: more than a day plus the largest offset swing, so every local day touched by
/// the span resolves with a single offset.
const FAST_PATH_MARGIN_MS: i64 = 3 * DAY_MS;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("unknown time zone {name:?}: {reason}")]
    UnknownTimeZone { name: String, reason: String },
    #[error("weekly hours are not valid JSON: {0}")]
    WeeklyHoursJson(String),
    #[error("weekly hours must be a JSON object keyed by mon, tue, wed, thu, fri, sat, sun; found {0}")]
    WeeklyHoursShape(String),
    #[error("weekly hours: unknown day {0:?} (expected mon, tue, wed, thu, fri, sat or sun)")]
    UnknownDay(String),
    #[error("weekly hours for {day}: {reason}")]
    InvalidInterval { day: &'static str, reason: String },
    #[error("interval {0} does not start before it ends (intervals may not cross midnight; use 24:00 as the end)")]
    StartNotBeforeEnd(String),
    #[error("invalid time of day {0:?} (expected HH:MM or HH:MM:SS between 00:00 and 24:00)")]
    InvalidTimeOfDay(String),
    #[error("invalid holiday date {0:?} (expected YYYY-MM-DD)")]
    InvalidHoliday(String),
    #[error("the calendar has no working hours, so business time never elapses")]
    NoWorkingHours,
    #[error("business time to add must not be negative (got {0} ms)")]
    NegativeAmount(i64),
    #[error("the instant falls outside the supported range (years 1 to 9998)")]
    OutOfRange,
}

/// When SLA time accrues.
#[derive(Debug, Clone, PartialEq)]
pub enum BusinessCalendar {
    /// 24/7: every real millisecond counts, whatever the time zone.
    Always,
    /// Boxed: calendars are few and long-lived, while `Always` is passed around freely.
    Zoned(Box<ZonedCalendar>),
}

/// Offset changes are cached for instants in `[OFFSET_CACHE_START, OFFSET_CACHE_END)`
/// (1970 to 2200), so choosing the fast path there is a table lookup, not a tzdb walk.
const OFFSET_CACHE_START: i64 = 0;
const OFFSET_CACHE_END: i64 = 7_258_118_400_000;

/// A time zone, weekly hours and holidays (civil dates in that zone).
#[derive(Debug, Clone)]
pub struct ZonedCalendar {
    zone_name: String,
    tz: TimeZone,
    hours: WeeklyHours,
    /// Epoch days (local civil days since 1970-01-01), so range queries are cheap.
    holidays: BTreeSet<i64>,
    offsets: OffsetCache,
}

/// The zone's UTC offsets over the cache window: `initial_ms` from the window's start,
/// then `changes[i].1` from instant `changes[i].0` on.
#[derive(Debug, Clone)]
struct OffsetCache {
    initial_ms: i64,
    changes: Vec<(i64, i64)>,
    /// `buckets[b]`: how many changes happen at or before the start of bucket `b`, the
    /// window cut into spans of `2^BUCKET_SHIFT` ms. Every evaluation asks for the offset
    /// around an instant; this turns that binary search over centuries of transitions
    /// into an index plus a step or two.
    buckets: Vec<u32>,
}

/// About 50 days per bucket: zones change offset at most a few times a year, so a lookup
/// rarely steps past more than one change.
const BUCKET_SHIFT: u32 = 32;

impl OffsetCache {
    fn new(tz: &TimeZone) -> OffsetCache {
        let Ok(start) = Timestamp::from_millisecond(OFFSET_CACHE_START) else {
            return OffsetCache { initial_ms: 0, changes: Vec::new(), buckets: Vec::new() };
        };
        let changes: Vec<(i64, i64)> = tz
            .following(start)
            .map(|t| (t.timestamp().as_millisecond(), offset_millis(t.offset())))
            .take_while(|(at, _)| *at < OFFSET_CACHE_END)
            .collect();
        let bucket_count = ((OFFSET_CACHE_END - OFFSET_CACHE_START) >> BUCKET_SHIFT) + 1;
        let buckets = (0..bucket_count)
            .map(|b| {
                let bucket_start = OFFSET_CACHE_START + (b << BUCKET_SHIFT);
                // A zone has a few hundred changes in the window, far below u32::MAX.
                u32::try_from(changes.partition_point(|(at, _)| *at <= bucket_start)).unwrap_or(u32::MAX)
            })
            .collect();
        OffsetCache { initial_ms: offset_millis(tz.to_offset(start)), changes, buckets }
    }

    /// How many changes happen at or before `at`, which must lie in the window: the
    /// same as `changes.partition_point(|c| c.0 <= at)`, without the binary search.
    fn changes_until(&self, at: i64) -> usize {
        let bucket = usize::try_from((at - OFFSET_CACHE_START) >> BUCKET_SHIFT).unwrap_or(usize::MAX);
        let Some(first) = self.buckets.get(bucket) else {
            return self.changes.partition_point(|(change, _)| *change <= at);
        };
        let mut index = *first as usize;
        while self.changes.get(index).is_some_and(|(change, _)| *change <= at) {
            index += 1;
        }
        index
    }

    /// The offset in effect after `index` changes.
    fn offset_after(&self, index: usize) -> i64 {
        index.checked_sub(1).and_then(|i| self.changes.get(i)).map_or(self.initial_ms, |(_, o)| *o)
    }

    /// `Some(answer)` when `[from, to]` lies inside the window: the offset if it is
    /// constant over the span, `None` if it changes.
    fn constant_offset(&self, from: i64, to: i64) -> Option<Option<i64>> {
        if from < OFFSET_CACHE_START || to >= OFFSET_CACHE_END {
            return None;
        }
        let index = self.changes_until(from);
        if self.changes.get(index).is_some_and(|(at, _)| *at <= to) {
            return Some(None);
        }
        Some(Some(self.offset_after(index)))
    }
}

impl PartialEq for ZonedCalendar {
    fn eq(&self, other: &Self) -> bool {
        self.zone_name == other.zone_name && self.hours == other.hours && self.holidays == other.holidays
    }
}

impl ZonedCalendar {
    pub fn new(
        zone_name: &str,
        hours: WeeklyHours,
        holidays: impl IntoIterator<Item = Date>,
    ) -> Result<ZonedCalendar, CalendarError> {
        let tz = TimeZone::get(zone_name)
            .map_err(|e| CalendarError::UnknownTimeZone { name: zone_name.to_owned(), reason: e.to_string() })?;
        let holidays = holidays.into_iter().map(epoch_day).collect();
        let offsets = OffsetCache::new(&tz);
        Ok(ZonedCalendar { zone_name: zone_name.to_owned(), tz, hours, holidays, offsets })
    }

    pub fn zone_name(&self) -> &str {
        &self.zone_name
    }

    pub fn time_zone(&self) -> &TimeZone {
        &self.tz
    }

    pub fn weekly_hours(&self) -> &WeeklyHours {
        &self.hours
    }

    /// Holidays in date order.
    pub fn holidays(&self) -> impl Iterator<Item = Date> + '_ {
        self.holidays.iter().filter_map(|day| date_of_epoch_day(*day))
    }

    /// The fixed offset valid over `[from - margin, to + margin]`, when no transition
    /// falls in there.
    fn fixed_offset_around(&self, from: i64, to: i64) -> Option<FixedOffsetClock> {
        let (from, to) = (from - FAST_PATH_MARGIN_MS, to.saturating_add(FAST_PATH_MARGIN_MS));
        if let Some(cached) = self.offsets.constant_offset(from, to) {
            return cached.map(|offset_ms| FixedOffsetClock { offset_ms });
        }
        let start = Timestamp::from_millisecond(from).ok()?;
        match self.tz.following(start).next() {
            Some(transition) if transition.timestamp().as_millisecond() <= to => None,
            _ => Some(FixedOffsetClock { offset_ms: offset_millis(self.tz.to_offset(start)) }),
        }
    }

    fn fixed_engine(&self, clock: FixedOffsetClock) -> Engine<'_, FixedOffsetClock> {
        Engine { clock, hours: &self.hours, holidays: &self.holidays }
    }

    fn rules_engine(&self) -> Engine<'_, ZoneRulesClock<'_>> {
        Engine { clock: ZoneRulesClock { tz: &self.tz }, hours: &self.hours, holidays: &self.holidays }
    }

    fn business_millis_between(&self, from: i64, to: i64) -> i64 {
        match self.fixed_offset_around(from, to) {
            Some(clock) => self.fixed_engine(clock).between(from, to),
            None => self.rules_engine().between(from, to),
        }
    }

    /// The offset at `at` and the first offset change strictly after it.
    fn offset_and_next_change(&self, at: i64) -> Result<(i64, Option<i64>), CalendarError> {
        if (OFFSET_CACHE_START..OFFSET_CACHE_END).contains(&at) {
            let index = self.offsets.changes_until(at);
            let offset = self.offsets.offset_after(index);
            let next = self.offsets.changes.get(index).map(|(change, _)| *change);
            // Past the cached window, changes may continue; treat the window's end as one.
            return Ok((offset, Some(next.unwrap_or(OFFSET_CACHE_END))));
        }
        let start = Timestamp::from_millisecond(at).map_err(|_| CalendarError::OutOfRange)?;
        let next = self.tz.following(start).next().map(|t| t.timestamp().as_millisecond());
        Ok((offset_millis(self.tz.to_offset(start)), next))
    }

    fn add_business_millis(&self, from: i64, amount: i64) -> Result<i64, CalendarError> {
        let (offset_ms, next_transition) = self.offset_and_next_change(from - FAST_PATH_MARGIN_MS)?;
        let fixed = FixedOffsetClock { offset_ms };
        match next_transition {
            None => self.fixed_engine(fixed).add(from, amount),
            Some(transition) => match self.fixed_engine(fixed).add(from, amount) {
                // The fixed-offset answer is exact as long as every day it looked at
                // resolved before the transition; otherwise redo it with the full rules.
                Ok(t) if t.saturating_add(FAST_PATH_MARGIN_MS) < transition => Ok(t),
                Err(e @ (CalendarError::NoWorkingHours | CalendarError::NegativeAmount(_))) => Err(e),
                _ => self.rules_engine().add(from, amount),
            },
        }
    }

    fn is_open(&self, at: i64) -> bool {
        match self.fixed_offset_around(at, at) {
            Some(clock) => self.fixed_engine(clock).is_open(at),
            None => self.rules_engine().is_open(at),
        }
    }
}

impl BusinessCalendar {
    /// A zoned calendar from already-parsed parts.
    pub fn zoned(
        zone_name: &str,
        hours: WeeklyHours,
        holidays: impl IntoIterator<Item = Date>,
    ) -> Result<BusinessCalendar, CalendarError> {
        Ok(BusinessCalendar::Zoned(Box::new(ZonedCalendar::new(zone_name, hours, holidays)?)))
    }

    /// A zoned calendar from the stored columns: `calendars.time_zone`,
    /// `calendars.weekly_hours` (JSON) and the `holidays.date` values (`YYYY-MM-DD`).
    pub fn from_stored<'h>(
        time_zone: &str,
        weekly_hours_json: &str,
        holiday_dates: impl IntoIterator<Item = &'h str>,
    ) -> Result<BusinessCalendar, CalendarError> {
        let hours = WeeklyHours::from_json(weekly_hours_json)?;
        let holidays = holiday_dates.into_iter().map(parse_holiday_date).collect::<Result<Vec<_>, _>>()?;
        BusinessCalendar::zoned(time_zone, hours, holidays)
    }

    /// Business time elapsed in `[from, to)`, in millis; 0 when `to ≤ from`.
    /// Instants are clamped to [`MIN_INSTANT`, `MAX_INSTANT`].
    pub fn business_millis_between(&self, from: i64, to: i64) -> i64 {
        let (from, to) = (clamp_instant(from), clamp_instant(to));
        if to <= from {
            return 0;
        }
        match self {
            BusinessCalendar::Always => to - from,
            BusinessCalendar::Zoned(calendar) => calendar.business_millis_between(from, to),
        }
    }

    /// The earliest instant at which `amount` millis of business time have elapsed since
    /// `from` (so `from` itself when `amount` is 0). Fails, rather than looping, for a
    /// calendar without any working hours, and for a result past [`MAX_INSTANT`].
    pub fn add_business_millis(&self, from: i64, amount: i64) -> Result<i64, CalendarError> {
        if amount < 0 {
            return Err(CalendarError::NegativeAmount(amount));
        }
        let from = clamp_instant(from);
        match self {
            BusinessCalendar::Always => {
                from.checked_add(amount).filter(|t| *t <= MAX_INSTANT).ok_or(CalendarError::OutOfRange)
            }
            BusinessCalendar::Zoned(calendar) => calendar.add_business_millis(from, amount),
        }
    }

    /// Whether business time accrues during the millisecond starting at `at`.
    pub fn is_open(&self, at: i64) -> bool {
        match self {
            BusinessCalendar::Always => true,
            BusinessCalendar::Zoned(calendar) => calendar.is_open(clamp_instant(at)),
        }
    }
}

fn clamp_instant(t: i64) -> i64 {
    t.clamp(MIN_INSTANT, MAX_INSTANT)
}

/// Strict `YYYY-MM-DD`, as stored in `holidays.date`.
pub fn parse_holiday_date(text: &str) -> Result<Date, CalendarError> {
    let invalid = || CalendarError::InvalidHoliday(text.to_owned());
    let bytes = text.as_bytes();
    let shape_ok = bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes.iter().enumerate().all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
    if !shape_ok {
        return Err(invalid());
    }
    let year: i16 = text[0..4].parse().map_err(|_| invalid())?;
    let month: i8 = text[5..7].parse().map_err(|_| invalid())?;
    let day: i8 = text[8..10].parse().map_err(|_| invalid())?;
    Date::new(year, month, day).map_err(|_| invalid())
}

/// Days since 1970-01-01 of a civil date.
pub(crate) fn epoch_day(date: Date) -> i64 {
    match Offset::UTC.to_timestamp(date.to_datetime(Time::midnight())) {
        Ok(ts) => ts.as_second().div_euclid(86_400),
        // Only the extreme ends of jiff's range fail; they are far outside any calendar.
        Err(_) => {
            if date.year() < 0 {
                i64::MIN / 4
            } else {
                i64::MAX / 4
            }
        }
    }
}

pub(crate) fn date_of_epoch_day(day: i64) -> Option<Date> {
    Some(Offset::UTC.to_datetime(Timestamp::from_second(day.checked_mul(86_400)?).ok()?).date())
}

#[cfg(test)]
mod tests;
