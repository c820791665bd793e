//! `hilo accounts add chatwoot`, `hilo sync`, `hilo reply` and `hilo outbox` against the
//! Chatwoot simulator, with the token in a real (private) Secret Service.

use hilo_tests::chatwoot_sim::{ChatwootSim, SimConfig};
use serde_json::{Value, json};

use super::{hilo_with_stdin, region_json as ok_json};

#[test]
fn chatwoot_account_sync_reply_and_offline_outbox_from_the_command_line() {
    let sim = ChatwootSim::start(SimConfig::default());
    let inbox = sim.add_inbox("Channel::FacebookPage", None);
    let contact =
        sim.add_contact(Some("Claudio Pérez"), Some("claudio.perez@example.com"), Some("600 123 456"), None, json!({}));
    let conv = sim.add_conversation(inbox, contact, json!({}));
    sim.add_message(conv, 0, false, Some("Hola, sigo sin el pedido"), json!({}));
    let dir = tempfile::tempdir().expect("temp dir");
    let ws = dir.path();
    let token = sim.token();

    let url = sim.base_url();
    let added = hilo_with_stdin(
        ws,
        &["accounts", "add", "chatwoot", "--name", "Soporte", "--url", &url, "--account-id", "7", "--token-stdin"],
        &format!("{token}\n"),
    );
    assert!(added.status.success(), "add chatwoot: {}", String::from_utf8_lossy(&added.stderr));
    let said = String::from_utf8_lossy(&added.stdout).to_string() + &String::from_utf8_lossy(&added.stderr);
    assert!(!said.contains(&token), "the token is never printed");

    let synced = ok_json(ws, &["sync", "--once", "--json"]);
    assert_eq!(synced[0]["account"], "Soporte", "{synced}");
    assert_eq!(synced[0]["messages"], 1, "{synced}");
    let convs = ok_json(ws, &["conversations", "--status", "all", "--json"]);
    let id = convs[0]["id"].as_i64().expect("conversation id");
    assert_eq!(convs[0]["channel"], "facebook");
    let timeline = ok_json(ws, &["timeline", "--customer", "+34 600 123 456", "--json"]);
    assert_eq!(timeline["customer"]["name"], "Claudio Pérez", "identities resolve the synced customer");

    let sent = ok_json(ws, &["reply", &id.to_string(), "Hola Claudio, ya está resuelto", "--json"]);
    assert_eq!(sent["state"], "delivered", "{sent}");
    assert_eq!(sim.messages_with_key(sent["idempotencyKey"].as_str().expect("key")), 1);

    let listed = ok_json(ws, &["accounts", "list", "--json"]);
    let text = listed.to_string();
    assert!(text.contains("Soporte") && !text.contains(&token), "{text}");
    assert!(text.contains("idle"), "the sync state is listed: {text}");

    // Offline: the note is queued, visible, and goes out once the server is back.
    sim.set_offline(true);
    let queued = hilo_with_stdin(ws, &["reply", &id.to_string(), "Reposición enviada", "--note", "--json"], "");
    assert!(queued.status.success(), "queueing works offline: {}", String::from_utf8_lossy(&queued.stderr));
    let queued: Value = serde_json::from_slice(&queued.stdout).expect("json");
    assert_eq!(queued["state"], "queued", "{queued}");
    let waiting = ok_json(ws, &["outbox", "--json"]);
    assert_eq!(waiting.as_array().map(Vec::len), Some(1), "{waiting}");
    let offline = hilo_with_stdin(ws, &["sync", "--once"], "");
    assert!(!offline.status.success(), "an offline sync fails visibly");
    assert!(String::from_utf8_lossy(&offline.stdout).contains("offline"), "{:?}", offline);
    sim.set_offline(false);
    let retry = hilo_with_stdin(ws, &["outbox", "retry", &queued["id"].to_string()], "");
    assert!(retry.status.success(), "{}", String::from_utf8_lossy(&retry.stderr));
    ok_json(ws, &["sync", "--once", "--json"]);
    assert_eq!(sim.messages_with_key(queued["idempotencyKey"].as_str().expect("key")), 1, "delivered once");
    assert_eq!(ok_json(ws, &["outbox", "--json"]).as_array().map(Vec::len), Some(0), "nothing left waiting");
    let timeline = ok_json(ws, &["timeline", "--customer", "claudio.perez@example.com", "--json"]);
    let notes =
        timeline["items"].as_array().expect("items").iter().filter(|i| i["text"] == "Reposición enviada").count();
    assert_eq!(notes, 1, "the note shows once after its echo is synced");

    for entry in std::fs::read_dir(ws).expect("workspace") {
        let bytes = std::fs::read(entry.expect("entry").path()).unwrap_or_default();
        assert!(!bytes.windows(token.len()).any(|w| w == token.as_bytes()), "no file holds the token");
    }
}
