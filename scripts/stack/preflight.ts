// Checks before `up`: every problem is collected and reported at once, each with its fix.
import { readFileSync } from 'node:fs';
import { commandExists, shMaybe } from '../sh.js';
import { checkTopology } from '../groups/index.js';
import { inSubnet, type Topology } from './topology.js';

export interface Problem {
  problem: string;
  fix?: string;
}

export const netnsTools = [
  'ip',
  'haproxy',
  'keepalived',
  'curl',
  'setpriv',
  'openssl',
  'redis-server',
  'redis-sentinel',
  'redis-cli',
] as const;

/** Checks every runtime needs: a valid topology, Linux, and the kit's address range free. */
export async function commonPreflight(t: Topology): Promise<Problem[]> {
  const problems: Problem[] = checkTopology(t).map((p) => ({ problem: `topology: ${p}` }));
  if (process.platform !== 'linux')
    return [...problems, { problem: `hakit needs Linux (this is ${process.platform})`, fix: 'use a Linux VM' }];
  const taken = await routesOverlapping(t.subnet);
  if (taken.length)
    problems.push({
      problem: `address range ${t.subnet} is already in use on this host: ${taken.join('; ')}`,
      fix: 'remove that network (a Docker network or an old stack: hakit down)',
    });
  return problems;
}

export async function netnsPreflight(t: Topology): Promise<Problem[]> {
  const problems = await commonPreflight(t);
  if (process.platform !== 'linux') return problems;
  if (process.getuid?.() !== 0) problems.push({ problem: 'hakit needs root to create network namespaces', fix: 'run it with sudo' });
  const missing: string[] = [];
  for (const tool of netnsTools) if (!(await commandExists(tool))) missing.push(tool);
  if (missing.length)
    problems.push({
      problem: `missing: ${missing.join(', ')}`,
      fix: 'sudo hakit setup (apt-get install haproxy keepalived iproute2 curl openssl redis-server redis-sentinel)',
    });
  if ((await shMaybe`id -u keepalived_script`).exitCode !== 0) {
    problems.push({ problem: "user keepalived_script (keepalived's script_user) does not exist", fix: 'sudo hakit setup' });
  }
  return problems;
}

/** Host routes that fall inside or contain the kit's subnet (default routes aside). */
export async function routesOverlapping(subnet: string): Promise<string[]> {
  const out = (await shMaybe`ip -j -4 route show`).stdout;
  let routes: Array<{ dst: string; dev?: string }>;
  try {
    routes = JSON.parse(out || '[]');
  } catch {
    return [];
  }
  const [net] = subnet.split('/');
  return routes
    .filter((r) => r.dst !== 'default')
    .filter((r) => {
      const dst = r.dst.includes('/') ? r.dst : `${r.dst}/32`;
      const [rnet] = dst.split('/');
      return inSubnet(rnet!, subnet) || inSubnet(net!, dst);
    })
    .map((r) => `${r.dst}${r.dev ? ` on ${r.dev}` : ''}`);
}

export function formatProblems(problems: Problem[]): string {
  return problems.map((p) => `  ✗ ${p.problem}${p.fix ? `\n      fix: ${p.fix}` : ''}`).join('\n');
}

export function osRelease(): string {
  try {
    return readFileSync('/etc/os-release', 'utf8');
  } catch {
    return '';
  }
}
