// Telephony over IPC: click-to-call, calls, callbacks, the screen-pop's "create customer",
// and the typed `call://ringing` / `call://updated` events. Like index.ts, one of the
// only modules that talk to Tauri.
import { invoke, type InvokeArgs } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
import type { CallOutcome } from '../bindings/CallOutcome';
import type { CallView } from '../bindings/CallView';
import type { CallbackItem } from '../bindings/CallbackItem';
import type { CustomerSummary } from '../bindings/CustomerSummary';
import type { Direction } from '../bindings/Direction';
import type { PlacedCall } from '../bindings/PlacedCall';
import type { ScreenPop } from '../bindings/ScreenPop';
import { isChannel, isStatus } from '../lib/channels';
import { toHiloError } from './error';
import type { Unlisten } from './events';

/** A phone rings for the agent (payload: `ScreenPop`). */
export const EVENT_CALL_RINGING = 'call://ringing';
/** A call record was stored or changed (payload: `CallView`). */
export const EVENT_CALL_UPDATED = 'call://updated';

async function call<T>(command: string, args?: InvokeArgs): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (reason) {
    throw toHiloError(reason);
  }
}

/**
 * Click-to-call: the agent's phone rings, then `number` is dialled. Rejects with
 * `notFound` when no telephony account can place calls.
 */
export function callPlace(number: string, account: string | null = null): Promise<PlacedCall> {
  return call<PlacedCall>('call_place', { number, account });
}

/** Stored calls, newest first. */
export function callsRecent(limit: number | null = null): Promise<CallView[]> {
  return call<CallView[]>('calls_recent', { limit });
}

/** Missed calls from known customers nobody has returned, one per customer. */
export function callbacksList(): Promise<CallbackItem[]> {
  return call<CallbackItem[]>('callbacks_list');
}

/** An unknown caller becomes a customer with this phone number (or the number's owner). */
export function customerCreateForNumber(number: string, name: string): Promise<CustomerSummary> {
  return call<CustomerSummary>('customer_create_for_number', { number, name });
}

/** Follows the telephony accounts again (after one was added or removed). */
export function telephonyRestart(): Promise<string[]> {
  return call<string[]>('telephony_restart');
}

const OUTCOMES = {
  ringing: true,
  answered: true,
  missed: true,
  busy: true,
  failed: true,
} as const satisfies Record<CallOutcome, true>;
const DIRECTIONS = { inbound: true, outbound: true } as const satisfies Record<Direction, true>;

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function isNumberOrNull(value: unknown): boolean {
  return value === null || isNumber(value);
}

function isStringOrNull(value: unknown): boolean {
  return value === null || typeof value === 'string';
}

function isOneOf(set: object, value: unknown): boolean {
  return typeof value === 'string' && Object.hasOwn(set, value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function isPopConversation(value: unknown): boolean {
  if (value === null) return true;
  if (!isRecord(value)) return false;
  return (
    isNumber(value['id']) &&
    typeof value['channel'] === 'string' &&
    isChannel(value['channel']) &&
    typeof value['status'] === 'string' &&
    isStatus(value['status']) &&
    isStringOrNull(value['subject']) &&
    isNumber(value['lastActivityAt'])
  );
}

/** Whether an event payload has the shape of a `ScreenPop` (a guard against drift). */
export function isScreenPop(value: unknown): value is ScreenPop {
  if (!isRecord(value)) return false;
  return (
    typeof value['account'] === 'string' &&
    isNumber(value['accountId']) &&
    typeof value['callRef'] === 'string' &&
    isStringOrNull(value['number']) &&
    typeof value['numberDisplay'] === 'string' &&
    isNumberOrNull(value['customerId']) &&
    isStringOrNull(value['customerName']) &&
    isNumber(value['openConversations']) &&
    isPopConversation(value['latestConversation']) &&
    typeof value['offerCreateCustomer'] === 'boolean' &&
    (value['language'] === 'es' || value['language'] === 'en') &&
    typeof value['title'] === 'string' &&
    typeof value['body'] === 'string' &&
    typeof value['text'] === 'string' &&
    isStringOrNull(value['target']) &&
    isNumber(value['ringingSince']) &&
    typeof value['notified'] === 'boolean' &&
    isStringOrNull(value['notificationError'])
  );
}

/** Whether an event payload has the shape of a `CallView`. */
export function isCallView(value: unknown): value is CallView {
  if (!isRecord(value)) return false;
  return (
    isNumber(value['id']) &&
    typeof value['callRef'] === 'string' &&
    typeof value['account'] === 'string' &&
    isOneOf(DIRECTIONS, value['direction']) &&
    isStringOrNull(value['from']) &&
    isStringOrNull(value['to']) &&
    isStringOrNull(value['agent']) &&
    isOneOf(OUTCOMES, value['outcome']) &&
    isNumber(value['startedAt']) &&
    isNumberOrNull(value['answeredAt']) &&
    isNumberOrNull(value['endedAt']) &&
    isNumberOrNull(value['durationSecs']) &&
    isNumberOrNull(value['talkSecs']) &&
    isStringOrNull(value['hangupCause']) &&
    isNumberOrNull(value['customerId'])
  );
}

/** Calls `callback` with each screen-pop; malformed payloads are dropped and logged. */
export function onCallRinging(callback: (pop: ScreenPop) => void): Promise<Unlisten> {
  return listen<unknown>(EVENT_CALL_RINGING, (event) => {
    if (isScreenPop(event.payload)) callback(event.payload);
    else console.warn('hilo: ignored a malformed call://ringing payload');
  });
}

/** Calls `callback` with each stored call change (answered, ended…). */
export function onCallUpdated(callback: (call: CallView) => void): Promise<Unlisten> {
  return listen<unknown>(EVENT_CALL_UPDATED, (event) => {
    if (isCallView(event.payload)) callback(event.payload);
    else console.warn('hilo: ignored a malformed call://updated payload');
  });
}
