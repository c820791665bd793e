//! Telephony commands: click-to-call, recent calls, callback items, creating the
//! customer a screen-pop offers, and following accounts added since the workspace opened.

use hilo_model::CustomerSummary;
use hilo_model::telephony::{CallView, CallbackItem, PlacedCall};
use tauri::{AppHandle, State};

use crate::services::telephony::Telephony;
use crate::state::{AppState, CommandResult, ipc};

#[tauri::command]
pub async fn call_place(
    state: State<'_, AppState>,
    telephony: State<'_, Telephony>,
    number: String,
    account: Option<String>,
) -> CommandResult<PlacedCall> {
    // Waits for the workspace (and so for its telephony) to be open.
    state.core().await.map_err(ipc)?;
    telephony.click_to_call(account.as_deref(), &number).await.map_err(ipc)
}

#[tauri::command]
pub async fn calls_recent(state: State<'_, AppState>, limit: Option<u32>) -> CommandResult<Vec<CallView>> {
    state.core().await.map_err(ipc)?.recent_calls(limit).await.map_err(ipc)
}

#[tauri::command]
pub async fn callbacks_list(state: State<'_, AppState>) -> CommandResult<Vec<CallbackItem>> {
    state.core().await.map_err(ipc)?.callbacks().await.map_err(ipc)
}

#[tauri::command]
pub async fn customer_create_for_number(
    state: State<'_, AppState>,
    number: String,
    name: String,
) -> CommandResult<CustomerSummary> {
    let created = state.core().await.map_err(ipc)?.create_customer_for_number(number, name).await.map_err(ipc)?;
    state.changed().await;
    Ok(created)
}

/// Follows the workspace's telephony accounts again (after one was added or removed);
/// resolves with the names of the accounts followed.
#[tauri::command]
pub async fn telephony_restart(
    app: AppHandle,
    state: State<'_, AppState>,
    telephony: State<'_, Telephony>,
) -> CommandResult<Vec<String>> {
    state.core().await.map_err(ipc)?;
    telephony.restart(&app).await.map_err(ipc)
}
