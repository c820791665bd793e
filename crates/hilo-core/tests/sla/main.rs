//! The SLA scheduler against a real (encrypted) cache: alerts at exact instants with a
//! simulated clock, exactly once across restarts and concurrent schedulers, summaries for
//! bursts, clock jumps, the demo's clocks, and a real-clock latency check.

mod demo;
mod editor;
mod instants;
mod once;
mod realtime;

use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use hilo_core::sla::{Clock, ManualClock, SlaHandle, SlaSchedulerSettings, spawn_sla_scheduler};
use hilo_core::{DesktopNotification, Notifier, NotifyError};
use hilo_model::{AccountKind, CallOutcome, Channel, ConversationStatus, DeliveryState, Direction, EventKind};
use hilo_model::{MessageKind, Origin, Priority};
use hilo_store::{CacheKey, Store, accounts, calls, conversations, customers, events, messages, settings, sla};

pub const SECOND: i64 = 1_000;
pub const MINUTE: i64 = 60 * SECOND;
pub const HOUR: i64 = 60 * MINUTE;

/// The demo's office hours in Madrid: split shifts Monday to Thursday, Friday mornings.
pub const MADRID_HOURS: &str = r#"{"mon":[["09:00","14:00"],["15:00","19:00"]],"tue":[["09:00","14:00"],["15:00","19:00"]],"wed":[["09:00","14:00"],["15:00","19:00"]],"thu":[["09:00","14:00"],["15:00","19:00"]],"fri":[["09:00","15:00"]],"sat":[],"sun":[]}"#;

/// A wall-clock instant in Madrid, in ms since the epoch.
pub fn madrid(y: i16, mo: i8, d: i8, h: i8, mi: i8) -> i64 {
    jiff::civil::date(y, mo, d)
        .at(h, mi, 0, 0)
        .in_tz("Europe/Madrid")
        .expect("a valid Madrid time")
        .timestamp()
        .as_millisecond()
}

/// A fresh encrypted cache with one helpdesk account and one telephony account.
pub struct Desk {
    _dir: tempfile::TempDir,
    pub store: Store,
    pub chatwoot: i64,
    pub pbx: i64,
}

/// SQLCipher's first key setup in a process is not safe from several threads at once:
/// about 3 % of cold starts with parallel opens fail with "An error occurred with PRAGMA
/// key". One cache opened alone first, and kept open, avoids it (production opens its
/// writer alone anyway).
fn warm_up_sqlcipher() {
    static WARM: OnceLock<(tempfile::TempDir, Store)> = OnceLock::new();
    WARM.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(&dir.path().join("warm.db"), CacheKey::from_bytes([1; 32])).expect("warm-up cache");
        (dir, store)
    });
}

impl Desk {
    pub fn open() -> Desk {
        warm_up_sqlcipher();
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(&dir.path().join("hilo.db"), CacheKey::from_bytes([7; 32])).expect("open cache");
        let (chatwoot, pbx) = store
            .write(|tx| {
                Ok((
                    accounts::upsert(tx, "Soporte", AccountKind::Chatwoot, "{}", 0)?,
                    accounts::upsert(tx, "Centralita", AccountKind::Ami, "{}", 0)?,
                ))
            })
            .expect("accounts");
        Desk { _dir: dir, store, chatwoot, pbx }
    }

    pub fn setting(&self, key: &str, value: serde_json::Value) {
        self.store.write(|tx| settings::set(tx, key, &value)).expect("setting");
    }

    pub fn calendar(&self, holidays: &[&str]) -> i64 {
        self.store
            .write(|tx| {
                let id = sla::upsert_calendar(tx, "Madrid", "Europe/Madrid", MADRID_HOURS)?;
                for date in holidays {
                    sla::upsert_holiday(tx, id, date, "Festivo")?;
                }
                Ok(id)
            })
            .expect("calendar")
    }

    pub fn policy(&self, p: Policy) -> i64 {
        self.store
            .write(|tx| {
                sla::upsert_policy(
                    tx,
                    &sla::NewPolicy {
                        name: p.name,
                        position: p.position,
                        match_priorities_json: p.priorities,
                        match_channels_json: p.channels,
                        first_response_secs: p.first,
                        next_response_secs: p.next,
                        resolution_secs: p.resolution,
                        calendar_id: p.calendar,
                        pause_when_pending: p.pause,
                        at_risk_percent: p.at_risk_percent,
                    },
                )
            })
            .expect("policy")
    }

    pub fn customer(&self, name: &str) -> i64 {
        self.store.write(|tx| customers::insert(tx, name, Some("es"), 0)).expect("customer")
    }

    pub fn conversation(&self, c: Conv<'_>) -> i64 {
        self.store
            .write(|tx| {
                conversations::upsert(
                    tx,
                    &conversations::NewConversation {
                        account_id: self.chatwoot,
                        remote_id: c.remote_id,
                        channel: c.channel,
                        status: c.status,
                        priority: c.priority,
                        subject: None,
                        customer_id: c.customer,
                        assignee: c.assignee,
                        team: c.team,
                        created_at: c.created_at,
                        snoozed_until: None,
                    },
                )
            })
            .expect("conversation")
    }

    pub fn message(&self, conversation: i64, direction: Direction, kind: MessageKind, at: i64) {
        self.store
            .write(|tx| {
                messages::upsert(
                    tx,
                    &messages::NewMessage {
                        conversation_id: conversation,
                        remote_id: Some(&format!("m{conversation}-{at}-{}", kind.as_str())),
                        direction,
                        kind,
                        author: None,
                        text: "…",
                        html: None,
                        delivery: DeliveryState::Delivered,
                        created_at: at,
                        origin: Origin::Sync,
                    },
                )
            })
            .expect("message");
    }

    pub fn status_change(
        &self,
        conversation: i64,
        customer: i64,
        at: i64,
        from: ConversationStatus,
        to: ConversationStatus,
    ) {
        self.store
            .write(|tx| {
                events::insert(
                    tx,
                    &events::NewEvent {
                        customer_id: Some(customer),
                        conversation_id: Some(conversation),
                        kind: EventKind::StatusChanged,
                        at,
                        actor: None,
                        from_value: Some(from.as_str()),
                        to_value: Some(to.as_str()),
                        origin: Origin::Sync,
                    },
                )
            })
            .expect("status change");
    }

    pub fn call(&self, customer: i64, direction: Direction, outcome: CallOutcome, started_at: i64, ended_at: i64) {
        self.store
            .write(|tx| {
                calls::upsert(
                    tx,
                    &calls::NewCall {
                        account_id: self.pbx,
                        call_ref: &format!("{started_at}.1"),
                        direction,
                        from_number: Some("+34600123456"),
                        to_number: Some("1986"),
                        agent: None,
                        outcome,
                        started_at,
                        answered_at: (outcome == CallOutcome::Answered).then_some(started_at + 5 * SECOND),
                        ended_at: Some(ended_at),
                        hangup_cause: Some("19"),
                        customer_id: Some(customer),
                        conversation_id: None,
                        summary: None,
                        origin: Origin::Telephony,
                    },
                )
            })
            .expect("call");
    }

    pub fn count(&self, sql: &str) -> i64 {
        self.store.read(|c| Ok(c.query_row(sql, [], |r| r.get(0))?)).expect(sql)
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Policy {
    pub name: &'static str,
    pub position: i64,
    pub priorities: &'static str,
    pub channels: &'static str,
    pub first: Option<i64>,
    pub next: Option<i64>,
    pub resolution: Option<i64>,
    pub calendar: Option<i64>,
    pub pause: bool,
    pub at_risk_percent: i64,
}

impl Default for Policy {
    fn default() -> Policy {
        Policy {
            name: "Chat",
            position: 1,
            priorities: "[]",
            channels: "[]",
            first: Some(300),
            next: None,
            resolution: None,
            calendar: None,
            pause: true,
            at_risk_percent: 80,
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Conv<'a> {
    pub remote_id: &'a str,
    pub customer: i64,
    pub channel: Channel,
    pub status: ConversationStatus,
    pub priority: Priority,
    pub assignee: Option<&'a str>,
    pub team: Option<&'a str>,
    pub created_at: i64,
}

impl Conv<'_> {
    pub fn chat(customer: i64, created_at: i64) -> Conv<'static> {
        Conv {
            remote_id: "c1",
            customer,
            channel: Channel::Chat,
            status: ConversationStatus::Open,
            priority: Priority::None,
            assignee: None,
            team: None,
            created_at,
        }
    }
}

/// Records each notification with the (simulated) instant it was shown at.
pub struct StampedNotifier {
    clock: Arc<dyn Clock>,
    seen: Mutex<Vec<(i64, DesktopNotification)>>,
}

impl StampedNotifier {
    pub fn new(clock: Arc<dyn Clock>) -> Arc<StampedNotifier> {
        Arc::new(StampedNotifier { clock, seen: Mutex::new(Vec::new()) })
    }

    pub fn seen(&self) -> Vec<(i64, DesktopNotification)> {
        self.seen.lock().expect("notifier lock").clone()
    }
}

impl Notifier for StampedNotifier {
    fn notify(&self, n: &DesktopNotification) -> Result<(), NotifyError> {
        self.seen.lock().map_err(|e| NotifyError(e.to_string()))?.push((self.clock.now_ms(), n.clone()));
        Ok(())
    }
}

/// A scheduler on a manual clock, with settings whose language is fixed by the desk.
pub fn start(desk: &Desk, clock: &Arc<ManualClock>, notifier: &Arc<StampedNotifier>) -> SlaHandle {
    spawn_sla_scheduler(desk.store.clone(), notifier.clone(), SlaSchedulerSettings::default(), clock.clone())
}

/// Waits until the scheduler has nothing more to do at the clock's current reading.
pub async fn settle(handle: &SlaHandle) {
    tokio::time::timeout(Duration::from_secs(20), handle.settled())
        .await
        .unwrap_or_else(|_| panic!("the scheduler did not settle: {:?}", handle.status()));
}

/// Moves the manual clock to `t` (as time passing) and waits for the scheduler.
pub async fn step(handle: &SlaHandle, clock: &ManualClock, t: i64) {
    clock.set(t);
    settle(handle).await;
}
