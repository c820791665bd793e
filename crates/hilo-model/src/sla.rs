//! SLA data that crosses IPC and the CLI's JSON: the clocks of each conversation (inbox
//! chips, `hilo sla`), the alert centre, the alert settings and the metrics report.
//!
//! The SLA math itself lives in `hilo-sla`; these are its views. Metric, state and level
//! names are the same snake_case strings `hilo-sla` and the `sla_alerts` table use, plus
//! the `callback` metric for missed calls that wait to be returned.

use serde::{Deserialize, Deserializer, Serialize};
use ts_rs::TS;

use crate::enums::{Channel, ConversationStatus, Priority};
use crate::error::UnknownValue;

/// What a clock measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SlaMetric {
    FirstResponse,
    NextResponse,
    Resolution,
    /// A missed inbound call from a known customer, until the team calls back.
    Callback,
}

impl SlaMetric {
    pub const ALL: [SlaMetric; 4] =
        [SlaMetric::FirstResponse, SlaMetric::NextResponse, SlaMetric::Resolution, SlaMetric::Callback];

    /// The name stored in `sla_alerts.metric`.
    pub fn as_str(self) -> &'static str {
        match self {
            SlaMetric::FirstResponse => "first_response",
            SlaMetric::NextResponse => "next_response",
            SlaMetric::Resolution => "resolution",
            SlaMetric::Callback => "callback",
        }
    }
}

impl std::str::FromStr for SlaMetric {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<SlaMetric, UnknownValue> {
        SlaMetric::ALL
            .into_iter()
            .find(|m| m.as_str() == s)
            .ok_or_else(|| UnknownValue { kind: "SlaMetric", value: s.to_owned() })
    }
}

impl std::fmt::Display for SlaMetric {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The state of one clock, or of a conversation (its most urgent clock).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SlaState {
    Running,
    AtRisk,
    /// Past the deadline and not achieved (whether or not the clock is paused now).
    Breached,
    /// Stopped by the reply, the callback or the resolution (see `breachedAt` for late).
    Achieved,
    /// Not accruing (pending or snoozed under a pausing policy) and not breached.
    Paused,
}

impl SlaState {
    pub const ALL: [SlaState; 5] =
        [SlaState::Running, SlaState::AtRisk, SlaState::Breached, SlaState::Achieved, SlaState::Paused];

    pub fn as_str(self) -> &'static str {
        match self {
            SlaState::Running => "running",
            SlaState::AtRisk => "at_risk",
            SlaState::Breached => "breached",
            SlaState::Achieved => "achieved",
            SlaState::Paused => "paused",
        }
    }

    /// Higher is more urgent: what a conversation's chip shows when its clocks differ.
    pub fn urgency(self) -> u8 {
        match self {
            SlaState::Breached => 4,
            SlaState::AtRisk => 3,
            SlaState::Running => 2,
            SlaState::Paused => 1,
            SlaState::Achieved => 0,
        }
    }
}

impl std::fmt::Display for SlaState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The two moments an alert fires, stored in `sla_alerts.level`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SlaAlertLevel {
    AtRisk,
    Breached,
}

impl SlaAlertLevel {
    pub const ALL: [SlaAlertLevel; 2] = [SlaAlertLevel::AtRisk, SlaAlertLevel::Breached];

    pub fn as_str(self) -> &'static str {
        match self {
            SlaAlertLevel::AtRisk => "at_risk",
            SlaAlertLevel::Breached => "breached",
        }
    }
}

impl std::str::FromStr for SlaAlertLevel {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<SlaAlertLevel, UnknownValue> {
        SlaAlertLevel::ALL
            .into_iter()
            .find(|l| l.as_str() == s)
            .ok_or_else(|| UnknownValue { kind: "SlaAlertLevel", value: s.to_owned() })
    }
}

impl std::fmt::Display for SlaAlertLevel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One clock of a conversation. Durations are business time under the policy's calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SlaClockView {
    pub metric: SlaMetric,
    /// 1 for first response, resolution and callback; 1, 2, … for next-response cycles.
    pub cycle: u32,
    pub state: SlaState,
    #[ts(type = "number")]
    pub started_at: i64,
    #[ts(type = "number")]
    pub target_ms: i64,
    #[ts(type = "number")]
    pub elapsed_ms: i64,
    /// Negative once overdue.
    #[ts(type = "number")]
    pub remaining_ms: i64,
    /// When it breaches (or breached) if it keeps running; null while paused or achieved.
    #[ts(type = "number | null")]
    pub due_at: Option<i64>,
    #[ts(type = "number | null")]
    pub at_risk_at: Option<i64>,
    #[ts(type = "number | null")]
    pub achieved_at: Option<i64>,
    /// Set whenever the target was exceeded, also for a clock achieved late.
    #[ts(type = "number | null")]
    pub breached_at: Option<i64>,
}

/// A conversation (or a callback item) with its SLA clocks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SlaItem {
    /// The conversation; for a callback, the call's conversation if it has one.
    #[ts(type = "number | null")]
    pub conversation_id: Option<i64>,
    /// The first missed call of a callback item; null for conversations.
    #[ts(type = "number | null")]
    pub call_id: Option<i64>,
    #[ts(type = "number")]
    pub customer_id: i64,
    pub customer_name: String,
    pub channel: Channel,
    /// Null for callback items.
    pub status: Option<ConversationStatus>,
    pub priority: Priority,
    pub assignee: Option<String>,
    pub team: Option<String>,
    #[ts(type = "number")]
    pub policy_id: i64,
    pub policy_name: String,
    /// The most urgent state among the clocks: what the inbox chip shows.
    pub state: SlaState,
    /// The next instant a clock turns at risk or breaches, if nothing changes.
    #[ts(type = "number | null")]
    pub next_due_at: Option<i64>,
    pub clocks: Vec<SlaClockView>,
    /// The helpdesk's own SLA state, when it reports one (shown beside Hilo's clocks).
    pub backend: Option<crate::sla_backend::BackendSlaView>,
}

/// Which items `sla_overview` returns.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
#[ts(export)]
pub struct SlaOverviewQuery {
    /// Also resolved conversations and callbacks already returned (default: live ones only).
    pub include_finished: bool,
    /// Only items whose most urgent state is this one ("At risk", "Breached" views).
    pub state: Option<SlaState>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SlaOverview {
    /// The instant the clocks were evaluated at.
    #[ts(type = "number")]
    pub now: i64,
    /// Most urgent first: breached, at risk, running (soonest due first), paused, achieved.
    pub items: Vec<SlaItem>,
    /// Policies or calendars that could not be used, in words an agent can act on.
    pub warnings: Vec<String>,
    /// Live conversations with a helpdesk-reported SLA that no Hilo policy covers.
    pub backend_only: Vec<crate::sla_backend::BackendSlaItem>,
}

/// One entry of the alert centre.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SlaAlert {
    #[ts(type = "number")]
    pub id: i64,
    /// What clicking opens (for a callback: the call's conversation, else the customer's newest).
    #[ts(type = "number")]
    pub conversation_id: i64,
    #[ts(type = "number | null")]
    pub call_id: Option<i64>,
    #[ts(type = "number")]
    pub customer_id: i64,
    pub customer_name: String,
    pub channel: Channel,
    pub metric: SlaMetric,
    pub cycle: u32,
    pub level: SlaAlertLevel,
    /// When the clock turned at risk or breached.
    #[ts(type = "number")]
    pub due_at: i64,
    /// When Hilo raised it (later than `dueAt` when the app was closed then).
    #[ts(type = "number")]
    pub fired_at: i64,
    #[ts(type = "number | null")]
    pub acknowledged_at: Option<i64>,
    #[ts(type = "number | null")]
    pub snoozed_until: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
#[ts(export)]
pub struct SlaAlertQuery {
    /// Leave out acknowledged alerts and those snoozed past `now`.
    pub only_active: bool,
    #[ts(type = "number | null")]
    pub now: Option<i64>,
    pub limit: Option<u32>,
}

/// How a fired alert reached the desktop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SlaDelivery {
    /// Its own notification.
    Individual,
    /// Folded into one summary notification with the other alerts of the same moment.
    Summary,
}

/// The `sla://alert` event and each line of `hilo sla watch`: an alert as it fires.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SlaAlertEvent {
    #[serde(flatten)]
    pub alert: SlaAlert,
    /// The notification's title and body (the summary's, when it was folded into one).
    pub title: String,
    pub body: String,
    pub delivery: SlaDelivery,
    /// Why the desktop notification could not be shown, if it could not.
    pub notify_error: Option<String>,
}

/// Whose conversations raise desktop alerts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SlaAlertScope {
    All,
    /// Assigned to `agent`.
    Mine,
    /// Assigned to nobody (callback items count as unassigned).
    Unassigned,
    /// Of `team`.
    Team,
}

/// A threshold that replaces every policy's own at-risk percentage for alerts and clocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum SlaAtRiskOverride {
    /// Once this percentage (0–100) of the target has elapsed.
    Percent(u8),
    /// Once at most this many minutes of business time remain.
    MinutesBefore(u32),
}

/// The `sla.alerts` setting (JSON). Every field is optional; the default alerts on every
/// conversation, at risk and breached, at each policy's own threshold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
#[ts(export)]
pub struct SlaAlertSettings {
    /// Any of these matches; stored as one name (`"mine"`) or a list (`["mine","unassigned"]`).
    #[serde(deserialize_with = "one_or_many")]
    pub scope: Vec<SlaAlertScope>,
    /// The agent's name as the helpdesk spells it, for `mine`.
    pub agent: Option<String>,
    /// The team's name, for `team`.
    pub team: Option<String>,
    /// Which levels notify.
    pub levels: Vec<SlaAlertLevel>,
    pub at_risk: Option<SlaAtRiskOverride>,
}

impl Default for SlaAlertSettings {
    fn default() -> SlaAlertSettings {
        SlaAlertSettings {
            scope: vec![SlaAlertScope::All],
            agent: None,
            team: None,
            levels: SlaAlertLevel::ALL.to_vec(),
            at_risk: None,
        }
    }
}

fn one_or_many<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<SlaAlertScope>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(SlaAlertScope),
        Many(Vec<SlaAlertScope>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(s) => vec![s],
        OneOrMany::Many(v) => v,
    })
}

/// What a report row groups by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SlaReportDimension {
    All,
    Channel,
    Agent,
    Team,
}

impl SlaReportDimension {
    pub fn as_str(self) -> &'static str {
        match self {
            SlaReportDimension::All => "all",
            SlaReportDimension::Channel => "channel",
            SlaReportDimension::Agent => "agent",
            SlaReportDimension::Team => "team",
        }
    }
}

/// Median and 90th percentile (nearest rank) of a set of durations.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SlaDurationStats {
    pub count: u32,
    #[ts(type = "number | null")]
    pub median_ms: Option<i64>,
    #[ts(type = "number | null")]
    pub p90_ms: Option<i64>,
}

/// How many clocks of one metric ended in the period, and how many of those on time.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SlaCompliance {
    pub metric: SlaMetric,
    /// Achieved in the period, or breached in it and not achieved by its end.
    pub total: u32,
    /// Achieved without breaching.
    pub met: u32,
    /// `met / total` in percent; null when `total` is 0.
    pub percent: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SlaReportRow {
    pub dimension: SlaReportDimension,
    /// The channel, agent or team name; empty for `all`, and for no agent or team.
    pub key: String,
    /// Conversations and callback items with at least one clock ending in the period.
    pub items: u32,
    /// Business time to the first reply, over first responses achieved in the period.
    pub first_response: SlaDurationStats,
    /// Business time to resolution, over resolutions in the period.
    pub resolution: SlaDurationStats,
    /// The same first responses in calendar (wall-clock) time: what the customer waited,
    /// nights and weekends included. Business time reads 0 for a message that arrived
    /// and was answered outside business hours; this does not.
    pub first_response_calendar: SlaDurationStats,
    /// The same resolutions in calendar time.
    pub resolution_calendar: SlaDurationStats,
    /// One entry per metric, in the order first response, next response, resolution, callback.
    pub compliance: Vec<SlaCompliance>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SlaReport {
    /// The period, `[from, to)`.
    #[ts(type = "number")]
    pub from: i64,
    #[ts(type = "number")]
    pub to: i64,
    #[ts(type = "number")]
    pub generated_at: i64,
    /// The whole period first, then per channel, per agent and per team.
    pub rows: Vec<SlaReportRow>,
}

/// What clicking a desktop notification opens: the `sla://open` event, and the `open`
/// lines of `hilo sla watch`. Parsed from the notification's target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase")]
#[ts(export)]
pub enum SlaOpenTarget {
    Conversation {
        #[ts(type = "number")]
        id: i64,
    },
    /// A callback item: the customer's timeline.
    Customer {
        #[ts(type = "number")]
        id: i64,
    },
    /// A summary of many alerts: the alert centre.
    Alerts,
}

impl SlaOpenTarget {
    /// `conversation:12`, `customer:4`, `view:sla-alerts`; anything else is `None`.
    pub fn parse(target: &str) -> Option<SlaOpenTarget> {
        let (kind, rest) = target.split_once(':')?;
        let id = || rest.parse::<i64>().ok().filter(|id| *id > 0);
        match kind {
            "conversation" => Some(SlaOpenTarget::Conversation { id: id()? }),
            "customer" => Some(SlaOpenTarget::Customer { id: id()? }),
            "view" if rest == "sla-alerts" => Some(SlaOpenTarget::Alerts),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alert_settings_accept_one_scope_or_a_list_and_default_the_rest() {
        let one: SlaAlertSettings =
            serde_json::from_str(r#"{"scope":"mine","agent":"Ana García"}"#).expect("one scope parses");
        assert_eq!(one.scope, vec![SlaAlertScope::Mine], "a single name is a one-element list");
        assert_eq!(one.levels, SlaAlertLevel::ALL.to_vec(), "levels default to both");
        let many: SlaAlertSettings =
            serde_json::from_str(r#"{"scope":["mine","unassigned"],"atRisk":{"minutesBefore":2}}"#).expect("parses");
        assert_eq!(many.scope, vec![SlaAlertScope::Mine, SlaAlertScope::Unassigned], "a list is kept");
        assert_eq!(many.at_risk, Some(SlaAtRiskOverride::MinutesBefore(2)), "camelCase threshold kinds");
        let empty: SlaAlertSettings = serde_json::from_str("{}").expect("parses");
        assert_eq!(empty, SlaAlertSettings::default(), "an empty object is the default");
    }

    #[test]
    fn notification_targets_parse_into_what_to_open() {
        assert_eq!(SlaOpenTarget::parse("conversation:12"), Some(SlaOpenTarget::Conversation { id: 12 }));
        assert_eq!(SlaOpenTarget::parse("customer:4"), Some(SlaOpenTarget::Customer { id: 4 }));
        assert_eq!(SlaOpenTarget::parse("view:sla-alerts"), Some(SlaOpenTarget::Alerts));
        for bad in ["conversation:", "conversation:-1", "conversation:x", "elsewhere:1", "", "view:other"] {
            assert_eq!(SlaOpenTarget::parse(bad), None, "{bad:?} opens nothing");
        }
        let json = serde_json::to_value(SlaOpenTarget::Conversation { id: 12 }).expect("serializes");
        assert_eq!(json, serde_json::json!({"kind": "conversation", "id": 12}), "tagged by kind");
    }

    #[test]
    fn metric_and_level_names_round_trip_through_their_stored_strings() {
        for m in SlaMetric::ALL {
            assert_eq!(m.as_str().parse::<SlaMetric>(), Ok(m), "metric {m} round-trips");
            assert_eq!(serde_json::to_value(m).ok(), Some(serde_json::json!(m.as_str())), "serde uses the same name");
        }
        for l in SlaAlertLevel::ALL {
            assert_eq!(l.as_str().parse::<SlaAlertLevel>(), Ok(l), "level {l} round-trips");
        }
        assert!("soon".parse::<SlaAlertLevel>().is_err(), "unknown names are rejected");
    }
}
