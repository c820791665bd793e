//! Chatwoot's JSON as it really arrives: every optional field may be missing or null,
//! ids may be numbers or strings, instants Unix seconds or ISO 8601, and unknown fields
//! are ignored. What must be there (ids, the payload itself) is required, so garbage
//! fails to decode instead of becoming an empty page.

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A numeric id sent as a number or as a string of digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Id(pub i64);

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Id, D::Error> {
        struct IdVisitor;
        impl Visitor<'_> for IdVisitor {
            type Value = Id;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a numeric id")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Id, E> {
                Ok(Id(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Id, E> {
                i64::try_from(v).map(Id).map_err(|_| E::custom("id out of range"))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Id, E> {
                v.trim().parse::<i64>().map(Id).map_err(|_| E::custom(format!("{v:?} is not a numeric id")))
            }
        }
        d.deserialize_any(IdVisitor)
    }
}

/// An instant as Unix seconds (integer or float) or an ISO 8601 string; kept in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Ts(pub i64);

impl<'de> Deserialize<'de> for Ts {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Ts, D::Error> {
        struct TsVisitor;
        impl Visitor<'_> for TsVisitor {
            type Value = Ts;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("Unix seconds or an ISO 8601 instant")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Ts, E> {
                Ok(Ts(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Ts, E> {
                i64::try_from(v).map(Ts).map_err(|_| E::custom("instant out of range"))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Ts, E> {
                if v.is_finite() { Ok(Ts(v.floor() as i64)) } else { Err(E::custom("instant is not finite")) }
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Ts, E> {
                parse_instant(v).map(Ts).ok_or_else(|| E::custom(format!("{v:?} is not an instant")))
            }
        }
        d.deserialize_any(TsVisitor)
    }
}

fn parse_instant(v: &str) -> Option<i64> {
    let v = v.trim();
    if let Ok(secs) = v.parse::<i64>() {
        return Some(secs);
    }
    if let Ok(ts) = v.parse::<jiff::Timestamp>() {
        return Some(ts.as_second());
    }
    // Rails sometimes omits the offset; Chatwoot stores UTC.
    let civil = v.trim_end_matches(" UTC").replace(' ', "T").parse::<jiff::civil::DateTime>().ok()?;
    civil.to_zoned(jiff::tz::TimeZone::UTC).ok().map(|z| z.timestamp().as_second())
}

/// `message_type`: an integer over REST, a name in webhooks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum MessageType {
    Incoming,
    Outgoing,
    Activity,
    Template,
    /// A type this build does not know (a newer server); shown as a system line.
    Other,
}

impl<'de> Deserialize<'de> for MessageType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<MessageType, D::Error> {
        struct MtVisitor;
        impl Visitor<'_> for MtVisitor {
            type Value = MessageType;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a message type (0-3 or its name)")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<MessageType, E> {
                Ok(match v {
                    0 => MessageType::Incoming,
                    1 => MessageType::Outgoing,
                    2 => MessageType::Activity,
                    3 => MessageType::Template,
                    _ => MessageType::Other,
                })
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<MessageType, E> {
                self.visit_i64(i64::try_from(v).unwrap_or(i64::MAX))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<MessageType, E> {
                Ok(match v {
                    "incoming" | "0" => MessageType::Incoming,
                    "outgoing" | "1" => MessageType::Outgoing,
                    "activity" | "2" => MessageType::Activity,
                    "template" | "3" => MessageType::Template,
                    _ => MessageType::Other,
                })
            }
        }
        d.deserialize_any(MtVisitor)
    }
}

/// `GET /conversations`: `{"data":{"meta":…,"payload":[…]}}`; some proxies and old
/// versions drop the `data` wrapper, so both are read.
#[derive(Debug, Deserialize)]
pub struct ConversationList {
    #[serde(default)]
    pub data: Option<ConversationListData>,
    #[serde(default)]
    pub payload: Option<Vec<Conversation>>,
}

#[derive(Debug, Deserialize)]
pub struct ConversationListData {
    pub payload: Vec<Conversation>,
}

impl ConversationList {
    pub fn into_payload(self) -> Option<Vec<Conversation>> {
        self.data.map(|d| d.payload).or(self.payload)
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct Conversation {
    /// The account-scoped display id used in every URL.
    pub id: Id,
    #[serde(default)]
    pub inbox_id: Option<Id>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub priority: Option<String>,
    #[serde(default)]
    pub meta: Option<ConversationMeta>,
    /// Only the last message; `None` when the field is absent (older shapes).
    #[serde(default)]
    pub messages: Option<Vec<Message>>,
    #[serde(default)]
    pub last_non_activity_message: Option<Message>,
    #[serde(default)]
    pub additional_attributes: Option<Value>,
    #[serde(default)]
    pub created_at: Option<Ts>,
    /// `last_activity_at` under its older name.
    #[serde(default)]
    pub timestamp: Option<Ts>,
    #[serde(default)]
    pub last_activity_at: Option<Ts>,
    #[serde(default)]
    pub updated_at: Option<Ts>,
    #[serde(default)]
    pub snoozed_until: Option<Ts>,
    // SLA (Enterprise): read from raw JSON by `map::backend_sla`, so an unexpected shape
    // in these optional fields never fails the whole page.
    #[serde(default)]
    pub sla_policy_id: Option<Value>,
    #[serde(default)]
    pub applied_sla: Option<Value>,
    #[serde(default)]
    pub sla_events: Option<Value>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ConversationMeta {
    #[serde(default)]
    pub sender: Option<Contact>,
    /// `Channel::WebWidget`, `Channel::Email`…
    #[serde(default)]
    pub channel: Option<String>,
    #[serde(default)]
    pub assignee: Option<User>,
    #[serde(default)]
    pub team: Option<Team>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Contact {
    pub id: Id,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone_number: Option<String>,
    #[serde(default)]
    pub identifier: Option<String>,
    #[serde(default)]
    pub additional_attributes: Option<Value>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct User {
    #[serde(default)]
    pub id: Option<Id>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub available_name: Option<String>,
    /// `contact` | `user` | `agent_bot` on message senders.
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
}

impl User {
    pub fn display_name(&self) -> Option<String> {
        self.available_name
            .as_deref()
            .or(self.name.as_deref())
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Team {
    #[serde(default)]
    pub name: Option<String>,
}

/// `GET /conversations/{id}/messages`: `{"meta":…,"payload":[…]}`.
#[derive(Debug, Deserialize)]
pub struct MessageList {
    pub payload: Vec<Message>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Message {
    pub id: Id,
    #[serde(default)]
    pub content: Option<String>,
    #[serde(default)]
    pub content_type: Option<String>,
    #[serde(default)]
    pub content_attributes: Option<Value>,
    #[serde(default)]
    pub message_type: Option<MessageType>,
    #[serde(default)]
    pub private: Option<bool>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub created_at: Option<Ts>,
    #[serde(default)]
    pub sender_type: Option<String>,
    #[serde(default)]
    pub sender: Option<User>,
    #[serde(default)]
    pub source_id: Option<String>,
    /// Only in the reply to a create (and ActionCable); Chatwoot does not store it.
    #[serde(default)]
    pub echo_id: Option<Value>,
    #[serde(default)]
    pub attachments: Option<Vec<Attachment>>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Attachment {
    #[serde(default)]
    pub file_type: Option<String>,
}

/// `GET /inboxes`: `{"payload":[…]}`.
#[derive(Debug, Deserialize)]
pub struct InboxList {
    pub payload: Vec<Inbox>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Inbox {
    pub id: Id,
    #[serde(default)]
    pub channel_type: Option<String>,
    /// Twilio inboxes: `sms` or `whatsapp`.
    #[serde(default)]
    pub medium: Option<String>,
}
