//! The SLA Settings editors' bodies: list, validate and write policies (ordered, first
//! match wins), business calendars and their holidays, and import iCalendar holiday
//! feeds. Every change is checked completely before anything is written and is written
//! in one transaction, so invalid input changes nothing. Callers tell the scheduler
//! (`SlaHandle::notify_changed`) afterwards so the clocks re-evaluate at once.

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex};

use hilo_model::sla_config::{
    SlaAccountOption, SlaCalendarInput, SlaCalendarView, SlaHoliday, SlaHolidayImport, SlaPolicyInput, SlaPolicyList,
    SlaPolicyView, SlaShift, SlaWeeklyHours,
};
use hilo_model::{Channel, Priority};
use hilo_sla::{BusinessCalendar, ShiftInterval, SlaPolicy, StoredPolicy, WeeklyHours};
use hilo_store::accounts;
use hilo_store::sla_config::{self as rows, PolicyRow};
use rusqlite::Connection;

use crate::app::AppCore;
use crate::error::{CoreError, Result};
use crate::sla::config::SlaConfig;

/// Longest target accepted: a year of business time. Longer is almost always a typo
/// (minutes typed as seconds), and it keeps every deadline inside the calendar's range.
pub const MAX_TARGET_SECS: i64 = 366 * 24 * 3600;
pub const MAX_NAME_CHARS: usize = 80;
pub const MAX_HOLIDAY_NAME_CHARS: usize = 120;
/// Largest iCalendar file accepted (national feeds are a few tens of KiB).
pub const MAX_ICS_BYTES: usize = 2 * 1024 * 1024;
/// Most holidays one calendar may hold.
pub const MAX_HOLIDAYS: usize = 5_000;

fn invalid(message: impl Into<String>) -> CoreError {
    CoreError::InvalidInput(message.into())
}

fn clean_name(name: &str, what: &str, max: usize) -> Result<String> {
    let name: String = name.chars().filter(|c| !c.is_control()).collect::<String>().trim().to_owned();
    if name.is_empty() {
        return Err(invalid(format!("the {what} needs a name")));
    }
    if name.chars().count() > max {
        return Err(invalid(format!("the {what}'s name is longer than {max} characters")));
    }
    Ok(name)
}

fn dedup<T: PartialEq + Copy>(items: &[T]) -> Vec<T> {
    let mut out: Vec<T> = Vec::with_capacity(items.len());
    for item in items {
        if !out.contains(item) {
            out.push(*item);
        }
    }
    out
}

fn json<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| CoreError::Internal(e.to_string()))
}

/// A policy input checked field by field; the row to write (id and position still unset).
fn validate_policy(input: &SlaPolicyInput) -> Result<PolicyRow> {
    let name = clean_name(&input.name, "policy", MAX_NAME_CHARS)?;
    let target = |label: &str, secs: Option<i64>| -> Result<Option<i64>> {
        match secs {
            Some(s) if s <= 0 => Err(invalid(format!("policy {name:?}: the {label} target must be longer than zero"))),
            Some(s) if s > MAX_TARGET_SECS => {
                Err(invalid(format!("policy {name:?}: the {label} target is longer than 366 days")))
            }
            other => Ok(other),
        }
    };
    let first = target("first response", input.first_response_secs)?;
    let next = target("next response", input.next_response_secs)?;
    let resolution = target("resolution", input.resolution_secs)?;
    if first.is_none() && next.is_none() && resolution.is_none() {
        return Err(invalid(format!("policy {name:?} needs at least one target")));
    }
    if input.at_risk_percent > 100 {
        return Err(invalid(format!("policy {name:?}: the at-risk threshold must be 0–100 %")));
    }
    let priorities: Vec<Priority> = dedup(&input.match_priorities);
    let channels: Vec<Channel> = dedup(&input.match_channels);
    let accounts: Vec<i64> = dedup(&input.match_accounts);
    Ok(PolicyRow {
        id: 0,
        name,
        position: 0,
        match_priorities: json(&priorities)?,
        match_channels: json(&channels)?,
        match_accounts: json(&accounts)?,
        first_response_secs: first,
        next_response_secs: next,
        resolution_secs: resolution,
        calendar_id: input.calendar_id,
        pause_when_pending: input.pause_when_pending,
        at_risk_percent: i64::from(input.at_risk_percent),
    })
}

/// The checks that need the cache: unique name, the calendar and accounts exist, and the
/// scheduler can parse the row exactly as written.
fn check_policy_in_tx(conn: &Connection, row: &PolicyRow, accounts_in: &[i64]) -> Result<()> {
    if let Some(other) = rows::policy_id_by_name(conn, &row.name)?
        && other != row.id
    {
        return Err(invalid(format!("another policy is already called {:?}", row.name)));
    }
    if let Some(calendar_id) = row.calendar_id
        && rows::calendar(conn, calendar_id)?.is_none()
    {
        return Err(invalid(format!("policy {:?}: calendar {calendar_id} does not exist", row.name)));
    }
    let known: HashSet<i64> = accounts::list(conn)?.into_iter().map(|a| a.id).collect();
    if let Some(missing) = accounts_in.iter().find(|id| !known.contains(id)) {
        return Err(invalid(format!("policy {:?}: account {missing} does not exist", row.name)));
    }
    SlaPolicy::try_from(stored(row)).map_err(|e| invalid(e.to_string()))?;
    Ok(())
}

fn stored(row: &PolicyRow) -> StoredPolicy<'_> {
    StoredPolicy {
        id: row.id,
        name: &row.name,
        position: row.position,
        match_priorities: &row.match_priorities,
        match_channels: &row.match_channels,
        match_accounts: &row.match_accounts,
        first_response_secs: row.first_response_secs,
        next_response_secs: row.next_response_secs,
        resolution_secs: row.resolution_secs,
        calendar_id: row.calendar_id,
        pause_when_pending: row.pause_when_pending,
        at_risk_percent: row.at_risk_percent,
    }
}

/// A stored row as the editor shows it; matchers that do not parse show as empty (the
/// warnings list says why the policy is ignored).
fn policy_view(row: PolicyRow) -> SlaPolicyView {
    SlaPolicyView {
        id: row.id,
        position: row.position,
        policy: SlaPolicyInput {
            name: row.name,
            match_priorities: parsed(&row.match_priorities),
            match_channels: parsed(&row.match_channels),
            match_accounts: parsed(&row.match_accounts),
            first_response_secs: row.first_response_secs,
            next_response_secs: row.next_response_secs,
            resolution_secs: row.resolution_secs,
            calendar_id: row.calendar_id,
            pause_when_pending: row.pause_when_pending,
            at_risk_percent: u8::try_from(row.at_risk_percent.clamp(0, 100)).unwrap_or(80),
        },
    }
}

fn parsed<T: serde::de::DeserializeOwned>(json: &str) -> Vec<T> {
    serde_json::from_str(if json.trim().is_empty() { "[]" } else { json }).unwrap_or_default()
}

/// The policies screen.
pub fn policy_list(conn: &Connection) -> hilo_store::Result<SlaPolicyList> {
    let policies = rows::list_policies(conn)?.into_iter().map(policy_view).collect();
    let accounts =
        accounts::list(conn)?.into_iter().map(|a| SlaAccountOption { id: a.id, name: a.name, kind: a.kind }).collect();
    let warnings = SlaConfig::load(conn, None)?.warnings;
    Ok(SlaPolicyList { policies, accounts, warnings })
}

/// Renumbers positions 1..n in the current order, so "first match wins" reads as the list.
fn renumber(conn: &Connection) -> hilo_store::Result<()> {
    for (index, row) in rows::list_policies(conn)?.iter().enumerate() {
        let position = i64::try_from(index).unwrap_or(i64::MAX - 1) + 1;
        if row.position != position {
            rows::set_policy_position(conn, row.id, position)?;
        }
    }
    Ok(())
}

/// Adds a policy at the end of the list (`id` None) or rewrites policy `id` in place.
pub fn save_policy(conn: &Connection, id: Option<i64>, input: &SlaPolicyInput) -> Result<SlaPolicyList> {
    let mut row = validate_policy(input)?;
    let accounts_in = dedup(&input.match_accounts);
    let existing = rows::list_policies(conn)?;
    match id {
        Some(id) => {
            let current = existing
                .iter()
                .find(|p| p.id == id)
                .ok_or_else(|| CoreError::NotFound(format!("policy {id} not found")))?;
            row.id = id;
            row.position = current.position;
            check_policy_in_tx(conn, &row, &accounts_in)?;
            rows::update_policy(conn, &row)?;
        }
        None => {
            row.position = existing.iter().map(|p| p.position).max().unwrap_or(0).saturating_add(1);
            check_policy_in_tx(conn, &row, &accounts_in)?;
            rows::insert_policy(conn, &row)?;
        }
    }
    renumber(conn)?;
    Ok(policy_list(conn)?)
}

pub fn delete_policy(conn: &Connection, id: i64) -> Result<SlaPolicyList> {
    if !rows::delete_policy(conn, id)? {
        return Err(CoreError::NotFound(format!("policy {id} not found")));
    }
    renumber(conn)?;
    Ok(policy_list(conn)?)
}

/// Puts the policies in the order of `ids`, which must name each policy exactly once.
pub fn reorder_policies(conn: &Connection, ids: &[i64]) -> Result<SlaPolicyList> {
    let existing: Vec<i64> = rows::list_policies(conn)?.iter().map(|p| p.id).collect();
    let mut wanted = ids.to_vec();
    wanted.sort_unstable();
    let mut have = existing.clone();
    have.sort_unstable();
    if wanted != have {
        return Err(invalid(
            "the new order must list every policy exactly once (the list changed meanwhile: reload and try again)",
        ));
    }
    for (index, id) in ids.iter().enumerate() {
        rows::set_policy_position(conn, *id, i64::try_from(index).unwrap_or(i64::MAX - 1) + 1)?;
    }
    Ok(policy_list(conn)?)
}

/// Checks the weekly hours and returns them in the stored JSON shape. Each day's shifts
/// may come in any order; they must be `HH:MM`, start before they end and not overlap.
pub fn weekly_hours_json(hours: &SlaWeeklyHours) -> Result<String> {
    let mut days: [Vec<ShiftInterval>; 7] = Default::default();
    for ((key, shifts), out) in SlaWeeklyHours::DAYS.iter().zip(hours.days()).zip(days.iter_mut()) {
        for shift in shifts {
            for time in [&shift.start, &shift.end] {
                if !is_hh_mm(time) {
                    return Err(invalid(format!("{key}: {time:?} is not a time of day (HH:MM, 00:00 to 24:00)")));
                }
            }
            let interval =
                ShiftInterval::parse(&shift.start, &shift.end).map_err(|e| invalid(format!("{key}: {e}")))?;
            out.push(interval);
        }
        out.sort_by_key(|i| (i.start_secs(), i.end_secs()));
    }
    let weekly = WeeklyHours::new(days).map_err(|e| invalid(e.to_string()))?;
    if weekly.week_millis() == 0 {
        return Err(invalid("the calendar needs at least one opening interval, or business time never passes"));
    }
    json(&weekly.to_json_value())
}

fn is_hh_mm(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 5 && b[2] == b':' && [0, 1, 3, 4].iter().all(|&i| b[i].is_ascii_digit())
}

/// The stored weekly hours as the editor shows them (unparseable → empty days).
fn weekly_hours_view(stored: &str) -> SlaWeeklyHours {
    let Ok(map) = serde_json::from_str::<BTreeMap<String, Vec<[String; 2]>>>(stored) else {
        return SlaWeeklyHours::default();
    };
    let mut hours = SlaWeeklyHours::default();
    for (key, out) in SlaWeeklyHours::DAYS.iter().zip(hours.days_mut()) {
        if let Some(shifts) = map.get(*key) {
            *out = shifts.iter().map(|[start, end]| SlaShift { start: start.clone(), end: end.clone() }).collect();
        }
    }
    hours
}

fn validate_calendar(input: &SlaCalendarInput) -> Result<(String, String, String)> {
    let name = clean_name(&input.name, "calendar", MAX_NAME_CHARS)?;
    let zone = input.time_zone.trim().to_owned();
    if zone.is_empty() {
        return Err(invalid(format!("calendar {name:?} needs a time zone (e.g. Europe/Madrid)")));
    }
    let hours = weekly_hours_json(&input.weekly_hours).map_err(|e| invalid(format!("calendar {name:?}: {e}")))?;
    BusinessCalendar::from_stored(&zone, &hours, std::iter::empty::<&str>())
        .map_err(|e| invalid(format!("calendar {name:?}: {e}")))?;
    Ok((name, zone, hours))
}

/// Every calendar with its holidays and the policies that use it.
pub fn calendar_list(conn: &Connection) -> hilo_store::Result<Vec<SlaCalendarView>> {
    let holidays = rows::list_holidays(conn)?;
    let mut out = Vec::new();
    for row in rows::list_calendars(conn)? {
        out.push(SlaCalendarView {
            id: row.id,
            used_by: rows::policies_using_calendar(conn, row.id)?,
            holidays: holidays
                .iter()
                .filter(|h| h.calendar_id == row.id)
                .map(|h| SlaHoliday { date: h.date.clone(), name: h.name.clone() })
                .collect(),
            calendar: SlaCalendarInput {
                weekly_hours: weekly_hours_view(&row.weekly_hours),
                name: row.name,
                time_zone: row.time_zone,
            },
        });
    }
    Ok(out)
}

/// Adds a calendar (`id` None) or rewrites calendar `id`; its holidays are kept.
pub fn save_calendar(conn: &Connection, id: Option<i64>, input: &SlaCalendarInput) -> Result<Vec<SlaCalendarView>> {
    let (name, zone, hours) = validate_calendar(input)?;
    if let Some(other) = rows::calendar_id_by_name(conn, &name)?
        && Some(other) != id
    {
        return Err(invalid(format!("another calendar is already called {name:?}")));
    }
    match id {
        Some(id) => {
            if !rows::update_calendar(conn, id, &name, &zone, &hours)? {
                return Err(CoreError::NotFound(format!("calendar {id} not found")));
            }
        }
        None => {
            rows::insert_calendar(conn, &name, &zone, &hours)?;
        }
    }
    Ok(calendar_list(conn)?)
}

/// Deletes a calendar and its holidays. Refused while a policy measures in it: deleting
/// would silently turn that policy's business hours into 24/7.
pub fn delete_calendar(conn: &Connection, id: i64) -> Result<Vec<SlaCalendarView>> {
    let used_by = rows::policies_using_calendar(conn, id)?;
    if !used_by.is_empty() {
        return Err(invalid(format!(
            "the calendar is used by {}; choose another calendar for {} first",
            used_by.iter().map(|n| format!("{n:?}")).collect::<Vec<_>>().join(", "),
            if used_by.len() == 1 { "that policy" } else { "those policies" }
        )));
    }
    if !rows::delete_calendar(conn, id)? {
        return Err(CoreError::NotFound(format!("calendar {id} not found")));
    }
    Ok(calendar_list(conn)?)
}

fn require_calendar(conn: &Connection, id: i64) -> Result<()> {
    match rows::calendar(conn, id)? {
        Some(_) => Ok(()),
        None => Err(CoreError::NotFound(format!("calendar {id} not found"))),
    }
}

fn holiday_count(conn: &Connection, calendar_id: i64) -> Result<usize> {
    Ok(rows::list_holidays(conn)?.iter().filter(|h| h.calendar_id == calendar_id).count())
}

fn clean_holiday_name(name: &str) -> String {
    name.chars().filter(|c| !c.is_control()).collect::<String>().trim().chars().take(MAX_HOLIDAY_NAME_CHARS).collect()
}

/// Adds a holiday (or renames the one already on that date).
pub fn add_holiday(conn: &Connection, calendar_id: i64, date: &str, name: &str) -> Result<Vec<SlaCalendarView>> {
    let date = date.trim();
    hilo_sla::parse_holiday_date(date).map_err(|e| invalid(e.to_string()))?;
    if name.trim().chars().count() > MAX_HOLIDAY_NAME_CHARS {
        return Err(invalid(format!("the holiday's name is longer than {MAX_HOLIDAY_NAME_CHARS} characters")));
    }
    require_calendar(conn, calendar_id)?;
    if holiday_count(conn, calendar_id)? >= MAX_HOLIDAYS {
        return Err(invalid(format!("a calendar holds at most {MAX_HOLIDAYS} holidays")));
    }
    hilo_store::sla::upsert_holiday(conn, calendar_id, date, &clean_holiday_name(name))?;
    Ok(calendar_list(conn)?)
}

pub fn remove_holiday(conn: &Connection, calendar_id: i64, date: &str) -> Result<Vec<SlaCalendarView>> {
    require_calendar(conn, calendar_id)?;
    if !rows::delete_holiday(conn, calendar_id, date.trim())? {
        return Err(CoreError::NotFound(format!("no holiday on {date} in calendar {calendar_id}")));
    }
    Ok(calendar_list(conn)?)
}

/// Imports every VEVENT date of an iCalendar feed as a holiday of `calendar_id`. Dates
/// the calendar already has (or that the feed repeats) are skipped, never overwritten.
/// A feed that does not parse changes nothing.
pub fn import_holidays(conn: &Connection, calendar_id: i64, ics: &str) -> Result<SlaHolidayImport> {
    if ics.len() > MAX_ICS_BYTES {
        return Err(invalid(format!("the file is larger than {} MiB; is it a holiday calendar?", MAX_ICS_BYTES >> 20)));
    }
    if !ics.to_ascii_uppercase().contains("BEGIN:VCALENDAR") {
        return Err(invalid("the file is not an iCalendar (.ics) file: it has no BEGIN:VCALENDAR"));
    }
    let holidays = hilo_sla::parse_holidays(ics).map_err(|e| invalid(format!("the file cannot be read: {e}")))?;
    if holidays.is_empty() {
        return Err(invalid("the file has no events (VEVENT), so there is nothing to import"));
    }
    require_calendar(conn, calendar_id)?;
    let mut room = MAX_HOLIDAYS.saturating_sub(holiday_count(conn, calendar_id)?);
    let (mut imported, mut skipped) = (0u32, 0u32);
    for (date, summary) in holidays {
        let text = date.to_string();
        hilo_sla::parse_holiday_date(&text)
            .map_err(|_| invalid(format!("the file names the date {text}, outside the years 0001 to 9999")))?;
        if rows::insert_holiday_if_absent(conn, calendar_id, &text, &clean_holiday_name(&summary))? {
            if room == 0 {
                return Err(invalid(format!("a calendar holds at most {MAX_HOLIDAYS} holidays; nothing was imported")));
            }
            room -= 1;
            imported += 1;
        } else {
            skipped += 1;
        }
    }
    Ok(SlaHolidayImport { imported, skipped, calendars: calendar_list(conn)? })
}

impl AppCore {
    /// Runs `f` in one write transaction and rolls it back when `f` fails, keeping `f`'s
    /// own error (and its code) rather than the store's.
    async fn write_all_or_nothing<R, F>(&self, f: F) -> Result<R>
    where
        R: Send + 'static,
        F: FnOnce(&Connection) -> Result<R> + Send + 'static,
    {
        let failure: Arc<Mutex<Option<CoreError>>> = Arc::default();
        let slot = failure.clone();
        let outcome = self
            .store()
            .write_async(move |tx| {
                f(tx).map_err(|e| {
                    let message = e.to_string();
                    if let Ok(mut slot) = slot.lock() {
                        *slot = Some(e);
                    }
                    hilo_store::StoreError::Task(message)
                })
            })
            .await;
        match outcome {
            Ok(value) => Ok(value),
            Err(store_error) => {
                Err(failure.lock().ok().and_then(|mut s| s.take()).unwrap_or_else(|| store_error.into()))
            }
        }
    }

    pub async fn sla_policies(&self) -> Result<SlaPolicyList> {
        Ok(self.store().read_async(policy_list).await?)
    }

    /// Adds (`id` None) or rewrites a policy; returns the whole list in evaluation order.
    pub async fn sla_policy_save(&self, id: Option<i64>, input: SlaPolicyInput) -> Result<SlaPolicyList> {
        self.write_all_or_nothing(move |tx| save_policy(tx, id, &input)).await
    }

    pub async fn sla_policy_delete(&self, id: i64) -> Result<SlaPolicyList> {
        self.write_all_or_nothing(move |tx| delete_policy(tx, id)).await
    }

    pub async fn sla_policies_reorder(&self, ids: Vec<i64>) -> Result<SlaPolicyList> {
        self.write_all_or_nothing(move |tx| reorder_policies(tx, &ids)).await
    }

    pub async fn sla_calendars(&self) -> Result<Vec<SlaCalendarView>> {
        Ok(self.store().read_async(calendar_list).await?)
    }

    pub async fn sla_calendar_save(&self, id: Option<i64>, input: SlaCalendarInput) -> Result<Vec<SlaCalendarView>> {
        self.write_all_or_nothing(move |tx| save_calendar(tx, id, &input)).await
    }

    pub async fn sla_calendar_delete(&self, id: i64) -> Result<Vec<SlaCalendarView>> {
        self.write_all_or_nothing(move |tx| delete_calendar(tx, id)).await
    }

    pub async fn sla_holiday_add(&self, calendar_id: i64, date: String, name: String) -> Result<Vec<SlaCalendarView>> {
        self.write_all_or_nothing(move |tx| add_holiday(tx, calendar_id, &date, &name)).await
    }

    pub async fn sla_holiday_remove(&self, calendar_id: i64, date: String) -> Result<Vec<SlaCalendarView>> {
        self.write_all_or_nothing(move |tx| remove_holiday(tx, calendar_id, &date)).await
    }

    /// Imports an iCalendar holiday feed (the file's text) into one calendar.
    pub async fn sla_holidays_import(&self, calendar_id: i64, ics: String) -> Result<SlaHolidayImport> {
        self.write_all_or_nothing(move |tx| import_holidays(tx, calendar_id, &ics)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shift(start: &str, end: &str) -> SlaShift {
        SlaShift { start: start.into(), end: end.into() }
    }

    #[test]
    fn weekly_hours_accept_split_shifts_in_any_order() {
        let hours = SlaWeeklyHours {
            mon: vec![shift("15:00", "19:00"), shift("09:00", "14:00")],
            fri: vec![shift("09:00", "24:00")],
            ..SlaWeeklyHours::default()
        };
        let stored = weekly_hours_json(&hours).expect("valid hours");
        let view = weekly_hours_view(&stored);
        assert_eq!(view.mon, vec![shift("09:00", "14:00"), shift("15:00", "19:00")], "shifts are sorted by start");
        assert_eq!(view.fri, vec![shift("09:00", "24:00")], "24:00 ends a day");
        assert!(view.sun.is_empty(), "a day without shifts is closed");
    }

    #[test]
    fn weekly_hours_reject_bad_times_reversed_and_overlapping_shifts() {
        let cases = [
            (SlaWeeklyHours { tue: vec![shift("9:00", "14:00")], ..Default::default() }, "HH:MM"),
            (SlaWeeklyHours { tue: vec![shift("09:00", "25:00")], ..Default::default() }, "time of day"),
            (SlaWeeklyHours { tue: vec![shift("14:00", "09:00")], ..Default::default() }, "does not start before"),
            (SlaWeeklyHours { tue: vec![shift("09:00", "09:00")], ..Default::default() }, "does not start before"),
            (
                SlaWeeklyHours { wed: vec![shift("09:00", "14:00"), shift("13:00", "18:00")], ..Default::default() },
                "overlap",
            ),
            (SlaWeeklyHours::default(), "at least one opening interval"),
        ];
        for (hours, expected) in cases {
            let error = weekly_hours_json(&hours).expect_err("invalid hours are refused").to_string();
            assert!(error.contains(expected), "{error:?} should say {expected:?}");
        }
        let touching =
            SlaWeeklyHours { thu: vec![shift("09:00", "14:00"), shift("14:00", "18:00")], ..Default::default() };
        assert!(weekly_hours_json(&touching).is_ok(), "touching shifts do not overlap");
    }

    #[test]
    fn policy_inputs_are_checked_field_by_field() {
        let good = SlaPolicyInput {
            name: " Chat ".into(),
            match_priorities: vec![Priority::Urgent, Priority::Urgent],
            match_channels: vec![Channel::Chat],
            match_accounts: vec![],
            first_response_secs: Some(300),
            next_response_secs: None,
            resolution_secs: None,
            calendar_id: None,
            pause_when_pending: true,
            at_risk_percent: 80,
        };
        let row = validate_policy(&good).expect("valid");
        assert_eq!(row.name, "Chat", "the name is trimmed");
        assert_eq!(row.match_priorities, r#"["urgent"]"#, "duplicates are dropped");
        let cases = [
            (SlaPolicyInput { name: "  ".into(), ..good.clone() }, "needs a name"),
            (SlaPolicyInput { first_response_secs: Some(0), ..good.clone() }, "longer than zero"),
            (SlaPolicyInput { resolution_secs: Some(MAX_TARGET_SECS + 1), ..good.clone() }, "366 days"),
            (SlaPolicyInput { first_response_secs: None, ..good.clone() }, "at least one target"),
            (SlaPolicyInput { at_risk_percent: 101, ..good.clone() }, "0–100"),
        ];
        for (input, expected) in cases {
            let error = validate_policy(&input).expect_err("refused").to_string();
            assert!(error.contains(expected), "{error:?} should say {expected:?}");
        }
    }
}
