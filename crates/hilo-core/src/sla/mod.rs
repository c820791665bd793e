//! SLA on the agent's desk: loads policies, calendars and each conversation's facts from
//! the cache, runs the scheduler that raises at-risk and breach alerts exactly once and
//! on time (desktop notification + `sla_alerts` + the customer's timeline), and answers
//! the alert centre, the per-conversation clocks and the metrics report.
//!
//! The math is `hilo-sla`'s (pure, time passed in); this module decides what to read,
//! when to look, and whom to tell. Callback items — missed inbound calls from known
//! customers — are evaluated like a first response under the policy that matches voice.

pub mod alerts;
// The helpdesk's own SLA state beside Hilo's clocks.
pub mod backend;
pub mod clock;
pub mod config;
// Settings editors for policies, calendars and holidays.
pub mod editor;
pub mod engine;
pub mod facts;
pub mod overview;
pub mod report;
// The Reports view's CSV export.
pub mod report_export;
pub mod scheduler;
pub mod text;

use std::sync::Arc;

use hilo_model::sla::{SlaAlert, SlaAlertQuery, SlaOverview, SlaOverviewQuery, SlaReport};

pub use crate::language::{LANGUAGE_SETTING as LANGUAGE_SETTING_KEY, Language};
pub use clock::{Clock, ManualClock, SystemClock};
pub use config::{ALERT_SETTINGS_KEY, SlaConfig};
pub use engine::{AlertKey, Assessment, Evaluator, RaisedAlerts};
pub use facts::{LoadScope, Subject, TrackedItem};
pub use scheduler::{SchedulerStatus, SlaHandle, SlaSchedulerSettings, spawn_sla_scheduler};

use crate::app::AppCore;
use crate::error::Result;
use crate::notify::Notifier;

impl AppCore {
    /// Starts the SLA scheduler on this workspace (see [`scheduler`]). Call
    /// [`SlaHandle::notify_changed`] after every write to the cache.
    pub fn spawn_sla_scheduler(
        &self,
        notifier: Arc<dyn Notifier>,
        settings: SlaSchedulerSettings,
        clock: Arc<dyn Clock>,
    ) -> SlaHandle {
        spawn_sla_scheduler(self.store().clone(), notifier, settings, clock)
    }

    /// Every live conversation's (or callback's) clocks at `now`.
    pub async fn sla_overview(&self, query: SlaOverviewQuery, now: i64) -> Result<SlaOverview> {
        Ok(self.store().read_async(move |c| overview::overview(c, &query, now)).await?)
    }

    /// The alert centre's list, newest first.
    pub async fn sla_alerts(&self, query: SlaAlertQuery) -> Result<Vec<SlaAlert>> {
        Ok(self.store().read_async(move |c| alerts::list(c, &query)).await?)
    }

    pub async fn acknowledge_sla_alert(&self, id: i64, at: i64) -> Result<SlaAlert> {
        Ok(self.store().write_async(move |tx| alerts::acknowledge(tx, id, at)).await?)
    }

    pub async fn snooze_sla_alert(&self, id: i64, until: i64) -> Result<SlaAlert> {
        Ok(self.store().write_async(move |tx| alerts::snooze(tx, id, until)).await?)
    }

    /// Metrics over `[from, to)` (see [`report`]).
    pub async fn sla_report(&self, from: i64, to: i64, now: i64) -> Result<SlaReport> {
        Ok(self.store().read_async(move |c| report::report(c, from, to, now)).await?)
    }
}
