//! Right after `hilo demo`, the workspace shows every SLA state, and Claudio's
//! first-response clock tells the story: running, at risk at 4 minutes, due at 5.

use std::collections::{BTreeMap, BTreeSet};

use hilo_core::demo::{DemoOptions, generate};
use hilo_core::sla::overview;
use hilo_model::Channel;
use hilo_model::sla::{SlaMetric, SlaOverviewQuery, SlaState};

use crate::*;

fn states(items: &[hilo_model::sla::SlaItem]) -> (BTreeMap<&'static str, usize>, BTreeMap<&'static str, usize>) {
    let mut headline = BTreeMap::new();
    let mut clocks = BTreeMap::new();
    for i in items {
        *headline.entry(i.state.as_str()).or_insert(0) += 1;
        for c in &i.clocks {
            *clocks.entry(c.state.as_str()).or_insert(0) += 1;
        }
    }
    (headline, clocks)
}

#[test]
fn the_demo_shows_every_sla_state_relative_to_now() {
    // A Sunday afternoon (the office calendar is closed) and a Monday morning (open).
    for now in [1_750_000_000_000, madrid(2025, 6, 16, 11, 0)] {
        for (customers, seed) in [(200, 7), (200, 8), (1_000, 7)] {
            let desk = Desk::open();
            let summary = generate(&desk.store, &DemoOptions { customers, seed, now }).expect("demo generates");
            let live = desk.store.read(|c| overview::overview(c, &SlaOverviewQuery::default(), now)).expect("overview");
            assert!(live.warnings.is_empty(), "the demo's policies and calendar all parse: {:?}", live.warnings);
            let (headline, clocks) = states(&live.items);
            eprintln!("demo {customers}/{seed} at {now}: items by state {headline:?}; clocks by state {clocks:?}");
            for state in [SlaState::Running, SlaState::AtRisk, SlaState::Breached, SlaState::Paused] {
                assert!(headline.contains_key(state.as_str()), "{customers}/{seed}: an inbox chip shows {state}");
            }
            for state in SlaState::ALL {
                assert!(clocks.contains_key(state.as_str()), "{customers}/{seed}: a conversation header shows {state}");
            }
            let finished = desk
                .store
                .read(|c| overview::overview(c, &SlaOverviewQuery { include_finished: true, state: None }, now))
                .expect("overview");
            assert!(
                finished.items.iter().any(|i| i.state == SlaState::Achieved),
                "resolved conversations show achieved clocks"
            );

            let claudio = live
                .items
                .iter()
                .find(|i| i.customer_id == summary.claudio_customer_id && i.channel == Channel::Facebook)
                .expect("Claudio's Facebook conversation has clocks");
            let first =
                claudio.clocks.iter().find(|c| c.metric == SlaMetric::FirstResponse).expect("a first-response clock");
            assert_eq!(first.state, SlaState::Running, "his first-response clock is running");
            assert_eq!(first.at_risk_at, Some(now + MINUTE), "at risk at 4 minutes (one minute from now)");
            assert_eq!(first.due_at, Some(now + 2 * MINUTE), "breaches at 5 minutes (two minutes from now)");
            assert_eq!(claudio.policy_name, "Chat y mensajería", "the chat policy");
            let kinds: BTreeSet<SlaMetric> =
                live.items.iter().flat_map(|i| i.clocks.iter().map(|c| c.metric)).collect();
            assert!(kinds.contains(&SlaMetric::Callback), "missed calls from known customers wait for a callback");
        }
    }
}
