import type { MessageKey } from './i18n/translate';

/**
 * Hang-up causes as PBXs report them — Q.850 numbers (Asterisk's `Cause`) or names
 * (FreeSWITCH's `Hangup-Cause`, Zammad's `cause`) — mapped to words an agent reads.
 * Unknown causes return null and are shown as reported.
 */
const CAUSES: Readonly<Record<string, MessageKey>> = {
  '16': 'call.cause.normal',
  normal_clearing: 'call.cause.normal',
  normalclearing: 'call.cause.normal',
  '17': 'call.cause.busy',
  user_busy: 'call.cause.busy',
  busy: 'call.cause.busy',
  '18': 'call.cause.noAnswer',
  '19': 'call.cause.noAnswer',
  no_answer: 'call.cause.noAnswer',
  no_user_response: 'call.cause.noAnswer',
  noanswer: 'call.cause.noAnswer',
  '21': 'call.cause.rejected',
  call_rejected: 'call.cause.rejected',
  rejected: 'call.cause.rejected',
  originator_cancel: 'call.cause.cancelled',
  cancel: 'call.cause.cancelled',
  '1': 'call.cause.invalidNumber',
  unallocated_number: 'call.cause.invalidNumber',
  '34': 'call.cause.congestion',
  '38': 'call.cause.congestion',
  normal_circuit_congestion: 'call.cause.congestion',
  'link-lost': 'call.cause.linkLost',
};

export function hangupCauseKey(cause: string): MessageKey | null {
  return (
    CAUSES[
      cause
        .trim()
        .toLowerCase()
        .replace(/[\s-]+/g, '_')
        .replace('link_lost', 'link-lost')
    ] ?? null
  );
}
