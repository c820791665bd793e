//! The tracker against hand-written event sequences: every outcome rule of §1.7, clocks,
//! link loss, CTI semantics; every record checked for impossible states on the way.

use hilo_connectors::telephony::{CallEvent, CallEventKind, DialStatus, Leg, OriginateOutcome};
use hilo_model::{CallOutcome, Direction};
use phonenumber::country;

use super::*;

fn tracker() -> CallTracker {
    CallTracker::new(AgentEndpoint::new("PJSIP/1986"), Some(country::Id::ES))
}

fn leg(id: &str, channel: &str, caller: Option<&str>, dialed: Option<&str>) -> Leg {
    Leg {
        id: id.into(),
        channel: channel.into(),
        caller_number: caller.map(Into::into),
        caller_name: None,
        dialed: dialed.map(Into::into),
    }
}

fn ev(call_ref: &str, at: i64, kind: CallEventKind) -> CallEvent {
    CallEvent { call_ref: call_ref.into(), at, kind }
}

/// Applies events, returning every update and checking each record on the way.
fn run(t: &mut CallTracker, events: &[CallEvent]) -> Vec<TrackerUpdate> {
    let mut out = Vec::new();
    for e in events {
        for u in t.apply(e) {
            let (TrackerUpdate::Changed(r) | TrackerUpdate::RingingAtAgent(r)) = &u;
            assert_eq!(r.impossibility(), None, "after {e:?}");
            out.push(u);
        }
    }
    out
}

fn last_record(updates: &[TrackerUpdate]) -> CallRecord {
    updates
        .iter()
        .rev()
        .find_map(|u| match u {
            TrackerUpdate::Changed(r) => Some(r.clone()),
            TrackerUpdate::RingingAtAgent(_) => None,
        })
        .expect("a record")
}

fn pops(updates: &[TrackerUpdate]) -> usize {
    updates.iter().filter(|u| matches!(u, TrackerUpdate::RingingAtAgent(_))).count()
}

/// Caller leg C rings agent leg A, then `end` decides.
fn inbound(call: &str, dial_end: DialStatus, answered: bool) -> Vec<CallEvent> {
    let mut v = vec![
        ev(
            call,
            1_000,
            CallEventKind::LegCreated { leg: leg("c", "PJSIP/trunk-0000001b", Some("600123456"), Some("1986")) },
        ),
        ev(call, 1_010, CallEventKind::LegCreated { leg: leg("a", "PJSIP/1986-0000001c", Some("1986"), None) }),
        ev(
            call,
            1_020,
            CallEventKind::DialBegin { dest: leg("a", "PJSIP/1986-0000001c", Some("1986"), None), dial_string: None },
        ),
        ev(call, 1_030, CallEventKind::LegRinging { leg_id: "a".into() }),
        ev(call, 5_000, CallEventKind::DialEnd { dest_leg_id: "a".into(), status: dial_end }),
    ];
    if answered {
        v.push(ev(call, 5_010, CallEventKind::Bridged { leg_id: "a".into() }));
    }
    v.push(ev(call, 65_000, CallEventKind::LegHangup { leg_id: "a".into(), cause: Some("16".into()) }));
    v.push(ev(call, 65_010, CallEventKind::LegHangup { leg_id: "c".into(), cause: Some("16".into()) }));
    v
}

#[test]
fn inbound_answered_call_has_times_agent_and_one_screen_pop() {
    let mut t = tracker();
    let updates = run(&mut t, &inbound("L1", DialStatus::Answer, true));
    assert_eq!(pops(&updates), 1, "ringing at the agent's phone pops exactly once");
    let r = last_record(&updates);
    assert_eq!(r.direction, Direction::Inbound);
    assert_eq!(r.from.as_deref(), Some("+34600123456"), "the caller in E.164 with the default region");
    assert_eq!(r.agent.as_deref(), Some("PJSIP/1986"), "the channel suffix is stripped");
    assert_eq!(r.outcome, CallOutcome::Answered);
    assert_eq!((r.started_at, r.answered_at, r.ended_at), (1_000, Some(5_000), Some(65_010)));
    assert_eq!(r.hangup_cause.as_deref(), Some("16"));
    assert_eq!(t.open_calls(), 0);
}

#[test]
fn unanswered_outcomes_come_from_dial_status_not_cause() {
    for (status, expected) in [
        (DialStatus::Cancel, CallOutcome::Missed),
        (DialStatus::NoAnswer, CallOutcome::Missed),
        (DialStatus::Busy, CallOutcome::Busy),
    ] {
        let mut t = tracker();
        let r = last_record(&run(&mut t, &inbound("L2", status.clone(), false)));
        assert_eq!(r.outcome, expected, "DialEnd {status:?} decides, though the cause says 16 (normal clearing)");
        assert_eq!(r.answered_at, None);
    }
}

#[test]
fn calls_for_other_agents_are_recorded_without_a_pop() {
    let mut t = CallTracker::new(AgentEndpoint::new("PJSIP/2000"), Some(country::Id::ES));
    let updates = run(&mut t, &inbound("L3", DialStatus::Answer, true));
    assert_eq!(pops(&updates), 0, "another agent's phone rang");
    assert_eq!(last_record(&updates).agent.as_deref(), Some("PJSIP/1986"));
}

#[test]
fn click_to_call_answered_and_failed() {
    let mut t = tracker();
    let answered = run(
        &mut t,
        &[
            ev("C1", 100, CallEventKind::Originated { agent_channel: "PJSIP/1986".into(), to: "+34600123456".into() }),
            ev("C1", 110, CallEventKind::LegCreated { leg: leg("C1", "PJSIP/1986-0000001d", Some("1986"), None) }),
            ev("C1", 200, CallEventKind::LegAnswered { leg_id: "C1".into() }),
            ev("C1", 210, CallEventKind::OriginateResult { outcome: OriginateOutcome::Connected, cause: None }),
            ev("C1", 220, CallEventKind::LegCreated { leg: leg("T1", "PJSIP/trunk-0000001e", None, None) }),
            ev(
                "C1",
                230,
                CallEventKind::DialBegin { dest: leg("T1", "PJSIP/trunk-0000001e", None, None), dial_string: None },
            ),
            ev("C1", 900, CallEventKind::DialEnd { dest_leg_id: "T1".into(), status: DialStatus::Answer }),
            ev("C1", 5_000, CallEventKind::LegHangup { leg_id: "T1".into(), cause: Some("16".into()) }),
            ev("C1", 5_001, CallEventKind::LegHangup { leg_id: "C1".into(), cause: Some("16".into()) }),
        ],
    );
    let r = last_record(&answered);
    assert_eq!(pops(&answered), 0, "no screen-pop for a call the agent places");
    assert_eq!((r.direction, r.outcome), (Direction::Outbound, CallOutcome::Answered));
    assert_eq!(r.to.as_deref(), Some("+34600123456"));
    assert_eq!(r.agent.as_deref(), Some("PJSIP/1986"), "the agent who placed it, not the trunk");

    let failed = run(
        &mut t,
        &[
            ev("C2", 100, CallEventKind::Originated { agent_channel: "PJSIP/1986".into(), to: "+34600123456".into() }),
            ev("C2", 110, CallEventKind::LegCreated { leg: leg("C2", "PJSIP/1986-0000001f", Some("1986"), None) }),
            ev("C2", 30_000, CallEventKind::LegHangup { leg_id: "C2".into(), cause: Some("19".into()) }),
            ev(
                "C2",
                30_001,
                CallEventKind::OriginateResult { outcome: OriginateOutcome::Failed, cause: Some("19".into()) },
            ),
        ],
    );
    let r = last_record(&failed);
    assert_eq!(r.outcome, CallOutcome::Failed, "the agent's phone never answered");
    assert_eq!(t.ignored_events(), 1, "the late OriginateResponse of a closed call is ignored");
}

#[test]
fn a_dropped_link_closes_open_calls_as_link_lost_and_later_events_are_ignored() {
    let mut t = tracker();
    let events = inbound("L4", DialStatus::Answer, true);
    run(&mut t, &events[..5]);
    let lost = t.link_lost(3_000);
    let r = last_record(&lost);
    assert_eq!(r.hangup_cause.as_deref(), Some(LINK_LOST));
    assert_eq!(r.outcome, CallOutcome::Answered);
    assert_eq!(r.ended_at, Some(5_000), "never before the answer the tracker already saw");
    assert_eq!(r.impossibility(), None);
    assert!(run(&mut t, &events[5..]).is_empty(), "a closed call is not reopened by events after a reconnect");
    assert!(run(&mut t, &inbound("L5", DialStatus::Answer, true)[2..]).is_empty(), "no call without its start");
}

#[test]
fn cti_flows_follow_zammad_semantics() {
    let mut t = CallTracker::new(AgentEndpoint::new("1986"), Some(country::Id::ES));
    let offered = |id: &str| {
        ev(
            id,
            10,
            CallEventKind::Offered {
                direction: Direction::Inbound,
                from: Some("0034600123456".into()),
                to: Some("1986".into()),
                users: vec![],
                rejected: false,
            },
        )
    };
    let answered = run(
        &mut t,
        &[
            offered("z1"),
            ev("z1", 20, CallEventKind::Answered { agent: Some("1986".into()) }),
            ev("z1", 90, CallEventKind::Ended { cause: Some("normalClearing".into()) }),
        ],
    );
    assert_eq!(pops(&answered), 1);
    assert_eq!(last_record(&answered).outcome, CallOutcome::Answered);
    let missed = run(&mut t, &[offered("z2"), ev("z2", 30, CallEventKind::Ended { cause: Some("cancel".into()) })]);
    assert_eq!(last_record(&missed).outcome, CallOutcome::Missed, "no answer before hangup is missed");
    let busy = run(&mut t, &[offered("z3"), ev("z3", 30, CallEventKind::Ended { cause: Some("busy".into()) })]);
    assert_eq!(last_record(&busy).outcome, CallOutcome::Busy);
}

#[test]
fn a_pbx_clock_behind_ours_cannot_reorder_a_record() {
    let mut t = tracker();
    let mut events = inbound("L6", DialStatus::Answer, true);
    events[4].at = 10; // DialEnd stamped before the call started
    let r = last_record(&run(&mut t, &events));
    assert!(r.answered_at >= Some(r.started_at), "{r:?}");
}
