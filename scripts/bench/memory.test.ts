import { describe, expect, it } from 'vitest';
import { parseRss } from './memory.js';

describe('parseRss', () => {
  it('sums the processes of each component and ignores the rest', () => {
    const listing = ['sh 900', 'haproxy 12000', 'keepalived 4000', 'keepalived 3000', 'curl 5000', 'garbage', 'node x'].join('\n');
    expect(parseRss(listing)).toEqual({ haproxy: 12000, keepalived: 7000 });
    expect(parseRss('node 45000\n')).toEqual({ backend: 45000 });
  });
});
