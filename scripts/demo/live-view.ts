// The demo's live terminal view: who answers, condensed. Answers are grouped in 100 ms buckets by
// completion time; consecutive buckets that look alike (same LBs, same backends, same kind of
// failure, or silence) form one line, printed when the picture changes. Events (the fault, VIP
// moves, HAProxy marking a server down) are printed as they happen. Plain lines: fine when piped.
import { failureKind, completedAt } from '../observe/analysis.js';
import { isSuccess, type ProbeRecord } from '../observe/probe.js';

interface Segment {
  startMs: number;
  endMs: number;
  sig: string;
  text: string;
  ok: number;
  failed: number;
}

export class LiveView {
  private buckets = new Map<number, ProbeRecord[]>();
  private nextBucket: number;
  private segment: Segment | undefined;

  constructor(
    private readonly write: (line: string) => void,
    private readonly originMs: number,
    private readonly bucketMs = 100,
    private readonly colour = false,
  ) {
    this.nextBucket = Math.floor(originMs / bucketMs);
  }

  /** A request completed. */
  record(r: ProbeRecord): void {
    const b = Math.floor(completedAt(r) / this.bucketMs);
    const list = this.buckets.get(b) ?? [];
    list.push(r);
    this.buckets.set(b, list);
  }

  /** Closes every bucket that ended before `nowMs` (call on a timer). */
  tick(nowMs: number): void {
    const last = Math.floor(nowMs / this.bucketMs) - 1;
    while (this.nextBucket <= last) {
      const records = this.buckets.get(this.nextBucket) ?? [];
      this.buckets.delete(this.nextBucket);
      this.add(this.nextBucket * this.bucketMs, records);
      this.nextBucket++;
    }
  }

  /** An event line; the answers so far are printed first so the order stays right. */
  note(atMs: number, text: string): void {
    this.tick(atMs);
    this.flushSegment();
    this.write(`  ${this.stamp(atMs)}  ${this.paint('» ' + text, '1')}`);
  }

  /** Prints what is pending (end of the scenario). */
  end(nowMs: number): void {
    this.tick(nowMs);
    const partial = this.buckets.get(this.nextBucket);
    if (partial?.length) this.add(this.nextBucket * this.bucketMs, partial);
    this.buckets.clear();
    this.flushSegment();
  }

  private add(startMs: number, records: ProbeRecord[]): void {
    const { sig, text } = describe(records);
    const s = this.segment;
    if (s && s.sig === sig) {
      s.endMs = startMs + this.bucketMs;
      s.ok += records.filter(isSuccess).length;
      s.failed += records.filter((r) => !isSuccess(r)).length;
      return;
    }
    this.flushSegment();
    this.segment = {
      startMs,
      endMs: startMs + this.bucketMs,
      sig,
      text,
      ok: records.filter(isSuccess).length,
      failed: records.filter((r) => !isSuccess(r)).length,
    };
  }

  private flushSegment(): void {
    const s = this.segment;
    if (!s) return;
    this.segment = undefined;
    const span = `${Math.round(s.endMs - s.startMs)} ms`;
    const counts = s.failed ? `${s.ok} ok, ${s.failed} failed` : s.ok ? `${s.ok} ok` : '';
    const line = `  ${this.stamp(s.startMs)}  ${s.text.padEnd(42)} ${span.padStart(8)}  ${counts}`.trimEnd();
    this.write(s.failed || s.sig === 'silence' ? this.paint(line, '31') : line);
  }

  private stamp(atMs: number): string {
    const s = (atMs - this.originMs) / 1000;
    return `${s >= 0 ? '+' : '-'}${Math.abs(s).toFixed(2)} s`.padStart(8);
  }

  private paint(s: string, code: string): string {
    return this.colour ? `\x1b[${code}m${s}\x1b[0m` : s;
  }
}

/** What a bucket looked like: "lb1 → backend1 backend2", "✗ ECONNREFUSED via lb1", "· no answers". */
export function describe(records: ProbeRecord[]): { sig: string; text: string } {
  if (records.length === 0) return { sig: 'silence', text: '· no answers' };
  const ok = records.filter(isSuccess);
  const lbsOk = [...new Set(ok.map((r) => r.lb ?? '?'))].sort();
  const backendsOk = [...new Set(ok.map((r) => r.backend ?? '?'))].sort();
  const kinds = [...new Set(records.map(failureKind).filter((k): k is string => k !== undefined))].sort();
  const parts: string[] = [];
  if (ok.length) parts.push(`${lbsOk.join('+')} → ${backendsOk.join(' ')}`);
  if (kinds.length) parts.push(`✗ ${kinds.join(', ')}`);
  const text = parts.join('  ');
  return { sig: text, text };
}
