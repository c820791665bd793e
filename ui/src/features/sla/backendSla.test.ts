import { describe, expect, it } from 'vitest';
import type { BackendSlaView } from '../../bindings/BackendSlaView';
import {
  backendDetail,
  backendForSelection,
  backendLabel,
  backendState,
  differsHint,
} from './backendSla';
import { slaItem } from './fixtures';

function view(overrides: Partial<BackendSlaView> = {}): BackendSlaView {
  return {
    sla: {
      backend: 'Chatwoot',
      policyId: '7',
      policyName: 'Chat 5 min',
      status: 'active_with_misses',
      firstResponseSecs: 300,
      nextResponseSecs: null,
      resolutionSecs: 86_400,
      businessHoursOnly: false,
      misses: [{ metric: 'first_response', at: 1 }],
    },
    differing: [],
    localPolicy: true,
    ...overrides,
  };
}

describe('the backend SLA beside Hilo’s clocks', () => {
  it('is labelled with the backend’s name and its own verdict', () => {
    expect(backendLabel(view(), 'es')).toBe('Chatwoot: SLA incumplido');
    expect(backendLabel(view(), 'en')).toBe('Chatwoot: SLA breached');
    const met = view();
    met.sla = { ...met.sla, status: 'hit', misses: [] };
    expect(backendLabel(met, 'es')).toBe('Chatwoot: SLA cumplido');
    expect(backendState('active')).toBe('running');
    expect(backendState('missed')).toBe('breached');
    expect(backendState('unknown')).toBe('paused');
  });

  it('lists the policy, its targets and what it recorded as missed', () => {
    expect(backendDetail(view(), 'en').split('\n')).toEqual([
      'Policy: Chat 5 min',
      'First response: 5 min',
      'Resolution: 1440 min',
      'First response: missed',
    ]);
  });

  it('says when it disagrees with Hilo, and when Hilo has no policy at all', () => {
    expect(differsHint(view(), 'en')).toBeNull();
    expect(differsHint(view({ differing: ['first_response', 'next_response'] }), 'en')).toBe(
      'Chatwoot and Hilo disagree on: First response, Next response',
    );
    expect(differsHint(view({ localPolicy: false }), 'es')).toBe(
      'Ninguna política de Hilo cubre esta conversación',
    );
  });

  it('comes from the conversation’s item, else from the backend-only list', () => {
    const own = view();
    expect(backendForSelection([slaItem({ backend: own })], null)).toBe(own);
    const only = view({ localPolicy: false });
    expect(backendForSelection([], only)).toBe(only);
    expect(backendForSelection([slaItem()], null)).toBeNull();
  });
});
