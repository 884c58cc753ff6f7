// A flock(1) lock held around each stack the bench brings up, for machines where several people
// share the one stack slot (same subnet, same bridge). The lock is held by a child process that
// lives until we close its stdin, so it is released when the chunk ends or when we die.
import { spawn } from 'node:child_process';
import { ExitCode, HakitError } from '../errors.js';

export type Release = () => Promise<void>;

/** Waits (at most `timeoutMs`) for the lock on `path`, then returns the function that releases it. */
export function acquireLock(path: string, timeoutMs = 30 * 60_000): Promise<Release> {
  return new Promise((resolve, reject) => {
    const child = spawn('flock', ['-w', String(Math.ceil(timeoutMs / 1000)), path, 'sh', '-c', 'echo locked; exec cat >/dev/null'], {
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    let locked = false;
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    child.stdout.on('data', (chunk: Buffer) => {
      if (locked || !chunk.toString().includes('locked')) return;
      locked = true;
      resolve(async () => {
        child.stdin.end();
        await exited;
      });
    });
    child.once('error', (err) =>
      reject(new HakitError(`cannot take the lock ${path}: ${err.message}`, ExitCode.preflight, 'flock(1) is in util-linux')),
    );
    child.once('exit', (code) => {
      if (!locked)
        reject(
          new HakitError(`could not take the lock ${path} within ${Math.round(timeoutMs / 1000)} s (flock exit ${code})`, ExitCode.failure),
        );
    });
  });
}
