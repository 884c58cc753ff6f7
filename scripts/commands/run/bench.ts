// `hakit bench`: fresh stacks under each profile, measured, then the results as a table, JSON or
// markdown (and in the README between its bench markers).
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { buildReport, embedInReadme, formatMarkdown, formatTable, type Machine } from '../../bench/report.js';
import { BENCH_FAULTS, runBench, type BenchOptions } from '../../bench/run.js';
import { MAX_LOAD_SECONDS } from '../../bench/load.js';
import { ExitCode, HakitError } from '../../errors.js';
import { intIn, type BenchFlags } from '../bench.js';
import { profiles, unsupportedOn } from '../../stack/profiles.js';
import { missingPeerTools } from '../../host/setup.js';
import { assertPreflight, runtimeOf } from '../common.js';
import { parseOption } from '../lazy.js';

export async function bench(opts: BenchFlags, cmd: Command): Promise<void> {
  const loadSeconds = parseOption(cmd, 'loadSeconds', intIn(1, MAX_LOAD_SECONDS));
  // Every runtime applies the env-only profiles; the peers run on netns only: by default they are
  // left out where they cannot run, named explicitly they are an error.
  const rt = await runtimeOf(cmd, { announce: true });
  const explicit = cmd.getOptionValueSource('profiles') !== 'default';
  const absent = await missingPeerTools();
  const skipped = opts.profiles.flatMap((name) => {
    const p = profiles[name];
    const why =
      unsupportedOn(p, rt.name) ??
      (p.kind === 'peer' && absent.length ? `the ${name} profile needs the peers' packages (missing: ${absent.join(', ')})` : undefined);
    return why ? [{ name, why }] : [];
  });
  if (skipped.length && explicit)
    throw new HakitError(
      skipped.map((s) => s.why).join('; '),
      ExitCode.usage,
      'use --runtime netns after `sudo hakit setup --peers`, or leave the peer profiles out (--profiles)',
    );
  for (const s of skipped) process.stderr.write(`skipping ${s.name}: ${s.why}\n`);
  const chosen = opts.profiles.filter((p) => !skipped.some((s) => s.name === p));
  // With a lock, another person's stack may be up right now (the kit's network in use): the
  // preflight runs under the lock, before each stack (runBench).
  if (!opts.lock) await assertPreflight(rt);
  if (!opts.lock && (await rt.isUp())) {
    throw new HakitError(
      'a hakit stack is already up: the bench brings up its own stacks',
      ExitCode.preflight,
      'remove it with `hakit down`',
    );
  }
  const abort = new AbortController();
  const onSigint = () => {
    process.stderr.write('\ninterrupted: stopping after this step, then tearing the stack down\n');
    abort.abort();
  };
  process.once('SIGINT', onSigint);
  const write = (line: string) => process.stderr.write(line + '\n');
  const started = Date.now();
  const load0 = loadavg()[0]!;
  if (opts.samples) mkdirSync(dirname(resolve(opts.samples)), { recursive: true });
  const options: BenchOptions = {
    profiles: chosen,
    repeat: opts.repeat,
    loadSeconds,
    connections: opts.connections,
    flapSeconds: opts.flapSeconds,
    ...(opts.faults ? { faults: checkFaults(opts.faults) } : {}),
    flapHogs: 2,
    rrRequests: opts.rrRequests,
    lock: opts.lock,
    write,
    verbose: opts.verbose,
    signal: abort.signal,
    ...(opts.samples ? { onSample: (sample) => appendFileSync(opts.samples!, JSON.stringify(sample) + '\n') } : {}),
  };
  const { samples, lockWaitMs } = await runBench(rt, options).finally(() => process.off('SIGINT', onSigint));
  const versions = samples.find((s) => s.versions)?.versions ?? {};
  const machine: Machine = {
    date: new Date(started).toISOString().replace(/\.\d+Z$/, 'Z'),
    command: commandLine(),
    runtime: rt.name,
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    kernel: release(),
    node: process.versions.node,
    ...versions,
    loadAverage: { start: Math.round(load0 * 100) / 100, end: Math.round(loadavg()[0]! * 100) / 100 },
    durationS: Math.round((Date.now() - started) / 1000),
    lockWaitS: Math.round(lockWaitMs / 1000),
    options: {
      repeat: opts.repeat,
      profiles: chosen,
      loadSeconds,
      connections: opts.connections,
      flapSeconds: opts.flapSeconds,
      flapHogs: 2,
      rrRequests: opts.rrRequests,
    },
    ...(opts.note ? { note: opts.note } : {}),
  };
  const report = buildReport(machine, samples);
  const md = formatMarkdown(report);
  const mdPath = resolve(opts.markdown);
  mkdirSync(dirname(mdPath), { recursive: true });
  writeFileSync(mdPath, md);
  if (opts.readme) {
    const path = resolve(opts.readme);
    const updated = embedInReadme(readFileSync(path, 'utf8'), md);
    if (!updated)
      throw new HakitError(
        `${path} has no bench markers`,
        ExitCode.usage,
        'add <!-- bench-results:start --> and <!-- bench-results:end --> where the results belong',
      );
    writeFileSync(path, updated);
  }
  if (opts.json) {
    console.log(JSON.stringify(report, null, 2));
  } else {
    console.log('\n' + formatTable(report, Boolean(process.stdout.isTTY) && !process.env.NO_COLOR));
    const waited = machine.lockWaitS ? ` (${machine.lockWaitS} s of it waiting for the stack lock)` : '';
    console.log(`\nThe bench took ${machine.durationS} s on ${rt.name}${waited}. Markdown: ${mdPath}`);
  }
  const failedRuns = samples.filter((s) => s.problems.length);
  if (failedRuns.length) {
    throw new HakitError(
      `${failedRuns.length} of ${samples.length} runs saw problems`,
      ExitCode.failure,
      'see "Problems seen during the runs" in the markdown',
    );
  }
}

/** How this run was started, for the results section. */
function commandLine(): string {
  if (process.env.npm_lifecycle_event === 'bench') return 'npm run bench';
  const args = process.argv.slice(2).map((a) => (/^[\w./:=,-]+$/.test(a) ? a : JSON.stringify(a)));
  return ['hakit', ...args].join(' ');
}

/** The --faults ids, each one the bench measures. */
function checkFaults(ids: string[]): string[] {
  const unknown = ids.filter((id) => !BENCH_FAULTS.includes(id));
  if (unknown.length || ids.length === 0)
    throw new HakitError(
      `unknown fault(s) for the bench: ${unknown.join(', ') || '(none named)'}`,
      ExitCode.usage,
      `choose from ${BENCH_FAULTS.join(', ')}`,
    );
  return ids;
}
