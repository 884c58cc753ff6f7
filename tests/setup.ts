// Runs in each integration test file's worker before its tests: the probe's thread is started
// here, so a test's first measuring window does not include the thread's start (from the
// TypeScript sources that includes compiling the worker, up to a second on a loaded machine).
import { warmProbeThread } from '../scripts/observe/probe-thread.js';

await warmProbeThread();
