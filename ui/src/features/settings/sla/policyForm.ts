// The policy editor's form and its mapping to `SlaPolicyInput`, pure.
import type { Channel } from '../../../bindings/Channel';
import type { Priority } from '../../../bindings/Priority';
import type { SlaPolicyInput } from '../../../bindings/SlaPolicyInput';
import type { MessageKey } from '../../../lib/i18n/translate';
import { formatDuration, parseDuration } from './durations';

export const PRIORITIES: readonly Priority[] = ['urgent', 'high', 'medium', 'low', 'none'];
export const CHANNELS: readonly Channel[] = [
  'chat',
  'email',
  'whatsapp',
  'facebook',
  'instagram',
  'x',
  'sms',
  'telegram',
  'line',
  'api',
  'voice',
];

export interface PolicyForm {
  name: string;
  priorities: Priority[];
  channels: Channel[];
  accounts: number[];
  /** Durations as typed ("5 min", "1 h"); empty = not tracked. */
  firstResponse: string;
  nextResponse: string;
  resolution: string;
  /** Null = 24/7. */
  calendarId: number | null;
  pauseWhenPending: boolean;
  atRiskPercent: number | null;
}

export type PolicyField =
  'name' | 'firstResponse' | 'nextResponse' | 'resolution' | 'atRiskPercent';

export type PolicyFormResult =
  | { ok: true; policy: SlaPolicyInput }
  | { ok: false; errors: Partial<Record<PolicyField, MessageKey>> };

export function newPolicyForm(): PolicyForm {
  return {
    name: '',
    priorities: [],
    channels: [],
    accounts: [],
    firstResponse: '1 h',
    nextResponse: '',
    resolution: '',
    calendarId: null,
    pauseWhenPending: true,
    atRiskPercent: 80,
  };
}

export function policyFormOf(policy: SlaPolicyInput): PolicyForm {
  return {
    name: policy.name,
    priorities: [...policy.matchPriorities],
    channels: [...policy.matchChannels],
    accounts: [...policy.matchAccounts],
    firstResponse: formatDuration(policy.firstResponseSecs),
    nextResponse: formatDuration(policy.nextResponseSecs),
    resolution: formatDuration(policy.resolutionSecs),
    calendarId: policy.calendarId,
    pauseWhenPending: policy.pauseWhenPending,
    atRiskPercent: policy.atRiskPercent,
  };
}

const DURATION_ERRORS = {
  format: 'slaConfig.duration.format',
  zero: 'slaConfig.duration.zero',
  tooLong: 'slaConfig.duration.tooLong',
} as const satisfies Record<string, MessageKey>;

/** Validates the form; lists keep the order of PRIORITIES / CHANNELS. */
export function policyOf(form: PolicyForm): PolicyFormResult {
  const errors: Partial<Record<PolicyField, MessageKey>> = {};
  const name = form.name.trim();
  if (name === '') errors.name = 'slaConfig.policy.needName';
  else if (name.length > 80) errors.name = 'slaConfig.policy.nameTooLong';
  const secs: Record<'firstResponse' | 'nextResponse' | 'resolution', number | null> = {
    firstResponse: null,
    nextResponse: null,
    resolution: null,
  };
  for (const field of ['firstResponse', 'nextResponse', 'resolution'] as const) {
    const parsed = parseDuration(form[field]);
    if (parsed.ok) secs[field] = parsed.secs;
    else errors[field] = DURATION_ERRORS[parsed.reason];
  }
  if (
    errors.firstResponse === undefined &&
    errors.nextResponse === undefined &&
    errors.resolution === undefined &&
    secs.firstResponse === null &&
    secs.nextResponse === null &&
    secs.resolution === null
  ) {
    errors.firstResponse = 'slaConfig.policy.needTarget';
  }
  const percent = form.atRiskPercent;
  if (percent === null || !Number.isInteger(percent) || percent < 0 || percent > 100) {
    errors.atRiskPercent = 'slaConfig.policy.badPercent';
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    policy: {
      name,
      matchPriorities: PRIORITIES.filter((p) => form.priorities.includes(p)),
      matchChannels: CHANNELS.filter((c) => form.channels.includes(c)),
      matchAccounts: [...new Set(form.accounts)],
      firstResponseSecs: secs.firstResponse,
      nextResponseSecs: secs.nextResponse,
      resolutionSecs: secs.resolution,
      calendarId: form.calendarId,
      pauseWhenPending: form.pauseWhenPending,
      atRiskPercent: percent ?? 80,
    },
  };
}

/** The ids in a new order after moving `id` one place up (-1) or down (+1). */
export function moved(ids: readonly number[], id: number, step: -1 | 1): number[] {
  const out = [...ids];
  const from = out.indexOf(id);
  const to = from + step;
  if (from < 0 || to < 0 || to >= out.length) return out;
  const other = out[to];
  if (other === undefined) return out;
  out[to] = id;
  out[from] = other;
  return out;
}
