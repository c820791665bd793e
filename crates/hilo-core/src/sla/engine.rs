//! One pass of SLA evaluation over tracked items, pure (time passed in): each item's
//! clocks under its policy, the alerts that are due and not yet raised, and the next
//! instant anything becomes due. The scheduler, `sla_overview`, the report and the
//! benchmark all go through here, so they agree on every clock.

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};

use hilo_model::sla::{SlaAlertLevel, SlaAlertScope, SlaAlertSettings, SlaClockView, SlaMetric, SlaState};
use hilo_sla::{SlaClock, SlaState as ClockState};

use super::config::{Governing, SlaConfig};
use super::facts::{Subject, TrackedItem};

/// The identity of an alert: `sla_alerts`' UNIQUE(conversation_id, metric, cycle, level).
/// For callbacks `cycle` is the first missed call's id, so each item alerts on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AlertKey {
    pub conversation_id: i64,
    pub metric: SlaMetric,
    pub cycle: i64,
    pub level: SlaAlertLevel,
}

/// Alerts known to be raised. Looked up once per due clock on every pass, so it hashes
/// with a multiply-rotate mix instead of SipHash: the keys are our own ids, not input an
/// attacker chooses, and SipHash alone was a quarter of a 100,000-conversation pass.
pub type RaisedAlerts = HashSet<AlertKey, BuildHasherDefault<KeyHasher>>;

/// FxHash's mixing step (as in rustc), over the integers an [`AlertKey`] hashes.
#[derive(Debug, Default, Clone, Copy)]
pub struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn write_i64(&mut self, n: i64) {
        self.write_u64(n as u64);
    }

    fn write_isize(&mut self, n: isize) {
        self.write_u64(n as u64);
    }
}

/// An alert whose instant has come and which is not known to have been raised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AlertCandidate {
    pub key: AlertKey,
    /// Index into the evaluated items.
    pub item: usize,
    /// When the clock turned at risk or breached.
    pub due_at: i64,
    /// Business time left on the clock (negative when overdue).
    pub remaining_ms: i64,
}

/// What one pass found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Assessment {
    pub candidates: Vec<AlertCandidate>,
    /// The earliest instant after `now` at which an alerting item's clock turns at risk
    /// or breaches, if nothing changes.
    pub next_due: Option<i64>,
    /// Items that had a policy and were in the alert scope.
    pub evaluated: usize,
}

/// Evaluates items with one reusable clock buffer.
#[derive(Debug, Default)]
pub struct Evaluator {
    clocks: Vec<SlaClock>,
}

impl Evaluator {
    pub fn new() -> Evaluator {
        Evaluator::default()
    }

    /// The item's clocks at `now` under its policy; `None` when no policy covers it.
    pub fn clocks<'c>(
        &mut self,
        config: &'c SlaConfig,
        item: &TrackedItem,
        now: i64,
    ) -> Option<(Governing<'c>, &[SlaClock])> {
        let governing =
            if item.is_callback() { config.governing_callback(&item.facts) } else { config.governing(&item.facts) }?;
        hilo_sla::evaluate_into(governing.policy, governing.calendar, &item.facts, now, &mut self.clocks);
        Some((governing, &self.clocks))
    }

    /// Alerts due at `now` in the settings' scope and levels that are not in `raised`, and
    /// the next instant one becomes due.
    ///
    /// A clock found already breached raises only its breach: an at-risk warning for a
    /// deadline that has passed (the app was closed through both) would be noise.
    pub fn assess(
        &mut self,
        config: &SlaConfig,
        items: &[TrackedItem],
        settings: &SlaAlertSettings,
        raised: &RaisedAlerts,
        now: i64,
    ) -> Assessment {
        let mut out = Assessment::default();
        let at_risk_on = settings.levels.contains(&SlaAlertLevel::AtRisk);
        let breach_on = settings.levels.contains(&SlaAlertLevel::Breached);
        for (index, item) in items.iter().enumerate() {
            if !in_scope(settings, item) {
                continue;
            }
            let Some(conversation_id) = item.subject.alert_conversation() else { continue };
            let Some((_, clocks)) = self.clocks(config, item, now) else { continue };
            out.evaluated += 1;
            for clock in clocks {
                let live = matches!(clock.state, ClockState::Running | ClockState::AtRisk);
                if live {
                    for (at, on) in [(clock.at_risk_at, at_risk_on), (clock.due_at, breach_on)] {
                        if let Some(at) = at.filter(|t| on && *t > now) {
                            out.next_due = Some(out.next_due.map_or(at, |d| d.min(at)));
                        }
                    }
                }
                let (level, due_at) = match clock.state {
                    ClockState::AtRisk if at_risk_on => (SlaAlertLevel::AtRisk, clock.at_risk_at),
                    ClockState::Breached if breach_on => (SlaAlertLevel::Breached, clock.breached_at),
                    _ => continue,
                };
                let Some(due_at) = due_at else { continue };
                let key = AlertKey {
                    conversation_id,
                    metric: metric_of(item.subject, clock.metric),
                    cycle: stored_cycle(item.subject, clock.cycle),
                    level,
                };
                if !raised.contains(&key) {
                    out.candidates.push(AlertCandidate { key, item: index, due_at, remaining_ms: clock.remaining_ms });
                }
            }
        }
        out
    }
}

/// Whether the alert settings cover the item. Callback items count as unassigned.
pub fn in_scope(settings: &SlaAlertSettings, item: &TrackedItem) -> bool {
    settings.scope.iter().any(|scope| match scope {
        SlaAlertScope::All => true,
        SlaAlertScope::Mine => settings.agent.is_some() && item.assignee == settings.agent,
        SlaAlertScope::Unassigned => item.assignee.is_none(),
        SlaAlertScope::Team => !item.is_callback() && settings.team.is_some() && item.team == settings.team,
    })
}

/// The metric as the rest of Hilo names it: a callback item's first-response clock is
/// its callback clock.
pub fn metric_of(subject: Subject, metric: hilo_sla::SlaMetric) -> SlaMetric {
    match (subject, metric) {
        (Subject::Callback { .. }, _) => SlaMetric::Callback,
        (_, hilo_sla::SlaMetric::FirstResponse) => SlaMetric::FirstResponse,
        (_, hilo_sla::SlaMetric::NextResponse) => SlaMetric::NextResponse,
        (_, hilo_sla::SlaMetric::Resolution) => SlaMetric::Resolution,
    }
}

/// The `sla_alerts.cycle` of a clock: the call id for callbacks, the cycle otherwise.
pub fn stored_cycle(subject: Subject, cycle: u32) -> i64 {
    match subject {
        Subject::Callback { call_id, .. } => call_id,
        Subject::Conversation(_) => i64::from(cycle),
    }
}

pub fn state_of(state: ClockState) -> SlaState {
    match state {
        ClockState::Running => SlaState::Running,
        ClockState::AtRisk => SlaState::AtRisk,
        ClockState::Breached => SlaState::Breached,
        ClockState::Achieved => SlaState::Achieved,
        ClockState::Paused => SlaState::Paused,
    }
}

pub fn view_of(subject: Subject, clock: &SlaClock) -> SlaClockView {
    SlaClockView {
        metric: metric_of(subject, clock.metric),
        cycle: clock.cycle,
        state: state_of(clock.state),
        started_at: clock.started_at,
        target_ms: clock.target_ms,
        elapsed_ms: clock.elapsed_business_ms,
        remaining_ms: clock.remaining_ms,
        due_at: clock.due_at,
        at_risk_at: clock.at_risk_at,
        achieved_at: clock.achieved_at,
        breached_at: clock.breached_at,
    }
}
