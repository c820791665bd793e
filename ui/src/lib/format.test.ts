import { describe, expect, it } from 'vitest';
import {
  dayDifference,
  dayKey,
  formatDayLabel,
  formatDuration,
  formatLanguage,
  formatRelative,
  formatTime,
} from './format';

const UTC = 'UTC';
const NOW = Date.UTC(2025, 2, 12, 15, 0, 0); // Wed 12 March 2025, 15:00 UTC
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

describe('formatDuration', () => {
  it('formats mm:ss with zero padding', () => {
    expect(formatDuration(0)).toBe('00:00');
    expect(formatDuration(5)).toBe('00:05');
    expect(formatDuration(65)).toBe('01:05');
    expect(formatDuration(252)).toBe('04:12');
    expect(formatDuration(3599)).toBe('59:59');
  });
  it('adds hours from one hour on', () => {
    expect(formatDuration(3600)).toBe('1:00:00');
    expect(formatDuration(3725)).toBe('1:02:05');
  });
  it('rounds fractions and treats negative or non-finite as zero', () => {
    expect(formatDuration(59.6)).toBe('01:00');
    expect(formatDuration(-3)).toBe('00:00');
    expect(formatDuration(Number.NaN)).toBe('00:00');
  });
});

describe('formatRelative', () => {
  it('says "now" for the last seconds, and for a clock slightly ahead', () => {
    expect(formatRelative(NOW - 10_000, NOW, 'es', UTC)).toBe('ahora');
    expect(formatRelative(NOW - 10_000, NOW, 'en', UTC)).toBe('now');
    expect(formatRelative(NOW + 60_000, NOW, 'en', UTC)).toBe('now');
  });
  it('uses minutes, then hours', () => {
    expect(formatRelative(NOW - 5 * MIN, NOW, 'es', UTC)).toBe('hace 5 min');
    expect(formatRelative(NOW - 5 * MIN, NOW, 'en', UTC)).toMatch(/^5 min\.? ago$/);
    expect(formatRelative(NOW - 3 * HOUR, NOW, 'es', UTC)).toBe('hace 3 h');
    expect(formatRelative(NOW - 3 * HOUR, NOW, 'en', UTC)).toMatch(/^3 hr?\.? ago$/);
  });
  it('uses calendar days after that: yesterday, then n days', () => {
    expect(formatRelative(NOW - DAY, NOW, 'es', UTC)).toBe('ayer');
    expect(formatRelative(NOW - DAY, NOW, 'en', UTC)).toBe('yesterday');
    // The short style's unit ("d", "días") varies between ICU versions.
    expect(formatRelative(NOW - 3 * DAY, NOW, 'es', UTC)).toMatch(/^hace 3 d/);
    expect(formatRelative(NOW - 3 * DAY, NOW, 'en', UTC)).toMatch(/^3 days? ago$/);
  });
  it('falls back to a short date after a week, with the year only when it differs', () => {
    expect(formatRelative(Date.UTC(2025, 1, 3, 9), NOW, 'es', UTC)).toBe('3 feb');
    expect(formatRelative(Date.UTC(2025, 1, 3, 9), NOW, 'en', UTC)).toBe('Feb 3');
    expect(formatRelative(Date.UTC(2024, 11, 24, 9), NOW, 'en', UTC)).toBe('Dec 24, 2024');
  });
});

describe('days', () => {
  it('dayKey is the calendar day in the given time zone', () => {
    const lateEvening = Date.UTC(2025, 2, 11, 23, 30);
    expect(dayKey(lateEvening, UTC)).toBe('2025-03-11');
    expect(dayKey(lateEvening, 'Europe/Madrid')).toBe('2025-03-12');
    expect(dayKey(lateEvening, 'America/Mexico_City')).toBe('2025-03-11');
  });
  it('dayDifference counts calendar days, not 24 h periods', () => {
    expect(dayDifference(Date.UTC(2025, 2, 11, 23, 59), Date.UTC(2025, 2, 12, 0, 1), UTC)).toBe(1);
    expect(dayDifference(Date.UTC(2025, 2, 12, 0, 1), Date.UTC(2025, 2, 12, 23, 59), UTC)).toBe(0);
    // Across the spring DST change in Madrid (30 March 2025).
    expect(
      dayDifference(Date.UTC(2025, 2, 29, 12), Date.UTC(2025, 2, 31, 12), 'Europe/Madrid'),
    ).toBe(2);
  });
  it('labels today and yesterday in words, other days with weekday and date', () => {
    expect(formatDayLabel(NOW - HOUR, NOW, 'es', UTC)).toBe('Hoy');
    expect(formatDayLabel(NOW - DAY, NOW, 'es', UTC)).toBe('Ayer');
    expect(formatDayLabel(NOW - DAY, NOW, 'en', UTC)).toBe('Yesterday');
    expect(formatDayLabel(Date.UTC(2025, 2, 10, 9), NOW, 'es', UTC)).toBe('Lunes, 10 de marzo');
    expect(formatDayLabel(Date.UTC(2025, 2, 10, 9), NOW, 'en', UTC)).toBe('Monday, March 10');
    expect(formatDayLabel(Date.UTC(2024, 2, 10, 9), NOW, 'en', UTC)).toBe('Sunday, March 10, 2024');
  });
  it('formats the time of day in the locale', () => {
    expect(formatTime(NOW, 'es', UTC)).toBe('15:00');
    expect(formatTime(NOW, 'en', UTC)).toBe('3:00 PM');
  });
});

describe('formatLanguage', () => {
  it('names a language in the UI language, and survives garbage tags', () => {
    expect(formatLanguage('es', 'es')).toBe('Español');
    expect(formatLanguage('es', 'en')).toBe('Spanish');
    expect(formatLanguage('not a tag!', 'en')).toBe('not a tag!');
  });
});
