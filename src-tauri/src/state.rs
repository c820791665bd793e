//! The open workspace and its background services, shared by every command.
//! Opening happens once, under a lock; start-up work (opening, and `--demo`) holds a
//! gate that commands wait on, so the UI's first call sees the finished workspace
//! rather than racing it. The services (the SLA scheduler now) start with the workspace
//! and stop when it is closed or its cache is moved aside.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use hilo_core::demo::DemoOptions;
use hilo_core::sla::{SlaHandle, SlaSchedulerSettings, SystemClock};
use hilo_core::{AppCore, CoreError, DesktopNotifier, KeyringSecretStore};
use hilo_model::time::now_millis;
use hilo_model::{CacheReset, IpcError};
use tauri::{AppHandle, Emitter};
use tokio::sync::{Mutex, RwLock};

/// Typed, namespaced events for the UI.
pub const EVENT_SLA_ALERT: &str = "sla://alert";
pub const EVENT_WORKSPACE_CHANGED: &str = "workspace://changed";
/// The agent clicked a desktop notification: open what it names (payload: `SlaOpenTarget`).
pub const EVENT_SLA_OPEN: &str = "sla://open";

#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    dir: PathBuf,
    app: OnceLock<AppHandle>,
    open: Mutex<Option<OpenWorkspace>>,
    startup: Arc<RwLock<()>>,
}

/// A workspace with its services running. Dropping it stops them.
struct OpenWorkspace {
    core: AppCore,
    sla: SlaHandle,
    sync: crate::services::sync::SyncService, // sync in the app (issue 3)
    forwarder: tauri::async_runtime::JoinHandle<()>,
    /// Follows the workspace's phone system; held for its drop, which stops it.
    _telephony: crate::services::telephony::TelephonyService,
}

impl Drop for OpenWorkspace {
    fn drop(&mut self) {
        self.forwarder.abort();
    }
}

pub type CommandResult<T> = Result<T, IpcError>;

pub fn ipc(e: CoreError) -> IpcError {
    e.to_ipc()
}

fn demo_options() -> DemoOptions {
    DemoOptions { customers: 200, seed: 7, now: now_millis() }
}

impl AppState {
    pub fn new(dir: PathBuf) -> AppState {
        AppState {
            inner: Arc::new(Inner {
                dir,
                app: OnceLock::new(),
                open: Mutex::new(None),
                startup: Arc::new(RwLock::new(())),
            }),
        }
    }

    /// Starts opening the workspace in the background (filling it with the demo when
    /// `demo` is set and it is empty). Called from `setup`, before any command can run.
    pub fn begin_startup(&self, app: AppHandle, demo: bool) {
        let _ = self.inner.app.set(app);
        let gate = self.inner.startup.clone().try_write_owned().ok();
        let state = self.clone();
        tauri::async_runtime::spawn(async move {
            let result = async {
                let core = state.open_core().await?;
                if demo && core.info().await?.conversations == 0 {
                    core.load_demo(demo_options()).await?;
                    state.changed().await;
                }
                Ok::<_, CoreError>(())
            }
            .await;
            drop(gate);
            if let Err(e) = result {
                // The UI asks again through `workspace_open` and shows the error with its remedy.
                eprintln!("hilo-desktop: {e}");
            }
        });
    }

    /// The open workspace, opening it if needed (keychain + SQLCipher, on a blocking thread).
    pub async fn core(&self) -> Result<AppCore, CoreError> {
        let _gate = self.inner.startup.read().await;
        self.open_core().await
    }

    async fn open_core(&self) -> Result<AppCore, CoreError> {
        let mut guard = self.inner.open.lock().await;
        if let Some(open) = guard.as_ref() {
            return Ok(open.core.clone());
        }
        let dir = self.inner.dir.clone();
        let core = tokio::task::spawn_blocking(move || AppCore::open(&dir, &KeyringSecretStore::default()))
            .await
            .map_err(|e| CoreError::Internal(e.to_string()))??;
        *guard = Some(self.start_services(core.clone()));
        Ok(core)
    }

    fn start_services(&self, core: AppCore) -> OpenWorkspace {
        let sla = core.spawn_sla_scheduler(
            Arc::new(DesktopNotifier::default().opening_with(self.open_handler())),
            SlaSchedulerSettings::default(),
            SystemClock::shared(),
        );
        let mut alerts = sla.subscribe();
        let app = self.inner.app.get().cloned();
        let forwarder = tauri::async_runtime::spawn(async move {
            loop {
                match alerts.recv().await {
                    Ok(event) => {
                        if let Some(app) = &app {
                            let _ = app.emit(EVENT_SLA_ALERT, &event);
                        }
                    }
                    // A burst larger than the buffer: the alert list still has them all.
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
                }
            }
        });
        let telephony = crate::services::telephony::TelephonyService::start(self.inner.app.get(), core.clone());
        let sync = crate::services::sync::SyncService::start(core.clone(), self.inner.app.get().cloned(), self.clone());
        OpenWorkspace { core, sla, sync, forwarder, _telephony: telephony }
    }

    /// Clicking a notification brings the window forward and tells the UI what to open.
    fn open_handler(&self) -> hilo_core::notify::OpenHandler {
        let app = self.inner.app.get().cloned();
        Arc::new(move |target: &str| {
            let (Some(app), Some(open)) = (&app, hilo_model::sla::SlaOpenTarget::parse(target)) else { return };
            if let Some(window) = tauri::Manager::get_webview_window(app, "main") {
                let _ = window.unminimize();
                let _ = window.show();
                let _ = window.set_focus();
            }
            let _ = app.emit(EVENT_SLA_OPEN, open);
        })
    }

    /// Tells the services and the UI that the cache changed.
    pub async fn changed(&self) {
        if let Some(open) = self.inner.open.lock().await.as_ref() {
            open.sla.notify_changed();
        }
        if let Some(app) = self.inner.app.get() {
            let _ = app.emit(EVENT_WORKSPACE_CHANGED, ());
        }
    }

    /// The open workspace's sync runners (issue 3), opening the workspace if needed.
    pub async fn sync(&self) -> Result<crate::services::sync::SyncService, CoreError> {
        self.core().await?;
        let guard = self.inner.open.lock().await;
        guard.as_ref().map(|open| open.sync.clone()).ok_or_else(|| CoreError::Internal("the workspace closed".into()))
    }

    pub async fn load_demo(&self) -> Result<AppCore, CoreError> {
        let core = self.core().await?;
        core.load_demo(demo_options()).await?;
        self.changed().await;
        Ok(core)
    }

    /// Moves the cache aside (nothing deleted); the next `core()` starts a fresh one.
    pub async fn reset_cache(&self) -> Result<CacheReset, CoreError> {
        let _gate = self.inner.startup.read().await;
        let mut guard = self.inner.open.lock().await;
        *guard = None;
        let dir = self.inner.dir.clone();
        tokio::task::spawn_blocking(move || hilo_core::reset_cache(&dir))
            .await
            .map_err(|e| CoreError::Internal(e.to_string()))?
    }
}
