// A replica's side of the links stream: its durable consumer (the course's consumer group per
// server, `links-<backend>`) fed into its own Redis. The position stored in that Redis, with the
// links, is the truth: on start the consumer resumes after it, a Redis that starts empty reads the
// whole stream, and one that lost its data (the position went back) is read again from there.
import type { JetStreamClient, JetStreamManager, JsMsg } from 'nats';
import type { LinkCache } from './cache.js';
import { AckPolicy, decode, DeliverPolicy, isNotFound, highest, LINKS, nextRun, type LinkEvent } from './log.js';

export interface FollowerState {
  /** Last stream sequence applied to this replica's Redis. */
  position: number;
  /** Events in the stream after it, as the consumer last said. */
  behind: number;
  /** When the replica had read everything that was in the stream when it started following. */
  caughtUpMs?: number;
  /** How many times the stream was read again because the Redis lost its data. */
  rebuilds: number;
  error?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const batchMax = 1000;

export class LinkFollower {
  readonly state: FollowerState = { position: 0, behind: 0, rebuilds: 0 };
  private stopped = false;
  private stopCurrent?: () => void;
  private done?: Promise<void>;
  private startedAt = 0;
  private watch?: NodeJS.Timeout;

  constructor(
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly cache: LinkCache,
    readonly durable: string,
    private readonly log: (msg: string) => void = () => undefined,
  ) {}

  start(): void {
    this.startedAt = Date.now();
    this.done = this.loop();
    // A Redis that lost its data while no new link came: noticed within a second.
    this.watch = setInterval(() => {
      this.cache.position().then(
        (p) => {
          if (p < this.state.position) this.restart(`its Redis went back from ${this.state.position} to ${p}`);
        },
        () => undefined,
      );
    }, 1000);
    this.watch.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.watch);
    this.stopCurrent?.();
    await this.done;
  }

  private restart(why: string): void {
    this.log(`links: reading the stream again (${why})`);
    this.state.rebuilds++;
    this.state.position = 0;
    this.startedAt = Date.now();
    delete this.state.caughtUpMs;
    this.stopCurrent?.();
  }

  /**
   * The durable consumer, made afresh after `position` each time the loop (re)starts: one kept
   * from before would redeliver what it had in flight out of order, after newer events.
   */
  private async consumerFrom(position: number): Promise<void> {
    await this.jsm.consumers.delete(LINKS, this.durable).catch((err: unknown) => {
      if (!isNotFound(err)) throw err;
    });
    await this.jsm.consumers.add(LINKS, {
      durable_name: this.durable,
      ack_policy: AckPolicy.All,
      deliver_policy: position === 0 ? DeliverPolicy.All : DeliverPolicy.StartSequence,
      ...(position === 0 ? {} : { opt_start_seq: position + 1 }),
      max_ack_pending: 20_000,
      ack_wait: 10_000_000_000,
      // A replica gone for a day leaves no consumer behind on the log nodes.
      inactive_threshold: 86_400_000_000_000,
    });
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      try {
        const position = await this.cache.position();
        this.state.position = position;
        await this.consumerFrom(position);
        const target = (await this.jsm.streams.info(LINKS)).state.last_seq;
        if (target <= position) this.state.caughtUpMs ??= Date.now() - this.startedAt;
        const consumer = await this.js.consumers.get(LINKS, this.durable);
        const iter = await consumer.consume({ max_messages: batchMax * 2 });
        this.stopCurrent = () => iter.stop();
        let batch: JsMsg[] = [];
        try {
          for await (const m of iter) {
            batch.push(m);
            if (batch.length < batchMax && iter.getPending() > 1) continue; // the message in hand counts as pending
            const events = batch.map((b) => ({ seq: b.seq, ...decode<LinkEvent>(b.data) }));
            const { run, gap } = nextRun(events, this.state.position);
            // A failure (its Redis away) restarts the loop: nothing of this batch is acknowledged.
            const r = await this.cache.applyLinks(run);
            if (!r.applied) {
              this.restart(`its Redis is at ${r.position}, the stream at ${run[0]!.seq}`);
              break;
            }
            this.state.position = r.position;
            if (gap) break; // a sequence missing: the consumer is made again after what was applied
            const last = highest(batch); // acknowledges every sequence up to it
            last.ack();
            this.state.behind = last.info.pending;
            delete this.state.error; // the last failure is over
            if (this.state.caughtUpMs === undefined && r.position >= target) this.state.caughtUpMs = Date.now() - this.startedAt;
            batch = [];
          }
        } finally {
          iter.stop();
        }
        delete this.state.error;
      } catch (err) {
        this.state.error = (err as Error).message;
        if (!this.stopped) await sleep(300);
      }
    }
  }
}
