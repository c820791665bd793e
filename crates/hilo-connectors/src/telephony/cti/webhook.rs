//! Zammad's generic CTI payload (PROTOCOLS.md §4.1): `newCall` / `answer` / `hangup`
//! with `from`, `to`, `direction`, `callId`, `user`, `answeringNumber`, `cause`, as JSON
//! or as a form, and the call events each one stands for.

use hilo_model::Direction;
use hilo_model::time::Millis;

use super::http::Refusal;
use crate::telephony::channel::clean;
use crate::telephony::event::{CallEvent, CallEventKind};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CtiEventName {
    NewCall,
    Answer,
    Hangup,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CtiPayload {
    pub event: CtiEventName,
    pub call_id: String,
    pub direction: Option<Direction>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub users: Vec<String>,
    pub answering_number: Option<String>,
    pub cause: Option<String>,
}

impl CtiPayload {
    pub fn to_call_event(&self, at: Millis, rejected: bool) -> CallEvent {
        let kind = match self.event {
            CtiEventName::NewCall => CallEventKind::Offered {
                direction: self.direction.unwrap_or(Direction::Inbound),
                from: self.from.clone(),
                to: self.to.clone(),
                users: self.users.clone(),
                rejected,
            },
            CtiEventName::Answer => {
                CallEventKind::Answered { agent: self.answering_number.clone().or_else(|| self.users.first().cloned()) }
            }
            CtiEventName::Hangup => CallEventKind::Ended { cause: self.cause.clone() },
        };
        CallEvent { call_ref: self.call_id.clone(), at, kind }
    }
}

/// Fields whose `+` is the E.164 prefix, never a form-encoded space: PBX scripts post
/// `from=+4930…` without escaping it, and no phone number starts with a space.
const PHONE_FIELDS: [&str; 3] = ["from", "to", "answeringNumber"];

/// Reads a CTI body. `content_type` decides JSON or form; anything else is refused.
pub fn parse_payload(content_type: Option<&str>, body: &[u8]) -> Result<CtiPayload, Refusal> {
    let media = content_type.unwrap_or_default().split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    let fields: Vec<(String, String)> = match media.as_str() {
        "application/json" => json_fields(body)?,
        "application/x-www-form-urlencoded" => form_fields(body),
        _ => {
            return Err(Refusal::new(415, "send application/json or application/x-www-form-urlencoded"));
        }
    };
    let get = |key: &str| fields.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
    let event = match get("event").map(str::trim) {
        Some("newCall") => CtiEventName::NewCall,
        Some("answer") => CtiEventName::Answer,
        Some("hangup") => CtiEventName::Hangup,
        _ => return Err(Refusal::new(422, "Unknown event!")),
    };
    let call_id =
        clean(get("callId").or_else(|| get("call_id"))).ok_or_else(|| Refusal::new(422, "callId is required!"))?;
    if call_id.len() > 256 {
        return Err(Refusal::new(422, "callId is too long!"));
    }
    let direction = match get("direction").map(str::trim) {
        Some("in") => Some(Direction::Inbound),
        Some("out") => Some(Direction::Outbound),
        None if event != CtiEventName::NewCall => None,
        _ => return Err(Refusal::new(422, "Invalid direction!")),
    };
    let users =
        fields.iter().filter(|(k, _)| k == "user" || k == "user[]").filter_map(|(_, v)| clean(Some(v))).collect();
    Ok(CtiPayload {
        event,
        call_id,
        direction,
        from: clean(get("from")),
        to: clean(get("to")),
        users,
        answering_number: clean(get("answeringNumber")),
        cause: clean(get("cause")),
    })
}

fn json_fields(body: &[u8]) -> Result<Vec<(String, String)>, Refusal> {
    let value: serde_json::Value =
        serde_json::from_slice(body).map_err(|_| Refusal::new(400, "the body is not valid JSON"))?;
    let serde_json::Value::Object(map) = value else {
        return Err(Refusal::new(400, "the body must be a JSON object"));
    };
    let mut out = Vec::new();
    for (k, v) in map {
        match v {
            serde_json::Value::String(s) => out.push((k, s)),
            serde_json::Value::Number(n) => out.push((k, n.to_string())),
            serde_json::Value::Array(items) => {
                for item in items {
                    match item {
                        serde_json::Value::String(s) => out.push((k.clone(), s)),
                        serde_json::Value::Number(n) => out.push((k.clone(), n.to_string())),
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    Ok(out)
}

fn form_fields(body: &[u8]) -> Vec<(String, String)> {
    body.split(|&b| b == b'&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (k, v) = match pair.iter().position(|&b| b == b'=') {
                Some(i) => (&pair[..i], &pair[i + 1..]),
                None => (pair, &[][..]),
            };
            let key = form_decode(k, true);
            let plus_is_space = !PHONE_FIELDS.contains(&key.as_str());
            (key, form_decode(v, plus_is_space))
        })
        .collect()
}

fn form_decode(raw: &[u8], plus_is_space: bool) -> String {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            b'+' if plus_is_space => out.push(b' '),
            b'%' if i + 2 < raw.len() => match (hex(raw[i + 1]), hex(raw[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_and_form_bodies_say_the_same_thing() {
        let json = parse_payload(
            Some("application/json; charset=utf-8"),
            br#"{"event":"newCall","from":"+34600123456","to":"1986","direction":"in","callId":"c-1","user":["Ana","Luis"]}"#,
        )
        .expect("json");
        let form = parse_payload(
            Some("application/x-www-form-urlencoded"),
            b"event=newCall&from=+34600123456&to=1986&direction=in&callId=c-1&user[]=Ana&user%5B%5D=Luis",
        )
        .expect("form");
        assert_eq!(json, form, "a PBX may use either encoding");
        assert_eq!(json.from.as_deref(), Some("+34600123456"), "an unescaped + stays the E.164 prefix");
        assert_eq!(json.users, ["Ana", "Luis"]);
    }

    #[test]
    fn bad_payloads_are_refused_with_zammads_messages() {
        let status = |ct: &str, body: &[u8]| parse_payload(Some(ct), body).err().map(|r| (r.status, r.message));
        assert_eq!(
            status("application/json", br#"{"event":"newCall","callId":"1","direction":"sideways"}"#),
            Some((422, "Invalid direction!".into()))
        );
        assert_eq!(status("application/json", b"[1]").map(|s| s.0), Some(400));
        assert_eq!(status("application/json", br#"{"event":"hangup"}"#).map(|s| s.0), Some(422), "callId is required");
        assert_eq!(status("text/plain", b"event=hangup").map(|s| s.0), Some(415));
        let ok = parse_payload(Some("application/x-www-form-urlencoded"), b"event=hangup&call_id=9&cause=cancel")
            .expect("call_id is accepted too");
        assert_eq!((ok.call_id.as_str(), ok.cause.as_deref()), ("9", Some("cancel")));
        assert_eq!(form_decode(b"a%2", true), "a%2", "a cut escape is kept as written");
        assert_eq!(form_decode(b"%", true), "%");
    }
}
