// `hakit kv`: storage.py's behaviour (print nothing after an append; the values ", "-joined on one
// line, an empty line for a missing key), with the API's JSON errors turned into a message.
import type { Command } from 'commander';
import { ExitCode, HakitError } from '../../errors.js';
import { assertKitAddress } from '../../observe/probe.js';
import { urls } from '../../stack/topology.js';
import { upRuntime } from '../common.js';

const timeoutMs = 5000;

/** The API's message from a JSON error body, or the status line. */
async function apiFailure(res: Response, what: string): Promise<HakitError> {
  const text = await res.text();
  let detail = `HTTP ${res.status}`;
  try {
    const body = JSON.parse(text) as { error?: string; rule?: string; limit?: number; reason?: string };
    detail = [body.error, body.rule, body.limit !== undefined ? `limit ${body.limit}` : undefined, body.reason].filter(Boolean).join('; ');
  } catch {
    // not JSON (a proxy's own page): the status says enough
  }
  const fix = res.status === 503 ? 'the data nodes may be down or failing over: check `hakit status`, then retry' : undefined;
  return new HakitError(`${what}: ${detail} (HTTP ${res.status})`, res.status >= 500 ? ExitCode.failure : ExitCode.usage, fix);
}

export async function kv(opts: KvOptions, cmd: Command): Promise<void> {
  const rt = await upRuntime(cmd);
  const base = urls(rt.topology).vip;
  assertKitAddress(base, rt.topology);
  const out = await kvAt(base, opts);
  if (out !== undefined) console.log(out);
}

export interface KvOptions {
  key: string;
  val?: string;
  json?: boolean;
}

/** What `hakit kv` prints for these options against the API at `base`; undefined: nothing. */
export async function kvAt(base: string, opts: KvOptions): Promise<string | undefined> {
  const url = new URL(`api/kv/${encodeURIComponent(opts.key)}`, base);
  const signal = AbortSignal.timeout(timeoutMs);
  if (opts.val !== undefined) {
    const res = await fetch(url, { method: 'POST', body: opts.val, headers: { 'content-type': 'text/plain; charset=utf-8' }, signal });
    if (!res.ok) throw await apiFailure(res, `cannot append to ${opts.key}`);
    const body: unknown = await res.json();
    return opts.json ? JSON.stringify(body) : undefined;
  }
  url.searchParams.set('format', 'json');
  const res = await fetch(url, { signal });
  if (!res.ok) throw await apiFailure(res, `cannot read ${opts.key}`);
  const values = (await res.json()) as string[];
  return opts.json ? JSON.stringify(values) : values.join(', ');
}
