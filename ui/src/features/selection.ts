import type { Channel } from '../bindings/Channel';
import type { ConversationStatus } from '../bindings/ConversationStatus';
import type { ConversationSummary } from '../bindings/ConversationSummary';
import type { Priority } from '../bindings/Priority';
import type { SearchHit } from '../bindings/SearchHit';

/** The conversation shown on the right, opened from the inbox or from a search hit. */
export interface Selection {
  conversationId: number;
  customerId: number;
  customerName: string;
  channel: Channel;
  status: ConversationStatus;
  priority: Priority | null;
  subject: string | null;
}

export function selectionFromSummary(c: ConversationSummary): Selection {
  return {
    conversationId: c.id,
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
    customerId: hit.customerId,
    customerName: hit.customerName,
    channel: hit.channel,
    status: hit.status,
    priority: null,
    subject: null,
  };
}
