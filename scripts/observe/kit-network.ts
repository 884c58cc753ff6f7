// The network rule, enforced where traffic starts: the kit sends requests only to loopback or
// to its own subnet, and to its subnet only while this host carries the kit's host address
// (the bridge of a running stack). Without that address the subnet is not on-link, and a
// request would leave through the default route to some other machine.
import { networkInterfaces } from 'node:os';
import { ExitCode, HakitError } from '../errors.js';
import { defaultTopology, inSubnet, type Topology } from '../stack/topology.js';

export function kitNetworkIsLocal(t: Topology = defaultTopology): boolean {
  return Object.values(networkInterfaces()).some((addrs) => addrs?.some((a) => a.family === 'IPv4' && a.address === t.hostAddress));
}

export function assertKitTarget(host: string, t: Topology = defaultTopology): void {
  const h = host.replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h === '::1' || inSubnet(h, '127.0.0.0/8')) return;
  if (!inSubnet(h, t.subnet)) {
    throw new HakitError(`refusing to send traffic to ${h}: only loopback and the kit's network ${t.subnet}`, ExitCode.usage);
  }
  if (!kitNetworkIsLocal(t)) {
    throw new HakitError(
      `refusing to send traffic to ${h}: no interface of this host has ${t.hostAddress}, so ${t.subnet} is not the kit's network right now`,
      ExitCode.notUp,
      'is the stack up? (hakit status)',
    );
  }
}
