//! Every conversation's clocks at one instant: the inbox chips, the "At risk" and
//! "Breached" views, and `hilo sla`. Uses the same policies, calendars and at-risk
//! override as the scheduler, so a chip never disagrees with a notification.

use hilo_model::sla::{SlaItem, SlaOverview, SlaOverviewQuery, SlaState};
use rusqlite::Connection;

use super::config::{SlaConfig, load_alert_settings};
use super::engine::{Evaluator, view_of};
use super::facts::{LoadScope, Subject, TrackedItem, load_items};

/// Reads and evaluates. Blocking.
pub fn overview(conn: &Connection, query: &SlaOverviewQuery, now: i64) -> hilo_store::Result<SlaOverview> {
    let settings = load_alert_settings(conn)?;
    let config = SlaConfig::load(conn, settings.at_risk)?;
    let scope = if query.include_finished { LoadScope::CreatedBefore(i64::MAX) } else { LoadScope::Live };
    let items = load_items(conn, scope)?;
    let mut described = describe(&config, &items, now);
    // Attached before filtering: a conversation Hilo covers but whose state is filtered
    // out is not "backend only".
    let backend_only = super::backend::attach(conn, &mut described, query)?;
    if let Some(state) = query.state {
        described.retain(|i| i.state == state);
    }
    Ok(SlaOverview { now, items: described, warnings: config.warnings.clone(), backend_only })
}

/// The items that have at least one clock, most urgent first.
pub fn describe(config: &SlaConfig, items: &[TrackedItem], now: i64) -> Vec<SlaItem> {
    let mut evaluator = Evaluator::new();
    let mut out = Vec::new();
    for item in items {
        let Some((governing, clocks)) = evaluator.clocks(config, item, now) else { continue };
        if clocks.is_empty() {
            continue;
        }
        let views: Vec<_> = clocks.iter().map(|c| view_of(item.subject, c)).collect();
        let state = views.iter().map(|v| v.state).max_by_key(|s| s.urgency()).unwrap_or(SlaState::Achieved);
        let next_due_at = views
            .iter()
            .filter(|v| matches!(v.state, SlaState::Running | SlaState::AtRisk))
            .flat_map(|v| [v.at_risk_at, v.due_at])
            .flatten()
            .filter(|t| *t > now)
            .min();
        let (conversation_id, call_id) = match item.subject {
            Subject::Conversation(id) => (Some(id), None),
            Subject::Callback { call_id, alert_conversation } => (alert_conversation, Some(call_id)),
        };
        out.push(SlaItem {
            conversation_id,
            call_id,
            customer_id: item.customer_id,
            customer_name: item.customer_name.clone(),
            channel: item.channel,
            status: item.status,
            priority: item.priority,
            assignee: item.assignee.clone(),
            team: item.team.clone(),
            policy_id: governing.policy.id,
            policy_name: governing.policy.name.clone(),
            state,
            next_due_at,
            clocks: views,
            backend: None,
        });
    }
    // Breached: longest overdue first; others: soonest due first.
    out.sort_by_key(|i| {
        let overdue_since =
            i.clocks.iter().filter(|c| c.state == SlaState::Breached).filter_map(|c| c.breached_at).min();
        (std::cmp::Reverse(i.state.urgency()), overdue_since.or(i.next_due_at).unwrap_or(i64::MAX), i.conversation_id)
    });
    out
}
