// Protection for a control panel on 127.0.0.1 that can kill nodes:
// - every request must name this server in its Host header (so a DNS-rebinding page on another
//   name cannot read the page, and so cannot read the token);
// - state-changing requests must carry the per-process random token (embedded in the page) in a
//   header, which a cross-site form or image cannot send, and, when the browser says where the
//   request comes from (Origin, Sec-Fetch-Site), that must be this server.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';

export const tokenHeader = 'x-hakit-token';

export const newToken = (): string => randomBytes(24).toString('hex');

export function sameToken(given: string | undefined, expected: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The Host values under which this server may be reached, e.g. 127.0.0.1:8400 and localhost:8400. */
export const allowedHosts = (port: number): string[] => [`127.0.0.1:${port}`, `localhost:${port}`];

export type Refusal = string | undefined;

/** Why a request's Host is refused, or undefined when it is fine. */
export function checkHost(host: string | undefined, hosts: readonly string[]): Refusal {
  if (!host) return 'no Host header';
  return hosts.includes(host.toLowerCase()) ? undefined : `Host "${host}" is not this dashboard`;
}

/** Why a state-changing request is refused, or undefined when it may proceed. */
export function checkAction(
  headers: { origin?: string; secFetchSite?: string; token?: string },
  hosts: readonly string[],
  token: string,
): Refusal {
  if (headers.origin !== undefined) {
    let host: string | undefined;
    try {
      const u = new URL(headers.origin);
      host = u.protocol === 'http:' ? u.host : undefined;
    } catch {
      host = undefined;
    }
    if (!host || !hosts.includes(host.toLowerCase())) return `cross-site request from Origin "${headers.origin}"`;
  }
  if (headers.secFetchSite !== undefined && !['same-origin', 'none'].includes(headers.secFetchSite)) {
    return `cross-site request (Sec-Fetch-Site: ${headers.secFetchSite})`;
  }
  if (!sameToken(headers.token, token)) return `missing or wrong ${tokenHeader} header`;
  return undefined;
}

export function hostGuard(hosts: () => readonly string[]): MiddlewareHandler {
  return async (c, next) => {
    const why = checkHost(c.req.header('host'), hosts());
    if (why) return c.json({ error: `forbidden: ${why}` }, 403);
    await next();
  };
}

export function actionGuard(hosts: () => readonly string[], token: string): MiddlewareHandler {
  return async (c, next) => {
    const why = checkAction(
      { origin: c.req.header('origin'), secFetchSite: c.req.header('sec-fetch-site'), token: c.req.header(tokenHeader) },
      hosts(),
      token,
    );
    if (why) return c.json({ error: `forbidden: ${why}` }, 403);
    await next();
  };
}
