//! Agent metrics over a period: first response and resolution times (median, p90) and
//! SLA compliance per metric, for the whole team and per channel, agent and team.
//!
//! Definitions (what a supervisor would check by hand):
//! - Times are business time under each conversation's policy, as the SLA measures
//!   them, over clocks achieved inside `[from, to)`; the same clocks are also given in
//!   calendar time (start to achievement, nights and weekends included). Conversations no policy covers have
//!   no clocks and are not counted.
//! - A clock counts toward compliance when it ended in the period (achieved) or breached
//!   in the period and was still not achieved at its end; it is met when achieved without
//!   breaching.
//! - Percentiles are nearest-rank. Agent and team are the conversation's current ones.

use std::collections::BTreeMap;

use hilo_model::sla::{SlaCompliance, SlaDurationStats, SlaMetric, SlaReport, SlaReportDimension, SlaReportRow};
use rusqlite::Connection;

use super::config::{SlaConfig, load_alert_settings};
use super::engine::{Evaluator, metric_of};
use super::facts::{LoadScope, TrackedItem, load_items};

/// Reads and computes the report for `[from, to)`, evaluated at `min(to, now)`. Blocking.
pub fn report(conn: &Connection, from: i64, to: i64, now: i64) -> hilo_store::Result<SlaReport> {
    let settings = load_alert_settings(conn)?;
    let config = SlaConfig::load(conn, settings.at_risk)?;
    let items = load_items(conn, LoadScope::CreatedBefore(to))?;
    Ok(compute(&config, &items, from, to, now))
}

#[derive(Debug, Default)]
struct Tally {
    items: u32,
    first_response: Vec<i64>,
    resolution: Vec<i64>,
    first_response_calendar: Vec<i64>,
    resolution_calendar: Vec<i64>,
    /// (total, met) per metric, in `SlaMetric::ALL` order.
    compliance: [(u32, u32); 4],
}

pub fn compute(config: &SlaConfig, items: &[TrackedItem], from: i64, to: i64, now: i64) -> SlaReport {
    let at = to.min(now);
    let in_period = |t: Option<i64>| t.is_some_and(|t| (from..to).contains(&t));
    let mut groups: BTreeMap<(SlaReportDimension, String), Tally> = BTreeMap::new();
    let mut evaluator = Evaluator::new();
    for item in items {
        let Some((_, clocks)) = evaluator.clocks(config, item, at) else { continue };
        let mut sample = Tally::default();
        for clock in clocks {
            let metric = metric_of(item.subject, clock.metric);
            let ended = in_period(clock.achieved_at);
            let missed = clock.achieved_at.is_none() && in_period(clock.breached_at);
            if !(ended || missed) {
                continue;
            }
            let slot = SlaMetric::ALL.iter().position(|m| *m == metric).unwrap_or(0);
            sample.compliance[slot].0 += 1;
            sample.compliance[slot].1 += u32::from(ended && clock.breached_at.is_none());
            if let (true, Some(achieved_at)) = (ended, clock.achieved_at) {
                let calendar = (achieved_at - clock.started_at).max(0);
                match metric {
                    SlaMetric::FirstResponse => {
                        sample.first_response.push(clock.elapsed_business_ms);
                        sample.first_response_calendar.push(calendar);
                    }
                    SlaMetric::Resolution => {
                        sample.resolution.push(clock.elapsed_business_ms);
                        sample.resolution_calendar.push(calendar);
                    }
                    SlaMetric::NextResponse | SlaMetric::Callback => {}
                }
            }
        }
        if sample.compliance.iter().all(|(total, _)| *total == 0) {
            continue;
        }
        let keys = [
            (SlaReportDimension::All, String::new()),
            (SlaReportDimension::Channel, item.channel.as_str().to_owned()),
            (SlaReportDimension::Agent, item.assignee.clone().unwrap_or_default()),
            (SlaReportDimension::Team, item.team.clone().unwrap_or_default()),
        ];
        for key in keys {
            let tally = groups.entry(key).or_default();
            tally.items += 1;
            tally.first_response.extend_from_slice(&sample.first_response);
            tally.resolution.extend_from_slice(&sample.resolution);
            tally.first_response_calendar.extend_from_slice(&sample.first_response_calendar);
            tally.resolution_calendar.extend_from_slice(&sample.resolution_calendar);
            for (into, from) in tally.compliance.iter_mut().zip(sample.compliance) {
                into.0 += from.0;
                into.1 += from.1;
            }
        }
    }
    let all_key = (SlaReportDimension::All, String::new());
    groups.entry(all_key).or_default();
    let rows = groups
        .into_iter()
        .map(|((dimension, key), mut tally)| SlaReportRow {
            dimension,
            key,
            items: tally.items,
            first_response: stats(&mut tally.first_response),
            resolution: stats(&mut tally.resolution),
            first_response_calendar: stats(&mut tally.first_response_calendar),
            resolution_calendar: stats(&mut tally.resolution_calendar),
            compliance: SlaMetric::ALL
                .iter()
                .zip(tally.compliance)
                .map(|(metric, (total, met))| SlaCompliance {
                    metric: *metric,
                    total,
                    met,
                    percent: (total > 0).then(|| f64::from(met) * 100.0 / f64::from(total)),
                })
                .collect(),
        })
        .collect();
    SlaReport { from, to, generated_at: now, rows }
}

fn stats(samples: &mut [i64]) -> SlaDurationStats {
    samples.sort_unstable();
    let rank = |p: usize| {
        let n = samples.len();
        // Nearest rank: the smallest value with at least p % of the samples at or below it.
        let index = (p * n).div_ceil(100).max(1) - 1;
        samples.get(index).copied()
    };
    SlaDurationStats { count: u32::try_from(samples.len()).unwrap_or(u32::MAX), median_ms: rank(50), p90_ms: rank(90) }
}

/// The report as CSV: one line per row, times in seconds, compliance in percent.
pub fn to_csv(report: &SlaReport) -> String {
    let mut out = String::from(
        "dimension,key,items,first_response_count,first_response_median_s,first_response_p90_s,\
         resolution_count,resolution_median_s,resolution_p90_s",
    );
    for metric in SlaMetric::ALL {
        let m = metric.as_str();
        out.push_str(&format!(",{m}_total,{m}_met,{m}_compliance_pct"));
    }
    // Appended last so scripts reading the earlier columns by position keep working.
    out.push_str(
        ",first_response_calendar_median_s,first_response_calendar_p90_s,\
         resolution_calendar_median_s,resolution_calendar_p90_s",
    );
    out.push('\n');
    let secs = |ms: Option<i64>| ms.map(|v| format!("{:.0}", v as f64 / 1000.0)).unwrap_or_default();
    for row in &report.rows {
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{},{}",
            row.dimension.as_str(),
            csv_field(&row.key),
            row.items,
            row.first_response.count,
            secs(row.first_response.median_ms),
            secs(row.first_response.p90_ms),
            row.resolution.count,
            secs(row.resolution.median_ms),
            secs(row.resolution.p90_ms),
        ));
        for c in &row.compliance {
            let pct = c.percent.map(|p| format!("{p:.1}")).unwrap_or_default();
            out.push_str(&format!(",{},{},{pct}", c.total, c.met));
        }
        out.push_str(&format!(
            ",{},{},{},{}",
            secs(row.first_response_calendar.median_ms),
            secs(row.first_response_calendar.p90_ms),
            secs(row.resolution_calendar.median_ms),
            secs(row.resolution_calendar.p90_ms),
        ));
        out.push('\n');
    }
    out
}

/// Quotes a field when it holds a comma, a quote or a line break (RFC 4180).
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_owned() }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use hilo_model::{Channel, ConversationStatus, Direction, MessageKind, Priority};
    use hilo_sla::{
        AtRiskThreshold, BusinessCalendar, CalendarRef, ConversationFacts, MessageFact, PauseRule, SlaPolicy,
    };

    use super::*;
    use crate::sla::facts::Subject;

    const MINUTE: i64 = 60_000;
    const HOUR: i64 = 60 * MINUTE;
    const OFFICE: &str = r#"{"mon":[["09:00","18:00"]],"tue":[["09:00","18:00"]],"wed":[["09:00","18:00"]],"thu":[["09:00","18:00"]],"fri":[["09:00","18:00"]],"sat":[],"sun":[]}"#;

    fn at(iso: &str) -> i64 {
        iso.parse::<jiff::Timestamp>().expect("instant").as_millisecond()
    }

    fn policy(id: i64, channel: Channel, first_response_secs: i64, calendar: CalendarRef) -> SlaPolicy {
        SlaPolicy {
            id,
            name: format!("{channel:?}"),
            position: id,
            match_priorities: Vec::new(),
            match_channels: vec![channel],
            match_accounts: Vec::new(),
            first_response_secs: Some(first_response_secs),
            next_response_secs: None,
            resolution_secs: None,
            calendar,
            pause_when_pending: PauseRule::WhilePendingOrSnoozed,
            at_risk: AtRiskThreshold::Percent(80),
        }
    }

    /// A customer message at `asked`, answered by the agent at `answered` (if ever).
    fn item(id: i64, channel: Channel, agent: &str, asked: i64, answered: Option<i64>) -> TrackedItem {
        let mut messages = vec![MessageFact { at: asked, direction: Direction::Inbound, kind: MessageKind::Message }];
        messages.extend(answered.map(|t| MessageFact {
            at: t,
            direction: Direction::Outbound,
            kind: MessageKind::Message,
        }));
        TrackedItem {
            subject: Subject::Conversation(id),
            customer_id: id,
            customer_name: format!("Cliente {id}"),
            channel,
            status: Some(ConversationStatus::Open),
            priority: Priority::None,
            assignee: Some(agent.to_owned()),
            team: None,
            facts: ConversationFacts {
                channel,
                priority: Priority::None,
                account_id: 1,
                created_at: asked,
                status_changes: Vec::new(),
                messages,
            },
        }
    }

    #[test]
    fn business_and_calendar_times_medians_and_compliance_per_channel_and_agent() {
        let office = BusinessCalendar::from_stored("UTC", OFFICE, []).expect("calendar");
        let config = SlaConfig::new(
            vec![
                policy(1, Channel::Email, 3600, CalendarRef::Calendar(1)),
                policy(2, Channel::Chat, 300, CalendarRef::Always),
            ],
            HashMap::from([(1, office)]),
        );
        let items = [
            // Saturday night, answered on Monday at 09:30: 30 min of business time, met.
            item(1, Channel::Email, "Ana", at("2025-03-01T03:00:00Z"), Some(at("2025-03-03T09:30:00Z"))),
            // Tuesday in office hours, answered two hours later: breached at 11:00.
            item(2, Channel::Email, "Luis", at("2025-03-04T10:00:00Z"), Some(at("2025-03-04T12:00:00Z"))),
            // A chat answered in 3 minutes, met.
            item(3, Channel::Chat, "Ana", at("2025-03-04T10:00:00Z"), Some(at("2025-03-04T10:03:00Z"))),
            // A chat never answered: breached at 11:05, counted against compliance only.
            item(4, Channel::Chat, "Luis", at("2025-03-04T11:00:00Z"), None),
        ];
        let (from, to, now) = (at("2025-03-01T00:00:00Z"), at("2025-03-05T00:00:00Z"), at("2025-03-04T12:30:00Z"));
        let report = compute(&config, &items, from, to, now);
        let row = |dimension, key: &str| {
            report.rows.iter().find(|r| r.dimension == dimension && r.key == key).expect("a row")
        };
        let first = |r: &SlaReportRow| r.compliance.iter().find(|c| c.metric == SlaMetric::FirstResponse).copied();

        let all = row(SlaReportDimension::All, "");
        assert_eq!(all.items, 4);
        assert_eq!(
            (all.first_response.count, all.first_response.median_ms, all.first_response.p90_ms),
            (3, Some(30 * MINUTE), Some(2 * HOUR)),
            "business time: 3 min, 30 min, 2 h"
        );
        assert_eq!(
            (all.first_response_calendar.median_ms, all.first_response_calendar.p90_ms),
            (Some(2 * HOUR), Some(54 * HOUR + 30 * MINUTE)),
            "calendar time: the weekend the customer waited counts"
        );
        let compliance = first(all).expect("first-response compliance");
        assert_eq!((compliance.total, compliance.met), (4, 2), "the unanswered breach counts against");
        assert_eq!(compliance.percent, Some(50.0));

        let email = row(SlaReportDimension::Channel, "email");
        assert_eq!(email.first_response.median_ms, Some(30 * MINUTE), "nearest rank of two is the lower");
        assert_eq!(email.first_response_calendar.median_ms, Some(2 * HOUR));
        let chat = row(SlaReportDimension::Channel, "chat");
        assert_eq!(
            (chat.first_response.median_ms, chat.first_response_calendar.median_ms),
            (Some(3 * MINUTE), Some(3 * MINUTE)),
            "24/7: both the same"
        );
        let ana = row(SlaReportDimension::Agent, "Ana");
        assert_eq!((ana.items, first(ana).map(|c| (c.total, c.met))), (2, Some((2, 2))));
        let luis = row(SlaReportDimension::Agent, "Luis");
        assert_eq!(first(luis).map(|c| (c.total, c.met)), Some((2, 0)));

        let csv = to_csv(&report);
        let header: Vec<&str> = csv.lines().next().expect("header").split(',').collect();
        let total: Vec<&str> = csv.lines().nth(1).expect("the total row").split(',').collect();
        let column = |name: &str| header.iter().position(|h| *h == name).and_then(|i| total.get(i)).copied();
        assert_eq!(header.len(), total.len(), "one value per column");
        assert_eq!(column("first_response_median_s"), Some("1800"));
        assert_eq!(column("first_response_calendar_median_s"), Some("7200"));
        assert_eq!(column("first_response_compliance_pct"), Some("50.0"));
    }

    #[test]
    fn nearest_rank_percentiles() {
        let mut ten: Vec<i64> = (1..=10).rev().collect();
        let s = stats(&mut ten);
        assert_eq!((s.count, s.median_ms, s.p90_ms), (10, Some(5), Some(9)), "nearest rank over 1..=10");
        let one = stats(&mut [42]);
        assert_eq!((one.median_ms, one.p90_ms), (Some(42), Some(42)), "a single sample is every percentile");
        let none = stats(&mut []);
        assert_eq!((none.count, none.median_ms), (0, None), "no samples, no figures");
    }

    #[test]
    fn csv_quotes_names_with_commas() {
        assert_eq!(csv_field("Soporte, nivel 2"), "\"Soporte, nivel 2\"", "commas are quoted");
        assert_eq!(csv_field("Ana García"), "Ana García", "plain names are not");
    }
}
