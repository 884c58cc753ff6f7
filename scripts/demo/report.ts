// The demo's outputs besides the live view: the summary table, the --json document and the HTML
// report (one SVG timeline per scenario, no external assets).
import Table from 'cli-table3';
import type { DemoResult, ScenarioResult } from './run.js';
import { renderTimelineSvg } from '../observe/timeline-svg.js';
import { formatFloor, type ProbeFloor } from '../observe/floor.js';
import { joinMarkup, markup, raw, type Markup } from '../html.js';

const ms = (v: number | null) => (v === null ? '–' : `${v}`);
const vip = (r: ScenarioResult) => `${r.vipBefore ?? 'none'} → ${r.vipAfter ?? 'none'}`;
const verdict = (r: ScenarioResult) =>
  r.skipped
    ? 'skipped'
    : r.ok
      ? 'ok'
      : `FAIL: ${[...r.checks.filter((c) => !c.ok).map((c) => c.expect), ...(r.note ? [r.note] : [])].join('; ')}`;

export function summaryRows(d: DemoResult): string[][] {
  return d.scenarios.map((r) => [
    r.id,
    r.name,
    String(r.requests),
    r.failedNew !== r.failed ? `${r.failed} (${r.failedNew} new)` : String(r.failed),
    String(r.blackoutMs),
    ms(r.target ? r.recoveryMs : null),
    vip(r),
    r.splitBrainMs ? String(r.splitBrainMs) : '–',
    verdict(r),
  ]);
}

export const summaryHead = ['id', 'scenario', 'requests', 'failed', 'blackout ms', 'recovery ms', 'VIP', 'split brain ms', 'result'];

export function formatSummary(d: DemoResult, colour = false): string {
  const table = new Table({ head: summaryHead, style: colour ? {} : { head: [], border: [] } });
  for (const row of summaryRows(d)) table.push(row);
  return d.floor ? `${table.toString()}\n${floorNote(d.floor)}` : table.toString();
}

/** What every blackout in the table sits on, measured before the first scenario. */
const floorNote = (f: ProbeFloor) => `${formatFloor(f)} (before the first scenario).`;

/** The --json document: the issue's shape (runtime, scenarios[id, name, requests, failed, blackoutMs, vipBefore, vipAfter]) plus more. */
export function toJson(d: DemoResult, reportPath?: string): unknown {
  return {
    runtime: d.runtime,
    ok: d.ok,
    durationMs: d.durationMs,
    floorMs: d.floorMs,
    floor: d.floor,
    ...(reportPath ? { report: reportPath } : {}),
    scenarios: d.scenarios.map(({ timeline: _timeline, blackout: _b, splitBrain: _s, ...r }) => r),
  };
}

const pct = (shares: Record<string, number>) =>
  Object.entries(shares)
    .map(([k, v]) => `${k} ${Math.round(v * 100)} %`)
    .join(', ') || '–';

function section(r: ScenarioResult): Markup {
  const facts: Array<[string, string]> = [
    [
      'requests / failed',
      `${r.requests} / ${r.failed}${
        Object.keys(r.failures).length
          ? ` (${Object.entries(r.failures)
              .map(([k, v]) => `${v}× ${k}`)
              .join(', ')})`
          : ''
      }`,
    ],
    ['blackout', `${r.blackoutMs} ms`],
    ['first success on the new path', r.target && r.recoveryMs !== null ? `${r.recoveryMs} ms after the fault` : '–'],
    ['VIP before → after', vip(r)],
    ['split brain', r.splitBrainMs ? `${r.splitBrainMs} ms` : '–'],
    ['LBs holding the VIP at the end', String(r.mastersAfter)],
    ['backend shares before / after', `${pct(r.sharesBefore)} / ${pct(r.sharesAfter)}`],
    ['slowest request', `${r.maxLatencyMs} ms`],
    ['HAProxy retries / redispatches', `${r.retries} / ${r.redispatches}`],
  ];
  if (r.firstErrorPageMs !== null) facts.push(['first 503 page', `${r.firstErrorPageMs} ms after the fault`]);
  if (r.restoreToSuccessMs !== null) facts.push(['serving again', `${r.restoreToSuccessMs} ms after the restore`]);
  if (r.vrrpTransitions.length) facts.push(['VRRP transitions', r.vrrpTransitions.map((t) => `${t.lb} ${t.state}`).join(', ')]);
  const checks = r.checks.map((c) => markup`<li class="${c.ok ? 'ok' : 'bad'}">${c.ok ? '✓' : '✗'} ${c.expect}</li>`);
  return markup`<section id="${r.id}-${r.run}">
<h2><span class="id">${r.id}</span> ${r.name} <small>${r.title}</small></h2>
${r.skipped ? markup`<p class="skip">skipped: ${r.skipped}</p>` : ''}${r.note ? markup`<p class="bad">${r.note}</p>` : ''}
<div class="row"><table class="facts">${facts.map(([k, v]) => markup`<tr><th>${k}</th><td>${v}</td></tr>`)}</table>
<ul class="checks">${checks}</ul></div>
${r.timeline ? markup`<figure>${raw(renderTimelineSvg(r.timeline))}</figure>` : ''}
</section>`;
}

export function renderReport(d: DemoResult, generatedAt = new Date()): string {
  const rows = summaryRows(d).map(
    (row, i) =>
      markup`<tr class="${d.scenarios[i]!.ok ? '' : 'bad'}">${row.map((c, k) => markup`<td>${k === 0 ? markup`<a href="#${c}-${d.scenarios[i]!.run}">${c}</a>` : c}</td>`)}</tr>`,
  );
  return markup`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>hakit failover report</title>
<style>
body { font: 14px system-ui, sans-serif; margin: 2em auto; max-width: 1000px; color: #222; }
h1 { margin-bottom: 0.2em; } h2 { margin: 1.6em 0 0.4em; font-size: 1.15em; } h2 small { font-weight: normal; color: #666; }
.id { background: #333; color: #fff; border-radius: 3px; padding: 0 0.35em; }
table { border-collapse: collapse; } td, th { padding: 2px 8px; text-align: left; vertical-align: top; }
table.summary td, table.summary th { border-bottom: 1px solid #ddd; } table.summary td:nth-child(n+3):nth-child(-n+5) { text-align: right; }
table.facts th { font-weight: normal; color: #666; white-space: nowrap; }
.row { display: flex; gap: 2em; } ul.checks { list-style: none; padding: 0; margin: 0; }
.ok { color: #2e7d32; } .bad, tr.bad td { color: #c62828; } .skip { color: #777; }
figure { margin: 0.6em 0; } .legend span { display: inline-block; margin-right: 1.2em; }
.sw { display: inline-block; width: 12px; height: 12px; vertical-align: -2px; margin-right: 4px; }
</style></head><body>
<h1>hakit failover report</h1>
<p>Runtime <b>${d.runtime}</b> · ${d.scenarios.length} scenarios in ${(d.durationMs / 1000).toFixed(1)} s · ${generatedAt.toISOString()} ·
<b class="${d.ok ? 'ok' : 'bad'}">${d.ok ? 'every expectation met' : 'some expectations not met'}</b></p>
<p>The probe sends a request through the VIP every 10 ms, each on a new connection. Blackout = the longest time without a successful answer (by completion time).${
    d.floor ? ` ${floorNote(d.floor)}` : ''
  }</p>
<table class="summary"><thead><tr>${summaryHead.map((h) => markup`<th>${h}</th>`)}</tr></thead><tbody>
${joinMarkup(rows)}
</tbody></table>
<p class="legend">Timelines (0 s = the fault):
<span><i class="sw" style="background:#2e8b57"></i>answered (bar = start to end)</span>
<span><i class="sw" style="background:#d62728"></i>failed</span>
<span><i class="sw" style="background:#cfe3f7"></i>holds the VIP</span>
<span><i class="sw" style="background:#ffd27f"></i>both hold the VIP (split brain)</span>
<span><i class="sw" style="background:#e3e3e3"></i>backend out of rotation</span>
<span><i class="sw" style="background:rgba(214,39,40,0.25)"></i>blackout</span>
<span>▼ keepalived transition</span></p>
${joinMarkup(d.scenarios.map(section))}
</body></html>
`.toString();
}
