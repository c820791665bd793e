//! Store tests on real SQLCipher files in a temp directory.

use hilo_model::*;
use rusqlite::Connection;

use crate::calls::NewCall;
use crate::conversations::NewConversation;
use crate::events::NewEvent;
use crate::messages::NewMessage;
use crate::*;

fn key(b: u8) -> CacheKey {
    CacheKey::from_bytes([b; 32])
}

fn temp_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(&dir.path().join("hilo.db"), key(7)).expect("open store");
    (dir, store)
}

struct Fixture {
    customer: i64,
    other: i64,
    chat: i64,
    email: i64,
}

fn seed(tx: &Connection) -> Result<Fixture> {
    let acc = accounts::upsert(tx, "Soporte", AccountKind::Chatwoot, "{}", 0)?;
    let pbx = accounts::upsert(tx, "Centralita", AccountKind::Ami, "{}", 0)?;
    let customer = customers::insert(tx, "Claudio Pérez", Some("es"), 0)?;
    let other = customers::insert(tx, "Ana López", Some("es"), 0)?;
    let conv = |remote: &'static str, channel, customer_id| NewConversation {
        account_id: acc,
        remote_id: remote,
        channel,
        status: ConversationStatus::Open,
        priority: Priority::Medium,
        subject: None,
        customer_id,
        assignee: None,
        team: None,
        created_at: 1_000,
        snoozed_until: None,
    };
    let chat = conversations::upsert(tx, &conv("1", Channel::Facebook, customer))?;
    let email = conversations::upsert(tx, &conv("2", Channel::Email, customer))?;
    let theirs = conversations::upsert(tx, &conv("3", Channel::Whatsapp, other))?;
    let msg = |conversation_id, remote: &'static str, text: &'static str, at, kind| NewMessage {
        conversation_id,
        remote_id: Some(remote),
        direction: Direction::Inbound,
        kind,
        author: None,
        text,
        html: None,
        delivery: DeliveryState::Delivered,
        created_at: at,
        origin: Origin::Sync,
    };
    messages::upsert(tx, &msg(email, "e1", "Mi pedido no llegó", 2_000, MessageKind::Message))?;
    messages::upsert(tx, &msg(chat, "f1", "Hola, sigo sin el pedido", 5_000, MessageKind::Message))?;
    messages::upsert(tx, &msg(chat, "n1", "Reposición enviada, llega en 1 día", 4_000, MessageKind::Note))?;
    messages::upsert(tx, &msg(theirs, "w1", "Otro cliente, otro pedido", 6_000, MessageKind::Message))?;
    calls::upsert(
        tx,
        &NewCall {
            account_id: pbx,
            call_ref: "1700000000.1",
            direction: Direction::Inbound,
            from_number: Some("+34600123456"),
            to_number: Some("1986"),
            agent: Some("PJSIP/1986"),
            outcome: CallOutcome::Answered,
            started_at: 3_000,
            answered_at: Some(3_500),
            ended_at: Some(63_500),
            hangup_cause: Some("16"),
            customer_id: Some(customer),
            conversation_id: None,
            summary: None,
            origin: Origin::Telephony,
        },
    )?;
    // Same instant as the Facebook message: ties must still order deterministically.
    events::insert(
        tx,
        &NewEvent {
            customer_id: Some(customer),
            conversation_id: Some(chat),
            kind: EventKind::StatusChanged,
            at: 5_000,
            actor: Some("Ana"),
            from_value: Some("resolved"),
            to_value: Some("open"),
            origin: Origin::Sync,
        },
    )?;
    Ok(Fixture { customer, other, chat, email })
}

#[test]
fn nothing_customers_write_is_readable_in_the_files() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("hilo.db");
    let marker = "MARKER-7f3a9c1e-no-plaintext-please";
    {
        let store = Store::open(&path, key(1)).expect("open");
        store
            .write(|tx| {
                let f = seed(tx)?;
                messages::upsert(
                    tx,
                    &NewMessage {
                        conversation_id: f.chat,
                        remote_id: Some("secret"),
                        direction: Direction::Inbound,
                        kind: MessageKind::Message,
                        author: Some(marker),
                        text: marker,
                        html: Some(marker),
                        delivery: DeliveryState::Delivered,
                        created_at: 9_000,
                        origin: Origin::Sync,
                    },
                )
            })
            .expect("write marker");
        // While open, the marker also lives in the WAL: check it there too.
        let wal = std::fs::read(dir.path().join("hilo.db-wal")).expect("WAL file exists while open");
        assert!(!contains(&wal, marker.as_bytes()), "the WAL must be encrypted too");
    }
    for name in ["hilo.db", "hilo.db-wal", "hilo.db-shm"] {
        if let Ok(bytes) = std::fs::read(dir.path().join(name)) {
            assert!(!contains(&bytes, marker.as_bytes()), "{name} must not contain customer text in plaintext");
            assert!(!contains(&bytes, "Claudio".as_bytes()), "{name} must not contain customer names in plaintext");
        }
    }
    let bytes = std::fs::read(&path).expect("db file");
    assert!(!bytes.starts_with(b"SQLite format 3"), "an encrypted file has no plaintext SQLite header");

    let store = Store::open(&path, key(1)).expect("reopen with the right key");
    let hits = store.read(|c| search::search(c, "MARKER", None)).expect("search");
    assert_eq!(hits.len(), 1, "the right key reads everything back");
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn wrong_key_or_garbage_is_unreadable_not_empty() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("hilo.db");
    {
        let store = Store::open(&path, key(1)).expect("open");
        store.write(|tx| seed(tx).map(|_| ())).expect("seed");
    }
    match Store::open(&path, key(2)) {
        Err(StoreError::Unreadable { path: p, .. }) => assert!(p.ends_with("hilo.db"), "names the file"),
        other => panic!("a wrong key must be reported as unreadable, got {other:?}"),
    }
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, b"this is not a database at all, just bytes on disk................").expect("write");
    assert!(
        matches!(Store::open(&junk, key(1)), Err(StoreError::Unreadable { .. })),
        "a damaged file must be reported, not silently replaced"
    );
    assert!(junk.exists(), "nothing is deleted");
    // A plaintext SQLite file (never Hilo's) is also refused rather than read.
    let plain = dir.path().join("plain.db");
    Connection::open(&plain)
        .and_then(|c| c.execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES (1);"))
        .expect("plain db");
    assert!(matches!(Store::open(&plain, key(1)), Err(StoreError::Unreadable { .. })));
}

#[test]
fn migrations_are_recorded_and_reopening_is_a_no_op() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("hilo.db");
    let v1 = Store::open(&path, key(3)).expect("open").read(schema_version).expect("version");
    assert_eq!(v1, MIGRATIONS.last().map(|m| m.0).unwrap_or(0), "every migration applied");
    let store = Store::open(&path, key(3)).expect("reopen");
    assert_eq!(store.read(schema_version).expect("version"), v1);
}

#[test]
fn schema_snapshot_matches() {
    let (_dir, store) = temp_store();
    let schema = store
        .read(|c| {
            let mut stmt = c.prepare(
                "SELECT type, name, sql FROM sqlite_master
                 WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'messages_fts_%'
                 ORDER BY type, name",
            )?;
            let rows = stmt.query_map([], |r| {
                Ok(format!("-- {} {}\n{};\n", r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?))
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?.join("\n"))
        })
        .expect("schema");
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/schema.snapshot.sql");
    if std::env::var_os("HILO_UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, &schema).expect("write snapshot");
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(
        schema, expected,
        "the schema changed: add a migration (never edit a shipped one), then rerun with HILO_UPDATE_SNAPSHOTS=1"
    );
}

#[test]
fn timeline_spans_channels_and_calls_newest_first_and_pages_without_gaps() {
    let (_dir, store) = temp_store();
    let f = store.write(|tx| seed(tx)).expect("seed");
    let page = store.read(move |c| timeline::customer_timeline(c, f.customer, None, Some(100))).expect("timeline");
    let kinds: Vec<String> = page
        .items
        .iter()
        .map(|e| match e {
            TimelineEntry::Message(m) => format!("{}:{}", m.channel, m.kind),
            TimelineEntry::Call(c) => format!("call:{}", c.outcome),
            TimelineEntry::Event(e) => format!("event:{}", e.kind),
        })
        .collect();
    assert_eq!(
        kinds,
        ["event:status_changed", "facebook:message", "facebook:note", "call:answered", "email:message"],
        "one timeline across Facebook, email and the phone, newest first"
    );
    assert!(page.next_cursor.is_none());
    let TimelineEntry::Call(call) = &page.items[3] else { panic!("fourth item is the call") };
    assert_eq!(call.duration_secs, Some(60));
    assert_eq!(call.talk_secs, Some(60));

    // Page one item at a time: the concatenation equals the whole, with no repeats.
    let mut cursor = None;
    let mut paged = Vec::new();
    loop {
        let p = store
            .read({
                let cursor = cursor.clone();
                move |c| timeline::customer_timeline(c, f.customer, cursor.as_deref(), Some(1))
            })
            .expect("page");
        paged.extend(p.items);
        match p.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    assert_eq!(paged, page.items, "keyset pages must neither skip nor repeat items");

    let theirs = store.read(move |c| timeline::customer_timeline(c, f.other, None, None)).expect("other");
    assert_eq!(theirs.items.len(), 1, "another customer's history never leaks in");
    assert!(matches!(
        store.read(move |c| timeline::customer_timeline(c, f.customer, Some("bogus"), None)),
        Err(StoreError::InvalidCursor(_))
    ));
    assert!(matches!(store.read(|c| timeline::customer_timeline(c, 999, None, None)), Err(StoreError::NotFound(_))));
}

#[test]
fn inbox_filters_and_orders_by_latest_activity() {
    let (_dir, store) = temp_store();
    let f = store.write(|tx| seed(tx)).expect("seed");
    let all = store.read(|c| inbox::list(c, &InboxQuery::default())).expect("inbox");
    let ids: Vec<i64> = all.items.iter().map(|c| c.id).collect();
    assert_eq!(ids[1..], [f.chat, f.email], "newest activity first");
    let chat = &all.items[1];
    assert_eq!(chat.last_message.as_deref(), Some("Hola, sigo sin el pedido"), "notes never show as the snippet");
    let fb = store
        .read(|c| inbox::list(c, &InboxQuery { channel: Some(Channel::Facebook), ..Default::default() }))
        .expect("facebook");
    assert_eq!(fb.items.len(), 1);
    let resolved = store
        .read(|c| inbox::list(c, &InboxQuery { status: Some(ConversationStatus::Resolved), ..Default::default() }))
        .expect("resolved");
    assert!(resolved.items.is_empty());
    let first = store.read(|c| inbox::list(c, &InboxQuery { limit: Some(2), ..Default::default() })).expect("p1");
    let cursor = first.next_cursor.clone().expect("more pages");
    let second = store
        .read(move |c| inbox::list(c, &InboxQuery { limit: Some(2), cursor: Some(cursor), ..Default::default() }))
        .expect("p2");
    assert_eq!(second.items.len(), 1);
    assert_eq!(second.items[0].id, f.email);
}

#[test]
fn search_is_accent_insensitive_marks_matches_and_survives_hostile_input() {
    let (_dir, store) = temp_store();
    store.write(|tx| seed(tx).map(|_| ())).expect("seed");
    let hits = store.read(|c| search::search(c, "llego", None)).expect("search");
    assert_eq!(hits.len(), 1, "\"llego\" finds \"llegó\"");
    assert_eq!(hits[0].customer_name, "Claudio Pérez");
    assert_eq!(hits[0].channel, Channel::Email);
    assert!(
        hits[0].snippet.iter().any(|s| s.marked && s.text == "llegó"),
        "the match is marked: {:?}",
        hits[0].snippet
    );
    let pedido = store.read(|c| search::search(c, "PEDIDO", None)).expect("search");
    assert_eq!(pedido.len(), 3, "case-insensitive across customers");
    for hostile in ["\"", "AND OR NOT", "pedido\" OR \"x", "*", "(", "NEAR(a b)", "a:b", "'; DROP TABLE messages; --"] {
        store
            .read(move |c| search::search(c, hostile, None))
            .unwrap_or_else(|e| panic!("{hostile:?} must not fail: {e}"));
    }
    assert!(store.read(|c| search::search(c, "   ", None)).expect("blank").is_empty());
}

#[test]
fn upserts_are_idempotent() {
    let (_dir, store) = temp_store();
    store.write(|tx| seed(tx).map(|_| ())).expect("seed");
    let before = store.read(stats::counts).expect("counts");
    // Re-applying the same remote rows must not create anything new.
    let err = store.write(|tx| seed(tx).map(|_| ()));
    // Customers are local rows (not remote-keyed), so seeding twice adds customers, but
    // remote-keyed conversations, messages and calls stay unique.
    assert!(err.is_ok());
    let after = store.read(stats::counts).expect("counts");
    assert_eq!(after.conversations, before.conversations);
    assert_eq!(after.messages, before.messages);
    assert_eq!(after.calls, before.calls);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_access_runs_off_the_executor() {
    let (_dir, store) = temp_store();
    store.write_async(|tx| seed(tx).map(|_| ())).await.expect("seed");
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let s = store.clone();
        tasks.push(tokio::spawn(async move { s.read_async(|c| inbox::list(c, &InboxQuery::default())).await }));
    }
    for t in tasks {
        assert_eq!(t.await.expect("join").expect("read").items.len(), 3);
    }
}

#[test]
fn fts_query_quotes_every_term() {
    assert_eq!(search::fts_query("pedido llegó").as_deref(), Some("\"pedido\"* \"llegó\"*"));
    assert_eq!(search::fts_query("\"\" ** ()"), None);
}
