// The API's errors: always JSON, {error, …details}, with the status saying whose fault it is.
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

export const apiError = (c: Context, status: ContentfulStatusCode, error: string, details: Record<string, unknown> = {}) =>
  c.json({ error, ...details }, status);

export const badRequest = (c: Context, error: string, details?: Record<string, unknown>) => apiError(c, 400, error, details);

/** Redis slow, unreachable or refusing writes: 503 with Retry-After, never a hang. */
export function unavailable(c: Context, err: unknown) {
  c.header('Retry-After', '1');
  return apiError(c, 503, 'storage unavailable', { reason: err instanceof Error ? err.message : String(err) });
}
