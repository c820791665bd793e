// The customer context panel's pure logic: identity groups, conversation lists, merge
// evidence in words, timeline filter chips and the jump-to-date instant. No I/O.
import type { Channel } from '../../bindings/Channel';
import type { CustomerContext } from '../../bindings/CustomerContext';
import type { CustomerConversation } from '../../bindings/CustomerConversation';
import type { Identity } from '../../bindings/Identity';
import type { IdentityKind } from '../../bindings/IdentityKind';
import type { MergeEvidence } from '../../bindings/MergeEvidence';
import type { TimelineFilter } from '../../bindings/TimelineFilter';
import type { TimelineKind } from '../../bindings/TimelineKind';
import { translate, type Locale } from '../../lib/i18n/translate';
import type { Selection } from '../selection';

/** The order an agent reaches for: phone first, then email, handles, helpdesk ids. */
export const IDENTITY_ORDER: readonly IdentityKind[] = [
  'phone',
  'phone_unparsed',
  'email',
  'facebook',
  'instagram',
  'x',
  'telegram',
  'contact',
];

export interface IdentityGroup {
  kind: IdentityKind;
  identities: Identity[];
}

/** Identities grouped by kind, in [`IDENTITY_ORDER`], each group in the order given. */
export function groupIdentities(identities: readonly Identity[]): IdentityGroup[] {
  return IDENTITY_ORDER.map((kind) => ({
    kind,
    identities: identities.filter((i) => i.kind === kind),
  })).filter((g) => g.identities.length > 0);
}

/** What an identity shows: as the customer or helpdesk wrote it, else its normalized value. */
export function identityText(identity: Identity): string {
  return identity.display.trim() === '' ? identity.value : identity.display;
}

/** Whether the per-phone action (click-to-call) applies: a number in E.164. */
export function isCallable(identity: Identity): boolean {
  return identity.kind === 'phone' && /^\+\d{6,15}$/.test(identity.value);
}

/** Open (not resolved) conversations and past ones, each newest activity first. */
export function splitConversations(conversations: readonly CustomerConversation[]): {
  open: CustomerConversation[];
  past: CustomerConversation[];
} {
  const newest = (a: CustomerConversation, b: CustomerConversation) =>
    b.lastActivityAt - a.lastActivityAt || b.id - a.id;
  return {
    open: conversations.filter((c) => c.status !== 'resolved').sort(newest),
    past: conversations.filter((c) => c.status === 'resolved').sort(newest),
  };
}

/** One line of evidence: "Mismo teléfono: +34 600 123 456 = 600 12 34 56". */
export function evidenceText(evidence: MergeEvidence, locale: Locale): string {
  return translate(locale, `merge.evidence.${evidence.kind}`, {
    here: evidence.here,
    there: evidence.there,
    value: evidence.value,
  });
}

/** The merges of this customer that an Unmerge can still undo, by merge id. */
export function activeMergeIds(context: CustomerContext | null): Set<number> {
  return new Set((context?.merges ?? []).filter((m) => m.unmergedAt === null).map((m) => m.id));
}

/** Opening one of the customer's conversations from the panel. */
export function selectionFromCustomerConversation(
  conversation: CustomerConversation,
  customerId: number,
  customerName: string,
): Selection {
  return {
    conversationId: conversation.id,
    callId: null,
    customerId,
    customerName,
    channel: conversation.channel,
    status: conversation.status,
    priority: conversation.priority,
    subject: conversation.subject,
  };
}

/** The channel chips, calls (`voice`) included. */
export const FILTER_CHANNELS: readonly Channel[] = [
  'email',
  'chat',
  'whatsapp',
  'facebook',
  'instagram',
  'x',
  'sms',
  'telegram',
  'voice',
];

/** The kind chips: message kinds, calls, and the events agents look for. */
export const FILTER_KINDS: readonly TimelineKind[] = [
  'message',
  'note',
  'bot',
  'call',
  'status',
  'assignment',
  'merge',
  'sla',
];

export const NO_FILTER: TimelineFilter = { channels: [], kinds: [], before: null };

/** Adds `item` when absent, removes it when present (chip on/off). */
export function toggle<T>(list: readonly T[], item: T): T[] {
  return list.includes(item) ? list.filter((x) => x !== item) : [...list, item];
}

export function isFiltered(filter: TimelineFilter): boolean {
  return filter.channels.length > 0 || filter.kinds.length > 0 || filter.before !== null;
}

/**
 * The instant a jump to `date` (an `<input type="date">` value, `YYYY-MM-DD`) starts at:
 * the end of that day in the agent's time zone, so the day itself is on the first page.
 * Null for anything that is not a real date.
 */
export function jumpInstant(date: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date.trim());
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const end = new Date(y, mo - 1, d, 23, 59, 59, 999);
  if (end.getFullYear() !== y || end.getMonth() !== mo - 1 || end.getDate() !== d) return null;
  return end.getTime();
}
