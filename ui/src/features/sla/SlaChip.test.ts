// @vitest-environment jsdom
import { flushSync, mount, unmount, type Component } from 'svelte';
import { afterEach, describe, expect, it } from 'vitest';
import { clock } from '../../lib/clock.svelte';
import { setLocale } from '../../lib/i18n/index.svelte';
import { clockView, MIN, slaItem, T0 } from './fixtures';
import SlaChip from './SlaChip.svelte';
import SlaClocks from './SlaClocks.svelte';

const mounted: ReturnType<typeof mount>[] = [];

afterEach(async () => {
  for (const component of mounted.splice(0)) await unmount(component);
});

function render<P extends Record<string, unknown>>(component: Component<P>, props: P): HTMLElement {
  const target = document.createElement('div');
  mounted.push(mount(component, { target, props }));
  flushSync();
  return target;
}

describe('<SlaChip>', () => {
  it('renders nothing for a conversation without SLA', () => {
    const target = render(SlaChip, { items: [], conversationId: 1 });
    expect(target.querySelector('[data-testid="sla-chip"]')).toBeNull();
  });

  it('ticks with the shared clock and flips state at the crossing instants', () => {
    setLocale('en');
    clock.now = T0 + MIN + 28_000;
    const target = render(SlaChip, { items: [slaItem({ conversationId: 7 })], conversationId: 7 });
    const chip = (): HTMLElement | null => target.querySelector('[data-testid="sla-chip"]');
    const countdown = (): string | null | undefined =>
      chip()?.querySelector('[data-testid="sla-countdown"]')?.textContent;
    expect(chip()?.dataset['state']).toBe('running');
    expect(chip()?.dataset['conversationId']).toBe('7');
    expect(chip()?.dataset['metric']).toBe('first_response');
    expect(chip()?.classList.contains('sla-state-running')).toBe(true);
    expect(countdown()).toBe('3:32');
    expect(chip()?.textContent).toContain('1st resp.');

    clock.now = T0 + 4 * MIN;
    flushSync();
    expect(chip()?.dataset['state']).toBe('at_risk');
    expect(countdown()).toBe('1:00');

    clock.now = T0 + 5 * MIN - 1;
    flushSync();
    expect(chip()?.dataset['state']).toBe('at_risk');

    clock.now = T0 + 5 * MIN;
    flushSync();
    expect(chip()?.dataset['state']).toBe('breached');
    expect(chip()?.classList.contains('sla-state-breached')).toBe(true);

    clock.now = T0 + 7 * MIN + 10_000;
    flushSync();
    expect(countdown()).toBe('\u22122 min');
    expect(chip()?.title).toContain('Was due:');
  });

  it('shows an achieved clock with a check and no countdown', () => {
    const achieved = clockView({ state: 'achieved', dueAt: null, achievedAt: T0 + MIN });
    const target = render(SlaChip, {
      items: [slaItem({ clocks: [achieved] })],
      conversationId: 1,
    });
    const chip = target.querySelector<HTMLElement>('[data-testid="sla-chip"]');
    expect(chip?.dataset['state']).toBe('achieved');
    expect(chip?.querySelector('[data-icon="achieved"]')).not.toBeNull();
    expect(chip?.querySelector('[data-testid="sla-countdown"]')).toBeNull();
  });
});

describe('<SlaClocks>', () => {
  it('lists each metric with its state and time, the due time on hover', () => {
    setLocale('es');
    clock.now = T0 + 4 * MIN + 18_000;
    const item = slaItem({
      clocks: [
        clockView({
          metric: 'resolution',
          dueAt: T0 + 24 * 60 * MIN,
          atRiskAt: T0 + 20 * 60 * MIN,
        }),
        clockView(),
        clockView({ metric: 'next_response', state: 'paused', dueAt: null, remainingMs: 90_000 }),
      ],
    });
    const target = render(SlaClocks, { items: [item] });
    const clocks = [...target.querySelectorAll<HTMLElement>('[data-testid="sla-clock"]')];
    expect(clocks.map((c) => [c.dataset['metric'], c.dataset['state']])).toEqual([
      ['first_response', 'at_risk'],
      ['next_response', 'paused'],
      ['resolution', 'running'],
    ]);
    expect(clocks[0]?.textContent).toContain('Primera respuesta');
    expect(clocks[0]?.textContent).toContain('En riesgo');
    expect(clocks[0]?.textContent).toContain('quedan 0:42');
    expect(clocks[0]?.title).toContain('Vence:');
    expect(clocks[1]?.textContent).toContain('en pausa, quedan 1:30');
    setLocale('en');
  });
});
