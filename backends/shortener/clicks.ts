// A replica's clicks: counted in its own Redis once per request id, sealed into a batch when a
// link has `batchSize` of them (and on a timer, and on a graceful stop), published to the clicks
// stream under an id that the log deduplicates (a batch published twice after a crash is stored
// once), and removed from the outbox only once the log has acknowledged it.
import type { JetStreamClient } from 'nats';
import type { LinkCache } from './cache.js';
import { encode, type ClickBatch } from './log.js';

export class ClickCounter {
  private flushing?: Promise<void>;
  private again = false;
  private timer?: NodeJS.Timeout;
  /** Clicks served while this replica's Redis did not answer: sent from memory on the next flush. */
  private unsaved = new Map<string, string[]>();
  private memBatches = 0;
  private dead = false;
  /** Batches this replica has published (for the dashboard and the tests). */
  published = 0;

  constructor(
    /** The log's client once connected (clicks are counted in Redis before that). */
    private readonly js: () => JetStreamClient | undefined,
    private readonly cache: LinkCache,
    private readonly node: string,
    private readonly batchSize: number,
    private readonly flushMs: number,
    private readonly log: (msg: string) => void = () => undefined,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.flush(true), this.flushMs);
    this.timer.unref();
  }

  /** Counts the click of request `requestId` on `code` (false: that request was counted before). */
  async record(code: string, requestId: string): Promise<boolean> {
    let n: number;
    try {
      n = await this.cache.recordClick(code, requestId);
    } catch {
      const ids = this.unsaved.get(code) ?? [];
      ids.push(requestId);
      this.unsaved.set(code, ids);
      return true;
    }
    if (n >= this.batchSize) void this.flush(false);
    return n >= 0;
  }

  /** Seals full batches (`all`: every pending click) and publishes the outbox; one flush at a time. */
  flush(all: boolean): Promise<void> {
    if (this.flushing) {
      this.again ||= all;
      return this.flushing;
    }
    this.flushing = this.flushOnce(all)
      .catch((err: unknown) => this.log(`clicks: flush failed: ${(err as Error).message}`))
      .finally(() => {
        this.flushing = undefined;
        if (this.again) {
          this.again = false;
          void this.flush(true);
        }
      });
    return this.flushing;
  }

  private async flushOnce(all: boolean): Promise<void> {
    const js = this.js();
    if (!js || this.dead) return;
    await this.sendUnsaved(js);
    for (const code of await this.cache.pendingCodes()) {
      // a full batch at a time; the rest waits for the timer unless `all`
      for (;;) {
        const pending = await this.cache.redis.llen(`sl:pending:${code}`);
        if (pending === 0 || (!all && pending < this.batchSize)) break;
        await this.cache.seal(code, this.batchSize);
      }
    }
    for (const b of await this.cache.outbox()) {
      const batch: ClickBatch = { node: this.node, code: b.code, ids: b.ids };
      await js.publish(`clicks.${this.node}`, encode(batch), { msgID: `${this.node}:${b.epoch}:${b.n}`, timeout: 5000 });
      await this.cache.sent(b.n);
      this.published++;
    }
  }

  private async sendUnsaved(js: JetStreamClient): Promise<void> {
    for (const [code, ids] of [...this.unsaved]) {
      for (let i = 0; i < ids.length; i += this.batchSize) {
        const batch: ClickBatch = { node: this.node, code, ids: ids.slice(i, i + this.batchSize) };
        await js.publish(`clicks.${this.node}`, encode(batch), {
          msgID: `${this.node}:mem:${process.pid}:${Date.now()}:${this.memBatches++}`,
          timeout: 5000,
        });
        this.published++;
      }
      this.unsaved.delete(code);
    }
  }

  /** A node's death: the timer stops, nothing is sent. */
  abandon(): void {
    clearInterval(this.timer);
    this.dead = true;
  }

  /** Graceful stop: every pending click sealed and sent (bounded by the caller's timeout). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.flushing;
    await this.flush(true);
  }

  get unsavedClicks(): number {
    let n = 0;
    for (const ids of this.unsaved.values()) n += ids.length;
    return n;
  }
}
