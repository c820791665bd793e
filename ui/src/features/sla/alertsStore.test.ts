import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SlaAlert } from '../../bindings/SlaAlert';
import type { SlaAlertEvent } from '../../bindings/SlaAlertEvent';
import { alert, T0 } from './fixtures';

const slaAlerts = vi.hoisted(() => vi.fn<() => Promise<SlaAlert[]>>());
const slaAlertSnooze = vi.hoisted(() => vi.fn<(id: number, until: number) => Promise<SlaAlert>>());
vi.mock('../../ipc', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../ipc')>()),
  slaAlerts,
  slaAlertSnooze,
}));

const { AlertsStore, TOAST_MS } = await import('./alerts.svelte');

function event(overrides: Partial<SlaAlert> = {}): SlaAlertEvent {
  return { ...alert(overrides), title: 't', body: 'b', delivery: 'individual', notifyError: null };
}

describe('AlertsStore', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    slaAlerts.mockReset();
    slaAlertSnooze.mockReset();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('prepends a fired alert, toasts it once, and lets the toast go after a while', async () => {
    slaAlerts.mockResolvedValue([alert({ id: 1, firedAt: T0 })]);
    const store = new AlertsStore();
    await store.reload();
    store.receive(event({ id: 2, firedAt: T0 + 1000 }));
    expect(store.items.map((a) => a.id)).toEqual([2, 1]);
    expect(store.toasts.map((a) => a.id)).toEqual([2]);
    // The same alert again (a reload raced the event): no second toast.
    store.dismissToast(2);
    store.receive(event({ id: 2, firedAt: T0 + 1000 }));
    expect(store.toasts).toEqual([]);
    store.receive(event({ id: 3, firedAt: T0 + 2000 }));
    await vi.advanceTimersByTimeAsync(TOAST_MS - 1);
    expect(store.toasts.map((a) => a.id)).toEqual([3]);
    await vi.advanceTimersByTimeAsync(1);
    expect(store.toasts).toEqual([]);
    // An event that arrived before the list answers survives the answer.
    slaAlerts.mockResolvedValue([alert({ id: 1, firedAt: T0 })]);
    await store.reload();
    expect(store.items.map((a) => a.id)).toEqual([3, 2, 1]);
  });

  it('snoozes through the backend and keeps the updated alert', async () => {
    slaAlerts.mockResolvedValue([alert({ id: 1 })]);
    slaAlertSnooze.mockImplementation((id, until) =>
      Promise.resolve(alert({ id, snoozedUntil: until })),
    );
    const store = new AlertsStore();
    await store.reload();
    await store.snooze(1, T0 + 900_000);
    expect(slaAlertSnooze).toHaveBeenCalledWith(1, T0 + 900_000);
    expect(store.items[0]?.snoozedUntil).toBe(T0 + 900_000);
    expect(store.busy.has(1)).toBe(false);
  });
});
