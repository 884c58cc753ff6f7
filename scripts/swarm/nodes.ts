// Swarm nodes as the manager reports them, and the one change the kit makes to them: which two
// carry the load-balancer label. Shared by the lab (which labels its nodes when it forms the
// Swarm) and the swarm runtime (which labels the plan's nodes on `up` and unlabels on `down`).
import type Docker from 'dockerode';

export const LB_LABEL = 'hakit.role';

export interface SwarmNode {
  ID: string;
  Version: { Index: number };
  Spec: { Labels?: Record<string, string>; Availability?: string; [key: string]: unknown };
  Description: { Hostname: string };
}

export const listSwarmNodes = async (manager: Docker): Promise<SwarmNode[]> => (await manager.listNodes()) as SwarmNode[];

/** A node's spec with some keys changed (Swarm wants the version the change is based on). */
export async function updateNodeSpec(manager: Docker, n: SwarmNode, change: Partial<SwarmNode['Spec']>): Promise<void> {
  await manager.getNode(n.ID).update({ version: n.Version.Index, ...n.Spec, ...change });
}

/** Exactly these hosts carry hakit.role=lb afterwards (none: the label is removed everywhere). */
export async function labelLbNodes(manager: Docker, lbHosts: string[]): Promise<void> {
  for (const n of await listSwarmNodes(manager)) {
    const labels = { ...(n.Spec.Labels ?? {}) };
    const want = lbHosts.includes(n.Description.Hostname);
    if (want === (labels[LB_LABEL] === 'lb')) continue;
    if (want) labels[LB_LABEL] = 'lb';
    else delete labels[LB_LABEL];
    await updateNodeSpec(manager, n, { Labels: labels });
  }
}
