//! The composer and the conversation header: canned answers, the agent's own profile,
//! what a conversation looks like to the header's actions, and the outbox state of an
//! outgoing message as the timeline shows it.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::enums::{Channel, ConversationStatus};

/// A canned answer or knowledge snippet. `body` may hold `{{variables}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Snippet {
    #[ts(type = "number")]
    pub id: i64,
    pub shortcut: String,
    /// `es`, `en`…
    pub language: String,
    pub title: String,
    pub body: String,
}

/// Who the agent is: the name replies are signed with (`{{agent.name}}`) and the one
/// "mine" alerts compare assignees with.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
#[ts(export)]
pub struct AgentProfile {
    /// As the helpdesk spells it, e.g. `Ana García`.
    pub name: Option<String>,
}

/// Where an outbox item stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum OutboxItemState {
    Queued,
    /// An attempt is under way.
    Sending,
    Delivered,
    /// Refused by the server; waits for retry, edit or discard.
    Failed,
}

/// The outbox item behind an outgoing message that has not been delivered yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct TimelineOutbox {
    #[ts(type = "number")]
    pub id: i64,
    pub state: OutboxItemState,
    pub attempts: u32,
    /// The last failure, as the server or the network gave it.
    pub last_error: Option<String>,
}

/// A conversation as the composer and the header's actions need it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ConversationDetails {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "number")]
    pub account_id: i64,
    pub account_name: String,
    /// A demo account: nothing it queues is ever sent.
    pub demo: bool,
    pub channel: Channel,
    pub status: ConversationStatus,
    #[ts(type = "number | null")]
    pub snoozed_until: Option<i64>,
    pub assignee: Option<String>,
    pub subject: Option<String>,
    #[ts(type = "number")]
    pub customer_id: i64,
    pub customer_name: String,
    /// Agents this account's conversations were assigned to, for "assign to…".
    pub known_agents: Vec<String>,
    /// Mailbox conversations: who a reply goes to (the customer's Reply-To or From)…
    pub mail_to: Vec<String>,
    /// …and who it is copied to (reply-all: the others on the customer's latest message).
    pub mail_cc: Vec<String>,
}

/// What `reply_send` queued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct QueuedReply {
    #[ts(type = "number")]
    pub outbox_id: i64,
    /// The pending timeline row.
    #[ts(type = "number | null")]
    pub message_id: Option<i64>,
    /// The account whose sync sends it.
    #[ts(type = "number")]
    pub account_id: i64,
}
