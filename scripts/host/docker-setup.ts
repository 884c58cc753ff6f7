// `hakit setup --docker`: a Docker engine, compose and debootstrap on Debian/Ubuntu, and a running
// dockerd when none answers (machines without systemd, like CI containers, start none).
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, statSync } from 'node:fs';
import { ExitCode, HakitError } from '../errors.js';
import type { Progress } from '../progress.js';
import { aptInstallMissing } from './setup.js';
import { engineAnswers } from '../runtime/docker-engine.js';
import { shMaybe, sleep } from '../sh.js';

const tools: Record<string, string> = { dockerd: 'docker.io', 'docker-compose': 'docker-compose', debootstrap: 'debootstrap' };
export const DOCKERD_LOG = '/var/log/hakit/dockerd.log';

export async function setupDocker(progress: Progress): Promise<void> {
  // A `docker compose` v2 plugin does the job of docker-compose.
  const needed = { ...tools };
  if ((await shMaybe`docker compose version`).exitCode === 0) delete needed['docker-compose'];
  await aptInstallMissing(progress, needed, 'setup --docker');
  if (await engineAnswers()) {
    progress.info('✓ a Docker engine answers');
    return;
  }
  await progress.step(`Start dockerd (log: ${DOCKERD_LOG})`, startDockerd);
}

/**
 * Starts dockerd in the background with the engine's default storage driver, and again with vfs
 * when that one does not work here (overlay on overlay, some sandboxes): vfs is slow and big,
 * but works on any filesystem.
 */
async function startDockerd(): Promise<void> {
  if (await tryDockerd([])) return;
  if (await tryDockerd(['--storage-driver', 'vfs'])) return;
  throw new HakitError('dockerd did not start', ExitCode.failure, `see ${DOCKERD_LOG}`);
}

async function tryDockerd(args: string[]): Promise<boolean> {
  mkdirSync('/var/log/hakit', { recursive: true });
  const log = openSync(DOCKERD_LOG, 'a');
  const logStart = statSync(DOCKERD_LOG).size; // judge only this start's lines
  const child = spawn('dockerd', args, { detached: true, stdio: ['ignore', log, log] });
  closeSync(log);
  child.unref();
  let exited = false;
  child.once('exit', () => (exited = true));
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline && !exited) {
    if (await engineAnswers(1000)) {
      // It answers, but a broken storage driver shows only when a layer is mounted.
      if (args.length || !storageDriverFailed(logStart)) return true;
      child.kill('SIGTERM');
      await waitExit(child.pid);
      return false;
    }
    await sleep(250);
  }
  if (!exited) child.kill('SIGTERM');
  await waitExit(child.pid);
  return false;
}

function storageDriverFailed(from: number): boolean {
  try {
    const log = readFileSync(DOCKERD_LOG).subarray(from).toString();
    return /failed to mount overlay|driver not supported|error initializing graphdriver/i.test(log);
  } catch {
    return false;
  }
}

async function waitExit(pid: number | undefined): Promise<void> {
  if (!pid) return;
  for (let i = 0; i < 100; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await sleep(100);
  }
}
