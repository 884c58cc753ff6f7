import { describe, expect, it } from 'vitest';
import { fibTrieHasLocal } from './common.js';

// /proc/net/fib_trie of an LB that holds the VIP (10.213.0.10) beside its own 10.213.0.11, as read on netns.
const holder = `Main:
  +-- 0.0.0.0/1 2 0 2
     +-- 0.0.0.0/4 2 0 2
        |-- 0.0.0.0
           /0 universe UNICAST
        +-- 10.213.0.0/24 2 0 2
           +-- 10.213.0.0/28 2 0 2
              |-- 10.213.0.0
                 /24 link UNICAST
              +-- 10.213.0.10/31 1 0 0
                 |-- 10.213.0.10
                    /32 host LOCAL
                 |-- 10.213.0.11
                    /32 host LOCAL
           |-- 10.213.0.255
              /32 link BROADCAST
     +-- 127.0.0.0/8 2 0 2
        +-- 127.0.0.0/31 1 0 0
           |-- 127.0.0.0
              /8 host LOCAL
           |-- 127.0.0.1
              /32 host LOCAL
`;

// The other LB: its own address only; the VIP's subnet is a link route, not a local address.
const backup = `Main:
  +-- 0.0.0.0/1 2 0 2
        +-- 10.213.0.0/24 2 0 2
           +-- 10.213.0.0/28 2 0 2
              |-- 10.213.0.0
                 /24 link UNICAST
              |-- 10.213.0.12
                 /32 host LOCAL
           |-- 10.213.0.255
              /32 link BROADCAST
`;

describe('fibTrieHasLocal', () => {
  it('finds a local address, and only a local one', () => {
    expect(fibTrieHasLocal(holder, '10.213.0.10')).toBe(true);
    expect(fibTrieHasLocal(holder, '10.213.0.11')).toBe(true);
    expect(fibTrieHasLocal(backup, '10.213.0.10')).toBe(false);
    expect(fibTrieHasLocal(backup, '10.213.0.12')).toBe(true);
    // A network or broadcast leaf is not a host address.
    expect(fibTrieHasLocal(holder, '10.213.0.0')).toBe(false);
    expect(fibTrieHasLocal(holder, '10.213.0.255')).toBe(false);
    expect(fibTrieHasLocal('', '10.213.0.10')).toBe(false);
  });
});
