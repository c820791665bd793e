//! Telephony inside the desktop app. When a workspace opens, its non-demo telephony
//! accounts are followed (hilo-core's runner: connectors, call tracker, calls stored as
//! `hilo telephony listen` stores them, screen-pops to the `DesktopNotifier`); each
//! screen-pop reaches the window as `call://ringing`, each stored call change as
//! `call://updated` plus one `workspace://changed` per burst. It stops when the
//! workspace closes or its cache is moved aside, and `restart` follows accounts added
//! or removed since.
//!
//! Two halves: [`Telephony`], managed by Tauri and shared with the commands
//! (click-to-call, restart), and [`TelephonyService`], owned by the open workspace,
//! whose drop stops what it started.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use hilo_core::telephony::{TelephonyEvent, TelephonyHandle, TelephonyOptions, spawn_telephony};
use hilo_core::{AppCore, CoreError, DesktopNotifier, KeyringSecretStore};
use hilo_model::telephony::PlacedCall;
use tauri::{AppHandle, Emitter, Manager};
use tokio::sync::{OwnedRwLockWriteGuard, RwLock};

use crate::state::AppState;

/// A phone rings for the agent (payload: `ScreenPop`).
pub const EVENT_CALL_RINGING: &str = "call://ringing";
/// A call record was stored or changed (payload: `CallView`): a ring was answered or ended.
pub const EVENT_CALL_UPDATED: &str = "call://updated";

/// The app's telephony, shared by the open workspace and the commands.
#[derive(Clone, Default)]
pub struct Telephony {
    shared: Arc<Shared>,
}

#[derive(Default)]
struct Shared {
    /// Which workspace session telephony belongs to, and its core while one is open.
    /// Every start and stop bumps the session, so a launch that finishes after a newer
    /// start or a stop is thrown away instead of following a closed workspace.
    session: Mutex<Sessions<AppCore>>,
    running: Arc<RwLock<Option<Running>>>,
}

/// Which workspace session is current, and its value (the core) while one is open.
struct Sessions<T> {
    current: u64,
    value: Option<T>,
    next: AtomicU64,
}

impl<T> Default for Sessions<T> {
    fn default() -> Self {
        Sessions { current: 0, value: None, next: AtomicU64::new(0) }
    }
}

impl<T: Clone> Sessions<T> {
    /// A new session holding `value`; any earlier one is no longer current.
    fn open(&mut self, value: T) -> u64 {
        self.current = self.next.fetch_add(1, Ordering::SeqCst) + 1;
        self.value = Some(value);
        self.current
    }

    /// The value, if `session` is still the current one.
    fn get(&self, session: u64) -> Option<T> {
        if self.current == session { self.value.clone() } else { None }
    }

    /// Ends `session` if it is current (a later session is left alone).
    fn close(&mut self, session: u64) {
        if self.current == session {
            self.value = None;
            self.current = self.next.fetch_add(1, Ordering::SeqCst) + 1;
        }
    }
}

struct Running {
    session: u64,
    handle: TelephonyHandle,
}

/// Telephony for one open workspace. Dropping it stops the connectors; calls still
/// open are closed as `link-lost` and stored.
pub struct TelephonyService {
    telephony: Option<Telephony>,
    session: u64,
}

impl TelephonyService {
    /// Starts following the workspace's telephony accounts in the background. Without a
    /// window (no `AppHandle` yet) there is nothing to tell, and nothing is started.
    pub fn start(app: Option<&AppHandle>, core: AppCore) -> TelephonyService {
        let Some(app) = app else { return TelephonyService { telephony: None, session: 0 } };
        let Some(telephony) = app.try_state::<Telephony>().map(|t| t.inner().clone()) else {
            return TelephonyService { telephony: None, session: 0 };
        };
        let session = telephony.open(core);
        // Taken now when free, so a click-to-call right after opening waits for the launch.
        let early = telephony.shared.running.clone().try_write_owned().ok();
        let launching = telephony.clone();
        let app = app.clone();
        tauri::async_runtime::spawn(async move {
            if let Err(e) = launching.launch(&app, session, early).await {
                eprintln!("hilo-desktop: telephony: {e}");
            }
        });
        TelephonyService { telephony: Some(telephony), session }
    }
}

impl Drop for TelephonyService {
    fn drop(&mut self) {
        if let Some(telephony) = self.telephony.take() {
            telephony.close(self.session);
        }
    }
}

impl Telephony {
    fn open(&self, core: AppCore) -> u64 {
        self.shared.session.lock().map(|mut s| s.open(core)).unwrap_or(0)
    }

    fn current(&self, session: u64) -> Option<AppCore> {
        self.shared.session.lock().ok()?.get(session)
    }

    fn close(&self, session: u64) {
        if let Ok(mut s) = self.shared.session.lock() {
            s.close(session);
        }
        let running = self.shared.running.clone();
        tauri::async_runtime::spawn(async move {
            let stopped = {
                let mut guard = running.write().await;
                if guard.as_ref().is_some_and(|r| r.session == session) { guard.take() } else { None }
            };
            if let Some(r) = stopped {
                r.handle.shutdown().await;
            }
        });
    }

    /// (Re)starts following for `session`: stops what runs, reads the accounts again,
    /// starts their connectors and the event bridge. Returns the accounts followed.
    async fn launch(
        &self,
        app: &AppHandle,
        session: u64,
        early: Option<OwnedRwLockWriteGuard<Option<Running>>>,
    ) -> Result<Vec<String>, CoreError> {
        let mut running = match early {
            Some(guard) => guard,
            None => self.shared.running.clone().write_owned().await,
        };
        if let Some(old) = running.take() {
            // One follower per account at a time: the old one closes its calls first.
            old.handle.shutdown().await;
        }
        let Some(core) = self.current(session) else { return Ok(Vec::new()) };
        let mut handle = spawn_telephony(
            &core,
            Arc::new(KeyringSecretStore::default()),
            Arc::new(DesktopNotifier::default()),
            TelephonyOptions::default(),
        )
        .await?;
        if self.current(session).is_none() {
            // The workspace closed while the connectors were starting.
            handle.shutdown().await;
            return Ok(Vec::new());
        }
        let names = handle.account_names();
        if let Some(events) = handle.take_events() {
            tauri::async_runtime::spawn(forward(app.clone(), events));
        }
        *running = Some(Running { session, handle });
        Ok(names)
    }

    /// Follows the open workspace's telephony accounts again, after accounts were added,
    /// changed or removed. Returns the names of the accounts now followed.
    pub async fn restart(&self, app: &AppHandle) -> Result<Vec<String>, CoreError> {
        let session = self.shared.session.lock().map(|s| s.current).unwrap_or(0);
        if self.current(session).is_none() {
            return Err(CoreError::NotFound("no workspace is open".into()));
        }
        self.launch(app, session, None).await
    }

    /// Click-to-call through the running connectors: the agent's phone rings, then
    /// `number` is dialled; the call is then followed like any other.
    pub async fn click_to_call(&self, account: Option<&str>, number: &str) -> Result<PlacedCall, CoreError> {
        let running = self.shared.running.read().await;
        match running.as_ref() {
            Some(r) if !r.handle.account_names().is_empty() => r.handle.click_to_call(account, number).await,
            _ => Err(CoreError::NotFound(
                "no telephony account can place calls: add an Asterisk (AMI) or FreeSWITCH (ESL) account".into(),
            )),
        }
    }
}

/// The bridge from the runner's events to the window. A burst of call changes (ringing,
/// answered, ended arrive together) makes one `workspace://changed`, not one each.
async fn forward(app: AppHandle, mut events: tokio::sync::mpsc::UnboundedReceiver<TelephonyEvent>) {
    while let Some(first) = events.recv().await {
        let mut changed = emit(&app, first);
        while let Ok(next) = events.try_recv() {
            changed |= emit(&app, next);
        }
        if changed {
            app.state::<AppState>().changed().await;
        }
    }
}

/// Emits one event; true when the cache changed.
fn emit(app: &AppHandle, event: TelephonyEvent) -> bool {
    match event {
        TelephonyEvent::ScreenPop(pop) => {
            let _ = app.emit(EVENT_CALL_RINGING, &pop);
            false
        }
        TelephonyEvent::Call(call) => {
            let _ = app.emit(EVENT_CALL_UPDATED, &call);
            true
        }
        TelephonyEvent::Error { account, message } => {
            eprintln!("hilo-desktop: telephony {account}: {message}");
            false
        }
        TelephonyEvent::Link { .. } => false,
    }
}

#[cfg(test)]
mod tests {
    use super::Sessions;

    #[test]
    fn a_start_that_finishes_after_its_workspace_closed_or_reopened_is_not_current() {
        let mut sessions = Sessions::default();
        let first = sessions.open("workspace A");
        assert_eq!(sessions.get(first), Some("workspace A"));
        sessions.close(first);
        assert_eq!(sessions.get(first), None, "closed: a late launch for it must not follow anything");
        let second = sessions.open("workspace A, cache reset");
        sessions.close(first);
        assert_eq!(sessions.get(second), Some("workspace A, cache reset"), "closing an old session leaves the new one");
        let third = sessions.open("demo loaded");
        assert_eq!(sessions.get(second), None, "reopened: the older session's launch is thrown away");
        assert_eq!(sessions.get(third), Some("demo loaded"));
        assert!(first < second && second < third, "sessions are never reused");
    }
}
