import type { HighlightSegment } from '../bindings/HighlightSegment';

/**
 * Cleans a search snippet for display: whitespace collapsed to single spaces, empty pieces
 * dropped, neighbours with the same `marked` merged, and, when longer than `maxChars`, the
 * leading context cut (with "…") so the first match stays visible, then the tail cut.
 * The result is still data: components render each piece as a text node or a <mark>.
 */
export function snippetParts(
  segments: readonly HighlightSegment[],
  maxChars = 180,
): HighlightSegment[] {
  const parts: HighlightSegment[] = [];
  for (const segment of segments) {
    const text = segment.text.replace(/\s+/g, ' ');
    if (text === '') continue;
    const last = parts.at(-1);
    if (last && last.marked === segment.marked) {
      last.text += text;
    } else {
      parts.push({ text, marked: segment.marked });
    }
  }
  const head = parts[0];
  if (head) head.text = head.text.trimStart();
  const tail = parts.at(-1);
  if (tail) tail.text = tail.text.trimEnd();

  const total = parts.reduce((sum, p) => sum + p.text.length, 0);
  if (total <= maxChars) return parts.filter((p) => p.text !== '');

  // Cut leading context before the first match, keeping a little of it.
  const lead = parts[0];
  const context = Math.max(0, Math.floor(maxChars / 4));
  if (lead && !lead.marked && lead.text.length > context) {
    const cut = lead.text.length - context;
    lead.text = '…' + lead.text.slice(cut).trimStart();
  }

  // Then cut the tail.
  const out: HighlightSegment[] = [];
  let budget = maxChars;
  for (const part of parts) {
    if (budget <= 0) break;
    if (part.text.length <= budget) {
      out.push(part);
      budget -= part.text.length;
    } else {
      out.push({
        text: part.text.slice(0, Math.max(0, budget - 1)).trimEnd() + '…',
        marked: part.marked,
      });
      budget = 0;
    }
  }
  return out.filter((p) => p.text !== '');
}
