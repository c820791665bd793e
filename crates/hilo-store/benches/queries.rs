//! Query benchmark (not a test): `cargo bench -p hilo-store --bench queries`.
//!
//! A customer with 10,000 timeline items (messages and notes over 40 conversations on
//! every channel, calls, events) among 60,000 other messages, in a real SQLCipher file.
//! Each query is timed over many runs; the baseline is the cheapest possible page read
//! (50 rows from one conversation through its index) in the same process, so the
//! ratios hold across machines.

use std::time::{Duration, Instant};

use hilo_model::*;
use hilo_store::calls::NewCall;
use hilo_store::conversations::NewConversation;
use hilo_store::events::NewEvent;
use hilo_store::messages::NewMessage;
use hilo_store::*;

const CHANNELS: [Channel; 7] =
    [Channel::Email, Channel::Chat, Channel::Whatsapp, Channel::Facebook, Channel::Instagram, Channel::X, Channel::Sms];
const WORDS: [&str; 12] = [
    "pedido",
    "factura",
    "devolución",
    "envío",
    "tarjeta",
    "reembolso",
    "talla",
    "garantía",
    "código",
    "cuenta",
    "order",
    "refund",
];

fn main() -> Result<()> {
    let dir = tempfile::tempdir().map_err(|e| StoreError::InvalidInput(e.to_string()))?;
    let store = Store::open(&dir.path().join("bench.db"), CacheKey::from_bytes([5; 32]))?;
    let t = Instant::now();
    let (heavy, first_conv) = store.write(|tx| seed(tx))?;
    store.checkpoint()?;
    println!("seeded in {:.1} s", t.elapsed().as_secs_f64());

    let baseline = measure(500, || {
        store.read(|c| {
            let mut s = c.prepare_cached(
                "SELECT id, created_at, text FROM messages WHERE conversation_id = ?1
                 ORDER BY created_at DESC, id DESC LIMIT 50",
            )?;
            let n = s.query_map([first_conv], |r| r.get::<_, i64>(0))?.count();
            Ok(n)
        })
    })?;
    let first_page = measure(500, || store.read(|c| timeline::customer_timeline(c, heavy, None, Some(50))))?;
    let deep_cursor = store.read(|c| {
        let mut page = timeline::customer_timeline(c, heavy, None, Some(5_000))?;
        Ok(page.next_cursor.take())
    })?;
    let deep_page =
        measure(200, || store.read(|c| timeline::customer_timeline(c, heavy, deep_cursor.as_deref(), Some(50))))?;
    // Identity graph: the timeline at full depth, filtered and jumped to a date.
    let chat_and_calls = TimelineFilter {
        channels: vec![Channel::Whatsapp, Channel::Voice],
        kinds: vec![TimelineKind::Message, TimelineKind::Call],
        before: None,
    };
    let filtered = measure(500, || {
        store.read(|c| timeline::customer_timeline_filtered(c, heavy, &chat_and_calls, None, Some(50)))
    })?;
    let notes = TimelineFilter { kinds: vec![TimelineKind::Note], ..Default::default() };
    let notes_only =
        measure(500, || store.read(|c| timeline::customer_timeline_filtered(c, heavy, &notes, None, Some(50))))?;
    let jump = TimelineFilter { before: Some(BASE + 15_000_000_000), ..Default::default() };
    let jumped =
        measure(500, || store.read(|c| timeline::customer_timeline_filtered(c, heavy, &jump, None, Some(50))))?;
    let inbox = measure(200, || store.read(|c| inbox::list(c, &InboxQuery::default())))?;
    let search = measure(200, || store.read(|c| search::search(c, "reembolso tarjeta", None)))?;

    println!("machine: {} cores", std::thread::available_parallelism().map_or(1, |n| n.get()));
    println!("{:<44} {:>10} {:>10} {:>8}", "query", "p50", "p95", "p95/base");
    for (name, d) in [
        ("baseline: 50 rows of one conversation", &baseline),
        ("timeline first page (50 of 10,000 items)", &first_page),
        ("timeline page after 5,000 items", &deep_page),
        ("timeline filtered: WhatsApp + calls", &filtered),
        ("timeline filtered: notes only", &notes_only),
        ("timeline jump to a date (mid-history)", &jumped),
        ("inbox first page (200 conversations)", &inbox),
        ("search, 2 words, 50 hits", &search),
    ] {
        println!(
            "{name:<44} {:>8.3}ms {:>8.3}ms {:>7.1}x",
            ms(d.p50),
            ms(d.p95),
            d.p95.as_secs_f64() / baseline.p95.as_secs_f64()
        );
    }
    Ok(())
}

struct Dist {
    p50: Duration,
    p95: Duration,
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn measure<R>(runs: usize, mut f: impl FnMut() -> Result<R>) -> Result<Dist> {
    for _ in 0..runs / 10 {
        f()?;
    }
    let mut samples = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        std::hint::black_box(f()?);
        samples.push(t.elapsed());
    }
    samples.sort();
    Ok(Dist { p50: samples[runs / 2], p95: samples[runs * 95 / 100] })
}

/// The first instant of the seeded history; items spread over the next 30,000,000 s.
const BASE: i64 = 1_700_000_000_000;

fn seed(tx: &rusqlite::Connection) -> Result<(i64, i64)> {
    let acc = accounts::upsert(tx, "Soporte", AccountKind::Chatwoot, "{}", 0)?;
    let pbx = accounts::upsert(tx, "Centralita", AccountKind::Ami, "{}", 0)?;
    let mut rng = 0x9e37_79b9_7f4a_7c15_u64;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let base = BASE;
    let mut first_conv = 0;
    let mut heavy = 0;
    // Customer 0 is the heavy one: 40 conversations × 200 messages + 1,500 calls + 500 events.
    for cust in 0..301 {
        let customer = customers::insert(tx, &format!("Cliente {cust}"), Some("es"), base)?;
        let (convs, per_conv) = if cust == 0 { (40, 200) } else { (2, 100) };
        for k in 0..convs {
            let conv = conversations::upsert(
                tx,
                &NewConversation {
                    account_id: acc,
                    remote_id: &format!("{cust}-{k}"),
                    channel: CHANNELS[k % CHANNELS.len()],
                    status: ConversationStatus::Open,
                    priority: Priority::Medium,
                    subject: None,
                    customer_id: customer,
                    assignee: None,
                    team: None,
                    created_at: base,
                    snoozed_until: None,
                },
            )?;
            if first_conv == 0 {
                first_conv = conv;
            }
            for m in 0..per_conv {
                let w1 = WORDS[(next() % 12) as usize];
                let w2 = WORDS[(next() % 12) as usize];
                messages::upsert(
                    tx,
                    &NewMessage {
                        conversation_id: conv,
                        remote_id: Some(&m.to_string()),
                        direction: if m % 2 == 0 { Direction::Inbound } else { Direction::Outbound },
                        // One in ten an internal note, for the kind filters.
                        kind: if m % 10 == 9 { MessageKind::Note } else { MessageKind::Message },
                        author: None,
                        text: &format!("Hola, sobre mi {w1} y la {w2}: número {m} del caso {cust}-{k}"),
                        html: None,
                        delivery: DeliveryState::Delivered,
                        created_at: base + (next() % 30_000_000_000) as i64,
                        origin: Origin::Import,
                    },
                )?;
            }
        }
        if cust == 0 {
            heavy = customer;
            for c in 0..1_500 {
                calls::upsert(
                    tx,
                    &NewCall {
                        account_id: pbx,
                        call_ref: &format!("call-{c}"),
                        direction: Direction::Inbound,
                        from_number: Some("+34600123456"),
                        to_number: Some("1986"),
                        agent: Some("PJSIP/1986"),
                        outcome: CallOutcome::Answered,
                        started_at: base + (next() % 30_000_000_000) as i64,
                        answered_at: None,
                        ended_at: None,
                        hangup_cause: None,
                        customer_id: Some(customer),
                        conversation_id: None,
                        summary: None,
                        origin: Origin::Import,
                    },
                )?;
            }
            for e in 0..500 {
                events::insert(
                    tx,
                    &NewEvent {
                        customer_id: Some(customer),
                        conversation_id: None,
                        kind: EventKind::StatusChanged,
                        at: base + (next() % 30_000_000_000) as i64 + e,
                        actor: None,
                        from_value: Some("open"),
                        to_value: Some("resolved"),
                        origin: Origin::Import,
                    },
                )?;
            }
        }
    }
    Ok((heavy, first_conv))
}
