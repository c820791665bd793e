// What a clicked notification opens, from what the UI already holds: the alert that fired
// (it names the customer) or the conversation's SLA item. Pure.
import type { SlaAlert } from '../../bindings/SlaAlert';
import type { SlaItem } from '../../bindings/SlaItem';
import type { SlaOpenTarget } from '../../bindings/SlaOpenTarget';
import { selectionFromAlert, selectionFromSlaItem, type Selection } from '../selection';

/** The selection to show, or null when nothing known matches (or for the alert list). */
export function selectionForOpen(
  target: SlaOpenTarget,
  alerts: readonly SlaAlert[],
  items: readonly SlaItem[],
): Selection | null {
  if (target.kind === 'conversation') {
    const own = items.filter((i) => i.conversationId === target.id && i.callId === null);
    const alert = alerts.find((a) => a.conversationId === target.id && a.callId === null);
    if (alert) return selectionFromAlert(alert, own);
    const item = own[0];
    return item ? selectionFromSlaItem(item) : null;
  }
  if (target.kind === 'customer') {
    const callback = items.find((i) => i.customerId === target.id && i.callId !== null);
    if (callback) return selectionFromSlaItem(callback);
    const alert = alerts.find((a) => a.customerId === target.id);
    return alert ? selectionFromAlert(alert, []) : null;
  }
  return null;
}
