import { describe, expect, it } from 'vitest';
import { nearEnd, revealScrollTop, visibleRange } from './virtual';

const base = { rowHeight: 64, viewportHeight: 640, overscan: 5, count: 1000 };

describe('visibleRange', () => {
  it('renders the visible rows plus overscan below at the top', () => {
    const r = visibleRange({ ...base, scrollTop: 0 });
    expect(r).toEqual({ start: 0, end: 15, offsetTop: 0, totalHeight: 64_000 });
  });

  it('adds overscan on both sides in the middle', () => {
    // scrollTop 6400 → first visible row 100, 10 rows visible.
    const r = visibleRange({ ...base, scrollTop: 6400 });
    expect(r.start).toBe(95);
    expect(r.end).toBe(115);
    expect(r.offsetTop).toBe(95 * 64);
  });

  it('includes a partially visible row at the bottom', () => {
    const r = visibleRange({ ...base, overscan: 0, scrollTop: 32 });
    // Rows 0..10 are (partly) visible: 32..672 px.
    expect(r.start).toBe(0);
    expect(r.end).toBe(11);
  });

  it('clamps at the end of the list', () => {
    const r = visibleRange({ ...base, scrollTop: 64_000 - 640 });
    expect(r.end).toBe(1000);
    expect(r.start).toBe(990 - 5);
  });

  it('clamps a scrollTop past the end (elastic scrolling, shrunk list)', () => {
    const r = visibleRange({ ...base, count: 20, scrollTop: 99_999 });
    expect(r.end).toBe(20);
    expect(r.start).toBe(10 - 5);
  });

  it('clamps a negative scrollTop', () => {
    const r = visibleRange({ ...base, scrollTop: -300 });
    expect(r.start).toBe(0);
    expect(r.end).toBe(15);
  });

  it('renders everything when the list is shorter than the viewport', () => {
    const r = visibleRange({ ...base, count: 3, scrollTop: 0 });
    expect(r).toEqual({ start: 0, end: 3, offsetTop: 0, totalHeight: 192 });
  });

  it('renders nothing for an empty list or a bad row height', () => {
    expect(visibleRange({ ...base, count: 0, scrollTop: 0 }).end).toBe(0);
    expect(visibleRange({ ...base, rowHeight: 0, scrollTop: 0 }).end).toBe(0);
    expect(visibleRange({ ...base, rowHeight: Number.NaN, scrollTop: 0 }).end).toBe(0);
  });

  it('renders at least one row plus overscan before the viewport is measured', () => {
    const r = visibleRange({ ...base, viewportHeight: 0, scrollTop: 0 });
    expect(r.start).toBe(0);
    expect(r.end).toBe(6);
  });

  it('never renders more than viewport rows + 2 × overscan + 1', () => {
    for (let scrollTop = 0; scrollTop < 64_000; scrollTop += 997) {
      const r = visibleRange({ ...base, scrollTop });
      expect(r.end - r.start).toBeLessThanOrEqual(10 + 2 * 5 + 1);
      expect(r.start).toBeGreaterThanOrEqual(0);
      expect(r.end).toBeLessThanOrEqual(1000);
    }
  });
});

describe('revealScrollTop', () => {
  it('leaves the scroll alone when the row is visible', () => {
    expect(revealScrollTop(3, 0, 640, 64)).toBe(0);
  });
  it('scrolls down just enough to show a row below', () => {
    // Row 10 spans 640..704: bottom aligned → 64.
    expect(revealScrollTop(10, 0, 640, 64)).toBe(64);
  });
  it('scrolls up to the top of a row above', () => {
    expect(revealScrollTop(2, 640, 640, 64)).toBe(128);
  });
});

describe('nearEnd', () => {
  it('is true within the threshold of the end only', () => {
    expect(nearEnd(40, 50, 10)).toBe(true);
    expect(nearEnd(39, 50, 10)).toBe(false);
    expect(nearEnd(50, 50, 0)).toBe(true);
    expect(nearEnd(0, 0, 10)).toBe(false);
  });
});
