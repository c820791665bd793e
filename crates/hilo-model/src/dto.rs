//! Data that crosses IPC and the CLI's `--json` output: camelCase, stable field names.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::enums::*;

/// One way to reach a customer, normalized (see `identity`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Identity {
    pub kind: IdentityKind,
    /// Normalized value: lowercased email, E.164 phone, `account:contact` ref, handle.
    pub value: String,
    /// As the customer or the helpdesk wrote it.
    pub display: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CustomerSummary {
    #[ts(type = "number")]
    pub id: i64,
    pub name: String,
    /// BCP 47 language tag, when known (`es`, `en`).
    pub language: Option<String>,
    pub identities: Vec<Identity>,
}

/// A row of the inbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ConversationSummary {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "number")]
    pub account_id: i64,
    pub account_name: String,
    pub remote_id: String,
    pub channel: Channel,
    pub status: ConversationStatus,
    pub priority: Priority,
    pub subject: Option<String>,
    #[ts(type = "number")]
    pub customer_id: i64,
    pub customer_name: String,
    pub assignee: Option<String>,
    #[ts(type = "number")]
    pub created_at: i64,
    #[ts(type = "number")]
    pub last_activity_at: i64,
    /// Plain text of the newest public message or bot turn (notes excluded).
    pub last_message: Option<String>,
    pub last_message_direction: Option<Direction>,
}

/// Which conversations the inbox shows. Every field narrows; `None` means any.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct InboxQuery {
    pub status: Option<ConversationStatus>,
    pub channel: Option<Channel>,
    #[ts(type = "number | null")]
    pub account_id: Option<i64>,
    /// Opaque cursor from a previous page's `nextCursor`.
    pub cursor: Option<String>,
    pub limit: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct InboxPage {
    pub items: Vec<ConversationSummary>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct TimelineMessage {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "number")]
    pub at: i64,
    #[ts(type = "number")]
    pub conversation_id: i64,
    pub channel: Channel,
    pub direction: Direction,
    pub kind: MessageKind,
    pub author: Option<String>,
    pub text: String,
    /// Sanitized (ammonia) before it was stored; still rendered through the UI's allow-list.
    pub html: Option<String>,
    pub delivery: DeliveryState,
    /// Attachment metadata (mail); omitted when there are none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[ts(optional, as = "Option<Vec<crate::mail::MessageAttachment>>")]
    pub attachments: Vec<crate::mail::MessageAttachment>,
    /// The outbox item of an outgoing message not yet delivered (retry / edit / discard).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub outbox: Option<crate::composer::TimelineOutbox>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct TimelineCall {
    #[ts(type = "number")]
    pub id: i64,
    /// When the call started ringing.
    #[ts(type = "number")]
    pub at: i64,
    pub direction: Direction,
    pub from: Option<String>,
    pub to: Option<String>,
    pub agent: Option<String>,
    pub outcome: CallOutcome,
    #[ts(type = "number | null")]
    pub answered_at: Option<i64>,
    #[ts(type = "number | null")]
    pub ended_at: Option<i64>,
    /// Ring start to hang-up.
    #[ts(type = "number | null")]
    pub duration_secs: Option<i64>,
    /// Answer to hang-up.
    #[ts(type = "number | null")]
    pub talk_secs: Option<i64>,
    pub hangup_cause: Option<String>,
    pub summary: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct TimelineEvent {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "number")]
    pub at: i64,
    pub kind: EventKind,
    #[ts(type = "number | null")]
    pub conversation_id: Option<i64>,
    pub channel: Option<Channel>,
    pub actor: Option<String>,
    /// The value before the change (a status, an assignee…), where it applies.
    pub from: Option<String>,
    /// The value after the change, where it applies.
    pub to: Option<String>,
    /// For `merged` events: the merge, so the timeline can offer to undo it. Absent on
    /// every other event (optional, so code that builds events need not name it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "number")]
    pub merge_id: Option<i64>,
}

/// One item of a customer's timeline, tagged by `type`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "camelCase")]
#[ts(export)]
pub enum TimelineEntry {
    Message(TimelineMessage),
    Call(TimelineCall),
    Event(TimelineEvent),
}

impl TimelineEntry {
    pub fn at(&self) -> i64 {
        match self {
            TimelineEntry::Message(m) => m.at,
            TimelineEntry::Call(c) => c.at,
            TimelineEntry::Event(e) => e.at,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct TimelinePage {
    pub customer: CustomerSummary,
    /// Newest first.
    pub items: Vec<TimelineEntry>,
    /// Pass back to get the next (older) page; `None` at the start of the history.
    pub next_cursor: Option<String>,
}

/// A piece of a search snippet; `marked` pieces matched the query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct HighlightSegment {
    pub text: String,
    pub marked: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SearchHit {
    #[ts(type = "number")]
    pub conversation_id: i64,
    #[ts(type = "number")]
    pub customer_id: i64,
    pub customer_name: String,
    pub channel: Channel,
    pub status: ConversationStatus,
    #[ts(type = "number")]
    pub message_id: i64,
    #[ts(type = "number")]
    pub at: i64,
    pub snippet: Vec<HighlightSegment>,
}

impl SearchHit {
    /// The snippet with matches wrapped in `[` `]`, for plain-text output.
    pub fn snippet_text(&self) -> String {
        self.snippet.iter().map(|s| if s.marked { format!("[{}]", s.text) } else { s.text.clone() }).collect()
    }
}

/// What the app shows about the open workspace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct WorkspaceInfo {
    pub path: String,
    #[ts(type = "number")]
    pub customers: i64,
    #[ts(type = "number")]
    pub conversations: i64,
    #[ts(type = "number")]
    pub messages: i64,
    #[ts(type = "number")]
    pub calls: i64,
}

/// The result of moving an unreadable cache aside.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CacheReset {
    /// Where the old files now are (nothing was deleted).
    pub moved_to: Vec<String>,
}
