//! Pure mapping from Chatwoot's wire shapes to Hilo's: channels, statuses, message
//! kinds, identities. No I/O, so every rule is unit-tested here.

use hilo_model::{
    Channel, ConversationStatus, DeliveryState, Direction, IdentityInput, IdentityKind, MessageKind,
    NormalizedIdentity, Priority, normalize_identity,
};
use phonenumber::country;
use serde_json::Value;

use super::wire::{self, MessageType};
use crate::helpdesk::{SourceContact, SourceConversation, SourceMessage, StateAuthority};

/// The key under `content_attributes` where Hilo leaves its idempotency key.
pub const ECHO_KEY_ATTRIBUTE: &str = "hilo_idempotency_key";
/// Every idempotency key Hilo makes starts with this, so a `source_id` can be recognised.
pub const ECHO_KEY_PREFIX: &str = "hilo-";

/// An inbox's channel type (`Channel::TwilioSms`…) and Twilio medium → Hilo channel.
/// `conversation_type` is the conversation's `additional_attributes.type`, which tells
/// Instagram direct messages apart inside a Facebook page inbox.
pub fn channel(channel_type: &str, medium: Option<&str>, conversation_type: Option<&str>) -> Channel {
    match channel_type.trim() {
        "Channel::WebWidget" => Channel::Chat,
        "Channel::Whatsapp" => Channel::Whatsapp,
        "Channel::FacebookPage" if conversation_type == Some("instagram_direct_message") => Channel::Instagram,
        "Channel::FacebookPage" => Channel::Facebook,
        "Channel::Instagram" => Channel::Instagram,
        "Channel::TwitterProfile" => Channel::X,
        "Channel::TwilioSms" if medium.is_some_and(|m| m.eq_ignore_ascii_case("whatsapp")) => Channel::Whatsapp,
        "Channel::TwilioSms" | "Channel::Sms" => Channel::Sms,
        "Channel::Telegram" => Channel::Telegram,
        "Channel::Line" => Channel::Line,
        "Channel::Email" => Channel::Email,
        "Channel::Voice" => Channel::Voice,
        // Channel::Api and anything a newer server adds: a generic channel, never an error.
        _ => Channel::Api,
    }
}

pub fn status(raw: Option<&str>) -> ConversationStatus {
    match raw.map(str::trim) {
        Some("pending") => ConversationStatus::Pending,
        Some("snoozed") => ConversationStatus::Snoozed,
        Some("resolved") => ConversationStatus::Resolved,
        // `open`, missing, or a status a newer server invented: it still needs an agent.
        _ => ConversationStatus::Open,
    }
}

pub fn priority(raw: Option<&str>) -> Priority {
    match raw.map(str::trim) {
        Some("low") => Priority::Low,
        Some("medium") => Priority::Medium,
        Some("high") => Priority::High,
        Some("urgent") => Priority::Urgent,
        _ => Priority::None,
    }
}

fn ms(secs: i64) -> i64 {
    secs.saturating_mul(1000)
}

fn non_empty(s: Option<&str>) -> Option<String> {
    s.map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)
}

fn str_at<'a>(v: Option<&'a Value>, path: &[&str]) -> Option<&'a str> {
    let mut cur = v?;
    for key in path {
        cur = cur.get(key)?;
    }
    cur.as_str()
}

/// The contact's identities, normalized: email, phone (E.164 in `region` for national
/// numbers), the external `identifier`, social handles.
pub fn contact(c: &wire::Contact, region: country::Id) -> SourceContact {
    let mut identities: Vec<NormalizedIdentity> = Vec::new();
    let mut add = |kind: IdentityKind, raw: Option<&str>| {
        if let Some(raw) = raw.map(str::trim).filter(|r| !r.is_empty()) {
            let id = normalize_identity(IdentityInput { kind, raw }, region);
            if !id.value.is_empty() && !identities.iter().any(|i| i.kind == id.kind && i.value == id.value) {
                identities.push(id);
            }
        }
    };
    add(IdentityKind::Email, c.email.as_deref().filter(|e| e.contains('@')));
    add(IdentityKind::Phone, c.phone_number.as_deref());
    let attrs = c.additional_attributes.as_ref();
    for (key, kind) in [
        ("facebook", IdentityKind::Facebook),
        ("instagram", IdentityKind::Instagram),
        ("twitter", IdentityKind::X),
        ("x", IdentityKind::X),
        ("telegram", IdentityKind::Telegram),
    ] {
        add(kind, str_at(attrs, &["social_profiles", key]));
    }
    // Twitter contacts carry their handle as `screen_name`; Telegram ones as `username`.
    add(IdentityKind::X, str_at(attrs, &["screen_name"]));
    add(IdentityKind::Telegram, str_at(attrs, &["username"]).filter(|_| str_at(attrs, &["telegram_id"]).is_some()));
    let mut out = SourceContact { remote_id: c.id.0.to_string(), name: non_empty(c.name.as_deref()), identities };
    if let Some(identifier) = non_empty(c.identifier.as_deref()) {
        // The company's own customer id: the same on every backend that knows the customer.
        out.identities.push(NormalizedIdentity {
            kind: IdentityKind::Contact,
            value: format!("id:{identifier}"),
            display: identifier,
        });
    }
    out
}

/// A conversation from the list. `inbox_channel` is the channel of its inbox, when known.
pub fn conversation(c: &wire::Conversation, inbox_channel: Option<(&str, Option<&str>)>) -> SourceConversation {
    let meta = c.meta.clone().unwrap_or_default();
    let conv_type = str_at(c.additional_attributes.as_ref(), &["type"]);
    let channel = match (inbox_channel, meta.channel.as_deref()) {
        (Some((ct, medium)), _) => channel(ct, medium, conv_type),
        (None, Some(ct)) => channel(ct, None, conv_type),
        (None, None) => Channel::Api,
    };
    let created = c.created_at.map(|t| t.0).or(c.timestamp.map(|t| t.0)).unwrap_or(0);
    let activity = c.last_activity_at.or(c.timestamp).map(|t| t.0).unwrap_or(created);
    SourceConversation {
        remote_id: c.id.0.to_string(),
        contact_remote_id: meta.sender.as_ref().map(|s| s.id.0.to_string()),
        contact_name: meta.sender.as_ref().and_then(|s| non_empty(s.name.as_deref())),
        channel,
        status: status(c.status.as_deref()),
        priority: priority(c.priority.as_deref()),
        subject: non_empty(str_at(c.additional_attributes.as_ref(), &["mail_subject"])),
        assignee: meta.assignee.as_ref().and_then(wire::User::display_name),
        team: meta.team.as_ref().and_then(|t| non_empty(t.name.as_deref())),
        created_at: ms(created),
        last_activity_at: ms(activity.max(created)),
        snoozed_until: c.snoozed_until.map(|t| ms(t.0)),
        updated_at: c.updated_at.map(|t| ms(t.0)),
        authority: StateAuthority::Remote,
    }
}

/// The newest message id the list shows for a conversation; `None` when the list item
/// says nothing about messages (then they must be fetched to be sure).
pub fn latest_message_id(c: &wire::Conversation) -> Option<Option<i64>> {
    let last = c.messages.as_ref().map(|ms| ms.iter().map(|m| m.id.0).max());
    let non_activity = c.last_non_activity_message.as_ref().map(|m| m.id.0);
    match (last, non_activity) {
        (None, None) => None,
        (Some(a), b) => Some(a.max(b)),
        (None, b) => Some(b),
    }
}

/// The idempotency key a message carries when Hilo sent it.
pub fn echo_key(m: &wire::Message) -> Option<String> {
    let from_attrs = m.content_attributes.as_ref().and_then(|a| a.get(ECHO_KEY_ATTRIBUTE)).and_then(Value::as_str);
    let from_echo = m.echo_id.as_ref().and_then(Value::as_str);
    let from_source = m.source_id.as_deref();
    [from_attrs, from_echo, from_source]
        .into_iter()
        .flatten()
        .find(|k| k.starts_with(ECHO_KEY_PREFIX) && k.len() <= 128)
        .map(str::to_owned)
}

/// One message of conversation `conversation_remote_id`.
pub fn message(conversation_remote_id: &str, m: &wire::Message) -> SourceMessage {
    let mt = m.message_type.unwrap_or(MessageType::Incoming);
    let private = m.private.unwrap_or(false);
    let bot = m.sender_type.as_deref().is_some_and(|t| t.eq_ignore_ascii_case("AgentBot"))
        || m.sender.as_ref().and_then(|s| s.kind.as_deref()).is_some_and(|t| t.eq_ignore_ascii_case("agent_bot"));
    let (direction, kind) = match mt {
        _ if private => (Direction::Outbound, MessageKind::Note),
        MessageType::Incoming => (Direction::Inbound, MessageKind::Message),
        MessageType::Outgoing if bot => (Direction::Outbound, MessageKind::Bot),
        MessageType::Outgoing => (Direction::Outbound, MessageKind::Message),
        // Templates are what Chatwoot itself sends (greeting, away message, email and CSAT
        // prompts): automated turns, so they count like a bot's, never as an agent reply.
        MessageType::Template => (Direction::Outbound, MessageKind::Bot),
        MessageType::Activity | MessageType::Other => (Direction::Outbound, MessageKind::System),
    };
    let email = m.content_attributes.as_ref().and_then(|a| a.get("email"));
    // `html_content` is `{full, reply, quoted}` in current versions and a plain string in older ones.
    let html = email.and_then(|e| e.get("html_content")).and_then(|h| match h {
        Value::String(s) => Some(s.clone()),
        Value::Object(o) => ["full", "reply"].iter().find_map(|k| o.get(*k).and_then(Value::as_str)).map(str::to_owned),
        _ => None,
    });
    let html = html.filter(|h| !h.trim().is_empty());
    let mut text = m.content.clone().unwrap_or_default();
    if text.trim().is_empty() && html.is_none() {
        let text_content = email.and_then(|e| e.get("text_content")).and_then(|t| match t {
            Value::String(s) => Some(s.clone()),
            Value::Object(o) => o.get("full").or_else(|| o.get("reply")).and_then(Value::as_str).map(str::to_owned),
            _ => None,
        });
        text = text_content.unwrap_or_default();
    }
    if text.trim().is_empty() && html.is_none() {
        // An attachment-only message still needs a line in the timeline.
        let kinds: Vec<String> =
            m.attachments.iter().flatten().map(|a| a.file_type.clone().unwrap_or_else(|| "file".to_owned())).collect();
        if !kinds.is_empty() {
            text = format!("[{}]", kinds.join(", "));
        }
    }
    let failed = m.status.as_deref() == Some("failed")
        || m.content_attributes.as_ref().and_then(|a| a.get("external_error")).is_some_and(|e| !e.is_null());
    SourceMessage {
        conversation_remote_id: conversation_remote_id.to_owned(),
        remote_id: m.id.0.to_string(),
        direction,
        kind,
        author: m.sender.as_ref().and_then(wire::User::display_name),
        text,
        raw_html: html,
        delivery: if failed && direction == Direction::Outbound {
            DeliveryState::Failed
        } else {
            DeliveryState::Delivered
        },
        created_at: ms(m.created_at.map(|t| t.0).unwrap_or(0)),
        echo_key: echo_key(m),
        attachments: Vec::new(),
        mail: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inbox_types_map_to_hilo_channels() {
        let cases = [
            ("Channel::WebWidget", None, None, Channel::Chat),
            ("Channel::Whatsapp", None, None, Channel::Whatsapp),
            ("Channel::FacebookPage", None, None, Channel::Facebook),
            ("Channel::FacebookPage", None, Some("instagram_direct_message"), Channel::Instagram),
            ("Channel::Instagram", None, None, Channel::Instagram),
            ("Channel::TwitterProfile", None, None, Channel::X),
            ("Channel::Sms", None, None, Channel::Sms),
            ("Channel::TwilioSms", Some("sms"), None, Channel::Sms),
            ("Channel::TwilioSms", Some("whatsapp"), None, Channel::Whatsapp),
            ("Channel::Telegram", None, None, Channel::Telegram),
            ("Channel::Line", None, None, Channel::Line),
            ("Channel::Email", None, None, Channel::Email),
            ("Channel::Api", None, None, Channel::Api),
            ("Channel::SomethingNew", None, None, Channel::Api),
        ];
        for (ct, medium, ty, want) in cases {
            assert_eq!(channel(ct, medium, ty), want, "{ct} {medium:?} {ty:?}");
        }
    }

    fn msg(json: &str) -> SourceMessage {
        let m: wire::Message = serde_json::from_str(json).expect("message shape");
        message("7", &m)
    }

    #[test]
    fn message_types_notes_and_bots() {
        let m = msg(r#"{"id":1,"content":"hola","message_type":0}"#);
        assert_eq!((m.direction, m.kind), (Direction::Inbound, MessageKind::Message));
        let m = msg(r#"{"id":2,"content":"ok","message_type":1,"private":false,"sender_type":"User"}"#);
        assert_eq!((m.direction, m.kind), (Direction::Outbound, MessageKind::Message));
        let m = msg(r#"{"id":3,"content":"nota","message_type":1,"private":true}"#);
        assert_eq!(m.kind, MessageKind::Note, "private messages are internal notes");
        let m = msg(r#"{"id":4,"content":"soy un bot","message_type":1,"sender_type":"AgentBot"}"#);
        assert_eq!(m.kind, MessageKind::Bot);
        let m = msg(r#"{"id":5,"content":"Conversation was resolved","message_type":2}"#);
        assert_eq!(m.kind, MessageKind::System);
        let m = msg(r#"{"id":6,"content":"Rate us","message_type":3,"content_type":"input_csat"}"#);
        assert_eq!(m.kind, MessageKind::Bot, "templates are automated turns");
        let m = msg(r#"{"id":7,"content":"hi","message_type":"outgoing"}"#);
        assert_eq!(m.kind, MessageKind::Message, "webhook-style names are read too");
    }

    #[test]
    fn email_html_and_echo_keys() {
        let m = msg(r#"{"id":9,"content":null,"message_type":0,"created_at":"2024-05-01T10:00:00.000Z",
                "content_attributes":{"email":{"html_content":{"full":"<p>Hi</p>","reply":"<p>Hi</p>"}}}}"#);
        assert_eq!(m.raw_html.as_deref(), Some("<p>Hi</p>"));
        assert_eq!(m.created_at, 1_714_557_600_000);
        let m =
            msg(r#"{"id":10,"content":"x","message_type":1,"content_attributes":{"hilo_idempotency_key":"hilo-ab"}}"#);
        assert_eq!(m.echo_key.as_deref(), Some("hilo-ab"));
        let m = msg(r#"{"id":11,"content":"x","message_type":1,"source_id":"wamid.123"}"#);
        assert_eq!(m.echo_key, None, "a channel's own source id is not a Hilo key");
    }

    #[test]
    fn contacts_become_normalized_identities() {
        let c: wire::Contact = serde_json::from_str(
            r#"{"id":"42","name":" Claudio Pérez ","email":"Claudio.Perez@Example.com","phone_number":"600 123 456",
                "identifier":"cus_1","additional_attributes":{"social_profiles":{"facebook":"claudio.p","twitter":"@Claudio"}},
                "extra":{"ignored":true}}"#,
        )
        .expect("contact shape");
        let sc = contact(&c, country::Id::ES);
        assert_eq!(sc.name.as_deref(), Some("Claudio Pérez"));
        let has = |k: IdentityKind, v: &str| sc.identities.iter().any(|i| i.kind == k && i.value == v);
        assert!(has(IdentityKind::Email, "claudio.perez@example.com"));
        assert!(has(IdentityKind::Phone, "+34600123456"), "national numbers use the workspace region");
        assert!(has(IdentityKind::Facebook, "claudio.p"));
        assert!(has(IdentityKind::X, "claudio"));
        assert!(has(IdentityKind::Contact, "id:cus_1"));
    }
}
