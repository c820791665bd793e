//! The identity graph as the UI and the CLI see it: customer lists and context, merge
//! suggestions with their evidence, merges and unmerges, and the timeline's filters.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::dto::{CustomerSummary, TimelineCall};
use crate::enums::{Channel, ConversationStatus, EventKind, MessageKind, Priority};

/// What a timeline item is, for filtering: the message kinds, calls, and the events
/// grouped the way an agent thinks of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum TimelineKind {
    Message,
    Note,
    Bot,
    System,
    Call,
    Status,
    Assignment,
    Priority,
    Handoff,
    Merge,
    Sla,
}

impl TimelineKind {
    pub const ALL: &'static [TimelineKind] = &[
        TimelineKind::Message,
        TimelineKind::Note,
        TimelineKind::Bot,
        TimelineKind::System,
        TimelineKind::Call,
        TimelineKind::Status,
        TimelineKind::Assignment,
        TimelineKind::Priority,
        TimelineKind::Handoff,
        TimelineKind::Merge,
        TimelineKind::Sla,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TimelineKind::Message => "message",
            TimelineKind::Note => "note",
            TimelineKind::Bot => "bot",
            TimelineKind::System => "system",
            TimelineKind::Call => "call",
            TimelineKind::Status => "status",
            TimelineKind::Assignment => "assignment",
            TimelineKind::Priority => "priority",
            TimelineKind::Handoff => "handoff",
            TimelineKind::Merge => "merge",
            TimelineKind::Sla => "sla",
        }
    }

    pub fn of_message(kind: MessageKind) -> TimelineKind {
        match kind {
            MessageKind::Message => TimelineKind::Message,
            MessageKind::Note => TimelineKind::Note,
            MessageKind::Bot => TimelineKind::Bot,
            MessageKind::System => TimelineKind::System,
        }
    }

    pub fn of_event(kind: EventKind) -> TimelineKind {
        match kind {
            EventKind::StatusChanged => TimelineKind::Status,
            EventKind::Assigned => TimelineKind::Assignment,
            EventKind::PriorityChanged => TimelineKind::Priority,
            EventKind::Handoff => TimelineKind::Handoff,
            EventKind::Merged | EventKind::Unmerged => TimelineKind::Merge,
            EventKind::SlaAlert => TimelineKind::Sla,
        }
    }
}

impl std::str::FromStr for TimelineKind {
    type Err = crate::error::UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        TimelineKind::ALL
            .iter()
            .copied()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| crate::error::UnknownValue { kind: "TimelineKind", value: s.to_owned() })
    }
}

/// Narrows a customer's timeline. Empty lists mean "all"; every field narrows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct TimelineFilter {
    /// Channels to show (calls are `voice`). Customer-level events (merges) have no
    /// channel and are hidden while a channel filter is set.
    #[serde(default)]
    pub channels: Vec<Channel>,
    #[serde(default)]
    pub kinds: Vec<TimelineKind>,
    /// Jump to a date: the first page starts at this instant (ms), items at or before it.
    #[serde(default)]
    #[ts(type = "number | null")]
    pub before: Option<i64>,
}

impl TimelineFilter {
    pub fn is_empty(&self) -> bool {
        self.channels.is_empty() && self.kinds.is_empty() && self.before.is_none()
    }
}

/// A row of `hilo customers`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CustomerListItem {
    #[serde(flatten)]
    #[ts(flatten)]
    pub customer: CustomerSummary,
    #[ts(type = "number")]
    pub conversations: i64,
    #[ts(type = "number")]
    pub open_conversations: i64,
    #[ts(type = "number")]
    pub calls: i64,
    #[ts(type = "number | null")]
    pub last_activity_at: Option<i64>,
}

/// One of the customer's conversations, as the context panel lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CustomerConversation {
    #[ts(type = "number")]
    pub id: i64,
    pub account_name: String,
    pub channel: Channel,
    pub status: ConversationStatus,
    pub priority: Priority,
    pub subject: Option<String>,
    pub assignee: Option<String>,
    #[ts(type = "number")]
    pub created_at: i64,
    #[ts(type = "number")]
    pub last_activity_at: i64,
}

/// Why two customers look like one person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum MergeEvidenceKind {
    /// Phone numbers equal after normalization (e.g. one stored unparsed that now parses).
    SamePhone,
    /// The same address as an email on one and inside another kind of identity on the
    /// other (a helpdesk contact id, a mailbox sender reference).
    SameEmail,
    /// The same name (case and accents aside) and an address at the same company
    /// domain (never a free-mail domain).
    SameNameAndDomain,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct MergeEvidence {
    pub kind: MergeEvidenceKind,
    /// What matched: the E.164 number, the address, or `name @ domain`.
    pub value: String,
    /// How the first customer (the one the suggestion is shown on) has it.
    pub here: String,
    /// How the other customer has it.
    pub there: String,
}

/// Another customer who is probably the same person, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct MergeSuggestion {
    pub other: CustomerSummary,
    pub evidence: Vec<MergeEvidence>,
}

/// How many rows a merge moved (or an unmerge moved back).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct MergeCounts {
    pub identities: u32,
    pub conversations: u32,
    pub calls: u32,
    pub events: u32,
}

/// A merge as recorded: `source` was folded into `target`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct MergeRecord {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "number")]
    pub target_id: i64,
    #[ts(type = "number")]
    pub source_id: i64,
    /// The source customer's name at the time of the merge.
    pub source_name: String,
    #[ts(type = "number")]
    pub merged_at: i64,
    pub merged_by: Option<String>,
    pub evidence: Vec<MergeEvidence>,
    pub moved: MergeCounts,
    #[ts(type = "number | null")]
    pub unmerged_at: Option<i64>,
    pub unmerged_by: Option<String>,
}

/// What `customer merge` returns (the CLI prints `mergeId`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct MergeOutcome {
    #[ts(type = "number")]
    pub merge_id: i64,
    #[ts(type = "number")]
    pub target_id: i64,
    #[ts(type = "number")]
    pub source_id: i64,
    pub moved: MergeCounts,
}

/// What `customer unmerge` returns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct UnmergeOutcome {
    #[ts(type = "number")]
    pub merge_id: i64,
    #[ts(type = "number")]
    pub target_id: i64,
    #[ts(type = "number")]
    pub source_id: i64,
    /// Rows that went back to the source customer, new ones for its identities included.
    pub returned: MergeCounts,
}

/// Everything the customer context panel shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CustomerContext {
    pub customer: CustomerSummary,
    /// Open ones first, then by latest activity.
    pub conversations: Vec<CustomerConversation>,
    /// Newest first, at most a handful.
    pub recent_calls: Vec<TimelineCall>,
    pub suggestions: Vec<MergeSuggestion>,
    /// Merges into this customer that can still be undone, newest first.
    pub merges: Vec<MergeRecord>,
}
