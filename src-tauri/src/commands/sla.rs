use hilo_model::sla::{SlaAlert, SlaAlertQuery, SlaAlertSettings, SlaOverview, SlaOverviewQuery};
use hilo_model::time::now_millis;
use tauri::State;

use crate::state::{AppState, CommandResult, ipc};

#[tauri::command]
pub async fn sla_overview(state: State<'_, AppState>, query: SlaOverviewQuery) -> CommandResult<SlaOverview> {
    state.core().await.map_err(ipc)?.sla_overview(query, now_millis()).await.map_err(ipc)
}

#[tauri::command]
pub async fn sla_alerts(state: State<'_, AppState>, query: SlaAlertQuery) -> CommandResult<Vec<SlaAlert>> {
    state.core().await.map_err(ipc)?.sla_alerts(query).await.map_err(ipc)
}

#[tauri::command]
pub async fn sla_alert_acknowledge(state: State<'_, AppState>, id: i64) -> CommandResult<SlaAlert> {
    state.core().await.map_err(ipc)?.acknowledge_sla_alert(id, now_millis()).await.map_err(ipc)
}

#[tauri::command]
pub async fn sla_alert_snooze(state: State<'_, AppState>, id: i64, until: i64) -> CommandResult<SlaAlert> {
    state.core().await.map_err(ipc)?.snooze_sla_alert(id, until).await.map_err(ipc)
}

#[tauri::command]
pub async fn sla_settings_get(state: State<'_, AppState>) -> CommandResult<SlaAlertSettings> {
    state.core().await.map_err(ipc)?.sla_settings().await.map_err(ipc)
}

#[tauri::command]
pub async fn sla_settings_set(
    state: State<'_, AppState>,
    settings: SlaAlertSettings,
) -> CommandResult<SlaAlertSettings> {
    let core = state.core().await.map_err(ipc)?;
    let saved = core.set_sla_settings(settings).await.map_err(ipc)?;
    state.changed().await;
    Ok(saved)
}
