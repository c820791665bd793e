//! Each (conversation, metric, cycle, level) alerts once: across restarts, with two
//! schedulers on one cache, after the app was closed through the deadline, after a clock
//! jump; a burst becomes one summary; changes wake the scheduler; scope settings hold.

use hilo_core::Urgency;
use std::sync::Arc;
use std::time::Duration;

use hilo_core::sla::alerts::NewAlert;
use hilo_core::sla::{AlertKey, ManualClock, SlaSchedulerSettings, alerts, spawn_sla_scheduler};
use hilo_model::sla::{SlaAlertLevel, SlaAlertQuery, SlaDelivery, SlaMetric};
use hilo_model::{Direction, MessageKind};
use serde_json::json;

use crate::*;

/// Monday 2025-06-16 10:00 in Madrid.
fn t0() -> i64 {
    madrid(2025, 6, 16, 10, 0)
}

/// A chat policy (5 min first response, 80 %) and Claudio writing at `t0`.
fn claudio_waits() -> (Desk, i64) {
    let desk = Desk::open();
    desk.setting("ui.language", json!("es"));
    desk.policy(Policy::default());
    let customer = desk.customer("Claudio Pérez");
    let c = desk.conversation(Conv::chat(customer, t0()));
    desk.message(c, Direction::Inbound, MessageKind::Message, t0());
    (desk, c)
}

fn titles(notifier: &StampedNotifier) -> Vec<String> {
    notifier.seen().into_iter().map(|(_, n)| n.title).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_never_repeats_an_alert() {
    let (desk, _) = claudio_waits();
    let clock = ManualClock::new(t0());
    let first = StampedNotifier::new(clock.clone());
    let handle = start(&desk, &clock, &first);
    settle(&handle).await;
    step(&handle, &clock, t0() + 4 * MINUTE).await;
    step(&handle, &clock, t0() + 5 * MINUTE).await;
    assert_eq!(first.seen().len(), 2, "at risk then breached");
    handle.shutdown().await;

    let second = StampedNotifier::new(clock.clone());
    let restarted = start(&desk, &clock, &second);
    step(&restarted, &clock, t0() + 6 * MINUTE).await;
    step(&restarted, &clock, t0() + 3 * HOUR).await;
    assert!(second.seen().is_empty(), "a restart must not repeat an alert: {:?}", titles(&second));
    assert_eq!(desk.count("SELECT count(*) FROM sla_alerts"), 2, "one row per level");
    assert_eq!(
        desk.count("SELECT count(*) FROM timeline_events WHERE kind = 'sla_alert' AND origin = 'sla'"),
        2,
        "each alert is in the customer's timeline once"
    );
    restarted.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closed_through_the_deadline_fires_the_breach_once_on_the_next_start() {
    let (desk, _) = claudio_waits();
    let clock = ManualClock::new(t0() + 7 * MINUTE);
    let notifier = StampedNotifier::new(clock.clone());
    let handle = start(&desk, &clock, &notifier);
    settle(&handle).await;
    let seen = notifier.seen();
    assert_eq!(seen.len(), 1, "only the breach; a warning for a passed deadline is noise: {:?}", titles(&notifier));
    assert_eq!(seen[0].1.title, "SLA incumplido · Claudio Pérez", "the breach");
    assert_eq!(seen[0].1.body, "Chat web · primera respuesta vencida hace 2 min", "says how long ago");
    assert_eq!(seen[0].0, t0() + 7 * MINUTE, "at once on start");
    let due: i64 = desk.count("SELECT due_at FROM sla_alerts WHERE level = 'breached'");
    assert_eq!(due, t0() + 5 * MINUTE, "recorded with the instant it was due");
    step(&handle, &clock, t0() + HOUR).await;
    assert_eq!(notifier.seen().len(), 1, "and never again");
    handle.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closed_through_the_warning_only_catches_up_the_warning_then_breaches_on_time() {
    let (desk, _) = claudio_waits();
    let clock = ManualClock::new(t0());
    let first = StampedNotifier::new(clock.clone());
    let handle = start(&desk, &clock, &first);
    step(&handle, &clock, t0() + MINUTE).await;
    handle.shutdown().await;
    assert!(first.seen().is_empty(), "nothing due in the first minute");

    clock.set(t0() + 4 * MINUTE + 30 * SECOND);
    let second = StampedNotifier::new(clock.clone());
    let handle = start(&desk, &clock, &second);
    settle(&handle).await;
    step(&handle, &clock, t0() + 5 * MINUTE).await;
    let seen = second.seen();
    let got: Vec<(i64, &str, &str)> = seen.iter().map(|(t, n)| (*t, n.title.as_str(), n.body.as_str())).collect();
    assert_eq!(
        got,
        vec![
            (t0() + 4 * MINUTE + 30 * SECOND, "SLA en riesgo · Claudio Pérez", "Chat web · primera respuesta en 30 s"),
            (t0() + 5 * MINUTE, "SLA incumplido · Claudio Pérez", "Chat web · primera respuesta vencida"),
        ],
        "the missed warning at start, the breach on time"
    );
    handle.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_schedulers_on_one_cache_notify_once() {
    let (desk, _) = claudio_waits();
    let clock = ManualClock::new(t0());
    let (app, cli) = (StampedNotifier::new(clock.clone()), StampedNotifier::new(clock.clone()));
    // No re-scan in between: each only knows what it raised itself, so both decide to
    // raise the same alerts and only the UNIQUE row can keep the second from notifying.
    let settings =
        SlaSchedulerSettings { rescan_every: Duration::from_secs(24 * 3600), ..SlaSchedulerSettings::default() };
    let spawn = |notifier: &Arc<StampedNotifier>| {
        spawn_sla_scheduler(desk.store.clone(), notifier.clone(), settings.clone(), clock.clone())
    };
    let (a, b) = (spawn(&app), spawn(&cli));
    settle(&a).await;
    settle(&b).await;
    for t in [t0() + 4 * MINUTE, t0() + 5 * MINUTE, t0() + HOUR] {
        clock.set(t);
        settle(&a).await;
        settle(&b).await;
    }
    assert_eq!(app.seen().len() + cli.seen().len(), 2, "the UNIQUE row decides who notifies: once per level");
    a.shutdown().await;
    b.shutdown().await;
}

#[test]
fn raising_twice_inserts_once() {
    let (desk, c) = claudio_waits();
    let key =
        AlertKey { conversation_id: c, metric: SlaMetric::FirstResponse, cycle: 1, level: SlaAlertLevel::Breached };
    let alert = NewAlert { key, customer_id: 1, due_at: t0() + 5 * MINUTE, fired_at: t0() + 5 * MINUTE };
    let first = desk.store.write(|tx| alerts::raise(tx, &[alert])).expect("raise");
    let second =
        desk.store.write(|tx| alerts::raise(tx, &[NewAlert { fired_at: t0() + HOUR, ..alert }])).expect("raise");
    assert!(first[0].is_some(), "the first raise inserts");
    assert_eq!(second, vec![None], "the second finds the row and does not notify");
    assert_eq!(desk.count("SELECT fired_at FROM sla_alerts"), t0() + 5 * MINUTE, "the original firing instant is kept");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_becomes_one_summary_and_three_stay_individual() {
    for (customers, expected_notifications) in [(5usize, 1usize), (3, 3)] {
        let desk = Desk::open();
        desk.setting("ui.language", json!("es"));
        desk.policy(Policy::default());
        let names = ["Claudio Pérez", "Lucía Gómez", "Sam Reed", "Ana Ruiz", "Eva Sanz"];
        for (i, name) in names.iter().take(customers).enumerate() {
            let customer = desk.customer(name);
            let remote = format!("c{i}");
            let c = desk.conversation(Conv { remote_id: &remote, ..Conv::chat(customer, t0()) });
            desk.message(c, Direction::Inbound, MessageKind::Message, t0() + i as i64 * SECOND);
        }
        let clock = ManualClock::new(t0() + 20 * MINUTE);
        let notifier = StampedNotifier::new(clock.clone());
        let handle = start(&desk, &clock, &notifier);
        let mut events = handle.subscribe();
        settle(&handle).await;
        let seen = notifier.seen();
        assert_eq!(seen.len(), expected_notifications, "{customers} breaches at once: {:?}", titles(&notifier));
        if customers > 3 {
            let n = &seen[0].1;
            assert_eq!(n.title, "5 conversaciones han incumplido el SLA", "one summary instead of a storm");
            assert_eq!(n.body, "Claudio Pérez, Lucía Gómez, Sam Reed y 2 más", "the first names, oldest breach first");
            assert_eq!(n.urgency, Urgency::Critical, "a summary of breaches is critical");
        }
        let mut received = Vec::new();
        while let Ok(e) = events.try_recv() {
            received.push(e);
        }
        assert_eq!(received.len(), customers, "every alert is still an event of its own (the alert centre lists each)");
        let delivery = if customers > 3 { SlaDelivery::Summary } else { SlaDelivery::Individual };
        assert!(received.iter().all(|e| e.delivery == delivery), "delivery says how it reached the desktop");
        assert_eq!(desk.count("SELECT count(*) FROM sla_alerts"), customers as i64, "one row per conversation");
        handle.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_wake_the_scheduler() {
    let (desk, c) = claudio_waits();
    let clock = ManualClock::new(t0());
    let notifier = StampedNotifier::new(clock.clone());
    let handle = start(&desk, &clock, &notifier);
    settle(&handle).await;
    assert_eq!(handle.status().next_due, Some(t0() + 4 * MINUTE), "sleeps until the at-risk instant");

    // The agent answers at 2 min: the clock stops and nothing ever fires.
    step(&handle, &clock, t0() + 2 * MINUTE).await;
    desk.message(c, Direction::Outbound, MessageKind::Message, t0() + 2 * MINUTE);
    handle.notify_changed();
    settle(&handle).await;
    assert_eq!(handle.status().next_due, None, "nothing left to wait for");

    // Lucía writes at 3 min: her new conversation's first-response clock starts.
    let other = desk.customer("Lucía Gómez");
    let c2 = desk.conversation(Conv { remote_id: "c2", ..Conv::chat(other, t0() + 3 * MINUTE) });
    step(&handle, &clock, t0() + 3 * MINUTE).await;
    desk.message(c2, Direction::Inbound, MessageKind::Message, t0() + 3 * MINUTE);
    handle.notify_changed();
    settle(&handle).await;
    assert_eq!(handle.status().next_due, Some(t0() + 7 * MINUTE), "the new clock's at-risk instant");
    step(&handle, &clock, t0() + 7 * MINUTE).await;
    step(&handle, &clock, t0() + 8 * MINUTE).await;
    assert_eq!(
        titles(&notifier),
        vec!["SLA en riesgo · Lucía Gómez".to_owned(), "SLA incumplido · Lucía Gómez".to_owned()],
        "only Lucía's clock alerts"
    );
    handle.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clock_jump_or_suspend_is_noticed_within_one_short_sleep() {
    let (desk, _) = claudio_waits();
    let clock = ManualClock::new(t0());
    let notifier = StampedNotifier::new(clock.clone());
    let handle = start(&desk, &clock, &notifier);
    settle(&handle).await;
    // The laptop sleeps for ten minutes: the wall clock moves, the monotonic one does not.
    clock.jump(10 * MINUTE);
    settle(&handle).await;
    assert!(notifier.seen().is_empty(), "still asleep on the monotonic clock");
    clock.advance(SlaSchedulerSettings::default().max_sleep.as_millis() as i64);
    settle(&handle).await;
    let seen = notifier.seen();
    assert_eq!(seen.len(), 1, "the breach that passed during suspend, once: {:?}", titles(&notifier));
    assert_eq!(seen[0].1.title, "SLA incumplido · Claudio Pérez", "only the breach");
    assert!(seen[0].0 <= t0() + 10 * MINUTE + 5 * SECOND, "noticed within one short sleep of waking");
    assert_eq!(handle.status().clock_jumps, 1, "the jump was detected");

    // Setting the clock back does not re-fire anything either.
    clock.jump(-HOUR);
    clock.advance(5 * SECOND);
    settle(&handle).await;
    assert_eq!(notifier.seen().len(), 1, "a clock set back repeats nothing");
    handle.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scope_settings_choose_whose_conversations_alert() {
    let desk = Desk::open();
    desk.setting("ui.language", json!("es"));
    desk.setting("sla.alerts", json!({"scope": "mine", "agent": "Ana García", "levels": ["breached"]}));
    desk.policy(Policy::default());
    for (i, (name, assignee)) in
        [("Claudio Pérez", Some("Ana García")), ("Lucía Gómez", None), ("Sam Reed", Some("Luis"))]
            .into_iter()
            .enumerate()
    {
        let customer = desk.customer(name);
        let remote = format!("c{i}");
        let c = desk.conversation(Conv { remote_id: &remote, assignee, ..Conv::chat(customer, t0()) });
        desk.message(c, Direction::Inbound, MessageKind::Message, t0());
    }
    let clock = ManualClock::new(t0());
    let notifier = StampedNotifier::new(clock.clone());
    let handle = start(&desk, &clock, &notifier);
    settle(&handle).await;
    step(&handle, &clock, t0() + 4 * MINUTE).await;
    step(&handle, &clock, t0() + 5 * MINUTE).await;
    assert_eq!(titles(&notifier), vec!["SLA incumplido · Claudio Pérez".to_owned()], "mine, breaches only");

    desk.setting("sla.alerts", json!({"scope": ["mine", "unassigned"], "agent": "Ana García"}));
    handle.notify_changed();
    settle(&handle).await;
    assert_eq!(
        titles(&notifier).last().map(String::as_str),
        Some("SLA incumplido · Lucía Gómez"),
        "widening the scope alerts the unassigned breach at once"
    );
    assert_eq!(notifier.seen().len(), 2, "Sam's conversation (Luis's) stays quiet");
    handle.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_alert_centre_lists_acknowledges_and_snoozes() {
    let (desk, c) = claudio_waits();
    let clock = ManualClock::new(t0() + 10 * MINUTE);
    let notifier = StampedNotifier::new(clock.clone());
    let handle = start(&desk, &clock, &notifier);
    settle(&handle).await;
    handle.shutdown().await;

    let list = desk.store.read(|conn| alerts::list(conn, &SlaAlertQuery::default())).expect("list");
    assert_eq!(list.len(), 1, "one breach");
    let a = &list[0];
    assert_eq!(
        (a.conversation_id, a.customer_name.as_str(), a.metric, a.level, a.cycle),
        (c, "Claudio Pérez", SlaMetric::FirstResponse, SlaAlertLevel::Breached, 1),
        "who, which clock, which level"
    );
    assert_eq!((a.due_at, a.fired_at), (t0() + 5 * MINUTE, t0() + 10 * MINUTE), "due and fired instants");

    let active = |now: i64| {
        desk.store
            .read(|conn| alerts::list(conn, &SlaAlertQuery { only_active: true, now: Some(now), limit: None }))
            .expect("active list")
            .len()
    };
    let snoozed = desk.store.write(|tx| alerts::snooze(tx, a.id, t0() + HOUR)).expect("snooze");
    assert_eq!(snoozed.snoozed_until, Some(t0() + HOUR), "snooze is stored");
    assert_eq!(active(t0() + 30 * MINUTE), 0, "hidden while snoozed");
    assert_eq!(active(t0() + HOUR), 1, "back when the snooze ends");
    let acked = desk.store.write(|tx| alerts::acknowledge(tx, a.id, t0() + 2 * HOUR)).expect("acknowledge");
    assert_eq!(acked.acknowledged_at, Some(t0() + 2 * HOUR), "acknowledged");
    assert_eq!(active(t0() + 3 * HOUR), 0, "acknowledged alerts leave the active list");
    assert_eq!(
        desk.store.read(|conn| alerts::list(conn, &SlaAlertQuery::default())).expect("list").len(),
        1,
        "but stay in the full list"
    );
    let missing = desk.store.write(|tx| alerts::acknowledge(tx, 999, 0));
    assert!(missing.is_err(), "an unknown alert is an error, not a silent no-op");
}
