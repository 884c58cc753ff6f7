// What the master does besides taking creates: the links projection and the click totals in
// Postgres, each fed by one durable consumer that both candidates share (`projector` on LINKS,
// `aggregator` on CLICKS: the course's consumer group of the master). Postgres keeps the position
// applied last in the same transaction as the rows, so a message the log delivers again after a
// failover (acknowledged or not) is skipped, never counted twice; and the consumer delivers from
// that position, so batches a Postgres failover took back (asynchronous standby) come again.
import type { JetStreamClient, JetStreamManager, JsMsg } from 'nats';
import { AckPolicy, CLICKS, decode, DeliverPolicy, highest, isNotFound, LINKS, type ClickBatch, type LinkEvent } from './log.js';
import { applyClicks, ensureSchema, projectLinks, storedPosition, type PgPrimary } from './postgres.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const batchMax = 500;

export interface ApplierState {
  /** Last stream sequence applied to Postgres by this node. */
  applied: number;
  /** Messages the consumer had not delivered yet, as it last said. */
  behind: number;
  error?: string;
}

/** One consumer feeding Postgres in batches until stopped. */
class Applier {
  readonly state: ApplierState = { applied: 0, behind: 0 };
  private stopped = false;
  private stopIter?: () => void;
  private done?: Promise<void>;
  private watch?: NodeJS.Timeout;

  constructor(
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    readonly stream: string,
    readonly durable: string,
    private readonly apply: (batch: JsMsg[]) => Promise<unknown>,
    /** What Postgres holds for this stream: the consumer restarts after it. */
    private readonly position: () => Promise<number>,
    private readonly log: (msg: string) => void,
  ) {}

  start(): void {
    this.done = this.loop();
    // A failover to an asynchronous standby takes back what the old primary committed last, and
    // nothing fails here to say so: a quiet stream would leave those batches out until its next
    // message. Seen within a second: Postgres behind what was applied restarts the consumer.
    this.watch = setInterval(() => {
      const seen = this.state.applied;
      this.position().then(
        (p) => {
          if (p >= seen) return;
          this.log(`${this.durable}: Postgres went back from ${seen} to ${p}; reading the log again from there`);
          this.state.applied = p;
          this.stopIter?.();
        },
        () => undefined,
      );
    }, 1000);
    this.watch.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.watch);
    this.stopIter?.();
    await this.done;
  }

  /**
   * The durable consumer, made afresh from Postgres's position + 1 each time the loop (re)starts:
   * a failover to an asynchronous standby may have taken back batches the log saw acknowledged
   * (they are delivered again), and a consumer kept from before would redeliver what it had in
   * flight out of order, after newer messages.
   */
  private async ensureConsumer(): Promise<void> {
    const position = await this.position();
    await this.jsm.consumers.delete(this.stream, this.durable).catch((err: unknown) => {
      if (!isNotFound(err)) throw err;
    });
    await this.jsm.consumers.add(this.stream, {
      durable_name: this.durable,
      ack_policy: AckPolicy.All,
      deliver_policy: position === 0 ? DeliverPolicy.All : DeliverPolicy.StartSequence,
      ...(position === 0 ? {} : { opt_start_seq: position + 1 }),
      max_ack_pending: 10_000,
      ack_wait: 10_000_000_000,
    });
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.ensureConsumer();
        const consumer = await this.js.consumers.get(this.stream, this.durable);
        const iter = await consumer.consume({ max_messages: batchMax * 2 });
        this.stopIter = () => iter.stop();
        if (this.stopped) iter.stop();
        let batch: JsMsg[] = [];
        try {
          for await (const m of iter) {
            batch.push(m);
            if (batch.length < batchMax && iter.getPending() > 1) continue; // the message in hand counts as pending
            // A failure (Postgres away, a sequence missing) restarts the loop: the consumer is made
            // again from what Postgres holds, and nothing of this batch is acknowledged.
            await this.apply(batch);
            const last = highest(batch); // acknowledges every sequence up to it
            last.ack();
            this.state.applied = last.seq;
            delete this.state.error; // the last failure is over
            this.state.behind = last.info.pending;
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

export class MasterWork {
  private appliers: Applier[] = [];

  constructor(
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly db: PgPrimary,
    private readonly log: (msg: string) => void = () => undefined,
  ) {}

  get states(): Record<string, ApplierState> {
    return Object.fromEntries(this.appliers.map((a) => [a.durable, a.state]));
  }

  async start(): Promise<void> {
    if (this.appliers.length) return;
    const db = this.db;
    this.appliers = [
      new Applier(
        this.js,
        this.jsm,
        LINKS,
        'projector',
        (batch) =>
          projectLinks(
            db,
            batch.map((m) => ({ seq: m.seq, value: decode<LinkEvent>(m.data) })),
          ),
        () => storedPosition(db, LINKS),
        this.log,
      ),
      new Applier(
        this.js,
        this.jsm,
        CLICKS,
        'aggregator',
        (batch) =>
          applyClicks(
            db,
            batch.map((m) => ({ seq: m.seq, value: decode<ClickBatch>(m.data) })),
          ),
        () => storedPosition(db, CLICKS),
        this.log,
      ),
    ];
    // The schema first (Postgres may be failing over: retried until it answers).
    void (async () => {
      for (;;) {
        try {
          await ensureSchema(db);
          break;
        } catch (err) {
          this.log(`master: schema: ${(err as Error).message}`);
          await sleep(500);
        }
        if (!this.appliers.length) return;
      }
      for (const a of this.appliers) a.start();
    })();
  }

  async stop(): Promise<void> {
    const was = this.appliers;
    this.appliers = [];
    await Promise.all(was.map((a) => a.stop()));
  }
}
