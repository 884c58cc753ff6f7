// What the input files' schemas (topology file, Swarm plan) share. valibot words a missing key,
// an unknown key and a value that is not an object through the object schema's own message, so
// one function says all three; `problems` lists every issue of a parse once, in the file's order.
import * as v from 'valibot';

export const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** A file's top level must be an object: valibot's object schemas take an array for one with no keys. */
export const fileObject = (message: string) => v.custom<Record<string, unknown>>(isObject, message);

export interface ObjectWording {
  notObject: string;
  missing: (key: string) => string;
  unknown: (key: string) => string;
}

/** The message function of an object schema. */
export function objectMessage(w: ObjectWording): (issue: v.BaseIssue<unknown>) => string {
  return (issue) => {
    const key = issue.path?.at(-1)?.key;
    if (key === undefined) return w.notObject;
    // A strict object reports an unknown key as one that should "never" be there.
    return issue.expected === 'never' ? w.unknown(String(key)) : w.missing(String(key));
  };
}

/** Every problem of a parse, each once, worded by `describe` (default: the issue's own message). */
export function problems(
  issues: readonly v.BaseIssue<unknown>[] | undefined,
  describe: (issue: v.BaseIssue<unknown>) => string = (i) => i.message,
): string[] {
  return [...new Set((issues ?? []).map(describe))];
}
