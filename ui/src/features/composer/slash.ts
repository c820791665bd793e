// The `/` snippet picker inside the composer: where the typed `/query` is, and how the
// highlighted row moves. Pure, so the keyboard behaviour is tested without a DOM.

export interface SlashToken {
  /** Index of the `/` in the text. */
  start: number;
  /** What follows it, up to the caret. */
  query: string;
}

const MAX_QUERY = 40;

/**
 * The `/query` the caret is in: a `/` at the start of the text or after a space or line
 * break, followed by up to 40 characters on the same line. `and/or` never opens the picker.
 */
export function slashToken(text: string, caret: number): SlashToken | null {
  const before = text.slice(0, caret);
  const start = before.lastIndexOf('/');
  if (start < 0) return null;
  const previous = start === 0 ? '' : before.charAt(start - 1);
  if (previous !== '' && !/\s/.test(previous)) return null;
  const query = before.slice(start + 1);
  if (query.includes('\n') || query.length > MAX_QUERY || query.startsWith(' ')) return null;
  return { start, query };
}

/** The text with `token` (the `/query`, up to `caret`) replaced by `insert`, and the new caret. */
export function replaceToken(
  text: string,
  token: SlashToken,
  caret: number,
  insert: string,
): { text: string; caret: number } {
  const next = text.slice(0, token.start) + insert + text.slice(caret);
  return { text: next, caret: token.start + insert.length };
}

/** Arrow keys move the highlight and wrap around; no results means no highlight. */
export function moveHighlight(
  current: number,
  count: number,
  key: 'ArrowDown' | 'ArrowUp',
): number {
  if (count <= 0) return -1;
  if (current < 0 || current >= count) return key === 'ArrowDown' ? 0 : count - 1;
  return key === 'ArrowDown' ? (current + 1) % count : (current - 1 + count) % count;
}
