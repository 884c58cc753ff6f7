import { chmodSync, mkdirSync, mkdtempSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hakitCommand, linkHakit } from './hakit-command.js';

let dir: string;
let cli: string;
let bin: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hakit-link-'));
  cli = join(dir, 'kit', 'dist', 'scripts', 'cli.js');
  bin = join(dir, 'bin');
  mkdirSync(join(dir, 'kit', 'dist', 'scripts'), { recursive: true });
  mkdirSync(bin);
  writeFileSync(cli, '#!/usr/bin/env node\n');
  chmodSync(cli, 0o755);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('hakit on the PATH', () => {
  it('links once, then finds its own link and leaves it', () => {
    const link = join(bin, 'hakit');
    expect(linkHakit(link, cli).state).toBe('linked');
    expect(readlinkSync(link)).toBe(cli);
    expect(linkHakit(link, cli).state).toBe('present');
  });

  it('never touches a hakit that is not this kit', () => {
    const file = join(bin, 'hakit');
    writeFileSync(file, 'someone else');
    expect(linkHakit(file, cli)).toMatchObject({ state: 'refused', line: expect.stringMatching(/a file, not this kit's/) });
    const other = join(dir, 'other');
    symlinkSync(join(dir, 'elsewhere.js'), other);
    expect(linkHakit(other, cli)).toMatchObject({ state: 'refused', line: expect.stringMatching(/a link to .*elsewhere\.js/) });
    expect(readlinkSync(other)).toBe(join(dir, 'elsewhere.js'));
  });

  it('links nothing to a CLI that is not built', () => {
    rmSync(cli);
    expect(linkHakit(join(bin, 'hakit'), cli)).toMatchObject({ state: 'refused', fix: expect.stringMatching(/npm run build/) });
  });

  it('prints `hakit` only when hakit on the PATH is this kit', () => {
    const kit = join(dir, 'kit');
    expect(hakitCommand(bin, kit, cli)).toBe('node dist/scripts/cli.js');
    expect(hakitCommand(bin, dir, cli)).toBe('node kit/dist/scripts/cli.js');
    const outside = join(dir, 'elsewhere');
    expect(hakitCommand(bin, outside, cli)).toBe(`node ${cli}`);
    linkHakit(join(bin, 'hakit'), cli);
    expect(hakitCommand(`/nonexistent:${bin}`, outside, cli)).toBe('hakit');
    const otherBin = join(dir, 'other-bin');
    mkdirSync(otherBin);
    writeFileSync(join(otherBin, 'hakit'), '#!/bin/sh\n');
    chmodSync(join(otherBin, 'hakit'), 0o755);
    expect(hakitCommand(`${otherBin}:${bin}`, outside, cli)).toBe(`node ${cli}`);
  });
});
