// Postgres as the master keeps it: the links as a projection of the links stream, and the click
// totals from the clicks stream, each applied exactly once: the stream sequence applied last is
// stored in the same transaction as what it changed, and a message at or below it is skipped.
// Clicks are also counted once per request id, whichever replica sent them.
import pg from 'pg';
import type { HostPort } from './settings.js';
import { nextRun } from './log.js';

export const schema = `
SELECT pg_advisory_xact_lock(19);
CREATE TABLE IF NOT EXISTS links (code text PRIMARY KEY, url text NOT NULL, created_at timestamptz NOT NULL, log_seq bigint NOT NULL);
CREATE TABLE IF NOT EXISTS link_clicks (code text PRIMARY KEY, clicks bigint NOT NULL);
CREATE TABLE IF NOT EXISTS click_ids (request_id text PRIMARY KEY, code text NOT NULL, counted_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE IF NOT EXISTS log_positions (stream text PRIMARY KEY, seq bigint NOT NULL);
INSERT INTO log_positions VALUES ('LINKS', 0), ('CLICKS', 0) ON CONFLICT DO NOTHING;`;

export interface PgSettings {
  hosts: HostPort[];
  user: string;
  password: string;
  database: string;
}

/**
 * One connection to whichever Postgres node is the primary (not in recovery), found again after
 * a failover; calls are serialised, so a transaction never interleaves with another.
 */
export class PgPrimary {
  private client?: pg.Client;
  private queue: Promise<unknown> = Promise.resolve();
  /** The primary's address, as last found. */
  primary?: string;

  constructor(private readonly s: PgSettings) {}

  private async connect(): Promise<pg.Client> {
    if (this.client) return this.client;
    const errors: string[] = [];
    for (const h of this.s.hosts) {
      const c = new pg.Client({
        host: h.host,
        port: h.port,
        user: this.s.user,
        password: this.s.password,
        database: this.s.database,
        connectionTimeoutMillis: 1500,
        statement_timeout: 5000,
        query_timeout: 6000,
        keepAlive: true,
        keepAliveInitialDelayMillis: 1000,
      });
      c.on('error', () => undefined); // the next call reconnects
      try {
        await c.connect();
        const r = await c.query<{ standby: boolean }>('SELECT pg_is_in_recovery() AS standby');
        if (!r.rows[0]?.standby) {
          this.client = c;
          this.primary = h.host;
          c.on('end', () => {
            if (this.client === c) this.client = undefined;
          });
          return c;
        }
        errors.push(`${h.host}: standby`);
      } catch (err) {
        errors.push(`${h.host}: ${(err as Error).message}`);
      }
      void c.end().catch(() => undefined); // not awaited, as in run()
    }
    throw new Error(`no Postgres primary (${errors.join('; ')})`);
  }

  /** Runs `fn` on the primary, alone; a failed connection is dropped so the next call finds the primary again. */
  run<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
    const next = this.queue.then(async () => {
      const c = await this.connect();
      try {
        return await fn(c);
      } catch (err) {
        if (!(err instanceof pg.DatabaseError) || /read-only|recovery/.test(err.message)) {
          this.client = undefined;
          // Not awaited: end() waits for the server's goodbye, and a primary whose host died
          // silently never sends it, so the queue (every later batch) would wait forever.
          void c.end().catch(() => undefined);
        }
        throw err;
      }
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  tx<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
    return this.run(async (c) => {
      await c.query('BEGIN');
      try {
        const r = await fn(c);
        await c.query('COMMIT');
        return r;
      } catch (err) {
        await c.query('ROLLBACK').catch(() => undefined);
        throw err;
      }
    });
  }

  async close(): Promise<void> {
    await this.queue;
    await this.client?.end().catch(() => undefined);
    this.client = undefined;
  }
}

export const ensureSchema = (db: PgPrimary) => db.tx((c) => c.query(schema));

/** The stream's position in Postgres, locked for the rest of the transaction. */
async function lockedPosition(c: pg.Client, stream: string): Promise<number> {
  const r = await c.query<{ seq: string }>('SELECT seq FROM log_positions WHERE stream = $1 FOR UPDATE', [stream]);
  return Number(r.rows[0]?.seq ?? 0);
}

const setPosition = (c: pg.Client, stream: string, seq: number) =>
  c.query('UPDATE log_positions SET seq = $2 WHERE stream = $1', [stream, seq]);

/**
 * Postgres is behind what the log delivers: a failover to an asynchronous standby took back
 * transactions the log had seen acknowledged. The applier reads again from `position` + 1.
 */
export class PositionGap extends Error {
  constructor(readonly position: number) {
    super(`Postgres is at ${position}, behind the log's delivery`);
  }
}

/** The position Postgres holds for a stream (0: none yet). */
export async function storedPosition(db: PgPrimary, stream: string): Promise<number> {
  return db.run(async (c) =>
    Number((await c.query<{ seq: string }>('SELECT seq FROM log_positions WHERE stream = $1', [stream])).rows[0]?.seq ?? 0),
  );
}

export interface Sequenced<T> {
  seq: number;
  value: T;
}

/**
 * Applies the run after the stream's stored position with `write`, and the new position, in one
 * transaction; then, if a sequence was missing, PositionGap: the applier reads again after it.
 */
async function applyInOrder<T extends { seq: number }>(
  db: PgPrimary,
  stream: string,
  items: T[],
  write: (c: pg.Client, run: T[]) => Promise<number>,
): Promise<number> {
  const r = await db.tx(async (c) => {
    const pos = await lockedPosition(c, stream);
    const { run, gap } = nextRun(items, pos);
    if (run.length === 0) return { n: 0, gap, pos };
    const n = await write(c, run);
    await setPosition(c, stream, run.at(-1)!.seq);
    return { n, gap, pos: run.at(-1)!.seq };
  });
  if (r.gap) throw new PositionGap(r.pos);
  return r.n;
}

/** Projects link events into `links`; returns how many were new (at or below the stored position: skipped). */
export function projectLinks(db: PgPrimary, events: Array<Sequenced<{ code: string; url: string; createdAt: string }>>): Promise<number> {
  return applyInOrder(db, 'LINKS', events, async (c, run) => {
    await c.query(
      `INSERT INTO links (code, url, created_at, log_seq)
       SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::bigint[]) ON CONFLICT (code) DO NOTHING`,
      [run.map((e) => e.value.code), run.map((e) => e.value.url), run.map((e) => e.value.createdAt), run.map((e) => e.seq)],
    );
    return run.length;
  });
}

/**
 * Applies click batches: each request id counts once (click_ids), totals per link in
 * link_clicks, and the stream position — all in one transaction. Returns the clicks counted.
 */
export function applyClicks(db: PgPrimary, batches: Array<Sequenced<{ code: string; ids: string[] }>>): Promise<number> {
  return applyInOrder(db, 'CLICKS', batches, async (c, run) => {
    const ids = run.flatMap((b) => b.value.ids);
    const codes = run.flatMap((b) => b.value.ids.map(() => b.value.code));
    const r = await c.query<{ n: string }>(
      `WITH counted AS (
         INSERT INTO click_ids (request_id, code) SELECT * FROM unnest($1::text[], $2::text[])
         ON CONFLICT (request_id) DO NOTHING RETURNING code),
       per_link AS (SELECT code, count(*) AS n FROM counted GROUP BY code),
       upserted AS (
         INSERT INTO link_clicks (code, clicks) SELECT code, n FROM per_link
         ON CONFLICT (code) DO UPDATE SET clicks = link_clicks.clicks + EXCLUDED.clicks RETURNING 1)
       SELECT coalesce(sum(n), 0) AS n FROM per_link`,
      [ids, codes],
    );
    return Number(r.rows[0]?.n ?? 0);
  });
}

export interface LinkStats {
  code: string;
  url?: string;
  clicks: number;
}

export async function linkStats(db: PgPrimary, code: string): Promise<LinkStats> {
  return db.run(async (c) => {
    const r = await c.query<{ url: string | null; clicks: string | null }>(
      `SELECT l.url, lc.clicks FROM (SELECT $1::text AS code) q
       LEFT JOIN links l ON l.code = q.code LEFT JOIN link_clicks lc ON lc.code = q.code`,
      [code],
    );
    const row = r.rows[0];
    return { code, ...(row?.url ? { url: row.url } : {}), clicks: Number(row?.clicks ?? 0) };
  });
}

export async function totals(db: PgPrimary): Promise<{ links: number; clicks: number; positions: Record<string, number> }> {
  return db.run(async (c) => {
    const l = await c.query<{ n: string }>('SELECT count(*) AS n FROM links');
    const k = await c.query<{ n: string }>('SELECT coalesce(sum(clicks), 0) AS n FROM link_clicks');
    const p = await c.query<{ stream: string; seq: string }>('SELECT stream, seq FROM log_positions');
    return {
      links: Number(l.rows[0]?.n ?? 0),
      clicks: Number(k.rows[0]?.n ?? 0),
      positions: Object.fromEntries(p.rows.map((r) => [r.stream, Number(r.seq)])),
    };
  });
}
