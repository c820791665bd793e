import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PlacedCall } from '../../bindings/PlacedCall';
import { HiloError } from '../../ipc/error';
import {
  CallAction,
  callActionFor,
  dialKey,
  ERROR_MS,
  isDialable,
  PLACED_MS,
} from './callAction.svelte';

const placed: PlacedCall = {
  account: 'centralita',
  callRef: 'hilo-1',
  dialed: '+34600123456',
  status: 'queued',
  cause: null,
};

function deferred<T>(): {
  promise: Promise<T>;
  resolve: (v: T) => void;
  reject: (e: unknown) => void;
} {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('the call button', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('goes pending, then placed, then ready again', async () => {
    const answer = deferred<PlacedCall>();
    const place = vi.fn(() => answer.promise);
    const action = new CallAction(place);
    const started = action.start(' +34 600 123 456 ');
    expect(action.state.kind).toBe('pending');
    expect(place).toHaveBeenCalledWith('+34 600 123 456', null);
    answer.resolve(placed);
    await started;
    expect(action.state).toEqual({ kind: 'placed', placed });
    vi.advanceTimersByTime(PLACED_MS);
    expect(action.state.kind).toBe('idle');
  });

  it('never rings twice for a double click', async () => {
    const answer = deferred<PlacedCall>();
    const place = vi.fn(() => answer.promise);
    const action = new CallAction(place);
    const first = action.start('600123456', 'centralita');
    await action.start('600123456', 'centralita');
    answer.resolve(placed);
    await first;
    expect(place).toHaveBeenCalledTimes(1);
  });

  it('shows the error with its code, and a click retries', async () => {
    const place = vi
      .fn<(n: string, a: string | null) => Promise<PlacedCall>>()
      .mockRejectedValueOnce({ code: 'notFound', message: 'no telephony account can place calls' })
      .mockResolvedValueOnce(placed);
    const action = new CallAction(place);
    await action.start('600123456');
    expect(action.state.kind).toBe('error');
    if (action.state.kind === 'error') {
      expect(action.state.error).toBeInstanceOf(HiloError);
      expect(action.state.error.code).toBe('notFound');
    }
    await action.start('600123456');
    expect(action.state.kind, 'the retry went through').toBe('placed');
    expect(place).toHaveBeenCalledTimes(2);
  });

  it('lets an unread error go after a while', async () => {
    const action = new CallAction(() => Promise.reject(new Error('link down')));
    await action.start('600123456');
    expect(action.state.kind).toBe('error');
    vi.advanceTimersByTime(ERROR_MS);
    expect(action.state.kind).toBe('idle');
  });

  it('drops the answer of a call it was reset from (the row now shows another number)', async () => {
    const answer = deferred<PlacedCall>();
    const action = new CallAction(() => answer.promise);
    const started = action.start('600123456');
    action.reset();
    answer.resolve(placed);
    await started;
    expect(action.state.kind).toBe('idle');
  });

  it('offers calling only numbers a PBX can dial', () => {
    expect(['+34 600 12 34 56', '600-123-456', '(91) 555 0101', '1986'].map(isDialable)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(
      ['', '   ', 'claudio@example.com', 'anonymous', '5', null, undefined].map(isDialable),
    ).toEqual([false, false, false, false, false, false, false]);
  });

  it('is shared by every button showing the same number, however spelt', () => {
    expect(dialKey(' +34 600-12-34-56 ')).toBe('+34600123456');
    expect(callActionFor('+34 600 12 34 56')).toBe(callActionFor('+34600123456'));
    expect(callActionFor('+34600123456')).not.toBe(callActionFor('+34911222333'));
  });
});
