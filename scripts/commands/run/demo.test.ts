import { describe, expect, it } from 'vitest';
import { neededFeatures, parseOnly } from './demo.js';

describe('hakit demo --only', () => {
  it('keeps the tour order and refuses an unknown id with the list', () => {
    expect(parseOnly('U2,F1,U1').map((s) => s.id)).toEqual(['F1', 'U1', 'U2']);
    expect(() => parseOnly('F1,Z9')).toThrow(/unknown scenario "Z9" \(choose from .*F1, .*U5/);
  });

  it('names the features a stack started for the scenarios needs: the shortener for U, the weather cache for C, none for F and R', () => {
    expect(neededFeatures(parseOnly('U1,U3'))).toEqual(['shortener']);
    expect(neededFeatures(parseOnly('C1,U5,F1'))).toEqual(['shortener', 'weather']);
    expect(neededFeatures(parseOnly('F1,R1'))).toEqual([]);
    expect(neededFeatures(undefined)).toEqual([]);
  });
});
