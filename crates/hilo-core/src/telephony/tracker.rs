//! `CallTracker`: folds one account's call events into call records (PROTOCOLS.md §1.7).
//! Pure: no I/O, time comes from the events.
//!
//! Invariants of every record it hands out: `started_at ≤ answered_at ≤ ended_at`;
//! `outcome == Answered` exactly when `answered_at` is set; a record without `ended_at`
//! is `Ringing` or `Answered`. A call starts only at a creating event (first leg,
//! originate, CTI newCall); events for calls it never saw start, or already closed,
//! are counted and ignored — that is what keeps a reconnect from inventing "answered
//! without start" or reopening a call closed as link-lost.

use std::collections::{HashMap, HashSet, VecDeque};

use hilo_connectors::telephony::channel::{endpoint_of, extension_of};
use hilo_connectors::telephony::{CallEvent, CallEventKind, DialStatus, Leg, OriginateOutcome};
use hilo_model::time::Millis;
use hilo_model::{CallOutcome, Direction, normalize_phone};
use phonenumber::country;
use serde::Serialize;

/// The hang-up cause given to calls Hilo stopped following because its link to the
/// phone system dropped (or Hilo stopped): the UI shows it as "link lost".
pub const LINK_LOST: &str = "link-lost";

/// Closed call refs remembered to ignore their late events.
const CLOSED_MEMORY: usize = 4096;

/// The agent's own phone: the endpoint whose ringing raises the screen-pop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentEndpoint {
    pub endpoint: String,
    pub extension: Option<String>,
}

impl AgentEndpoint {
    /// From an endpoint (`PJSIP/1986`, `user/1000`) or a bare extension (`1986`).
    pub fn new(endpoint: &str) -> AgentEndpoint {
        AgentEndpoint { endpoint: endpoint.trim().to_owned(), extension: extension_of(endpoint) }
    }

    pub fn matches_leg(&self, leg: &Leg) -> bool {
        self.extension.is_some() && leg.extension() == self.extension
    }

    /// A number or user name as webhook CTI reports it: `1986`, `PJSIP/1986`.
    pub fn matches_name(&self, name: &str) -> bool {
        self.extension.as_deref().is_some_and(|ext| extension_of(name).as_deref() == Some(ext))
    }
}

/// One call as Hilo stores and shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CallRecord {
    pub call_ref: String,
    pub direction: Direction,
    /// E.164 when the number parses, else as the PBX sent it (`21`, `1986`).
    pub from: Option<String>,
    pub to: Option<String>,
    /// Inbound: the endpoint that answered. Outbound: the endpoint that placed it.
    pub agent: Option<String>,
    pub outcome: CallOutcome,
    pub started_at: Millis,
    pub answered_at: Option<Millis>,
    pub ended_at: Option<Millis>,
    pub hangup_cause: Option<String>,
}

impl CallRecord {
    /// The customer's side of the call: the caller inbound, the callee outbound.
    pub fn customer_number(&self) -> Option<&str> {
        match self.direction {
            Direction::Inbound => self.from.as_deref(),
            Direction::Outbound => self.to.as_deref(),
        }
    }

    /// Why this record is in a state no call can be in, if it is.
    pub fn impossibility(&self) -> Option<String> {
        if let Some(a) = self.answered_at
            && a < self.started_at
        {
            return Some(format!("answered at {a} before it started at {}", self.started_at));
        }
        if let Some(e) = self.ended_at {
            if e < self.started_at {
                return Some(format!("ended at {e} before it started at {}", self.started_at));
            }
            if let Some(a) = self.answered_at
                && e < a
            {
                return Some(format!("ended at {e} before it was answered at {a}"));
            }
        }
        if (self.outcome == CallOutcome::Answered) != self.answered_at.is_some() {
            return Some(format!("outcome {} with answered_at {:?}", self.outcome, self.answered_at));
        }
        if self.ended_at.is_none() && !matches!(self.outcome, CallOutcome::Ringing | CallOutcome::Answered) {
            return Some(format!("outcome {} but not ended", self.outcome));
        }
        if self.ended_at.is_some() && self.outcome == CallOutcome::Ringing {
            return Some("ended but still ringing".into());
        }
        None
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrackerUpdate {
    /// The record changed: store it.
    Changed(CallRecord),
    /// An inbound call is ringing at the agent's own phone (once per call): screen-pop.
    RingingAtAgent(CallRecord),
}

#[derive(Debug)]
struct LegState {
    endpoint: String,
    extension: Option<String>,
    dest: bool,
    dial: Option<DialStatus>,
}

impl LegState {
    fn of(leg: &Leg, dest: bool) -> LegState {
        LegState { endpoint: leg.endpoint(), extension: leg.extension(), dest, dial: None }
    }
}

#[derive(Debug)]
struct OpenCall {
    rec: CallRecord,
    first_leg: Option<String>,
    /// Legs still up; the call is over when the last one hangs up.
    legs: HashMap<String, LegState>,
    /// Every dial status seen, including those of legs already gone.
    dials: Vec<DialStatus>,
    /// A cause from another leg, used when the first leg's hang-up carries none.
    fallback_cause: Option<String>,
    popped: bool,
    last_at: Millis,
}

impl OpenCall {
    /// Event times as the record uses them: never earlier than anything before, so
    /// a PBX clock behind ours (or a local link-lost time) cannot reorder the record.
    fn stamp(&mut self, at: Millis) -> Millis {
        self.last_at = self.last_at.max(at);
        self.last_at
    }
}

#[derive(Debug)]
pub struct CallTracker {
    agent: AgentEndpoint,
    region: Option<country::Id>,
    open: HashMap<String, OpenCall>,
    closed: HashSet<String>,
    closed_order: VecDeque<String>,
    ignored: u64,
}

impl CallTracker {
    pub fn new(agent: AgentEndpoint, region: Option<country::Id>) -> CallTracker {
        CallTracker {
            agent,
            region,
            open: HashMap::new(),
            closed: HashSet::new(),
            closed_order: VecDeque::new(),
            ignored: 0,
        }
    }

    pub fn open_calls(&self) -> usize {
        self.open.len()
    }

    /// Events ignored because their call was never seen starting or is already closed.
    pub fn ignored_events(&self) -> u64 {
        self.ignored
    }

    pub fn apply(&mut self, ev: &CallEvent) -> Vec<TrackerUpdate> {
        if self.closed.contains(&ev.call_ref) {
            self.ignored += 1;
            return Vec::new();
        }
        let at = ev.at;
        match &ev.kind {
            CallEventKind::LegCreated { leg } => {
                if let Some(call) = self.open.get_mut(&ev.call_ref) {
                    call.stamp(at);
                    call.legs.entry(leg.id.clone()).or_insert_with(|| LegState::of(leg, false));
                    if call.first_leg.is_none() {
                        call.first_leg = Some(leg.id.clone());
                    }
                    return Vec::new();
                }
                let direction = self.direction_of(leg);
                let rec = CallRecord {
                    call_ref: ev.call_ref.clone(),
                    direction,
                    from: self.party(leg.caller_number.as_deref()),
                    to: self.party(leg.dialed.as_deref()),
                    agent: (direction == Direction::Outbound).then(|| leg.endpoint()),
                    outcome: CallOutcome::Ringing,
                    started_at: at,
                    answered_at: None,
                    ended_at: None,
                    hangup_cause: None,
                };
                let mut call = self.start(rec, at);
                call.first_leg = Some(leg.id.clone());
                call.legs.insert(leg.id.clone(), LegState::of(leg, false));
                self.open.insert(ev.call_ref.clone(), call);
                self.changed(&ev.call_ref)
            }
            CallEventKind::Originated { agent_channel, to } => {
                if self.open.contains_key(&ev.call_ref) {
                    return Vec::new();
                }
                let rec = CallRecord {
                    call_ref: ev.call_ref.clone(),
                    direction: Direction::Outbound,
                    from: self.agent.extension.clone().or_else(|| extension_of(agent_channel)),
                    to: self.party(Some(to)),
                    agent: Some(endpoint_of(agent_channel)),
                    outcome: CallOutcome::Ringing,
                    started_at: at,
                    answered_at: None,
                    ended_at: None,
                    hangup_cause: None,
                };
                let call = self.start(rec, at);
                self.open.insert(ev.call_ref.clone(), call);
                self.changed(&ev.call_ref)
            }
            CallEventKind::Offered { direction, from, to, users, rejected } => {
                if self.open.contains_key(&ev.call_ref) {
                    return Vec::new();
                }
                let rec = CallRecord {
                    call_ref: ev.call_ref.clone(),
                    direction: *direction,
                    from: self.party(from.as_deref()),
                    to: self.party(to.as_deref()),
                    agent: None,
                    outcome: CallOutcome::Ringing,
                    started_at: at,
                    answered_at: None,
                    ended_at: None,
                    hangup_cause: None,
                };
                // A blocked caller is turned away by the PBX: recorded, never popped.
                let rings_here = *direction == Direction::Inbound
                    && !rejected
                    && (to.as_deref().is_some_and(|t| self.agent.matches_name(t))
                        || users.iter().any(|u| self.agent.matches_name(u)));
                let mut call = self.start(rec, at);
                call.popped = rings_here;
                let pop = rings_here.then(|| TrackerUpdate::RingingAtAgent(call.rec.clone()));
                self.open.insert(ev.call_ref.clone(), call);
                // The pop goes first: it is what the agent is waiting for.
                pop.into_iter().chain(self.changed(&ev.call_ref)).collect()
            }
            _ => self.update(ev),
        }
    }

    /// Events that move a call already started.
    fn update(&mut self, ev: &CallEvent) -> Vec<TrackerUpdate> {
        let region = self.region;
        let agent = self.agent.clone();
        let Some(call) = self.open.get_mut(&ev.call_ref) else {
            self.ignored += 1;
            return Vec::new();
        };
        let at = call.stamp(ev.at);
        let mut out = Vec::new();
        match &ev.kind {
            CallEventKind::DialBegin { dest, dial_string } => {
                call.legs.entry(dest.id.clone()).or_insert_with(|| LegState::of(dest, true)).dest = true;
                if call.rec.direction == Direction::Outbound && call.rec.to.is_none() {
                    let number = dest.dialed.as_deref().or(dial_string.as_deref().map(dialled_number));
                    call.rec.to = party(number, region);
                    out.push(TrackerUpdate::Changed(call.rec.clone()));
                }
                if call.rec.direction == Direction::Inbound && !call.popped && agent.matches_leg(dest) {
                    call.popped = true;
                    out.insert(0, TrackerUpdate::RingingAtAgent(call.rec.clone()));
                }
            }
            CallEventKind::LegRinging { leg_id } => {
                let ours = call
                    .legs
                    .get(leg_id)
                    .is_some_and(|l| l.dest && agent.extension.is_some() && l.extension == agent.extension);
                if call.rec.direction == Direction::Inbound && !call.popped && ours {
                    call.popped = true;
                    out.push(TrackerUpdate::RingingAtAgent(call.rec.clone()));
                }
            }
            CallEventKind::DialEnd { dest_leg_id, status } => {
                let leg = call.legs.get_mut(dest_leg_id);
                if let Some(leg) = &leg
                    && leg.dial.is_some()
                {
                    // ESL reports a destination's end twice (answer, then hang-up).
                    return out;
                }
                let endpoint = leg.map(|l| {
                    l.dial = Some(status.clone());
                    l.endpoint.clone()
                });
                call.dials.push(status.clone());
                if *status == DialStatus::Answer && call.rec.answered_at.is_none() {
                    call.rec.answered_at = Some(at);
                    call.rec.outcome = CallOutcome::Answered;
                    if call.rec.direction == Direction::Inbound {
                        call.rec.agent = endpoint;
                    }
                    out.push(TrackerUpdate::Changed(call.rec.clone()));
                }
            }
            CallEventKind::LegHangup { leg_id, cause } => {
                if call.first_leg.as_deref() == Some(leg_id.as_str()) {
                    if cause.is_some() {
                        call.rec.hangup_cause = cause.clone();
                    }
                } else if cause.as_deref().is_some_and(|c| c != "0") {
                    // Ring-group losers hang up with cause 0; it says nothing of the call.
                    call.fallback_cause = cause.clone();
                }
                call.legs.remove(leg_id);
                if call.legs.is_empty() {
                    return self.finish(&ev.call_ref, at, None, None);
                }
            }
            CallEventKind::OriginateResult { outcome, cause } => {
                let forced = match outcome {
                    OriginateOutcome::Connected => return out,
                    OriginateOutcome::Busy => CallOutcome::Busy,
                    OriginateOutcome::Failed => CallOutcome::Failed,
                };
                if call.rec.answered_at.is_none() {
                    return self.finish(&ev.call_ref, at, Some(forced), cause.clone());
                }
            }
            CallEventKind::Answered { agent: who } => {
                if call.rec.answered_at.is_none() {
                    call.rec.answered_at = Some(at);
                    call.rec.outcome = CallOutcome::Answered;
                    if let Some(who) = who {
                        call.rec.agent = Some(who.clone());
                    }
                    out.push(TrackerUpdate::Changed(call.rec.clone()));
                }
            }
            CallEventKind::Ended { cause } => {
                if let Some(status) = cause.as_deref().and_then(cti_dial_status) {
                    call.dials.push(status);
                }
                call.rec.hangup_cause = cause.clone();
                return self.finish(&ev.call_ref, at, None, None);
            }
            CallEventKind::LegAnswered { .. } | CallEventKind::Bridged { .. } | CallEventKind::Unbridged { .. } => {}
            CallEventKind::LegCreated { .. } | CallEventKind::Originated { .. } | CallEventKind::Offered { .. } => {}
        }
        out
    }

    /// The link dropped (or Hilo stops following calls): every open call is closed now,
    /// marked `link-lost`; answered ones stay answered, the others are `failed` —
    /// Hilo cannot know whether someone picked up after it lost sight of them.
    pub fn link_lost(&mut self, at: Millis) -> Vec<TrackerUpdate> {
        let refs: Vec<String> = self.open.keys().cloned().collect();
        refs.into_iter()
            .flat_map(|call_ref| {
                let answered = self.open.get(&call_ref).is_some_and(|c| c.rec.answered_at.is_some());
                let outcome = if answered { CallOutcome::Answered } else { CallOutcome::Failed };
                self.finish(&call_ref, at, Some(outcome), Some(LINK_LOST.to_owned()))
            })
            .collect()
    }

    fn start(&self, rec: CallRecord, at: Millis) -> OpenCall {
        OpenCall {
            rec,
            first_leg: None,
            legs: HashMap::new(),
            dials: Vec::new(),
            fallback_cause: None,
            popped: false,
            last_at: at,
        }
    }

    fn changed(&self, call_ref: &str) -> Vec<TrackerUpdate> {
        self.open.get(call_ref).map(|c| TrackerUpdate::Changed(c.rec.clone())).into_iter().collect()
    }

    fn finish(
        &mut self,
        call_ref: &str,
        at: Millis,
        forced: Option<CallOutcome>,
        cause: Option<String>,
    ) -> Vec<TrackerUpdate> {
        let Some(mut call) = self.open.remove(call_ref) else { return Vec::new() };
        let ended_at = call.stamp(at);
        call.rec.ended_at = Some(ended_at);
        call.rec.outcome = forced.unwrap_or_else(|| outcome_of(&call));
        if cause.is_some() {
            call.rec.hangup_cause = cause;
        } else if call.rec.hangup_cause.is_none() {
            call.rec.hangup_cause = call.fallback_cause.take();
        }
        if self.closed_order.len() >= CLOSED_MEMORY
            && let Some(oldest) = self.closed_order.pop_front()
        {
            self.closed.remove(&oldest);
        }
        self.closed.insert(call_ref.to_owned());
        self.closed_order.push_back(call_ref.to_owned());
        vec![TrackerUpdate::Changed(call.rec)]
    }

    /// Outbound when the first leg is the agent's own phone, or an internal extension
    /// dialling a real phone number; inbound otherwise.
    fn direction_of(&self, leg: &Leg) -> Direction {
        if self.agent.matches_leg(leg) {
            return Direction::Outbound;
        }
        let is_phone = |n: Option<&str>| n.and_then(|n| e164(n, self.region)).is_some();
        if !is_phone(leg.caller_number.as_deref()) && is_phone(leg.dialed.as_deref()) {
            Direction::Outbound
        } else {
            Direction::Inbound
        }
    }

    fn party(&self, raw: Option<&str>) -> Option<String> {
        party(raw, self.region)
    }
}

/// The rule of §1.7: answered when any destination answered; else busy when one was
/// busy; an outbound call that never reached a ringing destination failed; anything
/// else was missed (for outbound: the other side did not answer).
fn outcome_of(call: &OpenCall) -> CallOutcome {
    if call.rec.answered_at.is_some() {
        return CallOutcome::Answered;
    }
    if call.dials.contains(&DialStatus::Busy) {
        return CallOutcome::Busy;
    }
    let never_rang =
        call.dials.iter().all(|d| matches!(d, DialStatus::Congestion | DialStatus::ChanUnavail | DialStatus::Other(_)));
    if call.rec.direction == Direction::Outbound && never_rang {
        return CallOutcome::Failed;
    }
    CallOutcome::Missed
}

/// Zammad's `cause` values as dial statuses.
fn cti_dial_status(cause: &str) -> Option<DialStatus> {
    Some(match cause.trim() {
        "busy" => DialStatus::Busy,
        "noAnswer" => DialStatus::NoAnswer,
        "cancel" | "normalClearing" => DialStatus::Cancel,
        "congestion" => DialStatus::Congestion,
        "notFound" => DialStatus::ChanUnavail,
        "" => return None,
        other => DialStatus::Other(other.to_owned()),
    })
}

/// The number in a dial string: `PJSIP/+34600123456@trunk` → `+34600123456`.
fn dialled_number(dial_string: &str) -> &str {
    let tail = dial_string.rsplit('/').next().unwrap_or(dial_string);
    tail.split('@').next().unwrap_or(tail)
}

/// E.164 when `raw` is a valid phone number (national numbers need a region).
pub fn e164(raw: &str, region: Option<country::Id>) -> Option<String> {
    let t = raw.trim();
    match region {
        Some(r) => normalize_phone(t, r),
        // Without a region only international spellings can be read; any region
        // works for those because the country code is in the number.
        None if t.starts_with('+') || t.starts_with("00") => normalize_phone(t, country::Id::US),
        None => None,
    }
}

/// A party as stored: E.164 when possible, else as sent; placeholders are no party.
pub fn party(raw: Option<&str>, region: Option<country::Id>) -> Option<String> {
    let raw = hilo_connectors::telephony::channel::clean(raw)?;
    Some(e164(&raw, region).unwrap_or(raw))
}

#[cfg(test)]
mod tests;
