import type { BackendSlaItem } from '../bindings/BackendSlaItem';
import type { Channel } from '../bindings/Channel';
import type { ConversationStatus } from '../bindings/ConversationStatus';
import type { ConversationSummary } from '../bindings/ConversationSummary';
import type { Priority } from '../bindings/Priority';
import type { SearchHit } from '../bindings/SearchHit';
import type { SlaAlert } from '../bindings/SlaAlert';
import type { SlaItem } from '../bindings/SlaItem';

/**
 * What the right-hand side shows, opened from the inbox, a search hit, an SLA view or an
 * alert: a conversation, or (a callback item without one) just the customer's timeline.
 */
export interface Selection {
  conversationId: number | null;
  /** The callback item's first missed call, when opened from one. */
  callId: number | null;
  customerId: number;
  customerName: string;
  channel: Channel;
  /** Null when not known (opened from an alert) or for a callback item. */
  status: ConversationStatus | null;
  priority: Priority | null;
  subject: string | null;
}

export function selectionFromSummary(c: ConversationSummary): Selection {
  return {
    conversationId: c.id,
    callId: null,
    customerId: c.customerId,
    customerName: c.customerName,
    channel: c.channel,
    status: c.status,
    priority: c.priority,
    subject: c.subject,
  };
}

export function selectionFromHit(hit: SearchHit): Selection {
  return {
    conversationId: hit.conversationId,
    callId: null,
    customerId: hit.customerId,
    customerName: hit.customerName,
    channel: hit.channel,
    status: hit.status,
    priority: null,
    subject: null,
  };
}

export function selectionFromSlaItem(
  item: Pick<
    SlaItem,
    'conversationId' | 'callId' | 'customerId' | 'customerName' | 'channel' | 'status' | 'priority'
  >,
): Selection {
  return {
    conversationId: item.conversationId,
    callId: item.callId,
    customerId: item.customerId,
    customerName: item.customerName,
    channel: item.channel,
    status: item.status,
    priority: item.priority,
    subject: null,
  };
}

/** A conversation only the helpdesk's own SLA covers (the "Breached" view lists it). */
export function selectionFromBackendSla(item: BackendSlaItem): Selection {
  return selectionFromSlaItem({ ...item, callId: null });
}

/**
 * An alert opens its conversation; what the alert does not carry (status, priority) comes
 * from the conversation's SLA item when one is known.
 */
export function selectionFromAlert(alert: SlaAlert, known: readonly SlaItem[]): Selection {
  const item = known.find((i) => i.callId === null) ?? known[0];
  return {
    conversationId: alert.conversationId,
    callId: alert.callId,
    customerId: alert.customerId,
    customerName: alert.customerName,
    channel: alert.channel,
    status: item?.status ?? null,
    priority: item?.priority ?? null,
    subject: null,
  };
}
