import { describe, expect, it } from 'vitest';
import { isSlaOpenTarget } from '../../ipc/slaOpen';
import { alert, slaItem } from './fixtures';
import { selectionForOpen } from './open';

describe('opening what a clicked notification names', () => {
  it('opens the conversation of the alert that fired', () => {
    const selection = selectionForOpen(
      { kind: 'conversation', id: 1 },
      [alert({ conversationId: 1, customerName: 'Claudio Pérez' })],
      [slaItem({ conversationId: 1, status: 'open', priority: 'high' })],
    );
    expect(selection).toMatchObject({
      conversationId: 1,
      customerName: 'Claudio Pérez',
      status: 'open',
      priority: 'high',
    });
  });

  it('falls back to the SLA item, and opens nothing unknown', () => {
    expect(
      selectionForOpen({ kind: 'conversation', id: 5 }, [], [slaItem({ conversationId: 5 })])
        ?.conversationId,
    ).toBe(5);
    expect(selectionForOpen({ kind: 'conversation', id: 9 }, [alert()], [slaItem()])).toBeNull();
    expect(selectionForOpen({ kind: 'alerts' }, [alert()], [slaItem()])).toBeNull();
  });

  it('opens a callback item by its customer', () => {
    const callback = slaItem({ conversationId: null, callId: 3, customerId: 42, channel: 'voice' });
    expect(selectionForOpen({ kind: 'customer', id: 42 }, [], [callback])).toMatchObject({
      callId: 3,
      customerId: 42,
    });
  });

  it('accepts only well-formed event payloads', () => {
    expect(isSlaOpenTarget({ kind: 'conversation', id: 3 })).toBe(true);
    expect(isSlaOpenTarget({ kind: 'alerts' })).toBe(true);
    for (const bad of [null, 'conversation:3', { kind: 'conversation' }, { kind: 'x', id: 1 }]) {
      expect(isSlaOpenTarget(bad), JSON.stringify(bad)).toBe(false);
    }
    expect(isSlaOpenTarget({ kind: 'customer', id: -1 })).toBe(false);
  });
});
