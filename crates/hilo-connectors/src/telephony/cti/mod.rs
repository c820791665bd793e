//! Webhook-style CTI (Zammad's generic CTI): a small HTTP/1.1 reader, the payload, and
//! the loopback listener that turns posts into call events.

pub mod http;
pub mod listener;
pub mod webhook;

pub use http::{MAX_BODY, MAX_HEAD, Refusal, parse_head};
pub use listener::{CtiSettings, CtiSource, NumberFilter, PATH_PREFIX};
pub use webhook::{CtiEventName, CtiPayload, parse_payload};
