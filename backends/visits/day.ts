// Which calendar day a moment belongs to: UTC by default, or a fixed offset, or an IANA zone
// (whose offset follows daylight saving). Days are written YYYY-MM-DD, as the course's keys are.
export type TimeZone = { kind: 'offset'; minutes: number; name: string } | { kind: 'iana'; name: string; format: Intl.DateTimeFormat };

export function parseTimeZone(spec: string): TimeZone {
  if (/^(UTC|Z)$/i.test(spec)) return { kind: 'offset', minutes: 0, name: 'UTC' };
  const m = /^(?:UTC)?([+-])(\d{2}):?(\d{2})$/i.exec(spec);
  if (m) {
    const minutes = (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
    if (Math.abs(minutes) > 14 * 60 || Number(m[3]) > 59) throw new Error(`offset ${spec} out of range`);
    return { kind: 'offset', minutes, name: spec };
  }
  try {
    // en-CA writes dates as YYYY-MM-DD.
    const format = new Intl.DateTimeFormat('en-CA', { timeZone: spec, year: 'numeric', month: '2-digit', day: '2-digit' });
    return { kind: 'iana', name: spec, format };
  } catch {
    throw new Error(`"${spec}" is neither UTC, an offset like +03:00, nor a known IANA time zone`);
  }
}

/** The day of `atMs` in `tz`, as YYYY-MM-DD. */
export function dayOf(atMs: number, tz: TimeZone): string {
  if (tz.kind === 'offset') return new Date(atMs + tz.minutes * 60_000).toISOString().slice(0, 10);
  return tz.format.format(new Date(atMs));
}

export const isDay = (s: string): boolean => /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`));

/** The `count` days ending with `day`, newest first (calendar arithmetic, so zones do not matter). */
export function daysBack(day: string, count: number): string[] {
  const start = Date.parse(`${day}T00:00:00Z`);
  return Array.from({ length: count }, (_, i) => new Date(start - i * 86_400_000).toISOString().slice(0, 10));
}
