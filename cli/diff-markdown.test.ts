import { describe, expect, it } from 'vitest';
import type { PlanReport } from '../controller/speculative-plan.ts';
import { markdown } from './diff-command.ts';

// The job summary of a pull request shows terraform's words, which can quote the spec the pull request wrote.

const report = (error: string): PlanReport => ({
  environment: 'staging', new: false, changes: false, allowed: true, failed: true,
  tiers: [{ tier: 'network', planned: false, add: [], change: [], destroy: [], violations: [], error }],
});

describe('diff -o markdown', () => {
  it('keeps the whole plan inside one code block, whatever backticks terraform\'s message holds', () => {
    const out = markdown(report('bad value "```\n![x](https://tracker.example/p.png)\n```"'));
    const [fence] = out.match(/^`{3,}(?=diff$)/m)!;
    expect(fence.length).toBeGreaterThan(3);
    // The block opens once and closes only on the last line.
    expect(out.split('\n').filter((l) => l.startsWith(fence))).toEqual([`${fence}diff`, fence]);
    expect(out.endsWith(`\n${fence}`)).toBe(true);
  });

  it('uses a plain ``` fence for a plan without backticks', () => {
    expect(markdown(report('no state'))).toMatch(/^```diff\n[\s\S]*\n```$/m);
  });
});
