// Test prerequisites: a test that needs a missing tool skips on a developer's machine but fails
// under CI=true, where a skip would hide that the test never ran.
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { silentProgress } from '../progress.js';
import type { Runtime } from '../runtime/runtime.js';
import { openRuntime } from '../runtime/select.js';
import { everyNodeTopology } from '../stack/features.js';
import { commandExists } from '../sh.js';

export async function missingPrerequisites(tools: string[], needRoot = true): Promise<string | undefined> {
  const missing: string[] = [];
  if (needRoot && process.getuid?.() !== 0) missing.push('root');
  for (const t of tools) if (!(await commandExists(t))) missing.push(t);
  return missing.length ? `missing: ${missing.join(', ')}` : undefined;
}

/** For describe.skipIf: skip only outside CI. */
export const skipOutsideCi = (reason: string | undefined) => reason !== undefined && process.env.CI !== 'true';

/** For beforeAll: under CI a missing prerequisite is an error. */
export function failUnderCi(reason: string | undefined): void {
  if (reason) throw new Error(`test prerequisite ${reason} (CI=true: failing instead of skipping)`);
}

// ---- a stack the user left up is never torn down by the tests ----
// Integration tests need the kit's addresses, so they cannot run beside a stack the user started
// (`hakit up`, `npm run demo`). A marker in /run (gone at reboot, like the namespaces) records
// that the stack up now was started by a test: only such a stack may be taken down by the next one.
const ownerMarker = '/run/hakit-tests.owner';

/** The runtime whose stack is up and was not started by the tests, with what was found of it. */
export async function foreignStack(): Promise<{ runtime: string; found: string[] } | undefined> {
  if (existsSync(ownerMarker)) return undefined;
  for (const name of ['netns', 'docker'] as const) {
    const rt = await openRuntime(name).catch(() => undefined);
    const found = rt ? await rt.leftovers().catch(() => []) : [];
    if (found.length) return { runtime: name, found };
  }
  return undefined;
}

export const foreignStackReason = (stack: { runtime: string; found: string[] } | undefined) =>
  stack === undefined
    ? undefined
    : `a hakit stack is up on ${stack.runtime} that the tests did not start (hakit up or npm run demo left it: ` +
      `${stack.found.slice(0, 4).join(', ')}${stack.found.length > 4 ? ', …' : ''}); ` +
      'the integration tests use the same addresses and leave it alone: run `hakit down` to run them';

/**
 * Takes down whatever the kit runs on the test's runtime, with the data, whatever topology the
 * test opened: a test that started a stack with more node groups through the CLI (`up --with`)
 * would otherwise leave those nodes up for the next file to find. True when nothing is left.
 */
async function downEverything(rt: Runtime): Promise<boolean> {
  const all = rt.name === 'swarm' ? rt : await openRuntime(rt.name, everyNodeTopology());
  if ((await all.isUp()) || (await all.keptData()).length) await all.down(silentProgress, { volumes: true });
  return !(await all.isUp());
}

/** Before a test starts a stack: refuses beside the user's, takes down one a crashed test left. */
export async function claimStack(rt: Runtime): Promise<void> {
  const foreign = foreignStackReason(await foreignStack());
  if (foreign) throw new Error(foreign);
  writeFileSync(ownerMarker, `${process.pid}\n`);
  // With the data nodes' data: a test starts from empty data directories, as on a fresh machine.
  await downEverything(rt);
}

/**
 * After the tests of a file: takes their stack down. The marker goes only once nothing is up, so
 * that a stack a failed down left is the next file's to take down, not a "foreign" one it refuses.
 */
export async function releaseStack(rt: Runtime | undefined): Promise<void> {
  if (!rt || (await downEverything(rt).catch(() => false))) rmSync(ownerMarker, { force: true });
}

/** missingPrerequisites for a test that starts the real stack, plus a stack the user left up. */
export async function integrationPrerequisites(tools: string[]): Promise<string | undefined> {
  const reason = (await missingPrerequisites(tools)) ?? foreignStackReason(await foreignStack());
  if (reason && process.env.CI !== 'true') console.warn(`skipped: ${reason}`);
  return reason;
}

// The same rule for the Swarm lab (`hakit lab up`): a lab the user left is theirs.
const labMarker = '/run/hakit-tests.lab.owner';

/** Why the Swarm test cannot run here: a lab the tests did not make is up. */
export async function foreignLabReason(): Promise<string | undefined> {
  if (existsSync(labMarker)) return undefined;
  const { labLeftovers } = await import('../swarm/lab.js');
  const left = await labLeftovers().catch(() => []);
  return left.length
    ? 'a Swarm lab is up that the tests did not make (hakit lab up left it); the test leaves it alone: run `hakit lab down` to run it'
    : undefined;
}

/** Before the Swarm test makes its lab: removes one a crashed run of it left. */
export async function claimLab(): Promise<void> {
  const foreign = await foreignLabReason();
  if (foreign) throw new Error(foreign);
  writeFileSync(labMarker, `${process.pid}\n`);
  const { labDown, labLeftovers } = await import('../swarm/lab.js');
  if ((await labLeftovers()).length) await labDown(silentProgress);
}

/** After it: the lab goes, and the marker even when that fails. */
export async function releaseLab(): Promise<void> {
  try {
    const { labDown } = await import('../swarm/lab.js');
    await labDown(silentProgress);
  } finally {
    rmSync(labMarker, { force: true });
  }
}
