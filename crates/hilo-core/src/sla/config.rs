//! The SLA configuration as the clocks need it: policies parsed from `sla_policies`,
//! calendars parsed once into [`BusinessCalendar`]s, and the alert settings. Loading is
//! cheap when nothing changed: the raw rows are fingerprinted and parsed again only when
//! the fingerprint moves.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};

use hilo_model::sla::{SlaAlertSettings, SlaAtRiskOverride};
use hilo_sla::{AtRiskThreshold, BusinessCalendar, CalendarRef, ConversationFacts, SlaPolicy, StoredPolicy};
use hilo_store::settings;
use rusqlite::Connection;

/// Setting key of [`SlaAlertSettings`] (JSON).
pub const ALERT_SETTINGS_KEY: &str = "sla.alerts";

/// Policies and their calendars, ready to evaluate with.
#[derive(Debug, Clone, Default)]
pub struct SlaConfig {
    /// As stored, but with the alert settings' at-risk override applied.
    policies: Vec<SlaPolicy>,
    /// The same policies with first response as their only target, for callback items
    /// (a callback is answered once; it has no next response or resolution).
    callback_policies: Vec<SlaPolicy>,
    calendars: HashMap<i64, BusinessCalendar>,
    /// Rows that could not be used, in words for the settings screen.
    pub warnings: Vec<String>,
    fingerprint: u64,
}

/// The policy that governs a set of facts, with its calendar.
#[derive(Debug, Clone, Copy)]
pub struct Governing<'c> {
    pub policy: &'c SlaPolicy,
    pub calendar: &'c BusinessCalendar,
}

static ALWAYS: BusinessCalendar = BusinessCalendar::Always;

impl SlaConfig {
    /// A configuration from already-parsed parts (benchmarks, tests). Policies whose
    /// calendar is missing from `calendars` are dropped with a warning.
    pub fn new(policies: Vec<SlaPolicy>, calendars: HashMap<i64, BusinessCalendar>) -> SlaConfig {
        let mut config = SlaConfig { calendars, ..SlaConfig::default() };
        for policy in policies {
            if let CalendarRef::Calendar(id) = policy.calendar
                && !config.calendars.contains_key(&id)
            {
                config.warnings.push(format!("policy {:?} uses calendar {id}, which cannot be used", policy.name));
                continue;
            }
            config.policies.push(policy);
        }
        config.callback_policies = config
            .policies
            .iter()
            .map(|p| SlaPolicy { next_response_secs: None, resolution_secs: None, ..p.clone() })
            .collect();
        config
    }

    pub fn policies(&self) -> &[SlaPolicy] {
        &self.policies
    }

    /// The policy (lowest position among the matching) for a conversation's facts.
    pub fn governing(&self, facts: &ConversationFacts) -> Option<Governing<'_>> {
        self.pick(&self.policies, facts)
    }

    /// The policy for a callback item: the one that matches its voice facts, reduced to
    /// its first-response target.
    pub fn governing_callback(&self, facts: &ConversationFacts) -> Option<Governing<'_>> {
        self.pick(&self.callback_policies, facts)
    }

    fn pick<'c>(&'c self, policies: &'c [SlaPolicy], facts: &ConversationFacts) -> Option<Governing<'c>> {
        let policy = hilo_sla::select_policy(policies, facts)?;
        let calendar = match policy.calendar {
            CalendarRef::Always => &ALWAYS,
            CalendarRef::Calendar(id) => self.calendars.get(&id)?,
        };
        Some(Governing { policy, calendar })
    }

    /// Reads the configuration; returns `None` when it is exactly `current`'s (same rows,
    /// same override), so the caller keeps its parsed copy.
    pub fn load_if_changed(
        conn: &Connection,
        at_risk: Option<SlaAtRiskOverride>,
        current: Option<&SlaConfig>,
    ) -> hilo_store::Result<Option<SlaConfig>> {
        let raw = RawConfig::read(conn)?;
        let fingerprint = raw.fingerprint(at_risk);
        if current.is_some_and(|c| c.fingerprint == fingerprint) {
            return Ok(None);
        }
        let mut config = raw.parse(at_risk);
        config.fingerprint = fingerprint;
        Ok(Some(config))
    }

    /// Reads and parses the configuration.
    pub fn load(conn: &Connection, at_risk: Option<SlaAtRiskOverride>) -> hilo_store::Result<SlaConfig> {
        Ok(SlaConfig::load_if_changed(conn, at_risk, None)?.unwrap_or_default())
    }
}

/// The stored rows, before parsing.
#[derive(Debug, Hash)]
struct RawConfig {
    policies: Vec<RawPolicy>,
    calendars: Vec<(i64, String, String, String)>,
    holidays: Vec<(i64, String)>,
}

#[derive(Debug, Hash)]
struct RawPolicy {
    id: i64,
    name: String,
    position: i64,
    match_priorities: String,
    match_channels: String,
    match_accounts: String,
    first_response_secs: Option<i64>,
    next_response_secs: Option<i64>,
    resolution_secs: Option<i64>,
    calendar_id: Option<i64>,
    pause_when_pending: bool,
    at_risk_percent: i64,
}

impl RawConfig {
    fn read(conn: &Connection) -> hilo_store::Result<RawConfig> {
        let mut policies = conn.prepare_cached(
            "SELECT id, name, position, match_priorities, match_channels, match_accounts, first_response_secs,
                    next_response_secs, resolution_secs, calendar_id, pause_when_pending, at_risk_percent
             FROM sla_policies ORDER BY id",
        )?;
        let policies = policies
            .query_map([], |r| {
                Ok(RawPolicy {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    position: r.get(2)?,
                    match_priorities: r.get(3)?,
                    match_channels: r.get(4)?,
                    match_accounts: r.get(5)?,
                    first_response_secs: r.get(6)?,
                    next_response_secs: r.get(7)?,
                    resolution_secs: r.get(8)?,
                    calendar_id: r.get(9)?,
                    pause_when_pending: r.get(10)?,
                    at_risk_percent: r.get(11)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let mut calendars =
            conn.prepare_cached("SELECT id, name, time_zone, weekly_hours FROM calendars ORDER BY id")?;
        let calendars =
            calendars.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?.collect::<Result<_, _>>()?;
        let mut holidays = conn.prepare_cached("SELECT calendar_id, date FROM holidays ORDER BY calendar_id, date")?;
        let holidays = holidays.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<_, _>>()?;
        Ok(RawConfig { policies, calendars, holidays })
    }

    fn fingerprint(&self, at_risk: Option<SlaAtRiskOverride>) -> u64 {
        let mut hasher = DefaultHasher::new();
        self.hash(&mut hasher);
        format!("{at_risk:?}").hash(&mut hasher);
        hasher.finish()
    }

    fn parse(&self, at_risk: Option<SlaAtRiskOverride>) -> SlaConfig {
        let mut warnings = Vec::new();
        let mut calendars = HashMap::new();
        for (id, name, zone, hours) in &self.calendars {
            let dates = self.holidays.iter().filter(|(c, _)| c == id).map(|(_, d)| d.as_str());
            match BusinessCalendar::from_stored(zone, hours, dates) {
                Ok(calendar) => {
                    calendars.insert(*id, calendar);
                }
                Err(e) => warnings.push(format!("calendar {name:?} cannot be used: {e}")),
            }
        }
        let mut policies = Vec::new();
        for p in &self.policies {
            let stored = StoredPolicy {
                id: p.id,
                name: &p.name,
                position: p.position,
                match_priorities: &p.match_priorities,
                match_channels: &p.match_channels,
                match_accounts: &p.match_accounts,
                first_response_secs: p.first_response_secs,
                next_response_secs: p.next_response_secs,
                resolution_secs: p.resolution_secs,
                calendar_id: p.calendar_id,
                pause_when_pending: p.pause_when_pending,
                at_risk_percent: p.at_risk_percent,
            };
            match SlaPolicy::try_from(stored) {
                Ok(mut policy) => {
                    if let Some(threshold) = at_risk {
                        policy.at_risk = match threshold {
                            SlaAtRiskOverride::Percent(p) => AtRiskThreshold::Percent(p.min(100)),
                            SlaAtRiskOverride::MinutesBefore(m) => AtRiskThreshold::MinutesBefore(m),
                        };
                    }
                    policies.push(policy);
                }
                Err(e) => warnings.push(format!("{e}; the policy is ignored until it is fixed")),
            }
        }
        let mut config = SlaConfig::new(policies, calendars);
        warnings.append(&mut config.warnings);
        config.warnings = warnings;
        config
    }
}

/// The alert settings; a missing or unreadable value is the default (alert on everything).
pub fn load_alert_settings(conn: &Connection) -> hilo_store::Result<SlaAlertSettings> {
    Ok(settings::get(conn, ALERT_SETTINGS_KEY)?
        .and_then(|value| serde_json::from_value(value).ok())
        .unwrap_or_default())
}
