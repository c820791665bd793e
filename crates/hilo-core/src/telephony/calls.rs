//! The calls Hilo stores and the questions asked of them: the call list, callback
//! items (missed inbound calls from known customers nobody has returned), a customer's
//! open conversations. SQL lives here until hilo-store grows these queries.

pub use hilo_model::telephony::{CallView, CallbackItem, ScreenPopConversation};
use hilo_model::time::Millis;
use hilo_model::{CallOutcome, IdentityInput, IdentityKind, Origin, normalize_identity};
use hilo_store::{Result as StoreResult, calls, customers};
use phonenumber::country;
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::tracker::CallRecord;

const VIEW_COLUMNS: &str = "c.id, c.call_ref, a.name, c.direction, c.from_number, c.to_number, c.agent, c.outcome,
     c.started_at, c.answered_at, c.ended_at, c.hangup_cause, c.customer_id";

fn view(r: &Row<'_>) -> rusqlite::Result<CallView> {
    let parse_err = |i: usize, e: hilo_model::error::UnknownValue| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
    };
    let started_at: Millis = r.get(8)?;
    let answered_at: Option<Millis> = r.get(9)?;
    let ended_at: Option<Millis> = r.get(10)?;
    Ok(CallView {
        id: r.get(0)?,
        call_ref: r.get(1)?,
        account: r.get(2)?,
        direction: r.get::<_, String>(3)?.parse().map_err(|e| parse_err(3, e))?,
        from: r.get(4)?,
        to: r.get(5)?,
        agent: r.get(6)?,
        outcome: r.get::<_, String>(7)?.parse().map_err(|e| parse_err(7, e))?,
        started_at,
        answered_at,
        ended_at,
        duration_secs: ended_at.map(|e| (e - started_at).max(0) / 1000),
        talk_secs: answered_at.zip(ended_at).map(|(a, e)| (e - a).max(0) / 1000),
        hangup_cause: r.get(11)?,
        customer_id: r.get(12)?,
    })
}

/// The customer whose phone identity is this E.164 number, if any.
pub fn customer_by_number(conn: &Connection, number: Option<&str>) -> StoreResult<Option<i64>> {
    match number.filter(|n| n.starts_with('+')) {
        Some(n) => customers::find_by_identity(conn, IdentityKind::Phone, n),
        None => Ok(None),
    }
}

/// Stores a tracker record for `account_id` (linking the customer by number) and
/// returns it as shown. The store's upsert keeps the first direction and parties and
/// merges times; here the tracker's record is written whole, because it is consistent
/// on its own while a merge with another writer's row (a second Hilo following the same
/// PBX, or the start-up close of unfinished calls) could end a call before its answer.
pub fn store_call(conn: &Connection, account_id: i64, rec: &CallRecord) -> StoreResult<CallView> {
    let customer_id = customer_by_number(conn, rec.customer_number())?;
    let id = calls::upsert(
        conn,
        &calls::NewCall {
            account_id,
            call_ref: &rec.call_ref,
            direction: rec.direction,
            from_number: rec.from.as_deref(),
            to_number: rec.to.as_deref(),
            agent: rec.agent.as_deref(),
            outcome: rec.outcome,
            started_at: rec.started_at,
            answered_at: rec.answered_at,
            ended_at: rec.ended_at,
            hangup_cause: rec.hangup_cause.as_deref(),
            customer_id,
            conversation_id: None,
            summary: None,
            origin: Origin::Telephony,
        },
    )?;
    if customer_id.is_some() {
        // Identity graph: the phone that linked the call, so an unmerge sends it back with it.
        conn.prepare_cached(
            "UPDATE calls SET identity_id = (SELECT id FROM identities WHERE kind = 'phone' AND value = ?2) WHERE id = ?1",
        )?
        .execute(params![id, rec.customer_number()])?;
    }
    conn.prepare_cached(
        "UPDATE calls SET direction = ?2, from_number = coalesce(?3, from_number), to_number = coalesce(?4, to_number),
             outcome = ?5, answered_at = ?6, ended_at = ?7, hangup_cause = ?8
         WHERE id = ?1",
    )?
    .execute(params![
        id,
        rec.direction.as_str(),
        rec.from,
        rec.to,
        rec.outcome.as_str(),
        rec.answered_at,
        rec.ended_at,
        rec.hangup_cause
    ])?;
    call_by_id(conn, id)?.ok_or_else(|| hilo_store::StoreError::NotFound(format!("call {id}")))
}

pub fn call_by_id(conn: &Connection, id: i64) -> StoreResult<Option<CallView>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {VIEW_COLUMNS} FROM calls c JOIN accounts a ON a.id = c.account_id WHERE c.id = ?1"
        ))?
        .query_row([id], view)
        .optional()?)
}

/// Stored calls, newest first.
pub fn list_calls(conn: &Connection, limit: Option<u32>) -> StoreResult<Vec<CallView>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {VIEW_COLUMNS} FROM calls c JOIN accounts a ON a.id = c.account_id
         ORDER BY c.started_at DESC, c.id DESC LIMIT ?1"
    ))?;
    let limit = limit.map_or(-1, i64::from);
    let rows = stmt.query_map([limit], view)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// One item per customer: missed (or busy) inbound calls with no later answered call
/// and no later outbound call to them. A forwarded call was handled elsewhere and a
/// link-lost one is unknown, so neither asks for a callback.
pub fn callback_items(conn: &Connection) -> StoreResult<Vec<CallbackItem>> {
    let mut stmt = conn.prepare_cached(
        "SELECT c.customer_id, cu.name, c.id, c.from_number, c.started_at, c.outcome, a.name,
                (SELECT count(*) FROM calls m
                  WHERE m.customer_id = c.customer_id AND m.direction = 'inbound'
                    AND m.outcome IN ('missed', 'busy')
                    AND NOT EXISTS (SELECT 1 FROM calls l WHERE l.customer_id = m.customer_id
                                      AND l.started_at > m.started_at
                                      AND (l.direction = 'outbound' OR l.outcome = 'answered')))
         FROM calls c
         JOIN customers cu ON cu.id = c.customer_id
         JOIN accounts a ON a.id = c.account_id
         WHERE c.direction = 'inbound' AND c.outcome IN ('missed', 'busy') AND c.customer_id IS NOT NULL
           AND coalesce(c.hangup_cause, '') <> 'forwarded'
           AND NOT EXISTS (SELECT 1 FROM calls l WHERE l.customer_id = c.customer_id
                             AND l.started_at > c.started_at
                             AND (l.direction = 'outbound' OR l.outcome = 'answered'))
           AND NOT EXISTS (SELECT 1 FROM calls n WHERE n.customer_id = c.customer_id
                             AND n.direction = 'inbound' AND n.outcome IN ('missed', 'busy')
                             AND (n.started_at > c.started_at OR (n.started_at = c.started_at AND n.id > c.id)))
         ORDER BY c.started_at DESC, c.id DESC",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(CallbackItem {
            customer_id: r.get(0)?,
            customer_name: r.get(1)?,
            call_id: r.get(2)?,
            number: r.get(3)?,
            missed_at: r.get(4)?,
            outcome: r.get::<_, String>(5)?.parse().unwrap_or(CallOutcome::Missed),
            account: r.get(6)?,
            missed_calls: r.get(7)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The customer's name and how many of their conversations are not resolved.
pub fn customer_for_pop(conn: &Connection, customer_id: i64) -> StoreResult<Option<(String, i64)>> {
    Ok(conn
        .prepare_cached(
            "SELECT name, (SELECT count(*) FROM conversations WHERE customer_id = ?1 AND status <> 'resolved')
             FROM customers WHERE id = ?1",
        )?
        .query_row([customer_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

/// The conversation a screen-pop offers to open: the customer's most recent one that
/// is not resolved, else their most recent one.
pub fn conversation_for_pop(conn: &Connection, customer_id: i64) -> StoreResult<Option<ScreenPopConversation>> {
    let parse_err = |i: usize, e: hilo_model::error::UnknownValue| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
    };
    Ok(conn
        .prepare_cached(
            "SELECT id, channel, status, subject, last_activity_at FROM conversations WHERE customer_id = ?1
             ORDER BY status = 'resolved', last_activity_at DESC, id DESC LIMIT 1",
        )?
        .query_row([customer_id], |r| {
            Ok(ScreenPopConversation {
                id: r.get(0)?,
                channel: r.get::<_, String>(1)?.parse().map_err(|e| parse_err(1, e))?,
                status: r.get::<_, String>(2)?.parse().map_err(|e| parse_err(2, e))?,
                subject: r.get(3)?,
                last_activity_at: r.get(4)?,
            })
        })
        .optional()?)
}

/// Closes calls an earlier run left open (Hilo was killed mid-call): they become
/// `link-lost`, ended when last seen. Returns how many.
pub fn close_unfinished(conn: &Connection, account_id: i64) -> StoreResult<usize> {
    Ok(conn
        .prepare_cached(
            "UPDATE calls SET ended_at = coalesce(answered_at, started_at),
                 outcome = CASE WHEN answered_at IS NOT NULL THEN 'answered' ELSE 'failed' END,
                 hangup_cause = ?2
             WHERE account_id = ?1 AND ended_at IS NULL AND origin = 'telephony'",
        )?
        .execute(params![account_id, super::tracker::LINK_LOST])?)
}

/// Takes up the screen-pop's offer for an unknown caller: a new customer with this
/// phone, and their earlier calls linked to them. Returns the customer id (the
/// existing owner's if the number already belongs to someone).
pub fn create_customer_for_number(
    conn: &Connection,
    name: &str,
    number: &str,
    region: Option<country::Id>,
    now: Millis,
) -> StoreResult<i64> {
    let name = name.trim();
    if name.is_empty() {
        return Err(hilo_store::StoreError::InvalidInput("a customer needs a name".into()));
    }
    let identity =
        normalize_identity(IdentityInput { kind: IdentityKind::Phone, raw: number }, region.unwrap_or(country::Id::US));
    if identity.kind != IdentityKind::Phone || (region.is_none() && !number.trim().starts_with('+')) {
        return Err(hilo_store::StoreError::InvalidInput(format!("{number:?} is not a phone number")));
    }
    if let Some(owner) = customers::find_by_identity(conn, IdentityKind::Phone, &identity.value)? {
        return Ok(owner);
    }
    let id = customers::insert(conn, name, None, now)?;
    customers::attach_identity(conn, id, &identity, None, now)?;
    conn.prepare_cached(
        "UPDATE calls SET customer_id = ?1,
             identity_id = (SELECT id FROM identities WHERE kind = 'phone' AND value = ?2)
         WHERE customer_id IS NULL
           AND ((direction = 'inbound' AND from_number = ?2) OR (direction = 'outbound' AND to_number = ?2))",
    )?
    .execute(params![id, identity.value])?;
    Ok(id)
}
