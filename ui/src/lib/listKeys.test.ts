import { describe, expect, it } from 'vitest';
import { LIST_PAGE, listKeyAction } from './listKeys';

const press = (key: string, mods: Partial<KeyboardEvent> = {}) => ({
  key,
  altKey: false,
  ctrlKey: false,
  metaKey: false,
  ...mods,
});

describe('listKeyAction', () => {
  it('moves by one, by a page and to either end', () => {
    expect(listKeyAction(press('ArrowDown'), 3, 20)).toEqual({ kind: 'move', index: 4 });
    expect(listKeyAction(press('ArrowUp'), 3, 20)).toEqual({ kind: 'move', index: 2 });
    expect(listKeyAction(press('PageDown'), 3, 20)).toEqual({ kind: 'move', index: 3 + LIST_PAGE });
    expect(listKeyAction(press('PageUp'), 9, 20)).toEqual({ kind: 'move', index: 9 - LIST_PAGE });
    expect(listKeyAction(press('Home'), 9, 20)).toEqual({ kind: 'move', index: 0 });
    expect(listKeyAction(press('End'), 0, 20)).toEqual({ kind: 'move', index: 19 });
  });

  it('opens with Enter or Space', () => {
    expect(listKeyAction(press('Enter'), 2, 5)).toEqual({ kind: 'open' });
    expect(listKeyAction(press(' '), 2, 5)).toEqual({ kind: 'open' });
  });

  it('leaves other keys and modified keys to the browser', () => {
    expect(listKeyAction(press('a'), 0, 5)).toBeNull();
    expect(listKeyAction(press('ArrowDown', { ctrlKey: true }), 0, 5)).toBeNull();
    expect(listKeyAction(press('Enter', { metaKey: true }), 0, 5)).toBeNull();
    expect(listKeyAction(press('End', { altKey: true }), 0, 5)).toBeNull();
  });
});
