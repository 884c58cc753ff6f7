import { expect, it } from 'vitest';
import { formatError, HakitError } from './errors.js';

it('prints an expected problem as one line with its hint, no stack', () => {
  const { text, exitCode } = formatError(new HakitError('hakit needs root', 3, 'run it with sudo'));
  expect(text).toBe('hakit: hakit needs root\n  → run it with sudo');
  expect(exitCode).toBe(3);
});

it('keeps the stack of an unexpected error', () => {
  const { text, exitCode } = formatError(new TypeError('boom'));
  expect(text).toMatch(/unexpected error: TypeError: boom\n\s+at /);
  expect(exitCode).toBe(1);
});
