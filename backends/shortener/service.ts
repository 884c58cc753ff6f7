// The shortener in one backend: its replica (links stream → its Redis), its click counter, its
// candidacy for the master role, and, while master, the Postgres projection and click totals.
import type { JetStreamClient, JetStreamManager, NatsConnection } from 'nats';
import { cacheClient, LinkCache } from './cache.js';
import { ClickCounter } from './clicks.js';
import { currentMaster, Etcd, MasterElection } from './election.js';
import { LinkFollower } from './follower.js';
import { connectLog, createLink, ensureStreams, linkInLog, type LinkEvent } from './log.js';
import { MasterWork } from './master-work.js';
import { linkStats, PgPrimary, totals } from './postgres.js';
import type { ShortenerSettings } from './settings.js';

export class Shortener {
  readonly cache: LinkCache;
  /** Every backend's Redis (this one's included), for the pending clicks in the stats. */
  private readonly caches: Map<string, LinkCache>;
  readonly db: PgPrimary;
  readonly etcd: Etcd;
  nc?: NatsConnection;
  js?: JetStreamClient;
  jsm?: JetStreamManager;
  follower?: LinkFollower;
  readonly clicks: ClickCounter;
  election?: MasterElection;
  master?: MasterWork;
  private ready?: Promise<void>;

  constructor(
    readonly s: ShortenerSettings,
    private readonly log: (msg: string) => void = (m) => console.log(`${s.node}: ${m}`),
  ) {
    this.caches = new Map([...s.redis].map(([name, at]) => [name, new LinkCache(cacheClient(at, s.redisUser, s.redisPassword))]));
    this.cache = this.caches.get(s.node)!;
    this.db = new PgPrimary(s.postgres);
    this.etcd = new Etcd(s.etcd);
    this.clicks = new ClickCounter(() => this.js, this.cache, s.node, s.batchSize, s.flushMs, this.log);
    this.clicks.start();
  }

  /** Connects to the log and starts following; retried in the background until the log answers. */
  start(): Promise<void> {
    this.ready ??= (async () => {
      for (;;) {
        try {
          this.nc = await connectLog(this.s.nats, `shortener-${this.s.node}`);
          break;
        } catch (err) {
          this.log(`log: ${(err as Error).message}; retrying`);
          await new Promise((r) => setTimeout(r, 500));
        }
      }
      this.js = this.nc.jetstream({ timeout: 5000 });
      // Both ask JetStream, which answers only once its log nodes have elected a meta leader: on a
      // start from kept data that takes seconds, and a rejection here would end the process.
      for (;;) {
        try {
          this.jsm ??= await this.nc.jetstreamManager();
          await ensureStreams(this.jsm);
          break;
        } catch (err) {
          this.log(`log: streams: ${(err as Error).message}; retrying`);
          await new Promise((r) => setTimeout(r, 500));
        }
      }
      this.follower = new LinkFollower(this.js, this.jsm, this.cache, `links-${this.s.node}`, this.log);
      this.follower.start();
      this.master = new MasterWork(this.js, this.jsm, this.db, this.log);
      const master = this.master;
      this.election = new MasterElection(
        this.etcd,
        this.s.node,
        this.s.leaseTtlS,
        {
          elected: () => void master.start(),
          deposed: (why) => {
            this.log(`master: deposed (${why})`);
            void master.stop();
          },
        },
        this.log,
      );
      this.election.start();
    })();
    return this.ready;
  }

  get isMaster(): boolean {
    return this.election?.isMaster ?? false;
  }

  async create(url: string): Promise<{ link: LinkEvent; created: boolean }> {
    if (!this.js || !this.jsm) throw new Error('the log is not connected yet');
    return createLink(this.js, this.jsm, url);
  }

  /** Where `code` leads: this node's Redis first, else the log itself (a link not applied here yet). */
  async resolve(code: string): Promise<string | undefined> {
    try {
      const url = await this.cache.url(code);
      if (url) return url;
    } catch {
      // its Redis is down or rebuilding: the log answers
    }
    if (!this.jsm) return undefined;
    return (await linkInLog(this.jsm, code))?.url;
  }

  async stats(code: string): Promise<{ code: string; url?: string; clicks: number; pending: number } | undefined> {
    const [inDb, pending] = await Promise.all([linkStats(this.db, code), this.pendingFor(code)]);
    const url = inDb.url ?? (this.jsm ? (await linkInLog(this.jsm, code))?.url : undefined);
    if (!url) return undefined;
    return { code, url, clicks: inDb.clicks, pending };
  }

  private async pendingFor(code: string): Promise<number> {
    const counts = await Promise.all([...this.caches.values()].map((c) => c.pendingFor(code).catch(() => 0)));
    return counts.reduce((a, b) => a + b, 0) + (this.clicks.unsavedClicks ?? 0);
  }

  /** What the dashboard and the kit's checks read of this backend. */
  async status(): Promise<Record<string, unknown>> {
    const [pending, links, master, db] = await Promise.all([
      this.cache.pendingTotal().catch(() => undefined),
      this.cache.count().catch(() => undefined),
      currentMaster(this.etcd),
      this.isMaster ? totals(this.db).catch(() => undefined) : Promise.resolve(undefined),
    ]);
    return {
      node: this.s.node,
      master: master ?? null,
      isMaster: this.isMaster,
      replica: { ...this.follower?.state, links: links ?? null },
      pending: pending ?? null,
      unsaved: this.clicks.unsavedClicks ?? 0,
      batchesPublished: this.clicks.published ?? 0,
      ...(this.isMaster ? { applied: this.master?.states, postgres: db ?? null, primary: this.db.primary ?? null } : {}),
    };
  }

  /**
   * A node's death, for the loopback fault tests: everything stops at once, nothing is resigned
   * or flushed (its lease lapses, its pending clicks stay in its Redis for its next start).
   */
  async crash(): Promise<void> {
    this.election?.abandon();
    this.clicks.abandon();
    await this.master?.stop();
    await this.follower?.stop();
    await this.nc?.close().catch(() => undefined);
    await this.db.close();
    for (const c of this.caches.values()) c.redis.disconnect();
  }

  /** Graceful stop: resign the master role, send every pending click, close. Bounded by `ms`. */
  async stop(ms = 5000): Promise<void> {
    const work = (async () => {
      await this.election?.stop();
      await this.master?.stop();
      await this.clicks.stop();
      await this.follower?.stop();
      await this.nc?.drain().catch(() => undefined);
      await this.db.close();
      for (const c of this.caches.values()) c.redis.disconnect();
    })();
    await Promise.race([work, new Promise((r) => setTimeout(r, ms).unref())]);
  }
}
