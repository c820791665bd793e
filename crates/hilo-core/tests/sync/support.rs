//! Shared fixtures: a cache in a temp dir, a Chatwoot account pointed at the simulator,
//! fast test timings, and the counts the fault tests assert on.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use hilo_connectors::helpdesk::chatwoot::{ChatwootConfig, ChatwootSource};
use hilo_connectors::helpdesk::http::HttpTimeouts;
use hilo_core::sync::{BackoffPolicy, SyncAccount, SyncConfig};
use hilo_model::AccountKind;
use hilo_store::{CacheKey, Store, accounts};
use hilo_tests::chatwoot_sim::{ChatwootSim, SimMessage};
use phonenumber::country;
use serde_json::json;

pub const ACCOUNT: &str = "Soporte Chatwoot";

pub struct Cache {
    pub _dir: tempfile::TempDir,
    pub path: PathBuf,
}

impl Cache {
    pub fn new() -> Cache {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("hilo.db");
        Cache { _dir: dir, path }
    }

    /// Opens the cache like a fresh start of the app would.
    pub fn open(&self) -> Store {
        open(&self.path)
    }
}

pub fn open(path: &Path) -> Store {
    Store::open(path, CacheKey::from_bytes([7; 32])).expect("open the cache")
}

pub fn account_id(store: &Store, name: &str) -> i64 {
    store
        .write(|tx| accounts::upsert(tx, name, AccountKind::Chatwoot, r#"{"url":"sim","accountId":7}"#, 0))
        .expect("account row")
}

/// Short timeouts: a stalled request fails fast instead of slowing the suite down.
pub fn timeouts() -> HttpTimeouts {
    HttpTimeouts { connect: Duration::from_millis(500), request: Duration::from_millis(100) }
}

pub fn source(sim: &ChatwootSim, name: &str) -> ChatwootSource {
    let mut cfg = ChatwootConfig::new(name, &sim.base_url(), sim.account_id(), sim.token(), country::Id::ES);
    cfg.timeouts = timeouts();
    // The simulator's clock is this machine's; two seconds covers its one-second Date header.
    cfg.overlap = Duration::from_secs(2);
    ChatwootSource::new(cfg).expect("chatwoot source")
}

pub fn sync_account(store: &Store, sim: &ChatwootSim, name: &str) -> SyncAccount {
    SyncAccount { id: account_id(store, name), name: name.to_owned(), source: Arc::new(source(sim, name)) }
}

/// Tiny backoffs so fault tests spend their time on faults, not on waiting.
pub fn fast_config() -> SyncConfig {
    SyncConfig {
        interval: Duration::from_secs(3600),
        backoff: BackoffPolicy { base: Duration::from_millis(2), max: Duration::from_millis(40) },
        outbox_lease: Duration::from_secs(2),
    }
}

/// A small deterministic RNG (xorshift64*), so a failing run can be replayed by seed.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }
}

/// A mixed account: every channel kind, contacts with emails, phones and handles.
pub fn seed_account(sim: &ChatwootSim, conversations: usize, rng: &mut Rng) -> Vec<i64> {
    let inboxes = [
        sim.add_inbox("Channel::WebWidget", None),
        sim.add_inbox("Channel::FacebookPage", None),
        sim.add_inbox("Channel::TwilioSms", Some("whatsapp")),
        sim.add_inbox("Channel::Email", None),
        sim.add_inbox("Channel::Telegram", None),
        sim.add_inbox("Channel::Api", None),
    ];
    let mut ids = Vec::new();
    for i in 0..conversations {
        let contact = sim.add_contact(
            Some(&format!("Cliente {i}")),
            Some(&format!("cliente{i}@example.com")),
            Some(&format!("+34 6{:08}", 10_000_000 + i)),
            None,
            json!({"social_profiles": {"facebook": format!("cliente.{i}")}, "city": null}),
        );
        let conv = sim.add_conversation(inboxes[i % inboxes.len()], contact, json!({}));
        // A few long conversations exercise paging past 100 (and past 20) messages.
        let n = if i % 13 == 0 { 130 } else { rng.below(30) as usize };
        for k in 0..n {
            let ty = if k % 9 == 8 { 2 } else { (k % 2) as i64 };
            sim.add_message(conv, ty, k % 11 == 10, Some(&format!("mensaje {k} de {conv}")), json!({}));
        }
        ids.push(conv);
    }
    ids
}

/// (conversation remote id, message remote id) of every message the cache holds for an account.
pub fn stored_messages(store: &Store, account_id: i64) -> Vec<(String, String, String)> {
    store
        .read(|c| {
            let mut stmt = c.prepare(
                "SELECT c.remote_id, coalesce(m.remote_id, ''), m.origin FROM messages m
                 JOIN conversations c ON c.id = m.conversation_id WHERE c.account_id = ?1",
            )?;
            let rows = stmt.query_map([account_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .expect("read messages")
}

/// The cached messages and the account's cursor as ONE snapshot. A killed sync's last
/// blocking write may still commit while the test looks; two separate reads could pair
/// the messages before that commit with the cursor after it.
pub fn messages_and_cursor(store: &Store, account_id: i64) -> (Vec<(String, String, String)>, Option<String>) {
    store
        .read(|c| {
            c.execute_batch("BEGIN")?;
            let snapshot = (|| {
                let mut stmt = c.prepare(
                    "SELECT c.remote_id, coalesce(m.remote_id, ''), m.origin FROM messages m
                     JOIN conversations c ON c.id = m.conversation_id WHERE c.account_id = ?1",
                )?;
                let rows = stmt
                    .query_map([account_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                let cursor = hilo_core::sync::apply::read_cursor(c, account_id)?;
                Ok::<_, hilo_store::StoreError>((rows, cursor))
            })();
            c.execute_batch("COMMIT")?;
            snapshot
        })
        .expect("read messages and cursor")
}

/// What convergence found: messages the server has and the cache lacks, and messages
/// the cache shows more than once (or that the server does not have at all).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub server: usize,
    pub cached: usize,
    pub lost: usize,
    pub duplicated: usize,
}

pub fn tally(store: &Store, account_id: i64, server: &[SimMessage]) -> Tally {
    let cached = stored_messages(store, account_id);
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (_, remote, _) in &cached {
        *seen.entry(remote.clone()).or_default() += 1;
    }
    let server_ids: HashSet<String> = server.iter().map(|m| m.id.to_string()).collect();
    let lost = server_ids.iter().filter(|id| !seen.contains_key(*id)).count();
    // Every row beyond the first for one remote message, and every row the server does
    // not know (an unreconciled local copy shown beside its echo) is a duplicate.
    let duplicated = seen.iter().map(|(id, n)| if server_ids.contains(id) { n - 1 } else { *n }).sum();
    Tally { server: server.len(), cached: cached.len(), lost, duplicated }
}
