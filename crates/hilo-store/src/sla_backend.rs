//! The helpdesk's own SLA state per conversation (`conversations.backend_sla`, JSON of
//! `hilo_model::sla_backend::BackendSla`), written by sync and read beside Hilo's clocks.

use hilo_model::sla_backend::BackendSla;
use rusqlite::{Connection, params};

use crate::Result;

/// Stores (or with `None` clears) what the backend reports for one conversation.
pub fn set(conn: &Connection, account_id: i64, remote_id: &str, sla: Option<&BackendSla>) -> Result<()> {
    let json =
        sla.map(serde_json::to_string).transpose().map_err(|e| crate::StoreError::InvalidInput(e.to_string()))?;
    conn.prepare_cached("UPDATE conversations SET backend_sla = ?3 WHERE account_id = ?1 AND remote_id = ?2")?
        .execute(params![account_id, remote_id, json])?;
    Ok(())
}

/// Every conversation with a backend SLA: `(conversation id, resolved?, state)`. A stored
/// value this build cannot read is skipped (it is replaced on the next sync).
pub fn list(conn: &Connection) -> Result<Vec<(i64, bool, BackendSla)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, status = 'resolved', backend_sla FROM conversations WHERE backend_sla IS NOT NULL ORDER BY id",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, bool>(1)?, r.get::<_, String>(2)?)))?;
    let mut out = Vec::new();
    for row in rows {
        let (id, resolved, json) = row?;
        if let Ok(sla) = serde_json::from_str(&json) {
            out.push((id, resolved, sla));
        }
    }
    Ok(out)
}
