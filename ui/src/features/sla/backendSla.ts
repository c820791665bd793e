// The helpdesk's own SLA state as the conversation header words it ("Chatwoot: SLA
// breached"), and the "differs" hint when it disagrees with Hilo's clocks. Pure.
import type { BackendSlaStatus } from '../../bindings/BackendSlaStatus';
import type { BackendSlaView } from '../../bindings/BackendSlaView';
import type { SlaItem } from '../../bindings/SlaItem';
import type { SlaState } from '../../bindings/SlaState';
import { translate, type Locale } from '../../lib/i18n/translate';

/** The colour class's state for a backend status (unknown → paused grey). */
export function backendState(status: BackendSlaStatus): SlaState {
  switch (status) {
    case 'active':
      return 'running';
    case 'hit':
      return 'achieved';
    case 'missed':
    case 'active_with_misses':
      return 'breached';
    case 'unknown':
      return 'paused';
  }
}

/** `Chatwoot: SLA breached`. */
export function backendLabel(view: BackendSlaView, locale: Locale): string {
  return translate(locale, 'slaBackend.label', {
    backend: view.sla.backend,
    status: translate(locale, `slaBackend.status.${view.sla.status}`),
  });
}

/** The tooltip: policy, thresholds and recorded misses, one per line. */
export function backendDetail(view: BackendSlaView, locale: Locale): string {
  const lines: string[] = [];
  const sla = view.sla;
  if (sla.policyName !== null)
    lines.push(translate(locale, 'slaBackend.policy', { name: sla.policyName }));
  const minutes = (secs: number | null): string | null =>
    secs === null ? null : `${String(Math.round(secs / 60))} min`;
  const targets = [
    ['first_response', minutes(sla.firstResponseSecs)],
    ['next_response', minutes(sla.nextResponseSecs)],
    ['resolution', minutes(sla.resolutionSecs)],
  ] as const;
  for (const [metric, value] of targets) {
    if (value !== null) lines.push(`${translate(locale, `sla.metric.${metric}`)}: ${value}`);
  }
  for (const miss of sla.misses) {
    lines.push(
      translate(locale, 'slaBackend.missed', {
        metric: translate(locale, `sla.metric.${miss.metric}`),
      }),
    );
  }
  return lines.join('\n');
}

/** The "differs" hint, or null when the backend and Hilo agree. */
export function differsHint(view: BackendSlaView, locale: Locale): string | null {
  if (!view.localPolicy) return translate(locale, 'slaBackend.noLocalPolicy');
  if (view.differing.length === 0) return null;
  const metrics = view.differing.map((m) => translate(locale, `sla.metric.${m}`)).join(', ');
  return translate(locale, 'slaBackend.differs', { backend: view.sla.backend, metrics });
}

/** The backend SLA of what the header shows: from its items, else a backend-only entry. */
export function backendForSelection(
  items: readonly SlaItem[],
  backendOnly: BackendSlaView | null,
): BackendSlaView | null {
  return items.find((i) => i.backend !== null)?.backend ?? backendOnly;
}
