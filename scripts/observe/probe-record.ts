// What the probe records of one request: a type only, with no imports, so that the dashboard's
// browser script (scripts/dashboard/wire.ts) uses the same shape as the Node code.

export interface ProbeRecord {
  /** Start of the request, ms since the epoch. */
  atMs: number;
  latencyMs: number;
  /** HTTP status, or undefined when the request failed below HTTP. */
  status?: number;
  /** Error code (ECONNREFUSED, ETIMEDOUT, …) when the request failed. */
  error?: string;
  backend?: string;
  lb?: string;
  /** The page's visit count, when the backend showed one (X-Visits), and its state (X-Count). */
  count?: number;
  countState?: string;
  /** With a plan: the index of the step this request was (its position in start order). */
  step?: number;
  /** The weather API's X-Cache (HIT, MISS, STALE), and whether a 503 said when to retry. */
  cache?: string;
  retryAfter?: boolean;
}
