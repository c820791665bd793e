//! Helpdesk connectors: the `ConversationSource` trait the sync runner drives, the page
//! and outbox shapes it exchanges, and one module per backend (Chatwoot so far).
//!
//! A source never touches SQLite. It pulls one page at a time from an opaque cursor and
//! hands back the page plus the cursor that follows it; hilo-core writes both in one
//! transaction, so a crash leaves either both or neither. Everything a page carries is
//! keyed by remote ids so applying a page twice changes nothing.

pub mod chatwoot;
pub mod http;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use hilo_model::{Channel, ConversationStatus, DeliveryState, Direction, MessageKind, NormalizedIdentity, Priority};

/// A boxed future, so `ConversationSource` stays usable as `dyn` (one runner, any backend).
pub type SourceFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, SourceError>> + Send + 'a>>;

/// A helpdesk account the sync runner mirrors and the outbox writes to.
pub trait ConversationSource: Send + Sync {
    /// Fetches the page that follows `cursor` (`None`: nothing synced yet).
    /// `local` answers what the cache already holds, so unchanged conversations cost nothing.
    fn pull(&self, cursor: Option<String>, local: Arc<dyn LocalProgress>) -> SourceFuture<'_, SourcePage>;

    /// Delivers one outbox item. Must be safe to call again for the same `key` after any
    /// failure: a source checks whether an earlier attempt already landed before resending.
    fn push(&self, item: OutboundItem) -> SourceFuture<'_, PushReceipt>;
}

/// What the local cache already holds for this account (implemented by hilo-core).
pub trait LocalProgress: Send + Sync {
    /// The highest remote message id the sync has committed for a conversation. Every
    /// remote message with a lower id is already in the cache (the no-gap invariant).
    fn last_synced_message(&self, conversation_remote_id: &str) -> Result<Option<i64>, String>;

    /// Mail threading: for each of `message_ids` (RFC 5322 Message-IDs) that the cache
    /// already ties to a conversation — as a stored message, or named by one in its
    /// In-Reply-To / References — that conversation's remote id. Backends without mail
    /// threads keep the default.
    fn threads_of(&self, message_ids: &[String]) -> Result<Vec<(String, String)>, String> {
        let _ = message_ids;
        Ok(Vec::new())
    }
}

/// One unit of sync progress: apply it and store `next_cursor` in the same transaction.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SourcePage {
    pub contacts: Vec<SourceContact>,
    pub conversations: Vec<SourceConversation>,
    /// Ascending by remote id within each conversation.
    pub messages: Vec<SourceMessage>,
    pub next_cursor: String,
    /// `true`: pull again right away; `false`: caught up until the next tick.
    pub more: bool,
    /// With `more == false`: when (local clock, ms) the pass that just ended began. A
    /// pass resumed from an earlier run began before this run, and is followed by a
    /// fresh one when the caller wants everything up to now.
    pub caught_up_from: Option<i64>,
    /// The backend's own SLA state for each listed conversation (by remote id); `None`
    /// clears what was stored (the policy was removed on the server).
    pub backend_sla: Vec<(String, Option<hilo_model::sla_backend::BackendSla>)>,
}

/// A customer as the helpdesk knows them; identities are already normalized.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceContact {
    pub remote_id: String,
    pub name: Option<String>,
    /// Email, phone (E.164 or `phone_unparsed`), social handles. The contact's own
    /// helpdesk reference is added by the runner, which knows the local account id.
    pub identities: Vec<NormalizedIdentity>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SourceConversation {
    pub remote_id: String,
    pub contact_remote_id: Option<String>,
    pub contact_name: Option<String>,
    pub channel: Channel,
    pub status: ConversationStatus,
    pub priority: Priority,
    pub subject: Option<String>,
    pub assignee: Option<String>,
    pub team: Option<String>,
    /// Milliseconds since the epoch.
    pub created_at: i64,
    pub last_activity_at: i64,
    pub snoozed_until: Option<i64>,
    pub updated_at: Option<i64>,
    /// Who decides status, priority, assignee and team once the conversation exists.
    pub authority: StateAuthority,
}

/// Where a conversation's workflow state (status, priority, assignee, team) lives.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum StateAuthority {
    /// The helpdesk: every page carries the current state and the cache follows it.
    #[default]
    Remote,
    /// The cache (a mailbox has no such state): the page's values only seed a new
    /// conversation; afterwards only a new inbound message changes it (it reopens a
    /// resolved or snoozed conversation).
    Local,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SourceMessage {
    pub conversation_remote_id: String,
    pub remote_id: String,
    pub direction: Direction,
    pub kind: MessageKind,
    pub author: Option<String>,
    /// Plain text as the helpdesk sent it (may be empty when only HTML came).
    pub text: String,
    /// Customer HTML exactly as received: hostile, must be sanitized before storing.
    pub raw_html: Option<String>,
    pub delivery: DeliveryState,
    pub created_at: i64,
    /// The outbox idempotency key this message echoes, when it was sent by Hilo.
    pub echo_key: Option<String>,
    /// Files attached to the message (metadata only; the content stays on the server).
    pub attachments: Vec<SourceAttachment>,
    /// Mail headers, for mailbox backends (threading, replies, recipients).
    pub mail: Option<Box<MailHeaders>>,
}

/// An attachment as the backend describes it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SourceAttachment {
    /// As the sender named it (untrusted: display only, never a path).
    pub filename: Option<String>,
    /// `type/subtype`, lowercase.
    pub content_type: String,
    /// Bytes of the decoded content.
    pub size: u64,
    /// Shown inside the body (`Content-Disposition: inline`, e.g. a signature logo).
    pub inline: bool,
}

/// The RFC 5322 facts of a mail message that the cache keeps beside it.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MailHeaders {
    /// Without angle brackets (equal to the message's remote id).
    pub message_id: String,
    /// `true` when the message had no Message-ID and `message_id` was derived from a
    /// hash of its headers.
    pub synthetic_id: bool,
    pub in_reply_to: Vec<String>,
    /// Oldest first, as in the header (the first is the thread's root).
    pub references: Vec<String>,
    /// Addresses, case-folded.
    pub from: Option<String>,
    pub reply_to: Vec<String>,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub subject: Option<String>,
    /// IMAP flags (`\Seen`, `\Answered`, `\Flagged`, keywords).
    pub flags: Vec<String>,
}

/// An outbox item as a source sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboundItem {
    /// Idempotency key: the same for every attempt of one item.
    pub key: String,
    pub conversation_remote_id: String,
    pub channel: Channel,
    pub action: OutboundAction,
    /// 1 for the first attempt. Later attempts first look for an earlier one that landed.
    pub attempt: u32,
    /// The highest remote message id known when the item was queued; an earlier attempt
    /// that landed can only be above it.
    pub queued_after: Option<i64>,
    /// For mail: what the reply answers (recipient, subject, thread headers). Filled by
    /// the outbox from the cache; `None` for backends that thread by conversation id.
    pub reply_to: Option<ReplyContext>,
}

/// The message a mail reply answers, as the cache knows it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReplyContext {
    /// The customer's address(es): the Reply-To or From of their latest message.
    pub to: Vec<String>,
    /// Reply-all: everyone else the customer's latest message went to (its To and Cc),
    /// without the account's own address or the customer's, so a colleague the customer
    /// copied stays in the thread.
    pub cc: Vec<String>,
    /// The conversation's subject (without `Re:`).
    pub subject: Option<String>,
    /// The Message-ID of the message answered (the newest in the thread).
    pub parent: Option<String>,
    /// The parent's References followed by the parent itself, oldest first.
    pub references: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum OutboundAction {
    Reply {
        text: String,
    },
    Note {
        text: String,
    },
    SetStatus {
        status: ConversationStatus,
        snoozed_until: Option<i64>,
    },
    /// `None` unassigns. The helpdesk's agent id, or the agent's name as the helpdesk
    /// spells it (what the app knows offline); the connector resolves a name when it sends.
    Assign {
        assignee_id: Option<String>,
    },
}

/// What the backend answered to a push.
#[derive(Debug, Clone, PartialEq)]
pub struct PushReceipt {
    /// The remote message id for replies and notes.
    pub remote_id: Option<String>,
    /// The message as the backend stored it, to reconcile the local copy.
    pub echo: Option<SourceMessage>,
    /// An earlier attempt had already landed; nothing was sent this time.
    pub already_applied: bool,
}

/// Why a pull or a push did not work. `is_transient` decides retry versus `failed`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SourceError {
    /// The server could not be reached (refused, DNS, TLS, reset, timeout).
    #[error("{account}: the server cannot be reached ({detail})")]
    Offline { account: String, detail: String },
    #[error("{account}: rate limited by the server (HTTP 429){}", retry_hint(*.retry_after))]
    RateLimited { account: String, retry_after: Option<Duration> },
    #[error("{account}: the server failed (HTTP {status}){}", retry_hint(*.retry_after))]
    ServerError { account: String, status: u16, retry_after: Option<Duration> },
    #[error("{account}: the access token was rejected (HTTP {status}); update it in the account settings")]
    Unauthorized { account: String, status: u16 },
    #[error("{account}: {what} was not found on the server (HTTP 404)")]
    NotFound { account: String, what: String },
    /// The server refused the request itself (HTTP 400/422…): retrying cannot help.
    #[error("{account}: the server refused {what} (HTTP {status}): {detail}")]
    Rejected { account: String, what: String, status: u16, detail: String },
    /// The reply is not what this backend sends (garbage, an HTML error page, a proxy).
    #[error("{account}: the reply to {what} is not a Chatwoot response: {detail}")]
    InvalidResponse { account: String, what: String, detail: String },
    #[error("{account}: {detail}")]
    Config { account: String, detail: String },
    /// A mail server refused the login (wrong user or password, or the method is off).
    #[error("{account}: {server} refused the login for {user:?} ({detail}); check the user name and password")]
    AuthFailed { account: String, server: String, user: String, detail: String },
}

fn retry_hint(after: Option<Duration>) -> String {
    match after {
        Some(d) => format!(", retry after {} s", d.as_secs_f64().ceil()),
        None => String::new(),
    }
}

impl SourceError {
    /// Worth retrying later without anyone changing anything.
    pub fn is_transient(&self) -> bool {
        matches!(self, SourceError::Offline { .. } | SourceError::RateLimited { .. } | SourceError::ServerError { .. })
    }

    /// The delay the server asked for, if any.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            SourceError::RateLimited { retry_after, .. } | SourceError::ServerError { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// The backend as a whole is unreachable (the account shows as offline, not in error).
    pub fn is_offline(&self) -> bool {
        matches!(self, SourceError::Offline { .. })
    }
}
