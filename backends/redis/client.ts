// The backends' Redis client: ioredis through Sentinel, tuned so that Redis can never hold a page
// up and a command is never sent twice (docs/architecture.md#decisions-the-visit-counter-and-the-kv-api).
import { Redis, type RedisOptions } from 'ioredis';
import { PromotionFollower } from './promotion.js';
import type { RedisSettings } from './settings.js';

type Auth = Pick<RedisSettings, 'user' | 'password' | 'commandTimeoutMs'>;

/** What every connection shares, Sentinel or direct. */
export function baseOptions(s: Auth): RedisOptions {
  return {
    username: s.user,
    password: s.password,
    // A dead primary (its host gone, no RST) would otherwise hold a command for TCP's timeout.
    commandTimeout: s.commandTimeoutMs,
    connectTimeout: 300,
    // Leaving a primary that vanished (a dead host, a cut link) ends the old socket with a FIN
    // nobody answers; ioredis reconnects only once that socket closes, after 2 s by default.
    // The socket is destroyed after 20 ms instead, so a promotion is followed at once.
    disconnectTimeout: 20,
    // Never queue or replay: a command that could not be sent fails now, and one in flight when the
    // connection dropped is not resent after the reconnect (an INCR resent counts twice).
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
    maxRetriesPerRequest: 0,
    enableAutoPipelining: false,
    // Reconnect at once and then often: a promoted replica should be written to within ~0.1 s.
    retryStrategy: (times) => Math.min(20 * times, 200),
    // A primary demoted under us answers READONLY: reconnect, which asks Sentinel again.
    reconnectOnError: (err) => err.message.startsWith('READONLY'),
    // Redis 7.0 has no CLIENT SETINFO; skip two round trips that fail on every connect.
    disableClientInfo: true,
  };
}

/**
 * A client of the primary Sentinel names, moving to a replica the moment Sentinel orders its
 * promotion (promotion.ts), and again when Sentinel announces the switch (failoverDetector).
 */
export function createSentinelClient(s: RedisSettings, log?: (line: string) => void): Redis {
  const follower = s.failoverDetection ? new PromotionFollower(s, undefined, log) : undefined;
  const client = new Redis({
    ...baseOptions(s),
    sentinels: s.sentinels,
    name: s.masterName,
    role: 'master',
    sentinelUsername: s.sentinelUser,
    sentinelPassword: s.sentinelPassword,
    sentinelCommandTimeout: 300,
    sentinelRetryStrategy: (times) => Math.min(50 * times, 500),
    // Off by default: without it a primary that vanished stalled clients for minutes (ioredis#1021).
    failoverDetector: s.failoverDetection,
    // Learn Sentinels added later from the ones we know.
    updateSentinels: true,
    ...(follower ? { natMap: follower.natMap } : {}),
  });
  if (follower) {
    follower.attach(client);
    client.once('end', () => follower.close());
  }
  return client;
}

/** A client of one Redis server, for tests and tools (no failover). */
export function createDirectClient(host: string, port: number, s: Auth): Redis {
  return new Redis({ ...baseOptions(s), host, port });
}

/**
 * Logs connection errors at most once per `everyMs` (a dead primary raises one per retry, every
 * 20–200 ms); without a listener ioredis would print each one as unhandled.
 */
export function logErrors(client: { on(event: 'error', listener: (err: Error) => void): unknown }, label: string, everyMs = 5000): void {
  let last = 0;
  let skipped = 0;
  client.on('error', (err: Error) => {
    const now = Date.now();
    if (now - last < everyMs) {
      skipped++;
      return;
    }
    console.error(`${label}: redis: ${err.message}${skipped ? ` (${skipped} more since)` : ''}`);
    last = now;
    skipped = 0;
  });
}
