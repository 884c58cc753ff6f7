import { describe, expect, it } from 'vitest';
import { abortableProgress } from './interrupt.js';
import { silentProgress } from '../progress.js';
import { ExitCode } from '../errors.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('abortable progress', () => {
  it('runs steps normally while not aborted', async () => {
    const p = abortableProgress(silentProgress, new AbortController().signal);
    expect(await p.step('x', async () => 7)).toBe(7);
    await expect(p.step('y', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
  });

  it('refuses to start a step after the abort', async () => {
    const ac = new AbortController();
    ac.abort();
    let ran = false;
    const p = abortableProgress(silentProgress, ac.signal);
    await expect(p.step('x', async () => void (ran = true))).rejects.toMatchObject({ exitCode: ExitCode.interrupted });
    expect(ran).toBe(false);
  });

  it('lets a running step finish before reporting the interruption', async () => {
    const ac = new AbortController();
    let finished = false;
    const p = abortableProgress(silentProgress, ac.signal);
    const step = p.step('x', async () => {
      await sleep(50);
      finished = true;
    });
    setTimeout(() => ac.abort(), 10);
    await expect(step).rejects.toMatchObject({ exitCode: ExitCode.interrupted });
    expect(finished).toBe(true);
  });

  it('does not wait longer than settleMs for a long step', async () => {
    const ac = new AbortController();
    const p = abortableProgress(silentProgress, ac.signal, 0);
    const started = Date.now();
    const step = p.step('x', () => sleep(2000));
    setTimeout(() => ac.abort(), 10);
    await expect(step).rejects.toMatchObject({ exitCode: ExitCode.interrupted });
    expect(Date.now() - started).toBeLessThan(1500);
  });
});
