//! Telephony connectors: Asterisk AMI, FreeSWITCH ESL and a Zammad-compatible CTI
//! webhook, each turning its wire format into [`CallEvent`]s through the
//! [`TelephonySource`] trait. No SQLite here: hilo-core folds the events into calls.

pub mod ami;
pub mod backoff;
pub mod channel;
pub mod cti;
pub mod esl;
pub mod event;
pub mod ids;
mod link;
pub mod source;

pub use backoff::Backoff;
pub use event::{CallEvent, CallEventKind, DialStatus, Leg, LinkState, OriginateOutcome, SourceEvent};
pub use source::{OriginateAck, Secret, SessionEnded, SourceCommand, TelephonyError, TelephonySource, run_source};
