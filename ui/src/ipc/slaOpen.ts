// The `sla://open` event: the agent clicked a desktop notification. Like ./events.ts, one
// of the few modules that talk to Tauri.
import { listen } from '@tauri-apps/api/event';
import type { SlaOpenTarget } from '../bindings/SlaOpenTarget';
import type { Unlisten } from './events';

/** A notification was clicked (payload: `SlaOpenTarget`). */
export const EVENT_SLA_OPEN = 'sla://open';

function isId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

/** Whether a payload has the shape of an `SlaOpenTarget` (a guard against drift). */
export function isSlaOpenTarget(value: unknown): value is SlaOpenTarget {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  switch (v['kind']) {
    case 'conversation':
    case 'customer':
      return isId(v['id']);
    case 'alerts':
      return true;
    default:
      return false;
  }
}

/** Calls `callback` with what each clicked notification names. */
export function onSlaOpen(callback: (target: SlaOpenTarget) => void): Promise<Unlisten> {
  return listen<unknown>(EVENT_SLA_OPEN, (event) => {
    if (isSlaOpenTarget(event.payload)) callback(event.payload);
    else console.warn('hilo: ignored a malformed sla://open payload');
  });
}
