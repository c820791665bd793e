//! Alerts fire at the exact instants, for a table of policies, calendars and histories:
//! one millisecond before each expected instant nothing is shown; at the instant, exactly
//! the expected notification is.

use hilo_core::Urgency;
use hilo_core::sla::ManualClock;
use hilo_model::{CallOutcome, Channel, ConversationStatus, Direction, MessageKind};
use serde_json::json;

use crate::*;

/// One expected notification: when, and what it says.
struct Expect {
    at: i64,
    title: &'static str,
    body: &'static str,
}

struct Case {
    name: &'static str,
    /// Builds the desk; returns the instant the scheduler starts at.
    setup: fn(&Desk) -> i64,
    expected: Vec<Expect>,
}

fn claudio_chat(desk: &Desk, at: i64) -> (i64, i64) {
    let customer = desk.customer("Claudio Pérez");
    let conversation = desk.conversation(Conv::chat(customer, at));
    desk.message(conversation, Direction::Inbound, MessageKind::Message, at);
    (customer, conversation)
}

fn utc(y: i16, mo: i8, d: i8, h: i8, mi: i8) -> i64 {
    jiff::civil::date(y, mo, d).at(h, mi, 0, 0).in_tz("UTC").expect("a valid UTC time").timestamp().as_millisecond()
}

/// Monday 2025-06-16 10:00 in Madrid, inside office hours.
fn monday_10() -> i64 {
    madrid(2025, 6, 16, 10, 0)
}

fn cases() -> Vec<Case> {
    let t = monday_10();
    vec![
        Case {
            name: "chat, 24/7, 5 min at 80 %: at risk at 4 min, breached at 5",
            setup: |desk| {
                desk.policy(Policy::default());
                claudio_chat(desk, monday_10());
                monday_10()
            },
            expected: vec![
                Expect {
                    at: t + 4 * MINUTE,
                    title: "SLA en riesgo · Claudio Pérez",
                    body: "Chat web · primera respuesta en 1 min",
                },
                Expect {
                    at: t + 5 * MINUTE,
                    title: "SLA incumplido · Claudio Pérez",
                    body: "Chat web · primera respuesta vencida",
                },
            ],
        },
        Case {
            name: "notes and bot turns never stop the first-response clock",
            setup: |desk| {
                desk.policy(Policy::default());
                let (_, c) = claudio_chat(desk, monday_10());
                desk.message(c, Direction::Outbound, MessageKind::Note, monday_10() + MINUTE);
                desk.message(c, Direction::Outbound, MessageKind::Bot, monday_10() + 2 * MINUTE);
                monday_10()
            },
            expected: vec![
                Expect {
                    at: t + 4 * MINUTE,
                    title: "SLA en riesgo · Claudio Pérez",
                    body: "Chat web · primera respuesta en 1 min",
                },
                Expect {
                    at: t + 5 * MINUTE,
                    title: "SLA incumplido · Claudio Pérez",
                    body: "Chat web · primera respuesta vencida",
                },
            ],
        },
        Case {
            name: "a reply one second before the at-risk instant raises nothing",
            setup: |desk| {
                desk.policy(Policy::default());
                let (_, c) = claudio_chat(desk, monday_10());
                desk.message(c, Direction::Outbound, MessageKind::Message, monday_10() + 4 * MINUTE - SECOND);
                monday_10()
            },
            expected: vec![],
        },
        Case {
            name: "English, from the ui.language setting",
            setup: |desk| {
                desk.setting("ui.language", json!("en"));
                desk.policy(Policy::default());
                claudio_chat(desk, monday_10());
                monday_10()
            },
            expected: vec![
                Expect {
                    at: t + 4 * MINUTE,
                    title: "SLA at risk · Claudio Pérez",
                    body: "Web chat · first response due in 1 min",
                },
                Expect {
                    at: t + 5 * MINUTE,
                    title: "SLA breached · Claudio Pérez",
                    body: "Web chat · first response overdue",
                },
            ],
        },
        Case {
            name: "pending pauses the clock: ten paused minutes push both instants back ten minutes",
            setup: |desk| {
                desk.policy(Policy::default());
                let (customer, c) = claudio_chat(desk, monday_10());
                let (open, pending) = (ConversationStatus::Open, ConversationStatus::Pending);
                desk.status_change(c, customer, monday_10() + MINUTE, open, pending);
                desk.status_change(c, customer, monday_10() + 11 * MINUTE, pending, open);
                monday_10()
            },
            expected: vec![
                Expect {
                    at: t + 14 * MINUTE,
                    title: "SLA en riesgo · Claudio Pérez",
                    body: "Chat web · primera respuesta en 1 min",
                },
                Expect {
                    at: t + 15 * MINUTE,
                    title: "SLA incumplido · Claudio Pérez",
                    body: "Chat web · primera respuesta vencida",
                },
            ],
        },
        Case {
            name: "next response: the customer writes again after a reply",
            setup: |desk| {
                desk.policy(Policy { next: Some(600), ..Policy::default() });
                let (_, c) = claudio_chat(desk, monday_10());
                desk.message(c, Direction::Outbound, MessageKind::Message, monday_10() + 2 * MINUTE);
                desk.message(c, Direction::Inbound, MessageKind::Message, monday_10() + 10 * MINUTE);
                monday_10()
            },
            expected: vec![
                Expect {
                    at: t + 18 * MINUTE,
                    title: "SLA en riesgo · Claudio Pérez",
                    body: "Chat web · siguiente respuesta en 2 min",
                },
                Expect {
                    at: t + 20 * MINUTE,
                    title: "SLA incumplido · Claudio Pérez",
                    body: "Chat web · siguiente respuesta vencida",
                },
            ],
        },
        Case {
            name: "urgent resolution in 4 h: at risk after 3 h 12 min",
            setup: |desk| {
                desk.policy(Policy { name: "Urgente", resolution: Some(4 * 3600), ..Policy::default() });
                let (_, c) = claudio_chat(desk, monday_10());
                desk.message(c, Direction::Outbound, MessageKind::Message, monday_10() + MINUTE);
                monday_10()
            },
            expected: vec![
                Expect {
                    at: t + 3 * HOUR + 12 * MINUTE,
                    title: "SLA en riesgo · Claudio Pérez",
                    body: "Chat web · resolución en 48 min",
                },
                Expect {
                    at: t + 4 * HOUR,
                    title: "SLA incumplido · Claudio Pérez",
                    body: "Chat web · resolución vencida",
                },
            ],
        },
        Case {
            name: "split shift: the lunch break does not count",
            setup: |desk| {
                let calendar = desk.calendar(&[]);
                desk.policy(Policy { first: Some(1200), calendar: Some(calendar), ..Policy::default() });
                claudio_chat(desk, madrid(2025, 6, 16, 13, 50));
                madrid(2025, 6, 16, 13, 50)
            },
            expected: vec![
                Expect {
                    at: madrid(2025, 6, 16, 15, 6),
                    title: "SLA en riesgo · Claudio Pérez",
                    body: "Chat web · primera respuesta en 4 min",
                },
                Expect {
                    at: madrid(2025, 6, 16, 15, 10),
                    title: "SLA incumplido · Claudio Pérez",
                    body: "Chat web · primera respuesta vencida",
                },
            ],
        },
        Case {
            name: "email on Friday afternoon: the weekend does not count",
            setup: |desk| {
                let calendar = desk.calendar(&[]);
                desk.policy(Policy { name: "Email", first: Some(3600), calendar: Some(calendar), ..Policy::default() });
                let customer = desk.customer("Claudio Pérez");
                let at = madrid(2025, 6, 20, 14, 30);
                let c = desk.conversation(Conv { channel: Channel::Email, ..Conv::chat(customer, at) });
                desk.message(c, Direction::Inbound, MessageKind::Message, at);
                at
            },
            expected: vec![
                Expect {
                    at: madrid(2025, 6, 23, 9, 18),
                    title: "SLA en riesgo · Claudio Pérez",
                    body: "Correo · primera respuesta en 12 min",
                },
                Expect {
                    at: madrid(2025, 6, 23, 9, 30),
                    title: "SLA incumplido · Claudio Pérez",
                    body: "Correo · primera respuesta vencida",
                },
            ],
        },
        Case {
            name: "a holiday Monday moves the deadline to Tuesday",
            setup: |desk| {
                let calendar = desk.calendar(&["2025-06-23"]);
                desk.policy(Policy { name: "Email", first: Some(3600), calendar: Some(calendar), ..Policy::default() });
                let customer = desk.customer("Claudio Pérez");
                let at = madrid(2025, 6, 20, 14, 30);
                let c = desk.conversation(Conv { channel: Channel::Email, ..Conv::chat(customer, at) });
                desk.message(c, Direction::Inbound, MessageKind::Message, at);
                at
            },
            expected: vec![
                Expect {
                    at: madrid(2025, 6, 24, 9, 18),
                    title: "SLA en riesgo · Claudio Pérez",
                    body: "Correo · primera respuesta en 12 min",
                },
                Expect {
                    at: madrid(2025, 6, 24, 9, 30),
                    title: "SLA incumplido · Claudio Pérez",
                    body: "Correo · primera respuesta vencida",
                },
            ],
        },
        Case {
            name: "across the spring DST change in Madrid: 09:18 local on Monday is 07:18 UTC",
            setup: |desk| {
                let calendar = desk.calendar(&[]);
                desk.policy(Policy { name: "Email", first: Some(3600), calendar: Some(calendar), ..Policy::default() });
                let customer = desk.customer("Claudio Pérez");
                let at = madrid(2025, 3, 28, 14, 30);
                let c = desk.conversation(Conv { channel: Channel::Email, ..Conv::chat(customer, at) });
                desk.message(c, Direction::Inbound, MessageKind::Message, at);
                at
            },
            expected: vec![
                Expect {
                    at: utc(2025, 3, 31, 7, 18),
                    title: "SLA en riesgo · Claudio Pérez",
                    body: "Correo · primera respuesta en 12 min",
                },
                Expect {
                    at: madrid(2025, 3, 31, 9, 30),
                    title: "SLA incumplido · Claudio Pérez",
                    body: "Correo · primera respuesta vencida",
                },
            ],
        },
        Case {
            name: "a missed call from a known customer: called back within 1 business hour",
            setup: |desk| {
                let calendar = desk.calendar(&[]);
                desk.policy(Policy {
                    name: "Devolución de llamada",
                    channels: r#"["voice"]"#,
                    first: Some(3600),
                    calendar: Some(calendar),
                    ..Policy::default()
                });
                let customer = desk.customer("Claudio Pérez");
                // Alerts are filed under one of the customer's conversations.
                let resolved =
                    desk.conversation(Conv { status: ConversationStatus::Resolved, ..Conv::chat(customer, 0) });
                desk.message(resolved, Direction::Inbound, MessageKind::Message, 0);
                desk.call(customer, Direction::Inbound, CallOutcome::Missed, monday_10(), monday_10() + 30 * SECOND);
                monday_10()
            },
            expected: vec![
                Expect {
                    at: t + 48 * MINUTE + 30 * SECOND,
                    title: "SLA en riesgo · Claudio Pérez",
                    body: "Teléfono · devolución de llamada en 12 min",
                },
                Expect {
                    at: t + HOUR + 30 * SECOND,
                    title: "SLA incumplido · Claudio Pérez",
                    body: "Teléfono · devolución de llamada vencida",
                },
            ],
        },
        Case {
            name: "a missed call returned in time raises nothing",
            setup: |desk| {
                desk.policy(Policy { channels: r#"["voice"]"#, first: Some(3600), ..Policy::default() });
                let customer = desk.customer("Claudio Pérez");
                let resolved =
                    desk.conversation(Conv { status: ConversationStatus::Resolved, ..Conv::chat(customer, 0) });
                desk.message(resolved, Direction::Inbound, MessageKind::Message, 0);
                desk.call(customer, Direction::Inbound, CallOutcome::Missed, monday_10(), monday_10() + 30 * SECOND);
                desk.call(
                    customer,
                    Direction::Outbound,
                    CallOutcome::Failed,
                    monday_10() + 20 * MINUTE,
                    monday_10() + 21 * MINUTE,
                );
                monday_10()
            },
            expected: vec![],
        },
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alerts_fire_at_the_exact_instants() {
    assert_eq!(madrid(2025, 3, 31, 9, 18), utc(2025, 3, 31, 7, 18), "summer time has begun by that Monday");
    for case in cases() {
        let desk = Desk::open();
        if desk.count("SELECT count(*) FROM settings WHERE key = 'ui.language'") == 0 {
            desk.setting("ui.language", json!("es"));
        }
        let start_at = (case.setup)(&desk);
        let clock = ManualClock::new(start_at);
        let notifier = StampedNotifier::new(clock.clone());
        let handle = start(&desk, &clock, &notifier);
        settle(&handle).await;
        for (i, e) in case.expected.iter().enumerate() {
            step(&handle, &clock, e.at - 1).await;
            assert_eq!(notifier.seen().len(), i, "{}: nothing is shown one millisecond before {}", case.name, e.at);
            step(&handle, &clock, e.at).await;
            let seen = notifier.seen();
            assert_eq!(seen.len(), i + 1, "{}: exactly one notification at {}", case.name, e.at);
            let (shown_at, n) = &seen[i];
            assert_eq!(*shown_at, e.at, "{}: shown at the exact instant", case.name);
            assert_eq!((n.title.as_str(), n.body.as_str()), (e.title, e.body), "{}: the words", case.name);
            let breach = e.title.contains("incumplido") || e.title.contains("breached");
            let urgency = if breach { Urgency::Critical } else { Urgency::Normal };
            assert_eq!(n.urgency, urgency, "{}: breaches are critical, warnings normal", case.name);
            assert!(
                n.target.as_deref().is_some_and(|t| t.starts_with("conversation:") || t.starts_with("customer:")),
                "{}: clicking opens the conversation or customer: {:?}",
                case.name,
                n.target
            );
        }
        step(&handle, &clock, start_at + 10 * 24 * HOUR).await;
        assert_eq!(
            notifier.seen().len(),
            case.expected.len(),
            "{}: nothing else fires in the next ten days",
            case.name
        );
        let fired_at_due = desk.count("SELECT count(*) FROM sla_alerts WHERE fired_at = due_at");
        assert_eq!(
            fired_at_due,
            case.expected.len() as i64,
            "{}: every alert recorded as fired at its due instant",
            case.name
        );
        handle.shutdown().await;
    }
}
