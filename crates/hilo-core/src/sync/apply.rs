//! Folding a source page into the cache: contacts → customers, conversations,
//! messages (sanitized), timeline events, and the page's cursor — all inside the one
//! transaction the caller opened. Every statement is an upsert by remote id, so a page
//! applied twice leaves the cache as it was after the first time.

use std::collections::{HashMap, HashSet};

use hilo_connectors::helpdesk::{SourceContact, SourceConversation, SourceMessage, SourcePage, StateAuthority};
use hilo_model::{ConversationStatus, DeliveryState, Direction, EventKind, IdentityKind, NormalizedIdentity, Origin};
use hilo_store::conversations::{self, NewConversation};
use hilo_store::events::{self, NewEvent};
use hilo_store::{Result, customers};
use rusqlite::{Connection, OptionalExtension, params};

use super::mail;
use crate::html;

/// A page with its HTML already sanitized, ready to be written. Preparing happens
/// outside the write lock: sanitizing is the slow part.
#[derive(Debug, Clone)]
pub struct PreparedPage {
    pub contacts: Vec<SourceContact>,
    pub conversations: Vec<SourceConversation>,
    pub messages: Vec<SourceMessage>,
    pub next_cursor: String,
    pub backend_sla: Vec<(String, Option<hilo_model::sla_backend::BackendSla>)>,
}

/// Sanitizes every message's HTML (`raw_html` then holds the safe version) and fills
/// empty text from it, for search and previews.
pub fn prepare(page: SourcePage) -> PreparedPage {
    let messages = page
        .messages
        .into_iter()
        .map(|mut m| {
            if let Some(raw) = m.raw_html.take() {
                let clean = html::sanitize(&raw);
                if m.text.trim().is_empty() {
                    m.text = html::to_text(&clean);
                }
                m.raw_html = Some(clean).filter(|h| !h.trim().is_empty());
            }
            m
        })
        .collect();
    PreparedPage {
        contacts: page.contacts,
        conversations: page.conversations,
        messages,
        next_cursor: page.next_cursor,
        backend_sla: page.backend_sla,
    }
}

/// What applying a page changed, for reports and benchmarks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ApplyStats {
    pub conversations: usize,
    pub messages: usize,
    /// Local outbox copies matched with their remote echo.
    pub reconciled: usize,
    /// Messages whose conversation is not in the cache (never expected; counted, not hidden).
    pub orphaned: usize,
}

/// The identity that ties a customer to one helpdesk contact.
pub fn contact_ref(account_id: i64, contact_remote_id: &str) -> NormalizedIdentity {
    NormalizedIdentity {
        kind: IdentityKind::Contact,
        value: format!("{account_id}:{contact_remote_id}"),
        display: format!("#{contact_remote_id}"),
    }
}

/// Finds the customer any of `identities` already belongs to (the first match wins, the
/// helpdesk's own contact reference first), else makes one; then attaches every identity
/// that nobody owns yet. Two customers sharing identities are left for a merge, never
/// merged silently.
pub fn resolve_customer(
    conn: &Connection,
    account_id: i64,
    name: Option<&str>,
    identities: &[NormalizedIdentity],
    now: i64,
) -> Result<i64> {
    let mut found = None;
    for id in identities {
        if let Some(c) = customers::find_by_identity(conn, id.kind, &id.value)? {
            found = Some(c);
            break;
        }
    }
    let customer = match found {
        Some(c) => c,
        None => {
            let fallback = identities.iter().find(|i| i.kind != IdentityKind::Contact).map(|i| i.display.as_str());
            let display = name.or(fallback).unwrap_or("Unknown customer");
            customers::insert(conn, display, None, now)?
        }
    };
    for id in identities {
        let owner = customers::attach_identity(conn, customer, id, Some(account_id), now)?;
        if owner == customer && id.kind == IdentityKind::Phone {
            link_earlier_calls(conn, customer, &id.value)?;
        }
    }
    Ok(customer)
}

/// Identity graph: calls that came in from (or went to) a number before anyone owned
/// it belong to the customer who now has that phone — the call from Monday joins the
/// timeline the moment the helpdesk tells Hilo whose number it is.
fn link_earlier_calls(conn: &Connection, customer: i64, e164: &str) -> Result<usize> {
    Ok(conn
        .prepare_cached(
            "UPDATE calls SET customer_id = ?1,
                 identity_id = (SELECT id FROM identities WHERE kind = 'phone' AND value = ?2)
             WHERE customer_id IS NULL
               AND ((direction = 'inbound' AND from_number = ?2) OR (direction = 'outbound' AND to_number = ?2))",
        )?
        .execute(params![customer, e164])?)
}

fn conversation_customer(
    conn: &Connection,
    account_id: i64,
    c: &SourceConversation,
    contacts: &HashMap<String, i64>,
    now: i64,
) -> Result<i64> {
    if let Some(id) = c.contact_remote_id.as_ref().and_then(|r| contacts.get(r)) {
        return Ok(*id);
    }
    if let Some(contact) = &c.contact_remote_id {
        let ident = contact_ref(account_id, contact);
        return resolve_customer(conn, account_id, c.contact_name.as_deref(), &[ident], now);
    }
    // No contact at all (an odd shape): keep the customer the conversation already has.
    let existing: Option<i64> = conn
        .prepare_cached("SELECT customer_id FROM conversations WHERE account_id = ?1 AND remote_id = ?2")?
        .query_row(params![account_id, c.remote_id], |r| r.get(0))
        .optional()?;
    match existing {
        Some(id) => Ok(id),
        None => customers::insert(conn, c.contact_name.as_deref().unwrap_or("Unknown customer"), None, now),
    }
}

/// Writes one prepared page for `account_id`, then its cursor. Call inside `store.write`.
pub fn apply_page(conn: &Connection, account_id: i64, page: &PreparedPage, now: i64) -> Result<ApplyStats> {
    let mut stats = ApplyStats::default();
    let mut contact_customers: HashMap<String, i64> = HashMap::new();
    for contact in &page.contacts {
        let mut identities = vec![contact_ref(account_id, &contact.remote_id)];
        identities.extend(contact.identities.iter().cloned());
        let customer = resolve_customer(conn, account_id, contact.name.as_deref(), &identities, now)?;
        contact_customers.insert(contact.remote_id.clone(), customer);
    }

    let mut local_ids: HashMap<&str, Option<i64>> = HashMap::new();
    // Conversations whose state Hilo owns (mailboxes): a new inbound message reopens them.
    let mut local_state: HashSet<i64> = HashSet::new();
    for c in &page.conversations {
        let customer_id = conversation_customer(conn, account_id, c, &contact_customers, now)?;
        if c.authority == StateAuthority::Local {
            let id = mail::upsert_local_conversation(conn, account_id, c, customer_id)?;
            local_state.insert(id);
            local_ids.insert(&c.remote_id, Some(id));
            stats.conversations += 1;
            continue;
        }
        let before: Option<(i64, String, Option<String>)> = conn
            .prepare_cached("SELECT id, status, assignee FROM conversations WHERE account_id = ?1 AND remote_id = ?2")?
            .query_row(params![account_id, c.remote_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?;
        // A status change the agent queued and the server has not confirmed yet wins over
        // the server's older view, so the header does not flip back and forth.
        let pending_status: Option<String> = match &before {
            Some((id, _, _)) => conn
                .prepare_cached(
                    "SELECT payload FROM outbox WHERE conversation_id = ?1 AND action = 'status'
                     AND state IN ('queued', 'sending') ORDER BY id DESC LIMIT 1",
                )?
                .query_row([id], |r| r.get::<_, String>(0))
                .optional()?,
            None => None,
        };
        let status = pending_status
            .and_then(|p| serde_json::from_str::<serde_json::Value>(&p).ok())
            .and_then(|v| v.get("action").and_then(|a| a.get("status")).and_then(|s| s.as_str()).map(str::to_owned))
            .and_then(|s| s.parse::<ConversationStatus>().ok())
            .unwrap_or(c.status);
        let id = conversations::upsert(
            conn,
            &NewConversation {
                account_id,
                remote_id: &c.remote_id,
                channel: c.channel,
                status,
                priority: c.priority,
                subject: c.subject.as_deref(),
                customer_id,
                assignee: c.assignee.as_deref(),
                team: c.team.as_deref(),
                created_at: c.created_at,
                snoozed_until: c.snoozed_until,
            },
        )?;
        conversations::touch(conn, id, c.last_activity_at)?;
        conn.prepare_cached("UPDATE conversations SET remote_updated_at = ?2 WHERE id = ?1")?
            .execute(params![id, c.updated_at.unwrap_or(c.last_activity_at)])?;
        // Identity graph: remember the contact that linked the conversation to its
        // customer, so an unmerge sends it back with that contact.
        if let Some(contact) = &c.contact_remote_id {
            let link = contact_ref(account_id, contact);
            conn.prepare_cached(
                "UPDATE conversations SET identity_id = (SELECT id FROM identities WHERE kind = ?2 AND value = ?3)
                 WHERE id = ?1",
            )?
            .execute(params![id, link.kind.as_str(), link.value])?;
        }
        if let Some((_, old_status, old_assignee)) = before {
            let at = c.updated_at.unwrap_or(c.last_activity_at).max(c.created_at);
            let customer = Some(customer_id);
            if old_status != status.as_str() {
                events::insert(
                    conn,
                    &NewEvent {
                        customer_id: customer,
                        conversation_id: Some(id),
                        kind: EventKind::StatusChanged,
                        at,
                        actor: None,
                        from_value: Some(&old_status),
                        to_value: Some(status.as_str()),
                        origin: Origin::Sync,
                    },
                )?;
            }
            if old_assignee != c.assignee {
                events::insert(
                    conn,
                    &NewEvent {
                        customer_id: customer,
                        conversation_id: Some(id),
                        kind: EventKind::Assigned,
                        at,
                        actor: None,
                        from_value: old_assignee.as_deref(),
                        to_value: c.assignee.as_deref(),
                        origin: Origin::Sync,
                    },
                )?;
            }
        }
        local_ids.insert(&c.remote_id, Some(id));
        stats.conversations += 1;
    }

    // The helpdesk's own SLA state, stored beside (never instead of) Hilo's clocks.
    for (remote_id, sla) in &page.backend_sla {
        hilo_store::sla_backend::set(conn, account_id, remote_id, sla.as_ref())?;
    }

    let mut newest: HashMap<i64, i64> = HashMap::new();
    for m in &page.messages {
        let known = match local_ids.get(m.conversation_remote_id.as_str()) {
            Some(id) => *id,
            None => {
                let id = conversation_id(conn, account_id, &m.conversation_remote_id)?;
                local_ids.insert(&m.conversation_remote_id, id);
                id
            }
        };
        let Some(conversation_id) = known else {
            stats.orphaned += 1;
            continue;
        };
        if let Some(key) = &m.echo_key
            && reconcile_echo(conn, conversation_id, key, &m.remote_id)?
        {
            stats.reconciled += 1;
        }
        let reopens = m.direction == Direction::Inbound
            && local_state.contains(&conversation_id)
            && !message_exists(conn, conversation_id, &m.remote_id)?;
        upsert_message(conn, conversation_id, m)?;
        if m.mail.is_some() || !m.attachments.is_empty() {
            mail::store_facts(conn, account_id, conversation_id, m)?;
        }
        if reopens {
            mail::reopen_on_inbound(conn, conversation_id, m.created_at)?;
        }
        let at = newest.entry(conversation_id).or_insert(m.created_at);
        *at = (*at).max(m.created_at);
        stats.messages += 1;
    }
    for (conversation_id, at) in newest {
        conversations::touch(conn, conversation_id, at)?;
    }
    save_cursor(conn, account_id, &page.next_cursor, now)?;
    Ok(stats)
}

fn message_exists(conn: &Connection, conversation_id: i64, remote_id: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM messages WHERE conversation_id = ?1 AND remote_id = ?2")?
        .exists(params![conversation_id, remote_id])?)
}

pub fn conversation_id(conn: &Connection, account_id: i64, remote_id: &str) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT id FROM conversations WHERE account_id = ?1 AND remote_id = ?2")?
        .query_row(params![account_id, remote_id], |r| r.get(0))
        .optional()?)
}

/// Inserts or refreshes a synced message. A row the outbox wrote and the sync now sees
/// from the server becomes the sync's: it is confirmed remote state from here on.
fn upsert_message(conn: &Connection, conversation_id: i64, m: &SourceMessage) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO messages (conversation_id, remote_id, direction, kind, author, text, html, delivery,
             created_at, origin)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'sync')
         ON CONFLICT(conversation_id, remote_id) DO UPDATE SET
             direction = excluded.direction, kind = excluded.kind, author = excluded.author,
             text = excluded.text, html = excluded.html, delivery = excluded.delivery,
             created_at = excluded.created_at, origin = 'sync'
         WHERE messages.text IS NOT excluded.text OR messages.html IS NOT excluded.html
             OR messages.delivery IS NOT excluded.delivery OR messages.author IS NOT excluded.author
             OR messages.kind IS NOT excluded.kind OR messages.origin IS NOT 'sync'
             OR messages.created_at IS NOT excluded.created_at",
    )?
    .execute(params![
        conversation_id,
        m.remote_id,
        m.direction.as_str(),
        m.kind.as_str(),
        m.author,
        m.text,
        m.raw_html,
        m.delivery.as_str(),
        m.created_at,
    ])?;
    Ok(())
}

/// Gives the local copy of an outbox message its remote id. If the sync already stored
/// the echo as a row of its own, that row goes: one message, shown once.
pub fn attach_remote_id(conn: &Connection, conversation_id: i64, message_id: i64, remote_id: &str) -> Result<()> {
    conn.prepare_cached("DELETE FROM messages WHERE conversation_id = ?1 AND remote_id = ?2 AND id <> ?3")?
        .execute(params![conversation_id, remote_id, message_id])?;
    conn.prepare_cached("UPDATE messages SET remote_id = ?2, delivery = ?3 WHERE id = ?1")?.execute(params![
        message_id,
        remote_id,
        DeliveryState::Delivered.as_str()
    ])?;
    Ok(())
}

/// Matches a synced message carrying an outbox key with the local copy; returns whether
/// it did. The outbox item is delivered from then on, whatever its attempts said.
fn reconcile_echo(conn: &Connection, conversation_id: i64, key: &str, remote_id: &str) -> Result<bool> {
    let row: Option<(i64, Option<i64>, String)> = conn
        .prepare_cached("SELECT id, message_id, state FROM outbox WHERE idempotency_key = ?1 AND conversation_id = ?2")?
        .query_row(params![key, conversation_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    let Some((outbox_id, message_id, state)) = row else { return Ok(false) };
    if let Some(mid) = message_id {
        let current: Option<Option<String>> = conn
            .prepare_cached("SELECT remote_id FROM messages WHERE id = ?1")?
            .query_row([mid], |r| r.get(0))
            .optional()?;
        if let Some(current) = current
            && current.as_deref() != Some(remote_id)
        {
            attach_remote_id(conn, conversation_id, mid, remote_id)?;
        }
    }
    if state != "delivered" {
        conn.prepare_cached("UPDATE outbox SET state = 'delivered', last_error = NULL WHERE id = ?1")?
            .execute([outbox_id])?;
    }
    Ok(true)
}

pub fn save_cursor(conn: &Connection, account_id: i64, cursor: &str, now: i64) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO sync_state (account_id, cursor, state, updated_at) VALUES (?1, ?2, 'syncing', ?3)
         ON CONFLICT(account_id) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at",
    )?
    .execute(params![account_id, cursor, now])?;
    Ok(())
}

pub fn read_cursor(conn: &Connection, account_id: i64) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT cursor FROM sync_state WHERE account_id = ?1")?
        .query_row([account_id], |r| r.get::<_, Option<String>>(0))
        .optional()?
        .flatten())
}

/// The highest remote message id the sync has committed for a conversation.
pub fn last_synced_message(conn: &Connection, account_id: i64, conversation_remote_id: &str) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached(
            "SELECT max(CAST(m.remote_id AS INTEGER)) FROM messages m
             JOIN conversations c ON c.id = m.conversation_id
             WHERE c.account_id = ?1 AND c.remote_id = ?2 AND m.origin = 'sync' AND m.remote_id IS NOT NULL",
        )?
        .query_row(params![account_id, conversation_remote_id], |r| r.get::<_, Option<i64>>(0))?)
}
