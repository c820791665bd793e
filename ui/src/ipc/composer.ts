// Composer and conversation-header commands (issue 3). Like index.ts, only ipc/ talks to Tauri.
import { invoke, type InvokeArgs } from '@tauri-apps/api/core';
import type { AgentProfile } from '../bindings/AgentProfile';
import type { ConversationDetails } from '../bindings/ConversationDetails';
import type { ConversationStatus } from '../bindings/ConversationStatus';
import type { QueuedReply } from '../bindings/QueuedReply';
import type { Snippet } from '../bindings/Snippet';
import { toHiloError } from './error';

async function call<T>(command: string, args?: InvokeArgs): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (reason) {
    throw toHiloError(reason);
  }
}

/** Snippets matching `query` (shortcut, title or body), those in `language` first. */
export function snippetsSearch(
  query: string,
  language: string,
  limit: number | null = null,
): Promise<Snippet[]> {
  return call<Snippet[]>('snippets_search', { query, language, limit });
}

/** The conversation as the composer and the header's actions need it. */
export function conversationDetails(conversationId: number): Promise<ConversationDetails> {
  return call<ConversationDetails>('conversation_details', { conversationId });
}

/** Queues a reply (or an internal note); it shows at once as pending in the timeline. */
export function replySend(
  conversationId: number,
  text: string,
  note: boolean,
): Promise<QueuedReply> {
  return call<QueuedReply>('reply_send', { conversationId, text, note });
}

/** Sends a failed or waiting outbox item again now. */
export function outboxRetry(id: number): Promise<null> {
  return call<null>('outbox_retry', { id });
}

/** Changes the text of a reply or note that has not gone out (a failed one is queued again). */
export function outboxEdit(id: number, text: string): Promise<null> {
  return call<null>('outbox_edit', { id, text });
}

/** Drops an item that has not gone out, and its pending line in the timeline. */
export function outboxDiscard(id: number): Promise<null> {
  return call<null>('outbox_discard', { id });
}

/** Changes the status (snoozed needs `snoozedUntil`, ms since the epoch). Applied at once. */
export function conversationSetStatus(
  conversationId: number,
  status: ConversationStatus,
  snoozedUntil: number | null,
): Promise<ConversationDetails> {
  return call<ConversationDetails>('conversation_set_status', {
    conversationId,
    status,
    snoozedUntil,
  });
}

/** Assigns to an agent by name (null unassigns). Applied at once. */
export function conversationAssign(
  conversationId: number,
  assignee: string | null,
): Promise<ConversationDetails> {
  return call<ConversationDetails>('conversation_assign', { conversationId, assignee });
}

export function agentProfileGet(): Promise<AgentProfile> {
  return call<AgentProfile>('agent_profile_get');
}

/** Saves the agent's name (signatures, "assign to me", "mine" alerts). */
export function agentProfileSet(profile: AgentProfile): Promise<AgentProfile> {
  return call<AgentProfile>('agent_profile_set', { profile });
}
