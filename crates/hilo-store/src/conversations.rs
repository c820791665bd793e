//! Conversations, keyed by (account, remote id) so any sync page can be applied twice.

use hilo_model::{Channel, ConversationStatus, Priority};
use rusqlite::{Connection, params};

use crate::Result;

#[derive(Debug, Clone)]
pub struct NewConversation<'a> {
    pub account_id: i64,
    pub remote_id: &'a str,
    pub channel: Channel,
    pub status: ConversationStatus,
    pub priority: Priority,
    pub subject: Option<&'a str>,
    pub customer_id: i64,
    pub assignee: Option<&'a str>,
    pub team: Option<&'a str>,
    pub created_at: i64,
    pub snoozed_until: Option<i64>,
}

/// Inserts or updates by (account, remote id); returns the local id.
pub fn upsert(conn: &Connection, c: &NewConversation<'_>) -> Result<i64> {
    Ok(conn
        .prepare_cached(
            "INSERT INTO conversations (account_id, remote_id, channel, status, priority, subject,
                 customer_id, assignee, team, created_at, last_activity_at, snoozed_until)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10, ?11)
             ON CONFLICT(account_id, remote_id) DO UPDATE SET
                 channel = excluded.channel, status = excluded.status, priority = excluded.priority,
                 subject = excluded.subject, assignee = excluded.assignee, team = excluded.team,
                 snoozed_until = excluded.snoozed_until
             RETURNING id",
        )?
        .query_row(
            params![
                c.account_id,
                c.remote_id,
                c.channel.as_str(),
                c.status.as_str(),
                c.priority.as_str(),
                c.subject,
                c.customer_id,
                c.assignee,
                c.team,
                c.created_at,
                c.snoozed_until
            ],
            |r| r.get(0),
        )?)
}

/// Moves the conversation's last activity forward (never backward).
pub fn touch(conn: &Connection, id: i64, at: i64) -> Result<()> {
    conn.prepare_cached("UPDATE conversations SET last_activity_at = max(last_activity_at, ?2) WHERE id = ?1")?
        .execute(params![id, at])?;
    Ok(())
}
