import { describe, expect, it } from 'vitest';
import { dependencyClosure } from './app.js';

describe("the backends' production dependencies", () => {
  it("follow each package's own dependencies", () => {
    const deps = dependencyClosure(['ioredis']);
    expect(deps).toContain('ioredis');
    // ioredis's own: without them the backend would not start in a node.
    expect(deps).toEqual(expect.arrayContaining(['denque', 'debug', 'ms', 'cluster-key-slot']));
    expect(deps).not.toContain('vitest');
  });
});
