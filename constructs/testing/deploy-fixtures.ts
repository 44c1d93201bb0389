// The control plane and bootstrap examples (specs/examples), parsed as their commands parse them.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ControlPlane } from '../../specs/control-plane.ts';
import { loadDocuments } from '../../specs/load.ts';
import type { Target } from '../../specs/target.ts';
import { parseControlPlane, parseTarget } from '../../specs/validate.ts';
import { completeTarget } from '../bootstrap/index.ts';

const examples = fileURLToPath(new URL('../../specs/examples/', import.meta.url));
export const CONTROL_PLANE_ROLE = 'arn:aws:iam::999999999999:role/terrace-control-plane-task';

export function controlPlaneExample(edit: (spec: Record<string, any>) => void = () => {}): ControlPlane {
  const [doc] = loadDocuments(readFileSync(examples + 'control-plane.yaml', 'utf8'), 'control-plane.yaml', (v) => v as { spec: Record<string, any> });
  edit(doc.spec);
  return parseControlPlane(doc);
}

export function bootstrapTargetExample(): Target {
  const [target] = loadDocuments(readFileSync(examples + 'target-prod.yaml', 'utf8'), 'target-prod.yaml', (v) => parseTarget(completeTarget(v)));
  return target;
}
