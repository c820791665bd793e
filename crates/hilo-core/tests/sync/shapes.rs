//! What comes in: hostile HTML is stored sanitized; real responses (older and newer
//! shapes, nulls, missing and extra fields) are accepted; garbage is refused with an
//! error that names the account.

use hilo_core::sync::{self, SyncState};
use hilo_store::Store;
use hilo_tests::chatwoot_sim::{ChatwootSim, SimConfig};
use serde_json::json;

use crate::support::*;

fn rows(store: &Store, sql: &str) -> Vec<Vec<Option<String>>> {
    store
        .read(|c| {
            let mut stmt = c.prepare(sql)?;
            let n = stmt.column_count();
            let out = stmt
                .query_map([], |r| (0..n).map(|i| r.get::<_, Option<String>>(i)).collect::<rusqlite::Result<Vec<_>>>())?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(out)
        })
        .expect("query")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_html_is_stored_sanitized() {
    let sim = ChatwootSim::start(SimConfig::default());
    let inbox = sim.add_inbox("Channel::Email", None);
    let contact = sim.add_contact(Some("Mallory"), Some("mallory@example.com"), None, None, json!({}));
    let conv = sim.add_conversation(inbox, contact, json!({"mail_subject": "Pedido"}));
    let evil = r#"<div onmouseover="steal()" style="position:fixed">Hola <script>alert('x')</script>
        <a href="javascript:alert(1)">pincha</a> <img src="https://tracker.example/p.gif" onerror="boom()">
        <iframe src="https://evil.example"></iframe><style>body{display:none}</style>
        <a href="https://shop.example/pedido/7">tu pedido</a><form action="https://evil.example"><input name="pw"></form></div>"#;
    sim.add_message(
        conv,
        0,
        false,
        None,
        json!({"email": {"html_content": {"full": evil, "reply": evil}, "subject": "Pedido"}}),
    );
    sim.add_message(conv, 0, false, Some("<script>alert(2)</script> texto plano"), json!({}));
    let cache = Cache::new();
    let store = cache.open();
    sync::sync_once(&store, sync_account(&store, &sim, ACCOUNT), fast_config()).await.expect("sync");

    let stored = rows(&store, "SELECT html, text FROM messages ORDER BY id");
    assert_eq!(stored.len(), 2);
    let html = stored[0][0].clone().expect("the email keeps its (sanitized) HTML");
    for bad in [
        "<script",
        "alert(",
        "onmouseover",
        "onerror",
        "javascript:",
        "<img",
        "tracker.example",
        "<style",
        "display:none",
        "style=",
        "<iframe",
        "<form",
        "<input",
    ] {
        assert!(!html.contains(bad), "{bad:?} must not survive: {html}");
    }
    assert!(html.contains("https://shop.example/pedido/7"), "safe links stay: {html}");
    let text = stored[0][1].clone().unwrap_or_default();
    assert!(text.contains("Hola") && text.contains("tu pedido") && !text.contains("alert"), "searchable text: {text}");
    assert_eq!(stored[1][0], None, "a plain chat message has no HTML to render");
    let subject = rows(&store, "SELECT subject, channel FROM conversations");
    assert_eq!(subject[0], vec![Some("Pedido".to_owned()), Some("email".to_owned())]);
}

/// The 2021 sample shape: no `created_at`/`last_activity_at` (only `timestamp`), no
/// priority, a sender without email, integer and string ids mixed.
const OLD_LIST: &str = r#"{"data":{"meta":{"mine_count":1,"unassigned_count":0,"all_count":1},"payload":[
 {"meta":{"sender":{"additional_attributes":{},"availability_status":"offline","email":null,"id":"5","name":"Ana López",
   "phone_number":"611 22 33 44","thumbnail":""},"channel":"Channel::TwilioSms","assignee":null},
  "id":1,"messages":[{"id":11,"content":"hola","message_type":0,"created_at":1612000000,"conversation_id":1}],
  "inbox_id":1,"status":"pending","muted":false,"can_reply":true,"timestamp":1612000050,"contact_last_seen_at":0,
  "agent_last_seen_at":0,"unread_count":1,"additional_attributes":{}}]}}"#;

const OLD_MESSAGES: &str = r#"{"meta":{"labels":[],"additional_attributes":{},"contact":{"id":5}},"payload":[
 {"id":10,"content":"buenas","message_type":0,"created_at":1612000000,"conversation_id":1,"account_id":1,"inbox_id":1,
  "sender":{"id":5,"name":"Ana López","type":"contact"}},
 {"id":11,"content":"hola","message_type":1,"created_at":1612000050,"private":null,"content_attributes":null,
  "attachments":[{"id":1,"file_type":"image","data_url":"https://x/y.png"}],"sender":null}]}"#;

/// A current enterprise shape with SLA fields, labels, floats, and keys this build has never heard of.
const NEW_LIST: &str = r#"{"data":{"meta":{"mine_count":0,"assigned_count":1,"unassigned_count":0,"all_count":1},"payload":[
 {"meta":{"sender":{"id":9,"name":"Claudio Pérez","email":"Claudio.Perez@example.com","phone_number":"+34600123456",
   "identifier":null,"thumbnail":"","blocked":false,"type":"contact","additional_attributes":{"social_profiles":
   {"facebook":"claudio.perez","instagram":"","twitter":null}},"custom_attributes":{"vip":true}},
   "channel":"Channel::FacebookPage","assignee":{"id":3,"name":"Lucía","available_name":"Lucía G.","role":"agent",
   "thumbnail":"","auto_offline":true},"team":{"id":1,"name":"Soporte"},"hmac_verified":true},
  "id":"2","uuid":"5d6c","account_id":7,"inbox_id":2,"messages":[],"labels":["pedido"],"status":"snoozed",
  "priority":"urgent","snoozed_until":1900000000,"muted":false,"can_reply":true,
  "additional_attributes":{"type":"instagram_direct_message"},"custom_attributes":{},"created_at":1700000000,
  "timestamp":1700000100,"last_activity_at":1700000100,"updated_at":1700000100.734,"first_reply_created_at":null,
  "waiting_since":1700000000,"sla_policy_id":4,"applied_sla":{"id":1,"sla_status":"active"},"sla_events":[],
  "last_non_activity_message":{"id":21,"content":"¿Dónde está?","message_type":0,"created_at":1700000100},
  "some_future_field":{"nested":[1,2,3]}}]}}"#;

const NEW_MESSAGES: &str = r#"{"meta":{},"payload":[
 {"id":20,"content":"Hola","message_type":"incoming","content_type":"text","status":"read","created_at":"2023-11-14T22:13:20Z",
  "private":false,"sender_type":"Contact","sender":{"id":9,"name":"Claudio Pérez","type":"contact"},"sentiment":{},
  "additional_attributes":{},"processed_message_content":"Hola","external_source_ids":{}},
 {"id":21,"content":"¿Dónde está?","message_type":0,"created_at":1700000100,"source_id":"m_abc","private":false},
 {"id":22,"content":"Un bot responde","message_type":1,"sender_type":"AgentBot","created_at":1700000101},
 {"id":23,"content":"Reposición enviada","message_type":1,"private":true,"created_at":1700000102,"sender_type":"User",
  "sender":{"id":3,"name":"Lucía","available_name":"Lucía G.","type":"user"}}]}"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_shapes_old_and_new_are_accepted() {
    let sim = ChatwootSim::start(SimConfig::default());
    sim.add_inbox("Channel::TwilioSms", Some("whatsapp"));
    sim.add_inbox("Channel::FacebookPage", None);
    let cache = Cache::new();
    let store = cache.open();
    let account = sync_account(&store, &sim, ACCOUNT);

    sim.override_response("/conversations", 200, OLD_LIST);
    sim.override_response("/conversations/1/messages", 200, OLD_MESSAGES);
    sync::sync_once(&store, account.clone(), fast_config()).await.expect("the 2021 shape is accepted");
    sim.clear_overrides();
    sim.override_response("/conversations", 200, NEW_LIST);
    sim.override_response("/conversations/2/messages", 200, NEW_MESSAGES);
    sync::sync_once(&store, account.clone(), fast_config()).await.expect("the current shape is accepted");

    let convs = rows(
        &store,
        "SELECT remote_id, channel, status, priority, assignee, team FROM conversations ORDER BY remote_id",
    );
    let s = |v: &str| Some(v.to_owned());
    assert_eq!(
        convs[0],
        vec![s("1"), s("whatsapp"), s("pending"), s("none"), None, None],
        "Twilio with medium whatsapp"
    );
    assert_eq!(
        convs[1],
        vec![s("2"), s("instagram"), s("snoozed"), s("urgent"), s("Lucía G."), s("Soporte")],
        "Instagram through a Facebook page inbox"
    );
    let msgs =
        rows(&store, "SELECT remote_id, direction, kind, text FROM messages ORDER BY CAST(remote_id AS INTEGER)");
    let kinds: Vec<(String, String)> =
        msgs.iter().map(|r| (r[0].clone().unwrap_or_default(), r[2].clone().unwrap_or_default())).collect();
    assert_eq!(
        kinds,
        [("10", "message"), ("11", "message"), ("20", "message"), ("21", "message"), ("22", "bot"), ("23", "note")]
            .map(|(a, b)| (a.to_owned(), b.to_owned()))
    );
    assert_eq!(msgs[1][3].as_deref(), Some("hola"), "content wins over the attachment placeholder");
    let idents = rows(&store, "SELECT kind, value FROM identities ORDER BY kind, value");
    let has = |k: &str, v: &str| idents.iter().any(|r| r[0].as_deref() == Some(k) && r[1].as_deref() == Some(v));
    assert!(has("phone", "+34611223344"), "national numbers become E.164 in the workspace region: {idents:?}");
    assert!(has("email", "claudio.perez@example.com"));
    assert!(has("facebook", "claudio.perez"));
    assert!(!idents.iter().any(|r| r[0].as_deref() == Some("instagram")), "empty handles are not identities");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbage_is_refused_with_an_error_naming_the_account() {
    let sim = ChatwootSim::start(SimConfig::default());
    sim.add_inbox("Channel::WebWidget", None);
    let cache = Cache::new();
    let store = cache.open();
    let name = "Soporte Garbage";
    let account = sync_account(&store, &sim, name);
    let garbage = [
        (200, "<!DOCTYPE html><html><body>Please log in</body></html>"),
        (200, r#"{"data": 5}"#),
        (200, r#"{"unexpected": true}"#),
        (200, r#"{"data":{"payload":[{"id":"not-a-number","status":"open"}]}}"#),
        (200, r#"{"data":{"payload":[{"status":"open"}]}}"#),
        (200, r#"{"data":{"payload":[{"id":1,"created_at":{"weird":true}}]}}"#),
        (200, r#"{"data":{"payload":["#),
        (200, ""),
        (401, r#"{"errors":["You need to sign in or sign up before continuing."]}"#),
    ];
    for (status, body) in garbage {
        sim.clear_overrides();
        sim.override_response("/conversations", status, body);
        let err = sync::sync_once(&store, account.clone(), fast_config()).await.expect_err(body);
        let msg = err.to_string();
        assert!(msg.contains(name), "the error must name the account: {msg}");
        let st = store.read(|c| sync::read_status(c, account.id)).expect("status");
        assert_eq!(st.state, SyncState::Error, "{body}: {st:?}");
        assert!(st.last_error.as_deref().is_some_and(|e| e.contains(name)), "{st:?}");
    }
    let n: i64 =
        store.read(|c| Ok(c.query_row("SELECT count(*) FROM conversations", [], |r| r.get(0))?)).expect("count");
    assert_eq!(n, 0, "nothing from a refused page is stored");
    sim.clear_overrides();
    sync::sync_once(&store, account.clone(), fast_config()).await.expect("a sane reply syncs again");
    assert_eq!(store.read(|c| sync::read_status(c, account.id)).expect("status").state, SyncState::Idle);
}
