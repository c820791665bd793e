import { describe, expect, it } from 'vitest';
import type { SlaAlertSettings } from '../../bindings/SlaAlertSettings';
import { formOf, settingsOf } from './alertSettings';

const DEFAULTS: SlaAlertSettings = {
  scope: ['all'],
  agent: null,
  team: null,
  levels: ['at_risk', 'breached'],
  atRisk: null,
};

describe('Settings → Alerts form', () => {
  it('round-trips the settings through the form', () => {
    for (const settings of [
      DEFAULTS,
      {
        scope: ['mine', 'unassigned'],
        agent: 'Ana',
        team: null,
        levels: ['breached'],
        atRisk: { percent: 75 },
      },
      { scope: ['team'], agent: null, team: 'Soporte', levels: [], atRisk: { minutesBefore: 2 } },
    ] satisfies SlaAlertSettings[]) {
      expect(settingsOf(formOf(settings))).toEqual({ ok: true, settings });
    }
  });

  it('"All" is saved alone; names are trimmed, empty ones are null', () => {
    const form = formOf(DEFAULTS);
    form.scope.mine = true;
    form.agent = '  Ana  ';
    form.team = '   ';
    const result = settingsOf(form);
    expect(result).toEqual({ ok: true, settings: { ...DEFAULTS, agent: 'Ana' } });
  });

  it('asks for the names the chosen scopes need, and for some scope', () => {
    const form = formOf({ ...DEFAULTS, scope: ['mine', 'team'] });
    expect(settingsOf(form)).toEqual({
      ok: false,
      errors: { agent: 'settings.alerts.needAgent', team: 'settings.alerts.needTeam' },
    });
    const none = formOf({ ...DEFAULTS, scope: [] });
    expect(settingsOf(none)).toEqual({ ok: false, errors: { scope: 'settings.alerts.noScope' } });
  });

  it('checks the threshold override only when it is used', () => {
    const form = formOf(DEFAULTS);
    form.percent = 140;
    expect(settingsOf(form).ok).toBe(true);
    form.threshold = 'percent';
    expect(settingsOf(form)).toEqual({
      ok: false,
      errors: { percent: 'settings.alerts.badPercent' },
    });
    form.percent = 0;
    expect(settingsOf(form)).toMatchObject({ ok: true, settings: { atRisk: { percent: 0 } } });
    form.threshold = 'minutes';
    for (const bad of [0, 2.5, null, -3]) {
      form.minutes = bad;
      expect(settingsOf(form)).toEqual({
        ok: false,
        errors: { minutes: 'settings.alerts.badMinutes' },
      });
    }
    form.minutes = 10;
    expect(settingsOf(form)).toMatchObject({
      ok: true,
      settings: { atRisk: { minutesBefore: 10 } },
    });
  });
});
