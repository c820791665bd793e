import type { TimelineEntry } from '../bindings/TimelineEntry';
import { appendUnique } from './collections';
import { dayKey } from './format';

export interface DayGroup {
  /** Stable identity for keyed rendering: the day plus its first entry. */
  id: string;
  /** Calendar day, YYYY-MM-DD, in the time zone used for grouping. */
  key: string;
  /** Instant of the group's first entry, to label the separator. */
  at: number;
  entries: TimelineEntry[];
}

/** A key unique across entry types (ids are per table). */
export function entryKey(entry: TimelineEntry): string {
  return `${entry.type}:${entry.id}`;
}

/** The conversation an entry belongs to, when it belongs to one. */
export function entryConversationId(entry: TimelineEntry): number | null {
  switch (entry.type) {
    case 'message':
      return entry.conversationId;
    case 'event':
      return entry.conversationId;
    case 'call':
      return null;
  }
}

/**
 * Groups entries (already newest first) into runs of the same calendar day, keeping their
 * order. A day that reappears later (out-of-order data) starts a new group rather than
 * reordering what the backend sent.
 */
export function groupByDay(entries: readonly TimelineEntry[], timeZone?: string): DayGroup[] {
  const groups: DayGroup[] = [];
  let current: DayGroup | undefined;
  for (const entry of entries) {
    const key = dayKey(entry.at, timeZone);
    if (current?.key !== key) {
      current = { id: `${key}|${entryKey(entry)}`, key, at: entry.at, entries: [] };
      groups.push(current);
    }
    current.entries.push(entry);
  }
  return groups;
}

/** Appends an older page, dropping entries already present (pages may overlap). */
export function appendPage(
  existing: readonly TimelineEntry[],
  page: readonly TimelineEntry[],
): TimelineEntry[] {
  return appendUnique(existing, page, entryKey);
}
