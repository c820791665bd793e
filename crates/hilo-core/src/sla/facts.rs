//! What the clocks are computed from, read from the cache: per conversation its messages
//! (direction, kind, instant) and status history, and per missed call from a known
//! customer a callback item.
//!
//! Status history: `timeline_events` of kind `status_changed` (from → to). The status
//! before the first change is that change's `from`; without any change it is the
//! conversation's current status. When the newest change does not end in the current
//! status (a sync that updated the row without an event), the current status is taken
//! to hold since the conversation's last known update.
//!
//! Replies: a reply that failed to send does not stop a clock (the customer never got
//! it); one still waiting in the outbox does, because the agent has answered and the
//! outbox delivers it exactly once.
//!
//! Callbacks (as the telephony call list defines them): per customer, a missed or busy
//! inbound call opens an item unless one is already open — a call forwarded elsewhere
//! does not; the next outbound call to the customer (answered or not) or answered
//! inbound call from them closes it. The item's clock runs from the end of its first
//! unanswered call, since that is when the customer started waiting.

use std::collections::HashMap;

use hilo_model::{CallOutcome, Channel, ConversationStatus, DeliveryState, Direction, MessageKind, Priority};
use hilo_sla::{ConversationFacts, MessageFact, StatusChange};
use rusqlite::{Connection, Row, params};

/// What a tracked item is, and where its alerts are filed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Subject {
    Conversation(i64),
    /// A callback item, named by its first missed call. `alert_conversation` is the call's
    /// conversation, else the customer's newest one (`sla_alerts` rows need a
    /// conversation); `None` when the customer has none, and then it never alerts.
    Callback {
        call_id: i64,
        alert_conversation: Option<i64>,
    },
}

impl Subject {
    /// The conversation an alert about this item is filed under and opens.
    pub fn alert_conversation(self) -> Option<i64> {
        match self {
            Subject::Conversation(id) => Some(id),
            Subject::Callback { alert_conversation, .. } => alert_conversation,
        }
    }
}

/// A conversation or callback item with everything needed to evaluate and describe it.
#[derive(Debug, Clone)]
pub struct TrackedItem {
    pub subject: Subject,
    pub customer_id: i64,
    pub customer_name: String,
    pub channel: Channel,
    /// `None` for callback items.
    pub status: Option<ConversationStatus>,
    pub priority: Priority,
    pub assignee: Option<String>,
    pub team: Option<String>,
    pub facts: ConversationFacts,
}

impl TrackedItem {
    pub fn is_callback(&self) -> bool {
        matches!(self.subject, Subject::Callback { .. })
    }
}

/// Which items to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoadScope {
    /// Conversations not resolved and callbacks not yet returned: all that can still alert.
    Live,
    /// Everything created before the instant (reports, overviews of finished work).
    CreatedBefore(i64),
}

impl LoadScope {
    fn finished_too(self) -> bool {
        matches!(self, LoadScope::CreatedBefore(_))
    }

    fn created_before(self) -> i64 {
        match self {
            LoadScope::Live => i64::MAX,
            LoadScope::CreatedBefore(t) => t,
        }
    }
}

/// Reads conversations and callback items. Blocking; one read transaction's worth of queries.
pub fn load_items(conn: &Connection, scope: LoadScope) -> hilo_store::Result<Vec<TrackedItem>> {
    let mut items = load_conversations(conn, scope)?;
    items.extend(load_callbacks(conn, scope)?);
    Ok(items)
}

struct ConversationRow {
    item: TrackedItem,
    current: ConversationStatus,
    last_update: i64,
    changes: Vec<(i64, Option<ConversationStatus>, ConversationStatus)>,
}

fn load_conversations(conn: &Connection, scope: LoadScope) -> hilo_store::Result<Vec<TrackedItem>> {
    let finished = scope.finished_too();
    let before = scope.created_before();
    let mut rows: Vec<ConversationRow> = Vec::new();
    let mut index: HashMap<i64, usize> = HashMap::new();
    {
        let mut stmt = conn.prepare_cached(
            "SELECT c.id, c.account_id, c.channel, c.status, c.priority, c.created_at, c.assignee, c.team,
                    c.customer_id, cu.name, max(c.last_activity_at, coalesce(c.remote_updated_at, 0))
             FROM conversations c JOIN customers cu ON cu.id = c.customer_id
             WHERE (?1 OR c.status <> 'resolved') AND c.created_at < ?2
             ORDER BY c.id",
        )?;
        let mut query = stmt.query(params![finished, before])?;
        while let Some(r) = query.next()? {
            // A value this build does not know (a newer sync wrote it) leaves the row out
            // rather than failing every clock.
            let (Some(channel), Some(status)) = (parse(r, 2)?, parse::<ConversationStatus>(r, 3)?) else { continue };
            let id: i64 = r.get(0)?;
            let facts = ConversationFacts {
                channel,
                priority: parse(r, 4)?.unwrap_or(Priority::None),
                account_id: r.get(1)?,
                created_at: r.get(5)?,
                status_changes: Vec::new(),
                messages: Vec::new(),
            };
            index.insert(id, rows.len());
            rows.push(ConversationRow {
                item: TrackedItem {
                    subject: Subject::Conversation(id),
                    customer_id: r.get(8)?,
                    customer_name: r.get(9)?,
                    channel,
                    status: Some(status),
                    priority: facts.priority,
                    assignee: r.get(6)?,
                    team: r.get(7)?,
                    facts,
                },
                current: status,
                last_update: r.get(10)?,
                changes: Vec::new(),
            });
        }
    }
    {
        let mut stmt = conn.prepare_cached(
            "SELECT m.conversation_id, m.direction, m.kind, m.delivery, m.created_at
             FROM messages m JOIN conversations c ON c.id = m.conversation_id
             WHERE (?1 OR c.status <> 'resolved') AND c.created_at < ?2
             ORDER BY m.conversation_id, m.created_at, m.id",
        )?;
        let mut query = stmt.query(params![finished, before])?;
        while let Some(r) = query.next()? {
            let Some(row) = index.get(&r.get::<_, i64>(0)?).and_then(|&i| rows.get_mut(i)) else { continue };
            let (Some(direction), Some(kind)) = (parse::<Direction>(r, 1)?, parse::<MessageKind>(r, 2)?) else {
                continue;
            };
            if parse::<DeliveryState>(r, 3)? == Some(DeliveryState::Failed) {
                continue;
            }
            row.item.facts.messages.push(MessageFact { at: r.get(4)?, direction, kind });
        }
    }
    {
        let mut stmt = conn.prepare_cached(
            "SELECT e.conversation_id, e.at, e.from_value, e.to_value
             FROM timeline_events e JOIN conversations c ON c.id = e.conversation_id
             WHERE e.kind = 'status_changed' AND (?1 OR c.status <> 'resolved') AND c.created_at < ?2
             ORDER BY e.conversation_id, e.at, e.id",
        )?;
        let mut query = stmt.query(params![finished, before])?;
        while let Some(r) = query.next()? {
            let Some(row) = index.get(&r.get::<_, i64>(0)?).and_then(|&i| rows.get_mut(i)) else { continue };
            let Some(to) = parse::<ConversationStatus>(r, 3)? else { continue };
            row.changes.push((r.get(1)?, parse(r, 2)?, to));
        }
    }
    Ok(rows.into_iter().map(finish_conversation).collect())
}

fn finish_conversation(mut row: ConversationRow) -> TrackedItem {
    let facts = &mut row.item.facts;
    let initial = match row.changes.first() {
        Some((_, from, _)) => from.unwrap_or(ConversationStatus::Open),
        None => row.current,
    };
    if initial != ConversationStatus::Open {
        facts.status_changes.push(StatusChange { at: facts.created_at, status: initial });
    }
    for &(at, _, to) in &row.changes {
        facts.status_changes.push(StatusChange { at, status: to });
    }
    let last = facts.status_changes.last().map_or(ConversationStatus::Open, |c| c.status);
    if last != row.current {
        let since = facts.status_changes.last().map_or(facts.created_at, |c| c.at).max(row.last_update);
        facts.status_changes.push(StatusChange { at: since, status: row.current });
    }
    facts.sort_chronologically();
    row.item
}

struct CallRow {
    id: i64,
    account_id: i64,
    direction: Direction,
    outcome: CallOutcome,
    started_at: i64,
    answered_at: Option<i64>,
    ended_at: Option<i64>,
    customer_id: i64,
    customer_name: String,
    conversation_id: Option<i64>,
    newest_conversation: Option<i64>,
    forwarded: bool,
}

fn load_callbacks(conn: &Connection, scope: LoadScope) -> hilo_store::Result<Vec<TrackedItem>> {
    let mut stmt = conn.prepare_cached(
        "SELECT k.id, k.account_id, k.direction, k.outcome, k.started_at, k.answered_at, k.ended_at,
                k.customer_id, cu.name, k.conversation_id,
                (SELECT c.id FROM conversations c WHERE c.customer_id = k.customer_id
                 ORDER BY c.last_activity_at DESC, c.id DESC LIMIT 1),
                coalesce(k.hangup_cause, '') = 'forwarded'
         FROM calls k JOIN customers cu ON cu.id = k.customer_id
         ORDER BY k.customer_id, k.started_at, k.id",
    )?;
    let mut query = stmt.query([])?;
    let mut calls = Vec::new();
    while let Some(r) = query.next()? {
        let (Some(direction), Some(outcome)) = (parse::<Direction>(r, 2)?, parse::<CallOutcome>(r, 3)?) else {
            continue;
        };
        calls.push(CallRow {
            id: r.get(0)?,
            account_id: r.get(1)?,
            direction,
            outcome,
            started_at: r.get(4)?,
            answered_at: r.get(5)?,
            ended_at: r.get(6)?,
            customer_id: r.get(7)?,
            customer_name: r.get(8)?,
            conversation_id: r.get(9)?,
            newest_conversation: r.get(10)?,
            forwarded: r.get(11)?,
        });
    }
    Ok(callback_items(&calls, scope))
}

fn callback_items(calls: &[CallRow], scope: LoadScope) -> Vec<TrackedItem> {
    let mut items = Vec::new();
    let mut open: Option<(&CallRow, i64)> = None;
    let mut customer = None;
    let close = |first: &CallRow, start: i64, returned: Option<i64>, items: &mut Vec<TrackedItem>| {
        if (returned.is_some() && !scope.finished_too()) || start >= scope.created_before() {
            return;
        }
        let mut messages = vec![MessageFact { at: start, direction: Direction::Inbound, kind: MessageKind::Message }];
        if let Some(at) = returned {
            messages.push(MessageFact { at, direction: Direction::Outbound, kind: MessageKind::Message });
        }
        items.push(TrackedItem {
            subject: Subject::Callback {
                call_id: first.id,
                alert_conversation: first.conversation_id.or(first.newest_conversation),
            },
            customer_id: first.customer_id,
            customer_name: first.customer_name.clone(),
            channel: Channel::Voice,
            status: None,
            priority: Priority::None,
            assignee: None,
            team: None,
            facts: ConversationFacts {
                channel: Channel::Voice,
                priority: Priority::None,
                account_id: first.account_id,
                created_at: start,
                status_changes: Vec::new(),
                messages,
            },
        });
    };
    for call in calls {
        if customer != Some(call.customer_id) {
            if let Some((first, start)) = open.take() {
                close(first, start, None, &mut items);
            }
            customer = Some(call.customer_id);
        }
        let returned_at = match (call.direction, call.outcome) {
            (Direction::Outbound, CallOutcome::Ringing) => None,
            (Direction::Outbound, _) => Some(call.started_at),
            (Direction::Inbound, CallOutcome::Answered) => Some(call.answered_at.unwrap_or(call.started_at)),
            _ => None,
        };
        match (open, returned_at) {
            (Some((first, start)), Some(at)) if at > start => {
                close(first, start, Some(at), &mut items);
                open = None;
            }
            (None, _)
                if call.direction == Direction::Inbound
                    && matches!(call.outcome, CallOutcome::Missed | CallOutcome::Busy)
                    && !call.forwarded =>
            {
                open = Some((call, call.ended_at.unwrap_or(call.started_at)));
            }
            _ => {}
        }
    }
    if let Some((first, start)) = open {
        close(first, start, None, &mut items);
    }
    items
}

/// Column `i` as a domain enum: `None` when NULL or a name this build does not know.
fn parse<T: std::str::FromStr>(r: &Row<'_>, i: usize) -> rusqlite::Result<Option<T>> {
    Ok(r.get::<_, Option<String>>(i)?.and_then(|s| s.parse().ok()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(id: i64, direction: Direction, outcome: CallOutcome, started_at: i64) -> CallRow {
        CallRow {
            id,
            account_id: 3,
            direction,
            outcome,
            started_at,
            answered_at: (outcome == CallOutcome::Answered).then_some(started_at + 5),
            ended_at: Some(started_at + 30),
            customer_id: 1,
            customer_name: "Claudio Pérez".to_owned(),
            conversation_id: None,
            newest_conversation: Some(9),
            forwarded: false,
        }
    }

    #[test]
    fn consecutive_misses_make_one_callback_closed_by_the_next_call_back() {
        let calls = [
            call(1, Direction::Inbound, CallOutcome::Missed, 1_000),
            call(2, Direction::Inbound, CallOutcome::Missed, 2_000),
            call(3, Direction::Outbound, CallOutcome::Failed, 5_000),
            call(4, Direction::Inbound, CallOutcome::Missed, 9_000),
        ];
        let all = callback_items(&calls, LoadScope::CreatedBefore(i64::MAX));
        assert_eq!(all.len(), 2, "two misses in a row are one item; the third miss opens another");
        assert_eq!(
            all[0].subject,
            Subject::Callback { call_id: 1, alert_conversation: Some(9) },
            "named by its first missed call, filed under the customer's newest conversation"
        );
        assert_eq!(all[0].facts.created_at, 1_030, "the clock starts when the missed call ended");
        assert_eq!(
            all[0].facts.messages.last().map(|m| (m.direction, m.at)),
            Some((Direction::Outbound, 5_000)),
            "an unanswered outbound call still counts as calling back"
        );
        let live = callback_items(&calls, LoadScope::Live);
        assert_eq!(live.len(), 1, "only the item not called back yet is live");
        assert_eq!(live[0].subject, Subject::Callback { call_id: 4, alert_conversation: Some(9) }, "the open one");
    }

    #[test]
    fn busy_calls_ask_for_a_callback_and_forwarded_ones_do_not() {
        let mut forwarded = call(1, Direction::Inbound, CallOutcome::Missed, 1_000);
        forwarded.forwarded = true;
        let calls = [forwarded, call(2, Direction::Inbound, CallOutcome::Busy, 2_000)];
        let live = callback_items(&calls, LoadScope::Live);
        assert_eq!(live.len(), 1, "one item");
        assert_eq!(
            live[0].subject,
            Subject::Callback { call_id: 2, alert_conversation: Some(9) },
            "opened by the busy call"
        );
    }

    #[test]
    fn an_answered_inbound_call_also_closes_the_item() {
        let calls = [
            call(1, Direction::Inbound, CallOutcome::Missed, 1_000),
            call(2, Direction::Inbound, CallOutcome::Answered, 3_000),
        ];
        let all = callback_items(&calls, LoadScope::CreatedBefore(i64::MAX));
        assert_eq!(all.len(), 1, "one item");
        assert_eq!(all[0].facts.messages.len(), 2, "closed by the answered call");
        assert!(callback_items(&calls, LoadScope::Live).is_empty(), "nothing left to call back");
    }
}
