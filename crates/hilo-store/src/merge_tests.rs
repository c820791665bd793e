//! Merge and unmerge on real SQLCipher files: round trips property-tested over random
//! customers, identities, conversations, calls and events; chains; data that arrives
//! between a merge and its unmerge; the timeline filters and jump-to-date.

use hilo_model::*;
use proptest::prelude::*;
use rusqlite::{Connection, params};

use crate::calls::NewCall;
use crate::conversations::NewConversation;
use crate::events::NewEvent;
use crate::merges::MergeRequest;
use crate::messages::NewMessage;
use crate::*;

fn temp_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(&dir.path().join("hilo.db"), CacheKey::from_bytes([3; 32])).expect("open store");
    (dir, store)
}

/// One generated customer: identities (kind index, value seed), conversations (channel
/// index, messages, events), calls, customer-level events.
#[derive(Debug, Clone)]
struct GenCustomer {
    language: Option<bool>,
    identities: Vec<(u8, u16)>,
    conversations: Vec<(u8, u8, u8)>,
    calls: u8,
    events: u8,
}

fn plan_customer() -> impl Strategy<Value = GenCustomer> {
    (
        proptest::option::of(any::<bool>()),
        proptest::collection::vec((0u8..4, 0u16..500), 0..4),
        proptest::collection::vec((0u8..7, 0u8..4, 0u8..3), 0..4),
        0u8..3,
        0u8..3,
    )
        .prop_map(|(language, identities, conversations, calls, events)| GenCustomer {
            language,
            identities,
            conversations,
            calls,
            events,
        })
}

const CHANNELS: [Channel; 7] =
    [Channel::Email, Channel::Chat, Channel::Whatsapp, Channel::Facebook, Channel::Instagram, Channel::Sms, Channel::X];

struct World {
    customers: Vec<i64>,
    chatwoot: i64,
    pbx: i64,
}

fn build(tx: &Connection, plan: &[GenCustomer]) -> Result<World> {
    let chatwoot = accounts::upsert(tx, "Soporte", AccountKind::Chatwoot, "{}", 0)?;
    let pbx = accounts::upsert(tx, "Centralita", AccountKind::Ami, "{}", 0)?;
    let mut customers_out = Vec::new();
    let mut at = 1_000;
    let mut tick = || {
        at += 1_000;
        at
    };
    for (n, g) in plan.iter().enumerate() {
        let language = g.language.map(|es| if es { "es" } else { "en" });
        let c = customers::insert(tx, &format!("Cliente {n}"), language, tick())?;
        for &(kind, seed) in &g.identities {
            let (kind, value) = match kind {
                0 => (IdentityKind::Email, format!("c{seed}@example.com")),
                1 => (IdentityKind::Phone, format!("+34600{seed:06}")),
                2 => (IdentityKind::Contact, format!("{chatwoot}:{seed}")),
                _ => (IdentityKind::Facebook, format!("fb.{seed}")),
            };
            // A value drawn twice stays with its first owner: one identity, one customer.
            customers::attach_identity(
                tx,
                c,
                &NormalizedIdentity { kind, value: value.clone(), display: value },
                Some(chatwoot),
                tick(),
            )?;
        }
        for (k, &(channel, messages, events)) in g.conversations.iter().enumerate() {
            let conv = conversations::upsert(
                tx,
                &NewConversation {
                    account_id: chatwoot,
                    remote_id: &format!("{n}-{k}"),
                    channel: CHANNELS[channel as usize],
                    status: ConversationStatus::Open,
                    priority: Priority::None,
                    subject: None,
                    customer_id: c,
                    assignee: None,
                    team: None,
                    created_at: tick(),
                    snoozed_until: None,
                },
            )?;
            for m in 0..messages {
                messages::upsert(
                    tx,
                    &NewMessage {
                        conversation_id: conv,
                        remote_id: Some(&m.to_string()),
                        direction: Direction::Inbound,
                        kind: if m == 2 { MessageKind::Note } else { MessageKind::Message },
                        author: None,
                        text: "hola",
                        html: None,
                        delivery: DeliveryState::Delivered,
                        created_at: tick(),
                        origin: Origin::Sync,
                    },
                )?;
            }
            for _ in 0..events {
                events::insert(
                    tx,
                    &NewEvent {
                        customer_id: Some(c),
                        conversation_id: Some(conv),
                        kind: EventKind::StatusChanged,
                        at: tick(),
                        actor: None,
                        from_value: Some("open"),
                        to_value: Some("resolved"),
                        origin: Origin::Sync,
                    },
                )?;
            }
        }
        for k in 0..g.calls {
            calls::upsert(tx, &call(pbx, &format!("{n}.{k}"), "+34600000001", Some(c), tick()))?;
        }
        for _ in 0..g.events {
            events::insert(
                tx,
                &NewEvent {
                    customer_id: Some(c),
                    conversation_id: None,
                    kind: EventKind::SlaAlert,
                    at: tick(),
                    actor: None,
                    from_value: None,
                    to_value: Some("breached"),
                    origin: Origin::Sla,
                },
            )?;
        }
        customers_out.push(c);
    }
    Ok(World { customers: customers_out, chatwoot, pbx })
}

fn call<'a>(pbx: i64, call_ref: &'a str, from: &'a str, customer: Option<i64>, at: i64) -> NewCall<'a> {
    NewCall {
        account_id: pbx,
        call_ref,
        direction: Direction::Inbound,
        from_number: Some(from),
        to_number: Some("1986"),
        agent: None,
        outcome: CallOutcome::Missed,
        started_at: at,
        answered_at: None,
        ended_at: Some(at + 20_000),
        hangup_cause: None,
        customer_id: customer,
        conversation_id: None,
        summary: None,
        origin: Origin::Telephony,
    }
}

/// Every row of every table a merge touches, as text; merge and unmerge events (the
/// audit trail, which stays) are left out.
fn snapshot(conn: &Connection) -> Vec<String> {
    let mut out = Vec::new();
    for sql in [
        "SELECT 'customer', id, name, language, created_at, updated_at, merged_into FROM customers ORDER BY id",
        "SELECT 'identity', id, customer_id, kind, value, display, account_id, created_at FROM identities ORDER BY id",
        "SELECT 'conversation', id, customer_id, account_id, remote_id, channel, status, identity_id FROM conversations ORDER BY id",
        "SELECT 'call', id, customer_id, call_ref, from_number, identity_id FROM calls ORDER BY id",
        "SELECT 'event', id, customer_id, conversation_id, kind, at, data FROM timeline_events
         WHERE kind NOT IN ('merged', 'unmerged') ORDER BY id",
        "SELECT 'message', id, conversation_id, text FROM messages ORDER BY id",
    ] {
        let mut stmt = conn.prepare(sql).expect(sql);
        let n = stmt.column_count();
        let rows = stmt
            .query_map([], |r| {
                (0..n)
                    .map(|i| r.get::<_, rusqlite::types::Value>(i).map(|v| format!("{v:?}")))
                    .collect::<rusqlite::Result<Vec<_>>>()
                    .map(|cols| cols.join("|"))
            })
            .expect("query");
        out.extend(rows.map(|r| r.expect("row")));
    }
    out
}

fn merge(conn: &Connection, target: i64, source: i64) -> Result<MergeOutcome> {
    merges::merge(
        conn,
        &MergeRequest {
            target_id: target,
            source_id: source,
            at: 9_000_000,
            actor: Some("Ana"),
            evidence: &[],
            origin: Origin::Ui,
        },
    )
}

fn count(conn: &Connection, sql: &str, id: i64) -> i64 {
    conn.query_row(sql, [id], |r| r.get(0)).expect(sql)
}

fn fail(e: impl std::fmt::Display) -> TestCaseError {
    TestCaseError::fail(e.to_string())
}

/// Applies `ops` as merges (checking each is refused exactly when it must be), then
/// undoes them in the order `order` picks, retrying refused ones later.
fn round_trip(
    tx: &Connection,
    plan: &[GenCustomer],
    ops: &[(usize, usize)],
    order: &[usize],
) -> std::result::Result<(), TestCaseError> {
    let world = build(tx, plan).map_err(fail)?;
    let before = snapshot(tx);
    let mut done: Vec<MergeOutcome> = Vec::new();
    for &(t, s) in ops {
        let (target, source) = (world.customers[t % plan.len()], world.customers[s % plan.len()]);
        let hidden = |id: i64| count(tx, "SELECT merged_into IS NOT NULL FROM customers WHERE id = ?1", id) == 1;
        let expect_ok = target != source && !hidden(target) && !hidden(source);
        let moving = count(tx, "SELECT count(*) FROM identities WHERE customer_id = ?1", source);
        match merge(tx, target, source) {
            Ok(m) => {
                prop_assert!(expect_ok, "merge {} into {} should have been refused", source, target);
                prop_assert_eq!(i64::from(m.moved.identities), moving);
                for table in ["identities", "conversations", "calls", "timeline_events"] {
                    let left = count(tx, &format!("SELECT count(*) FROM {table} WHERE customer_id = ?1"), source);
                    prop_assert_eq!(left, 0, "nothing of the source stays in {}", table);
                }
                prop_assert_eq!(
                    merges::survivor(tx, source).map_err(fail)?,
                    merges::survivor(tx, target).map_err(fail)?
                );
                done.push(m);
            }
            Err(StoreError::InvalidInput(msg)) => prop_assert!(!expect_ok, "refused for no reason: {}", msg),
            Err(e) => return Err(fail(e)),
        }
    }
    let mut pending = done.clone();
    let mut pick = order.iter().copied().cycle();
    while !pending.is_empty() {
        let i = pick.next().unwrap_or(0) % pending.len();
        let m = pending[i].clone();
        match merges::unmerge(tx, m.merge_id, 9_500_000, Some("Ana"), Origin::Ui) {
            Ok(u) => {
                prop_assert_eq!((u.target_id, u.source_id), (m.target_id, m.source_id));
                pending.remove(i);
            }
            Err(StoreError::InvalidInput(msg)) => {
                prop_assert!(msg.contains("cannot be undone yet") && msg.contains("unmerge merge"), "{}", msg);
                let blocker = pending.iter().any(|p| p.source_id == m.target_id);
                prop_assert!(blocker, "refused without a later merge of its target: {}", msg);
            }
            Err(e) => return Err(fail(e)),
        }
    }
    prop_assert_eq!(&before, &snapshot(tx), "every table is back as it was");
    let audit = count(tx, "SELECT count(*) FROM timeline_events WHERE kind IN ('merged', 'unmerged') AND ?1", 1);
    prop_assert_eq!(audit, 2 * done.len() as i64, "each merge and unmerge left one event");
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Any sequence of merges, then undoing them in any order the dependencies allow,
    /// gives back every table exactly as it was.
    #[test]
    fn merges_then_unmerges_in_any_allowed_order_restore_everything(
        plan in proptest::collection::vec(plan_customer(), 2..6),
        ops in proptest::collection::vec((0usize..6, 0usize..6), 1..6),
        order in proptest::collection::vec(0usize..100, 8),
    ) {
        let (_dir, store) = temp_store();
        store.write(|tx| Ok(round_trip(tx, &plan, &ops, &order)))?.map_err(fail)?;
    }
}

#[test]
fn data_that_arrives_after_a_merge_follows_its_identity_back() {
    let (_dir, store) = temp_store();
    store
        .write(|tx| {
            let plan = vec![
                GenCustomer {
                    language: Some(true),
                    identities: vec![(0, 1)],
                    conversations: vec![(0, 2, 1)],
                    calls: 1,
                    events: 0,
                },
                GenCustomer {
                    language: Some(false),
                    identities: vec![(1, 7), (2, 7)],
                    conversations: vec![(3, 1, 1)],
                    calls: 0,
                    events: 1,
                },
            ];
            let w = build(tx, &plan)?;
            let (a, b) = (w.customers[0], w.customers[1]);
            let before = snapshot(tx);
            let m = merge(tx, a, b)?;
            assert_eq!(m.moved, MergeCounts { identities: 2, conversations: 1, calls: 0, events: 2 });

            // After the merge: B's phone calls again and B's helpdesk contact opens a new
            // conversation; both resolve to A through B's (moved) identities.
            let phone = customers::find_by_identity(tx, IdentityKind::Phone, "+34600000007")?.expect("phone");
            let contact_value = format!("{}:7", w.chatwoot);
            let contact = customers::find_by_identity(tx, IdentityKind::Contact, &contact_value)?.expect("contact");
            assert_eq!((phone, contact), (a, a), "new data for a merged identity lands on the merged customer");
            let phone_identity: i64 =
                tx.query_row("SELECT id FROM identities WHERE value = '+34600000007'", [], |r| r.get(0))?;
            let contact_identity: i64 =
                tx.query_row("SELECT id FROM identities WHERE value = ?1", [&contact_value], |r| r.get(0))?;
            let new_call = calls::upsert(tx, &call(w.pbx, "late.1", "+34600000007", Some(a), 9_100_000))?;
            tx.execute("UPDATE calls SET identity_id = ?1 WHERE id = ?2", params![phone_identity, new_call])?;
            let new_conv = conversations::upsert(
                tx,
                &NewConversation {
                    account_id: w.chatwoot,
                    remote_id: "late",
                    channel: Channel::Whatsapp,
                    status: ConversationStatus::Open,
                    priority: Priority::None,
                    subject: None,
                    customer_id: a,
                    assignee: None,
                    team: None,
                    created_at: 9_200_000,
                    snoozed_until: None,
                },
            )?;
            tx.execute("UPDATE conversations SET identity_id = ?1 WHERE id = ?2", params![contact_identity, new_conv])?;
            let new_event = events::insert(
                tx,
                &NewEvent {
                    customer_id: Some(a),
                    conversation_id: Some(new_conv),
                    kind: EventKind::Assigned,
                    at: 9_300_000,
                    actor: None,
                    from_value: None,
                    to_value: Some("Ana"),
                    origin: Origin::Sync,
                },
            )?;
            // And A's own new call stays A's.
            let own_call = calls::upsert(tx, &call(w.pbx, "late.2", "+34600000001", Some(a), 9_400_000))?;

            let u = merges::unmerge(tx, m.merge_id, 9_500_000, Some("Ana"), Origin::Ui)?;
            assert_eq!(u.returned, MergeCounts { identities: 2, conversations: 2, calls: 1, events: 3 });
            let owner = |sql: &str, id: i64| count(tx, sql, id);
            assert_eq!(
                owner("SELECT customer_id FROM calls WHERE id = ?1", new_call),
                b,
                "B's new call goes back with B's phone"
            );
            assert_eq!(owner("SELECT customer_id FROM conversations WHERE id = ?1", new_conv), b);
            assert_eq!(
                owner("SELECT customer_id FROM timeline_events WHERE id = ?1", new_event),
                b,
                "events follow their conversation"
            );
            assert_eq!(owner("SELECT customer_id FROM calls WHERE id = ?1", own_call), a, "A's own new call stays");

            // Take the late rows out again: what is left is exactly the state before.
            tx.execute("DELETE FROM calls WHERE id IN (?1, ?2)", params![new_call, own_call])?;
            tx.execute("DELETE FROM conversations WHERE id = ?1", [new_conv])?;
            assert_eq!(before, snapshot(tx));
            Ok(())
        })
        .expect("scenario");
}

#[test]
fn chains_refuse_an_unmerge_a_later_merge_depends_on() {
    let (_dir, store) = temp_store();
    store
        .write(|tx| {
            let one =
                GenCustomer { language: None, identities: vec![], conversations: vec![(1, 1, 0)], calls: 1, events: 0 };
            let w = build(tx, &[one.clone(), one.clone(), one.clone(), one])?;
            let [a, b, c, d] = [w.customers[0], w.customers[1], w.customers[2], w.customers[3]];
            let before = snapshot(tx);
            let m1 = merge(tx, a, b)?;
            let m2 = merge(tx, a, c)?;
            // Two merges into one target are independent: either may go first.
            merges::unmerge(tx, m1.merge_id, 1, None, Origin::Ui)?;
            let m1 = merge(tx, a, b)?;
            let m3 = merge(tx, d, a)?;
            let err = merges::unmerge(tx, m1.merge_id, 2, None, Origin::Ui).expect_err("m1 depends on m3");
            let msg = err.to_string();
            assert!(msg.contains(&format!("merge {}", m3.merge_id)) && msg.contains("unmerge"), "{msg}");
            let err = merge(tx, a, c).expect_err("a hidden customer cannot be merged");
            assert!(err.to_string().contains(&format!("was merged into customer {d}")), "{err}");
            assert_eq!(merges::survivor(tx, b)?, Some(d), "old ids lead to the survivor through the chain");
            merges::unmerge(tx, m3.merge_id, 3, None, Origin::Ui)?;
            merges::unmerge(tx, m2.merge_id, 4, None, Origin::Ui)?;
            merges::unmerge(tx, m1.merge_id, 5, None, Origin::Ui)?;
            let err = merges::unmerge(tx, m1.merge_id, 6, None, Origin::Ui).expect_err("twice");
            assert!(err.to_string().contains("already undone"), "{err}");
            assert_eq!(before, snapshot(tx));
            let history = merges::history(tx, a)?;
            assert_eq!(history.len(), 4, "every merge a took part in is kept, undone ones too");
            assert!(history.iter().all(|h| h.unmerged_at.is_some()));
            Ok(())
        })
        .expect("scenario");
}

#[test]
fn merge_events_carry_the_merge_and_timeline_filters_narrow() {
    let (_dir, store) = temp_store();
    store
        .write(|tx| {
            let plan = vec![
                GenCustomer { language: Some(true), identities: vec![], conversations: vec![(0, 3, 1), (3, 3, 0)], calls: 2, events: 0 },
                GenCustomer { language: None, identities: vec![], conversations: vec![(2, 2, 0)], calls: 0, events: 0 },
            ];
            let w = build(tx, &plan)?;
            let (a, b) = (w.customers[0], w.customers[1]);
            let m = merge(tx, a, b)?;
            let all = timeline::customer_timeline(tx, a, None, Some(500))?;
            let merged = all.items.iter().find_map(|e| match e {
                TimelineEntry::Event(e) if e.kind == EventKind::Merged => Some(e.clone()),
                _ => None,
            });
            let merged = merged.expect("a merged event on the target's timeline");
            assert_eq!(merged.merge_id, Some(m.merge_id));
            assert_eq!((merged.from.as_deref(), merged.actor.as_deref()), (Some("Cliente 1"), Some("Ana")));

            let page = |filter: TimelineFilter| timeline::customer_timeline_filtered(tx, a, &filter, None, Some(500));
            let notes = page(TimelineFilter { kinds: vec![TimelineKind::Note], ..Default::default() })?;
            assert!(!notes.items.is_empty());
            assert!(notes.items.iter().all(|e| matches!(e, TimelineEntry::Message(m) if m.kind == MessageKind::Note)));
            let voice = page(TimelineFilter { channels: vec![Channel::Voice], ..Default::default() })?;
            assert_eq!(voice.items.len(), 2, "calls are the voice channel");
            let email_and_merges = page(TimelineFilter {
                channels: vec![Channel::Email],
                kinds: vec![TimelineKind::Message, TimelineKind::Merge],
                ..Default::default()
            })?;
            assert!(email_and_merges.items.iter().all(|e| matches!(e, TimelineEntry::Message(m) if m.channel == Channel::Email && m.kind == MessageKind::Message)),
                "a channel filter hides customer-level events: {:?}", email_and_merges.items);
            let merges_only = page(TimelineFilter { kinds: vec![TimelineKind::Merge], ..Default::default() })?;
            assert_eq!(merges_only.items.len(), 1);

            // Jump to a date: the page starts at that instant and pages on from there.
            let pivot = all.items[all.items.len() / 2].at();
            let jumped = timeline::customer_timeline_filtered(
                tx, a, &TimelineFilter { before: Some(pivot), ..Default::default() }, None, Some(3))?;
            assert_eq!(jumped.items[0].at(), pivot, "the first item is the one at the date");
            let mut seen: Vec<i64> = jumped.items.iter().map(TimelineEntry::at).collect();
            let mut cursor = jumped.next_cursor;
            while let Some(c) = cursor {
                let next = timeline::customer_timeline_filtered(
                    tx, a, &TimelineFilter { before: Some(pivot), ..Default::default() }, Some(&c), Some(3))?;
                seen.extend(next.items.iter().map(TimelineEntry::at));
                cursor = next.next_cursor;
            }
            let expected: Vec<i64> = all.items.iter().map(TimelineEntry::at).filter(|&t| t <= pivot).collect();
            assert_eq!(seen, expected, "jumping then paging covers exactly the older part, in order");
            Ok(())
        })
        .expect("scenario");
}

#[test]
fn dismissed_pairs_are_stored_once_and_checked() {
    let (_dir, store) = temp_store();
    store
        .write(|tx| {
            let a = customers::insert(tx, "A", None, 0)?;
            let b = customers::insert(tx, "B", None, 0)?;
            merges::dismiss(tx, b, a, 1, Some("Ana"))?;
            merges::dismiss(tx, a, b, 2, Some("Luis"))?;
            let rows: Vec<(i64, i64, String)> = tx
                .prepare("SELECT customer_lo, customer_hi, dismissed_by FROM merge_dismissals")?
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect::<rusqlite::Result<_>>()?;
            assert_eq!(rows, vec![(a, b, "Ana".to_owned())], "the first dismissal is kept");
            assert!(merges::dismiss(tx, a, a, 3, None).is_err());
            assert!(matches!(merges::dismiss(tx, a, 999, 3, None), Err(StoreError::NotFound(_))));
            Ok(())
        })
        .expect("scenario");
}
