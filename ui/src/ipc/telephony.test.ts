import { beforeEach, describe, expect, it, vi } from 'vitest';
import { callOf, pop } from '../features/telephony/fixtures';

const invoke = vi.hoisted(() =>
  vi.fn<(command: string, args?: unknown) => Promise<unknown>>(() => Promise.resolve({})),
);
vi.mock('@tauri-apps/api/core', () => ({ invoke }));

const ipc = await import('./telephony');

describe('telephony commands', () => {
  beforeEach(() => {
    invoke.mockClear();
  });

  it('call the backend with the contract names and camelCase args', async () => {
    await ipc.callPlace('+34600123456');
    await ipc.callPlace('600123456', 'centralita');
    await ipc.callsRecent(20);
    await ipc.callbacksList();
    await ipc.customerCreateForNumber('+34911222333', 'Marta Ruiz');
    await ipc.telephonyRestart();
    expect(invoke.mock.calls).toEqual([
      ['call_place', { number: '+34600123456', account: null }],
      ['call_place', { number: '600123456', account: 'centralita' }],
      ['calls_recent', { limit: 20 }],
      ['callbacks_list', undefined],
      ['customer_create_for_number', { number: '+34911222333', name: 'Marta Ruiz' }],
      ['telephony_restart', undefined],
    ]);
  });

  it('turn rejections into HiloError with the code the UI branches on', async () => {
    invoke.mockRejectedValueOnce({ code: 'notFound', message: 'no telephony account' });
    await expect(ipc.callPlace('1')).rejects.toMatchObject({ name: 'HiloError', code: 'notFound' });
  });
});

describe('telephony event payloads', () => {
  it('accept what the backend sends', () => {
    expect(ipc.isScreenPop(pop())).toBe(true);
    expect(ipc.isScreenPop(pop({ customerId: null, latestConversation: null, number: null }))).toBe(
      true,
    );
    expect(ipc.isCallView(callOf(pop(), 'hungUp'))).toBe(true);
  });

  it('refuse drifted or hostile shapes', () => {
    expect(ipc.isScreenPop(null)).toBe(false);
    expect(ipc.isScreenPop({ ...pop(), openConversations: '1' })).toBe(false);
    expect(ipc.isScreenPop({ ...pop(), language: 'fr' })).toBe(false);
    const badConversation = { ...pop().latestConversation, channel: 'pigeon' };
    expect(ipc.isScreenPop({ ...pop(), latestConversation: badConversation })).toBe(false);
    expect(ipc.isCallView({ ...callOf(pop(), 'missed'), outcome: 'voicemail' })).toBe(false);
    expect(ipc.isCallView({ ...callOf(pop(), 'missed'), endedAt: 'soon' })).toBe(false);
  });
});
