// Raw HTTP over a plain TCP socket (node `net`): for requests no well-behaved client library
// would send (malformed lines, oversized heads, slow heads) and for holding idle connections.
// Every socket is bounded in time; callers pass only the kit's own addresses.
import { connect, type Socket } from 'node:net';
import { assertKitTarget } from '../observe/kit-network.js';

export interface RawResult {
  /** Status of the first response, or undefined when the server closed without one. */
  status?: number;
  /** Everything received, as latin1 text. */
  text: string;
  /** Time from connect to the server closing (or our timeout). */
  elapsedMs: number;
  /** Socket error code (ECONNRESET, EPIPE, …) if one occurred. */
  error?: string;
  /** True when our own timeout ended the exchange, not the server. */
  timedOut: boolean;
}

export interface RawOptions {
  host: string;
  port: number;
  /** Source address to send from (must be configured on this host). */
  localAddress?: string;
  /** Upper bound for the whole exchange. */
  timeoutMs?: number;
  /** Chunks sent one after the other, each after its delay: a slow client. */
  chunks?: Array<{ delayMs: number; data: string | Buffer }>;
}

export const parseStatus = (text: string): number | undefined => {
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
  return m ? Number(m[1]) : undefined;
};

/** Sends `payload` (and/or timed chunks), reads until the server closes or the timeout. */
export function rawHttp(payload: string | Buffer, opts: RawOptions): Promise<RawResult> {
  const timeoutMs = opts.timeoutMs ?? 5000;
  assertKitTarget(opts.host);
  return new Promise((resolve) => {
    const started = performance.now();
    const sock = connect({ host: opts.host, port: opts.port, localAddress: opts.localAddress });
    const chunks: Buffer[] = [];
    let error: string | undefined;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      sock.destroy();
    }, timeoutMs);
    const writeAll = async () => {
      if (payload.length) sock.write(payload);
      for (const c of opts.chunks ?? []) {
        await new Promise((r) => setTimeout(r, c.delayMs));
        if (sock.destroyed || !sock.writable) return;
        sock.write(c.data);
      }
    };
    // Not awaited: the writes go on beside the reads; 'close' resolves the request.
    sock.on('connect', () => void writeAll());
    sock.on('data', (d) => chunks.push(d));
    sock.on('error', (err: NodeJS.ErrnoException) => (error ??= err.code ?? err.message));
    sock.on('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('latin1');
      resolve({ status: parseStatus(text), text, elapsedMs: performance.now() - started, error, timedOut });
    });
  });
}

export interface IdleConnections {
  /** Sockets still open (not closed by the server). */
  open(): Socket[];
  /** How many the server closed. */
  closedByServer(): number;
  close(): void;
}

/**
 * Opens `count` connections that send nothing, and waits until each is connected or closed.
 * Bounded: every socket is destroyed by close() or after `maxLifeMs`.
 */
export async function openIdleConnections(
  count: number,
  opts: { host: string; port: number; localAddress?: string; maxLifeMs?: number },
): Promise<IdleConnections> {
  const sockets: Socket[] = [];
  let serverClosed = 0;
  let closing = false;
  await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<void>((resolve) => {
          const s = connect({ host: opts.host, port: opts.port, localAddress: opts.localAddress });
          sockets.push(s);
          const life = setTimeout(() => s.destroy(), opts.maxLifeMs ?? 10_000);
          s.on('connect', () => resolve());
          s.on('error', () => undefined);
          s.on('close', () => {
            clearTimeout(life);
            if (!closing) serverClosed++;
            resolve();
          });
        }),
    ),
  );
  return {
    open: () => sockets.filter((s) => !s.destroyed && s.readyState === 'open'),
    closedByServer: () => serverClosed,
    close: () => {
      closing = true;
      for (const s of sockets) s.destroy();
    },
  };
}
