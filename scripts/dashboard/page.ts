// The dashboard page: one HTML document with its CSS inline, its configuration and token in
// <meta> elements, and its script (browser/dashboard.js, checked by TypeScript against the DOM
// library) served beside it as /dashboard.js. Every value goes in through markup(), which escapes it.
import { cuttable } from '../faults/catalogue.js';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExitCode, HakitError } from '../errors.js';
import { markup, type Markup } from '../html.js';
import { packageRoot } from '../paths.js';
import { groupOf } from '../groups/index.js';
import type { NodeSpec, Topology } from '../stack/topology.js';
import { tokenHeader } from './guard.js';
import type { PageConfig } from './wire.js';

export interface PageOptions {
  token: string;
  topology: Topology;
  runtime: string;
  /** Offer the demo's failover chart (/chart.svg). */
  chart: boolean;
}

/** Where the page loads its script from. */
export const scriptPath = '/dashboard.js';

// Not compiled: the same files run from the sources (tests) and from the built package (dist/).
// dashboard.js imports describe.js (shared with `hakit status`) from beside itself.
const browserDir = join(packageRoot, 'scripts', 'dashboard', 'browser');
const browserModules = ['dashboard.js', 'describe.js'] as const;
let scripts: Map<string, string> | undefined;

/** The page's script modules by the path they are served at (/dashboard.js, /describe.js), read once. */
export function dashboardScripts(): Map<string, string> {
  if (scripts) return scripts;
  const read = new Map<string, string>();
  for (const name of browserModules) {
    const file = join(browserDir, name);
    try {
      read.set(`/${name}`, readFileSync(file, 'utf8'));
    } catch (err) {
      throw new HakitError(
        `cannot read the dashboard's script ${file}: ${(err as Error).message}`,
        ExitCode.preflight,
        'the package is incomplete: reinstall hakit (scripts/dashboard/browser/ ships with it)',
      );
    }
  }
  return (scripts = read);
}

/** The page's own script (the module the page loads). */
export const dashboardScript = (): string => dashboardScripts().get(scriptPath)!;

/** Hard and graceful for every node, plus the parts its group lets die alone (an LB's HAProxy). */
const killModesFor = (node: NodeSpec): readonly string[] => ['hard', 'graceful', ...(groupOf(node).parts ?? [])];

export function pageConfig(opts: PageOptions): PageConfig {
  const t = opts.topology;
  return {
    tokenHeader,
    vip: t.vip,
    chart: opts.chart,
    nodes: t.nodes.map((n) => ({
      name: n.name,
      role: n.role,
      title: groupOf(n).title,
      address: n.address,
      killModes: killModesFor(n),
      cut: cuttable(n.role),
    })),
  };
}

const styles = markup`<style>
:root{--b1:#2f6fde;--b2:#e8892b;--l1:#0f766e;--l2:#9333ea;--bad:#dc2626;--ok:#16a34a;--warn:#d97706;--mute:#64748b}
*{box-sizing:border-box}body{font:14px system-ui,sans-serif;margin:0;color:#1e293b;background:#f1f5f9}
header{display:flex;gap:1.2em;align-items:baseline;padding:.7em 1.2em;background:#0f172a;color:#e2e8f0}
header h1{font-size:1.15em;margin:0}header a{color:#93c5fd}#live{margin-left:auto}#live.on::before{content:"● ";color:#4ade80}
#live.off::before{content:"● ";color:#f87171}main{padding:1em 1.2em;display:grid;gap:1em;grid-template-columns:repeat(4,1fr)}
section{background:#fff;border-radius:8px;padding:.8em 1em;box-shadow:0 1px 2px #0001}h2{font-size:.85em;text-transform:uppercase;letter-spacing:.05em;color:var(--mute);margin:0 0 .5em}
.wide{grid-column:1/-1}#vip{display:flex;align-items:center;gap:1.5em}#vip-holder{font-size:2.2em;font-weight:700}
#vip-holder[data-holder=""]{color:var(--bad)}.node .name{font-size:1.3em;font-weight:600}.node .addr{color:var(--mute)}
.state{display:inline-block;padding:.15em .55em;border-radius:4px;font-weight:600;color:#fff;background:var(--mute)}
.state[data-state=MASTER],.state[data-state=UP]{background:var(--ok)}.state[data-state=BACKUP]{background:#3b82f6}
.state[data-state=FAULT],.state[data-state=DRAIN]{background:var(--warn)}.state[data-state=DOWN]{background:var(--bad)}
.node .row{margin:.35em 0}.node button{font:inherit;font-size:.85em;margin:.15em .2em 0 0;padding:.25em .6em;border:1px solid #cbd5e1;border-radius:4px;background:#f8fafc;cursor:pointer}
.node button.kill:hover{background:#fee2e2}.node button.restore:hover{background:#dcfce7}button:disabled{opacity:.5;cursor:wait}
#ticker{display:flex;flex-wrap:wrap;gap:2px;min-height:22px}#ticker i{width:9px;height:18px;border-bottom:4px solid transparent;border-radius:2px}
.legend span{margin-right:1em}.sw{display:inline-block;width:.9em;height:.9em;border-radius:2px;vertical-align:-.1em;margin-right:.3em}
#counts{color:var(--mute);margin-top:.4em}#lanes{width:100%;height:150px}#timeline{list-style:none;margin:0;padding:0;max-height:260px;overflow:auto;font-family:ui-monospace,monospace;font-size:12.5px}
#timeline li{padding:.15em 0;border-bottom:1px solid #f1f5f9}#timeline time{color:var(--mute);margin-right:.8em}#timeline .k-vip{font-weight:700}
#timeline .k-action{color:#7c3aed}#timeline .k-requests{color:var(--bad)}#timeline .k-state{color:#0f172a}#msg{color:#7c3aed;min-height:1.2em}#chart img{max-width:100%}
</style>`;

function head(opts: PageOptions): Markup {
  return markup`<head><meta charset="utf-8">
<meta name="hakit-token" content="${opts.token}">
<meta name="hakit-config" content="${JSON.stringify(pageConfig(opts))}">
<title>hakit dashboard</title><link rel="icon" href="data:,">
${styles}</head>`;
}

function header(opts: PageOptions): Markup {
  const { vip, ports } = opts.topology;
  return markup`<header><h1>hakit dashboard</h1><span>runtime ${opts.runtime}</span><span>VIP <a href="http://${vip}/" target="_blank" rel="noopener">${vip}</a></span>
<a href="http://${vip}:${ports.stats}/stats" target="_blank" rel="noopener">HAProxy stats</a><span id="live" class="off">connecting</span></header>`;
}

/** The sections the script fills in; the node cards go into #nodes. */
function sections(opts: PageOptions): Markup {
  const chart = markup`<section class="wide" id="chart"><h2>Failover chart</h2><button id="chart-btn">Draw the failover chart of the last requests</button><div id="chart-out"></div></section>`;
  return markup`<main>
<section class="wide" id="vip"><div><h2>VIP ${opts.topology.vip} held by</h2><div id="vip-holder" data-holder="">…</div></div><div id="msg"></div></section>
<div id="nodes" style="display:contents"></div>
<section class="wide"><h2>Requests through the VIP (5/s while this page is open)</h2><div id="ticker"></div>
<div class="legend" id="legend"></div><div id="counts"></div></section>
<section class="wide"><h2>Last 60 s</h2><svg id="lanes" role="img" aria-label="node states and requests over the last 60 seconds"></svg></section>
${opts.chart ? chart : ''}
<section class="wide"><h2>Timeline</h2><ol id="timeline"></ol></section>
</main>`;
}

/** The page, and the nonce its Content-Security-Policy must allow for the script. */
export function dashboardPage(opts: PageOptions): { html: string; nonce: string } {
  const nonce = randomBytes(16).toString('base64');
  const html = markup`<!doctype html>
<html lang="en">${head(opts)}
<body>
${header(opts)}
${sections(opts)}
<script type="module" src="${scriptPath}" nonce="${nonce}"></script></body></html>`;
  return { html: String(html), nonce };
}
