// The Settings → Alerts form and its mapping to `SlaAlertSettings`, pure.
import type { SlaAlertLevel } from '../../bindings/SlaAlertLevel';
import type { SlaAlertScope } from '../../bindings/SlaAlertScope';
import type { SlaAlertSettings } from '../../bindings/SlaAlertSettings';
import type { MessageKey } from '../../lib/i18n/translate';

export const ALERT_SCOPES: readonly SlaAlertScope[] = ['mine', 'unassigned', 'team', 'all'];
export const ALERT_LEVELS: readonly SlaAlertLevel[] = ['at_risk', 'breached'];

export type ThresholdMode = 'policy' | 'percent' | 'minutes';

/** What the form edits: plain strings for the text and number fields. */
export interface AlertSettingsForm {
  scope: Record<SlaAlertScope, boolean>;
  agent: string;
  team: string;
  levels: Record<SlaAlertLevel, boolean>;
  threshold: ThresholdMode;
  /** Number inputs: null while empty. */
  percent: number | null;
  minutes: number | null;
}

export type AlertSettingsField = 'scope' | 'agent' | 'team' | 'percent' | 'minutes';

export type FormResult =
  | { ok: true; settings: SlaAlertSettings }
  | { ok: false; errors: Partial<Record<AlertSettingsField, MessageKey>> };

export function formOf(settings: SlaAlertSettings): AlertSettingsForm {
  const at = settings.atRisk;
  return {
    scope: {
      mine: settings.scope.includes('mine'),
      unassigned: settings.scope.includes('unassigned'),
      team: settings.scope.includes('team'),
      all: settings.scope.includes('all'),
    },
    agent: settings.agent ?? '',
    team: settings.team ?? '',
    levels: {
      at_risk: settings.levels.includes('at_risk'),
      breached: settings.levels.includes('breached'),
    },
    threshold: at === null ? 'policy' : 'percent' in at ? 'percent' : 'minutes',
    percent: at !== null && 'percent' in at ? at.percent : 80,
    minutes: at !== null && 'minutesBefore' in at ? at.minutesBefore : 5,
  };
}

/** A whole number the backend can store (u32), or null. */
function wholeNumber(value: number | null | undefined): number | null {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0xffff_ffff
    ? value
    : null;
}

/** Validates the form; "All" covers every other scope, so it is saved alone. */
export function settingsOf(form: AlertSettingsForm): FormResult {
  const errors: Partial<Record<AlertSettingsField, MessageKey>> = {};
  const scope: SlaAlertScope[] = form.scope.all
    ? ['all']
    : ALERT_SCOPES.filter((s) => s !== 'all' && form.scope[s]);
  const agent = form.agent.trim();
  const team = form.team.trim();
  if (scope.length === 0) errors.scope = 'settings.alerts.noScope';
  if (scope.includes('mine') && agent === '') errors.agent = 'settings.alerts.needAgent';
  if (scope.includes('team') && team === '') errors.team = 'settings.alerts.needTeam';

  let atRisk: SlaAlertSettings['atRisk'] = null;
  if (form.threshold === 'percent') {
    const percent = wholeNumber(form.percent);
    if (percent === null || percent > 100) errors.percent = 'settings.alerts.badPercent';
    else atRisk = { percent };
  } else if (form.threshold === 'minutes') {
    const minutes = wholeNumber(form.minutes);
    if (minutes === null || minutes < 1) errors.minutes = 'settings.alerts.badMinutes';
    else atRisk = { minutesBefore: minutes };
  }

  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    settings: {
      scope,
      agent: agent === '' ? null : agent,
      team: team === '' ? null : team,
      levels: ALERT_LEVELS.filter((l) => form.levels[l]),
      atRisk,
    },
  };
}
