//! The SLA configuration as Settings edits it: policies (ordered, first match wins),
//! business calendars with weekly hours and holidays, the result of an iCal import, and
//! the Reports view's CSV export.
//!
//! Durations are whole seconds of business time; times of day are `HH:MM` wall-clock
//! strings in the calendar's zone; holiday dates are `YYYY-MM-DD`.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::enums::{AccountKind, Channel, Priority};

/// A policy as stored, for the editor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SlaPolicyView {
    #[ts(type = "number")]
    pub id: i64,
    /// 1-based rank: the first policy (lowest position) that matches governs.
    #[ts(type = "number")]
    pub position: i64,
    #[serde(flatten)]
    pub policy: SlaPolicyInput,
}

/// What the policy editor sends. Empty matcher lists mean "any".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SlaPolicyInput {
    pub name: String,
    pub match_priorities: Vec<Priority>,
    pub match_channels: Vec<Channel>,
    #[ts(type = "number[]")]
    pub match_accounts: Vec<i64>,
    /// Targets in seconds of business time; null = the metric is not tracked. For the
    /// voice channel, the first-response target is the callback target.
    #[ts(type = "number | null")]
    pub first_response_secs: Option<i64>,
    #[ts(type = "number | null")]
    pub next_response_secs: Option<i64>,
    #[ts(type = "number | null")]
    pub resolution_secs: Option<i64>,
    /// Null = 24/7.
    #[ts(type = "number | null")]
    pub calendar_id: Option<i64>,
    pub pause_when_pending: bool,
    /// At risk once this percentage (0–100) of the target has elapsed.
    pub at_risk_percent: u8,
}

/// An account a policy can be limited to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SlaAccountOption {
    #[ts(type = "number")]
    pub id: i64,
    pub name: String,
    pub kind: AccountKind,
}

/// The policies screen: every policy in evaluation order, the accounts they may match,
/// and the rows the clocks cannot use (in words).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SlaPolicyList {
    pub policies: Vec<SlaPolicyView>,
    pub accounts: Vec<SlaAccountOption>,
    pub warnings: Vec<String>,
}

/// One opening interval, `[start, end)`, local wall-clock `HH:MM` (`24:00` may end a day).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SlaShift {
    pub start: String,
    pub end: String,
}

/// Opening hours per weekday; several shifts per day are split shifts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SlaWeeklyHours {
    pub mon: Vec<SlaShift>,
    pub tue: Vec<SlaShift>,
    pub wed: Vec<SlaShift>,
    pub thu: Vec<SlaShift>,
    pub fri: Vec<SlaShift>,
    pub sat: Vec<SlaShift>,
    pub sun: Vec<SlaShift>,
}

impl SlaWeeklyHours {
    /// Stored keys, Monday first.
    pub const DAYS: [&'static str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

    /// The shifts of each day, Monday first.
    pub fn days(&self) -> [&Vec<SlaShift>; 7] {
        [&self.mon, &self.tue, &self.wed, &self.thu, &self.fri, &self.sat, &self.sun]
    }

    pub fn days_mut(&mut self) -> [&mut Vec<SlaShift>; 7] {
        [&mut self.mon, &mut self.tue, &mut self.wed, &mut self.thu, &mut self.fri, &mut self.sat, &mut self.sun]
    }
}

/// What the calendar editor sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SlaCalendarInput {
    pub name: String,
    /// IANA name, e.g. `Europe/Madrid`.
    pub time_zone: String,
    pub weekly_hours: SlaWeeklyHours,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SlaHoliday {
    /// `YYYY-MM-DD` in the calendar's zone.
    pub date: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SlaCalendarView {
    #[ts(type = "number")]
    pub id: i64,
    #[serde(flatten)]
    pub calendar: SlaCalendarInput,
    /// In date order.
    pub holidays: Vec<SlaHoliday>,
    /// Names of the policies that measure in this calendar.
    pub used_by: Vec<String>,
}

/// The outcome of importing an iCalendar holiday feed into one calendar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SlaHolidayImport {
    /// Dates added.
    pub imported: u32,
    /// Dates already in the calendar or repeated in the feed (nothing overwritten).
    pub skipped: u32,
    pub calendars: Vec<SlaCalendarView>,
}

/// Where the Reports view saved its CSV (the same columns as `hilo report --format csv`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SlaReportExport {
    pub path: String,
    pub rows: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_view_flattens_the_input_in_camel_case() {
        let view = SlaPolicyView {
            id: 3,
            position: 1,
            policy: SlaPolicyInput {
                name: "Chat".into(),
                match_priorities: vec![Priority::Urgent],
                match_channels: vec![Channel::Chat],
                match_accounts: vec![],
                first_response_secs: Some(300),
                next_response_secs: None,
                resolution_secs: None,
                calendar_id: None,
                pause_when_pending: true,
                at_risk_percent: 80,
            },
        };
        let json = serde_json::to_value(&view).expect("serializes");
        assert_eq!(json["firstResponseSecs"], 300, "the input's fields sit beside id and position");
        assert_eq!(json["matchChannels"], serde_json::json!(["chat"]), "channel names as stored");
        let back: SlaPolicyView = serde_json::from_value(json).expect("round-trips");
        assert_eq!(back, view, "serde round trip");
    }
}
