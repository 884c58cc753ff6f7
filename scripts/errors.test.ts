import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { ExitCode, formatError, HakitError } from './errors.js';

it('prints an expected problem as one line with its hint, no stack', () => {
  const { text, exitCode } = formatError(new HakitError('hakit needs root', ExitCode.preflight, 'run it with sudo'));
  expect(text).toBe('hakit: hakit needs root\n  → run it with sudo');
  expect(exitCode).toBe(ExitCode.preflight);
});

it('keeps the stack of an unexpected error', () => {
  const { text, exitCode } = formatError(new TypeError('boom'));
  expect(text).toMatch(/unexpected error: TypeError: boom\n\s+at /);
  expect(exitCode).toBe(ExitCode.failure);
});

it('scripts/ name their exit codes: no bare numbers', () => {
  const scripts = dirname(fileURLToPath(import.meta.url));
  const bare: string[] = [];
  for (const file of readdirSync(scripts, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'))) {
    const text = readFileSync(join(scripts, file), 'utf8');
    // process.exit(N), process.exitCode = N, new HakitError('…', N, …) (arguments may span lines)
    const found = text.match(/process\.exit\(\s*\d|process\.exitCode\s*=\s*\d|HakitError\((?:[^()]|\([^()]*\))*?,\s*\d+\s*[,)]/g) ?? [];
    bare.push(...found.map((f) => `${file}: ${f.replace(/\s+/g, ' ').slice(0, 80)}`));
  }
  expect(bare).toEqual([]);
});
