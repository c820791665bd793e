//! Sync ingest throughput: a large Chatwoot-shaped dataset through the real path
//! (JSON decode → mapping → HTML sanitizing → upserts + cursor, one transaction per
//! page) against a raw rusqlite bulk insert of the same rows into the same schema, in
//! the same process. Not a test: `cargo bench -p hilo-core --bench sync_ingest`.
//! `HILO_BENCH_MESSAGES` sets the size (default 50,000), `HILO_BENCH_ROUNDS` the rounds
//! (default 3, best time of each path counts); `HILO_BENCH_ONE_TX=1` applies all message
//! pages in one transaction instead, to show what the per-page commits cost.

use std::time::{Duration, Instant};

use hilo_connectors::helpdesk::SourcePage;
use hilo_connectors::helpdesk::chatwoot::{ChatwootConfig, ChatwootSource, map};
use hilo_core::sync::apply;
use hilo_store::{CacheKey, Store};
use phonenumber::country;
use serde_json::{Value, json};

const PER_CONVERSATION: usize = 100;

fn message(id: usize, conv: usize, k: usize) -> Value {
    let created = 1_700_000_000 + id as i64;
    if k % 10 == 9 {
        let html = format!(
            "<div style=\"color:red\"><p>Hola, sobre el pedido <b>{id}</b>:</p><p>no ha llegado todavía.</p>\
             <img src=\"https://tracker.example/{id}.gif\"><a href=\"https://shop.example/o/{id}\">ver pedido</a></div>"
        );
        json!({"id": id, "content": null, "message_type": 0, "content_type": "incoming_email", "private": false,
               "created_at": created, "conversation_id": conv, "status": "sent",
               "content_attributes": {"email": {"html_content": {"full": html, "reply": html}, "subject": "Pedido"}},
               "sender_type": "Contact", "sender": {"id": conv, "name": format!("Cliente {conv}"), "type": "contact"}})
    } else {
        json!({"id": id, "content": format!("Mensaje {k} de la conversación {conv}: ¿dónde está mi pedido número {id}?"),
               "message_type": k % 2, "content_type": "text", "private": k % 17 == 16, "created_at": created,
               "conversation_id": conv, "status": "sent", "content_attributes": {}, "sender_type": if k.is_multiple_of(2) { "Contact" } else { "User" },
               "sender": {"id": conv, "name": format!("Cliente {conv}"), "type": "contact"}, "sentiment": {}})
    }
}

fn conversation(conv: usize) -> Value {
    json!({"meta": {"sender": {"id": conv, "name": format!("Cliente {conv}"), "email": format!("c{conv}@example.com"),
                               "phone_number": format!("+3460{:07}", conv), "additional_attributes": {}},
                    "channel": "Channel::WebWidget", "assignee": null, "team": null},
           "id": conv, "inbox_id": 1, "status": "open", "priority": null, "messages": [],
           "last_non_activity_message": {"id": conv * PER_CONVERSATION, "message_type": 0},
           "additional_attributes": {}, "created_at": 1_700_000_000, "timestamp": 1_700_100_000,
           "last_activity_at": 1_700_100_000, "updated_at": 1_700_100_000.5})
}

fn open(dir: &tempfile::TempDir) -> Store {
    Store::open(&dir.path().join("hilo.db"), CacheKey::from_bytes([9; 32])).expect("open store")
}

/// Phase times of one run of the real path.
#[derive(Default, Clone, Copy)]
struct Phases {
    total: Duration,
    decoding: Duration,
    preparing: Duration,
    writing: Duration,
}

/// The real path: decode → map → sanitize → upsert + cursor, one transaction per page.
fn real_path(
    source: &ChatwootSource,
    list_pages: &[Vec<u8>],
    message_pages: &[(String, Vec<u8>)],
) -> (Phases, Vec<apply::PreparedPage>, Store, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = open(&dir);
    let account = store
        .write(|tx| hilo_store::accounts::upsert(tx, "bench", hilo_model::AccountKind::Chatwoot, "{}", 0))
        .expect("account");
    let mut p = Phases::default();
    let start = Instant::now();
    let mut prepared_rows = Vec::new();
    for body in list_pages {
        let wire = source.decode_conversations(body).expect("decode list");
        let page = SourcePage {
            contacts: wire
                .iter()
                .filter_map(|c| c.meta.as_ref()?.sender.as_ref())
                .map(|s| map::contact(s, country::Id::ES))
                .collect(),
            conversations: wire.iter().map(|c| map::conversation(c, Some(("Channel::WebWidget", None)))).collect(),
            messages: Vec::new(),
            next_cursor: "{}".into(),
            more: true,
            caught_up_from: None,
            backend_sla: Vec::new(),
        };
        let prepared = apply::prepare(page);
        store.write(|tx| apply::apply_page(tx, account, &prepared, 0)).expect("apply list");
    }
    for (conv, body) in message_pages {
        let t = Instant::now();
        let msgs = source.decode_messages(conv, body).expect("decode messages");
        p.decoding += t.elapsed();
        let page = SourcePage { messages: msgs, next_cursor: "{}".into(), more: true, ..SourcePage::default() };
        let t = Instant::now();
        let prepared = apply::prepare(page);
        p.preparing += t.elapsed();
        let t = Instant::now();
        if std::env::var_os("HILO_BENCH_ONE_TX").is_none() {
            store.write(|tx| apply::apply_page(tx, account, &prepared, 0)).expect("apply messages");
        }
        p.writing += t.elapsed();
        prepared_rows.push(prepared);
    }
    if std::env::var_os("HILO_BENCH_ONE_TX").is_some() {
        let t = Instant::now();
        store
            .write(|tx| {
                for prepared in &prepared_rows {
                    apply::apply_page(tx, account, prepared, 0)?;
                }
                Ok(())
            })
            .expect("apply messages");
        p.writing += t.elapsed();
    }
    p.total = start.elapsed();
    (p, prepared_rows, store, dir)
}

/// The same final rows, raw: one transaction, prepared statements, no mapping.
fn raw_insert(prepared_rows: &[apply::PreparedPage]) -> (Duration, Store, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = open(&dir);
    let start = Instant::now();
    store
        .write(|tx| {
            let account = hilo_store::accounts::upsert(tx, "bench", hilo_model::AccountKind::Chatwoot, "{}", 0)?;
            let mut cust =
                tx.prepare("INSERT INTO customers (name, created_at, updated_at) VALUES (?1, 0, 0) RETURNING id")?;
            let mut conv = tx.prepare(
                "INSERT INTO conversations (account_id, remote_id, channel, status, priority, customer_id, created_at, last_activity_at)
                 VALUES (?1, ?2, 'chat', 'open', 'none', ?3, 0, 0) RETURNING id",
            )?;
            let mut msg = tx.prepare(
                "INSERT INTO messages (conversation_id, remote_id, direction, kind, author, text, html, delivery, created_at, origin)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'sync')",
            )?;
            for page in prepared_rows {
                let Some(first) = page.messages.first() else { continue };
                let customer: i64 =
                    cust.query_row([format!("Cliente {}", first.conversation_remote_id)], |r| r.get(0))?;
                let conversation: i64 =
                    conv.query_row(rusqlite::params![account, first.conversation_remote_id, customer], |r| r.get(0))?;
                for m in &page.messages {
                    msg.execute(rusqlite::params![
                        conversation,
                        m.remote_id,
                        m.direction.as_str(),
                        m.kind.as_str(),
                        m.author,
                        m.text,
                        m.raw_html,
                        m.delivery.as_str(),
                        m.created_at
                    ])?;
                }
            }
            Ok(())
        })
        .expect("raw insert");
    (start.elapsed(), store, dir)
}

fn main() {
    let total: usize = std::env::var("HILO_BENCH_MESSAGES").ok().and_then(|v| v.parse().ok()).unwrap_or(50_000);
    let conversations = total.div_ceil(PER_CONVERSATION);
    // The wire bodies, as the server would send them: list pages of 25, message pages of 100.
    let list_pages: Vec<Vec<u8>> = (1..=conversations)
        .collect::<Vec<_>>()
        .chunks(25)
        .map(|c| {
            json!({"data": {"meta": {}, "payload": c.iter().map(|i| conversation(*i)).collect::<Vec<_>>()}})
                .to_string()
                .into_bytes()
        })
        .collect();
    let message_pages: Vec<(String, Vec<u8>)> = (1..=conversations)
        .map(|c| {
            let payload: Vec<Value> =
                (0..PER_CONVERSATION).map(|k| message((c - 1) * PER_CONVERSATION + k + 1, c, k)).collect();
            (c.to_string(), json!({"meta": {}, "payload": payload}).to_string().into_bytes())
        })
        .collect();
    let messages = conversations * PER_CONVERSATION;
    let source =
        ChatwootSource::new(ChatwootConfig::new("bench", "http://localhost", 1, String::new(), country::Id::ES))
            .expect("source");

    // This machine is shared and noisy: several rounds, alternating which path goes
    // first, and the best time of each path counts.
    let rounds: usize = std::env::var("HILO_BENCH_ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(3);
    let mut best_real: Option<Phases> = None;
    let mut best_raw: Option<Duration> = None;
    let mut ratios = Vec::new();
    for round in 0..rounds {
        let (real, raw) = if round % 2 == 0 {
            let (p, rows, store_a, _da) = real_path(&source, &list_pages, &message_pages);
            let (raw, store_b, _db) = raw_insert(&rows);
            check(&store_a, &store_b, messages);
            (p, raw)
        } else {
            let (p0, rows, _s, _d) = real_path(&source, &list_pages, &message_pages);
            let (raw, store_b, _db) = raw_insert(&rows);
            let (p, _, store_a, _da) = real_path(&source, &list_pages, &message_pages);
            check(&store_a, &store_b, messages);
            let _ = p0;
            (p, raw)
        };
        ratios.push(raw.as_secs_f64() / real.total.as_secs_f64());
        if best_real.is_none_or(|b| real.total < b.total) {
            best_real = Some(real);
        }
        if best_raw.is_none_or(|b| raw < b) {
            best_raw = Some(raw);
        }
    }
    let (Some(real), Some(raw)) = (best_real, best_raw) else { return };
    ratios.sort_by(f64::total_cmp);
    let real_rate = messages as f64 / real.total.as_secs_f64();
    let raw_rate = messages as f64 / raw.as_secs_f64();
    println!(
        "sync ingest: {messages} messages in {conversations} conversations (10% HTML email, SQLCipher cache), best of {rounds} rounds"
    );
    println!(
        "  real path (decode + map + sanitize + upsert, {}): {:>9.0} rows/s  ({:.2} s)",
        if std::env::var_os("HILO_BENCH_ONE_TX").is_some() { "all pages in 1 tx" } else { "1 tx/page" },
        real_rate,
        real.total.as_secs_f64()
    );
    println!(
        "    of which: JSON decode + mapping {:.2} s, HTML sanitizing {:.2} s, upserts + cursor {:.2} s",
        real.decoding.as_secs_f64(),
        real.preparing.as_secs_f64(),
        real.writing.as_secs_f64()
    );
    println!(
        "  raw rusqlite bulk insert (1 tx, same rows, same schema):  {:>9.0} rows/s  ({:.2} s)",
        raw_rate,
        raw.as_secs_f64()
    );
    println!(
        "  ratio real/raw: {:.2}x best-of (median of rounds {:.2}x; target >= 0.5x)",
        real_rate / raw_rate,
        ratios[ratios.len() / 2]
    );
}

fn check(real: &Store, raw: &Store, messages: usize) {
    let count = |s: &Store| {
        s.read(|c| Ok(c.query_row("SELECT count(*) FROM messages", [], |r| r.get::<_, i64>(0))?)).expect("count")
    };
    assert_eq!(count(real), messages as i64, "the real path stored every message");
    assert_eq!(count(raw), messages as i64, "the raw insert stored every message");
}
