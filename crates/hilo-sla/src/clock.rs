//! SLA clocks: from a conversation's facts (messages, status history) and `now`, the
//! state of each metric's clock — elapsed business time, deadline, at-risk instant,
//! achievement or breach — and the next instant at which an alert becomes due.
//!
//! Rules (see DESIGN.md "SLA"):
//! - A response cycle opens with an inbound customer message (kind `message`) and closes
//!   with the next outbound public reply (kind `message`; notes, bot turns and system
//!   lines never close it) or, failing that, when the conversation is resolved. The
//!   first cycle is the first-response clock; later ones are next-response cycles 1, 2, …
//!   A cycle closed by resolving counts as achieved at that instant.
//! - Resolution runs from creation until the conversation is resolved; a reopen resumes
//!   it with the time already elapsed.
//! - Time accrues only while the status is open, or pending/snoozed when the policy does
//!   not pause. Resolved time never accrues.
//! - Facts after `now` are ignored, so evaluating at an earlier `now` replays history.
//! - Deadlines are inclusive for the team: a reply at exactly the due instant is on
//!   time, while a clock still running at that instant is breached from that instant.

use hilo_model::{Channel, ConversationStatus, Direction, MessageKind, Priority};
use serde::{Deserialize, Serialize};

use crate::calendar::BusinessCalendar;
use crate::policy::{PauseRule, SlaPolicy};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlaMetric {
    FirstResponse,
    NextResponse,
    Resolution,
}

impl SlaMetric {
    pub const ALL: [SlaMetric; 3] = [SlaMetric::FirstResponse, SlaMetric::NextResponse, SlaMetric::Resolution];

    /// The name stored in `sla_alerts.metric`.
    pub fn as_str(self) -> &'static str {
        match self {
            SlaMetric::FirstResponse => "first_response",
            SlaMetric::NextResponse => "next_response",
            SlaMetric::Resolution => "resolution",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlaState {
    Running,
    AtRisk,
    /// Past the deadline and not achieved (whether or not the clock is paused now).
    Breached,
    /// Stopped by the reply or resolution; `breached_at` tells whether it was late.
    Achieved,
    /// Not accruing (pending/snoozed under a pausing policy, or resolved) and not breached.
    Paused,
}

/// The alert levels a scheduler fires, stored in `sla_alerts.level`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertLevel {
    AtRisk,
    Breached,
}

impl AlertLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            AlertLevel::AtRisk => "at_risk",
            AlertLevel::Breached => "breached",
        }
    }
}

/// How an achieved clock met its target, for reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fulfilment {
    OnTime,
    Late,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusChange {
    pub at: i64,
    /// The status from `at` on.
    pub status: ConversationStatus,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageFact {
    pub at: i64,
    pub direction: Direction,
    pub kind: MessageKind,
}

impl MessageFact {
    fn is_customer_message(self) -> bool {
        self.direction == Direction::Inbound && self.kind == MessageKind::Message
    }

    fn is_agent_reply(self) -> bool {
        self.direction == Direction::Outbound && self.kind == MessageKind::Message
    }
}

/// Everything the clocks need to know about one conversation.
///
/// `status_changes` and `messages` must be in chronological order (ties keep their
/// order: a status change and a message at the same millisecond are read as the change
/// first). The status is `open` from creation until the first change; a change at or
/// before `created_at` sets the initial status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConversationFacts {
    pub channel: Channel,
    pub priority: Priority,
    pub account_id: i64,
    pub created_at: i64,
    pub status_changes: Vec<StatusChange>,
    pub messages: Vec<MessageFact>,
}

impl ConversationFacts {
    /// Stable-sorts both histories by instant, for callers that cannot guarantee order.
    pub fn sort_chronologically(&mut self) {
        self.status_changes.sort_by_key(|c| c.at);
        self.messages.sort_by_key(|m| m.at);
    }

    /// The status in effect at `at`.
    pub fn status_at(&self, at: i64) -> ConversationStatus {
        status_at(known_until(&self.status_changes, at, |c| c.at), at)
    }
}

/// One metric's clock (for next response, one per cycle).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SlaClock {
    pub metric: SlaMetric,
    /// 1 for first response and resolution; 1, 2, … for next-response cycles.
    pub cycle: u32,
    pub state: SlaState,
    /// When the clock started: the customer message, or creation for resolution.
    pub started_at: i64,
    pub target_ms: i64,
    pub elapsed_business_ms: i64,
    /// When the clock breaches (or breached) if it keeps running; `None` while paused
    /// before a breach, once achieved, or when the calendar never opens.
    pub due_at: Option<i64>,
    /// When the clock turned (or will turn, if it keeps running) at risk.
    pub at_risk_at: Option<i64>,
    /// `target_ms - elapsed_business_ms`; negative when overdue.
    pub remaining_ms: i64,
    pub achieved_at: Option<i64>,
    /// Set whenever the target was exceeded, also for a clock achieved late.
    pub breached_at: Option<i64>,
}

impl SlaClock {
    /// `None` until achieved.
    pub fn fulfilment(&self) -> Option<Fulfilment> {
        self.achieved_at.map(|_| if self.breached_at.is_some() { Fulfilment::Late } else { Fulfilment::OnTime })
    }
}

/// Every clock of the conversation under `policy`, in the order first response,
/// next-response cycles 1, 2, …, resolution. Metrics without a target, and clocks that
/// have not started by `now`, are absent.
pub fn evaluate(policy: &SlaPolicy, calendar: &BusinessCalendar, facts: &ConversationFacts, now: i64) -> Vec<SlaClock> {
    let mut clocks = Vec::new();
    evaluate_into(policy, calendar, facts, now, &mut clocks);
    clocks
}

/// [`evaluate`] into a caller-owned buffer (cleared first), so a loop over many
/// conversations reuses one allocation.
pub fn evaluate_into(
    policy: &SlaPolicy,
    calendar: &BusinessCalendar,
    facts: &ConversationFacts,
    now: i64,
    clocks: &mut Vec<SlaClock>,
) {
    clocks.clear();
    for_each_clock(policy, calendar, facts, now, |clock| clocks.push(clock));
}

/// The earliest instant after `now` at which a clock will turn at risk or breach if
/// nothing changes, so a scheduler can sleep until exactly then. When an at-risk and a
/// breach instant coincide, the breach is reported.
pub fn next_due(
    policy: &SlaPolicy,
    calendar: &BusinessCalendar,
    facts: &ConversationFacts,
    now: i64,
) -> Option<(i64, SlaMetric, AlertLevel)> {
    let mut earliest: Option<(i64, SlaMetric, AlertLevel)> = None;
    let mut offer = |at: i64, metric: SlaMetric, level: AlertLevel| {
        let better = earliest.is_none_or(|(t, _, l)| at < t || (at == t && level > l));
        if at > now && better {
            earliest = Some((at, metric, level));
        }
    };
    for_each_clock(policy, calendar, facts, now, |clock| {
        if matches!(clock.state, SlaState::Running | SlaState::AtRisk) {
            if let Some(at) = clock.at_risk_at {
                offer(at, clock.metric, AlertLevel::AtRisk);
            }
            if let Some(at) = clock.due_at {
                offer(at, clock.metric, AlertLevel::Breached);
            }
        }
    });
    earliest
}

fn for_each_clock(
    policy: &SlaPolicy,
    calendar: &BusinessCalendar,
    facts: &ConversationFacts,
    now: i64,
    mut emit: impl FnMut(SlaClock),
) {
    let history = History {
        changes: known_until(&facts.status_changes, now, |c| c.at),
        messages: known_until(&facts.messages, now, |m| m.at),
        pause: policy.pause_when_pending,
        now,
    };
    let first_target = policy.target_ms(SlaMetric::FirstResponse);
    let next_target = policy.target_ms(SlaMetric::NextResponse);
    if first_target.is_some() || next_target.is_some() {
        history.for_each_response_cycle(|index, cycle| {
            let (metric, number, target) = match index {
                0 => (SlaMetric::FirstResponse, 1, first_target),
                n => (SlaMetric::NextResponse, n, next_target),
            };
            if let Some(target) = target {
                emit(history.clock(policy, calendar, metric, number, cycle, target));
            }
        });
    }
    if let Some(target) = policy.target_ms(SlaMetric::Resolution)
        && facts.created_at <= now
    {
        let cycle = Cycle { start: facts.created_at, stop: history.resolved_since().map(|t| t.max(facts.created_at)) };
        emit(history.clock(policy, calendar, SlaMetric::Resolution, 1, cycle, target));
    }
}

/// The prefix of a chronological list known at `now`.
fn known_until<T>(items: &[T], now: i64, at: impl Fn(&T) -> i64) -> &[T] {
    &items[..items.partition_point(|item| at(item) <= now)]
}

fn status_at(changes: &[StatusChange], at: i64) -> ConversationStatus {
    let index = changes.partition_point(|c| c.at <= at);
    index.checked_sub(1).and_then(|i| changes.get(i)).map_or(ConversationStatus::Open, |c| c.status)
}

/// A span during which one clock measures: from `start` until `stop` (exclusive), or
/// still running when `stop` is `None`.
#[derive(Debug, Clone, Copy)]
struct Cycle {
    start: i64,
    stop: Option<i64>,
}

/// Where the search for the next cycle's opening message resumes.
enum Resume {
    FromStart,
    AfterMessage(usize),
    AfterResolution { from_message: usize, not_before: i64 },
}

/// What one pass over a clock's accrual segments found.
#[derive(Debug, Default)]
struct Tally {
    elapsed: i64,
    at_risk_at: Option<i64>,
    breached_at: Option<i64>,
}

/// The facts known at `now`.
struct History<'a> {
    changes: &'a [StatusChange],
    messages: &'a [MessageFact],
    pause: PauseRule,
    now: i64,
}

impl History<'_> {
    fn accrues(&self, status: ConversationStatus) -> bool {
        match status {
            ConversationStatus::Open => true,
            ConversationStatus::Pending | ConversationStatus::Snoozed => self.pause == PauseRule::Never,
            ConversationStatus::Resolved => false,
        }
    }

    /// The instant the conversation entered its current resolved run, if it is resolved now.
    fn resolved_since(&self) -> Option<i64> {
        let run = self.changes.iter().rev().take_while(|c| c.status == ConversationStatus::Resolved);
        run.last().map(|c| c.at)
    }

    /// The first transition into resolved strictly after `after`.
    fn first_resolution_after(&self, after: i64) -> Option<i64> {
        let from = self.changes.partition_point(|c| c.at <= after);
        let mut previous = status_at(self.changes, after);
        for change in self.changes.get(from..).unwrap_or_default() {
            if change.status == ConversationStatus::Resolved && previous != ConversationStatus::Resolved {
                return Some(change.at);
            }
            previous = change.status;
        }
        None
    }

    /// Calls `visit(index, cycle)` for each response cycle; index 0 is first response.
    fn for_each_response_cycle(&self, mut visit: impl FnMut(u32, Cycle)) {
        let mut resume = Resume::FromStart;
        let mut index = 0u32;
        loop {
            let (from_message, not_before) = match resume {
                Resume::FromStart => (0, i64::MIN),
                Resume::AfterMessage(k) => (k + 1, i64::MIN),
                Resume::AfterResolution { from_message, not_before } => (from_message, not_before),
            };
            let candidates = self.messages.get(from_message..).unwrap_or_default();
            let Some(offset) = candidates.iter().position(|m| m.is_customer_message() && m.at >= not_before) else {
                return;
            };
            let opening = from_message + offset;
            let start = self.messages[opening].at;
            let reply = self.messages.get(opening + 1..).unwrap_or_default().iter().position(|m| m.is_agent_reply());
            let reply = reply.map(|k| (opening + 1 + k, self.messages[opening + 1 + k].at));
            let resolution = self.first_resolution_after(start);
            let (stop, next) = match (reply, resolution) {
                (Some((k, at)), resolution) if resolution.is_none_or(|r| at <= r) => {
                    (Some(at), Some(Resume::AfterMessage(k)))
                }
                (_, Some(r)) => (Some(r), Some(Resume::AfterResolution { from_message: opening + 1, not_before: r })),
                _ => (None, None),
            };
            visit(index, Cycle { start, stop });
            index = index.saturating_add(1);
            match next {
                Some(next) => resume = next,
                None => return,
            }
        }
    }

    /// Calls `segment(from, to)` for each maximal accruing span inside `[start, end)`.
    fn for_each_accrual_segment(&self, start: i64, end: i64, mut segment: impl FnMut(i64, i64)) {
        if end <= start {
            return;
        }
        let from = self.changes.partition_point(|c| c.at <= start);
        let mut status = status_at(self.changes, start);
        let mut segment_start = start;
        for change in self.changes.get(from..).unwrap_or_default() {
            if change.at >= end {
                break;
            }
            match (self.accrues(status), self.accrues(change.status)) {
                (true, false) => segment(segment_start, change.at),
                (false, true) => segment_start = change.at,
                _ => {}
            }
            status = change.status;
        }
        if self.accrues(status) {
            segment(segment_start, end);
        }
    }

    /// Elapsed business time over `[start, end)` and the instants at which it first
    /// reached the at-risk threshold and the target.
    fn tally(&self, calendar: &BusinessCalendar, start: i64, end: i64, threshold: i64, target: i64) -> Tally {
        let mut tally = Tally::default();
        self.for_each_accrual_segment(start, end, |from, to| {
            let elapsed_here = calendar.business_millis_between(from, to);
            let reached = tally.elapsed.saturating_add(elapsed_here);
            let mut at_risk_here = None;
            if tally.at_risk_at.is_none() && reached >= threshold {
                at_risk_here = calendar.add_business_millis(from, threshold - tally.elapsed).ok();
                tally.at_risk_at = at_risk_here;
            }
            if tally.breached_at.is_none() && reached >= target {
                // Business time is additive, so when the at-risk instant lies in this
                // segment the breach is the rest of the target after it: no need to walk
                // the calendar from the segment's start again.
                tally.breached_at = match at_risk_here {
                    Some(at_risk) => calendar.add_business_millis(at_risk, target - threshold),
                    None => calendar.add_business_millis(from, target - tally.elapsed),
                }
                .ok();
            }
            tally.elapsed = reached;
        });
        tally
    }

    fn clock(
        &self,
        policy: &SlaPolicy,
        calendar: &BusinessCalendar,
        metric: SlaMetric,
        cycle: u32,
        span: Cycle,
        target: i64,
    ) -> SlaClock {
        let threshold = policy.at_risk.elapsed_threshold_ms(target);
        let end = span.stop.unwrap_or(self.now);
        let tally = self.tally(calendar, span.start, end, threshold, target);
        let base = SlaClock {
            metric,
            cycle,
            state: SlaState::Running,
            started_at: span.start,
            target_ms: target,
            elapsed_business_ms: tally.elapsed,
            due_at: None,
            at_risk_at: None,
            remaining_ms: target.saturating_sub(tally.elapsed),
            achieved_at: None,
            breached_at: None,
        };
        if let Some(stop) = span.stop {
            // A crossing at the very instant of the reply is on time.
            return SlaClock {
                state: SlaState::Achieved,
                achieved_at: Some(stop),
                at_risk_at: tally.at_risk_at.filter(|t| *t < stop),
                breached_at: tally.breached_at.filter(|t| *t < stop),
                ..base
            };
        }
        let accruing = self.accrues(status_at(self.changes, self.now));
        let project = |from: i64, amount: i64| {
            if accruing { calendar.add_business_millis(from, amount).ok() } else { None }
        };
        let projected_at_risk =
            if tally.at_risk_at.is_none() { project(self.now, threshold - tally.elapsed) } else { None };
        let at_risk_at = tally.at_risk_at.or(projected_at_risk);
        // As in `tally`: a projected deadline continues from the projected at-risk instant.
        let due_at = tally.breached_at.or_else(|| match projected_at_risk {
            Some(at_risk) => project(at_risk, target - threshold),
            None => project(self.now, target - tally.elapsed),
        });
        let state = if tally.breached_at.is_some() {
            SlaState::Breached
        } else if !accruing {
            SlaState::Paused
        } else if at_risk_at.is_some_and(|t| t <= self.now) {
            SlaState::AtRisk
        } else {
            SlaState::Running
        };
        SlaClock { state, at_risk_at, due_at, breached_at: tally.breached_at, ..base }
    }
}

#[cfg(test)]
mod tests;
