import type { SearchHit } from '../../bindings/SearchHit';
import { searchMessages, toHiloError, type HiloError } from '../../ipc';

export const SEARCH_DEBOUNCE_MS = 200;
export const SEARCH_MIN_CHARS = 2;
const SEARCH_LIMIT = 30;

/** Debounced message search; answers to superseded queries are dropped. */
export class SearchStore {
  query = $state('');
  /** The query the current hits answer. */
  answered = $state('');
  hits = $state.raw<SearchHit[]>([]);
  searching = $state(false);
  error = $state.raw<HiloError | null>(null);

  #timer: ReturnType<typeof setTimeout> | undefined;
  #generation = 0;

  /** Call on every keystroke. */
  set(query: string): void {
    this.query = query;
    clearTimeout(this.#timer);
    const trimmed = query.trim();
    if (trimmed.length < SEARCH_MIN_CHARS) {
      this.#generation++;
      this.hits = [];
      this.answered = '';
      this.error = null;
      this.searching = false;
      return;
    }
    this.searching = true;
    this.#timer = setTimeout(() => {
      void this.#run(trimmed);
    }, SEARCH_DEBOUNCE_MS);
  }

  async #run(query: string): Promise<void> {
    const generation = ++this.#generation;
    try {
      const hits = await searchMessages(query, SEARCH_LIMIT);
      if (generation !== this.#generation) return;
      this.hits = hits;
      this.error = null;
    } catch (reason) {
      if (generation !== this.#generation) return;
      this.hits = [];
      this.error = toHiloError(reason);
    } finally {
      if (generation === this.#generation) {
        this.answered = query;
        this.searching = false;
      }
    }
  }

  dispose(): void {
    clearTimeout(this.#timer);
    this.#generation++;
  }
}
