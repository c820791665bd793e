// Where the telephony UI opens things: through the app's one Selection (selection.ts).
import type { CallbackItem } from '../../bindings/CallbackItem';
import type { CustomerSummary } from '../../bindings/CustomerSummary';
import type { ScreenPop } from '../../bindings/ScreenPop';
import type { SlaItem } from '../../bindings/SlaItem';
import type { Selection } from '../selection';

/**
 * "Open timeline" on a screen-pop: the caller's conversation the pop names (their newest
 * open one), else just their timeline. Null for an unknown caller.
 */
export function selectionFromPop(pop: ScreenPop): Selection | null {
  if (pop.customerId === null) return null;
  const c = pop.latestConversation;
  return {
    conversationId: c?.id ?? null,
    callId: null,
    customerId: pop.customerId,
    customerName: pop.customerName ?? pop.numberDisplay,
    channel: c?.channel ?? 'voice',
    status: c?.status ?? null,
    priority: null,
    subject: c?.subject ?? null,
  };
}

/** A customer just created from a pop: their timeline (it holds the call). */
export function selectionFromCustomer(customer: CustomerSummary): Selection {
  return {
    conversationId: null,
    callId: null,
    customerId: customer.id,
    customerName: customer.name,
    channel: 'voice',
    status: null,
    priority: null,
    subject: null,
  };
}

/**
 * A callback row: the customer's timeline with the callback's SLA item (when it has one,
 * the header shows its clock and the row stays selected).
 */
export function selectionFromCallback(item: CallbackItem, sla: SlaItem | undefined): Selection {
  return {
    conversationId: sla?.conversationId ?? null,
    callId: sla?.callId ?? item.callId,
    customerId: item.customerId,
    customerName: item.customerName,
    channel: 'voice',
    status: null,
    priority: null,
    subject: null,
  };
}

/** The SLA item of a customer's callback: the live overview has one per customer. */
export function callbackSla(items: readonly SlaItem[], customerId: number): SlaItem | undefined {
  return items.find((i) => i.callId !== null && i.customerId === customerId);
}
