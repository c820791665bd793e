//! Agent metrics over a period: first response and resolution times (median, p90) and
//! SLA compliance per metric, for the whole team and per channel, agent and team.
//!
//! Definitions (what a supervisor would check by hand):
//! - Times are business time under each conversation's policy, as the SLA measures
//!   them, over clocks achieved inside `[from, to)`. Conversations no policy covers have
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
            if ended {
                match metric {
                    SlaMetric::FirstResponse => sample.first_response.push(clock.elapsed_business_ms),
                    SlaMetric::Resolution => sample.resolution.push(clock.elapsed_business_ms),
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
    use super::*;

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
