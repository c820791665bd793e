//! SLA policies: which conversations a policy covers, its targets, calendar, pause rule
//! and at-risk threshold, parsed from the stored `sla_policies` row, and the choice of
//! the policy that applies to a conversation.

use hilo_model::{Channel, Priority};
use serde::{Deserialize, Serialize};

use crate::clock::{ConversationFacts, SlaMetric};

/// Which calendar a policy measures in. The caller resolves `Calendar(id)` to a parsed
/// [`crate::BusinessCalendar`] once and passes it to [`crate::evaluate`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CalendarRef {
    /// 24/7 (stored as `calendar_id IS NULL`).
    Always,
    Calendar(i64),
}

/// Whether the clocks stop while the conversation waits on the customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PauseRule {
    /// Pending and snoozed time does not count (stored `pause_when_pending = 1`).
    WhilePendingOrSnoozed,
    /// Only resolved time is excluded.
    Never,
}

/// When a running clock turns "at risk". Both forms are measured in business time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AtRiskThreshold {
    /// Once this percentage (0–100) of the target has elapsed.
    Percent(u8),
    /// Once at most this many minutes of business time remain.
    MinutesBefore(u32),
}

impl AtRiskThreshold {
    /// Elapsed business millis at which the clock is at risk, within `0..=target_ms`.
    pub fn elapsed_threshold_ms(self, target_ms: i64) -> i64 {
        let target_ms = target_ms.max(0);
        match self {
            // Falls back to i128 so that targets near i64::MAX cannot overflow the product
            // (the common case stays clear of a 128-bit division, once per clock).
            AtRiskThreshold::Percent(p) => {
                let p = i64::from(p.min(100));
                match target_ms.checked_mul(p) {
                    Some(product) => product / 100,
                    None => i64::try_from(i128::from(target_ms) * i128::from(p) / 100).unwrap_or(target_ms),
                }
            }
            AtRiskThreshold::MinutesBefore(m) => target_ms.saturating_sub(i64::from(m) * 60_000).max(0),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SlaPolicy {
    pub id: i64,
    pub name: String,
    /// Lower wins when several policies match.
    pub position: i64,
    /// Empty means any priority; likewise for channels and accounts.
    pub match_priorities: Vec<Priority>,
    pub match_channels: Vec<Channel>,
    pub match_accounts: Vec<i64>,
    /// Targets in seconds of business time; `None` means the metric is not tracked.
    pub first_response_secs: Option<i64>,
    pub next_response_secs: Option<i64>,
    pub resolution_secs: Option<i64>,
    pub calendar: CalendarRef,
    pub pause_when_pending: PauseRule,
    pub at_risk: AtRiskThreshold,
}

impl SlaPolicy {
    /// The target of a metric in millis, if the policy tracks it.
    pub fn target_ms(&self, metric: SlaMetric) -> Option<i64> {
        let secs = match metric {
            SlaMetric::FirstResponse => self.first_response_secs,
            SlaMetric::NextResponse => self.next_response_secs,
            SlaMetric::Resolution => self.resolution_secs,
        }?;
        Some(secs.max(0).saturating_mul(1000))
    }

    /// Every non-empty matcher matches.
    pub fn matches(&self, facts: &ConversationFacts) -> bool {
        (self.match_priorities.is_empty() || self.match_priorities.contains(&facts.priority))
            && (self.match_channels.is_empty() || self.match_channels.contains(&facts.channel))
            && (self.match_accounts.is_empty() || self.match_accounts.contains(&facts.account_id))
    }
}

/// The policy for a conversation: the lowest `position` among those that match (ties go
/// to the lowest id, so the choice never depends on the order policies were loaded in).
pub fn select_policy<'p>(policies: &'p [SlaPolicy], facts: &ConversationFacts) -> Option<&'p SlaPolicy> {
    policies.iter().filter(|p| p.matches(facts)).min_by_key(|p| (p.position, p.id))
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("policy {policy:?}: {column} is not a JSON array of {expected}: {reason}")]
    Matcher { policy: String, column: &'static str, expected: &'static str, reason: String },
    #[error("policy {policy:?}: {column} must be a positive number of seconds (got {secs})")]
    Target { policy: String, column: &'static str, secs: i64 },
    #[error("policy {policy:?}: at_risk_percent must be between 0 and 100 (got {percent})")]
    AtRiskPercent { policy: String, percent: i64 },
}

/// One `sla_policies` row as stored, before parsing.
#[derive(Debug, Clone, Copy)]
pub struct StoredPolicy<'a> {
    pub id: i64,
    pub name: &'a str,
    pub position: i64,
    pub match_priorities: &'a str,
    pub match_channels: &'a str,
    pub match_accounts: &'a str,
    pub first_response_secs: Option<i64>,
    pub next_response_secs: Option<i64>,
    pub resolution_secs: Option<i64>,
    pub calendar_id: Option<i64>,
    pub pause_when_pending: bool,
    pub at_risk_percent: i64,
}

impl TryFrom<StoredPolicy<'_>> for SlaPolicy {
    type Error = PolicyError;

    fn try_from(row: StoredPolicy<'_>) -> Result<SlaPolicy, PolicyError> {
        let policy = row.name.to_owned();
        let match_priorities = parse_matcher(
            row.name,
            "match_priorities",
            "priorities (none, low, medium, high, urgent)",
            row.match_priorities,
        )?;
        let match_channels =
            parse_matcher(row.name, "match_channels", "channels (email, chat, whatsapp, …)", row.match_channels)?;
        let match_accounts = parse_matcher(row.name, "match_accounts", "account ids", row.match_accounts)?;
        let target = |column: &'static str, secs: Option<i64>| match secs {
            Some(s) if s <= 0 => Err(PolicyError::Target { policy: policy.clone(), column, secs: s }),
            other => Ok(other),
        };
        let percent = u8::try_from(row.at_risk_percent)
            .ok()
            .filter(|p| *p <= 100)
            .ok_or_else(|| PolicyError::AtRiskPercent { policy: policy.clone(), percent: row.at_risk_percent })?;
        Ok(SlaPolicy {
            id: row.id,
            name: policy.clone(),
            position: row.position,
            match_priorities,
            match_channels,
            match_accounts,
            first_response_secs: target("first_response_secs", row.first_response_secs)?,
            next_response_secs: target("next_response_secs", row.next_response_secs)?,
            resolution_secs: target("resolution_secs", row.resolution_secs)?,
            calendar: row.calendar_id.map_or(CalendarRef::Always, CalendarRef::Calendar),
            pause_when_pending: if row.pause_when_pending {
                PauseRule::WhilePendingOrSnoozed
            } else {
                PauseRule::Never
            },
            at_risk: AtRiskThreshold::Percent(percent),
        })
    }
}

/// A `match_*` column: a JSON array; the column defaults to `'[]'` and an empty string
/// is read the same way.
fn parse_matcher<T: serde::de::DeserializeOwned>(
    policy: &str,
    column: &'static str,
    expected: &'static str,
    json: &str,
) -> Result<Vec<T>, PolicyError> {
    let json = if json.trim().is_empty() { "[]" } else { json };
    serde_json::from_str(json).map_err(|e| PolicyError::Matcher {
        policy: policy.to_owned(),
        column,
        expected,
        reason: format!("{e} in {json:?}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(channel: Channel, priority: Priority, account_id: i64) -> ConversationFacts {
        ConversationFacts { channel, priority, account_id, created_at: 0, status_changes: vec![], messages: vec![] }
    }

    fn policy(id: i64, position: i64) -> SlaPolicy {
        SlaPolicy {
            id,
            name: format!("policy {id}"),
            position,
            match_priorities: vec![],
            match_channels: vec![],
            match_accounts: vec![],
            first_response_secs: Some(300),
            next_response_secs: None,
            resolution_secs: None,
            calendar: CalendarRef::Always,
            pause_when_pending: PauseRule::WhilePendingOrSnoozed,
            at_risk: AtRiskThreshold::Percent(80),
        }
    }

    #[test]
    fn lowest_position_whose_every_matcher_matches_wins() {
        let mut urgent_chat = policy(1, 5);
        urgent_chat.match_priorities = vec![Priority::Urgent, Priority::High];
        urgent_chat.match_channels = vec![Channel::Chat];
        let mut account_7 = policy(2, 10);
        account_7.match_accounts = vec![7];
        let catch_all = policy(3, 100);
        let policies = vec![catch_all, account_7, urgent_chat];

        let cases = [
            (facts(Channel::Chat, Priority::Urgent, 7), Some(1), "all three match; position 5 is lowest"),
            (facts(Channel::Email, Priority::Urgent, 7), Some(2), "channel matcher rejects email"),
            (facts(Channel::Chat, Priority::Low, 7), Some(2), "priority matcher rejects low"),
            (facts(Channel::Chat, Priority::Low, 8), Some(3), "only the catch-all is left"),
        ];
        for (facts, expected, why) in cases {
            assert_eq!(select_policy(&policies, &facts).map(|p| p.id), expected, "{why}");
        }
        assert_eq!(
            select_policy(&policies[..2], &facts(Channel::Chat, Priority::Low, 8)).map(|p| p.id),
            Some(3),
            "the catch-all matches anything"
        );
        assert_eq!(select_policy(&policies[1..2], &facts(Channel::Chat, Priority::Low, 8)), None, "no policy matches");
    }

    #[test]
    fn equal_positions_break_ties_by_id() {
        let policies = vec![policy(9, 1), policy(4, 1)];
        assert_eq!(
            select_policy(&policies, &facts(Channel::Sms, Priority::None, 1)).map(|p| p.id),
            Some(4),
            "load order must not decide"
        );
    }

    #[test]
    fn parses_a_stored_row() {
        let row = StoredPolicy {
            id: 3,
            name: "Chat urgent",
            position: 1,
            match_priorities: r#"["urgent","high"]"#,
            match_channels: r#"["chat","whatsapp"]"#,
            match_accounts: "",
            first_response_secs: Some(300),
            next_response_secs: Some(600),
            resolution_secs: None,
            calendar_id: Some(2),
            pause_when_pending: false,
            at_risk_percent: 75,
        };
        let policy = SlaPolicy::try_from(row).expect("a valid row parses");
        assert_eq!(policy.match_priorities, vec![Priority::Urgent, Priority::High], "priorities parsed");
        assert_eq!(policy.match_channels, vec![Channel::Chat, Channel::Whatsapp], "channels parsed");
        assert!(policy.match_accounts.is_empty(), "an empty column means any account");
        assert_eq!(policy.calendar, CalendarRef::Calendar(2), "calendar id kept");
        assert_eq!(policy.pause_when_pending, PauseRule::Never, "0 means never pause");
        assert_eq!(policy.at_risk, AtRiskThreshold::Percent(75), "percent kept");
        assert_eq!(policy.target_ms(SlaMetric::NextResponse), Some(600_000), "seconds become millis");
        assert_eq!(policy.target_ms(SlaMetric::Resolution), None, "untracked metric");
    }

    #[test]
    fn rejects_bad_rows_with_clear_errors() {
        let good = StoredPolicy {
            id: 1,
            name: "p",
            position: 0,
            match_priorities: "[]",
            match_channels: "[]",
            match_accounts: "[]",
            first_response_secs: Some(60),
            next_response_secs: None,
            resolution_secs: None,
            calendar_id: None,
            pause_when_pending: true,
            at_risk_percent: 80,
        };
        let cases = [
            (StoredPolicy { match_channels: r#"["fax"]"#, ..good }, "match_channels"),
            (StoredPolicy { match_priorities: "urgent", ..good }, "match_priorities"),
            (StoredPolicy { match_accounts: r#"["seven"]"#, ..good }, "match_accounts"),
            (StoredPolicy { first_response_secs: Some(0), ..good }, "first_response_secs"),
            (StoredPolicy { resolution_secs: Some(-5), ..good }, "resolution_secs"),
            (StoredPolicy { at_risk_percent: 101, ..good }, "at_risk_percent"),
            (StoredPolicy { at_risk_percent: -1, ..good }, "at_risk_percent"),
        ];
        for (row, column) in cases {
            let error = SlaPolicy::try_from(row).expect_err("invalid rows are rejected");
            assert!(error.to_string().contains(column), "error names the column {column}: {error}");
        }
        assert!(SlaPolicy::try_from(good).is_ok(), "the baseline row is valid");
    }

    #[test]
    fn at_risk_thresholds_in_business_millis() {
        let cases = [
            (AtRiskThreshold::Percent(80), 300_000, 240_000, "80 % of 5 min is 4 min"),
            (AtRiskThreshold::Percent(100), 300_000, 300_000, "100 % coincides with the breach"),
            (AtRiskThreshold::Percent(0), 300_000, 0, "0 % is at risk from the start"),
            (AtRiskThreshold::MinutesBefore(1), 300_000, 240_000, "1 min before a 5 min target"),
            (AtRiskThreshold::MinutesBefore(10), 300_000, 0, "more minutes than the target clamps to 0"),
            (AtRiskThreshold::Percent(50), i64::MAX, i64::MAX / 2, "no overflow on huge targets"),
            (AtRiskThreshold::Percent(100), i64::MAX, i64::MAX, "the whole of a huge target"),
            (AtRiskThreshold::Percent(99), i64::MAX / 99 + 1, 92_233_720_368_547_758, "a product just past i64"),
        ];
        for (threshold, target, expected, why) in cases {
            assert_eq!(threshold.elapsed_threshold_ms(target), expected, "{why}");
        }
    }

    #[test]
    fn serializes_camel_case_fields_and_snake_case_values() {
        let json = serde_json::to_value(policy(1, 2)).expect("serializes");
        assert_eq!(json["firstResponseSecs"], 300, "camelCase field names");
        assert_eq!(json["pauseWhenPending"], "while_pending_or_snoozed", "snake_case enum values");
        assert_eq!(json["atRisk"], serde_json::json!({"percent": 80}), "threshold is tagged by kind");
        let back: SlaPolicy = serde_json::from_value(json).expect("round-trips");
        assert_eq!(back, policy(1, 2), "serde round trip");
    }
}
