use hilo_model::SearchHit;
use tauri::State;

use crate::state::{AppState, CommandResult, ipc};

#[tauri::command]
pub async fn search_messages(
    state: State<'_, AppState>,
    query: String,
    limit: Option<u32>,
) -> CommandResult<Vec<SearchHit>> {
    state.core().await.map_err(ipc)?.search(query, limit).await.map_err(ipc)
}
