import { describe, expect, it } from 'vitest';
import { hangupCauseKey } from './hangup';

describe('hangupCauseKey', () => {
  it('reads Q.850 numbers and the names PBXs send', () => {
    expect(hangupCauseKey('16')).toBe('call.cause.normal');
    expect(hangupCauseKey('NORMAL_CLEARING')).toBe('call.cause.normal');
    expect(hangupCauseKey('17')).toBe('call.cause.busy');
    expect(hangupCauseKey('USER_BUSY')).toBe('call.cause.busy');
    expect(hangupCauseKey('19')).toBe('call.cause.noAnswer');
    expect(hangupCauseKey('ORIGINATOR_CANCEL')).toBe('call.cause.cancelled');
    expect(hangupCauseKey('link-lost')).toBe('call.cause.linkLost');
  });

  it('leaves unknown causes to be shown as reported', () => {
    expect(hangupCauseKey('99')).toBeNull();
    expect(hangupCauseKey('<script>')).toBeNull();
  });
});
