// The alert centre's pure parts: which alerts count as active, their order, the snooze
// instants. Time and time zone are passed in.
import type { SlaAlert } from '../../bindings/SlaAlert';
import type { SlaAlertEvent } from '../../bindings/SlaAlertEvent';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** Not acknowledged, and not snoozed past `now`. */
export function isAlertActive(alert: SlaAlert, now: number): boolean {
  return (
    alert.acknowledgedAt === null && (alert.snoozedUntil === null || alert.snoozedUntil <= now)
  );
}

export function countActive(alerts: readonly SlaAlert[], now: number): number {
  return alerts.reduce((n, alert) => (isAlertActive(alert, now) ? n + 1 : n), 0);
}

/** Newest first: by when the alert fired, then by id. */
export function compareAlerts(a: SlaAlert, b: SlaAlert): number {
  return b.firedAt - a.firedAt || b.id - a.id;
}

/** Replaces alerts with the same id by `incoming` and keeps the list newest first. */
export function mergeAlerts(
  existing: readonly SlaAlert[],
  incoming: readonly SlaAlert[],
): SlaAlert[] {
  const byId = new Map<number, SlaAlert>();
  for (const alert of existing) byId.set(alert.id, alert);
  for (const alert of incoming) byId.set(alert.id, alert);
  return [...byId.values()].sort(compareAlerts);
}

/** The alert an event carries, without the notification's own fields. */
export function alertOfEvent(event: SlaAlertEvent): SlaAlert {
  return {
    id: event.id,
    conversationId: event.conversationId,
    callId: event.callId,
    customerId: event.customerId,
    customerName: event.customerName,
    channel: event.channel,
    metric: event.metric,
    cycle: event.cycle,
    level: event.level,
    dueAt: event.dueAt,
    firedAt: event.firedAt,
    acknowledgedAt: event.acknowledgedAt,
    snoozedUntil: event.snoozedUntil,
  };
}

// ---------------------------------------------------------------------------------------
// Snooze.

export type SnoozeChoice = '15m' | '1h' | 'tomorrow';
export const SNOOZE_CHOICES: readonly SnoozeChoice[] = ['15m', '1h', 'tomorrow'];
/** "Until tomorrow" means this local time of the next calendar day. */
export const TOMORROW_HOUR = 9;

interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formats = new Map<string, Intl.DateTimeFormat>();

function wallFormat(timeZone: string | undefined): Intl.DateTimeFormat {
  const key = timeZone ?? '';
  let format = formats.get(key);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formats.set(key, format);
  }
  return format;
}

/** The wall-clock reading of an instant in a time zone (default: the machine's). */
function wallTime(at: number, timeZone: string | undefined): WallTime {
  const parts = wallFormat(timeZone).formatToParts(at);
  const get = (type: Intl.DateTimeFormatPartTypes): number =>
    Number(parts.find((p) => p.type === type)?.value ?? '0');
  return {
    year: get('year'),
    month: get('month'),
    day: get('day'),
    hour: get('hour') % 24,
    minute: get('minute'),
    second: get('second'),
  };
}

/** The zone's offset from UTC at an instant, in ms (Madrid in winter: +3 600 000). */
function offsetAt(at: number, timeZone: string | undefined): number {
  const w = wallTime(at, timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - (at - (((at % 1000) + 1000) % 1000));
}

/**
 * The instant the next calendar day (in `timeZone`, default the machine's) reads
 * `hour:minute`. Correct across DST changes; a wall time that does not exist that day (in a
 * spring-forward gap) moves forward by the gap (02:30 → 03:30), as clocks do.
 */
export function tomorrowAt(now: number, hour: number, minute: number, timeZone?: string): number {
  const today = wallTime(now, timeZone);
  // Date.UTC normalises day overflow (31 → the 1st of the next month, and years).
  const wanted = Date.UTC(today.year, today.month - 1, today.day + 1, hour, minute, 0);
  // Read the wanted wall time as UTC, then correct by the zone's offset; twice, because
  // the offset at the first guess may be the other side of a DST change.
  let at = wanted - offsetAt(wanted, timeZone);
  at = wanted - offsetAt(at, timeZone);
  return at;
}

/** When a snooze chosen at `now` ends. */
export function snoozeUntil(choice: SnoozeChoice, now: number, timeZone?: string): number {
  switch (choice) {
    case '15m':
      return now + 15 * MINUTE;
    case '1h':
      return now + HOUR;
    case 'tomorrow':
      return tomorrowAt(now, TOMORROW_HOUR, 0, timeZone);
  }
}
