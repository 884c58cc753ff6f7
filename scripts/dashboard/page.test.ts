import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FakeRuntime } from '../testing/fake-runtime.js';
import { dashboardPage, dashboardScript, dashboardScripts, pageConfig, type PageOptions } from './page.js';
import type { PageConfig } from './wire.js';

const options = (over: Partial<PageOptions> = {}): PageOptions => ({
  token: 'f'.repeat(48),
  topology: new FakeRuntime().topology,
  runtime: 'netns',
  chart: true,
  ...over,
});

const entities: Record<string, string> = { '&quot;': '"', '&#39;': "'", '&lt;': '<', '&gt;': '>', '&amp;': '&' };
const unescape = (s: string) => s.replace(/&(quot|#39|lt|gt|amp);/g, (e) => entities[e]!);

/** The configuration the page hands its script, read back as the browser would. */
function configIn(html: string): PageConfig {
  const content = /<meta name="hakit-config" content="([^"]*)">/.exec(html)?.[1];
  expect(content).toBeDefined();
  return JSON.parse(unescape(content!)) as PageConfig;
}

describe('dashboard page', () => {
  it('hands its script the configuration: the token header, the VIP and each node with the kill modes that apply', () => {
    const opts = options();
    const config = configIn(dashboardPage(opts).html);
    expect(config).toEqual(pageConfig(opts));
    expect(config).toMatchObject({ tokenHeader: 'x-hakit-token', vip: opts.topology.vip, chart: true });
    expect(Object.fromEntries(config.nodes.map((n) => [n.name, [n.role, n.killModes]]))).toEqual({
      lb1: ['lb', ['hard', 'graceful', 'haproxy']],
      lb2: ['lb', ['hard', 'graceful', 'haproxy']],
      backend1: ['backend', ['hard', 'graceful']],
      backend2: ['backend', ['hard', 'graceful']],
    });
  });

  it('escapes what it interpolates, in text and in attributes', () => {
    const { html } = dashboardPage(options({ runtime: '<img src=x onerror=alert(1)>', token: 'a"b' }));
    expect(html).toContain('<span>runtime &lt;img src=x onerror=alert(1)&gt;</span>');
    expect(html).toContain('<meta name="hakit-token" content="a&quot;b">');
    expect(html).not.toContain('<img');
  });

  it('gives the script a fresh nonce each time, and offers the chart only when asked', () => {
    const a = dashboardPage(options());
    const b = dashboardPage(options({ chart: false }));
    expect(a.nonce).not.toBe(b.nonce);
    expect(a.html).toContain(`<script type="module" src="/dashboard.js" nonce="${a.nonce}"></script>`);
    expect(a.html).toContain('id="chart-btn"');
    expect(b.html).not.toContain('id="chart"');
    expect(configIn(b.html).chart).toBe(false);
  });

  it('has every element its script looks up by id', () => {
    const { html } = dashboardPage(options());
    const script = dashboardScript();
    const ids = [...script.matchAll(/\$\('([\w-]+)'\)/g)].map((m) => m[1]);
    expect(ids.length).toBeGreaterThan(8);
    for (const id of new Set(ids)) expect(html, `#${id}`).toContain(`id="${id}"`);
  });

  it('serves the script files as they are in the package: the page script and the module it imports', () => {
    expect(dashboardScript()).toBe(readFileSync(new URL('./browser/dashboard.js', import.meta.url), 'utf8'));
    expect(dashboardScripts().get('/describe.js')).toBe(readFileSync(new URL('./browser/describe.js', import.meta.url), 'utf8'));
    // Every module the page script imports from beside itself is served.
    const imported = [...dashboardScript().matchAll(/^import .* from '\.\/([\w-]+\.js)';$/gm)].map((m) => `/${m[1]}`);
    expect(imported).toContain('/describe.js');
    for (const path of imported) expect(dashboardScripts().has(path), path).toBe(true);
  });
});
