// @vitest-environment jsdom
import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SlaOverview } from '../../bindings/SlaOverview';
import type { SlaOverviewQuery } from '../../bindings/SlaOverviewQuery';
import type { Selection } from '../selection';
import { backendOnlyItem, T0 } from './fixtures';

const slaOverview = vi.hoisted(() => vi.fn<(query: SlaOverviewQuery) => Promise<SlaOverview>>());
vi.mock('../../ipc', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../ipc')>()),
  slaOverview,
}));

const { SlaStore } = await import('./sla.svelte');
const { default: SlaQueue } = await import('./SlaQueue.svelte');
const { setLocale } = await import('../../lib/i18n/index.svelte');

const mounted: ReturnType<typeof mount>[] = [];
afterEach(async () => {
  for (const component of mounted.splice(0)) await unmount(component);
});

/** Mounts the "Breached" view and waits for its load. */
async function breachedView(
  onOpenSelection: (s: Selection) => void = () => undefined,
): Promise<HTMLElement> {
  const target = document.createElement('div');
  const props = {
    view: 'breached' as const,
    sla: new SlaStore(),
    channel: null,
    selectedConversationId: null,
    selectedCallId: null,
    onOpen: () => undefined,
    onOpenSelection,
    rowHeight: 64,
  };
  mounted.push(mount(SlaQueue, { target, props }));
  await settle();
  return target;
}

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
  flushSync();
}

describe('<SlaQueue> "Breached"', () => {
  it('lists what only the helpdesk SLA covers, and opens it', async () => {
    setLocale('en');
    const ana = backendOnlyItem();
    const chat = backendOnlyItem({
      conversationId: 42,
      customerName: 'Luis Gómez',
      channel: 'whatsapp',
      lastActivityAt: T0 - 60_000,
    });
    slaOverview.mockResolvedValue({ now: T0, items: [], warnings: [], backendOnly: [ana, chat] });
    const opened: Selection[] = [];
    const target = await breachedView((s) => opened.push(s));

    expect(slaOverview).toHaveBeenCalledWith({ includeFinished: false, state: 'breached' });
    expect(target.querySelector('[data-testid="inbox-empty"]')).toBeNull();
    const rows = [
      ...target.querySelectorAll<HTMLButtonElement>('[data-testid="sla-backend-only-row"]'),
    ];
    expect(rows.map((r) => r.dataset['customerName'])).toEqual(['Luis Gómez', 'Ana López']);
    expect(rows[1]?.textContent).toContain('Chatwoot: SLA breached');
    expect(target.querySelector('#sla-backend-only-title')?.textContent).toContain(
      'With the helpdesk’s SLA only · 2',
    );

    rows[1]?.click();
    expect(opened).toEqual([
      {
        conversationId: 41,
        callId: null,
        customerId: 7,
        customerName: 'Ana López',
        channel: 'email',
        status: 'open',
        priority: 'none',
        subject: null,
      },
    ]);
  });

  it('says the view is empty when neither side has anything', async () => {
    setLocale('en');
    slaOverview.mockResolvedValue({ now: T0, items: [], warnings: [], backendOnly: [] });
    const target = await breachedView();
    expect(target.querySelector('[data-testid="inbox-empty"]')?.textContent).toBe(
      'No SLA is breached.',
    );
    expect(target.querySelector('[data-testid="sla-backend-only"]')).toBeNull();
  });
});
