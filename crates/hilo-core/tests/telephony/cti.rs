//! The Zammad-compatible CTI webhook: token, JSON and form bodies, block list, limits.

use std::time::Duration;

use hilo_core::telephony::{TelephonyEvent, callback_items};
use hilo_model::{CallOutcome, Direction};
use hilo_tests::sim::cti::{post_form, post_json, post_raw};
use serde_json::json;

use crate::*;

const TOKEN: &str = "c7f1d1b0a4e54c5f9f0e";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pbx_set_up_for_zammad_only_needs_the_host_changed() {
    let port = hilo_tests::free_port();
    let desk = desk().await;
    desk.add("zammad-cti", cti_account(port, &["+34 999 000 111"]), TOKEN).await;
    let (handle, mut events) = desk.start().await;
    link_up(&mut events).await;

    // A wrong token is refused and records nothing.
    let wrong = post_json(
        port,
        "not-the-token",
        &json!({"event":"newCall","from":STRANGER,"to":"1986","direction":"in","callId":"x-1"}),
    )
    .expect("post");
    assert_eq!(wrong.status, 401, "{wrong:?}");
    assert!(wrong.body.contains("Invalid token"), "Zammad's own message: {}", wrong.body);

    // JSON: newCall → answer → hangup.
    let base = json!({"from": CLAUDIO_NATIONAL, "to": "1986", "direction": "in", "callId": "z-100", "user": ["Ana"]});
    let with = |event: &str, extra: serde_json::Value| {
        let mut v = base.clone();
        v["event"] = json!(event);
        for (k, val) in extra.as_object().into_iter().flatten() {
            v[k] = val.clone();
        }
        v
    };
    let ok = post_json(port, TOKEN, &with("newCall", json!({}))).expect("post");
    assert_eq!((ok.status, ok.body.as_str()), (200, "{}"), "Zammad answers {{}}");
    let pop = next_matching(&mut events, "the screen-pop", |e| match e {
        TelephonyEvent::ScreenPop(p) => Some(p.clone()),
        _ => None,
    })
    .await;
    assert_eq!(pop.customer_name.as_deref(), Some("Claudio Pérez"));
    post_json(port, TOKEN, &with("answer", json!({"answeringNumber": "1986"}))).expect("post");
    post_json(port, TOKEN, &with("hangup", json!({"cause": "normalClearing"}))).expect("post");
    let call = ended(&mut events, "z-100").await;
    assert_eq!((call.outcome, call.direction), (CallOutcome::Answered, Direction::Inbound));
    assert_eq!(call.agent.as_deref(), Some("1986"), "answeringNumber names the agent");
    assert_eq!(call.customer_id, Some(desk.claudio));
    assert_eq!(call.hangup_cause.as_deref(), Some("normalClearing"));

    // A form body, no answer before hangup: missed, and a callback for Claudio.
    for event in ["newCall", "hangup"] {
        let r = post_form(
            port,
            TOKEN,
            &[
                ("event", event),
                ("from", CLAUDIO_E164),
                ("to", "1986"),
                ("direction", "in"),
                ("call_id", "z-101"),
                ("user[]", "Ana"),
                ("cause", "cancel"),
            ],
        )
        .expect("post");
        assert_eq!(r.status, 200, "{r:?}");
    }
    let call = ended(&mut events, "z-101").await;
    assert_eq!(call.outcome, CallOutcome::Missed, "Zammad: no answer before hangup is missed");
    assert_eq!(call.from.as_deref(), Some(CLAUDIO_E164), "an unescaped + in a form stays the E.164 prefix");
    let callbacks = desk.core.store().read_async(callback_items).await.expect("callbacks");
    assert!(callbacks.iter().any(|i| i.customer_id == desk.claudio && i.call_id == call.id), "{callbacks:?}");

    // A blocked number: the PBX is told to reject it.
    let blocked = post_json(
        port,
        TOKEN,
        &json!({"event":"newCall","from":"0034999000111","to":"1986","direction":"in","callId":"z-102"}),
    )
    .expect("post");
    assert_eq!(blocked.body, r#"{"action":"reject","reason":"busy"}"#, "block list matches any spelling");
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(desk.notifier.taken().len(), 2, "z-100 and z-101 popped; a blocked caller never does");

    // Refusals that record nothing.
    let path = format!("/api/v1/cti/{TOKEN}");
    let chunked = format!(
        "POST {path} HTTP/1.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{{}}  \r\n0\r\n\r\n"
    );
    assert_eq!(post_raw(port, chunked.as_bytes()).expect("post").status, 411, "chunked bodies are refused");
    let huge = format!(r#"{{"event":"newCall","callId":"z-103","direction":"in","from":"{}"}}"#, "9".repeat(20_000));
    let too_big = hilo_tests::sim::cti::post(port, &path, "application/json", &huge).expect("post");
    assert_eq!(too_big.status, 413, "bodies over the cap are refused");
    let bad_direction =
        post_json(port, TOKEN, &json!({"event":"newCall","from":"1","to":"2","direction":"sideways","callId":"z-104"}))
            .expect("post");
    assert_eq!((bad_direction.status, bad_direction.body.contains("Invalid direction!")), (422, true));
    let get = post_raw(port, format!("GET {path} HTTP/1.1\r\n\r\n").as_bytes()).expect("get");
    assert_eq!(get.status, 405);
    let other = hilo_tests::sim::cti::post(port, "/api/v1/other", "application/json", "{}").expect("post");
    assert_eq!(other.status, 404);

    tokio::time::sleep(Duration::from_millis(200)).await;
    handle.shutdown().await;
    let refs: Vec<String> =
        desk.calls().await.into_iter().filter(|c| c.account == "zammad-cti").map(|c| c.call_ref).collect();
    assert_eq!(refs.len(), 3, "z-100, z-101 and the blocked z-102; nothing from refused posts: {refs:?}");
    assert!(!refs.iter().any(|r| r == "x-1" || r == "z-103" || r == "z-104"), "{refs:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_listener_is_loopback_only() {
    let desk = desk().await;
    let err = hilo_core::telephony::add_telephony_account(
        &desk.core,
        desk.secrets.clone(),
        "exposed",
        hilo_core::telephony::TelephonyAccount::CtiWebhook(hilo_core::telephony::CtiAccount {
            listen: "0.0.0.0:8089".into(),
            extension: "1986".into(),
            blocked_numbers: vec![],
        }),
        TOKEN.into(),
    )
    .await
    .expect_err("a listener on every interface is refused");
    assert!(err.to_string().contains("loopback only"), "{err}");
}
