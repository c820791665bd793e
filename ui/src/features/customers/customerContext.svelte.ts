import type { CustomerContext } from '../../bindings/CustomerContext';
import { toHiloError, type HiloError } from '../../ipc';
import {
  customerContext,
  customerMerge,
  customerUnmerge,
  mergeSuggestionDismiss,
} from '../../ipc/customers';

/** The customer context panel's data, and the merge / unmerge / dismiss actions on it. */
export class CustomerContextStore {
  customerId = $state<number | null>(null);
  context = $state.raw<CustomerContext | null>(null);
  loading = $state(false);
  error = $state.raw<HiloError | null>(null);
  /** A merge, unmerge or dismissal in flight (buttons wait for it). */
  busy = $state(false);
  actionError = $state.raw<HiloError | null>(null);

  #generation = 0;

  /** Shows a customer; does nothing if that customer is already shown. */
  open(customerId: number): Promise<void> {
    if (customerId === this.customerId && this.error === null) return Promise.resolve();
    this.context = null;
    return this.load(customerId, true);
  }

  /** Loads again in place (cached data changed); a failure keeps what is shown. */
  refresh(): Promise<void> {
    return this.customerId === null ? Promise.resolve() : this.load(this.customerId, false);
  }

  async load(customerId: number, showLoading: boolean): Promise<void> {
    const generation = ++this.#generation;
    this.customerId = customerId;
    if (showLoading) {
      this.loading = true;
      this.error = null;
    }
    try {
      const context = await customerContext(customerId);
      if (generation !== this.#generation) return;
      this.context = context;
      this.error = null;
    } catch (reason) {
      if (generation !== this.#generation) return;
      if (showLoading || this.context === null) this.error = toHiloError(reason);
    } finally {
      if (generation === this.#generation) this.loading = false;
    }
  }

  async #act(action: () => Promise<unknown>): Promise<boolean> {
    if (this.busy) return false;
    this.busy = true;
    this.actionError = null;
    try {
      await action();
      await this.refresh();
      return true;
    } catch (reason) {
      this.actionError = toHiloError(reason);
      return false;
    } finally {
      this.busy = false;
    }
  }

  /** Folds `otherId` into the customer shown (which stays). */
  merge(otherId: number): Promise<boolean> {
    const target = this.customerId;
    if (target === null) return Promise.resolve(false);
    return this.#act(() => customerMerge(target, otherId));
  }

  unmerge(mergeId: number): Promise<boolean> {
    return this.#act(() => customerUnmerge(mergeId));
  }

  dismiss(otherId: number): Promise<boolean> {
    const customer = this.customerId;
    if (customer === null) return Promise.resolve(false);
    return this.#act(() => mergeSuggestionDismiss(customer, otherId));
  }
}
