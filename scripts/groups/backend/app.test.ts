import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../paths.js';
import { BACKEND_DEPS, dependencyClosure } from './app.js';

/** The packages the backends' sources import (bare specifiers, not node: or relative), tests left out. */
function importedPackages(dir: string): Set<string> {
  const found = new Set<string>();
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile() || !e.name.endsWith('.ts') || e.name.endsWith('.test.ts')) continue;
    const text = readFileSync(join(e.parentPath, e.name), 'utf8');
    for (const m of text.matchAll(/^(?:import|export)[^'"]*?from '([^'./][^']*)'/gm)) {
      const spec = m[1]!;
      if (spec.startsWith('node:')) continue;
      found.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
    }
  }
  return found;
}

describe("the backends' production dependencies", () => {
  it("follow each package's own dependencies", () => {
    const deps = dependencyClosure(['ioredis']);
    expect(deps).toContain('ioredis');
    // ioredis's own: without them the backend would not start in a node.
    expect(deps).toEqual(expect.arrayContaining(['denque', 'debug', 'ms', 'cluster-key-slot']));
    expect(deps).not.toContain('vitest');
  });

  // A package the backends import but the netns install does not copy crashes every backend at its start.
  it('cover every package the backends import', () => {
    const closure = dependencyClosure(BACKEND_DEPS);
    const imported = [...importedPackages(join(packageRoot, 'backends'))];
    expect(imported.length).toBeGreaterThan(3);
    expect(imported.filter((p) => !closure.includes(p))).toEqual([]);
  });
});
