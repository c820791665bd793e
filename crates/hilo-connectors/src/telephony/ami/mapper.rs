//! AMI events → call events (PROTOCOLS.md §1.4–1.7): legs grouped by `Linkedid`, the
//! agent leg from `DialBegin`'s `Dest*` block, the outcome from `DialEnd`'s `DialStatus`.

use std::collections::HashMap;

use hilo_model::time::Millis;

use super::codec::AmiPacket;
use crate::telephony::channel::clean;
use crate::telephony::event::{CallEvent, CallEventKind, DialStatus, Leg};

/// Legs remembered for events without a `Linkedid` (Asterisk ≤ 1.8); a bound so that
/// hang-ups missed across reconnects cannot grow it without end.
const MAX_REMEMBERED_LEGS: usize = 10_000;

/// Stateful only to group legs when `Linkedid` is missing: a destination leg joins the
/// call of the leg that dialled it.
#[derive(Debug, Default)]
pub struct AmiCallMapper {
    leg_calls: HashMap<String, String>,
}

impl AmiCallMapper {
    pub fn new() -> AmiCallMapper {
        AmiCallMapper::default()
    }

    /// The call event an AMI event stands for, if any. Unknown events, dialplan noise
    /// and events without a channel id give `None`.
    pub fn map(&mut self, p: &AmiPacket, received_at: Millis) -> Option<CallEvent> {
        let name = p.event()?;
        let at = pbx_timestamp(p).unwrap_or(received_at);
        let kind = match name.to_ascii_lowercase().as_str() {
            "newchannel" => {
                let leg = leg(p, "")?;
                let call_ref = self.call_ref(p, "", &leg.id);
                self.remember(&leg.id, &call_ref);
                return Some(CallEvent { call_ref, at, kind: CallEventKind::LegCreated { leg } });
            }
            "newstate" => {
                let leg_id = clean(p.get("Uniqueid"))?;
                let state = p.get("ChannelState").map(str::trim);
                let desc = p.get("ChannelStateDesc").map(str::trim).unwrap_or_default();
                match state {
                    Some("5") => CallEventKind::LegRinging { leg_id },
                    Some("6") => CallEventKind::LegAnswered { leg_id },
                    None if desc.eq_ignore_ascii_case("ringing") => CallEventKind::LegRinging { leg_id },
                    None if desc.eq_ignore_ascii_case("up") => CallEventKind::LegAnswered { leg_id },
                    _ => return None,
                }
            }
            "dialbegin" => {
                let dest = leg(p, "Dest")?;
                let call_ref = self.call_ref(p, "Dest", &dest.id);
                self.remember(&dest.id, &call_ref);
                let dial_string = clean(p.get("DialString"));
                return Some(CallEvent { call_ref, at, kind: CallEventKind::DialBegin { dest, dial_string } });
            }
            "dialstate" => {
                let leg_id = clean(p.get("DestUniqueid"))?;
                if !p.get("DialStatus").is_some_and(|s| s.trim().eq_ignore_ascii_case("RINGING")) {
                    return None;
                }
                let call_ref = self.call_ref(p, "Dest", &leg_id);
                return Some(CallEvent { call_ref, at, kind: CallEventKind::LegRinging { leg_id } });
            }
            "dialend" => {
                let dest_leg_id = clean(p.get("DestUniqueid"))?;
                let status = DialStatus::from_ami(p.get("DialStatus").unwrap_or_default())?;
                let call_ref = self.call_ref(p, "Dest", &dest_leg_id);
                return Some(CallEvent { call_ref, at, kind: CallEventKind::DialEnd { dest_leg_id, status } });
            }
            "bridgeenter" => CallEventKind::Bridged { leg_id: clean(p.get("Uniqueid"))? },
            "bridgeleave" => CallEventKind::Unbridged { leg_id: clean(p.get("Uniqueid"))? },
            "hangup" => {
                let leg_id = clean(p.get("Uniqueid"))?;
                let call_ref = self.call_ref(p, "", &leg_id);
                self.leg_calls.remove(&leg_id);
                let cause = clean(p.get("Cause"));
                return Some(CallEvent { call_ref, at, kind: CallEventKind::LegHangup { leg_id, cause } });
            }
            _ => return None,
        };
        let leg_id = match &kind {
            CallEventKind::LegRinging { leg_id }
            | CallEventKind::LegAnswered { leg_id }
            | CallEventKind::Bridged { leg_id }
            | CallEventKind::Unbridged { leg_id } => leg_id.clone(),
            _ => return None,
        };
        let call_ref = self.call_ref(p, "", &leg_id);
        Some(CallEvent { call_ref, at, kind })
    }

    /// `Linkedid` when present, else the call this leg (or the leg that dialled it) was
    /// seen in, else the leg's own id.
    fn call_ref(&self, p: &AmiPacket, prefix: &str, leg_id: &str) -> String {
        clean(p.get("Linkedid"))
            .or_else(|| clean(p.get(&format!("{prefix}Linkedid"))))
            .or_else(|| self.leg_calls.get(leg_id).cloned())
            .or_else(|| clean(p.get("Uniqueid")).and_then(|u| self.leg_calls.get(&u).cloned()))
            .unwrap_or_else(|| leg_id.to_owned())
    }

    fn remember(&mut self, leg_id: &str, call_ref: &str) {
        if self.leg_calls.len() >= MAX_REMEMBERED_LEGS {
            self.leg_calls.clear();
        }
        self.leg_calls.insert(leg_id.to_owned(), call_ref.to_owned());
    }
}

fn leg(p: &AmiPacket, prefix: &str) -> Option<Leg> {
    let field = |name: &str| p.get(&format!("{prefix}{name}"));
    Some(Leg {
        id: clean(field("Uniqueid"))?,
        channel: field("Channel").map(str::trim).unwrap_or_default().to_owned(),
        caller_number: clean(field("CallerIDNum")),
        caller_name: clean(field("CallerIDName")),
        // `s` is the dialplan's start extension, not a number anyone dialled.
        dialed: clean(field("Exten")).filter(|e| e != "s"),
    })
}

/// `Timestamp: 1770888534.123456` (with `timestampevents=yes`) in milliseconds.
fn pbx_timestamp(p: &AmiPacket) -> Option<Millis> {
    let raw = p.get("Timestamp")?.trim();
    let (secs, frac) = raw.split_once('.').unwrap_or((raw, ""));
    let secs: i64 = secs.parse().ok()?;
    let millis: i64 = format!("{frac:0<3}").get(..3)?.parse().ok()?;
    secs.checked_mul(1000)?.checked_add(millis)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn packet(lines: &[(&str, &str)]) -> AmiPacket {
        lines.iter().fold(AmiPacket::new(), |p, (k, v)| p.with(k, v))
    }

    #[test]
    fn legs_without_linkedid_join_the_call_that_dialled_them() {
        let mut m = AmiCallMapper::new();
        let created = m
            .map(&packet(&[("Event", "Newchannel"), ("Channel", "SIP/trunk-00000001"), ("Uniqueid", "100.1")]), 5)
            .expect("a leg");
        assert_eq!(created.call_ref, "100.1", "Asterisk 1.8 has no Linkedid: the first leg names the call");
        let dial = m
            .map(
                &packet(&[
                    ("Event", "DialBegin"),
                    ("Uniqueid", "100.1"),
                    ("DestChannel", "SIP/1986-00000002"),
                    ("DestUniqueid", "100.2"),
                ]),
                6,
            )
            .expect("a dial");
        assert_eq!(dial.call_ref, "100.1");
        let hangup = m.map(&packet(&[("Event", "Hangup"), ("Uniqueid", "100.2"), ("Cause", "16")]), 7).expect("hangup");
        assert_eq!(hangup.call_ref, "100.1", "the agent leg's hang-up belongs to the same call");
    }

    #[test]
    fn unknown_events_and_progress_statuses_map_to_nothing() {
        let mut m = AmiCallMapper::new();
        assert_eq!(m.map(&packet(&[("Event", "VarSet"), ("Uniqueid", "1.1")]), 1), None);
        assert_eq!(m.map(&packet(&[("Event", "DialEnd"), ("DestUniqueid", "1.2"), ("DialStatus", "")]), 1), None);
        assert_eq!(m.map(&packet(&[("Response", "Success")]), 1), None);
        assert_eq!(m.map(&packet(&[("Event", "Newchannel")]), 1), None, "no Uniqueid, no leg");
    }

    #[test]
    fn pbx_timestamps_win_over_receipt() {
        let p = packet(&[("Event", "Hangup"), ("Uniqueid", "1.1"), ("Timestamp", "1770888534.123456")]);
        assert_eq!(AmiCallMapper::new().map(&p, 5).map(|e| e.at), Some(1_770_888_534_123));
        let p = packet(&[("Event", "Hangup"), ("Uniqueid", "1.1"), ("Timestamp", "garbage")]);
        assert_eq!(AmiCallMapper::new().map(&p, 5).map(|e| e.at), Some(5));
    }
}
