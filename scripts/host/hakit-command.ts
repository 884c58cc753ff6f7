// `hakit` as a command. Setup links /usr/local/bin/hakit to the built CLI; the next steps the kit
// prints name the form that works on this machine: `hakit` when that is this kit, else `node` with
// the CLI's path (a newcomer's first paste must not end in "command not found").
import { accessSync, constants, existsSync, lstatSync, readlinkSync, realpathSync, symlinkSync } from 'node:fs';
import { delimiter, dirname, isAbsolute, join, relative } from 'node:path';
import { packageRoot } from '../paths.js';

/** The built CLI (package.json "bin"), made executable by `npm run build`. */
export const cliPath = join(packageRoot, 'dist', 'scripts', 'cli.js');
export const defaultLinkPath = '/usr/local/bin/hakit';

function realPath(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

/** The first executable `hakit` on the search path, resolved; undefined when there is none. */
function hakitOnPath(searchPath: string): string | undefined {
  for (const dir of searchPath.split(delimiter).filter(Boolean)) {
    const candidate = join(dir, 'hakit');
    try {
      accessSync(candidate, constants.X_OK);
      return realPath(candidate);
    } catch {
      // not here: the next directory
    }
  }
  return undefined;
}

/** How to type a hakit command here: `hakit` when it runs this kit, else `node …/cli.js`. */
export function hakitCommand(searchPath = process.env.PATH ?? '', cwd = process.cwd(), cli = cliPath): string {
  const found = hakitOnPath(searchPath);
  if (found !== undefined && found === realPath(cli)) return 'hakit';
  const rel = relative(cwd, cli);
  return `node ${rel.startsWith('..') || isAbsolute(rel) ? cli : rel}`;
}

export type LinkResult = { state: 'linked' | 'present'; line: string } | { state: 'refused'; line: string; fix: string };

/**
 * Links `link` to the CLI when it is absent; one that is already this kit's is left as it is,
 * anything else (another install, a file) is never touched.
 */
export function linkHakit(link = defaultLinkPath, cli = cliPath): LinkResult {
  const fix = `call it as \`${hakitCommand(process.env.PATH, process.cwd(), cli)}\``;
  if (!existsSync(cli)) return { state: 'refused', line: `hakit not linked: ${cli} is not built`, fix: 'npm run build, then setup again' };
  const existing = lstatSync(link, { throwIfNoEntry: false });
  if (existing === undefined) {
    if (!existsSync(dirname(link))) return { state: 'refused', line: `hakit not linked: ${dirname(link)} does not exist`, fix };
    symlinkSync(cli, link);
    return { state: 'linked', line: `✓ hakit is a command now: ${link} → ${cli}` };
  }
  const target = existing.isSymbolicLink() ? readlinkSync(link) : undefined;
  if (target === cli || (target !== undefined && realPath(link) === realPath(cli)))
    return { state: 'present', line: `✓ hakit is a command: ${link} → ${cli}` };
  const what = target === undefined ? 'a file' : `a link to ${target}`;
  return { state: 'refused', line: `${link} is ${what}, not this kit's: left alone`, fix: `remove it and run setup again, or ${fix}` };
}
