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
});
