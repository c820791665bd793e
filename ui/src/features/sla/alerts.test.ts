import { describe, expect, it } from 'vitest';
import type { SlaAlertEvent } from '../../bindings/SlaAlertEvent';
import {
  alertOfEvent,
  countActive,
  isAlertActive,
  mergeAlerts,
  snoozeUntil,
  tomorrowAt,
} from './alerts';
import { alert, MIN, T0 } from './fixtures';

const utc = (iso: string): number => Date.parse(iso);

/** Local calendar date and time of an instant in a zone, "YYYY-MM-DD HH:mm". */
function wall(at: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).formatToParts(at);
  const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}`;
}

describe('tomorrowAt (snooze "until tomorrow 09:00")', () => {
  it('is the next local day at 09:00 in Madrid (winter, UTC+1)', () => {
    // 2025-01-10 15:00 in Madrid.
    expect(tomorrowAt(utc('2025-01-10T14:00:00Z'), 9, 0, 'Europe/Madrid')).toBe(
      utc('2025-01-11T08:00:00Z'),
    );
  });

  it('uses the local date, not the UTC one, just after local midnight', () => {
    // 00:30 on the 10th in Madrid is still the 9th in UTC: tomorrow is the 11th.
    expect(tomorrowAt(utc('2025-01-09T23:30:00Z'), 9, 0, 'Europe/Madrid')).toBe(
      utc('2025-01-11T08:00:00Z'),
    );
    // 20:00 on the 10th in Mexico City is already the 11th in UTC: tomorrow is the 11th.
    expect(tomorrowAt(utc('2025-01-11T02:00:00Z'), 9, 0, 'America/Mexico_City')).toBe(
      utc('2025-01-11T15:00:00Z'),
    );
  });

  it('crosses DST changes: the offset of tomorrow morning, not of now', () => {
    // Madrid springs forward on 2025-03-30 (02:00 → 03:00): 09:00 CEST is 07:00 UTC.
    expect(tomorrowAt(utc('2025-03-29T19:00:00Z'), 9, 0, 'Europe/Madrid')).toBe(
      utc('2025-03-30T07:00:00Z'),
    );
    // And falls back on 2025-10-26 (03:00 → 02:00): 09:00 CET is 08:00 UTC.
    expect(tomorrowAt(utc('2025-10-25T18:00:00Z'), 9, 0, 'Europe/Madrid')).toBe(
      utc('2025-10-26T08:00:00Z'),
    );
  });

  it('any wall time, also right before and inside a DST jump', () => {
    // 01:30 in Madrid on 2025-03-30 is still CET (the jump is at 02:00): 00:30 UTC.
    expect(tomorrowAt(utc('2025-03-29T12:00:00Z'), 1, 30, 'Europe/Madrid')).toBe(
      utc('2025-03-30T00:30:00Z'),
    );
    // 02:30 does not exist that night: it reads 03:30 CEST.
    expect(tomorrowAt(utc('2025-03-29T12:00:00Z'), 2, 30, 'Europe/Madrid')).toBe(
      utc('2025-03-30T01:30:00Z'),
    );
  });

  it('rolls over month and year ends', () => {
    expect(tomorrowAt(utc('2025-12-31T11:00:00Z'), 9, 0, 'Europe/Madrid')).toBe(
      utc('2026-01-01T08:00:00Z'),
    );
    expect(tomorrowAt(utc('2024-02-28T12:00:00Z'), 9, 0, 'UTC')).toBe(utc('2024-02-29T09:00:00Z'));
    expect(tomorrowAt(utc('2025-01-10T14:59:59Z'), 9, 0, 'Asia/Tokyo')).toBe(
      utc('2025-01-11T00:00:00Z'),
    );
  });

  it('always reads 09:00 on the following local day, all year, in several zones', () => {
    const zones = ['Europe/Madrid', 'America/Mexico_City', 'America/New_York', 'Asia/Kolkata'];
    for (const zone of zones) {
      for (let hour = 0; hour < 366 * 24; hour += 13) {
        const now = utc('2025-01-01T00:17:00Z') + hour * 60 * MIN;
        const at = tomorrowAt(now, 9, 0, zone);
        const today = wall(now, zone).slice(0, 10);
        const next = new Date(Date.parse(`${today}T12:00:00Z`) + 24 * 60 * MIN)
          .toISOString()
          .slice(0, 10);
        expect(wall(at, zone), `${zone} from ${new Date(now).toISOString()}`).toBe(`${next} 09:00`);
      }
    }
  });
});

describe('snoozeUntil', () => {
  it('15 minutes, an hour, or tomorrow 09:00 in the given zone', () => {
    const now = utc('2025-01-10T14:00:00Z');
    expect(snoozeUntil('15m', now)).toBe(now + 15 * MIN);
    expect(snoozeUntil('1h', now)).toBe(now + 60 * MIN);
    expect(snoozeUntil('tomorrow', now, 'Europe/Madrid')).toBe(utc('2025-01-11T08:00:00Z'));
  });
});

describe('active alerts and their order', () => {
  it('an alert is active until acknowledged, and again once its snooze ends', () => {
    expect(isAlertActive(alert(), T0)).toBe(true);
    expect(isAlertActive(alert({ acknowledgedAt: T0 }), T0 + MIN)).toBe(false);
    const snoozed = alert({ snoozedUntil: T0 + 15 * MIN });
    expect(isAlertActive(snoozed, T0 + 15 * MIN - 1)).toBe(false);
    expect(isAlertActive(snoozed, T0 + 15 * MIN)).toBe(true);
    expect(
      countActive([alert({ id: 1 }), alert({ id: 2, acknowledgedAt: T0 }), snoozed], T0 + MIN),
    ).toBe(1);
  });

  it('newest first, and an update replaces the alert with the same id', () => {
    const merged = mergeAlerts(
      [alert({ id: 1, firedAt: T0 }), alert({ id: 2, firedAt: T0 + MIN })],
      [alert({ id: 3, firedAt: T0 + 2 * MIN }), alert({ id: 1, firedAt: T0, acknowledgedAt: T0 })],
    );
    expect(merged.map((a) => a.id)).toEqual([3, 2, 1]);
    expect(merged[2]?.acknowledgedAt).toBe(T0);
    // Same instant (one summary): the higher id first.
    expect(
      mergeAlerts([], [alert({ id: 4, firedAt: T0 }), alert({ id: 5, firedAt: T0 })]).map(
        (a) => a.id,
      ),
    ).toEqual([5, 4]);
  });

  it('an event becomes an alert without the notification fields', () => {
    const event: SlaAlertEvent = {
      ...alert({ id: 9, level: 'breached' }),
      title: 'SLA incumplido',
      body: 'Claudio Pérez · Facebook',
      delivery: 'summary',
      notifyError: null,
    };
    const a = alertOfEvent(event);
    expect(a).toEqual(alert({ id: 9, level: 'breached' }));
    expect(Object.keys(a)).not.toContain('title');
  });
});
