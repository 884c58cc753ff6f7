// Credentials: the stats page's user and password, and each node group's secrets (the data
// nodes' ACL passwords), generated on first `up`, kept with mode 0600 in the state directory,
// never a well-known default and never in the repository.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { credentialsFile } from '../paths.js';
import type { Credentials } from '../runtime/runtime.js';
import { groupSecrets } from '../groups/secrets.js';

// base64url: no ':' (HAProxy's user:password separator), no space or '>' (Redis ACL lines), nothing to quote.
const secret = () => randomBytes(18).toString('base64url');

export function generateCredentials(secretNames: readonly string[] = []): Credentials {
  return { user: 'admin', password: secret(), secrets: Object.fromEntries(secretNames.map((n) => [n, secret()])) };
}

export function loadCredentials(file = credentialsFile): Credentials | undefined {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<Credentials>;
    if (typeof parsed.user === 'string' && typeof parsed.password === 'string') {
      const secrets = Object.fromEntries(Object.entries(parsed.secrets ?? {}).filter(([, v]) => typeof v === 'string'));
      return { user: parsed.user, password: parsed.password, secrets };
    }
  } catch {
    // absent or unreadable: the caller generates new ones
  }
  return undefined;
}

export function saveCredentials(creds: Credentials, file = credentialsFile): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o755 });
  writeFileSync(file, JSON.stringify(creds, null, 2) + '\n', { mode: 0o600 });
  chmodSync(file, 0o600); // writeFileSync keeps the mode of an existing file
}

/** Loads the credentials, generating what is missing (all of them, or a secret a new group needs). */
export function ensureCredentials(
  file = credentialsFile,
  secretNames: readonly string[] = groupSecrets(),
): { creds: Credentials; created: boolean } {
  const existing = loadCredentials(file);
  const creds = existing ?? generateCredentials();
  const missing = secretNames.filter((n) => !creds.secrets?.[n]);
  if (existing && missing.length === 0) return { creds, created: false };
  creds.secrets = { ...creds.secrets, ...generateCredentials(missing).secrets };
  saveCredentials(creds, file);
  return { creds, created: true };
}
