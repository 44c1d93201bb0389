import { describe, expect, it } from 'vitest';
import { readSettings } from './settings.ts';

describe('settings', () => {
  it('TERRACE_LEASE_TTL: 60 s by default, in seconds or minutes, bounded', () => {
    expect(readSettings({}).leaseTtlMs).toBe(60_000);
    expect(readSettings({ TERRACE_LEASE_TTL: '90s' }).leaseTtlMs).toBe(90_000);
    expect(readSettings({ TERRACE_LEASE_TTL: '2m' }).leaseTtlMs).toBe(120_000);
    expect(() => readSettings({ TERRACE_LEASE_TTL: '5s' })).toThrow(/TERRACE_LEASE_TTL=5s: at least 10s/);
    expect(() => readSettings({ TERRACE_LEASE_TTL: '2h' })).toThrow(/TERRACE_LEASE_TTL=2h: at most 1h/);
    expect(() => readSettings({ TERRACE_LEASE_TTL: 'soon' })).toThrow(/TERRACE_LEASE_TTL=soon: must be a duration/);
  });

  it('TERRACE_TERRAFORM_TIMEOUT still takes minutes, hours and days', () => {
    expect(readSettings({ TERRACE_TERRAFORM_TIMEOUT: '45m' }).terraformTimeoutMs).toBe(45 * 60_000);
    expect(() => readSettings({ TERRACE_TERRAFORM_TIMEOUT: '2d' })).toThrow(/at most 24h/);
    expect(() => readSettings({ TERRACE_TERRAFORM_TIMEOUT: '0s' })).toThrow(/at least 1m/); // every run would time out
  });

  it('TERRACE_RATE_LIMIT: requests a minute per token, 1,200 by default; a bad value names the variable', () => {
    expect(readSettings({}).rateLimitPerMinute).toBe(1200);
    expect(readSettings({ TERRACE_RATE_LIMIT: '60000' }).rateLimitPerMinute).toBe(60_000);
    for (const bad of ['0', '-5', '12.5', 'lots', '1e9']) {
      expect(() => readSettings({ TERRACE_RATE_LIMIT: bad }), bad).toThrow(`TERRACE_RATE_LIMIT=${bad}: must be a whole number from 1 to 1000000`);
    }
  });

  it('TERRACE_CACHE_POLL: whole seconds up to a minute (unset: the store mode decides)', () => {
    expect(readSettings({}).cachePollMs).toBeUndefined();
    expect(readSettings({ TERRACE_CACHE_POLL: '5s' }).cachePollMs).toBe(5000);
    expect(() => readSettings({ TERRACE_CACHE_POLL: '0s' })).toThrow(/TERRACE_CACHE_POLL=0s: at least 1s/);
    expect(() => readSettings({ TERRACE_CACHE_POLL: '2m' })).toThrow(/TERRACE_CACHE_POLL=2m: at most 60s/);
  });

  it('TERRACE_PLAN_CONCURRENCY and TERRACE_PLAN_TIMEOUT bound speculative plans (terrace diff)', () => {
    expect(readSettings({})).toMatchObject({ planConcurrency: 2, planTimeoutMs: 10 * 60_000 });
    expect(readSettings({ TERRACE_PLAN_CONCURRENCY: '8', TERRACE_PLAN_TIMEOUT: '90s' })).toMatchObject({ planConcurrency: 8, planTimeoutMs: 90_000 });
    expect(() => readSettings({ TERRACE_PLAN_CONCURRENCY: '0' })).toThrow('TERRACE_PLAN_CONCURRENCY=0: must be a whole number from 1 to 64');
    expect(() => readSettings({ TERRACE_PLAN_TIMEOUT: '3h' })).toThrow(/TERRACE_PLAN_TIMEOUT=3h: at most 2h/);
  });
});
