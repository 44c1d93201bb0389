import { describe, expect, it } from 'vitest';
import { FARGATE_SIZES } from '../../environment.ts';
import { eventBridgeCron } from './cron.ts';
import { SERVICE_PLANS, databaseCapacity, normalizePlan } from './tables.ts';

describe('the size tables', () => {
  it('gives every Render plan a Fargate size AWS accepts', () => {
    for (const [plan, { cpu, memory }] of Object.entries(SERVICE_PLANS)) expect(FARGATE_SIZES[cpu], plan).toContain(memory);
  });

  it('reads plan spellings seen in real files', () => {
    expect(['Standard', 'starter_plus', ' pro  plus ', 'basic-256mb', 'basic_256mb'].map(normalizePlan)).toEqual(['standard', 'starter plus', 'pro plus', 'basic 256mb', 'basic 256mb']);
  });

  it('sizes databases: named plans by table, sized plans by memory (1 ACU ~ 2 GiB), steps of 0.5', () => {
    expect(databaseCapacity('free')).toEqual({ minCapacity: 0, maxCapacity: 1 });
    expect(databaseCapacity('basic-256mb')).toEqual({ minCapacity: 0.5, maxCapacity: 1 });
    expect(databaseCapacity('pro-8gb')).toEqual({ minCapacity: 1, maxCapacity: 4 });
    expect(databaseCapacity('accelerated-64gb')).toEqual({ minCapacity: 8, maxCapacity: 32 });
    expect(databaseCapacity('pro-1024gb')).toEqual({ minCapacity: 64, maxCapacity: 256 });
    expect(databaseCapacity('enormous')).toBeUndefined();
  });

  it('writes Render\'s five cron fields as EventBridge\'s six, days of the week counted from 1', () => {
    expect(eventBridgeCron('0 3 * * *')).toBe('cron(0 3 * * ? *)');
    expect(eventBridgeCron('*/15 * * * 1-5')).toBe('cron(*/15 * ? * 2-6 *)');
    expect(eventBridgeCron('0 0 * * 0,6')).toBe('cron(0 0 ? * 1,7 *)');
    expect(eventBridgeCron('0 0 * * 7')).toBe('cron(0 0 ? * 1 *)');
    expect(eventBridgeCron('0 12 * * MON-FRI')).toBe('cron(0 12 ? * MON-FRI *)');
    expect(eventBridgeCron('0 0 1 * 1')).toBeUndefined();
    expect(eventBridgeCron('@daily')).toBeUndefined();
  });
});
