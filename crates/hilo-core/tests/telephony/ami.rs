//! Asterisk AMI: scripted calls from the simulator to stored calls and screen-pops.

use std::time::Duration;

use hilo_connectors::telephony::LinkState;
use hilo_core::telephony::{TelephonyEvent, callback_items, create_customer_for_number};
use hilo_model::{CallOutcome, Direction};
use hilo_tests::sim::ami::{InboundScript, inbound_flow};
use hilo_tests::sim::{AmiSim, LoginScript, OriginateScript};
use phonenumber::country;

use crate::*;

async fn following(
    sim: &AmiSim,
) -> (Desk, hilo_core::telephony::TelephonyHandle, tokio::sync::mpsc::UnboundedReceiver<TelephonyEvent>) {
    let desk = desk().await;
    desk.add("centralita", ami_account(sim.port()), "s3cret").await;
    let (handle, mut events) = desk.start().await;
    link_up(&mut events).await;
    assert!(sim.wait_logins(1, Duration::from_secs(10)), "the connector logs in");
    (desk, handle, events)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answered_call_from_claudio_pops_his_name_and_lands_in_his_timeline() {
    let sim = AmiSim::start("hilo", "s3cret");
    let (desk, handle, mut events) = following(&sim).await;
    let flow = inbound_flow(InboundScript::Answered, &sim.next_id(), CLAUDIO_NATIONAL);
    sim.play(&flow);

    let pop = next_matching(&mut events, "the screen-pop", |e| match e {
        TelephonyEvent::ScreenPop(p) => Some(p.clone()),
        _ => None,
    })
    .await;
    assert_eq!(pop.text, "Llamada entrante · Claudio Pérez · 1 conversación abierta", "the agent sees who calls");
    assert_eq!(pop.customer_id, Some(desk.claudio));
    assert!(!pop.offer_create_customer, "a known caller needs no new customer");
    let latest = pop.latest_conversation.as_ref().expect("the conversation 'open timeline' selects");
    assert_eq!(
        (latest.channel, latest.status),
        (hilo_model::Channel::Facebook, hilo_model::ConversationStatus::Open),
        "the pop points at Claudio's open Facebook conversation, not an older resolved one: {latest:?}"
    );
    let call = ended(&mut events, &flow.call_ref).await;
    assert_eq!(call.outcome, CallOutcome::Answered);
    assert_eq!(call.direction, Direction::Inbound);
    assert_eq!(call.from.as_deref(), Some(CLAUDIO_E164), "the national number is stored as E.164");
    assert_eq!(call.agent.as_deref(), Some("PJSIP/1986"), "the agent endpoint without its channel suffix");
    assert_eq!(call.customer_id, Some(desk.claudio), "linked to Claudio by his phone identity");
    assert_eq!((call.duration_secs, call.talk_secs), (Some(65), Some(60)), "ring 5 s, talk 60 s");
    assert_eq!(call.hangup_cause.as_deref(), Some("16"));

    let shown = desk.notifier.taken();
    assert_eq!(shown.len(), 1, "one notification per ringing call: {shown:?}");
    assert_eq!(
        (shown[0].title.as_str(), shown[0].body.as_str()),
        ("Llamada entrante", "Claudio Pérez · 1 conversación abierta")
    );
    let timeline = desk.core.full_timeline(desk.claudio).await.expect("timeline");
    assert!(
        timeline.items.iter().any(|i| matches!(i, hilo_model::TimelineEntry::Call(c) if c.id == call.id)),
        "the call is in Claudio's timeline"
    );
    handle.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unanswered_calls_are_missed_or_busy_by_dial_status_and_strangers_get_an_offer() {
    let sim = AmiSim::start("hilo", "s3cret");
    let (desk, handle, mut events) = following(&sim).await;
    for (script, outcome, cause) in [
        (InboundScript::CallerCancels, CallOutcome::Missed, "127"),
        (InboundScript::RingGroupNoAnswer, CallOutcome::Missed, "19"),
        (InboundScript::Busy, CallOutcome::Busy, "17"),
    ] {
        let flow = inbound_flow(script, &sim.next_id(), STRANGER);
        sim.play(&flow);
        let pop = next_matching(&mut events, "the screen-pop", |e| match e {
            TelephonyEvent::ScreenPop(p) if p.call_ref == flow.call_ref => Some(p.clone()),
            _ => None,
        })
        .await;
        assert_eq!(pop.text, "Llamada entrante · +34 911 22 23 33 · cliente desconocido", "{}", flow.name);
        assert!(pop.offer_create_customer, "an unknown caller can become a customer");
        assert_eq!(pop.latest_conversation, None, "a stranger has no conversation to open");
        let call = ended(&mut events, &flow.call_ref).await;
        assert_eq!(call.outcome, outcome, "{}: decided by DialEnd's DialStatus", flow.name);
        assert_eq!(call.answered_at, None, "{}", flow.name);
        assert_eq!(call.hangup_cause.as_deref(), Some(cause), "{}: the caller leg's cause", flow.name);
        assert_eq!(call.customer_id, None);
    }
    assert_eq!(desk.notifier.taken().len(), 3, "one pop per call, the ring group included");
    handle.shutdown().await;

    // Taking up the pop's offer: the stranger becomes a customer, their calls follow,
    // and their unanswered calls now ask for a callback.
    let created = desk
        .core
        .store()
        .write_async(|tx| create_customer_for_number(tx, "Marta Ruiz", STRANGER, Some(country::Id::ES), 1))
        .await
        .expect("create the customer");
    let theirs = desk.calls().await.into_iter().filter(|c| c.customer_id == Some(created)).count();
    assert_eq!(theirs, 3, "the stranger's earlier calls are linked to the new customer");
    let items = desk.core.store().read_async(callback_items).await.expect("callbacks");
    let item = items.iter().find(|i| i.customer_id == created).expect("a callback for the new customer");
    assert_eq!(item.missed_calls, 3, "three unanswered calls, one item");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missed_call_from_claudio_is_a_callback_until_he_is_called_back() {
    let sim = AmiSim::start("hilo", "s3cret");
    let (desk, handle, mut events) = following(&sim).await;
    let flow = inbound_flow(InboundScript::CallerCancels, &sim.next_id(), CLAUDIO_E164);
    sim.play(&flow);
    let missed = ended(&mut events, &flow.call_ref).await;
    let items = desk.core.store().read_async(callback_items).await.expect("callbacks");
    let item = items.iter().find(|i| i.customer_id == desk.claudio).expect("Claudio waits for a callback");
    assert_eq!(item.call_id, missed.id, "the latest missed call is the item");

    let placed = handle.click_to_call(None, CLAUDIO_NATIONAL).await.expect("click-to-call");
    let back = ended(&mut events, &placed.call_ref).await;
    assert_eq!((back.direction, back.outcome), (Direction::Outbound, CallOutcome::Answered));
    let items = desk.core.store().read_async(callback_items).await.expect("callbacks");
    assert!(items.iter().all(|i| i.customer_id != desk.claudio), "calling him back clears the item: {items:?}");
    handle.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn click_to_call_originates_from_the_agent_phone_and_is_followed_to_its_end() {
    let sim = AmiSim::start("hilo", "s3cret");
    let (desk, handle, mut events) = following(&sim).await;

    let placed = handle.click_to_call(None, CLAUDIO_NATIONAL).await.expect("click-to-call");
    let originate = sim
        .actions()
        .into_iter()
        .find(|a| a.iter().any(|(k, v)| k == "Action" && v == "Originate"))
        .expect("an Originate action");
    let get = |k: &str| originate.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
    assert_eq!(get("Channel"), Some("PJSIP/1986"), "the agent's phone rings first");
    assert_eq!(get("Exten"), Some(CLAUDIO_E164), "then the customer, in E.164");
    assert_eq!(get("Async"), Some("true"));
    assert_eq!(get("ChannelId"), Some(placed.call_ref.as_str()), "a preset channel id names the call");
    let call = ended(&mut events, &placed.call_ref).await;
    assert_eq!((call.direction, call.outcome), (Direction::Outbound, CallOutcome::Answered));
    assert_eq!(call.to.as_deref(), Some(CLAUDIO_E164));
    assert_eq!(call.customer_id, Some(desk.claudio));
    assert_eq!(call.agent.as_deref(), Some("PJSIP/1986"));

    for (script, outcome) in
        [(OriginateScript::AgentNoAnswer, CallOutcome::Failed), (OriginateScript::CustomerBusy, CallOutcome::Busy)]
    {
        sim.set_originate(script);
        let placed = handle.click_to_call(None, STRANGER).await.expect("click-to-call");
        let call = ended(&mut events, &placed.call_ref).await;
        assert_eq!(call.outcome, outcome, "{script:?}");
        assert_eq!(call.direction, Direction::Outbound);
    }
    sim.set_originate(OriginateScript::Reject);
    let refused = handle.click_to_call(None, STRANGER).await;
    let message = refused.expect_err("a refused originate is an error").to_string();
    assert!(message.contains("refused the call"), "{message}");
    assert_eq!(desk.notifier.taken().len(), 0, "no screen-pop for calls the agent places");
    handle.shutdown().await;
    for c in desk.calls().await {
        assert_eq!(impossibility(&c), None);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_secret_is_reported_without_the_secret_and_retried() {
    let sim = AmiSim::start("hilo", "the-right-one");
    let desk = desk().await;
    desk.add("centralita", ami_account(sim.port()), "wrong-secret-4711").await;
    let (handle, mut events) = desk.start().await;
    let reason = next_matching(&mut events, "a link-down report", |e| match e {
        TelephonyEvent::Link { state: LinkState::Down { reason, .. }, .. } => Some(reason.clone()),
        _ => None,
    })
    .await;
    assert!(reason.contains("refused the login"), "says what is wrong: {reason}");
    assert!(!reason.contains("wrong-secret-4711"), "never the secret itself: {reason}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(sim.failed_logins() >= 2, "the connector keeps retrying, with backoff");
    handle.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stopping_closes_a_ringing_call_as_link_lost() {
    let sim = AmiSim::start("hilo", "s3cret");
    let (desk, handle, mut events) = following(&sim).await;
    let flow = inbound_flow(InboundScript::Answered, &sim.next_id(), CLAUDIO_E164);
    let ringing = hilo_tests::sim::Flow { packets: flow.packets[..4].to_vec(), ..flow.clone() };
    sim.play(&ringing);
    next_matching(&mut events, "the pop", |e| matches!(e, TelephonyEvent::ScreenPop(_)).then_some(())).await;
    handle.shutdown().await;
    let call = desk.call(&flow.call_ref).await.expect("stored");
    assert_eq!(call.hangup_cause.as_deref(), Some("link-lost"), "never left ringing forever");
    assert_eq!(call.outcome, CallOutcome::Failed);
    assert_eq!(impossibility(&call), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_follower_starting_mid_call_cannot_leave_it_ended_before_its_answer() {
    let sim = AmiSim::start("hilo", "s3cret");
    let (desk, handle, mut events) = following(&sim).await;
    let flow = inbound_flow(InboundScript::Answered, &sim.next_id(), CLAUDIO_E164);
    let ringing = hilo_tests::sim::Flow { packets: flow.packets[..4].to_vec(), ..flow.clone() };
    sim.play(&ringing);
    next_matching(&mut events, "the pop", |e| matches!(e, TelephonyEvent::ScreenPop(_)).then_some(())).await;
    // What another Hilo starting now on the same account does to calls it finds open.
    let closed = desk
        .core
        .store()
        .write_async(|tx| {
            let account: i64 = tx.query_row("SELECT id FROM accounts WHERE name = 'centralita'", [], |r| r.get(0))?;
            hilo_core::telephony::calls::close_unfinished(tx, account)
        })
        .await
        .expect("close unfinished");
    assert_eq!(closed, 1);
    sim.play(&hilo_tests::sim::Flow { packets: flow.packets[4..].to_vec(), ..flow.clone() });
    let call = ended(&mut events, &flow.call_ref).await;
    assert_eq!(impossibility(&call), None, "{call:?}");
    assert_eq!(
        (call.outcome, call.hangup_cause.as_deref()),
        (CallOutcome::Answered, Some("16")),
        "the follower that saw it all wins"
    );
    handle.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn md5_challenge_login_keeps_the_secret_off_the_wire_and_plain_only_servers_still_work() {
    let sim = AmiSim::start("hilo", "s3cret");
    sim.set_login(LoginScript::Md5Only);
    let (desk, handle, mut events) = following(&sim).await;
    assert_eq!(sim.md5_logins(), 1, "logged in through the MD5 challenge");
    let flow = inbound_flow(InboundScript::Answered, &sim.next_id(), CLAUDIO_NATIONAL);
    sim.play(&flow);
    assert_eq!(ended(&mut events, &flow.call_ref).await.outcome, CallOutcome::Answered, "calls follow as before");
    handle.shutdown().await;
    let actions = sim.actions();
    assert!(
        actions.iter().flatten().all(|(k, v)| !v.contains("s3cret") && !k.eq_ignore_ascii_case("Secret")),
        "the secret never crosses the link: {actions:?}"
    );
    let login = actions.iter().find(|a| a.iter().any(|(k, v)| k == "Action" && v == "Login")).expect("a Login");
    let key = login.iter().find(|(k, _)| k == "Key").map(|(_, v)| v.as_str()).unwrap_or("");
    assert!(key.len() == 32 && key.chars().all(|c| c.is_ascii_hexdigit()), "Key is an MD5 hex digest: {login:?}");

    // A server (or proxy) without the Challenge action still gets a plain login.
    let old = AmiSim::start("hilo", "s3cret");
    old.set_login(LoginScript::PlainOnly);
    desk.add("proxy", ami_account(old.port()), "s3cret").await;
    let (handle, _events) = desk.start().await;
    assert!(old.wait_logins(1, Duration::from_secs(10)), "falls back to Secret when Challenge is refused");
    assert_eq!(old.md5_logins(), 0);
    handle.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_secret_under_the_md5_challenge_is_refused_and_reported_without_it() {
    let sim = AmiSim::start("hilo", "the-right-one");
    sim.set_login(LoginScript::Md5Only);
    let desk = desk().await;
    desk.add("centralita", ami_account(sim.port()), "wrong-secret-4711").await;
    let (handle, mut events) = desk.start().await;
    let reason = next_matching(&mut events, "a link-down report", |e| match e {
        TelephonyEvent::Link { state: LinkState::Down { reason, .. }, .. } => Some(reason.clone()),
        _ => None,
    })
    .await;
    assert!(reason.contains("refused the login"), "says what is wrong: {reason}");
    assert!(!reason.contains("wrong-secret-4711"), "never the secret itself: {reason}");
    assert_eq!((sim.logins(), sim.md5_logins()), (0, 0), "a wrong key never logs in");
    assert!(sim.failed_logins() >= 1);
    handle.shutdown().await;
}
