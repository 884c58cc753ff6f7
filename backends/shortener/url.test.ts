import { describe, expect, it } from 'vitest';
import { codeFor, isCode } from './code.js';
import { checkUrl, maxUrlLength } from './url.js';

describe('a URL to shorten', () => {
  it('accepts http and https, normalised', () => {
    expect(checkUrl('https://Example.COM:443/a?b=1#c')).toEqual({ ok: true, url: 'https://example.com/a?b=1#c' });
    expect(checkUrl('http://10.0.0.1:8080/')).toEqual({ ok: true, url: 'http://10.0.0.1:8080/' });
  });

  it.each([
    ['ftp://example.com/', 'only http and https'],
    ['javascript:alert(1)', 'only http and https'],
    ['/relative', 'not an absolute URL'],
    ['https://user:pw@example.com/', 'user name or password'],
    ['https://user@example.com/', 'user name or password'],
    ['https://exa mple.com/', 'whitespace'],
    ['https://example.com/\n', 'whitespace'],
    [`https://example.com/${'a'.repeat(maxUrlLength)}`, 'longer than'],
    ['', 'non-empty'],
  ])('refuses %j', (input, reason) => {
    const r = checkUrl(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain(reason);
  });

  it('refuses what is not a string', () => {
    expect(checkUrl(42).ok).toBe(false);
    expect(checkUrl(undefined).ok).toBe(false);
  });
});

describe('a short code', () => {
  it('is the same for the same URL and differs by attempt', () => {
    const url = 'https://example.com/x';
    expect(codeFor(url)).toBe(codeFor(url));
    expect(codeFor(url, 1)).not.toBe(codeFor(url));
    expect(codeFor('https://example.com/y')).not.toBe(codeFor(url));
  });

  it('always has a digit, so it never names a path of the kit', () => {
    for (let i = 0; i < 2000; i++) expect(isCode(codeFor(`https://example.com/${i}`))).toBe(true);
    for (const path of ['healthz', 'metrics', 'visitor', 'chatroom', 'favicon']) expect(isCode(path)).toBe(false);
  });
});
