//! A Chatwoot server simulator speaking the agent REST API's wire format
//! (`/api/v1/accounts/{id}/…`, `api_access_token`), for sync and outbox tests.
//!
//! It serves real-shaped JSON (nulls, extra fields) from an in-memory account and can
//! inject the faults a real deployment shows: HTTP 500, stalls past the client's
//! timeout, connection resets (before or after a write was applied), 429 with
//! `Retry-After` in seconds or as an HTTP-date, and going offline. It counts what it
//! saw so tests can assert on the server side ("each key created exactly once",
//! "nobody came back before Retry-After said").
//!
//! It mirrors Chatwoot's finders: conversations sorted by last activity, 25 per page,
//! `updated_within` unpaginated (switchable off, like older versions); messages latest
//! 20, `before` 20, `after` up to 100 (switchable off).

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

/// How the simulated server behaves.
#[derive(Debug, Clone)]
pub struct SimConfig {
    pub account_id: u64,
    pub token: String,
    /// Newer servers honour `after=` on messages; older ones ignore it.
    pub after_supported: bool,
    /// Newer servers honour `updated_within=` (and then do not paginate).
    pub updated_within_supported: bool,
    /// Conversations per list page.
    pub page_size: usize,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            account_id: 7,
            token: "sim-token-0123".into(),
            after_supported: true,
            updated_within_supported: true,
            page_size: 25,
        }
    }
}

/// Faults injected into a share of requests.
#[derive(Debug, Clone)]
pub struct FaultPlan {
    /// Share of requests that fail (0.0–1.0).
    pub rate: f64,
    /// Relative weights of each fault kind.
    pub server_error: u32,
    pub stall: u32,
    pub reset: u32,
    pub too_many: u32,
    /// How long a stalled request hangs before the simulator answers (too late).
    pub stall_for: Duration,
    pub seed: u64,
}

impl FaultPlan {
    /// `rate` of requests fail, evenly spread over 500s, stalls, resets and 429s.
    pub fn mixed(rate: f64, seed: u64) -> FaultPlan {
        FaultPlan {
            rate,
            server_error: 1,
            stall: 1,
            reset: 1,
            too_many: 1,
            stall_for: Duration::from_millis(600),
            seed,
        }
    }
}

/// Counters of what the simulator did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SimStats {
    pub requests: u64,
    pub server_errors: u64,
    pub stalls: u64,
    pub resets: u64,
    pub too_many: u64,
    pub offline_refusals: u64,
    /// Faults injected after a write had been applied (the client cannot know it landed).
    pub applied_then_lost: u64,
    /// Requests that came in before an earlier 429's `Retry-After` had passed.
    pub retry_after_violations: u64,
    pub messages_created: u64,
}

#[derive(Debug, Clone)]
struct Inbox {
    id: i64,
    name: String,
    channel_type: String,
    medium: Option<String>,
}

#[derive(Debug, Clone)]
pub struct SimContact {
    pub id: i64,
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone_number: Option<String>,
    pub identifier: Option<String>,
    pub additional_attributes: Value,
}

#[derive(Debug, Clone)]
struct Conversation {
    id: i64,
    inbox_id: i64,
    contact_id: i64,
    status: String,
    priority: Option<String>,
    assignee: Option<i64>,
    created_at: i64,
    last_activity_at: i64,
    updated_at: f64,
    additional_attributes: Value,
    /// Enterprise SLA: the `applied_sla` object and the breach events (`sla_events`).
    applied_sla: Option<Value>,
    sla_events: Vec<Value>,
}

/// A message as the simulator stores it.
#[derive(Debug, Clone)]
pub struct SimMessage {
    pub id: i64,
    pub conversation: i64,
    pub message_type: i64,
    pub private: bool,
    pub content: Option<String>,
    pub content_attributes: Value,
    pub sender_type: Option<String>,
    pub source_id: Option<String>,
    pub created_at: i64,
}

/// An SLA policy as `ChatwootSim::apply_sla` applies it.
#[derive(Debug, Clone, Copy)]
pub struct SimSla<'a> {
    pub sla_id: i64,
    pub name: &'a str,
    /// `active`, `hit`, `missed` or `active_with_misses`.
    pub status: &'a str,
    pub first_response_secs: Option<i64>,
    pub next_response_secs: Option<i64>,
    pub resolution_secs: Option<i64>,
}

/// A canned reply for every request whose path ends with `path_suffix`.
#[derive(Debug, Clone)]
struct Override {
    path_suffix: String,
    status: u16,
    body: String,
}

struct State {
    config: SimConfig,
    inboxes: Vec<Inbox>,
    contacts: Vec<SimContact>,
    conversations: Vec<Conversation>,
    messages: BTreeMap<i64, SimMessage>,
    next_id: i64,
    offline: bool,
    faults: Option<FaultPlan>,
    rng: u64,
    stats: SimStats,
    not_before: Option<Instant>,
    overrides: Vec<Override>,
    /// Every request line seen, for tests that check what the client asked for.
    log: Vec<String>,
}

/// A running simulator; stops when dropped.
pub struct ChatwootSim {
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

fn now_secs_f64() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs_f64()).unwrap_or(0.0)
}

fn now_secs() -> i64 {
    now_secs_f64() as i64
}

fn lock(m: &Mutex<State>) -> MutexGuard<'_, State> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl ChatwootSim {
    pub fn start(config: SimConfig) -> ChatwootSim {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the simulator on loopback");
        let addr = listener.local_addr().expect("simulator address");
        let state = Arc::new(Mutex::new(State {
            config,
            inboxes: Vec::new(),
            contacts: Vec::new(),
            conversations: Vec::new(),
            messages: BTreeMap::new(),
            next_id: 1,
            offline: false,
            faults: None,
            rng: 0x9e37_79b9_7f4a_7c15,
            stats: SimStats::default(),
            not_before: None,
            overrides: Vec::new(),
            log: Vec::new(),
        }));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let state = state.clone();
            let stop = stop.clone();
            std::thread::spawn(move || {
                for conn in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = conn else { continue };
                    let state = state.clone();
                    std::thread::spawn(move || serve(stream, &state));
                }
            })
        };
        ChatwootSim { addr, state, stop, thread: Some(thread) }
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn token(&self) -> String {
        lock(&self.state).config.token.clone()
    }

    pub fn account_id(&self) -> u64 {
        lock(&self.state).config.account_id
    }

    pub fn set_offline(&self, offline: bool) {
        lock(&self.state).offline = offline;
    }

    pub fn set_faults(&self, faults: Option<FaultPlan>) {
        let mut s = lock(&self.state);
        if let Some(f) = &faults {
            s.rng = f.seed | 1;
        }
        s.faults = faults;
    }

    /// Serves `body` with `status` for every request whose path ends with `path_suffix`.
    pub fn override_response(&self, path_suffix: &str, status: u16, body: &str) {
        lock(&self.state).overrides.push(Override {
            path_suffix: path_suffix.to_owned(),
            status,
            body: body.to_owned(),
        });
    }

    pub fn clear_overrides(&self) {
        lock(&self.state).overrides.clear();
    }

    pub fn stats(&self) -> SimStats {
        lock(&self.state).stats.clone()
    }

    pub fn request_log(&self) -> Vec<String> {
        lock(&self.state).log.clone()
    }

    pub fn add_inbox(&self, channel_type: &str, medium: Option<&str>) -> i64 {
        let mut s = lock(&self.state);
        let id = s.inboxes.len() as i64 + 1;
        s.inboxes.push(Inbox {
            id,
            name: format!("Inbox {id}"),
            channel_type: channel_type.to_owned(),
            medium: medium.map(str::to_owned),
        });
        id
    }

    pub fn add_contact(
        &self,
        name: Option<&str>,
        email: Option<&str>,
        phone: Option<&str>,
        identifier: Option<&str>,
        additional_attributes: Value,
    ) -> i64 {
        let mut s = lock(&self.state);
        let id = s.contacts.len() as i64 + 100;
        s.contacts.push(SimContact {
            id,
            name: name.map(str::to_owned),
            email: email.map(str::to_owned),
            phone_number: phone.map(str::to_owned),
            identifier: identifier.map(str::to_owned),
            additional_attributes,
        });
        id
    }

    /// A new open conversation; returns its display id.
    pub fn add_conversation(&self, inbox_id: i64, contact_id: i64, additional_attributes: Value) -> i64 {
        let mut s = lock(&self.state);
        let id = s.conversations.len() as i64 + 1;
        let now = now_secs();
        s.conversations.push(Conversation {
            id,
            inbox_id,
            contact_id,
            status: "open".into(),
            priority: None,
            assignee: None,
            created_at: now,
            last_activity_at: now,
            updated_at: now_secs_f64(),
            additional_attributes,
            applied_sla: None,
            sla_events: Vec::new(),
        });
        id
    }

    /// Applies an SLA policy to a conversation as Chatwoot Enterprise does (the shape of
    /// `_applied_sla.json.jbuilder`); thresholds in seconds, `None` = not tracked.
    pub fn apply_sla(&self, conversation: i64, sla: SimSla<'_>) {
        let mut s = lock(&self.state);
        let now = now_secs_f64();
        if let Some(c) = s.conversations.iter_mut().find(|c| c.id == conversation) {
            c.applied_sla = Some(json!({
                "id": 1000 + conversation,
                "sla_id": sla.sla_id,
                "sla_status": sla.status,
                "created_at": c.created_at,
                "updated_at": now,
                "sla_description": "",
                "sla_name": sla.name,
                "sla_first_response_time_threshold": sla.first_response_secs.map(|v| v as f64),
                "sla_next_response_time_threshold": sla.next_response_secs.map(|v| v as f64),
                "sla_only_during_business_hours": false,
                "sla_resolution_time_threshold": sla.resolution_secs.map(|v| v as f64),
            }));
            c.updated_at = now;
        }
    }

    /// Records a breach as Chatwoot's SLA job does: an `sla_events` entry (`frt`, `nrt`,
    /// `rt`) and the applied SLA's status moving to `active_with_misses`.
    pub fn record_sla_miss(&self, conversation: i64, event_type: &str) {
        let mut s = lock(&self.state);
        let now = now_secs_f64();
        if let Some(c) = s.conversations.iter_mut().find(|c| c.id == conversation) {
            let id = 500 + c.sla_events.len() as i64;
            c.sla_events.push(json!({
                "id": id, "event_type": event_type, "meta": {}, "created_at": now as i64, "updated_at": now as i64
            }));
            if let Some(applied) = c.applied_sla.as_mut() {
                applied["sla_status"] = json!("active_with_misses");
            }
            c.updated_at = now;
        }
    }

    /// Removes the SLA from a conversation (the policy was taken off on the server).
    pub fn remove_sla(&self, conversation: i64) {
        let mut s = lock(&self.state);
        let now = now_secs_f64();
        if let Some(c) = s.conversations.iter_mut().find(|c| c.id == conversation) {
            c.applied_sla = None;
            c.sla_events.clear();
            c.updated_at = now;
        }
    }

    /// Adds a message as if a customer (type 0) or an agent (1) wrote it; returns its id.
    pub fn add_message(
        &self,
        conversation: i64,
        message_type: i64,
        private: bool,
        content: Option<&str>,
        content_attributes: Value,
    ) -> i64 {
        let mut s = lock(&self.state);
        let sender = if message_type == 0 { "Contact" } else { "User" };
        s.insert_message(
            conversation,
            message_type,
            private,
            content.map(str::to_owned),
            content_attributes,
            Some(sender),
            None,
        )
    }

    pub fn set_status(&self, conversation: i64, status: &str) {
        let mut s = lock(&self.state);
        let now = now_secs_f64();
        if let Some(c) = s.conversations.iter_mut().find(|c| c.id == conversation) {
            c.status = status.to_owned();
            c.updated_at = now;
        }
    }

    pub fn conversation_status(&self, conversation: i64) -> Option<String> {
        lock(&self.state).conversations.iter().find(|c| c.id == conversation).map(|c| c.status.clone())
    }

    /// The agent id a conversation is assigned to.
    pub fn conversation_assignee(&self, conversation: i64) -> Option<i64> {
        lock(&self.state).conversations.iter().find(|c| c.id == conversation).and_then(|c| c.assignee)
    }

    pub fn conversation_ids(&self) -> Vec<i64> {
        lock(&self.state).conversations.iter().map(|c| c.id).collect()
    }

    pub fn messages(&self) -> Vec<SimMessage> {
        lock(&self.state).messages.values().cloned().collect()
    }

    /// How many messages carry Hilo idempotency key `key`.
    pub fn messages_with_key(&self, key: &str) -> usize {
        lock(&self.state)
            .messages
            .values()
            .filter(|m| m.content_attributes.get("hilo_idempotency_key").and_then(Value::as_str) == Some(key))
            .count()
    }
}

impl Drop for ChatwootSim {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_millis(200));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl State {
    #[allow(clippy::too_many_arguments)]
    fn insert_message(
        &mut self,
        conversation: i64,
        message_type: i64,
        private: bool,
        content: Option<String>,
        content_attributes: Value,
        sender_type: Option<&str>,
        source_id: Option<String>,
    ) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        let now = now_secs();
        self.messages.insert(
            id,
            SimMessage {
                id,
                conversation,
                message_type,
                private,
                content,
                content_attributes,
                sender_type: sender_type.map(str::to_owned),
                source_id,
                created_at: now,
            },
        );
        let now_f = now_secs_f64();
        if let Some(c) = self.conversations.iter_mut().find(|c| c.id == conversation) {
            c.last_activity_at = now;
            c.updated_at = now_f;
        }
        id
    }

    fn random(&mut self) -> u64 {
        // xorshift64*: deterministic per seed, good enough to spread faults.
        let mut x = self.rng;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.rng = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn contact_json(&self, id: i64) -> Value {
        let Some(c) = self.contacts.iter().find(|c| c.id == id) else { return Value::Null };
        json!({
            "additional_attributes": c.additional_attributes,
            "availability_status": "offline",
            "email": c.email,
            "id": c.id,
            "name": c.name,
            "phone_number": c.phone_number,
            "blocked": false,
            "identifier": c.identifier,
            "thumbnail": "",
            "custom_attributes": {},
            "last_activity_at": null,
            "created_at": 1_700_000_000,
            "type": "contact"
        })
    }

    fn agent_json(id: i64) -> Value {
        json!({
            "id": id, "account_id": 1, "availability_status": "online", "auto_offline": true,
            "confirmed": true, "email": format!("agent{id}@example.com"), "available_name": format!("Agent {id}"),
            "name": format!("Agent {id}"), "role": "agent", "thumbnail": "", "custom_role_id": null
        })
    }

    fn message_json(&self, m: &SimMessage) -> Value {
        let conv = self.conversations.iter().find(|c| c.id == m.conversation);
        let sender = match m.sender_type.as_deref() {
            Some("Contact") => conv.map(|c| self.contact_json(c.contact_id)).unwrap_or(Value::Null),
            Some("AgentBot") => json!({"id": 1, "name": "Bot", "avatar_url": "", "type": "agent_bot"}),
            Some(_) => {
                let mut a = Self::agent_json(1);
                a["type"] = json!("user");
                a
            }
            None => Value::Null,
        };
        json!({
            "id": m.id,
            "content": m.content,
            "inbox_id": conv.map(|c| c.inbox_id),
            "conversation_id": m.conversation,
            "message_type": m.message_type,
            "content_type": "text",
            "status": "sent",
            "content_attributes": m.content_attributes,
            "created_at": m.created_at,
            "private": m.private,
            "source_id": m.source_id,
            "sender_type": m.sender_type,
            "sender_id": 1,
            "sender": sender,
            "external_source_ids": {},
            "additional_attributes": {},
            "processed_message_content": m.content,
            "sentiment": {}
        })
    }

    fn conversation_json(&self, c: &Conversation) -> Value {
        let last = self.messages.values().rev().find(|m| m.conversation == c.id);
        let last_non_activity = self.messages.values().rev().find(|m| m.conversation == c.id && m.message_type != 2);
        let inbox = self.inboxes.iter().find(|i| i.id == c.inbox_id);
        json!({
            "meta": {
                "sender": self.contact_json(c.contact_id),
                "channel": inbox.map(|i| i.channel_type.clone()),
                "assignee": c.assignee.map(Self::agent_json),
                "team": null,
                "hmac_verified": false
            },
            "id": c.id,
            "uuid": format!("00000000-0000-4000-8000-{:012}", c.id),
            "account_id": self.config.account_id,
            "inbox_id": c.inbox_id,
            "messages": last.map(|m| vec![self.message_json(m)]).unwrap_or_default(),
            "labels": [],
            "status": c.status,
            "priority": c.priority,
            "snoozed_until": null,
            "muted": false,
            "can_reply": true,
            "additional_attributes": c.additional_attributes,
            "custom_attributes": {},
            "agent_last_seen_at": 0,
            "assignee_last_seen_at": 0,
            "contact_last_seen_at": 0,
            "unread_count": 0,
            "last_non_activity_message": last_non_activity.map(|m| self.message_json(m)),
            "created_at": c.created_at,
            "timestamp": c.last_activity_at,
            "last_activity_at": c.last_activity_at,
            "first_reply_created_at": null,
            "waiting_since": c.created_at,
            "sla_policy_id": c.applied_sla.as_ref().and_then(|a| a.get("sla_id").cloned()),
            "applied_sla": c.applied_sla,
            "sla_events": c.sla_events,
            "updated_at": c.updated_at
        })
    }
}

struct Request {
    method: String,
    path: String,
    query: HashMap<String, String>,
    token: Option<String>,
    body: Vec<u8>,
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                match std::str::from_utf8(&bytes[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or(())
                {
                    Ok(b) => {
                        out.push(b);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn read_request(stream: &TcpStream) -> Option<Request> {
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_owned();
    let target = parts.next()?.to_owned();
    let mut length = 0usize;
    let mut token = None;
    loop {
        let mut h = String::new();
        reader.read_line(&mut h).ok()?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            let k = k.trim().to_ascii_lowercase();
            if k == "content-length" {
                length = v.trim().parse().ok()?;
            } else if k == "api_access_token" {
                token = Some(v.trim().to_owned());
            }
        }
    }
    let mut body = vec![0u8; length];
    reader.read_exact(&mut body).ok()?;
    let (path, qs) = target.split_once('?').unwrap_or((&target, ""));
    let query = qs
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect();
    Some(Request { method, path: path.to_owned(), query, token, body })
}

const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];

/// IMF-fixdate for Unix seconds (the `Date` and `Retry-After` header format).
pub fn http_date(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{}, {:02} {} {} {:02}:{:02}:{:02} GMT",
        DAYS[days.rem_euclid(7) as usize],
        d,
        MONTHS[(m - 1) as usize],
        y,
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

fn respond(stream: &mut TcpStream, status: u16, body: &str, extra: &[(&str, String)]) {
    let reason = match status {
        200 => "OK",
        401 => "Unauthorized",
        404 => "Not Found",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        _ => "Status",
    };
    let mut head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\nDate: {}\r\nConnection: close\r\n",
        body.len(),
        http_date(now_secs())
    );
    for (k, v) in extra {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    // One write: a separate body segment would wait on the client's delayed ACK.
    head.push_str(body);
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.flush();
}

fn reset(stream: TcpStream) {
    // SO_LINGER 0 makes close() send RST: the client sees "connection reset".
    let _ = socket2::SockRef::from(&stream).set_linger(Some(Duration::ZERO));
    drop(stream);
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    ServerError,
    Stall { after_apply: bool },
    Reset { after_apply: bool },
    TooMany,
}

fn serve(mut stream: TcpStream, state: &Mutex<State>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let _ = stream.set_nodelay(true);
    let Some(req) = read_request(&stream) else { return };
    let fault = {
        let mut s = lock(state);
        s.stats.requests += 1;
        s.log.push(format!("{} {}{}", req.method, req.path, query_string(&req.query)));
        if let Some(nb) = s.not_before
            && Instant::now() < nb
        {
            s.stats.retry_after_violations += 1;
        }
        if s.offline {
            s.stats.offline_refusals += 1;
            drop(s);
            reset(stream);
            return;
        }
        pick_fault(&mut s)
    };
    match fault {
        Some(Fault::ServerError) => {
            lock(state).stats.server_errors += 1;
            respond(&mut stream, 500, r#"{"error":"Internal Server Error"}"#, &[]);
        }
        Some(Fault::TooMany) => {
            let header = {
                let mut s = lock(state);
                s.stats.too_many += 1;
                let n = s.stats.too_many;
                // Mostly "0"; every 32nd asks for a second, as seconds or as an HTTP-date.
                let (header, wait) = match n % 32 {
                    0 => ("1".to_owned(), Duration::from_secs(1)),
                    16 => (http_date(now_secs() + 2), Duration::from_secs(1)),
                    _ => ("0".to_owned(), Duration::ZERO),
                };
                if !wait.is_zero() {
                    s.not_before = Some(Instant::now() + wait);
                }
                header
            };
            respond(&mut stream, 429, r#"{"error":"Too many requests"}"#, &[("Retry-After", header)]);
        }
        Some(Fault::Stall { after_apply }) => {
            let stall_for = {
                let mut s = lock(state);
                s.stats.stalls += 1;
                s.faults.as_ref().map(|f| f.stall_for).unwrap_or(Duration::from_secs(1))
            };
            let reply = if after_apply { Some(handle(&req, state)) } else { None };
            if after_apply && req.method == "POST" {
                lock(state).stats.applied_then_lost += 1;
            }
            std::thread::sleep(stall_for);
            if let Some((status, body)) = reply {
                respond(&mut stream, status, &body, &[]);
            }
        }
        Some(Fault::Reset { after_apply }) => {
            lock(state).stats.resets += 1;
            if after_apply {
                let _ = handle(&req, state);
                if req.method == "POST" {
                    lock(state).stats.applied_then_lost += 1;
                }
            }
            reset(stream);
        }
        None => {
            let (status, body) = handle(&req, state);
            respond(&mut stream, status, &body, &[]);
        }
    }
}

fn query_string(q: &HashMap<String, String>) -> String {
    if q.is_empty() {
        return String::new();
    }
    let mut parts: Vec<String> = q.iter().map(|(k, v)| format!("{k}={v}")).collect();
    parts.sort();
    format!("?{}", parts.join("&"))
}

fn pick_fault(s: &mut State) -> Option<Fault> {
    let plan = s.faults.clone()?;
    let roll = (s.random() % 1_000_000) as f64 / 1_000_000.0;
    if roll >= plan.rate {
        return None;
    }
    let total = plan.server_error + plan.stall + plan.reset + plan.too_many;
    if total == 0 {
        return None;
    }
    let mut pick = (s.random() % u64::from(total)) as u32;
    let after_apply = s.random().is_multiple_of(2);
    for (weight, fault) in [
        (plan.server_error, Fault::ServerError),
        (plan.stall, Fault::Stall { after_apply }),
        (plan.reset, Fault::Reset { after_apply }),
        (plan.too_many, Fault::TooMany),
    ] {
        if pick < weight {
            return Some(fault);
        }
        pick -= weight;
    }
    None
}

fn not_found() -> (u16, String) {
    (404, r#"{"error":"Resource could not be found"}"#.to_owned())
}

fn handle(req: &Request, state: &Mutex<State>) -> (u16, String) {
    let mut s = lock(state);
    if req.token.as_deref() != Some(s.config.token.as_str()) {
        return (401, r#"{"errors":["You need to sign in or sign up before continuing."]}"#.to_owned());
    }
    if let Some(o) = s.overrides.iter().find(|o| req.path.ends_with(&o.path_suffix)) {
        return (o.status, o.body.clone());
    }
    let prefix = format!("/api/v1/accounts/{}", s.config.account_id);
    let Some(rest) = req.path.strip_prefix(&prefix) else { return not_found() };
    let segments: Vec<&str> = rest.split('/').filter(|p| !p.is_empty()).collect();
    match (req.method.as_str(), segments.as_slice()) {
        ("GET", ["inboxes"]) => {
            let payload: Vec<Value> = s
                .inboxes
                .iter()
                .map(|i| {
                    json!({
                        "id": i.id, "avatar_url": "", "channel_id": i.id, "name": i.name,
                        "channel_type": i.channel_type, "greeting_enabled": false, "greeting_message": null,
                        "working_hours_enabled": false, "enable_email_collect": true, "csat_survey_enabled": false,
                        "enable_auto_assignment": true, "medium": i.medium, "provider": null, "phone_number": null
                    })
                })
                .collect();
            (200, json!({ "payload": payload }).to_string())
        }
        ("GET", ["agents"]) => {
            let agents: Vec<Value> = (1..=3).map(State::agent_json).collect();
            (200, Value::Array(agents).to_string())
        }
        ("GET", ["conversations"]) => {
            let status = req.query.get("status").map(String::as_str).unwrap_or("open");
            let mut list: Vec<&Conversation> =
                s.conversations.iter().filter(|c| status == "all" || c.status == status).collect();
            list.sort_by(|a, b| b.last_activity_at.cmp(&a.last_activity_at).then(b.id.cmp(&a.id)));
            let all_count = list.len();
            let page: Vec<&Conversation> = match req.query.get("updated_within") {
                Some(w) if s.config.updated_within_supported => {
                    let cutoff = now_secs_f64() - w.parse::<f64>().unwrap_or(0.0);
                    list.into_iter().filter(|c| c.updated_at > cutoff).collect()
                }
                _ => {
                    let n: usize = req.query.get("page").and_then(|p| p.parse().ok()).unwrap_or(1).max(1);
                    list.into_iter().skip((n - 1) * s.config.page_size).take(s.config.page_size).collect()
                }
            };
            let payload: Vec<Value> = page.iter().map(|c| s.conversation_json(c)).collect();
            let body = json!({
                "data": {
                    "meta": {"mine_count": 0, "assigned_count": 0, "unassigned_count": all_count, "all_count": all_count},
                    "payload": payload
                }
            });
            (200, body.to_string())
        }
        ("GET", ["conversations", id, "messages"]) => {
            let Ok(id) = id.parse::<i64>() else { return not_found() };
            let Some(conv) = s.conversations.iter().find(|c| c.id == id) else { return not_found() };
            let all: Vec<&SimMessage> = s.messages.values().filter(|m| m.conversation == id).collect();
            let after = req.query.get("after").and_then(|a| a.parse::<i64>().ok()).filter(|_| s.config.after_supported);
            let before = req.query.get("before").and_then(|b| b.parse::<i64>().ok());
            let chosen: Vec<&SimMessage> = match (after, before) {
                (Some(a), Some(b)) => all.into_iter().filter(|m| m.id >= a && m.id < b).take(1000).collect(),
                (Some(a), None) => all.into_iter().filter(|m| m.id > a).take(100).collect(),
                (None, Some(b)) => {
                    let older: Vec<&SimMessage> = all.into_iter().filter(|m| m.id < b).collect();
                    older[older.len().saturating_sub(20)..].to_vec()
                }
                (None, None) => all[all.len().saturating_sub(20)..].to_vec(),
            };
            let payload: Vec<Value> = chosen.iter().map(|m| s.message_json(m)).collect();
            let body = json!({
                "meta": {
                    "labels": [], "additional_attributes": {}, "contact": s.contact_json(conv.contact_id),
                    "assignee": conv.assignee.map(State::agent_json), "agent_last_seen_at": null, "assignee_last_seen_at": null
                },
                "payload": payload
            });
            (200, body.to_string())
        }
        ("POST", ["conversations", id, "messages"]) => {
            let Ok(id) = id.parse::<i64>() else { return not_found() };
            if !s.conversations.iter().any(|c| c.id == id) {
                return not_found();
            }
            let Ok(body) = serde_json::from_slice::<Value>(&req.body) else {
                return (422, r#"{"error":"invalid JSON"}"#.to_owned());
            };
            let content = body.get("content").and_then(Value::as_str).map(str::to_owned);
            if content.as_deref().is_none_or(|c| c.trim().is_empty()) {
                return (422, r#"{"error":"Content can't be blank"}"#.to_owned());
            }
            let private = body.get("private").and_then(Value::as_bool).unwrap_or(false);
            let attrs = body.get("content_attributes").cloned().unwrap_or_else(|| json!({}));
            let source_id = body.get("source_id").and_then(Value::as_str).map(str::to_owned);
            let mid = s.insert_message(id, 1, private, content, attrs, Some("User"), source_id);
            s.stats.messages_created += 1;
            let mut out = s.messages.get(&mid).map(|m| s.message_json(m)).unwrap_or(Value::Null);
            // Chatwoot returns (but never stores) the client's echo_id.
            out["echo_id"] = body.get("echo_id").cloned().unwrap_or(Value::Null);
            (200, out.to_string())
        }
        ("POST", ["conversations", id, "toggle_status"]) => {
            let Ok(id) = id.parse::<i64>() else { return not_found() };
            let body = serde_json::from_slice::<Value>(&req.body).unwrap_or(Value::Null);
            let status = body.get("status").and_then(Value::as_str).unwrap_or("open").to_owned();
            if !["open", "pending", "snoozed", "resolved"].contains(&status.as_str()) {
                return (422, r#"{"error":"invalid status"}"#.to_owned());
            }
            let now = now_secs_f64();
            let Some(c) = s.conversations.iter_mut().find(|c| c.id == id) else { return not_found() };
            c.status = status.clone();
            c.updated_at = now;
            let body =
                json!({"meta": {}, "payload": {"success": true, "current_status": status, "conversation_id": id}});
            (200, body.to_string())
        }
        ("POST", ["conversations", id, "assignments"]) => {
            let Ok(id) = id.parse::<i64>() else { return not_found() };
            let body = serde_json::from_slice::<Value>(&req.body).unwrap_or(Value::Null);
            let assignee = body.get("assignee_id").and_then(Value::as_i64);
            let now = now_secs_f64();
            let Some(c) = s.conversations.iter_mut().find(|c| c.id == id) else { return not_found() };
            c.assignee = assignee;
            c.updated_at = now;
            (200, assignee.map(State::agent_json).unwrap_or(Value::Null).to_string())
        }
        _ => not_found(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_date_matches_the_rfc_example() {
        assert_eq!(http_date(784_111_777), "Sun, 06 Nov 1994 08:49:37 GMT");
        assert_eq!(http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
    }
}
