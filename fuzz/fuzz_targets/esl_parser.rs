//! ESL decoder, event-plain parser and mapper: never panic, and the messages do not
//! depend on how the bytes were split across reads (the first byte picks the read size).
#![no_main]

use hilo_connectors::telephony::esl::{EslDecoder, EslEvent, EslMessage, map_event};
use libfuzzer_sys::fuzz_target;

fn decode(data: &[u8], chunk: usize) -> (Vec<EslMessage>, bool) {
    let mut decoder = EslDecoder::new();
    let mut messages = Vec::new();
    for piece in data.chunks(chunk.max(1)) {
        decoder.feed(piece);
        loop {
            match decoder.next_message() {
                Ok(Some(m)) => messages.push(m),
                Ok(None) => break,
                Err(_) => return (messages, true),
            }
        }
    }
    (messages, false)
}

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else { return };
    let whole = decode(rest, rest.len());
    let split = decode(rest, usize::from(first % 64) + 1);
    assert_eq!(whole, split, "messages must not depend on read boundaries");
    for m in &whole.0 {
        if let Ok(ev) = EslEvent::parse_plain(&m.body) {
            let _ = map_event(&ev, 0);
        }
    }
    // Event bodies straight from the input too: they are parsed on their own.
    if let Ok(ev) = EslEvent::parse_plain(rest) {
        let _ = map_event(&ev, 0);
    }
});
