// @vitest-environment jsdom
import { flushSync, mount, unmount } from 'svelte';
import { describe, expect, it } from 'vitest';
import SnippetText from './SnippetText.svelte';

describe('<SnippetText>', () => {
  it('renders marked segments as <mark> and hostile text as text', async () => {
    const target = document.createElement('div');
    const component = mount(SnippetText, {
      target,
      props: {
        segments: [
          { text: '<img src=x onerror="alert(1)"> tu ', marked: false },
          { text: 'reposición', marked: true },
          { text: ' <script>evil()</script>', marked: false },
        ],
      },
    });
    flushSync();
    const marks = target.querySelectorAll('mark');
    expect(marks).toHaveLength(1);
    expect(marks[0]?.textContent).toBe('reposición');
    expect(target.querySelector('img')).toBeNull();
    expect(target.querySelector('script')).toBeNull();
    expect(target.textContent).toBe(
      '<img src=x onerror="alert(1)"> tu reposición <script>evil()</script>',
    );
    await unmount(component);
  });
});
