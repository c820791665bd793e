import { beforeEach, describe, expect, it, vi } from 'vitest';

const invoke = vi.hoisted(() =>
  vi.fn<(command: string, args?: unknown) => Promise<unknown>>(() => Promise.resolve({})),
);
vi.mock('@tauri-apps/api/core', () => ({ invoke }));

const ipc = await import('./slaConfig');

describe('SLA settings and report commands', () => {
  beforeEach(() => {
    invoke.mockClear();
  });

  it('call the backend with the contract names and camelCase args', async () => {
    const policy = {
      name: 'Chat',
      matchPriorities: [],
      matchChannels: ['chat' as const],
      matchAccounts: [],
      firstResponseSecs: 300,
      nextResponseSecs: null,
      resolutionSecs: null,
      calendarId: null,
      pauseWhenPending: true,
      atRiskPercent: 80,
    };
    const calendar = {
      name: 'Madrid',
      timeZone: 'Europe/Madrid',
      weeklyHours: { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] },
    };
    await ipc.slaPoliciesList();
    await ipc.slaPoliciesSave(null, policy);
    await ipc.slaPoliciesDelete(3);
    await ipc.slaPoliciesReorder([2, 1]);
    await ipc.slaCalendarsList();
    await ipc.slaCalendarsSave(5, calendar);
    await ipc.slaCalendarsDelete(5);
    await ipc.slaHolidaysAdd(5, '2026-12-25', 'Navidad');
    await ipc.slaHolidaysRemove(5, '2026-12-25');
    await ipc.slaHolidaysImport(5, 'BEGIN:VCALENDAR');
    await ipc.slaReport(1, 2);
    await ipc.slaReportExport(1, 2);
    expect(invoke.mock.calls).toEqual([
      ['sla_policies_list', undefined],
      ['sla_policies_save', { id: null, policy }],
      ['sla_policies_delete', { id: 3 }],
      ['sla_policies_reorder', { ids: [2, 1] }],
      ['sla_calendars_list', undefined],
      ['sla_calendars_save', { id: 5, calendar }],
      ['sla_calendars_delete', { id: 5 }],
      ['sla_holidays_add', { calendarId: 5, date: '2026-12-25', name: 'Navidad' }],
      ['sla_holidays_remove', { calendarId: 5, date: '2026-12-25' }],
      ['sla_holidays_import', { calendarId: 5, ics: 'BEGIN:VCALENDAR' }],
      ['sla_report', { from: 1, to: 2 }],
      ['sla_report_export', { from: 1, to: 2 }],
    ]);
  });

  it('rejects with the backend error code', async () => {
    invoke.mockRejectedValueOnce({ code: 'invalidInput', message: 'overlap' });
    await expect(ipc.slaCalendarsDelete(1)).rejects.toMatchObject({
      code: 'invalidInput',
      message: 'overlap',
    });
  });
});
