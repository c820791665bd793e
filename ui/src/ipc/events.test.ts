import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { SlaAlertEvent } from '../bindings/SlaAlertEvent';

type Handler = (event: { event: string; id: number; payload: unknown }) => void;

const listeners = vi.hoisted(() => new Map<string, Handler>());
const unlisten = vi.hoisted(() => vi.fn());
const listen = vi.hoisted(() =>
  vi.fn((event: string, handler: Handler) => {
    listeners.set(event, handler);
    return Promise.resolve(unlisten);
  }),
);

vi.mock('@tauri-apps/api/event', () => ({ listen }));

const {
  EVENT_SLA_ALERT,
  EVENT_WORKSPACE_CHANGED,
  isSlaAlertEvent,
  onSlaAlert,
  onWorkspaceChanged,
} = await import('./index');

function emit(name: string, payload: unknown): void {
  const handler = listeners.get(name);
  if (!handler) throw new Error(`nobody listens to ${name}`);
  handler({ event: name, id: 1, payload });
}

const payload: SlaAlertEvent = {
  id: 42,
  conversationId: 7,
  callId: null,
  customerId: 3,
  customerName: 'Claudio Pérez',
  channel: 'facebook',
  metric: 'first_response',
  cycle: 1,
  level: 'at_risk',
  dueAt: 1_741_000_000_000,
  firedAt: 1_741_000_000_250,
  acknowledgedAt: null,
  snoozedUntil: null,
  title: 'SLA en riesgo',
  body: 'Claudio Pérez · Facebook · quedan 1:00',
  delivery: 'individual',
  notifyError: null,
};

describe('onSlaAlert', () => {
  beforeEach(() => {
    listeners.clear();
    listen.mockClear();
    unlisten.mockClear();
  });

  it('listens to sla://alert and hands the typed payload over', async () => {
    const received: SlaAlertEvent[] = [];
    const stop = await onSlaAlert((alert) => {
      // Typed: these compile only if the callback gets an SlaAlertEvent.
      const level: 'at_risk' | 'breached' = alert.level;
      const conversation: number = alert.conversationId;
      expect([level, conversation]).toEqual(['at_risk', 7]);
      received.push(alert);
    });
    expect(listen).toHaveBeenCalledTimes(1);
    expect(listen.mock.calls[0]?.[0]).toBe('sla://alert');
    expect(EVENT_SLA_ALERT).toBe('sla://alert');
    emit('sla://alert', payload);
    expect(received).toEqual([payload]);
    stop();
    expect(unlisten).toHaveBeenCalledTimes(1);
  });

  it('drops payloads that are not alert events', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const received: SlaAlertEvent[] = [];
    await onSlaAlert((alert) => received.push(alert));
    for (const garbage of [
      null,
      'breach',
      { ...payload, level: 'critical' },
      { ...payload, metric: 'first_reply' },
      { ...payload, channel: 'pigeon' },
      { ...payload, id: '42' },
      { ...payload, conversationId: null },
      { ...payload, delivery: undefined },
    ]) {
      emit('sla://alert', garbage);
    }
    expect(received).toEqual([]);
    expect(warn).toHaveBeenCalledTimes(8);
    warn.mockRestore();
  });

  it('accepts callbacks, acknowledged and snoozed alerts and notify errors', () => {
    expect(isSlaAlertEvent(payload)).toBe(true);
    expect(
      isSlaAlertEvent({
        ...payload,
        metric: 'callback',
        callId: 5,
        channel: 'voice',
        level: 'breached',
        acknowledgedAt: 1,
        snoozedUntil: 2,
        delivery: 'summary',
        notifyError: 'no notification daemon',
      }),
    ).toBe(true);
  });
});

describe('onWorkspaceChanged', () => {
  it('listens to workspace://changed and calls back with nothing', async () => {
    listeners.clear();
    const calls: unknown[][] = [];
    const stop = await onWorkspaceChanged((...args: unknown[]) => {
      calls.push(args);
    });
    expect(EVENT_WORKSPACE_CHANGED).toBe('workspace://changed');
    emit('workspace://changed', null);
    emit('workspace://changed', null);
    expect(calls).toEqual([[], []]);
    expect(typeof stop).toBe('function');
  });
});
