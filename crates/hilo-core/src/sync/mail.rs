//! The cache side of shared mailboxes: mail headers, attachment metadata and the thread
//! index written beside synced messages; conversations whose workflow state Hilo owns
//! (`StateAuthority::Local`); and the context a reply needs (recipient, subject, the
//! thread's References). Everything runs inside the caller's transaction.

use hilo_connectors::helpdesk::{MailHeaders, ReplyContext, SourceConversation, SourceMessage};
use hilo_model::{ConversationStatus, Direction, EventKind, Origin};
use hilo_store::Result;
use hilo_store::conversations::{self, NewConversation};
use hilo_store::events::{self, NewEvent};
use rusqlite::{Connection, OptionalExtension, params};

fn json(v: &[String]) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".into())
}

fn list(s: &str) -> Vec<String> {
    serde_json::from_str(s).unwrap_or_default()
}

/// For each id the account's thread index knows, the remote id of its conversation.
pub fn threads_of(conn: &Connection, account_id: i64, ids: &[String]) -> Result<Vec<(String, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT c.remote_id FROM mail_thread_ids t JOIN conversations c ON c.id = t.conversation_id
         WHERE t.account_id = ?1 AND t.thread_id = ?2",
    )?;
    let mut out = Vec::new();
    for id in ids {
        if let Some(conv) = stmt.query_row(params![account_id, id], |r| r.get::<_, String>(0)).optional()? {
            out.push((id.clone(), conv));
        }
    }
    Ok(out)
}

/// Ties `ids` to the conversation; an id already tied keeps its first conversation.
pub fn index_thread_ids<'a>(
    conn: &Connection,
    account_id: i64,
    conversation_id: i64,
    ids: impl IntoIterator<Item = &'a str>,
) -> Result<()> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO mail_thread_ids (account_id, thread_id, conversation_id) VALUES (?1, ?2, ?3)
         ON CONFLICT(account_id, thread_id) DO NOTHING",
    )?;
    for id in ids {
        stmt.execute(params![account_id, id, conversation_id])?;
    }
    Ok(())
}

fn write_headers(conn: &Connection, message_row: i64, h: &MailHeaders) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO mail_headers (message_id, rfc_id, synthetic_id, in_reply_to, refs, from_addr, reply_to, to_addrs,
             cc_addrs, subject, flags)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
         ON CONFLICT(message_id) DO UPDATE SET rfc_id = excluded.rfc_id, synthetic_id = excluded.synthetic_id,
             in_reply_to = excluded.in_reply_to, refs = excluded.refs, from_addr = excluded.from_addr,
             reply_to = excluded.reply_to, to_addrs = excluded.to_addrs, cc_addrs = excluded.cc_addrs,
             subject = excluded.subject, flags = excluded.flags",
    )?
    .execute(params![
        message_row,
        h.message_id,
        h.synthetic_id,
        json(&h.in_reply_to),
        json(&h.references),
        h.from,
        json(&h.reply_to),
        json(&h.to),
        json(&h.cc),
        h.subject,
        json(&h.flags),
    ])?;
    Ok(())
}

/// Stores what a synced (or just sent) mail message carries besides its text: headers,
/// attachment metadata, and its ids in the thread index. Idempotent.
pub fn store_facts(conn: &Connection, account_id: i64, conversation_id: i64, m: &SourceMessage) -> Result<()> {
    let row: Option<i64> = conn
        .prepare_cached("SELECT id FROM messages WHERE conversation_id = ?1 AND remote_id = ?2")?
        .query_row(params![conversation_id, m.remote_id], |r| r.get(0))
        .optional()?;
    let Some(message_row) = row else { return Ok(()) };
    if let Some(h) = &m.mail {
        write_headers(conn, message_row, h)?;
        let ids = std::iter::once(h.message_id.as_str())
            .chain(h.in_reply_to.iter().map(String::as_str))
            .chain(h.references.iter().map(String::as_str));
        index_thread_ids(conn, account_id, conversation_id, ids)?;
    }
    conn.prepare_cached("DELETE FROM attachments WHERE message_id = ?1 AND position >= ?2")?
        .execute(params![message_row, m.attachments.len() as i64])?;
    let mut stmt = conn.prepare_cached(
        "INSERT INTO attachments (message_id, position, filename, content_type, size, inline)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT(message_id, position) DO UPDATE SET filename = excluded.filename,
             content_type = excluded.content_type, size = excluded.size, inline = excluded.inline",
    )?;
    for (i, a) in m.attachments.iter().enumerate() {
        stmt.execute(params![
            message_row,
            i as i64,
            a.filename,
            a.content_type,
            i64::try_from(a.size).unwrap_or(i64::MAX),
            a.inline
        ])?;
    }
    Ok(())
}

/// Upserts a conversation whose workflow state Hilo owns: a new one takes the page's
/// values; an existing one keeps its status, priority, assignee, team, customer and
/// subject, and only its last activity moves.
pub fn upsert_local_conversation(
    conn: &Connection,
    account_id: i64,
    c: &SourceConversation,
    customer_id: i64,
) -> Result<i64> {
    let existing: Option<i64> = conn
        .prepare_cached("SELECT id FROM conversations WHERE account_id = ?1 AND remote_id = ?2")?
        .query_row(params![account_id, c.remote_id], |r| r.get(0))
        .optional()?;
    let id = match existing {
        Some(id) => id,
        None => conversations::upsert(
            conn,
            &NewConversation {
                account_id,
                remote_id: &c.remote_id,
                channel: c.channel,
                status: c.status,
                priority: c.priority,
                subject: c.subject.as_deref(),
                customer_id,
                assignee: c.assignee.as_deref(),
                team: c.team.as_deref(),
                created_at: c.created_at,
                snoozed_until: c.snoozed_until,
            },
        )?,
    };
    conn.prepare_cached("UPDATE conversations SET subject = coalesce(subject, ?2) WHERE id = ?1")?
        .execute(params![id, c.subject])?;
    conversations::touch(conn, id, c.last_activity_at)?;
    Ok(id)
}

/// A new customer message reopens a resolved or snoozed conversation Hilo owns.
pub fn reopen_on_inbound(conn: &Connection, conversation_id: i64, at: i64) -> Result<()> {
    let row: Option<(String, i64)> = conn
        .prepare_cached("SELECT status, customer_id FROM conversations WHERE id = ?1")?
        .query_row([conversation_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let Some((status, customer_id)) = row else { return Ok(()) };
    let reopen = status == ConversationStatus::Resolved.as_str() || status == ConversationStatus::Snoozed.as_str();
    if !reopen {
        return Ok(());
    }
    conn.prepare_cached("UPDATE conversations SET status = ?2, snoozed_until = NULL WHERE id = ?1")?
        .execute(params![conversation_id, ConversationStatus::Open.as_str()])?;
    events::insert(
        conn,
        &NewEvent {
            customer_id: Some(customer_id),
            conversation_id: Some(conversation_id),
            kind: EventKind::StatusChanged,
            at,
            actor: None,
            from_value: Some(&status),
            to_value: Some(ConversationStatus::Open.as_str()),
            origin: Origin::Sync,
        },
    )?;
    Ok(())
}

/// What a reply in this conversation answers: the newest message with mail headers is
/// the parent; the customer's address is the Reply-To (else From) of their newest
/// message, or — in a thread the account started — whom it wrote to.
pub fn reply_context(conn: &Connection, conversation_id: i64, own: Option<&str>) -> Result<Option<ReplyContext>> {
    let mut stmt = conn.prepare_cached(
        "SELECT h.rfc_id, h.refs, h.from_addr, h.reply_to, h.to_addrs, m.direction, h.cc_addrs FROM messages m
         JOIN mail_headers h ON h.message_id = m.id
         WHERE m.conversation_id = ?1 ORDER BY m.created_at DESC, m.id DESC",
    )?;
    let rows = stmt
        .query_map([conversation_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let Some((parent, parent_refs, ..)) = rows.first().cloned() else { return Ok(None) };
    let is_own = |a: &str| own.is_some_and(|o| o.eq_ignore_ascii_case(a));
    let inbound = rows.iter().find(|r| r.5 == Direction::Inbound.as_str());
    let to: Vec<String> = match inbound {
        Some((_, _, from, reply_to, ..)) => {
            let reply_to = list(reply_to);
            if reply_to.is_empty() { from.iter().cloned().collect() } else { reply_to }
        }
        None => rows.iter().rev().flat_map(|r| list(&r.4)).filter(|a| !is_own(a)).take(1).collect(),
    };
    // Reply-all: the others on the customer's latest message, each once.
    let mut cc: Vec<String> = Vec::new();
    if let Some((_, _, _, _, to_addrs, _, cc_addrs)) = inbound {
        for a in list(to_addrs).into_iter().chain(list(cc_addrs)) {
            let known = |x: &String| x.eq_ignore_ascii_case(&a);
            if !is_own(&a) && !to.iter().any(known) && !cc.iter().any(known) {
                cc.push(a);
            }
        }
    }
    let subject: Option<String> = conn
        .prepare_cached("SELECT subject FROM conversations WHERE id = ?1")?
        .query_row([conversation_id], |r| r.get(0))
        .optional()?
        .flatten();
    let mut references = list(&parent_refs);
    references.retain(|r| r != &parent);
    references.push(parent.clone());
    Ok(Some(ReplyContext { to, cc, subject, parent: Some(parent), references }))
}

/// The account's own address, from an email account's configuration.
fn own_address(conn: &Connection, conversation_id: i64) -> Result<Option<String>> {
    let config: Option<String> = conn
        .prepare_cached(
            "SELECT a.config FROM conversations c JOIN accounts a ON a.id = c.account_id
             WHERE c.id = ?1 AND a.kind = 'email'",
        )?
        .query_row([conversation_id], |r| r.get(0))
        .optional()?;
    Ok(config
        .and_then(|c| serde_json::from_str::<super::accounts::EmailAccountConfig>(&c).ok())
        .and_then(|c| c.from_address().map(str::to_lowercase)))
}

/// `reply_context` with the account's own address looked up.
pub fn reply_context_for(conn: &Connection, conversation_id: i64) -> Result<Option<ReplyContext>> {
    let own = own_address(conn, conversation_id)?;
    reply_context(conn, conversation_id, own.as_deref())
}

/// Records a reply that just went out (its local row already carries its Message-ID).
pub fn store_sent(conn: &Connection, conversation_id: i64, echo: &SourceMessage) -> Result<()> {
    let account_id: Option<i64> = conn
        .prepare_cached("SELECT account_id FROM conversations WHERE id = ?1")?
        .query_row([conversation_id], |r| r.get(0))
        .optional()?;
    match account_id {
        Some(account_id) => store_facts(conn, account_id, conversation_id, echo),
        None => Ok(()),
    }
}

/// A workflow change the agent made on a conversation Hilo owns.
#[derive(Debug, Clone, Copy)]
pub enum LocalChange<'a> {
    /// Recorded before the caller writes the new status.
    Status(ConversationStatus),
    Assignee(Option<&'a str>),
}

/// For mailbox conversations (no server keeps their state): applies an assignment and
/// records status and assignment changes in the timeline. No-op for other accounts,
/// whose server echoes the change back.
/// Whether the conversation belongs to a shared-mailbox account (its workflow state is Hilo's).
pub fn is_mailbox(conn: &Connection, conversation_id: i64) -> Result<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT 1 FROM conversations c JOIN accounts a ON a.id = c.account_id WHERE c.id = ?1 AND a.kind = 'email'",
        )?
        .query_row([conversation_id], |_| Ok(()))
        .optional()?
        .is_some())
}

pub fn apply_local_change(conn: &Connection, conversation_id: i64, change: LocalChange<'_>, at: i64) -> Result<()> {
    let row: Option<(String, Option<String>, i64)> = conn
        .prepare_cached(
            "SELECT c.status, c.assignee, c.customer_id FROM conversations c JOIN accounts a ON a.id = c.account_id
             WHERE c.id = ?1 AND a.kind = 'email'",
        )?
        .query_row([conversation_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    let Some((status, assignee, customer_id)) = row else { return Ok(()) };
    let (kind, from, to) = match change {
        LocalChange::Status(s) if s.as_str() != status => {
            (EventKind::StatusChanged, Some(status), Some(s.as_str().to_owned()))
        }
        LocalChange::Assignee(a) if a != assignee.as_deref() => {
            conn.prepare_cached("UPDATE conversations SET assignee = ?2 WHERE id = ?1")?
                .execute(params![conversation_id, a])?;
            (EventKind::Assigned, assignee, a.map(str::to_owned))
        }
        _ => return Ok(()),
    };
    let actor = crate::composer::read_profile(conn)?.name;
    events::insert(
        conn,
        &NewEvent {
            customer_id: Some(customer_id),
            conversation_id: Some(conversation_id),
            kind,
            at,
            actor: actor.as_deref(),
            from_value: from.as_deref(),
            to_value: to.as_deref(),
            origin: Origin::Ui,
        },
    )?;
    Ok(())
}
