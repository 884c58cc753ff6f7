// Who is asking, and which request this is. The visitor is a random id in a cookie; the request id
// comes from the edge (HAProxy's unique-id, X-Request-ID) so that a GET HAProxy retries on the other
// backend carries the same id, and is made up here for a request that did not pass the edge.
import { randomBytes, randomUUID } from 'node:crypto';
import type { Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';

export const visitorCookie = 'hakit_visitor';
const visitorPattern = /^[A-Za-z0-9_-]{16,64}$/;
const requestIdPattern = /^[A-Za-z0-9._:@-]{1,128}$/;

/** The request id from X-Request-ID when well-formed, else a fresh one (no retry will share it). */
export function requestIdOf(c: Context): string {
  const id = c.req.header('x-request-id');
  return id && requestIdPattern.test(id) ? id : `be-${randomUUID()}`;
}

/** The visitor's id from the cookie, or a new one set on the response (HttpOnly, SameSite=Lax, a year). */
export function visitorOf(c: Context): string {
  const known = getCookie(c, visitorCookie);
  if (known && visitorPattern.test(known)) return known;
  const id = randomBytes(16).toString('base64url');
  setCookie(c, visitorCookie, id, { httpOnly: true, sameSite: 'Lax', maxAge: 365 * 86_400, path: '/' });
  return id;
}
