import { defineConfig } from 'vitest/config';

// Unit tests run in parallel; integration tests share one real stack (namespaces, addresses),
// so they run one file at a time.
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['{backends,scripts,haproxy,keepalived}/**/*.test.ts'] } },
      {
        test: {
          name: 'integration',
          include: ['tests/**/*.test.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
