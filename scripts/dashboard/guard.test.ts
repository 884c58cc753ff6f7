import { describe, expect, it } from 'vitest';
import { allowedHosts, checkAction, checkHost, newToken, sameToken } from './guard.js';

const hosts = allowedHosts(8400);
const token = 'a'.repeat(48);

describe('dashboard guard', () => {
  it('makes a fresh 48-hex-digit token each time', () => {
    const a = newToken();
    expect(a).toMatch(/^[0-9a-f]{48}$/);
    expect(newToken()).not.toBe(a);
  });

  it('compares tokens exactly', () => {
    expect(sameToken(token, token)).toBe(true);
    expect(sameToken(undefined, token)).toBe(false);
    expect(sameToken('a'.repeat(47), token)).toBe(false);
    expect(sameToken('b'.repeat(48), token)).toBe(false);
  });

  it('accepts only its own Host names', () => {
    expect(checkHost('127.0.0.1:8400', hosts)).toBeUndefined();
    expect(checkHost('LOCALHOST:8400', hosts)).toBeUndefined();
    expect(checkHost('evil.example:8400', hosts)).toMatch(/not this dashboard/);
    expect(checkHost('127.0.0.1:8406', hosts)).toMatch(/not this dashboard/);
    expect(checkHost(undefined, hosts)).toMatch(/no Host/);
  });

  it('lets a same-origin request with the token through', () => {
    expect(checkAction({ origin: 'http://127.0.0.1:8400', secFetchSite: 'same-origin', token }, hosts, token)).toBeUndefined();
    expect(checkAction({ token }, hosts, token)).toBeUndefined(); // a script (curl) sends no Origin
  });

  it('refuses a foreign Origin even with the right token', () => {
    expect(checkAction({ origin: 'http://evil.example', token }, hosts, token)).toMatch(/cross-site.*evil/);
    expect(checkAction({ origin: 'https://127.0.0.1:8400', token }, hosts, token)).toMatch(/cross-site/);
    expect(checkAction({ origin: 'null', token }, hosts, token)).toMatch(/cross-site/);
    expect(checkAction({ secFetchSite: 'cross-site', token }, hosts, token)).toMatch(/Sec-Fetch-Site/);
  });

  it('refuses a same-origin request without the token', () => {
    expect(checkAction({ origin: 'http://127.0.0.1:8400' }, hosts, token)).toMatch(/x-hakit-token/);
    expect(checkAction({ origin: 'http://127.0.0.1:8400', token: 'nope' }, hosts, token)).toMatch(/x-hakit-token/);
  });
});
