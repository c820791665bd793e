//! `hilo sla watch` on a private D-Bus session: the real `org.freedesktop.Notifications.
//! Notify` calls that notify-rust makes are received by a stand-in notification daemon
//! served here with zbus, and their count, summary, body, urgency and target asserted —
//! exactly one breach per conversation and metric, also across a restart; one summary for
//! a burst; the breach within one second of its instant.
//!
//! One test function: the session bus has one `org.freedesktop.Notifications` owner, so
//! the scenarios run one after the other against it.

use std::collections::{BTreeSet, HashMap};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_lite::StreamExt;
use serde_json::Value;

use super::{keyring, ok_json};

/// One `Notify` call as the daemon received it.
#[derive(Debug, Clone)]
struct Received {
    /// Wall clock when it arrived, ms since the epoch.
    at: i64,
    app: String,
    summary: String,
    body: String,
    /// freedesktop urgency: 0 low, 1 normal, 2 critical.
    urgency: Option<u8>,
    target: Option<String>,
}

type Inbox = Arc<Mutex<Vec<Received>>>;

fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

/// Owns `org.freedesktop.Notifications` on the bus at `address` and answers every
/// `Notify` with a fresh id, recording what it was asked to show.
fn serve_notifications(address: String) -> Inbox {
    let inbox: Inbox = Arc::default();
    let (ready_tx, ready) = std::sync::mpsc::channel();
    let recorded = inbox.clone();
    std::thread::spawn(move || {
        zbus::block_on(async move {
            let conn =
                zbus::connection::Builder::address(address.as_str()).build().await.expect("connect to the private bus");
            conn.request_name("org.freedesktop.Notifications").await.expect("own the notifications name");
            ready_tx.send(()).expect("signal ready");
            let mut stream = zbus::MessageStream::from(&conn);
            let mut next_id = 0u32;
            while let Some(Ok(msg)) = stream.next().await {
                let header = msg.header();
                let is_notify = header.message_type() == zbus::message::Type::MethodCall
                    && header.member().is_some_and(|m| m.as_str() == "Notify");
                if !is_notify {
                    continue;
                }
                type NotifyArgs =
                    (String, u32, String, String, String, Vec<String>, HashMap<String, zbus::OwnedVariant>, i32);
                let (app, _replaces, _icon, summary, body, _actions, hints, _timeout): NotifyArgs =
                    msg.body().deserialize().expect("Notify arguments as the spec defines them");
                let urgency = hints.get("urgency").and_then(|v| u8::try_from(v).ok());
                let target = hints.get("x-hilo-target").and_then(|v| <&str>::try_from(v).ok()).map(str::to_owned);
                recorded.lock().expect("inbox").push(Received { at: now_ms(), app, summary, body, urgency, target });
                next_id += 1;
                conn.reply(&header, &(next_id,)).await.expect("reply to Notify");
            }
        });
    });
    ready.recv_timeout(Duration::from_secs(20)).expect("the stand-in daemon owns the name");
    inbox
}

/// `hilo ARGS` with the private bus, keychain and a locale; returns stdout's JSON lines.
fn hilo_lines(workspace: &std::path::Path, lang: &str, args: &[&str]) -> Vec<Value> {
    let out = Command::new(env!("CARGO_BIN_EXE_hilo"))
        .envs(keyring().envs())
        .env_remove("HILO_WORKSPACE")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", lang)
        .arg("--workspace")
        .arg(workspace)
        .args(args)
        .output()
        .expect("run hilo");
    assert!(out.status.success(), "hilo {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON line ({e}): {l}")))
        .collect()
}

fn taken(inbox: &Inbox, from: usize) -> Vec<Received> {
    inbox.lock().expect("inbox")[from..].to_vec()
}

#[test]
fn watch_sends_real_desktop_notifications_once_and_on_time() {
    let address = keyring()
        .envs()
        .into_iter()
        .find(|(k, _)| k == "DBUS_SESSION_BUS_ADDRESS")
        .map(|(_, v)| v)
        .expect("the private session's address");
    let inbox = serve_notifications(address);

    // Claudio alone, his Facebook message placed so his 5-minute clock breaches 6 s from
    // now: the at-risk warning (4 min) has passed, as if the app had been closed then.
    let story = tempfile::tempdir().expect("temp dir");
    let demo_now = now_ms() - 2 * 60_000 + 6_000;
    let summary = ok_json(story.path(), &["demo", "--customers", "1", "--now", &demo_now.to_string(), "--json"]);
    assert_eq!(summary["conversations"], 3, "Claudio's three conversations: {summary}");
    let lines = hilo_lines(story.path(), "es_ES.UTF-8", &["sla", "watch", "--duration", "10"]);
    let got = taken(&inbox, 0);
    let shown: Vec<(&str, &str)> = got.iter().map(|r| (r.summary.as_str(), r.body.as_str())).collect();
    assert_eq!(shown.len(), 2, "the missed warning on start, then the breach: {shown:?}");
    assert_eq!(shown[0].0, "SLA en riesgo · Claudio Pérez", "warning title");
    assert!(
        shown[0].1.starts_with("Facebook · primera respuesta en ") && shown[0].1.ends_with(" s"),
        "warning body names the channel, the clock and the seconds left: {}",
        shown[0].1
    );
    assert_eq!(shown[1], ("SLA incumplido · Claudio Pérez", "Facebook · primera respuesta vencida"), "the breach");
    assert_eq!(got[0].urgency, Some(1), "a warning is normal urgency");
    assert_eq!(got[1].urgency, Some(2), "a breach is critical");
    assert!(got.iter().all(|r| r.app == "Hilo"), "sent as Hilo");

    assert_eq!(lines.len(), 2, "each alert is also one JSON line: {lines:?}");
    let conversation = lines[1]["conversationId"].as_i64().expect("conversation id");
    let target = format!("conversation:{conversation}");
    assert!(got.iter().all(|r| r.target.as_deref() == Some(target.as_str())), "clicking opens {target}: {got:?}");
    assert_eq!(
        lines.iter().map(|l| (l["level"].as_str(), l["delivery"].as_str())).collect::<Vec<_>>(),
        vec![(Some("at_risk"), Some("individual")), (Some("breached"), Some("individual"))],
        "levels and delivery"
    );
    assert!(lines.iter().all(|l| l["notifyError"].is_null()), "the daemon took both: {lines:?}");
    let due = lines[1]["dueAt"].as_i64().expect("due instant");
    assert_eq!(due, demo_now + 2 * 60_000, "due five minutes after his message");
    let latency = got[1].at - due;
    eprintln!("breach notification received {latency} ms after the breach instant (over D-Bus)");
    assert!((0..1_000).contains(&latency), "the breach arrives within 1 s of its instant, never early: {latency} ms");

    // Restart: the same alerts are never shown again.
    let again = hilo_lines(story.path(), "es_ES.UTF-8", &["sla", "watch", "--duration", "3"]);
    assert!(again.is_empty(), "a restart prints no alert: {again:?}");
    assert_eq!(taken(&inbox, 2).len(), 0, "a restart notifies nothing: {:?}", taken(&inbox, 2));

    // The full demo, opened with its history of breaches: one summary, not a storm.
    let demo = tempfile::tempdir().expect("temp dir");
    ok_json(demo.path(), &["demo", "--json"]);
    let before = inbox.lock().expect("inbox").len();
    let lines = hilo_lines(demo.path(), "en_US.UTF-8", &["sla", "watch", "--duration", "3"]);
    let got = taken(&inbox, before);
    assert_eq!(got.len(), 1, "one summary notification for the burst: {got:?}");
    let breached: BTreeSet<String> = lines
        .iter()
        .filter(|l| l["level"] == "breached")
        .map(|l| match l["callId"].as_i64() {
            Some(call) => format!("call {call}"),
            None => format!("conversation {}", l["conversationId"]),
        })
        .collect();
    assert!(breached.len() > 3, "the demo has a history of breaches: {}", breached.len());
    assert_eq!(got[0].summary, format!("{} conversations breached their SLA", breached.len()), "English summary");
    assert_eq!(got[0].urgency, Some(2), "a summary of breaches is critical");
    assert!(lines.iter().all(|l| l["delivery"] == "summary" && l["title"] == got[0].summary.as_str()), "lines say so");
    let clock_of = |l: &Value| format!("{} {} {} {}", l["conversationId"], l["callId"], l["metric"], l["cycle"]);
    let breaches: Vec<String> = lines.iter().filter(|l| l["level"] == "breached").map(clock_of).collect();
    let distinct: BTreeSet<&String> = breaches.iter().collect();
    assert_eq!(distinct.len(), breaches.len(), "exactly one breach per conversation and clock");
    let again = hilo_lines(demo.path(), "en_US.UTF-8", &["sla", "watch", "--duration", "2"]);
    assert!(again.is_empty(), "a restart repeats nothing: {again:?}");
    assert_eq!(taken(&inbox, before + 1).len(), 0, "no second summary");

    // The alert centre lists them all, and the clocks list agrees on what is breached.
    let alerts = ok_json(demo.path(), &["sla", "alerts", "--json"]);
    assert_eq!(alerts.as_array().map(Vec::len), Some(lines.len()), "every alert is listed");
    let breached_now = ok_json(demo.path(), &["sla", "--breached", "--json"]);
    let items = breached_now["items"].as_array().expect("items");
    assert!(items.iter().all(|i| i["state"] == "breached"), "--breached filters");
    assert_eq!(items.len(), breached.len(), "the same conversations and callbacks as the alerts");
}
