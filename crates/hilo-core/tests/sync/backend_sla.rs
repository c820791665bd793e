//! Chatwoot's own SLA state, round trip: the simulator serves `applied_sla` and
//! `sla_events` as Chatwoot Enterprise does; sync stores them beside the conversation;
//! the SLA overview carries them next to Hilo's clocks, says where the two disagree, and
//! keeps conversations that only the backend gives an SLA. Removing the policy on the
//! server clears it here.

use hilo_core::sla::overview::overview;
use hilo_core::sync;
use hilo_model::sla::{SlaMetric, SlaOverview, SlaOverviewQuery, SlaState};
use hilo_model::sla_backend::BackendSlaStatus;
use hilo_store::{Store, sla};
use hilo_tests::chatwoot_sim::{ChatwootSim, SimConfig, SimSla};
use serde_json::json;

use crate::support::*;

fn now() -> i64 {
    hilo_model::time::now_millis()
}

fn live(store: &Store) -> SlaOverview {
    store.read(|c| overview(c, &SlaOverviewQuery::default(), now())).expect("overview")
}

fn stored_backend_sla(store: &Store) -> Vec<Option<String>> {
    store
        .read(|c| {
            let mut stmt = c.prepare("SELECT backend_sla FROM conversations ORDER BY remote_id")?;
            let rows = stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
        .expect("backend_sla column")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chatwoot_applied_sla_round_trips_to_the_overview_beside_hilos_clocks() {
    let sim = ChatwootSim::start(SimConfig::default());
    let chat = sim.add_inbox("Channel::WebWidget", None);
    let email = sim.add_inbox("Channel::Email", None);
    let claudio = sim.add_contact(Some("Claudio Pérez"), Some("claudio@example.com"), None, None, json!({}));
    let ana = sim.add_contact(Some("Ana López"), Some("ana@example.com"), None, None, json!({}));
    let chat_conv = sim.add_conversation(chat, claudio, json!({}));
    sim.add_message(chat_conv, 0, false, Some("Hola, mi pedido no llegó"), json!({}));
    let mail_conv = sim.add_conversation(email, ana, json!({"mail_subject": "Factura"}));
    sim.add_message(mail_conv, 0, false, Some("¿Y mi factura?"), json!({}));
    sim.add_conversation(chat, ana, json!({}));

    let cache = Cache::new();
    let store = cache.open();
    // Hilo's own policy covers chat only, with a 30-minute first response: running now.
    store
        .write(|tx| {
            sla::upsert_policy(
                tx,
                &sla::NewPolicy {
                    name: "Chat",
                    position: 1,
                    match_priorities_json: "[]",
                    match_channels_json: r#"["chat"]"#,
                    first_response_secs: Some(1800),
                    next_response_secs: Some(1800),
                    resolution_secs: None,
                    calendar_id: None,
                    pause_when_pending: true,
                    at_risk_percent: 80,
                },
            )
        })
        .expect("local policy");
    let chatwoot_sla = SimSla {
        sla_id: 7,
        name: "Chat 5 min",
        status: "active",
        first_response_secs: Some(300),
        next_response_secs: Some(600),
        resolution_secs: None,
    };
    sim.apply_sla(chat_conv, chatwoot_sla);
    sim.apply_sla(mail_conv, SimSla { sla_id: 9, name: "Email 1 h", first_response_secs: Some(3600), ..chatwoot_sla });

    sync::sync_once(&store, sync_account(&store, &sim, ACCOUNT), fast_config()).await.expect("first sync");
    let stored = stored_backend_sla(&store);
    assert_eq!(stored.iter().filter(|s| s.is_some()).count(), 2, "two conversations carry Chatwoot's SLA: {stored:?}");
    assert_eq!(stored[2], None, "a conversation without a policy stores nothing");

    let first = live(&store);
    let item =
        first.items.iter().find(|i| i.channel == hilo_model::Channel::Chat && i.customer_name == "Claudio Pérez");
    let item = item.expect("Hilo's own clocks for the chat");
    assert_eq!(item.state, SlaState::Running, "Hilo: 30-minute target, just started");
    let backend = item.backend.as_ref().expect("Chatwoot's state beside Hilo's clocks");
    assert_eq!(backend.sla.backend, "Chatwoot", "labelled with the backend's name");
    assert_eq!(backend.sla.policy_name.as_deref(), Some("Chat 5 min"));
    assert_eq!(backend.sla.status, BackendSlaStatus::Active);
    assert_eq!(backend.sla.first_response_secs, Some(300), "the backend's own threshold");
    assert!(backend.differing.is_empty(), "both running: they agree");
    assert!(backend.local_policy);
    assert_eq!(first.backend_only.len(), 1, "the email has Chatwoot's SLA but no Hilo policy: still shown");
    assert_eq!(first.backend_only[0].backend.sla.policy_name.as_deref(), Some("Email 1 h"));
    assert!(!first.backend_only[0].backend.local_policy);
    let row = &first.backend_only[0];
    assert_eq!(
        (row.customer_name.as_str(), row.channel, row.status),
        ("Ana López", hilo_model::Channel::Email, hilo_model::ConversationStatus::Open),
        "what a queue row shows of it"
    );
    let breached = |store: &Store| {
        let query = SlaOverviewQuery { include_finished: false, state: Some(SlaState::Breached) };
        store.read(|c| overview(c, &query, now())).expect("breached overview")
    };
    assert!(breached(&store).backend_only.is_empty(), "Chatwoot has not missed the email's target yet");

    // Chatwoot's 5 minutes pass before Hilo's 30: it records a first-response miss.
    sim.record_sla_miss(chat_conv, "frt");
    sim.record_sla_miss(mail_conv, "frt");
    sync::sync_once(&store, sync_account(&store, &sim, ACCOUNT), fast_config()).await.expect("second sync");
    let in_breached = breached(&store);
    assert_eq!(
        in_breached.backend_only.iter().map(|b| b.customer_name.as_str()).collect::<Vec<_>>(),
        ["Ana López"],
        "the \"Breached\" view lists the email Chatwoot missed, though no Hilo policy covers it"
    );
    let second = live(&store);
    let item = second.items.iter().find(|i| i.customer_name == "Claudio Pérez").expect("still tracked");
    let backend = item.backend.as_ref().expect("still reported");
    assert_eq!(backend.sla.status, BackendSlaStatus::ActiveWithMisses, "Chatwoot: SLA missed");
    assert_eq!(backend.sla.misses.len(), 1);
    assert_eq!(item.state, SlaState::Running, "Hilo's own clock is not overruled");
    assert_eq!(backend.differing, vec![SlaMetric::FirstResponse], "the disagreement is named, never hidden");

    // The policy is taken off on the server: the next sync clears it here.
    sim.remove_sla(chat_conv);
    sync::sync_once(&store, sync_account(&store, &sim, ACCOUNT), fast_config()).await.expect("third sync");
    let third = live(&store);
    let item = third.items.iter().find(|i| i.customer_name == "Claudio Pérez").expect("Hilo still tracks it");
    assert_eq!(item.backend, None, "no backend SLA any more");
    assert_eq!(stored_backend_sla(&store).iter().filter(|s| s.is_some()).count(), 1, "only the email's is left");
}
