// netns: the backend app and its production dependencies, copied where an unprivileged user can
// read them (the package may sit under /root, which `nobody` cannot enter).
import { cpSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExitCode, HakitError } from '../../errors.js';
import { packageRoot } from '../../paths.js';

export function installApp(appDir: string): void {
  rmSync(appDir, { recursive: true, force: true });
  const built = join(packageRoot, 'dist', 'backends');
  if (!existsSync(join(built, 'server.js')))
    throw new HakitError('the backend is not built', ExitCode.failure, 'run `npm run build` first');
  cpSync(built, join(appDir, 'backends'), { recursive: true, filter: (src) => !src.endsWith('.test.js') });
  for (const dep of ['hono', '@hono/node-server']) {
    cpSync(join(packageRoot, 'node_modules', dep), join(appDir, 'node_modules', dep), { recursive: true });
  }
  writeFileSync(join(appDir, 'package.json'), '{ "type": "module" }\n');
}
