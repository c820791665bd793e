// Customer content is hostile: the UI never renders HTML from data. This guard fails the
// build if raw-HTML rendering appears anywhere in the sources (besides the eslint rule).
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('.', import.meta.url));
const SELF = fileURLToPath(import.meta.url);

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return /\.(svelte|ts|js)$/.test(entry.name) && path !== SELF ? [path] : [];
  });
}

// Built from pieces so that this file does not match itself.
const FORBIDDEN: readonly [string, RegExp][] = [
  ['the {@html} tag', new RegExp('\\{\\s*@' + 'html')],
  ['innerHTML / outerHTML', new RegExp('\\.(inner|outer)' + 'HTML\\b')],
  ['insertAdjacentHTML', new RegExp('insertAdjacent' + 'HTML')],
  ['document.write', new RegExp('document\\.' + 'write')],
];

describe('no raw HTML rendering', () => {
  const files = sources(SRC);

  it('finds the sources to scan', () => {
    expect(files.some((f) => f.endsWith('App.svelte'))).toBe(true);
    expect(files.length).toBeGreaterThan(10);
  });

  it('no source renders HTML strings', () => {
    const offenders: string[] = [];
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      for (const [what, pattern] of FORBIDDEN) {
        if (pattern.test(text)) offenders.push(`${relative(SRC, file)}: ${what}`);
      }
    }
    expect(offenders, 'render customer content as text, never as HTML').toEqual([]);
  });

  it('the guard itself catches the tag', () => {
    const [, tag] = FORBIDDEN[0] ?? ['', /$^/];
    expect(tag.test('<p>{@' + 'html message.html}</p>')).toBe(true);
    expect(tag.test('<p>{ @' + 'html x}</p>')).toBe(true);
    expect(tag.test('<p>{message.text}</p>')).toBe(false);
  });
});
