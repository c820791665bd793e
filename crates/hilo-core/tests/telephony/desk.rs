//! The desktop's telephony command bodies on AppCore: recent calls, callbacks, and an
//! unknown caller turned into a customer from the screen-pop.

use hilo_model::{CallOutcome, ErrorCode, IdentityKind};
use hilo_tests::sim::AmiSim;
use hilo_tests::sim::ami::{InboundScript, inbound_flow};

use crate::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stranger_from_the_pop_becomes_a_customer_with_their_calls_and_callback() {
    let sim = AmiSim::start("hilo", "s3cret");
    let desk = desk().await;
    desk.add("centralita", ami_account(sim.port()), "s3cret").await;
    let (handle, mut events) = desk.start().await;
    link_up(&mut events).await;
    let flow = inbound_flow(InboundScript::CallerCancels, &sim.next_id(), "911 222 333");
    sim.play(&flow);
    let call = ended(&mut events, &flow.call_ref).await;
    handle.shutdown().await;
    assert_eq!((call.outcome, call.customer_id), (CallOutcome::Missed, None));

    let recent = desk.core.recent_calls(Some(1)).await.expect("recent calls");
    assert_eq!(recent.len(), 1, "the limit is honoured");
    assert_eq!(recent[0].call_ref, flow.call_ref, "newest first");
    assert!(
        desk.core.callbacks().await.expect("callbacks").iter().all(|c| c.number.as_deref() != Some(STRANGER)),
        "an unknown caller is nobody to call back yet"
    );

    let refused = desk.core.create_customer_for_number(STRANGER.into(), "   ".into()).await;
    assert_eq!(refused.map_err(|e| e.to_ipc().code).err(), Some(ErrorCode::InvalidInput), "a name is required");
    let refused = desk.core.create_customer_for_number("call me maybe".into(), "Marta".into()).await;
    assert_eq!(refused.map_err(|e| e.to_ipc().code).err(), Some(ErrorCode::InvalidInput), "not a phone number");

    let marta = desk
        .core
        .create_customer_for_number("911 22 23 33".into(), " Marta Ruiz ".into())
        .await
        .expect("create from the pop, national format read in the workspace region");
    assert_eq!(marta.name, "Marta Ruiz");
    assert!(
        marta.identities.iter().any(|i| i.kind == IdentityKind::Phone && i.value == STRANGER),
        "the phone identity is E.164: {:?}",
        marta.identities
    );
    let linked = desk.call(&flow.call_ref).await.expect("the call");
    assert_eq!(linked.customer_id, Some(marta.id), "the missed call now belongs to Marta");
    let callbacks = desk.core.callbacks().await.expect("callbacks");
    assert!(
        callbacks.iter().any(|c| c.customer_id == marta.id && c.missed_calls == 1),
        "Marta's missed call now asks for a callback: {callbacks:?}"
    );

    let again = desk.core.create_customer_for_number(STRANGER.into(), "Someone Else".into()).await.expect("again");
    assert_eq!((again.id, again.name.as_str()), (marta.id, "Marta Ruiz"), "a known number keeps its owner");
}
