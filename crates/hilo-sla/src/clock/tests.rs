//! Clock tables with exact instants, and properties over generated conversations.

use super::*;
use crate::calendar::BusinessCalendar;
use crate::policy::{AtRiskThreshold, CalendarRef, PauseRule, SlaPolicy};
use hilo_model::{Channel, ConversationStatus as Status, Direction, MessageKind as Kind, Priority};
use jiff::civil::date;
use proptest::prelude::*;

const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;

const MADRID_OFFICE_HOURS: &str = r#"{"mon":[["09:00","14:00"],["15:00","19:00"]],
    "tue":[["09:00","14:00"],["15:00","19:00"]],"wed":[["09:00","14:00"],["15:00","19:00"]],
    "thu":[["09:00","14:00"],["15:00","19:00"]],"fri":[["09:00","14:00"],["15:00","19:00"]]}"#;

fn at(zone: &str, y: i16, m: i8, d: i8, h: i8, mi: i8, s: i8) -> i64 {
    date(y, m, d).at(h, mi, s, 0).in_tz(zone).expect("valid local time").timestamp().as_millisecond()
}

/// 2026-03-04 (a Wednesday) at h:m:s UTC.
fn wed(h: i8, mi: i8, s: i8) -> i64 {
    at("UTC", 2026, 3, 4, h, mi, s)
}

fn madrid(y: i16, m: i8, d: i8, h: i8, mi: i8) -> i64 {
    at("Europe/Madrid", y, m, d, h, mi, 0)
}

fn madrid_office(holidays: &[&str]) -> BusinessCalendar {
    BusinessCalendar::from_stored("Europe/Madrid", MADRID_OFFICE_HOURS, holidays.iter().copied())
        .expect("office calendar parses")
}

fn policy(first: Option<i64>, next: Option<i64>, resolution: Option<i64>) -> SlaPolicy {
    SlaPolicy {
        id: 1,
        name: "test".to_owned(),
        position: 0,
        match_priorities: vec![],
        match_channels: vec![],
        match_accounts: vec![],
        first_response_secs: first,
        next_response_secs: next,
        resolution_secs: resolution,
        calendar: CalendarRef::Always,
        pause_when_pending: PauseRule::WhilePendingOrSnoozed,
        at_risk: AtRiskThreshold::Percent(80),
    }
}

fn chat_first_response_5_min() -> SlaPolicy {
    policy(Some(300), None, None)
}

fn conversation(created_at: i64) -> ConversationFacts {
    ConversationFacts {
        channel: Channel::Chat,
        priority: Priority::Medium,
        account_id: 1,
        created_at,
        status_changes: vec![],
        messages: vec![],
    }
}

fn inbound(at: i64) -> MessageFact {
    MessageFact { at, direction: Direction::Inbound, kind: Kind::Message }
}

fn outbound(at: i64, kind: Kind) -> MessageFact {
    MessageFact { at, direction: Direction::Outbound, kind }
}

fn change(at: i64, status: Status) -> StatusChange {
    StatusChange { at, status }
}

fn only(clocks: &[SlaClock], metric: SlaMetric) -> SlaClock {
    let found: Vec<_> = clocks.iter().filter(|c| c.metric == metric).collect();
    assert_eq!(found.len(), 1, "exactly one {metric:?} clock in {clocks:#?}");
    *found[0]
}

#[test]
fn chat_first_response_of_5_minutes_on_24_7() {
    let policy = chat_first_response_5_min();
    let mut facts = conversation(wed(9, 59, 0));
    facts.messages.push(inbound(wed(10, 0, 0)));
    let cal = BusinessCalendar::Always;

    let running = only(&evaluate(&policy, &cal, &facts, wed(10, 2, 0)), SlaMetric::FirstResponse);
    assert_eq!(running.state, SlaState::Running, "2 of 5 minutes used");
    assert_eq!(running.at_risk_at, Some(wed(10, 4, 0)), "at risk at 80 %: 10:04:00");
    assert_eq!(running.due_at, Some(wed(10, 5, 0)), "breach at 10:05:00");
    assert_eq!(running.elapsed_business_ms, 2 * MINUTE, "elapsed");
    assert_eq!(running.remaining_ms, 3 * MINUTE, "remaining");
    assert_eq!((running.cycle, running.started_at), (1, wed(10, 0, 0)), "first cycle, started by the message");
    assert_eq!(
        next_due(&policy, &cal, &facts, wed(10, 2, 0)),
        Some((wed(10, 4, 0), SlaMetric::FirstResponse, AlertLevel::AtRisk)),
        "the scheduler sleeps until the at-risk instant"
    );

    let at_risk = only(&evaluate(&policy, &cal, &facts, wed(10, 4, 0)), SlaMetric::FirstResponse);
    assert_eq!(at_risk.state, SlaState::AtRisk, "at risk from 10:04:00 exactly");
    assert_eq!(
        next_due(&policy, &cal, &facts, wed(10, 4, 0)),
        Some((wed(10, 5, 0), SlaMetric::FirstResponse, AlertLevel::Breached)),
        "then until the breach"
    );

    let breached = only(&evaluate(&policy, &cal, &facts, wed(10, 6, 0)), SlaMetric::FirstResponse);
    assert_eq!(breached.state, SlaState::Breached, "past the deadline");
    assert_eq!(breached.breached_at, Some(wed(10, 5, 0)), "breached at the deadline");
    assert_eq!(breached.due_at, Some(wed(10, 5, 0)), "due_at keeps the deadline");
    assert_eq!(breached.remaining_ms, -MINUTE, "negative when overdue");
    assert_eq!(next_due(&policy, &cal, &facts, wed(10, 6, 0)), None, "nothing left to schedule");

    let at_deadline = only(&evaluate(&policy, &cal, &facts, wed(10, 5, 0)), SlaMetric::FirstResponse);
    assert_eq!(at_deadline.state, SlaState::Breached, "a clock still running at the deadline is breached");
}

#[test]
fn email_at_friday_18_30_in_madrid_is_due_monday_09_30() {
    let policy = policy(Some(3600), None, None);
    let friday = madrid(2026, 3, 6, 18, 30);
    let mut facts = conversation(friday);
    facts.channel = Channel::Email;
    facts.messages.push(inbound(friday));
    let clock = only(&evaluate(&policy, &madrid_office(&[]), &facts, friday + MINUTE), SlaMetric::FirstResponse);
    assert_eq!(clock.due_at, Some(madrid(2026, 3, 9, 9, 30)), "breach Monday 09:30 local");
    assert_eq!(clock.at_risk_at, Some(madrid(2026, 3, 9, 9, 18)), "48 minutes in: 30 Friday + 18 Monday");

    let weekend =
        only(&evaluate(&policy, &madrid_office(&[]), &facts, madrid(2026, 3, 7, 12, 0)), SlaMetric::FirstResponse);
    assert_eq!(weekend.state, SlaState::Running, "closed hours are not a pause: the clock runs, nothing accrues");
    assert_eq!(weekend.elapsed_business_ms, 30 * MINUTE, "only Friday's last half hour counted");
}

#[test]
fn a_monday_holiday_moves_the_deadline_to_tuesday() {
    let policy = policy(Some(3600), None, None);
    let friday = madrid(2026, 10, 9, 18, 30);
    let mut facts = conversation(friday);
    facts.messages.push(inbound(friday));
    let clock = only(&evaluate(&policy, &madrid_office(&["2026-10-12"]), &facts, friday), SlaMetric::FirstResponse);
    assert_eq!(clock.due_at, Some(madrid(2026, 10, 13, 9, 30)), "Fiesta Nacional skipped");
}

#[test]
fn the_lunch_gap_of_a_split_shift_is_skipped() {
    let policy = policy(Some(3600), None, None);
    let start = madrid(2026, 3, 4, 13, 30);
    let mut facts = conversation(start);
    facts.messages.push(inbound(start));
    let clock = only(&evaluate(&policy, &madrid_office(&[]), &facts, start), SlaMetric::FirstResponse);
    assert_eq!(clock.due_at, Some(madrid(2026, 3, 4, 15, 30)), "30 min before lunch, 30 after");
    assert_eq!(clock.at_risk_at, Some(madrid(2026, 3, 4, 15, 18)), "at risk after 48 business minutes");
}

#[test]
fn notes_bot_and_system_messages_do_not_stop_first_response() {
    let policy = chat_first_response_5_min();
    let mut facts = conversation(wed(10, 0, 0));
    facts.messages = vec![
        inbound(wed(10, 0, 0)),
        outbound(wed(10, 1, 0), Kind::Note),
        outbound(wed(10, 2, 0), Kind::Bot),
        outbound(wed(10, 2, 30), Kind::System),
        MessageFact { at: wed(10, 2, 40), direction: Direction::Inbound, kind: Kind::Bot },
    ];
    let cal = BusinessCalendar::Always;
    let clock = only(&evaluate(&policy, &cal, &facts, wed(10, 3, 0)), SlaMetric::FirstResponse);
    assert_eq!(clock.state, SlaState::Running, "no public agent reply yet");
    assert_eq!(clock.elapsed_business_ms, 3 * MINUTE, "clock kept running through note, bot and system lines");

    facts.messages.push(outbound(wed(10, 3, 20), Kind::Message));
    let clock = only(&evaluate(&policy, &cal, &facts, wed(11, 0, 0)), SlaMetric::FirstResponse);
    assert_eq!(clock.state, SlaState::Achieved, "the public reply stops it");
    assert_eq!(clock.achieved_at, Some(wed(10, 3, 20)), "at the reply");
    assert_eq!(clock.elapsed_business_ms, 200_000, "3 min 20 s");
    assert_eq!(clock.fulfilment(), Some(Fulfilment::OnTime), "within 5 minutes");
    assert_eq!((clock.due_at, clock.breached_at, clock.at_risk_at), (None, None, None), "nothing was crossed");
}

#[test]
fn a_late_reply_is_achieved_with_its_breach_recorded() {
    let policy = chat_first_response_5_min();
    let mut facts = conversation(wed(10, 0, 0));
    facts.messages = vec![inbound(wed(10, 0, 0)), outbound(wed(10, 7, 0), Kind::Message)];
    let clock = only(&evaluate(&policy, &BusinessCalendar::Always, &facts, wed(12, 0, 0)), SlaMetric::FirstResponse);
    assert_eq!(clock.state, SlaState::Achieved, "replied");
    assert_eq!(clock.breached_at, Some(wed(10, 5, 0)), "but after the deadline");
    assert_eq!(clock.at_risk_at, Some(wed(10, 4, 0)), "and after turning at risk");
    assert_eq!(clock.fulfilment(), Some(Fulfilment::Late), "achieved late");
    assert_eq!(clock.remaining_ms, -2 * MINUTE, "two minutes over");
}

#[test]
fn a_reply_at_exactly_the_deadline_is_on_time() {
    let policy = chat_first_response_5_min();
    let mut facts = conversation(wed(10, 0, 0));
    facts.messages = vec![inbound(wed(10, 0, 0)), outbound(wed(10, 5, 0), Kind::Message)];
    let clock = only(&evaluate(&policy, &BusinessCalendar::Always, &facts, wed(10, 5, 0)), SlaMetric::FirstResponse);
    assert_eq!(clock.fulfilment(), Some(Fulfilment::OnTime), "the deadline is inclusive for the agent");
    assert_eq!(clock.remaining_ms, 0, "used the whole target");
}

#[test]
fn pending_and_snoozed_pause_the_clock_when_the_policy_says_so() {
    let mut pausing = chat_first_response_5_min();
    let mut facts = conversation(wed(10, 0, 0));
    facts.messages.push(inbound(wed(10, 0, 0)));
    facts.status_changes = vec![
        change(wed(10, 1, 0), Status::Pending),
        change(wed(10, 11, 0), Status::Open),
        change(wed(10, 12, 0), Status::Snoozed),
        change(wed(10, 20, 0), Status::Open),
    ];
    let cal = BusinessCalendar::Always;

    let paused = only(&evaluate(&pausing, &cal, &facts, wed(10, 5, 0)), SlaMetric::FirstResponse);
    assert_eq!(paused.state, SlaState::Paused, "pending pauses");
    assert_eq!(paused.elapsed_business_ms, MINUTE, "only 10:00–10:01 counted");
    assert_eq!((paused.due_at, paused.at_risk_at), (None, None), "no deadline while paused");
    assert_eq!(next_due(&pausing, &cal, &facts, wed(10, 5, 0)), None, "nothing to schedule while paused");

    let resumed = only(&evaluate(&pausing, &cal, &facts, wed(10, 11, 30)), SlaMetric::FirstResponse);
    assert_eq!(resumed.state, SlaState::Running, "open again");
    assert_eq!(resumed.elapsed_business_ms, 90_000, "1 min before, 30 s after the pause");
    assert_eq!(resumed.due_at, Some(wed(10, 11, 30) + 210_000), "the remaining 3.5 min from now");

    let snoozed = only(&evaluate(&pausing, &cal, &facts, wed(10, 15, 0)), SlaMetric::FirstResponse);
    assert_eq!(snoozed.state, SlaState::Paused, "snoozed pauses too");
    assert_eq!(snoozed.elapsed_business_ms, 2 * MINUTE, "10:00–10:01 and 10:11–10:12");

    let after = only(&evaluate(&pausing, &cal, &facts, wed(10, 21, 0)), SlaMetric::FirstResponse);
    assert_eq!(after.due_at, Some(wed(10, 23, 0)), "2 min used, 3 min left from 10:20");
    assert_eq!(after.at_risk_at, Some(wed(10, 22, 0)), "at risk after 4 min in total");

    pausing.pause_when_pending = PauseRule::Never;
    let never = only(&evaluate(&pausing, &cal, &facts, wed(10, 5, 0)), SlaMetric::FirstResponse);
    assert_eq!(never.state, SlaState::Breached, "without pausing, 5 minutes have run by 10:05");
    assert_eq!(never.breached_at, Some(wed(10, 5, 0)), "breached on time");
}

#[test]
fn a_breach_stays_visible_while_paused() {
    let policy = chat_first_response_5_min();
    let mut facts = conversation(wed(10, 0, 0));
    facts.messages.push(inbound(wed(10, 0, 0)));
    facts.status_changes = vec![change(wed(10, 6, 0), Status::Pending)];
    let clock = only(&evaluate(&policy, &BusinessCalendar::Always, &facts, wed(10, 30, 0)), SlaMetric::FirstResponse);
    assert_eq!(clock.state, SlaState::Breached, "breached before the pause");
    assert_eq!(clock.elapsed_business_ms, 6 * MINUTE, "the pause stopped accrual at 6 min");
    assert_eq!(clock.due_at, Some(wed(10, 5, 0)), "due_at is the breach instant");
}

#[test]
fn reopening_continues_the_resolution_clock() {
    let policy = policy(None, None, Some(2 * 3600));
    let mut facts = conversation(wed(9, 0, 0));
    facts.status_changes = vec![change(wed(10, 0, 0), Status::Resolved), change(wed(12, 0, 0), Status::Open)];
    let cal = BusinessCalendar::Always;

    let resolved = only(&evaluate(&policy, &cal, &facts, wed(11, 0, 0)), SlaMetric::Resolution);
    assert_eq!(resolved.state, SlaState::Achieved, "resolved at 10:00");
    assert_eq!(resolved.achieved_at, Some(wed(10, 0, 0)), "achieved when resolved");
    assert_eq!(resolved.fulfilment(), Some(Fulfilment::OnTime), "after 1 of 2 hours");

    let reopened = only(&evaluate(&policy, &cal, &facts, wed(12, 30, 0)), SlaMetric::Resolution);
    assert_eq!(reopened.state, SlaState::Running, "1.5 h of 2 h used: 75 %, not yet at risk");
    assert_eq!(reopened.elapsed_business_ms, 90 * MINUTE, "the resolved 2 hours did not count");
    assert_eq!(reopened.at_risk_at, Some(wed(12, 36, 0)), "96 minutes in total");
    assert_eq!(reopened.due_at, Some(wed(13, 0, 0)), "the remaining 30 min from 12:30");
    assert_eq!(reopened.achieved_at, None, "no longer achieved");

    facts.status_changes.push(change(wed(13, 30, 0), Status::Resolved));
    let late = only(&evaluate(&policy, &cal, &facts, wed(14, 0, 0)), SlaMetric::Resolution);
    assert_eq!(late.state, SlaState::Achieved, "resolved again");
    assert_eq!(late.achieved_at, Some(wed(13, 30, 0)), "at the second resolution");
    assert_eq!(late.breached_at, Some(wed(13, 0, 0)), "late: the deadline was 13:00");
    assert_eq!(late.cycle, 1, "resolution is one clock across reopens");
}

#[test]
fn next_response_cycles_are_numbered() {
    let policy = policy(Some(300), Some(900), None);
    let mut facts = conversation(wed(9, 55, 0));
    facts.messages = vec![
        outbound(wed(9, 55, 0), Kind::Message),
        inbound(wed(10, 0, 0)),
        outbound(wed(10, 2, 0), Kind::Message),
        inbound(wed(10, 10, 0)),
        inbound(wed(10, 11, 0)),
        outbound(wed(10, 12, 0), Kind::Note),
        outbound(wed(10, 20, 0), Kind::Message),
        outbound(wed(10, 21, 0), Kind::Message),
        inbound(wed(10, 30, 0)),
    ];
    let clocks = evaluate(&policy, &BusinessCalendar::Always, &facts, wed(10, 40, 0));
    let summary: Vec<_> = clocks.iter().map(|c| (c.metric, c.cycle, c.state, c.started_at, c.achieved_at)).collect();
    assert_eq!(
        summary,
        vec![
            (SlaMetric::FirstResponse, 1, SlaState::Achieved, wed(10, 0, 0), Some(wed(10, 2, 0))),
            (SlaMetric::NextResponse, 1, SlaState::Achieved, wed(10, 10, 0), Some(wed(10, 20, 0))),
            (SlaMetric::NextResponse, 2, SlaState::Running, wed(10, 30, 0), None),
        ],
        "an agent-initiated message starts nothing; a second customer message joins its cycle; a note does not close it"
    );
    assert_eq!(clocks[1].elapsed_business_ms, 10 * MINUTE, "cycle 1 took 10 minutes");
    assert_eq!(clocks[2].due_at, Some(wed(10, 45, 0)), "cycle 2 is due 15 min after 10:30");
    assert_eq!(
        next_due(&policy, &BusinessCalendar::Always, &facts, wed(10, 40, 0)),
        Some((wed(10, 42, 0), SlaMetric::NextResponse, AlertLevel::AtRisk)),
        "only the current cycle can still alert"
    );
}

#[test]
fn resolving_without_a_reply_closes_the_response_cycle() {
    let policy = policy(Some(300), Some(300), None);
    let mut facts = conversation(wed(10, 0, 0));
    facts.messages = vec![inbound(wed(10, 0, 0)), inbound(wed(11, 0, 0))];
    facts.status_changes = vec![change(wed(10, 3, 0), Status::Resolved), change(wed(11, 30, 0), Status::Open)];
    let cal = BusinessCalendar::Always;

    let clocks = evaluate(&policy, &cal, &facts, wed(11, 10, 0));
    assert_eq!(clocks.len(), 2, "first response and next-response cycle 1: {clocks:#?}");
    assert_eq!((clocks[0].state, clocks[0].achieved_at), (SlaState::Achieved, Some(wed(10, 3, 0))), "resolved in time");
    assert_eq!(
        (clocks[1].metric, clocks[1].cycle, clocks[1].state),
        (SlaMetric::NextResponse, 1, SlaState::Paused),
        "a message into a resolved conversation waits for the reopen"
    );
    let reopened = evaluate(&policy, &cal, &facts, wed(11, 32, 0));
    assert_eq!(reopened[1].state, SlaState::Running, "the reopen starts accrual");
    assert_eq!(reopened[1].elapsed_business_ms, 2 * MINUTE, "from 11:30");
}

#[test]
fn facts_after_now_are_ignored() {
    let policy = chat_first_response_5_min();
    let mut facts = conversation(wed(10, 0, 0));
    facts.messages = vec![inbound(wed(10, 0, 0)), outbound(wed(10, 3, 0), Kind::Message)];
    let clock = only(&evaluate(&policy, &BusinessCalendar::Always, &facts, wed(10, 2, 0)), SlaMetric::FirstResponse);
    assert_eq!(clock.state, SlaState::Running, "the reply has not happened yet at 10:02");
    assert!(
        evaluate(&policy, &BusinessCalendar::Always, &facts, wed(9, 0, 0)).is_empty(),
        "before the first customer message there is no clock"
    );
}

#[test]
fn clocks_exist_only_for_tracked_and_started_metrics() {
    let mut facts = conversation(wed(10, 0, 0));
    let all = policy(Some(60), Some(60), Some(60));
    let metrics = |facts: &ConversationFacts, now| -> Vec<SlaMetric> {
        evaluate(&all, &BusinessCalendar::Always, facts, now).iter().map(|c| c.metric).collect()
    };
    assert_eq!(metrics(&facts, wed(10, 1, 0)), vec![SlaMetric::Resolution], "no customer message yet");
    assert_eq!(metrics(&facts, wed(9, 0, 0)), Vec::<SlaMetric>::new(), "not created yet");
    facts.messages.push(inbound(wed(10, 0, 0)));
    assert_eq!(
        metrics(&facts, wed(10, 1, 0)),
        vec![SlaMetric::FirstResponse, SlaMetric::Resolution],
        "first response once the customer wrote"
    );
    let none = policy(None, None, None);
    assert!(evaluate(&none, &BusinessCalendar::Always, &facts, wed(10, 1, 0)).is_empty(), "untracked metrics");
}

#[test]
fn minutes_before_threshold() {
    let mut policy = policy(Some(3600), None, None);
    policy.at_risk = AtRiskThreshold::MinutesBefore(10);
    let mut facts = conversation(wed(10, 0, 0));
    facts.messages.push(inbound(wed(10, 0, 0)));
    let clock = only(&evaluate(&policy, &BusinessCalendar::Always, &facts, wed(10, 0, 0)), SlaMetric::FirstResponse);
    assert_eq!(clock.at_risk_at, Some(wed(10, 50, 0)), "10 minutes before an 11:00 deadline");
}

#[test]
fn a_calendar_that_never_opens_has_no_deadline() {
    let closed = BusinessCalendar::from_stored("Europe/Madrid", "{}", []).expect("parses");
    let mut facts = conversation(wed(10, 0, 0));
    facts.messages.push(inbound(wed(10, 0, 0)));
    let policy = chat_first_response_5_min();
    let clock = only(&evaluate(&policy, &closed, &facts, wed(12, 0, 0)), SlaMetric::FirstResponse);
    assert_eq!((clock.state, clock.elapsed_business_ms, clock.due_at), (SlaState::Running, 0, None), "never due");
    assert_eq!(next_due(&policy, &closed, &facts, wed(12, 0, 0)), None, "nothing to schedule, no endless loop");
}

#[test]
fn an_eight_hour_resolution_over_the_fall_back_night_is_eight_real_hours() {
    let policy = policy(None, None, Some(8 * 3600));
    let created = madrid(2026, 10, 24, 22, 0);
    let facts = conversation(created);
    let clock = only(&evaluate(&policy, &BusinessCalendar::Always, &facts, created), SlaMetric::Resolution);
    assert_eq!(clock.due_at, Some(created + 8 * HOUR), "eight real hours");
    assert_eq!(clock.due_at, Some(madrid(2026, 10, 25, 5, 0)), "which is 05:00 CET on the wall");
}

#[test]
fn next_due_prefers_the_breach_when_instants_coincide() {
    let mut policy = chat_first_response_5_min();
    policy.at_risk = AtRiskThreshold::Percent(100);
    let mut facts = conversation(wed(10, 0, 0));
    facts.messages.push(inbound(wed(10, 0, 0)));
    assert_eq!(
        next_due(&policy, &BusinessCalendar::Always, &facts, wed(10, 1, 0)),
        Some((wed(10, 5, 0), SlaMetric::FirstResponse, AlertLevel::Breached)),
        "at-risk at 100 % coincides with the breach"
    );
}

#[test]
fn clocks_serialize_with_camel_case_fields() {
    let policy = chat_first_response_5_min();
    let mut facts = conversation(wed(10, 0, 0));
    facts.messages.push(inbound(wed(10, 0, 0)));
    let clock = only(&evaluate(&policy, &BusinessCalendar::Always, &facts, wed(10, 4, 0)), SlaMetric::FirstResponse);
    let json = serde_json::to_value(clock).expect("serializes");
    assert_eq!(json["metric"], "first_response", "metric as stored in sla_alerts");
    assert_eq!(json["state"], "at_risk", "state value");
    assert_eq!(json["elapsedBusinessMs"], 4 * MINUTE, "camelCase field");
    assert_eq!(json["dueAt"], wed(10, 5, 0), "camelCase field");
    assert!(json["achievedAt"].is_null(), "absent instants are null");
    let back: SlaClock = serde_json::from_value(json).expect("deserializes");
    assert_eq!(back, clock, "round trip");
    assert_eq!(SlaMetric::NextResponse.as_str(), "next_response", "stored name");
    assert_eq!(AlertLevel::AtRisk.as_str(), "at_risk", "stored name");
}

#[test]
fn evaluate_into_reuses_the_buffer() {
    let policy = policy(Some(300), None, Some(3600));
    let mut facts = conversation(wed(10, 0, 0));
    facts.messages.push(inbound(wed(10, 0, 0)));
    let mut buffer = Vec::with_capacity(8);
    evaluate_into(&policy, &BusinessCalendar::Always, &facts, wed(10, 1, 0), &mut buffer);
    evaluate_into(&policy, &BusinessCalendar::Always, &facts, wed(10, 1, 0), &mut buffer);
    assert_eq!(buffer.len(), 2, "cleared before filling");
    assert_eq!(buffer, evaluate(&policy, &BusinessCalendar::Always, &facts, wed(10, 1, 0)), "same clocks");
}

// ---- Properties over generated conversations

fn any_status() -> impl Strategy<Value = Status> {
    prop_oneof![Just(Status::Open), Just(Status::Pending), Just(Status::Snoozed), Just(Status::Resolved)]
}

fn waiting_status() -> impl Strategy<Value = Status> {
    prop_oneof![Just(Status::Open), Just(Status::Pending), Just(Status::Snoozed)]
}

fn any_message() -> impl Strategy<Value = (Direction, Kind)> {
    (
        prop_oneof![Just(Direction::Inbound), Just(Direction::Outbound)],
        prop_oneof![4 => Just(Kind::Message), 1 => Just(Kind::Note), 1 => Just(Kind::Bot), 1 => Just(Kind::System)],
    )
}

/// Deltas between consecutive events: sometimes simultaneous, up to a day apart.
fn gap() -> impl Strategy<Value = i64> {
    prop_oneof![1 => Just(0i64), 6 => 1i64..(3 * HOUR), 1 => (3 * HOUR)..(30 * HOUR)]
}

/// 2026-03-26 .. 2026-03-31 Madrid: a weekend, office hours, and the spring change.
fn base() -> impl Strategy<Value = i64> {
    1_774_483_200_000i64..1_774_915_200_000i64
}

fn build_facts(created: i64, statuses: &[(i64, Status)], messages: &[(i64, (Direction, Kind))]) -> ConversationFacts {
    let mut facts = conversation(created);
    let mut t = created;
    for (delta, status) in statuses {
        t += delta;
        facts.status_changes.push(change(t, *status));
    }
    let mut t = created;
    for (delta, (direction, kind)) in messages {
        t += delta;
        facts.messages.push(MessageFact { at: t, direction: *direction, kind: *kind });
    }
    facts
}

fn property_calendar(which: bool) -> BusinessCalendar {
    if which { madrid_office(&["2026-03-30"]) } else { BusinessCalendar::Always }
}

fn targets() -> impl Strategy<Value = (i64, i64, i64)> {
    (60i64..(4 * 3600), 60i64..(4 * 3600), 600i64..(48 * 3600))
}

fn key(clock: &SlaClock) -> (SlaMetric, u32) {
    (clock.metric, clock.cycle)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(150))]

    #[test]
    fn pausing_never_adds_elapsed_time(
        created in base(),
        statuses in prop::collection::vec((gap(), any_status()), 0..8),
        messages in prop::collection::vec((gap(), any_message()), 0..12),
        later in 0i64..(72 * HOUR),
        (first, next, resolution) in targets(),
        office in any::<bool>(),
    ) {
        let facts = build_facts(created, &statuses, &messages);
        let calendar = property_calendar(office);
        let mut policy = policy(Some(first), Some(next), Some(resolution));
        let now = created + later;
        let paused = evaluate(&policy, &calendar, &facts, now);
        policy.pause_when_pending = PauseRule::Never;
        let unpaused = evaluate(&policy, &calendar, &facts, now);
        prop_assert_eq!(paused.len(), unpaused.len(), "the pause rule does not change which cycles exist");
        for (p, u) in paused.iter().zip(&unpaused) {
            prop_assert_eq!(key(p), key(u), "same clocks in the same order");
            prop_assert!(
                p.elapsed_business_ms <= u.elapsed_business_ms,
                "{:?} with pauses elapsed {} > without {}", key(p), p.elapsed_business_ms, u.elapsed_business_ms
            );
        }
    }

    #[test]
    fn adding_a_pause_never_increases_elapsed_time(
        created in base(),
        statuses in prop::collection::vec((gap(), waiting_status()), 0..8),
        messages in prop::collection::vec((gap(), any_message()), 0..12),
        pause_start in 0i64..(48 * HOUR),
        pause_length in 0i64..(24 * HOUR),
        later in 0i64..(72 * HOUR),
        (first, next, resolution) in targets(),
        office in any::<bool>(),
    ) {
        let facts = build_facts(created, &statuses, &messages);
        let calendar = property_calendar(office);
        let policy = policy(Some(first), Some(next), Some(resolution));
        let now = created + later;
        let (from, to) = (created + pause_start, created + pause_start + pause_length);
        let mut with_pause = facts.clone();
        with_pause.status_changes.retain(|c| c.at < from || c.at >= to);
        with_pause.status_changes.push(change(from, Status::Pending));
        with_pause.status_changes.push(change(to, facts.status_at(to)));
        with_pause.sort_chronologically();
        let before = evaluate(&policy, &calendar, &facts, now);
        let after = evaluate(&policy, &calendar, &with_pause, now);
        prop_assert_eq!(before.len(), after.len(), "pausing does not change which cycles exist");
        for (b, a) in before.iter().zip(&after) {
            prop_assert_eq!(key(b), key(a), "same clocks in the same order");
            prop_assert!(
                a.elapsed_business_ms <= b.elapsed_business_ms,
                "{:?}: pause [{}, {}) raised elapsed from {} to {}", key(b), from, to, b.elapsed_business_ms, a.elapsed_business_ms
            );
        }
    }

    #[test]
    fn elapsed_time_is_monotonic_in_now(
        created in base(),
        statuses in prop::collection::vec((gap(), any_status()), 0..8),
        messages in prop::collection::vec((gap(), any_message()), 0..12),
        earlier in 0i64..(72 * HOUR),
        step in 0i64..(72 * HOUR),
        (first, next, resolution) in targets(),
        office in any::<bool>(),
    ) {
        let facts = build_facts(created, &statuses, &messages);
        let calendar = property_calendar(office);
        let policy = policy(Some(first), Some(next), Some(resolution));
        let (t1, t2) = (created + earlier, created + earlier + step);
        let at_t2 = evaluate(&policy, &calendar, &facts, t2);
        for clock in evaluate(&policy, &calendar, &facts, t1) {
            let later = at_t2.iter().find(|c| key(c) == key(&clock));
            prop_assert!(later.is_some(), "{:?} existing at {} still exists at {}", key(&clock), t1, t2);
            if let Some(later) = later {
                prop_assert!(
                    later.elapsed_business_ms >= clock.elapsed_business_ms,
                    "{:?} elapsed went from {} to {}", key(&clock), clock.elapsed_business_ms, later.elapsed_business_ms
                );
                prop_assert_eq!(later.started_at, clock.started_at, "a cycle keeps its start");
                if clock.breached_at.is_some() {
                    prop_assert_eq!(later.breached_at, clock.breached_at, "a breach is never undone");
                }
            }
        }
    }

    #[test]
    fn a_longer_target_never_gives_an_earlier_deadline(
        created in base(),
        statuses in prop::collection::vec((gap(), any_status()), 0..8),
        messages in prop::collection::vec((gap(), any_message()), 0..12),
        later in 0i64..(72 * HOUR),
        short in 60i64..(8 * 3600),
        extra in 0i64..(8 * 3600),
        office in any::<bool>(),
    ) {
        let facts = build_facts(created, &statuses, &messages);
        let calendar = property_calendar(office);
        let now = created + later;
        let tight = evaluate(&policy(Some(short), Some(short), Some(short)), &calendar, &facts, now);
        let loose = evaluate(&policy(Some(short + extra), Some(short + extra), Some(short + extra)), &calendar, &facts, now);
        prop_assert_eq!(tight.len(), loose.len(), "targets do not change which cycles exist");
        for (t, l) in tight.iter().zip(&loose) {
            if let (Some(td), Some(ld)) = (t.due_at, l.due_at) {
                prop_assert!(ld >= td, "{:?}: target +{} s moved the deadline from {} to {}", key(t), extra, td, ld);
            }
            if let (Some(tb), Some(lb)) = (t.breached_at, l.breached_at) {
                prop_assert!(lb >= tb, "{:?}: a longer target breached earlier", key(t));
            }
            if t.breached_at.is_none() {
                prop_assert!(l.breached_at.is_none(), "{:?}: a longer target breached while the shorter did not", key(t));
            }
        }
    }

    #[test]
    fn next_due_is_in_the_future_and_matches_a_clock(
        created in base(),
        statuses in prop::collection::vec((gap(), any_status()), 0..8),
        messages in prop::collection::vec((gap(), any_message()), 0..12),
        later in 0i64..(72 * HOUR),
        (first, next, resolution) in targets(),
        office in any::<bool>(),
    ) {
        let mut facts = build_facts(created, &statuses, &messages);
        let calendar = property_calendar(office);
        let policy = policy(Some(first), Some(next), Some(resolution));
        let now = created + later;
        // Only what is known at `now`: the prediction assumes nothing else happens.
        facts.status_changes.retain(|c| c.at <= now);
        facts.messages.retain(|m| m.at <= now);
        if let Some((due, metric, level)) = next_due(&policy, &calendar, &facts, now) {
            prop_assert!(due > now, "next_due is strictly in the future");
            let clocks = evaluate(&policy, &calendar, &facts, due);
            let crossed = clocks.iter().any(|c| c.metric == metric && match level {
                AlertLevel::AtRisk => matches!(c.state, SlaState::AtRisk | SlaState::Breached),
                AlertLevel::Breached => c.state == SlaState::Breached,
            });
            prop_assert!(crossed, "at {} some {:?} clock has reached {:?}: {:#?}", due, metric, level, clocks);
        }
    }
}
