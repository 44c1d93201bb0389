import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PlanSummary } from '../specs/status.ts';

/** The plan file terraform writes and applies, in the tier's working directory. */
export const PLAN_FILE = 'current.tfplan';
const PENDING_FILE = 'pending.json';

/** A plan awaiting approval, with the hash of the stack (or destroy) it was made for. */
export type PendingPlan = PlanSummary & { hash: string };

/** The plan as status and events show it, without the hash it was made for. */
export const planSummary = ({ id, add, change, destroy }: PlanSummary): PlanSummary => ({ id, add, change, destroy });

export function readPending(dir: string): PendingPlan | undefined {
  const file = join(dir, PENDING_FILE);
  if (!existsSync(file) || !existsSync(join(dir, PLAN_FILE))) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

export function writePending(dir: string, plan: PendingPlan): void {
  writeFileSync(join(dir, PENDING_FILE), JSON.stringify(plan));
}

export function clearPending(dir: string): void {
  rmSync(join(dir, PENDING_FILE), { force: true });
}

/** `<tier>-<first 12 hex of the plan file's sha256>`: names exactly the plan an operator approves. */
export async function planId(dir: string, prefix: string): Promise<string> {
  const hash = await new Promise<string>((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(join(dir, PLAN_FILE)).on('data', (d) => h.update(d)).on('end', () => resolve(h.digest('hex'))).on('error', reject);
  });
  return `${prefix}-${hash.slice(0, 12)}`;
}
