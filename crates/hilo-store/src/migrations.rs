//! Numbered, embedded, forward-only migrations; each runs in its own transaction and
//! bumps `PRAGMA user_version` inside it, so a crash leaves a whole step or none.

use rusqlite::{Connection, TransactionBehavior};

use crate::error::{Result, StoreError};

/// (version, name, SQL). Append only: a shipped file is never edited.
pub const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "0001_init", include_str!("../migrations/0001_init.sql")),
    // Identity graph: merges, dismissals, the identity behind each conversation and call.
    (2, "0002_identity", include_str!("../migrations/0002_identity.sql")),
    // Shared mailboxes: mail headers, attachments, thread index.
    (3, "0003_mail", include_str!("../migrations/0003_mail.sql")),
    // SLA state reported by the helpdesk (conversations.backend_sla).
    (4, "0004_sla_backend", include_str!("../migrations/0004_sla_backend.sql")),
    // Composer: outbox indexed by message.
    (5, "0005_composer", include_str!("../migrations/0005_composer.sql")),
    // A random keychain scope per cache, so account secrets never collide across workspaces.
    (6, "0006_keychain_scope", include_str!("../migrations/0006_keychain_scope.sql")),
];

pub fn schema_version(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}

pub(crate) fn apply(conn: &mut Connection) -> Result<()> {
    let current = schema_version(conn)?;
    let known = MIGRATIONS.last().map_or(0, |m| m.0);
    if current > known {
        return Err(StoreError::SchemaTooNew { found: current, known });
    }
    for &(version, name, sql) in MIGRATIONS.iter().filter(|m| m.0 > current) {
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|source| StoreError::Migration { version, name, source })?;
        tx.execute_batch(sql).map_err(|source| StoreError::Migration { version, name, source })?;
        tx.execute_batch(&format!("PRAGMA user_version = {version};")).map_err(|source| StoreError::Migration {
            version,
            name,
            source,
        })?;
        tx.commit().map_err(|source| StoreError::Migration { version, name, source })?;
    }
    Ok(())
}
