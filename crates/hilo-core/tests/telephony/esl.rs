//! FreeSWITCH ESL: the same calls over the event socket, grouped by Channel-Call-UUID.

use std::time::Duration;

use hilo_model::{CallOutcome, Direction};
use hilo_tests::sim::ami::InboundScript;
use hilo_tests::sim::esl::inbound_flow;
use hilo_tests::sim::{EslSim, OriginateScript};

use crate::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn esl_calls_are_followed_by_channel_call_uuid() {
    let sim = EslSim::start("ClueCon");
    let desk = desk().await;
    desk.add("freeswitch", esl_account(sim.port()), "ClueCon").await;
    let (handle, mut events) = desk.start().await;
    link_up(&mut events).await;
    assert!(sim.wait_logins(1, Duration::from_secs(10)));
    let subscribed = sim.commands().into_iter().find(|c| c.starts_with("event plain")).expect("subscription");
    for name in ["CHANNEL_CREATE", "CHANNEL_ANSWER", "CHANNEL_HANGUP_COMPLETE", "BACKGROUND_JOB"] {
        assert!(subscribed.contains(name), "subscribes to {name}: {subscribed}");
    }

    for (script, outcome, number) in [
        (InboundScript::Answered, CallOutcome::Answered, CLAUDIO_E164),
        (InboundScript::CallerCancels, CallOutcome::Missed, STRANGER),
        (InboundScript::RingGroupNoAnswer, CallOutcome::Missed, STRANGER),
        (InboundScript::Busy, CallOutcome::Busy, STRANGER),
    ] {
        let flow = inbound_flow(script, &sim.next_id(), number);
        sim.play(&flow);
        let call = ended(&mut events, &flow.call_ref).await;
        assert_eq!(call.outcome, outcome, "{}", flow.name);
        assert_eq!(call.from.as_deref(), Some(number), "{}: URL-decoded caller", flow.name);
        assert_eq!(call.direction, Direction::Inbound, "{}", flow.name);
        if outcome == CallOutcome::Answered {
            assert_eq!(call.agent.as_deref(), Some("sofia/internal/1000"));
            assert_eq!(call.customer_id, Some(desk.claudio));
            assert_eq!((call.duration_secs, call.talk_secs), (Some(65), Some(60)), "from Event-Date-Timestamp");
            assert_eq!(call.hangup_cause.as_deref(), Some("NORMAL_CLEARING"));
        }
    }
    let pops = desk.notifier.taken();
    assert_eq!(pops.len(), 4, "every call rang user 1000: {pops:?}");
    assert_eq!(pops[0].body, "Claudio Pérez · 1 conversación abierta");

    let placed = handle.click_to_call(None, CLAUDIO_NATIONAL).await.expect("bgapi originate");
    let bgapi = sim.commands().into_iter().find(|c| c.starts_with("bgapi originate")).expect("a bgapi originate");
    assert!(
        bgapi.contains(&format!("origination_uuid={}", placed.call_ref)),
        "the preset uuid names the call: {bgapi}"
    );
    assert!(bgapi.contains("}user/1000 +34600123456 XML default"), "agent first, then the customer: {bgapi}");
    let call = ended(&mut events, &placed.call_ref).await;
    assert_eq!((call.direction, call.outcome), (Direction::Outbound, CallOutcome::Answered));
    assert_eq!(call.customer_id, Some(desk.claudio));

    for (script, outcome) in [
        (OriginateScript::AgentNoAnswer, CallOutcome::Failed),
        (OriginateScript::CustomerBusy, CallOutcome::Busy),
        (OriginateScript::Reject, CallOutcome::Failed),
    ] {
        sim.set_originate(script);
        let placed = handle.click_to_call(None, STRANGER).await.expect("queued");
        let call = ended(&mut events, &placed.call_ref).await;
        assert_eq!(call.outcome, outcome, "{script:?}: matched through BACKGROUND_JOB");
    }
    handle.shutdown().await;
    for c in desk.calls().await {
        assert_eq!(impossibility(&c), None);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_event_socket_password_is_reported_and_retried() {
    let sim = EslSim::start("ClueCon");
    let desk = desk().await;
    desk.add("freeswitch", esl_account(sim.port()), "not-ClueCon").await;
    let (handle, mut events) = desk.start().await;
    let reason = next_matching(&mut events, "a link-down report", |e| match e {
        hilo_core::telephony::TelephonyEvent::Link {
            state: hilo_connectors::telephony::LinkState::Down { reason, .. },
            ..
        } => Some(reason.clone()),
        _ => None,
    })
    .await;
    assert!(reason.contains("refused the login"), "{reason}");
    assert!(!reason.contains("not-ClueCon"), "never the password itself: {reason}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(sim.failed_logins() >= 2, "retried with backoff");
    assert!(sim.commands().iter().all(|c| !c.contains("not-ClueCon")), "the simulator's log redacts it too");
    handle.shutdown().await;
}
