import { describe, expect, it } from 'vitest';
import { startHogs } from './flap.js';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('startHogs', () => {
  it('starts the busy processes, and stop() kills them before their own deadline', async () => {
    const h = startHogs(2, 60_000);
    expect(h.pids).toHaveLength(2);
    await new Promise((r) => setTimeout(r, 200));
    expect(h.pids.every(alive)).toBe(true);
    await h.stop();
    expect(h.pids.some(alive)).toBe(false);
  });
});
