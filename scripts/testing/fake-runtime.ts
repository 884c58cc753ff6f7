// An in-memory Runtime for unit tests (the dashboard, the actions, the fault catalogue, the
// runtime contract): nodes that can be killed and restored, a VIP that moves to the surviving
// load balancer — to both while VRRP between them is cut —, keepalived transition logs and a
// `show stat` answer, so getStatus() works on it unchanged. No processes, no network: the web
// tier only (a data node's state is asked of the node over the network).
import { cutSides } from '../runtime/common.js';
import type { Cut, ExecResult, HaproxySocket, NodeInfo, Runtime, StopMode } from '../runtime/runtime.js';
import type { Problem } from '../stack/preflight.js';
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
  /** Commands run in nodes other than `ip` (a reload's SIGHUP to keepalived), as "node: argv". */
  readonly execs: string[] = [];
  /** Files written into nodes' /run/hakit, by "node/name". */
  readonly runFiles = new Map<string, string>();
  /** What each LB's keepalived.conf hashes to (`md5sum` in the node); "kit" at start. */
  readonly keepalivedConf = new Map<string, string>();
  /** Config folders delivered, as "node dir from". */
  readonly delivered: string[] = [];
  /** Each LB's HAProxy master: its current worker PID and reload counts (`show proc`). */
  readonly haproxyMasters = new Map(lbs(defaultTopology).map((n, i) => [n.name, { worker: 1000 + i * 100, reloads: 0, failed: 0 }]));
  /** The next master `reload` fails (a config HAProxy refuses): the old worker serves on. */
  failNextReload = false;
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

  async preflight(): Promise<Problem[]> {
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
    // keepalived.conf where the node reads it (/etc, or LB_CONFIG_ROOT on Swarm).
    if (/md5sum < \S*\/keepalived\/keepalived\.conf/.test(argv.join(' ')))
      return { stdout: `${this.keepalivedConf.get(node) ?? 'kit'}  -\n`, stderr: '', exitCode: 0 };
    this.execs.push(`${node}: ${argv.join(' ')}`);
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
    const written = this.runFiles.get(`${node}/${name}`);
    if (written !== undefined) return written;
    if (name === 'haproxy-down') return this.alive.get(node) ? (this.haproxyDead.has(node) ? '1\n' : '0\n') : undefined;
    // What lb-entrypoint recorded when keepalived started: the kit's own config.
    if (name === 'keepalived.digest') return this.alive.get(node) ? 'kit  -\n' : undefined;
    if (name !== 'transitions.log') return undefined;
    const lines = this.transitionLogs.get(node);
    return lines ? lines.join('\n') + '\n' : undefined;
  }
  async writeRunFile(node: string, name: string, text: string): Promise<void> {
    this.need(node);
    if (!this.alive.get(node)) throw new Error('node is down');
    this.runFiles.set(`${node}/${name}`, text);
  }
  async deliverConfig(node: string, dir: string, from: string): Promise<void> {
    this.need(node);
    this.delivered.push(`${node} ${dir} ${from}`);
  }
  async runtimeApi(node: string, command: string, socket: HaproxySocket = 'worker'): Promise<string> {
    const m = this.haproxyMasters.get(node);
    if (!this.fit(node) || !m) throw new Error('no HAProxy');
    if (socket === 'master') return this.masterCli(m, command);
    if (command === 'show info') return `Name: HAProxy\nPid: ${m.worker}\n`;
    if (command !== 'show stat') throw new Error(`the fake answers no ${command}`);
    const row = (sv: string) => `be_web,${sv},${this.alive.get(sv) ? 'UP' : 'DOWN'},L7OK,200`;
    return ['# pxname,svname,status,check_status,check_code', row('backend1'), row('backend2'), 'be_web,BACKEND,UP,,'].join('\n') + '\n';
  }
  /** HAProxy 2.6's master CLI: `reload` answers nothing; `show proc` lists master and workers. */
  private masterCli(m: { worker: number; reloads: number; failed: number }, command: string): string {
    if (command === 'reload') {
      m.reloads++;
      if (this.failNextReload) m.failed++;
      else m.worker++;
      this.failNextReload = false;
      return '';
    }
    if (command !== 'show proc') throw new Error(`the fake master answers no ${command}`);
    return [
      '#<PID>          <type>          <reloads>       <uptime>        <version>',
      `900             master          ${m.reloads} [failed: ${m.failed}]   0d00h00m09s     2.6.12`,
      '# workers',
      `${m.worker}            worker          0               0d00h00m01s     2.6.12`,
      '# programs',
      '',
    ].join('\n');
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
