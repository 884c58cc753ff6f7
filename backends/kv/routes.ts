// The course's key-value store as an API: POST /api/kv/:key appends, GET /api/kv/:key reads.
import type { Context, Hono } from 'hono';
import { accepts } from 'hono/accepts';
import { apiError, badRequest, unavailable } from '../api-errors.js';
import { requestIdOf } from '../request-identity.js';
import { kvLimits, type KvStore } from './store.js';

/** The body may be larger than the value: JSON escapes it (a 64 KiB value of quotes is 128 KiB of JSON). */
export const kvBodyMaxBytes = 256 * 1024;

const jsonTypes: Parameters<typeof accepts>[1] = { header: 'Accept', supports: ['text/plain', 'application/json'], default: 'text/plain' };

function checkKey(c: Context, key: string): Response | undefined {
  if (kvLimits.keyPattern.test(key)) return undefined;
  return badRequest(c, 'invalid key', {
    rule: `1 to ${kvLimits.keyMaxLength} characters from A-Z a-z 0-9 . _ ~ -`,
    length: key.length,
  });
}

/** The value of a POST: the text/plain body, or "value" of a JSON object; a Response when refused. */
async function valueOf(c: Context): Promise<string | Response> {
  const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  let value: unknown;
  if (type === 'text/plain') value = await c.req.text();
  else if (type === 'application/json') {
    let body: unknown;
    try {
      body = JSON.parse(await c.req.text());
    } catch {
      return badRequest(c, 'body is not valid JSON', { expected: '{"value": "…"}' });
    }
    value = typeof body === 'object' && body !== null ? (body as { value?: unknown }).value : undefined;
    if (typeof value !== 'string') return badRequest(c, '"value" must be a string', { expected: '{"value": "…"}' });
  } else
    return apiError(c, 415, 'unsupported content type', {
      got: type || 'none',
      supported: ['text/plain', 'application/json'],
    });
  const text = value as string;
  if (text === '') return badRequest(c, 'value must not be empty');
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > kvLimits.valueMaxBytes) return apiError(c, 413, 'value too large', { bytes, limit: kvLimits.valueMaxBytes });
  return text;
}

export function registerKvRoutes(app: Hono, kv: KvStore | undefined): void {
  const storeOr503 = (c: Context) =>
    kv ? undefined : apiError(c, 503, 'storage not configured', { reason: 'this backend runs without Redis' });

  app.post('/api/kv/:key', async (c) => {
    const key = c.req.param('key');
    const refused = checkKey(c, key) ?? storeOr503(c);
    if (refused) return refused;
    const value = await valueOf(c);
    if (value instanceof Response) return value;
    try {
      const r = await kv!.append(key, value, requestIdOf(c));
      if (r.state === 'full') return apiError(c, 409, 'too many values for this key', { key, values: r.values, limit: kv!.valuesPerKey });
      return c.json({ key, values: r.values, replayed: r.state === 'replayed', replicated: r.replicated }, 201);
    } catch (err) {
      return unavailable(c, err);
    }
  });

  app.get('/api/kv/:key', async (c) => {
    const key = c.req.param('key');
    const refused = checkKey(c, key) ?? storeOr503(c);
    if (refused) return refused;
    let values: string[];
    try {
      values = await kv!.values(key);
    } catch (err) {
      return unavailable(c, err);
    }
    if (c.req.query('format') === 'json' || accepts(c, jsonTypes) === 'application/json') return c.json(values);
    // As storage.py printed them: ", "-joined, nothing at all for a missing key.
    return c.text(values.length ? `${values.join(', ')}\n` : '');
  });

  app.on(['PUT', 'DELETE', 'PATCH'], '/api/kv/:key', (c) => {
    c.header('Allow', 'GET, POST');
    return apiError(c, 405, 'method not allowed: values are appended, never overwritten or removed');
  });

  app.get('/api', (c) =>
    c.json({
      name: 'hakit key-value store and visit counter',
      endpoints: [
        {
          method: 'POST',
          path: '/api/kv/{key}',
          does: 'append a value to the key (values are kept in insertion order, never overwritten)',
          body: 'text/plain: the value; or application/json: {"value": "…"}',
          answers: '201 {key, values, replayed, replicated}; the same X-Request-ID again appends nothing (replayed: true)',
        },
        {
          method: 'GET',
          path: '/api/kv/{key}',
          does: "the key's values, oldest first",
          answers: 'text: "a, b, c" (empty for a missing key); JSON array with Accept: application/json or ?format=json',
        },
        { method: 'GET', path: '/api/visits?days=7', does: 'per-day page views and unique visitors, newest day first' },
        { method: 'GET', path: '/api/visits/log?day=YYYY-MM-DD&page=1&size=50', does: "a day's visit log, newest first, paged" },
      ],
      limits: {
        key: `1 to ${kvLimits.keyMaxLength} characters from A-Z a-z 0-9 . _ ~ -`,
        valueBytes: kvLimits.valueMaxBytes,
        bodyBytes: kvBodyMaxBytes,
        valuesPerKey: kvLimits.valuesPerKey,
      },
      errors: {
        400: 'invalid key, bad JSON, empty value',
        409: 'the key already holds the maximum number of values',
        413: 'value (or body) too large',
        415: 'content type other than text/plain or application/json',
        503: 'storage unavailable (Redis slow, unreachable or refusing writes)',
      },
    }),
  );
}
