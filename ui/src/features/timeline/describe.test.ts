import { describe, expect, it } from 'vitest';
import type { TimelineEvent } from '../../bindings/TimelineEvent';
import { describeEvent } from './describe';

function ev(partial: Partial<TimelineEvent> & Pick<TimelineEvent, 'kind'>): TimelineEvent {
  return {
    id: 1,
    at: 0,
    conversationId: 7,
    channel: 'facebook',
    actor: null,
    from: null,
    to: null,
    ...partial,
  };
}

describe('describeEvent', () => {
  it('shows status changes with localized, lower-case statuses', () => {
    const e = ev({ kind: 'status_changed', from: 'open', to: 'resolved' });
    expect(describeEvent(e, 'es')).toBe('Estado: abierta → resuelta');
    expect(describeEvent(e, 'en')).toBe('Status: open → resolved');
  });

  it('shows unknown status values as they came', () => {
    expect(describeEvent(ev({ kind: 'status_changed', from: null, to: 'weird' }), 'en')).toBe(
      'Status: — → weird',
    );
  });

  it('names the assignee, or says it was unassigned', () => {
    expect(describeEvent(ev({ kind: 'assigned', to: 'Ana' }), 'es')).toBe('Asignada a Ana');
    expect(describeEvent(ev({ kind: 'assigned', to: null }), 'en')).toBe('Unassigned');
  });

  it('describes the bot handoff, priorities, merges and SLA alerts', () => {
    expect(describeEvent(ev({ kind: 'handoff' }), 'es')).toBe('Traspaso del bot a agente');
    expect(describeEvent(ev({ kind: 'handoff', to: 'Ana' }), 'en')).toBe('Handoff from bot to Ana');
    expect(describeEvent(ev({ kind: 'priority_changed', from: 'low', to: 'urgent' }), 'es')).toBe(
      'Prioridad: baja → urgente',
    );
    expect(describeEvent(ev({ kind: 'merged' }), 'en')).toBe('Customer profiles merged');
    expect(describeEvent(ev({ kind: 'unmerged' }), 'es')).toBe('Perfiles del cliente separados');
    expect(describeEvent(ev({ kind: 'merged', from: 'Claudio Perez', mergeId: 3 }), 'es')).toBe(
      'Claudio Perez fusionada en esta ficha',
    );
    expect(describeEvent(ev({ kind: 'unmerged', to: 'Claudio Perez' }), 'en')).toBe(
      'Claudio Perez split from this customer',
    );
    expect(describeEvent(ev({ kind: 'sla_alert', to: 'breached' }), 'es')).toBe(
      'Alerta de SLA: incumplido',
    );
  });
});
