//! Telephony data that crosses IPC and the CLI's JSON: the screen-pop of a ringing call
//! (`call://ringing`, `hilo telephony listen`), stored calls (`hilo calls`,
//! `call://updated`), callback items, and the answer to a click-to-call.
//!
//! hilo-core builds them (SQL, phone formatting, localized texts); the field names are
//! the CLI's stable camelCase JSON.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::enums::{CallOutcome, Channel, ConversationStatus, Direction};
use crate::time::Millis;

/// The language of the texts Hilo writes for the desktop (screen-pops, SLA alerts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum Language {
    Es,
    En,
}

impl Language {
    /// `es`, `es_ES.UTF-8`, `en-GB`… → the language; anything else → `None`.
    pub fn parse(code: &str) -> Option<Language> {
        let primary = code.trim().split(['-', '_', '.', '@']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "es" => Some(Language::Es),
            "en" => Some(Language::En),
            _ => None,
        }
    }
}

/// The conversation a screen-pop points at: the caller's most recent open one, else
/// their most recent one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ScreenPopConversation {
    #[ts(type = "number")]
    pub id: i64,
    pub channel: Channel,
    pub status: ConversationStatus,
    pub subject: Option<String>,
    #[ts(type = "number")]
    pub last_activity_at: Millis,
}

/// What the UI gets with `call://ringing`: enough to show who it is and to open their
/// timeline, or to offer creating the customer when the number is unknown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ScreenPop {
    pub account: String,
    #[ts(type = "number")]
    pub account_id: i64,
    pub call_ref: String,
    /// E.164 when it parses, else as sent; `None` for a withheld number.
    pub number: Option<String>,
    /// `+34 600 12 34 56`, or the localized "hidden number".
    pub number_display: String,
    #[ts(type = "number | null")]
    pub customer_id: Option<i64>,
    pub customer_name: Option<String>,
    /// Conversations of the customer that are not resolved.
    #[ts(type = "number")]
    pub open_conversations: i64,
    /// The conversation "open timeline" selects; null for unknown callers and for
    /// customers without conversations.
    pub latest_conversation: Option<ScreenPopConversation>,
    /// The caller is unknown and has a usable number: offer to create the customer.
    pub offer_create_customer: bool,
    pub language: Language,
    pub title: String,
    pub body: String,
    /// `title · body`, the whole line.
    pub text: String,
    /// What clicking opens: `customer:42`, or `new-customer:+34600123456`.
    pub target: Option<String>,
    #[ts(type = "number")]
    pub ringing_since: Millis,
    /// Whether the desktop notification was shown; the reason when it was not.
    pub notified: bool,
    pub notification_error: Option<String>,
}

/// A stored call as `hilo calls --json`, the `call` telephony event and the UI's
/// `call://updated` show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CallView {
    #[ts(type = "number")]
    pub id: i64,
    pub call_ref: String,
    pub account: String,
    pub direction: Direction,
    pub from: Option<String>,
    pub to: Option<String>,
    pub agent: Option<String>,
    pub outcome: CallOutcome,
    #[ts(type = "number")]
    pub started_at: Millis,
    #[ts(type = "number | null")]
    pub answered_at: Option<Millis>,
    #[ts(type = "number | null")]
    pub ended_at: Option<Millis>,
    /// Ring start to hang-up.
    #[ts(type = "number | null")]
    pub duration_secs: Option<i64>,
    /// Answer to hang-up.
    #[ts(type = "number | null")]
    pub talk_secs: Option<i64>,
    pub hangup_cause: Option<String>,
    #[ts(type = "number | null")]
    pub customer_id: Option<i64>,
}

/// A known customer who called, was not answered, and has not been called back (nor
/// got through later): the inbox shows it as something to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CallbackItem {
    #[ts(type = "number")]
    pub customer_id: i64,
    pub customer_name: String,
    /// The latest missed call.
    #[ts(type = "number")]
    pub call_id: i64,
    pub number: Option<String>,
    #[ts(type = "number")]
    pub missed_at: Millis,
    pub outcome: CallOutcome,
    pub account: String,
    /// Missed calls since the customer was last answered or called.
    #[ts(type = "number")]
    pub missed_calls: i64,
}

/// A click-to-call placed through a connector.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PlacedCall {
    pub account: String,
    /// The id the call's events and its stored record carry.
    pub call_ref: String,
    /// The number as dialled.
    pub dialed: String,
    /// `queued` (the PBX accepted it), then `connected` (the agent's phone answered and
    /// the customer is being dialled), `busy`, `failed`, or `noResult` when the PBX
    /// said nothing in time.
    #[ts(type = "\"queued\" | \"connected\" | \"busy\" | \"failed\" | \"noResult\"")]
    pub status: String,
    pub cause: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_tags_and_locales_parse() {
        assert_eq!(Language::parse("es_ES.UTF-8"), Some(Language::Es));
        assert_eq!(Language::parse(" EN-gb"), Some(Language::En));
        assert_eq!(Language::parse("C.UTF-8"), None, "an unknown locale is no language");
        assert_eq!(Language::parse("es-MX"), Some(Language::Es));
        assert_eq!(Language::parse("eng"), None, "only the primary subtag counts");
        assert_eq!(Language::parse(""), None);
    }

    #[test]
    fn calls_keep_the_cli_field_names() {
        let view = CallView {
            id: 7,
            call_ref: "1700000000.27".into(),
            account: "pbx".into(),
            direction: Direction::Inbound,
            from: Some("+34600123456".into()),
            to: Some("1986".into()),
            agent: Some("PJSIP/1986".into()),
            outcome: CallOutcome::Missed,
            started_at: 1,
            answered_at: None,
            ended_at: Some(8001),
            duration_secs: Some(8),
            talk_secs: None,
            hangup_cause: Some("127".into()),
            customer_id: Some(1),
        };
        let json = serde_json::to_value(&view).unwrap_or_default();
        let mut keys: Vec<&str> = json.as_object().map(|o| o.keys().map(String::as_str).collect()).unwrap_or_default();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "account",
                "agent",
                "answeredAt",
                "callRef",
                "customerId",
                "direction",
                "durationSecs",
                "endedAt",
                "from",
                "hangupCause",
                "id",
                "outcome",
                "startedAt",
                "talkSecs",
                "to"
            ],
            "`hilo calls --json` scripts read these names"
        );
        assert_eq!(json["outcome"], "missed");
    }
}
