import type { Construct } from 'constructs';
import { DataResource, Fn } from '../core/cdktf.ts';

/** The local target's stand-ins for an AWS account and region (they appear in fake ARNs). */
export const LOCAL_ACCOUNT = '000000000000';
export const LOCAL_REGION = 'local';

/**
 * A `terraform_data` resource whose input is the configuration the AWS resource would get; terraform's
 * built-in provider stores it, so a plan shows exactly what changed in the spec or upstream.
 */
export function record(scope: Construct, id: string, input: Record<string, unknown>): DataResource {
  return new DataResource(scope, id, { input });
}

/** An AWS-looking id made from the resource's random per-apply id: `vpc-3f2a...`. */
export function fakeId(resource: DataResource, prefix: string, length = 17): string {
  return `${prefix}${Fn.substr(Fn.replace(resource.id, '-', ''), 0, length)}`;
}

/** One field of what was recorded, read back from state (`terraform_data.x.output.name`). */
export function recorded(resource: DataResource, field: string): string {
  return resource.getStringAttribute(`output.${field}`);
}
