import { describe, expect, it } from 'vitest';
import { chooseAuto, type AutoFacts } from './select.js';

const none: AutoFacts = { netnsUp: false, swarmUp: false, engineAnswers: false, imagesBuilt: false };

describe('--runtime auto', () => {
  it('finds the stack that is up, netns first, whatever Docker can do', () => {
    expect(chooseAuto({ ...none, netnsUp: true, swarmUp: true, engineAnswers: true, imagesBuilt: true })).toEqual({
      runtime: 'netns',
      reason: 'a netns stack is up',
    });
    expect(chooseAuto({ ...none, swarmUp: true, engineAnswers: true, imagesBuilt: true }).runtime).toBe('swarm');
  });

  it('starts on netns when no engine answers', () => {
    expect(chooseAuto(none)).toEqual({ runtime: 'netns', reason: 'no Docker engine answers' });
  });

  it('starts on netns when Docker answers but the images are not built, and says how to build them', () => {
    const choice = chooseAuto({ ...none, engineAnswers: true });
    expect(choice.runtime).toBe('netns');
    expect(choice.reason).toMatch(/images are not built: hakit images/);
  });

  it('starts on Docker only when an engine answers and the images are built', () => {
    expect(chooseAuto({ ...none, engineAnswers: true, imagesBuilt: true })).toEqual({
      runtime: 'docker',
      reason: 'Docker answers and its images are built',
    });
  });
});
