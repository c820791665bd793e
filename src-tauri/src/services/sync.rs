//! Sync inside the app: one runner per real (non-demo) helpdesk account of the open
//! workspace. Every state change goes to the UI as `sync://state`; a cycle that changed
//! the cache (a page landed, the outbox delivered) also raises `workspace://changed`, so
//! the inbox and the timeline refresh and the SLA scheduler re-reads. Runners restart
//! when accounts change and stop with the workspace (dropping the service stops them).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use hilo_core::account_settings::{FollowedAccount, followed_helpdesk_accounts, sync_fingerprint, sync_state_event};
use hilo_core::sync::{SyncConfig, SyncHandle, SyncState, spawn_sync};
use hilo_core::{AppCore, CoreError, KeyringSecretStore, SecretStore};
use hilo_model::account_settings::{AccountSyncState, SyncStateEvent};
use tauri::async_runtime::JoinHandle;
use tauri::{AppHandle, Emitter};

use crate::state::AppState;

/// Each account's sync state, as it changes (payload: `SyncStateEvent`).
pub const EVENT_SYNC_STATE: &str = "sync://state";

/// The running runners of one workspace. Cheap to clone; the last clone stops them.
#[derive(Clone)]
pub struct SyncService {
    inner: Arc<Inner>,
}

struct Inner {
    core: AppCore,
    app: Option<AppHandle>,
    state: AppState,
    running: tokio::sync::Mutex<Vec<Running>>,
    /// The latest state of every account, including those that could not start.
    states: Arc<Mutex<HashMap<i64, SyncStateEvent>>>,
}

struct Running {
    handle: SyncHandle,
    watcher: JoinHandle<()>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        // Dropping each SyncHandle cancels its loop; the watchers end with them.
        for r in self.running.get_mut().drain(..) {
            r.watcher.abort();
        }
    }
}

fn secrets() -> Arc<dyn SecretStore> {
    Arc::new(KeyringSecretStore::default())
}

impl SyncService {
    /// Starts the runners of `core`'s helpdesk accounts (in the background).
    pub fn start(core: AppCore, app: Option<AppHandle>, state: AppState) -> SyncService {
        let service = SyncService {
            inner: Arc::new(Inner {
                core,
                app,
                state,
                running: tokio::sync::Mutex::new(Vec::new()),
                states: Arc::new(Mutex::new(HashMap::new())),
            }),
        };
        let starting = service.clone();
        tauri::async_runtime::spawn(async move { starting.restart().await });
        service
    }

    fn publish(&self, event: SyncStateEvent) {
        self.inner.states.lock().unwrap_or_else(PoisonError::into_inner).insert(event.account_id, event.clone());
        if let Some(app) = &self.inner.app {
            let _ = app.emit(EVENT_SYNC_STATE, &event);
        }
    }

    /// Every helpdesk account's current state, by name.
    pub fn states(&self) -> Vec<SyncStateEvent> {
        let mut all: Vec<SyncStateEvent> =
            self.inner.states.lock().unwrap_or_else(PoisonError::into_inner).values().cloned().collect();
        all.sort_by(|a, b| a.name.cmp(&b.name));
        all
    }

    /// Stops every runner and starts one per current helpdesk account (after an account
    /// was added, edited or removed). An account that cannot start (no token in the
    /// keychain, unreadable settings) shows as an error with the reason.
    pub async fn restart(&self) {
        let mut running = self.inner.running.lock().await;
        for r in running.drain(..) {
            r.watcher.abort();
            r.handle.shutdown().await;
        }
        let core = &self.inner.core;
        let followed = match followed_helpdesk_accounts(core, secrets()).await {
            Ok(followed) => followed,
            Err(e) => {
                eprintln!("hilo-desktop: cannot read the accounts for sync: {e}");
                return;
            }
        };
        {
            // Accounts that are gone leave the indicator.
            let ids: Vec<i64> = followed
                .iter()
                .map(|f| match f {
                    FollowedAccount::Ready(a) => a.id,
                    FollowedAccount::Broken { id, .. } => *id,
                })
                .collect();
            self.inner.states.lock().unwrap_or_else(PoisonError::into_inner).retain(|id, _| ids.contains(id));
        }
        for account in followed {
            let account = match account {
                FollowedAccount::Ready(account) => account,
                FollowedAccount::Broken { id, name, error } => {
                    self.publish(SyncStateEvent {
                        account_id: id,
                        name,
                        state: AccountSyncState::Error,
                        message: Some(error.to_string()),
                        last_sync_at: None,
                    });
                    continue;
                }
            };
            let name = account.name.clone();
            let handle = spawn_sync(core.store().clone(), account, SyncConfig::default());
            let watcher = self.watch(&handle, name);
            running.push(Running { handle, watcher });
        }
    }

    /// Forwards a runner's state changes, and tells everyone when a cycle changed data.
    fn watch(&self, handle: &SyncHandle, name: String) -> JoinHandle<()> {
        let mut rx = handle.subscribe();
        let service = self.clone_weak();
        let account_id = handle.account_id();
        tauri::async_runtime::spawn(async move {
            let mut seen: Option<[i64; 5]> = None;
            let mut last = None;
            loop {
                let status = rx.borrow_and_update().clone();
                let Some(me) = service.upgrade() else { break };
                let event = sync_state_event(&status, &name);
                if last.as_ref() != Some(&event) {
                    me.publish(event.clone());
                    last = Some(event);
                }
                if status.state != SyncState::Syncing {
                    let now = sync_fingerprint(&me.inner.core, account_id).await.ok();
                    if now.is_some() && now != seen {
                        if seen.is_some() {
                            me.inner.state.changed().await;
                        }
                        seen = now;
                    }
                }
                drop(me);
                if rx.changed().await.is_err() {
                    break;
                }
            }
        })
    }

    fn clone_weak(&self) -> WeakService {
        WeakService(Arc::downgrade(&self.inner))
    }

    /// "Sync now" for one account (by id) or all: cuts backoffs short, and replies waiting
    /// out a backoff go at once.
    pub async fn sync_now(&self, account_id: Option<i64>) -> Result<(), CoreError> {
        hilo_core::composer::outbox_due_now(self.inner.core.store(), account_id).await?;
        let running = self.inner.running.lock().await;
        let mut found = account_id.is_none();
        for r in running.iter().filter(|r| account_id.is_none_or(|id| r.handle.account_id() == id)) {
            r.handle.sync_now();
            found = true;
        }
        if !found {
            drop(running);
            // Not running (it could not start): try again, the agent may have fixed it.
            self.restart().await;
        }
        Ok(())
    }
}

/// The watchers hold the service weakly, so dropping the workspace really stops it.
struct WeakService(std::sync::Weak<Inner>);

impl WeakService {
    fn upgrade(&self) -> Option<SyncService> {
        self.0.upgrade().map(|inner| SyncService { inner })
    }
}
