import { describe, expect, it } from 'vitest';
import type { SlaReport } from '../../bindings/SlaReport';
import type { SlaReportRow } from '../../bindings/SlaReportRow';
import {
  barLength,
  complianceTone,
  formatMs,
  formatPercent,
  localDate,
  localMidnight,
  niceDurationMax,
  niceMax,
  overallCompliance,
  periodRange,
  rowsOf,
  ticks,
  totalRow,
} from './report';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

function row(dimension: SlaReportRow['dimension'], key: string, items: number): SlaReportRow {
  return {
    dimension,
    key,
    items,
    firstResponse: { count: items, medianMs: 4 * MINUTE, p90Ms: 9 * MINUTE },
    resolution: { count: 0, medianMs: null, p90Ms: null },
    firstResponseCalendar: { count: items, medianMs: 6 * MINUTE, p90Ms: 3 * HOUR },
    resolutionCalendar: { count: 0, medianMs: null, p90Ms: null },
    compliance: [
      { metric: 'first_response', total: 10, met: 9, percent: 90 },
      { metric: 'next_response', total: 0, met: 0, percent: null },
      { metric: 'resolution', total: 10, met: 10, percent: 100 },
      { metric: 'callback', total: 0, met: 0, percent: null },
    ],
  };
}

describe('report periods', () => {
  // Wednesday 2026-03-11 15:30 local time.
  const now = new Date(2026, 2, 11, 15, 30).getTime();

  it('last 7 and 30 days start at local midnight and end now, today included', () => {
    expect(periodRange('last7', now, '', '')).toEqual({
      from: new Date(2026, 2, 5).getTime(),
      to: now,
    });
    expect(periodRange('last30', now, '', '')).toEqual({
      from: new Date(2026, 1, 10).getTime(),
      to: now,
    });
  });

  it('a custom period covers whole local days, both ends included', () => {
    expect(periodRange('custom', now, '2026-03-01', '2026-03-31')).toEqual({
      from: new Date(2026, 2, 1).getTime(),
      to: new Date(2026, 3, 1).getTime(),
    });
    expect(periodRange('custom', now, '2026-03-05', '2026-03-05')).toEqual({
      from: new Date(2026, 2, 5).getTime(),
      to: new Date(2026, 2, 6).getTime(),
    });
  });

  it('refuses missing, impossible and reversed dates', () => {
    expect(periodRange('custom', now, '', '2026-03-05')).toBeNull();
    expect(periodRange('custom', now, '2026-02-30', '2026-03-05')).toBeNull();
    expect(periodRange('custom', now, '2026-03-06', '2026-03-05')).toBeNull();
    expect(localMidnight('5/3/2026')).toBeNull();
  });

  it('writes local dates as YYYY-MM-DD', () => {
    expect(localDate(new Date(2026, 0, 5, 23, 59).getTime())).toBe('2026-01-05');
    expect(localMidnight(localDate(now))).toBe(new Date(2026, 2, 11).getTime());
  });
});

describe('report rows', () => {
  const report: SlaReport = {
    from: 0,
    to: 1,
    generatedAt: 1,
    rows: [
      row('all', '', 12),
      row('channel', 'email', 2),
      row('channel', 'chat', 10),
      row('agent', 'Luis', 3),
      row('agent', 'Ana', 3),
    ],
  };

  it('finds the team total and sorts a dimension busiest first, then by name', () => {
    expect(totalRow(report)?.items).toBe(12);
    expect(rowsOf(report, 'channel').map((r) => r.key)).toEqual(['chat', 'email']);
    expect(rowsOf(report, 'agent').map((r) => r.key)).toEqual(['Ana', 'Luis']);
    expect(rowsOf(report, 'team')).toEqual([]);
  });

  it('overall compliance weighs every clock, not every metric', () => {
    expect(overallCompliance(row('all', '', 1).compliance)).toBe(95);
    expect(overallCompliance([{ metric: 'callback', total: 0, met: 0, percent: null }])).toBeNull();
  });
});

describe('chart scales', () => {
  it('rounds an axis up to 1, 2 or 5 × 10ⁿ', () => {
    const cases: [number, number][] = [
      [0, 1],
      [0.3, 0.5],
      [1, 1],
      [1.2, 2],
      [3, 5],
      [7, 10],
      [100, 100],
      [101, 200],
      [4321, 5000],
    ];
    for (const [value, max] of cases) expect(niceMax(value), String(value)).toBeCloseTo(max);
  });

  it('rounds a duration axis to whole minutes, hours or days', () => {
    expect(niceDurationMax(0)).toBe(MINUTE);
    expect(niceDurationMax(9 * MINUTE)).toBe(10 * MINUTE);
    expect(niceDurationMax(42 * MINUTE)).toBe(50 * MINUTE);
    expect(niceDurationMax(3 * HOUR + 1)).toBe(5 * HOUR);
    expect(niceDurationMax(80 * HOUR)).toBe(5 * 24 * HOUR);
  });

  it('spaces ticks evenly and keeps bars inside the plot', () => {
    expect(ticks(100)).toEqual([0, 25, 50, 75, 100]);
    expect(barLength(50, 100, 260)).toBe(130);
    expect(barLength(100, 100, 260)).toBe(260);
    expect(barLength(130, 100, 260), 'clamped to the plot').toBe(260);
    expect(barLength(-5, 100, 260)).toBe(0);
    expect(barLength(null, 100, 260), 'no value, no bar').toBe(0);
    expect(barLength(5, 0, 260), 'an empty axis draws nothing').toBe(0);
  });

  it('colours compliance: ≥ 95 % good, ≥ 80 % at risk, else bad', () => {
    expect([100, 95, 94.9, 80, 79.9, null].map(complianceTone)).toEqual([
      'ok',
      'ok',
      'warn',
      'warn',
      'bad',
      'none',
    ]);
  });
});

describe('report figures', () => {
  it('writes percentages with a decimal only when it says something', () => {
    expect(formatPercent(100, 'en')).toBe('100 %');
    expect(formatPercent(92.54, 'en')).toBe('92.5 %');
    expect(formatPercent(92.54, 'es')).toBe('92,5 %');
    expect(formatPercent(66.666, 'en')).toBe('66.7 %');
    expect(formatPercent(null, 'en')).toBe('—');
  });

  it('writes business durations at a readable precision', () => {
    const cases: [number | null, string][] = [
      [null, '—'],
      [0, '0 s'],
      [45_000, '45 s'],
      [4 * MINUTE, '4 min'],
      [4 * MINUTE + 12_000, '4 min 12 s'],
      [2 * HOUR + 5 * MINUTE, '2 h 05 min'],
      [26 * HOUR, '1 d 2 h'],
      [72 * HOUR, '3 d'],
    ];
    for (const [ms, text] of cases) expect(formatMs(ms)).toBe(text);
  });
});
