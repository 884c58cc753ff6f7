// HTTPS at the edge, end to end: the kit's local CA is all a client needs to trust; HTTP/2 by ALPN
// through the VIP; the stats page over HTTPS asks for credentials; the key stays root-only in the
// node. Which runtimes run is set by HAKIT_TEST_RUNTIMES (default: netns).
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bringUp } from '../scripts/stack/actions.js';
import { loadCredentials } from '../scripts/stack/credentials.js';
import { ensureTls, tlsPaths } from '../scripts/stack/tls.js';
import { silentProgress } from '../scripts/progress.js';
import { openRuntime, type RuntimeChoice } from '../scripts/runtime/select.js';
import type { Runtime } from '../scripts/runtime/runtime.js';
import type { StackStatus } from '../scripts/observe/status.js';
import { claimStack, failUnderCi, integrationPrerequisites, releaseStack, skipOutsideCi } from '../scripts/testing/prerequisites.js';

const runtimes = (process.env.HAKIT_TEST_RUNTIMES ?? 'netns').split(',') as RuntimeChoice[];
const missing = await integrationPrerequisites(['ip', 'haproxy', 'keepalived', 'curl', 'nsenter', 'openssl']);

interface CurlResult {
  code: number;
  /** curl's -w: HTTP version and status. */
  written: string;
  body: string;
}

/** One bounded curl to the kit's own stack (5 s at most). */
function curl(args: string[]): Promise<CurlResult> {
  return new Promise((resolve) => {
    execFile(
      'curl',
      ['-sS', '-m', '5', '-o', '-', '-w', '\n%{http_version} %{http_code}', ...args],
      { encoding: 'utf8' },
      (err, stdout) => {
        const cut = stdout.lastIndexOf('\n');
        resolve({
          code: err ? Number((err as { code?: number }).code ?? 1) : 0,
          written: stdout.slice(cut + 1),
          body: stdout.slice(0, cut),
        });
      },
    );
  });
}

describe.skipIf(skipOutsideCi(missing)).each(runtimes)('HTTPS on %s', (name) => {
  let rt: Runtime;
  let status: StackStatus;
  const ca = tlsPaths().caCert;

  beforeAll(async () => {
    failUnderCi(missing);
    rt = await openRuntime(name);
    await claimStack(rt);
    status = await bringUp(rt, silentProgress);
  });

  afterAll(async () => {
    await releaseStack(rt);
  });

  it("curl --http2 --cacert CA through the VIP: HTTP/2 200 with the kit's page", async () => {
    const r = await curl(['--http2', '--cacert', ca, status.httpsUrl]);
    expect(r.code).toBe(0);
    expect(r.written).toBe('2 200');
    // The page's first two lines, whatever follows (the day's count, when the data tier has one).
    expect(r.body.split('\n').slice(0, 2)).toEqual(['Hello, World!', expect.stringMatching(/^Server \d+$/)]);
  });

  it('HTTP/1.1 still works, plain HTTP on :80 stays, and no HSTS is sent', async () => {
    const h1 = await curl(['--http1.1', '--cacert', ca, '-D', '-', status.httpsUrl]);
    expect(h1.written).toBe('1.1 200');
    expect(h1.body).not.toMatch(/strict-transport-security/i);
    expect((await curl([status.url])).written).toBe('1.1 200');
  });

  it('a client trusting another CA is refused the connection (curl 60), and TLS 1.1 is refused', async () => {
    // A CA made the same way, on another "machine": its certificate vouches for nothing here.
    const other = await ensureTls(rt.topology, { dir: join(mkdtempSync(join(tmpdir(), 'hktls-other-')), 'tls') });
    try {
      expect((await curl(['--cacert', other.paths.caCert, status.httpsUrl])).code).toBe(60);
    } finally {
      rmSync(join(other.paths.dir, '..'), { recursive: true, force: true });
    }
    const old = await curl(['--cacert', ca, '--tlsv1.1', '--tls-max', '1.1', status.httpsUrl]);
    expect(old.code).not.toBe(0);
    expect(old.written).toBe('0 000');
  });

  it('the stats page over HTTPS asks for credentials, and serves with them', async () => {
    const creds = loadCredentials()!;
    const anonymous = await curl(['--cacert', ca, '-D', '-', status.statsHttpsUrl]);
    expect(anonymous.written).toBe('2 401');
    expect(anonymous.body).toMatch(/^www-authenticate: Basic/im);
    const wrong = await curl(['--cacert', ca, '-u', `${creds.user}:wrong`, status.statsHttpsUrl]);
    expect(wrong.written).toBe('2 401');
    const ok = await curl(['--cacert', ca, '-u', `${creds.user}:${creds.password}`, status.statsHttpsUrl]);
    expect(ok.written).toBe('2 200');
    expect(ok.body).toMatch(/Statistics Report/);
    const metrics = await curl([
      '--cacert',
      ca,
      '-u',
      `${creds.user}:${creds.password}`,
      status.statsHttpsUrl.replace(/\/stats$/, '/metrics'),
    ]);
    expect(metrics.body).toMatch(/^haproxy_process_/m);
  });

  it("in each LB, HAProxy's key file is root's alone", async () => {
    for (const lb of ['lb1', 'lb2']) {
      // HAProxy names the file it loaded: the same check on every runtime, wherever that put it.
      const file = (await rt.runtimeApi(lb, 'show ssl cert')).split('\n').find((l) => l.startsWith('/'));
      expect(file, lb).toBeDefined();
      const stat = await rt.exec(lb, ['stat', '-c', '%a %U', file!]);
      expect(stat.stdout.trim(), lb).toBe('600 root');
    }
  });
});
