use hilo_model::telephony::Language;
use hilo_model::{CacheReset, WorkspaceInfo};
use tauri::State;

use crate::state::{AppState, CommandResult, ipc};

#[tauri::command]
pub async fn workspace_open(state: State<'_, AppState>) -> CommandResult<WorkspaceInfo> {
    state.core().await.map_err(ipc)?.info().await.map_err(ipc)
}

#[tauri::command]
pub async fn workspace_load_demo(state: State<'_, AppState>) -> CommandResult<WorkspaceInfo> {
    state.load_demo().await.map_err(ipc)?.info().await.map_err(ipc)
}

#[tauri::command]
pub async fn workspace_reset_cache(state: State<'_, AppState>) -> CommandResult<CacheReset> {
    state.reset_cache().await.map_err(ipc)
}

/// The interface language, stored so desktop notifications (SLA alerts, screen-pops)
/// are written in the language the agent picked in the window.
#[tauri::command]
pub async fn language_set(state: State<'_, AppState>, language: Language) -> CommandResult<()> {
    state.core().await.map_err(ipc)?.set_language(language).await.map_err(ipc)
}
