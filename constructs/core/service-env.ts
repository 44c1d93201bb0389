import type { ServiceModel } from '../model/compute.ts';
import type { TierInputs } from './inputs.ts';

export interface NameValue {
  readonly name: string;
  readonly value: string;
}

/**
 * A service's environment and secrets as ECS takes them (`{name, value}` / `{name, valueFrom}`), sorted by
 * name: ECS returns them sorted, so any other order shows as drift on every plan. `generated` maps each of the
 * service's generated secrets to the ARN (or name) the rendering created it under.
 */
export function serviceEnvironment(service: ServiceModel, inputs: TierInputs, generated: ReadonlyMap<string, string> = new Map()): { environment: NameValue[]; secrets: { name: string; valueFrom: string }[] } {
  const environment = [
    ...Object.entries(service.env).map(([name, value]) => ({ name, value })),
    ...service.injectedEnv.map((v) => ({ name: v.name, value: inputs.join(v.value) })),
  ].sort(byName);
  const secrets = [
    ...Object.entries(service.secrets).map(([name, valueFrom]) => ({ name, valueFrom })),
    ...service.injectedSecrets.map((v) => ({ name: v.name, valueFrom: inputs.join(v.value) })),
    ...service.generatedSecrets.map((g) => {
      const valueFrom = generated.get(g.name);
      if (valueFrom === undefined) throw new Error(`generated secret ${g.name} of ${service.name} was not created`);
      return { name: g.name, valueFrom };
    }),
  ].sort(byName);
  return { environment, secrets };
}

function byName(a: { name: string }, b: { name: string }): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
