//! What the customer context panel and `hilo customers` read: the visible customers,
//! a customer's conversations with their status, and their recent calls.

use hilo_model::{CustomerConversation, CustomerListItem, TimelineCall};
use rusqlite::{Connection, params};

use crate::rows::parse;
use crate::timeline::{CALL_COLUMNS, call_row};
use crate::{Result, customers};

/// Every customer not merged into another, latest activity first (customers without
/// any conversation or call last, by name).
pub fn list(conn: &Connection) -> Result<Vec<CustomerListItem>> {
    let mut stmt = conn.prepare_cached(
        "SELECT cu.id,
                (SELECT count(*) FROM conversations c WHERE c.customer_id = cu.id),
                (SELECT count(*) FROM conversations c WHERE c.customer_id = cu.id AND c.status <> 'resolved'),
                (SELECT count(*) FROM calls k WHERE k.customer_id = cu.id),
                max(coalesce((SELECT max(last_activity_at) FROM conversations c WHERE c.customer_id = cu.id), 0),
                    coalesce((SELECT max(started_at) FROM calls k WHERE k.customer_id = cu.id), 0)) AS last
         FROM customers cu WHERE cu.merged_into IS NULL
         ORDER BY last DESC, cu.name COLLATE NOCASE, cu.id",
    )?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, i64>(4)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter()
        .map(|(id, conversations, open_conversations, calls, last)| {
            Ok(CustomerListItem {
                customer: customers::summary(conn, id)?,
                conversations,
                open_conversations,
                calls,
                last_activity_at: (last > 0).then_some(last),
            })
        })
        .collect()
}

/// The customer's conversations: open (not resolved) first, then by latest activity.
pub fn conversations(conn: &Connection, customer: i64) -> Result<Vec<CustomerConversation>> {
    let mut stmt = conn.prepare_cached(
        "SELECT c.id, a.name, c.channel, c.status, c.priority, c.subject, c.assignee, c.created_at, c.last_activity_at
         FROM conversations c JOIN accounts a ON a.id = c.account_id
         WHERE c.customer_id = ?1
         ORDER BY c.status = 'resolved', c.last_activity_at DESC, c.id DESC",
    )?;
    let rows = stmt.query_map([customer], |r| {
        Ok(CustomerConversation {
            id: r.get(0)?,
            account_name: r.get(1)?,
            channel: parse(r, 2)?,
            status: parse(r, 3)?,
            priority: parse(r, 4)?,
            subject: r.get(5)?,
            assignee: r.get(6)?,
            created_at: r.get(7)?,
            last_activity_at: r.get(8)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The customer's latest calls, newest first.
pub fn recent_calls(conn: &Connection, customer: i64, limit: u32) -> Result<Vec<TimelineCall>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {CALL_COLUMNS} FROM calls WHERE customer_id = ?1 ORDER BY started_at DESC, id DESC LIMIT ?2"
    ))?;
    let rows = stmt.query_map(params![customer, limit], call_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
