import type { CallbackItem } from '../../bindings/CallbackItem';
import { toHiloError, type HiloError } from '../../ipc/error';
import { callbacksList } from '../../ipc/telephony';

/** The customers waiting for a call back: loaded with the inbox, refreshed on changes. */
export class CallbacksStore {
  items = $state.raw<CallbackItem[]>([]);
  loaded = $state(false);
  error = $state.raw<HiloError | null>(null);

  #generation = 0;

  /** Loads again; a failure keeps what is shown. */
  async reload(): Promise<void> {
    const generation = ++this.#generation;
    try {
      const items = await callbacksList();
      if (generation !== this.#generation) return;
      this.items = items;
      this.error = null;
      this.loaded = true;
    } catch (reason) {
      if (generation !== this.#generation) return;
      this.error = toHiloError(reason);
    }
  }
}
