// What an operator hands to `hakit reload --from`: the kit's config folders copied, haproxy.cfg
// edited. The reload tests (netns, Swarm) make theirs here.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../paths.js';

export function editedConfig(edit: (cfg: string) => string): string {
  const dir = mkdtempSync(join(tmpdir(), 'hkreload-'));
  for (const d of ['haproxy', 'keepalived', 'peers']) cpSync(join(packageRoot, d), join(dir, d), { recursive: true });
  const cfg = join(dir, 'haproxy', 'haproxy.cfg');
  writeFileSync(cfg, edit(readFileSync(cfg, 'utf8')));
  return dir;
}

/** haproxy.cfg with a response header that names this edit: which config a node serves is then visible. */
export function withMarkHeader(cfg: string, mark: string): string {
  const anchor = '    default_backend be_web\n';
  if (!cfg.includes(anchor)) throw new Error(`haproxy.cfg has no line "${anchor.trim()}" to mark`);
  return cfg.replace(anchor, `    http-response set-header X-Reload-Mark ${mark}\n${anchor}`);
}
