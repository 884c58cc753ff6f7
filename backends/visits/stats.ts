// Reading the counts back: per-day totals and uniques, and a day's log a page at a time.
import type { Redis } from 'ioredis';
import { withDeadline } from '../redis/deadline.js';
import { daysBack } from './day.js';
import { visitKeys } from './keys.js';

export interface DayTotals {
  day: string;
  visits: number;
  uniques: number;
}

export async function dayTotals(client: Redis, today: string, days: number, deadlineMs: number): Promise<DayTotals[]> {
  const list = daysBack(today, days);
  const p = client.pipeline();
  for (const day of list) p.get(visitKeys.counter(day)).pfcount(visitKeys.visitors(day));
  const replies = (await withDeadline(p.exec(), deadlineMs)) ?? [];
  const value = (i: number): number => {
    const [err, v] = replies[i] ?? [new Error('no reply'), null];
    if (err) throw err;
    return Number(v ?? 0);
  };
  return list.map((day, i) => ({ day, visits: value(2 * i), uniques: value(2 * i + 1) }));
}

export interface LogEntry {
  time: string;
  visitor: string;
  server: string;
  lb: string;
}

export interface LogPage {
  day: string;
  page: number;
  size: number;
  /** Entries the day's log holds (it keeps the newest VISITS_LOG_CAP). */
  total: number;
  entries: LogEntry[];
}

export async function logPage(client: Redis, day: string, page: number, size: number, deadlineMs: number): Promise<LogPage> {
  const key = visitKeys.log(day);
  const start = (page - 1) * size;
  const replies =
    (await withDeadline(
      client
        .pipeline()
        .llen(key)
        .lrange(key, start, start + size - 1)
        .exec(),
      deadlineMs,
    )) ?? [];
  for (const [err] of replies) if (err) throw err;
  const total = Number(replies[0]?.[1] ?? 0);
  const raw = (replies[1]?.[1] ?? []) as string[];
  return { day, page, size, total, entries: raw.map(parseEntry) };
}

function parseEntry(raw: string): LogEntry {
  try {
    const e = JSON.parse(raw) as { t?: string; v?: string; s?: string; lb?: string };
    return { time: e.t ?? '', visitor: e.v ?? '', server: e.s ?? '', lb: e.lb ?? '' };
  } catch {
    return { time: '', visitor: raw, server: '', lb: '' };
  }
}
