// netns: the backend app and its production dependencies, copied where an unprivileged user can
// read them (the package may sit under /root, which `nobody` cannot enter).
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExitCode, HakitError } from '../../errors.js';
import { packageRoot } from '../../paths.js';

/** What the backends import; their own dependencies follow (dependencyClosure). */
const BACKEND_DEPS = ['hono', '@hono/node-server', 'ioredis', 'nats', 'pg'];

/**
 * The packages `roots` need at run time, from node_modules' own package.json files (npm's flat
 * layout: a dependency nested in a package's own node_modules is copied with that package).
 */
export function dependencyClosure(roots: string[], modules = join(packageRoot, 'node_modules')): string[] {
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name) || !existsSync(join(modules, name, 'package.json'))) return;
    seen.add(name);
    const pkg = JSON.parse(readFileSync(join(modules, name, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    for (const dep of Object.keys(pkg.dependencies ?? {})) visit(dep);
  };
  for (const r of roots) visit(r);
  return [...seen].sort();
}

export function installApp(appDir: string): void {
  rmSync(appDir, { recursive: true, force: true });
  const built = join(packageRoot, 'dist', 'backends');
  if (!existsSync(join(built, 'server.js')))
    throw new HakitError('the backend is not built', ExitCode.failure, 'run `npm run build` first');
  cpSync(built, join(appDir, 'backends'), { recursive: true, filter: (src) => !src.endsWith('.test.js') });
  for (const dep of dependencyClosure(BACKEND_DEPS)) {
    cpSync(join(packageRoot, 'node_modules', dep), join(appDir, 'node_modules', dep), { recursive: true });
  }
  writeFileSync(join(appDir, 'package.json'), '{ "type": "module" }\n');
}

/** argv run as nobody with no capabilities and no way to regain them (least privilege: the backends, the weather source). */
export const asNobody = (argv: string[]): string[] => [
  'setpriv',
  '--reuid=65534',
  '--regid=65534',
  '--clear-groups',
  '--inh-caps=-all',
  '--no-new-privs',
  ...argv,
];
