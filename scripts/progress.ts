// Progress lines for long steps: a start and an end (with the time it took) for each step, like
// kind's. Goes to stderr so stdout stays clean for --json.

export interface Progress {
  step<T>(title: string, run: () => Promise<T>): Promise<T>;
  info(line: string): void;
}

export function createProgress(out: NodeJS.WritableStream = process.stderr, quiet = false): Progress {
  const write = (s: string) => {
    if (!quiet) out.write(s + '\n');
  };
  return {
    async step(title, run) {
      const start = performance.now();
      write(`• ${title} …`);
      try {
        const result = await run();
        write(`✓ ${title} (${Math.round(performance.now() - start)} ms)`);
        return result;
      } catch (err) {
        write(`✗ ${title}`);
        throw err;
      }
    },
    info: write,
  };
}

export const silentProgress: Progress = createProgress(process.stderr, true);
