// Figures of a repeated measurement: every one reported as {min, median, max} over the runs.

export interface Summary {
  min: number;
  median: number;
  max: number;
}

const round = (x: number, digits: number) => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

/** min / median / max of the values (the median of an even count is the mean of the middle two); null when there are none. */
export function summarize(values: readonly number[], digits = 1): Summary | null {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = Math.floor(v.length / 2);
  const median = v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
  return { min: round(v[0]!, digits), median: round(median, digits), max: round(v.at(-1)!, digits) };
}

/** a / b for each pair (same run index), summarised; pairs with b = 0 (or a missing side) are left out. */
export function pairedRatio(a: readonly (number | undefined)[], b: readonly (number | undefined)[], digits = 2): Summary | null {
  const ratios: number[] = [];
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x === undefined || y === undefined || y === 0) continue;
    ratios.push(x / y);
  }
  return summarize(ratios, digits);
}

/** "150 / 170 / 180" (min / median / max), or "–". */
export function formatSummary(s: Summary | null | undefined, unit = ''): string {
  if (!s) return '–';
  const f = (x: number) => `${x}`;
  return s.min === s.max ? `${f(s.median)}${unit}` : `${f(s.min)} / ${f(s.median)} / ${f(s.max)}${unit}`;
}
