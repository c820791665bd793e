import { describe, expect, it } from 'vitest';
import type { CustomerContext } from '../../bindings/CustomerContext';
import type { CustomerConversation } from '../../bindings/CustomerConversation';
import type { Identity } from '../../bindings/Identity';
import {
  activeMergeIds,
  evidenceText,
  groupIdentities,
  identityText,
  isCallable,
  isFiltered,
  jumpInstant,
  NO_FILTER,
  selectionFromCustomerConversation,
  splitConversations,
  toggle,
} from './context';

const id = (kind: Identity['kind'], value: string, display = value): Identity => ({
  kind,
  value,
  display,
});

function conversation(
  idNum: number,
  status: CustomerConversation['status'],
  at: number,
): CustomerConversation {
  return {
    id: idNum,
    accountName: 'Soporte',
    channel: 'email',
    status,
    priority: 'none',
    subject: null,
    assignee: null,
    createdAt: 0,
    lastActivityAt: at,
  };
}

describe('groupIdentities', () => {
  it('puts phones first, then emails, handles and helpdesk ids, keeping order inside a group', () => {
    const groups = groupIdentities([
      id('contact', '1:3800', '#3800'),
      id('email', 'claudio.perez@example.com'),
      id('facebook', 'claudio.perez.92'),
      id('phone', '+34600123456', '+34 600 123 456'),
      id('email', 'claudio.p@example.com'),
      id('phone_unparsed', '600123456', '600 12 34 56'),
    ]);
    expect(groups.map((g) => g.kind)).toEqual([
      'phone',
      'phone_unparsed',
      'email',
      'facebook',
      'contact',
    ]);
    expect(groups[2]?.identities.map((i) => i.value)).toEqual([
      'claudio.perez@example.com',
      'claudio.p@example.com',
    ]);
  });

  it('shows nothing for no identities', () => {
    expect(groupIdentities([])).toEqual([]);
  });
});

describe('identities', () => {
  it('shows what the customer wrote, else the normalized value', () => {
    expect(identityText(id('phone', '+34600123456', '+34 600 123 456'))).toBe('+34 600 123 456');
    expect(identityText(id('phone', '+34600123456', '  '))).toBe('+34600123456');
  });

  it('offers the phone action only on numbers in E.164', () => {
    expect(isCallable(id('phone', '+34600123456'))).toBe(true);
    expect(isCallable(id('phone_unparsed', '600123456'))).toBe(false);
    expect(isCallable(id('email', '+34600123456@example.com'))).toBe(false);
    expect(isCallable(id('phone', '+34 600'))).toBe(false);
  });
});

describe('splitConversations', () => {
  it('lists open ones apart from resolved ones, newest first', () => {
    const { open, past } = splitConversations([
      conversation(1, 'resolved', 10),
      conversation(2, 'open', 5),
      conversation(3, 'pending', 50),
      conversation(4, 'resolved', 30),
      conversation(5, 'snoozed', 5),
    ]);
    expect(open.map((c) => c.id)).toEqual([3, 5, 2]);
    expect(past.map((c) => c.id)).toEqual([4, 1]);
  });
});

describe('evidenceText', () => {
  it('says why in each language', () => {
    const phone = {
      kind: 'samePhone',
      value: '+34600123456',
      here: '+34 600 123 456',
      there: '600 12 34 56',
    } as const;
    expect(evidenceText(phone, 'es')).toBe('Mismo teléfono: +34 600 123 456 = 600 12 34 56');
    expect(evidenceText(phone, 'en')).toBe('Same phone: +34 600 123 456 = 600 12 34 56');
    const name = {
      kind: 'sameNameAndDomain',
      value: 'claudio perez @ example.com',
      here: 'claudio.perez@example.com',
      there: 'claudio.p@example.com',
    } as const;
    expect(evidenceText(name, 'es')).toBe(
      'Mismo nombre y dominio de empresa: claudio.perez@example.com · claudio.p@example.com',
    );
    expect(
      evidenceText(
        { kind: 'sameEmail', value: 'a@b.es', here: 'a@b.es', there: 'id:A@B.es' },
        'en',
      ),
    ).toBe('Same address: a@b.es = id:A@B.es');
  });
});

describe('merges', () => {
  it('offers Unmerge only on merges still standing', () => {
    const record = (idNum: number, unmergedAt: number | null) => ({
      id: idNum,
      targetId: 1,
      sourceId: 2,
      sourceName: 'Claudio Perez',
      mergedAt: 0,
      mergedBy: 'Ana',
      evidence: [],
      moved: { identities: 2, conversations: 1, calls: 0, events: 1 },
      unmergedAt,
      unmergedBy: null,
    });
    const context = { merges: [record(3, null), record(4, 99)] } as unknown as CustomerContext;
    expect([...activeMergeIds(context)]).toEqual([3]);
    expect(activeMergeIds(null).size).toBe(0);
  });

  it('opens a conversation from the panel as a selection', () => {
    const s = selectionFromCustomerConversation(conversation(9, 'open', 1), 1, 'Claudio Pérez');
    expect(s).toMatchObject({ conversationId: 9, customerId: 1, customerName: 'Claudio Pérez' });
    expect(s.callId).toBeNull();
  });
});

describe('filters', () => {
  it('toggles chips on and off', () => {
    expect(toggle(['email'], 'voice')).toEqual(['email', 'voice']);
    expect(toggle(['email', 'voice'], 'email')).toEqual(['voice']);
    expect(isFiltered(NO_FILTER)).toBe(false);
    expect(isFiltered({ ...NO_FILTER, kinds: ['note'] })).toBe(true);
    expect(isFiltered({ ...NO_FILTER, before: 0 })).toBe(true);
  });

  it('jumps to the end of the chosen day, local time', () => {
    const at = jumpInstant('2025-06-10');
    expect(at).not.toBeNull();
    const d = new Date(at ?? 0);
    expect([d.getFullYear(), d.getMonth(), d.getDate(), d.getHours(), d.getMinutes()]).toEqual([
      2025, 5, 10, 23, 59,
    ]);
    for (const bad of ['', '2025-02-30', '10/06/2025', '2025-13-01', 'mañana']) {
      expect(jumpInstant(bad), bad).toBeNull();
    }
  });
});
