//! Identity graph end to end: the Claudio story assembled from the real connectors —
//! a call from his mobile through the AMI simulator, then his WhatsApp and Facebook
//! messages through the Chatwoot simulator, then an email from his address through the
//! shared-mailbox connector against a real dovecot, each channel spelling his
//! identities its own way — ends as ONE customer with ONE timeline in the right order.
//!
//! The story is a list of legs over one workspace (`Story`); each leg drives one
//! connector and pushes what it expects to find in the timeline, oldest first.

use std::sync::Arc;
use std::time::Duration;

use hilo_connectors::helpdesk::chatwoot::{ChatwootConfig, ChatwootSource};
use hilo_connectors::helpdesk::http::HttpTimeouts;
use hilo_connectors::telephony::{Backoff, LinkState};
use hilo_core::app::DEFAULT_REGION_SETTING;
use hilo_core::sync::accounts::{EmailAccountConfig, MailSecurity, SourceOptions, add_email_account, email_account};
use hilo_core::sync::{BackoffPolicy, SyncAccount, SyncConfig, sync_once};
use hilo_core::telephony::{
    AmiAccount, Language, TelephonyAccount, TelephonyEvent, TelephonyOptions, add_telephony_account, spawn_telephony,
};
use hilo_core::{AppCore, MemorySecretStore, RecordingNotifier};
use hilo_model::{CallOutcome, Channel, Direction, IdentityKind, MessageKind, TimelineEntry};
use hilo_store::{accounts, settings};
use hilo_tests::chatwoot_sim::{ChatwootSim, SimConfig};
use hilo_tests::dovecot::Dovecot;
use hilo_tests::sim::AmiSim;
use hilo_tests::sim::ami::{InboundScript, inbound_flow};
use phonenumber::country;
use serde_json::json;
use tokio::sync::mpsc::UnboundedReceiver;

const CLAUDIO_E164: &str = "+34600123456";
/// His address as every channel stores it: case-folded.
const CLAUDIO_EMAIL: &str = "claudio.perez@example.com";
const MAILBOX: &str = "Buzón soporte";
const SUPPORT: &str = "support@example.com";
const SUPPORT_PASSWORD: &str = "imap-pass-7f3a";

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

    fn sync_config() -> SyncConfig {
        SyncConfig {
            interval: Duration::from_secs(3600),
            backoff: BackoffPolicy { base: Duration::from_millis(2), max: Duration::from_millis(40) },
            outbox_lease: Duration::from_secs(2),
        }
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
    sync_once(story.core.store(), account, Story::sync_config()).await.expect("sync");
    story.expected.push(("his WhatsApp message", |e| {
        matches!(e, TimelineEntry::Message(m) if m.channel == Channel::Whatsapp && m.direction == Direction::Inbound)
    }));
    story.expected.push(("his Facebook message", |e| {
        matches!(e, TimelineEntry::Message(m) if m.channel == Channel::Facebook && m.kind == MessageKind::Message
            && m.text.contains("#48213"))
    }));
}

/// Leg 3 (later that day): he writes to the shared support mailbox from his address,
/// spelled in yet another letter case (`CLAUDIO.PEREZ@example.COM`; the Facebook contact
/// had `Claudio.Perez@Example.COM`). The mail is seeded into a real dovecot with IMAP
/// APPEND and mirrored by adding the mailbox as an email account and syncing it.
async fn mailbox_leg(story: &mut Story) {
    let dovecot = Dovecot::start(&[(SUPPORT, SUPPORT_PASSWORD)]);
    // The Date header decides the message's place: whole seconds, taken after the pause
    // that follows the Facebook message (also whole seconds), so it is strictly newer.
    let date = jiff::fmt::rfc2822::to_string(&jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC))
        .expect("RFC 2822 date");
    let raw = format!(
        "Message-ID: <pedido-48213-claudio@example.com>\r\n\
         From: \"Claudio\" <CLAUDIO.PEREZ@example.COM>\r\n\
         To: {SUPPORT}\r\n\
         Subject: Pedido #48213\r\n\
         Date: {date}\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n\
         Os adjunto el justificante del pedido #48213, por si lo necesitáis.\r\n"
    );
    dovecot.append(SUPPORT, "INBOX", &raw);

    let config = EmailAccountConfig {
        imap: format!("127.0.0.1:{}", dovecot.imap_port),
        // Nothing is sent in this story; the SMTP server is never contacted.
        smtp: "127.0.0.1:2525".into(),
        user: SUPPORT.into(),
        security: MailSecurity::None,
        mailbox: "INBOX".into(),
        address: None,
    };
    let account_id = add_email_account(story.core.store(), story.secrets.clone(), MAILBOX, config, SUPPORT_PASSWORD)
        .await
        .expect("add the mailbox");
    let row = story
        .core
        .store()
        .read_async(|c| accounts::by_name(c, MAILBOX))
        .await
        .expect("account row")
        .expect("the mailbox account");
    assert_eq!(row.id, account_id);
    let options = SourceOptions {
        region: country::Id::ES,
        timeouts: HttpTimeouts { connect: Duration::from_millis(500), request: Duration::from_secs(5) },
    };
    let keys = hilo_core::AccountKeys::of(story.core.store()).await.expect("keychain scope");
    let account = email_account(&row, &keys, &*story.secrets, options).expect("the mailbox source");
    let report = sync_once(story.core.store(), account, Story::sync_config())
        .await
        .unwrap_or_else(|e| panic!("mailbox sync: {e}\n{}", dovecot.log()));
    assert_eq!(report.messages, 1, "his one email: {report:?}");
    story.expected.push(("his email", |e| {
        matches!(e, TimelineEntry::Message(m) if m.channel == Channel::Email && m.direction == Direction::Inbound
            && m.kind == MessageKind::Message && m.text.contains("justificante"))
    }));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_story_across_channels_is_one_customer() {
    let mut story = Story::new().await;
    phone_leg(&mut story).await;
    story.pause().await;
    chatwoot_leg(&mut story).await;
    story.pause().await;
    mailbox_leg(&mut story).await;

    let customers = story.core.customers().await.expect("customers");
    assert_eq!(
        customers.len(),
        1,
        "two helpdesk contacts, a phone call and a mailbox sender are one person: {:#?}",
        customers.iter().map(|c| &c.customer).collect::<Vec<_>>()
    );
    let claudio = &customers[0].customer;
    assert_eq!(claudio.name, "Claudio Pérez", "the contact with a full name names him");
    let has = |kind: IdentityKind, value: &str| claudio.identities.iter().any(|i| i.kind == kind && i.value == value);
    assert!(has(IdentityKind::Phone, CLAUDIO_E164), "one phone, however it was written: {claudio:?}");
    assert!(has(IdentityKind::Email, CLAUDIO_EMAIL), "the email case-folded");
    assert_eq!(
        claudio.identities.iter().filter(|i| i.kind == IdentityKind::Email).count(),
        1,
        "one address, however its case was written: {claudio:?}"
    );
    assert!(has(IdentityKind::Facebook, "claudio.perez.92"), "the handle out of the profile URL");
    let contacts = claudio.identities.iter().filter(|i| i.kind == IdentityKind::Contact).count();
    assert_eq!(contacts, 3, "both helpdesk contacts and the mailbox sender point at him: {claudio:?}");
    assert_eq!(claudio.identities.iter().filter(|i| i.kind == IdentityKind::Phone).count(), 1);

    // Every lookup finds him; his timeline holds every leg, newest first.
    for ident in ["0034600123456", "600 123 456", "CLAUDIO.PEREZ@example.com", "@claudio.perez.92"] {
        assert_eq!(story.core.find_customer(ident).await.expect(ident), claudio.id, "{ident:?}");
    }
    // The email identity itself is his (not a merged-away customer's), and so is the
    // mailbox's conversation.
    let owners = story
        .core
        .store()
        .read_async(|c| {
            let identity: i64 = c.query_row(
                "SELECT customer_id FROM identities WHERE kind = 'email' AND value = ?1",
                [CLAUDIO_EMAIL],
                |r| r.get(0),
            )?;
            let mut stmt = c.prepare("SELECT customer_id FROM conversations WHERE channel = 'email'")?;
            let mail = stmt.query_map([], |r| r.get::<_, i64>(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
            Ok((identity, mail))
        })
        .await
        .expect("owners");
    assert_eq!(owners, (claudio.id, vec![claudio.id]), "the address and the mail thread are his");
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
