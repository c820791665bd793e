import { SvelteSet } from 'svelte/reactivity';
import type { CallView } from '../../bindings/CallView';
import type { ScreenPop } from '../../bindings/ScreenPop';
import {
  addRing,
  applyCallUpdate,
  dismissRing,
  ENDED_LINGER_MS,
  expireRings,
  nextExpiry,
  type Ring,
} from './rings';

/**
 * The incoming-call cards: fed by `call://ringing` and `call://updated`, ended cards leave
 * on their own after ENDED_LINGER_MS unless the agent is filling in their form.
 */
export class RingsStore {
  rings = $state.raw<readonly Ring[]>([]);
  /** Cards the agent is working in (the create-customer form): they never expire. */
  readonly held = new SvelteSet<string>();

  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  receive(pop: ScreenPop): void {
    this.rings = addRing(this.rings, pop, this.#now());
    this.#arm();
  }

  update(call: CallView): void {
    const next = applyCallUpdate(this.rings, call, this.#now());
    if (next === this.rings) return;
    this.rings = next;
    this.#arm();
  }

  dismiss(key: string): void {
    this.held.delete(key);
    this.rings = dismissRing(this.rings, key);
    this.#arm();
  }

  /** Keeps a card while the agent works in it; releasing lets an ended card go. */
  hold(key: string, held: boolean): void {
    if (held) this.held.add(key);
    else this.held.delete(key);
    this.#expire();
  }

  /** Forgets every card (the workspace closed or was replaced). */
  clear(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.held.clear();
    this.rings = [];
  }

  #expire(): void {
    this.rings = expireRings(this.rings, this.#now(), this.held);
    this.#arm();
  }

  #arm(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const next = nextExpiry(this.rings, this.held, ENDED_LINGER_MS);
    if (next === null) return;
    this.#timer = setTimeout(
      () => {
        this.#expire();
      },
      Math.max(0, next - this.#now()),
    );
  }
}
