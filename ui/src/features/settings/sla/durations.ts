// SLA targets as people type and read them: "5 min", "1 h 30 min", "2 d", "90" (minutes),
// "1:30" (hours:minutes) ↔ whole seconds of business time. Pure.

const UNIT_SECONDS: Readonly<Record<string, number>> = {
  s: 1,
  sec: 1,
  secs: 1,
  seg: 1,
  second: 1,
  seconds: 1,
  segundo: 1,
  segundos: 1,
  m: 60,
  min: 60,
  mins: 60,
  minute: 60,
  minutes: 60,
  minuto: 60,
  minutos: 60,
  h: 3600,
  hr: 3600,
  hrs: 3600,
  hour: 3600,
  hours: 3600,
  hora: 3600,
  horas: 3600,
  d: 86_400,
  day: 86_400,
  days: 86_400,
  dia: 86_400,
  dias: 86_400,
};

/** The longest target the backend accepts: 366 days. */
export const MAX_TARGET_SECS = 366 * 86_400;

export type DurationParse =
  { ok: true; secs: number | null } | { ok: false; reason: 'format' | 'zero' | 'tooLong' };

/**
 * Reads a duration. Empty means "not tracked" (null). A bare number is minutes; `H:MM`
 * is hours and minutes; otherwise number + unit pairs (`1 h 30 min`, `1h30m`, `2 días`).
 */
export function parseDuration(text: string): DurationParse {
  const input = text
    .trim()
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(',', '.');
  if (input === '') return { ok: true, secs: null };
  let secs: number;
  const clock = /^(\d{1,4}):([0-5]\d)$/.exec(input);
  if (/^\d+(\.\d+)?$/.test(input)) {
    secs = Math.round(Number(input) * 60);
  } else if (clock) {
    secs = Number(clock[1]) * 3600 + Number(clock[2]) * 60;
  } else {
    const pattern = /(\d+(?:\.\d+)?)\s*([a-z]+)\s*/gy;
    secs = 0;
    let consumed = 0;
    let match: RegExpExecArray | null;
    while ((match = pattern.exec(input)) !== null) {
      const unit = UNIT_SECONDS[match[2] ?? ''];
      if (unit === undefined) return { ok: false, reason: 'format' };
      secs += Number(match[1]) * unit;
      consumed = pattern.lastIndex;
    }
    if (consumed !== input.length || consumed === 0) return { ok: false, reason: 'format' };
    secs = Math.round(secs);
  }
  if (!Number.isFinite(secs)) return { ok: false, reason: 'format' };
  if (secs <= 0) return { ok: false, reason: 'zero' };
  if (secs > MAX_TARGET_SECS) return { ok: false, reason: 'tooLong' };
  return { ok: true, secs };
}

/** Whole seconds as the editor shows them: `1 d 2 h`, `1 h 30 min`, `5 min`, `45 s`. */
export function formatDuration(secs: number | null): string {
  if (secs === null || !Number.isFinite(secs) || secs <= 0) return '';
  const whole = Math.round(secs);
  const parts: string[] = [];
  const days = Math.floor(whole / 86_400);
  const hours = Math.floor((whole % 86_400) / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  const seconds = whole % 60;
  if (days > 0) parts.push(`${days} d`);
  if (hours > 0) parts.push(`${hours} h`);
  if (minutes > 0) parts.push(`${minutes} min`);
  if (seconds > 0) parts.push(`${seconds} s`);
  return parts.join(' ');
}
