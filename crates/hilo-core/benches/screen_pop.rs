//! Screen-pop latency: from the AMI bytes of the `DialBegin` that rings the agent's
//! phone to the notification handed to the notifier — decode, map, track, look the
//! caller up by E.164, count open conversations, write the text. 1,000 simulated
//! calls on a real encrypted store with the demo data; prints p50/p95/p99/max.
//!
//! `cargo bench -p hilo-core --bench screen_pop`

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hilo_connectors::telephony::SourceEvent;
use hilo_connectors::telephony::ami::{AmiCallMapper, AmiDecoder, AmiFrame};
use hilo_core::demo::{self, DemoOptions};
use hilo_core::notify::{DesktopNotification, Notifier, NotifyError};
use hilo_core::telephony::{AgentEndpoint, CallRecorder, Language};
use hilo_model::AccountKind;
use hilo_model::time::now_millis;
use hilo_store::{CacheKey, Store, accounts};

const CALLS: usize = 1000;

/// Records when each notification arrived.
#[derive(Default)]
struct TimedNotifier {
    at: Mutex<Vec<(Instant, DesktopNotification)>>,
}

impl Notifier for TimedNotifier {
    fn notify(&self, n: &DesktopNotification) -> Result<(), NotifyError> {
        let now = Instant::now();
        self.at.lock().map_err(|e| NotifyError(e.to_string()))?.push((now, n.clone()));
        Ok(())
    }
}

fn packet(fields: &[(&str, &str)]) -> Vec<u8> {
    let mut s = String::new();
    for (k, v) in fields {
        s.push_str(&format!("{k}: {v}\r\n"));
    }
    s.push_str("\r\n");
    s.into_bytes()
}

fn snapshot<'a>(
    prefix: &str,
    channel: &'a str,
    caller: &'a str,
    exten: &'a str,
    uid: &'a str,
    linked: &'a str,
) -> Vec<(String, &'a str)> {
    vec![
        (format!("{prefix}Channel"), channel),
        (format!("{prefix}ChannelState"), "4"),
        (format!("{prefix}ChannelStateDesc"), "Ring"),
        (format!("{prefix}CallerIDNum"), caller),
        (format!("{prefix}CallerIDName"), ""),
        (format!("{prefix}ConnectedLineNum"), "<unknown>"),
        (format!("{prefix}ConnectedLineName"), "<unknown>"),
        (format!("{prefix}AccountCode"), ""),
        (format!("{prefix}Context"), "from-internal"),
        (format!("{prefix}Exten"), exten),
        (format!("{prefix}Priority"), "1"),
        (format!("{prefix}Uniqueid"), uid),
        (format!("{prefix}Linkedid"), linked),
    ]
}

fn event(name: &str, parts: &[Vec<(String, &str)>], extra: &[(&str, &str)]) -> Vec<u8> {
    let mut fields: Vec<(&str, &str)> = vec![("Event", name), ("Privilege", "call,all")];
    for part in parts {
        fields.extend(part.iter().map(|(k, v)| (k.as_str(), *v)));
    }
    fields.extend_from_slice(extra);
    packet(&fields)
}

fn feed(decoder: &mut AmiDecoder, mapper: &mut AmiCallMapper, recorder: &mut CallRecorder, account: i64, bytes: &[u8]) {
    decoder.feed(bytes);
    while let Ok(Some(frame)) = decoder.next_frame() {
        if let AmiFrame::Packet(p) = frame
            && let Some(ev) = mapper.map(&p, now_millis())
        {
            let _ = recorder.handle(account, SourceEvent::Call(ev));
        }
    }
}

fn main() {
    let dir = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => return eprintln!("no temp dir: {e}"),
    };
    let store = match Store::open(&dir.path().join("hilo.db"), CacheKey::from_bytes([7; 32])) {
        Ok(s) => s,
        Err(e) => return eprintln!("cannot open the store: {e}"),
    };
    let summary = match demo::generate(&store, &DemoOptions::default()) {
        Ok(s) => s,
        Err(e) => return eprintln!("demo data: {e}"),
    };
    let account = store
        .write(|tx| accounts::upsert(tx, "bench-pbx", AccountKind::Ami, r#"{"endpoint":"PJSIP/1986"}"#, now_millis()));
    let Ok(account) = account else { return eprintln!("cannot add the account") };
    let mut phones: Vec<String> = store
        .read(|c| {
            let mut stmt = c.prepare("SELECT value FROM identities WHERE kind = 'phone' ORDER BY id")?;
            let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .unwrap_or_default();
    // One caller in five is unknown: their pop takes the "create customer" path.
    phones.retain(|p| p.starts_with('+'));
    let notifier = Arc::new(TimedNotifier::default());
    // As in the app: no fixed language, the `ui.language` setting is read at each pop.
    if store.write(|tx| hilo_core::language::save(tx, Language::Es)).is_err() {
        return eprintln!("cannot store the language");
    }
    let mut recorder = CallRecorder::new(store.clone(), notifier.clone(), None, phonenumber::country::Id::ES.into());
    recorder.add_account(account, "bench-pbx", AgentEndpoint::new("PJSIP/1986"));
    let mut decoder = AmiDecoder::new();
    let mut mapper = AmiCallMapper::new();
    feed(&mut decoder, &mut mapper, &mut recorder, account, b"Asterisk Call Manager/5.0.3\r\n");

    let mut latencies: Vec<Duration> = Vec::with_capacity(CALLS);
    for i in 0..CALLS {
        let caller = if i % 5 == 4 || phones.is_empty() {
            format!("+3491{:07}", 1_000_000 + i)
        } else {
            phones[i % phones.len()].clone()
        };
        let linked = format!("1770888534.{}", i * 4);
        let agent_uid = format!("1770888534.{}", i * 4 + 1);
        let trunk = format!("PJSIP/trunk-{:08x}", i * 2);
        let phone = format!("PJSIP/1986-{:08x}", i * 2 + 1);
        let caller_leg = snapshot("", &trunk, &caller, "1986", &linked, &linked);
        let agent_leg = snapshot("", &phone, "1986", "s", &agent_uid, &linked);
        let dest_leg = snapshot("Dest", &phone, "1986", "s", &agent_uid, &linked);
        let setup = [
            event("Newchannel", std::slice::from_ref(&caller_leg), &[]),
            event("Newchannel", std::slice::from_ref(&agent_leg), &[]),
        ];
        for p in &setup {
            feed(&mut decoder, &mut mapper, &mut recorder, account, p);
        }
        let dial_begin = event("DialBegin", &[caller_leg.clone(), dest_leg.clone()], &[("DialString", "1986")]);
        let before = notifier.at.lock().map(|v| v.len()).unwrap_or(0);
        let start = Instant::now();
        feed(&mut decoder, &mut mapper, &mut recorder, account, &dial_begin);
        let popped = notifier.at.lock().ok().and_then(|v| (v.len() > before).then(|| v[v.len() - 1].0));
        match popped {
            Some(at) => latencies.push(at - start),
            None => return eprintln!("call {i} raised no screen-pop"),
        }
        let teardown = [
            event("DialEnd", &[caller_leg.clone(), dest_leg.clone()], &[("DialStatus", "ANSWER")]),
            event("Hangup", &[agent_leg], &[("Cause", "16")]),
            event("Hangup", &[caller_leg], &[("Cause", "16")]),
        ];
        for p in &teardown {
            feed(&mut decoder, &mut mapper, &mut recorder, account, p);
        }
    }
    latencies.sort();
    let pct =
        |p: f64| latencies[((latencies.len() as f64 * p).ceil() as usize).saturating_sub(1).min(latencies.len() - 1)];
    let known =
        notifier.at.lock().map(|v| v.iter().filter(|(_, n)| !n.body.contains("desconocido")).count()).unwrap_or(0);
    println!(
        "screen-pop, AMI DialBegin bytes → notifier ({CALLS} calls, {known} known callers, demo store with {} customers):",
        summary.customers
    );
    println!(
        "  p50 {:.3} ms   p95 {:.3} ms   p99 {:.3} ms   max {:.3} ms   (target p95 ≤ 50 ms)",
        pct(0.50).as_secs_f64() * 1e3,
        pct(0.95).as_secs_f64() * 1e3,
        pct(0.99).as_secs_f64() * 1e3,
        latencies[latencies.len() - 1].as_secs_f64() * 1e3
    );
}
