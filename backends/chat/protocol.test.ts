import { describe, expect, it } from 'vitest';
import { parseClientFrame, ProtocolError, retryable } from './protocol.js';

describe('the chat protocol', () => {
  it('parses sends and pings', () => {
    expect(parseClientFrame('{"t":"send","sid":"abcdefgh","text":"hi","after":3}')).toEqual({
      t: 'send',
      sid: 'abcdefgh',
      text: 'hi',
      after: 3,
    });
    expect(parseClientFrame('{"t":"ping","n":7}')).toEqual({ t: 'ping', n: 7 });
  });

  it('refuses what is not one frame of a known kind, saying why', () => {
    for (const bad of [
      '',
      'nope',
      '[1]',
      'null',
      '{"t":"hello"}',
      '{"t":"send","sid":"abcdefgh","text":"x"}',
      '{"t":"send","sid":1,"text":"x","after":0}',
      '{"t":"send","sid":"abcdefgh","text":"x","after":-1}',
      '{"t":"ping"}',
    ]) {
      expect(() => parseClientFrame(bad), bad).toThrow(ProtocolError);
    }
  });

  it('says which refusals a client retries', () => {
    expect(retryable('rate-limited')).toBe(true);
    expect(retryable('unavailable')).toBe(true);
    expect(retryable('invalid')).toBe(false);
    expect(retryable('too-old')).toBe(false);
  });
});
