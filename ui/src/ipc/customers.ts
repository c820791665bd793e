// Identity graph: the customer context panel, merges, unmerges, dismissed suggestions and
// the filtered timeline. Like ipc/index.ts, the only place these commands are invoked.
import { invoke, type InvokeArgs } from '@tauri-apps/api/core';
import type { CustomerContext } from '../bindings/CustomerContext';
import type { MergeOutcome } from '../bindings/MergeOutcome';
import type { TimelineFilter } from '../bindings/TimelineFilter';
import type { TimelinePage } from '../bindings/TimelinePage';
import type { UnmergeOutcome } from '../bindings/UnmergeOutcome';
import { toHiloError } from './error';

async function call<T>(command: string, args?: InvokeArgs): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (reason) {
    throw toHiloError(reason);
  }
}

/** Everything the context panel shows: identities, conversations, calls, suggestions, merges. */
export function customerContext(customerId: number): Promise<CustomerContext> {
  return call<CustomerContext>('customer_context', { customerId });
}

/** Merges `sourceId` into `targetId` (the target stays). Undo with `customerUnmerge`. */
export function customerMerge(targetId: number, sourceId: number): Promise<MergeOutcome> {
  return call<MergeOutcome>('customer_merge', { targetId, sourceId });
}

/** Undoes a merge exactly. Rejects with invalidInput while a later merge depends on it. */
export function customerUnmerge(mergeId: number): Promise<UnmergeOutcome> {
  return call<UnmergeOutcome>('customer_unmerge', { mergeId });
}

/** "Not the same person": the pair is never suggested again. */
export async function mergeSuggestionDismiss(customerId: number, otherId: number): Promise<void> {
  await call<unknown>('merge_suggestion_dismiss', { customerId, otherId });
}

/** One page of the timeline narrowed by channels, kinds, or starting at a date. */
export function customerTimelineFiltered(
  customerId: number,
  cursor: string | null,
  limit: number | null,
  filter: TimelineFilter | null,
): Promise<TimelinePage> {
  return call<TimelinePage>('customer_timeline', { customerId, cursor, limit, filter });
}
