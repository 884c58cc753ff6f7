// The master role through etcd's own election (its v3 concurrency API, reached over etcd's JSON
// gateway with fetch: no client library needed): every backend campaigns with a lease; etcd makes
// one the leader; the leader keeps its lease alive. A leader whose node dies stops renewing, its
// lease expires after `ttl` seconds, and etcd hands the role to the next candidate; a graceful stop
// resigns at once. No timer of ours decides who is master. docs/architecture.md#the-master-role.
export const electionName = '/hakit/shortener/master';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const unb64 = (s: string | undefined) => (s ? Buffer.from(s, 'base64').toString() : '');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface EtcdSettings {
  endpoints: string[];
  user: string;
  password: string;
}

/** A small etcd v3 gateway client: authenticates, rotates endpoints, bounds every call. */
export class Etcd {
  private token?: string;
  private at = 0;

  constructor(private readonly s: EtcdSettings) {}

  async call<T>(path: string, body: unknown, timeoutMs = 1500): Promise<T> {
    let last: unknown;
    for (let i = 0; i < this.s.endpoints.length; i++) {
      const endpoint = this.s.endpoints[(this.at + i) % this.s.endpoints.length]!;
      try {
        const r = await this.post<T>(endpoint, path, body, timeoutMs);
        this.at = (this.at + i) % this.s.endpoints.length;
        return r;
      } catch (err) {
        last = err;
        if (err instanceof EtcdError && !err.retryElsewhere) throw err;
      }
    }
    throw last instanceof Error ? last : new Error(String(last));
  }

  private async post<T>(endpoint: string, path: string, body: unknown, timeoutMs: number, authed = false): Promise<T> {
    if (!this.token && !path.startsWith('/v3/auth/')) await this.authenticate(endpoint);
    const res = await fetch(`http://${endpoint}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(this.token ? { authorization: this.token } : {}) },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    const json = (text ? JSON.parse(text) : {}) as T & { error?: string; message?: string; code?: number };
    if (res.ok) return json;
    const msg = json.message ?? json.error ?? `HTTP ${res.status}`;
    // An expired token (etcd's simple tokens live 5 minutes): authenticate again, once.
    if (/auth token|token/i.test(msg) && !authed) {
      this.token = undefined;
      return this.post<T>(endpoint, path, body, timeoutMs, true);
    }
    // Unavailable members and lost leaders are worth another member; the rest is final.
    throw new EtcdError(msg, res.status >= 500 || /leader|unavailable|timed out/i.test(msg));
  }

  private async authenticate(endpoint: string): Promise<void> {
    const r = await this.post<{ token: string }>(endpoint, '/v3/auth/authenticate', { name: this.s.user, password: this.s.password }, 1500);
    this.token = r.token;
  }
}

export class EtcdError extends Error {
  constructor(
    message: string,
    readonly retryElsewhere: boolean,
  ) {
    super(message);
  }
}

interface LeaderKey {
  name: string;
  key: string;
  rev: string;
  lease: string;
}

export interface ElectionEvents {
  /** This node became master. */
  elected(): void;
  /** This node is no longer master (its lease lapsed, or it resigned). */
  deposed(why: string): void;
}

export class MasterElection {
  private leader?: LeaderKey;
  private lease?: string;
  private stopped = false;
  private loop?: Promise<void>;
  /** When etcd last confirmed this node's lease (ms since epoch). */
  private renewedAt = 0;

  constructor(
    private readonly etcd: Etcd,
    readonly node: string,
    private readonly ttlS: number,
    private readonly events: ElectionEvents,
    private readonly log: (msg: string) => void = () => undefined,
  ) {}

  /** Master only while the lease is known alive: a leader cut off from etcd stops within ttl. */
  get isMaster(): boolean {
    return this.leader !== undefined && Date.now() - this.renewedAt < this.ttlS * 1000;
  }

  start(): void {
    this.loop = this.run();
  }

  /** Resigns (the other candidate takes over at once) and stops campaigning. */
  async stop(): Promise<void> {
    this.stopped = true;
    const leader = this.leader;
    this.depose('stopping');
    if (leader) await this.etcd.call('/v3/election/resign', { leader }, 1000).catch(() => undefined);
    await this.loop;
  }

  /** Stops renewing and campaigning without resigning: the lease lapses by itself (a dead node). */
  abandon(): void {
    this.stopped = true;
    this.leader = undefined;
  }

  private depose(why: string): void {
    if (!this.leader) return;
    this.leader = undefined;
    this.events.deposed(why);
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        if (!this.lease) {
          const g = await this.etcd.call<{ ID: string }>('/v3/lease/grant', { TTL: this.ttlS });
          this.lease = g.ID;
          this.renewedAt = Date.now();
        }
        // Campaign blocks until this node leads; bounded, so a vanished etcd member is left for
        // another (a campaign retried with the same lease keeps its place in the queue).
        const keep = this.keepAlive();
        const r = await this.etcd
          .call<{ leader: LeaderKey }>('/v3/election/campaign', { name: b64(electionName), lease: this.lease, value: b64(this.node) }, 5000)
          .finally(() => keep.stop());
        if (this.stopped) return;
        this.leader = r.leader;
        this.renewedAt = Date.now();
        this.log(`master: elected (lease ${this.lease})`);
        this.events.elected();
        // Leading: renew the lease three times per ttl until it lapses.
        while (!this.stopped && this.leader) {
          await sleep((this.ttlS * 1000) / 4);
          if (!(await this.renew())) {
            if (Date.now() - this.renewedAt >= this.ttlS * 1000) {
              this.lease = undefined;
              this.depose('its lease lapsed');
            }
          }
        }
      } catch (err) {
        if (this.stopped) return;
        if (/lease not found|requested lease not found/i.test((err as Error).message)) this.lease = undefined;
        await sleep(200);
      }
    }
  }

  /** One keepalive; false when etcd did not confirm the lease. */
  private async renew(): Promise<boolean> {
    if (!this.lease) return false;
    try {
      const r = await this.etcd.call<{ result?: { TTL?: string } }>('/v3/lease/keepalive', { ID: this.lease }, 700);
      if (Number(r.result?.TTL ?? 0) > 0) {
        this.renewedAt = Date.now();
        return true;
      }
      this.lease = undefined; // expired: etcd has already handed the role on
      this.renewedAt = 0;
      this.depose('its lease expired');
      return false;
    } catch {
      return false;
    }
  }

  /** While campaigning, the lease is kept alive too (a waiting candidate keeps its place). */
  private keepAlive(): { stop(): void } {
    let on = true;
    void (async () => {
      while (on && !this.stopped) {
        await sleep((this.ttlS * 1000) / 4);
        if (on) await this.renew();
      }
    })();
    return { stop: () => (on = false) };
  }
}

/** Who holds the master role now, as etcd says (undefined: nobody). */
export async function currentMaster(etcd: Etcd): Promise<string | undefined> {
  try {
    const r = await etcd.call<{ kv?: { value?: string } }>('/v3/election/leader', { name: b64(electionName) }, 1000);
    return unb64(r.kv?.value) || undefined;
  } catch {
    return undefined;
  }
}
