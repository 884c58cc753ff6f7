import { describe, expect, it } from 'vitest';
import { createApp } from './app.js';

const app = createApp({ serverId: '2', serverName: 'backend2', maxBodyBytes: 16 });

describe('backend app', () => {
  it('says hello and names the server in plain text by default', async () => {
    const res = await app.request('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(res.headers.get('x-served-by')).toBe('backend2');
    expect(await res.text()).toBe('Hello, World!\nServer 2');
  });

  it('serves HTML naming the server and the load balancer to browsers', async () => {
    const res = await app.request('/', { headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8', 'x-lb': 'lb1' } });
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const body = await res.text();
    expect(body).toContain('Hello, World!');
    expect(body).toContain('Server 2');
    expect(body).toContain('load balancer: lb1');
  });

  it('escapes the load balancer header in HTML', async () => {
    const res = await app.request('/', { headers: { accept: 'text/html', 'x-lb': '<script>x</script>' } });
    expect(await res.text()).not.toContain('<script>x');
  });

  it('reports health, and 503 while draining', async () => {
    let draining = false;
    const a = createApp({ serverId: '1', serverName: 'backend1', isDraining: () => draining });
    const ok = await a.request('/healthz');
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ status: 'ok', server: 'backend1' });
    draining = true;
    const drain = await a.request('/healthz');
    expect(drain.status).toBe(503);
    expect(drain.headers.get('x-served-by')).toBe('backend1');
  });

  it('answers unknown paths with a JSON 404 that still names the server', async () => {
    const res = await app.request('/nope');
    expect(res.status).toBe(404);
    expect(res.headers.get('x-served-by')).toBe('backend2');
    expect(await res.json()).toMatchObject({ error: 'not found', path: '/nope' });
  });

  it('answers a method it does not serve with 405 and Allow', async () => {
    const res = await app.request('/', { method: 'DELETE' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
  });

  it('refuses an oversized body with 413', async () => {
    const res = await app.request('/', { method: 'POST', body: 'x'.repeat(100), headers: { 'content-length': '100' } });
    expect(res.status).toBe(413);
  });
});

describe('the page form chosen by Accept', () => {
  it.each([
    [undefined, 'text/plain'],
    ['*/*', 'text/plain'], // curl
    ['text/plain', 'text/plain'],
    ['text/*', 'text/plain'],
    ['application/json', 'text/plain'],
    ['text/html', 'text/html'],
    ['text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', 'text/html'], // a browser
    ['text/html;q=0.5, text/plain', 'text/plain'],
    ['text/plain;q=0.2, text/html', 'text/html'],
    ['text/plain;q=0.5, text/html;q=0.9', 'text/html'],
    ['TEXT/HTML', 'text/html'],
    ['text/html;q=0', 'text/plain'],
    ['text/html;q=0, */*', 'text/plain'],
  ])('%s → %s', async (accept, expected) => {
    const res = await app.request('/', { headers: accept === undefined ? {} : { accept } });
    expect(res.headers.get('content-type')).toMatch(new RegExp(`^${expected}`));
  });
});
