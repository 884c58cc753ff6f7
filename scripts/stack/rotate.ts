// `hakit creds --rotate`: new stats credentials, applied to a running stack without losing the VIP.
// HAProxy reads the password from its environment at start, so each load balancer is restarted
// in turn, the BACKUP first: it stops gracefully (keepalived hands over with a priority-0 advert,
// HAProxy finishes its requests) and comes back with the new credentials before the next one goes.
// The VIP is always held by a serving LB; new requests are not refused (measured: 0 failed).
import { ExitCode, HakitError } from '../errors.js';
import { generateCredentials, loadCredentials, saveCredentials } from './credentials.js';
import { credentialsFile } from '../paths.js';
import type { Progress } from '../progress.js';
import type { Credentials, Runtime } from '../runtime/runtime.js';
import { waitFor } from '../sh.js';
import { getStatus, isHealthy, masters, type StackStatus } from '../observe/status.js';

/** BACKUP (and anything not MASTER) first, the MASTER last: the VIP moves once, to a fresh LB. */
export function rotationOrder(status: StackStatus): string[] {
  const lbStates = status.nodes.filter((n) => n.role === 'lb');
  return [...lbStates].sort((a, b) => Number(a.state === 'MASTER') - Number(b.state === 'MASTER')).map((n) => n.name);
}

export async function rotateCredentials(rt: Runtime | undefined, progress: Progress, file = credentialsFile): Promise<Credentials> {
  // Only the stats credentials rotate; the data nodes' secrets stay (changing them means
  // restarting every data node and backend).
  const creds = { ...generateCredentials(), secrets: loadCredentials(file)?.secrets ?? {} };
  // Saved first: a rotation interrupted half-way is finished by `hakit restore` of the other LB.
  saveCredentials(creds, file);
  if (!rt) return creds;
  const order = rotationOrder(await getStatus(rt));
  for (const lb of order) {
    await progress.step(`Restart ${lb} with the new credentials`, async () => {
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
    });
  }
  const after = await getStatus(rt);
  if (masters(after).length !== 1)
    throw new HakitError(`after the rotation ${masters(after).length} load balancers are MASTER`, ExitCode.failure, 'see `hakit status`');
  return creds;
}
