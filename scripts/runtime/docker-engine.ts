// Talking to a Docker engine: the dockerode client, "does an engine answer?", and compose (v2
// `docker compose` where the plugin exists, else v1 `docker-compose`, the only one Debian ships).
import Docker from 'dockerode';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { ExitCode, HakitError } from '../errors.js';
import { packageRoot } from '../paths.js';
import { shMaybe } from '../sh.js';

/** compose.yaml's project: every container, network and volume carries this label value. */
export const PROJECT = 'hakit';
export const PROJECT_LABEL = `com.docker.compose.project=${PROJECT}`;
export const SERVICE_LABEL = 'com.docker.compose.service';
export const composeFile = join(packageRoot, 'compose.yaml');
/** The bridge's interface name, fixed in compose.yaml. */
export const DOCKER_BRIDGE = 'hakit-br';
export const images = { lb: 'hakit/lb:latest', backend: 'hakit/backend:latest', redis: 'hakit/redis:latest' } as const;

/** A client for DOCKER_HOST, or the local socket. */
export const dockerClient = (timeoutMs?: number) => new Docker(timeoutMs ? { timeout: timeoutMs } : {});

/** A client for an engine URL as DOCKER_HOST writes it: unix:///path, tcp://host:port or ssh://user@host. */
export function dockerAt(url: string, timeoutMs?: number): Docker {
  const t = timeoutMs ? { timeout: timeoutMs } : {};
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new HakitError(`"${url}" is not an engine URL (unix:///path, tcp://host:port, ssh://user@host)`, ExitCode.usage);
  }
  switch (u.protocol) {
    case 'unix:':
      return new Docker({ socketPath: u.pathname, ...t });
    case 'tcp:':
      return new Docker({ host: u.hostname, port: Number(u.port || 2375), ...t });
    case 'ssh:':
      return new Docker({ protocol: 'ssh', host: u.hostname, port: Number(u.port || 22), username: u.username || undefined, ...t });
    default:
      throw new HakitError(`engine URL ${url}: ${u.protocol} is not supported (unix:, tcp:, ssh:)`, ExitCode.usage);
  }
}

/** True when an engine answers within the timeout: `auto` must not hang on a missing socket. */
export async function engineAnswers(timeoutMs = 1500): Promise<boolean> {
  try {
    await dockerClient(timeoutMs).ping();
    return true;
  } catch {
    return false;
  }
}

export async function imageExists(docker: Docker, name: string): Promise<boolean> {
  try {
    await docker.getImage(name).inspect();
    return true;
  } catch {
    return false;
  }
}

let composeCmd: string[] | undefined;
/** `docker compose` (v2) when the plugin answers, else `docker-compose` (v1); undefined if neither. */
export async function detectCompose(): Promise<string[] | undefined> {
  if (composeCmd) return composeCmd;
  if ((await shMaybe`docker compose version`).exitCode === 0) composeCmd = ['docker', 'compose'];
  else if ((await shMaybe`docker-compose version`).exitCode === 0) composeCmd = ['docker-compose'];
  return composeCmd;
}

export interface ComposeEnv {
  STATS_USER: string;
  STATS_PASSWORD: string;
  /** compose.yaml requires it for every command, as STATS_PASSWORD. */
  TLS_PEM: string;
  [name: string]: string;
}

/** Runs compose on the kit's file and project; throws with compose's own stderr on failure. */
export async function compose(args: string[], env: ComposeEnv): Promise<string> {
  const cmd = await detectCompose();
  if (!cmd) throw new HakitError('neither `docker compose` nor `docker-compose` is installed', ExitCode.preflight, 'hakit setup --docker');
  const r = await shMaybe({
    cwd: packageRoot,
    env: { ...process.env, COMPOSE_PROJECT_NAME: PROJECT, ...env },
  })`${cmd} -f ${composeFile} -p ${PROJECT} ${args}`;
  if (r.exitCode !== 0) {
    const why = (r.stderr.trim() || r.stdout.trim()).split('\n').slice(-5).join('\n');
    throw new HakitError(`${cmd.join(' ')} ${args.join(' ')} failed:\n${why}`);
  }
  return r.stdout;
}

export interface Output {
  stdout: string;
  stderr: string;
}

/**
 * Collects a multiplexed stream (exec, or logs without a TTY: 8-byte frame headers name stdout
 * or stderr) into its two outputs with dockerode's demuxStream, once the stream ends.
 */
async function demuxed(container: Docker.Container, stream: NodeJS.ReadableStream): Promise<Output> {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const sink = (parts: Buffer[]) =>
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        parts.push(chunk);
        done();
      },
    });
  const ended = new Promise<void>((resolve, reject) => {
    stream.on('end', resolve);
    stream.on('close', resolve);
    stream.on('error', reject);
  });
  (container.modem as Docker['modem']).demuxStream(stream, sink(out), sink(err));
  await ended;
  return { stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
}

/** A container's log so far (as `docker logs`), stdout and stderr apart. */
export async function containerLogs(container: Docker.Container, opts: { tail?: number } = {}): Promise<Output> {
  const buf = await container.logs({ stdout: true, stderr: true, follow: false, ...opts });
  return demuxed(container, Readable.from([buf]));
}

/** Runs argv in a running container; demuxes its output and returns its exit code. */
export async function execIn(container: Docker.Container, argv: string[]): Promise<Output & { exitCode: number }> {
  const exec = await container.exec({ Cmd: argv, AttachStdout: true, AttachStderr: true });
  const { stdout, stderr } = await demuxed(container, await exec.start({ hijack: true, stdin: false }));
  const info = await exec.inspect();
  return { stdout, stderr, exitCode: info.ExitCode ?? 1 };
}

/**
 * For `.catch()` on a remove, stop or kill: the engine saying it is already so — 404 gone, 304
 * already stopped, 409 removal already in progress — is what we wanted. Anything else throws.
 */
export function ignoreGone(err: unknown): void {
  const code = (err as { statusCode?: number }).statusCode;
  if (code !== 404 && code !== 409 && code !== 304) throw err;
}
