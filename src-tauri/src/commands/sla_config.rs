//! Settings → SLA policies, calendars and holidays, and the Reports view's data. Every
//! change tells the scheduler and the UI (`changed`), so clocks re-evaluate at once.

use hilo_model::sla::SlaReport;
use hilo_model::sla_config::{
    SlaCalendarInput, SlaCalendarView, SlaHolidayImport, SlaPolicyInput, SlaPolicyList, SlaReportExport,
};
use hilo_model::time::now_millis;
use tauri::State;

use crate::state::{AppState, CommandResult, ipc};

#[tauri::command]
pub async fn sla_policies_list(state: State<'_, AppState>) -> CommandResult<SlaPolicyList> {
    state.core().await.map_err(ipc)?.sla_policies().await.map_err(ipc)
}

#[tauri::command]
pub async fn sla_policies_save(
    state: State<'_, AppState>,
    id: Option<i64>,
    policy: SlaPolicyInput,
) -> CommandResult<SlaPolicyList> {
    let list = state.core().await.map_err(ipc)?.sla_policy_save(id, policy).await.map_err(ipc)?;
    state.changed().await;
    Ok(list)
}

#[tauri::command]
pub async fn sla_policies_delete(state: State<'_, AppState>, id: i64) -> CommandResult<SlaPolicyList> {
    let list = state.core().await.map_err(ipc)?.sla_policy_delete(id).await.map_err(ipc)?;
    state.changed().await;
    Ok(list)
}

#[tauri::command]
pub async fn sla_policies_reorder(state: State<'_, AppState>, ids: Vec<i64>) -> CommandResult<SlaPolicyList> {
    let list = state.core().await.map_err(ipc)?.sla_policies_reorder(ids).await.map_err(ipc)?;
    state.changed().await;
    Ok(list)
}

#[tauri::command]
pub async fn sla_calendars_list(state: State<'_, AppState>) -> CommandResult<Vec<SlaCalendarView>> {
    state.core().await.map_err(ipc)?.sla_calendars().await.map_err(ipc)
}

#[tauri::command]
pub async fn sla_calendars_save(
    state: State<'_, AppState>,
    id: Option<i64>,
    calendar: SlaCalendarInput,
) -> CommandResult<Vec<SlaCalendarView>> {
    let list = state.core().await.map_err(ipc)?.sla_calendar_save(id, calendar).await.map_err(ipc)?;
    state.changed().await;
    Ok(list)
}

#[tauri::command]
pub async fn sla_calendars_delete(state: State<'_, AppState>, id: i64) -> CommandResult<Vec<SlaCalendarView>> {
    let list = state.core().await.map_err(ipc)?.sla_calendar_delete(id).await.map_err(ipc)?;
    state.changed().await;
    Ok(list)
}

#[tauri::command]
pub async fn sla_holidays_add(
    state: State<'_, AppState>,
    calendar_id: i64,
    date: String,
    name: String,
) -> CommandResult<Vec<SlaCalendarView>> {
    let list = state.core().await.map_err(ipc)?.sla_holiday_add(calendar_id, date, name).await.map_err(ipc)?;
    state.changed().await;
    Ok(list)
}

#[tauri::command]
pub async fn sla_holidays_remove(
    state: State<'_, AppState>,
    calendar_id: i64,
    date: String,
) -> CommandResult<Vec<SlaCalendarView>> {
    let list = state.core().await.map_err(ipc)?.sla_holiday_remove(calendar_id, date).await.map_err(ipc)?;
    state.changed().await;
    Ok(list)
}

/// `ics` is the text of a file the user picked; it is parsed here, never in the webview.
#[tauri::command]
pub async fn sla_holidays_import(
    state: State<'_, AppState>,
    calendar_id: i64,
    ics: String,
) -> CommandResult<SlaHolidayImport> {
    let result = state.core().await.map_err(ipc)?.sla_holidays_import(calendar_id, ics).await.map_err(ipc)?;
    state.changed().await;
    Ok(result)
}

/// Metrics over `[from, to)` (ms since the epoch), as `hilo report` computes them.
#[tauri::command]
pub async fn sla_report(state: State<'_, AppState>, from: i64, to: i64) -> CommandResult<SlaReport> {
    if to <= from {
        return Err(hilo_model::IpcError {
            code: hilo_model::ErrorCode::InvalidInput,
            message: "the period must end after it starts".into(),
        });
    }
    state.core().await.map_err(ipc)?.sla_report(from, to, now_millis()).await.map_err(ipc)
}

/// Writes the report for `[from, to)` as CSV into the user's Downloads folder (a new
/// file, never overwriting) and says where.
#[tauri::command]
pub async fn sla_report_export(state: State<'_, AppState>, from: i64, to: i64) -> CommandResult<SlaReportExport> {
    let core = state.core().await.map_err(ipc)?;
    let dir = hilo_core::sla::report_export::default_export_dir(&core.workspace().dir);
    core.sla_report_export(from, to, now_millis(), dir).await.map_err(ipc)
}
