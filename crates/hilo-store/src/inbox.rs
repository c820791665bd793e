//! The inbox: conversations by status / channel / account, newest activity first,
//! keyset-paginated on (last_activity_at, id).

use hilo_model::{ConversationSummary, InboxPage, InboxQuery};
use rusqlite::{Connection, params};

use crate::Result;
use crate::rows::{cursor_parts, parse, parse_opt};

pub const DEFAULT_LIMIT: u32 = 200;
pub const MAX_LIMIT: u32 = 2_000;

pub fn list(conn: &Connection, q: &InboxQuery) -> Result<InboxPage> {
    let limit = q.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT);
    let (before_at, before_id) = match &q.cursor {
        Some(c) => {
            let [at, id] = cursor_parts::<2>(c)?;
            (at, id)
        }
        None => (i64::MAX, i64::MAX),
    };
    let mut stmt = conn.prepare_cached(
        "SELECT c.id, c.account_id, a.name, c.remote_id, c.channel, c.status, c.priority, c.subject,
                c.customer_id, cu.name, c.assignee, c.created_at, c.last_activity_at, m.text, m.direction
         FROM conversations c
         JOIN accounts a ON a.id = c.account_id
         JOIN customers cu ON cu.id = c.customer_id
         LEFT JOIN messages m ON m.id = (
             SELECT m2.id FROM messages m2
             WHERE m2.conversation_id = c.id AND m2.kind IN ('message', 'bot')
             ORDER BY m2.created_at DESC, m2.id DESC LIMIT 1)
         WHERE (?1 IS NULL OR c.status = ?1)
           AND (?2 IS NULL OR c.channel = ?2)
           AND (?3 IS NULL OR c.account_id = ?3)
           AND (c.last_activity_at < ?4 OR (c.last_activity_at = ?4 AND c.id < ?5))
         ORDER BY c.last_activity_at DESC, c.id DESC
         LIMIT ?6",
    )?;
    let rows = stmt.query_map(
        params![
            q.status.map(|s| s.as_str()),
            q.channel.map(|c| c.as_str()),
            q.account_id,
            before_at,
            before_id,
            i64::from(limit) + 1
        ],
        |r| {
            Ok(ConversationSummary {
                id: r.get(0)?,
                account_id: r.get(1)?,
                account_name: r.get(2)?,
                remote_id: r.get(3)?,
                channel: parse(r, 4)?,
                status: parse(r, 5)?,
                priority: parse(r, 6)?,
                subject: r.get(7)?,
                customer_id: r.get(8)?,
                customer_name: r.get(9)?,
                assignee: r.get(10)?,
                created_at: r.get(11)?,
                last_activity_at: r.get(12)?,
                last_message: r.get(13)?,
                last_message_direction: parse_opt(r, 14)?,
            })
        },
    )?;
    let mut items = rows.collect::<rusqlite::Result<Vec<_>>>()?;
    let next_cursor = if items.len() > limit as usize {
        items.truncate(limit as usize);
        items.last().map(|c| format!("{}:{}", c.last_activity_at, c.id))
    } else {
        None
    };
    Ok(InboxPage { items, next_cursor })
}
