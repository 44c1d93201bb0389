// The entry of `terrace control-plane synth`: a ControlPlane document in, its stack out, as plain data.
import type { ControlPlane } from '../../specs/control-plane.ts';
import { stableStringify } from '../../specs/store/stable-json.ts';
import { SynthRoot } from '../core/root.ts';
import { checkGuardrails, type GuardrailViolation } from '../guardrails/index.ts';
import { controlPlaneModel } from './model.ts';
import { controlPlaneStack } from './stack.ts';

export { TASK_ROLE_NAME } from './roles.ts';

export interface ControlPlaneResult {
  json: string;
  violations: GuardrailViolation[];
  /** What `terrace bootstrap target --control-plane-role` takes. */
  taskRoleArn: string;
}

export function synthesizeControlPlane(doc: ControlPlane): ControlPlaneResult {
  const stack = controlPlaneStack(new SynthRoot(), controlPlaneModel(doc.spec));
  stack.prepareStack();
  const json = stableStringify(stack.toTerraform(), 2);
  return { json, violations: checkGuardrails(JSON.parse(json)), taskRoleArn: `arn:aws:iam::${doc.spec.accountId}:role/terrace-control-plane-task` };
}
