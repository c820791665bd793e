/**
 * Keyboard navigation shared by the inbox, the SLA queues and the callbacks view:
 * what a key press means for a list with `length` rows and the cursor at `active`.
 * Moves are not clamped here; each list's `move` clamps and scrolls.
 */
export type ListKeyAction = { kind: 'move'; index: number } | { kind: 'open' };

/** Rows PageUp / PageDown skip. */
export const LIST_PAGE = 8;

type KeyPress = Pick<KeyboardEvent, 'key' | 'altKey' | 'ctrlKey' | 'metaKey'>;

export function listKeyAction(
  event: KeyPress,
  active: number,
  length: number,
): ListKeyAction | null {
  if (event.altKey || event.ctrlKey || event.metaKey) return null;
  const move = (index: number): ListKeyAction => ({ kind: 'move', index });
  switch (event.key) {
    case 'ArrowDown':
      return move(active + 1);
    case 'ArrowUp':
      return move(active - 1);
    case 'PageDown':
      return move(active + LIST_PAGE);
    case 'PageUp':
      return move(active - LIST_PAGE);
    case 'Home':
      return move(0);
    case 'End':
      return move(length - 1);
    case 'Enter':
    case ' ':
      return { kind: 'open' };
    default:
      return null;
  }
}
