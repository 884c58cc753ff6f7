// Stats page credentials: generated on first `up`, kept with mode 0600 in the state directory,
// never a well-known default and never in the repository.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { credentialsFile } from '../paths.js';
import type { Credentials } from '../runtime/runtime.js';

export function generateCredentials(): Credentials {
  // base64url: no ':' (HAProxy's user:password separator) and nothing to quote.
  return { user: 'admin', password: randomBytes(18).toString('base64url') };
}

export function loadCredentials(file = credentialsFile): Credentials | undefined {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<Credentials>;
    if (typeof parsed.user === 'string' && typeof parsed.password === 'string') return { user: parsed.user, password: parsed.password };
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

export function ensureCredentials(file = credentialsFile): { creds: Credentials; created: boolean } {
  const existing = loadCredentials(file);
  if (existing) return { creds: existing, created: false };
  const creds = generateCredentials();
  saveCredentials(creds, file);
  return { creds, created: true };
}
