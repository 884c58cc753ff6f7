// What a link may point to: an absolute http(s) URL of bounded length, with a host and no
// credentials in it (a short link would publish them), and no whitespace or control characters.
export const maxUrlLength = 2048;

export type UrlCheck = { ok: true; url: string } | { ok: false; reason: string };

export function checkUrl(input: unknown): UrlCheck {
  if (typeof input !== 'string' || input.length === 0) return { ok: false, reason: 'url must be a non-empty string' };
  if (input.length > maxUrlLength) return { ok: false, reason: `url is longer than ${maxUrlLength} characters` };
  // eslint-disable-next-line no-control-regex
  if (/[\s\u0000-\u001f\u007f]/.test(input)) return { ok: false, reason: 'url must not contain whitespace or control characters' };
  let u: URL;
  try {
    u = new URL(input);
  } catch {
    return { ok: false, reason: 'url is not an absolute URL' };
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return { ok: false, reason: 'only http and https URLs can be shortened' };
  if (!u.hostname) return { ok: false, reason: 'url has no host' };
  if (u.username || u.password) return { ok: false, reason: 'url must not carry a user name or password' };
  // The normalised form (scheme and host lower-cased, default port dropped): the same link
  // written twice gets the same code.
  const url = u.href;
  if (url.length > maxUrlLength) return { ok: false, reason: `url is longer than ${maxUrlLength} characters` };
  return { ok: true, url };
}
