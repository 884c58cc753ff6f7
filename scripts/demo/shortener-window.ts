// A U-scenario's measuring window: a link of its own is created through the VIP before the window
// (so its total starts at 0), the probe follows it, creates go to the master role every ~100 ms
// while the window is open, and afterwards the total Postgres holds is read once every batch is
// applied. faults/shortener-ops.ts counts.
import { randomBytes } from 'node:crypto';
import { HakitError } from '../errors.js';
import { getJson } from '../groups/shortener/nodes.js';
import { assertKitAddress, type ProbeStep } from '../observe/probe.js';
import type { Runtime } from '../runtime/runtime.js';
import { sleep, waitFor } from '../sh.js';
import { urls } from '../stack/topology.js';
import type { CreateAttempt } from '../faults/shortener-ops.js';

export interface ShortenerWindow {
  code: string;
  plan: ProbeStep[];
  /** Stops the creates (bounded anyway by the window's safety limit) and returns them. */
  stopCreates(): Promise<CreateAttempt[]>;
  /**
   * The link's total once nothing is pending and it reached `served` (or, `lossy`, stayed put
   * for 3 s); bounded by `timeoutMs`. A batch applied twice shows in a second read 1.5 s later.
   */
  settledClicks(served: number, lossy: boolean, timeoutMs?: number): Promise<{ counted: number; pending: number }>;
}

const CREATE_EVERY_MS = 100;

async function create(vip: string, url: string): Promise<{ code: string } | undefined> {
  try {
    const r = await fetch(`${vip}api/links`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url }),
      signal: AbortSignal.timeout(3000),
    });
    const body = (await r.json()) as { code?: string };
    return (r.status === 201 || r.status === 200) && body.code ? { code: body.code } : undefined;
  } catch {
    return undefined;
  }
}

export async function openShortenerWindow(rt: Runtime, maxDurationMs: number): Promise<ShortenerWindow> {
  const vip = urls(rt.topology).vip;
  assertKitAddress(vip, rt.topology);
  const run = randomBytes(6).toString('base64url');
  const link = await waitFor('a link created through the VIP', () => create(vip, `https://example.test/tour/${run}`), 20_000, 250).catch(
    (err: Error) => {
      throw new HakitError(
        `the shortener takes no create: ${err.message}`,
        undefined,
        'is the stack up with the shortener? (hakit up --with shortener)',
      );
    },
  );
  const creates: CreateAttempt[] = [];
  let creating = true;
  const until = Date.now() + maxDurationMs;
  const loop = (async () => {
    for (let i = 0; creating && Date.now() < until; i++) {
      const atMs = Date.now();
      const ok = (await create(vip, `https://example.test/tour/${run}/${i}`)) !== undefined;
      creates.push({ atMs: ok ? Date.now() : atMs, ok });
      await sleep(Math.max(0, CREATE_EVERY_MS - (Date.now() - atMs)));
    }
  })();
  const stats = async () => (await getJson<{ clicks: number; pending: number }>(`${vip}api/links/${link.code}/stats`, {}, 3000))?.body;
  return {
    code: link.code,
    plan: [{ method: 'GET', path: `/${link.code}` }],
    async stopCreates() {
      creating = false;
      await loop;
      return creates;
    },
    async settledClicks(served, lossy, timeoutMs = 60_000) {
      let last = { counted: -1, pending: -1 };
      let sameSince = Date.now();
      const end = Date.now() + timeoutMs;
      while (Date.now() < end) {
        const s = await stats();
        if (s && typeof s.clicks === 'number') {
          const now = { counted: s.clicks, pending: s.pending };
          if (now.counted !== last.counted || now.pending !== last.pending) sameSince = Date.now();
          last = now;
          if (now.pending === 0 && (now.counted >= served || (lossy && Date.now() - sameSince >= 3000))) break;
        }
        await sleep(250);
      }
      await sleep(1500);
      const s = await stats();
      return s && typeof s.clicks === 'number' ? { counted: s.clicks, pending: s.pending } : last;
    },
  };
}
