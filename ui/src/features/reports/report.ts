// The Reports view's logic, pure: the period picked, which rows each section shows, chart
// scales and the way figures are written. `now` and the time zone come in as arguments.
import type { SlaCompliance } from '../../bindings/SlaCompliance';
import type { SlaReport } from '../../bindings/SlaReport';
import type { SlaReportDimension } from '../../bindings/SlaReportDimension';
import type { SlaReportRow } from '../../bindings/SlaReportRow';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The main navigation's views. */
export type MainView = 'desk' | 'reports';

export type PeriodKind = 'last7' | 'last30' | 'custom';

export interface Period {
  from: number;
  to: number;
}

/** Local midnight of a `YYYY-MM-DD` date, or null. */
export function localMidnight(date: string): number | null {
  const match = /^(\d{4})-(\d\d)-(\d\d)$/.exec(date);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const at = new Date(year, month - 1, day);
  if (at.getFullYear() !== year || at.getMonth() !== month - 1 || at.getDate() !== day) return null;
  return at.getTime();
}

/** `YYYY-MM-DD` of an instant in local time. */
export function localDate(at: number): string {
  const d = new Date(at);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${String(d.getFullYear())}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/**
 * `[from, to)` of a period: the last 7 or 30 days (today included, from local midnight,
 * up to now), or whole local days from `customFrom` to `customTo` inclusive. Null when
 * the custom dates are missing, invalid or reversed.
 */
export function periodRange(
  kind: PeriodKind,
  now: number,
  customFrom: string,
  customTo: string,
): Period | null {
  if (kind !== 'custom') {
    const days = kind === 'last7' ? 7 : 30;
    const today = new Date(now);
    const from = new Date(today.getFullYear(), today.getMonth(), today.getDate() - (days - 1));
    return { from: from.getTime(), to: now };
  }
  const from = localMidnight(customFrom);
  const last = localMidnight(customTo);
  if (from === null || last === null) return null;
  const end = new Date(last);
  const to = new Date(end.getFullYear(), end.getMonth(), end.getDate() + 1).getTime();
  return from < to ? { from, to } : null;
}

/** The whole-team row. */
export function totalRow(report: SlaReport): SlaReportRow | null {
  return report.rows.find((r) => r.dimension === 'all') ?? null;
}

/** One dimension's rows, busiest first, then by name. */
export function rowsOf(report: SlaReport, dimension: SlaReportDimension): SlaReportRow[] {
  return report.rows
    .filter((r) => r.dimension === dimension)
    .sort((a, b) => b.items - a.items || a.key.localeCompare(b.key));
}

/** Compliance over every metric of a row: met / total in percent, null when nothing ended. */
export function overallCompliance(compliance: readonly SlaCompliance[]): number | null {
  let total = 0;
  let met = 0;
  for (const c of compliance) {
    total += c.total;
    met += c.met;
  }
  return total === 0 ? null : (met * 100) / total;
}

/** The smallest 1, 2 or 5 × 10ⁿ at or above `value` (for a chart's axis); 1 for nothing. */
export function niceMax(value: number): number {
  if (!Number.isFinite(value) || value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) {
    if (step * power >= value * (1 - 1e-12)) return step * power;
  }
  return 10 * power;
}

/** A duration axis that ends on a round number of minutes, hours or days. */
export function niceDurationMax(ms: number): number {
  if (!Number.isFinite(ms) || ms <= 0) return MINUTE;
  const unit = ms <= 90 * MINUTE ? MINUTE : ms <= 3 * DAY ? HOUR : DAY;
  return niceMax(ms / unit) * unit;
}

/** `count + 1` evenly spaced ticks from 0 to `max`. */
export function ticks(max: number, count = 4): number[] {
  return Array.from({ length: count + 1 }, (_, i) => (max * i) / count);
}

/** A bar's length in pixels: proportional, clamped to `[0, width]`, 0 for no value. */
export function barLength(value: number | null, max: number, width: number): number {
  if (value === null || !Number.isFinite(value) || max <= 0) return 0;
  return Math.max(0, Math.min(width, (value / max) * width));
}

export type Tone = 'ok' | 'warn' | 'bad' | 'none';

/** One bar of a chart. */
export interface BarRow {
  key: string;
  label: string;
  value: number | null;
  /** A second figure drawn as a tick across the bar (e.g. the 90th percentile). */
  marker?: number | null;
  /** What is written after the bar. */
  text: string;
  tone: Tone;
}

/** Colour of a compliance figure: ≥ 95 % good, ≥ 80 % at risk, below that bad. */
export function complianceTone(percent: number | null): Tone {
  if (percent === null) return 'none';
  if (percent >= 95) return 'ok';
  if (percent >= 80) return 'warn';
  return 'bad';
}

/** `92.5 %`, `100 %`, `—` for nothing; one decimal only when it says something. */
export function formatPercent(percent: number | null, locale: string): string {
  if (percent === null || !Number.isFinite(percent)) return '—';
  const rounded = Math.round(percent * 10) / 10;
  const text = new Intl.NumberFormat(locale, {
    maximumFractionDigits: Number.isInteger(rounded) ? 0 : 1,
  }).format(rounded);
  return `${text} %`;
}

/** Business durations at the precision a supervisor reads: `45 s`, `4 min 12 s`, `2 h 05 min`, `3 d 4 h`. */
export function formatMs(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms) || ms < 0) return '—';
  const secs = Math.round(ms / 1000);
  if (secs < 60) return `${String(secs)} s`;
  if (secs < 3600) {
    const s = secs % 60;
    return s === 0
      ? `${String(Math.floor(secs / 60))} min`
      : `${String(Math.floor(secs / 60))} min ${String(s)} s`;
  }
  const minutes = Math.round(secs / 60);
  if (minutes < 24 * 60) {
    const m = minutes % 60;
    return `${String(Math.floor(minutes / 60))} h ${String(m).padStart(2, '0')} min`;
  }
  const hours = Math.round(minutes / 60);
  const h = hours % 24;
  return h === 0
    ? `${String(Math.floor(hours / 24))} d`
    : `${String(Math.floor(hours / 24))} d ${String(h)} h`;
}
