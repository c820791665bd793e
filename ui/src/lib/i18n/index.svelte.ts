import {
  detectLocale,
  isLocale,
  translate,
  type Locale,
  type MessageKey,
  type Params,
} from './translate';

export type { Locale, MessageKey, Params } from './translate';
export { LOCALES } from './translate';

const STORAGE_KEY = 'hilo.locale';

function readStored(): Locale | null {
  try {
    if (typeof localStorage === 'undefined') return null;
    const stored = localStorage.getItem(STORAGE_KEY);
    return isLocale(stored) ? stored : null;
  } catch {
    return null;
  }
}

function initialLocale(): Locale {
  return readStored() ?? detectLocale(typeof navigator === 'undefined' ? null : navigator.language);
}

const state = $state<{ locale: Locale }>({ locale: initialLocale() });

/** The current locale (reactive). */
export function locale(): Locale {
  return state.locale;
}

/** Switches the UI language and remembers it. */
export function setLocale(next: Locale): void {
  state.locale = next;
  try {
    if (typeof localStorage !== 'undefined') localStorage.setItem(STORAGE_KEY, next);
  } catch {
    // Storage may be unavailable; the choice then lasts for this session only.
  }
}

/** Translates a key in the current locale (reactive: re-renders when the locale changes). */
export function t(key: MessageKey, params?: Params): string {
  return translate(state.locale, key, params);
}
