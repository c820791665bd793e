import type { CustomerSummary } from '../../bindings/CustomerSummary';
import type { TimelineEntry } from '../../bindings/TimelineEntry';
import type { TimelineFilter } from '../../bindings/TimelineFilter';
import { toHiloError, type HiloError } from '../../ipc';
import { customerTimelineFiltered } from '../../ipc/customers';
import { appendPage } from '../../lib/timeline';
import { NO_FILTER, isFiltered } from '../customers/context';

/** One page, narrowed by the filter when one is set. */
function page(customerId: number, cursor: string | null, limit: number, filter: TimelineFilter) {
  return customerTimelineFiltered(customerId, cursor, limit, isFiltered(filter) ? filter : null);
}

const PAGE_SIZE = 50;
/** A refresh reloads at most this many entries (the backend allows 10 000). */
const REFRESH_MAX = 1_000;

/** One customer's unified timeline (every channel and call), newest first. */
export class TimelineStore {
  customerId = $state<number | null>(null);
  customer = $state.raw<CustomerSummary | null>(null);
  items = $state.raw<TimelineEntry[]>([]);
  nextCursor = $state<string | null>(null);
  loading = $state(false);
  loadingOlder = $state(false);
  error = $state.raw<HiloError | null>(null);
  olderError = $state.raw<HiloError | null>(null);
  /** Channels, kinds and jump-to-date; reset when another customer opens. */
  filter = $state.raw<TimelineFilter>(NO_FILTER);

  #generation = 0;

  /** Shows a customer; does nothing if that customer is already shown or loading. */
  open(customerId: number): Promise<void> {
    if (customerId === this.customerId && this.error === null) return Promise.resolve();
    if (customerId !== this.customerId) this.filter = NO_FILTER;
    return this.reload(customerId);
  }

  /** Narrows (or widens) what is shown; starts again from the first page. */
  setFilter(filter: TimelineFilter): Promise<void> {
    this.filter = filter;
    return this.customerId === null ? Promise.resolve() : this.reload(this.customerId);
  }

  async reload(customerId: number): Promise<void> {
    const generation = ++this.#generation;
    this.customerId = customerId;
    this.customer = null;
    this.items = [];
    this.nextCursor = null;
    this.error = null;
    this.olderError = null;
    this.loadingOlder = false;
    this.loading = true;
    try {
      const first = await page(customerId, null, PAGE_SIZE, this.filter);
      if (generation !== this.#generation) return;
      this.customer = first.customer;
      this.items = first.items;
      this.nextCursor = first.nextCursor;
    } catch (reason) {
      if (generation !== this.#generation) return;
      this.error = toHiloError(reason);
    } finally {
      if (generation === this.#generation) this.loading = false;
    }
  }

  /**
   * Loads the newest entries again in place (cached data changed), as many as are shown,
   * without the loading state; a failure keeps what is shown.
   */
  async refresh(): Promise<void> {
    const customerId = this.customerId;
    if (customerId === null || this.loading || this.error !== null) return;
    const generation = ++this.#generation;
    // A page of older entries in flight belongs to the old list: it is dropped.
    this.loadingOlder = false;
    const limit = Math.min(REFRESH_MAX, Math.max(PAGE_SIZE, this.items.length));
    try {
      const fresh = await page(customerId, null, limit, this.filter);
      if (generation !== this.#generation) return;
      this.customer = fresh.customer;
      this.items = fresh.items;
      this.nextCursor = fresh.nextCursor;
      this.olderError = null;
    } catch {
      // Keep the timeline shown; the next change or reopening tries again.
    }
  }

  async loadOlder(): Promise<void> {
    const cursor = this.nextCursor;
    const customerId = this.customerId;
    if (cursor === null || customerId === null || this.loading || this.loadingOlder) return;
    const generation = this.#generation;
    this.loadingOlder = true;
    this.olderError = null;
    try {
      const older = await page(customerId, cursor, PAGE_SIZE, this.filter);
      if (generation !== this.#generation) return;
      this.items = appendPage(this.items, older.items);
      this.nextCursor = older.nextCursor;
    } catch (reason) {
      if (generation !== this.#generation) return;
      this.olderError = toHiloError(reason);
    } finally {
      if (generation === this.#generation) this.loadingOlder = false;
    }
  }
}
