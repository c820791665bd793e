import type { Channel } from '../../bindings/Channel';
import type { ConversationStatus } from '../../bindings/ConversationStatus';
import type { ConversationSummary } from '../../bindings/ConversationSummary';
import type { InboxQuery } from '../../bindings/InboxQuery';
import { appendUnique } from '../../lib/collections';
import { inboxList, toHiloError, type HiloError } from '../../ipc';

export type StatusTab = ConversationStatus | 'all';
export const STATUS_TABS: readonly StatusTab[] = ['open', 'pending', 'snoozed', 'resolved', 'all'];

const PAGE_SIZE = 50;
/** A refresh reloads at most this many rows (the backend allows 2 000). */
const REFRESH_MAX = 1_000;

/** The inbox list: current filters, loaded rows and keyset paging. */
export class InboxStore {
  items = $state.raw<ConversationSummary[]>([]);
  nextCursor = $state<string | null>(null);
  status = $state<StatusTab>('open');
  channel = $state<Channel | null>(null);
  /** The first page of the current filters has arrived. */
  loaded = $state(false);
  loading = $state(false);
  loadingMore = $state(false);
  error = $state.raw<HiloError | null>(null);
  moreError = $state.raw<HiloError | null>(null);

  // Bumped on every reload so that answers to superseded queries are dropped.
  #generation = 0;

  #query(cursor: string | null): InboxQuery {
    return {
      status: this.status === 'all' ? null : this.status,
      channel: this.channel,
      accountId: null,
      cursor,
      limit: PAGE_SIZE,
    };
  }

  async reload(): Promise<void> {
    const generation = ++this.#generation;
    this.loading = true;
    this.loadingMore = false;
    this.loaded = false;
    this.error = null;
    this.moreError = null;
    try {
      const page = await inboxList(this.#query(null));
      if (generation !== this.#generation) return;
      this.items = page.items;
      this.nextCursor = page.nextCursor;
      this.loaded = true;
    } catch (reason) {
      if (generation !== this.#generation) return;
      this.items = [];
      this.nextCursor = null;
      this.error = toHiloError(reason);
    } finally {
      if (generation === this.#generation) this.loading = false;
    }
  }

  /**
   * Loads the rows again in place (cached data changed), as many as are shown, without the
   * loading state; a failure keeps what is shown.
   */
  async refresh(): Promise<void> {
    if (!this.loaded || this.loading) return;
    const generation = ++this.#generation;
    // A page in flight belongs to the old list: it is dropped.
    this.loadingMore = false;
    const limit = Math.min(REFRESH_MAX, Math.max(PAGE_SIZE, this.items.length));
    try {
      const page = await inboxList({ ...this.#query(null), limit });
      if (generation !== this.#generation) return;
      this.items = page.items;
      this.nextCursor = page.nextCursor;
      this.moreError = null;
    } catch {
      // Keep the rows shown; the next change or a reload tries again.
    }
  }

  async loadMore(): Promise<void> {
    const cursor = this.nextCursor;
    if (cursor === null || this.loading || this.loadingMore || this.moreError) return;
    const generation = this.#generation;
    this.loadingMore = true;
    try {
      const page = await inboxList(this.#query(cursor));
      if (generation !== this.#generation) return;
      this.items = appendUnique(this.items, page.items, (c) => c.id);
      this.nextCursor = page.nextCursor;
    } catch (reason) {
      if (generation !== this.#generation) return;
      // Stop auto-paging until the agent retries; the rows already shown stay.
      this.moreError = toHiloError(reason);
    } finally {
      if (generation === this.#generation) this.loadingMore = false;
    }
  }

  retryMore(): Promise<void> {
    this.moreError = null;
    return this.loadMore();
  }

  setStatus(status: StatusTab): Promise<void> {
    this.status = status;
    return this.reload();
  }

  setChannel(channel: Channel | null): Promise<void> {
    this.channel = channel;
    return this.reload();
  }
}
