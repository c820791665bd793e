// The only module that talks to Tauri. Everything else imports these typed functions.
import { invoke, type InvokeArgs } from '@tauri-apps/api/core';
import type { CacheReset } from '../bindings/CacheReset';
import type { InboxPage } from '../bindings/InboxPage';
import type { InboxQuery } from '../bindings/InboxQuery';
import type { SearchHit } from '../bindings/SearchHit';
import type { SlaAlert } from '../bindings/SlaAlert';
import type { SlaAlertQuery } from '../bindings/SlaAlertQuery';
import type { SlaAlertSettings } from '../bindings/SlaAlertSettings';
import type { SlaOverview } from '../bindings/SlaOverview';
import type { SlaOverviewQuery } from '../bindings/SlaOverviewQuery';
import type { TimelinePage } from '../bindings/TimelinePage';
import type { WorkspaceInfo } from '../bindings/WorkspaceInfo';
import type { Locale } from '../lib/i18n/translate';
import { toHiloError } from './error';

export { HiloError, isErrorCode, toHiloError } from './error';
export {
  EVENT_SLA_ALERT,
  EVENT_WORKSPACE_CHANGED,
  isSlaAlertEvent,
  onSlaAlert,
  onWorkspaceChanged,
  type Unlisten,
} from './events';

async function call<T>(command: string, args?: InvokeArgs): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (reason) {
    throw toHiloError(reason);
  }
}

/** Opens the local workspace (cache). Rejects with cacheUnreadable, cacheKeyMissing, keychainUnavailable… */
export function workspaceOpen(): Promise<WorkspaceInfo> {
  return call<WorkspaceInfo>('workspace_open');
}

/** Fills the current, empty workspace with the demo data. */
export function workspaceLoadDemo(): Promise<WorkspaceInfo> {
  return call<WorkspaceInfo>('workspace_load_demo');
}

/** Moves an unreadable cache aside (nothing is deleted). Call workspaceOpen afterwards. */
export function workspaceResetCache(): Promise<CacheReset> {
  return call<CacheReset>('workspace_reset_cache');
}

/** One page of the inbox, newest activity first. */
export function inboxList(query: InboxQuery): Promise<InboxPage> {
  return call<InboxPage>('inbox_list', { query });
}

/** One page of a customer's unified timeline, newest first. */
export function customerTimeline(
  customerId: number,
  cursor: string | null,
  limit: number | null,
): Promise<TimelinePage> {
  return call<TimelinePage>('customer_timeline', { customerId, cursor, limit });
}

/** Full-text search over cached messages. */
export function searchMessages(query: string, limit: number | null): Promise<SearchHit[]> {
  return call<SearchHit[]>('search_messages', { query, limit });
}

/** Every live conversation and callback item with its SLA clocks, most urgent first. */
export function slaOverview(query: SlaOverviewQuery): Promise<SlaOverview> {
  return call<SlaOverview>('sla_overview', { query });
}

/** The alert centre's entries. */
export function slaAlerts(query: SlaAlertQuery): Promise<SlaAlert[]> {
  return call<SlaAlert[]>('sla_alerts', { query });
}

/** Marks an alert as seen; it leaves the active count. */
export function slaAlertAcknowledge(id: number): Promise<SlaAlert> {
  return call<SlaAlert>('sla_alert_acknowledge', { id });
}

/** Hides an alert from the active count until `until` (ms since the epoch). */
export function slaAlertSnooze(id: number, until: number): Promise<SlaAlert> {
  return call<SlaAlert>('sla_alert_snooze', { id, until });
}

/** Which conversations and levels raise alerts, and the at-risk threshold override. */
export function slaSettingsGet(): Promise<SlaAlertSettings> {
  return call<SlaAlertSettings>('sla_settings_get');
}

/** Stores the interface language, which desktop notifications follow. */
export function languageSet(language: Locale): Promise<null> {
  return call<null>('language_set', { language });
}

/** Saves the alert settings; resolves with what was stored. */
export function slaSettingsSet(settings: SlaAlertSettings): Promise<SlaAlertSettings> {
  return call<SlaAlertSettings>('sla_settings_set', { settings });
}
