//! SLA configuration rows: calendars, holidays and policies (the math lives in hilo-sla).

use rusqlite::{Connection, params};

use crate::Result;

pub fn upsert_calendar(conn: &Connection, name: &str, time_zone: &str, weekly_hours_json: &str) -> Result<i64> {
    Ok(conn
        .prepare_cached(
            "INSERT INTO calendars (name, time_zone, weekly_hours) VALUES (?1, ?2, ?3)
             ON CONFLICT(name) DO UPDATE SET time_zone = excluded.time_zone, weekly_hours = excluded.weekly_hours
             RETURNING id",
        )?
        .query_row(params![name, time_zone, weekly_hours_json], |r| r.get(0))?)
}

pub fn upsert_holiday(conn: &Connection, calendar_id: i64, date: &str, name: &str) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO holidays (calendar_id, date, name) VALUES (?1, ?2, ?3)
         ON CONFLICT(calendar_id, date) DO UPDATE SET name = excluded.name",
    )?
    .execute(params![calendar_id, date, name])?;
    Ok(())
}

#[derive(Debug, Clone)]
pub struct NewPolicy<'a> {
    pub name: &'a str,
    pub position: i64,
    pub match_priorities_json: &'a str,
    pub match_channels_json: &'a str,
    pub first_response_secs: Option<i64>,
    pub next_response_secs: Option<i64>,
    pub resolution_secs: Option<i64>,
    pub calendar_id: Option<i64>,
    pub pause_when_pending: bool,
    pub at_risk_percent: i64,
}

pub fn upsert_policy(conn: &Connection, p: &NewPolicy<'_>) -> Result<i64> {
    Ok(conn
        .prepare_cached(
            "INSERT INTO sla_policies (name, position, match_priorities, match_channels, first_response_secs,
                 next_response_secs, resolution_secs, calendar_id, pause_when_pending, at_risk_percent)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
             ON CONFLICT(name) DO UPDATE SET position = excluded.position,
                 match_priorities = excluded.match_priorities, match_channels = excluded.match_channels,
                 first_response_secs = excluded.first_response_secs, next_response_secs = excluded.next_response_secs,
                 resolution_secs = excluded.resolution_secs, calendar_id = excluded.calendar_id,
                 pause_when_pending = excluded.pause_when_pending, at_risk_percent = excluded.at_risk_percent
             RETURNING id",
        )?
        .query_row(
            params![
                p.name,
                p.position,
                p.match_priorities_json,
                p.match_channels_json,
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

pub fn policy_count(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("SELECT count(*) FROM sla_policies", [], |r| r.get(0))?)
}
