import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SlaOverview } from '../../bindings/SlaOverview';
import type { SlaOverviewQuery } from '../../bindings/SlaOverviewQuery';
import { backendOnlyItem, clockView, MIN, slaItem, T0 } from './fixtures';

const slaOverview = vi.hoisted(() => vi.fn<(query: SlaOverviewQuery) => Promise<SlaOverview>>());
vi.mock('../../ipc', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../ipc')>()),
  slaOverview,
}));

const { SlaStore, SlaQueueStore, SLA_AFTER_CROSSING_MS, SLA_REFRESH_MS } =
  await import('./sla.svelte');
const { clock } = await import('../../lib/clock.svelte');

function overview(items = [slaItem()]): SlaOverview {
  return { now: Date.now(), items, warnings: [], backendOnly: [] };
}

describe('SlaStore', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(T0 + MIN);
    slaOverview.mockReset();
    slaOverview.mockImplementation(() => Promise.resolve(overview()));
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('loads the live overview at start and every 30 s, indexed by conversation', async () => {
    const store = new SlaStore();
    const stop = store.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(slaOverview).toHaveBeenCalledWith({ includeFinished: false, state: null });
    expect(store.loaded).toBe(true);
    expect(store.forConversation(1)).toHaveLength(1);
    expect(store.forConversation(2)).toHaveLength(0);
    expect(store.forConversation(null)).toHaveLength(0);
    const calls = slaOverview.mock.calls.length;
    await vi.advanceTimersByTimeAsync(SLA_REFRESH_MS);
    expect(slaOverview.mock.calls.length).toBe(calls + 1);
    stop();
    await vi.advanceTimersByTimeAsync(5 * SLA_REFRESH_MS);
    expect(slaOverview.mock.calls.length).toBe(calls + 1);
  });

  it('wakes the clock at the exact crossing instant, then asks the backend again', async () => {
    slaOverview.mockImplementation(() => Promise.resolve(overview([slaItem()])));
    const store = new SlaStore();
    await store.reload();
    const version = store.version;
    const calls = slaOverview.mock.calls.length;
    // The at-risk instant is T0 + 4 min: three minutes from now.
    await vi.advanceTimersByTimeAsync(3 * MIN - 1);
    expect(store.version).toBe(version);
    await vi.advanceTimersByTimeAsync(1);
    expect(clock.now).toBe(T0 + 4 * MIN);
    expect(store.version).toBe(version + 1);
    expect(slaOverview.mock.calls.length).toBe(calls);
    await vi.advanceTimersByTimeAsync(SLA_AFTER_CROSSING_MS);
    expect(slaOverview.mock.calls.length).toBe(calls + 1);
    store.stop();
  });

  it('keeps the clocks shown when a reload fails', async () => {
    const store = new SlaStore();
    await store.reload();
    slaOverview.mockImplementation(() => Promise.reject(new Error('disk on fire')));
    await store.reload();
    expect(store.error?.code).toBe('internal');
    expect(store.items).toHaveLength(1);
    store.stop();
  });

  it('the callback of a selection joins its conversation items', async () => {
    const callback = slaItem({
      conversationId: null,
      callId: 3,
      clocks: [clockView({ metric: 'callback' })],
    });
    slaOverview.mockImplementation(() => Promise.resolve(overview([slaItem(), callback])));
    const store = new SlaStore();
    await store.reload();
    expect(store.forSelection(1, 3).map((i) => i.callId)).toEqual([null, 3]);
    expect(store.forSelection(null, 3).map((i) => i.callId)).toEqual([3]);
    store.stop();
  });

  it("an inbox row shows its conversation's own clocks, not a callback filed under it", async () => {
    const own = slaItem({ conversationId: 5 });
    const callback = slaItem({
      conversationId: 5,
      callId: 9,
      clocks: [clockView({ metric: 'callback' })],
    });
    slaOverview.mockImplementation(() => Promise.resolve(overview([own, callback])));
    const store = new SlaStore();
    await store.reload();
    expect(store.ownOf(5)).toEqual([own]);
    expect(store.forConversation(5)).toEqual([own, callback]);
    expect(store.forSelection(5, null)).toEqual([own, callback]);
    expect(store.ownOf(null)).toEqual([]);
    store.stop();
  });
});

describe('SlaQueueStore', () => {
  it('asks for one state and drops superseded answers', async () => {
    let release: (value: SlaOverview) => void = () => undefined;
    slaOverview.mockReset();
    slaOverview
      .mockImplementationOnce(
        () =>
          new Promise((resolve) => {
            release = resolve;
          }),
      )
      .mockImplementationOnce(() => Promise.resolve(overview([slaItem({ conversationId: 2 })])));
    const queue = new SlaQueueStore();
    const first = queue.load('at_risk');
    await queue.load('breached');
    release(overview([slaItem({ conversationId: 1 })]));
    await first;
    expect(slaOverview.mock.calls.map((c) => c[0].state)).toEqual(['at_risk', 'breached']);
    expect(queue.view).toBe('breached');
    expect(queue.items.map((i) => i.conversationId)).toEqual([2]);
  });

  it('keeps the conversations only the helpdesk SLA covers', async () => {
    const onlyChatwoot = backendOnlyItem();
    slaOverview.mockReset();
    slaOverview.mockImplementation(() =>
      Promise.resolve({ ...overview([]), backendOnly: [onlyChatwoot] }),
    );
    const queue = new SlaQueueStore();
    await queue.load('breached');
    expect(queue.backendOnly).toEqual([onlyChatwoot]);
    // A new view starts empty: no row of the previous one lingers.
    let release: (value: SlaOverview) => void = () => undefined;
    slaOverview.mockImplementationOnce(
      () =>
        new Promise((resolve) => {
          release = resolve;
        }),
    );
    const next = queue.load('at_risk');
    expect(queue.backendOnly).toEqual([]);
    release(overview([]));
    await next;
  });
});
