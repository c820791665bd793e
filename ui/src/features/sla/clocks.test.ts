import { describe, expect, it } from 'vitest';
import { en } from '../../lib/i18n/en';
import { es } from '../../lib/i18n/es';
import {
  chipTime,
  clockDetail,
  countByState,
  formatCountdown,
  headerClocks,
  indexByConversation,
  itemLiveState,
  live,
  liveRemainingMs,
  liveState,
  mostUrgentClock,
  mostUrgentOfItems,
  nextCrossing,
  SLA_METRICS,
  SLA_STATES,
  sortQueue,
} from './clocks';
import { clockView, MIN, slaItem, T0 } from './fixtures';

const SEC = 1000;
const AT_RISK = T0 + 4 * MIN;
const DUE = T0 + 5 * MIN;

describe('liveState: flips at the exact crossing instants', () => {
  const running = clockView();

  it('running until the millisecond before the at-risk instant', () => {
    expect(liveState(running, T0 + MIN)).toBe('running');
    expect(liveState(running, AT_RISK - 1)).toBe('running');
  });

  it('at risk from the at-risk instant itself (a crossing counts, as in hilo-sla)', () => {
    expect(liveState(running, AT_RISK)).toBe('at_risk');
    expect(liveState(running, DUE - 1)).toBe('at_risk');
  });

  it('breached from the due instant itself', () => {
    expect(liveState(running, DUE)).toBe('breached');
    expect(liveState(running, DUE + 3 * 24 * 60 * MIN)).toBe('breached');
  });

  it('an at-risk clock breaches at its due instant', () => {
    const atRisk = clockView({ state: 'at_risk', elapsedMs: 4.5 * MIN, remainingMs: MIN / 2 });
    expect(liveState(atRisk, DUE - 1)).toBe('at_risk');
    expect(liveState(atRisk, DUE)).toBe('breached');
  });

  it('a 100 % threshold (at risk = due) goes straight to breached', () => {
    const clock = clockView({ atRiskAt: DUE });
    expect(liveState(clock, DUE - 1)).toBe('running');
    expect(liveState(clock, DUE)).toBe('breached');
  });

  it('paused, achieved and breached clocks wait for the backend', () => {
    const paused = clockView({ state: 'paused', dueAt: null, atRiskAt: null });
    expect(liveState(paused, DUE + 10 * MIN)).toBe('paused');
    const achieved = clockView({ state: 'achieved', dueAt: null, achievedAt: T0 + 2 * MIN });
    expect(liveState(achieved, DUE + 10 * MIN)).toBe('achieved');
    const breached = clockView({ state: 'breached', breachedAt: DUE });
    expect(liveState(breached, DUE - MIN)).toBe('breached');
  });

  it('a running clock with no due instant (calendar never opens) stays running', () => {
    const clock = clockView({ dueAt: null, atRiskAt: null });
    expect(liveState(clock, DUE + 60 * MIN)).toBe('running');
    expect(liveRemainingMs(clock, DUE)).toBeNull();
  });
});

describe('liveRemainingMs', () => {
  it('counts down to dueAt on the wall clock, negative once overdue', () => {
    expect(liveRemainingMs(clockView(), T0 + MIN)).toBe(4 * MIN);
    expect(liveRemainingMs(clockView(), DUE)).toBe(0);
    expect(liveRemainingMs(clockView(), DUE + 2 * MIN)).toBe(-2 * MIN);
  });

  it('a breached clock counts from its breach instant', () => {
    const breached = clockView({ state: 'breached', breachedAt: DUE, remainingMs: -MIN });
    expect(liveRemainingMs(breached, DUE + 7 * MIN)).toBe(-7 * MIN);
  });

  it('a paused clock shows the business time it had left; achieved shows none', () => {
    const paused = clockView({ state: 'paused', dueAt: null, remainingMs: 3 * MIN + 20 * SEC });
    expect(liveRemainingMs(paused, DUE + 60 * MIN)).toBe(3 * MIN + 20 * SEC);
    expect(liveRemainingMs(clockView({ state: 'achieved' }), DUE)).toBeNull();
  });
});

describe('formatCountdown', () => {
  it('m:ss under ten minutes, seconds rounded up', () => {
    expect(formatCountdown(4 * MIN + 32 * SEC, 'en')).toBe('4:32');
    expect(formatCountdown(4 * MIN + 31 * SEC + 1, 'en')).toBe('4:32');
    expect(formatCountdown(1, 'en')).toBe('0:01');
    expect(formatCountdown(MIN, 'en')).toBe('1:00');
    expect(formatCountdown(9 * MIN + 59 * SEC, 'en')).toBe('9:59');
  });

  it('whole minutes, hours and days beyond, rounded up', () => {
    expect(formatCountdown(10 * MIN, 'en')).toBe('10 min');
    expect(formatCountdown(12 * MIN + 1, 'es')).toBe('13 min');
    expect(formatCountdown(60 * MIN, 'en')).toBe('1 h');
    expect(formatCountdown(125 * MIN, 'en')).toBe('2 h 5 min');
    expect(formatCountdown(24 * 60 * MIN, 'en')).toBe('1 d');
    expect(formatCountdown((27 * 60 + 10) * MIN, 'es')).toBe('1 d 3 h');
  });

  it('zero and below are overdue, with a real minus sign, rounded down', () => {
    expect(formatCountdown(0, 'en')).toBe('\u22120:00');
    expect(formatCountdown(-42 * SEC, 'en')).toBe('\u22120:42');
    expect(formatCountdown(-(MIN - 1), 'en')).toBe('\u22120:59');
    expect(formatCountdown(-MIN, 'en')).toBe('\u22121 min');
    expect(formatCountdown(-(2 * MIN + 59 * SEC), 'en')).toBe('\u22122 min');
    expect(formatCountdown(-65 * MIN, 'en')).toBe('\u22121 h 5 min');
    expect(formatCountdown(-50 * 60 * MIN, 'en')).toBe('\u22122 d 2 h');
  });

  it('the chip text across a whole clock, crossing by crossing', () => {
    const text = (now: number): string | null => chipTime(live(clockView(), now), 'en');
    expect(text(T0 + MIN)).toBe('4:00');
    expect(text(AT_RISK - 1)).toBe('1:01');
    expect(text(AT_RISK)).toBe('1:00');
    expect(text(DUE - 1)).toBe('0:01');
    expect(text(DUE)).toBe('\u22120:00');
    expect(text(DUE + 2 * MIN + 30 * SEC)).toBe('\u22122 min');
    expect(chipTime(live(clockView({ state: 'achieved', dueAt: null }), DUE), 'en')).toBeNull();
  });

  it('describes the time in words, in both languages', () => {
    expect(clockDetail(live(clockView(), AT_RISK + 18 * SEC), 'en')).toBe('0:42 left');
    expect(clockDetail(live(clockView(), AT_RISK + 18 * SEC), 'es')).toBe('quedan 0:42');
    expect(clockDetail(live(clockView(), DUE + 3 * MIN), 'en')).toBe('3 min overdue');
    expect(clockDetail(live(clockView(), DUE + 3 * MIN), 'es')).toBe('3 min de retraso');
    const late = clockView({ state: 'achieved', achievedAt: DUE + MIN, breachedAt: DUE });
    expect(clockDetail(live(late, DUE + 2 * MIN), 'en')).toBe('late');
  });
});

describe('mostUrgentClock', () => {
  const resolution = clockView({
    metric: 'resolution',
    targetMs: 24 * 60 * MIN,
    dueAt: T0 + 24 * 60 * MIN,
    atRiskAt: T0 + 20 * 60 * MIN,
  });
  const firstResponse = clockView();

  it('prefers the clock that will cross first among running ones', () => {
    expect(mostUrgentClock([resolution, firstResponse], T0 + MIN)?.clock.metric).toBe(
      'first_response',
    );
  });

  it('a breached clock beats an at-risk one, which beats running, paused, achieved', () => {
    const paused = clockView({ metric: 'next_response', state: 'paused', dueAt: null });
    const achieved = clockView({ metric: 'next_response', state: 'achieved', dueAt: null });
    const breached = clockView({ metric: 'resolution', state: 'breached', breachedAt: T0 });
    expect(mostUrgentClock([achieved, paused], T0)?.state).toBe('paused');
    expect(mostUrgentClock([achieved, paused, resolution], T0)?.state).toBe('running');
    expect(mostUrgentClock([firstResponse, breached, paused], T0 + MIN)?.clock.metric).toBe(
      'resolution',
    );
  });

  it('uses the live state: a clock that crossed locally wins', () => {
    const laterResolutionBreached = clockView({
      metric: 'resolution',
      state: 'breached',
      breachedAt: T0 - 60 * MIN,
    });
    // The first response breached just now; the resolution long ago: longest overdue first.
    const top = mostUrgentClock([firstResponse, laterResolutionBreached], DUE);
    expect(top?.clock.metric).toBe('resolution');
    // Before its due instant the first response is at risk, less urgent than a breach.
    expect(mostUrgentClock([firstResponse, resolution], AT_RISK)?.state).toBe('at_risk');
  });

  it('among equal states and times, metric order then the newest cycle', () => {
    const next1 = clockView({ metric: 'next_response', cycle: 1 });
    const next2 = clockView({ metric: 'next_response', cycle: 2 });
    expect(mostUrgentClock([next1, next2], T0)?.clock.cycle).toBe(2);
    expect(mostUrgentClock([next2, firstResponse], T0)?.clock.metric).toBe('first_response');
  });

  it('nothing without clocks, across several items too', () => {
    expect(mostUrgentClock([], T0)).toBeNull();
    expect(mostUrgentOfItems([], T0)).toBeNull();
    const callback = slaItem({ callId: 7, clocks: [clockView({ metric: 'callback' })] });
    const conversation = slaItem({ clocks: [resolution] });
    expect(mostUrgentOfItems([conversation, callback], T0)?.clock.metric).toBe('callback');
  });

  it('an item with clocks shows the live state; countByState counts live', () => {
    const item = slaItem();
    expect(itemLiveState(item, T0)).toBe('running');
    expect(itemLiveState(item, DUE)).toBe('breached');
    const counts = countByState([item, slaItem({ conversationId: 2 })], AT_RISK);
    expect(counts.at_risk).toBe(2);
    expect(counts.breached).toBe(0);
  });
});

describe('sortQueue: the order of the "At risk" / "Breached" views', () => {
  const breachedAt = (id: number, at: number) =>
    slaItem({
      conversationId: id,
      state: 'breached',
      clocks: [clockView({ state: 'breached', breachedAt: at, dueAt: at, remainingMs: -1 })],
    });
  const dueAt = (id: number, at: number) =>
    slaItem({
      conversationId: id,
      state: 'at_risk',
      clocks: [clockView({ state: 'at_risk', dueAt: at, atRiskAt: at - MIN })],
    });

  it('breached: the longest overdue first', () => {
    const items = [breachedAt(1, T0 - MIN), breachedAt(2, T0 - 30 * MIN), breachedAt(3, T0 - 5)];
    expect(sortQueue(items, T0).map((r) => r.item.conversationId)).toEqual([2, 1, 3]);
  });

  it('at risk: the soonest due first', () => {
    const items = [dueAt(1, T0 + 3 * MIN), dueAt(2, T0 + 30 * SEC), dueAt(3, T0 + 2 * MIN)];
    expect(sortQueue(items, T0).map((r) => r.item.conversationId)).toEqual([2, 3, 1]);
  });

  it('an item that breached locally moves ahead of those still at risk', () => {
    const items = [dueAt(1, T0 + 3 * MIN), dueAt(2, T0 + MIN)];
    const later = sortQueue(items, T0 + 2 * MIN);
    expect(later.map((r) => [r.item.conversationId, r.top?.state])).toEqual([
      [2, 'breached'],
      [1, 'at_risk'],
    ]);
  });

  it('ties fall back to the conversation, callback items without one first', () => {
    const callback = slaItem({ conversationId: null, callId: 4, clocks: [clockView()] });
    const items = [slaItem({ conversationId: 9 }), callback, slaItem({ conversationId: 3 })];
    expect(sortQueue(items, T0).map((r) => r.item.conversationId)).toEqual([null, 3, 9]);
  });
});

describe('nextCrossing and headerClocks', () => {
  it('the next at-risk or due instant strictly after now, live clocks only', () => {
    const items = [
      slaItem({ clocks: [clockView(), clockView({ metric: 'resolution', dueAt: T0 + MIN })] }),
      slaItem({ clocks: [clockView({ state: 'paused', dueAt: T0 + 30 * SEC })] }),
    ];
    expect(nextCrossing(items, T0)).toBe(T0 + MIN);
    expect(nextCrossing(items, T0 + MIN)).toBe(AT_RISK);
    expect(nextCrossing(items, AT_RISK)).toBe(DUE);
    expect(nextCrossing(items, DUE)).toBeNull();
  });

  it('lists one clock per metric, the newest cycle, in metric order', () => {
    const item = slaItem({
      clocks: [
        clockView({ metric: 'resolution' }),
        clockView({ metric: 'next_response', cycle: 1, state: 'achieved' }),
        clockView({ metric: 'next_response', cycle: 3 }),
        clockView({ metric: 'next_response', cycle: 2, state: 'achieved' }),
        clockView({ metric: 'first_response', state: 'achieved' }),
      ],
    });
    expect(headerClocks([item]).map((c) => `${c.metric}#${c.cycle}`)).toEqual([
      'first_response#1',
      'next_response#3',
      'resolution#1',
    ]);
  });

  it('indexes items by conversation, keeping a callback on the same conversation', () => {
    const map = indexByConversation([
      slaItem({ conversationId: 5 }),
      slaItem({ conversationId: 5, callId: 8 }),
      slaItem({ conversationId: null, callId: 9 }),
    ]);
    expect(map.get(5)?.length).toBe(2);
    expect(map.size).toBe(1);
  });
});

describe('SLA words', () => {
  it('every metric and state has a name in both languages', () => {
    const keys = [
      ...SLA_METRICS.flatMap((m) => [`sla.metric.${m}`, `sla.metricShort.${m}`]),
      ...SLA_STATES.map((s) => `sla.state.${s}`),
      'inbox.tab.at_risk',
      'inbox.tab.breached',
    ];
    for (const key of keys) {
      expect(Object.hasOwn(es, key), key).toBe(true);
      expect(Object.hasOwn(en, key), key).toBe(true);
    }
    expect(es['sla.metric.first_response']).toBe('Primera respuesta');
    expect(en['sla.metric.callback']).toBe('Callback');
    expect(es['sla.state.breached']).toBe('Incumplido');
    expect(en['sla.state.paused']).toBe('Paused');
  });
});
