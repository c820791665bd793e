// Typed commands for Settings → SLA policies, calendars, holidays, and the Reports view.
// Like ./index.ts, one of the few modules that talk to Tauri.
import { invoke, type InvokeArgs } from '@tauri-apps/api/core';
import type { SlaCalendarInput } from '../bindings/SlaCalendarInput';
import type { SlaCalendarView } from '../bindings/SlaCalendarView';
import type { SlaHolidayImport } from '../bindings/SlaHolidayImport';
import type { SlaPolicyInput } from '../bindings/SlaPolicyInput';
import type { SlaPolicyList } from '../bindings/SlaPolicyList';
import type { SlaReport } from '../bindings/SlaReport';
import type { SlaReportExport } from '../bindings/SlaReportExport';
import { toHiloError } from './error';

async function call<T>(command: string, args?: InvokeArgs): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (reason) {
    throw toHiloError(reason);
  }
}

/** Every policy in evaluation order (first match wins), the accounts, and unusable rows. */
export function slaPoliciesList(): Promise<SlaPolicyList> {
  return call<SlaPolicyList>('sla_policies_list');
}

/** Adds a policy at the end (`id` null) or rewrites policy `id`; resolves with the new list. */
export function slaPoliciesSave(id: number | null, policy: SlaPolicyInput): Promise<SlaPolicyList> {
  return call<SlaPolicyList>('sla_policies_save', { id, policy });
}

export function slaPoliciesDelete(id: number): Promise<SlaPolicyList> {
  return call<SlaPolicyList>('sla_policies_delete', { id });
}

/** The new evaluation order: every policy id exactly once. */
export function slaPoliciesReorder(ids: number[]): Promise<SlaPolicyList> {
  return call<SlaPolicyList>('sla_policies_reorder', { ids });
}

export function slaCalendarsList(): Promise<SlaCalendarView[]> {
  return call<SlaCalendarView[]>('sla_calendars_list');
}

export function slaCalendarsSave(
  id: number | null,
  calendar: SlaCalendarInput,
): Promise<SlaCalendarView[]> {
  return call<SlaCalendarView[]>('sla_calendars_save', { id, calendar });
}

/** Refused (invalidInput) while a policy measures in the calendar. */
export function slaCalendarsDelete(id: number): Promise<SlaCalendarView[]> {
  return call<SlaCalendarView[]>('sla_calendars_delete', { id });
}

export function slaHolidaysAdd(
  calendarId: number,
  date: string,
  name: string,
): Promise<SlaCalendarView[]> {
  return call<SlaCalendarView[]>('sla_holidays_add', { calendarId, date, name });
}

export function slaHolidaysRemove(calendarId: number, date: string): Promise<SlaCalendarView[]> {
  return call<SlaCalendarView[]>('sla_holidays_remove', { calendarId, date });
}

/** Sends an iCalendar file's text; the backend parses it and reports imported / skipped. */
export function slaHolidaysImport(calendarId: number, ics: string): Promise<SlaHolidayImport> {
  return call<SlaHolidayImport>('sla_holidays_import', { calendarId, ics });
}

/** SLA metrics over `[from, to)` (ms since the epoch). */
export function slaReport(from: number, to: number): Promise<SlaReport> {
  return call<SlaReport>('sla_report', { from, to });
}

/** Saves the same report as CSV in the Downloads folder; resolves with the file's path. */
export function slaReportExport(from: number, to: number): Promise<SlaReportExport> {
  return call<SlaReportExport>('sla_report_export', { from, to });
}
