//! Merging two customers into one, and undoing it exactly.
//!
//! A merge of `source` into `target` moves the source's identities, conversations,
//! calls and timeline events to the target, records every moved id in
//! `customer_merge_moves` and the source's own row in `customer_merges`, and hides the
//! source (`merged_into`); it is never deleted, so its id keeps working.
//!
//! An unmerge moves exactly those rows back (the ones still on the target) and restores
//! the source's row. Rows that arrived after the merge follow their identity: a
//! conversation or call linked through one of the moved identities (`identity_id`) goes
//! back to the source with the identity, and so do the events of conversations that go
//! back. Everything else that arrived after the merge stays on the target.
//!
//! Invariant: an unmerge is refused while its target is itself merged away (a later
//! merge moved the rows on): undo the later merge first.
//!
//! Both run inside the caller's transaction (`Store::write`), so each is all or nothing.

use hilo_model::{EventKind, MergeCounts, MergeEvidence, MergeOutcome, MergeRecord, Origin, UnmergeOutcome};
use rusqlite::{Connection, OptionalExtension, params};

use crate::{Result, StoreError};

const ITEM_IDENTITY: &str = "identity";
const ITEM_CONVERSATION: &str = "conversation";
const ITEM_CALL: &str = "call";
const ITEM_EVENT: &str = "event";

/// Who asks for a merge or unmerge, and why.
#[derive(Debug, Clone, Copy)]
pub struct MergeRequest<'a> {
    pub target_id: i64,
    pub source_id: i64,
    pub at: i64,
    /// The agent (or tool) that merged, shown on the timeline event.
    pub actor: Option<&'a str>,
    pub evidence: &'a [MergeEvidence],
    pub origin: Origin,
}

struct CustomerRow {
    name: String,
    language: Option<String>,
    created_at: i64,
    updated_at: i64,
    merged_into: Option<i64>,
}

fn customer_row(conn: &Connection, id: i64) -> Result<CustomerRow> {
    conn.prepare_cached("SELECT name, language, created_at, updated_at, merged_into FROM customers WHERE id = ?1")?
        .query_row([id], |r| {
            Ok(CustomerRow {
                name: r.get(0)?,
                language: r.get(1)?,
                created_at: r.get(2)?,
                updated_at: r.get(3)?,
                merged_into: r.get(4)?,
            })
        })
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("customer {id}")))
}

/// The merge that hid `customer`, if it is merged away.
fn hiding_merge(conn: &Connection, customer: i64) -> Result<Option<(i64, i64)>> {
    Ok(conn
        .prepare_cached(
            "SELECT id, target_id FROM customer_merges WHERE source_id = ?1 AND unmerged_at IS NULL
             ORDER BY id DESC LIMIT 1",
        )?
        .query_row([customer], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

fn refuse_hidden(conn: &Connection, id: i64, row: &CustomerRow) -> Result<()> {
    if let Some(into) = row.merged_into {
        let merge = hiding_merge(conn, id)?.map(|(m, _)| format!(" (merge {m})")).unwrap_or_default();
        return Err(StoreError::InvalidInput(format!(
            "customer {id} ({}) was merged into customer {into}{merge}; merge into {into} instead, or unmerge first",
            row.name
        )));
    }
    Ok(())
}

fn ids(conn: &Connection, sql: &str, id: i64) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map([id], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn record_moves(conn: &Connection, merge_id: i64, item: &str, ids: &[i64]) -> Result<()> {
    let mut stmt =
        conn.prepare_cached("INSERT INTO customer_merge_moves (merge_id, item, item_id) VALUES (?1, ?2, ?3)")?;
    for id in ids {
        stmt.execute(params![merge_id, item, id])?;
    }
    Ok(())
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Merges `source` into `target` (see the module doc). Returns the merge id and counts.
pub fn merge(conn: &Connection, req: &MergeRequest<'_>) -> Result<MergeOutcome> {
    let (target, source) = (req.target_id, req.source_id);
    if target == source {
        return Err(StoreError::InvalidInput(format!("customer {target} cannot be merged into itself")));
    }
    let target_row = customer_row(conn, target)?;
    let source_row = customer_row(conn, source)?;
    refuse_hidden(conn, target, &target_row)?;
    refuse_hidden(conn, source, &source_row)?;

    let identities = ids(conn, "SELECT id FROM identities WHERE customer_id = ?1 ORDER BY id", source)?;
    let conversations = ids(conn, "SELECT id FROM conversations WHERE customer_id = ?1 ORDER BY id", source)?;
    let calls = ids(conn, "SELECT id FROM calls WHERE customer_id = ?1 ORDER BY id", source)?;
    let events = ids(conn, "SELECT id FROM timeline_events WHERE customer_id = ?1 ORDER BY id", source)?;

    let evidence = serde_json::to_string(req.evidence).map_err(|e| StoreError::InvalidInput(e.to_string()))?;
    let merge_id: i64 = conn
        .prepare_cached(
            "INSERT INTO customer_merges (target_id, source_id, merged_at, merged_by, evidence, source_name,
                 source_language, source_created_at, source_updated_at, origin)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) RETURNING id",
        )?
        .query_row(
            params![
                target,
                source,
                req.at,
                req.actor,
                evidence,
                source_row.name,
                source_row.language,
                source_row.created_at,
                source_row.updated_at,
                req.origin.as_str()
            ],
            |r| r.get(0),
        )?;
    record_moves(conn, merge_id, ITEM_IDENTITY, &identities)?;
    record_moves(conn, merge_id, ITEM_CONVERSATION, &conversations)?;
    record_moves(conn, merge_id, ITEM_CALL, &calls)?;
    record_moves(conn, merge_id, ITEM_EVENT, &events)?;

    for table in ["identities", "conversations", "calls", "timeline_events"] {
        conn.prepare_cached(&format!("UPDATE {table} SET customer_id = ?1 WHERE customer_id = ?2"))?
            .execute(params![target, source])?;
    }
    conn.prepare_cached("UPDATE customers SET merged_into = ?1 WHERE id = ?2")?.execute(params![target, source])?;

    insert_event(
        conn,
        target,
        EventKind::Merged,
        req.at,
        req.actor,
        &source_row.name,
        &target_row.name,
        merge_id,
        source,
        req.evidence,
        req.origin,
    )?;
    Ok(MergeOutcome {
        merge_id,
        target_id: target,
        source_id: source,
        moved: MergeCounts {
            identities: count(identities.len()),
            conversations: count(conversations.len()),
            calls: count(calls.len()),
            events: count(events.len()),
        },
    })
}

#[allow(clippy::too_many_arguments)]
fn insert_event(
    conn: &Connection,
    customer: i64,
    kind: EventKind,
    at: i64,
    actor: Option<&str>,
    from: &str,
    to: &str,
    merge_id: i64,
    source: i64,
    evidence: &[MergeEvidence],
    origin: Origin,
) -> Result<i64> {
    let data = serde_json::json!({ "mergeId": merge_id, "sourceId": source, "evidence": evidence }).to_string();
    Ok(conn
        .prepare_cached(
            "INSERT INTO timeline_events (customer_id, conversation_id, kind, at, actor, from_value, to_value, data, origin)
             VALUES (?1, NULL, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING id",
        )?
        .query_row(params![customer, kind.as_str(), at, actor, from, to, data, origin.as_str()], |r| r.get(0))?)
}

/// Undoes merge `merge_id` (see the module doc). Refused, with the reason, when it was
/// already undone or a later merge depends on it.
pub fn unmerge(
    conn: &Connection,
    merge_id: i64,
    at: i64,
    actor: Option<&str>,
    origin: Origin,
) -> Result<UnmergeOutcome> {
    struct Stored {
        target: i64,
        source: i64,
        unmerged_at: Option<i64>,
        name: String,
        language: Option<String>,
        updated_at: i64,
    }
    let row = conn
        .prepare_cached(
            "SELECT target_id, source_id, unmerged_at, source_name, source_language, source_updated_at
             FROM customer_merges WHERE id = ?1",
        )?
        .query_row([merge_id], |r| {
            Ok(Stored {
                target: r.get(0)?,
                source: r.get(1)?,
                unmerged_at: r.get(2)?,
                name: r.get(3)?,
                language: r.get(4)?,
                updated_at: r.get(5)?,
            })
        })
        .optional()?;
    let Some(Stored {
        target,
        source,
        unmerged_at,
        name: source_name,
        language: source_language,
        updated_at: source_updated_at,
    }) = row
    else {
        return Err(StoreError::NotFound(format!("merge {merge_id}")));
    };
    if unmerged_at.is_some() {
        return Err(StoreError::InvalidInput(format!("merge {merge_id} was already undone")));
    }
    let target_row = customer_row(conn, target)?;
    if let Some(into) = target_row.merged_into {
        let later =
            hiding_merge(conn, target)?.map_or_else(|| "a later merge".to_owned(), |(m, _)| format!("merge {m}"));
        return Err(StoreError::InvalidInput(format!(
            "merge {merge_id} cannot be undone yet: {later} moved customer {target} ({}) into customer {into} \
             afterwards and depends on it; unmerge {later} first",
            target_row.name
        )));
    }

    let moved = |item: &str| -> Result<Vec<i64>> {
        let mut stmt =
            conn.prepare_cached("SELECT item_id FROM customer_merge_moves WHERE merge_id = ?1 AND item = ?2")?;
        let rows = stmt.query_map(params![merge_id, item], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    };
    let back = |table: &str, item: &str| -> Result<usize> {
        let mut n = 0;
        let mut stmt =
            conn.prepare_cached(&format!("UPDATE {table} SET customer_id = ?1 WHERE id = ?2 AND customer_id = ?3"))?;
        for id in moved(item)? {
            n += stmt.execute(params![source, id, target])?;
        }
        Ok(n)
    };
    let identities = back("identities", ITEM_IDENTITY)?;
    let mut conversations = back("conversations", ITEM_CONVERSATION)?;
    let mut calls = back("calls", ITEM_CALL)?;
    let mut events = back("timeline_events", ITEM_EVENT)?;

    // Rows that arrived after the merge through one of the identities that go back.
    let follows = "SELECT item_id FROM customer_merge_moves WHERE merge_id = ?3 AND item = 'identity'";
    conversations += conn
        .prepare_cached(&format!(
            "UPDATE conversations SET customer_id = ?1 WHERE customer_id = ?2 AND identity_id IN ({follows})"
        ))?
        .execute(params![source, target, merge_id])?;
    calls += conn
        .prepare_cached(&format!(
            "UPDATE calls SET customer_id = ?1 WHERE customer_id = ?2 AND identity_id IN ({follows})"
        ))?
        .execute(params![source, target, merge_id])?;
    // Events go where their conversation went.
    events += conn
        .prepare_cached(
            "UPDATE timeline_events SET customer_id = ?1
             WHERE customer_id = ?2 AND conversation_id IN (SELECT id FROM conversations WHERE customer_id = ?1)",
        )?
        .execute(params![source, target])?;

    conn.prepare_cached(
        "UPDATE customers SET merged_into = NULL, name = ?2, language = ?3, updated_at = ?4 WHERE id = ?1",
    )?
    .execute(params![source, source_name, source_language, source_updated_at])?;
    conn.prepare_cached("UPDATE customer_merges SET unmerged_at = ?2, unmerged_by = ?3 WHERE id = ?1")?
        .execute(params![merge_id, at, actor])?;
    insert_event(
        conn,
        target,
        EventKind::Unmerged,
        at,
        actor,
        &target_row.name,
        &source_name,
        merge_id,
        source,
        &[],
        origin,
    )?;
    Ok(UnmergeOutcome {
        merge_id,
        target_id: target,
        source_id: source,
        returned: MergeCounts {
            identities: count(identities),
            conversations: count(conversations),
            calls: count(calls),
            events: count(events),
        },
    })
}

const RECORD_COLUMNS: &str = "m.id, m.target_id, m.source_id, m.source_name, m.merged_at, m.merged_by, m.evidence,
     m.unmerged_at, m.unmerged_by,
     (SELECT count(*) FROM customer_merge_moves v WHERE v.merge_id = m.id AND v.item = 'identity'),
     (SELECT count(*) FROM customer_merge_moves v WHERE v.merge_id = m.id AND v.item = 'conversation'),
     (SELECT count(*) FROM customer_merge_moves v WHERE v.merge_id = m.id AND v.item = 'call'),
     (SELECT count(*) FROM customer_merge_moves v WHERE v.merge_id = m.id AND v.item = 'event')";

fn record(r: &rusqlite::Row<'_>) -> rusqlite::Result<MergeRecord> {
    let evidence: String = r.get(6)?;
    Ok(MergeRecord {
        id: r.get(0)?,
        target_id: r.get(1)?,
        source_id: r.get(2)?,
        source_name: r.get(3)?,
        merged_at: r.get(4)?,
        merged_by: r.get(5)?,
        // Written by `merge` from the same type; an unreadable value shows as no evidence.
        evidence: serde_json::from_str(&evidence).unwrap_or_default(),
        unmerged_at: r.get(7)?,
        unmerged_by: r.get(8)?,
        moved: MergeCounts { identities: r.get(9)?, conversations: r.get(10)?, calls: r.get(11)?, events: r.get(12)? },
    })
}

pub fn get(conn: &Connection, merge_id: i64) -> Result<MergeRecord> {
    conn.prepare_cached(&format!("SELECT {RECORD_COLUMNS} FROM customer_merges m WHERE m.id = ?1"))?
        .query_row([merge_id], record)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("merge {merge_id}")))
}

/// Merges into `customer` that still stand, newest first.
pub fn active_into(conn: &Connection, customer: i64) -> Result<Vec<MergeRecord>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {RECORD_COLUMNS} FROM customer_merges m WHERE m.target_id = ?1 AND m.unmerged_at IS NULL
         ORDER BY m.id DESC"
    ))?;
    let rows = stmt.query_map([customer], record)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Every merge `customer` took part in (as target or source), newest first.
pub fn history(conn: &Connection, customer: i64) -> Result<Vec<MergeRecord>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {RECORD_COLUMNS} FROM customer_merges m WHERE m.target_id = ?1 OR m.source_id = ?1 ORDER BY m.id DESC"
    ))?;
    let rows = stmt.query_map([customer], record)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The visible customer `id` stands for: itself, or the one it was merged into.
pub fn survivor(conn: &Connection, id: i64) -> Result<Option<i64>> {
    let mut current = id;
    // Chains (D into B, then B into A) are followed; the bound guards against a damaged file.
    for _ in 0..64 {
        let into: Option<Option<i64>> = conn
            .prepare_cached("SELECT merged_into FROM customers WHERE id = ?1")?
            .query_row([current], |r| r.get(0))
            .optional()?;
        match into {
            None => return Ok(None),
            Some(None) => return Ok(Some(current)),
            Some(Some(next)) => current = next,
        }
    }
    Ok(None)
}

/// Records that an agent said these two are not the same person.
pub fn dismiss(conn: &Connection, a: i64, b: i64, at: i64, actor: Option<&str>) -> Result<()> {
    if a == b {
        return Err(StoreError::InvalidInput("a suggestion needs two different customers".into()));
    }
    let (lo, hi) = (a.min(b), a.max(b));
    for id in [lo, hi] {
        customer_row(conn, id)?;
    }
    conn.prepare_cached(
        "INSERT INTO merge_dismissals (customer_lo, customer_hi, dismissed_at, dismissed_by) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT(customer_lo, customer_hi) DO NOTHING",
    )?
    .execute(params![lo, hi, at, actor])?;
    Ok(())
}
