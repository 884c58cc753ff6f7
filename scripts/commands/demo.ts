// `hakit demo` (the failover tour) and `hakit watch` (a live round-robin ticker through the VIP).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { shares } from '../observe/analysis.js';
import { runDemo } from '../demo/run.js';
import { ExitCode, HakitError, runMain } from '../errors.js';
import { assertKitAddress, isSuccess, runProbe, type ProbeRecord } from '../observe/probe.js';
import { createProgress } from '../progress.js';
import { formatSummary, renderReport, toJson } from '../demo/report.js';
import { findScenario, scenarioIds, type Scenario } from '../demo/scenarios.js';
import { faultById } from '../faults/catalogue.js';
import { lbNames } from '../faults/targets.js';
import { urls } from '../stack/topology.js';
import { ensureUp, runtimeOf, upRuntime } from './common.js';

export const defaultReportPath = 'artifacts/demo-report.html';

const positiveInt =
  (max: number) =>
  (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1 || n > max) throw new InvalidArgumentError(`expected a whole number from 1 to ${max}`);
    return n;
  };

export function parseOnly(value: string): Scenario[] {
  const picked: Scenario[] = [];
  for (const id of value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const sc = findScenario(id);
    if (!sc) throw new InvalidArgumentError(`unknown scenario "${id}" (choose from ${scenarioIds.join(', ')})`);
    if (!picked.includes(sc)) picked.push(sc);
  }
  if (picked.length === 0) throw new InvalidArgumentError(`name at least one scenario (${scenarioIds.join(', ')})`);
  // Always in tour order, so that F6 can follow F1.
  return scenarioIds.map((id) => picked.find((s) => s.id === id)).filter((s): s is Scenario => s !== undefined);
}

interface DemoFlags {
  only?: Scenario[];
  repeat: number;
  json?: boolean;
  report: string;
  down?: boolean;
  keep?: boolean;
}

export function registerDemoCommands(program: Command): void {
  program
    .command('demo')
    .description('the failover tour: every failure mode under a probe, measured, with an HTML timeline report')
    .option('--only <ids>', `run only these scenarios, comma-separated (${scenarioIds.join(', ')})`, parseOnly)
    .option('--repeat <n>', 'run the tour n times', positiveInt(20), 1)
    .option('--json', 'print the results as JSON on stdout (progress stays on stderr)')
    .option('--report <path>', 'where to write the HTML report', defaultReportPath)
    .option('--keep', 'leave the stack up at the end (the default)')
    .option('--down', 'tear the stack down at the end')
    .addHelpText(
      'after',
      '\nThe stack is brought up first if it is not. At the end it is left up, so you can look at it\n' +
        '(hakit status, the stats page, hakit watch); `hakit down` removes it, or pass --down.\n' +
        'Exit code 1 when a scenario misses one of its expectations.',
    )
    .action((opts: DemoFlags, cmd: Command) =>
      runMain(async () => {
        if (opts.keep && opts.down) throw new HakitError('--keep and --down contradict each other', ExitCode.usage);
        const progress = createProgress();
        const rt = await runtimeOf(cmd);
        await ensureUp(rt, progress);
        const abort = new AbortController();
        const onSigint = () => {
          abort.abort();
          process.stderr.write(
            '\ninterrupted: the stack is left up, possibly with a node down (`hakit status`; `hakit restore NODE` or `hakit down`)\n',
          );
          // Deliberately not awaited: a signal handler; it exits once the cut F7 may have left is healed.
          void faultById('F7')
            .heal(rt, lbNames(rt.topology))
            .catch(() => undefined)
            .finally(() => process.exit(ExitCode.interrupted));
        };
        process.once('SIGINT', onSigint);
        const colour = Boolean(process.stderr.isTTY) && !process.env.NO_COLOR;
        const result = await runDemo(rt, {
          scenarios: opts.only,
          repeat: opts.repeat,
          write: (line) => process.stderr.write(line + '\n'),
          colour,
          signal: abort.signal,
        });
        process.off('SIGINT', onSigint);
        const reportPath = resolve(opts.report);
        mkdirSync(dirname(reportPath), { recursive: true });
        writeFileSync(reportPath, renderReport(result));
        if (opts.json) {
          console.log(JSON.stringify(toJson(result, reportPath), null, 2));
        } else {
          console.log(`\n${formatSummary(result, Boolean(process.stdout.isTTY) && !process.env.NO_COLOR)}`);
          console.log(`\nThe tour took ${(result.durationMs / 1000).toFixed(1)} s on ${result.runtime}.`);
          console.log(`Report: ${reportPath}`);
        }
        if (opts.down) {
          await rt.down(progress);
          process.stderr.write('hakit is down: nothing left behind\n');
        } else {
          process.stderr.write('The stack is still up: `hakit status`, `hakit watch`, and `hakit down` when you are done.\n');
        }
        const missed = result.scenarios.filter((s) => !s.ok);
        if (missed.length) {
          throw new HakitError(
            `${missed.length} of ${result.scenarios.length} scenarios missed an expectation: ${missed.map((s) => s.id).join(', ')}`,
            ExitCode.failure,
            `see ${reportPath}`,
          );
        }
      }),
    );

  program
    .command('watch')
    .description('a live ticker of who answers through the VIP, until Ctrl-C; kill nodes in another terminal and see it')
    .option('--interval <ms>', 'time between requests', positiveInt(60_000), 200)
    .option('--duration <s>', 'stop after this many seconds at the latest', positiveInt(1800), 600)
    .option('--keep-alive', 'reuse one connection instead of a new one per request')
    .option('--json', 'print one JSON record per request (NDJSON)')
    .action((opts: { interval: number; duration: number; keepAlive?: boolean; json?: boolean }, cmd: Command) =>
      runMain(async () => {
        const rt = await upRuntime(cmd);
        const url = urls(rt.topology).vip;
        assertKitAddress(url, rt.topology);
        const abort = new AbortController();
        const onSigint = () => abort.abort();
        process.once('SIGINT', onSigint);
        if (!opts.json) process.stderr.write(`Watching ${url} every ${opts.interval} ms (Ctrl-C to stop, at most ${opts.duration} s)\n`);
        const records = await runProbe({
          url,
          topology: rt.topology,
          intervalMs: opts.interval,
          timeoutMs: Math.min(2000, Math.max(500, opts.interval * 5)),
          maxDurationMs: opts.duration * 1000,
          keepAlive: opts.keepAlive,
          signal: abort.signal,
          onRecord: (r) => console.log(opts.json ? JSON.stringify(r) : tickerLine(r)),
        });
        process.off('SIGINT', onSigint);
        if (!opts.json) {
          const failed = records.filter((r) => !isSuccess(r)).length;
          const s = Object.entries(shares(records))
            .map(([k, v]) => `${k} ${Math.round(v * 100)} %`)
            .join(', ');
          process.stderr.write(`\n${records.length} requests, ${failed} failed${s ? `; served by ${s}` : ''}\n`);
        }
      }),
    );
}

/** One request as a ticker line: "12:00:01.234  200  backend1 via lb1     2 ms". */
export function tickerLine(r: ProbeRecord): string {
  const time = new Date(r.atMs).toISOString().slice(11, 23);
  const what = isSuccess(r)
    ? `${r.status}  ${r.backend ?? '?'} via ${r.lb ?? '?'}`
    : `✗ ${r.status ? `HTTP ${r.status}${r.lb ? ` via ${r.lb}` : ''}` : r.error}`;
  return `${time}  ${what.padEnd(26)} ${Math.round(r.latencyMs).toString().padStart(5)} ms`;
}
