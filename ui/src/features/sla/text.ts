// Words for SLA clocks, pure (the locale is passed in).
import type { SlaClockView } from '../../bindings/SlaClockView';
import { formatDateTime } from '../../lib/format';
import { translate, type Locale } from '../../lib/i18n/translate';
import { clockDetail, type LiveClock } from './clocks';

/** "First response", with the cycle for a second or later next-response cycle. */
export function metricLabel(clock: SlaClockView, locale: Locale): string {
  const name = translate(locale, `sla.metric.${clock.metric}`);
  return clock.cycle > 1 && clock.metric === 'next_response'
    ? translate(locale, 'sla.cycle', { metric: name, cycle: clock.cycle })
    : name;
}

/** When the clock is or was due, or achieved, as a tooltip line (null when unknown). */
export function dueLine(live: LiveClock, locale: Locale, timeZone?: string): string | null {
  const c = live.clock;
  const when = (at: number): string => formatDateTime(at, locale, timeZone);
  switch (live.state) {
    case 'achieved':
      return c.achievedAt === null
        ? null
        : translate(locale, 'sla.achievedAt', { when: when(c.achievedAt) });
    case 'breached': {
      const at = c.breachedAt ?? c.dueAt;
      return at === null ? null : translate(locale, 'sla.dueWas', { when: when(at) });
    }
    case 'paused':
      return translate(locale, 'sla.pausedHint');
    case 'running':
    case 'at_risk':
      return c.dueAt === null ? null : translate(locale, 'sla.due', { when: when(c.dueAt) });
  }
}

/** The full tooltip of a clock: metric · state · time, then the due line. */
export function clockTitle(live: LiveClock, locale: Locale, timeZone?: string): string {
  const head = [
    metricLabel(live.clock, locale),
    translate(locale, `sla.state.${live.state}`),
    clockDetail(live, locale),
  ].join(' · ');
  const due = dueLine(live, locale, timeZone);
  return due === null ? head : `${head}\n${due}`;
}
