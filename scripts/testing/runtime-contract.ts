// The contract every Runtime keeps, as one suite (the shape of hono's runTest({ newRouter })):
// run against the in-memory fake in the unit tests and against the real runtimes in tests/.
// It checks behaviour through the seam only: liveness, stop and restore, exec, cuts, teardown.
import { describe, expect, it } from 'vitest';
import { getStatus, masters } from '../observe/status.js';
import { silentProgress } from '../progress.js';
import type { Runtime } from '../runtime/runtime.js';
import { waitFor } from '../sh.js';
import { backends, lbs } from '../stack/topology.js';

export interface ContractOptions {
  /** A runtime with no stack up. */
  open(): Promise<Runtime>;
  /** Brings its stack up to healthy. */
  up(rt: Runtime): Promise<void>;
  /** How long a state change may take to show (a fake: at once). */
  settleMs: number;
}

export function runtimeContract({ open, up, settleMs }: ContractOptions): void {
  describe('the Runtime contract', () => {
    let rt: Runtime;
    const eventually = <T>(what: string, check: () => Promise<T | undefined>) => waitFor(what, check, Math.max(settleMs, 100), 50);
    const running = async (node: string) => (await rt.nodes()).find((n) => n.spec.name === node)?.running;

    it('up: the stack is up, every node of the topology is listed and running, and leftovers name it', async () => {
      rt = await open();
      await up(rt);
      expect(await rt.isUp()).toBe(true);
      const nodes = await rt.nodes();
      expect(nodes.map((n) => n.spec.name)).toEqual(rt.topology.nodes.map((n) => n.name));
      expect(nodes.filter((n) => !n.running)).toEqual([]);
      expect((await rt.leftovers()).length).toBeGreaterThan(0);
    });

    it('exec runs inside the node (its own address), and an unknown node is refused by name', async () => {
      const lb = lbs(rt.topology)[0]!;
      const r = await rt.exec(lb.name, ['ip', '-o', '-4', 'addr', 'show']);
      expect(r.exitCode).toBe(0);
      expect(r.stdout).toContain(` ${lb.address}/`);
      await expect(rt.stop('no-such-node', 'hard')).rejects.toThrow(/no-such-node/);
      await expect(rt.partition({ a: ['no-such-node'], b: [lbs(rt.topology)[0]!.name] }, true)).rejects.toThrow(/no-such-node/);
    });

    it("writeRunFile replaces a file of the node's /run/hakit, and readRunFile reads it back", async () => {
      const lb = lbs(rt.topology)[0]!.name;
      await rt.writeRunFile(lb, 'contract.txt', 'first\n');
      await rt.writeRunFile(lb, 'contract.txt', "second 'quoted' $HOME\n");
      expect(await rt.readRunFile(lb, 'contract.txt')).toBe("second 'quoted' $HOME\n");
    });

    it("a cheap local-address read, where a runtime has one, agrees with the node's `ip addr`", async () => {
      if (!rt.hasLocalAddress) return;
      for (const lb of lbs(rt.topology)) {
        const shown = (await rt.exec(lb.name, ['ip', '-o', '-4', 'addr', 'show'])).stdout;
        expect(await rt.hasLocalAddress(lb.name, lb.address), lb.name).toBe(true);
        expect(await rt.hasLocalAddress(lb.name, rt.topology.vip), lb.name).toBe(shown.includes(` ${rt.topology.vip}/`));
      }
    });

    it('stop hard takes a node down, restore brings it back', async () => {
      const node = backends(rt.topology).at(-1)!.name;
      await rt.stop(node, 'hard');
      expect(await running(node)).toBe(false);
      await rt.restore(node, { user: 'contract', password: 'contract-password' });
      await eventually(`${node} running again`, async () => ((await running(node)) ? true : undefined));
    });

    it('a VRRP cut between the LBs gives two VIP holders, cutting twice is harmless, healing gives one again', async () => {
      const [a, b] = lbs(rt.topology).map((n) => n.name) as [string, string];
      const cut = { a: [a], b: [b], only: 'vrrp' as const };
      await rt.partition(cut, true);
      await rt.partition(cut, true);
      await eventually('both LBs holding the VIP', async () => (masters(await getStatus(rt)).length === 2 ? true : undefined));
      await rt.partition(cut, false);
      await rt.partition(cut, false);
      await eventually('one LB holding the VIP', async () => (masters(await getStatus(rt)).length === 1 ? true : undefined));
    });

    it('a node cannot be cut from itself', async () => {
      const a = lbs(rt.topology)[0]!.name;
      await expect(rt.partition({ a: [a], b: [a] }, true)).rejects.toThrow(/cut from itself/);
    });

    it('down leaves nothing behind, and a second down is harmless', async () => {
      await rt.down(silentProgress);
      expect(await rt.leftovers()).toEqual([]);
      expect(await rt.isUp()).toBe(false);
      await rt.down(silentProgress);
      expect(await rt.leftovers()).toEqual([]);
    });
  });
}
