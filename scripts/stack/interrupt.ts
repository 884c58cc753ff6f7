// Ctrl-C during `up`: stop at a step boundary, then tear down. A step already running is let
// finish (up to `settleMs`) so that teardown sees everything it created: tearing down while a
// step still creates namespaces would race it and leave pieces behind.
import { ExitCode, HakitError } from '../errors.js';
import type { Progress } from '../progress.js';

export const interruptedError = () => new HakitError('interrupted: what was created has been removed', ExitCode.interrupted);

export function abortableProgress(progress: Progress, signal: AbortSignal, settleMs = 5000): Progress {
  return {
    info: (line) => progress.info(line),
    async step<T>(title: string, run: () => Promise<T>): Promise<T> {
      if (signal.aborted) throw interruptedError();
      const running = progress.step(title, run);
      let onAbort = () => undefined as void;
      const aborted = new Promise<never>((_, reject) => {
        onAbort = () => reject(interruptedError());
        signal.addEventListener('abort', onAbort, { once: true });
      });
      aborted.catch(() => undefined);
      try {
        return await Promise.race([running, aborted]);
      } catch (err) {
        if (!signal.aborted) throw err;
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([running.catch(() => undefined), new Promise((r) => (timer = setTimeout(r, settleMs)))]);
        clearTimeout(timer);
        throw interruptedError();
      } finally {
        signal.removeEventListener('abort', onAbort);
      }
    },
  };
}
