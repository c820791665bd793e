//! The outbox: replies, notes, status changes and assignments the agent made, kept in
//! the cache until the helpdesk confirms them (a persisted send queue).
//!
//! Invariants: a queued reply is a `messages` row (delivery `pending`) and an `outbox`
//! row with a unique idempotency key, written together; it survives restarts; each item
//! is delivered once — every attempt after the first asks the source whether an earlier
//! one already landed, and the remote echo is matched to the local copy by that key, so
//! the message is never shown twice. A permanent failure leaves the item `failed` and
//! visible, with retry, edit and discard; nothing is dropped without the agent asking.

use std::time::Duration;

use hilo_connectors::helpdesk::{ConversationSource, OutboundAction, OutboundItem, PushReceipt, SourceError};
use hilo_model::time::now_millis;
use hilo_model::{Channel, ConversationStatus, DeliveryState, Direction, MessageKind, Origin};
use hilo_store::messages::{self, NewMessage};
use hilo_store::{Store, StoreError};
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

use crate::error::{CoreError, Result};
use crate::sync::SyncConfig;
use crate::sync::apply::attach_remote_id;

/// Longest reply Chatwoot accepts.
pub const MAX_TEXT_CHARS: usize = 150_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum OutboxState {
    Queued,
    /// Claimed by a delivery attempt (until its lease runs out).
    Sending,
    Delivered,
    /// Refused by the server; waits for the agent to retry, edit or discard.
    Failed,
}

impl OutboxState {
    pub fn as_str(self) -> &'static str {
        match self {
            OutboxState::Queued => "queued",
            OutboxState::Sending => "sending",
            OutboxState::Delivered => "delivered",
            OutboxState::Failed => "failed",
        }
    }

    fn parse(s: &str) -> OutboxState {
        match s {
            "sending" => OutboxState::Sending,
            "delivered" => OutboxState::Delivered,
            "failed" => OutboxState::Failed,
            _ => OutboxState::Queued,
        }
    }
}

/// What the `payload` column holds.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Payload {
    action: OutboundAction,
    /// Highest remote message id known when queued: an earlier attempt lands above it.
    #[serde(default)]
    queued_after: Option<i64>,
}

/// One outbox item as the UI and the CLI see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OutboxEntry {
    pub id: i64,
    pub idempotency_key: String,
    pub account_id: i64,
    pub conversation_id: i64,
    pub message_id: Option<i64>,
    pub action: OutboundAction,
    pub state: OutboxState,
    pub attempts: u32,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub next_attempt_at: i64,
}

const ENTRY_COLUMNS: &str = "o.id, o.idempotency_key, o.account_id, o.conversation_id, o.message_id, o.payload,
     o.state, o.attempts, o.last_error, o.created_at, o.next_attempt_at";

fn entry_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(OutboxEntry, Option<i64>)> {
    let payload: String = r.get(5)?;
    let p: Payload = serde_json::from_str(&payload)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(5, rusqlite::types::Type::Text, Box::new(e)))?;
    Ok((
        OutboxEntry {
            id: r.get(0)?,
            idempotency_key: r.get(1)?,
            account_id: r.get(2)?,
            conversation_id: r.get(3)?,
            message_id: r.get(4)?,
            action: p.action,
            state: OutboxState::parse(&r.get::<_, String>(6)?),
            attempts: r.get(7)?,
            last_error: r.get(8)?,
            created_at: r.get(9)?,
            next_attempt_at: r.get(10)?,
        },
        p.queued_after,
    ))
}

fn action_name(a: &OutboundAction) -> &'static str {
    match a {
        OutboundAction::Reply { .. } => "reply",
        OutboundAction::Note { .. } => "note",
        OutboundAction::SetStatus { .. } => "status",
        OutboundAction::Assign { .. } => "assign",
    }
}

/// A fresh idempotency key: `hilo-` and 128 random bits in hex.
pub fn new_idempotency_key() -> Result<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| CoreError::Internal(format!("no system randomness: {e}")))?;
    Ok(format!("hilo-{}", bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()))
}

/// A reply or note as just queued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QueuedItem {
    pub outbox_id: i64,
    /// The timeline row (pending) for replies and notes.
    pub message_id: Option<i64>,
    pub idempotency_key: String,
    pub account_id: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyKind {
    /// Seen by the customer.
    Public,
    /// Internal note, only agents see it.
    Note,
}

fn conversation_account(conn: &Connection, conversation_id: i64) -> hilo_store::Result<(i64, String)> {
    conn.prepare_cached("SELECT account_id, remote_id FROM conversations WHERE id = ?1")?
        .query_row([conversation_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("conversation {conversation_id}")))
}

fn insert_item(
    conn: &Connection,
    key: &str,
    account_id: i64,
    conversation_id: i64,
    message_id: Option<i64>,
    payload: &Payload,
    now: i64,
) -> hilo_store::Result<i64> {
    let json = serde_json::to_string(payload).map_err(|e| StoreError::InvalidInput(e.to_string()))?;
    Ok(conn
        .prepare_cached(
            "INSERT INTO outbox (idempotency_key, account_id, conversation_id, message_id, action, payload, state,
                 attempts, created_at, next_attempt_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'queued', 0, ?7, ?7) RETURNING id",
        )?
        .query_row(
            params![key, account_id, conversation_id, message_id, action_name(&payload.action), json, now],
            |r| r.get(0),
        )?)
}

fn check_text(text: &str) -> Result<()> {
    if text.trim().is_empty() {
        return Err(CoreError::InvalidInput("the message is empty".into()));
    }
    if text.chars().count() > MAX_TEXT_CHARS {
        return Err(CoreError::InvalidInput(format!("the message is longer than {MAX_TEXT_CHARS} characters")));
    }
    Ok(())
}

/// Queues a reply or an internal note: it shows at once in the timeline as pending and
/// goes out when the helpdesk is reachable.
pub async fn queue_reply(store: &Store, conversation_id: i64, text: &str, kind: ReplyKind) -> Result<QueuedItem> {
    check_text(text)?;
    let key = new_idempotency_key()?;
    let text = text.to_owned();
    let now = now_millis();
    Ok(store
        .write_async(move |tx| {
            let (account_id, _) = conversation_account(tx, conversation_id)?;
            let queued_after: Option<i64> = tx
                .prepare_cached("SELECT max(CAST(remote_id AS INTEGER)) FROM messages WHERE conversation_id = ?1")?
                .query_row([conversation_id], |r| r.get(0))?;
            let message_id = messages::upsert(
                tx,
                &NewMessage {
                    conversation_id,
                    remote_id: None,
                    direction: Direction::Outbound,
                    kind: if kind == ReplyKind::Note { MessageKind::Note } else { MessageKind::Message },
                    author: None,
                    text: &text,
                    html: None,
                    delivery: DeliveryState::Pending,
                    created_at: now,
                    origin: Origin::Ui,
                },
            )?;
            let action = match kind {
                ReplyKind::Public => OutboundAction::Reply { text: text.clone() },
                ReplyKind::Note => OutboundAction::Note { text: text.clone() },
            };
            let outbox_id = insert_item(
                tx,
                &key,
                account_id,
                conversation_id,
                Some(message_id),
                &Payload { action, queued_after },
                now,
            )?;
            Ok(QueuedItem { outbox_id, message_id: Some(message_id), idempotency_key: key, account_id })
        })
        .await?)
}

/// Queues a status change; the conversation shows the new status at once.
pub async fn queue_status(
    store: &Store,
    conversation_id: i64,
    status: ConversationStatus,
    snoozed_until: Option<i64>,
) -> Result<QueuedItem> {
    let key = new_idempotency_key()?;
    let now = now_millis();
    Ok(store
        .write_async(move |tx| {
            let (account_id, _) = conversation_account(tx, conversation_id)?;
            crate::sync::mail::apply_local_change(
                tx,
                conversation_id,
                crate::sync::mail::LocalChange::Status(status),
                now,
            )?;
            tx.prepare_cached("UPDATE conversations SET status = ?2, snoozed_until = ?3 WHERE id = ?1")?
                .execute(params![conversation_id, status.as_str(), snoozed_until])?;
            let action = OutboundAction::SetStatus { status, snoozed_until };
            let outbox_id =
                insert_item(tx, &key, account_id, conversation_id, None, &Payload { action, queued_after: None }, now)?;
            Ok(QueuedItem { outbox_id, message_id: None, idempotency_key: key, account_id })
        })
        .await?)
}

/// Queues an assignment to a helpdesk agent id (`None` unassigns).
pub async fn queue_assign(store: &Store, conversation_id: i64, assignee_id: Option<String>) -> Result<QueuedItem> {
    let key = new_idempotency_key()?;
    let now = now_millis();
    Ok(store
        .write_async(move |tx| {
            let (account_id, _) = conversation_account(tx, conversation_id)?;
            let change = crate::sync::mail::LocalChange::Assignee(assignee_id.as_deref());
            crate::sync::mail::apply_local_change(tx, conversation_id, change, now)?;
            let action = OutboundAction::Assign { assignee_id };
            let outbox_id =
                insert_item(tx, &key, account_id, conversation_id, None, &Payload { action, queued_after: None }, now)?;
            Ok(QueuedItem { outbox_id, message_id: None, idempotency_key: key, account_id })
        })
        .await?)
}

/// Items not yet delivered (queued, sending, failed), oldest first; `None`: every account.
pub fn list_open(conn: &Connection, account_id: Option<i64>) -> hilo_store::Result<Vec<OutboxEntry>> {
    let sql = format!(
        "SELECT {ENTRY_COLUMNS} FROM outbox o WHERE o.state <> 'delivered' AND (?1 IS NULL OR o.account_id = ?1)
         ORDER BY o.id"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([account_id], |r| entry_from_row(r).map(|(e, _)| e))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn get(conn: &Connection, outbox_id: i64) -> hilo_store::Result<OutboxEntry> {
    let sql = format!("SELECT {ENTRY_COLUMNS} FROM outbox o WHERE o.id = ?1");
    conn.prepare_cached(&sql)?
        .query_row([outbox_id], |r| entry_from_row(r).map(|(e, _)| e))
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("outbox item {outbox_id}")))
}

fn set_message_delivery(conn: &Connection, message_id: Option<i64>, d: DeliveryState) -> hilo_store::Result<()> {
    if let Some(mid) = message_id {
        conn.prepare_cached("UPDATE messages SET delivery = ?2 WHERE id = ?1 AND remote_id IS NULL")?
            .execute(params![mid, d.as_str()])?;
    }
    Ok(())
}

/// Sends a failed (or backing-off) item again as soon as the account's loop runs.
pub async fn retry(store: &Store, outbox_id: i64) -> Result<OutboxEntry> {
    let now = now_millis();
    Ok(store
        .write_async(move |tx| {
            let e = get(tx, outbox_id)?;
            match e.state {
                OutboxState::Failed | OutboxState::Queued => {}
                OutboxState::Sending => {
                    return Err(StoreError::InvalidInput("the item is being sent right now".into()));
                }
                OutboxState::Delivered => {
                    return Err(StoreError::InvalidInput("the item was already delivered".into()));
                }
            }
            tx.prepare_cached("UPDATE outbox SET state = 'queued', next_attempt_at = ?2 WHERE id = ?1")?
                .execute(params![outbox_id, now])?;
            set_message_delivery(tx, e.message_id, DeliveryState::Pending)?;
            get(tx, outbox_id)
        })
        .await?)
}

/// Changes the text of a reply or note that has not gone out; a failed one is queued again.
/// The idempotency key stays: if an earlier attempt did land, it is not sent twice.
pub async fn edit(store: &Store, outbox_id: i64, text: &str) -> Result<OutboxEntry> {
    check_text(text)?;
    let text = text.to_owned();
    let now = now_millis();
    Ok(store
        .write_async(move |tx| {
            let sql = format!("SELECT {ENTRY_COLUMNS} FROM outbox o WHERE o.id = ?1");
            let (e, queued_after) = tx
                .prepare_cached(&sql)?
                .query_row([outbox_id], entry_from_row)
                .optional()?
                .ok_or_else(|| StoreError::NotFound(format!("outbox item {outbox_id}")))?;
            if !matches!(e.state, OutboxState::Queued | OutboxState::Failed) {
                return Err(StoreError::InvalidInput(format!("the item is {} and can no longer be edited", e.state.as_str())));
            }
            let action = match e.action {
                OutboundAction::Reply { .. } => OutboundAction::Reply { text: text.clone() },
                OutboundAction::Note { .. } => OutboundAction::Note { text: text.clone() },
                _ => return Err(StoreError::InvalidInput("only replies and notes have text".into())),
            };
            let json = serde_json::to_string(&Payload { action, queued_after })
                .map_err(|err| StoreError::InvalidInput(err.to_string()))?;
            tx.prepare_cached(
                "UPDATE outbox SET payload = ?2, state = 'queued', next_attempt_at = ?3, last_error = NULL WHERE id = ?1",
            )?
            .execute(params![outbox_id, json, now])?;
            if let Some(mid) = e.message_id {
                tx.prepare_cached("UPDATE messages SET text = ?2, delivery = 'pending' WHERE id = ?1 AND remote_id IS NULL")?
                    .execute(params![mid, text])?;
            }
            get(tx, outbox_id)
        })
        .await?)
}

/// Drops an item that has not gone out, and its pending timeline row. Only on request.
pub async fn discard(store: &Store, outbox_id: i64) -> Result<()> {
    Ok(store
        .write_async(move |tx| {
            let e = get(tx, outbox_id)?;
            if !matches!(e.state, OutboxState::Queued | OutboxState::Failed) {
                return Err(StoreError::InvalidInput(format!(
                    "the item is {} and cannot be discarded",
                    e.state.as_str()
                )));
            }
            tx.prepare_cached("DELETE FROM outbox WHERE id = ?1")?.execute([outbox_id])?;
            if let Some(mid) = e.message_id {
                tx.prepare_cached("DELETE FROM messages WHERE id = ?1 AND remote_id IS NULL")?.execute([mid])?;
            }
            Ok(())
        })
        .await?)
}

/// How long a delivered item is kept (for support and debugging) before it is pruned.
pub const DELIVERED_RETENTION_MS: i64 = 7 * 24 * 3_600_000;

/// Removes the account's delivered items created before `before` whose message, if they
/// carry one, is reconciled (has its remote id): their echo can no longer be confused with
/// a new message, and the text lives on in `messages`. Status and assignment items have
/// no message. A delivered reply still without a remote id is kept: its echo may need the
/// idempotency key. Returns how many were removed.
pub fn prune_delivered(conn: &Connection, account_id: i64, before: i64) -> hilo_store::Result<usize> {
    Ok(conn
        .prepare_cached(
            "DELETE FROM outbox WHERE account_id = ?1 AND state = 'delivered' AND created_at < ?2
               AND (message_id IS NULL
                    OR EXISTS (SELECT 1 FROM messages m WHERE m.id = outbox.message_id AND m.remote_id IS NOT NULL))",
        )?
        .execute(params![account_id, before])?)
}

/// What one delivery round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeliveryReport {
    pub delivered: usize,
    pub failed: usize,
}

struct Claimed {
    entry: OutboxEntry,
    queued_after: Option<i64>,
    conversation_remote_id: String,
    channel: Channel,
}

/// Takes the oldest due item of the account whose conversation has no older item still
/// waiting (replies go out in the order they were written), and leases it.
fn claim_next(conn: &Connection, account_id: i64, now: i64, lease_until: i64) -> hilo_store::Result<Option<Claimed>> {
    let sql = format!(
        "SELECT {ENTRY_COLUMNS}, c.remote_id, c.channel FROM outbox o
         JOIN (SELECT conversation_id, min(id) AS first FROM outbox
               WHERE account_id = ?1 AND state IN ('queued', 'sending') GROUP BY conversation_id) h ON h.first = o.id
         JOIN conversations c ON c.id = o.conversation_id
         WHERE o.next_attempt_at <= ?2
         ORDER BY o.id LIMIT 1"
    );
    let found = conn
        .prepare_cached(&sql)?
        .query_row(params![account_id, now], |r| {
            let (entry, queued_after) = entry_from_row(r)?;
            let channel: String = r.get(12)?;
            Ok(Claimed {
                entry,
                queued_after,
                conversation_remote_id: r.get(11)?,
                channel: channel.parse().unwrap_or(Channel::Api),
            })
        })
        .optional()?;
    let Some(mut claimed) = found else { return Ok(None) };
    conn.prepare_cached(
        "UPDATE outbox SET state = 'sending', attempts = attempts + 1, next_attempt_at = ?2 WHERE id = ?1",
    )?
    .execute(params![claimed.entry.id, lease_until])?;
    claimed.entry.attempts += 1;
    claimed.entry.state = OutboxState::Sending;
    Ok(Some(claimed))
}

fn mark_delivered(conn: &Connection, e: &OutboxEntry, receipt: &PushReceipt) -> hilo_store::Result<()> {
    if let (Some(mid), Some(remote)) = (e.message_id, receipt.remote_id.as_deref()) {
        let exists = conn.prepare_cached("SELECT 1 FROM messages WHERE id = ?1")?.exists([mid])?;
        if exists {
            attach_remote_id(conn, e.conversation_id, mid, remote)?;
            // A mail reply: its headers and thread ids now, before its echo is synced.
            if let Some(echo) = receipt.echo.as_ref().filter(|m| m.mail.is_some()) {
                crate::sync::mail::store_sent(conn, e.conversation_id, echo)?;
            }
        }
    }
    conn.prepare_cached("UPDATE outbox SET state = 'delivered', last_error = NULL WHERE id = ?1")?.execute([e.id])?;
    Ok(())
}

fn reschedule(conn: &Connection, e: &OutboxEntry, at: i64, error: &str) -> hilo_store::Result<()> {
    conn.prepare_cached(
        "UPDATE outbox SET state = 'queued', next_attempt_at = ?2, last_error = ?3 WHERE id = ?1 AND state = 'sending'",
    )?
    .execute(params![e.id, at, error])?;
    Ok(())
}

fn mark_failed(conn: &Connection, e: &OutboxEntry, error: &str) -> hilo_store::Result<()> {
    conn.prepare_cached("UPDATE outbox SET state = 'failed', last_error = ?2 WHERE id = ?1 AND state = 'sending'")?
        .execute(params![e.id, error])?;
    set_message_delivery(conn, e.message_id, DeliveryState::Failed)
}

/// Errors that concern the whole account rather than one item: the item waits (it is
/// not the item's fault) and the round stops.
fn account_level(e: &SourceError) -> bool {
    e.is_transient()
        || matches!(e, SourceError::Unauthorized { .. } | SourceError::AuthFailed { .. } | SourceError::Config { .. })
}

/// Delivers the account's due items one at a time until none is due, counting into
/// `report` as it goes. Stops at the first failure that concerns the whole account
/// (offline, rate limited, server failing, token rejected) and returns it, after
/// rescheduling the item with backoff. Delivered items past their retention are pruned
/// first (see [`prune_delivered`]).
pub async fn deliver_due(
    store: &Store,
    account_id: i64,
    source: &dyn ConversationSource,
    config: &SyncConfig,
    report: &mut DeliveryReport,
) -> std::result::Result<(), crate::sync::SyncError> {
    let lease = i64::try_from(config.outbox_lease.as_millis()).unwrap_or(i64::MAX);
    let before = now_millis().saturating_sub(DELIVERED_RETENTION_MS);
    store.write_async(move |tx| prune_delivered(tx, account_id, before)).await?;
    loop {
        let now = now_millis();
        let claimed = store.write_async(move |tx| claim_next(tx, account_id, now, now.saturating_add(lease))).await?;
        let Some(c) = claimed else { return Ok(()) };
        let item = OutboundItem {
            key: c.entry.idempotency_key.clone(),
            conversation_remote_id: c.conversation_remote_id.clone(),
            channel: c.channel,
            action: c.entry.action.clone(),
            attempt: c.entry.attempts,
            queued_after: c.queued_after,
            reply_to: None,
        };
        let entry = c.entry;
        let mut item = item;
        if c.channel == Channel::Email {
            let conversation_id = entry.conversation_id;
            item.reply_to =
                store.read_async(move |conn| crate::sync::mail::reply_context_for(conn, conversation_id)).await?;
        }
        match source.push(item).await {
            Ok(receipt) => {
                store.write_async(move |tx| mark_delivered(tx, &entry, &receipt)).await?;
                report.delivered += 1;
            }
            Err(e) if account_level(&e) => {
                let delay = config.backoff.delay(entry.attempts, e.retry_after());
                let at = now_millis().saturating_add(i64::try_from(delay.as_millis()).unwrap_or(i64::MAX));
                let msg = e.to_string();
                store.write_async(move |tx| reschedule(tx, &entry, at, &msg)).await?;
                return Err(e.into());
            }
            Err(e) => {
                let msg = e.to_string();
                store.write_async(move |tx| mark_failed(tx, &entry, &msg)).await?;
                report.failed += 1;
            }
        }
    }
}

/// How long until the next item that may go out (the oldest of its conversation) is due.
pub fn next_due(conn: &Connection, account_id: i64) -> hilo_store::Result<Option<Duration>> {
    let at: Option<i64> = conn
        .prepare_cached(
            "SELECT min(o.next_attempt_at) FROM outbox o
             JOIN (SELECT conversation_id, min(id) AS first FROM outbox
                   WHERE account_id = ?1 AND state IN ('queued', 'sending') GROUP BY conversation_id) h ON h.first = o.id",
        )?
        .query_row([account_id], |r| r.get(0))?;
    Ok(at.map(|t| Duration::from_millis(u64::try_from(t.saturating_sub(now_millis())).unwrap_or(0))))
}
