// The page: "Hello, World!" and "Server N" first, always, then the day's count when there is one.
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { CountOutcome } from './visits/counter.js';

export interface PageContent {
  serverId: string;
  serverName: string;
  lb: string;
  /** Undefined when the backend runs without Redis, or the view was asked not to count. */
  count?: CountOutcome;
}

/** The count's line, the same in text and HTML. */
export function countLine(count: CountOutcome): string {
  switch (count.state) {
    case 'counted':
      return `Visits today: ${count.count} · unique visitors today: ${count.uniques}`;
    case 'pending':
      return 'Visits today: pending (no replica has confirmed this view yet)';
    case 'unavailable':
      return 'Visits today: unavailable (the counter did not answer in time)';
  }
}

export function pageText(p: PageContent): string {
  const lines = ['Hello, World!', `Server ${p.serverId}`];
  if (p.count) lines.push(countLine(p.count));
  return lines.join('\n');
}

export function pageHtml(p: PageContent): HtmlEscapedString | Promise<HtmlEscapedString> {
  const count = p.count ? html`<p id="count" data-state="${p.count.state}">${countLine(p.count)}</p>` : '';
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <title>Server ${p.serverId}</title>
        <link rel="icon" href="data:," />
        <style>
          body {
            font:
              18px system-ui,
              sans-serif;
            margin: 3em;
            color: #222;
          }
          h1 {
            margin: 0 0 0.3em;
          }
          .tag {
            display: inline-block;
            padding: 0.2em 0.6em;
            border-radius: 0.3em;
            background: #e8eef9;
            margin-right: 0.5em;
          }
        </style>
      </head>
      <body>
        <h1>Hello, World!</h1>
        <p id="server">Server ${p.serverId}</p>
        ${count}
        <p><span class="tag" id="backend">backend: ${p.serverName}</span><span class="tag" id="lb">load balancer: ${p.lb}</span></p>
        <p>Reload to see the next server in the round-robin.</p>
      </body>
    </html>`;
}
