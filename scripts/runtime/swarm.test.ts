import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configArchive } from './swarm.js';

describe('configArchive (what deliverConfig extracts into a node-local config volume)', () => {
  it('holds the folder, root-owned and writable by root alone, without TypeScript files', async () => {
    const from = mkdtempSync(join(tmpdir(), 'hkarchive-'));
    mkdirSync(join(from, 'keepalived'));
    writeFileSync(join(from, 'keepalived', 'keepalived.conf'), 'global_defs {}\n');
    writeFileSync(join(from, 'keepalived', 'check-haproxy'), '#!/bin/sh\n');
    chmodSync(join(from, 'keepalived', 'check-haproxy'), 0o777);
    writeFileSync(join(from, 'keepalived', 'helper.ts'), '');
    const listing = execFileSync('tar', ['-tv', '--numeric-owner'], { input: await configArchive(from, 'keepalived') }).toString();
    const entries = listing.trim().split('\n');
    expect(entries.map((l) => l.split(/\s+/).pop()).sort()).toEqual(['./', './check-haproxy', './keepalived.conf']);
    for (const l of entries) expect(l.split(/\s+/)[1], l).toBe('0/0');
    // The script stays executable; nobody but root may write any of it.
    expect(entries.find((l) => l.endsWith('check-haproxy'))!.split(/\s+/)[0]).toBe('-rwxr-xr-x');
    expect(entries.find((l) => l.endsWith('keepalived.conf'))!.split(/\s+/)[0]).toMatch(/^-rw-r--r--$/);
  });
});
