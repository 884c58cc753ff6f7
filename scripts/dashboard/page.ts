// The dashboard page: one inline HTML document with its CSS and script (no bundler). The script
// listens to /events and draws the VIP holder, the nodes, a request ticker, a live lane view of
// the last 60 s and the timeline; every value goes in through textContent, never as HTML.
import { randomBytes } from 'node:crypto';
import type { Topology } from '../stack/topology.js';
import { tokenHeader } from './guard.js';

export interface PageOptions {
  token: string;
  topology: Topology;
  runtime: string;
  /** Offer the demo's failover chart (/chart.svg). */
  chart: boolean;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

export function dashboardPage(opts: PageOptions): { html: string; nonce: string } {
  const nonce = randomBytes(16).toString('base64');
  const t = opts.topology;
  const nodes = t.nodes.map((n) => ({ name: n.name, role: n.role, address: n.address }));
  const config = { tokenHeader, nodes, vip: t.vip, chart: opts.chart };
  // JSON inside <script>: "<" is escaped so no value can close the script element.
  const configJson = JSON.stringify(config).replace(/</g, '\\u003c');
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="hakit-token" content="${esc(opts.token)}">
<title>hakit dashboard</title><link rel="icon" href="data:,">
<style>
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
</style></head>
<body>
<header><h1>hakit dashboard</h1><span>runtime ${esc(opts.runtime)}</span><span>VIP <a href="http://${esc(t.vip)}/" target="_blank" rel="noopener">${esc(t.vip)}</a></span>
<a href="http://${esc(t.vip)}:${t.ports.stats}/stats" target="_blank" rel="noopener">HAProxy stats</a><span id="live" class="off">connecting</span></header>
<main>
<section class="wide" id="vip"><div><h2>VIP ${esc(t.vip)} held by</h2><div id="vip-holder" data-holder="">…</div></div><div id="msg"></div></section>
<div id="nodes" style="display:contents"></div>
<section class="wide"><h2>Requests through the VIP (5/s while this page is open)</h2><div id="ticker"></div>
<div class="legend" id="legend"></div><div id="counts"></div></section>
<section class="wide"><h2>Last 60 s</h2><svg id="lanes" role="img" aria-label="node states and requests over the last 60 seconds"></svg></section>
${opts.chart ? '<section class="wide" id="chart"><h2>Failover chart</h2><button id="chart-btn">Draw the failover chart of the last requests</button><div id="chart-out"></div></section>' : ''}
<section class="wide"><h2>Timeline</h2><ol id="timeline"></ol></section>
</main>
<script nonce="${nonce}">
"use strict";
const CFG = ${configJson};
const TOKEN = document.querySelector('meta[name="hakit-token"]').content;
const COLORS = { backend1: 'var(--b1)', backend2: 'var(--b2)', lb1: 'var(--l1)', lb2: 'var(--l2)' };
const STATE_COLORS = { MASTER: '#16a34a', UP: '#16a34a', BACKUP: '#3b82f6', FAULT: '#d97706', DRAIN: '#d97706', DOWN: '#dc2626' };
const $ = (id) => document.getElementById(id);
const el = (tag, props, ...kids) => { const e = document.createElement(tag); Object.assign(e, props || {}); e.append(...kids); return e; };
const history = []; // { atMs, states: { node: state } }
let probes = [];
const cards = {};

for (const n of CFG.nodes) {
  const state = el('span', { className: 'state', textContent: '…' });
  const prio = el('span', { className: 'prio' });
  const buttons = el('div', { className: 'row' });
  const modes = n.role === 'lb' ? ['hard', 'graceful', 'haproxy'] : ['hard', 'graceful'];
  for (const m of modes) {
    const b = el('button', { className: 'kill', textContent: 'kill ' + m, title: 'hakit kill ' + n.name + ' --mode ' + m });
    b.dataset.node = n.name; b.dataset.action = 'kill-' + m;
    b.onclick = () => act(n.name, 'kill?mode=' + m);
    buttons.append(b);
  }
  const r = el('button', { className: 'restore', textContent: 'restore' });
  r.dataset.node = n.name; r.dataset.action = 'restore';
  r.onclick = () => act(n.name, 'restore');
  buttons.append(r);
  const card = el('section', { className: 'node', id: 'node-' + n.name },
    el('div', { className: 'name', textContent: n.name }),
    el('div', { className: 'addr', textContent: (n.role === 'lb' ? 'load balancer · ' : 'backend · ') + n.address }),
    el('div', { className: 'row' }, state, ' ', prio), buttons);
  $('nodes').append(card);
  cards[n.name] = { state, prio };
}
$('legend').append(
  ...['backend1', 'backend2'].map((b) => el('span', {}, el('span', { className: 'sw', style: 'background:' + COLORS[b] }), b)),
  ...['lb1', 'lb2'].map((l) => el('span', {}, el('span', { className: 'sw', style: 'border-bottom:4px solid ' + COLORS[l] }), 'via ' + l + ' (underline)')),
  el('span', {}, el('span', { className: 'sw', style: 'background:var(--bad)' }), 'failed'));

async function act(node, path) {
  const buttons = document.querySelectorAll('.node button');
  buttons.forEach((b) => (b.disabled = true));
  $('msg').textContent = node + ': ' + path.replace('?mode=', ' ') + ' …';
  try {
    const res = await fetch('/api/nodes/' + encodeURIComponent(node) + '/' + path, { method: 'POST', headers: { [CFG.tokenHeader]: TOKEN } });
    const body = await res.json().catch(() => ({}));
    $('msg').textContent = body.message || body.error || ('HTTP ' + res.status);
  } catch (e) {
    $('msg').textContent = 'request failed: ' + e;
  } finally {
    buttons.forEach((b) => (b.disabled = false));
  }
}

function showStatus(s) {
  if (!s) return;
  const holder = s.vipHolder || '';
  $('vip-holder').textContent = s.error ? 'status unavailable' : holder || 'nobody';
  $('vip-holder').dataset.holder = holder;
  $('vip-holder').style.color = COLORS[holder] || '';
  const states = {};
  for (const n of s.nodes) {
    const c = cards[n.name];
    if (!c) continue;
    c.state.textContent = n.state;
    c.state.dataset.state = n.state;
    c.prio.textContent = n.priority !== undefined && n.priority !== null ? 'priority ' + n.priority : '';
    states[n.name] = n.state;
  }
  history.push({ atMs: s.atMs, states });
  while (history.length > 2 && history[1].atMs < Date.now() - 65000) history.shift();
}

function showProbe(r) {
  probes.push(r);
  if (probes.length > 300) probes = probes.slice(-300);
  const ok = r.status !== undefined && r.status >= 200 && r.status < 400;
  const i = el('i', { title: new Date(r.atMs).toLocaleTimeString() + ' ' + (ok ? (r.lb + ' → ' + r.backend + ' ' + Math.round(r.latencyMs) + ' ms') : (r.error || 'HTTP ' + r.status)) });
  i.style.background = ok ? (COLORS[r.backend] || '#94a3b8') : 'var(--bad)';
  if (ok) i.style.borderBottomColor = COLORS[r.lb] || 'transparent';
  i.dataset.backend = r.backend || ''; i.dataset.lb = r.lb || ''; i.dataset.ok = String(ok);
  $('ticker').append(i);
  while ($('ticker').children.length > 120) $('ticker').firstChild.remove();
  const last = probes.slice(-100);
  const count = (f) => last.filter(f).length;
  const okN = count((p) => p.status >= 200 && p.status < 400);
  $('counts').textContent = 'last ' + last.length + ': ' + okN + ' ok, ' + (last.length - okN) + ' failed · backend1 ' + count((p) => p.backend === 'backend1') +
    ', backend2 ' + count((p) => p.backend === 'backend2') + ' · via lb1 ' + count((p) => p.lb === 'lb1') + ', via lb2 ' + count((p) => p.lb === 'lb2');
}

function showEntry(e) {
  if (e.kind === 'marker') return; // for the chart only
  const li = el('li', { className: 'k-' + e.kind }, el('time', { textContent: new Date(e.atMs).toISOString().slice(11, 23) }), e.text);
  const list = $('timeline');
  // Newest first; entries may arrive slightly out of order (keepalived's log has its own clock).
  const after = [...list.children].find((c) => Number(c.dataset.at) < e.atMs);
  li.dataset.at = String(e.atMs);
  list.insertBefore(li, after || null);
  while (list.children.length > 150) list.lastChild.remove();
}

const SVGNS = 'http://www.w3.org/2000/svg';
function svg(tag, attrs) { const e = document.createElementNS(SVGNS, tag); for (const k in attrs) e.setAttribute(k, attrs[k]); return e; }
function drawLanes() {
  const root = $('lanes');
  const W = root.clientWidth || 800, H = 150, left = 70, span = 60000, now = Date.now();
  const x = (t) => left + ((t - (now - span)) / span) * (W - left - 10);
  const names = CFG.nodes.map((n) => n.name).concat('requests');
  const lh = (H - 20) / names.length;
  const parts = [];
  names.forEach((name, k) => {
    const y = 4 + k * lh;
    const label = svg('text', { x: 4, y: y + lh * 0.65, 'font-size': 12, fill: '#475569' }); label.textContent = name; parts.push(label);
    parts.push(svg('rect', { x: left, y, width: W - left - 10, height: lh - 4, fill: '#f1f5f9' }));
    if (name === 'requests') {
      for (const p of probes) {
        if (p.atMs < now - span) continue;
        const ok = p.status >= 200 && p.status < 400;
        parts.push(svg('rect', { x: x(p.atMs), y: ok ? y + 3 : y, width: 2, height: ok ? lh - 10 : lh - 4, fill: ok ? (p.backend === 'backend2' ? '#e8892b' : '#2f6fde') : '#dc2626' }));
      }
      return;
    }
    for (let i = 0; i < history.length; i++) {
      const h = history[i], next = history[i + 1];
      const s = h.states[name];
      if (!s) continue;
      const x0 = Math.max(left, x(h.atMs)), x1 = next ? x(next.atMs) : x(now);
      if (x1 <= left) continue;
      parts.push(svg('rect', { x: x0, y, width: Math.max(1, x1 - x0), height: lh - 4, fill: STATE_COLORS[s] || '#94a3b8' }));
    }
  });
  for (let s = 0; s <= 60; s += 10) {
    const t = svg('text', { x: x(now - span + s * 1000), y: H - 3, 'font-size': 10, fill: '#94a3b8', 'text-anchor': 'middle' });
    t.textContent = s === 60 ? 'now' : '-' + (60 - s) + ' s'; parts.push(t);
  }
  root.replaceChildren(...parts);
}
setInterval(drawLanes, 500);

if (CFG.chart) {
  $('chart-btn').onclick = () => {
    $('chart-out').replaceChildren(el('img', { src: '/chart.svg?at=' + Date.now(), alt: 'failover chart' }));
  };
}

const es = new EventSource('/events');
es.addEventListener('hello', (m) => {
  const d = JSON.parse(m.data);
  $('timeline').replaceChildren(); $('ticker').replaceChildren(); probes = [];
  d.timeline.forEach(showEntry);
  d.probes.slice(-120).forEach(showProbe);
  showStatus(d.snapshot);
  $('live').className = 'on'; $('live').textContent = 'live';
});
es.addEventListener('status', (m) => showStatus(JSON.parse(m.data)));
es.addEventListener('probe', (m) => showProbe(JSON.parse(m.data)));
es.addEventListener('timeline', (m) => showEntry(JSON.parse(m.data)));
es.addEventListener('ticker', (m) => {
  const t = JSON.parse(m.data);
  if (!t.running && t.reason && t.reason !== 'no viewer') $('msg').textContent = 'ticker ' + t.reason;
});
es.onerror = () => { $('live').className = 'off'; $('live').textContent = 'reconnecting'; };
</script></body></html>`;
  return { html, nonce };
}
