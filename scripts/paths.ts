// Where the kit's files live: the package itself, and its state directory on this machine.
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
/** Package root: works from scripts/*.ts (tests) and dist/scripts/*.js (the built CLI). */
export const packageRoot = resolve(here, here.includes(`${join('dist', 'scripts')}`) ? '../..' : '..');

/** The kit's state: credentials, the Swarm lab's plan, per-node run directories. */
export const stateDir = process.env.HAKIT_STATE_DIR ?? '/var/lib/hakit';
export const credentialsFile = join(stateDir, 'credentials.json');
/** The local CA and the load balancers' server certificate (scripts/stack/tls.ts). */
export const tlsDir = join(stateDir, 'tls');
