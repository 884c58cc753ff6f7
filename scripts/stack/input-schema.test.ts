import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { fileObject, objectMessage, problems } from './input-schema.js';

const Thing = v.pipe(
  fileObject('not a thing'),
  v.strictObject(
    { name: v.string('name: must be a string'), size: v.number('size: must be a number') },
    objectMessage({ notObject: 'not a thing', missing: (key) => `${key}: missing`, unknown: (key) => `${key}: unknown` }),
  ),
);
const says = (input: unknown) => problems(v.safeParse(Thing, input).issues);

describe('input schemas', () => {
  it('word a missing key, an unknown key and a wrong value, all at once', () => {
    expect(says({ size: 'big', colour: 'red' })).toEqual(['name: missing', 'size: must be a number', 'colour: unknown']);
  });

  it('take neither a scalar nor a list for an object', () => {
    expect(says('x')).toEqual(['not a thing']);
    expect(says([])).toEqual(['not a thing']);
  });

  it('list a problem once however many checks find it', () => {
    expect(problems([{ message: 'a' }, { message: 'b' }, { message: 'a' }] as v.BaseIssue<unknown>[])).toEqual(['a', 'b']);
    expect(says({ name: 'n', size: 1 })).toEqual([]);
  });
});
