import { describe, expect, it } from 'vitest';
import { HiloError, isErrorCode, toHiloError } from './error';

describe('toHiloError', () => {
  it('keeps the code and message of an IpcError rejection', () => {
    const e = toHiloError({ code: 'cacheKeyMissing', message: 'no key for this workspace' });
    expect(e).toBeInstanceOf(HiloError);
    expect(e).toBeInstanceOf(Error);
    expect(e.code).toBe('cacheKeyMissing');
    expect(e.message).toBe('no key for this workspace');
    expect(e.name).toBe('HiloError');
  });

  it('maps every known code', () => {
    for (const code of [
      'cacheUnreadable',
      'cacheKeyMissing',
      'keychainUnavailable',
      'notFound',
      'invalidInput',
      'io',
      'internal',
    ] as const) {
      expect(toHiloError({ code, message: 'm' }).code).toBe(code);
    }
  });

  it('turns an unknown code into internal, keeping the message', () => {
    const e = toHiloError({ code: 'somethingNew', message: 'disk on fire' });
    expect(e.code).toBe('internal');
    expect(e.message).toBe('disk on fire');
  });

  it('turns a plain string rejection (Tauri itself) into internal', () => {
    const e = toHiloError('command workspace_open not found');
    expect(e.code).toBe('internal');
    expect(e.message).toBe('command workspace_open not found');
  });

  it('turns thrown Errors into internal', () => {
    const e = toHiloError(new TypeError("Cannot read properties of undefined (reading 'invoke')"));
    expect(e.code).toBe('internal');
    expect(e.message).toContain('invoke');
  });

  it('survives garbage', () => {
    for (const garbage of [
      undefined,
      null,
      42,
      true,
      Symbol('x'),
      () => 1,
      { code: 7 },
      { code: 'io' },
      { message: 3 },
      [],
    ]) {
      const e = toHiloError(garbage);
      expect(e).toBeInstanceOf(HiloError);
      expect(e.code).toBe('internal');
      expect(typeof e.message).toBe('string');
    }
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    expect(toHiloError(cyclic).code).toBe('internal');
  });

  it('passes a HiloError through untouched and bounds huge messages', () => {
    const original = new HiloError('notFound', 'gone');
    expect(toHiloError(original)).toBe(original);
    expect(toHiloError('x'.repeat(10_000)).message.length).toBeLessThanOrEqual(500);
  });

  it('does not trust inherited properties as codes', () => {
    expect(isErrorCode('toString')).toBe(false);
    expect(isErrorCode('io')).toBe(true);
  });
});
