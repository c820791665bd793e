// The helpdesk accounts' sync states, as the indicator in the header and each pending
// message's "offline" hint read them. One store for the app: `sync://state` events land
// here, and a reload takes what the backend has now.
import type { AccountSyncState } from '../../bindings/AccountSyncState';
import type { SyncStateEvent } from '../../bindings/SyncStateEvent';
import { syncStates } from '../../ipc/accounts';

/** Worst first: what the one-line summary shows when accounts disagree. */
const SEVERITY: Record<AccountSyncState, number> = { error: 3, offline: 2, syncing: 1, idle: 0 };

/** The state the header shows for all accounts together (null with no account). */
export function summaryState(accounts: readonly SyncStateEvent[]): AccountSyncState | null {
  let worst: AccountSyncState | null = null;
  for (const a of accounts) {
    if (worst === null || SEVERITY[a.state] > SEVERITY[worst]) worst = a.state;
  }
  return worst;
}

/** An event updates its account in place, or adds it; the list stays sorted by name. */
export function applyEvent(
  accounts: readonly SyncStateEvent[],
  event: SyncStateEvent,
): SyncStateEvent[] {
  const next = accounts.filter((a) => a.accountId !== event.accountId);
  next.push(event);
  return next.sort((a, b) => a.name.localeCompare(b.name));
}

class SyncStatusStore {
  accounts = $state.raw<SyncStateEvent[]>([]);

  readonly summary = $derived(summaryState(this.accounts));
  readonly offline = $derived(this.accounts.some((a) => a.state === 'offline'));

  receive(event: SyncStateEvent): void {
    this.accounts = applyEvent(this.accounts, event);
  }

  async reload(): Promise<void> {
    try {
      const list = await syncStates();
      this.accounts = [...list].sort((a, b) => a.name.localeCompare(b.name));
    } catch (reason) {
      console.warn('hilo: cannot read the sync states', reason);
    }
  }

  clear(): void {
    this.accounts = [];
  }
}

export const syncStatus = new SyncStatusStore();
