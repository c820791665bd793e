// @vitest-environment jsdom
import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, it } from 'vitest';
import { setLocale } from '../../lib/i18n/index.svelte';
import AttachmentList from './AttachmentList.svelte';

const mounted: ReturnType<typeof mount>[] = [];

afterEach(async () => {
  for (const component of mounted.splice(0)) await unmount(component);
});

describe('<AttachmentList>', () => {
  it('lists names and sizes as text, never as links or markup', () => {
    setLocale('en');
    const target = document.createElement('div');
    const attachments = [
      {
        filename: 'factura 2025.pdf',
        contentType: 'application/pdf',
        size: 254_000,
        inline: false,
      },
      {
        filename: '<img src=x onerror=alert(1)>.png',
        contentType: 'image/png',
        size: 900,
        inline: true,
      },
      {
        filename: null,
        contentType: 'application/octet-stream',
        size: 3 * 1024 * 1024,
        inline: false,
      },
    ];
    mounted.push(mount(AttachmentList, { target, props: { attachments } }));
    flushSync();
    const items = [...target.querySelectorAll('li')].map((li) =>
      li.textContent.replace(/\s+/g, ' ').trim(),
    );
    expect(items[0]).toContain('factura 2025.pdf');
    expect(items[0]).toMatch(/248 kB/);
    expect(items[1]).toContain('<img src=x onerror=alert(1)>.png');
    expect(items[2]).toContain('Unnamed file');
    expect(items[2]).toMatch(/3 MB/);
    expect(target.querySelector('img')).toBeNull();
    expect(target.querySelector('a')).toBeNull();
    expect(target.querySelector('ul')?.getAttribute('aria-label')).toBe('Attachments');
  });
});
