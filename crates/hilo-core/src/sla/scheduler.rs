//! The SLA scheduler: keeps the next instant a clock turns at risk or breaches, sleeps
//! until exactly then, raises each alert once and notifies.
//!
//! Wakes on: the next due instant; [`SlaHandle::notify_changed`] (the cache changed);
//! a periodic re-scan (a safety net for writers that do not call it, such as another
//! process); and at least every `max_sleep` to compare the wall clock with the
//! monotonic one. If they moved apart by more than `jump_tolerance` since the last wake
//! (the clock was set, or the machine slept), everything is re-read and re-evaluated, so
//! alerts whose instant passed meanwhile fire at once — once.
//!
//! A pass (read, evaluate, record, notify) runs on a blocking thread: SQLite and the
//! platform's notification call both block.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use hilo_model::sla::{SlaAlert, SlaAlertEvent, SlaAlertLevel, SlaAlertSettings, SlaDelivery, SlaMetric};
use hilo_store::Store;
use tokio::sync::{Notify, broadcast, watch};
use tokio::task::JoinHandle;

use super::alerts::{self, NewAlert};
use super::clock::Clock;
use super::config::{SlaConfig, load_alert_settings};
use super::engine::{AlertCandidate, Evaluator, RaisedAlerts};
use super::facts::{LoadScope, Subject, TrackedItem, load_items};
use super::text::{self, AlertWords};
use crate::error::CoreError;
use crate::language::Language;
use crate::notify::{DesktopNotification, Notifier, Urgency};

/// Notification target of a summary: the alert centre.
pub const SUMMARY_TARGET: &str = "view:sla-alerts";

/// Alerts a slow subscriber may fall behind by before it misses some.
const EVENT_BUFFER: usize = 4096;

#[derive(Debug, Clone)]
pub struct SlaSchedulerSettings {
    /// The longest sleep between two looks at the clocks; bounds how late a clock jump or
    /// a wake from suspend is noticed.
    pub max_sleep: Duration,
    /// Everything is re-read from the cache at least this often.
    pub rescan_every: Duration,
    /// How far wall and monotonic time may drift apart between wakes before it counts as
    /// a clock jump.
    pub jump_tolerance: Duration,
    /// More alerts than this in one pass become one summary notification.
    pub summary_after: usize,
    /// Overrides the `ui.language` setting and the OS locale.
    pub language: Option<Language>,
}

impl Default for SlaSchedulerSettings {
    fn default() -> SlaSchedulerSettings {
        SlaSchedulerSettings {
            max_sleep: Duration::from_secs(5),
            rescan_every: Duration::from_secs(30),
            jump_tolerance: Duration::from_secs(2),
            summary_after: text::SUMMARY_AFTER,
            language: None,
        }
    }
}

/// What the scheduler is doing, for diagnostics and for tests that drive a manual clock.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SchedulerStatus {
    pub passes: u64,
    /// Change notifications taken into account so far.
    pub seen_changes: u64,
    /// Monotonic deadline of the current sleep; `None` while awake.
    pub sleeping_until: Option<i64>,
    /// The next instant (wall clock) an alert becomes due, if nothing changes.
    pub next_due: Option<i64>,
    /// Conversations and callback items being watched.
    pub items: usize,
    pub alerts_raised: u64,
    pub notifications: u64,
    /// Times the wall clock was seen to jump (clock set, suspend).
    pub clock_jumps: u64,
    pub last_error: Option<String>,
}

struct Shared {
    changes: AtomicU64,
    wake: Notify,
}

/// The running scheduler. Dropping it stops the scheduler at its next wake.
pub struct SlaHandle {
    shared: Arc<Shared>,
    cancel: watch::Sender<bool>,
    status: watch::Receiver<SchedulerStatus>,
    events: broadcast::Sender<SlaAlertEvent>,
    /// Holds every event from the start until the first `subscribe`, so no alert of the
    /// first pass is missed by a subscriber that arrives a moment late.
    first_subscriber: Mutex<Option<broadcast::Receiver<SlaAlertEvent>>>,
    clock: Arc<dyn Clock>,
    task: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for SlaHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SlaHandle").field("status", &*self.status.borrow()).finish_non_exhaustive()
    }
}

impl SlaHandle {
    /// The cache changed (a message, a status, an assignment, a policy, a setting): re-read
    /// and re-evaluate now. Cheap; bursts coalesce into one pass.
    pub fn notify_changed(&self) {
        self.shared.changes.fetch_add(1, Ordering::SeqCst);
        self.shared.wake.notify_one();
    }

    /// Every alert as it fires (the `sla://alert` event; the CLI's JSON lines).
    pub fn subscribe(&self) -> broadcast::Receiver<SlaAlertEvent> {
        let first = self.first_subscriber.lock().unwrap_or_else(PoisonError::into_inner).take();
        first.unwrap_or_else(|| self.events.subscribe())
    }

    pub fn status(&self) -> SchedulerStatus {
        self.status.borrow().clone()
    }

    /// Resolves once the scheduler has taken every change notified so far into account
    /// and is asleep with a deadline still ahead of the clock, so nothing more happens
    /// until time moves. Tests use it to step a [`super::ManualClock`].
    pub async fn settled(&self) {
        let mut status = self.status.clone();
        let (shared, clock) = (self.shared.clone(), self.clock.clone());
        let _ = status
            .wait_for(|s| {
                s.seen_changes >= shared.changes.load(Ordering::SeqCst)
                    && s.sleeping_until.is_some_and(|d| d > clock.monotonic_ms())
            })
            .await;
    }

    /// Stops the scheduler and waits for a pass in progress to finish.
    pub async fn shutdown(mut self) {
        let _ = self.cancel.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for SlaHandle {
    fn drop(&mut self) {
        let _ = self.cancel.send(true);
    }
}

/// Starts the scheduler on the current tokio runtime.
pub fn spawn_sla_scheduler(
    store: Store,
    notifier: Arc<dyn Notifier>,
    settings: SlaSchedulerSettings,
    clock: Arc<dyn Clock>,
) -> SlaHandle {
    let shared = Arc::new(Shared { changes: AtomicU64::new(0), wake: Notify::new() });
    let (cancel, cancel_rx) = watch::channel(false);
    let (status_tx, status) = watch::channel(SchedulerStatus::default());
    let (events, first) = broadcast::channel(EVENT_BUFFER);
    let desk = Desk {
        store,
        notifier,
        config: None,
        items: Vec::new(),
        raised: RaisedAlerts::default(),
        alert_settings: SlaAlertSettings::default(),
        language: settings.language.unwrap_or(Language::En),
        evaluator: Evaluator::new(),
        settings: settings.clone(),
    };
    let task = tokio::spawn(run(
        Arc::new(Mutex::new(desk)),
        Loop {
            shared: shared.clone(),
            cancel: cancel_rx,
            status: status_tx,
            events: events.clone(),
            clock: clock.clone(),
        },
        settings,
    ));
    SlaHandle { shared, cancel, status, events, first_subscriber: Mutex::new(Some(first)), clock, task: Some(task) }
}

struct Loop {
    shared: Arc<Shared>,
    cancel: watch::Receiver<bool>,
    status: watch::Sender<SchedulerStatus>,
    events: broadcast::Sender<SlaAlertEvent>,
    clock: Arc<dyn Clock>,
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

async fn run(desk: Arc<Mutex<Desk>>, mut ctx: Loop, settings: SlaSchedulerSettings) {
    let (max_sleep, rescan, tolerance) =
        (millis(settings.max_sleep).max(1), millis(settings.rescan_every).max(1_000), millis(settings.jump_tolerance));
    let mut last_seen = (ctx.clock.now_ms(), ctx.clock.monotonic_ms());
    let mut last_read: Option<i64> = None;
    loop {
        if *ctx.cancel.borrow() {
            return;
        }
        let changes = ctx.shared.changes.load(Ordering::SeqCst);
        let (now, mono) = (ctx.clock.now_ms(), ctx.clock.monotonic_ms());
        let drift = (now - last_seen.0) - (mono - last_seen.1);
        let jumped = drift.abs() > tolerance;
        last_seen = (now, mono);
        let seen_changes = ctx.status.borrow().seen_changes;
        let reread = jumped || changes > seen_changes || last_read.is_none_or(|t| mono - t >= rescan);
        if reread {
            last_read = Some(mono);
        }

        let pass_desk = desk.clone();
        let outcome = tokio::task::spawn_blocking(move || {
            pass_desk.lock().unwrap_or_else(PoisonError::into_inner).pass(now, reread)
        })
        .await
        .unwrap_or_else(|e| Err(CoreError::Internal(format!("the SLA pass stopped: {e}"))));

        let next_due = match outcome {
            Ok(outcome) => {
                for event in &outcome.events {
                    // No subscriber is fine: the alert is in the table and on the desktop.
                    let _ = ctx.events.send(event.clone());
                }
                ctx.status.send_modify(|s| {
                    s.passes += 1;
                    s.seen_changes = changes;
                    s.next_due = outcome.next_due;
                    s.items = outcome.items;
                    s.alerts_raised += outcome.events.len() as u64;
                    s.notifications += outcome.notifications;
                    s.clock_jumps += u64::from(jumped);
                    s.last_error = outcome.notify_error.clone();
                });
                outcome.next_due
            }
            Err(e) => {
                let message = e.to_string();
                if ctx.status.borrow().last_error.as_deref() != Some(message.as_str()) {
                    eprintln!("hilo: SLA scheduler: {message} (retrying)");
                }
                // A failed read must be retried, not taken as "nothing changed".
                last_read = None;
                ctx.status.send_modify(|s| {
                    s.passes += 1;
                    s.seen_changes = changes;
                    s.clock_jumps += u64::from(jumped);
                    s.last_error = Some(message);
                });
                None
            }
        };

        let (now, mono) = (ctx.clock.now_ms(), ctx.clock.monotonic_ms());
        // After a failed pass `last_read` is unset: retry after a short sleep, never spin.
        let until_rescan = last_read.map_or(max_sleep, |t| (t + rescan - mono).max(0));
        let wait = next_due.map_or(max_sleep, |due| (due - now).max(0)).min(max_sleep).min(until_rescan);
        if wait == 0 {
            continue;
        }
        let deadline = mono + wait;
        ctx.status.send_modify(|s| s.sleeping_until = Some(deadline));
        tokio::select! {
            _ = ctx.clock.sleep_until(deadline) => {}
            _ = ctx.shared.wake.notified() => {}
            _ = ctx.cancel.changed() => return,
        }
        ctx.status.send_modify(|s| s.sleeping_until = None);
    }
}

/// What a pass produced.
struct PassOutcome {
    next_due: Option<i64>,
    items: usize,
    events: Vec<SlaAlertEvent>,
    notifications: u64,
    notify_error: Option<String>,
}

/// The scheduler's state between passes.
struct Desk {
    store: Store,
    notifier: Arc<dyn Notifier>,
    config: Option<SlaConfig>,
    items: Vec<TrackedItem>,
    /// Alerts known to be in `sla_alerts` (a cache; the UNIQUE constraint decides).
    raised: RaisedAlerts,
    alert_settings: SlaAlertSettings,
    language: Language,
    evaluator: Evaluator,
    settings: SlaSchedulerSettings,
}

impl Desk {
    fn pass(&mut self, now: i64, reread: bool) -> Result<PassOutcome, CoreError> {
        if reread || self.config.is_none() {
            self.reread()?;
        }
        let Some(config) = self.config.as_ref() else {
            return Err(CoreError::Internal("the SLA configuration was not loaded".to_owned()));
        };
        let mut assessment = self.evaluator.assess(config, &self.items, &self.alert_settings, &self.raised, now);
        assessment.candidates.sort_by_key(|c| (c.due_at, c.key));
        let mut outcome = PassOutcome {
            next_due: assessment.next_due,
            items: self.items.len(),
            events: Vec::new(),
            notifications: 0,
            notify_error: None,
        };
        if assessment.candidates.is_empty() {
            return Ok(outcome);
        }

        let new: Vec<NewAlert> = assessment
            .candidates
            .iter()
            .map(|c| NewAlert {
                key: c.key,
                customer_id: self.items.get(c.item).map_or(0, |i| i.customer_id),
                due_at: c.due_at,
                fired_at: now,
            })
            .collect();
        let ids = self.store.write(|tx| alerts::raise(tx, &new))?;
        self.raised.extend(assessment.candidates.iter().map(|c| c.key));
        let fired: Vec<(AlertCandidate, i64)> =
            assessment.candidates.iter().zip(ids).filter_map(|(c, id)| Some((*c, id?))).collect();
        if fired.is_empty() {
            return Ok(outcome);
        }

        let delivery =
            if fired.len() > self.settings.summary_after { SlaDelivery::Summary } else { SlaDelivery::Individual };
        let mut notifications = Vec::new();
        if delivery == SlaDelivery::Summary {
            notifications.push(self.summary(&fired));
        }
        for (candidate, id) in &fired {
            let Some(item) = self.items.get(candidate.item) else { continue };
            let alert = alert_of(item, candidate, *id, now);
            let notification = match delivery {
                SlaDelivery::Individual => {
                    let n = self.individual(item, candidate, now);
                    notifications.push(n.clone());
                    n
                }
                SlaDelivery::Summary => notifications[0].clone(),
            };
            outcome.events.push(SlaAlertEvent {
                alert,
                title: notification.title,
                body: notification.body,
                delivery,
                notify_error: None,
            });
        }

        let mut errors = Vec::new();
        for (i, n) in notifications.iter().enumerate() {
            match self.notifier.notify(n) {
                Ok(()) => outcome.notifications += 1,
                Err(e) => {
                    let message = e.to_string();
                    // Which events the failed notification stood for.
                    let range = match delivery {
                        SlaDelivery::Summary => 0..outcome.events.len(),
                        SlaDelivery::Individual => i..i + 1,
                    };
                    for event in outcome.events.get_mut(range).unwrap_or_default() {
                        event.notify_error = Some(message.clone());
                    }
                    errors.push(message);
                }
            }
        }
        outcome.notify_error = errors.pop();
        Ok(outcome)
    }

    fn reread(&mut self) -> Result<(), CoreError> {
        let current = self.config.as_ref();
        let (alert_settings, language, config, items, raised) = self.store.read(|c| {
            let alert_settings = load_alert_settings(c)?;
            let language = crate::language::resolve(c)?;
            let config = SlaConfig::load_if_changed(c, alert_settings.at_risk, current)?;
            let items = load_items(c, LoadScope::Live)?;
            let raised = alerts::raised_keys(c)?;
            Ok((alert_settings, language, config, items, raised))
        })?;
        if let Some(config) = config {
            for warning in
                config.warnings.iter().filter(|w| self.config.as_ref().is_none_or(|c| !c.warnings.contains(w)))
            {
                eprintln!("hilo: SLA: {warning}");
            }
            self.config = Some(config);
        }
        self.alert_settings = alert_settings;
        self.language = self.settings.language.unwrap_or(language);
        self.items = items;
        self.raised = raised.into_iter().collect();
        Ok(())
    }

    fn individual(&self, item: &TrackedItem, c: &AlertCandidate, now: i64) -> DesktopNotification {
        let (title, body) = text::alert_text(
            &AlertWords {
                customer: &item.customer_name,
                channel: item.channel,
                metric: c.key.metric,
                level: c.key.level,
                remaining_ms: c.remaining_ms,
                overdue_ms: now - c.due_at,
            },
            self.language,
        );
        DesktopNotification {
            title,
            body,
            urgency: match c.key.level {
                SlaAlertLevel::AtRisk => Urgency::Normal,
                SlaAlertLevel::Breached => Urgency::Critical,
            },
            target: Some(target_of(item)),
        }
    }

    fn summary(&self, fired: &[(AlertCandidate, i64)]) -> DesktopNotification {
        let mut breached: Vec<(Subject, &str)> = Vec::new();
        let mut at_risk: Vec<(Subject, &str)> = Vec::new();
        for (c, _) in fired.iter().filter(|(c, _)| c.key.level == SlaAlertLevel::Breached) {
            if let Some(item) = self.items.get(c.item)
                && !breached.iter().any(|(s, _)| *s == item.subject)
            {
                breached.push((item.subject, &item.customer_name));
            }
        }
        for (c, _) in fired.iter().filter(|(c, _)| c.key.level == SlaAlertLevel::AtRisk) {
            if let Some(item) = self.items.get(c.item)
                && !breached.iter().chain(&at_risk).any(|(s, _)| *s == item.subject)
            {
                at_risk.push((item.subject, &item.customer_name));
            }
        }
        let breached: Vec<&str> = breached.into_iter().map(|(_, name)| name).collect();
        let at_risk: Vec<&str> = at_risk.into_iter().map(|(_, name)| name).collect();
        let (title, body) = text::summary_text(&breached, &at_risk, self.language);
        DesktopNotification {
            title,
            body,
            urgency: if breached.is_empty() { Urgency::Normal } else { Urgency::Critical },
            target: Some(SUMMARY_TARGET.to_owned()),
        }
    }
}

/// What clicking a notification opens: the conversation, or for a callback the customer.
fn target_of(item: &TrackedItem) -> String {
    match item.subject {
        Subject::Conversation(id) => format!("conversation:{id}"),
        Subject::Callback { .. } => format!("customer:{}", item.customer_id),
    }
}

fn alert_of(item: &TrackedItem, c: &AlertCandidate, id: i64, now: i64) -> SlaAlert {
    let call_id = match item.subject {
        Subject::Callback { call_id, .. } => Some(call_id),
        Subject::Conversation(_) => None,
    };
    SlaAlert {
        id,
        conversation_id: c.key.conversation_id,
        call_id,
        customer_id: item.customer_id,
        customer_name: item.customer_name.clone(),
        channel: item.channel,
        metric: c.key.metric,
        cycle: if c.key.metric == SlaMetric::Callback { 1 } else { u32::try_from(c.key.cycle).unwrap_or(u32::MAX) },
        level: c.key.level,
        due_at: c.due_at,
        fired_at: now,
        acknowledged_at: None,
        snoozed_until: None,
    }
}
