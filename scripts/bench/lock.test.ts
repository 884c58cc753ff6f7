import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireLock } from './lock.js';

describe('acquireLock', () => {
  it('makes a second holder wait until the first releases', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'hklock-')), 'lock');
    const release = await acquireLock(path);
    let second = false;
    const waiting = acquireLock(path).then((r) => {
      second = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(second).toBe(false);
    await release();
    const release2 = await waiting;
    expect(second).toBe(true);
    await release2();
  });

  it('gives up after its timeout with a HakitError', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'hklock-')), 'lock');
    const release = await acquireLock(path);
    await expect(acquireLock(path, 1000)).rejects.toThrow(/could not take the lock/);
    await release();
  });
});
