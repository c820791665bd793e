//! `CallRecorder`: the one place source events become stored calls, screen-pops and
//! UI events. Blocking (SQLite, the notifier); the runner drives it from one blocking
//! thread so telephony writes are serialized and a call's updates stay in order.

use std::collections::HashMap;
use std::sync::Arc;

use hilo_connectors::telephony::{LinkState, SourceEvent};
use hilo_model::time::{Millis, now_millis};
use hilo_store::Store;
use phonenumber::country;
use serde::Serialize;

use super::calls::{self, CallView};
use super::screen_pop::{Language, ScreenPop, build_screen_pop, screen_pop_notification};
use super::tracker::{AgentEndpoint, CallTracker, TrackerUpdate};
use crate::error::Result;
use crate::notify::Notifier;

/// What the telephony runner tells the UI and `hilo telephony listen`, one JSON
/// object per event (`{"type":"call",…}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase", tag = "type")]
pub enum TelephonyEvent {
    /// A connector's link came up or went down.
    Link {
        account: String,
        #[serde(flatten)]
        state: LinkState,
    },
    /// A call was stored (created or changed).
    Call(CallView),
    /// An inbound call rings at the agent's phone.
    ScreenPop(ScreenPop),
    /// Something went wrong that the agent should hear of; following continues.
    Error { account: String, message: String },
}

struct AccountState {
    name: String,
    tracker: CallTracker,
}

pub struct CallRecorder {
    store: Store,
    notifier: Arc<dyn Notifier>,
    /// A fixed language, or `None` to follow the `ui.language` setting at each pop.
    language: Option<Language>,
    region: Option<country::Id>,
    accounts: HashMap<i64, AccountState>,
}

impl std::fmt::Debug for CallRecorder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallRecorder").field("accounts", &self.accounts.len()).finish_non_exhaustive()
    }
}

impl CallRecorder {
    pub fn new(
        store: Store,
        notifier: Arc<dyn Notifier>,
        language: Option<Language>,
        region: Option<country::Id>,
    ) -> CallRecorder {
        CallRecorder { store, notifier, language, region, accounts: HashMap::new() }
    }

    pub fn add_account(&mut self, account_id: i64, name: &str, agent: AgentEndpoint) {
        let tracker = CallTracker::new(agent, self.region);
        self.accounts.insert(account_id, AccountState { name: name.to_owned(), tracker });
    }

    pub fn open_calls(&self) -> usize {
        self.accounts.values().map(|a| a.tracker.open_calls()).sum()
    }

    /// Folds one source event; returns what to tell the UI. Blocking.
    pub fn handle(&mut self, account_id: i64, event: SourceEvent) -> Result<Vec<TelephonyEvent>> {
        let Some(account) = self.accounts.get_mut(&account_id) else { return Ok(Vec::new()) };
        let name = account.name.clone();
        let (updates, link) = match event {
            SourceEvent::Call(ev) => (account.tracker.apply(&ev), None),
            SourceEvent::Link(state) => {
                let updates = match state {
                    LinkState::Down { .. } => account.tracker.link_lost(now_millis()),
                    LinkState::Up => Vec::new(),
                };
                (updates, Some(TelephonyEvent::Link { account: name.clone(), state }))
            }
        };
        let mut out = self.apply_updates(account_id, &name, updates)?;
        out.extend(link);
        Ok(out)
    }

    /// Hilo stops following calls: every open call is closed as link-lost.
    pub fn shutdown(&mut self, at: Millis) -> Result<Vec<TelephonyEvent>> {
        let mut out = Vec::new();
        let ids: Vec<i64> = self.accounts.keys().copied().collect();
        for id in ids {
            let Some(account) = self.accounts.get_mut(&id) else { continue };
            let name = account.name.clone();
            let updates = account.tracker.link_lost(at);
            out.extend(self.apply_updates(id, &name, updates)?);
        }
        Ok(out)
    }

    fn apply_updates(&self, account_id: i64, name: &str, updates: Vec<TrackerUpdate>) -> Result<Vec<TelephonyEvent>> {
        let mut out = Vec::with_capacity(updates.len());
        for update in updates {
            match update {
                TrackerUpdate::RingingAtAgent(call) => {
                    let language = self.language;
                    let mut pop = self.store.read(|c| {
                        let language = match language {
                            Some(fixed) => fixed,
                            None => crate::language::resolve(c)?,
                        };
                        build_screen_pop(c, (name, account_id), &call, language)
                    })?;
                    match self.notifier.notify(&screen_pop_notification(&pop)) {
                        Ok(()) => pop.notified = true,
                        Err(e) => pop.notification_error = Some(e.to_string()),
                    }
                    out.push(TelephonyEvent::ScreenPop(pop));
                }
                TrackerUpdate::Changed(call) => {
                    let view = self.store.write(|tx| calls::store_call(tx, account_id, &call))?;
                    out.push(TelephonyEvent::Call(view));
                }
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use hilo_connectors::telephony::LinkState;

    use super::TelephonyEvent;

    #[test]
    fn events_serialize_as_camel_case_json_lines() {
        let down = TelephonyEvent::Link {
            account: "pbx".into(),
            state: LinkState::Down { reason: "closed".into(), retry_in_ms: 500 },
        };
        assert_eq!(
            serde_json::to_value(&down).ok(),
            Some(
                serde_json::json!({"type": "link", "account": "pbx", "state": "down", "reason": "closed", "retryInMs": 500})
            ),
            "the UI and scripts read camelCase"
        );
    }
}
