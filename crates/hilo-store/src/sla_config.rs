//! Row-level reads and writes behind the SLA Settings editors: policies (with their
//! order), calendars and holidays. Values are stored as given; validation is hilo-core's
//! (`sla::editor`), which calls these inside one transaction.

use rusqlite::{Connection, OptionalExtension, params};

use crate::Result;

/// One `sla_policies` row, matchers as their stored JSON arrays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyRow {
    pub id: i64,
    pub name: String,
    pub position: i64,
    pub match_priorities: String,
    pub match_channels: String,
    pub match_accounts: String,
    pub first_response_secs: Option<i64>,
    pub next_response_secs: Option<i64>,
    pub resolution_secs: Option<i64>,
    pub calendar_id: Option<i64>,
    pub pause_when_pending: bool,
    pub at_risk_percent: i64,
}

/// Every policy in evaluation order: position, then id (as `hilo_sla::select_policy`).
pub fn list_policies(conn: &Connection) -> Result<Vec<PolicyRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, name, position, match_priorities, match_channels, match_accounts, first_response_secs,
                next_response_secs, resolution_secs, calendar_id, pause_when_pending, at_risk_percent
         FROM sla_policies ORDER BY position, id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(PolicyRow {
            id: r.get(0)?,
            name: r.get(1)?,
            position: r.get(2)?,
            match_priorities: r.get(3)?,
            match_channels: r.get(4)?,
            match_accounts: r.get(5)?,
            first_response_secs: r.get(6)?,
            next_response_secs: r.get(7)?,
            resolution_secs: r.get(8)?,
            calendar_id: r.get(9)?,
            pause_when_pending: r.get(10)?,
            at_risk_percent: r.get(11)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Inserts a policy (its `id` is ignored) and returns the new id.
pub fn insert_policy(conn: &Connection, p: &PolicyRow) -> Result<i64> {
    Ok(conn
        .prepare_cached(
            "INSERT INTO sla_policies (name, position, match_priorities, match_channels, match_accounts,
                 first_response_secs, next_response_secs, resolution_secs, calendar_id, pause_when_pending,
                 at_risk_percent)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) RETURNING id",
        )?
        .query_row(
            params![
                p.name,
                p.position,
                p.match_priorities,
                p.match_channels,
                p.match_accounts,
                p.first_response_secs,
                p.next_response_secs,
                p.resolution_secs,
                p.calendar_id,
                p.pause_when_pending,
                p.at_risk_percent
            ],
            |r| r.get(0),
        )?)
}

/// Rewrites every column of policy `p.id`; false when there is no such policy.
pub fn update_policy(conn: &Connection, p: &PolicyRow) -> Result<bool> {
    let changed = conn
        .prepare_cached(
            "UPDATE sla_policies SET name = ?2, position = ?3, match_priorities = ?4, match_channels = ?5,
                 match_accounts = ?6, first_response_secs = ?7, next_response_secs = ?8, resolution_secs = ?9,
                 calendar_id = ?10, pause_when_pending = ?11, at_risk_percent = ?12
             WHERE id = ?1",
        )?
        .execute(params![
            p.id,
            p.name,
            p.position,
            p.match_priorities,
            p.match_channels,
            p.match_accounts,
            p.first_response_secs,
            p.next_response_secs,
            p.resolution_secs,
            p.calendar_id,
            p.pause_when_pending,
            p.at_risk_percent
        ])?;
    Ok(changed == 1)
}

pub fn set_policy_position(conn: &Connection, id: i64, position: i64) -> Result<bool> {
    Ok(conn.prepare_cached("UPDATE sla_policies SET position = ?2 WHERE id = ?1")?.execute(params![id, position])? == 1)
}

pub fn delete_policy(conn: &Connection, id: i64) -> Result<bool> {
    Ok(conn.prepare_cached("DELETE FROM sla_policies WHERE id = ?1")?.execute([id])? == 1)
}

/// The id of the policy called `name` (exact spelling), if any.
pub fn policy_id_by_name(conn: &Connection, name: &str) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT id FROM sla_policies WHERE name = ?1")?
        .query_row([name], |r| r.get(0))
        .optional()?)
}

/// Names of the policies that measure in calendar `calendar_id`, in evaluation order.
pub fn policies_using_calendar(conn: &Connection, calendar_id: i64) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached("SELECT name FROM sla_policies WHERE calendar_id = ?1 ORDER BY position, id")?;
    let rows = stmt.query_map([calendar_id], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// One `calendars` row; `weekly_hours` is the stored JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarRow {
    pub id: i64,
    pub name: String,
    pub time_zone: String,
    pub weekly_hours: String,
}

pub fn list_calendars(conn: &Connection) -> Result<Vec<CalendarRow>> {
    let mut stmt = conn.prepare_cached("SELECT id, name, time_zone, weekly_hours FROM calendars ORDER BY name, id")?;
    let rows = stmt.query_map([], |r| {
        Ok(CalendarRow { id: r.get(0)?, name: r.get(1)?, time_zone: r.get(2)?, weekly_hours: r.get(3)? })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn calendar(conn: &Connection, id: i64) -> Result<Option<CalendarRow>> {
    Ok(conn
        .prepare_cached("SELECT id, name, time_zone, weekly_hours FROM calendars WHERE id = ?1")?
        .query_row([id], |r| {
            Ok(CalendarRow { id: r.get(0)?, name: r.get(1)?, time_zone: r.get(2)?, weekly_hours: r.get(3)? })
        })
        .optional()?)
}

pub fn calendar_id_by_name(conn: &Connection, name: &str) -> Result<Option<i64>> {
    Ok(conn.prepare_cached("SELECT id FROM calendars WHERE name = ?1")?.query_row([name], |r| r.get(0)).optional()?)
}

pub fn insert_calendar(conn: &Connection, name: &str, time_zone: &str, weekly_hours_json: &str) -> Result<i64> {
    Ok(conn
        .prepare_cached("INSERT INTO calendars (name, time_zone, weekly_hours) VALUES (?1, ?2, ?3) RETURNING id")?
        .query_row(params![name, time_zone, weekly_hours_json], |r| r.get(0))?)
}

pub fn update_calendar(
    conn: &Connection,
    id: i64,
    name: &str,
    time_zone: &str,
    weekly_hours_json: &str,
) -> Result<bool> {
    Ok(conn
        .prepare_cached("UPDATE calendars SET name = ?2, time_zone = ?3, weekly_hours = ?4 WHERE id = ?1")?
        .execute(params![id, name, time_zone, weekly_hours_json])?
        == 1)
}

/// Deletes the calendar and (by cascade) its holidays.
pub fn delete_calendar(conn: &Connection, id: i64) -> Result<bool> {
    Ok(conn.prepare_cached("DELETE FROM calendars WHERE id = ?1")?.execute([id])? == 1)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HolidayRow {
    pub calendar_id: i64,
    pub date: String,
    pub name: String,
}

/// Every holiday, by calendar then date.
pub fn list_holidays(conn: &Connection) -> Result<Vec<HolidayRow>> {
    let mut stmt = conn.prepare_cached("SELECT calendar_id, date, name FROM holidays ORDER BY calendar_id, date")?;
    let rows = stmt.query_map([], |r| Ok(HolidayRow { calendar_id: r.get(0)?, date: r.get(1)?, name: r.get(2)? }))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Adds a holiday unless the calendar already has that date; true when it was added.
pub fn insert_holiday_if_absent(conn: &Connection, calendar_id: i64, date: &str, name: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached("INSERT INTO holidays (calendar_id, date, name) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING")?
        .execute(params![calendar_id, date, name])?
        == 1)
}

pub fn delete_holiday(conn: &Connection, calendar_id: i64, date: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached("DELETE FROM holidays WHERE calendar_id = ?1 AND date = ?2")?
        .execute(params![calendar_id, date])?
        == 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CacheKey, Store};

    fn memory_store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(&dir.path().join("hilo.db"), CacheKey::from_bytes([3; 32])).expect("open store");
        (dir, store)
    }

    fn row(name: &str, position: i64) -> PolicyRow {
        PolicyRow {
            id: 0,
            name: name.into(),
            position,
            match_priorities: "[]".into(),
            match_channels: r#"["chat"]"#.into(),
            match_accounts: "[]".into(),
            first_response_secs: Some(300),
            next_response_secs: None,
            resolution_secs: Some(86_400),
            calendar_id: None,
            pause_when_pending: true,
            at_risk_percent: 80,
        }
    }

    #[test]
    fn policies_round_trip_and_list_in_evaluation_order() {
        let (_dir, store) = memory_store();
        store
            .write(|tx| {
                let b = insert_policy(tx, &row("B", 2))?;
                let a = insert_policy(tx, &row("A", 1))?;
                let listed = list_policies(tx)?;
                assert_eq!(listed.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), ["A", "B"], "by position");
                assert_eq!(listed[1], PolicyRow { id: b, ..row("B", 2) }, "every column read back");
                assert!(set_policy_position(tx, a, 3)?, "reorder");
                assert_eq!(list_policies(tx)?[0].id, b, "B now first");
                let mut edited = PolicyRow { id: a, ..row("A2", 3) };
                edited.calendar_id = None;
                edited.first_response_secs = None;
                assert!(update_policy(tx, &edited)?, "update finds it");
                assert_eq!(list_policies(tx)?[1], edited, "update wrote every column");
                assert!(!update_policy(tx, &PolicyRow { id: 999, ..edited.clone() })?, "unknown id");
                assert!(delete_policy(tx, a)?, "delete");
                assert!(!delete_policy(tx, a)?, "already gone");
                Ok(())
            })
            .expect("round trip");
    }

    #[test]
    fn holidays_are_added_once_and_go_with_their_calendar() {
        let (_dir, store) = memory_store();
        store
            .write(|tx| {
                let id = insert_calendar(tx, "Madrid", "Europe/Madrid", "{}")?;
                assert!(insert_holiday_if_absent(tx, id, "2026-12-25", "Navidad")?, "added");
                assert!(!insert_holiday_if_absent(tx, id, "2026-12-25", "Otro")?, "a second time is skipped");
                assert_eq!(list_holidays(tx)?[0].name, "Navidad", "the first name is kept");
                assert!(update_calendar(tx, id, "Madrid 2", "Europe/Madrid", "{}")?, "rename");
                assert_eq!(calendar(tx, id)?.map(|c| c.name), Some("Madrid 2".into()), "renamed");
                assert!(delete_calendar(tx, id)?, "deleted");
                assert!(list_holidays(tx)?.is_empty(), "holidays cascade with the calendar");
                Ok(())
            })
            .expect("holidays");
    }
}
