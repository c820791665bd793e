//! AMI decoder and mapper: never panics, and the packets do not depend on how the bytes
//! were split across reads (the first byte picks the read size).
#![no_main]

use hilo_connectors::telephony::ami::{AmiCallMapper, AmiDecoder, AmiFrame};
use libfuzzer_sys::fuzz_target;

fn decode(data: &[u8], chunk: usize) -> (Vec<AmiFrame>, bool) {
    let mut decoder = AmiDecoder::new();
    let mut frames = Vec::new();
    for piece in data.chunks(chunk.max(1)) {
        decoder.feed(piece);
        loop {
            match decoder.next_frame() {
                Ok(Some(f)) => frames.push(f),
                Ok(None) => break,
                Err(_) => return (frames, true),
            }
        }
    }
    (frames, false)
}

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else { return };
    let whole = decode(rest, rest.len());
    let split = decode(rest, usize::from(first % 64) + 1);
    assert_eq!(whole, split, "packets must not depend on read boundaries");
    let mut mapper = AmiCallMapper::new();
    for frame in &whole.0 {
        if let AmiFrame::Packet(p) = frame {
            let _ = mapper.map(p, 0);
            // What we would send back re-decodes to one packet.
            let wire = p.to_wire();
            let _ = decode(&wire, wire.len());
        }
    }
});
