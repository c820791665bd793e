// The only module that talks to Tauri. Everything else imports these typed functions.
import { invoke, type InvokeArgs } from '@tauri-apps/api/core';
import type { CacheReset } from '../bindings/CacheReset';
import type { InboxPage } from '../bindings/InboxPage';
import type { InboxQuery } from '../bindings/InboxQuery';
import type { SearchHit } from '../bindings/SearchHit';
import type { TimelinePage } from '../bindings/TimelinePage';
import type { WorkspaceInfo } from '../bindings/WorkspaceInfo';
import { toHiloError } from './error';

export { HiloError, isErrorCode, toHiloError } from './error';

async function call<T>(command: string, args?: InvokeArgs): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (reason) {
    throw toHiloError(reason);
  }
}

/** Opens the local workspace (cache). Rejects with cacheUnreadable, cacheKeyMissing, keychainUnavailable… */
export function workspaceOpen(): Promise<WorkspaceInfo> {
  return call<WorkspaceInfo>('workspace_open');
}

/** Fills the current, empty workspace with the demo data. */
export function workspaceLoadDemo(): Promise<WorkspaceInfo> {
  return call<WorkspaceInfo>('workspace_load_demo');
}

/** Moves an unreadable cache aside (nothing is deleted). Call workspaceOpen afterwards. */
export function workspaceResetCache(): Promise<CacheReset> {
  return call<CacheReset>('workspace_reset_cache');
}

/** One page of the inbox, newest activity first. */
export function inboxList(query: InboxQuery): Promise<InboxPage> {
  return call<InboxPage>('inbox_list', { query });
}

/** One page of a customer's unified timeline, newest first. */
export function customerTimeline(
  customerId: number,
  cursor: string | null,
  limit: number | null,
): Promise<TimelinePage> {
  return call<TimelinePage>('customer_timeline', { customerId, cursor, limit });
}

/** Full-text search over cached messages. */
export function searchMessages(query: string, limit: number | null): Promise<SearchHit[]> {
  return call<SearchHit[]>('search_messages', { query, limit });
}
