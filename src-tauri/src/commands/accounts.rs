//! Accounts in Settings and the sync indicator: list, add / edit, remove (secrets to the
//! keychain only; a view never carries one), each account's sync state, and "Sync now".
//! After a change the sync runners restart with the new accounts.

use std::sync::Arc;

use hilo_core::account_settings::{list_account_views, remove_account, save_account};
use hilo_core::{KeyringSecretStore, SecretStore};
use hilo_model::account_settings::{AccountSave, AccountView, SyncStateEvent};
use tauri::{AppHandle, State};

use crate::services::telephony::Telephony;

use crate::state::{AppState, CommandResult, ipc};

fn secrets() -> Arc<dyn SecretStore> {
    Arc::new(KeyringSecretStore::default())
}

/// Accounts changed: the runners follow, and the UI reloads.
async fn accounts_changed(state: &AppState, app: &AppHandle, telephony: &Telephony) {
    if let Ok(sync) = state.sync().await {
        sync.restart().await;
    }
    // The PBX connectors follow the accounts too (a failure shows in their own state).
    if let Err(e) = telephony.restart(app).await {
        eprintln!("hilo-desktop: telephony did not restart: {e}");
    }
    state.changed().await;
}

#[tauri::command]
pub async fn accounts_list(state: State<'_, AppState>) -> CommandResult<Vec<AccountView>> {
    let core = state.core().await.map_err(ipc)?;
    let mut views = list_account_views(&core, secrets()).await.map_err(ipc)?;
    // The live state (including accounts that could not start) beats the persisted one.
    if let Ok(sync) = state.sync().await {
        let live = sync.states();
        for v in &mut views {
            if let Some(s) = live.iter().find(|s| s.account_id == v.id) {
                v.sync = Some(s.clone());
            }
        }
    }
    Ok(views)
}

#[tauri::command]
pub async fn account_save(
    app: AppHandle,
    state: State<'_, AppState>,
    telephony: State<'_, Telephony>,
    account: AccountSave,
) -> CommandResult<AccountView> {
    let core = state.core().await.map_err(ipc)?;
    let saved = save_account(&core, secrets(), account).await.map_err(ipc)?;
    accounts_changed(&state, &app, &telephony).await;
    Ok(saved)
}

#[tauri::command]
pub async fn account_remove(
    app: AppHandle,
    state: State<'_, AppState>,
    telephony: State<'_, Telephony>,
    id: i64,
) -> CommandResult<()> {
    let core = state.core().await.map_err(ipc)?;
    remove_account(&core, secrets(), id).await.map_err(ipc)?;
    accounts_changed(&state, &app, &telephony).await;
    Ok(())
}

#[tauri::command]
pub async fn sync_states(state: State<'_, AppState>) -> CommandResult<Vec<SyncStateEvent>> {
    Ok(state.sync().await.map_err(ipc)?.states())
}

#[tauri::command]
pub async fn sync_now(state: State<'_, AppState>, account: Option<i64>) -> CommandResult<()> {
    state.sync().await.map_err(ipc)?.sync_now(account).await.map_err(ipc)
}
