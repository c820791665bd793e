//! Fault test: the TCP link is dropped 100 times at random byte offsets in the middle
//! of scripted calls. Counts what was lost, invented or duplicated; every count but
//! the expected ones must be zero. The seed is printed so a failure can be replayed.

use std::collections::HashMap;
use std::time::Duration;

use hilo_model::CallOutcome;
use hilo_tests::sim::ami::InboundScript;
use hilo_tests::sim::{AmiSim, CutExpectation, EslSim, Flow, Rng};

use crate::*;

const DROPS: usize = 100;

trait Pbx {
    fn wait_logins(&self, n: usize) -> bool;
    fn flow(&self, script: InboundScript, number: &str) -> Flow;
    fn play(&self, flow: &Flow);
    fn play_cut(&self, flow: &Flow, cut: usize);
}

impl Pbx for AmiSim {
    fn wait_logins(&self, n: usize) -> bool {
        AmiSim::wait_logins(self, n, Duration::from_secs(15))
    }
    fn flow(&self, script: InboundScript, number: &str) -> Flow {
        hilo_tests::sim::ami::inbound_flow(script, &self.next_id(), number)
    }
    fn play(&self, flow: &Flow) {
        AmiSim::play(self, flow);
    }
    fn play_cut(&self, flow: &Flow, cut: usize) {
        AmiSim::play_cut(self, flow, cut);
    }
}

impl Pbx for EslSim {
    fn wait_logins(&self, n: usize) -> bool {
        EslSim::wait_logins(self, n, Duration::from_secs(15))
    }
    fn flow(&self, script: InboundScript, number: &str) -> Flow {
        hilo_tests::sim::esl::inbound_flow(script, &self.next_id(), number)
    }
    fn play(&self, flow: &Flow) {
        EslSim::play(self, flow);
    }
    fn play_cut(&self, flow: &Flow, cut: usize) {
        EslSim::play_cut(self, flow, cut);
    }
}

#[derive(Debug, Default)]
struct Tally {
    whole_ok: usize,
    not_started: usize,
    cut_mid_call: usize,
    cut_answered: usize,
    finished_before_drop: usize,
    lost: Vec<String>,
    invented: Vec<String>,
    wrong: Vec<String>,
    impossible: Vec<String>,
    duplicated: Vec<String>,
}

type Played = (Vec<Flow>, Vec<(Flow, usize, CutExpectation)>);

/// Plays a whole call then a cut one, `DROPS` times, waiting for each reconnect.
fn drop_the_link(pbx: &impl Pbx, account: &str, seed: u64) -> Played {
    let mut rng = Rng::new(seed);
    let numbers = [CLAUDIO_E164, STRANGER, CLAUDIO_NATIONAL];
    let mut whole = Vec::new();
    let mut cut_flows = Vec::new();
    for round in 0..DROPS {
        assert!(pbx.wait_logins(round + 1), "{account}: reconnect #{round} (seed {seed})");
        // A whole call proves the new session works; then one cut at a random byte.
        let flow = pbx.flow(InboundScript::ALL[rng.below(4)], numbers[rng.below(3)]);
        pbx.play(&flow);
        whole.push(flow);
        let flow = pbx.flow(InboundScript::ALL[rng.below(4)], numbers[rng.below(3)]);
        let cut = rng.below(flow.len() + 1);
        pbx.play_cut(&flow, cut);
        let expected = flow.expectation_at(cut);
        cut_flows.push((flow, cut, expected));
    }
    assert!(pbx.wait_logins(DROPS + 1), "{account}: the last reconnect (seed {seed})");
    (whole, cut_flows)
}

/// Compares what was stored with what each flow's cut point allows.
async fn tally(desk: &Desk, account: &str, (whole, cut_flows): &Played) -> Tally {
    let stored: Vec<CallView> = desk.calls().await.into_iter().filter(|c| c.account == account).collect();
    let mut by_ref: HashMap<&str, Vec<&CallView>> = HashMap::new();
    for c in &stored {
        by_ref.entry(c.call_ref.as_str()).or_default().push(c);
    }
    let mut t = Tally::default();
    for (r, cs) in &by_ref {
        if cs.len() > 1 {
            t.duplicated.push((*r).to_owned());
        }
    }
    for c in &stored {
        if let Some(why) = impossibility(c) {
            t.impossible.push(why);
        }
    }
    let outcome = |o: &str| match o {
        "answered" => CallOutcome::Answered,
        "busy" => CallOutcome::Busy,
        "failed" => CallOutcome::Failed,
        _ => CallOutcome::Missed,
    };
    for f in whole {
        match by_ref.get(f.call_ref.as_str()).and_then(|v| v.first()) {
            Some(c) if c.outcome == outcome(f.outcome) && c.hangup_cause.as_deref() != Some("link-lost") => {
                t.whole_ok += 1
            }
            Some(c) => t.wrong.push(format!("{} whole: {c:?}", f.name)),
            None => t.lost.push(format!("{} whole {}", f.name, f.call_ref)),
        }
    }
    for (f, cut, expected) in cut_flows {
        let got = by_ref.get(f.call_ref.as_str()).and_then(|v| v.first());
        match (expected, got) {
            (CutExpectation::NotRecorded, None) => t.not_started += 1,
            (CutExpectation::NotRecorded, Some(c)) => t.invented.push(format!("{} cut at {cut}: {c:?}", f.name)),
            (_, None) => t.lost.push(format!("{} cut at {cut} ({expected:?})", f.name)),
            (CutExpectation::LinkLost { answered }, Some(c)) => {
                let want = if *answered { CallOutcome::Answered } else { CallOutcome::Failed };
                if c.hangup_cause.as_deref() == Some("link-lost") && c.outcome == want {
                    t.cut_mid_call += 1;
                    t.cut_answered += usize::from(*answered);
                } else {
                    t.wrong.push(format!("{} cut at {cut}, expected link-lost {want}: {c:?}", f.name));
                }
            }
            (CutExpectation::Complete, Some(c)) => {
                if c.outcome == outcome(f.outcome) && c.hangup_cause.as_deref() != Some("link-lost") {
                    t.finished_before_drop += 1;
                } else {
                    t.wrong.push(format!("{} finished before the cut at {cut}: {c:?}", f.name));
                }
            }
        }
    }
    let known: std::collections::HashSet<&str> =
        whole.iter().map(|f| f.call_ref.as_str()).chain(cut_flows.iter().map(|(f, ..)| f.call_ref.as_str())).collect();
    for c in &stored {
        if !known.contains(c.call_ref.as_str()) {
            t.invented.push(format!("unknown call {c:?}"));
        }
    }
    t
}

fn report(kind: &str, seed: u64, t: &Tally) {
    eprintln!(
        "{kind}: {DROPS} link drops (seed {seed:#x}): whole calls recorded right {}/{DROPS}; cut calls: {} cut before \
         their first leg (not recorded), {} cut mid-call (marked link-lost, {} of them answered), {} finished before \
         the drop; lost {}, invented {}, wrong {}, duplicated {}, impossible {}",
        t.whole_ok,
        t.not_started,
        t.cut_mid_call,
        t.cut_answered,
        t.finished_before_drop,
        t.lost.len(),
        t.invented.len(),
        t.wrong.len(),
        t.duplicated.len(),
        t.impossible.len()
    );
}

fn check(kind: &str, t: &Tally) {
    assert_eq!(t.whole_ok, DROPS, "{kind}: every whole call after a reconnect is recorded right: {:?}", t.wrong);
    assert!(t.lost.is_empty(), "{kind}: a call whose start arrived must be recorded: {:?}", t.lost);
    assert!(t.invented.is_empty(), "{kind}: no call without its start: {:?}", t.invented);
    assert!(t.wrong.is_empty(), "{kind}: cut calls are marked link-lost, others keep their outcome: {:?}", t.wrong);
    assert!(t.duplicated.is_empty(), "{kind}: one record per call: {:?}", t.duplicated);
    assert!(t.impossible.is_empty(), "{kind}: no answered-without-start or ended-before-answered: {:?}", t.impossible);
    assert_eq!(t.not_started + t.cut_mid_call + t.finished_before_drop, DROPS);
}

fn seed() -> u64 {
    std::env::var("HILO_DROP_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| hilo_model::time::now_millis() as u64)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ami_link_dropped_100_times_mid_call_loses_and_invents_nothing() {
    let seed = seed();
    let sim = AmiSim::start("hilo", "s3cret");
    sim.seed(seed);
    let desk = desk().await;
    desk.add("centralita", ami_account(sim.port()), "s3cret").await;
    let (handle, events) = desk.start().await;
    let played = tokio::task::block_in_place(|| drop_the_link(&sim, "centralita", seed));
    // Stopping waits until every event is stored.
    handle.shutdown().await;
    drop(events);
    let t = tally(&desk, "centralita", &played).await;
    report("AMI", seed, &t);
    check("AMI", &t);
    assert_eq!(still_open(&desk, "centralita").await, 0, "after stopping, no call is left ringing or in progress");
    assert!(sim.logins() > DROPS, "the connector logged in again after every drop");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn esl_link_dropped_100_times_mid_call_loses_and_invents_nothing() {
    let seed = seed();
    let sim = EslSim::start("ClueCon");
    sim.seed(seed);
    let desk = desk().await;
    desk.add("freeswitch", esl_account(sim.port()), "ClueCon").await;
    let (handle, events) = desk.start().await;
    let played = tokio::task::block_in_place(|| drop_the_link(&sim, "freeswitch", seed));
    handle.shutdown().await;
    drop(events);
    let t = tally(&desk, "freeswitch", &played).await;
    report("ESL", seed, &t);
    check("ESL", &t);
    assert_eq!(still_open(&desk, "freeswitch").await, 0, "after stopping, no call is left ringing or in progress");
    assert!(sim.logins() > DROPS);
}

/// Calls of `account` still without an end.
async fn still_open(desk: &Desk, account: &str) -> usize {
    desk.calls().await.iter().filter(|c| c.account == account && c.ended_at.is_none()).count()
}
