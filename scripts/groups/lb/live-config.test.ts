// lb-entrypoint's live_config (Swarm: the config folders read from the node-local volume that
// `hakit reload` delivers into), run for real in a private mount namespace whose /etc/haproxy is a
// folder of the test's: a first start copies the image's folder, a restart keeps a delivered
// change, a new image replaces it, and a copy cut short is made again
// (docs/architecture.md#reload).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../paths.js';
import { failUnderCi, missingPrerequisites, skipOutsideCi } from '../../testing/prerequisites.js';

const missing = await missingPrerequisites(['unshare', 'md5sum']);
const entrypoint = readFileSync(join(packageRoot, 'keepalived', 'lb-entrypoint'), 'utf8');
const fn = entrypoint.match(/^live_config\(\) \{[\s\S]*?^\}/m)?.[0];

// Each `start` is a task starting: the entrypoint's CONF line, then live_config.
const script = String.raw`
set -eu
image=$(mktemp -d) root=$(mktemp -d)/config
mkdir -p /etc/haproxy && mount --bind "$image" /etc/haproxy
mkdir "$image/errors" && echo image-1 > "$image/haproxy.cfg" && echo page > "$image/errors/503.http"
start() { ( CONF=$1; eval "$LIVE_CONFIG"; live_config haproxy ); }
start "$root"; echo "first=$(cat "$root/haproxy/haproxy.cfg")/$(cat "$root/haproxy/errors/503.http")"
echo delivered > "$root/haproxy/haproxy.cfg"
start "$root"; echo "restart=$(cat "$root/haproxy/haproxy.cfg")"
echo image-2 > "$image/haproxy.cfg"
start "$root"; echo "new_image=$(cat "$root/haproxy/haproxy.cfg")"
rm -f "$root/.haproxy.image" && echo half > "$root/haproxy/haproxy.cfg"
start "$root"; echo "cut_short=$(cat "$root/haproxy/haproxy.cfg")"
`;

describe.skipIf(skipOutsideCi(missing))("lb-entrypoint's live_config (the config a Swarm LB task reads)", () => {
  it('copies the image folder on a first start, keeps a delivered change across restarts, and takes a new image', () => {
    failUnderCi(missing);
    expect(fn).toBeDefined();
    const r = spawnSync('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script], {
      encoding: 'utf8',
      timeout: 20_000,
      env: { PATH: process.env.PATH, LIVE_CONFIG: fn },
    });
    expect(r.status, r.stderr).toBe(0);
    const out = Object.fromEntries(r.stdout.split('\n').flatMap((l) => (l.includes('=') ? [l.split('=') as [string, string]] : [])));
    expect(out).toEqual({ first: 'image-1/page', restart: 'delivered', new_image: 'image-2', cut_short: 'image-2' });
  });
});
