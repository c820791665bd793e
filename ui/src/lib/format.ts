// Dates, times and durations, always through Intl in the UI's locale. Pure: `now` and the
// time zone are passed in so tests are deterministic.
import type { Locale } from './i18n/translate';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const cache = new Map<string, Intl.DateTimeFormat | Intl.RelativeTimeFormat>();

function dateFormat(
  locale: string,
  options: Intl.DateTimeFormatOptions,
  timeZone?: string,
): Intl.DateTimeFormat {
  const key = `d|${locale}|${timeZone ?? ''}|${JSON.stringify(options)}`;
  let format = cache.get(key);
  if (!(format instanceof Intl.DateTimeFormat)) {
    format = new Intl.DateTimeFormat(locale, timeZone ? { ...options, timeZone } : options);
    cache.set(key, format);
  }
  return format;
}

function relativeFormat(
  locale: Locale,
  numeric: 'auto' | 'always',
  style: 'long' | 'short',
): Intl.RelativeTimeFormat {
  const key = `r|${locale}|${numeric}|${style}`;
  let format = cache.get(key);
  if (!(format instanceof Intl.RelativeTimeFormat)) {
    format = new Intl.RelativeTimeFormat(locale, { numeric, style });
    cache.set(key, format);
  }
  return format;
}

function capitalize(text: string, locale: Locale): string {
  return text.charAt(0).toLocaleUpperCase(locale) + text.slice(1);
}

/**
 * Compact relative time for lists: "ahora", "hace 5 min", "hace 3 h", "ayer", "hace 3 días",
 * then a short date ("12 mar", with the year when it is not the current one).
 */
export function formatRelative(at: number, now: number, locale: Locale, timeZone?: string): string {
  const elapsed = Math.max(0, now - at); // a clock a little ahead still reads "now"
  const rtf = relativeFormat(locale, 'auto', 'short');
  if (elapsed < 45 * SECOND) return rtf.format(0, 'second');
  if (elapsed < 45 * MINUTE)
    return rtf.format(-Math.max(1, Math.round(elapsed / MINUTE)), 'minute');
  if (elapsed < 22 * HOUR) return rtf.format(-Math.max(1, Math.round(elapsed / HOUR)), 'hour');
  const days = dayDifference(at, now, timeZone);
  if (days < 7) return rtf.format(-Math.max(1, days), 'day');
  const sameYear = dayKey(at, timeZone).slice(0, 4) === dayKey(now, timeZone).slice(0, 4);
  const options: Intl.DateTimeFormatOptions = sameYear
    ? { day: 'numeric', month: 'short' }
    : { day: 'numeric', month: 'short', year: 'numeric' };
  return dateFormat(locale, options, timeZone).format(at);
}

/** Seconds as mm:ss, or h:mm:ss from one hour on. Negative or non-finite counts as 0. */
export function formatDuration(totalSeconds: number): string {
  const secs = Number.isFinite(totalSeconds) ? Math.max(0, Math.round(totalSeconds)) : 0;
  const hours = Math.floor(secs / 3600);
  const minutes = Math.floor((secs % 3600) / 60);
  const seconds = secs % 60;
  const mm = String(minutes).padStart(2, '0');
  const ss = String(seconds).padStart(2, '0');
  return hours > 0 ? `${hours}:${mm}:${ss}` : `${mm}:${ss}`;
}

/** Time of day, e.g. "14:05" / "2:05 PM". */
export function formatTime(at: number, locale: Locale, timeZone?: string): string {
  return dateFormat(locale, { hour: 'numeric', minute: '2-digit' }, timeZone).format(at);
}

/** Full date and time, for tooltips. */
export function formatDateTime(at: number, locale: Locale, timeZone?: string): string {
  return dateFormat(locale, { dateStyle: 'full', timeStyle: 'short' }, timeZone).format(at);
}

/** The calendar day of an instant in a time zone (default: the machine's), as YYYY-MM-DD. */
export function dayKey(at: number, timeZone?: string): string {
  const parts = dateFormat(
    'en-CA',
    { year: 'numeric', month: '2-digit', day: '2-digit' },
    timeZone,
  ).formatToParts(at);
  const get = (type: Intl.DateTimeFormatPartTypes): string =>
    parts.find((p) => p.type === type)?.value ?? '00';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

function keyToUtc(key: string): number {
  const [y = 0, m = 1, d = 1] = key.split('-').map(Number);
  return Date.UTC(y, m - 1, d);
}

/** Whole calendar days from `earlier` to `later` in the time zone (0 = same day). */
export function dayDifference(earlier: number, later: number, timeZone?: string): number {
  return Math.round(
    (keyToUtc(dayKey(later, timeZone)) - keyToUtc(dayKey(earlier, timeZone))) / DAY,
  );
}

/** Label of a day separator: "Hoy", "Ayer", else "lunes, 3 de marzo" (+ year if not this year). */
export function formatDayLabel(at: number, now: number, locale: Locale, timeZone?: string): string {
  const days = dayDifference(at, now, timeZone);
  if (days === 0 || days === 1) {
    return capitalize(relativeFormat(locale, 'auto', 'long').format(-days, 'day'), locale);
  }
  const sameYear = dayKey(at, timeZone).slice(0, 4) === dayKey(now, timeZone).slice(0, 4);
  const options: Intl.DateTimeFormatOptions = sameYear
    ? { weekday: 'long', day: 'numeric', month: 'long' }
    : { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' };
  return capitalize(dateFormat(locale, options, timeZone).format(at), locale);
}

/** A BCP 47 tag as a language name in the UI's locale ("es" → "español" / "Spanish"). */
export function formatLanguage(tag: string, locale: Locale): string {
  try {
    const name = new Intl.DisplayNames([locale], { type: 'language' }).of(tag);
    return name ? capitalize(name, locale) : tag;
  } catch {
    return tag;
  }
}
