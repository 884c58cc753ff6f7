// The one HTML-escaping path of the kit's documents (the demo report, the SVG timelines, the
// dashboard page): hono's `html` template, which escapes every interpolated value unless it is
// itself markup (a nested template, or `raw` for text that is already HTML or SVG).
import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';

export { raw };
export type Markup = HtmlEscapedString;

/** What may go into a template: no promise, so the result is ready at once. Arrays are joined; null, undefined and booleans vanish. */
export type Interpolation = string | number | boolean | null | undefined | Markup | readonly Interpolation[];

/** hono's `html`, synchronous; `String(result)` or `${result}` gives the text. */
export function markup(strings: TemplateStringsArray, ...values: Interpolation[]): Markup {
  const out = html(strings, ...values);
  if (out instanceof Promise) throw new Error('markup: a promise was interpolated');
  return out;
}

/** Pieces of markup one per line (a template joins an array with nothing between). */
export const joinMarkup = (parts: readonly Markup[]): Markup => raw(parts.join('\n'));
