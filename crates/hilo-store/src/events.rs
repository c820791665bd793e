//! Timeline events: status and assignment changes, bot hand-offs, merges, SLA alerts.

use hilo_model::{EventKind, Origin};
use rusqlite::{Connection, params};

use crate::Result;

#[derive(Debug, Clone)]
pub struct NewEvent<'a> {
    pub customer_id: Option<i64>,
    pub conversation_id: Option<i64>,
    pub kind: EventKind,
    pub at: i64,
    pub actor: Option<&'a str>,
    pub from_value: Option<&'a str>,
    pub to_value: Option<&'a str>,
    pub origin: Origin,
}

pub fn insert(conn: &Connection, e: &NewEvent<'_>) -> Result<i64> {
    Ok(conn
        .prepare_cached(
            "INSERT INTO timeline_events (customer_id, conversation_id, kind, at, actor, from_value, to_value, origin)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING id",
        )?
        .query_row(
            params![
                e.customer_id,
                e.conversation_id,
                e.kind.as_str(),
                e.at,
                e.actor,
                e.from_value,
                e.to_value,
                e.origin.as_str()
            ],
            |r| r.get(0),
        )?)
}
