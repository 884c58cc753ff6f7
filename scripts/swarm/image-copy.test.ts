import { describe, expect, it } from 'vitest';
import { images } from '../runtime/docker-engine.js';
import { imageRef, imagesFor } from './image-copy.js';
import { labPlan } from './lab.js';
import type { SwarmPlan } from './plan.js';

const plan = (registry?: string): SwarmPlan => ({
  vip: '192.168.40.200',
  prefix: 24,
  interface: 'eth0',
  lbs: { lb1: { node: 'edge-a', address: '192.168.40.5' }, lb2: { node: 'edge-b', address: '192.168.40.6' } },
  backends: 2,
  ...(registry === undefined ? {} : { registry }),
});

describe('imagesFor', () => {
  it('gives the LB nodes both images', () => {
    for (const host of ['edge-a', 'edge-b']) expect(imagesFor(host, plan()).sort()).toEqual([images.backend, images.lb].sort());
  });

  it('gives any other node only the backend image', () => {
    for (const host of ['worker-1', 'manager', 'edge', 'edge-a2', '']) expect(imagesFor(host, plan())).toEqual([images.backend]);
  });

  it('goes by the plan, not by the node name', () => {
    const lab = labPlan();
    expect(imagesFor('lb1', lab)).toContain(images.lb);
    expect(imagesFor('manager', lab)).toEqual([images.backend]);
    // "lb1" is just a backend node in a plan whose LBs are other hosts.
    expect(imagesFor('lb1', plan())).toEqual([images.backend]);
  });
});

describe('imageRef', () => {
  it('keeps the local name without a registry', () => {
    expect(imageRef(images.lb, plan())).toBe(images.lb);
    expect(imageRef('some/image:tag', plan())).toBe('some/image:tag');
  });

  it('prefixes the registry, with or without its trailing slash', () => {
    expect(imageRef(images.backend, plan('reg.example:5000'))).toBe(`reg.example:5000/${images.backend}`);
    expect(imageRef(images.backend, plan('reg.example:5000/'))).toBe(`reg.example:5000/${images.backend}`);
    expect(imageRef('x/y:1', plan('ghcr.io/team/'))).toBe('ghcr.io/team/x/y:1');
  });

  it('treats an empty registry as none', () => {
    expect(imageRef(images.lb, plan(''))).toBe(images.lb);
  });
});
