// The main thread's side of the probe thread (probe-worker.ts): one worker per process, started
// on first use and kept (unreferenced while idle, so it never keeps the process alive), so a
// measuring window's first request goes out at once instead of after a thread's boot.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { HakitError } from '../errors.js';
import {
  PROBE_THREAD,
  type FromProbeThread,
  type LoopSettings,
  type ProbeRecord,
  type ThreadScheduling,
  type ToProbeThread,
} from './probe-worker.js';

/**
 * The worker's script: the compiled probe-worker.js beside this module (dist/), or, when the kit
 * runs from its TypeScript sources (vitest), probe-worker.ts compiled in memory by TypeScript (a
 * dev dependency, present wherever the sources run) and loaded as a data: URL, which Node accepts
 * for a worker and which may import builtins: the only imports that file has.
 */
export async function probeWorkerUrl(here: string = import.meta.url): Promise<URL> {
  const compiled = new URL('./probe-worker.js', here);
  if (existsSync(fileURLToPath(compiled))) return compiled;
  const source = new URL('./probe-worker.ts', here);
  if (!existsSync(fileURLToPath(source))) {
    throw new HakitError(
      `the probe's worker script is missing beside ${fileURLToPath(here)}`,
      undefined,
      'rebuild the kit (npm run build)',
    );
  }
  const ts = (await import('typescript')).default;
  const js = ts.transpileModule(readFileSync(source, 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  }).outputText;
  return new URL(`data:text/javascript;base64,${Buffer.from(js).toString('base64')}`);
}

interface Loop {
  onRecord(r: ProbeRecord, seq: number): void;
  onDone(): void;
  onError(err: Error): void;
}

let thread: Promise<Worker> | undefined;
let scheduling: Promise<ThreadScheduling> | undefined;
const loops = new Map<number, Loop>();
let nextId = 1;

function startThread(): Promise<Worker> {
  let schedulingKnown: (s: ThreadScheduling) => void = () => undefined;
  scheduling = new Promise((resolve) => (schedulingKnown = resolve));
  const started = probeWorkerUrl().then((url) => {
    const w = new Worker(url, { workerData: PROBE_THREAD });
    // Referenced until the thread says how it is scheduled (its first message), so that a caller
    // awaiting only that is not left behind by an empty event loop; unreferenced from then on
    // while idle (an unref before the thread is online does not hold anyway).
    w.on('message', (m: FromProbeThread) => {
      if (m.type === 'ready') {
        if (loops.size === 0) w.unref();
        return schedulingKnown(m.scheduling);
      }
      const loop = loops.get(m.id);
      if (!loop) return;
      if (m.type === 'record') loop.onRecord(m.record, m.seq);
      else loop.onDone();
    });
    // A thread that fails or exits takes its loops with it; the next probe starts a new one.
    const fail = (err: Error) => {
      schedulingKnown('normal');
      if (thread === started) thread = undefined;
      for (const loop of [...loops.values()]) loop.onError(err);
    };
    w.on('error', fail);
    w.on('exit', (code) => fail(new Error(`the probe's thread exited (code ${code})`)));
    return w;
  });
  thread = started;
  // The next call retries instead of keeping a thread that never started.
  started.catch(() => {
    schedulingKnown('normal');
    if (thread === started) thread = undefined;
  });
  return started;
}

/** Starts the probe thread now (it is started on first use otherwise). */
export async function warmProbeThread(): Promise<void> {
  await (thread ?? startThread());
}

/** How the probe thread is scheduled (realtime as root on Linux; see raiseThreadPriority), starting it if needed. */
export async function probeThreadScheduling(): Promise<ThreadScheduling> {
  await warmProbeThread();
  return scheduling!;
}

/**
 * Runs one loop in the probe thread: records stream to onRecord in completion order; resolves
 * with every record in start order once the loop has ended (at its limits, or soon after the
 * signal: requests in flight finish within their timeout).
 */
export async function runInProbeThread(s: LoopSettings, onRecord?: (r: ProbeRecord) => void, signal?: AbortSignal): Promise<ProbeRecord[]> {
  if (signal?.aborted) return [];
  const worker = await (thread ?? startThread());
  const id = nextId++;
  const bySeq: ProbeRecord[] = [];
  return new Promise<ProbeRecord[]>((resolve, reject) => {
    const stop = () => worker.postMessage({ type: 'stop', id } satisfies ToProbeThread);
    const records = () => bySeq.filter((r) => r !== undefined);
    // Bounded even if a request outlived its timeout (an inactivity timeout: a server could
    // trickle bytes): the loop's own limits, one timeout and a margin; the records so far count.
    const guard = setTimeout(() => finish(() => resolve(records()), true), s.maxDurationMs + s.timeoutMs + 10_000);
    const finish = (settle: () => void, stopLoop = false) => {
      clearTimeout(guard);
      signal?.removeEventListener('abort', stop);
      if (stopLoop) stop();
      loops.delete(id);
      if (loops.size === 0) worker.unref();
      settle();
    };
    loops.set(id, {
      onRecord: (r, seq) => {
        bySeq[seq] = r;
        try {
          onRecord?.(r);
        } catch (err) {
          // The caller's failure is the probe's (as when the loop ran here), not an uncaught one.
          finish(() => reject(err), true);
        }
      },
      onDone: () => finish(() => resolve(records())),
      onError: (err) => finish(() => reject(new HakitError(`the probe stopped: ${err.message}`))),
    });
    worker.ref();
    worker.postMessage({ type: 'start', id, settings: s } satisfies ToProbeThread);
    // Aborted while the thread was starting: the loop sends its first request at most.
    if (signal?.aborted) stop();
    else signal?.addEventListener('abort', stop, { once: true });
  });
}
