// SLA clocks as the UI shows them, pure: `now` is passed in. The backend evaluates every
// clock at one instant (`SlaOverview.now`); between two loads the UI ticks the countdowns
// itself and flips a clock's state at the exact instant it crosses its at-risk or due
// instant, the same way hilo-sla does (a crossing instant already counts: `now >= at`).
import type { SlaClockView } from '../../bindings/SlaClockView';
import type { SlaItem } from '../../bindings/SlaItem';
import type { SlaMetric } from '../../bindings/SlaMetric';
import type { SlaState } from '../../bindings/SlaState';
import { translate, type Locale } from '../../lib/i18n/translate';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Higher is more urgent (the same order as the backend's `SlaState::urgency`). */
export const URGENCY = {
  breached: 4,
  at_risk: 3,
  running: 2,
  paused: 1,
  achieved: 0,
} as const satisfies Record<SlaState, number>;

/** Display order of metrics (and the tie-break between equally urgent clocks). */
export const METRIC_ORDER = {
  first_response: 0,
  next_response: 1,
  resolution: 2,
  callback: 3,
} as const satisfies Record<SlaMetric, number>;

export const SLA_METRICS: readonly SlaMetric[] = (Object.keys(METRIC_ORDER) as SlaMetric[]).sort(
  (a, b) => METRIC_ORDER[a] - METRIC_ORDER[b],
);
export const SLA_STATES: readonly SlaState[] = (Object.keys(URGENCY) as SlaState[]).sort(
  (a, b) => URGENCY[b] - URGENCY[a],
);

/**
 * The state a clock shows at `now`. Running and at-risk clocks move on their own: at
 * `atRiskAt` a running clock turns at risk, at `dueAt` it breaches. Paused, achieved and
 * breached clocks only change when the backend says so (a reply, a status change).
 */
export function liveState(clock: SlaClockView, now: number): SlaState {
  if (clock.state !== 'running' && clock.state !== 'at_risk') return clock.state;
  if (clock.dueAt !== null && now >= clock.dueAt) return 'breached';
  if (clock.state === 'at_risk') return 'at_risk';
  if (clock.atRiskAt !== null && now >= clock.atRiskAt) return 'at_risk';
  return 'running';
}

/**
 * Milliseconds left at `now` (negative once overdue), or null when there is nothing to
 * count (achieved, or a clock whose calendar never opens). Live clocks count down to
 * `dueAt` on the wall clock; a paused clock shows the business time it has left.
 */
export function liveRemainingMs(clock: SlaClockView, now: number): number | null {
  switch (clock.state) {
    case 'achieved':
      return null;
    case 'paused':
      return clock.remainingMs;
    case 'breached': {
      const since = clock.breachedAt ?? clock.dueAt;
      return since === null ? clock.remainingMs : since - now;
    }
    case 'running':
    case 'at_risk':
      return clock.dueAt === null ? null : clock.dueAt - now;
  }
}

/** A clock with what it shows at one instant. */
export interface LiveClock {
  clock: SlaClockView;
  state: SlaState;
  /** See {@link liveRemainingMs}. */
  remainingMs: number | null;
}

export function live(clock: SlaClockView, now: number): LiveClock {
  return { clock, state: liveState(clock, now), remainingMs: liveRemainingMs(clock, now) };
}

/**
 * Orders live clocks most urgent first: by state (breached, at risk, running, paused,
 * achieved); among breached, the longest overdue; among the others, the least time left
 * (nothing to count goes last); then metric order and the newest cycle.
 */
export function compareLiveClocks(a: LiveClock, b: LiveClock): number {
  const byState = URGENCY[b.state] - URGENCY[a.state];
  if (byState !== 0) return byState;
  const left = (x: LiveClock): number => x.remainingMs ?? Number.POSITIVE_INFINITY;
  if (left(a) !== left(b)) return left(a) < left(b) ? -1 : 1;
  if (a.state === 'achieved') {
    const at = (x: LiveClock): number => x.clock.achievedAt ?? 0;
    if (at(a) !== at(b)) return at(b) - at(a);
  }
  const byMetric = METRIC_ORDER[a.clock.metric] - METRIC_ORDER[b.clock.metric];
  if (byMetric !== 0) return byMetric;
  return b.clock.cycle - a.clock.cycle;
}

/** The clock an item's chip shows at `now`: its most urgent one (null without clocks). */
export function mostUrgentClock(clocks: readonly SlaClockView[], now: number): LiveClock | null {
  let best: LiveClock | null = null;
  for (const clock of clocks) {
    const candidate = live(clock, now);
    if (best === null || compareLiveClocks(candidate, best) < 0) best = candidate;
  }
  return best;
}

/** The most urgent clock over several items (a conversation may also carry a callback). */
export function mostUrgentOfItems(items: readonly SlaItem[], now: number): LiveClock | null {
  return mostUrgentClock(
    items.flatMap((item) => item.clocks),
    now,
  );
}

/** An item's state at `now` (its most urgent clock's), or the backend's when it has none. */
export function itemLiveState(item: SlaItem, now: number): SlaState {
  return mostUrgentClock(item.clocks, now)?.state ?? item.state;
}

/**
 * The clocks the conversation header lists: per metric the newest cycle (a long chat has
 * many achieved next-response cycles; only the current one matters), in metric order.
 */
export function headerClocks(items: readonly SlaItem[]): SlaClockView[] {
  const newest = new Map<SlaMetric, SlaClockView>();
  for (const clock of items.flatMap((item) => item.clocks)) {
    const seen = newest.get(clock.metric);
    if (seen === undefined || clock.cycle > seen.cycle) newest.set(clock.metric, clock);
  }
  return [...newest.values()].sort((a, b) => METRIC_ORDER[a.metric] - METRIC_ORDER[b.metric]);
}

/**
 * The next instant after `now` at which some live clock crosses into at risk or breached:
 * when the UI must re-render (and ask the backend again) without waiting for a tick.
 */
export function nextCrossing(items: readonly SlaItem[], now: number): number | null {
  let next: number | null = null;
  for (const item of items) {
    for (const clock of item.clocks) {
      if (clock.state !== 'running' && clock.state !== 'at_risk') continue;
      for (const at of [clock.atRiskAt, clock.dueAt]) {
        if (at !== null && at > now && (next === null || at < next)) next = at;
      }
    }
  }
  return next;
}

// ---------------------------------------------------------------------------------------
// Countdown text.

const MINUS = '\u2212';

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/** A non-negative span: "m:ss" under `secondsBelow`, else "N min", "H h M min", "D d H h". */
function span(ms: number, round: (x: number) => number, locale: Locale, secondsBelow: number) {
  const seconds = round(ms / SECOND);
  if (seconds < secondsBelow) return `${Math.floor(seconds / 60)}:${pad2(seconds % 60)}`;
  const minutes = round(ms / MINUTE);
  if (minutes < 60) return translate(locale, 'sla.time.minutes', { minutes });
  if (minutes < DAY / MINUTE) {
    const hours = Math.floor(minutes / 60);
    const rest = minutes % 60;
    return rest === 0
      ? translate(locale, 'sla.time.hours', { hours })
      : translate(locale, 'sla.time.hoursMinutes', { hours, minutes: rest });
  }
  const days = Math.floor(minutes / (DAY / MINUTE));
  const hours = Math.floor((minutes % (DAY / MINUTE)) / 60);
  return hours === 0
    ? translate(locale, 'sla.time.days', { days })
    : translate(locale, 'sla.time.daysHours', { days, hours });
}

/**
 * Time left as a chip shows it. Positive: "4:32" under ten minutes (seconds rounded up, so
 * it reads 0:01 in the last second), then "12 min", "2 h 5 min", "1 d 3 h". Zero or less is
 * overdue, with a minus sign: "−0:42" in the first minute, then "−2 min", "−1 h 5 min"…
 * (rounded down: it is at least that late). The crossing instant itself reads "−0:00".
 */
export function formatCountdown(ms: number, locale: Locale): string {
  if (ms > 0) return span(ms, Math.ceil, locale, 600);
  return MINUS + span(-ms, Math.floor, locale, 60);
}

/** The same amount without a sign, for "… left" / "… overdue" sentences. */
export function formatSpan(ms: number, locale: Locale): string {
  if (ms > 0) return span(ms, Math.ceil, locale, 600);
  return span(-ms, Math.floor, locale, 60);
}

/** The chip's time text: a countdown for live and paused clocks, nothing when achieved. */
export function chipTime(clock: LiveClock, locale: Locale): string | null {
  if (clock.state === 'achieved' || clock.remainingMs === null) return null;
  return formatCountdown(clock.remainingMs, locale);
}

/** One sentence about a clock's time: "0:42 left", "3 min overdue", "Paused, 4:00 left". */
export function clockDetail(clock: LiveClock, locale: Locale): string {
  const ms = clock.remainingMs;
  switch (clock.state) {
    case 'achieved':
      return clock.clock.breachedAt !== null
        ? translate(locale, 'sla.achievedLate')
        : translate(locale, 'sla.achievedOnTime');
    case 'paused':
      return ms === null
        ? translate(locale, 'sla.state.paused')
        : translate(locale, 'sla.pausedLeft', { time: formatSpan(ms, locale) });
    case 'breached':
      return translate(locale, 'sla.overdue', { time: formatSpan(Math.min(0, ms ?? 0), locale) });
    case 'running':
    case 'at_risk':
      return ms === null
        ? translate(locale, 'sla.noDue')
        : translate(locale, 'sla.left', { time: formatSpan(ms, locale) });
  }
}

// ---------------------------------------------------------------------------------------
// The "At risk" and "Breached" views.

/** An item with its most urgent clock at one instant. */
export interface LiveItem {
  item: SlaItem;
  top: LiveClock | null;
}

function itemKey(item: SlaItem): number {
  return item.conversationId ?? -(item.callId ?? 0);
}

/**
 * Orders the SLA views: most urgent state first; breached by how long overdue (the longest
 * first); the others by time left (the soonest due first); then by conversation.
 */
export function compareQueueItems(a: LiveItem, b: LiveItem): number {
  if (a.top === null || b.top === null) {
    if (a.top !== b.top) return a.top === null ? 1 : -1;
  } else {
    const byClock = URGENCY[b.top.state] - URGENCY[a.top.state];
    if (byClock !== 0) return byClock;
    const left = (x: LiveClock): number => x.remainingMs ?? Number.POSITIVE_INFINITY;
    if (left(a.top) !== left(b.top)) return left(a.top) < left(b.top) ? -1 : 1;
  }
  return itemKey(a.item) - itemKey(b.item);
}

/** The items of an SLA view, sorted for `now`. */
export function sortQueue(items: readonly SlaItem[], now: number): LiveItem[] {
  return items
    .map((item) => ({ item, top: mostUrgentClock(item.clocks, now) }))
    .sort(compareQueueItems);
}

/** A stable key for an SLA item (conversation, or the callback's first missed call). */
export function slaItemKey(item: SlaItem): string {
  return item.callId !== null ? `call-${item.callId}` : `conv-${item.conversationId ?? 0}`;
}

/** How many items are in each state at `now` (what the view tabs count). */
export function countByState(items: readonly SlaItem[], now: number): Record<SlaState, number> {
  const counts: Record<SlaState, number> = {
    running: 0,
    at_risk: 0,
    breached: 0,
    achieved: 0,
    paused: 0,
  };
  for (const item of items) counts[itemLiveState(item, now)]++;
  return counts;
}

/** Conversation id → its SLA items (usually one; a voice conversation may add a callback). */
export function indexByConversation(items: readonly SlaItem[]): Map<number, SlaItem[]> {
  const map = new Map<number, SlaItem[]>();
  for (const item of items) {
    if (item.conversationId === null) continue;
    const list = map.get(item.conversationId);
    if (list) list.push(item);
    else map.set(item.conversationId, [item]);
  }
  return map;
}

/** Call id → its callback item. */
export function indexByCall(items: readonly SlaItem[]): Map<number, SlaItem> {
  const map = new Map<number, SlaItem>();
  for (const item of items) if (item.callId !== null) map.set(item.callId, item);
  return map;
}
