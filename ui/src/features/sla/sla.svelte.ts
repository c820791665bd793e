import type { BackendSlaItem } from '../../bindings/BackendSlaItem';
import type { BackendSlaView } from '../../bindings/BackendSlaView';
import type { SlaItem } from '../../bindings/SlaItem';
import type { SlaState } from '../../bindings/SlaState';
import { slaOverview, toHiloError, type HiloError } from '../../ipc';
import { clock } from '../../lib/clock.svelte';
import { indexByCall, indexByConversation, nextCrossing } from './clocks';

/** How often the live overview is asked for again, besides events and crossings. */
export const SLA_REFRESH_MS = 30_000;
/** After a clock crossed locally, the backend is asked again this much later. */
export const SLA_AFTER_CROSSING_MS = 1_000;
/** Timers never sleep longer than this (they re-arm), so a long sleep cannot go stale. */
const MAX_TIMER_MS = 60_000;

const NONE: readonly SlaItem[] = [];

/**
 * The live SLA overview behind the inbox chips and the conversation header: loaded at
 * start, every 30 s, on `workspace://changed` / `sla://alert` (the app calls `reload`) and
 * shortly after a clock crosses. Between loads the clocks tick locally (see clocks.ts):
 * a timer wakes the shared clock at the exact instant of the next crossing.
 */
export class SlaStore {
  items = $state.raw<SlaItem[]>([]);
  warnings = $state.raw<string[]>([]);
  /** Helpdesk-reported SLAs of live conversations no Hilo policy covers, by conversation. */
  backendOnly = $state.raw<readonly BackendSlaItem[]>([]);
  loaded = $state(false);
  error = $state.raw<HiloError | null>(null);
  /** Bumped on every answer and every local crossing: SLA views reload on it. */
  version = $state(0);
  readonly byConversation = $derived(indexByConversation(this.items));
  readonly byCall = $derived(indexByCall(this.items));

  #generation = 0;
  #poll: ReturnType<typeof setInterval> | undefined;
  #crossing: ReturnType<typeof setTimeout> | undefined;
  #afterCrossing: ReturnType<typeof setTimeout> | undefined;

  /** Loads now and keeps loading until the returned function is called. */
  start(): () => void {
    clearInterval(this.#poll);
    this.#poll = setInterval(() => {
      void this.reload();
    }, SLA_REFRESH_MS);
    void this.reload();
    return () => {
      this.stop();
    };
  }

  stop(): void {
    clearInterval(this.#poll);
    clearTimeout(this.#crossing);
    clearTimeout(this.#afterCrossing);
    this.#poll = undefined;
    this.#generation++;
  }

  /** Forgets everything (the workspace closed or is being replaced). */
  clear(): void {
    this.#generation++;
    clearTimeout(this.#crossing);
    this.items = [];
    this.warnings = [];
    this.backendOnly = [];
    this.loaded = false;
    this.error = null;
  }

  async reload(): Promise<void> {
    const generation = ++this.#generation;
    try {
      const overview = await slaOverview({ includeFinished: false, state: null });
      if (generation !== this.#generation) return;
      this.items = overview.items;
      this.warnings = overview.warnings;
      this.backendOnly = overview.backendOnly;
      this.error = null;
      this.loaded = true;
      this.version++;
      this.#arm();
    } catch (reason) {
      if (generation !== this.#generation) return;
      // Keep the clocks already shown: they still tick, and the next load may succeed.
      this.error = toHiloError(reason);
    }
  }

  /** The SLA items of a conversation (empty when it has no SLA). */
  forConversation(conversationId: number | null): readonly SlaItem[] {
    if (conversationId === null) return NONE;
    return this.byConversation.get(conversationId) ?? NONE;
  }

  /**
   * The conversation's own clocks, for its inbox row: a callback item filed under the
   * conversation (a missed call, to be returned by phone) has its own row in the
   * callbacks view, and would otherwise paint an email row "Callback −17 d".
   */
  ownOf(conversationId: number | null): readonly SlaItem[] {
    const items = this.forConversation(conversationId);
    return items.some((i) => i.callId !== null) ? items.filter((i) => i.callId === null) : items;
  }

  /** The helpdesk's own SLA for a conversation no Hilo policy covers (else null). */
  backendOnlyFor(conversationId: number | null): BackendSlaView | null {
    return this.backendOnly.find((b) => b.conversationId === conversationId)?.backend ?? null;
  }

  /** The items of what the right-hand side shows: a conversation, or a callback item. */
  forSelection(conversationId: number | null, callId: number | null): readonly SlaItem[] {
    const items = this.forConversation(conversationId);
    const callback = callId === null ? undefined : this.byCall.get(callId);
    if (callback === undefined || items.includes(callback)) return items;
    return [...items, callback];
  }

  /** Wakes the shared clock at the next crossing instant, then asks the backend again. */
  #arm(): void {
    clearTimeout(this.#crossing);
    const now = Date.now();
    const next = nextCrossing(this.items, now);
    if (next === null) return;
    this.#crossing = setTimeout(
      () => {
        if (Date.now() < next) {
          this.#arm(); // woke early, or the cap was reached: sleep again
          return;
        }
        clock.tick();
        this.version++;
        clearTimeout(this.#afterCrossing);
        this.#afterCrossing = setTimeout(() => {
          void this.reload();
        }, SLA_AFTER_CROSSING_MS);
        this.#arm();
      },
      Math.min(MAX_TIMER_MS, next - now),
    );
  }
}

/** An SLA view of the inbox. */
export type SlaView = Extract<SlaState, 'at_risk' | 'breached'>;
export const SLA_VIEWS: readonly SlaView[] = ['at_risk', 'breached'];

export function isSlaView(value: string): value is SlaView {
  return value === 'at_risk' || value === 'breached';
}

/** The "At risk" / "Breached" list: `sla_overview` filtered by state on the backend. */
export class SlaQueueStore {
  items = $state.raw<SlaItem[]>([]);
  /** Conversations in this state by the helpdesk's own SLA that no Hilo policy covers. */
  backendOnly = $state.raw<readonly BackendSlaItem[]>([]);
  view = $state<SlaView | null>(null);
  loaded = $state(false);
  loading = $state(false);
  error = $state.raw<HiloError | null>(null);

  #generation = 0;

  /** Loads a view; `quiet` keeps the rows shown meanwhile (a refresh, not a new view). */
  async load(view: SlaView, quiet = false): Promise<void> {
    const generation = ++this.#generation;
    if (view !== this.view || !quiet) {
      this.view = view;
      this.items = [];
      this.backendOnly = [];
      this.loaded = false;
    }
    this.loading = true;
    this.error = null;
    try {
      const overview = await slaOverview({ includeFinished: false, state: view });
      if (generation !== this.#generation) return;
      this.items = overview.items;
      this.backendOnly = overview.backendOnly;
      this.loaded = true;
    } catch (reason) {
      if (generation !== this.#generation) return;
      this.error = toHiloError(reason);
    } finally {
      if (generation === this.#generation) this.loading = false;
    }
  }
}
