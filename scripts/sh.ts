// Short commands (ip, iptables, sysctl) go through zx: quiet, and a failure throws with the
// command's own stderr. Long-running node processes are spawned directly (see runtime/netns.ts).
import { $ } from 'zx';
import { HakitError } from './errors.js';

export const sh = $({ quiet: true });
/** Like sh, but a non-zero exit is returned instead of thrown: for "delete if present" steps. */
export const shMaybe = $({ quiet: true, nothrow: true });

export async function commandExists(cmd: string): Promise<boolean> {
  return (await shMaybe`command -v ${cmd}`).exitCode === 0;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `check` until it returns a value (not undefined) or the time is up. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs: number, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const why = lastError instanceof Error ? ` (last error: ${lastError.message.split('\n')[0]})` : '';
      throw new HakitError(`timed out after ${timeoutMs} ms waiting for ${what}${why}`);
    }
    await sleep(everyMs);
  }
}
