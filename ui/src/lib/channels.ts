import type { Channel } from '../bindings/Channel';
import type { ConversationStatus } from '../bindings/ConversationStatus';

/** Every channel, in the order the channel filter lists them (checked against the union). */
const CHANNEL_ORDER = {
  email: 0,
  chat: 1,
  whatsapp: 2,
  facebook: 3,
  instagram: 4,
  x: 5,
  sms: 6,
  telegram: 7,
  line: 8,
  api: 9,
  voice: 10,
} as const satisfies Record<Channel, number>;

export const CHANNELS: readonly Channel[] = (Object.keys(CHANNEL_ORDER) as Channel[]).sort(
  (a, b) => CHANNEL_ORDER[a] - CHANNEL_ORDER[b],
);

export function isChannel(value: string): value is Channel {
  return Object.hasOwn(CHANNEL_ORDER, value);
}

const STATUSES = {
  open: true,
  pending: true,
  snoozed: true,
  resolved: true,
} as const satisfies Record<ConversationStatus, true>;

export function isStatus(value: string | null): value is ConversationStatus {
  return value !== null && Object.hasOwn(STATUSES, value);
}
