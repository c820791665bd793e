//! The open workspace, shared by every command. Opening happens once, under a lock;
//! start-up work (opening, and `--demo`) holds a gate that commands wait on, so the
//! UI's first call sees the finished workspace rather than racing it.

use std::path::PathBuf;
use std::sync::Arc;

use hilo_core::demo::DemoOptions;
use hilo_core::{AppCore, CoreError, KeyringSecretStore};
use hilo_model::time::now_millis;
use hilo_model::{CacheReset, IpcError};
use tokio::sync::{Mutex, RwLock};

#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    dir: PathBuf,
    core: Mutex<Option<AppCore>>,
    startup: Arc<RwLock<()>>,
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
        AppState { inner: Arc::new(Inner { dir, core: Mutex::new(None), startup: Arc::new(RwLock::new(())) }) }
    }

    /// Starts opening the workspace in the background (filling it with the demo when
    /// `demo` is set and it is empty). Must be called before any command can run.
    pub fn begin_startup(&self, demo: bool) {
        let gate = self.inner.startup.clone().try_write_owned().ok();
        let state = self.clone();
        tauri::async_runtime::spawn(async move {
            let result = async {
                let core = state.open_core().await?;
                if demo && core.info().await?.conversations == 0 {
                    core.load_demo(demo_options()).await?;
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
        let mut guard = self.inner.core.lock().await;
        if let Some(core) = guard.as_ref() {
            return Ok(core.clone());
        }
        let dir = self.inner.dir.clone();
        let core = tokio::task::spawn_blocking(move || AppCore::open(&dir, &KeyringSecretStore::default()))
            .await
            .map_err(|e| CoreError::Internal(e.to_string()))??;
        *guard = Some(core.clone());
        Ok(core)
    }

    pub async fn load_demo(&self) -> Result<AppCore, CoreError> {
        let core = self.core().await?;
        core.load_demo(demo_options()).await?;
        Ok(core)
    }

    /// Moves the cache aside (nothing deleted); the next `core()` starts a fresh one.
    pub async fn reset_cache(&self) -> Result<CacheReset, CoreError> {
        let _gate = self.inner.startup.read().await;
        let mut guard = self.inner.core.lock().await;
        *guard = None;
        let dir = self.inner.dir.clone();
        tokio::task::spawn_blocking(move || hilo_core::reset_cache(&dir))
            .await
            .map_err(|e| CoreError::Internal(e.to_string()))?
    }
}
