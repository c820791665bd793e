//! Clicking a breach notification opens its conversation. On a private D-Bus session of
//! its own, a stand-in notification server (zbus) receives notify-rust's real `Notify`
//! (with its "default" action), then emits `ActionInvoked(id, "default")` for the breach
//! as a server does when the agent clicks it; `hilo sla watch` reports the conversation
//! to open — once, and only for the notification that was clicked.

use std::collections::HashMap;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_lite::StreamExt;
use hilo_tests::KeyringSession;
use serde_json::Value;

#[derive(Debug, Clone)]
struct Shown {
    id: u32,
    summary: String,
    actions: Vec<String>,
    urgency: Option<u8>,
}

/// Owns `org.freedesktop.Notifications`, records each `Notify`, and "clicks" every
/// critical one that offers the default action: `ActionInvoked(id, "default")`, sent a
/// few times because a client subscribes to the signal only after `Notify` returns.
fn serve_clicking_server(address: String) -> Arc<Mutex<Vec<Shown>>> {
    let shown: Arc<Mutex<Vec<Shown>>> = Arc::default();
    let (ready_tx, ready) = std::sync::mpsc::channel();
    let recorded = shown.clone();
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
                let (_app, _replaces, _icon, summary, _body, actions, hints, _timeout): NotifyArgs =
                    msg.body().deserialize().expect("Notify arguments as the spec defines them");
                next_id += 1;
                let id = next_id;
                let urgency = hints.get("urgency").and_then(|v| u8::try_from(v).ok());
                conn.reply(&header, &(id,)).await.expect("reply to Notify");
                let click = urgency == Some(2) && actions.first().is_some_and(|a| a == "default");
                recorded.lock().expect("shown").push(Shown { id, summary, actions, urgency });
                if click {
                    let conn = conn.clone();
                    std::thread::spawn(move || {
                        for _ in 0..10 {
                            std::thread::sleep(Duration::from_millis(250));
                            let sent = zbus::block_on(conn.emit_signal(
                                None::<&str>,
                                "/org/freedesktop/Notifications",
                                "org.freedesktop.Notifications",
                                "ActionInvoked",
                                &(id, "default"),
                            ));
                            sent.expect("emit ActionInvoked");
                        }
                    });
                }
            }
        });
    });
    ready.recv_timeout(Duration::from_secs(20)).expect("the stand-in server owns the name");
    shown
}

fn hilo(session: &KeyringSession, workspace: &std::path::Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_hilo"))
        .envs(session.envs())
        .env_remove("HILO_WORKSPACE")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "es_ES.UTF-8")
        .arg("--workspace")
        .arg(workspace)
        .args(args)
        .output()
        .expect("run hilo");
    assert!(out.status.success(), "hilo {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn clicking_a_breach_notification_reports_the_conversation_to_open() {
    let session = KeyringSession::start();
    let address = session
        .envs()
        .into_iter()
        .find(|(k, _)| k == "DBUS_SESSION_BUS_ADDRESS")
        .map(|(_, v)| v)
        .expect("the private session's address");
    let shown = serve_clicking_server(address);

    // Claudio's first response breaches 3 s from now (the at-risk warning is already due).
    let workspace = tempfile::tempdir().expect("temp dir");
    let demo_now = jiff::Timestamp::now().as_millisecond() - 2 * 60_000 + 3_000;
    hilo(&session, workspace.path(), &["demo", "--customers", "1", "--now", &demo_now.to_string(), "--json"]);
    let out = hilo(&session, workspace.path(), &["sla", "watch", "--duration", "9"]);
    let lines: Vec<Value> =
        out.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON line ({e}): {l}"))).collect();

    let shown = shown.lock().expect("shown").clone();
    assert_eq!(shown.len(), 2, "the warning and the breach: {shown:?}");
    assert!(
        shown.iter().all(|s| s.actions == ["default", "Abrir en Hilo"]),
        "each offers the default action, labelled in the agent's language: {shown:?}"
    );
    assert_eq!(shown[1].urgency, Some(2), "the breach is the critical one");
    assert_eq!(shown[1].summary, "SLA incumplido · Claudio Pérez");

    let breach = lines.iter().find(|l| l["level"] == "breached").expect("the breach line");
    let conversation = breach["conversationId"].as_i64().expect("conversation id");
    let opens: Vec<&Value> = lines.iter().filter(|l| l["event"] == "open").collect();
    assert_eq!(
        opens.len(),
        1,
        "one click, one open — repeated signals and the unclicked warning open nothing: {lines:?}"
    );
    assert_eq!(
        opens[0]["open"],
        serde_json::json!({"kind": "conversation", "id": conversation}),
        "the breached conversation opens (notification {})",
        shown[1].id
    );
}
