import { describe } from 'vitest';
import { FakeRuntime } from './fake-runtime.js';
import { runtimeContract } from './runtime-contract.js';

// The fake keeps the same contract as the real runtimes (tests/runtime-contract.test.ts), so
// unit tests written against it say something about them.
describe('FakeRuntime', () => {
  runtimeContract({
    open: async () => {
      const rt = new FakeRuntime();
      await rt.down();
      return rt;
    },
    up: (rt) => rt.up({ progress: { step: (_t, run) => run(), info: () => undefined }, credentials: { user: 'u', password: 'p' } }),
    settleMs: 0,
  });
});
