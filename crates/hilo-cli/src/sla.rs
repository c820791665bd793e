//! `hilo sla` (clocks, the headless scheduler, the alert centre) and `hilo report`
//! (first response and resolution times, SLA compliance over a period).

use std::sync::Arc;
use std::time::Duration;

use clap::{Args, Subcommand, ValueEnum};
use hilo_core::sla::{SlaSchedulerSettings, SystemClock, report};
use hilo_core::{AppCore, CoreError, DesktopNotifier};
use hilo_model::sla::{SlaAlertQuery, SlaClockView, SlaItem, SlaOverviewQuery, SlaState};
use hilo_model::time::{DAY, MINUTE, now_millis, to_rfc3339};
use tokio::sync::broadcast::error::RecvError;

#[derive(Args)]
pub struct SlaArgs {
    #[command(subcommand)]
    action: Option<SlaAction>,
    /// Only conversations whose most urgent clock is at risk.
    #[arg(long, conflicts_with = "breached")]
    at_risk: bool,
    /// Only conversations with a breached clock.
    #[arg(long)]
    breached: bool,
    /// Also resolved conversations and calls already returned.
    #[arg(long)]
    all: bool,
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand)]
enum SlaAction {
    /// Run the SLA scheduler headless: desktop notifications, and each alert as a JSON
    /// line on stdout (until Ctrl-C, or for SECS seconds).
    Watch {
        #[arg(long, value_name = "SECS")]
        duration: Option<u64>,
    },
    /// The alert centre, newest first.
    Alerts {
        /// Leave out acknowledged and snoozed alerts.
        #[arg(long)]
        active: bool,
        #[arg(long)]
        limit: Option<u32>,
        #[arg(long)]
        json: bool,
    },
    /// Mark an alert as seen.
    Ack { id: i64 },
    /// Hide an alert from the active list for a while.
    Snooze {
        id: i64,
        #[arg(long, default_value_t = 30)]
        minutes: i64,
    },
}

#[derive(Args)]
pub struct ReportArgs {
    /// First day (YYYY-MM-DD, local time) or instant (RFC 3339); default 30 days before --to.
    #[arg(long, value_name = "D")]
    from: Option<String>,
    /// Last day, included (YYYY-MM-DD), or instant (RFC 3339, excluded); default now.
    #[arg(long, value_name = "D")]
    to: Option<String>,
    #[arg(long, value_enum, default_value_t = ReportFormat::Csv)]
    format: ReportFormat,
}

#[derive(Clone, Copy, ValueEnum)]
enum ReportFormat {
    Csv,
    Json,
}

pub async fn run(core: &AppCore, args: SlaArgs) -> Result<(), CoreError> {
    match args.action {
        Some(SlaAction::Watch { duration }) => watch(core, duration).await,
        Some(SlaAction::Alerts { active, limit, json }) => {
            let alerts = core.sla_alerts(SlaAlertQuery { only_active: active, now: Some(now_millis()), limit }).await?;
            if json {
                return crate::print_json(&alerts);
            }
            for a in &alerts {
                let seen = if a.acknowledged_at.is_some() { "ack" } else { "" };
                println!(
                    "{:>6}  {}  {:<9} {:<24} {:<14} {:<8} due {}  {seen}",
                    a.id,
                    to_rfc3339(a.fired_at),
                    a.channel.as_str(),
                    crate::truncate(&a.customer_name, 24),
                    a.metric.as_str(),
                    a.level.as_str(),
                    to_rfc3339(a.due_at)
                );
            }
            eprintln!("{} alerts", alerts.len());
            Ok(())
        }
        Some(SlaAction::Ack { id }) => crate::print_json(&core.acknowledge_sla_alert(id, now_millis()).await?),
        Some(SlaAction::Snooze { id, minutes }) => {
            let until = now_millis().saturating_add(minutes.max(1).saturating_mul(MINUTE));
            crate::print_json(&core.snooze_sla_alert(id, until).await?)
        }
        None => {
            let state = match (args.at_risk, args.breached) {
                (true, _) => Some(SlaState::AtRisk),
                (_, true) => Some(SlaState::Breached),
                _ => None,
            };
            let now = now_millis();
            let overview = core.sla_overview(SlaOverviewQuery { include_finished: args.all, state }, now).await?;
            for warning in &overview.warnings {
                eprintln!("hilo: warning: {warning}");
            }
            if args.json {
                return crate::print_json(&overview);
            }
            for item in &overview.items {
                println!("{}", describe(item, now));
            }
            // The helpdesk's own SLA where no Hilo policy applies: listed, never dropped.
            for only in &overview.backend_only {
                println!("{}", describe_backend_only(only));
            }
            eprintln!("{} with SLA clocks (conversations and callbacks)", overview.items.len());
            if !overview.backend_only.is_empty() {
                eprintln!("{} with only the helpdesk's own SLA (no Hilo policy)", overview.backend_only.len());
            }
            Ok(())
        }
    }
}

/// The scheduler on real time with desktop notifications; every alert also as one JSON
/// line (`SlaAlertEvent`), flushed as it fires, so scripts and tests can follow along.
///
/// Clicking a notification (where the platform supports it) prints an `open` line,
/// `{"event":"open","open":{"kind":"conversation","id":12}}`: what the app would open.
async fn watch(core: &AppCore, duration: Option<u64>) -> Result<(), CoreError> {
    let (clicks, mut clicked) = tokio::sync::mpsc::unbounded_channel::<String>();
    let notifier = Arc::new(DesktopNotifier::default().opening_with(Arc::new(move |target: &str| {
        let _ = clicks.send(target.to_owned());
    })));
    let handle = core.spawn_sla_scheduler(notifier, SlaSchedulerSettings::default(), SystemClock::shared());
    let mut events = handle.subscribe();
    let stop = async {
        match duration {
            Some(secs) => tokio::time::sleep(Duration::from_secs(secs)).await,
            None => std::future::pending().await,
        }
    };
    tokio::pin!(stop);
    loop {
        tokio::select! {
            _ = &mut stop => break,
            Some(target) = clicked.recv() => {
                if let Some(open) = hilo_model::sla::SlaOpenTarget::parse(&target) {
                    print_line(&serde_json::json!({"event": "open", "open": open}))?;
                }
            }
            event = events.recv() => match event {
                Ok(event) => print_line(&event)?,
                Err(RecvError::Lagged(n)) => eprintln!("hilo: {n} alerts were not printed (stdout too slow); see `hilo sla alerts`"),
                Err(RecvError::Closed) => break,
            },
        }
    }
    handle.shutdown().await;
    // Alerts of a pass that finished while stopping are printed too.
    while let Ok(event) = events.try_recv() {
        print_line(&event)?;
    }
    Ok(())
}

/// One JSON line, flushed. A closed stdout (`| head`) is an error that ends the watch,
/// not a panic.
fn print_line<T: serde::Serialize>(value: &T) -> Result<(), CoreError> {
    use std::io::Write;
    let line = serde_json::to_string(value).map_err(|e| CoreError::Internal(e.to_string()))?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}").and_then(|()| out.flush()).map_err(|e| CoreError::io("writing to stdout", e))
}

/// One line per conversation: its most urgent clock.
fn describe(item: &SlaItem, now: i64) -> String {
    let who = match (item.conversation_id, item.call_id) {
        (_, Some(call)) => format!("call {call}"),
        (Some(id), None) => format!("#{id}"),
        (None, None) => "-".to_owned(),
    };
    let clock = headline(item);
    let (metric, when) = clock.map_or(("-", String::new()), |c| (c.metric.as_str(), timing(c, now)));
    format!(
        "{:>10}  {:<9} {:<24} {:<9} {:<15} {}",
        who,
        item.channel.as_str(),
        crate::truncate(&item.customer_name, 24),
        item.state.as_str(),
        metric,
        when
    )
}

fn describe_backend_only(only: &hilo_model::sla_backend::BackendSlaItem) -> String {
    let sla = &only.backend.sla;
    let state = sla.status.as_state().map_or("unknown", |s| s.as_str());
    let policy = sla.policy_name.as_deref().or(sla.policy_id.as_deref()).unwrap_or("-");
    format!(
        "{:>10}  {:<9} {:<24} {:<9} {} policy {policy:?} (no Hilo policy)",
        format!("#{}", only.conversation_id),
        only.channel.as_str(),
        crate::truncate(&only.customer_name, 24),
        state,
        sla.backend,
    )
}

/// The clock behind the conversation's state: the oldest breach, else the soonest due.
fn headline(item: &SlaItem) -> Option<&SlaClockView> {
    let matching = item.clocks.iter().filter(|c| c.state == item.state);
    match item.state {
        SlaState::Breached => matching.min_by_key(|c| c.breached_at.unwrap_or(i64::MAX)),
        _ => matching.min_by_key(|c| c.due_at.unwrap_or(i64::MAX)),
    }
}

fn timing(c: &SlaClockView, now: i64) -> String {
    match c.state {
        SlaState::Breached => c.breached_at.map_or_else(String::new, |t| format!("overdue {}", ago(now - t))),
        SlaState::Achieved => c.achieved_at.map_or_else(String::new, |t| format!("achieved {}", to_rfc3339(t))),
        SlaState::Paused => format!("paused, {} left", ago(c.remaining_ms)),
        SlaState::Running | SlaState::AtRisk => {
            let due = c.due_at.map_or_else(String::new, |t| format!(" (due {})", to_rfc3339(t)));
            format!("{} left{due}", ago(c.remaining_ms))
        }
    }
}

fn ago(ms: i64) -> String {
    let s = ms.max(0) / 1000;
    match s {
        0..60 => format!("{s} s"),
        60..3600 => format!("{} min", s / 60),
        3600..86_400 => format!("{} h {} min", s / 3600, s % 3600 / 60),
        _ => format!("{} d {} h", s / 86_400, s % 86_400 / 3600),
    }
}

pub async fn report(core: &AppCore, args: ReportArgs) -> Result<(), CoreError> {
    let now = now_millis();
    let to = args.to.as_deref().map(|d| parse_bound(d, Bound::End)).transpose()?.unwrap_or(now);
    let from = args.from.as_deref().map(|d| parse_bound(d, Bound::Start)).transpose()?.unwrap_or(to - 30 * DAY);
    if from >= to {
        return Err(CoreError::InvalidInput(format!(
            "the period is empty: --from {} is not before --to {}",
            to_rfc3339(from),
            to_rfc3339(to)
        )));
    }
    let report = core.sla_report(from, to, now).await?;
    match args.format {
        ReportFormat::Json => crate::print_json(&report),
        ReportFormat::Csv => {
            print!("{}", report::to_csv(&report));
            Ok(())
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Bound {
    Start,
    End,
}

/// `YYYY-MM-DD` in the system's time zone (a `--to` day is included whole), or an
/// RFC 3339 instant.
fn parse_bound(text: &str, bound: Bound) -> Result<i64, CoreError> {
    if let Ok(ts) = text.parse::<jiff::Timestamp>() {
        return Ok(ts.as_millisecond());
    }
    let invalid =
        |e: String| CoreError::InvalidInput(format!("{text:?} is not a date (YYYY-MM-DD) or an RFC 3339 instant: {e}"));
    let date: jiff::civil::Date = text.parse().map_err(|e: jiff::Error| invalid(e.to_string()))?;
    let day = match bound {
        Bound::Start => date,
        Bound::End => date.tomorrow().map_err(|e| invalid(e.to_string()))?,
    };
    let zoned = day.to_zoned(jiff::tz::TimeZone::system()).map_err(|e| invalid(e.to_string()))?;
    Ok(zoned.timestamp().as_millisecond())
}
