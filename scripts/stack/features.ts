// The opt-in features (`hakit up --with weather,chat`, or `all`) and the record of those the stack
// that is up was started with: every later command (status, kill, demo, chaos, …) opens the
// runtime with that stack's topology, and `down` with every feature's nodes, so it removes them
// whatever the record says. docs/architecture.md#opt-in-features.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ExitCode, HakitError } from '../errors.js';
import { stateDir } from '../paths.js';
import { defaultTopology, featureNames, withFeatures, type Feature, type Topology } from './topology.js';

export { featureNames, type Feature } from './topology.js';

/** `weather,chat` or `all` as features, in the kit's order; every unknown word named at once. */
export function parseFeatures(text: string): Feature[] {
  const words = text
    .split(',')
    .map((w) => w.trim())
    .filter(Boolean);
  if (words.includes('all')) return [...featureNames];
  const unknown = words.filter((w) => !(featureNames as readonly string[]).includes(w));
  if (unknown.length)
    throw new HakitError(
      `--with: no feature ${unknown.map((w) => `"${w}"`).join(', ')}`,
      ExitCode.usage,
      `features: ${featureNames.join(', ')}, all`,
    );
  return featureNames.filter((f) => words.includes(f));
}

const recordFile = () => join(stateDir, 'stack.json');

/** The features of the stack that is up (none when there is no record). */
export function recordedFeatures(): Feature[] {
  try {
    const saved = JSON.parse(readFileSync(recordFile(), 'utf8')) as { features?: unknown };
    return Array.isArray(saved.features) ? featureNames.filter((f) => (saved.features as unknown[]).includes(f)) : [];
  } catch {
    return []; // no stack recorded: the default stack
  }
}

/** Written before a stack starts, so a half-started one (a failed up, --retain) is known too. */
export function recordFeatures(on: readonly Feature[]): void {
  mkdirSync(dirname(recordFile()), { recursive: true });
  writeFileSync(recordFile(), JSON.stringify({ features: on }) + '\n');
}

/** After `down`: no stack, no features. */
export function forgetFeatures(): void {
  rmSync(recordFile(), { force: true });
}

/** The topology of the stack that is up: the default one with its recorded features. */
export const stackTopology = (): Topology => withFeatures(defaultTopology, recordedFeatures());

/** Every node the kit may have started: what `down` removes. */
export const everyNodeTopology = (): Topology => withFeatures(defaultTopology, featureNames);

/** Which topology a command opens: `with` for one that starts a stack, `every` for down. */
export function topologyFor(choice: { with?: string; every?: boolean }): Topology {
  if (choice.every) return everyNodeTopology();
  if (choice.with !== undefined) return withFeatures(defaultTopology, parseFeatures(choice.with));
  return stackTopology();
}
