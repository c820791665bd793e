//! SLA state as the helpdesk itself reports it (Chatwoot's `applied_sla` and
//! `sla_events`), kept beside Hilo's own clocks. Hilo never replaces one with the other:
//! the UI shows both, and says when they disagree.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::enums::{Channel, ConversationStatus, Priority};
use crate::sla::{SlaMetric, SlaState};

/// The backend's own summary of a conversation's SLA.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum BackendSlaStatus {
    /// Running, nothing missed yet.
    Active,
    /// Finished with every target met.
    Hit,
    /// Finished with at least one target missed.
    Missed,
    /// Still running, with at least one target already missed.
    ActiveWithMisses,
    /// A policy is applied but its status is absent or a value this build does not know.
    Unknown,
}

impl BackendSlaStatus {
    /// Chatwoot's `sla_status` values; anything else is `Unknown`.
    pub fn from_chatwoot(value: Option<&str>) -> BackendSlaStatus {
        match value.map(|v| v.trim().to_ascii_lowercase()).as_deref() {
            Some("active") => BackendSlaStatus::Active,
            Some("hit") => BackendSlaStatus::Hit,
            Some("missed") => BackendSlaStatus::Missed,
            Some("active_with_misses") => BackendSlaStatus::ActiveWithMisses,
            _ => BackendSlaStatus::Unknown,
        }
    }

    /// Whether the backend says a target was missed.
    pub fn has_misses(self) -> bool {
        matches!(self, BackendSlaStatus::Missed | BackendSlaStatus::ActiveWithMisses)
    }

    /// The state in Hilo's words, for colour and wording.
    pub fn as_state(self) -> Option<SlaState> {
        match self {
            BackendSlaStatus::Active => Some(SlaState::Running),
            BackendSlaStatus::Hit => Some(SlaState::Achieved),
            BackendSlaStatus::Missed | BackendSlaStatus::ActiveWithMisses => Some(SlaState::Breached),
            BackendSlaStatus::Unknown => None,
        }
    }
}

/// One target the backend recorded as missed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct BackendSlaMiss {
    pub metric: SlaMetric,
    /// When the backend recorded it (ms since the epoch), if it said.
    #[ts(type = "number | null")]
    pub at: Option<i64>,
}

/// What the backend reports for one conversation (stored as JSON in
/// `conversations.backend_sla`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct BackendSla {
    /// The backend's product name, as shown to agents ("Chatwoot").
    pub backend: String,
    pub policy_id: Option<String>,
    pub policy_name: Option<String>,
    pub status: BackendSlaStatus,
    /// Thresholds in seconds, as the backend states them.
    #[ts(type = "number | null")]
    pub first_response_secs: Option<i64>,
    #[ts(type = "number | null")]
    pub next_response_secs: Option<i64>,
    #[ts(type = "number | null")]
    pub resolution_secs: Option<i64>,
    pub business_hours_only: Option<bool>,
    pub misses: Vec<BackendSlaMiss>,
}

/// The backend's SLA next to Hilo's clocks for the same conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct BackendSlaView {
    pub sla: BackendSla,
    /// Metrics where one side says breached and the other does not; also set when the
    /// backend reports a miss Hilo cannot place on a metric it tracks.
    pub differing: Vec<SlaMetric>,
    /// Whether any Hilo policy covers the conversation.
    pub local_policy: bool,
}

/// A live conversation with a backend SLA that no Hilo policy covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct BackendSlaItem {
    #[ts(type = "number")]
    pub conversation_id: i64,
    #[ts(type = "number")]
    pub customer_id: i64,
    pub customer_name: String,
    pub channel: Channel,
    pub status: ConversationStatus,
    pub priority: Priority,
    pub assignee: Option<String>,
    pub team: Option<String>,
    #[ts(type = "number")]
    pub last_activity_at: i64,
    pub backend: BackendSlaView,
}
