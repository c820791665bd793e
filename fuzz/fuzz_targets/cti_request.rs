//! The CTI webhook's request head parser and payload parser (JSON and form): never panic.
#![no_main]

use hilo_connectors::telephony::cti::{parse_head, parse_payload};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = parse_head(data);
    let _ = parse_payload(Some("application/json"), data);
    if let Ok(p) = parse_payload(Some("application/x-www-form-urlencoded"), data) {
        let _ = p.to_call_event(0, false);
    }
});
