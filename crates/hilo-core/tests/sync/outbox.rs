//! The outbox against a failing and an absent backend: delivered exactly once, counted
//! on the server's side; visible while pending; failures kept with retry/edit/discard.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use hilo_core::outbox::{self, OutboxState, ReplyKind};
use hilo_core::sync::{self, SyncState, spawn_sync};
use hilo_model::{ConversationStatus, DeliveryState};
use hilo_store::Store;
use hilo_tests::chatwoot_sim::{ChatwootSim, FaultPlan, SimConfig};

use crate::support::*;

/// A Chatwoot simulator with `conversations` seeded conversations, synced once into a
/// fresh cache; with the local id of conversation "1".
struct Synced {
    sim: ChatwootSim,
    cache: Cache,
    store: Store,
    account: hilo_core::sync::SyncAccount,
    conv: i64,
}

async fn synced(seed: u64, conversations: usize) -> Synced {
    let sim = ChatwootSim::start(SimConfig::default());
    let mut rng = Rng(seed);
    seed_account(&sim, conversations, &mut rng);
    let cache = Cache::new();
    let store = cache.open();
    let account = sync_account(&store, &sim, ACCOUNT);
    sync::sync_once(&store, account.clone(), fast_config()).await.expect("initial sync");
    let conv = *local_conversations(&store, account.id).get("1").expect("conversation 1");
    Synced { sim, cache, store, account, conv }
}

fn local_conversations(store: &Store, account_id: i64) -> HashMap<String, i64> {
    store
        .read(|c| {
            let mut stmt = c.prepare("SELECT remote_id, id FROM conversations WHERE account_id = ?1")?;
            let rows = stmt.query_map([account_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(rows.collect::<rusqlite::Result<HashMap<_, _>>>()?)
        })
        .expect("conversations")
}

fn message_row(store: &Store, id: i64) -> (Option<String>, String, String) {
    store
        .read(|c| {
            Ok(c.query_row("SELECT remote_id, delivery, text FROM messages WHERE id = ?1", [id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?)
        })
        .expect("message row")
}

fn items_not_delivered(store: &Store) -> i64 {
    store
        .read(|c| Ok(c.query_row("SELECT count(*) FROM outbox WHERE state <> 'delivered'", [], |r| r.get(0))?))
        .expect("outbox count")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_replies_through_a_backend_failing_30_percent_are_each_delivered_once() {
    let sim = ChatwootSim::start(SimConfig::default());
    let mut rng = Rng(0xfa11_0001);
    seed_account(&sim, 25, &mut rng);
    let cache = Cache::new();
    let store = cache.open();
    let account = sync_account(&store, &sim, ACCOUNT);
    let account_id = account.id;
    sync::sync_once(&store, account.clone(), fast_config()).await.expect("initial sync");
    let convs: Vec<i64> = local_conversations(&store, account_id).into_values().collect();

    let n: usize = std::env::var("HILO_OUTBOX_ITEMS").ok().and_then(|v| v.parse().ok()).unwrap_or(1000);
    let mut queued = Vec::with_capacity(n);
    for i in 0..n {
        let conv = convs[i % convs.len()];
        let kind = if i % 10 == 9 { ReplyKind::Note } else { ReplyKind::Public };
        let item = outbox::queue_reply(&store, conv, &format!("respuesta {i}"), kind).await.expect("queue");
        queued.push(item);
    }

    let rate: f64 = std::env::var("HILO_OUTBOX_FAULT_RATE").ok().and_then(|v| v.parse().ok()).unwrap_or(0.30);
    sim.set_faults(Some(FaultPlan { stall_for: Duration::from_millis(400), ..FaultPlan::mixed(rate, 0xfa11_0002) }));
    let started = Instant::now();
    let handle = spawn_sync(store.clone(), account.clone(), fast_config());
    while items_not_delivered(&store) > 0 {
        assert!(started.elapsed() < Duration::from_secs(90), "the outbox did not drain: {:?}", sim.stats());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let drained = started.elapsed();
    handle.shutdown().await;
    sim.set_faults(None);
    // One clean pass brings every echo down; the local copies must absorb them.
    sync::sync_once(&store, account, fast_config()).await.expect("final sync");

    let stats = sim.stats();
    let mut missing = 0;
    let mut twice = 0;
    for q in &queued {
        match sim.messages_with_key(&q.idempotency_key) {
            0 => missing += 1,
            1 => {}
            _ => twice += 1,
        }
        let (remote, delivery, _) = message_row(&store, q.message_id.expect("message row id"));
        assert!(remote.is_some(), "every local copy is matched with its remote message");
        assert_eq!(delivery, DeliveryState::Delivered.as_str());
    }
    let t = tally(&store, account_id, &sim.messages());
    println!(
        "outbox: {n} items, {} delivered once, {missing} missing, {twice} delivered more than once, in {:.1}s; \
         server saw {} requests: {} HTTP 500, {} stalls, {} resets, {} 429, {} writes applied but answer lost; \
         retry-after violations {}; cache rows {} for {} server messages (lost {}, duplicated {})",
        n - missing - twice,
        drained.as_secs_f64(),
        stats.requests,
        stats.server_errors,
        stats.stalls,
        stats.resets,
        stats.too_many,
        stats.applied_then_lost,
        stats.retry_after_violations,
        t.cached,
        t.server,
        t.lost,
        t.duplicated
    );
    assert_eq!(missing, 0, "no reply may be lost");
    assert_eq!(twice, 0, "no reply may be sent twice");
    assert_eq!(stats.messages_created as usize, n, "the server created exactly one message per item");
    assert!(
        rate == 0.0 || stats.applied_then_lost > 0,
        "the run must include writes that landed but whose answer was lost"
    );
    assert_eq!(stats.retry_after_violations, 0, "no request may come back before Retry-After allows");
    assert_eq!((t.lost, t.duplicated), (0, 0), "each reply shows once in the timeline");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_written_offline_is_pending_survives_a_restart_and_is_delivered_once() {
    let Synced { sim, cache, store, account, conv } = synced(0x0ff1_0001, 3).await;

    sim.set_offline(true);
    let queued = outbox::queue_reply(&store, conv, "Hola Claudio, ya está resuelto", ReplyKind::Public)
        .await
        .expect("queue offline");
    let mid = queued.message_id.expect("timeline row");
    assert_eq!(message_row(&store, mid).1, "pending", "shows at once, as pending");
    let err = sync::sync_once(&store, account.clone(), fast_config()).await.expect_err("offline");
    assert!(err.to_string().contains(ACCOUNT), "the error names the account: {err}");
    let status = store.read(|c| sync::read_status(c, account.id)).expect("status");
    assert_eq!(status.state, SyncState::Offline, "{status:?}");
    drop(store);

    // The app restarts while still offline: the reply is still there, still pending.
    let store = cache.open();
    assert_eq!(message_row(&store, mid).1, "pending", "survives a restart");
    let open = store.read(|c| outbox::list_open(c, Some(account.id))).expect("open items");
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].state, OutboxState::Queued);

    sim.set_offline(false);
    // The backoff may still hold the item for a few ms after the failed attempt.
    tokio::time::sleep(Duration::from_millis(100)).await;
    sync::sync_once(&store, account.clone(), fast_config()).await.expect("back online");
    sync::sync_once(&store, account.clone(), fast_config()).await.expect("echo pulled again");
    assert_eq!(sim.messages_with_key(&queued.idempotency_key), 1, "delivered exactly once");
    let (remote, delivery, text) = message_row(&store, mid);
    assert_eq!(delivery, "delivered");
    let remote = remote.expect("reconciled with the remote id");
    let rows: i64 = store
        .read(|c| {
            Ok(c.query_row(
                "SELECT count(*) FROM messages WHERE conversation_id = ?1 AND text = ?2",
                rusqlite::params![conv, text],
                |r| r.get(0),
            )?)
        })
        .expect("count");
    assert_eq!(rows, 1, "the local copy and the echo are one row (remote id {remote})");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_reply_stays_failed_until_edited_retried_or_discarded() {
    let Synced { sim, cache: _cache, store, account, conv } = synced(0x0ff1_0002, 2).await;

    sim.override_response("/conversations/1/messages", 422, r#"{"error":"Message could not be sent"}"#);
    let a = outbox::queue_reply(&store, conv, "primera", ReplyKind::Public).await.expect("queue a");
    let b = outbox::queue_reply(&store, conv, "segunda", ReplyKind::Note).await.expect("queue b");
    // The refusal is permanent: the cycle itself goes on (pulls are refused too here,
    // so the cycle's own result is not the point).
    let _ = sync::sync_once(&store, account.clone(), fast_config()).await;
    let ea = store.read(|c| outbox::get(c, a.outbox_id)).expect("a");
    assert_eq!(ea.state, OutboxState::Failed, "{ea:?}");
    assert!(ea.last_error.as_deref().is_some_and(|e| e.contains("422")), "{ea:?}");
    assert_eq!(message_row(&store, a.message_id.expect("row")).1, "failed", "visible as failed");

    sim.clear_overrides();
    outbox::edit(&store, a.outbox_id, "primera, corregida").await.expect("edit");
    outbox::discard(&store, b.outbox_id).await.expect("discard b");
    sync::sync_once(&store, account.clone(), fast_config()).await.expect("sync after edit");
    assert_eq!(store.read(|c| outbox::get(c, a.outbox_id)).expect("a").state, OutboxState::Delivered);
    assert_eq!(sim.messages_with_key(&a.idempotency_key), 1);
    assert_eq!(sim.messages_with_key(&b.idempotency_key), 0, "a discarded note never goes out");
    let texts: Vec<String> = sim.messages().into_iter().filter_map(|m| m.content).collect();
    assert!(texts.iter().any(|t| t == "primera, corregida"), "the edited text is what went out");
    assert!(store.read(|c| outbox::get(c, b.outbox_id)).is_err(), "discarded items are gone");

    // A status change and an assignment go through the same queue.
    outbox::queue_status(&store, conv, ConversationStatus::Resolved, None).await.expect("status");
    outbox::queue_assign(&store, conv, Some("3".into())).await.expect("assign");
    sync::sync_once(&store, account.clone(), fast_config()).await.expect("sync status");
    assert_eq!(sim.conversation_status(1).as_deref(), Some("resolved"));
    let (status, assignee): (String, Option<String>) = store
        .read(|c| {
            Ok(c.query_row("SELECT status, assignee FROM conversations WHERE id = ?1", [conv], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?)
        })
        .expect("conversation");
    assert_eq!(status, "resolved");
    assert_eq!(assignee.as_deref(), Some("Agent 3"), "the assignment comes back through the sync");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delivered_items_are_pruned_after_a_week_once_their_echo_is_reconciled() {
    // Bound, not `_`: the simulator and the cache directory must live to the end.
    let Synced { sim: _sim, cache: _cache, store, account, conv } = synced(0x0ff1_0003, 2).await;
    let reply = outbox::queue_reply(&store, conv, "Ya está en camino", ReplyKind::Public).await.expect("reply");
    let status = outbox::queue_status(&store, conv, ConversationStatus::Resolved, None).await.expect("status change");
    let unreconciled = outbox::queue_reply(&store, conv, "Otra respuesta", ReplyKind::Public).await.expect("reply");
    sync::sync_once(&store, account.clone(), fast_config()).await.expect("delivered");
    let outbox_ids = |store: &Store| -> Vec<i64> {
        store
            .read(|c| {
                let mut stmt = c.prepare("SELECT id FROM outbox ORDER BY id")?;
                Ok(stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<Vec<i64>>>()?)
            })
            .expect("outbox ids")
    };
    let all = vec![reply.outbox_id, status.outbox_id, unreconciled.outbox_id];
    assert_eq!(outbox_ids(&store), all, "delivered items are kept while recent");

    // A week and a day later; one reply is made to look as if its remote id never came back.
    let unreconciled_message = unreconciled.message_id.expect("timeline row");
    store
        .write(|tx| {
            tx.execute("UPDATE outbox SET created_at = created_at - 8 * 86400000", [])?;
            tx.execute("UPDATE messages SET remote_id = NULL WHERE id = ?1", [unreconciled_message])?;
            Ok(())
        })
        .expect("age the items");
    let pruned = store
        .write(|tx| {
            outbox::prune_delivered(tx, account.id, hilo_model::time::now_millis() - outbox::DELIVERED_RETENTION_MS)
        })
        .expect("prune");
    assert_eq!(pruned, 2, "the reconciled reply and the status change");
    assert_eq!(outbox_ids(&store), [unreconciled.outbox_id], "a reply without its remote id keeps its key");
    let (remote, delivery, _) = message_row(&store, reply.message_id.expect("timeline row"));
    assert!(remote.is_some(), "the reply itself stays in the timeline");
    assert_eq!(delivery, "delivered");

    // The sync cycle prunes the same way on its own.
    store
        .write(|tx| {
            tx.execute("UPDATE messages SET remote_id = 'restored' WHERE id = ?1", [unreconciled_message])?;
            Ok(())
        })
        .expect("reconcile");
    sync::sync_once(&store, account.clone(), fast_config()).await.expect("next cycle");
    assert!(outbox_ids(&store).is_empty(), "pruned by the next cycle");
}
