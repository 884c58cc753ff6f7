// One place turns failures into a clear message and an exit code. Expected problems (not root,
// a tool missing, the stack already up) are HakitErrors and print one line plus a hint; anything
// else is a bug and keeps its stack trace.

export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  preflight: 3,
  notUp: 4,
  interrupted: 130,
} as const;
/** One of the codes above: a bare number says nothing about why the kit stopped. */
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export class HakitError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = ExitCode.failure,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'HakitError';
  }
}

export function formatError(err: unknown): { text: string; exitCode: ExitCode } {
  if (err instanceof HakitError) {
    const text = `hakit: ${err.message}` + (err.hint ? `\n  → ${err.hint}` : '');
    return { text, exitCode: err.exitCode };
  }
  const text = `hakit: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`;
  return { text, exitCode: ExitCode.failure };
}

/** Runs a command's body; prints a HakitError as one line and exits with its code. */
export async function runMain(body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (err) {
    const { text, exitCode } = formatError(err);
    process.stderr.write(text + '\n');
    process.exitCode = exitCode;
  }
}
