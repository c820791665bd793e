//! FreeSWITCH channel events → call events (PROTOCOLS.md §3.2): legs grouped by
//! `Channel-Call-UUID`; a leg other than the a-leg is a dial to a destination, whose
//! answer or hang-up cause stands in for AMI's `DialEnd` status.

use hilo_model::time::Millis;

use super::codec::EslEvent;
use crate::telephony::channel::clean;
use crate::telephony::event::{CallEvent, CallEventKind, DialStatus, Leg};

/// The events `event plain …` subscribes to.
pub const SUBSCRIBED_EVENTS: &str = "CHANNEL_CREATE CHANNEL_PROGRESS CHANNEL_PROGRESS_MEDIA CHANNEL_ANSWER \
     CHANNEL_BRIDGE CHANNEL_UNBRIDGE CHANNEL_HANGUP_COMPLETE BACKGROUND_JOB";

/// The call events one ESL event stands for (none for events that do not move a call).
pub fn map_event(ev: &EslEvent, received_at: Millis) -> Vec<CallEvent> {
    let Some(name) = ev.name() else { return Vec::new() };
    let h = &ev.headers;
    let Some(leg_id) = clean(h.get("Unique-ID")) else { return Vec::new() };
    let call_ref = clean(h.get("Channel-Call-UUID")).unwrap_or_else(|| leg_id.clone());
    let is_a_leg = call_ref == leg_id;
    let at = h
        .get("Event-Date-Timestamp")
        .and_then(|t| t.trim().parse::<i64>().ok())
        .filter(|&micros| micros > 0)
        .map_or(received_at, |micros| micros / 1000);
    let event = |kind| CallEvent { call_ref: call_ref.clone(), at, kind };
    match name.to_ascii_uppercase().as_str() {
        "CHANNEL_CREATE" => {
            let leg = Leg {
                id: leg_id.clone(),
                channel: h.get("Channel-Name").map(str::trim).unwrap_or_default().to_owned(),
                caller_number: clean(h.get("Caller-Caller-ID-Number")),
                caller_name: clean(h.get("Caller-Caller-ID-Name")),
                dialed: clean(h.get("Caller-Destination-Number")),
            };
            if is_a_leg {
                vec![event(CallEventKind::LegCreated { leg })]
            } else {
                vec![event(CallEventKind::DialBegin { dest: leg, dial_string: None })]
            }
        }
        "CHANNEL_PROGRESS" | "CHANNEL_PROGRESS_MEDIA" => vec![event(CallEventKind::LegRinging { leg_id })],
        "CHANNEL_ANSWER" if is_a_leg => vec![event(CallEventKind::LegAnswered { leg_id })],
        "CHANNEL_ANSWER" => vec![event(CallEventKind::DialEnd { dest_leg_id: leg_id, status: DialStatus::Answer })],
        "CHANNEL_BRIDGE" => vec![event(CallEventKind::Bridged { leg_id })],
        "CHANNEL_UNBRIDGE" => vec![event(CallEventKind::Unbridged { leg_id })],
        "CHANNEL_HANGUP_COMPLETE" => {
            let cause = clean(h.get("Hangup-Cause"));
            let mut out = Vec::with_capacity(2);
            if !is_a_leg {
                let answered =
                    h.get("Caller-Channel-Answered-Time").and_then(|t| t.trim().parse::<i64>().ok()).unwrap_or(0) > 0;
                let status = if answered { DialStatus::Answer } else { dial_status_from_cause(cause.as_deref()) };
                out.push(event(CallEventKind::DialEnd { dest_leg_id: leg_id.clone(), status }));
            }
            out.push(event(CallEventKind::LegHangup { leg_id, cause }));
            out
        }
        _ => Vec::new(),
    }
}

/// A destination leg's hang-up cause read as a dial status (FreeSWITCH has no DialEnd).
pub fn dial_status_from_cause(cause: Option<&str>) -> DialStatus {
    let Some(cause) = cause else { return DialStatus::NoAnswer };
    match cause.trim().to_ascii_uppercase().as_str() {
        "USER_BUSY" | "CALL_REJECTED" => DialStatus::Busy,
        "NO_ANSWER" | "NO_USER_RESPONSE" | "ALLOTTED_TIMEOUT" | "RECOVERY_ON_TIMER_EXPIRE" => DialStatus::NoAnswer,
        "ORIGINATOR_CANCEL" | "LOSE_RACE" | "NORMAL_CLEARING" => DialStatus::Cancel,
        "NORMAL_CIRCUIT_CONGESTION" | "SWITCH_CONGESTION" => DialStatus::Congestion,
        "USER_NOT_REGISTERED"
        | "SUBSCRIBER_ABSENT"
        | "UNALLOCATED_NUMBER"
        | "NO_ROUTE_DESTINATION"
        | "DESTINATION_OUT_OF_ORDER" => DialStatus::ChanUnavail,
        other => DialStatus::Other(other.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(lines: &str) -> EslEvent {
        EslEvent::parse_plain(lines.as_bytes()).expect("event")
    }

    #[test]
    fn b_legs_are_dials_and_their_causes_are_dial_statuses() {
        let create = event(
            "Event-Name: CHANNEL_CREATE\nUnique-ID: b\nChannel-Call-UUID: a\n\
             Channel-Name: sofia/internal/1000%4010.0.0.1\nEvent-Date-Timestamp: 1436280794000000\n\n",
        );
        let out = map_event(&create, 1);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].call_ref, "a", "grouped by Channel-Call-UUID");
        assert_eq!(out[0].at, 1_436_280_794_000, "microseconds become milliseconds");
        assert!(
            matches!(&out[0].kind, CallEventKind::DialBegin { dest, .. } if dest.extension().as_deref() == Some("1000")),
            "{out:?}"
        );
        let busy = event(
            "Event-Name: CHANNEL_HANGUP_COMPLETE\nUnique-ID: b\nChannel-Call-UUID: a\n\
             Hangup-Cause: USER_BUSY\nCaller-Channel-Answered-Time: 0\n\n",
        );
        let out = map_event(&busy, 1);
        assert!(matches!(&out[0].kind, CallEventKind::DialEnd { status: DialStatus::Busy, .. }), "{out:?}");
        assert!(matches!(&out[1].kind, CallEventKind::LegHangup { cause: Some(c), .. } if c == "USER_BUSY"));
    }

    #[test]
    fn events_without_a_channel_move_nothing() {
        assert!(map_event(&event("Event-Name: HEARTBEAT\n\n"), 1).is_empty());
        assert!(map_event(&event("Unique-ID: x\n\n"), 1).is_empty());
    }
}
