//! Phone calls, keyed by (telephony account, call reference).

use hilo_model::{CallOutcome, Direction, Origin};
use rusqlite::{Connection, params};

use crate::Result;

#[derive(Debug, Clone)]
pub struct NewCall<'a> {
    pub account_id: i64,
    pub call_ref: &'a str,
    pub direction: Direction,
    pub from_number: Option<&'a str>,
    pub to_number: Option<&'a str>,
    pub agent: Option<&'a str>,
    pub outcome: CallOutcome,
    pub started_at: i64,
    pub answered_at: Option<i64>,
    pub ended_at: Option<i64>,
    pub hangup_cause: Option<&'a str>,
    pub customer_id: Option<i64>,
    pub conversation_id: Option<i64>,
    pub summary: Option<&'a str>,
    pub origin: Origin,
}

pub fn upsert(conn: &Connection, c: &NewCall<'_>) -> Result<i64> {
    Ok(conn
        .prepare_cached(
            "INSERT INTO calls (account_id, call_ref, direction, from_number, to_number, agent, outcome,
                 started_at, answered_at, ended_at, hangup_cause, customer_id, conversation_id, summary, origin)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
             ON CONFLICT(account_id, call_ref) DO UPDATE SET
                 outcome = excluded.outcome, agent = coalesce(excluded.agent, agent),
                 answered_at = coalesce(excluded.answered_at, answered_at),
                 ended_at = coalesce(excluded.ended_at, ended_at),
                 hangup_cause = coalesce(excluded.hangup_cause, hangup_cause),
                 customer_id = coalesce(excluded.customer_id, customer_id),
                 conversation_id = coalesce(excluded.conversation_id, conversation_id),
                 summary = coalesce(excluded.summary, summary)
             RETURNING id",
        )?
        .query_row(
            params![
                c.account_id,
                c.call_ref,
                c.direction.as_str(),
                c.from_number,
                c.to_number,
                c.agent,
                c.outcome.as_str(),
                c.started_at,
                c.answered_at,
                c.ended_at,
                c.hangup_cause,
                c.customer_id,
                c.conversation_id,
                c.summary,
                c.origin.as_str()
            ],
            |r| r.get(0),
        )?)
}
