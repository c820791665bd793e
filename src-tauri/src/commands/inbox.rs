use hilo_model::{InboxPage, InboxQuery};
use tauri::State;

use crate::state::{AppState, CommandResult, ipc};

#[tauri::command]
pub async fn inbox_list(state: State<'_, AppState>, query: InboxQuery) -> CommandResult<InboxPage> {
    state.core().await.map_err(ipc)?.inbox(query).await.map_err(ipc)
}
