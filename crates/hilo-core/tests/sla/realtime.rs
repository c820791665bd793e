//! With the real clocks (tokio's timer, the system time), a breach notification arrives
//! within one second of the breach instant — and not before it.

use std::time::Duration;

use hilo_core::sla::{SlaSchedulerSettings, SystemClock, spawn_sla_scheduler};
use hilo_model::time::now_millis;
use hilo_model::{Direction, MessageKind};
use serde_json::json;

use crate::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_breach_notification_arrives_within_one_second_of_the_breach() {
    let desk = Desk::open();
    desk.setting("ui.language", json!("en"));
    // The shortest target a policy can hold: 2 s, at risk at 80 % (1.6 s).
    desk.policy(Policy { first: Some(2), ..Policy::default() });
    let customer = desk.customer("Claudio Pérez");
    let written = now_millis();
    let c = desk.conversation(Conv::chat(customer, written));
    desk.message(c, Direction::Inbound, MessageKind::Message, written);
    let (at_risk_at, due_at) = (written + 1_600, written + 2_000);

    let clock = SystemClock::shared();
    let notifier = StampedNotifier::new(clock.clone());
    let handle = spawn_sla_scheduler(desk.store.clone(), notifier.clone(), SlaSchedulerSettings::default(), clock);
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while notifier.seen().len() < 2 && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let seen = notifier.seen();
    assert_eq!(seen.len(), 2, "a warning and a breach: {seen:?}");
    let (warned, breached) = (seen[0].0, seen[1].0);
    assert_eq!(seen[1].1.title, "SLA breached · Claudio Pérez", "the second is the breach");
    eprintln!(
        "real clock: at-risk shown {} ms after its instant, breach {} ms after",
        warned - at_risk_at,
        breached - due_at
    );
    assert!((0..1_000).contains(&(warned - at_risk_at)), "the warning within 1 s of its instant, never early");
    assert!((0..1_000).contains(&(breached - due_at)), "the breach within 1 s of the breach instant, never early");
    handle.shutdown().await;
}
