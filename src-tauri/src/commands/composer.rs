//! The composer and the conversation header: snippets, the agent's profile, replies and
//! notes, status and assignment. Every change goes through the outbox, is applied to the
//! cache at once (the UI reloads on `workspace://changed`), and pokes the account's sync
//! so it goes out now when the helpdesk is reachable.

use hilo_core::{composer, outbox};
use hilo_model::ConversationStatus;
use hilo_model::composer::{AgentProfile, ConversationDetails, QueuedReply, Snippet};
use tauri::State;

use crate::state::{AppState, CommandResult, ipc};

/// The cache changed and `account_id`'s outbox has work: tell the UI and send it now.
async fn queued(state: &AppState, account_id: i64) {
    state.changed().await;
    if let Ok(sync) = state.sync().await {
        // Not sending now is not an error: the item waits in the outbox for the next sync.
        let _ = sync.sync_now(Some(account_id)).await;
    }
}

#[tauri::command]
pub async fn snippets_search(
    state: State<'_, AppState>,
    query: String,
    language: String,
    limit: Option<u32>,
) -> CommandResult<Vec<Snippet>> {
    let core = state.core().await.map_err(ipc)?;
    core.store()
        .read_async(move |c| composer::search_snippets(c, &query, &language, limit))
        .await
        .map_err(|e| ipc(e.into()))
}

#[tauri::command]
pub async fn conversation_details(
    state: State<'_, AppState>,
    conversation_id: i64,
) -> CommandResult<ConversationDetails> {
    let core = state.core().await.map_err(ipc)?;
    composer::conversation_details(core.store(), conversation_id).await.map_err(ipc)
}

#[tauri::command]
pub async fn reply_send(
    state: State<'_, AppState>,
    conversation_id: i64,
    text: String,
    note: bool,
) -> CommandResult<QueuedReply> {
    let core = state.core().await.map_err(ipc)?;
    let reply = composer::send_reply(core.store(), conversation_id, &text, note).await.map_err(ipc)?;
    queued(&state, reply.account_id).await;
    Ok(reply)
}

#[tauri::command]
pub async fn outbox_retry(state: State<'_, AppState>, id: i64) -> CommandResult<()> {
    let core = state.core().await.map_err(ipc)?;
    let entry = outbox::retry(core.store(), id).await.map_err(ipc)?;
    queued(&state, entry.account_id).await;
    Ok(())
}

#[tauri::command]
pub async fn outbox_edit(state: State<'_, AppState>, id: i64, text: String) -> CommandResult<()> {
    let core = state.core().await.map_err(ipc)?;
    let entry = outbox::edit(core.store(), id, &text).await.map_err(ipc)?;
    queued(&state, entry.account_id).await;
    Ok(())
}

#[tauri::command]
pub async fn outbox_discard(state: State<'_, AppState>, id: i64) -> CommandResult<()> {
    let core = state.core().await.map_err(ipc)?;
    outbox::discard(core.store(), id).await.map_err(ipc)?;
    state.changed().await;
    Ok(())
}

#[tauri::command]
pub async fn conversation_set_status(
    state: State<'_, AppState>,
    conversation_id: i64,
    status: ConversationStatus,
    snoozed_until: Option<i64>,
) -> CommandResult<ConversationDetails> {
    let core = state.core().await.map_err(ipc)?;
    let details = composer::set_status(core.store(), conversation_id, status, snoozed_until).await.map_err(ipc)?;
    queued(&state, details.account_id).await;
    Ok(details)
}

#[tauri::command]
pub async fn conversation_assign(
    state: State<'_, AppState>,
    conversation_id: i64,
    assignee: Option<String>,
) -> CommandResult<ConversationDetails> {
    let core = state.core().await.map_err(ipc)?;
    let details = composer::assign(core.store(), conversation_id, assignee).await.map_err(ipc)?;
    queued(&state, details.account_id).await;
    Ok(details)
}

#[tauri::command]
pub async fn agent_profile_get(state: State<'_, AppState>) -> CommandResult<AgentProfile> {
    let core = state.core().await.map_err(ipc)?;
    composer::agent_profile(core.store()).await.map_err(ipc)
}

#[tauri::command]
pub async fn agent_profile_set(state: State<'_, AppState>, profile: AgentProfile) -> CommandResult<AgentProfile> {
    let core = state.core().await.map_err(ipc)?;
    let saved = composer::set_agent_profile(core.store(), profile).await.map_err(ipc)?;
    // "Mine" alerts follow the name.
    state.changed().await;
    Ok(saved)
}
