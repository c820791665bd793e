//! Identity graph: the customer context panel, merges, unmerges and dismissed suggestions.
//! Writes tell the UI to reload (`workspace://changed`): the inbox and timeline move with them.

use hilo_model::time::now_millis;
use hilo_model::{CustomerContext, MergeOutcome, UnmergeOutcome};
use tauri::State;

use crate::state::{AppState, CommandResult, ipc};

#[tauri::command]
pub async fn customer_context(state: State<'_, AppState>, customer_id: i64) -> CommandResult<CustomerContext> {
    state.core().await.map_err(ipc)?.customer_context(customer_id).await.map_err(ipc)
}

#[tauri::command]
pub async fn customer_merge(state: State<'_, AppState>, target_id: i64, source_id: i64) -> CommandResult<MergeOutcome> {
    let core = state.core().await.map_err(ipc)?;
    let outcome = core.merge_customers(target_id, source_id, now_millis()).await.map_err(ipc)?;
    state.changed().await;
    Ok(outcome)
}

#[tauri::command]
pub async fn customer_unmerge(state: State<'_, AppState>, merge_id: i64) -> CommandResult<UnmergeOutcome> {
    let core = state.core().await.map_err(ipc)?;
    let outcome = core.unmerge_customers(merge_id, now_millis()).await.map_err(ipc)?;
    state.changed().await;
    Ok(outcome)
}

#[tauri::command]
pub async fn merge_suggestion_dismiss(
    state: State<'_, AppState>,
    customer_id: i64,
    other_id: i64,
) -> CommandResult<()> {
    let core = state.core().await.map_err(ipc)?;
    core.dismiss_merge_suggestion(customer_id, other_id, now_millis()).await.map_err(ipc)?;
    state.changed().await;
    Ok(())
}
