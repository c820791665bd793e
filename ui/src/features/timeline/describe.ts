import type { Priority } from '../../bindings/Priority';
import type { TimelineEvent } from '../../bindings/TimelineEvent';
import { isStatus } from '../../lib/channels';
import { translate, type Locale } from '../../lib/i18n/translate';

const PRIORITIES = {
  none: true,
  low: true,
  medium: true,
  high: true,
  urgent: true,
} as const satisfies Record<Priority, true>;

function isPriority(value: string): value is Priority {
  return Object.hasOwn(PRIORITIES, value);
}

function statusWord(value: string | null, locale: Locale): string {
  if (value === null) return translate(locale, 'event.unknown');
  return isStatus(value) ? translate(locale, `status.${value}`).toLocaleLowerCase(locale) : value;
}

function priorityWord(value: string | null, locale: Locale): string {
  if (value === null) return translate(locale, 'event.unknown');
  return isPriority(value)
    ? translate(locale, `priority.${value}`).toLocaleLowerCase(locale)
    : value;
}

function slaWord(value: string | null, locale: Locale): string {
  if (value === 'at_risk') return translate(locale, 'sla.at_risk');
  if (value === 'breached') return translate(locale, 'sla.breached');
  return value ?? translate(locale, 'event.unknown');
}

/** The one line an event shows: "Estado: abierta → resuelta", "Asignada a Ana"… */
export function describeEvent(event: TimelineEvent, locale: Locale): string {
  switch (event.kind) {
    case 'status_changed':
      return translate(locale, 'event.status_changed', {
        from: statusWord(event.from, locale),
        to: statusWord(event.to, locale),
      });
    case 'assigned':
      return event.to === null || event.to === ''
        ? translate(locale, 'event.unassigned')
        : translate(locale, 'event.assigned', { to: event.to });
    case 'priority_changed':
      return translate(locale, 'event.priority_changed', {
        from: priorityWord(event.from, locale),
        to: priorityWord(event.to, locale),
      });
    case 'handoff':
      return event.to === null || event.to === ''
        ? translate(locale, 'event.handoff')
        : translate(locale, 'event.handoffTo', { to: event.to });
    case 'merged':
      return event.from
        ? translate(locale, 'event.mergedNamed', { from: event.from })
        : translate(locale, 'event.merged');
    case 'unmerged':
      return event.to
        ? translate(locale, 'event.unmergedNamed', { to: event.to })
        : translate(locale, 'event.unmerged');
    case 'sla_alert':
      return translate(locale, 'event.sla_alert', { to: slaWord(event.to, locale) });
  }
}
