import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { ensureCredentials, loadCredentials } from './credentials.js';

it('generates credentials once, stores them 0600, and keeps them', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'hkcreds-')), 'sub', 'credentials.json');
  const first = ensureCredentials(file);
  expect(first.created).toBe(true);
  expect(first.creds.password).toMatch(/^[A-Za-z0-9_-]{24}$/);
  expect(statSync(file).mode & 0o777).toBe(0o600);
  const second = ensureCredentials(file);
  expect(second.created).toBe(false);
  expect(second.creds).toEqual(first.creds);
  expect(loadCredentials(join(file, 'missing'))).toBeUndefined();
});

it('never generates the same password twice', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hkcreds-'));
  const a = ensureCredentials(join(dir, 'a.json')).creds.password;
  const b = ensureCredentials(join(dir, 'b.json')).creds.password;
  expect(a).not.toBe(b);
});
