//! The `sla_alerts` table: raising an alert exactly once, and the alert centre's list,
//! acknowledge and snooze.
//!
//! Exactly once: an alert is raised by `INSERT … ON CONFLICT DO NOTHING` on the table's
//! UNIQUE(conversation_id, metric, cycle, level), in the same transaction that decides
//! to notify; only the rows that transaction inserted are notified. A restart, a second
//! scheduler on the same cache (the CLI's watch beside the app) or a repeated pass
//! therefore never notify twice. The notification is shown after the commit, so a crash
//! in between loses that one notification rather than repeating it; the alert stays in
//! the list.

use hilo_model::sla::{SlaAlert, SlaAlertQuery, SlaMetric};
use hilo_model::{Channel, EventKind, Origin};
use hilo_store::{StoreError, events};
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::engine::AlertKey;

/// An alert to raise, with the customer it concerns (for its timeline event).
#[derive(Debug, Clone, Copy)]
pub struct NewAlert {
    pub key: AlertKey,
    pub customer_id: i64,
    pub due_at: i64,
    pub fired_at: i64,
}

/// Inserts the alerts not raised before and returns, for each of `alerts` in order, the
/// new row's id (`None` when it already existed). Each new alert also goes into the
/// customer's timeline. Call inside the write transaction that decides to notify.
pub fn raise(conn: &Connection, alerts: &[NewAlert]) -> hilo_store::Result<Vec<Option<i64>>> {
    let mut insert = conn.prepare_cached(
        "INSERT INTO sla_alerts (conversation_id, metric, cycle, level, due_at, fired_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT(conversation_id, metric, cycle, level) DO NOTHING
         RETURNING id",
    )?;
    let mut raised = Vec::with_capacity(alerts.len());
    for a in alerts {
        let k = a.key;
        let id: Option<i64> = insert
            .query_row(
                params![k.conversation_id, k.metric.as_str(), k.cycle, k.level.as_str(), a.due_at, a.fired_at],
                |r| r.get(0),
            )
            .optional()?;
        if id.is_some() {
            events::insert(
                conn,
                &events::NewEvent {
                    customer_id: Some(a.customer_id),
                    conversation_id: Some(k.conversation_id),
                    kind: EventKind::SlaAlert,
                    at: a.due_at,
                    actor: None,
                    from_value: Some(k.metric.as_str()),
                    to_value: Some(k.level.as_str()),
                    origin: Origin::Sla,
                },
            )?;
        }
        raised.push(id);
    }
    Ok(raised)
}

/// Every alert already raised that a live item could raise again (those of unresolved
/// conversations, and callbacks), so a pass skips them without a write. The UNIQUE
/// constraint stays the arbiter.
pub fn raised_keys(conn: &Connection) -> hilo_store::Result<Vec<AlertKey>> {
    let mut stmt = conn.prepare_cached(
        "SELECT a.conversation_id, a.metric, a.cycle, a.level
         FROM sla_alerts a JOIN conversations c ON c.id = a.conversation_id
         WHERE c.status <> 'resolved' OR a.metric = 'callback'",
    )?;
    let mut query = stmt.query([])?;
    let mut keys = Vec::new();
    while let Some(r) = query.next()? {
        let (Ok(metric), Ok(level)) = (r.get::<_, String>(1)?.parse(), r.get::<_, String>(3)?.parse()) else {
            continue;
        };
        keys.push(AlertKey { conversation_id: r.get(0)?, metric, cycle: r.get(2)?, level });
    }
    Ok(keys)
}

const SELECT_ALERT: &str = "SELECT a.id, a.conversation_id, a.metric, a.cycle, a.level, a.due_at, a.fired_at,
        a.acknowledged_at, a.snoozed_until, c.channel, c.customer_id, cu.name, k.id, k.customer_id, kcu.name
     FROM sla_alerts a
     JOIN conversations c ON c.id = a.conversation_id
     JOIN customers cu ON cu.id = c.customer_id
     LEFT JOIN calls k ON a.metric = 'callback' AND k.id = a.cycle
     LEFT JOIN customers kcu ON kcu.id = k.customer_id";

fn alert_row(r: &Row<'_>) -> rusqlite::Result<Option<SlaAlert>> {
    let (Ok(metric), Ok(level)) = (r.get::<_, String>(2)?.parse::<SlaMetric>(), r.get::<_, String>(4)?.parse()) else {
        return Ok(None);
    };
    let cycle: i64 = r.get(3)?;
    let call_id: Option<i64> = r.get(12)?;
    let is_callback = metric == SlaMetric::Callback;
    let channel = if is_callback { Channel::Voice } else { r.get::<_, String>(9)?.parse().unwrap_or(Channel::Api) };
    Ok(Some(SlaAlert {
        id: r.get(0)?,
        conversation_id: r.get(1)?,
        call_id: if is_callback { call_id.or(Some(cycle)) } else { None },
        customer_id: if is_callback { r.get::<_, Option<i64>>(13)?.unwrap_or(r.get(10)?) } else { r.get(10)? },
        customer_name: if is_callback { r.get::<_, Option<String>>(14)?.unwrap_or(r.get(11)?) } else { r.get(11)? },
        channel,
        metric,
        // A callback's stored cycle is its call id; as a clock it is the first and only one.
        cycle: if is_callback { 1 } else { u32::try_from(cycle).unwrap_or(u32::MAX) },
        level,
        due_at: r.get(5)?,
        fired_at: r.get(6)?,
        acknowledged_at: r.get(7)?,
        snoozed_until: r.get(8)?,
    }))
}

/// The alert centre: newest first.
pub fn list(conn: &Connection, query: &SlaAlertQuery) -> hilo_store::Result<Vec<SlaAlert>> {
    let sql = format!(
        "{SELECT_ALERT}
         WHERE (NOT ?1 OR (a.acknowledged_at IS NULL AND (a.snoozed_until IS NULL OR a.snoozed_until <= ?2)))
         ORDER BY a.fired_at DESC, a.id DESC
         LIMIT ?3"
    );
    let now = query.now.unwrap_or_else(hilo_model::time::now_millis);
    let limit = query.limit.map_or(-1, i64::from);
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![query.only_active, now, limit], alert_row)?;
    let mut out = Vec::new();
    for row in rows {
        out.extend(row?);
    }
    Ok(out)
}

pub fn get(conn: &Connection, id: i64) -> hilo_store::Result<SlaAlert> {
    let sql = format!("{SELECT_ALERT} WHERE a.id = ?1");
    conn.prepare_cached(&sql)?
        .query_row([id], alert_row)
        .optional()?
        .flatten()
        .ok_or_else(|| StoreError::NotFound(format!("SLA alert {id}")))
}

/// Marks the alert as seen by the agent.
pub fn acknowledge(conn: &Connection, id: i64, at: i64) -> hilo_store::Result<SlaAlert> {
    conn.prepare_cached("UPDATE sla_alerts SET acknowledged_at = coalesce(acknowledged_at, ?2) WHERE id = ?1")?
        .execute(params![id, at])?;
    get(conn, id)
}

/// Hides the alert from the active list until `until`.
pub fn snooze(conn: &Connection, id: i64, until: i64) -> hilo_store::Result<SlaAlert> {
    conn.prepare_cached("UPDATE sla_alerts SET snoozed_until = ?2 WHERE id = ?1")?.execute(params![id, until])?;
    get(conn, id)
}
