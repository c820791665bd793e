//! Messages, notes and bot turns. Upserts are keyed by (conversation, remote id).

use hilo_model::{DeliveryState, Direction, MessageKind, Origin};
use rusqlite::{Connection, params};

use crate::{Result, conversations};

#[derive(Debug, Clone)]
pub struct NewMessage<'a> {
    pub conversation_id: i64,
    /// `None` for a local reply not yet echoed by the backend.
    pub remote_id: Option<&'a str>,
    pub direction: Direction,
    pub kind: MessageKind,
    pub author: Option<&'a str>,
    pub text: &'a str,
    /// Must already be sanitized; the store does not parse HTML.
    pub html: Option<&'a str>,
    pub delivery: DeliveryState,
    pub created_at: i64,
    pub origin: Origin,
}

pub fn upsert(conn: &Connection, m: &NewMessage<'_>) -> Result<i64> {
    let id = conn
        .prepare_cached(
            "INSERT INTO messages (conversation_id, remote_id, direction, kind, author, text, html,
                 delivery, created_at, origin)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
             ON CONFLICT(conversation_id, remote_id) DO UPDATE SET
                 text = excluded.text, html = excluded.html, delivery = excluded.delivery,
                 author = excluded.author
             RETURNING id",
        )?
        .query_row(
            params![
                m.conversation_id,
                m.remote_id,
                m.direction.as_str(),
                m.kind.as_str(),
                m.author,
                m.text,
                m.html,
                m.delivery.as_str(),
                m.created_at,
                m.origin.as_str()
            ],
            |r| r.get(0),
        )?;
    conversations::touch(conn, m.conversation_id, m.created_at)?;
    Ok(id)
}
