import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  addRing,
  applyCallUpdate,
  dismissRing,
  ENDED_LINGER_MS,
  expireRings,
  MAX_RINGS,
  nextExpiry,
  openCount,
  ringKey,
  type Ring,
} from './rings';
import { callOf, pop, strangerPop, T0 } from './fixtures';
import { RingsStore } from './rings.svelte';
import { callbackSla, selectionFromCallback, selectionFromPop } from './selection';

function keys(rings: readonly Ring[]): string[] {
  return rings.map((r) => r.pop.callRef);
}

describe('incoming-call cards', () => {
  it('stack newest on top, and the same call ringing again keeps one card', () => {
    const claudio = pop();
    const stranger = strangerPop();
    let rings = addRing([], claudio, T0);
    rings = addRing(rings, stranger, T0);
    expect(keys(rings), 'the newest ring is on top').toEqual([stranger.callRef, claudio.callRef]);
    rings = addRing(rings, { ...claudio, openConversations: 2 }, T0 + 3_000);
    expect(keys(rings), 'a repeated pop replaces its card').toEqual([
      claudio.callRef,
      stranger.callRef,
    ]);
    expect(rings[0]?.pop.openConversations).toBe(2);
    expect(rings[0]?.shownAt, 'it has rung since the first pop').toBe(T0);
  });

  it('tell calls apart by account, not just by call ref', () => {
    const a = pop({ account: 'pbx-a' });
    const b = pop({ account: 'pbx-b' });
    expect(addRing(addRing([], a, T0), b, T0)).toHaveLength(2);
    expect(ringKey('pbx-a', 'x')).not.toBe(ringKey('pbx-b', 'x'));
  });

  it(`keep at most ${MAX_RINGS} cards, dropping an ended one before a ringing one`, () => {
    let rings: readonly Ring[] = [];
    for (let i = 0; i < MAX_RINGS; i++) rings = addRing(rings, pop({ callRef: `c${i}` }), T0);
    // The newest-but-one ended: it goes first when a fifth call rings.
    rings = applyCallUpdate(rings, callOf(pop({ callRef: 'c2' }), 'missed'), T0);
    rings = addRing(rings, pop({ callRef: 'c4' }), T0);
    expect(keys(rings)).toEqual(['c4', 'c3', 'c1', 'c0']);
    rings = addRing(rings, pop({ callRef: 'c5' }), T0);
    expect(keys(rings), 'all ringing: the oldest goes').toEqual(['c5', 'c4', 'c3', 'c1']);
  });

  it('follow their call: answered, then ended', () => {
    const claudio = pop();
    let rings: readonly Ring[] = addRing([], claudio, T0);
    const same = applyCallUpdate(rings, callOf(claudio, 'ringing'), T0);
    expect(same, 'a ringing record changes nothing').toBe(rings);
    rings = applyCallUpdate(rings, callOf(claudio, 'answered'), T0 + 5_000);
    expect(rings[0]).toMatchObject({ phase: 'answered', outcome: 'answered', endedAt: null });
    rings = applyCallUpdate(rings, callOf(claudio, 'hungUp'), T0 + 65_000);
    expect(rings[0]).toMatchObject({ phase: 'ended', outcome: 'answered', endedAt: T0 + 65_000 });
    const after = applyCallUpdate(rings, callOf(claudio, 'missed'), T0 + 70_000);
    expect(after, 'an ended card stays as it ended').toBe(rings);
  });

  it('mark a ring the caller hung up as missed, and ignore calls without a card', () => {
    const claudio = pop();
    const rings = addRing([], claudio, T0);
    const missed = applyCallUpdate(rings, callOf(claudio, 'missed'), T0 + 8_000);
    expect(missed[0]).toMatchObject({ phase: 'ended', outcome: 'missed' });
    const other = callOf(pop({ callRef: 'someone-else' }), 'missed');
    expect(applyCallUpdate(rings, other, T0)).toBe(rings);
  });

  it('let ended cards linger, then leave, unless the agent is working in them', () => {
    const claudio = pop();
    const stranger = strangerPop();
    let rings: readonly Ring[] = addRing(addRing([], claudio, T0), stranger, T0);
    rings = applyCallUpdate(rings, callOf(claudio, 'missed'), T0);
    rings = applyCallUpdate(rings, callOf(stranger, 'missed'), T0 + 1_000);
    expect(nextExpiry(rings)).toBe(T0 + ENDED_LINGER_MS);
    expect(expireRings(rings, T0 + ENDED_LINGER_MS - 1)).toBe(rings);
    const held = new Set([ringKey(stranger.account, stranger.callRef)]);
    const left = expireRings(rings, T0 + ENDED_LINGER_MS + 5_000, held);
    expect(keys(left), 'the stranger being created stays').toEqual([stranger.callRef]);
    expect(nextExpiry(left, held), 'and has no expiry while held').toBeNull();
  });

  it('dismiss one card only', () => {
    const claudio = pop();
    const rings = addRing(addRing([], claudio, T0), strangerPop(), T0);
    expect(keys(dismissRing(rings, ringKey(claudio.account, claudio.callRef)))).toEqual([
      strangerPop().callRef,
    ]);
  });

  it('count open conversations in words', () => {
    expect([0, 1, 2, 7].map(openCount)).toEqual(['zero', 'one', 'many', 'many']);
  });
});

describe('opening from telephony', () => {
  it('"Open timeline" selects the conversation the pop names', () => {
    expect(selectionFromPop(pop())).toEqual({
      conversationId: 12,
      callId: null,
      customerId: 1,
      customerName: 'Claudio Pérez',
      channel: 'facebook',
      status: 'open',
      priority: null,
      subject: 'Pedido no recibido',
    });
    expect(
      selectionFromPop(pop({ latestConversation: null })),
      'a customer without conversations: their timeline',
    ).toMatchObject({ conversationId: null, customerId: 1, channel: 'voice' });
    expect(selectionFromPop(strangerPop()), 'nothing to open for an unknown caller').toBeNull();
  });

  it('a callback row carries its SLA item so the header shows the clock', () => {
    const item = {
      customerId: 1,
      customerName: 'Claudio Pérez',
      callId: 44,
      number: '+34600123456',
      missedAt: T0,
      outcome: 'missed' as const,
      account: 'centralita',
      missedCalls: 2,
    };
    const sla = {
      conversationId: 12,
      callId: 41,
      customerId: 1,
      customerName: 'Claudio Pérez',
      channel: 'voice' as const,
      status: null,
      priority: 'none' as const,
      assignee: null,
      team: null,
      policyId: 4,
      policyName: 'Devolución de llamada',
      state: 'running' as const,
      nextDueAt: null,
      clocks: [],
      backend: null,
    };
    expect(callbackSla([sla], 1)).toBe(sla);
    expect(callbackSla([{ ...sla, callId: null }], 1), 'a conversation is no callback').toBe(
      undefined,
    );
    expect(selectionFromCallback(item, sla)).toMatchObject({ callId: 41, conversationId: 12 });
    expect(selectionFromCallback(item, undefined)).toMatchObject({
      callId: 44,
      conversationId: null,
      customerId: 1,
    });
  });
});

describe('RingsStore', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(T0);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('removes an ended ring after the linger, and a held one only once released', () => {
    const store = new RingsStore();
    const claudio = pop();
    const stranger = strangerPop();
    store.receive(claudio);
    store.receive(stranger);
    store.hold(ringKey(stranger.account, stranger.callRef), true);
    store.update(callOf(claudio, 'missed'));
    store.update(callOf(stranger, 'missed'));
    expect(store.rings.map((r) => r.phase)).toEqual(['ended', 'ended']);
    vi.advanceTimersByTime(ENDED_LINGER_MS);
    expect(keys(store.rings), 'Claudio left; the stranger is being created').toEqual([
      stranger.callRef,
    ]);
    store.hold(ringKey(stranger.account, stranger.callRef), false);
    expect(store.rings, 'released after its linger: it goes').toEqual([]);
  });

  it('keeps an answered ring until it ends', () => {
    const store = new RingsStore();
    const claudio = pop();
    store.receive(claudio);
    store.update(callOf(claudio, 'answered'));
    vi.advanceTimersByTime(10 * ENDED_LINGER_MS);
    expect(store.rings.map((r) => r.phase)).toEqual(['answered']);
    store.update(callOf(claudio, 'hungUp'));
    vi.advanceTimersByTime(ENDED_LINGER_MS);
    expect(store.rings).toEqual([]);
  });

  it('forgets everything when the workspace closes', () => {
    const store = new RingsStore();
    store.receive(pop());
    store.clear();
    expect(store.rings).toEqual([]);
  });
});
