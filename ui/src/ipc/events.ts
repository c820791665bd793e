// Typed wrappers over Tauri events. Like the commands, the only place that talks to Tauri.
import { listen } from '@tauri-apps/api/event';
import type { SlaAlertEvent } from '../bindings/SlaAlertEvent';
import type { SlaAlertLevel } from '../bindings/SlaAlertLevel';
import type { SlaDelivery } from '../bindings/SlaDelivery';
import type { SlaMetric } from '../bindings/SlaMetric';
import { isChannel } from '../lib/channels';

/** An alert fired (payload: `SlaAlertEvent`). */
export const EVENT_SLA_ALERT = 'sla://alert';
/** Cached data changed: reload what is shown (payload: null). */
export const EVENT_WORKSPACE_CHANGED = 'workspace://changed';

/** Stops listening. */
export type Unlisten = () => void;

const METRICS = {
  first_response: true,
  next_response: true,
  resolution: true,
  callback: true,
} as const satisfies Record<SlaMetric, true>;
const LEVELS = { at_risk: true, breached: true } as const satisfies Record<SlaAlertLevel, true>;
const DELIVERIES = { individual: true, summary: true } as const satisfies Record<SlaDelivery, true>;

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function isNumberOrNull(value: unknown): value is number | null {
  return value === null || isNumber(value);
}

function isOneOf(set: object, value: unknown): boolean {
  return typeof value === 'string' && Object.hasOwn(set, value);
}

/** Whether an event payload has the shape of an `SlaAlertEvent` (a guard against drift). */
export function isSlaAlertEvent(value: unknown): value is SlaAlertEvent {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    isNumber(v['id']) &&
    isNumber(v['conversationId']) &&
    isNumberOrNull(v['callId']) &&
    isNumber(v['customerId']) &&
    typeof v['customerName'] === 'string' &&
    typeof v['channel'] === 'string' &&
    isChannel(v['channel']) &&
    isOneOf(METRICS, v['metric']) &&
    isNumber(v['cycle']) &&
    isOneOf(LEVELS, v['level']) &&
    isNumber(v['dueAt']) &&
    isNumber(v['firedAt']) &&
    isNumberOrNull(v['acknowledgedAt']) &&
    isNumberOrNull(v['snoozedUntil']) &&
    typeof v['title'] === 'string' &&
    typeof v['body'] === 'string' &&
    isOneOf(DELIVERIES, v['delivery']) &&
    (v['notifyError'] === null || typeof v['notifyError'] === 'string')
  );
}

/**
 * Calls `callback` with each `sla://alert` as it fires. Payloads that do not have the
 * expected shape are dropped (and logged) rather than reaching the UI half-typed.
 * Resolves with the function that stops listening.
 */
export function onSlaAlert(callback: (alert: SlaAlertEvent) => void): Promise<Unlisten> {
  return listen<unknown>(EVENT_SLA_ALERT, (event) => {
    if (isSlaAlertEvent(event.payload)) callback(event.payload);
    else console.warn('hilo: ignored a malformed sla://alert payload');
  });
}

/** Calls `callback` whenever cached data changed (sync, demo, settings…). */
export function onWorkspaceChanged(callback: () => void): Promise<Unlisten> {
  return listen<null>(EVENT_WORKSPACE_CHANGED, () => {
    callback();
  });
}
