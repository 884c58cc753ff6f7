// `hakit up`: preflight, then the stack, then where to look and what to try.
import type { Command } from 'commander';
import { bringUp } from '../../stack/actions.js';
import { loadCredentials } from '../../stack/credentials.js';
import { loadTopologyFile } from '../../stack/topology-file.js';
import { ExitCode, HakitError, runMain } from '../../errors.js';
import { hakitCommand } from '../../host/hakit-command.js';
import { createProgress } from '../../progress.js';
import { formatStatus } from '../../observe/status-table.js';
import { assertPreflight, runtimeOf } from '../common.js';

interface UpFlags {
  retain?: boolean;
  config?: string;
}

export async function up(opts: UpFlags, cmd: Command): Promise<void> {
  const interrupt = new AbortController();
  await runMain(() => start(opts, cmd, interrupt));
  // An abandoned health wait may still be polling: do not let it keep the process alive.
  if (interrupt.signal.aborted) process.exit(process.exitCode ?? ExitCode.interrupted);
}

async function start(opts: UpFlags, cmd: Command, interrupt: AbortController): Promise<void> {
  // Before anything else: a bad file starts nothing.
  if (opts.config) loadTopologyFile(opts.config);
  const progress = createProgress();
  const rt = await runtimeOf(cmd, { announce: true });
  await assertPreflight(rt);
  const hakit = hakitCommand();
  if (await rt.isUp())
    throw new HakitError(
      'a hakit stack is already up',
      ExitCode.preflight,
      `see it with \`${hakit} status\`, or remove it with \`${hakit} down\``,
    );
  const started = performance.now();
  // Ctrl-C during up: stop after the current step, then tear down what exists instead of
  // leaving half a stack (bringUp does it, as after a failure). A third Ctrl-C quits at once.
  let presses = 0;
  const onSigint = () => {
    if (++presses >= 3) process.exit(ExitCode.interrupted);
    progress.info(
      presses === 1
        ? 'interrupted: stopping after this step, then removing what was created'
        : 'still removing what was created (Ctrl-C again to quit at once)',
    );
    interrupt.abort();
  };
  process.on('SIGINT', onSigint);
  const status = await bringUp(rt, progress, opts.retain, interrupt.signal).finally(() => process.off('SIGINT', onSigint));
  const creds = loadCredentials();
  console.log(`\nhakit is up on ${rt.name} in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  console.log(formatStatus(status));
  console.log(`\n  VIP:    ${status.url}`);
  console.log(`  stats:  ${status.statsUrl}  (user ${creds?.user}, password ${creds?.password})`);
  console.log(`  HTTPS:  ${status.httpsUrl}  ·  ${status.statsHttpsUrl}  (to trust the kit's CA: ${hakit} creds)`);
  console.log(`\nTry: curl ${status.url}   ·   ${hakit} kill lb1   ·   ${hakit} status   ·   ${hakit} down`);
  console.log(`Watch it live in a browser: ${hakit} dashboard   (VIP holder, VRRP states, requests, kill/restore buttons)`);
}
