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

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

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

/// What a simulator counts, plus `L`, the protocol's own log.
#[derive(Debug, Default)]
pub(crate) struct State<L> {
    pub logins: usize,
    pub failed_logins: usize,
    pub conns: Vec<Arc<Conn>>,
    pub log: L,
}

/// What a simulator's connection threads share; `P` is the protocol's configuration.
#[derive(Debug)]
pub(crate) struct Shared<P, L> {
    pub(crate) proto: P,
    pub(crate) originate: Mutex<OriginateScript>,
    pub(crate) state: Mutex<State<L>>,
    changed: Condvar,
    stop: AtomicBool,
    pub(crate) seq: AtomicUsize,
    rng: Mutex<Rng>,
}

/// Serves one connection after it is registered, until it ends.
pub(crate) type Serve<P, L> = fn(&Arc<Shared<P, L>>, &Arc<Conn>, BufReader<TcpStream>);

impl<P, L> Shared<P, L> {
    /// Updates the protocol's log (a no-op if a connection thread panicked holding it).
    pub(crate) fn log(&self, update: impl FnOnce(&mut L)) {
        if let Ok(mut s) = self.state.lock() {
            update(&mut s.log);
        }
    }

    /// Counts a successful login (and whatever `update` logs with it) and wakes
    /// `wait_logins`.
    pub(crate) fn count_login(&self, update: impl FnOnce(&mut L)) {
        if let Ok(mut s) = self.state.lock() {
            s.logins += 1;
            update(&mut s.log);
        }
        self.changed.notify_all();
    }

    /// Counts a refused login. Call it before writing the refusal: the client reports the
    /// refusal (and a test looks) as soon as the answer arrives.
    pub(crate) fn count_refused_login(&self) {
        if let Ok(mut s) = self.state.lock() {
            s.failed_logins += 1;
        }
    }

    /// The connections that are alive and logged in (subscribed, for ESL).
    fn logged_in(&self) -> Vec<Arc<Conn>> {
        self.state
            .lock()
            .map(|s| {
                s.conns
                    .iter()
                    .filter(|c| c.alive.load(Ordering::SeqCst) && c.logged_in.load(Ordering::SeqCst))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Sends one packet to every logged-in client, split at random.
    pub(crate) fn broadcast(&self, packet: &[u8]) {
        for conn in self.logged_in() {
            let mut rng = self.rng.lock().map(|r| r.clone()).unwrap_or_else(|_| Rng::new(1));
            conn.write_packet(packet, Some(&mut rng));
            if let Ok(mut r) = self.rng.lock() {
                *r = rng;
            }
        }
    }
}

impl<P: Send + Sync + 'static, L: Send + 'static> Shared<P, L> {
    /// Plays `flow` to every client from another thread: the events come from the PBX,
    /// not in answer to the connection that asked for the call.
    pub(crate) fn broadcast_later(self: &Arc<Self>, flow: Flow) {
        let shared = self.clone();
        std::thread::spawn(move || {
            for p in &flow.packets {
                shared.broadcast(p);
            }
        });
    }
}

/// A simulated phone system on a loopback port; stops accepting when dropped.
#[derive(Debug)]
pub struct Sim<P, L> {
    port: u16,
    pub(crate) shared: Arc<Shared<P, L>>,
}

impl<P: Send + Sync + 'static, L: Default + Send + 'static> Sim<P, L> {
    /// Listens on a free loopback port and serves each connection on its own thread.
    pub(crate) fn listen(what: &str, proto: P, seq: usize, seed: u64, serve: Serve<P, L>) -> Sim<P, L> {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("bind the {what} simulator: {e:?}"));
        let port = listener.local_addr().expect("address").port();
        let shared = Arc::new(Shared {
            proto,
            originate: Mutex::new(OriginateScript::Answer),
            state: Mutex::new(State::default()),
            changed: Condvar::new(),
            stop: AtomicBool::new(false),
            seq: AtomicUsize::new(seq),
            rng: Mutex::new(Rng::new(seed)),
        });
        let accept = shared.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if accept.stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let shared = accept.clone();
                std::thread::spawn(move || connection(stream, &shared, serve));
            }
        });
        Sim { port, shared }
    }
}

/// Registers the connection, lets the protocol serve it, and marks it gone.
fn connection<P, L>(stream: TcpStream, shared: &Arc<Shared<P, L>>, serve: Serve<P, L>) {
    let Ok(conn) = Conn::new(&stream) else { return };
    let conn = Arc::new(conn);
    if let Ok(mut s) = shared.state.lock() {
        s.conns.retain(|c| c.alive.load(Ordering::SeqCst));
        s.conns.push(conn.clone());
    }
    serve(shared, &conn, BufReader::new(stream));
    conn.alive.store(false, Ordering::SeqCst);
    shared.changed.notify_all();
}

impl<P, L> Sim<P, L> {
    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn set_originate(&self, script: OriginateScript) {
        if let Ok(mut s) = self.shared.originate.lock() {
            *s = script;
        }
    }

    /// Seeds the chunking of writes (split packets) for replay.
    pub fn seed(&self, seed: u64) {
        if let Ok(mut r) = self.shared.rng.lock() {
            *r = Rng::new(seed);
        }
    }

    /// Reads the counts or the log; the default if a connection thread panicked.
    pub(crate) fn read<T: Default>(&self, f: impl FnOnce(&State<L>) -> T) -> T {
        self.shared.state.lock().map(|s| f(&s)).unwrap_or_default()
    }

    pub fn logins(&self) -> usize {
        self.read(|s| s.logins)
    }

    pub fn failed_logins(&self) -> usize {
        self.read(|s| s.failed_logins)
    }

    /// Waits until `n` logins in total have succeeded and a logged-in client is connected.
    pub fn wait_logins(&self, n: usize, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let Ok(mut state) = self.shared.state.lock() else { return false };
        loop {
            let connected =
                state.conns.iter().any(|c| c.alive.load(Ordering::SeqCst) && c.logged_in.load(Ordering::SeqCst));
            if state.logins >= n && connected {
                return true;
            }
            let now = Instant::now();
            if now >= deadline {
                return false;
            }
            match self.shared.changed.wait_timeout(state, deadline - now) {
                Ok((s, _)) => state = s,
                Err(_) => return false,
            }
        }
    }

    /// Sends a flow to every logged-in client, packets split at random.
    /// Plays a call to every logged-in client. A client that has just logged in may not
    /// be marked so yet (its login answer can arrive before this thread marks it): waits
    /// up to 10 s for one, so a test that plays right after seeing the link come up never
    /// plays to nobody.
    pub fn play(&self, flow: &Flow) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.shared.logged_in().is_empty() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        for packet in &flow.packets {
            self.shared.broadcast(packet);
        }
    }

    /// Sends the first `cut` bytes of a flow, then drops every client's link.
    pub fn play_cut(&self, flow: &Flow, cut: usize) {
        let bytes = flow.bytes();
        let cut = cut.min(bytes.len());
        for conn in self.shared.logged_in() {
            conn.write_and_drop(&bytes[..cut]);
        }
    }

    /// Drops every client's link without warning.
    pub fn drop_links(&self) {
        for conn in self.shared.logged_in() {
            conn.write_and_drop(&[]);
        }
    }
}

impl<P, L> Drop for Sim<P, L> {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        self.drop_links();
        // Wake the accept loop so it sees `stop`.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

/// One request from a client: its lines up to the blank line that ends it, without
/// line endings (blank lines before it are skipped); `None` once the client is gone.
pub(crate) fn read_request(reader: &mut BufReader<TcpStream>) -> Option<Vec<String>> {
    let mut lines = Vec::new();
    loop {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => return None,
            Ok(_) => {}
        }
        let line = line.trim_end_matches(['\r', '\n']).to_owned();
        if line.is_empty() {
            if lines.is_empty() {
                continue;
            }
            return Some(lines);
        }
        lines.push(line);
    }
}

/// Seconds since the epoch, for event timestamps.
pub(crate) fn epoch_secs() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}
