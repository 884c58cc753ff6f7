// @ts-check
// The dashboard page's script, served as /dashboard.js (a module, so nothing here is global): it
// draws the node cards with their kill / restore buttons, then listens to /events and shows the
// VIP holder, the nodes' states, a request ticker, a live lane view of the last 60 s and the
// timeline. Every value goes in through textContent or an attribute, never as HTML. TypeScript
// checks it against the DOM library (tsconfig.json beside it); the data's shapes are ../wire.ts.

/** @import { EntryView, EventPayloads, PageConfig, PageNode, ProbeView, SnapshotView } from '../wire.js' */
import { describeDetail } from './describe.js';

/** @type {Record<string, string>} */
const COLORS = { backend1: 'var(--b1)', backend2: 'var(--b2)', lb1: 'var(--l1)', lb2: 'var(--l2)' };
/** @type {Record<string, string>} */
const STATE_COLORS = { MASTER: '#16a34a', UP: '#16a34a', BACKUP: '#3b82f6', FAULT: '#d97706', DRAIN: '#d97706', DOWN: '#dc2626' };
const SVGNS = 'http://www.w3.org/2000/svg';
const LANE_SPAN_MS = 60000;

/**
 * The element with this id (the page always has it).
 * @param {string} id
 * @returns {HTMLElement}
 */
function $(id) {
  const e = document.getElementById(id);
  if (!e) throw new Error(`the page has no #${id}`);
  return e;
}

/**
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Partial<HTMLElementTagNameMap[K]>} [props]
 * @param {(Node | string)[]} kids
 * @returns {HTMLElementTagNameMap[K]}
 */
function el(tag, props, ...kids) {
  const e = document.createElement(tag);
  Object.assign(e, props ?? {});
  e.append(...kids);
  return e;
}

/**
 * @param {string} name
 * @returns {string}
 */
function meta(name) {
  const m = document.querySelector(`meta[name="${name}"]`);
  if (!(m instanceof HTMLMetaElement)) throw new Error(`the page has no ${name}`);
  return m.content;
}

/** @type {PageConfig} */
const CFG = JSON.parse(meta('hakit-config'));
const TOKEN = meta('hakit-token');

/** @param {ProbeView} p */
const isOk = (p) => p.status !== undefined && p.status >= 200 && p.status < 400;

/** The status polls for the lane view. @type {{ atMs: number, states: Record<string, string> }[]} */
const polls = [];
/** @type {ProbeView[]} */
let probes = [];
/** @type {Record<string, { state: HTMLElement, prio: HTMLElement }>} */
const cards = {};

// ---- the node cards and their actions

/**
 * @param {string} node
 * @param {string} path
 */
async function act(node, path) {
  const buttons = document.querySelectorAll('.node button');
  const enable = (/** @type {boolean} */ on) => buttons.forEach((b) => b instanceof HTMLButtonElement && (b.disabled = !on));
  enable(false);
  $('msg').textContent = node + ': ' + path.replace('?mode=', ' ') + ' …';
  try {
    const res = await fetch('/api/nodes/' + encodeURIComponent(node) + '/' + path, {
      method: 'POST',
      headers: { [CFG.tokenHeader]: TOKEN },
    });
    /** @type {{ message?: string, error?: string }} */
    const body = await res.json().catch(() => ({}));
    $('msg').textContent = body.message || body.error || 'HTTP ' + res.status;
  } catch (e) {
    $('msg').textContent = 'request failed: ' + String(e);
  } finally {
    enable(true);
  }
}

/**
 * @param {PageNode} n
 * @param {string} action the button's data-action
 * @param {string} path what act() posts to
 * @param {Partial<HTMLButtonElement>} props
 */
function actionButton(n, action, path, props) {
  const b = el('button', props);
  b.dataset.node = n.name;
  b.dataset.action = action;
  b.onclick = () => void act(n.name, path);
  return b;
}

/** @param {PageNode} n */
function nodeCard(n) {
  const state = el('span', { className: 'state', textContent: '…' });
  const prio = el('span', { className: 'prio' });
  const buttons = el(
    'div',
    { className: 'row' },
    ...n.killModes.map((m) =>
      actionButton(n, 'kill-' + m, 'kill?mode=' + m, {
        className: 'kill',
        textContent: 'kill ' + m,
        title: 'hakit kill ' + n.name + ' --mode ' + m,
      }),
    ),
    actionButton(n, 'restore', 'restore', { className: 'restore', textContent: 'restore' }),
    ...(n.cut
      ? [
          actionButton(n, 'cut', 'cut', {
            className: 'kill',
            textContent: 'cut off',
            title: 'cut ' + n.name + ' off from the other data nodes and the backends (R5 on the primary)',
          }),
          actionButton(n, 'heal', 'heal', { className: 'restore', textContent: 'heal' }),
        ]
      : []),
  );
  cards[n.name] = { state, prio };
  return el(
    'section',
    { className: 'node', id: 'node-' + n.name },
    el('div', { className: 'name', textContent: n.name }),
    el('div', { className: 'addr', textContent: n.title + ' · ' + n.address }),
    el('div', { className: 'row' }, state, ' ', prio),
    buttons,
  );
}

/**
 * @param {string} css the swatch's style
 * @param {string} label
 */
function legendItem(css, label) {
  const sw = el('span', { className: 'sw' });
  sw.style.cssText = css;
  return el('span', {}, sw, label);
}

function drawCards() {
  $('nodes').append(...CFG.nodes.map(nodeCard));
  $('legend').append(
    ...['backend1', 'backend2'].map((b) => legendItem('background:' + COLORS[b], b)),
    ...['lb1', 'lb2'].map((l) => legendItem('border-bottom:4px solid ' + COLORS[l], 'via ' + l + ' (underline)')),
    legendItem('background:var(--bad)', 'failed'),
  );
}

// ---- what /events brings

/** @param {SnapshotView | null} s */
function showStatus(s) {
  if (!s) return;
  const holder = s.vipHolder || '';
  const vip = $('vip-holder');
  vip.textContent = s.error ? 'status unavailable' : holder || 'nobody';
  vip.dataset.holder = holder;
  vip.style.color = COLORS[holder] || '';
  /** @type {Record<string, string>} */
  const states = {};
  for (const n of s.nodes) {
    const c = cards[n.name];
    if (!c) continue;
    c.state.textContent = n.state;
    c.state.dataset.state = n.state;
    c.prio.textContent =
      n.priority !== undefined && n.priority !== null ? 'priority ' + n.priority : n.detail ? describeDetail(n.detail) : '';
    states[n.name] = n.state;
  }
  polls.push({ atMs: s.atMs, states });
  while (polls.length > 2 && (polls[1]?.atMs ?? Infinity) < Date.now() - LANE_SPAN_MS - 5000) polls.shift();
}

/** @param {ProbeView} r */
function probeTitle(r) {
  const what = isOk(r) ? r.lb + ' → ' + r.backend + ' ' + Math.round(r.latencyMs) + ' ms' : r.error || 'HTTP ' + r.status;
  return new Date(r.atMs).toLocaleTimeString() + ' ' + what;
}

/** @param {ProbeView} r */
function showProbe(r) {
  probes.push(r);
  if (probes.length > 300) probes = probes.slice(-300);
  const ok = isOk(r);
  const i = el('i', { title: probeTitle(r) });
  i.style.background = ok ? COLORS[r.backend ?? ''] || '#94a3b8' : 'var(--bad)';
  if (ok) i.style.borderBottomColor = COLORS[r.lb ?? ''] || 'transparent';
  i.dataset.backend = r.backend || '';
  i.dataset.lb = r.lb || '';
  i.dataset.ok = String(ok);
  const ticker = $('ticker');
  ticker.append(i);
  while (ticker.children.length > 120) ticker.firstElementChild?.remove();
  showCounts(probes.slice(-100));
}

/** @param {ProbeView[]} last */
function showCounts(last) {
  const count = (/** @type {(p: ProbeView) => boolean} */ f) => last.filter(f).length;
  const okN = count(isOk);
  const tally = (/** @type {string} */ key, /** @type {'backend' | 'lb'} */ field) => count((p) => p[field] === key);
  $('counts').textContent =
    `last ${last.length}: ${okN} ok, ${last.length - okN} failed` +
    ` · backend1 ${tally('backend1', 'backend')}, backend2 ${tally('backend2', 'backend')}` +
    ` · via lb1 ${tally('lb1', 'lb')}, via lb2 ${tally('lb2', 'lb')}`;
}

/** @param {EntryView} e */
function showEntry(e) {
  if (e.kind === 'marker') return; // for the chart only
  const li = el('li', { className: 'k-' + e.kind }, el('time', { textContent: new Date(e.atMs).toISOString().slice(11, 23) }), e.text);
  const list = $('timeline');
  // Newest first; entries may arrive slightly out of order (keepalived's log has its own clock).
  const after = [...list.children].find((c) => Number(c.getAttribute('data-at')) < e.atMs);
  li.dataset.at = String(e.atMs);
  list.insertBefore(li, after || null);
  while (list.children.length > 150) list.lastElementChild?.remove();
}

// ---- the lane view of the last 60 s

/**
 * @param {string} tag
 * @param {Record<string, string | number>} attrs
 * @param {string} [text]
 */
function svg(tag, attrs, text) {
  const e = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

function drawLanes() {
  const root = $('lanes');
  const W = root.clientWidth || 800;
  const H = 150;
  const left = 70;
  const now = Date.now();
  const x = (/** @type {number} */ t) => left + ((t - (now - LANE_SPAN_MS)) / LANE_SPAN_MS) * (W - left - 10);
  const names = CFG.nodes.map((n) => n.name).concat('requests');
  const lh = (H - 20) / names.length;
  /** @type {Element[]} */
  const parts = [];
  names.forEach((name, k) => {
    const y = 4 + k * lh;
    parts.push(svg('text', { x: 4, y: y + lh * 0.65, 'font-size': 12, fill: '#475569' }, name));
    parts.push(svg('rect', { x: left, y, width: W - left - 10, height: lh - 4, fill: '#f1f5f9' }));
    if (name === 'requests') {
      for (const p of probes) {
        if (p.atMs < now - LANE_SPAN_MS) continue;
        const ok = isOk(p);
        const fill = ok ? (p.backend === 'backend2' ? '#e8892b' : '#2f6fde') : '#dc2626';
        parts.push(svg('rect', { x: x(p.atMs), y: ok ? y + 3 : y, width: 2, height: ok ? lh - 10 : lh - 4, fill }));
      }
      return;
    }
    polls.forEach((h, i) => {
      const s = h.states[name];
      if (!s) return;
      const next = polls[i + 1];
      const x0 = Math.max(left, x(h.atMs));
      const x1 = next ? x(next.atMs) : x(now);
      if (x1 <= left) return;
      parts.push(svg('rect', { x: x0, y, width: Math.max(1, x1 - x0), height: lh - 4, fill: STATE_COLORS[s] || '#94a3b8' }));
    });
  });
  for (let s = 0; s <= 60; s += 10) {
    const label = s === 60 ? 'now' : '-' + (60 - s) + ' s';
    parts.push(
      svg('text', { x: x(now - LANE_SPAN_MS + s * 1000), y: H - 3, 'font-size': 10, fill: '#94a3b8', 'text-anchor': 'middle' }, label),
    );
  }
  root.replaceChildren(...parts);
}

function offerChart() {
  $('chart-btn').onclick = () => {
    $('chart-out').replaceChildren(el('img', { src: '/chart.svg?at=' + Date.now(), alt: 'failover chart' }));
  };
}

// ---- wiring

/** @param {boolean} on */
function showLive(on) {
  $('live').className = on ? 'on' : 'off';
  $('live').textContent = on ? 'live' : 'reconnecting';
}

function listen() {
  const es = new EventSource('/events');
  /**
   * @template {keyof EventPayloads} K
   * @param {K} name
   * @param {(data: EventPayloads[K]) => void} show
   */
  const on = (name, show) => es.addEventListener(name, (m) => show(JSON.parse(m.data)));
  on('hello', (d) => {
    $('timeline').replaceChildren();
    $('ticker').replaceChildren();
    probes = [];
    d.timeline.forEach(showEntry);
    d.probes.slice(-120).forEach(showProbe);
    showStatus(d.snapshot);
    showLive(true);
  });
  on('status', showStatus);
  on('probe', showProbe);
  on('timeline', showEntry);
  on('ticker', (t) => {
    if (!t.running && t.reason && t.reason !== 'no viewer') $('msg').textContent = 'ticker ' + t.reason;
  });
  es.onerror = () => showLive(false);
}

drawCards();
setInterval(drawLanes, 500);
if (CFG.chart) offerChart();
listen();
