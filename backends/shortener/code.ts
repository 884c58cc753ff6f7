// Short codes: 7 characters of base62 taken from SHA-256 of the URL, so the same URL always
// gets the same code (a create retried after a timeout makes no second link), and a code never
// names one of the kit's own paths (/healthz, /api, /chat, …): every code has a digit, and the
// kit's paths are words. Another URL already holding a code moves the new one to the next
// candidate (the hash of the URL and the attempt number).
import { createHash } from 'node:crypto';

export const codeLength = 7;
const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const codePattern = /^(?=[A-Za-z]*[0-9])[0-9A-Za-z]{7}$/;

/** True for a string shaped like a code (7 base62 characters, at least one digit). */
export const isCode = (s: string): boolean => codePattern.test(s);

/** The path pattern of a redirect, for the router: `/:code{…}`. */
export const codeRoutePattern = '[0-9A-Za-z]{7}';

/** The code for `url` at attempt `n` (0, 1, …): the first candidate that is shaped like a code. */
export function codeFor(url: string, n = 0): string {
  for (let salt = n * 1000; ; salt++) {
    const digest = createHash('sha256')
      .update(salt === 0 ? url : `${url}#${salt}`)
      .digest();
    let x = digest.readBigUInt64BE(0);
    let code = '';
    for (let i = 0; i < codeLength; i++) {
      code += alphabet[Number(x % 62n)];
      x /= 62n;
    }
    if (isCode(code)) return code;
  }
}
