import type { Construct } from 'constructs';
import { TerraformOutput } from './cdktf.ts';

/**
 * Declares the stack's outputs at its root (so their names stay camelCase), checking they are exactly the
 * tier's contract: both targets must give dependents and the controller the same names.
 */
export function addOutputs(stack: Construct, names: readonly string[], values: Record<string, unknown>): void {
  const missing = names.filter((n) => !(n in values));
  const extra = Object.keys(values).filter((n) => !names.includes(n));
  if (missing.length > 0 || extra.length > 0) {
    throw new Error(`${stack.node.id} outputs differ from the contract: missing [${missing.join(', ')}], extra [${extra.join(', ')}]`);
  }
  for (const name of names) new TerraformOutput(stack, name, { value: values[name] });
}
