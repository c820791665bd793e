// The composer's send button as a small state machine. A reply that still holds
// `{{variables}}` needs a second, deliberate press; while one send is in flight another
// cannot start; a failure keeps the text so nothing the agent wrote is lost.

export type SendState =
  | { kind: 'idle' }
  | { kind: 'confirm'; leftovers: string[] }
  | { kind: 'sending' }
  | { kind: 'sent' }
  | { kind: 'error'; message: string };

export type SendEvent =
  | { type: 'press'; text: string; leftovers: string[] }
  | { type: 'edit' }
  | { type: 'succeeded' }
  | { type: 'failed'; message: string };

export const IDLE: SendState = { kind: 'idle' };

export interface Step {
  state: SendState;
  /** Whether to call the backend now. */
  send: boolean;
  /** Whether to empty the composer (only once the outbox has the reply). */
  clear: boolean;
}

export function sendStep(state: SendState, event: SendEvent): Step {
  switch (event.type) {
    case 'press': {
      if (state.kind === 'sending') return { state, send: false, clear: false };
      if (event.text.trim() === '') return { state: IDLE, send: false, clear: false };
      if (event.leftovers.length > 0 && state.kind !== 'confirm') {
        return {
          state: { kind: 'confirm', leftovers: event.leftovers },
          send: false,
          clear: false,
        };
      }
      return { state: { kind: 'sending' }, send: true, clear: false };
    }
    case 'edit':
      // Typing after a warning or an error starts over; a send in flight is not disturbed.
      return { state: state.kind === 'sending' ? state : IDLE, send: false, clear: false };
    case 'succeeded':
      return { state: { kind: 'sent' }, send: false, clear: true };
    case 'failed':
      return { state: { kind: 'error', message: event.message }, send: false, clear: false };
  }
}
