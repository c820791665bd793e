//! Business-time arithmetic over local days, generic over how local wall-clock times map
//! to instants: a fixed offset (the fast path, used whenever no UTC-offset change is
//! near) or the full time-zone rules (used around DST transitions).
//!
//! Days are numbered as local civil days since 1970-01-01 ("epoch days").
//!
//! Wall-clock times that do not map to exactly one instant are resolved by one rule:
//! a local time `X` on day `d` is the *earliest instant of day `d` whose wall clock
//! reads `X` or later*. So a time inside a spring-forward gap (02:30 in Madrid on the
//! last Sunday of March) resolves to the transition instant (03:00 CEST), and a time in
//! a fall-back overlap (02:30 on the last Sunday of October) resolves to its first
//! occurrence (02:30 CEST). An interval is therefore open from the first moment the
//! wall clock shows its start until the first moment it shows its end, and `24:00` is
//! the next day's `00:00`, so consecutive days and touching intervals stay contiguous.

use std::collections::BTreeSet;

use jiff::Timestamp;
use jiff::tz::{AmbiguousOffset, Offset, TimeZone};

use super::hours::{SECS_PER_DAY, WeeklyHours};
use super::{CalendarError, MAX_INSTANT};

pub(crate) const DAY_MS: i64 = 86_400_000;
const MAX_DAY: i64 = MAX_INSTANT / DAY_MS;

/// How local wall-clock times of a zone map to instants.
pub(crate) trait LocalClock {
    /// Whether every day's intervals last exactly their nominal length, so whole days
    /// can be counted without resolving them.
    const NOMINAL_DAYS: bool = false;
    /// The local day an instant belongs to: the `d` with `resolve(d, 0) ≤ t < resolve(d + 1, 0)`.
    fn day_of(&self, t: i64) -> i64;
    /// The instant of local time `secs` (0 ..= 86 400) on day `day`, per the module rule.
    fn resolve(&self, day: i64, secs: u32) -> i64;
    /// Calls `visit` (in increasing order, once each) for every day in `[from_day, to_day)`
    /// whose intervals may not last their nominal length because the UTC offset changes.
    /// Visiting extra days is harmless; missing one is not.
    fn visit_offset_change_days(&self, from_day: i64, to_day: i64, visit: &mut dyn FnMut(i64));
}

/// A zone with the same UTC offset over the whole span being computed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FixedOffsetClock {
    pub(crate) offset_ms: i64,
}

impl LocalClock for FixedOffsetClock {
    const NOMINAL_DAYS: bool = true;

    fn day_of(&self, t: i64) -> i64 {
        (t + self.offset_ms).div_euclid(DAY_MS)
    }

    fn resolve(&self, day: i64, secs: u32) -> i64 {
        day * DAY_MS + i64::from(secs) * 1000 - self.offset_ms
    }

    fn visit_offset_change_days(&self, _from_day: i64, _to_day: i64, _visit: &mut dyn FnMut(i64)) {}
}

/// The full rules of an IANA zone, transitions included.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ZoneRulesClock<'a> {
    pub(crate) tz: &'a TimeZone,
}

impl ZoneRulesClock<'_> {
    fn offset_ms(&self, t: i64) -> i64 {
        match Timestamp::from_millisecond(t) {
            Ok(ts) => offset_millis(self.tz.to_offset(ts)),
            Err(_) => 0,
        }
    }
}

pub(crate) fn offset_millis(offset: Offset) -> i64 {
    i64::from(offset.seconds()) * 1000
}

impl LocalClock for ZoneRulesClock<'_> {
    fn day_of(&self, t: i64) -> i64 {
        let mut day = (t + self.offset_ms(t)).div_euclid(DAY_MS);
        // The naive day can be off by one only around a transition that crosses local
        // midnight; two steps each way is more than any real zone needs.
        for _ in 0..2 {
            if t < self.resolve(day, 0) {
                day -= 1;
            } else if t >= self.resolve(day + 1, 0) {
                day += 1;
            } else {
                break;
            }
        }
        day
    }

    fn resolve(&self, day: i64, secs: u32) -> i64 {
        let local_secs = day * 86_400 + i64::from(secs);
        let naive_ms = local_secs * 1000;
        let Ok(as_utc) = Timestamp::from_second(local_secs) else {
            return naive_ms;
        };
        let wall = Offset::UTC.to_datetime(as_utc);
        match self.tz.to_ambiguous_timestamp(wall).offset() {
            AmbiguousOffset::Unambiguous { offset } => naive_ms - offset_millis(offset),
            // Both occurrences are valid; the earlier one is the larger offset.
            AmbiguousOffset::Fold { before, after } => naive_ms - offset_millis(before).max(offset_millis(after)),
            // The wall clock jumps over `wall`: the first instant reading it or later is
            // the transition itself, which lies in (naive - after, naive - before].
            AmbiguousOffset::Gap { before, after } => {
                let earliest = naive_ms - offset_millis(after);
                let latest = naive_ms - offset_millis(before);
                Timestamp::from_millisecond(earliest)
                    .ok()
                    .and_then(|ts| self.tz.following(ts).next())
                    .map(|transition| transition.timestamp().as_millisecond())
                    .filter(|t| *t > earliest && *t <= latest)
                    .unwrap_or(latest)
            }
        }
    }

    fn visit_offset_change_days(&self, from_day: i64, to_day: i64, visit: &mut dyn FnMut(i64)) {
        if to_day <= from_day {
            return;
        }
        let Ok(start) = Timestamp::from_millisecond((from_day - 2) * DAY_MS) else {
            return;
        };
        let stop = to_day.saturating_add(2).saturating_mul(DAY_MS);
        // Only reached for spans that contain a transition, so this small allocation is
        // off the hot path.
        let mut days = Vec::new();
        for transition in self.tz.following(start) {
            let at = transition.timestamp().as_millisecond();
            if at > stop {
                break;
            }
            days.push((at - 1 + self.offset_ms(at - 1)).div_euclid(DAY_MS));
            days.push((at + offset_millis(transition.offset())).div_euclid(DAY_MS));
        }
        days.sort_unstable();
        days.dedup();
        for day in days.into_iter().filter(|d| (from_day..to_day).contains(d)) {
            visit(day);
        }
    }
}

/// Monday = 0 … Sunday = 6; 1970-01-01 was a Thursday.
pub(crate) fn weekday_index(day: i64) -> usize {
    // rem_euclid(7) is in 0..7, so the cast cannot truncate.
    (day + 3).rem_euclid(7) as usize
}

/// What walking one day found while looking for an amount of business time.
enum DayWalk {
    Reached(i64),
    Consumed(i64),
}

/// Answers "is this a holiday?" for a walk over increasing days with one comparison per
/// day, looking the next holiday up only when the walk passes it.
struct HolidayCursor<'a> {
    holidays: &'a BTreeSet<i64>,
    /// The first holiday on or after the day last looked up; valid for every day up to
    /// `checked_until` (that holiday, or the end of time when none follows).
    next: Option<i64>,
    checked_until: i64,
}

impl HolidayCursor<'_> {
    /// `day` must not decrease between calls.
    fn contains(&mut self, day: i64) -> bool {
        if day > self.checked_until {
            self.next = self.holidays.range(day..).next().copied();
            self.checked_until = self.next.unwrap_or(i64::MAX);
        }
        self.next == Some(day)
    }
}

pub(crate) struct Engine<'a, Z> {
    pub(crate) clock: Z,
    pub(crate) hours: &'a WeeklyHours,
    pub(crate) holidays: &'a BTreeSet<i64>,
}

impl<Z: LocalClock> Engine<'_, Z> {
    fn is_holiday(&self, day: i64) -> bool {
        self.holidays.contains(&day)
    }

    /// Instants `[start, end)` of one interval on `day`.
    fn interval_instants(&self, day: i64, start_secs: u32, end_secs: u32) -> (i64, i64) {
        let start = self.clock.resolve(day, start_secs);
        let end =
            if end_secs >= SECS_PER_DAY { self.clock.resolve(day + 1, 0) } else { self.clock.resolve(day, end_secs) };
        (start, end.max(start))
    }

    /// Business millis of `day` that fall inside `[lo, hi)`.
    pub(crate) fn day_business(&self, day: i64, lo: i64, hi: i64) -> i64 {
        if self.is_holiday(day) {
            return 0;
        }
        let mut total = 0;
        for interval in self.hours.day_by_index(weekday_index(day)) {
            let (start, end) = self.interval_instants(day, interval.start_secs(), interval.end_secs());
            let (start, end) = (start.max(lo), end.min(hi));
            if end > start {
                total += end - start;
            }
        }
        total
    }

    /// Business millis of the whole days `[from_day, to_day)`: nominal hours per whole
    /// week in O(1), then exact corrections for holidays and offset-change days only.
    pub(crate) fn whole_days_business(&self, from_day: i64, to_day: i64) -> i64 {
        if to_day <= from_day {
            return 0;
        }
        let days = to_day - from_day;
        let weeks = days / 7;
        let mut total = weeks.saturating_mul(self.hours.week_millis());
        for day in from_day + weeks * 7..to_day {
            total += self.hours.nominal_day_millis(weekday_index(day));
        }
        for day in self.holidays.range(from_day..to_day) {
            total -= self.hours.nominal_day_millis(weekday_index(*day));
        }
        self.clock.visit_offset_change_days(from_day, to_day, &mut |day| {
            if !self.is_holiday(day) {
                total += self.day_business(day, i64::MIN, i64::MAX) - self.hours.nominal_day_millis(weekday_index(day));
            }
        });
        total
    }

    pub(crate) fn between(&self, from: i64, to: i64) -> i64 {
        if to <= from {
            return 0;
        }
        let first_day = self.clock.day_of(from);
        let last_day = self.clock.day_of(to);
        if first_day >= last_day {
            return self.day_business(first_day, from, to);
        }
        // Days strictly between lie wholly inside [from, to) by the day_of invariant.
        self.day_business(first_day, from, to)
            + self.whole_days_business(first_day + 1, last_day)
            + self.day_business(last_day, from, to)
    }

    fn walk_day(&self, day: i64, from: i64, amount: i64) -> DayWalk {
        if self.is_holiday(day) {
            return DayWalk::Consumed(0);
        }
        let mut consumed = 0;
        for interval in self.hours.day_by_index(weekday_index(day)) {
            let (start, end) = self.interval_instants(day, interval.start_secs(), interval.end_secs());
            let start = start.max(from);
            if end <= start {
                continue;
            }
            let available = end - start;
            if amount - consumed <= available {
                return DayWalk::Reached(start + (amount - consumed));
            }
            consumed += available;
        }
        DayWalk::Consumed(consumed)
    }

    /// The earliest instant `t ≥ from` with `between(from, t) == amount`.
    pub(crate) fn add(&self, from: i64, amount: i64) -> Result<i64, CalendarError> {
        if amount < 0 {
            return Err(CalendarError::NegativeAmount(amount));
        }
        if amount == 0 {
            return Ok(from);
        }
        let week = self.hours.week_millis();
        if week <= 0 {
            return Err(CalendarError::NoWorkingHours);
        }
        let mut day = self.clock.day_of(from);
        let mut left = amount;
        match self.walk_day(day, from, left) {
            DayWalk::Reached(t) => return Ok(t),
            DayWalk::Consumed(c) => left -= c,
        }
        day += 1;
        let mut holidays = HolidayCursor { holidays: self.holidays, next: None, checked_until: i64::MIN };
        loop {
            if day > MAX_DAY {
                return Err(CalendarError::OutOfRange);
            }
            // Skip whole weeks while plenty remains. Offset changes can make a span of
            // weeks longer than nominal, so a skip is only taken when it provably stops
            // short of the target (strictly, so the earliest instant is never jumped).
            // (Guarded so the common short walk pays no division per day.)
            let mut weeks = if left >= 2 * week { (left / week - 1).min((MAX_DAY - day) / 7) } else { 0 };
            while weeks > 0 {
                let skipped = self.whole_days_business(day, day + weeks * 7);
                if skipped < left {
                    left -= skipped;
                    day += weeks * 7;
                    break;
                }
                weeks /= 2;
            }
            if Z::NOMINAL_DAYS {
                // A day that ends short of the target is skipped whole: walking it would
                // consume exactly its nominal hours (none on a holiday).
                let day_millis =
                    if holidays.contains(day) { 0 } else { self.hours.nominal_day_millis(weekday_index(day)) };
                if day_millis < left {
                    left -= day_millis;
                    day += 1;
                    continue;
                }
            }
            match self.walk_day(day, i64::MIN, left) {
                DayWalk::Reached(t) => return Ok(t),
                DayWalk::Consumed(c) => left -= c,
            }
            day += 1;
        }
    }

    pub(crate) fn is_open(&self, t: i64) -> bool {
        let day = self.clock.day_of(t);
        !self.is_holiday(day)
            && self.hours.day_by_index(weekday_index(day)).iter().any(|interval| {
                let (start, end) = self.interval_instants(day, interval.start_secs(), interval.end_secs());
                start <= t && t < end
            })
    }
}
