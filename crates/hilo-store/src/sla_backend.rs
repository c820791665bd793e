//! The helpdesk's own SLA state per conversation (`conversations.backend_sla`, JSON of
//! `hilo_model::sla_backend::BackendSla`), written by sync and read beside Hilo's clocks.

use hilo_model::ConversationStatus;
use hilo_model::sla_backend::{BackendSla, BackendSlaItem, BackendSlaView};
use rusqlite::{Connection, params};

use crate::Result;
use crate::rows::parse;

/// Stores (or with `None` clears) what the backend reports for one conversation.
pub fn set(conn: &Connection, account_id: i64, remote_id: &str, sla: Option<&BackendSla>) -> Result<()> {
    let json =
        sla.map(serde_json::to_string).transpose().map_err(|e| crate::StoreError::InvalidInput(e.to_string()))?;
    conn.prepare_cached("UPDATE conversations SET backend_sla = ?3 WHERE account_id = ?1 AND remote_id = ?2")?
        .execute(params![account_id, remote_id, json])?;
    Ok(())
}

/// Every conversation with a backend SLA, by id, with whether it is resolved. The view's
/// comparison with Hilo's clocks (`differing`, `local_policy`) is left for the caller.
pub fn list(conn: &Connection) -> Result<Vec<(bool, BackendSlaItem)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT c.id, c.customer_id, cu.name, c.channel, c.status, c.priority, c.assignee, c.team,
                c.last_activity_at, c.backend_sla
           FROM conversations c JOIN customers cu ON cu.id = c.customer_id
          WHERE c.backend_sla IS NOT NULL
          ORDER BY c.id",
    )?;
    let rows = stmt.query_map([], |r| {
        let status: ConversationStatus = parse(r, 4)?;
        let json: String = r.get(9)?;
        // A stored value this build cannot read is skipped; sync replaces it.
        let Ok(sla) = serde_json::from_str::<BackendSla>(&json) else { return Ok(None) };
        let resolved = status == ConversationStatus::Resolved;
        Ok(Some((
            resolved,
            BackendSlaItem {
                conversation_id: r.get(0)?,
                customer_id: r.get(1)?,
                customer_name: r.get(2)?,
                channel: parse(r, 3)?,
                status,
                priority: parse(r, 5)?,
                assignee: r.get(6)?,
                team: r.get(7)?,
                last_activity_at: r.get(8)?,
                backend: BackendSlaView { sla, differing: Vec::new(), local_policy: false },
            },
        )))
    })?;
    let mut out = Vec::new();
    for row in rows {
        out.extend(row?);
    }
    Ok(out)
}
