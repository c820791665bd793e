//! Customers and their identities (the identity graph's nodes and edges).

use hilo_model::{CustomerSummary, Identity, IdentityKind, NormalizedIdentity};
use rusqlite::{Connection, OptionalExtension, params};

use crate::rows::parse;
use crate::{Result, StoreError};

pub fn insert(conn: &Connection, name: &str, language: Option<&str>, now: i64) -> Result<i64> {
    Ok(conn
        .prepare_cached(
            "INSERT INTO customers (name, language, created_at, updated_at) VALUES (?1, ?2, ?3, ?3) RETURNING id",
        )?
        .query_row(params![name, language, now], |r| r.get(0))?)
}

/// Attaches an identity to a customer. If the identity already belongs to someone,
/// nothing changes and the owner's id is returned: one identity, one customer.
pub fn attach_identity(
    conn: &Connection,
    customer_id: i64,
    identity: &NormalizedIdentity,
    account_id: Option<i64>,
    now: i64,
) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO identities (customer_id, kind, value, display, account_id, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(kind, value) DO NOTHING",
    )?
    .execute(params![customer_id, identity.kind.as_str(), identity.value, identity.display, account_id, now])?;
    find_by_identity(conn, identity.kind, &identity.value)?
        .ok_or_else(|| StoreError::NotFound(format!("identity {}:{}", identity.kind, identity.value)))
}

pub fn find_by_identity(conn: &Connection, kind: IdentityKind, value: &str) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT customer_id FROM identities WHERE kind = ?1 AND value = ?2")?
        .query_row(params![kind.as_str(), value], |r| r.get(0))
        .optional()?)
}

pub fn exists(conn: &Connection, id: i64) -> Result<bool> {
    Ok(conn.prepare_cached("SELECT 1 FROM customers WHERE id = ?1")?.exists([id])?)
}

pub fn summary(conn: &Connection, id: i64) -> Result<CustomerSummary> {
    let (name, language) = conn
        .prepare_cached("SELECT name, language FROM customers WHERE id = ?1")?
        .query_row([id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?)))
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("customer {id}")))?;
    let mut stmt = conn.prepare_cached(
        "SELECT kind, value, display FROM identities WHERE customer_id = ?1
         ORDER BY CASE kind WHEN 'phone' THEN 0 WHEN 'email' THEN 1 ELSE 2 END, id",
    )?;
    let identities = stmt
        .query_map([id], |r| Ok(Identity { kind: parse(r, 0)?, value: r.get(1)?, display: r.get(2)? }))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(CustomerSummary { id, name, language, identities })
}
