use hilo_model::TimelinePage;
use tauri::State;

use crate::state::{AppState, CommandResult, ipc};

#[tauri::command]
pub async fn customer_timeline(
    state: State<'_, AppState>,
    customer_id: i64,
    cursor: Option<String>,
    limit: Option<u32>,
) -> CommandResult<TimelinePage> {
    state.core().await.map_err(ipc)?.timeline(customer_id, cursor, limit).await.map_err(ipc)
}
