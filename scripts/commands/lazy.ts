// Commands load what they need when they run, not when the CLI starts: registering them (and
// `hakit --help`) must not pay for dockerode, zx, hono or autocannon. So the command files import
// only commander and small modules, and each action imports its body from run/ on demand.
import { InvalidArgumentError, type Command } from 'commander';
import { ExitCode, runMain } from '../errors.js';

/** A commander action whose body is imported when the command runs; every error ends in runMain. */
export const lazyAction =
  <A extends unknown[]>(load: () => Promise<(...args: A) => Promise<void>>) =>
  (...args: A): Promise<void> =>
    runMain(async () => (await load())(...args));

/**
 * Parses an option whose valid values only a module loaded on demand knows (the scenarios, the
 * kill modes, the limits of a soak); a bad value fails as commander's own checks do: the same
 * message, exit 2.
 */
export function parseOption<T>(cmd: Command, name: string, parse: (value: string) => T): T {
  const value = cmd.getOptionValue(name) as string;
  try {
    return parse(value);
  } catch (err) {
    if (!(err instanceof InvalidArgumentError)) throw err;
    const flags = cmd.options.find((o) => o.attributeName() === name)?.flags ?? `--${name}`;
    cmd.error(`error: option '${flags}' argument '${value}' is invalid. ${err.message}`, {
      exitCode: ExitCode.usage,
      code: 'commander.invalidArgument',
    });
  }
}
