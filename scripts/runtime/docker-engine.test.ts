// The stream helpers against dockerode's real demuxer (no engine: a client's modem is created
// without connecting) and fake containers that answer as the engine does.
import Docker from 'dockerode';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { containerLogs, execIn } from './docker-engine.js';

const { modem } = new Docker({ socketPath: '/nonexistent/docker.sock' });

/** One frame of Docker's multiplexed format: stream 1 = stdout, 2 = stderr, then a big-endian length. */
const frame = (kind: number, text: string) => {
  const body = Buffer.from(text);
  const head = Buffer.alloc(8);
  head[0] = kind;
  head.writeUInt32BE(body.length, 4);
  return Buffer.concat([head, body]);
};
const framed = Buffer.concat([frame(1, 'out 1\n'), frame(2, 'err\n'), frame(1, 'out 2\n')]);

describe('containerLogs', () => {
  it("splits Docker's multiplexed stdout and stderr frames, passing the tail on", async () => {
    let asked: unknown;
    const c = {
      modem,
      logs: async (opts: unknown) => {
        asked = opts;
        return framed;
      },
    };
    expect(await containerLogs(c as unknown as Docker.Container, { tail: 5 })).toEqual({ stdout: 'out 1\nout 2\n', stderr: 'err\n' });
    expect(asked).toMatchObject({ stdout: true, stderr: true, follow: false, tail: 5 });
  });
});

describe('execIn', () => {
  it('collects frames that arrive cut anywhere (even inside a header), then the exit code', async () => {
    const stream = new PassThrough();
    const c = {
      modem,
      exec: async () => ({ start: async () => stream, inspect: async () => ({ ExitCode: 3 }) }),
    };
    const done = execIn(c as unknown as Docker.Container, ['true']);
    const cuts = [0, 3, 11, 20, framed.length];
    for (let i = 1; i < cuts.length; i++) {
      await new Promise((r) => setImmediate(r));
      stream.write(framed.subarray(cuts[i - 1], cuts[i]));
    }
    stream.end();
    expect(await done).toEqual({ stdout: 'out 1\nout 2\n', stderr: 'err\n', exitCode: 3 });
  });
});
