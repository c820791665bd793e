use hilo_model::{TimelineFilter, TimelinePage};
use tauri::State;

use crate::state::{AppState, CommandResult, ipc};

#[tauri::command]
pub async fn customer_timeline(
    state: State<'_, AppState>,
    customer_id: i64,
    cursor: Option<String>,
    limit: Option<u32>,
    // Identity graph: channels, kinds and jump-to-date (absent = the whole timeline).
    filter: Option<TimelineFilter>,
) -> CommandResult<TimelinePage> {
    let core = state.core().await.map_err(ipc)?;
    match filter.filter(|f| !f.is_empty()) {
        Some(f) => core.timeline_filtered(customer_id, f, cursor, limit).await.map_err(ipc),
        None => core.timeline(customer_id, cursor, limit).await.map_err(ipc),
    }
}
