//! The vocabulary every phone-system connector speaks after decoding its wire format:
//! leg-level events (AMI, ESL) and call-level events (webhook CTI), keyed by call ref.

use hilo_model::Direction;
use hilo_model::time::Millis;
use serde::Serialize;

use super::channel;

/// One thing that happened to a call, as a connector saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CallEvent {
    /// Groups the legs of one call: Linkedid (AMI), Channel-Call-UUID (ESL), callId (CTI).
    pub call_ref: String,
    /// The PBX's own timestamp when it sends one, else the moment it was received.
    pub at: Millis,
    pub kind: CallEventKind,
}

/// One channel of a call: the caller's, an agent phone's, a trunk's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Leg {
    /// Uniqueid (AMI) or Unique-ID (ESL).
    pub id: String,
    /// `PJSIP/1986-0000001c`, `sofia/internal/1000@10.0.0.1`.
    pub channel: String,
    pub caller_number: Option<String>,
    pub caller_name: Option<String>,
    /// The number this leg dialled (AMI `Exten`, ESL `Caller-Destination-Number`).
    pub dialed: Option<String>,
}

impl Leg {
    /// The endpoint without the per-call suffix: `PJSIP/1986-0000001c` → `PJSIP/1986`.
    pub fn endpoint(&self) -> String {
        channel::endpoint_of(&self.channel)
    }

    /// The extension of the endpoint: `PJSIP/1986-0000001c` → `1986`.
    pub fn extension(&self) -> Option<String> {
        channel::extension_of(&self.channel)
    }
}

/// How a dial attempt to one destination leg ended (AMI `DialEnd` `DialStatus`; for
/// ESL, derived from the destination leg's answer or hang-up cause).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum DialStatus {
    Answer,
    Busy,
    NoAnswer,
    Cancel,
    Congestion,
    ChanUnavail,
    Other(String),
}

impl DialStatus {
    /// Reads AMI's `DialStatus` (case-insensitive). `None` for progress values
    /// (`RINGING`, `PROCEEDING`, `PROGRESS`) and empty ones, which do not end a dial.
    pub fn from_ami(s: &str) -> Option<DialStatus> {
        let s = s.trim();
        Some(match s.to_ascii_uppercase().as_str() {
            "" | "RINGING" | "PROCEEDING" | "PROGRESS" => return None,
            "ANSWER" => DialStatus::Answer,
            "BUSY" => DialStatus::Busy,
            "NOANSWER" => DialStatus::NoAnswer,
            "CANCEL" => DialStatus::Cancel,
            "CONGESTION" => DialStatus::Congestion,
            "CHANUNAVAIL" => DialStatus::ChanUnavail,
            _ => DialStatus::Other(s.to_owned()),
        })
    }
}

/// How Hilo's own originate request ended for the first leg (the agent's phone).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum OriginateOutcome {
    /// The agent's phone answered; the call now dials the customer.
    Connected,
    Busy,
    Failed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase", tag = "type")]
pub enum CallEventKind {
    /// A channel appeared. The first leg seen for a call ref starts the call.
    LegCreated {
        leg: Leg,
    },
    /// A leg started dialling a destination leg (an agent's phone, or the far end).
    DialBegin {
        dest: Leg,
        dial_string: Option<String>,
    },
    /// A leg is ringing (AMI `Newstate` 5 / `DialState RINGING`, ESL `CHANNEL_PROGRESS`).
    LegRinging {
        leg_id: String,
    },
    /// A dial attempt is over: answered, busy, not answered...
    DialEnd {
        dest_leg_id: String,
        status: DialStatus,
    },
    /// A leg went off-hook (AMI `Newstate` 6, ESL `CHANNEL_ANSWER`).
    LegAnswered {
        leg_id: String,
    },
    /// A leg joined / left a bridge.
    Bridged {
        leg_id: String,
    },
    Unbridged {
        leg_id: String,
    },
    /// A leg is gone; the call ends when its last leg is gone.
    LegHangup {
        leg_id: String,
        cause: Option<String>,
    },
    /// Hilo asked the PBX to place this call (click-to-call): `agent_channel` rings first,
    /// then `to` is dialled.
    Originated {
        agent_channel: String,
        to: String,
    },
    /// What became of Hilo's originate request.
    OriginateResult {
        outcome: OriginateOutcome,
        cause: Option<String>,
    },
    /// Webhook CTI: a call is ringing (inbound) or being placed (outbound). `rejected`:
    /// the caller is on the block list and the PBX was told to turn it away.
    Offered {
        direction: Direction,
        from: Option<String>,
        to: Option<String>,
        users: Vec<String>,
        rejected: bool,
    },
    /// Webhook CTI: someone answered.
    Answered {
        agent: Option<String>,
    },
    /// Webhook CTI: the call is over, with the PBX's cause.
    Ended {
        cause: Option<String>,
    },
}

/// The state of a connector's link to its phone system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase", tag = "state")]
pub enum LinkState {
    /// Logged in and receiving events.
    Up,
    /// The link is gone (or could not be made); calls in progress can no longer be
    /// followed. The connector retries after `retry_in_ms`.
    Down { reason: String, retry_in_ms: u64 },
}

/// What a telephony source hands to whoever follows calls.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase", tag = "type")]
pub enum SourceEvent {
    Call(CallEvent),
    Link(LinkState),
}
