// A bound on how long the page waits for Redis, whatever Redis does.
export class DeadlineError extends Error {}

/** `work`'s result, or a DeadlineError after `ms` (the work itself goes on; its outcome is dropped). */
export function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineError(`no answer from Redis within ${ms} ms`)), ms);
  });
  // A late failure must not surface as an unhandled rejection once the deadline has answered.
  work.catch(() => undefined);
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
