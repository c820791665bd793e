// Window math for VirtualList: which rows of a fixed-row-height list to render.

export interface WindowInput {
  /** Scroll offset of the viewport, px. */
  scrollTop: number;
  /** Visible height of the viewport, px. */
  viewportHeight: number;
  /** Height of every row, px (> 0). */
  rowHeight: number;
  /** Number of rows in the list. */
  count: number;
  /** Extra rows rendered above and below the visible ones. */
  overscan: number;
}

export interface WindowRange {
  /** First rendered row (inclusive). */
  start: number;
  /** Last rendered row (exclusive). */
  end: number;
  /** Offset of the first rendered row from the top of the list, px. */
  offsetTop: number;
  /** Height of the whole list, px. */
  totalHeight: number;
}

const EMPTY: WindowRange = { start: 0, end: 0, offsetTop: 0, totalHeight: 0 };

function finite(value: number): number {
  return Number.isFinite(value) ? value : 0;
}

export function visibleRange(input: WindowInput): WindowRange {
  const count = Math.max(0, Math.floor(finite(input.count)));
  const rowHeight = finite(input.rowHeight);
  if (count === 0 || rowHeight <= 0) return EMPTY;
  const viewportHeight = Math.max(0, finite(input.viewportHeight));
  const overscan = Math.max(0, Math.floor(finite(input.overscan)));
  const totalHeight = count * rowHeight;
  const maxScroll = Math.max(0, totalHeight - viewportHeight);
  const top = Math.min(Math.max(0, finite(input.scrollTop)), maxScroll);

  const firstVisible = Math.min(count - 1, Math.floor(top / rowHeight));
  // At least one row, even before the viewport has been measured.
  const endVisible = Math.max(firstVisible + 1, Math.ceil((top + viewportHeight) / rowHeight));

  const start = Math.max(0, firstVisible - overscan);
  const end = Math.min(count, endVisible + overscan);
  return { start, end, offsetTop: start * rowHeight, totalHeight };
}

/**
 * The scrollTop that brings row `index` fully into view, moving as little as possible
 * (unchanged when it is already visible).
 */
export function revealScrollTop(
  index: number,
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number,
): number {
  const rowTop = Math.max(0, index) * rowHeight;
  const rowBottom = rowTop + rowHeight;
  if (rowTop < scrollTop) return rowTop;
  if (rowBottom > scrollTop + viewportHeight) return Math.max(0, rowBottom - viewportHeight);
  return scrollTop;
}

/** True when the rendered window reaches within `threshold` rows of the end of the list. */
export function nearEnd(end: number, count: number, threshold: number): boolean {
  return count > 0 && end >= count - Math.max(0, threshold);
}
