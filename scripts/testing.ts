// Test prerequisites: a test that needs a missing tool skips on a developer's machine but fails
// under CI=true, where a skip would hide that the test never ran.
import { commandExists } from './sh.js';

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
