import type { PlacedCall } from '../../bindings/PlacedCall';
import { callPlace } from '../../ipc/telephony';
import { toHiloError, type HiloError } from '../../ipc/error';

/** What a call button shows. */
export type CallButtonState =
  | { kind: 'idle' }
  | { kind: 'pending' }
  | { kind: 'placed'; placed: PlacedCall }
  | { kind: 'error'; error: HiloError };

/** "Your phone is ringing" stays this long, then the button is ready again. */
export const PLACED_MS = 6_000;
/** An error stays until the next click, or this long. */
export const ERROR_MS = 12_000;

/** Whether `number` looks like something a PBX can dial (E.164, national or an extension). */
export function isDialable(number: string | null | undefined): number is string {
  if (typeof number !== 'string') return false;
  const trimmed = number.trim();
  return /^\+?[\d\s().-]+$/.test(trimmed) && (trimmed.match(/\d/g)?.length ?? 0) >= 2;
}

/**
 * One click-to-call button: idle → pending → placed (then idle again) or error. A click
 * while pending does nothing, so a double click never rings the agent's phone twice.
 */
export class CallAction {
  state = $state.raw<CallButtonState>({ kind: 'idle' });

  #timer: ReturnType<typeof setTimeout> | undefined;
  #generation = 0;
  readonly #place: (number: string, account: string | null) => Promise<PlacedCall>;

  constructor(place: (number: string, account: string | null) => Promise<PlacedCall> = callPlace) {
    this.#place = place;
  }

  async start(number: string, account: string | null = null): Promise<void> {
    if (this.state.kind === 'pending') return;
    clearTimeout(this.#timer);
    const generation = ++this.#generation;
    this.state = { kind: 'pending' };
    try {
      const placed = await this.#place(number.trim(), account);
      if (generation !== this.#generation) return;
      this.state = { kind: 'placed', placed };
      this.#resetAfter(PLACED_MS);
    } catch (reason) {
      if (generation !== this.#generation) return;
      this.state = { kind: 'error', error: toHiloError(reason) };
      this.#resetAfter(ERROR_MS);
    }
  }

  /** Back to idle (the error was read, the number changed). */
  reset(): void {
    this.#generation++;
    clearTimeout(this.#timer);
    this.state = { kind: 'idle' };
  }

  dispose(): void {
    this.#generation++;
    clearTimeout(this.#timer);
  }

  #resetAfter(ms: number): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.state = { kind: 'idle' };
    }, ms);
  }
}

/** The same number however it is spelt: digits and a leading +. */
export function dialKey(number: string): string {
  const trimmed = number.trim();
  return (trimmed.startsWith('+') ? '+' : '') + trimmed.replace(/\D/g, '');
}

// Not reactive on purpose: each action's state is; the map only finds them.
// eslint-disable-next-line svelte/prefer-svelte-reactivity
const actions = new Map<string, CallAction>();

/**
 * The one call action of a number, shared by every button that shows it: a call placed
 * from the callbacks view shows in the timeline too, and a button re-created by a list
 * refresh or a scroll keeps its state.
 */
export function callActionFor(number: string): CallAction {
  const key = dialKey(number);
  let action = actions.get(key);
  if (action === undefined) {
    action = new CallAction();
    actions.set(key, action);
  }
  return action;
}
