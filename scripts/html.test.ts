import { describe, expect, it } from 'vitest';
import { joinMarkup, markup, raw } from './html.js';

describe('markup', () => {
  it('escapes interpolated text, in content and attributes alike', () => {
    const name = `<a href="x">O'Neil & co</a>`;
    expect(String(markup`<p title="${name}">${name}</p>`)).toBe(
      '<p title="&lt;a href=&quot;x&quot;&gt;O&#39;Neil &amp; co&lt;/a&gt;">&lt;a href=&quot;x&quot;&gt;O&#39;Neil &amp; co&lt;/a&gt;</p>',
    );
  });

  it('keeps nested markup and raw text as they are, joins arrays, and drops empty values', () => {
    const items = ['a<b', 'c'].map((s) => markup`<li>${s}</li>`);
    expect(String(markup`<ul>${items}</ul>${raw('<svg/>')}${false}${undefined}${null}${3}`)).toBe(
      '<ul><li>a&lt;b</li><li>c</li></ul><svg/>3',
    );
    expect(String(joinMarkup(items))).toBe('<li>a&lt;b</li>\n<li>c</li>');
  });

  it('refuses a promise (the result must be ready at once)', () => {
    const values = [Promise.resolve('x')] as unknown as string[];
    expect(() => markup`<p>${values[0]}</p>`).toThrow(/promise/);
  });
});
