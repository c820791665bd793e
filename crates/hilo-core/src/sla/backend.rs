//! The helpdesk's own SLA state beside Hilo's clocks: attaches what sync stored
//! (`conversations.backend_sla`) to the overview's items and says, per metric, where the
//! two disagree. Neither side is hidden or overruled; a disagreement is shown as such.

use std::collections::HashMap;

use hilo_model::sla::{SlaClockView, SlaItem, SlaMetric, SlaOverviewQuery};
use hilo_model::sla_backend::{BackendSla, BackendSlaItem, BackendSlaView};
use rusqlite::Connection;

const METRICS: [SlaMetric; 3] = [SlaMetric::FirstResponse, SlaMetric::NextResponse, SlaMetric::Resolution];

/// Metrics where the backend and Hilo disagree about a breach. A metric counts when
/// Hilo has a clock for it and the backend tracks it (a threshold) or reports a miss for
/// it. A backend that says "missed" without saying which metric disagrees with a Hilo
/// that has no breached clock at all; that case is reported on every metric Hilo tracks.
pub fn differing(backend: &BackendSla, clocks: &[SlaClockView]) -> Vec<SlaMetric> {
    let local_breached = |m: SlaMetric| clocks.iter().any(|c| c.metric == m && c.breached_at.is_some());
    let local_tracks = |m: SlaMetric| clocks.iter().any(|c| c.metric == m);
    let backend_missed = |m: SlaMetric| backend.misses.iter().any(|x| x.metric == m);
    let backend_tracks = |m: SlaMetric| match m {
        SlaMetric::FirstResponse => backend.first_response_secs.is_some(),
        SlaMetric::NextResponse => backend.next_response_secs.is_some(),
        SlaMetric::Resolution => backend.resolution_secs.is_some(),
        SlaMetric::Callback => false,
    };
    if backend.status.has_misses() && backend.misses.is_empty() {
        // Missed, but not said which: only a conversation-level comparison is possible.
        let any_local = clocks.iter().any(|c| c.breached_at.is_some());
        return if any_local { Vec::new() } else { METRICS.into_iter().filter(|&m| local_tracks(m)).collect() };
    }
    METRICS
        .into_iter()
        .filter(|&m| local_tracks(m) && (backend_tracks(m) || backend_missed(m)))
        .filter(|&m| backend_missed(m) != local_breached(m))
        .collect()
}

/// Sets `backend` on each conversation item the helpdesk reports an SLA for, and returns
/// the live conversations it reports one for that no Hilo policy covers.
pub fn attach(
    conn: &Connection,
    items: &mut [SlaItem],
    query: &SlaOverviewQuery,
) -> hilo_store::Result<Vec<BackendSlaItem>> {
    let stored = hilo_store::sla_backend::list(conn)?;
    if stored.is_empty() {
        return Ok(Vec::new());
    }
    let mut by_conversation: HashMap<i64, (bool, BackendSlaItem)> =
        stored.into_iter().map(|(resolved, item)| (item.conversation_id, (resolved, item))).collect();
    for item in items.iter_mut().filter(|i| i.call_id.is_none()) {
        let Some(id) = item.conversation_id else { continue };
        if let Some((_, stored)) = by_conversation.remove(&id) {
            let sla = stored.backend.sla;
            let differing = differing(&sla, &item.clocks);
            item.backend = Some(BackendSlaView { sla, differing, local_policy: true });
        }
    }
    // What is left has no Hilo clocks: the helpdesk's word is all there is.
    let mut only: Vec<BackendSlaItem> = by_conversation
        .into_values()
        .filter(|(resolved, _)| query.include_finished || !resolved)
        .filter(|(_, item)| query.state.is_none() || item.backend.sla.status.as_state() == query.state)
        .map(|(_, item)| item)
        .collect();
    only.sort_by_key(|i| i.conversation_id);
    Ok(only)
}

#[cfg(test)]
mod tests {
    use hilo_model::sla::SlaState;
    use hilo_model::sla_backend::{BackendSlaMiss, BackendSlaStatus};

    use super::*;

    fn clock(metric: SlaMetric, breached: bool) -> SlaClockView {
        SlaClockView {
            metric,
            cycle: 1,
            state: if breached { SlaState::Breached } else { SlaState::Running },
            started_at: 0,
            target_ms: 300_000,
            elapsed_ms: 0,
            remaining_ms: 0,
            due_at: Some(300_000),
            at_risk_at: None,
            achieved_at: None,
            breached_at: breached.then_some(300_000),
        }
    }

    fn chatwoot(status: BackendSlaStatus, misses: &[SlaMetric]) -> BackendSla {
        BackendSla {
            backend: "Chatwoot".into(),
            policy_id: Some("1".into()),
            policy_name: None,
            status,
            first_response_secs: Some(300),
            next_response_secs: Some(600),
            resolution_secs: None,
            business_hours_only: None,
            misses: misses.iter().map(|&metric| BackendSlaMiss { metric, at: None }).collect(),
        }
    }

    #[test]
    fn disagreements_are_named_per_metric() {
        use BackendSlaStatus::*;
        use SlaMetric::*;
        let cases: Vec<(BackendSla, Vec<SlaClockView>, Vec<SlaMetric>, &str)> = vec![
            (chatwoot(Active, &[]), vec![clock(FirstResponse, false)], vec![], "both running"),
            (chatwoot(ActiveWithMisses, &[FirstResponse]), vec![clock(FirstResponse, true)], vec![], "both breached"),
            (
                chatwoot(ActiveWithMisses, &[FirstResponse]),
                vec![clock(FirstResponse, false)],
                vec![FirstResponse],
                "backend breached, Hilo not (e.g. Hilo's business hours)",
            ),
            (
                chatwoot(Active, &[]),
                vec![clock(FirstResponse, true), clock(NextResponse, false)],
                vec![FirstResponse],
                "Hilo breached, backend not",
            ),
            (
                chatwoot(Active, &[]),
                vec![clock(Resolution, true)],
                vec![],
                "the backend does not track resolution: nothing to compare",
            ),
            (
                chatwoot(Missed, &[]),
                vec![clock(FirstResponse, false), clock(NextResponse, false)],
                vec![FirstResponse, NextResponse],
                "a miss the backend does not place, against no local breach",
            ),
            (chatwoot(Missed, &[]), vec![clock(FirstResponse, true)], vec![], "an unplaced miss, and Hilo breached"),
        ];
        for (backend, clocks, expected, why) in cases {
            assert_eq!(differing(&backend, &clocks), expected, "{why}");
        }
    }
}
