//! SLA evaluation benchmark (not a test): `cargo bench -p hilo-core --bench sla_eval`.
//!
//! 100,000 open conversations held in memory, as the scheduler holds them between
//! reads: a realistic mix of policies (24/7 chat and messaging, urgent 24/7, email on
//! Madrid office hours with split shifts and national holidays) and histories (waiting
//! for a first reply, answered, customer back again, paused while pending, reopened).
//! Three loops over the same items, each timed over several runs:
//! - baseline: policy selection only (what any per-conversation loop pays);
//! - clocks: every clock of every conversation (`hilo_sla::evaluate_into`);
//! - scheduler pass: clocks + due alerts + the next due instant (`Evaluator::assess`),
//!   in the steady state (alerts already raised are skipped) and on a first start
//!   (every due alert is new).

use std::collections::HashMap;
use std::hint::black_box;
use std::time::{Duration, Instant};

use hilo_core::sla::{Evaluator, RaisedAlerts, SlaConfig, Subject, TrackedItem};
use hilo_model::sla::SlaAlertSettings;
use hilo_model::{Channel, ConversationStatus, Direction, MessageKind, Priority};
use hilo_sla::{
    AtRiskThreshold, BusinessCalendar, CalendarRef, ConversationFacts, MessageFact, PauseRule, SlaPolicy, StatusChange,
};

const CONVERSATIONS: usize = 100_000;
const RUNS: usize = 15;
const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;

const MADRID_HOURS: &str = r#"{"mon":[["09:00","14:00"],["15:00","19:00"]],"tue":[["09:00","14:00"],["15:00","19:00"]],"wed":[["09:00","14:00"],["15:00","19:00"]],"thu":[["09:00","14:00"],["15:00","19:00"]],"fri":[["09:00","15:00"]],"sat":[],"sun":[]}"#;
const HOLIDAYS: [&str; 10] = [
    "2025-01-01",
    "2025-01-06",
    "2025-04-18",
    "2025-05-01",
    "2025-08-15",
    "2025-10-12",
    "2025-11-01",
    "2025-12-06",
    "2025-12-08",
    "2025-12-25",
];

/// SplitMix64, so every run sees the same conversations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> i64 {
        (self.next() % n.max(1)) as i64
    }
}

fn policy(id: i64, name: &str, position: i64, channels: Vec<Channel>, targets: [Option<i64>; 3]) -> SlaPolicy {
    SlaPolicy {
        id,
        name: name.to_owned(),
        position,
        match_priorities: Vec::new(),
        match_channels: channels,
        match_accounts: Vec::new(),
        first_response_secs: targets[0],
        next_response_secs: targets[1],
        resolution_secs: targets[2],
        calendar: CalendarRef::Always,
        pause_when_pending: PauseRule::WhilePendingOrSnoozed,
        at_risk: AtRiskThreshold::Percent(80),
    }
}

fn config() -> SlaConfig {
    let madrid = BusinessCalendar::from_stored("Europe/Madrid", MADRID_HOURS, HOLIDAYS).expect("Madrid calendar");
    let messaging = vec![Channel::Chat, Channel::Whatsapp, Channel::Facebook, Channel::Instagram, Channel::Sms];
    let mut urgent = policy(1, "Urgente", 0, Vec::new(), [Some(300), Some(600), Some(4 * 3600)]);
    urgent.match_priorities = vec![Priority::Urgent];
    let chat = policy(2, "Chat y mensajería", 1, messaging, [Some(300), Some(600), Some(86_400)]);
    let mut email = policy(3, "Email", 2, vec![Channel::Email], [Some(3600), Some(14_400), Some(259_200)]);
    email.calendar = CalendarRef::Calendar(1);
    SlaConfig::new(vec![urgent, chat, email], HashMap::from([(1, madrid)]))
}

fn items(now: i64) -> Vec<TrackedItem> {
    let mut rng = Rng(2025);
    let channels =
        [Channel::Email, Channel::Email, Channel::Email, Channel::Chat, Channel::Whatsapp, Channel::Facebook];
    (0..CONVERSATIONS)
        .map(|i| {
            let channel = channels[rng.below(channels.len() as u64) as usize];
            let priority = if rng.below(10) == 0 { Priority::Urgent } else { Priority::Medium };
            // Chats are hours old, emails days: what an open inbox holds.
            let age = if channel == Channel::Email { 3 * DAY } else { 8 * HOUR };
            let created_at = now - rng.below(age as u64) - MINUTE;
            let mut messages =
                vec![MessageFact { at: created_at, direction: Direction::Inbound, kind: MessageKind::Message }];
            let mut status_changes = Vec::new();
            let mut t = created_at;
            let turns = rng.below(5);
            for turn in 0..turns {
                t += rng.below((now - t).max(1) as u64 / 2 + 1);
                let direction = if turn % 2 == 0 { Direction::Outbound } else { Direction::Inbound };
                let kind = if rng.below(6) == 0 { MessageKind::Note } else { MessageKind::Message };
                messages.push(MessageFact { at: t, direction, kind });
            }
            if rng.below(5) == 0 {
                let paused = t + rng.below((now - t).max(1) as u64 / 2 + 1);
                status_changes.push(StatusChange { at: paused, status: ConversationStatus::Pending });
                if rng.below(2) == 0 {
                    let back = paused + rng.below((now - paused).max(1) as u64 + 1);
                    status_changes.push(StatusChange { at: back, status: ConversationStatus::Open });
                }
            }
            let status = status_changes.last().map_or(ConversationStatus::Open, |c| c.status);
            TrackedItem {
                subject: Subject::Conversation(i as i64 + 1),
                customer_id: i as i64 + 1,
                customer_name: format!("Cliente {i}"),
                channel,
                status: Some(status),
                priority,
                assignee: None,
                team: None,
                facts: ConversationFacts { channel, priority, account_id: 1, created_at, status_changes, messages },
            }
        })
        .collect()
}

/// Min and median of `RUNS` timed runs of `f`.
fn measure(mut f: impl FnMut() -> usize) -> (Duration, Duration) {
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            black_box(f());
            start.elapsed()
        })
        .collect();
    times.sort();
    (times[0], times[RUNS / 2])
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    // Tuesday 2025-06-17 11:00 in Madrid: office hours, so email clocks are running too.
    let now = jiff::civil::date(2025, 6, 17)
        .at(11, 0, 0, 0)
        .in_tz("Europe/Madrid")
        .expect("a valid Madrid time")
        .timestamp()
        .as_millisecond();
    let config = config();
    let items = items(now);
    let madrid = items.iter().filter(|i| i.channel == Channel::Email && i.priority != Priority::Urgent).count();
    println!("{CONVERSATIONS} open conversations; {madrid} on the Madrid office-hours calendar, the rest 24/7");

    let baseline = measure(|| items.iter().filter(|i| config.governing(&i.facts).is_some()).count());
    let mut evaluator = Evaluator::new();
    let clocks = measure(|| {
        let mut n = 0;
        for item in &items {
            if let Some((_, c)) = evaluator.clocks(&config, item, now) {
                n += c.len();
            }
        }
        n
    });
    let settings = SlaAlertSettings::default();
    let nothing_raised = RaisedAlerts::default();
    let first = evaluator.assess(&config, &items, &settings, &nothing_raised, now);
    let raised: RaisedAlerts = first.candidates.iter().map(|c| c.key).collect();
    let first_start = measure(|| evaluator.assess(&config, &items, &settings, &nothing_raised, now).candidates.len());
    let pass = measure(|| evaluator.assess(&config, &items, &settings, &raised, now).candidates.len());
    println!(
        "a first pass finds {} alerts due (at risk or breached); the next due instant is {} s ahead",
        first.candidates.len(),
        first.next_due.map_or(-1, |d| (d - now) / 1000)
    );
    println!("{:<44} {:>9} {:>9} {:>10}", "loop over 100,000 conversations", "min ms", "median ms", "median/base");
    for (name, (min, median)) in [
        ("baseline: policy selection only", baseline),
        ("clocks: evaluate every metric", clocks),
        ("scheduler pass: clocks + alerts + next due", pass),
        ("same, first start (every due alert is new)", first_start),
    ] {
        println!("{name:<44} {:>9.1} {:>9.1} {:>9.1}×", ms(min), ms(median), ms(median) / ms(baseline.1));
    }
    let target = 50.0;
    let verdict = if ms(pass.1) <= target { "within" } else { "OVER" };
    println!("target ≤ {target} ms per 100,000 conversations: scheduler pass {verdict} ({:.1} ms)", ms(pass.1));
}
