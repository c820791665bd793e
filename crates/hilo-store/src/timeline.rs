//! A customer's timeline: messages, notes and bot turns of all their conversations on
//! every channel, their calls and the events around them — newest first.
//!
//! Keyset pagination on (at, source, id), source being message < call < event. Each
//! source is read with its own index and the pages are merged here, which keeps the
//! first page cheap however long the history is. Filters (channels, kinds) narrow each
//! source's query; jumping to a date is a first page whose cursor is that instant.

use hilo_model::{
    Channel, EventKind, MessageAttachment, MessageKind, TimelineCall, TimelineEntry, TimelineEvent, TimelineFilter,
    TimelineKind, TimelineMessage, TimelinePage,
};
use rusqlite::{Connection, Row, params};

use crate::rows::{cursor_parts, parse, parse_opt};
use crate::{Result, customers};

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 10_000;

const SRC_MESSAGE: i64 = 0;
const SRC_CALL: i64 = 1;
const SRC_EVENT: i64 = 2;

/// One page of the customer's timeline. `limit: None` means [`DEFAULT_LIMIT`].
pub fn customer_timeline(
    conn: &Connection,
    customer_id: i64,
    cursor: Option<&str>,
    limit: Option<u32>,
) -> Result<TimelinePage> {
    customer_timeline_filtered(conn, customer_id, &TimelineFilter::default(), cursor, limit)
}

/// For one source: `None` when the kinds wanted leave nothing of it, `Some(None)` when
/// it is not narrowed, else the JSON array of its kind names to keep.
fn kind_names<K: Copy>(
    wanted: &[TimelineKind],
    all: &[K],
    of: impl Fn(K) -> TimelineKind,
    name: impl Fn(K) -> &'static str,
) -> Option<Option<String>> {
    if wanted.is_empty() {
        return Some(None);
    }
    let picked: Vec<&str> = all.iter().copied().filter(|k| wanted.contains(&of(*k))).map(name).collect();
    (!picked.is_empty()).then(|| Some(serde_json::Value::from(picked).to_string()))
}

/// Like [`customer_timeline`], narrowed by `filter`. A `cursor` from a previous page
/// wins over `filter.before`; pass the same filter with it.
pub fn customer_timeline_filtered(
    conn: &Connection,
    customer_id: i64,
    filter: &TimelineFilter,
    cursor: Option<&str>,
    limit: Option<u32>,
) -> Result<TimelinePage> {
    let customer = customers::summary(conn, customer_id)?;
    let limit = limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT);
    let after = match (cursor, filter.before) {
        (Some(c), _) => Some(cursor_parts::<3>(c)?),
        // Everything at or before the instant: past every source at that millisecond.
        (None, Some(at)) => Some([at, SRC_EVENT + 1, i64::MAX]),
        (None, None) => None,
    };
    let kinds = &filter.kinds;
    let channels = &filter.channels;
    let channel_names = (!channels.is_empty())
        .then(|| serde_json::Value::from(channels.iter().map(|c| c.as_str()).collect::<Vec<_>>()).to_string());
    let message_kinds = kind_names(kinds, MessageKind::ALL, TimelineKind::of_message, MessageKind::as_str);
    let event_kinds = kind_names(kinds, EventKind::ALL, TimelineKind::of_event, EventKind::as_str);
    let want_calls = (kinds.is_empty() || kinds.contains(&TimelineKind::Call))
        && (channels.is_empty() || channels.contains(&Channel::Voice));
    // For source `s`, an item is older than the cursor when (at, s, id) < (c_at, c_src, c_id):
    // `at < A OR (at = A AND id < B)` with B chosen by how `s` compares to c_src.
    let bound = |src: i64| match after {
        None => (i64::MAX, i64::MAX),
        Some([at, c_src, c_id]) => (
            at,
            if src < c_src {
                i64::MAX
            } else if src == c_src {
                c_id
            } else {
                i64::MIN
            },
        ),
    };
    let fetch = i64::from(limit) + 1;
    let mut merged: Vec<(i64, i64, i64, TimelineEntry)> = Vec::new();

    if let Some(message_kinds) = message_kinds {
        let (a, b) = bound(SRC_MESSAGE);
        let mut stmt = conn.prepare_cached(
        "SELECT m.id, m.created_at, m.conversation_id, c.channel, m.direction, m.kind, m.author, m.text, m.html, m.delivery,
                o.id, o.state, o.attempts, o.last_error
         FROM messages m JOIN conversations c ON c.id = m.conversation_id
         LEFT JOIN outbox o ON m.remote_id IS NULL AND o.message_id = m.id AND o.state <> 'delivered'
         WHERE c.customer_id = ?1 AND (m.created_at < ?2 OR (m.created_at = ?2 AND m.id < ?3))
           AND (?5 IS NULL OR c.channel IN (SELECT value FROM json_each(?5)))
           AND (?6 IS NULL OR m.kind IN (SELECT value FROM json_each(?6)))
         ORDER BY m.created_at DESC, m.id DESC LIMIT ?4",
    )?;
        for row in stmt.query_map(params![customer_id, a, b, fetch, channel_names, message_kinds], |r| {
            Ok(TimelineMessage {
                id: r.get(0)?,
                at: r.get(1)?,
                conversation_id: r.get(2)?,
                channel: parse(r, 3)?,
                direction: parse(r, 4)?,
                kind: parse(r, 5)?,
                author: r.get(6)?,
                text: r.get(7)?,
                html: r.get(8)?,
                delivery: parse(r, 9)?,
                attachments: Vec::new(),
                outbox: outbox_of(r, 10)?,
            })
        })? {
            let m = row?;
            merged.push((m.at, SRC_MESSAGE, m.id, TimelineEntry::Message(m)));
        }
    }

    if want_calls {
        let (a, b) = bound(SRC_CALL);
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {CALL_COLUMNS} FROM calls
             WHERE customer_id = ?1 AND (started_at < ?2 OR (started_at = ?2 AND id < ?3))
             ORDER BY started_at DESC, id DESC LIMIT ?4"
        ))?;
        for row in stmt.query_map(params![customer_id, a, b, fetch], call_row)? {
            let c = row?;
            merged.push((c.at, SRC_CALL, c.id, TimelineEntry::Call(c)));
        }
    }

    if let Some(event_kinds) = event_kinds {
        let (a, b) = bound(SRC_EVENT);
        let mut stmt = conn.prepare_cached(
            "SELECT e.id, e.at, e.kind, e.conversation_id, c.channel, e.actor, e.from_value, e.to_value,
                    CASE WHEN e.kind = 'merged' THEN json_extract(e.data, '$.mergeId') END
             FROM timeline_events e LEFT JOIN conversations c ON c.id = e.conversation_id
             WHERE e.customer_id = ?1 AND (e.at < ?2 OR (e.at = ?2 AND e.id < ?3))
               AND (?5 IS NULL OR c.channel IN (SELECT value FROM json_each(?5)))
               AND (?6 IS NULL OR e.kind IN (SELECT value FROM json_each(?6)))
             ORDER BY e.at DESC, e.id DESC LIMIT ?4",
        )?;
        for row in stmt.query_map(params![customer_id, a, b, fetch, channel_names, event_kinds], |r| {
            Ok(TimelineEvent {
                id: r.get(0)?,
                at: r.get(1)?,
                kind: parse(r, 2)?,
                conversation_id: r.get(3)?,
                channel: parse_opt(r, 4)?,
                actor: r.get(5)?,
                from: r.get(6)?,
                to: r.get(7)?,
                merge_id: r.get(8)?,
            })
        })? {
            let e = row?;
            merged.push((e.at, SRC_EVENT, e.id, TimelineEntry::Event(e)));
        }
    }

    merged.sort_unstable_by_key(|x| std::cmp::Reverse((x.0, x.1, x.2)));
    let more = merged.len() > limit as usize;
    merged.truncate(limit as usize);
    let next_cursor = if more { merged.last().map(|(at, src, id, _)| format!("{at}:{src}:{id}")) } else { None };
    let mut attachments = conn.prepare_cached(
        "SELECT filename, content_type, size, inline FROM attachments WHERE message_id = ?1 ORDER BY position",
    )?;
    for (_, _, _, entry) in &mut merged {
        if let TimelineEntry::Message(m) = entry {
            m.attachments = attachments
                .query_map([m.id], |r| {
                    Ok(MessageAttachment {
                        filename: r.get(0)?,
                        content_type: r.get(1)?,
                        size: r.get(2)?,
                        inline: r.get(3)?,
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
        }
    }
    Ok(TimelinePage { customer, items: merged.into_iter().map(|(_, _, _, e)| e).collect(), next_cursor })
}

/// The columns [`call_row`] reads, in order.
pub(crate) const CALL_COLUMNS: &str = "id, started_at, direction, from_number, to_number, agent, outcome, answered_at,
     ended_at, hangup_cause, summary";

pub(crate) fn call_row(r: &Row<'_>) -> rusqlite::Result<TimelineCall> {
    let at: i64 = r.get(1)?;
    let answered_at: Option<i64> = r.get(7)?;
    let ended_at: Option<i64> = r.get(8)?;
    Ok(TimelineCall {
        id: r.get(0)?,
        at,
        direction: parse(r, 2)?,
        from: r.get(3)?,
        to: r.get(4)?,
        agent: r.get(5)?,
        outcome: parse(r, 6)?,
        answered_at,
        ended_at,
        duration_secs: ended_at.map(|e| (e - at).max(0) / 1000),
        talk_secs: answered_at.zip(ended_at).map(|(a, e)| (e - a).max(0) / 1000),
        hangup_cause: r.get(9)?,
        summary: r.get(10)?,
    })
}

/// The open outbox item joined at column `at` (id, state, attempts, last error), if any.
fn outbox_of(r: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<Option<hilo_model::composer::TimelineOutbox>> {
    use hilo_model::composer::{OutboxItemState, TimelineOutbox};
    let Some(id) = r.get::<_, Option<i64>>(at)? else { return Ok(None) };
    let state = match r.get::<_, String>(at + 1)?.as_str() {
        "sending" => OutboxItemState::Sending,
        "failed" => OutboxItemState::Failed,
        "delivered" => OutboxItemState::Delivered,
        _ => OutboxItemState::Queued,
    };
    Ok(Some(TimelineOutbox { id, state, attempts: r.get(at + 2)?, last_error: r.get(at + 3)? }))
}
