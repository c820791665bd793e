import { describe, expect, it } from 'vitest';
import { snippetParts } from './snippet';

const seg = (text: string, marked = false) => ({ text, marked });

describe('snippetParts', () => {
  it('keeps text and marks in order', () => {
    expect(snippetParts([seg('tu '), seg('pedido', true), seg(' llegó')])).toEqual([
      seg('tu '),
      seg('pedido', true),
      seg(' llegó'),
    ]);
  });

  it('merges neighbours with the same marking and drops empty pieces', () => {
    expect(
      snippetParts([seg('a'), seg(''), seg('b'), seg('c', true), seg('d', true), seg('e')]),
    ).toEqual([seg('ab'), seg('cd', true), seg('e')]);
  });

  it('collapses whitespace and newlines and trims the ends', () => {
    expect(snippetParts([seg('  hola\n\n'), seg('Claudio', true), seg('\t ¿qué tal?  ')])).toEqual([
      seg('hola '),
      seg('Claudio', true),
      seg(' ¿qué tal?'),
    ]);
  });

  it('keeps hostile markup as plain text data', () => {
    const parts = snippetParts([seg('<img src=x onerror=alert(1)>'), seg('<b>', true)]);
    expect(parts).toEqual([seg('<img src=x onerror=alert(1)>'), seg('<b>', true)]);
  });

  it('cuts long leading context so the first match stays visible', () => {
    const lead = 'x'.repeat(300);
    const parts = snippetParts([seg(lead), seg('reposición', true), seg(' enviada')], 80);
    const text = parts.map((p) => p.text).join('');
    expect(text.length).toBeLessThanOrEqual(80);
    expect(parts[0]?.text.startsWith('…')).toBe(true);
    expect(parts.some((p) => p.marked && p.text === 'reposición')).toBe(true);
  });

  it('cuts a long tail with an ellipsis', () => {
    const parts = snippetParts([seg('pedido', true), seg(' ' + 'y'.repeat(500))], 50);
    const text = parts.map((p) => p.text).join('');
    expect(text.length).toBeLessThanOrEqual(50);
    expect(text.endsWith('…')).toBe(true);
    expect(parts[0]).toEqual(seg('pedido', true));
  });

  it('does not mutate its input', () => {
    const input = [seg(' a '), seg(' a ')];
    snippetParts(input);
    expect(input).toEqual([seg(' a '), seg(' a ')]);
  });
});
