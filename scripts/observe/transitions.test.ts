import { expect, it } from 'vitest';
import { parseTransitions } from './transitions.js';

it('reads notify lines and skips junk', () => {
  const text = '1700000000000 VI_WEB BACKUP 101\ngarbage\n\n1700000000150 VI_WEB MASTER 101\n1700000000300 VI_WEB FAULT\n';
  expect(parseTransitions(text)).toEqual([
    { atMs: 1700000000000, instance: 'VI_WEB', state: 'BACKUP', priority: 101 },
    { atMs: 1700000000150, instance: 'VI_WEB', state: 'MASTER', priority: 101 },
    { atMs: 1700000000300, instance: 'VI_WEB', state: 'FAULT', priority: undefined },
  ]);
  expect(parseTransitions(undefined)).toEqual([]);
});
