// The incoming-call cards as data: rings stack newest first, follow their call as it is
// answered or ends, and leave a little after they end. Pure: time is passed in.
import type { CallOutcome } from '../../bindings/CallOutcome';
import type { CallView } from '../../bindings/CallView';
import type { ScreenPop } from '../../bindings/ScreenPop';

/** Ringing, answered (somebody is talking), or over. */
export type RingPhase = 'ringing' | 'answered' | 'ended';

export interface Ring {
  /** The call's account and call ref: what `call://updated` is matched on. */
  key: string;
  pop: ScreenPop;
  phase: RingPhase;
  /** `ringing` until the call's record says otherwise. */
  outcome: CallOutcome;
  /** When the card appeared (local clock): how long it has rung, whatever the PBX's clock says. */
  shownAt: number;
  /** When this card learnt the call ended (local clock), for the linger. */
  endedAt: number | null;
}

/** More cards than this and the oldest go (ended ones first): the desk stays usable. */
export const MAX_RINGS = 4;
/** An ended ring stays this long, so the agent sees who it was and can still act. */
export const ENDED_LINGER_MS = 8_000;

export function ringKey(account: string, callRef: string): string {
  return `${account}\u0000${callRef}`;
}

/** A pop arrived: newest on top; the same call ringing again replaces its card. */
export function addRing(rings: readonly Ring[], pop: ScreenPop, now: number): Ring[] {
  const key = ringKey(pop.account, pop.callRef);
  const previous = rings.find((r) => r.key === key);
  const ring: Ring = previous
    ? { ...previous, pop }
    : { key, pop, phase: 'ringing', outcome: 'ringing', shownAt: now, endedAt: null };
  const next = [ring, ...rings.filter((r) => r.key !== key)];
  while (next.length > MAX_RINGS) {
    // Drop the oldest ended card, else the oldest card.
    let drop = -1;
    for (let i = next.length - 1; i > 0; i--) {
      if (next[i]?.phase === 'ended') {
        drop = i;
        break;
      }
    }
    next.splice(drop > 0 ? drop : next.length - 1, 1);
  }
  return next;
}

/**
 * A call record changed: its card (if any) follows it. Returns `rings` itself when no card
 * changed, so a store can skip the update.
 */
export function applyCallUpdate(
  rings: readonly Ring[],
  call: CallView,
  now: number,
): readonly Ring[] {
  const key = ringKey(call.account, call.callRef);
  const index = rings.findIndex((r) => r.key === key);
  const ring = rings[index];
  if (ring === undefined || ring.phase === 'ended') return rings;
  let phase: RingPhase;
  if (call.endedAt !== null) phase = 'ended';
  else if (call.answeredAt !== null || call.outcome === 'answered') phase = 'answered';
  else return rings;
  if (phase === ring.phase && call.outcome === ring.outcome) return rings;
  const updated: Ring = {
    ...ring,
    phase,
    outcome: call.outcome,
    endedAt: phase === 'ended' ? now : null,
  };
  return rings.map((r, i) => (i === index ? updated : r));
}

/** Drops ended cards whose linger is over, except those in `held` (a form is open). */
export function expireRings(
  rings: readonly Ring[],
  now: number,
  held: ReadonlySet<string> = new Set(),
  lingerMs: number = ENDED_LINGER_MS,
): readonly Ring[] {
  const keep = rings.filter(
    (r) => r.endedAt === null || held.has(r.key) || now < r.endedAt + lingerMs,
  );
  return keep.length === rings.length ? rings : keep;
}

/** The next instant a card expires, if any card is waiting to. */
export function nextExpiry(
  rings: readonly Ring[],
  held: ReadonlySet<string> = new Set(),
  lingerMs: number = ENDED_LINGER_MS,
): number | null {
  let next: number | null = null;
  for (const r of rings) {
    if (r.endedAt === null || held.has(r.key)) continue;
    const at = r.endedAt + lingerMs;
    if (next === null || at < next) next = at;
  }
  return next;
}

export function dismissRing(rings: readonly Ring[], key: string): readonly Ring[] {
  const keep = rings.filter((r) => r.key !== key);
  return keep.length === rings.length ? rings : keep;
}

/** What the card says about the customer's open conversations. */
export type OpenCount = 'zero' | 'one' | 'many';

export function openCount(n: number): OpenCount {
  if (n <= 0) return 'zero';
  return n === 1 ? 'one' : 'many';
}
