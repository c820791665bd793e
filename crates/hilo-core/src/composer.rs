//! The composer and the conversation header's actions: canned-answer search, the agent's
//! own profile, and replies, notes, status changes and assignments — each queued through
//! the outbox and applied to the cache at once, so the app never waits for the network.

use hilo_model::composer::{AgentProfile, ConversationDetails, QueuedReply, Snippet};
use hilo_model::sla::SlaAlertSettings;
use hilo_model::time::now_millis;
use hilo_model::{ConversationStatus, EventKind, Origin};
use hilo_store::events::{self, NewEvent};
use hilo_store::{Store, StoreError, settings};
use rusqlite::{Connection, OptionalExtension, params};

use crate::error::{CoreError, Result};
use crate::outbox::{self, ReplyKind};
use crate::sla::ALERT_SETTINGS_KEY;
use crate::sla::config::load_alert_settings;

/// Setting key of the agent's profile (`AgentProfile` as JSON).
pub const AGENT_PROFILE_KEY: &str = "agent.profile";
/// Most snippets a search returns when no limit is given.
pub const DEFAULT_SNIPPET_LIMIT: u32 = 20;
const MAX_AGENT_NAME: usize = 120;

/// Lowercase with the accents of Spanish, Portuguese, French and German removed, so
/// "disculpa" finds "Disculpa" and "devolucion" finds "Devolución".
fn fold(s: &str) -> String {
    s.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'á' | 'à' | 'ä' | 'â' | 'ã' => 'a',
            'é' | 'è' | 'ë' | 'ê' => 'e',
            'í' | 'ì' | 'ï' | 'î' => 'i',
            'ó' | 'ò' | 'ö' | 'ô' | 'õ' => 'o',
            'ú' | 'ù' | 'ü' | 'û' => 'u',
            'ñ' => 'n',
            'ç' => 'c',
            c => c,
        })
        .collect()
}

/// How well a snippet matches every word of the query (lower is better), or `None`.
/// A shortcut that starts with the query beats one that contains it, which beats the
/// title, which beats the body.
fn rank(s: &Snippet, words: &[String], whole: &str) -> Option<u8> {
    let (shortcut, title, body) = (fold(&s.shortcut), fold(&s.title), fold(&s.body));
    if !words.iter().all(|w| shortcut.contains(w) || title.contains(w) || body.contains(w)) {
        return None;
    }
    Some(if whole.is_empty() || shortcut.starts_with(whole) {
        0
    } else if shortcut.contains(whole) {
        1
    } else if words.iter().all(|w| title.contains(w)) {
        2
    } else if title.contains(whole) {
        3
    } else {
        4
    })
}

/// Snippets matching `query` (every word, in shortcut, title or body; accents and case
/// ignored), best first, those in `language` (the agent's UI language) before others.
pub fn search_snippets(
    conn: &Connection,
    query: &str,
    language: &str,
    limit: Option<u32>,
) -> hilo_store::Result<Vec<Snippet>> {
    let mut stmt = conn.prepare_cached("SELECT id, shortcut, language, title, body FROM snippets")?;
    let all = stmt
        .query_map([], |r| {
            Ok(Snippet { id: r.get(0)?, shortcut: r.get(1)?, language: r.get(2)?, title: r.get(3)?, body: r.get(4)? })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let whole = fold(query.trim().trim_start_matches('/'));
    let words: Vec<String> = whole.split_whitespace().map(str::to_owned).collect();
    let preferred = fold(language.split(['-', '_']).next().unwrap_or(""));
    let mut hits: Vec<(bool, u8, Snippet)> = all
        .into_iter()
        .filter_map(|s| rank(&s, &words, &whole).map(|r| (fold(&s.language) != preferred, r, s)))
        .collect();
    hits.sort_by(|a, b| (a.0, a.1, &a.2.shortcut, a.2.id).cmp(&(b.0, b.1, &b.2.shortcut, b.2.id)));
    let limit = limit.unwrap_or(DEFAULT_SNIPPET_LIMIT).clamp(1, 200) as usize;
    Ok(hits.into_iter().take(limit).map(|(_, _, s)| s).collect())
}

pub(crate) fn read_profile(conn: &Connection) -> hilo_store::Result<AgentProfile> {
    let stored: Option<AgentProfile> =
        settings::get(conn, AGENT_PROFILE_KEY)?.and_then(|v| serde_json::from_value(v).ok());
    // Before the profile existed, the alert settings held the agent's name for "mine".
    Ok(match stored {
        Some(p) => p,
        None => AgentProfile { name: load_alert_settings(conn)?.agent },
    })
}

/// The agent's profile (name), for `{{agent.name}}` and "assign to me".
pub async fn agent_profile(store: &Store) -> Result<AgentProfile> {
    Ok(store.read_async(read_profile).await?)
}

/// Saves the agent's name. It is also the name "mine" alerts compare assignees with, so
/// the alert settings follow it in the same transaction.
pub async fn set_agent_profile(store: &Store, profile: AgentProfile) -> Result<AgentProfile> {
    let name = profile.name.as_deref().map(str::trim).filter(|n| !n.is_empty()).map(str::to_owned);
    if let Some(n) = &name
        && (n.chars().count() > MAX_AGENT_NAME || n.chars().any(char::is_control))
    {
        return Err(CoreError::InvalidInput(format!(
            "your name must be one line of at most {MAX_AGENT_NAME} characters"
        )));
    }
    let profile = AgentProfile { name };
    let value = serde_json::to_value(&profile).map_err(|e| CoreError::Internal(e.to_string()))?;
    Ok(store
        .write_async(move |tx| {
            settings::set(tx, AGENT_PROFILE_KEY, &value)?;
            let alerts = SlaAlertSettings { agent: profile.name.clone(), ..load_alert_settings(tx)? };
            let alerts = serde_json::to_value(&alerts).map_err(|e| StoreError::InvalidInput(e.to_string()))?;
            settings::set(tx, ALERT_SETTINGS_KEY, &alerts)?;
            read_profile(tx)
        })
        .await?)
}

fn parsed<T: std::str::FromStr>(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<T>
where
    T::Err: std::error::Error + Send + Sync + 'static,
{
    r.get::<_, String>(i)?
        .parse()
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e)))
}

fn details(conn: &Connection, conversation_id: i64) -> hilo_store::Result<ConversationDetails> {
    let found = conn
        .prepare_cached(
            "SELECT c.id, c.account_id, a.name, a.config, c.channel, c.status, c.snoozed_until, c.assignee, c.subject,
                    c.customer_id, cu.name
             FROM conversations c JOIN accounts a ON a.id = c.account_id JOIN customers cu ON cu.id = c.customer_id
             WHERE c.id = ?1",
        )?
        .query_row([conversation_id], |r| {
            let config: String = r.get(3)?;
            let demo = serde_json::from_str::<serde_json::Value>(&config)
                .ok()
                .and_then(|v| v.get("demo").and_then(serde_json::Value::as_bool))
                .unwrap_or(false);
            Ok(ConversationDetails {
                id: r.get(0)?,
                account_id: r.get(1)?,
                account_name: r.get(2)?,
                demo,
                channel: parsed(r, 4)?,
                status: parsed(r, 5)?,
                snoozed_until: r.get(6)?,
                assignee: r.get(7)?,
                subject: r.get(8)?,
                customer_id: r.get(9)?,
                customer_name: r.get(10)?,
                known_agents: Vec::new(),
                mail_to: Vec::new(),
                mail_cc: Vec::new(),
            })
        })
        .optional()?;
    let mut d = found.ok_or_else(|| StoreError::NotFound(format!("conversation {conversation_id}")))?;
    let mut stmt = conn.prepare_cached(
        "SELECT DISTINCT assignee FROM conversations WHERE account_id = ?1 AND assignee IS NOT NULL AND assignee <> ''
         ORDER BY assignee COLLATE NOCASE LIMIT 200",
    )?;
    d.known_agents = stmt.query_map([d.account_id], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    if d.channel == hilo_model::Channel::Email
        && let Some(ctx) = crate::sync::mail::reply_context_for(conn, conversation_id)?
    {
        d.mail_to = ctx.to;
        d.mail_cc = ctx.cc;
    }
    Ok(d)
}

/// What the composer and the header's actions need to know about a conversation.
pub async fn conversation_details(store: &Store, conversation_id: i64) -> Result<ConversationDetails> {
    Ok(store.read_async(move |c| details(c, conversation_id)).await?)
}

/// Queues a reply (or an internal note): it is in the timeline at once as pending and
/// goes out when the helpdesk is reachable.
pub async fn send_reply(store: &Store, conversation_id: i64, text: &str, note: bool) -> Result<QueuedReply> {
    let kind = if note { ReplyKind::Note } else { ReplyKind::Public };
    let queued = outbox::queue_reply(store, conversation_id, text, kind).await?;
    // The pending line is signed like the helpdesk will sign it (the echo replaces it).
    if let (Some(mid), Some(name)) = (queued.message_id, agent_profile(store).await?.name) {
        store
            .write_async(move |tx| {
                tx.prepare_cached("UPDATE messages SET author = ?2 WHERE id = ?1 AND remote_id IS NULL")?
                    .execute(params![mid, name])?;
                Ok(())
            })
            .await?;
    }
    Ok(QueuedReply { outbox_id: queued.outbox_id, message_id: queued.message_id, account_id: queued.account_id })
}

/// "Sync now": items waiting out a backoff (after the server was unreachable) become
/// due at once, so the agent's request sends them rather than only the next sync. Items
/// being sent and failed ones (which wait for the agent) are left alone.
pub async fn outbox_due_now(store: &Store, account_id: Option<i64>) -> Result<usize> {
    let now = now_millis();
    Ok(store
        .write_async(move |tx| {
            Ok(tx
                .prepare_cached(
                    "UPDATE outbox SET next_attempt_at = ?2
                     WHERE state = 'queued' AND next_attempt_at > ?2 AND (?1 IS NULL OR account_id = ?1)",
                )?
                .execute(params![account_id, now])?)
        })
        .await?)
}

/// Records in the customer's timeline a change the agent made here (sync only records
/// the changes it sees come from the server).
fn record_event(
    conn: &Connection,
    d: &ConversationDetails,
    kind: EventKind,
    from: Option<&str>,
    to: Option<&str>,
    actor: Option<&str>,
    now: i64,
) -> hilo_store::Result<()> {
    events::insert(
        conn,
        &NewEvent {
            customer_id: Some(d.customer_id),
            conversation_id: Some(d.id),
            kind,
            at: now,
            actor,
            from_value: from,
            to_value: to,
            origin: Origin::Ui,
        },
    )?;
    Ok(())
}

/// Changes a conversation's status: shown at once, sent through the outbox. Snoozing
/// needs a time in the future; other statuses clear it.
pub async fn set_status(
    store: &Store,
    conversation_id: i64,
    status: ConversationStatus,
    snoozed_until: Option<i64>,
) -> Result<ConversationDetails> {
    let now = now_millis();
    let until = match (status, snoozed_until) {
        (ConversationStatus::Snoozed, Some(t)) if t > now => Some(t),
        (ConversationStatus::Snoozed, Some(_)) => {
            return Err(CoreError::InvalidInput("snooze until a time in the future".into()));
        }
        (ConversationStatus::Snoozed, None) => {
            return Err(CoreError::InvalidInput("say until when the conversation is snoozed".into()));
        }
        _ => None,
    };
    let before = conversation_details(store, conversation_id).await?;
    outbox::queue_status(store, conversation_id, status, until).await?;
    let actor = agent_profile(store).await?.name;
    Ok(store
        .write_async(move |tx| {
            // A mailbox's local change was already recorded by the outbox step.
            if before.status != status && !crate::sync::mail::is_mailbox(tx, conversation_id)? {
                let (from, to) = (before.status.as_str(), status.as_str());
                record_event(tx, &before, EventKind::StatusChanged, Some(from), Some(to), actor.as_deref(), now)?;
            }
            details(tx, conversation_id)
        })
        .await?)
}

/// Assigns a conversation to an agent by name (`None` unassigns): shown at once, sent
/// through the outbox (the connector finds the helpdesk's agent id for the name).
pub async fn assign(store: &Store, conversation_id: i64, assignee: Option<String>) -> Result<ConversationDetails> {
    let assignee = assignee.as_deref().map(str::trim).filter(|n| !n.is_empty()).map(str::to_owned);
    if let Some(n) = &assignee
        && (n.chars().count() > MAX_AGENT_NAME || n.chars().any(char::is_control))
    {
        return Err(CoreError::InvalidInput("an agent's name is one line of at most 120 characters".into()));
    }
    let before = conversation_details(store, conversation_id).await?;
    outbox::queue_assign(store, conversation_id, assignee.clone()).await?;
    let actor = agent_profile(store).await?.name;
    let now = now_millis();
    Ok(store
        .write_async(move |tx| {
            tx.prepare_cached("UPDATE conversations SET assignee = ?2 WHERE id = ?1")?
                .execute(params![conversation_id, assignee])?;
            if before.assignee != assignee && !crate::sync::mail::is_mailbox(tx, conversation_id)? {
                let (from, to) = (before.assignee.as_deref(), assignee.as_deref());
                record_event(tx, &before, EventKind::Assigned, from, to, actor.as_deref(), now)?;
            }
            details(tx, conversation_id)
        })
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snippet(id: i64, shortcut: &str, language: &str, title: &str, body: &str) -> Snippet {
        Snippet { id, shortcut: shortcut.into(), language: language.into(), title: title.into(), body: body.into() }
    }

    #[test]
    fn ranking_prefers_shortcut_then_title_then_body() {
        let words = |q: &str| fold(q).split_whitespace().map(str::to_owned).collect::<Vec<_>>();
        let by_shortcut = snippet(1, "envio", "es", "Estado del envío", "Hola");
        let by_title = snippet(2, "x", "es", "Envío urgente", "Hola");
        let by_body = snippet(3, "y", "es", "Otro", "tu envío sale hoy");
        let q = "envio";
        assert_eq!(rank(&by_shortcut, &words(q), q), Some(0));
        assert_eq!(rank(&by_title, &words(q), q), Some(2), "accents do not matter");
        assert_eq!(rank(&by_body, &words(q), q), Some(4));
        assert_eq!(rank(&by_body, &words("envio mañana"), "envio manana"), None, "every word must match");
    }
}
