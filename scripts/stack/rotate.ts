// `hakit creds --rotate`: new stats credentials, applied to a running stack without losing the VIP.
// Where the runtime can change a node's files in place (netns, Docker: deliverConfig), each LB
// gets the new stats user file in its /run/hakit and reloads: HAProxy's master re-reads its files
// on a reload, while its environment (STATS_PASSWORD) stays what it was at start, so the password
// travels as a file (docs/architecture.md#reload). Elsewhere (Swarm, where the service's
// environment must change too) each LB restarts in turn: it stops gracefully (keepalived hands
// over with a priority-0 advert, HAProxy finishes its requests) and comes back with the new
// credentials before the next one goes. The BACKUP goes first either way; the VIP is always held
// by a serving LB and no request is refused.
import { ExitCode, HakitError } from '../errors.js';
import { generateCredentials, loadCredentials, saveCredentials } from './credentials.js';
import { credentialsFile } from '../paths.js';
import type { Progress } from '../progress.js';
import type { Credentials, Runtime } from '../runtime/runtime.js';
import { waitFor } from '../sh.js';
import { getStatus, isHealthy, masters, type StackStatus } from '../observe/status.js';
import { reloadLb } from '../groups/lb/reload.js';
import { statsUsersConfig, STATS_USERS_FILE } from '../groups/lb/stats-users.js';
import { masterLast } from './reload.js';

/** BACKUP (and anything not MASTER) first, the MASTER last: the VIP moves at most once, to a fresh LB. */
export function rotationOrder(status: StackStatus): string[] {
  return masterLast(
    status,
    status.nodes.filter((n) => n.role === 'lb').map((n) => n.name),
  );
}

async function reloadWith(rt: Runtime, lb: string, creds: Credentials): Promise<void> {
  await rt.writeRunFile(lb, STATS_USERS_FILE, statsUsersConfig(creds));
  await reloadLb(rt, lb);
}

async function restartWith(rt: Runtime, lb: string, creds: Credentials): Promise<void> {
  await rt.stop(lb, 'graceful');
  await rt.restore(lb, creds);
  await waitFor(
    `${lb} to serve again`,
    async () => {
      const s = await getStatus(rt);
      const me = s.nodes.find((n) => n.name === lb);
      return me && ['MASTER', 'BACKUP'].includes(me.state) && isHealthy(s) ? true : undefined;
    },
    20_000,
    100,
  );
}

export async function rotateCredentials(rt: Runtime | undefined, progress: Progress, file = credentialsFile): Promise<Credentials> {
  // Only the stats credentials rotate; the data nodes' secrets stay (changing them means
  // restarting every data node and backend).
  const creds = { ...generateCredentials(), secrets: loadCredentials(file)?.secrets ?? {} };
  // Saved first: a rotation interrupted half-way is finished by `hakit restore` of the other LB.
  saveCredentials(creds, file);
  if (!rt) return creds;
  const inPlace = Boolean(rt.deliverConfig);
  const status = await getStatus(rt);
  const running = new Set(status.nodes.filter((n) => n.state !== 'DOWN').map((n) => n.name));
  for (const lb of rotationOrder(status)) {
    // A node that is down starts with the saved credentials when it is restored.
    if (inPlace && !running.has(lb)) continue;
    await progress.step(`${inPlace ? 'Reload' : 'Restart'} ${lb} with the new credentials`, () =>
      inPlace ? reloadWith(rt, lb, creds) : restartWith(rt, lb, creds),
    );
  }
  const after = await getStatus(rt);
  if (masters(after).length !== 1)
    throw new HakitError(`after the rotation ${masters(after).length} load balancers are MASTER`, ExitCode.failure, 'see `hakit status`');
  return creds;
}
