import { en } from './en';
import { es } from './es';

export type Locale = 'es' | 'en';
export type MessageKey = keyof typeof es;
export type Dictionary = Record<MessageKey, string>;
export type Params = Readonly<Record<string, string | number>>;

export const LOCALES: readonly Locale[] = ['es', 'en'];
export const dictionaries: Readonly<Record<Locale, Dictionary>> = { es, en };

export function isLocale(value: unknown): value is Locale {
  return value === 'es' || value === 'en';
}

/** `es`, `es-AR`, `ES_es`… → es; anything else (or nothing) → en. */
export function detectLocale(language: string | null | undefined): Locale {
  return language?.trim().toLowerCase().startsWith('es') ? 'es' : 'en';
}

/** The `{name}` placeholders a message uses, sorted. */
export function placeholders(message: string): string[] {
  return [...message.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? '').sort();
}

/** Looks a key up and fills `{name}` placeholders; unknown placeholders stay visible. */
export function translate(locale: Locale, key: MessageKey, params?: Params): string {
  const message = dictionaries[locale][key];
  if (!params) return message;
  return message.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    return value === undefined ? whole : String(value);
  });
}
