// Test data builders for SLA clocks and items (used by the unit tests only).
import type { BackendSlaItem } from '../../bindings/BackendSlaItem';
import type { SlaAlert } from '../../bindings/SlaAlert';
import type { SlaClockView } from '../../bindings/SlaClockView';
import type { SlaItem } from '../../bindings/SlaItem';

/** 2025-03-03 10:00:00 UTC, a Monday. */
export const T0 = Date.UTC(2025, 2, 3, 10, 0, 0);
export const MIN = 60_000;

/**
 * A first-response clock started at T0 with a 5 min target, evaluated at T0 + 1 min:
 * at risk at T0 + 4 min (80 %), due at T0 + 5 min.
 */
export function clockView(overrides: Partial<SlaClockView> = {}): SlaClockView {
  return {
    metric: 'first_response',
    cycle: 1,
    state: 'running',
    startedAt: T0,
    targetMs: 5 * MIN,
    elapsedMs: MIN,
    remainingMs: 4 * MIN,
    dueAt: T0 + 5 * MIN,
    atRiskAt: T0 + 4 * MIN,
    achievedAt: null,
    breachedAt: null,
    ...overrides,
  };
}

export function slaItem(overrides: Partial<SlaItem> = {}): SlaItem {
  const clocks = overrides.clocks ?? [clockView()];
  return {
    conversationId: 1,
    callId: null,
    customerId: 10,
    customerName: 'Claudio Pérez',
    channel: 'facebook',
    status: 'open',
    priority: 'none',
    assignee: null,
    team: null,
    policyId: 1,
    policyName: 'Default',
    state: clocks[0]?.state ?? 'running',
    nextDueAt: null,
    backend: null,
    ...overrides,
    clocks,
  };
}

export function alert(overrides: Partial<SlaAlert> = {}): SlaAlert {
  return {
    id: 1,
    conversationId: 1,
    callId: null,
    customerId: 10,
    customerName: 'Claudio Pérez',
    channel: 'facebook',
    metric: 'first_response',
    cycle: 1,
    level: 'at_risk',
    dueAt: T0,
    firedAt: T0,
    acknowledgedAt: null,
    snoozedUntil: null,
    ...overrides,
  };
}

/** An open email only Chatwoot's SLA covers, which Chatwoot reports as breached. */
export function backendOnlyItem(overrides: Partial<BackendSlaItem> = {}): BackendSlaItem {
  return {
    conversationId: 41,
    customerId: 7,
    customerName: 'Ana López',
    channel: 'email',
    status: 'open',
    priority: 'none',
    assignee: null,
    team: null,
    lastActivityAt: T0,
    backend: {
      sla: {
        backend: 'Chatwoot',
        policyId: '9',
        policyName: 'Email 1 h',
        status: 'active_with_misses',
        firstResponseSecs: 3600,
        nextResponseSecs: null,
        resolutionSecs: null,
        businessHoursOnly: null,
        misses: [{ metric: 'first_response', at: null }],
      },
      differing: [],
      localPolicy: false,
    },
    ...overrides,
  };
}
