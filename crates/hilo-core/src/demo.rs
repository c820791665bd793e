//! The demo workspace: a realistic, deterministic customer-service history for an
//! online shop, told around Claudio Pérez (see docs/ARCHITECTURE.md, "The story").
//!
//! Same seed, same size and same `now` give the same workspace, ids included; every
//! instant is placed relative to `now`, so the SLA clocks are live the moment the
//! demo opens. The content is planned in memory first ([`plan`]), then written in one
//! transaction through the store's own upserts, exactly as sync would write it.
//!
//! Guarantees the rest of Hilo (and its end-to-end tests) rely on:
//! - Claudio is customer #1 with email `claudio.perez@example.com`, phone
//!   `+34600123456`, Facebook `claudio.perez.92` and Chatwoot contact `1:3800`;
//! - his timeline reads, newest first: the Facebook message three minutes before `now`,
//!   Ana García's note "… Reposición enviada, llega en 1 día." (25.5 h ago), the
//!   answered inbound call (26 h ago), then a resolved email from three weeks ago;
//! - the last customer is his duplicate "Claudio Perez" (an old mailbox contact,
//!   `claudio.p@example.com`, phone kept unparsed as `600 12 34 56`), so the customer
//!   panel shows a merge suggestion with its evidence (identity graph);
//! - his Facebook conversation is the newest activity of the workspace (top of the
//!   inbox) and his only open conversation; nothing else happens in the last 5 minutes.

mod plan;
mod text;

use std::collections::HashMap;

use hilo_model::{AccountKind, Origin};
use hilo_store::{Store, accounts, calls, conversations, customers, events, messages, settings, sla, snippets, stats};
use serde_json::json;

use crate::app::DEFAULT_REGION_SETTING;
use crate::error::{CoreError, Result};
use plan::Acct;

pub const DEFAULT_CUSTOMERS: usize = 200;
pub const DEFAULT_SEED: u64 = 7;

pub const CHATWOOT_ACCOUNT: &str = "Soporte Chatwoot";
pub const EMAIL_ACCOUNT: &str = "soporte@tienda.example";
pub const PHONE_ACCOUNT: &str = "Centralita";
pub const BUSINESS_CALENDAR: &str = "Horario Madrid";

const NOT_EMPTY: &str =
    "the workspace already has data; the demo goes into an empty workspace (use another --workspace directory)";

const WEEKLY_HOURS: &str = r#"{"mon":[["09:00","14:00"],["15:00","19:00"]],"tue":[["09:00","14:00"],["15:00","19:00"]],"wed":[["09:00","14:00"],["15:00","19:00"]],"thu":[["09:00","14:00"],["15:00","19:00"]],"fri":[["09:00","15:00"]],"sat":[],"sun":[]}"#;

#[derive(Debug, Clone)]
pub struct DemoOptions {
    pub customers: usize,
    pub seed: u64,
    /// The instant the demo's clocks are placed relative to (ms since epoch).
    pub now: i64,
}

impl Default for DemoOptions {
    fn default() -> DemoOptions {
        DemoOptions { customers: DEFAULT_CUSTOMERS, seed: DEFAULT_SEED, now: hilo_model::time::now_millis() }
    }
}

#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DemoSummary {
    pub customers: i64,
    pub conversations: i64,
    pub messages: i64,
    pub calls: i64,
    /// Claudio Pérez's customer id, the story every part of Hilo must tell.
    pub claudio_customer_id: i64,
}

/// Fills an empty workspace with the demo (at least Claudio, plus `customers - 1`
/// generated customers). Refuses a workspace that already has customers or
/// conversations, and writes nothing then. Blocking: call it on a blocking thread.
pub fn generate(store: &Store, options: &DemoOptions) -> Result<DemoSummary> {
    let now = options.now;
    let year = jiff::Timestamp::from_millisecond(now)
        .map_err(|e| CoreError::InvalidInput(format!("the demo's `now` ({now} ms) is not a valid instant: {e}")))?
        .to_zoned(jiff::tz::TimeZone::UTC)
        .year();
    let plan = plan::build(options.customers, options.seed, now);

    let written = store.write(|tx| {
        let before = stats::counts(tx)?;
        if before.customers > 0 || before.conversations > 0 {
            return Ok(None);
        }

        settings::set(tx, DEFAULT_REGION_SETTING, &json!("ES"))?;
        settings::set(tx, "demo.generatedAt", &json!(now))?;
        settings::set(tx, "demo.seed", &json!(options.seed))?;

        // Accounts: the non-secret half of their settings; `demo` marks them as not
        // reachable, so sync and telephony leave them alone.
        let chatwoot = accounts::upsert(
            tx,
            CHATWOOT_ACCOUNT,
            AccountKind::Chatwoot,
            &json!({
                "baseUrl": "https://chatwoot.tienda.example",
                "accountId": plan::CHATWOOT_ACCOUNT_REF,
                "inboxes": [
                    {"id": 1, "name": "Web", "channel": "chat"},
                    {"id": 2, "name": "WhatsApp", "channel": "whatsapp"},
                    {"id": 3, "name": "Facebook", "channel": "facebook"},
                    {"id": 4, "name": "Instagram", "channel": "instagram"},
                    {"id": 5, "name": "X", "channel": "x"},
                    {"id": 6, "name": "SMS", "channel": "sms"}
                ],
                "demo": true
            })
            .to_string(),
            now,
        )?;
        let mailbox = accounts::upsert(
            tx,
            EMAIL_ACCOUNT,
            AccountKind::Email,
            &json!({
                "address": EMAIL_ACCOUNT,
                "imapHost": "imap.tienda.example", "imapPort": 993,
                "smtpHost": "smtp.tienda.example", "smtpPort": 587,
                "username": EMAIL_ACCOUNT,
                "demo": true
            })
            .to_string(),
            now,
        )?;
        let pbx = accounts::upsert(
            tx,
            PHONE_ACCOUNT,
            AccountKind::Ami,
            &json!({"host": "pbx.tienda.example", "port": 5038, "username": "hilo", "endpoint": "PJSIP/1986", "demo": true})
                .to_string(),
            now,
        )?;
        let account_id = |a: Acct| match a {
            Acct::Chatwoot => chatwoot,
            Acct::Email => mailbox,
            Acct::Pbx => pbx,
        };

        // SLA: office hours in Madrid with the national holidays; 24/7 for messaging.
        let calendar = sla::upsert_calendar(tx, BUSINESS_CALENDAR, "Europe/Madrid", WEEKLY_HOURS)?;
        for y in [year, year.saturating_add(1)] {
            for (date, name) in plan::spanish_holidays(y) {
                sla::upsert_holiday(tx, calendar, &date, name)?;
            }
        }
        let messaging = json!(["chat", "whatsapp", "facebook", "instagram", "x", "sms", "telegram"]).to_string();
        let policies = [
            ("Urgente", 0, r#"["urgent"]"#, "[]", Some(300), Some(600), Some(4 * 3600), None),
            ("Chat y mensajería", 1, "[]", messaging.as_str(), Some(300), Some(600), Some(86_400), None),
            ("Email", 2, "[]", r#"["email"]"#, Some(3600), Some(14_400), Some(259_200), Some(calendar)),
            ("Devolución de llamada", 3, "[]", r#"["voice"]"#, Some(3600), None, None, Some(calendar)),
        ];
        for (name, position, priorities, channels, first, next, resolution, calendar_id) in policies {
            sla::upsert_policy(
                tx,
                &sla::NewPolicy {
                    name,
                    position,
                    match_priorities_json: priorities,
                    match_channels_json: channels,
                    first_response_secs: first,
                    next_response_secs: next,
                    resolution_secs: resolution,
                    calendar_id,
                    pause_when_pending: true,
                    at_risk_percent: 80,
                },
            )?;
        }
        for &(shortcut, language, title, body) in text::SNIPPETS {
            snippets::upsert(tx, shortcut, language, title, body)?;
        }

        let mut customer_ids = Vec::with_capacity(plan.customers.len());
        for c in &plan.customers {
            let id = customers::insert(tx, &c.name, Some(c.language), c.created_at)?;
            for i in &c.identities {
                customers::attach_identity(tx, id, &i.identity, i.account.map(account_id), c.created_at)?;
            }
            customer_ids.push(id);
        }

        let mut conversation_ids: HashMap<(Acct, &str), i64> = HashMap::new();
        for c in &plan.conversations {
            let customer_id = customer_ids[c.customer];
            let id = conversations::upsert(
                tx,
                &conversations::NewConversation {
                    account_id: account_id(c.account),
                    remote_id: &c.remote_id,
                    channel: c.channel,
                    status: c.status,
                    priority: c.priority,
                    subject: c.subject.as_deref(),
                    customer_id,
                    assignee: c.assignee,
                    team: c.team,
                    created_at: c.created_at,
                    snoozed_until: c.snoozed_until,
                },
            )?;
            conversation_ids.insert((c.account, c.remote_id.as_str()), id);
            for m in &c.messages {
                messages::upsert(
                    tx,
                    &messages::NewMessage {
                        conversation_id: id,
                        remote_id: m.remote_id.as_deref(),
                        direction: m.direction,
                        kind: m.kind,
                        author: Some(&m.author),
                        text: &m.text,
                        html: m.html.as_deref(),
                        delivery: m.delivery,
                        created_at: m.at,
                        origin: Origin::Demo,
                    },
                )?;
            }
            for e in &c.events {
                events::insert(
                    tx,
                    &events::NewEvent {
                        customer_id: Some(customer_id),
                        conversation_id: Some(id),
                        kind: e.kind,
                        at: e.at,
                        actor: e.actor.as_deref(),
                        from_value: e.from.as_deref(),
                        to_value: e.to.as_deref(),
                        origin: Origin::Demo,
                    },
                )?;
            }
        }

        for c in &plan.calls {
            calls::upsert(
                tx,
                &calls::NewCall {
                    account_id: pbx,
                    call_ref: &c.call_ref,
                    direction: c.direction,
                    from_number: c.from.as_deref(),
                    to_number: c.to.as_deref(),
                    agent: c.agent,
                    outcome: c.outcome,
                    started_at: c.started_at,
                    answered_at: c.answered_at,
                    ended_at: c.ended_at,
                    hangup_cause: c.hangup_cause,
                    customer_id: c.customer.map(|i| customer_ids[i]),
                    conversation_id: c
                        .conversation
                        .as_deref()
                        .and_then(|r| conversation_ids.get(&(Acct::Pbx, r)).copied()),
                    summary: c.summary.as_deref(),
                    origin: Origin::Demo,
                },
            )?;
        }

        backend_sla(tx, chatwoot, customer_ids.first().copied().unwrap_or_default())?;

        Ok(Some((stats::counts(tx)?, customer_ids.first().copied().unwrap_or_default())))
    })?;

    let Some((counts, claudio)) = written else { return Err(CoreError::InvalidInput(NOT_EMPTY.to_owned())) };
    Ok(DemoSummary {
        customers: counts.customers,
        conversations: counts.conversations,
        messages: counts.messages,
        calls: counts.calls,
        claudio_customer_id: claudio,
    })
}

/// Chatwoot's own SLA (Enterprise `applied_sla`) on two demo conversations, so the header
/// shows it beside Hilo's clocks: Claudio's newest reports a running policy; the newest
/// other open Chatwoot conversation reports a first-response miss (whether Hilo agrees
/// depends on its clocks; the header says so either way).
fn backend_sla(tx: &rusqlite::Connection, chatwoot: i64, claudio: i64) -> hilo_store::Result<()> {
    use hilo_model::sla_backend::{BackendSla, BackendSlaMiss, BackendSlaStatus};
    let newest = |sql: &str| -> hilo_store::Result<Option<(String, i64)>> {
        use rusqlite::OptionalExtension;
        Ok(tx.query_row(sql, rusqlite::params![chatwoot, claudio], |r| Ok((r.get(0)?, r.get(1)?))).optional()?)
    };
    let policy = |name: &str, status, misses| BackendSla {
        backend: "Chatwoot".to_owned(),
        policy_id: Some("1".to_owned()),
        policy_name: Some(name.to_owned()),
        status,
        first_response_secs: Some(300),
        next_response_secs: Some(600),
        resolution_secs: Some(86_400),
        business_hours_only: Some(false),
        misses,
    };
    let claudio_sql = "SELECT remote_id, last_activity_at FROM conversations WHERE account_id = ?1 AND customer_id = ?2
                       ORDER BY last_activity_at DESC LIMIT 1";
    if let Some((remote, _)) = newest(claudio_sql)? {
        let sla = policy("Mensajería 5 min", BackendSlaStatus::Active, Vec::new());
        hilo_store::sla_backend::set(tx, chatwoot, &remote, Some(&sla))?;
    }
    let other_sql = "SELECT remote_id, last_activity_at FROM conversations WHERE account_id = ?1 AND customer_id <> ?2
                     AND status = 'open' ORDER BY last_activity_at DESC LIMIT 1";
    if let Some((remote, at)) = newest(other_sql)? {
        let miss = vec![BackendSlaMiss { metric: hilo_model::sla::SlaMetric::FirstResponse, at: Some(at) }];
        let sla = policy("Mensajería 5 min", BackendSlaStatus::ActiveWithMisses, miss);
        hilo_store::sla_backend::set(tx, chatwoot, &remote, Some(&sla))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::time::Instant;

    use hilo_model::time::{HOUR, MINUTE};
    use hilo_model::{
        CallOutcome, Channel, ConversationStatus, ConversationSummary, Direction, IdentityKind, InboxQuery,
        MessageKind, Priority, TimelineEntry,
    };
    use hilo_store::{CacheKey, inbox, search, timeline};

    use super::*;

    /// 2025-06-15T15:06:40Z, a Sunday afternoon; any instant works.
    const NOW: i64 = 1_750_000_000_000;

    fn open(dir: &tempfile::TempDir, name: &str) -> Store {
        Store::open(&dir.path().join(name), CacheKey::from_bytes([9; 32])).expect("open store")
    }

    fn demo(store: &Store, customers: usize, seed: u64) -> DemoSummary {
        generate(store, &DemoOptions { customers, seed, now: NOW }).expect("demo generates")
    }

    fn full_inbox(store: &Store) -> Vec<ConversationSummary> {
        let mut out = Vec::new();
        let mut cursor = None;
        loop {
            let page = store
                .read(|c| inbox::list(c, &InboxQuery { cursor: cursor.clone(), limit: Some(97), ..Default::default() }))
                .expect("inbox page");
            out.extend(page.items);
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => return out,
            }
        }
    }

    fn full_timeline(store: &Store, customer: i64) -> Vec<TimelineEntry> {
        let mut out = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let page = store
                .read(|c| timeline::customer_timeline(c, customer, cursor.as_deref(), Some(7)))
                .expect("timeline page");
            out.extend(page.items);
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => return out,
            }
        }
    }

    fn count(store: &Store, sql: &str) -> i64 {
        store.read(|c| Ok(c.query_row(sql, [], |r| r.get::<_, i64>(0))?)).expect(sql)
    }

    #[test]
    fn same_seed_gives_the_same_workspace_and_another_seed_another() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (a, b, c) = (open(&dir, "a.db"), open(&dir, "b.db"), open(&dir, "c.db"));
        let sa = demo(&a, DEFAULT_CUSTOMERS, DEFAULT_SEED);
        let sb = demo(&b, DEFAULT_CUSTOMERS, DEFAULT_SEED);
        let sc = demo(&c, DEFAULT_CUSTOMERS, DEFAULT_SEED + 1);

        let (ia, ib, ic) = (full_inbox(&a), full_inbox(&b), full_inbox(&c));
        assert_eq!(ia.len() as i64, sa.conversations, "the inbox pages cover every conversation");
        assert_eq!(ia, ib, "same seed, same inbox (ids, texts, times)");
        assert_eq!(sa.claudio_customer_id, sb.claudio_customer_id);
        assert_eq!(full_timeline(&a, sa.claudio_customer_id), full_timeline(&b, sb.claudio_customer_id));
        for id in [2, 50, 120] {
            assert_eq!(full_timeline(&a, id), full_timeline(&b, id), "customer {id} is the same");
        }
        let dump = "SELECT group_concat(x, '|') FROM (SELECT call_ref || from_number || outcome || started_at AS x FROM calls ORDER BY id)";
        let calls_a: String = a.read(|c| Ok(c.query_row(dump, [], |r| r.get(0))?)).expect("calls");
        let calls_b: String = b.read(|c| Ok(c.query_row(dump, [], |r| r.get(0))?)).expect("calls");
        assert_eq!(calls_a, calls_b);

        assert_eq!(sc.customers, sa.customers);
        assert_ne!(ia, ic, "another seed tells other stories");
        let names = |i: &[ConversationSummary]| i.iter().map(|c| c.customer_name.clone()).collect::<BTreeSet<_>>();
        assert_ne!(names(&ia), names(&ic));
        // Claudio's story does not depend on the seed.
        assert_eq!(ic[0].customer_name, "Claudio Pérez");
    }

    #[test]
    fn default_demo_covers_every_channel_status_priority_and_kind() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = open(&dir, "hilo.db");
        let started = Instant::now();
        let s = demo(&store, DEFAULT_CUSTOMERS, DEFAULT_SEED);
        eprintln!("demo of {} customers written in {:?}: {s:?}", DEFAULT_CUSTOMERS, started.elapsed());
        assert_eq!(s.customers, 201, "200 plus Claudio's duplicate from the mailbox");
        assert!((320..=520).contains(&s.conversations), "~2 conversations per customer: {s:?}");
        assert!((40..=80).contains(&s.calls), "~60 calls: {s:?}");

        let inbox = full_inbox(&store);
        let channels: BTreeSet<Channel> = inbox.iter().map(|c| c.channel).collect();
        for ch in [
            Channel::Email,
            Channel::Chat,
            Channel::Whatsapp,
            Channel::Facebook,
            Channel::Instagram,
            Channel::X,
            Channel::Sms,
        ] {
            assert!(channels.contains(&ch), "{ch} present");
        }
        let statuses: BTreeSet<ConversationStatus> = inbox.iter().map(|c| c.status).collect();
        assert_eq!(statuses.len(), ConversationStatus::ALL.len(), "{statuses:?}");
        let priorities: BTreeSet<Priority> = inbox.iter().map(|c| c.priority).collect();
        assert_eq!(priorities.len(), Priority::ALL.len(), "{priorities:?}");
        let assignees: BTreeSet<Option<String>> = inbox.iter().map(|c| c.assignee.clone()).collect();
        for a in [None, Some("Ana García"), Some("Luis Romero"), Some("Marta Ruiz"), Some("Sam Taylor")] {
            assert!(assignees.contains(&a.map(str::to_owned)), "{a:?} has conversations");
        }

        // Messages: 2-12 per conversation (Claudio's story conversations are shorter),
        // bot turns, hand-offs, notes in about a third of the conversations.
        assert_eq!(
            count(
                &store,
                "SELECT count(*) FROM (SELECT conversation_id, count(*) n FROM messages GROUP BY conversation_id)
                 WHERE n > 12 OR n < 2"
            ),
            2
        );
        assert!(count(&store, "SELECT count(*) FROM messages WHERE kind = 'bot' AND author = 'Bot'") > 10);
        let handoffs = count(&store, "SELECT count(*) FROM timeline_events WHERE kind = 'handoff' AND actor = 'Bot'");
        assert!(handoffs >= 5, "{handoffs} hand-offs");
        let with_notes = count(&store, "SELECT count(DISTINCT conversation_id) FROM messages WHERE kind = 'note'");
        assert!((s.conversations / 5..=s.conversations * 2 / 5).contains(&with_notes), "{with_notes} with notes");
        assert_eq!(count(&store, "SELECT count(*) FROM timeline_events WHERE customer_id IS NULL"), 0);
        for kind in ["status_changed", "assigned", "priority_changed"] {
            let n = count(&store, &format!("SELECT count(*) FROM timeline_events WHERE kind = '{kind}'"));
            assert!(n > 0, "{kind} events present");
        }
        assert_eq!(
            count(&store, "SELECT count(*) FROM messages WHERE direction = 'outbound' AND delivery = 'pending'"),
            2
        );
        assert_eq!(
            count(&store, "SELECT count(*) FROM messages WHERE direction = 'outbound' AND delivery = 'failed'"),
            1
        );
        assert_eq!(
            count(&store, "SELECT count(*) FROM messages WHERE direction = 'inbound' AND delivery <> 'delivered'"),
            0
        );
        assert!(count(&store, "SELECT count(*) FROM messages WHERE html IS NOT NULL") >= 5, "a few HTML emails");
        assert_eq!(
            count(
                &store,
                &format!(
                    "SELECT count(*) FROM conversations WHERE status = 'snoozed' AND (snoozed_until IS NULL OR snoozed_until <= {NOW})"
                )
            ),
            0,
            "snoozed until a future instant"
        );
        assert_eq!(count(&store, &format!("SELECT count(*) FROM messages WHERE created_at > {NOW}")), 0);
        assert!(
            count(&store, "SELECT min(created_at) FROM messages") >= NOW - 40 * 24 * HOUR,
            "the history spans about a month"
        );

        // Calls of every kind, on customers who have that phone number.
        for (outcome, direction) in [
            (CallOutcome::Answered, Direction::Inbound),
            (CallOutcome::Missed, Direction::Inbound),
            (CallOutcome::Busy, Direction::Inbound),
            (CallOutcome::Answered, Direction::Outbound),
            (CallOutcome::Failed, Direction::Outbound),
        ] {
            let n = count(
                &store,
                &format!("SELECT count(*) FROM calls WHERE outcome = '{outcome}' AND direction = '{direction}'"),
            );
            assert!(n > 0, "{direction} {outcome} calls present");
        }
        assert_eq!(
            count(
                &store,
                "SELECT count(*) FROM calls k WHERE k.customer_id IS NOT NULL AND NOT EXISTS (
                     SELECT 1 FROM identities i WHERE i.customer_id = k.customer_id AND i.kind = 'phone'
                     AND i.value IN (k.from_number, k.to_number))"
            ),
            0
        );
        assert_eq!(count(&store, "SELECT count(*) FROM calls WHERE outcome = 'answered' AND answered_at IS NULL"), 0);
        assert_eq!(
            count(
                &store,
                "SELECT count(*) FROM calls WHERE outcome = 'missed' AND (answered_at IS NOT NULL OR agent IS NOT NULL)"
            ),
            0
        );
        assert_eq!(
            count(
                &store,
                "SELECT count(*) FROM calls WHERE outcome = 'answered' AND (ended_at - answered_at < 30000 OR ended_at - answered_at > 900000)"
            ),
            0
        );

        // Identities: every customer is reachable, phones are E.164, handles are bare.
        assert_eq!(
            count(
                &store,
                "SELECT count(*) FROM customers c WHERE NOT EXISTS (SELECT 1 FROM identities i WHERE i.customer_id = c.id)"
            ),
            0
        );
        assert_eq!(
            count(&store, "SELECT count(*) FROM identities WHERE kind = 'phone_unparsed'"),
            1,
            "only the duplicate's phone, stored before the region was set"
        );
        assert!(count(&store, "SELECT count(*) FROM identities WHERE kind = 'phone' AND value LIKE '+52%'") > 0);
        assert!(count(&store, "SELECT count(*) FROM identities WHERE kind = 'phone' AND value LIKE '+44%'") > 0);
        assert!(count(&store, "SELECT count(*) FROM identities WHERE kind = 'phone' AND display <> value") > 50);
        assert!(count(&store, "SELECT count(*) FROM identities WHERE kind = 'contact'") > 100);
        assert_eq!(
            count(&store, "SELECT count(*) FROM identities WHERE kind = 'email' AND value NOT LIKE '%@example.___'"),
            0
        );
        assert!(count(&store, "SELECT count(*) FROM customers WHERE language = 'en'") > 20);

        // Configuration.
        assert_eq!(count(&store, "SELECT count(*) FROM accounts"), 3);
        assert_eq!(count(&store, "SELECT count(*) FROM sla_policies"), 4);
        assert_eq!(count(&store, "SELECT count(*) FROM holidays"), 20);
        assert_eq!(count(&store, "SELECT count(*) FROM snippets WHERE language = 'es'"), 6);
        assert_eq!(count(&store, "SELECT count(*) FROM snippets WHERE language = 'en'"), 6);
        let region = store.read(|c| settings::get(c, DEFAULT_REGION_SETTING)).expect("setting");
        assert_eq!(region, Some(json!("ES")));
        let at = store.read(|c| settings::get(c, "demo.generatedAt")).expect("setting");
        assert_eq!(at, Some(json!(NOW)));
    }

    #[test]
    fn claudio_story_reads_call_note_then_facebook() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = open(&dir, "hilo.db");
        let s = demo(&store, DEFAULT_CUSTOMERS, DEFAULT_SEED);
        let claudio = s.claudio_customer_id;

        let by_phone = store.read(|c| customers::find_by_identity(c, IdentityKind::Phone, "+34600123456")).expect("q");
        let by_email = store
            .read(|c| customers::find_by_identity(c, IdentityKind::Email, "claudio.perez@example.com"))
            .expect("q");
        let by_facebook =
            store.read(|c| customers::find_by_identity(c, IdentityKind::Facebook, "claudio.perez.92")).expect("q");
        assert_eq!(by_phone, Some(claudio));
        assert_eq!(by_email, Some(claudio));
        assert_eq!(by_facebook, Some(claudio));

        let items = full_timeline(&store, claudio);
        let facebook = items
            .iter()
            .position(|e| {
                matches!(e, TimelineEntry::Message(m) if m.channel == Channel::Facebook
                    && m.direction == Direction::Inbound && m.text.contains("#48213"))
            })
            .expect("the Facebook message");
        let note = items
            .iter()
            .position(|e| {
                matches!(e, TimelineEntry::Message(m) if m.kind == MessageKind::Note
                    && m.text.contains("Reposición enviada, llega en 1 día") && m.author.as_deref() == Some("Ana García"))
            })
            .expect("Ana's note");
        let call = items
            .iter()
            .position(|e| {
                matches!(e, TimelineEntry::Call(c) if c.direction == Direction::Inbound
                    && c.outcome == CallOutcome::Answered && c.from.as_deref() == Some("+34600123456"))
            })
            .expect("the answered call");
        assert!(facebook < note && note < call, "newest first: message {facebook}, note {note}, call {call}");
        assert_eq!(facebook, 0, "his Facebook message is the newest thing in his timeline");
        let TimelineEntry::Call(c) = &items[call] else { unreachable!("checked above") };
        assert_eq!(c.hangup_cause.as_deref(), Some("16"));
        assert_eq!(c.agent.as_deref(), Some("PJSIP/1986"));
        assert_eq!(c.summary.as_deref(), Some("Pedido #48213 no ha llegado"));
        assert!((200..=300).contains(&c.talk_secs.unwrap_or(0)), "about 4 minutes of talk: {c:?}");
        assert!(c.at <= NOW - 24 * HOUR && c.at >= NOW - 30 * HOUR);
        assert!(
            items.iter().skip(call + 1).any(|e| matches!(e, TimelineEntry::Message(m) if m.channel == Channel::Email)),
            "an older email makes his history span channels"
        );

        let inbox = full_inbox(&store);
        let top = &inbox[0];
        assert_eq!(top.customer_id, claudio);
        assert_eq!(top.channel, Channel::Facebook);
        assert_eq!(top.status, ConversationStatus::Open);
        assert_eq!(top.priority, Priority::Medium);
        assert_eq!(top.account_name, CHATWOOT_ACCOUNT);
        assert_eq!(top.last_activity_at, NOW - 3 * MINUTE);
        assert_eq!(top.last_message_direction, Some(Direction::Inbound));
        assert!(inbox[1].last_activity_at <= NOW - 5 * MINUTE, "nothing else in the last minutes");
        let open_for_claudio =
            inbox.iter().filter(|c| c.customer_id == claudio && c.status == ConversationStatus::Open).count();
        assert_eq!(open_for_claudio, 1, "\"1 conversación abierta\" when he calls again");
        let max_message = count(&store, "SELECT max(created_at) FROM messages");
        assert_eq!(max_message, NOW - 3 * MINUTE);
    }

    #[test]
    fn claudio_has_a_duplicate_suggested_with_evidence() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = open(&dir, "hilo.db");
        let s = demo(&store, DEFAULT_CUSTOMERS, DEFAULT_SEED);
        let es = hilo_model::parse_region("ES");
        let pairs = store
            .read(|c| hilo_store::merge_suggestions::for_customer(c, s.claudio_customer_id, es))
            .expect("suggestions");
        assert_eq!(pairs.len(), 1, "one duplicate of Claudio: {pairs:?}");
        let duplicate = pairs[0].other(s.claudio_customer_id);
        let name = store.read(|c| customers::summary(c, duplicate)).expect("summary").name;
        assert_eq!(name, "Claudio Perez");
        let evidence = pairs[0].evidence_for(s.claudio_customer_id);
        let kinds: Vec<_> = evidence.iter().map(|e| (e.kind, e.here.as_str(), e.there.as_str())).collect();
        assert_eq!(
            kinds,
            vec![
                (hilo_model::MergeEvidenceKind::SamePhone, "+34 600 123 456", "600 12 34 56"),
                (
                    hilo_model::MergeEvidenceKind::SameNameAndDomain,
                    "claudio.perez@example.com",
                    "claudio.p@example.com"
                ),
            ]
        );
        let all = store.read(|c| hilo_store::merge_suggestions::all(c, es)).expect("all");
        assert_eq!(all.len(), 1, "the demo's only suggestion, not noise: {all:?}");
    }

    #[test]
    fn search_finds_the_note_without_accents() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = open(&dir, "hilo.db");
        let s = demo(&store, DEFAULT_CUSTOMERS, DEFAULT_SEED);
        let hits = store.read(|c| search::search(c, "reposicion", None)).expect("search");
        let note = hits.iter().find(|h| {
            h.customer_id == s.claudio_customer_id
                && h.snippet.iter().any(|seg| seg.marked && seg.text.to_lowercase().starts_with("reposici"))
                && h.snippet.iter().map(|seg| seg.text.as_str()).collect::<String>().contains("llega en 1 día")
        });
        assert!(note.is_some(), "Claudio's note is found by `reposicion`: {hits:?}");
    }

    #[test]
    fn refuses_a_workspace_that_has_data() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = open(&dir, "hilo.db");
        let first = demo(&store, 20, 3);
        let err = generate(&store, &DemoOptions { customers: 20, seed: 3, now: NOW }).expect_err("second demo refused");
        assert!(matches!(err, CoreError::InvalidInput(ref m) if m == NOT_EMPTY), "{err:?}");
        let after = store.read(stats::counts).expect("counts");
        assert_eq!(
            (after.customers, after.conversations, after.messages),
            (first.customers, first.conversations, first.messages)
        );
    }

    #[test]
    fn stored_html_is_sanitized() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = open(&dir, "hilo.db");
        demo(&store, DEFAULT_CUSTOMERS, DEFAULT_SEED);
        let htmls: Vec<String> = store
            .read(|c| {
                let mut stmt = c.prepare("SELECT html FROM messages WHERE html IS NOT NULL")?;
                let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
                Ok(rows.collect::<Result<Vec<_>, _>>()?)
            })
            .expect("html bodies");
        assert!(htmls.len() >= 5);
        for h in &htmls {
            for bad in ["<script", "onerror", "javascript:", "<img", "onload", "tracker.example", "<style"] {
                assert!(!h.to_lowercase().contains(bad), "{bad:?} survived sanitizing: {h}");
            }
        }
        let hostile = count(
            &store,
            "SELECT count(*) FROM messages WHERE html LIKE '%Mi carrito%' AND text LIKE '%no se aplica en el carrito%'",
        );
        assert_eq!(hostile, 1, "the hostile email is stored, defused");
        assert_eq!(count(&store, "SELECT count(*) FROM messages WHERE text LIKE '%document.cookie%'"), 0);
    }

    #[test]
    fn small_and_large_demos_work() {
        let dir = tempfile::tempdir().expect("tempdir");
        let tiny = open(&dir, "tiny.db");
        let s = demo(&tiny, 1, 1);
        assert_eq!((s.customers, s.conversations, s.calls), (1, 3, 1), "Claudio alone");
        let zero = open(&dir, "zero.db");
        assert_eq!(demo(&zero, 0, 1).customers, 1, "the story needs Claudio at least");

        let large = open(&dir, "large.db");
        let started = Instant::now();
        let s = demo(&large, 5_000, 11);
        eprintln!("demo of 5000 customers written in {:?}: {s:?}", started.elapsed());
        assert_eq!(s.customers, 5_001);
        assert!(s.conversations > 9_000);
        assert_eq!(full_inbox(&large)[0].customer_id, s.claudio_customer_id);
    }
}
