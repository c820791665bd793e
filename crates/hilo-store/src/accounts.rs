//! Accounts: helpdesks, mailboxes and phone systems the workspace talks to.
//! Their secrets are never here; `config` holds only non-secret settings.

use hilo_model::AccountKind;
use rusqlite::{Connection, OptionalExtension, params};

use crate::Result;
use crate::rows::parse;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRow {
    pub id: i64,
    pub name: String,
    pub kind: AccountKind,
    pub config: String,
}

/// Creates the account or updates its kind and config; returns its id.
pub fn upsert(conn: &Connection, name: &str, kind: AccountKind, config_json: &str, now: i64) -> Result<i64> {
    Ok(conn
        .prepare_cached(
            "INSERT INTO accounts (name, kind, config, created_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(name) DO UPDATE SET kind = excluded.kind, config = excluded.config
             RETURNING id",
        )?
        .query_row(params![name, kind.as_str(), config_json, now], |r| r.get(0))?)
}

pub fn list(conn: &Connection) -> Result<Vec<AccountRow>> {
    let mut stmt = conn.prepare_cached("SELECT id, name, kind, config FROM accounts ORDER BY name")?;
    let rows = stmt
        .query_map([], |r| Ok(AccountRow { id: r.get(0)?, name: r.get(1)?, kind: parse(r, 2)?, config: r.get(3)? }))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn by_name(conn: &Connection, name: &str) -> Result<Option<AccountRow>> {
    Ok(conn
        .prepare_cached("SELECT id, name, kind, config FROM accounts WHERE name = ?1")?
        .query_row([name], |r| Ok(AccountRow { id: r.get(0)?, name: r.get(1)?, kind: parse(r, 2)?, config: r.get(3)? }))
        .optional()?)
}
