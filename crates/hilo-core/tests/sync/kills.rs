//! The sync killed at random points while the server keeps changing: nothing lost,
//! nothing duplicated, the cursor never ahead of what the cache committed.
//!
//! A "kill" drops the running sync loop at a random instant (the task is aborted at
//! whatever await it is in: mid-request, mid-page, right after a commit) and the cache
//! is reopened from disk as a restarted app would. `HILO_SYNC_KILLS` sets how many
//! (default 200).

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use hilo_connectors::helpdesk::chatwoot::cursor_watermark;
use hilo_core::sync::{self, spawn_sync};
use hilo_store::Store;
use hilo_tests::chatwoot_sim::{ChatwootSim, SimConfig, SimMessage};
use serde_json::json;

use crate::support::*;

#[derive(Debug, Default)]
struct Violations {
    /// A synced message id with a lower server id of the same conversation missing.
    gaps: usize,
    /// A message older than the cursor's watermark missing from the cache.
    behind_watermark: usize,
}

/// The invariants a restart relies on, checked against the server's current state.
fn check(store: &Store, account_id: i64, server: &[SimMessage]) -> Violations {
    let mut v = Violations::default();
    let (cached, cursor) = messages_and_cursor(store, account_id);
    let have: HashSet<(String, String)> = cached.iter().map(|(c, m, _)| (c.clone(), m.clone())).collect();
    let mut max_synced: HashMap<String, i64> = HashMap::new();
    for (conv, remote, origin) in &cached {
        if origin == "sync"
            && let Ok(id) = remote.parse::<i64>()
        {
            let e = max_synced.entry(conv.clone()).or_insert(id);
            *e = (*e).max(id);
        }
    }
    for m in server {
        let conv = m.conversation.to_string();
        let present = have.contains(&(conv.clone(), m.id.to_string()));
        if !present && max_synced.get(&conv).is_some_and(|max| m.id <= *max) {
            v.gaps += 1;
        }
    }
    if let Some(since) = cursor.as_deref().and_then(cursor_watermark) {
        // The cursor's contract: every conversation whose last activity is before the
        // watermark was covered by a finished pass, so all of its messages are committed.
        // (A conversation active after it may still lack older messages: a paged pass can
        // miss one that jumped to an already-read page, and the next pass fetches it.)
        let mut last_activity: HashMap<i64, i64> = HashMap::new();
        for m in server {
            let e = last_activity.entry(m.conversation).or_insert(m.created_at);
            *e = (*e).max(m.created_at);
        }
        v.behind_watermark = server
            .iter()
            .filter(|m| last_activity.get(&m.conversation).is_some_and(|at| *at < since))
            .filter(|m| !have.contains(&(m.conversation.to_string(), m.id.to_string())))
            .count();
    }
    v
}

fn kills() -> usize {
    std::env::var("HILO_SYNC_KILLS").ok().and_then(|v| v.parse().ok()).unwrap_or(200)
}

async fn run_kills(sim: &ChatwootSim, cache: &Cache, kills: usize, seed: u64, label: &str) {
    let mut rng = Rng(seed);
    let convs = seed_account(sim, 40, &mut rng);
    let account_id = account_id(&cache.open(), ACCOUNT);
    let started = Instant::now();
    let (mut gaps, mut behind, mut mid_cycle) = (0usize, 0usize, 0usize);
    for k in 0..kills {
        // The server keeps moving between (and during) the runs.
        for _ in 0..rng.below(5) {
            let conv = convs[rng.below(convs.len() as u64) as usize];
            sim.add_message(conv, (rng.below(3)) as i64, rng.below(8) == 0, Some(&format!("nuevo {k}")), json!({}));
        }
        if k % 9 == 0 {
            let conv = convs[rng.below(convs.len() as u64) as usize];
            sim.set_status(conv, ["open", "pending", "resolved", "snoozed"][rng.below(4) as usize]);
        }
        let store = cache.open();
        let handle = spawn_sync(store.clone(), sync_account(&store, sim, ACCOUNT), fast_config());
        // A messages page of 100 takes a few ms here: kill anywhere in the first ~25 ms.
        tokio::time::sleep(Duration::from_micros(rng.below(25_000))).await;
        let state = handle.status().state;
        drop(handle);
        if state == sync::SyncState::Syncing {
            mid_cycle += 1;
        }
        drop(store);
        let check_store = cache.open();
        let v = check(&check_store, account_id, &sim.messages());
        gaps += v.gaps;
        behind += v.behind_watermark;
    }
    // Let it finish: one uninterrupted sync must converge on the server's state.
    let store = cache.open();
    let report = sync::sync_once(&store, sync_account(&store, sim, ACCOUNT), fast_config()).await.expect("final sync");
    let server = sim.messages();
    let t = tally(&store, account_id, &server);
    println!(
        "[{label}] kills={kills} (mid-cycle {mid_cycle}) in {:.1}s; server messages={} cached={} lost={} duplicated={} \
         cursor-ahead violations: gaps={gaps} behind-watermark={behind}; final pass pages={}",
        started.elapsed().as_secs_f64(),
        t.server,
        t.cached,
        t.lost,
        t.duplicated,
        report.pages
    );
    assert_eq!(gaps, 0, "the cache must never hold a message above a gap (cursor ahead of committed data)");
    assert_eq!(behind, 0, "every conversation last active before the cursor's watermark must be complete in the cache");
    assert_eq!(t.lost, 0, "no message may be lost across {kills} kills");
    assert_eq!(t.duplicated, 0, "no message may be stored twice across {kills} kills");
    assert_eq!(t.cached, t.server, "the cache mirrors the server exactly");
    assert!(mid_cycle > kills / 10, "kills must land inside sync cycles, not only between them ({mid_cycle})");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_killed_at_random_points_loses_and_duplicates_nothing() {
    let sim = ChatwootSim::start(SimConfig::default());
    let cache = Cache::new();
    run_kills(&sim, &cache, kills(), 0x5eed_0001, "current server").await;
}

/// An older Chatwoot: no `after` on messages, no `updated_within` (paged scan with the
/// activity stop condition), and small pages so the list really is paged.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_against_an_older_server_survives_kills_too() {
    let sim = ChatwootSim::start(SimConfig {
        after_supported: false,
        updated_within_supported: false,
        page_size: 7,
        ..SimConfig::default()
    });
    let cache = Cache::new();
    run_kills(&sim, &cache, (kills() / 4).max(20), 0x5eed_0002, "older server").await;
}
