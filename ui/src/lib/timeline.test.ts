import { describe, expect, it } from 'vitest';
import type { TimelineEntry } from '../bindings/TimelineEntry';
import { appendPage, entryConversationId, entryKey, groupByDay } from './timeline';

const H = 3_600_000;

function message(id: number, at: number, conversationId = 1): TimelineEntry {
  return {
    type: 'message',
    id,
    at,
    conversationId,
    channel: 'facebook',
    direction: 'inbound',
    kind: 'message',
    author: 'Claudio Pérez',
    text: 'hola',
    html: null,
    delivery: 'delivered',
  };
}

function call(id: number, at: number): TimelineEntry {
  return {
    type: 'call',
    id,
    at,
    direction: 'inbound',
    from: '+34600000000',
    to: '100',
    agent: 'Ana',
    outcome: 'answered',
    answeredAt: at + 5000,
    endedAt: at + 65_000,
    durationSecs: 65,
    talkSecs: 60,
    hangupCause: 'normal_clearing',
    summary: null,
  };
}

function event(id: number, at: number): TimelineEntry {
  return {
    type: 'event',
    id,
    at,
    kind: 'status_changed',
    conversationId: null,
    channel: null,
    actor: null,
    from: 'open',
    to: 'resolved',
  };
}

const TUE = Date.UTC(2025, 2, 11, 10); // Tuesday 10:00 UTC
const MON = Date.UTC(2025, 2, 10, 16); // Monday 16:00 UTC

describe('groupByDay', () => {
  it('groups newest-first entries by calendar day, keeping order', () => {
    const entries = [message(3, TUE + 2 * H), message(2, TUE), call(1, MON), event(1, MON - H)];
    const groups = groupByDay(entries, 'UTC');
    expect(groups.map((g) => g.key)).toEqual(['2025-03-11', '2025-03-10']);
    expect(groups[0]?.entries.map(entryKey)).toEqual(['message:3', 'message:2']);
    expect(groups[1]?.entries.map(entryKey)).toEqual(['call:1', 'event:1']);
    expect(groups[1]?.at).toBe(MON);
  });

  it('splits days by the given time zone', () => {
    // 23:30 UTC Monday is already Tuesday in Madrid.
    const late = Date.UTC(2025, 2, 10, 23, 30);
    expect(groupByDay([message(2, TUE), message(1, late)], 'UTC')).toHaveLength(2);
    expect(groupByDay([message(2, TUE), message(1, late)], 'Europe/Madrid')).toHaveLength(1);
  });

  it('gives every group a distinct id, even when a day reappears out of order', () => {
    const groups = groupByDay([message(1, TUE), message(2, MON), message(3, TUE)], 'UTC');
    expect(groups).toHaveLength(3);
    expect(new Set(groups.map((g) => g.id)).size).toBe(3);
  });

  it('returns no groups for no entries', () => {
    expect(groupByDay([], 'UTC')).toEqual([]);
  });
});

describe('timeline helpers', () => {
  it('keys are unique across entry types with the same id', () => {
    expect(new Set([message(1, 0), call(1, 0), event(1, 0)].map(entryKey)).size).toBe(3);
  });

  it('appending an overlapping older page drops duplicates', () => {
    const first = [message(3, 3), message(2, 2)];
    const older = [message(2, 2), call(2, 1), message(1, 0)];
    expect(appendPage(first, older).map(entryKey)).toEqual([
      'message:3',
      'message:2',
      'call:2',
      'message:1',
    ]);
  });

  it('knows which conversation an entry belongs to', () => {
    expect(entryConversationId(message(1, 0, 42))).toBe(42);
    expect(entryConversationId(call(1, 0))).toBeNull();
    expect(entryConversationId(event(1, 0))).toBeNull();
  });
});
