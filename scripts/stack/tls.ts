// HTTPS at the edge: a local certificate authority that `hakit up` creates once, and the load
// balancers' server certificate, signed by it for the VIP and the LBs' names and addresses.
// Both live in the kit's state directory (keys mode 0600, never in the repository, never a
// default); a later `up` reuses them and issues a new server certificate only when the topology's
// names no longer match it or it nears expiry. Why: docs/architecture.md#https-at-the-edge.
//
// The certificates are made with Debian's `openssl` CLI: Node 20's crypto makes keys and reads
// certificates (X509Certificate: names, dates, issuer check) but cannot sign one, and the CLI is
// already on every machine that has HAProxy (libssl's package depends on nothing else).
import { X509Certificate, createPrivateKey, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ExitCode, HakitError } from '../errors.js';
import { tlsDir } from '../paths.js';
import { commandExists, shMaybe } from '../sh.js';
import { lbs, type Topology } from './topology.js';

export interface TlsPaths {
  dir: string;
  /** The CA's certificate: what a client trusts (curl --cacert, update-ca-certificates). */
  caCert: string;
  /** The CA's key (0600): signs the server certificate; never leaves this machine. */
  caKey: string;
  /** HAProxy's `crt`: the server certificate followed by its key (0600). */
  serverPem: string;
}

export const tlsPaths = (dir = tlsDir): TlsPaths => ({
  dir,
  caCert: join(dir, 'ca.crt'),
  caKey: join(dir, 'ca.key'),
  serverPem: join(dir, 'server.pem'),
});

export interface TlsOptions {
  dir?: string;
  /** Validity of a new server certificate. 397 days: within what browsers accept of a leaf. */
  serverDays?: number;
  /** A server certificate with less than this left is renewed. */
  renewBeforeDays?: number;
  /** Validity of a new CA. */
  caDays?: number;
}

export interface TlsResult {
  paths: TlsPaths;
  caCreated: boolean;
  /** Why a new server certificate was issued (undefined: the existing one was kept). */
  issued?: string;
}

const DAY_MS = 86_400_000;

/** The names a client may use to reach an LB: the VIP, each LB's name and address, and loopback. */
export function wantedNames(t: Topology): string[] {
  const lbNodes = lbs(t);
  // localhost / 127.0.0.1: Docker publishes each LB's :443 on the host's loopback.
  const dns = ['localhost', ...lbNodes.map((n) => n.name)].map((n) => `DNS:${n}`);
  const ips = [t.vip, ...lbNodes.map((n) => n.address), '127.0.0.1'].map((a) => `IP:${a}`);
  return [...new Set([...dns, ...ips])].sort();
}

/** A certificate's subjectAltName as the same "DNS:x" / "IP:x" strings, sorted. */
export function certNames(cert: X509Certificate): string[] {
  return (cert.subjectAltName ?? '')
    .split(', ')
    .filter(Boolean)
    .map((n) => n.replace(/^IP Address:/, 'IP:'))
    .sort();
}

/** Creates the CA when absent, and a server certificate when absent, stale or for other names. */
export async function ensureTls(t: Topology, opts: TlsOptions = {}): Promise<TlsResult> {
  const paths = tlsPaths(opts.dir);
  const serverDays = opts.serverDays ?? 397;
  const renewBeforeDays = opts.renewBeforeDays ?? 30;
  const names = wantedNames(t);
  const existingCa = readCa(paths, renewBeforeDays);
  const needsCa = existingCa === undefined;
  const why = needsCa ? 'a new CA' : serverProblem(paths, existingCa, names, renewBeforeDays);
  if (!why) {
    keyModes(paths);
    return { paths, caCreated: false };
  }
  if (!(await commandExists('openssl')))
    throw new HakitError(
      'openssl is needed to create the HTTPS certificates',
      ExitCode.preflight,
      'sudo hakit setup (apt-get install openssl)',
    );
  mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
  chmodSync(paths.dir, 0o700);
  // Keys are written into a private scratch directory and moved into place whole.
  const work = mkdtempSync(join(paths.dir, '.new-'));
  try {
    if (needsCa) await createCa(work, paths, opts.caDays ?? 3650);
    await issueServer(work, paths, names, serverDays);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return { paths, caCreated: needsCa, issued: why };
}

/** The server certificate and key as HAProxy reads them; a clear error before the first `up`. */
export function readServerPem(dir?: string): string {
  const { serverPem } = tlsPaths(dir);
  try {
    return readFileSync(serverPem, 'utf8');
  } catch {
    throw new HakitError(`no server certificate at ${serverPem}`, ExitCode.notUp, '`hakit up` creates it');
  }
}

/** The CA certificate, when it exists, its key matches, and it is not about to expire. */
function readCa(paths: TlsPaths, renewBeforeDays: number): X509Certificate | undefined {
  try {
    const cert = new X509Certificate(readFileSync(paths.caCert));
    const key = createPrivateKey(readFileSync(paths.caKey));
    if (!cert.ca || !cert.checkPrivateKey(key)) return undefined;
    if (Date.parse(cert.validTo) - Date.now() < renewBeforeDays * DAY_MS) return undefined;
    return cert;
  } catch {
    return undefined;
  }
}

/** Why the server certificate must be issued again, or undefined when it is fine. */
export function serverProblem(paths: TlsPaths, ca: X509Certificate, names: string[], renewBeforeDays: number): string | undefined {
  let cert: X509Certificate;
  try {
    const pem = readFileSync(paths.serverPem);
    cert = new X509Certificate(pem);
    if (!cert.checkPrivateKey(createPrivateKey(pem))) return 'its key does not match';
  } catch {
    return 'none yet';
  }
  if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) return 'it was signed by another CA';
  const have = certNames(cert);
  if (have.join() !== names.join()) return `its names (${have.join(', ')}) are not the topology's (${names.join(', ')})`;
  const left = (Date.parse(cert.validTo) - Date.now()) / DAY_MS;
  if (left < renewBeforeDays) return `it expires in ${Math.max(0, Math.floor(left))} days`;
  return undefined;
}

function keyModes(paths: TlsPaths): void {
  // A key copied or restored with a looser mode is tightened, not trusted as is.
  for (const f of [paths.caKey, paths.serverPem]) if (existsSync(f)) chmodSync(f, 0o600);
}

async function openssl(args: string[]): Promise<void> {
  const r = await shMaybe`openssl ${args}`;
  if (r.exitCode !== 0) throw new HakitError(`openssl ${args[0]} failed: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' ')}`);
}

// ECDSA P-256: every client of the last decade takes it, and its handshake costs a fraction of
// RSA-2048's on the server.
const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

async function createCa(work: string, paths: TlsPaths, days: number): Promise<void> {
  // A config of our own: the system's openssl.cnf may add or forbid extensions.
  const cnf = join(work, 'ca.cnf');
  writeFileSync(
    cnf,
    [
      '[req]',
      'distinguished_name = dn',
      'prompt = no',
      'x509_extensions = ext',
      '[dn]',
      'O = hakit',
      // Named after the machine, so a trust store that holds several is readable.
      `CN = hakit local CA (${hostname().replace(/[^\w.-]/g, '-')})`,
      '[ext]',
      // pathlen 0: it signs server certificates, never another CA.
      'basicConstraints = critical, CA:TRUE, pathlen:0',
      'keyUsage = critical, keyCertSign, cRLSign',
      'subjectKeyIdentifier = hash',
      '',
    ].join('\n'),
  );
  const key = join(work, 'ca.key');
  const crt = join(work, 'ca.crt');
  await openssl(['req', '-x509', ...EC_KEY, '-keyout', key, '-out', crt, '-days', String(days), '-config', cnf, '-set_serial', serial()]);
  install(key, paths.caKey, 0o600);
  install(crt, paths.caCert, 0o644);
}

async function issueServer(work: string, paths: TlsPaths, names: string[], days: number): Promise<void> {
  const cnf = join(work, 'server.cnf');
  writeFileSync(
    cnf,
    [
      '[req]',
      'distinguished_name = dn',
      'prompt = no',
      '[dn]',
      'O = hakit',
      // Not a host name: clients check the subjectAltName below, never the CN.
      'CN = hakit load balancers',
      '[ext]',
      'basicConstraints = critical, CA:FALSE',
      'keyUsage = critical, digitalSignature',
      'extendedKeyUsage = serverAuth',
      `subjectAltName = ${names.join(', ')}`,
      'subjectKeyIdentifier = hash',
      'authorityKeyIdentifier = keyid:always',
      '',
    ].join('\n'),
  );
  const key = join(work, 'server.key');
  const csr = join(work, 'server.csr');
  const crt = join(work, 'server.crt');
  await openssl(['req', '-new', ...EC_KEY, '-keyout', key, '-out', csr, '-config', cnf]);
  await openssl(
    ['x509', '-req', '-in', csr, '-CA', paths.caCert, '-CAkey', paths.caKey, '-set_serial', serial(), '-days', String(days)].concat([
      '-extfile',
      cnf,
      '-extensions',
      'ext',
      '-out',
      crt,
    ]),
  );
  // HAProxy's crt file: the certificate, then its key.
  const pem = join(work, 'server.pem');
  writeFileSync(pem, readFileSync(crt, 'utf8') + readFileSync(key, 'utf8'), { mode: 0o600 });
  install(pem, paths.serverPem, 0o600);
}

/** A random positive 127-bit serial: no two certificates of one CA may share one. */
function serial(): string {
  const bytes = randomBytes(16);
  bytes[0]! &= 0x7f;
  return `0x${bytes.toString('hex')}`;
}

function install(from: string, to: string, mode: number): void {
  chmodSync(from, mode);
  renameSync(from, to);
}
