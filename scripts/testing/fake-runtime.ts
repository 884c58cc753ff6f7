// An in-memory Runtime for unit tests (the dashboard, the actions, the fault catalogue, the
// runtime contract): nodes that can be killed and restored, a VIP that moves to the surviving
// load balancer — to both while VRRP between them is cut —, keepalived transition logs and a
// `show stat` answer, so getStatus() works on it unchanged. No processes, no network: the web
// tier only (a data node's state is asked of the node over the network).
import { cutSides } from '../runtime/common.js';
import type { Cut, ExecResult, NodeInfo, Runtime, StopMode } from '../runtime/runtime.js';
import { defaultTopology, lbs, webTier, type Topology } from '../stack/topology.js';

export class FakeRuntime implements Runtime {
  readonly name = 'netns' as const;
  readonly topology: Topology = webTier(defaultTopology);
  readonly alive = new Map<string, boolean>(this.topology.nodes.map((n) => [n.name, true]));
  readonly calls: string[] = [];
  vipHolder: string | undefined = 'lb1';
  /** LBs whose HAProxy died while keepalived stays up (F2): FAULT, no VIP. */
  readonly haproxyDead = new Set<string>();
  /** Cuts in force, as "a|b" pairs of node names (both orders). */
  readonly cuts = new Set<string>();
  private stackUp = true;
  private readonly transitionLogs = new Map<string, string[]>();
  private clock = 1_700_000_000_000;

  constructor() {
    this.log('lb1', 'MASTER', 101);
    this.log('lb2', 'BACKUP', 100);
  }

  private log(lb: string, state: string, priority: number): void {
    const lines = this.transitionLogs.get(lb) ?? [];
    lines.push(`${(this.clock += 10)} VI_1 ${state} ${priority}`);
    this.transitionLogs.set(lb, lines);
  }

  /** The LBs that hold the VIP: one, or every live one while VRRP between them is cut. */
  holders(): string[] {
    const live = lbs(this.topology).filter((n) => this.fit(n.name));
    const [a, b] = live;
    if (a && b && this.cuts.has(`${a.name}|${b.name}`)) return live.map((n) => n.name);
    return this.vipHolder ? [this.vipHolder] : [];
  }

  /** An LB fit to hold the VIP: running, with its HAProxy. */
  private fit(lb: string): boolean {
    return Boolean(this.alive.get(lb)) && !this.haproxyDead.has(lb);
  }

  private elect(): void {
    const up = lbs(this.topology).filter((n) => this.fit(n.name));
    const next = up.find((n) => n.name === this.vipHolder) ?? up[0];
    if (next && next.name !== this.vipHolder) this.log(next.name, 'MASTER', next.priority ?? 100);
    this.vipHolder = next?.name;
  }

  async preflight() {
    return [];
  }
  async isUp() {
    return this.stackUp;
  }
  async up() {
    this.stackUp = true;
    for (const n of this.topology.nodes) this.alive.set(n.name, true);
    this.elect();
  }
  async nodes(): Promise<NodeInfo[]> {
    return this.topology.nodes.map((spec) => ({ spec, running: this.alive.get(spec.name) ?? false }));
  }
  async stop(node: string, mode: StopMode): Promise<void> {
    this.need(node);
    this.calls.push(`stop ${node} ${mode}`);
    this.alive.set(node, false);
    this.elect();
  }
  async restore(node: string): Promise<void> {
    this.need(node);
    this.calls.push(`restore ${node}`);
    this.alive.set(node, true);
    this.haproxyDead.delete(node);
    const spec = this.topology.nodes.find((n) => n.name === node);
    if (spec?.role === 'lb') this.log(node, 'BACKUP', spec.priority ?? 100);
    this.elect();
  }
  async exec(node: string, argv: string[]): Promise<ExecResult> {
    if (!this.alive.get(node)) return { stdout: '', stderr: 'node is down', exitCode: 1 };
    if (argv[0] === 'ip') {
      const extra = this.holders().includes(node) ? `\n2: eth0    inet ${this.topology.vip}/24 scope global secondary eth0` : '';
      const own = this.topology.nodes.find((n) => n.name === node)?.address;
      return { stdout: `2: eth0    inet ${own}/24 scope global eth0${extra}\n`, stderr: '', exitCode: 0 };
    }
    return { stdout: '', stderr: '', exitCode: 0 };
  }
  async killHaproxy(node: string): Promise<void> {
    this.need(node);
    this.calls.push(`kill haproxy ${node}`);
    this.haproxyDead.add(node);
    this.log(node, 'FAULT', 0);
    this.elect();
  }
  async readRunFile(node: string, name: string): Promise<string | undefined> {
    if (name === 'haproxy-down') return this.alive.get(node) ? (this.haproxyDead.has(node) ? '1\n' : '0\n') : undefined;
    if (name !== 'transitions.log') return undefined;
    const lines = this.transitionLogs.get(node);
    return lines ? lines.join('\n') + '\n' : undefined;
  }
  async runtimeApi(node: string, command: string): Promise<string> {
    if (!this.fit(node) || command !== 'show stat') throw new Error('no HAProxy');
    const row = (sv: string) => `be_web,${sv},${this.alive.get(sv) ? 'UP' : 'DOWN'},L7OK,200`;
    return ['# pxname,svname,status,check_status,check_code', row('backend1'), row('backend2'), 'be_web,BACKEND,UP,,'].join('\n') + '\n';
  }
  async partition(cut: Cut, on: boolean): Promise<void> {
    cutSides(this.topology, cut);
    this.calls.push(`${on ? 'cut' : 'heal'} ${cut.a.join(',')} | ${cut.b.join(',')}`);
    for (const a of cut.a)
      for (const b of cut.b)
        for (const key of [`${a}|${b}`, `${b}|${a}`]) {
          if (on) this.cuts.add(key);
          else this.cuts.delete(key);
        }
  }
  async leftovers(): Promise<string[]> {
    return this.stackUp ? this.topology.nodes.map((n) => `fake node ${n.name}`) : [];
  }
  async keptData(): Promise<string[]> {
    return [];
  }
  async logs(): Promise<string> {
    return '';
  }
  async down(): Promise<void> {
    this.stackUp = false;
    for (const n of this.topology.nodes) this.alive.set(n.name, false);
    this.cuts.clear();
    this.vipHolder = undefined;
  }

  private need(node: string): void {
    if (!this.topology.nodes.some((n) => n.name === node)) throw new Error(`no node named "${node}"`);
  }
}
