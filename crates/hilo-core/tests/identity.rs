//! Identity graph end to end: the Claudio story assembled from the real connectors —
//! a call from his mobile through the AMI simulator, then his WhatsApp and Facebook
//! messages through the Chatwoot simulator, each channel spelling his identities its
//! own way — ends as ONE customer with ONE timeline in the right order.
//!
//! The story is a list of legs over one workspace (`Story`); each leg drives one
//! connector and says what it added. A third leg — an email from his address through
//! the mailbox connector against dovecot — plugs in as one more `Leg` (see
//! `the_story_across_channels_is_one_customer`), with no change to the assertions.

use std::sync::Arc;
use std::time::Duration;

use hilo_connectors::helpdesk::chatwoot::{ChatwootConfig, ChatwootSource};
use hilo_connectors::helpdesk::http::HttpTimeouts;
use hilo_connectors::telephony::{Backoff, LinkState};
use hilo_core::app::DEFAULT_REGION_SETTING;
use hilo_core::sync::{BackoffPolicy, SyncAccount, SyncConfig, sync_once};
use hilo_core::telephony::{
    AmiAccount, Language, TelephonyAccount, TelephonyEvent, TelephonyOptions, add_telephony_account, spawn_telephony,
};
use hilo_core::{AppCore, MemorySecretStore, RecordingNotifier};
use hilo_model::{CallOutcome, Channel, Direction, IdentityKind, MessageKind, TimelineEntry};
use hilo_store::{accounts, settings};
use hilo_tests::chatwoot_sim::{ChatwootSim, SimConfig};
use hilo_tests::sim::AmiSim;
use hilo_tests::sim::ami::{InboundScript, inbound_flow};
use phonenumber::country;
use serde_json::json;
use tokio::sync::mpsc::UnboundedReceiver;

const CLAUDIO_E164: &str = "+34600123456";

/// What a leg expects to find in the timeline: a description and a matcher.
type Expectation = (&'static str, fn(&TimelineEntry) -> bool);

/// One workspace the legs write into, and what each leg expects to find in the timeline.
struct Story {
    _dir: tempfile::TempDir,
    core: AppCore,
    secrets: Arc<MemorySecretStore>,
    /// (what, matcher) in the order the legs happened: oldest first.
    expected: Vec<Expectation>,
}

impl Story {
    async fn new() -> Story {
        let dir = tempfile::tempdir().expect("temp dir");
        let secrets = Arc::new(MemorySecretStore::default());
        let path = dir.path().to_owned();
        let keys = secrets.clone();
        let core = tokio::task::spawn_blocking(move || AppCore::open(&path, &*keys))
            .await
            .expect("join")
            .expect("open the workspace");
        core.store().write_async(|tx| settings::set(tx, DEFAULT_REGION_SETTING, &json!("ES"))).await.expect("region");
        Story { _dir: dir, core, secrets, expected: Vec::new() }
    }

    /// Chatwoot's timestamps are whole seconds: legs are a second and a bit apart so
    /// their order is the order they happened in.
    async fn pause(&self) {
        tokio::time::sleep(Duration::from_millis(1_100)).await;
    }
}

async fn next_matching<T>(
    events: &mut UnboundedReceiver<TelephonyEvent>,
    what: &str,
    mut pick: impl FnMut(&TelephonyEvent) -> Option<T>,
) -> T {
    let found = tokio::time::timeout(Duration::from_secs(20), async {
        while let Some(ev) = events.recv().await {
            if let Some(t) = pick(&ev) {
                return Some(t);
            }
        }
        None
    })
    .await;
    match found {
        Ok(Some(t)) => t,
        Ok(None) => panic!("the event stream ended before {what}"),
        Err(_) => panic!("timed out waiting for {what}"),
    }
}

/// Leg 1 (Monday): he phones from his mobile; the trunk sends the number with the
/// international prefix spelled out (`0034…`). Nobody owns the number yet, so the call
/// is stored unlinked.
async fn phone_leg(story: &mut Story) {
    let sim = AmiSim::start("hilo", "s3cret");
    let account = TelephonyAccount::Ami(AmiAccount {
        host: "127.0.0.1".into(),
        port: sim.port(),
        username: "hilo".into(),
        endpoint: "PJSIP/1986".into(),
        context: "from-internal".into(),
        event_mask: "call".into(),
        keepalive_secs: 5,
        originate_timeout_secs: 30,
        dial_prefix: None,
    });
    add_telephony_account(&story.core, story.secrets.clone(), "centralita", account, "s3cret".into())
        .await
        .expect("add the PBX");
    let options = TelephonyOptions {
        backoff: Backoff::new(Duration::from_millis(5), Duration::from_millis(50)),
        language: Some(Language::Es),
    };
    let mut handle =
        spawn_telephony(&story.core, story.secrets.clone(), Arc::new(RecordingNotifier::default()), options)
            .await
            .expect("start telephony");
    let mut events = handle.take_events().expect("events");
    next_matching(&mut events, "the link to come up", |e| match e {
        TelephonyEvent::Link { state: LinkState::Up, .. } => Some(()),
        _ => None,
    })
    .await;
    let flow = inbound_flow(InboundScript::Answered, &sim.next_id(), "0034600123456");
    sim.play(&flow);
    let call = next_matching(&mut events, "the call to end", |e| match e {
        TelephonyEvent::Call(c) if c.call_ref == flow.call_ref && c.ended_at.is_some() => Some(c.clone()),
        _ => None,
    })
    .await;
    assert_eq!(call.from.as_deref(), Some(CLAUDIO_E164), "0034… is stored as E.164");
    assert_eq!(call.customer_id, None, "nobody owns the number yet");
    handle.shutdown().await;
    story.expected.push(("Monday's answered call from his mobile", |e| {
        matches!(e, TimelineEntry::Call(c) if c.outcome == CallOutcome::Answered && c.from.as_deref() == Some(CLAUDIO_E164))
    }));
}

/// Leg 2 (Tuesday): two Chatwoot contacts — WhatsApp (phone as `+34 600-123-456`) and
/// Facebook (email in capitals, phone as `600 12 34 56`, his profile) — write in turn.
async fn chatwoot_leg(story: &mut Story) {
    let sim = ChatwootSim::start(SimConfig::default());
    let whatsapp = sim.add_inbox("Channel::TwilioSms", Some("whatsapp"));
    let facebook = sim.add_inbox("Channel::FacebookPage", None);
    let wa_contact = sim.add_contact(Some("Claudio"), None, Some("+34 600-123-456"), None, json!({}));
    let fb_contact = sim.add_contact(
        Some("Claudio Pérez"),
        Some("Claudio.Perez@Example.COM"),
        Some("600 12 34 56"),
        None,
        json!({"social_profiles": {"facebook": "https://www.facebook.com/claudio.perez.92"}}),
    );
    let wa = sim.add_conversation(whatsapp, wa_contact, json!({}));
    sim.add_message(wa, 0, false, Some("Buenas, ¿me llamáis por lo del pedido #48213?"), json!({}));
    story.pause().await;
    let fb = sim.add_conversation(facebook, fb_contact, json!({}));
    sim.add_message(
        fb,
        0,
        false,
        Some("Hola, soy Claudio. Ayer llamé por mi pedido #48213 que no llegó. ¿Me confirmáis que la reposición llega hoy?"),
        json!({}),
    );

    let account_id = story
        .core
        .store()
        .write_async(|tx| accounts::upsert(tx, "Soporte Chatwoot", hilo_model::AccountKind::Chatwoot, "{}", 0))
        .await
        .expect("account");
    let mut cfg =
        ChatwootConfig::new("Soporte Chatwoot", &sim.base_url(), sim.account_id(), sim.token(), country::Id::ES);
    cfg.timeouts = HttpTimeouts { connect: Duration::from_millis(500), request: Duration::from_secs(5) };
    let source = ChatwootSource::new(cfg).expect("source");
    let account = SyncAccount { id: account_id, name: "Soporte Chatwoot".into(), source: Arc::new(source) };
    let config = SyncConfig {
        interval: Duration::from_secs(3600),
        backoff: BackoffPolicy { base: Duration::from_millis(2), max: Duration::from_millis(40) },
        outbox_lease: Duration::from_secs(2),
    };
    sync_once(story.core.store(), account, config).await.expect("sync");
    story.expected.push(("his WhatsApp message", |e| {
        matches!(e, TimelineEntry::Message(m) if m.channel == Channel::Whatsapp && m.direction == Direction::Inbound)
    }));
    story.expected.push(("his Facebook message", |e| {
        matches!(e, TimelineEntry::Message(m) if m.channel == Channel::Facebook && m.kind == MessageKind::Message
            && m.text.contains("#48213"))
    }));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_story_across_channels_is_one_customer() {
    let mut story = Story::new().await;
    phone_leg(&mut story).await;
    story.pause().await;
    chatwoot_leg(&mut story).await;
    // Leg 3, once the mailbox connector lands: `mailbox_leg(&mut story).await;` — an
    // email from claudio.perez@example.com through dovecot, pushing its expectation
    // ("his email", a Channel::Email inbound message) like the legs above.

    let customers = story.core.customers().await.expect("customers");
    assert_eq!(
        customers.len(),
        1,
        "two helpdesk contacts and a phone call are one person: {:#?}",
        customers.iter().map(|c| &c.customer).collect::<Vec<_>>()
    );
    let claudio = &customers[0].customer;
    assert_eq!(claudio.name, "Claudio Pérez", "the contact with a full name names him");
    let has = |kind: IdentityKind, value: &str| claudio.identities.iter().any(|i| i.kind == kind && i.value == value);
    assert!(has(IdentityKind::Phone, CLAUDIO_E164), "one phone, however it was written: {claudio:?}");
    assert!(has(IdentityKind::Email, "claudio.perez@example.com"), "the email case-folded");
    assert!(has(IdentityKind::Facebook, "claudio.perez.92"), "the handle out of the profile URL");
    let contacts = claudio.identities.iter().filter(|i| i.kind == IdentityKind::Contact).count();
    assert_eq!(contacts, 2, "both helpdesk contacts point at him");
    assert_eq!(claudio.identities.iter().filter(|i| i.kind == IdentityKind::Phone).count(), 1);

    // Every lookup finds him; his timeline holds every leg, newest first.
    for ident in ["0034600123456", "600 123 456", "CLAUDIO.PEREZ@example.com", "@claudio.perez.92"] {
        assert_eq!(story.core.find_customer(ident).await.expect(ident), claudio.id, "{ident:?}");
    }
    let timeline = story.core.full_timeline(claudio.id).await.expect("timeline");
    let mut positions = Vec::new();
    for (what, matches) in &story.expected {
        let at = timeline
            .items
            .iter()
            .position(matches)
            .unwrap_or_else(|| panic!("{what} is in his timeline: {timeline:#?}"));
        positions.push((at, *what));
    }
    let newest_first: Vec<&str> = {
        let mut p = positions.clone();
        p.sort();
        p.into_iter().map(|(_, w)| w).collect()
    };
    let happened: Vec<&str> = story.expected.iter().rev().map(|(w, _)| *w).collect();
    assert_eq!(newest_first, happened, "the timeline reads newest first, in the order things happened");
    assert_eq!(timeline.items.len(), story.expected.len(), "nothing else, nothing twice: {timeline:#?}");
}
