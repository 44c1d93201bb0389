// Test helpers: the example documents, parsed and defaulted as the controller would see them.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Environment } from '../../specs/environment.ts';
import { loadDocuments } from '../../specs/load.ts';
import type { Target } from '../../specs/target.ts';
import { parseEnvironment, parseTarget } from '../../specs/validate.ts';

const examples = fileURLToPath(new URL('../../specs/examples/', import.meta.url));

export const LOCAL_TARGET: Target = parseTarget({ apiVersion: 'terrace.dev/v1alpha1', kind: 'Target', metadata: { name: 'local' }, spec: { provider: 'local' } });

export function example(file: 'dev.yaml' | 'staging-prod.yaml'): { environments: Environment[]; targets: Target[] } {
  const docs = loadDocuments(readFileSync(examples + file, 'utf8'), file);
  return {
    environments: docs.filter((d): d is Environment => d.kind === 'Environment'),
    targets: docs.filter((d): d is Target => d.kind === 'Target'),
  };
}

export function devEnvironment(): Environment {
  return example('dev.yaml').environments[0];
}

/** The staging or prod example with its AWS target. */
export function awsExample(name: 'chat-staging' | 'chat-prod'): { environment: Environment; target: Target } {
  const { environments, targets } = example('staging-prod.yaml');
  const environment = environments.find((e) => e.metadata.name === name)!;
  return { environment, target: targets.find((t) => t.metadata.name === environment.spec.target)! };
}

/** A copy of an environment with changes applied to its plain-object form, re-validated. */
export function withSpec(env: Environment, change: (spec: Record<string, any>) => void): Environment {
  const copy = structuredClone(env) as Environment & { spec: Record<string, any> };
  change(copy.spec);
  return parseEnvironment(copy);
}

export interface TfJson {
  resource?: Record<string, Record<string, Record<string, any>>>;
  data?: Record<string, Record<string, Record<string, any>>>;
  output?: Record<string, { value: unknown }>;
  terraform?: Record<string, any>;
  provider?: Record<string, any>;
}

/** Every resource of a type, by name. */
export function resources(json: string | TfJson, type: string): Record<string, Record<string, any>> {
  const tf = typeof json === 'string' ? (JSON.parse(json) as TfJson) : json;
  return tf.resource?.[type] ?? {};
}
