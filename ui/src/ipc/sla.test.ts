import { beforeEach, describe, expect, it, vi } from 'vitest';

const invoke = vi.hoisted(() =>
  vi.fn<(command: string, args?: unknown) => Promise<unknown>>(() => Promise.resolve({})),
);
vi.mock('@tauri-apps/api/core', () => ({ invoke }));

const ipc = await import('./index');

describe('SLA commands', () => {
  beforeEach(() => {
    invoke.mockClear();
  });

  it('call the backend with the contract names and camelCase args', async () => {
    await ipc.slaOverview({ includeFinished: false, state: 'at_risk' });
    await ipc.slaAlerts({ onlyActive: true, now: null, limit: 50 });
    await ipc.slaAlertAcknowledge(4);
    await ipc.slaAlertSnooze(4, 1_741_000_000_000);
    await ipc.slaSettingsGet();
    const settings = {
      scope: ['mine' as const],
      agent: 'Ana',
      team: null,
      levels: ['breached' as const],
      atRisk: { minutesBefore: 2 },
    };
    await ipc.slaSettingsSet(settings);
    expect(invoke.mock.calls).toEqual([
      ['sla_overview', { query: { includeFinished: false, state: 'at_risk' } }],
      ['sla_alerts', { query: { onlyActive: true, now: null, limit: 50 } }],
      ['sla_alert_acknowledge', { id: 4 }],
      ['sla_alert_snooze', { id: 4, until: 1_741_000_000_000 }],
      ['sla_settings_get', undefined],
      ['sla_settings_set', { settings }],
    ]);
  });

  it('store the interface language under the contract name', async () => {
    await ipc.languageSet('es');
    expect(invoke.mock.calls).toEqual([['language_set', { language: 'es' }]]);
  });

  it('turn rejections into HiloError', async () => {
    invoke.mockRejectedValueOnce({ code: 'notFound', message: 'no alert 9' });
    await expect(ipc.slaAlertAcknowledge(9)).rejects.toMatchObject({
      name: 'HiloError',
      code: 'notFound',
      message: 'no alert 9',
    });
  });
});
