// Weekly opening hours in the calendar editor: `HH:MM` shifts per weekday (several per
// day are split shifts), checked like the backend checks them. Pure.
import type { SlaShift } from '../../../bindings/SlaShift';
import type { SlaWeeklyHours } from '../../../bindings/SlaWeeklyHours';

export const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Day = (typeof DAYS)[number];

export type ShiftError = 'format' | 'order' | 'overlap';

/** Minutes since midnight of `HH:MM` (00:00–24:00), or null. */
export function minutesOf(time: string): number | null {
  const match = /^(\d\d):(\d\d)$/.exec(time.trim());
  if (!match) return null;
  const hours = Number(match[1]);
  const minutes = Number(match[2]);
  if (hours > 24 || minutes > 59 || (hours === 24 && minutes !== 0)) return null;
  return hours * 60 + minutes;
}

/**
 * Problems of one day's shifts, by index: a time that is not `HH:MM`, a shift that does
 * not start before it ends (a day ends at 24:00; night shifts are two shifts), or one
 * that overlaps another (touching, 14:00–14:00, is fine). Order of entry does not matter.
 */
export function dayErrors(shifts: readonly SlaShift[]): Map<number, ShiftError> {
  const errors = new Map<number, ShiftError>();
  const valid: { index: number; start: number; end: number }[] = [];
  shifts.forEach((shift, index) => {
    const start = minutesOf(shift.start);
    const end = minutesOf(shift.end);
    if (start === null || end === null || start === 24 * 60) errors.set(index, 'format');
    else if (start >= end) errors.set(index, 'order');
    else valid.push({ index, start, end });
  });
  valid.sort((a, b) => a.start - b.start || a.end - b.end);
  for (let i = 1; i < valid.length; i++) {
    const previous = valid[i - 1];
    const current = valid[i];
    if (previous && current && current.start < previous.end) {
      errors.set(current.index, 'overlap');
      if (!errors.has(previous.index)) errors.set(previous.index, 'overlap');
    }
  }
  return errors;
}

/** Each day's shifts sorted by start, times trimmed: what is sent to the backend. */
export function normalizedHours(hours: SlaWeeklyHours): SlaWeeklyHours {
  const day = (shifts: readonly SlaShift[]): SlaShift[] =>
    shifts
      .map((s) => ({ start: s.start.trim(), end: s.end.trim() }))
      .sort((a, b) => (minutesOf(a.start) ?? 0) - (minutesOf(b.start) ?? 0));
  return {
    mon: day(hours.mon),
    tue: day(hours.tue),
    wed: day(hours.wed),
    thu: day(hours.thu),
    fri: day(hours.fri),
    sat: day(hours.sat),
    sun: day(hours.sun),
  };
}

/** Whether every day is valid and at least one shift exists. */
export function hoursProblem(hours: SlaWeeklyHours): 'none' | 'invalid' | 'empty' {
  let any = false;
  for (const d of DAYS) {
    if (dayErrors(hours[d]).size > 0) return 'invalid';
    if (hours[d].length > 0) any = true;
  }
  return any ? 'none' : 'empty';
}

/** Business minutes per week, for the editor's summary line. */
export function weeklyMinutes(hours: SlaWeeklyHours): number {
  let total = 0;
  for (const d of DAYS) {
    for (const s of hours[d]) {
      const start = minutesOf(s.start);
      const end = minutesOf(s.end);
      if (start !== null && end !== null && end > start) total += end - start;
    }
  }
  return total;
}

export function emptyHours(): SlaWeeklyHours {
  return { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] };
}

/** A new calendar's starting point: 09:00–17:00 Monday to Friday. */
export function officeHours(): SlaWeeklyHours {
  const day = (): SlaShift[] => [{ start: '09:00', end: '17:00' }];
  return { mon: day(), tue: day(), wed: day(), thu: day(), fri: day(), sat: [], sun: [] };
}

/** A shift to add after the day's last one: the next free hour, or the morning. */
export function nextShift(shifts: readonly SlaShift[]): SlaShift {
  const ends = shifts.map((s) => minutesOf(s.end)).filter((m): m is number => m !== null);
  const last = ends.length > 0 ? Math.max(...ends) : null;
  if (last === null) return { start: '09:00', end: '17:00' };
  const start = Math.min(last + 60, 23 * 60);
  const end = Math.min(start + 4 * 60, 24 * 60);
  const hhmm = (m: number): string =>
    `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
  return { start: hhmm(start), end: hhmm(end) };
}
