// Hardening on the running stack (issue 7): bad and hostile input through the VIP, the admin
// surfaces, per-source limits, and least privilege of every node's processes. One stack for the
// whole file. Attacking clients send from extra addresses on the host's side of the kit's network
// (10.213.0.201–204): the host's own address 10.213.0.1 is exempt from the per-source limits
// (haproxy.cfg), and the probe checking that others are served meanwhile sends from it.
import { execFile } from 'node:child_process';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bringUp } from '../scripts/stack/actions.js';
import { loadCredentials } from '../scripts/stack/credentials.js';
import { parseShowStat } from '../scripts/observe/haproxy-stats.js';
import { packageRoot } from '../scripts/paths.js';
import { keepalivedScriptRuns, nodeProcesses, uidOf } from '../scripts/testing/privileges.js';
import { isSuccess, runProbe, type ProbeRecord } from '../scripts/observe/probe.js';
import { silentProgress } from '../scripts/progress.js';
import { openIdleConnections, rawHttp, type RawOptions } from '../scripts/testing/raw-http.js';
import { openRuntime, type RuntimeChoice } from '../scripts/runtime/select.js';
import type { Runtime } from '../scripts/runtime/runtime.js';
import { sh, shMaybe } from '../scripts/sh.js';
import { getStatus, isHealthy, masters } from '../scripts/observe/status.js';
import { claimStack, failUnderCi, integrationPrerequisites, releaseStack, skipOutsideCi } from '../scripts/testing/prerequisites.js';

const runtimes = (process.env.HAKIT_TEST_RUNTIMES ?? 'netns').split(',') as RuntimeChoice[];
const missing = await integrationPrerequisites(['ip', 'haproxy', 'keepalived', 'curl', 'nsenter']);
const cli = join(packageRoot, 'dist', 'scripts', 'cli.js');

// Client addresses added to the host's interface on the kit's network for this file only.
const SRC = { rate: '10.213.0.201', conns: '10.213.0.202', slow: '10.213.0.203', other: '10.213.0.204' } as const;

interface Reply {
  status?: number;
  error?: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function httpGet(
  url: string,
  opts: { localAddress?: string; agent?: Agent | false; auth?: string; method?: string; body?: string } = {},
): Promise<Reply> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = {};
    if (opts.auth) headers.authorization = `Basic ${Buffer.from(opts.auth).toString('base64')}`;
    if (opts.body !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      headers['content-length'] = String(Buffer.byteLength(opts.body));
    }
    const req = request(
      url,
      { agent: opts.agent ?? false, localAddress: opts.localAddress, method: opts.method ?? 'GET', headers },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
        res.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message, headers: {}, body }));
      },
    );
    req.setTimeout(3000, () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message, headers: {}, body: '' }));
    req.end(opts.body);
  });
}

function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { env: { ...process.env, NO_COLOR: '1' }, timeout: 120_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe.skipIf(skipOutsideCi(missing)).each(runtimes)('hardening on %s', (name) => {
  let rt: Runtime;
  let vip: string;
  let url: string;
  let statsUrl: string;
  let hostDev: string;

  /** Runs `attack` while a probe from the host sends a request every 20 ms (for at least 1 s); returns both. */
  async function whileServing<T>(attack: () => Promise<T>): Promise<{ result: T; served: ProbeRecord[] }> {
    const stop = new AbortController();
    const probe = runProbe({ url, intervalMs: 20, timeoutMs: 2000, maxDurationMs: 30_000, signal: stop.signal });
    try {
      const [result] = await Promise.all([attack(), new Promise((r) => setTimeout(r, 1000))]);
      return { result, served: await (stop.abort(), probe) };
    } finally {
      stop.abort();
    }
  }

  const expectAllServed = (served: ProbeRecord[]) => {
    expect(served.length).toBeGreaterThan(5);
    expect(served.filter((r) => !isSuccess(r))).toEqual([]);
  };

  const raw = (payload: string, extra: Partial<RawOptions> = {}) =>
    rawHttp(payload, { host: vip, port: 80, timeoutMs: 4000, localAddress: SRC.other, ...extra });

  beforeAll(async () => {
    failUnderCi(missing);
    rt = await openRuntime(name);
    await claimStack(rt);
    const status = await bringUp(rt, silentProgress);
    vip = rt.topology.vip;
    url = status.url;
    statsUrl = status.statsUrl;
    // The host's interface on the kit's network (hakit0 for netns, the Docker bridge otherwise).
    const addr = (await sh`ip -o -4 addr show to ${rt.topology.hostAddress}/32`).stdout;
    hostDev = addr.split(/\s+/)[1]!;
    expect(hostDev).toBeTruthy();
    for (const ip of Object.values(SRC)) await sh`ip addr add ${ip}/32 dev ${hostDev}`;
  });

  afterAll(async () => {
    if (hostDev) for (const ip of Object.values(SRC)) await shMaybe`ip addr del ${ip}/32 dev ${hostDev}`;
    await releaseStack(rt);
  });

  describe('bad input through the VIP', () => {
    it('malformed request lines and headers get 400, and others are served meanwhile', async () => {
      const cases = [
        'GARBAGE\r\n\r\n',
        'GET / HTTP/1.1 trailing-junk\r\nHost: x\r\n\r\n',
        'GET / HTTP/1.1\r\nHost: x\r\nNo colon in this header\r\n\r\n',
        'GET / HTTP/1.1\r\nHost: x\r\nBad Name: space in the name\r\n\r\n',
        // request smuggling: both Content-Length and chunked, with a conflicting second length
        'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\nabcde',
      ];
      const { result, served } = await whileServing(() => Promise.all(cases.map((c) => raw(c))));
      expect(result.map((r) => r.status)).toEqual(cases.map(() => 400));
      expectAllServed(served);
    });

    it('oversized headers get 400 or 431 (one huge header; too many headers)', async () => {
      const huge = `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`;
      const many = `GET / HTTP/1.1\r\nHost: x\r\n${Array.from({ length: 200 }, (_, i) => `X-H${i}: v`).join('\r\n')}\r\n\r\n`;
      const { result, served } = await whileServing(() => Promise.all([raw(huge), raw(many)]));
      for (const r of result) expect([400, 431]).toContain(r.status);
      expectAllServed(served);
    });

    it('slow heads (slowloris) are cut with 408 by timeout http-request, and the tier keeps serving', async () => {
      // 20 clients each trickle one header line per second and never finish the head.
      const trickle = Array.from({ length: 8 }, (_, i) => ({ delayMs: 1000, data: `X-Slow-${i}: still typing\r\n` }));
      const { result, served } = await whileServing(() =>
        Promise.all(
          Array.from({ length: 20 }, () =>
            raw('GET / HTTP/1.1\r\nHost: x\r\n', { localAddress: SRC.slow, chunks: trickle, timeoutMs: 9000 }),
          ),
        ),
      );
      expect(result.map((r) => r.status)).toEqual(result.map(() => 408));
      expect(result.every((r) => !r.timedOut)).toBe(true);
      console.log(
        `slowloris: 20 slow heads cut after ${Math.round(Math.min(...result.map((r) => r.elapsedMs)))}–${Math.round(Math.max(...result.map((r) => r.elapsedMs)))} ms; ${served.length} probe requests meanwhile, all served`,
      );
      expectAllServed(served);
    });

    it('an oversized body gets 413 (declared: from HAProxy; chunked: from the backend); a small one does not', async () => {
      const big = 'a'.repeat(200_000);
      // Headers only, as a client waiting for the verdict (Expect: 100-continue) would: a client
      // that blasts the whole body can lose the 413 to the reset of its unread upload.
      const byLength = await raw(`POST / HTTP/1.1\r\nHost: x\r\nContent-Length: ${big.length}\r\nConnection: close\r\n\r\n`);
      const chunk = `10000\r\n${'a'.repeat(0x10000)}\r\n`;
      const chunked = await raw(
        `POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n${chunk.repeat(3)}0\r\n\r\n`,
      );
      const small = await raw('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello');
      expect([byLength.status, small.status]).toEqual([413, 405]);
      // Chunked, the backend answers 413 while HAProxy is still streaming the rest of the body:
      // when the backend's close overtakes its answer, HAProxy can only say 502, or the reset of
      // the unread upload reaches this client before the answer. Known gap; never a 2xx, never a hang.
      expect(chunked.timedOut).toBe(false);
      expect([413, 502, undefined]).toContain(chunked.status);
    });

    it("the edge's 413 on /api/ is JSON (256 KiB on /api/kv/, whose 64 KiB limit is on the value), HTML elsewhere", async () => {
      const head = (path: string, length: number) =>
        raw(`POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: ${length}\r\nConnection: close\r\n\r\n`);
      const kv = await head('/api/kv/k', 300_000);
      expect(kv.status).toBe(413);
      expect(kv.text).toMatch(/content-type: application\/json/i);
      expect(kv.text).toContain('{"error":"payload too large","limit":262144}');
      const api = await head('/api/visits', 70_000);
      expect(api.text).toContain('{"error":"payload too large","limit":65536}');
      expect((await head('/', 70_000)).text).toMatch(/<html>/);
    });

    it('unknown path 404, a known path with an unserved method 405 (Allow), an unknown method 405', async () => {
      const notFound = await raw('GET /no/such/page HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      const post = await raw('DELETE / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      const brew = await raw('BREW / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      expect([notFound.status, post.status, brew.status]).toEqual([404, 405, 405]);
      expect(post.text).toMatch(/allow: GET, HEAD/i);
    });

    it('HTTP/1.0 without Host is served; HTTP/1.1 without Host gets a clear 400', async () => {
      const h10 = await raw('GET / HTTP/1.0\r\n\r\n');
      expect(h10.status).toBe(200);
      // The first two lines are the tier's; the count line follows (the data nodes are up).
      expect(h10.text).toMatch(/Hello, World!\nServer [12]\nVisits today: /);
      const h11 = await raw('GET / HTTP/1.1\r\nConnection: close\r\n\r\n');
      expect(h11.status).toBe(400);
    });
  });

  describe('per-source limits', () => {
    it('more than 1000 requests in 10 s from one address get 429; other addresses and the host are served', async () => {
      const agent = new Agent({ keepAlive: true, maxSockets: 10 });
      const { result, served } = await whileServing(async () => {
        const replies: Reply[] = [];
        for (let batch = 0; batch < 11; batch++) {
          replies.push(...(await Promise.all(Array.from({ length: 100 }, () => httpGet(url, { localAddress: SRC.rate, agent })))));
        }
        const other = await httpGet(url, { localAddress: SRC.other });
        return { replies, other };
      });
      agent.destroy();
      const codes = result.replies.map((r) => r.status ?? r.error);
      const ok = codes.filter((c) => c === 200).length;
      const limited = codes.filter((c) => c === 429).length;
      console.log(`rate limit: 1100 requests from one address → ${ok} × 200, ${limited} × 429`);
      expect(ok + limited).toBe(1100);
      expect(ok).toBeGreaterThanOrEqual(950);
      expect(ok).toBeLessThanOrEqual(1000);
      expect(result.other.status).toBe(200);
      expectAllServed(served);
    });

    it('an idle-connection flood from one address is capped at 200, gets 429 above 100, and starves nobody', async () => {
      const idle = await openIdleConnections(250, { host: vip, port: 80, localAddress: SRC.conns, maxLifeMs: 8000 });
      try {
        await new Promise((r) => setTimeout(r, 200)); // let HAProxy close the rejected ones
        console.log(`connection flood: 250 idle from one address → ${idle.open().length} held, ${idle.closedByServer()} closed at accept`);
        expect(idle.open().length).toBe(200);
        expect(idle.closedByServer()).toBe(50);
        // The flood's address gets nothing more; everybody else is served.
        const [flooder, other, host] = await Promise.all([
          httpGet(url, { localAddress: SRC.conns }),
          httpGet(url, { localAddress: SRC.other }),
          httpGet(url),
        ]);
        expect(flooder.status).toBeUndefined();
        expect([other.status, host.status]).toEqual([200, 200]);
        // With 140 connections open (over 100, under 200) a request is answered 429.
        for (const s of idle.open().slice(140)) s.destroy();
        await new Promise((r) => setTimeout(r, 100));
        expect((await httpGet(url, { localAddress: SRC.conns })).status).toBe(429);
      } finally {
        idle.close();
      }
      await new Promise((r) => setTimeout(r, 100));
      expect((await httpGet(url, { localAddress: SRC.conns })).status).toBe(200);
    });
  });

  describe('admin surfaces', () => {
    it('the stats page needs the generated credentials (401 without or with a wrong password)', async () => {
      const creds = loadCredentials()!;
      expect((await httpGet(statsUrl)).status).toBe(401);
      expect((await httpGet(statsUrl, { auth: `${creds.user}:wrong` })).status).toBe(401);
      expect((await httpGet(statsUrl, { auth: 'admin:admin' })).status).toBe(401);
      const ok = await httpGet(statsUrl, { auth: `${creds.user}:${creds.password}` });
      expect(ok.status).toBe(200);
      expect(ok.body).toMatch(/be_web/);
    });

    it('/metrics needs the same credentials', async () => {
      const creds = loadCredentials()!;
      const metrics = statsUrl.replace(/\/stats$/, '/metrics');
      expect((await httpGet(metrics)).status).toBe(401);
      expect((await httpGet(metrics, { auth: `${creds.user}:wrong` })).status).toBe(401);
      const ok = await httpGet(metrics, { auth: `${creds.user}:${creds.password}` });
      expect(ok.status).toBe(200);
      expect(ok.body).toMatch(/^haproxy_/m);
    });

    it('admin actions (drain a server) only with the credentials', async () => {
      const creds = loadCredentials()!;
      const page = await httpGet(statsUrl, { auth: `${creds.user}:${creds.password}` });
      const proxyId = /name="b" value="([^"]+)"/.exec(page.body)?.[1];
      expect(proxyId).toBeTruthy();
      const form = (action: string) => `s=backend1&action=${action}&b=${encodeURIComponent(proxyId!)}`;
      const [master] = masters(await getStatus(rt));
      const backend1State = async () =>
        parseShowStat(await rt.runtimeApi(master!, 'show stat')).find((r) => r.proxy === 'be_web' && r.server === 'backend1')?.status;

      const anonymous = await httpGet(statsUrl, { method: 'POST', body: form('drain') });
      expect(anonymous.status).toBe(401);
      expect(await backend1State()).toBe('UP');
      const wrong = await httpGet(statsUrl, { method: 'POST', body: form('drain'), auth: `${creds.user}:nope` });
      expect(wrong.status).toBe(401);
      expect(await backend1State()).toBe('UP');

      const drained = await httpGet(statsUrl, { method: 'POST', body: form('drain'), auth: `${creds.user}:${creds.password}` });
      expect(drained.status).toBe(303);
      expect(drained.headers.location).toMatch(/st=DONE/);
      expect(await backend1State()).toBe('DRAIN');
      await httpGet(statsUrl, { method: 'POST', body: form('ready'), auth: `${creds.user}:${creds.password}` });
      expect(await backend1State()).toBe('UP');
    });

    it('nothing but :80, :443, :8404 and :8443 listens on a load balancer; the runtime socket is a root-only unix socket', async () => {
      for (const lb of ['lb1', 'lb2']) {
        const tcp = await rt.exec(lb, ['ss', '-ltnH']);
        const udp = await rt.exec(lb, ['ss', '-lunH']);
        expect(tcp.exitCode).toBe(0);
        // Docker's embedded DNS resolver listens on 127.0.0.11 inside every container: not ours.
        const ours = (out: string) =>
          out
            .split('\n')
            .filter((l) => l.trim() && !l.includes('127.0.0.11:'))
            .join('\n');
        const ports = [...ours(tcp.stdout).matchAll(/\S+:(\d+)\s/g)].map((m) => Number(m[1])).filter((p, i, a) => a.indexOf(p) === i);
        expect(ports.sort((a, b) => a - b)).toEqual([80, 443, 8404, 8443]);
        expect(ours(udp.stdout)).toBe('');
        const sock = await rt.exec(lb, ['stat', '-c', '%F %a %U', '/run/hakit/haproxy.sock']);
        expect(sock.stdout.trim()).toBe('socket 600 root');
      }
    });

    it('creds --rotate: old password refused, new one works, and the VIP kept serving (at most the in-flight request reset)', async () => {
      const before = loadCredentials()!;
      const { result, served } = await whileServing(() => runCli(['--runtime', name, 'creds', '--rotate', '--json']));
      expect(result.code).toBe(0);
      // --json: the credentials, and where the kit's CA certificate is (HTTPS).
      const { ca, ...after } = JSON.parse(result.stdout) as { user: string; password: string; ca: string | null };
      expect(ca).toMatch(/\/ca\.crt$/);
      expect(after.password).not.toBe(before.password);
      expect(loadCredentials()).toEqual(after);
      const failed = served.filter((r) => !isSuccess(r));
      console.log(
        `creds --rotate: ${served.length} probe requests during the rotation, ${failed.length} failed ${failed.map((r) => r.status ?? r.error).join(' ')}`,
      );
      // The VIP is never lost. netns and Docker reload each LB (0 failed); where LBs restart in
      // turn (Swarm), at most the one request in flight at the handover of the MASTER may be reset.
      // At least 1 s of probing at 20 ms: 50 when the rotation is quicker than that (it failed at > 50).
      expect(served.length).toBeGreaterThanOrEqual(45);
      expect(failed.length).toBeLessThanOrEqual(1);
      for (const r of failed) expect(r.error).toBe('ECONNRESET');
      expect((await httpGet(statsUrl, { auth: `${before.user}:${before.password}` })).status).toBe(401);
      expect((await httpGet(statsUrl, { auth: `${after.user}:${after.password}` })).status).toBe(200);
      const status = await getStatus(rt);
      expect(isHealthy(status)).toBe(true);
      expect(masters(status)).toHaveLength(1);
      // Both LBs really took the new password: the former BACKUP's HAProxy too.
      for (const lb of ['lb1', 'lb2']) {
        const r = await rt.exec(lb, [
          'curl',
          '-s',
          '-o',
          '/dev/null',
          '-w',
          '%{http_code}',
          '-u',
          `${after.user}:${after.password}`,
          'http://127.0.0.1:8404/stats',
        ]);
        expect(r.stdout).toBe('200');
      }
    });
  });

  describe('least privilege on the running stack', () => {
    it('backends run as nobody (65534) with no-new-privs and no capabilities', async () => {
      for (const b of ['backend1', 'backend2']) {
        const node = (await nodeProcesses(rt, b)).filter((p) => p.comm === 'node');
        expect(node.length).toBeGreaterThanOrEqual(1);
        for (const p of node) {
          expect(p.uids).toEqual([65534, 65534, 65534, 65534]);
          expect(p.noNewPrivs).toBe(true);
          expect(p.capEff).toBe(0n);
        }
      }
    });

    it("HAProxy's workers (all the traffic) run as the haproxy user; only the master, which serves nothing, stays root", async () => {
      // Master-worker: the master keeps root to bind the ports of a reloaded config
      // (docs/architecture.md#least-privilege).
      for (const lb of ['lb1', 'lb2']) {
        const uid = await uidOf(rt, lb, 'haproxy');
        expect(uid).toBeGreaterThan(0);
        const master = Number((await rt.readRunFile(lb, 'haproxy.pid'))?.trim());
        const haproxy = (await nodeProcesses(rt, lb)).filter((p) => p.comm === 'haproxy');
        const workers = haproxy.filter((p) => p.pid !== master);
        expect(haproxy.map((p) => p.pid)).toContain(master);
        expect(workers.length).toBeGreaterThanOrEqual(1);
        for (const p of workers) expect(p.uids).toEqual([uid, uid, uid, uid]);
      }
    });

    it('keepalived runs its check scripts as keepalived_script, never as root', async () => {
      for (const lb of ['lb1', 'lb2']) {
        const uid = await uidOf(rt, lb, 'keepalived_script');
        expect(uid).toBeGreaterThan(0);
        const runs = await keepalivedScriptRuns(rt, lb, 6000);
        console.log(`${lb}: ${runs.length} script runs seen (${[...new Set(runs.map((r) => r.comm))].join(', ')})`);
        expect(runs.length).toBeGreaterThanOrEqual(1);
        for (const r of runs) expect(r.uids).toEqual([uid, uid, uid, uid]);
      }
    });
  });
});
