import { defineConfig } from 'vitest/config';

// Unit tests run in parallel; integration tests share one real stack (namespaces, addresses),
// so they run one file at a time, and only after the unit tests (groupOrder) so that nothing
// competes with failover timing. Many unit tests start a real binary (haproxy -c, keepalived -t,
// redis-server) while the others run on both cores: 5 s timed out in CI, 30 s still catches a hang.
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['{backends,scripts}/**/*.test.ts'], sequence: { groupOrder: 0 }, testTimeout: 30_000 } },
      {
        test: {
          name: 'integration',
          include: ['tests/**/*.test.ts'],
          setupFiles: ['tests/setup.ts'],
          fileParallelism: false,
          sequence: { groupOrder: 1 },
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
