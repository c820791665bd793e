import { SvelteSet } from 'svelte/reactivity';
import type { SlaAlert } from '../../bindings/SlaAlert';
import type { SlaAlertEvent } from '../../bindings/SlaAlertEvent';
import {
  slaAlertAcknowledge,
  slaAlerts,
  slaAlertSnooze,
  toHiloError,
  type HiloError,
} from '../../ipc';
import { alertOfEvent, mergeAlerts } from './alerts';

/** How many alerts the centre keeps. */
export const ALERTS_LIMIT = 200;
/** How long an in-app toast stays. */
export const TOAST_MS = 8_000;
/** At most this many toasts at once (a burst shows the newest). */
const MAX_TOASTS = 3;

/**
 * The alert centre: every alert newest first, acknowledge and snooze, and the short-lived
 * toasts for alerts that fire while the app is open.
 */
export class AlertsStore {
  items = $state.raw<SlaAlert[]>([]);
  loaded = $state(false);
  loading = $state(false);
  error = $state.raw<HiloError | null>(null);
  /** The error of the last acknowledge / snooze. */
  actionError = $state.raw<HiloError | null>(null);
  /** Alert ids with an action in flight. */
  readonly busy = new SvelteSet<number>();
  /** Alerts shown as toasts, newest first. */
  toasts = $state.raw<SlaAlert[]>([]);

  #generation = 0;
  #toastTimers: { id: number; timer: ReturnType<typeof setTimeout> }[] = [];
  /** Alerts already shown as a toast (an alert toasts once, even if its event repeats). */
  #toasted: number[] = [];

  async reload(): Promise<void> {
    const generation = ++this.#generation;
    this.loading = true;
    try {
      const alerts = await slaAlerts({ onlyActive: false, now: null, limit: ALERTS_LIMIT });
      if (generation !== this.#generation) return;
      // Keep alerts that arrived as events meanwhile and are not in the answer yet.
      const fresh = this.items.filter((a) => !alerts.some((b) => b.id === a.id));
      this.items = mergeAlerts(fresh, alerts).slice(0, ALERTS_LIMIT);
      this.error = null;
      this.loaded = true;
    } catch (reason) {
      if (generation !== this.#generation) return;
      this.error = toHiloError(reason);
    } finally {
      if (generation === this.#generation) this.loading = false;
    }
  }

  /** Forgets every alert and toast (the workspace closed or is being replaced). */
  clear(): void {
    this.#generation++;
    this.items = [];
    this.loaded = false;
    this.error = null;
    this.actionError = null;
    this.#toasted = [];
    this.dispose();
  }

  /** An `sla://alert` arrived: prepend it and show a toast. */
  receive(event: SlaAlertEvent): void {
    const alert = alertOfEvent(event);
    this.items = mergeAlerts(this.items, [alert]).slice(0, ALERTS_LIMIT);
    if (this.#toasted.includes(alert.id) || alert.acknowledgedAt !== null) return;
    this.#toasted = [alert.id, ...this.#toasted.slice(0, ALERTS_LIMIT - 1)];
    this.toasts = [alert, ...this.toasts.filter((a) => a.id !== alert.id)];
    for (const dropped of this.toasts.slice(MAX_TOASTS)) this.dismissToast(dropped.id);
    const timer = setTimeout(() => {
      this.dismissToast(alert.id);
    }, TOAST_MS);
    this.#toastTimers.push({ id: alert.id, timer });
  }

  dismissToast(id: number): void {
    for (const entry of this.#toastTimers) if (entry.id === id) clearTimeout(entry.timer);
    this.#toastTimers = this.#toastTimers.filter((entry) => entry.id !== id);
    this.toasts = this.toasts.filter((a) => a.id !== id);
  }

  acknowledge(id: number): Promise<void> {
    return this.#act(id, () => slaAlertAcknowledge(id));
  }

  snooze(id: number, until: number): Promise<void> {
    return this.#act(id, () => slaAlertSnooze(id, until));
  }

  async #act(id: number, action: () => Promise<SlaAlert>): Promise<void> {
    if (this.busy.has(id)) return;
    this.busy.add(id);
    this.actionError = null;
    try {
      const updated = await action();
      this.items = mergeAlerts(this.items, [updated]);
      this.dismissToast(id);
    } catch (reason) {
      this.actionError = toHiloError(reason);
    } finally {
      this.busy.delete(id);
    }
  }

  dispose(): void {
    for (const entry of this.#toastTimers) clearTimeout(entry.timer);
    this.#toastTimers = [];
    this.toasts = [];
  }
}
