import type { HiloError } from '../../ipc/error';
import { t } from './index.svelte';

/** A localized explanation of an IPC error, with the backend's message as detail. */
export function errorText(error: HiloError): string {
  const label = t(`error.${error.code}`);
  const detail = error.message.trim();
  return detail === '' || detail === label ? label : `${label} (${detail})`;
}
