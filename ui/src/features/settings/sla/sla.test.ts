import { describe, expect, it } from 'vitest';
import type { SlaPolicyInput } from '../../../bindings/SlaPolicyInput';
import { formatDuration, MAX_TARGET_SECS, parseDuration } from './durations';
import {
  dayErrors,
  emptyHours,
  hoursProblem,
  minutesOf,
  nextShift,
  normalizedHours,
  officeHours,
  weeklyMinutes,
} from './hours';
import { moved, newPolicyForm, policyFormOf, policyOf } from './policyForm';

describe('SLA target durations', () => {
  it('reads the ways people type a target', () => {
    const cases: [string, number | null][] = [
      ['', null],
      ['   ', null],
      ['5', 300],
      ['90', 5400],
      ['1.5', 90],
      ['5 min', 300],
      ['5m', 300],
      ['1 h', 3600],
      ['1h30m', 5400],
      ['1 h 30 min', 5400],
      ['1:30', 5400],
      ['2 d', 172_800],
      ['2 días', 172_800],
      ['1 hora', 3600],
      ['45 s', 45],
      ['1,5 h', 5400],
    ];
    for (const [text, secs] of cases) {
      expect(parseDuration(text), text).toEqual({ ok: true, secs });
    }
  });

  it('refuses what is not a duration, zero and more than a year', () => {
    expect(parseDuration('soon')).toEqual({ ok: false, reason: 'format' });
    expect(parseDuration('5 parsecs')).toEqual({ ok: false, reason: 'format' });
    expect(parseDuration('5 min and')).toEqual({ ok: false, reason: 'format' });
    expect(parseDuration('-5')).toEqual({ ok: false, reason: 'format' });
    expect(parseDuration('0')).toEqual({ ok: false, reason: 'zero' });
    expect(parseDuration('0 h 0 min')).toEqual({ ok: false, reason: 'zero' });
    expect(parseDuration('367 d')).toEqual({ ok: false, reason: 'tooLong' });
    expect(parseDuration('366 d')).toEqual({ ok: true, secs: MAX_TARGET_SECS });
  });

  it('shows seconds in the largest units and reads its own output back', () => {
    const cases: [number, string][] = [
      [300, '5 min'],
      [3600, '1 h'],
      [5400, '1 h 30 min'],
      [93_600, '1 d 2 h'],
      [45, '45 s'],
      [3661, '1 h 1 min 1 s'],
    ];
    for (const [secs, text] of cases) {
      expect(formatDuration(secs)).toBe(text);
      expect(parseDuration(text)).toEqual({ ok: true, secs });
    }
    expect(formatDuration(null), 'not tracked is empty').toBe('');
  });
});

describe('weekly hours', () => {
  it('reads HH:MM up to 24:00 and nothing else', () => {
    expect(minutesOf('09:30')).toBe(570);
    expect(minutesOf('24:00')).toBe(1440);
    for (const bad of ['9:30', '24:01', '12:60', '25:00', 'noon', '']) {
      expect(minutesOf(bad), bad).toBeNull();
    }
  });

  it('flags bad times, reversed shifts and overlaps, allows touching split shifts', () => {
    const shift = (start: string, end: string) => ({ start, end });
    expect(dayErrors([shift('09:00', '14:00'), shift('15:00', '19:00')]).size).toBe(0);
    expect(dayErrors([shift('15:00', '19:00'), shift('09:00', '14:00')]).size, 'any order').toBe(0);
    expect(dayErrors([shift('09:00', '14:00'), shift('14:00', '18:00')]).size, 'touching').toBe(0);
    expect([...dayErrors([shift('9:00', '14:00')])]).toEqual([[0, 'format']]);
    expect([...dayErrors([shift('24:00', '24:00')])]).toEqual([[0, 'format']]);
    expect([...dayErrors([shift('18:00', '09:00')])]).toEqual([[0, 'order']]);
    expect([...dayErrors([shift('10:00', '10:00')])]).toEqual([[0, 'order']]);
    expect([...dayErrors([shift('13:00', '18:00'), shift('09:00', '14:00')])].sort()).toEqual([
      [0, 'overlap'],
      [1, 'overlap'],
    ]);
  });

  it('sorts shifts for the backend, sums the week and needs some hours', () => {
    const hours = emptyHours();
    hours.mon = [
      { start: '15:00', end: '19:00' },
      { start: ' 09:00', end: '14:00 ' },
    ];
    expect(normalizedHours(hours).mon).toEqual([
      { start: '09:00', end: '14:00' },
      { start: '15:00', end: '19:00' },
    ]);
    expect(weeklyMinutes(hours)).toBe(9 * 60);
    expect(weeklyMinutes(officeHours())).toBe(40 * 60);
    expect(hoursProblem(emptyHours())).toBe('empty');
    expect(hoursProblem(officeHours())).toBe('none');
    hours.tue = [{ start: '10:00', end: '09:00' }];
    expect(hoursProblem(hours)).toBe('invalid');
  });

  it('suggests the next shift after the last one', () => {
    expect(nextShift([])).toEqual({ start: '09:00', end: '17:00' });
    expect(nextShift([{ start: '09:00', end: '14:00' }])).toEqual({ start: '15:00', end: '19:00' });
    expect(nextShift([{ start: '16:00', end: '22:00' }])).toEqual({ start: '23:00', end: '24:00' });
  });
});

describe('policy form', () => {
  const policy: SlaPolicyInput = {
    name: 'Urgent chat',
    matchPriorities: ['urgent', 'high'],
    matchChannels: ['chat', 'whatsapp'],
    matchAccounts: [2],
    firstResponseSecs: 120,
    nextResponseSecs: 600,
    resolutionSecs: 86_400,
    calendarId: 4,
    pauseWhenPending: false,
    atRiskPercent: 50,
  };

  it('round-trips a policy through the form', () => {
    expect(policyOf(policyFormOf(policy))).toEqual({ ok: true, policy });
  });

  it('needs a name, one target and a 0–100 threshold', () => {
    const form = newPolicyForm();
    form.firstResponse = '';
    form.atRiskPercent = 120;
    expect(policyOf(form)).toEqual({
      ok: false,
      errors: {
        name: 'slaConfig.policy.needName',
        firstResponse: 'slaConfig.policy.needTarget',
        atRiskPercent: 'slaConfig.policy.badPercent',
      },
    });
    const typo = { ...policyFormOf(policy), resolution: '1 fortnight' };
    expect(policyOf(typo)).toEqual({
      ok: false,
      errors: { resolution: 'slaConfig.duration.format' },
    });
  });

  it('moves a policy one place up or down, never off the list', () => {
    expect(moved([1, 2, 3], 3, -1)).toEqual([1, 3, 2]);
    expect(moved([1, 2, 3], 1, 1)).toEqual([2, 1, 3]);
    expect(moved([1, 2, 3], 1, -1)).toEqual([1, 2, 3]);
    expect(moved([1, 2, 3], 3, 1)).toEqual([1, 2, 3]);
  });
});
