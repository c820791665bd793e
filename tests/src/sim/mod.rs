//! Phone-system simulators that speak the published wire formats (PROTOCOLS.md §1, §3,
//! §4): an Asterisk AMI server (CRLF packets), a FreeSWITCH event socket (LF headers +
//! Content-Length bodies) and a CTI poster for Hilo's Zammad-compatible webhook.
//!
//! They run on plain threads, so `cargo test` code and black-box tests of the `hilo`
//! binary use them alike. Scripted calls are [`Flow`]s: packets in wire order, plus
//! what a client that saw only the first N of them must have recorded — the basis of
//! the link-drop tests, which count what was lost or duplicated.

pub mod ami;
pub mod cti;
pub mod esl;

use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

pub use ami::{AmiSim, LoginScript, OriginateScript};
pub use cti::{CtiPost, post};
pub use esl::EslSim;

/// A small deterministic PRNG (xorshift64*), so a failing drop test can be replayed
/// from its seed.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Uniform in `0..n` (0 when n is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { (self.next_u64() % n as u64) as usize }
    }
}

/// What a client must have recorded for a call after seeing the first bytes of its flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CutExpectation {
    /// The call's first leg never arrived whole: nothing may be recorded.
    NotRecorded,
    /// The call started but the link dropped before its last leg hung up: it must be
    /// closed as `link-lost`, answered exactly when the answer arrived.
    LinkLost { answered: bool },
    /// Everything arrived: the call's own outcome.
    Complete,
}

/// One scripted call on the wire.
#[derive(Debug, Clone)]
pub struct Flow {
    pub name: &'static str,
    pub call_ref: String,
    /// Packets / messages in wire order, each complete with its terminator.
    pub packets: Vec<Vec<u8>>,
    /// Index of the packet that starts the call (first leg).
    pub start: usize,
    /// Index of the packet that answers it, if it is answered.
    pub answer: Option<usize>,
    /// Index of the packet that ends it (last leg's hang-up).
    pub end: usize,
    /// `answered`, `missed`, `busy` or `failed` once complete.
    pub outcome: &'static str,
    /// The customer's number as the flow sends it.
    pub number: String,
}

impl Flow {
    pub fn bytes(&self) -> Vec<u8> {
        self.packets.concat()
    }

    pub fn len(&self) -> usize {
        self.packets.iter().map(Vec::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.packets.is_empty()
    }

    /// Packets entirely inside the first `cut` bytes.
    pub fn complete_packets(&self, cut: usize) -> usize {
        let mut total = 0;
        for (i, p) in self.packets.iter().enumerate() {
            total += p.len();
            if total > cut {
                return i;
            }
        }
        self.packets.len()
    }

    pub fn expectation_at(&self, cut: usize) -> CutExpectation {
        let seen = self.complete_packets(cut);
        if seen <= self.start {
            CutExpectation::NotRecorded
        } else if seen > self.end {
            CutExpectation::Complete
        } else {
            CutExpectation::LinkLost { answered: self.answer.is_some_and(|a| a < seen) }
        }
    }
}

/// A server-side connection: writes are serialized per packet so a keep-alive
/// response can fall between two events but never inside one.
#[derive(Debug)]
pub(crate) struct Conn {
    writer: Mutex<TcpStream>,
    pub alive: AtomicBool,
    pub logged_in: AtomicBool,
}

impl Conn {
    pub fn new(stream: &TcpStream) -> std::io::Result<Conn> {
        stream.set_nodelay(true)?;
        Ok(Conn {
            writer: Mutex::new(stream.try_clone()?),
            alive: AtomicBool::new(true),
            logged_in: AtomicBool::new(false),
        })
    }

    /// Writes one packet, in pieces when `rng` is given so the client sees split reads.
    pub fn write_packet(&self, bytes: &[u8], rng: Option<&mut Rng>) -> bool {
        if !self.alive.load(Ordering::SeqCst) {
            return false;
        }
        let Ok(mut w) = self.writer.lock() else { return false };
        let split = rng
            .filter(|_| bytes.len() > 2)
            .and_then(|rng| (rng.next_u64() % 3 == 0).then(|| 1 + rng.below(bytes.len() - 1)));
        let ok = match split {
            Some(cut) => {
                let first = w.write_all(&bytes[..cut]).and_then(|()| w.flush());
                // A pause makes the split visible to the reader as two reads.
                std::thread::sleep(Duration::from_micros(300));
                first.and_then(|()| w.write_all(&bytes[cut..]))
            }
            _ => w.write_all(bytes),
        }
        .is_ok();
        if !ok {
            self.alive.store(false, Ordering::SeqCst);
        }
        ok
    }

    /// Writes `bytes` (possibly a packet cut short) and closes the link the way a
    /// crashing PBX or a dropped network does: the client sees everything written so
    /// far, then end of stream.
    pub fn write_and_drop(&self, bytes: &[u8]) {
        let Ok(mut w) = self.writer.lock() else { return };
        let _ = w.write_all(bytes);
        let _ = w.flush();
        let _ = w.shutdown(Shutdown::Write);
        self.alive.store(false, Ordering::SeqCst);
        // Drain what the client still sends so the close is a FIN, not a reset that
        // could discard the bytes above before the client reads them.
        let _ = w.set_read_timeout(Some(Duration::from_secs(2)));
        let mut sink = [0u8; 1024];
        while matches!(w.read(&mut sink), Ok(n) if n > 0) {}
        let _ = w.shutdown(Shutdown::Both);
    }
}

/// Seconds since the epoch, for event timestamps.
pub(crate) fn epoch_secs() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}
