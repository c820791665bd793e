// Accounts in Settings and the sync indicator (issue 3). Only ipc/ talks to Tauri.
import { invoke, type InvokeArgs } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
import type { AccountSave } from '../bindings/AccountSave';
import type { AccountSyncState } from '../bindings/AccountSyncState';
import type { AccountView } from '../bindings/AccountView';
import type { SyncStateEvent } from '../bindings/SyncStateEvent';
import { toHiloError } from './error';
import type { Unlisten } from './events';

/** An account's sync state changed (payload: `SyncStateEvent`). */
export const EVENT_SYNC_STATE = 'sync://state';

async function call<T>(command: string, args?: InvokeArgs): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (reason) {
    throw toHiloError(reason);
  }
}

/** Every account, never with its secret (only whether the keychain holds one). */
export function accountsList(): Promise<AccountView[]> {
  return call<AccountView[]>('accounts_list');
}

/** Adds (`id` null) or edits an account; a null or empty secret keeps the stored one. */
export function accountSave(account: AccountSave): Promise<AccountView> {
  return call<AccountView>('account_save', { account });
}

/** Removes an account, its cached conversations and calls, and its keychain secret. */
export function accountRemove(id: number): Promise<null> {
  return call<null>('account_remove', { id });
}

/** The current sync state of every helpdesk account. */
export function syncStates(): Promise<SyncStateEvent[]> {
  return call<SyncStateEvent[]>('sync_states');
}

/** Syncs one account (or all, with null) now, sending what waits in the outbox. */
export function syncNow(account: number | null): Promise<null> {
  return call<null>('sync_now', { account });
}

const STATES = {
  idle: true,
  syncing: true,
  offline: true,
  error: true,
} as const satisfies Record<AccountSyncState, true>;

/** Whether an event payload has the shape of a `SyncStateEvent` (a guard against drift). */
export function isSyncStateEvent(value: unknown): value is SyncStateEvent {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v['accountId'] === 'number' &&
    typeof v['name'] === 'string' &&
    typeof v['state'] === 'string' &&
    Object.hasOwn(STATES, v['state']) &&
    (v['message'] === null || typeof v['message'] === 'string') &&
    (v['lastSyncAt'] === null || typeof v['lastSyncAt'] === 'number')
  );
}

/** Calls `callback` with each account's sync state as it changes. */
export function onSyncState(callback: (event: SyncStateEvent) => void): Promise<Unlisten> {
  return listen<unknown>(EVENT_SYNC_STATE, (event) => {
    if (isSyncStateEvent(event.payload)) callback(event.payload);
    else console.warn('hilo: ignored a malformed sync://state payload');
  });
}
