import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openIdleConnections, parseStatus, rawHttp } from './raw-http.js';

describe('raw HTTP client', () => {
  let server: Server;
  let port = 0;
  const held: Socket[] = [];

  beforeAll(async () => {
    // Answers 200 once a full head arrived; a head starting with "CLOSE" is dropped unanswered.
    server = createServer((s) => {
      let buf = '';
      held.push(s);
      s.on('data', (d) => {
        buf += d.toString('latin1');
        if (buf.startsWith('CLOSE')) return s.destroy();
        if (buf.includes('\r\n\r\n')) s.end(`HTTP/1.1 200 OK\r\ncontent-length: ${buf.length}\r\n\r\n`);
      });
      s.on('error', () => undefined);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
  });

  afterAll(async () => {
    for (const s of held) s.destroy();
    await new Promise((r) => server.close(r));
  });

  it('parses the status line only when it is HTTP', () => {
    expect(parseStatus('HTTP/1.1 408 Request Time-out\r\n')).toBe(408);
    expect(parseStatus('HTTP/1.0 200 OK\r\n')).toBe(200);
    expect(parseStatus('garbage')).toBeUndefined();
  });

  it('sends a payload and reads the answer until close', async () => {
    const r = await rawHttp('GET / HTTP/1.1\r\nHost: x\r\n\r\n', { host: '127.0.0.1', port });
    expect(r.status).toBe(200);
    expect(r.timedOut).toBe(false);
  });

  it('sends timed chunks (a slow client)', async () => {
    const r = await rawHttp('GET / HTTP/1.1\r\n', { host: '127.0.0.1', port, chunks: [{ delayMs: 50, data: 'Host: x\r\n\r\n' }] });
    expect(r.status).toBe(200);
    expect(r.elapsedMs).toBeGreaterThanOrEqual(40);
  });

  it('reports a close without an answer, and its own timeout', async () => {
    const closed = await rawHttp('CLOSE\r\n', { host: '127.0.0.1', port });
    expect(closed.status).toBeUndefined();
    expect(closed.timedOut).toBe(false);
    const slow = await rawHttp('GET / HTTP/1.1\r\n', { host: '127.0.0.1', port, timeoutMs: 100 });
    expect(slow.timedOut).toBe(true);
  });

  it('holds idle connections and counts those the server closed', async () => {
    const idle = await openIdleConnections(5, { host: '127.0.0.1', port });
    expect(idle.open()).toHaveLength(5);
    expect(idle.closedByServer()).toBe(0);
    idle.close();
    await new Promise((r) => setTimeout(r, 20));
    expect(idle.open()).toHaveLength(0);
    expect(idle.closedByServer()).toBe(0);
  });
});
