import type { CallView } from '../../bindings/CallView';
import type { ScreenPop } from '../../bindings/ScreenPop';

export const T0 = 1_741_000_000_000;

/** Claudio Pérez ringing on the `centralita` account. */
export function pop(overrides: Partial<ScreenPop> = {}): ScreenPop {
  return {
    account: 'centralita',
    accountId: 3,
    callRef: '1741000000.27',
    number: '+34600123456',
    numberDisplay: '+34 600 12 34 56',
    customerId: 1,
    customerName: 'Claudio Pérez',
    openConversations: 1,
    latestConversation: {
      id: 12,
      channel: 'facebook',
      status: 'open',
      subject: 'Pedido no recibido',
      lastActivityAt: T0 - 60_000,
    },
    offerCreateCustomer: false,
    language: 'es',
    title: 'Llamada entrante',
    body: 'Claudio Pérez · 1 conversación abierta',
    text: 'Llamada entrante · Claudio Pérez · 1 conversación abierta',
    target: 'customer:1',
    ringingSince: T0,
    notified: true,
    notificationError: null,
    ...overrides,
  };
}

/** A stranger: unknown number, offered as a new customer. */
export function strangerPop(overrides: Partial<ScreenPop> = {}): ScreenPop {
  return pop({
    callRef: '1741000000.31',
    number: '+34911222333',
    numberDisplay: '+34 911 22 23 33',
    customerId: null,
    customerName: null,
    openConversations: 0,
    latestConversation: null,
    offerCreateCustomer: true,
    target: 'new-customer:+34911222333',
    ...overrides,
  });
}

/** The stored call behind a pop, at some stage. */
export function callOf(
  p: ScreenPop,
  stage: 'ringing' | 'answered' | 'missed' | 'hungUp',
  overrides: Partial<CallView> = {},
): CallView {
  const answered = stage === 'answered' || stage === 'hungUp';
  const ended = stage === 'missed' || stage === 'hungUp';
  return {
    id: 40,
    callRef: p.callRef,
    account: p.account,
    direction: 'inbound',
    from: p.number,
    to: '1986',
    agent: 'PJSIP/1986',
    outcome: stage === 'missed' ? 'missed' : answered ? 'answered' : 'ringing',
    startedAt: p.ringingSince,
    answeredAt: answered ? p.ringingSince + 5_000 : null,
    endedAt: ended ? p.ringingSince + 65_000 : null,
    durationSecs: ended ? 65 : null,
    talkSecs: stage === 'hungUp' ? 60 : null,
    hangupCause: ended ? '16' : null,
    customerId: p.customerId,
    ...overrides,
  };
}
