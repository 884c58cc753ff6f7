import { describe, expect, it } from 'vitest';
import { InvalidInput, limits, parseNick, parseRoom, parseSeq, parseSid, parseText } from './message.js';

describe('chat input', () => {
  it('takes rooms of lower-case words and refuses anything that could open a hash tag or a path', () => {
    expect(parseRoom('lobby')).toBe('lobby');
    expect(parseRoom('room-1_b')).toBe('room-1_b');
    for (const bad of ['', 'Lobby', '-x', 'a{b}', 'a b', 'x'.repeat(limits.roomMax + 1), '../x', undefined, 3]) {
      expect(() => parseRoom(bad), String(bad)).toThrow(InvalidInput);
    }
    expect(parseRoom('x'.repeat(limits.roomMax))).toHaveLength(limits.roomMax);
  });

  it('takes nicknames in any script, trimmed, without braces or control characters', () => {
    expect(parseNick('  Алиса ')).toBe('Алиса');
    expect(parseNick('bob.the-2nd')).toBe('bob.the-2nd');
    for (const bad of ['', ' ', '{x}', 'a\nb', '-lead', 'x'.repeat(limits.nickMax + 1), null])
      expect(() => parseNick(bad)).toThrow(InvalidInput);
  });

  it('keeps a text as written, line ends normalized, and refuses empty, too long or control characters', () => {
    expect(parseText('hi\r\nthere  ')).toBe('hi\nthere');
    expect(parseText('<b>not html</b>')).toBe('<b>not html</b>');
    expect(parseText('x'.repeat(limits.textMax))).toHaveLength(limits.textMax);
    expect(() => parseText('x'.repeat(limits.textMax + 1))).toThrow(/at most 500/);
    expect(() => parseText('  \n ')).toThrow(/empty/);
    expect(() => parseText('bell\u0007')).toThrow(/control/);
    expect(() => parseText(42)).toThrow(InvalidInput);
  });

  it('takes send ids of 8–64 URL-safe characters and seqs as whole numbers', () => {
    expect(parseSid('abcdEFGH_-12')).toBe('abcdEFGH_-12');
    for (const bad of ['short', 'x'.repeat(65), 'has space!', 7]) expect(() => parseSid(bad)).toThrow(InvalidInput);
    expect(parseSeq('0')).toBe(0);
    expect(parseSeq(12)).toBe(12);
    for (const bad of ['-1', '1.5', 'x', 1.5, -3, '']) expect(() => parseSeq(bad)).toThrow(InvalidInput);
  });
});
