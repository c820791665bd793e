//! Chatwoot's own SLA state (Enterprise `applied_sla`, `sla_events`, `sla_policy_id`),
//! read tolerantly: every field may be missing, null, a number or a string, and unknown
//! fields are ignored. A shape that makes no sense reads as "no backend SLA" rather than
//! failing the page it came in.

use hilo_model::sla::SlaMetric;
use hilo_model::sla_backend::{BackendSla, BackendSlaMiss, BackendSlaStatus};
use serde_json::Value;

use super::wire;

/// The backend's product name, as agents see it beside Hilo's clocks.
pub const BACKEND_NAME: &str = "Chatwoot";

/// Longest policy name kept (it is shown in the conversation header).
const MAX_NAME_CHARS: usize = 120;

/// A number or a string of digits, as an id.
fn id_of(v: &Value) -> Option<String> {
    match v {
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) if !s.trim().is_empty() && s.trim().len() <= 40 => Some(s.trim().to_owned()),
        _ => None,
    }
}

/// Whole seconds from a number (Chatwoot sends floats like `60.0`) or a numeric string.
fn secs_of(v: Option<&Value>) -> Option<i64> {
    let secs = match v? {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => s.trim().parse::<f64>().ok()?,
        _ => return None,
    };
    (secs.is_finite() && secs > 0.0 && secs < 1e12).then(|| secs.round() as i64)
}

fn instant_ms(v: Option<&Value>) -> Option<i64> {
    let ts: wire::Ts = serde_json::from_value(v?.clone()).ok()?;
    Some(ts.0.saturating_mul(1000))
}

fn text_of(v: Option<&Value>) -> Option<String> {
    let s: String = v?.as_str()?.chars().filter(|c| !c.is_control()).collect();
    let s = s.trim();
    (!s.is_empty()).then(|| s.chars().take(MAX_NAME_CHARS).collect())
}

/// `frt` / `nrt` / `rt` → the metric.
fn metric_of(event_type: &str) -> Option<SlaMetric> {
    match event_type.trim().to_ascii_lowercase().as_str() {
        "frt" | "first_response_time" => Some(SlaMetric::FirstResponse),
        "nrt" | "next_response_time" => Some(SlaMetric::NextResponse),
        "rt" | "resolution_time" => Some(SlaMetric::Resolution),
        _ => None,
    }
}

/// The misses in `sla_events`: a list of events, or (in webhooks) a single one.
fn misses_of(events: Option<&Value>) -> Vec<BackendSlaMiss> {
    let list: Vec<&Value> = match events {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(one @ Value::Object(_)) => vec![one],
        _ => Vec::new(),
    };
    let mut misses: Vec<BackendSlaMiss> = list
        .into_iter()
        .filter_map(|e| {
            let metric = metric_of(e.get("event_type")?.as_str()?)?;
            Some(BackendSlaMiss { metric, at: instant_ms(e.get("created_at")) })
        })
        .collect();
    // One miss per metric and cycle is what matters to an agent; keep the earliest.
    misses.sort_by_key(|m| (m.metric, m.at.unwrap_or(i64::MAX)));
    misses.dedup_by_key(|m| m.metric);
    misses
}

/// The conversation's backend SLA, or `None` when Chatwoot reports no policy on it.
pub fn backend_sla(c: &wire::Conversation) -> Option<BackendSla> {
    let applied = c.applied_sla.as_ref().filter(|v| v.is_object());
    let policy_id =
        applied.and_then(|a| a.get("sla_id")).and_then(id_of).or_else(|| c.sla_policy_id.as_ref().and_then(id_of));
    if applied.is_none() && policy_id.is_none() {
        return None;
    }
    let field = |name: &str| applied.and_then(|a| a.get(name));
    let misses = misses_of(c.sla_events.as_ref());
    let mut status = BackendSlaStatus::from_chatwoot(field("sla_status").and_then(Value::as_str));
    if status == BackendSlaStatus::Unknown && !misses.is_empty() {
        status = BackendSlaStatus::ActiveWithMisses;
    }
    Some(BackendSla {
        backend: BACKEND_NAME.to_owned(),
        policy_id,
        policy_name: text_of(field("sla_name")),
        status,
        first_response_secs: secs_of(field("sla_first_response_time_threshold")),
        next_response_secs: secs_of(field("sla_next_response_time_threshold")),
        resolution_secs: secs_of(field("sla_resolution_time_threshold")),
        business_hours_only: field("sla_only_during_business_hours").and_then(Value::as_bool),
        misses,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn conversation(extra: Value) -> wire::Conversation {
        let mut base = json!({"id": 7, "status": "open"});
        if let (Some(base), Some(extra)) = (base.as_object_mut(), extra.as_object()) {
            base.extend(extra.clone());
        }
        serde_json::from_value(base).expect("a conversation")
    }

    #[test]
    fn reads_chatwoot_applied_sla_and_its_breach_events() {
        let c = conversation(json!({
            "sla_policy_id": 118,
            "applied_sla": {
                "id": 87, "sla_id": 118, "sla_status": "active_with_misses", "sla_name": "Chat 5 min",
                "sla_description": "…", "sla_first_response_time_threshold": 300.0,
                "sla_next_response_time_threshold": null, "sla_resolution_time_threshold": "86400",
                "sla_only_during_business_hours": false, "created_at": 1_766_258_000, "updated_at": "2025-12-20T19:05:17Z",
                "some_future_field": {"x": 1}
            },
            "sla_events": [
                {"id": 36, "event_type": "frt", "meta": {}, "created_at": 1_766_258_717},
                {"id": 37, "event_type": "frt", "created_at": 1_766_258_999},
                {"id": 38, "event_type": "nrt", "created_at": "2025-12-20T19:30:00Z"},
                {"id": 39, "event_type": "weird"}
            ]
        }));
        let sla = backend_sla(&c).expect("an applied SLA");
        assert_eq!(sla.backend, "Chatwoot", "named after the backend");
        assert_eq!(sla.policy_id.as_deref(), Some("118"), "sla_id wins");
        assert_eq!(sla.policy_name.as_deref(), Some("Chat 5 min"));
        assert_eq!(sla.status, BackendSlaStatus::ActiveWithMisses);
        assert_eq!(sla.first_response_secs, Some(300), "floats are whole seconds");
        assert_eq!(sla.next_response_secs, None, "null is not tracked");
        assert_eq!(sla.resolution_secs, Some(86_400), "numeric strings are read");
        assert_eq!(sla.business_hours_only, Some(false));
        assert_eq!(
            sla.misses,
            vec![
                BackendSlaMiss { metric: SlaMetric::FirstResponse, at: Some(1_766_258_717_000) },
                BackendSlaMiss { metric: SlaMetric::NextResponse, at: Some(1_766_259_000_000) },
            ],
            "one miss per metric, the earliest; unknown event types are skipped"
        );
    }

    #[test]
    fn tolerates_missing_null_and_odd_shapes() {
        assert_eq!(backend_sla(&conversation(json!({}))), None, "community edition: no SLA fields");
        assert_eq!(
            backend_sla(&conversation(json!({"applied_sla": null, "sla_policy_id": null, "sla_events": []}))),
            None,
            "nulls mean no SLA"
        );
        assert_eq!(backend_sla(&conversation(json!({"applied_sla": "yes"}))), None, "a non-object is ignored");
        let only_id = backend_sla(&conversation(json!({"sla_policy_id": "5"}))).expect("a policy id alone");
        assert_eq!((only_id.policy_id.as_deref(), only_id.status), (Some("5"), BackendSlaStatus::Unknown));
        let webhook = backend_sla(&conversation(json!({
            "applied_sla": {"sla_id": 2, "sla_status": "SOMETHING_NEW"},
            "sla_events": {"event_type": "rt", "created_at": 1_700_000_000}
        })))
        .expect("webhook shape");
        assert_eq!(webhook.status, BackendSlaStatus::ActiveWithMisses, "an unknown status with misses has misses");
        assert_eq!(webhook.misses.len(), 1, "a single event object is read too");
        let hostile = backend_sla(&conversation(json!({
            "applied_sla": {"sla_id": 1, "sla_name": "x\u{0007}".repeat(500), "sla_first_response_time_threshold": -5}
        })))
        .expect("still an SLA");
        assert!(hostile.policy_name.as_deref().is_some_and(|n| n.chars().count() == 120 && !n.contains('\u{7}')));
        assert_eq!(hostile.first_response_secs, None, "a negative threshold is not a target");
    }
}
