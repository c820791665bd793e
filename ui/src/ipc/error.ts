import type { ErrorCode } from '../bindings/ErrorCode';

/** Every error code the backend may send, checked against the generated union. */
const ERROR_CODES = {
  cacheUnreadable: true,
  cacheKeyMissing: true,
  keychainUnavailable: true,
  notFound: true,
  invalidInput: true,
  io: true,
  internal: true,
} as const satisfies Record<ErrorCode, true>;

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}

/** The one error type the UI sees from IPC. `code` is stable; `message` is for people. */
export class HiloError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'HiloError';
    this.code = code;
  }
}

const MAX_MESSAGE = 500;

// JSON.stringify returns undefined for functions and symbols, whatever its typings say.
function toJson(value: unknown): string | undefined {
  return JSON.stringify(value);
}

function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value);
  }
  try {
    return toJson(value) ?? typeof value;
  } catch {
    return typeof value;
  }
}

/**
 * Maps whatever an `invoke` rejected with onto a HiloError. The backend rejects with an
 * `IpcError` object `{ code, message }`; anything else (a string from Tauri itself, a
 * thrown Error, garbage) becomes code `internal`.
 */
export function toHiloError(reason: unknown): HiloError {
  if (reason instanceof HiloError) return reason;
  if (typeof reason === 'object' && reason !== null) {
    const code: unknown = (reason as { code?: unknown }).code;
    const message: unknown = (reason as { message?: unknown }).message;
    if (isErrorCode(code) && typeof message === 'string') {
      return new HiloError(code, message);
    }
    if (reason instanceof Error) {
      return new HiloError('internal', reason.message.slice(0, MAX_MESSAGE));
    }
    if (typeof message === 'string') {
      return new HiloError('internal', message.slice(0, MAX_MESSAGE));
    }
  }
  return new HiloError('internal', describe(reason).slice(0, MAX_MESSAGE));
}
