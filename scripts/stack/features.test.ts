import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// The record lives in the state directory: a private one for this file.
process.env.HAKIT_STATE_DIR = mkdtempSync(join(tmpdir(), 'hakit-features-'));
const { forgetFeatures, parseFeatures, recordFeatures, recordedFeatures, stackTopology, topologyFor } = await import('./features.js');
const { defaultTopology, featureNames, withFeatures } = await import('./topology.js');
const { HakitError, ExitCode } = await import('../errors.js');
type NodeSpec = import('./topology.js').NodeSpec;

// Opt-in nodes of the shape the features add (the kit's own list grows with the data tier).
const extra: NodeSpec[] = [
  { name: 'shard1', role: 'redis', address: '10.213.0.41', features: ['weather', 'chat'] },
  { name: 'source', role: 'redis', address: '10.213.0.55', features: ['weather'] },
  { name: 'log1', role: 'redis', address: '10.213.0.61', features: ['shortener'] },
];
const names = (nodes: readonly NodeSpec[]) => nodes.map((n) => n.name);

describe('parseFeatures', () => {
  it('reads a comma list in the kit order, and all', () => {
    expect(parseFeatures('shortener, weather')).toEqual(['weather', 'shortener']);
    expect(parseFeatures('all')).toEqual([...featureNames]);
    expect(parseFeatures('')).toEqual([]);
  });

  it('names every unknown word and the valid ones, as a usage error', () => {
    const err = (() => {
      try {
        return parseFeatures('weather,cache,chats');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(HakitError);
    expect((err as InstanceType<typeof HakitError>).exitCode).toBe(ExitCode.usage);
    expect((err as Error).message).toMatch(/"cache", "chats"/);
    expect((err as InstanceType<typeof HakitError>).hint).toMatch(/weather, chat, shortener, all/);
  });
});

describe('withFeatures', () => {
  it('adds the nodes of the features asked for, each once, and records them', () => {
    const t = withFeatures(defaultTopology, ['chat', 'weather'], extra);
    expect(names(t.nodes)).toEqual([...names(defaultTopology.nodes), 'shard1', 'source']);
    expect(t.features).toEqual(['weather', 'chat']);
    expect(names(withFeatures(defaultTopology, ['chat'], extra).nodes)).toContain('shard1');
    expect(names(withFeatures(defaultTopology, ['chat'], extra).nodes)).not.toContain('source');
  });

  it('without features is the default stack', () => {
    expect(names(withFeatures(defaultTopology, [], extra).nodes)).toEqual(names(defaultTopology.nodes));
  });
});

describe('the record of the stack that is up', () => {
  it('round-trips, and is gone after forget', () => {
    recordFeatures(['shortener']);
    expect(recordedFeatures()).toEqual(['shortener']);
    expect(stackTopology().features).toEqual(['shortener']);
    forgetFeatures();
    expect(recordedFeatures()).toEqual([]);
  });

  it('down opens every feature, whatever was recorded', () => {
    recordFeatures([]);
    expect(topologyFor({ every: true }).features).toEqual([...featureNames]);
    expect(topologyFor({ with: 'weather' }).features).toEqual(['weather']);
    expect(topologyFor({}).features).toEqual([]);
    forgetFeatures();
  });
});
